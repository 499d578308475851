"""From a :class:`~.common.Batch` to the files to write: names, front matter, and a status each.

Nothing is written here. Each file gets one status, compared with the manifest and the disk:

- ``imported``: new; ``updated``: written by an earlier import, unchanged since, and its new
  bytes differ; ``unchanged``: the same bytes again;
- ``skipped``: edited or deleted by hand since it was imported, or a file the import did not
  write (an event file of your own is kept, and the imported notes use it).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..config import schema as s
from ..model.content import DATE_PREFIX
from ..model.records import EVENT_SCHEMA, NOTE_SCHEMA
from ..model.slugs import slugify
from . import manifest as mf
from .common import Batch, EventItem, NoteItem, digest, problem, short_slug

# Front matter written in this order; anything else after them.
_ORDER = ("title", "date", "event", "speakers", "tags", "summary", "slides", "video", "image", "draft",
          "updated", "lang", "aliases")


@dataclass(eq=False)
class Action:
    """One file: where, what bytes, what happens to it and why."""

    path: str                  # relative to the site root
    role: str                  # "note", "event" or "file"
    origin: str                # the source file it comes from
    key: str
    record: str
    data: bytes | None
    status: str = ""           # imported, updated, unchanged, skipped
    why: str = ""
    warnings: list = field(default_factory=list)


@dataclass
class Plan:
    actions: list[Action]
    problems: list


def _existing_note_slugs(root: Path) -> dict[str, str]:
    """Slug -> path of every note already in the site (the loader's naming rules)."""
    found = {}
    notes = root / "content" / "notes"
    for entry in sorted(notes.iterdir()) if notes.is_dir() else []:
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and (entry / "index.md").is_file():
            raw, rel = entry.name, f"content/notes/{entry.name}/index.md"
        elif entry.is_file() and entry.suffix == ".md":
            raw, rel = entry.stem, f"content/notes/{entry.name}"
        else:
            continue
        prefix = DATE_PREFIX.fullmatch(raw)
        found.setdefault(slugify(prefix.group(2) if prefix else raw), rel)
    return found


def _slug_of(path: str) -> str:
    parts = path.split("/")
    raw = parts[-2] if parts[-1] == "index.md" else parts[-1].removesuffix(".md")
    prefix = DATE_PREFIX.fullmatch(raw)
    return slugify(prefix.group(2) if prefix else raw)


def _yaml(fields: dict) -> str:
    """One ``key: value`` line a field, lists in flow style, quoted only where YAML needs it."""
    import yaml

    def value(v) -> str:
        text = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=1_000_000)
        return text.removesuffix("\n...\n").rstrip("\n")
    return "".join(f"{key}: {value(v)}\n" for key, v in fields.items())


def _checked(fields: dict, schema: dict, warnings: list) -> dict:
    """``fields`` with every value the site's schema refuses dropped (and a warning for it)."""
    kept = {}
    for name, value in fields.items():
        if value in (None, "", [], ()):
            continue
        try:
            schema[name].convert(value)
        except s.Invalid as exc:
            if schema[name].required:
                raise
            warnings.append(f"{name}: {exc.message}; left out")
            continue
        kept[name] = value
    ordered = {k: kept[k] for k in _ORDER if k in kept}
    return {**ordered, **{k: v for k, v in kept.items() if k not in ordered}}


