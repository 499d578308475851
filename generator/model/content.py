"""Discovery and validation of content: notes, events and pages read into the immutable
records of generator/model/records.py.

Layout:
  content/notes/<slug>.md, content/notes/YYYY-MM-DD-<slug>.md or content/notes/<slug>/index.md
  content/events/<slug>.yaml
  content/pages/<slug>.md
Every problem found is collected; nothing here raises for bad input.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import scan
from ..config import schema as s
from .errors import Problem, relative
from ..incremental.filedigests import read_digest
from .records import EVENT_SCHEMA, NOTE_SCHEMA, PAGE_SCHEMA, Content, Event, Note, Page
from .scan import leads_outside
from .slugs import is_slug, legacy_slug, slugify
from ..config.yamlfile import load_mapping

DATE_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)")

# Notes, pages and event files larger than this are refused unread: Markdown takes about two
# seconds a megabyte, so a runaway file (a pasted log, a 50 MB dump) cannot stall a build.
MAX_FILE_BYTES = 1_000_000


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file (BOM and CRLF tolerated); invalid bytes are reported with their line.

    Files over :data:`MAX_FILE_BYTES` and unreadable ones are problems, never exceptions.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(rel, None, None, f"file is {size / 1e6:.1f} MB, over the limit of "
                                  f"{MAX_FILE_BYTES / 1e6:g} MB for a note, page or event",
                                  "split it, or move data and logs into an attachment")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, None, None, f"cannot read the file: {exc.strerror or exc}",
                              "make it a readable file")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(rel, line, None, f"not valid UTF-8 (byte {data[exc.start]:#04x})",
                              "save the file as UTF-8")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = s.CONTROL_CHARS.search(text)
    if bad:  # it would make the Atom feed unreadable
        return None, [Problem(rel, text.count("\n", 0, bad.start()) + 1, None,
                              f"contains the control character {s.control_char(bad.group())}",
                              "remove it; save the file as plain UTF-8 text")]
    return text, []


def split_front_matter(text: str, rel: str):
    """Split ``---``-fenced YAML front matter from the body.

    Returns (yaml_text, body, body_line, problems); yaml starts on line 2.
    """
    if not text.startswith("---\n") and text.strip() != "---":
        return None, text, 1, [Problem(rel, 1, None, "missing front matter",
                                       "start the file with a line '---', the fields, then '---'")]
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2, []
    return None, "", 1, [Problem(rel, 1, None, "front matter is never closed",
                                 "add a line '---' after the last field")]


@dataclass
class _Document:
    rel: str
    values: dict | None = None
    lines: dict = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.values is not None and not any(p.is_error for p in self.problems)


def _read_document(path: Path, root: Path, schema_) -> _Document:
    """Read a Markdown file with front matter and validate the front matter against a schema."""
    doc = _Document(relative(path, root))
    text, doc.problems = read_text(path, doc.rel)
    if text is None:
        return doc
    yaml_text, doc.body, doc.body_line, doc.problems = split_front_matter(text, doc.rel)
    if yaml_text is None:
        return doc
    mapping = load_mapping(yaml_text, doc.rel, first_line=2)
    if mapping.problems and not mapping.data:  # unreadable YAML: field checks would only add noise
        doc.problems += mapping.problems
        return doc
    doc.values, schema_problems = s.validate(mapping, schema_, doc.rel, first_line=1)
    doc.lines = dict(mapping.lines)
    doc.problems += mapping.problems + schema_problems
    return doc


def refused_entries(content_dir: Path, root: Path) -> list[Problem]:
    """Symbolic links in ``content/`` that lead out of it (linked folders are not entered), and
    names that are not UTF-8 (they could be neither published nor printed)."""
    problems = []
    for rel, entry in scan.walk(content_dir):
        name = entry.name
        if not name.isprintable() and any("\udc80" <= c <= "\udcff" for c in name):
            problems.append(Problem(relative(Path(entry.path), root), None, None, "file name is not valid UTF-8",
                                    "rename it with UTF-8 letters, digits and hyphens"))
        elif not name.startswith(".") and leads_outside(entry, content_dir):  # editors' .#locks
            problems.append(Problem(relative(Path(entry.path), root), None, None,
                                    "symbolic link leads outside content/; it is not followed",
                                    "copy the file into content/ instead of linking to it"))
    return problems


def _note_files(notes_dir: Path) -> list[tuple[Path, str, Path]]:
    """(file, raw slug, folder) for every note, in a stable order."""
    found = []
    content_dir = notes_dir.parent
    for entry in scan.entries(notes_dir):
        if entry.name.startswith((".", "_")) or leads_outside(entry, content_dir):
            continue
        path = Path(entry.path)
        if entry.is_dir():
            index = path / "index.md"
            if index.is_file() and not leads_outside(index, content_dir):
                found.append((index, entry.name, path))
        elif entry.name.endswith(".md") and entry.is_file():
            found.append((path, path.stem, notes_dir))
    return found


def load_note(path: Path, raw_slug: str, folder: Path, root: Path) -> tuple[Note | None, list[Problem]]:
    """Read and validate one note file."""
    doc = _read_document(path, root, NOTE_SCHEMA)
    rel, values, problems = doc.rel, doc.values, doc.problems
    if values is None:
        return None, problems
    prefix = DATE_PREFIX.fullmatch(raw_slug)
    slug_source = prefix.group(2) if prefix else raw_slug
    date = values.get("date")
    if date is None and prefix:
        try:
            date = dt.date.fromisoformat(prefix.group(1))
        except ValueError:
            problems.append(Problem(rel, None, "date", f"file name date {prefix.group(1)} does not exist",
                                    "rename the file with a real YYYY-MM-DD date"))
    if date is None and "date" not in doc.lines and not prefix:
        problems.append(Problem(rel, 1, "date", "required field is missing",
                                "add date: YYYY-MM-DD, or start the file name with YYYY-MM-DD-"))
    slug = slugify(slug_source)
    if not slug:
        problems.append(Problem(rel, None, None, "the file name gives an empty slug",
                                "name the file with letters or digits, e.g. my-talk.md"))
    if any(p.is_error for p in problems):
        return None, problems
    event = values.pop("event")
    note = Note(slug=slug, path=rel, folder=folder, date=date, body=doc.body, body_line=doc.body_line,
                event=event if event and is_slug(event) else None,
                event_text=None if event and is_slug(event) else event,
                lines=doc.lines, legacy_slug=legacy_slug(slug_source),
                **{k: v for k, v in values.items() if k != "date"})
    return note, problems


def _load_note_cached(path, raw_slug, folder, root, cache, digest_of=None):
    """(note, problems, digest of the file's bytes or None)."""
    if cache is None:
        return (*load_note(path, raw_slug, folder, root), None)
    try:
        stat = os.stat(path)
        if stat.st_size > MAX_FILE_BYTES:  # refused unread by load_note
            return (*load_note(path, raw_slug, folder, root), None)
        digest = digest_of(path, stat) if digest_of else read_digest(path)
    except OSError:
        return (*load_note(path, raw_slug, folder, root), None)
    hit = cache.get(str(path))
    if hit and hit[0] == digest:
        return hit[1], list(hit[2]), digest
    note, problems = load_note(path, raw_slug, folder, root)
    cache[str(path)] = (digest, note, tuple(problems))
    return note, problems, digest


def reload_note(path: Path, root: Path, cache=None, digest_of=None):
    """(note, problems, digest) of one note file, read exactly as :func:`load_content` reads it:
    for the dev server, which reads again only the notes an edit touched."""
    notes_dir = root / "content" / "notes"
    if path.name == "index.md" and path.parent.parent == notes_dir:
        raw_slug, folder = path.parent.name, path.parent  # a bundle: the folder names the note
    else:
        raw_slug, folder = path.stem, notes_dir
    return _load_note_cached(path, raw_slug, folder, root, cache, digest_of)


def load_event(path: Path, root: Path) -> tuple[Event | None, list[Problem]]:
    rel = relative(path, root)
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    mapping = load_mapping(text, rel)
    values, schema_problems = s.validate(mapping, EVENT_SCHEMA, rel)
    problems += mapping.problems + schema_problems
    if values.get("start") and values.get("end") and values["end"] < values["start"]:
        problems.append(Problem(rel, mapping.line("end"), "end", "ends before it starts",
                                f"start is {values['start']}"))
    slug = slugify(path.stem)
    if any(p.is_error for p in problems):
        return None, problems
    values["end"] = values["end"] or values["start"]
    return Event(slug=slug, path=rel, legacy_slug=legacy_slug(path.stem), **values), problems


def load_page(path: Path, root: Path) -> tuple[Page | None, list[Problem]]:
    doc = _read_document(path, root, PAGE_SCHEMA)
    if not doc.ok:
        return None, doc.problems
    return Page(slug=slugify(path.stem), path=doc.rel, folder=path.parent, body=doc.body,
                body_line=doc.body_line, legacy_slug=legacy_slug(path.stem), **doc.values), doc.problems


def load_content(root: Path, cache: dict | None = None, digest_of=None) -> Content:
    """Load every note, event and page under ``root/content`` and cross-check them.

    ``cache`` (file path -> (bytes digest, note, problems)) skips parsing unchanged notes;
    ``digest_of(path, stat)`` gives a file's bytes digest (see :mod:`generator.incremental.filedigests`).
    """
    content_dir = root / "content"
    notes, events, pages, problems, failed, digests = [], [], [], [], set(), {}
    for path, raw_slug, folder in _note_files(content_dir / "notes"):
        note, found, digest = _load_note_cached(path, raw_slug, folder, root, cache, digest_of)
        problems += found
        if note:
            notes.append(note)
            if digest is not None:
                digests[note.path] = digest
        else:
            failed.add(relative(path, content_dir))
    events_dir = content_dir / "events"
    for path in sorted(events_dir.glob("*.y*ml")) if events_dir.is_dir() else []:
        if leads_outside(path, content_dir):
            continue
        event, found = load_event(path, root)
        problems += found
        if event:
            events.append(event)
    pages_dir = content_dir / "pages"
    for path in sorted(pages_dir.glob("*.md")) if pages_dir.is_dir() else []:
        if leads_outside(path, content_dir):
            continue
        page, found = load_page(path, root)
        problems += found
        if page:
            pages.append(page)
        else:
            failed.add(relative(path, content_dir))
    problems += _duplicates(notes, "note") + _duplicates(events, "event") + _duplicates(pages, "page")
    problems += refused_entries(content_dir, root) if content_dir.is_dir() else []
    problems += _unknown_events(notes, events)
    return Content(tuple(notes), tuple(events), tuple(pages), tuple(problems), frozenset(failed), digests)


def _duplicates(records, kind: str) -> list[Problem]:
    """Two files whose slugs fold to the same URL (``Café.md`` and ``cafe.md``, ``Жук.md`` and
    ``zhuk.md``): an error naming both files."""
    first: dict[str, str] = {}
    problems = []
    for record in records:
        if record.slug in first:
            problems.append(Problem(record.path, None, None,
                                    f"duplicate {kind} slug '{record.slug}', also used by {first[record.slug]}",
                                    "rename one of the files"))
        else:
            first[record.slug] = record.path
    return problems


def _unknown_events(notes, events) -> list[Problem]:
    import difflib
    known = {event.slug for event in events}
    problems = []
    for note in notes:
        if note.event and note.event not in known:
            renamed = [e.slug for e in events if e.legacy_slug == note.event]  # a 0.1 slug
            close = renamed or difflib.get_close_matches(note.event, sorted(known), n=1)
            hint = (f"did you mean '{close[0]}'?" if close else
                    f"add content/events/{note.event}.yaml, or write the event's name as free text")
            problems.append(Problem(note.path, note.lines.get("event"), "event",
                                    f"unknown event '{note.event}'", hint))
    return problems
