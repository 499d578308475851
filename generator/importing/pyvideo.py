"""pyvideo/data: ``<event>/category.json`` and ``<event>/videos/*.json`` -> events and notes.

The record schema is pyvideo/data's ``.schemas/video.json``: ``title`` and ``videos`` are
required; ``recorded``, ``speakers``, ``tags``, ``language``, ``description``, ``summary``,
``related_urls``, ``slug`` and ``alias`` are read when present. See docs/import.md for the
mapping table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import CommandError
from ..model.slugs import slugify
from . import mdtext, rst
from .common import Batch, EventItem, NoteItem, digest, parse_date, problem, text_list
from .languages import bcp47

#: Changes whenever this importer writes its records differently (it is part of each record's digest).
VERSION = "1"

_SLIDES = re.compile(r"speakerdeck|slideshare|slides", re.IGNORECASE)


@dataclass
class _Json:
    data: object
    text: str

    def line(self, key: str) -> int | None:
        """The line of ``"key":`` in the file, for messages."""
        found = re.search(r'"%s"\s*:' % re.escape(key), self.text)
        return self.text.count("\n", 0, found.start()) + 1 if found else None


def _load(path: Path, shown: str, batch: Batch) -> _Json | None:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        batch.problems.append(problem(shown, f"cannot read the file: {exc.strerror or exc}"))
        return None
    except UnicodeDecodeError as exc:
        batch.problems.append(problem(shown, f"not valid UTF-8 (byte {raw[exc.start]:#04x})",
                                      raw.count(b"\n", 0, exc.start) + 1))
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        batch.problems.append(problem(shown, f"not valid JSON: {exc.msg}", exc.lineno, "check the file's syntax"))
        return None
    if not isinstance(data, dict):
        batch.problems.append(problem(shown, "expected a JSON object {...}", 1))
        return None
    return _Json(data, text)


def _events(path: Path) -> list[Path]:
    """The event folders: ``path`` itself if it is one, else its sub-folders that are."""
    def is_event(folder: Path) -> bool:
        return (folder / "category.json").is_file() or (folder / "videos").is_dir()
    if is_event(path):
        return [path]
    return [f for f in sorted(path.iterdir()) if f.is_dir() and not f.name.startswith(".") and is_event(f)]


def read(path: Path, shown: str, aliases: bool = False) -> Batch:
    """Every event and talk under ``path`` (``shown`` is how messages spell it)."""
    if not path.is_dir():
        raise CommandError(f"{shown} is not a folder", "give the pyvideo/data checkout or one event folder in it")
    batch = Batch("pyvideo")
    folders = _events(path)
    if not folders:
        raise CommandError(f"{shown} holds no pyvideo event (no <event>/category.json or <event>/videos/)",
                           "give the pyvideo/data checkout or one event folder in it")
    for folder in folders:
        _event(folder, f"{shown.rstrip('/')}/{folder.name}" if folder != path else shown.rstrip("/"), batch, aliases)
    return batch


def _event(folder: Path, shown: str, batch: Batch, aliases: bool) -> None:
    slug = slugify(folder.name)
    category = None
    if (folder / "category.json").is_file():
        category = _load(folder / "category.json", f"{shown}/category.json", batch)
    info = category.data if category else {}
    name = info.get("title") if isinstance(info.get("title"), str) and info.get("title").strip() else folder.name
    start = _category_date(info, ("start", "start_date"), category, shown, batch)
    end = _category_date(info, ("end", "end_date"), category, shown, batch)
    notes = []
    for video in sorted((folder / "videos").glob("*.json")) if (folder / "videos").is_dir() else []:
        note = _note(video, f"{shown}/videos/{video.name}", folder.name, slug, start, batch, aliases)
        if note:
            notes.append(note)
    dates = [n.date for n in notes]
    start = start or (min(dates) if dates else None)
    end = end or (max(dates) if dates else start)
    if start is None:
        if category is not None:
            batch.skipped.append((f"{shown}/category.json", "no dates: no start in it and no talk with a date"))
        return
    fields = {"name": " ".join(str(name).split()), "start": start, "end": max(end, start),
              "description": rst.to_plain(info.get("description") or "") if isinstance(info.get("description"), str) else ""}
    for key in ("location", "url"):
        if isinstance(info.get(key), str):
            fields[key] = info[key].strip()
    record = digest(VERSION, category.text if category else folder.name)
    batch.events.append(EventItem(f"pyvideo:{folder.name}/category.json", f"{shown}/category.json", record, slug, fields))
    batch.notes += notes


def _category_date(info: dict, keys: tuple, category: _Json | None, shown: str, batch: Batch):
    """A start or end date a category file may carry (pyvideo's schema has none; some forks do)."""
    for key in keys:
        if info.get(key):
            try:
                return parse_date(info[key])
            except ValueError:
                batch.problems.append(problem(f"{shown}/category.json", f"{key}: invalid date {info[key]!r}",
                                              category.line(key) if category else None, "use YYYY-MM-DD"))
    return None


def _note(path: Path, shown: str, event_folder: str, event_slug: str, fallback_date, batch: Batch,
          aliases: bool) -> NoteItem | None:
    loaded = _load(path, shown, batch)
    if loaded is None:
        return None
    record = loaded.data
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        batch.problems.append(problem(shown, "the record has no title", loaded.line("title") or 1,
                                      'every pyvideo record needs "title"'))
        return None
    title = " ".join(title.split())
    recorded = record.get("recorded")
    if recorded:
        try:
            date = parse_date(recorded)
        except ValueError:
            batch.problems.append(problem(shown, f"recorded: invalid date {recorded!r}", loaded.line("recorded"),
                                          "use YYYY-MM-DD"))
            return None
    elif fallback_date:
        date = fallback_date
    else:
        batch.problems.append(problem(shown, "the record has no recorded date, nor its event a start date",
                                      loaded.line("recorded") or 1, 'add "recorded": "YYYY-MM-DD"'))
        return None
    warnings = []
    videos = [v.get("url").strip() for v in record.get("videos") or [] if isinstance(v, dict) and isinstance(v.get("url"), str)]
    kinds = {v.get("url").strip(): v.get("type") or "" for v in record.get("videos") or []
             if isinstance(v, dict) and isinstance(v.get("url"), str)}
    followable = [u for u in dict.fromkeys(videos) if mdtext.is_followable(u)]
    for bad in [u for u in videos if u not in followable]:
        warnings.append(f"video {bad!r} is not a web address; left out")
    related = _related(record.get("related_urls"), warnings)
    slides = [(label, url) for label, url in related if _SLIDES.search(url) or _SLIDES.search(label)]
    links = [(f"Video ({kinds[u]})" if kinds.get(u) else "Video", u) for u in followable[1:]]
    links += slides[1:] + [item for item in related if item not in slides]
    source_url = record.get("source_url")
    if isinstance(source_url, str) and mdtext.is_followable(source_url.strip()) and source_url.strip() not in videos:
        links.append(("Source", source_url.strip()))
    description = record.get("description") if isinstance(record.get("description"), str) else ""
    summary = record.get("summary") if isinstance(record.get("summary"), str) else ""

    def complete(item: NoteItem) -> None:
        """The reST conversions: only for notes that are written (see NoteItem.complete)."""
        body = rst.to_markdown(description)
        if links:
            body += ("\n" if body else "") + "## Links\n\n" + "\n".join(
                "- " + mdtext.link(mdtext.escape(label).strip(), url) for label, url in links) + "\n"
        item.body = body
        item.fields["summary"] = rst.to_plain(summary) if summary.strip() != description.strip() else ""
    lang = bcp47(record.get("language"))
    if record.get("language") and not lang:
        warnings.append(f"language {record.get('language')!r} is not a known language; left out")
    fields = {"title": title, "event": event_slug, "speakers": text_list(record.get("speakers")),
              "tags": text_list(record.get("tags")),
              "slides": slides[0][1] if slides else None, "video": followable[0] if followable else None,
              "lang": lang}
    old = []
    if aliases:
        video_slug = record.get("slug") if isinstance(record.get("slug"), str) and record.get("slug") else path.stem
        old.append(f"/{event_folder}/{video_slug}.html")
        if isinstance(record.get("alias"), str) and record["alias"].strip("/"):
            old.append("/" + record["alias"].strip().strip("/") + "/")
    return NoteItem(key=f"pyvideo:{event_folder}/videos/{path.name}", origin=shown,
                    record=digest(VERSION, loaded.text, "aliases" if aliases else ""),
                    slug=title, date=date, fields=fields, warnings=warnings, old_urls=old,
                    alternate=event_slug, deferred=complete)


def _related(value, warnings: list) -> list[tuple[str, str]]:
    """``related_urls``: [{"label", "url"}] or plain strings -> [(label, url)] of web addresses."""
    found = []
    for item in value if isinstance(value, list) else []:
        url, label = (item, "") if isinstance(item, str) else (
            (item.get("url"), item.get("label") or "") if isinstance(item, dict) else (None, ""))
        if not isinstance(url, str) or not url.strip():
            continue
        url = url.strip()
        if not mdtext.is_followable(url):
            warnings.append(f"related URL {url!r} is not a web address; left out")
            continue
        if url not in [u for _, u in found]:
            found.append((str(label).strip() or url, url))
    return found
