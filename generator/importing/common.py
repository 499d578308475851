"""What every importer hands over: notes, events and files to write, and the problems found.

An importer reads its source and returns a :class:`Batch`; it writes nothing. The planner
(:mod:`.plan`) names the files, compares them with the manifest and the site, and the stager
(:mod:`.staging`) writes them. Each item carries the digest of the source record it came from,
so a later import can say why a note changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model.errors import Problem

#: The free-text event of a note imported from a blog (notes need not belong to an event).
BLOG_EVENT = "Blog post"

#: Slugs longer than this are cut at a word boundary (file names stay well under 255 bytes).
MAX_SLUG = 80


def digest(*parts: bytes | str) -> str:
    """A short, stable digest of ``parts`` (128 bits of SHA-256, hex)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


def short_slug(slug: str) -> str:
    """``slug`` cut to at most :data:`MAX_SLUG` characters, at a hyphen where there is one."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG]
    return cut.rsplit("-", 1)[0] if "-" in cut[MAX_SLUG // 2:] else cut


@dataclass(frozen=True)
class Asset:
    """A file copied beside its note: the source file and its name in the note's bundle."""

    source: Path
    name: str


#: Resolves another imported record's key to a link from this note's folder (or None).
NoteLinks = Callable[[str], "str | None"]


@dataclass
class NoteItem:
    """One note to write: its front matter (values as YAML will write them) and its body."""

    key: str                       # "<source kind>:<path in the source>", stable across imports
    origin: str                    # the source file, as shown in messages
    record: str                    # digest of the source record (and the options that shaped it)
    slug: str                      # the preferred slug; the planner makes it unique
    date: dt.date
    fields: dict                   # front matter without date (title first)
    body: str | Callable[[NoteLinks], str] = ""
    assets: list[Asset] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    old_urls: list[str] = field(default_factory=list)  # aliases, before the new URL is known
    alternate: str = ""            # a suffix that tells two same-titled notes apart (the event)
    # Fills in what is slow to make (reST conversions): the planner calls it through complete()
    # only for a note it writes, so importing an unchanged archive again converts nothing.
    deferred: Callable[["NoteItem"], None] | None = None

    def complete(self) -> None:
        if self.deferred is not None:
            deferred, self.deferred = self.deferred, None
            deferred(self)

    def render_body(self, links: NoteLinks) -> str:
        return self.body(links) if callable(self.body) else self.body


@dataclass
class EventItem:
    """One event file to write (``content/events/<slug>.yaml``)."""

    key: str
    origin: str
    record: str
    slug: str
    fields: dict                   # name, start, end, description, ...
    warnings: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """What an importer read: items in a stable order, and the records it could not read."""

    source: str                    # "pyvideo", "pelican", "hugo", "jekyll"
    events: list[EventItem] = field(default_factory=list)
    notes: list[NoteItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source file, why)


def problem(origin: str, message: str, line: int | None = None, hint: str | None = None) -> Problem:
    return Problem(origin, line, None, message, hint)


_DATE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s_]|-\D)")


def parse_date(value) -> dt.date:
    """A date from a record: a date, a datetime, or text starting ``YYYY-MM-DD`` (a time after
    it is ignored: ``2019-05-04T13:55:00``, ``2010-10-03 10:20``). Raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE.match(value + " ")
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise ValueError(f"invalid date {value!r}: no such day") from None
    raise ValueError(f"invalid date {value!r}")


def text_list(value, separator: str = ",") -> list[str]:
    """A list of names from a list or from ``separator``-separated text, stripped, without repeats."""
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        text = str(value)
        if separator == "," and ";" in text:  # Pelican: semicolons win when there are any
            separator = ";"
        value = text.split(separator) if separator != " " else text.split()
    if not isinstance(value, (list, tuple)):
        return []
    names = []
    for item in value:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            name = " ".join(str(item).split()).strip(",; ")
            if name and name not in names:
                names.append(name)
    return names