class Planner:
    """Names and renders one batch against the site and its manifest."""

    def __init__(self, root: Path, manifest: mf.Manifest, language: str = "en"):
        self.root, self.manifest, self.language = root, manifest, language
        self.owned = manifest.index()
        self.taken = _existing_note_slugs(root)
        self.problems: list = []
        self.gone_events: dict[str, str] = {}  # event slug -> name, for events that will not exist

    def plan(self, batch: Batch) -> Plan:
        actions = []
        for event in batch.events:
            action = self._event(event)
            actions.append(action)
            if action.status == "skipped" and not (self.root / action.path).is_file():
                self.gone_events[posixpath.basename(action.path).rsplit(".", 1)[0]] = event.fields.get("name", "")
        named = self._name_notes(batch.notes)
        self.drafts = {note.key for note in batch.notes if note.fields.get("draft")}
        for note in batch.notes:
            if note.key in named:
                actions += self._note(note, named)
        return Plan(actions, self.problems)

    # --- events ------------------------------------------------------------------------------

    def _event(self, event: EventItem) -> Action:
        path = self.owned.get((event.key, "event")) or f"content/events/{event.slug}.yaml"
        warnings = list(event.warnings)
        try:
            fields = _checked(event.fields, EVENT_SCHEMA, warnings)
        except s.Invalid as exc:
            self.problems.append(problem(event.origin, exc.message, hint=exc.hint))
            return Action(path, "event", event.origin, event.key, event.record, None, "skipped", "not readable")
        return self._status(Action(path, "event", event.origin, event.key, event.record,
                                   _yaml(fields).encode("utf-8"), warnings=warnings))

    # --- notes -------------------------------------------------------------------------------

    def _name_notes(self, notes: list[NoteItem]) -> dict[str, str]:
        """Record key -> note path: the path an earlier import gave it, else a free slug."""
        named = {}
        for note in notes:
            path = self.owned.get((note.key, "note"))
            if path:
                named[note.key] = path
                self.taken[_slug_of(path)] = path
        for note in notes:
            if note.key in named:
                continue
            base = short_slug(slugify(note.slug)) or short_slug(slugify(note.fields.get("title", ""))) or "note"
            candidates = [base] + ([f"{base}-{note.alternate}"] if note.alternate else [])
            slug = next((c for c in candidates if c not in self.taken), None)
            number = 2
            while slug is None:
                slug = f"{candidates[-1]}-{number}" if f"{candidates[-1]}-{number}" not in self.taken else None
                number += 1
            stem = f"content/notes/{note.date.isoformat()}-{slug}"
            path = f"{stem}/index.md" if note.assets else f"{stem}.md"
            self.taken[slug] = path
            named[note.key] = path
        return named

    def _note(self, note: NoteItem, named: dict[str, str]) -> list[Action]:
        path = named[note.key]
        # The record's digest, with what else shapes the note: the site's language, a vanished event.
        record = digest(note.record, self.language, "gone" if note.fields.get("event") in self.gone_events else "")
        intact = None if note.assets else self._intact(path, note.key, record, note.origin)
        if intact:
            return [intact]
        note.complete()
        folder = posixpath.dirname(path)
        warnings = list(note.warnings)
        bundle = path.endswith("/index.md")
        if note.assets and not bundle:
            warnings.append(f"{len(note.assets)} file(s) it links to were not copied: an earlier import "
                            "wrote it as a single file; move it into a folder as index.md to have them")

        def links(key: str) -> str | None:
            target = named.get(key)
            if target is None:
                warnings.append(f"a link to {key.split(':', 1)[-1]}, which was not imported, is kept as text")
                return None
            if key in self.drafts and not note.fields.get("draft"):
                warnings.append(f"a link to the draft {key.split(':', 1)[-1]} is kept as text "
                                "(a published note cannot link to a draft)")
                return None
            return posixpath.relpath(target, folder)

        fields = {"title": note.fields.get("title"), "date": note.date, **note.fields}
        new_url = f"/notes/{_slug_of(path)}/"
        aliases = []
        for alias in dict.fromkeys(note.old_urls):
            if alias.rstrip("/") == new_url.rstrip("/"):
                continue
            try:
                NOTE_SCHEMA["aliases"].convert([alias])
            except s.Invalid as exc:
                warnings.append(f"old URL {alias!r}: {exc.message}; no redirect for it")
                continue
            aliases.append(alias)
        if aliases:
            fields["aliases"] = aliases
        if fields.get("event") in self.gone_events:  # deleted by hand: name it in free text
            fields["event"] = self.gone_events[fields["event"]] or None
        lang = fields.get("lang")
        if lang and (lang == self.language or lang == self.language.split("-")[0]):
            del fields["lang"]
        try:
            fields = _checked(fields, NOTE_SCHEMA, warnings)
        except s.Invalid as exc:
            self.problems.append(problem(note.origin, f"title: {exc.message}", hint=exc.hint))
            return []
        body = s.CONTROL_CHARS.sub("", note.render_body(links)).strip()
        text = "---\n" + _yaml(fields) + "---\n" + ("\n" + body + "\n" if body else "")
        actions = [self._status(Action(path, "note", note.origin, note.key, record,
                                       text.encode("utf-8"), warnings=warnings))]
        if bundle:
            for asset in note.assets:
                try:
                    data = asset.source.read_bytes()
                except OSError as exc:
                    warnings.append(f"cannot read {asset.name}: {exc.strerror or exc}; not copied")
                    continue
                actions.append(self._status(Action(f"{folder}/{asset.name}", "file", note.origin, note.key,
                                                   digest(data), data)))
        return actions

    def _intact(self, path: str, key: str, record: str, origin: str) -> Action | None:
        """The action for a note whose record has not changed since it was written, decided
        without making the note again (None: it must be made)."""
        entry = self.manifest.files.get(path)
        if entry is None or entry.source != key or entry.record != record or entry.pending or not entry.written:
            return None
        target = self.root / path
        action = Action(path, "note", origin, key, record, None)
        try:
            action.data = target.read_bytes()
        except OSError:
            action.status, action.why = "skipped", "deleted by hand; not written again"
            return action
        if digest(action.data) == entry.written:
            action.status = "unchanged"
        else:
            action.status, action.why = "skipped", "edited by hand; kept as it is"
        return action

    # --- status ------------------------------------------------------------------------------

    def _status(self, action: Action) -> Action:
        entry = self.manifest.files.get(action.path)
        target = self.root / action.path
        try:
            current = target.read_bytes() if target.is_file() else None
        except OSError:
            current = None
        if entry is None or entry.source != action.key:
            if current is None and not target.exists():
                action.status = "imported"
            elif action.role == "event":
                action.status, action.why = "skipped", "an event file of the site's own; kept, and the notes use it"
            else:
                action.status, action.why = "skipped", "a file of the site's own is there; kept"
            return action
        if current is None:
            if entry.written is None:  # an interrupted import had not written it yet
                action.status = "imported"
            else:
                action.status, action.why = "skipped", "deleted by hand; not written again"
            return action
        if not entry.ours(digest(current)):
            action.status, action.why = "skipped", "edited by hand; kept as it is"
        elif current == action.data:
            action.status = "unchanged"
        else:
            action.status = "updated"
            action.why = "the record changed" if entry.record != action.record else "talknotes writes it differently now"
        return action

