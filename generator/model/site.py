"""The in-memory site: published notes in order, and the groupings readers browse by.

Pure data built from :class:`~generator.model.content.Content`; no I/O, no templates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from .content import Content, Event, Note, Page
from .slugs import legacy_slug, slugify


@dataclass(frozen=True)
class Group:
    """Notes sharing a tag, a speaker or an event: a list page of the site."""

    slug: str
    name: str
    notes: tuple[Note, ...]

    @property
    def count(self) -> int:
        return len(self.notes)


@dataclass(frozen=True)
class EventGroup(Group):
    event: Event | None = None


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    notes: tuple[Note, ...]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def count(self) -> int:
        return len(self.notes)


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]

    @property
    def count(self) -> int:
        return sum(len(m.notes) for m in self.months)


# What an index or the heading of a list page shows of a group, a month or a year: names and
# counts, not the notes. A page given these is unchanged when a note's body changes, so an
# edit re-renders the list pages the note is on, not every page of each of its lists.

@dataclass(frozen=True)
class Entry:
    """A tag, speaker or event as an index lists it; ``event`` only for events."""

    slug: str
    name: str
    count: int
    event: Event | None = None


@dataclass(frozen=True)
class MonthEntry:
    year: int
    month: int
    count: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@dataclass(frozen=True)
class YearEntry:
    year: int
    months: tuple[MonthEntry, ...]

    @property
    def count(self) -> int:
        return sum(m.count for m in self.months)


def entry(group: Group) -> Entry:
    """``group`` without its notes."""
    return Entry(group.slug, group.name, group.count, getattr(group, "event", None))


def month_entry(month: Month) -> MonthEntry:
    return MonthEntry(month.year, month.month, month.count)


def year_entry(year: Year) -> YearEntry:
    return YearEntry(year.year, tuple(map(month_entry, year.months)))


@dataclass(frozen=True)
class Neighbours:
    """A note's chronological neighbours and the notes related to it by shared tags."""

    older: Note | None
    newer: Note | None
    related: tuple[Note, ...]


@dataclass(frozen=True)
class Site:
    notes: tuple[Note, ...]              # published, newest first
    pages: tuple[Page, ...]
    tags: tuple[Group, ...]              # by name
    speakers: tuple[Group, ...]          # by name
    events: tuple[EventGroup, ...]       # event files, newest first
    years: tuple[Year, ...]              # newest first; months newest first
    neighbours: dict                     # note slug -> Neighbours
    tag_slugs: dict                      # tag name as written -> slug
    speaker_slugs: dict                  # speaker name -> slug
    event_by_slug: dict                  # event slug -> Event
    moved: tuple = ()                    # (endpoint, talknotes 0.1 slug, slug now), see moved_slugs

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(m for y in self.years for m in y.months)


def is_published(note: Note, today: dt.date, include_drafts: bool) -> bool:
    """Drafts and notes dated after ``today`` appear only in a ``--drafts`` build."""
    return include_drafts or (not note.draft and note.date <= today)


def _newest_first(notes) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=lambda n: (n.date, n.slug), reverse=True))


def _groups(notes, names_of) -> tuple[tuple[Group, ...], dict]:
    """Group notes by each name ``names_of(note)`` gives; names that slug alike merge."""
    members: dict[str, dict[str, Note]] = defaultdict(dict)  # slug -> note slug -> note, in order
    spelling: dict[str, Counter] = defaultdict(Counter)
    slug_of: dict[str, str] = {}
    for note in notes:
        for name in names_of(note):
            slug = slug_of.get(name) or slug_of.setdefault(name, slugify(name))
            spelling[slug][name] += 1
            members[slug].setdefault(note.slug, note)
    # The display name is the most used spelling; ties go to the first in sort order.
    names = {slug: min(counts, key=lambda n: (-counts[n], n)) for slug, counts in spelling.items()}
    groups = [Group(slug, names[slug], _newest_first(members[slug].values())) for slug in members]
    return tuple(sorted(groups, key=lambda g: (g.name.casefold(), g.slug))), slug_of


