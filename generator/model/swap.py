"""New records in place of old ones, in a site and its route table, touching only what holds them.

An edit to a note's text leaves the site's arrangement as it was (the same lists, in the same
order), so the site after the edit is the site before it with the new :class:`Note` where the old
one was. :class:`SiteIndex` remembers where each note is, so that the swap rebuilds the few tuples
that hold it (its tags', speakers', event's and month's, its neighbours') and nothing else.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from .content import Note
from .site import Month, Neighbours, Site, Year

# The fields that arrange the site: lists and their order, URLs, feeds' dates, redirects,
# embeds' origins in _headers, cover images. An edit leaving them alone changes only the pages
# that show the note (its title, summary, language and text).
ARRANGING = ("slug", "path", "folder", "date", "event", "event_text", "speakers", "tags", "slides", "video",
             "image", "draft", "updated", "aliases", "legacy_slug")


def notes_in(context: dict):
    """Every note a route's context shows: its own, its list's, its neighbours and related ones."""
    for value in context.values():
        if type(value) is Note:
            yield value
        elif type(value) is tuple:
            yield from (item for item in value if type(item) is Note)
        elif type(value) is Neighbours:
            yield from (note for note in (value.older, value.newer) if note is not None)
            yield from value.related


class SiteIndex:
    """Where each published note of a site is: in ``site.notes`` and in the route table."""

    def __init__(self, site: Site, routes: list):
        self.position = {note.path: index for index, note in enumerate(site.notes)}
        self.tags = {group.slug: index for index, group in enumerate(site.tags)}
        self.speakers = {group.slug: index for index, group in enumerate(site.speakers)}
        self.events = {group.slug: index for index, group in enumerate(site.events)}
        self.related_from: dict[str, list[str]] = defaultdict(list)  # slug -> notes listing it as related
        for slug, neighbours in site.neighbours.items():
            for other in neighbours.related:
                self.related_from[other.slug].append(slug)
        self.shown_on: dict[str, list[int]] = defaultdict(list)  # note path -> indices in routes
        for index, route in enumerate(routes):
            for path in dict.fromkeys(note.path for note in notes_in(route.context)):
                self.shown_on[path].append(index)


def _swapped(value, swap: dict[int, Note]):
    """``value`` with each note in ``swap`` (by ``id``) replaced; the same object if it holds none."""
    kind = type(value)
    if kind is Note:
        return swap.get(id(value), value)
    if kind is tuple:
        if any(id(item) in swap for item in value):
            return tuple(swap.get(id(item), item) for item in value)
        return value
    if kind is Neighbours:
        return Neighbours(_swapped(value.older, swap) if value.older else None,
                          _swapped(value.newer, swap) if value.newer else None,
                          _swapped(value.related, swap))
    return value


def swapped_context(context: dict, swap: dict[int, Note]) -> dict:
    """A route's context with the new notes in place of the old."""
    return {key: _swapped(value, swap) for key, value in context.items()}


def swap_notes(site: Site, index: SiteIndex, changes: list[tuple[Note, Note]]) -> Site:
    """``site`` with each (old, new) note pair's new note in place of the old one. The notes must
    agree on everything that arranges the site (slug, date, tags, speakers, event, draft)."""
    swap = {id(old): new for old, new in changes}
    notes = list(site.notes)
    tags, speakers, events = list(site.tags), list(site.speakers), list(site.events)
    neighbours = dict(site.neighbours)
    years = list(site.years)
    for old, new in changes:
        notes[index.position[old.path]] = new
        for groups, where, slugs in ((tags, index.tags, {site.tag_slugs[t] for t in old.tags}),
                                     (speakers, index.speakers, {site.speaker_slugs[s] for s in old.speakers}),
                                     (events, index.events, {old.event} if old.event else set())):
            for slug in slugs:
                if slug in where:
                    group = groups[where[slug]]
                    groups[where[slug]] = dataclasses.replace(group, notes=_swapped(group.notes, swap))
        for number, year in enumerate(years):
            if year.year == old.date.year:
                years[number] = Year(year.year, tuple(
                    Month(m.year, m.month, _swapped(m.notes, swap)) if m.month == old.date.month else m
                    for m in year.months))
        mine = site.neighbours[old.slug]
        for slug in {old.slug, *(n.slug for n in (mine.older, mine.newer) if n), *index.related_from[old.slug]}:
            neighbours[slug] = _swapped(neighbours[slug], swap)
    return dataclasses.replace(site, notes=tuple(notes), tags=tuple(tags), speakers=tuple(speakers),
                               events=tuple(events), years=tuple(years), neighbours=neighbours)
