"""What the three blog importers share: a post's fields -> a note, and its links -> copied files.

A post links to images and attachments by relative paths, by site paths (``/assets/x.png``)
or by the generator's own markers (Pelican's ``{static}``, Jekyll's ``{{ site.baseurl }}``);
each reader turns those into a file of its tree, and :class:`Links` copies the file beside
the note and rewrites the link to it. A link to another post becomes a link to that post's
note file, which the build turns into its URL.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from . import mdtext
from .common import BLOG_EVENT, Asset, NoteItem, digest, text_list

#: Changes whenever the blog importers write their notes differently (part of each record's digest).
VERSION = "1"

_DOCUMENTS = {".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".rst", ".html", ".htm"}
# Post links are written as this placeholder until the other post's note has a file name.
_POST = "\x00post:{}\x00"
_POST_RE = re.compile(r"\x00post:([^\x00]*)\x00")
_POST_LINK = re.compile(r"(?<!!)\[((?:[^\]\\]|\\.)*)\]\(\x00post:([^\x00]*)\x00([^)]*)\)")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_INLINE_LINK = re.compile(r"(!?\[(?:[^\]\\]|\\.)*\]\()\s*(<[^>\n]*>|[^)\s]+)([^)]*\))")
_REFERENCE = re.compile(r"^( {0,3}\[(?!\^)[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)(.*)$", re.MULTILINE)
_HTML_ATTR = re.compile(r"""(<(?:img|a|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*)(["'])(.*?)\2""",
                        re.IGNORECASE)


@dataclass
class Post:
    """One post as read from its source, before it becomes a note."""

    key: str
    origin: str
    raw: bytes                      # the file's bytes, for the record digest
    title: str
    date: dt.date
    body: str                       # Markdown, links still as written (see Links)
    slug: str = ""
    tags: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    authors: list = field(default_factory=list)
    summary: str = ""
    draft: bool = False
    updated: dt.date | None = None
    lang: str | None = None
    old_urls: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    assets: list = field(default_factory=list)


class Links:
    """Rewrites one post's links: files are copied beside the note, posts linked by their note.

    ``locate(target)`` says what a link target is: ``("file", Path)`` to copy, ``("post", key)``,
    ``("site", path)`` for a page of the new site (a tag), or None to leave it as written.
    """

    def __init__(self, post: Post, locate: Callable[[str], tuple | None]):
        self.post, self.locate = post, locate
        self.names: dict[Path, str] = {}

    def target(self, target: str, image: bool = False) -> str | None:
        """The rewritten link target (None: drop the link, keep its text)."""
        if target.startswith("\x00post:"):
            return target
        found = self.locate(target)
        if found is None and re.match(r"\{\w+\}|\|\w+\||\{\{|\{%", target):
            self.post.warnings.append(f"link {target!r} names nothing in the source; only its text is kept")
            return None
        if found is None:
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                return target if mdtext.is_followable(target) else None
            if target.startswith("/") and image:
                self.post.warnings.append(f"image {target!r} was not found in the source; only its text is kept")
                return None
            return target
        kind, value = found
        if kind == "post":
            return _POST.format(value)
        if kind == "site":  # a page of the new site (a tag, a speaker)
            return value
        if value.suffix.lower() in _DOCUMENTS:  # a page of the old site that is not a post
            self.post.warnings.append(f"link {target!r} is to a page that was not imported; only its text is kept")
            return None
        fragment = "#" + urlsplit(target).fragment if urlsplit(target).fragment else ""
        return self._copy(value) + fragment

    def _copy(self, path: Path) -> str:
        if path in self.names:
            return self.names[path]
        name = re.sub(r"[^\w.-]+", "-", path.name).strip("-.") or "file"
        taken = set(self.names.values()) | {"index.md"}
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, "." + suffix) if dot and stem else (name, "")
        number = 2
        while name in taken:
            name = f"{stem}-{number}{suffix}"
            number += 1
        self.names[path] = name
        self.post.assets.append(Asset(path, name))
        return name

    def markdown(self, text: str) -> str:
        """``text`` with every link, image, reference definition and HTML src/href rewritten,
        except inside fenced code blocks."""
        out, fence = [], None
        for chunk in re.split(r"(\n)", text):
            match = _FENCE.match(chunk)
            if fence:
                if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence):
                    fence = None
                out.append(chunk)
                continue
            if match:
                fence = match.group(2)
                out.append(chunk)
                continue
            out.append(self._line(chunk))
        return "".join(out)

    def _line(self, line: str) -> str:
        def inline(m):
            raw = m.group(2)
            target = raw[1:-1] if raw.startswith("<") else raw
            new = self.target(target, image=m.group(1).startswith("!"))
            if new is None:  # keep the text (or the alt text) without the link
                return m.group(1)[2:-2] if m.group(1).startswith("!") else m.group(1)[1:-2]
            return m.group(1) + mdtext.link_target(new) + m.group(3)

        def reference(m):
            raw = m.group(2)
            new = self.target(raw[1:-1] if raw.startswith("<") else raw)
            return m.group(1) + mdtext.link_target(new or "#") + m.group(3)

        def attribute(m):
            new = self.target(m.group(3), image=m.group(1).lower().startswith("<img"))
            return m.group(1) + m.group(2) + (new or "") + m.group(2)
        line = _INLINE_LINK.sub(inline, line)
        line = _REFERENCE.sub(reference, line)
        return _HTML_ATTR.sub(attribute, line)