def moved_slugs(kinds) -> tuple[tuple[str, str, str], ...]:
    """(endpoint, old slug, new slug) for every name whose talknotes 0.1 slug differs from its
    slug now, so that the old URL can redirect (see netlify.py).

    ``kinds`` maps an endpoint (``note``, ``tag``, …) to its (0.1 slug, slug) pairs. An old slug
    that is still a slug of the same kind is a page of the new site, so it is left out.
    """
    moved = set()
    for endpoint, pairs in kinds.items():
        current = {new for _, new in pairs}
        moved |= {(endpoint, old, new) for old, new in pairs if old and old != new and old not in current}
    return tuple(sorted(moved))


def _all_related(notes, tag_slugs, limit, memo=None) -> dict[str, tuple[Note, ...]]:
    """Related notes of every note. They depend only on slugs, dates and tags, so ``memo(key,
    compute)`` can keep the answer across builds (an edit rarely changes any of those)."""
    by_slug = {n.slug: n for n in notes}

    def compute() -> dict[str, list[str]]:
        from .related import RelatedNotes
        index = RelatedNotes(notes, lambda note: {tag_slugs[t] for t in note.tags})
        return {n.slug: [o.slug for o in index.related(i, limit)] for i, n in enumerate(notes)}

    if memo is None:
        slugs = compute()
    else:
        signature = repr((limit, [(n.slug, n.date.isoformat(), n.tags) for n in notes]))
        slugs = memo(hashlib.blake2b(signature.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(),
                     compute)
        if not (isinstance(slugs, dict) and all(isinstance(slugs.get(n.slug), list) and by_slug.keys() >= set(slugs[n.slug])
                                                for n in notes)):
            slugs = compute()  # a damaged cache entry
    return {n.slug: tuple(by_slug[o] for o in slugs[n.slug]) for n in notes}


def build_site(content: Content, today: dt.date, include_drafts: bool = False,
               related_limit: int = 4, memo=None) -> Site:
    """Arrange the loaded content into what the site's pages show.

    ``memo(key, compute)``, when given, remembers the related notes (the costly part) by a
    digest of what they depend on, e.g. in the build cache.
    """
    notes = _newest_first(n for n in content.notes if is_published(n, today, include_drafts))
    tags, tag_slugs = _groups(notes, lambda n: n.tags)
    speakers, speaker_slugs = _groups(notes, lambda n: n.speakers)

    event_by_slug = {e.slug: e for e in content.events}
    by_event: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        if note.event:
            by_event[note.event].append(note)
    events = tuple(EventGroup(e.slug, e.name, tuple(by_event[e.slug]), e)
                   for e in sorted(content.events, key=lambda e: (e.start, e.slug), reverse=True))

    by_month: dict[tuple[int, int], list[Note]] = defaultdict(list)
    for note in notes:
        by_month[(note.date.year, note.date.month)].append(note)
    years = []
    for year in sorted({y for y, _ in by_month}, reverse=True):
        months = tuple(Month(year, m, tuple(by_month[(year, m)]))
                       for m in sorted((m for y, m in by_month if y == year), reverse=True))
        years.append(Year(year, months))

    related = _all_related(notes, tag_slugs, related_limit, memo)
    neighbours = {}
    for index, note in enumerate(notes):
        neighbours[note.slug] = Neighbours(
            older=notes[index + 1] if index + 1 < len(notes) else None,
            newer=notes[index - 1] if index > 0 else None,
            related=related[note.slug])

    pages = tuple(sorted(content.pages, key=lambda p: p.slug))
    moved = moved_slugs({
        "note": [(n.legacy_slug, n.slug) for n in notes],
        "event": [(e.legacy_slug, e.slug) for e in content.events],
        "page": [(p.legacy_slug, p.slug) for p in pages],
        # An ASCII name slugs as it did in 0.1: only the others can have moved.
        "speaker": [(legacy_slug(name), slug) for name, slug in speaker_slugs.items() if not name.isascii()],
        "tag": [(legacy_slug(name), slug) for name, slug in tag_slugs.items() if not name.isascii()],
    })
    return Site(notes, pages, tags, speakers, events, tuple(years), neighbours,
                tag_slugs, speaker_slugs, event_by_slug, moved)
