"""The content records: a note, an event, a page, and the whole content, as immutable values,
with the front-matter schema each is validated against (generator/config/schema.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import schema as s
from .errors import Problem


@dataclass(frozen=True)
class Note:
    """A talk note: front matter fields plus the Markdown body."""

    slug: str
    path: str                 # relative to the site root, for messages
    folder: Path              # where relative links and images are resolved
    title: str
    date: dt.date
    body: str
    body_line: int            # line of the body's first line in the file
    event: str | None = None  # an event slug when it names one, else None
    event_text: str | None = None  # free-text event name
    speakers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    slides: str | None = None
    video: str | None = None
    image: str | None = None
    draft: bool = False
    updated: dt.date | None = None
    aliases: tuple[str, ...] = ()
    lang: str | None = None
    lines: dict = field(default_factory=dict, compare=False, hash=False)
    legacy_slug: str = ""     # the slug talknotes 0.1 gave the file name, redirected to this one


@dataclass(frozen=True)
class Event:
    """A conference or meetup that notes belong to."""

    slug: str
    path: str
    name: str
    start: dt.date
    end: dt.date
    location: str = ""
    url: str | None = None
    description: str = ""
    legacy_slug: str = ""


@dataclass(frozen=True)
class Page:
    """A standalone page such as About."""

    slug: str
    path: str
    folder: Path
    title: str
    body: str
    body_line: int
    summary: str = ""
    lang: str | None = None
    legacy_slug: str = ""


@dataclass(frozen=True)
class Content:
    notes: tuple[Note, ...]
    events: tuple[Event, ...]
    pages: tuple[Page, ...]
    problems: tuple[Problem, ...]
    failed: frozenset[str] = frozenset()  # documents that exist but could not be loaded
    # Record path -> digest of the file's bytes, where known: a record is a function of its
    # file, so this identifies it without looking at its fields (see fingerprint.py).
    digests: dict = field(default_factory=dict, compare=False, repr=False)


def _alias(value) -> tuple[str, ...]:
    aliases = s.text_list(value)
    for alias in aliases:
        if not alias.startswith("/") or ".." in alias.split("/") or "//" in alias or re.search(r"[\s<>\"'?#\\]", alias):
            raise s.Invalid(f"alias {alias!r} is not a site path",
                            "write the old path from the site root, e.g. /notes/old-slug/")
    return aliases


def _image_ref(value) -> str:
    value = s.text(value)
    if re.match(r"[a-z][a-z0-9+.-]*:", value, re.IGNORECASE) or value.startswith("/"):
        raise s.Invalid(f"image must be a file beside the note or in content/images: {value!r}",
                        "write a relative path such as cover.jpg")
    return value


NOTE_SCHEMA = {
    "title": s.Field(s.text, required=True, doc="give the talk's title, e.g. title: Import time in Django"),
    "date": s.Field(s.date, doc="the talk's date, YYYY-MM-DD"),
    "event": s.Field(s.text, doc="an event slug from content/events/ or free text"),
    "speakers": s.Field(s.text_list, default=()),
    "tags": s.Field(s.text_list, default=()),
    "summary": s.Field(s.text, default=""),
    "slides": s.Field(s.url),
    "video": s.Field(s.url),
    "image": s.Field(_image_ref),
    "draft": s.Field(s.boolean, default=False),
    "updated": s.Field(s.date),
    "aliases": s.Field(_alias, default=()),
    "lang": s.Field(s.language_tag),
}

EVENT_SCHEMA = {
    "name": s.Field(s.text, required=True, doc="the event's name, e.g. name: EuroPython 2011"),
    "start": s.Field(s.date, required=True, doc="first day, YYYY-MM-DD"),
    "end": s.Field(s.date, doc="last day, YYYY-MM-DD (defaults to start)"),
    "location": s.Field(s.text, default=""),
    "url": s.Field(s.url),
    "description": s.Field(s.text, default=""),
}

PAGE_SCHEMA = {
    "title": s.Field(s.text, required=True, doc="the page title"),
    "summary": s.Field(s.text, default=""),
    "lang": s.Field(s.language_tag),
}