def resolve_file(target: str, folder: Path, roots: list[Path], top: Path) -> Path | None:
    """The file a link target names: relative to ``folder``, or from ``/`` in each of ``roots``;
    never a file outside ``top``."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    candidates = [root / path.lstrip("/") for root in roots] if path.startswith("/") else [folder / path]
    top = top.resolve()
    for candidate in candidates:
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):
            continue
        if real.is_file() and (real == top or top in real.parents):
            return real
    return None


def link_target(target: str, folder: Path, roots: list[Path], top: Path, keys: dict):
    """What a post's link points at: ``("post", key)`` for another post being imported (``keys``
    maps their files to keys), ``("file", path)`` for a file to copy beside the note, else None."""
    found = resolve_file(target, folder, roots, top)
    if found is None:
        return None
    for path, key in keys.items():
        if path.resolve() == found:
            return "post", key
    return "file", found


def to_note(post: Post) -> NoteItem:
    """The note for ``post``: tags and categories merged into tags, authors as speakers."""
    tags = text_list(post.tags) + [c for c in text_list(post.categories) if c not in text_list(post.tags)]
    fields = {"title": post.title, "event": BLOG_EVENT, "speakers": text_list(post.authors), "tags": tags,
              "summary": " ".join(post.summary.split()), "draft": post.draft or None,
              "updated": post.updated if post.updated and post.updated != post.date else None,
              "lang": post.lang}
    body = post.body

    def render(links) -> str:
        def linked(m):
            target = links(m.group(2))
            if target:
                return f"[{m.group(1)}]({target}{m.group(3)})"
            return m.group(1)  # a post that is not there (or a draft): the text alone
        text = _POST_LINK.sub(linked, body)
        return _POST_RE.sub(lambda m: links(m.group(1)) or "#", text)
    assets = "".join(f"{a.name}={digest(a.source.read_bytes()) if a.source.is_file() else ''};" for a in post.assets)
    return NoteItem(key=post.key, origin=post.origin, record=digest(VERSION, post.raw, assets),
                    slug=post.slug or post.title, date=post.date, fields=fields, body=render,
                    assets=list(post.assets), warnings=post.warnings, old_urls=post.old_urls)


def site_path(url: str) -> str | None:
    """An old URL as a site path: ``posts/x.html`` -> ``/posts/x.html``; a full URL's path."""
    if not url:
        return None
    if re.match(r"[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        path = urlsplit(url).path
    else:
        path = url.split("#")[0].split("?")[0]
    path = re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
    return posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "") if path != "/" else None
