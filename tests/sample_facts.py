"""Facts about the sample site read straight from its files with PyYAML, independently of the
generator, so end-to-end tests compare the built site against the source, not against itself."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import yaml


def _slug(text: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def read_notes(source: Path, today: dt.date) -> list[dict]:
    notes = []
    for path in sorted((source / "content" / "notes").iterdir()):
        file = path / "index.md" if path.is_dir() else path
        if file.suffix != ".md":
            continue
        text = file.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        stem = path.name if path.is_dir() else path.stem
        match = re.match(r"(\d{4}-\d{2}-\d{2})-(.*)", stem)
        date = meta.get("date") or dt.date.fromisoformat(match.group(1))
        if meta.get("draft") or date > today:
            continue
        notes.append({"slug": _slug(match.group(2) if match else stem), "title": meta["title"], "date": date,
                      "tags": meta.get("tags") or [], "speakers": meta.get("speakers") or [],
                      "event": meta.get("event")})
    notes.sort(key=lambda n: (n["date"], n["slug"]), reverse=True)
    return notes


def read_events(source: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((source / "content" / "events").glob("*.yaml"))}


def tag_counts(notes) -> Counter:
    return Counter(_slug(t) for n in notes for t in set(n["tags"]))


def month_counts(notes) -> dict[int, dict[int, int]]:
    years: dict[int, Counter] = defaultdict(Counter)
    for note in notes:
        years[note["date"].year][note["date"].month] += 1
    return years


slug = _slug
