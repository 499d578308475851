"""What arranges a published site, remembered between builds, so that a build after edits to
notes' text fingerprints only the pages that show those notes.

An edit that leaves a note's arranging fields alone (:data:`~generator.model.swap.ARRANGING`:
slug, date, tags, speakers, event, images...) changes the pages showing that note and nothing
else: the lists, their order, the URLs and every other note's HTML stay as they were. The dev
server keeps its site in memory for that (generator/commands/live.py); a new ``talknotes build``
process has only the store, so this module keeps there, after each published build:

* the **frame**: a digest of every input but the notes' files (settings, theme, events, pages,
  images, the date, the toolchain) and of the set of published notes;
* each published note's file digest and a digest of its arrangement (its arranging fields and
  the images its Markdown shows).

The next build compares: same frame, same notes, and every note whose file changed still
arranged as before gives the set of changed notes, and each page that shows none of them is the
very file published last time (:meth:`~generator.render.pages.PageRenderer.render_all` keeps it
without computing its fingerprint). Anything else answers None, and every page is fingerprinted
as usual. tests/incremental/test_archive_scale.py checks builds against clean ones after random
edits of every kind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from ..markdown.rendered import document_key
from ..model.content import Note
from ..model.swap import ARRANGING

_KEY = "build:arrangement:"  # + the output folder; under build: so that serve's builds never prune it


def _h(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def frame_digest(entries: list[tuple[str, str]], root: str, notes, published) -> str:
    """The frame of a build: the settings, options, date and toolchain and every input file with
    its digest (``entries``, from :func:`generator.build.input_signature`) but the files of the
    ``notes`` (every note loaded, drafts too), and which notes are ``published``."""
    import os
    note_files = {os.path.join(root, note.path) for note in notes}
    digest = hashlib.blake2b(digest_size=20)
    for path, found in entries:
        if path not in note_files:
            digest.update(f"{path}\0{found}\n".encode("utf-8", "surrogateescape"))
    digest.update("\n".join(sorted(note.path for note in published)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def note_arrangement(note, rendered) -> str:
    """A digest of what a note contributes to the site's arrangement."""
    images = tuple(dep for dep in rendered.deps if dep[0] == "image") if rendered is not None else None
    return _h(repr((tuple(getattr(note, name) for name in ARRANGING), images)))


@dataclasses.dataclass
class Arrangement:
    """One published build's frame and notes (path -> [file digest, arrangement digest])."""

    frame: str
    notes: dict

    def changed_notes(self, frame: str, site_notes, digests: dict, documents: dict) -> set[str] | None:
        """The paths of the published notes whose files changed since this build, when nothing
        else did and each is arranged as before; None when the site may be arranged otherwise."""
        if frame != self.frame or len(site_notes) != len(self.notes):
            return None
        changed = set()
        for note in site_notes:
            known = self.notes.get(note.path)
            if known is None or digests.get(note.path) is None:
                return None
            if digests.get(note.path) != known[0]:
                rendered = documents.get(document_key("note", note.slug))
                if rendered is None or note_arrangement(note, rendered) != known[1]:
                    return None
                changed.add(note.path)
        return changed

    def after(self, frame: str, site_notes, digests: dict, documents: dict, changed: set[str] | None) -> "Arrangement":
        """The arrangement of the build that followed this one (``changed`` as it found)."""
        if changed is None or frame != self.frame:
            return of_site(frame, site_notes, digests, documents)
        notes = dict(self.notes)
        for note in site_notes:
            if note.path in changed:
                notes[note.path] = [digests.get(note.path), self.notes[note.path][1]]
        return Arrangement(frame, notes)


def of_site(frame: str, site_notes, digests: dict, documents: dict) -> Arrangement:
    """The arrangement of a build from scratch (a pass over every note, once per full build)."""
    return Arrangement(frame, {note.path: [digests.get(note.path),
                                           note_arrangement(note, documents.get(document_key("note", note.slug)))]
                               for note in site_notes})


def load_arrangement(cache, output) -> Arrangement | None:
    """The arrangement of the last build published into ``output``, if the store has it."""
    value = cache.recall(_KEY + str(output.resolve()))
    if not isinstance(value, dict) or "frame" not in value or "notes" not in value:
        return None
    return Arrangement(value["frame"], value["notes"])


def save_arrangement(cache, output, arrangement: Arrangement) -> None:
    """Remember ``arrangement`` as that of the site now published into ``output``."""
    cache.keep(_KEY + str(output.resolve()), {"frame": arrangement.frame, "notes": arrangement.notes})


_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})
_FIELDS: dict[type, tuple[str, ...]] = {}


class Shows:
    """Whether a page's context shows any of some notes: a walk of its values (records, tuples,
    dataclasses, dicts), each tuple and dataclass walked once per build however many pages hold it."""

    def __init__(self, paths: set[str]):
        self.paths = paths
        self._known: dict[int, tuple[object, bool]] = {}
        self._site: dict[str, bool] = {}

    def site_attr(self, site, name: str) -> bool:
        """Whether ``site.<name>`` (which a page's templates read) holds any of the notes."""
        if name not in self._site:
            self._site[name] = self.any(getattr(site, name, None))
        return self._site[name]

    def any(self, value) -> bool:
        kind = type(value)
        if kind is Note:
            return value.path in self.paths
        if kind in _PLAIN:
            return False
        if kind is tuple or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            known = self._known.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            if kind is tuple:
                items = value
            else:
                names = _FIELDS.get(kind)
                if names is None:
                    names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
                items = [getattr(value, name) for name in names]
            found = self._any_of(items)
            self._known[id(value)] = (value, found)
            return found
        if isinstance(value, dict):
            return self._any_of(value.values())
        if isinstance(value, (list, set, frozenset)):
            return self._any_of(value)
        return False

    def _any_of(self, items) -> bool:
        paths = self.paths
        for item in items:  # the common items inline: notes and plain values
            kind = type(item)
            if kind is Note:
                if item.path in paths:
                    return True
            elif kind not in _PLAIN and self.any(item):
                return True
        return False
