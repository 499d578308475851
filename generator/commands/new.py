"""``talknotes new``: start a note with filled front matter and a body skeleton.

The front matter is written with ``yaml.safe_dump``, so any title (colons, quotes, ``#``,
``yes``, a bare number) reads back exactly as typed, and the note passes the build's validation.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from ..model.content import DATE_PREFIX
from ..model.errors import CommandError
from ..model.slugs import is_slug, slugify

SKELETON = """
## Key points


## Takeaways


## Links
"""

OPTIONAL_FIELDS = """\
# summary: One sentence shown in lists, feeds and search results.
# slides: https://example.org/slides
# video: https://www.youtube.com/watch?v=...
"""


class NewNoteError(CommandError):
    """The note cannot be written; ``hint`` says what to do instead."""


@dataclass(frozen=True)
class NewNote:
    """What to write: already validated values."""

    title: str
    date: dt.date
    event: str | None = None
    speakers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def parse_date(value: str) -> dt.date:
    from ..config import schema
    try:
        return schema.date(value)
    except schema.Invalid as exc:
        raise NewNoteError(f"--date: {exc.message}", exc.hint) from None


def split_tags(value: str | None) -> tuple[str, ...]:
    """``"django, performance,,"`` -> ``("django", "performance")``."""
    return tuple(dict.fromkeys(t.strip() for t in (value or "").split(",") if t.strip()))


def resolve_event(root: Path, value: str | None) -> str | None:
    """The event slug for ``--event``: a file in content/events/, or free text that is not a slug.

    A slug-like value must name an event file (with a "did you mean" hint); free text that matches
    an event's name exactly (ignoring case) is turned into that event's slug.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    events = _events(root)
    if value in events:
        return value
    by_name = {name.casefold(): slug for slug, name in events.items() if name}
    if value.casefold() in by_name:
        return by_name[value.casefold()]
    if not is_slug(value):
        return value  # free text such as "Blog post"
    close = difflib.get_close_matches(value, sorted(events), n=1)
    hint = (f"did you mean '{close[0]}'?" if close else
            f"add content/events/{value}.yaml first, or give the event's name as free text")
    raise NewNoteError(f"--event: unknown event '{value}'", hint)


def _events(root: Path) -> dict[str, str]:
    """Event slug -> name (empty when the file cannot be read)."""
    from ..model.content import load_event
    folder = root / "content" / "events"
    events = {}
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        event, _ = load_event(path, root)
        events[slugify(path.stem)] = event.name if event else ""
    return events


def _note_slugs(notes_dir: Path) -> dict[str, str]:
    """Slug -> file name of every existing note (the same naming rules as content.py)."""
    found = {}
    for entry in sorted(notes_dir.iterdir()) if notes_dir.is_dir() else []:
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and (entry / "index.md").is_file():
            raw = entry.name
        elif entry.is_file() and entry.suffix == ".md":
            raw = entry.stem
        else:
            continue
        prefix = DATE_PREFIX.fullmatch(raw)
        found.setdefault(slugify(prefix.group(2) if prefix else raw), entry.name)
    return found


def render_note(note: NewNote) -> str:
    """The file's text: front matter (YAML-safe) and the body skeleton."""
    fields: dict = {"title": note.title, "date": note.date, "event": note.event,
                    "speakers": list(note.speakers), "tags": list(note.tags)}
    front = "".join(f"{key}: {yaml_value(value)}\n" for key, value in fields.items() if value)
    return f"---\n{front}{OPTIONAL_FIELDS}---\n{SKELETON}"


def yaml_value(value) -> str:
    """One value as YAML on one line, quoted only when it must be (``'Django: 2'``, ``'yes'``)."""
    import yaml
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000)
    return text.removesuffix("\n...\n").rstrip("\n")


def create_note(root: Path, note: NewNote) -> Path:
    """Write ``content/notes/YYYY-MM-DD-<slug>.md``; never overwrites, never reuses a slug."""
    slug = slugify(note.title)
    if not slug:
        raise NewNoteError(f"the title {note.title!r} gives an empty slug", "use letters or digits in the title")
    notes_dir = root / "content" / "notes"
    path = notes_dir / f"{note.date.isoformat()}-{slug}.md"
    if path.exists():
        raise NewNoteError(f"{path.relative_to(root).as_posix()} already exists",
                           "edit that note, or give another title or --date")
    taken = _note_slugs(notes_dir).get(slug)
    if taken:
        raise NewNoteError(f"a note with the slug '{slug}' already exists: content/notes/{taken}",
                           "give the new note a more specific title")
    notes_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": fail if it exists
            handle.write(render_note(note))
    except FileExistsError:
        raise NewNoteError(f"{path.relative_to(root).as_posix()} already exists") from None
    return path


def run(args, source: Path) -> int:
    """The ``talknotes new`` command: write the note and print its path."""
    if not (source / "content").is_dir() and not (source / "talknotes.yaml").is_file():
        print(f"talknotes: {source} is not a site folder (no talknotes.yaml or content/)", file=sys.stderr)
        return 2
    from ..build import today_in
    from ..config.settings import load_config
    config, _ = load_config(source)  # a bad setting falls back to its default; build reports it
    try:
        title = " ".join(args.title.split())
        if not title:
            raise NewNoteError("the title is empty", 'give the talk\'s title, e.g. talknotes new "Import time"')
        today = today_in(config)
        date = parse_date(args.date) if args.date else today
        note = NewNote(title=title, date=date, event=resolve_event(source, args.event),
                       speakers=tuple(dict.fromkeys(s.strip() for s in args.speaker or () if s.strip())),
                       tags=split_tags(args.tags))
        path = create_note(source, note)
    except NewNoteError as exc:
        print(f"talknotes new: {exc}", file=sys.stderr)
        return 1
    if date > today:
        print(f"note: {date.isoformat()} is after today, so the note stays unpublished until then "
              "(set draft: true to keep talknotes check quiet)", file=sys.stderr)
    print(_shown(path))
    return 0


def _shown(path: Path) -> str:
    """The path relative to the current folder when it is below it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
