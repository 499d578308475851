"""Fingerprints of the data a page is rendered from, for incremental builds.

A page is re-rendered only when the fingerprint of everything it read changes: its route's
context, the parts of ``site`` its templates touched (recorded while rendering), the templates
it uses, the site-wide settings and the toolchain (talknotes' and its dependencies' versions).
Same fingerprint, same bytes: correct by construction.

The templates a template uses are those Jinja's own parser finds it extending, including or
importing; one that names a template only at render time (``{% include some_variable %}``)
may use any, so it depends on every template of the theme chain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from .toolchain import toolchain
from ..model.content import Note, Page
from ..model.scan import walk

_SCALARS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, type(Path())})


def _h(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Fingerprints:
    """Digests of one build's data; notes and pages digest with their rendered HTML."""

    def __init__(self, site, documents, global_parts: list[str], template_dirs: list[Path], cover=None,
                 memo: dict | None = None, sources: dict | None = None, remember=None):
        self.site = site
        self.sources = sources or {}  # record path -> digest of its file (Content.digests)
        self.documents = documents
        self.cover = cover
        self.global_key = _h(toolchain(), *global_parts)
        self.template_dirs = template_dirs
        # remember(kind, key, compute): a JSON value kept across builds (BuildCache.memo), for the
        # templates each template names: parsing a theme's 20 templates costs a rebuild 20 ms.
        self._remember = remember or _remember_in_process
        self._every_template: str | None = None
        self._records: dict[int, str] = {}
        # Digests of records from earlier builds (serve): a note whose record and rendered
        # result are the very same objects as last time has the same digest.
        self._memo = memo if memo is not None else {}
        self._objects: dict[int, tuple] = {}  # id -> (object, digest); the object keeps the id valid
        self._site_attrs: dict[str, str] = {}
        self._templates: dict[str, str] = {}

    def record(self, record) -> str:
        """A note or page: its fields, its rendered HTML and its cover markup."""
        key = id(record)
        if key not in self._records:
            kind = "note" if isinstance(record, Note) else "page"
            rendered = self.documents.get(f"{kind}:{record.slug}")
            cover = repr(self.cover(record)) if self.cover and kind == "note" else ""
            known = self._memo.get(key)
            if known is not None and known[0] is record and known[1] is rendered and known[2] == cover:
                digest = known[3]
            else:
                # A note is a function of its file: the file's digest stands for its fields
                # (cheaper than repr, which escapes the whole body).
                source = self.sources.get(record.path)
                fields = f"{record.path}\0{record.folder}\0{source}" if source else repr(record)
                digest = _h(fields, rendered.html if rendered else "", cover)
            self._memo[key] = (record, rendered, cover, digest)
            self._records[key] = digest
        return self._records[key]

    def forget_unused(self) -> None:
        """Drop remembered digests of records this build did not use (bounded memory in serve)."""
        for key in set(self._memo) - set(self._records):
            del self._memo[key]

    def release(self) -> None:
        """Forget the digests of context values (groups, tuples), once every page is rendered."""
        self._objects.clear()

    def value(self, value) -> str:
        """A stable digest of any context value (records, groups, tuples, dicts, dates)."""
        kind = type(value)
        if kind in _SCALARS:  # the common case first: this runs for every value of every page
            return repr(value)
        if kind is Note or kind is Page:
            return self.record(value)
        if kind is tuple or dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Groups and note tuples recur across pages (a tag's notes, the home page's): digest once.
            known = self._objects.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            if kind is tuple:
                digest = _h("seq", *map(self.value, value))
            else:
                digest = _h(kind.__name__, *(self.value(getattr(value, f.name)) for f in dataclasses.fields(value)))
            self._objects[id(value)] = (value, digest)
            return digest
        if isinstance(value, (list, tuple)):
            return _h("seq", *map(self.value, value))
        if isinstance(value, dict):
            return _h("map", *(f"{k!r}={self.value(v)}" for k, v in sorted(value.items(), key=lambda i: repr(i[0]))))
        if isinstance(value, (Note, Page)):
            return self.record(value)
        if isinstance(value, (str, int, float, bool, type(None), dt.date, Path)):
            return repr(value)
        if callable(value):  # helpers such as a feed's timestamp function depend only on settings
            return _h("fn", getattr(value, "__qualname__", type(value).__name__))
        raise TypeError(f"cannot fingerprint {type(value).__name__}")

    def site_attr(self, name: str) -> str:
        if name not in self._site_attrs:
            self._site_attrs[name] = self.value(getattr(self.site, name))
        return self._site_attrs[name]

    def template(self, name: str) -> str:
        """The template's source and every template it extends, includes or imports."""
        if name not in self._templates:
            self._templates[name] = ""  # a cycle resolves to "" instead of recursing forever
            source = next((d / name for d in self.template_dirs if (d / name).is_file()), None)
            text = source.read_text(encoding="utf-8") if source else ""
            refs = self._remember("template-refs", _h(text), lambda: referenced_templates(text))
            if None in refs:  # a name known only at render time: it may be any template
                self._templates[name] = _h(name, text, self.every_template())
            else:
                self._templates[name] = _h(name, text, *(self.template(ref) for ref in sorted(set(refs))))
        return self._templates[name]

    def every_template(self) -> str:
        """A digest of every template of the theme chain: each name, and the source that wins it."""
        if self._every_template is None:
            found: dict[str, str] = {}
            for folder in self.template_dirs:
                for rel, entry in walk(folder):
                    if rel not in found and entry.is_file():
                        with open(entry.path, "rb") as file:
                            found[rel] = hashlib.blake2b(file.read(), digest_size=16).hexdigest()
            self._every_template = _h("every template", *(f"{rel}={digest}" for rel, digest in sorted(found.items())))
        return self._every_template

    def page(self, template: str, context: dict, site_attrs) -> str:
        """The key of one rendered file."""
        return _h(self.global_key, self.template(template), self.value(context),
                  *(f"{a}={self.site_attr(a)}" for a in sorted(site_attrs)))


_PARSER = None
_REFS: dict[str, list] = {}


def referenced_templates(source: str) -> list[str | None]:
    """The names of the templates ``source`` extends, includes or imports, as Jinja's parser
    finds them; None for each it names only at render time (a variable, an expression), and
    ``[None]`` if it does not parse (rendering reports that; meanwhile assume the worst)."""
    global _PARSER
    import jinja2
    from jinja2 import meta
    if _PARSER is None:  # syntax only: no loader, globals or filters are needed to parse
        _PARSER = jinja2.Environment()
    try:
        return list(meta.find_referenced_templates(_PARSER.parse(source)))
    except jinja2.TemplateSyntaxError:
        return [None]


def _remember_in_process(kind: str, key: str, compute):
    """Without a build cache: each template's references, parsed once per process."""
    if key not in _REFS:
        _REFS[key] = compute()
    return _REFS[key]


class TrackedSite:
    """Stands in for ``site`` in templates and records which attributes a render reads."""

    def __init__(self, site):
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self._site, name)
