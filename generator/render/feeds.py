"""Atom feeds (site and per tag), the sitemap and robots.txt, from overridable templates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

FEED_ENTRIES = 20


def timestamp(day: dt.date, timezone: str) -> str:
    """RFC 3339 midnight of ``day`` in the site's time zone (no wall clock: builds stay identical)."""
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(timezone)).isoformat()


def feed_lists(site, config, tags=None) -> list[tuple[str, dict, str, tuple]]:
    """(endpoint, params, title, notes) of the site's feed and of every tag's (or only the
    tags ``tags`` names, by slug)."""
    feeds = [("feed", {}, config.title, site.notes)]
    feeds += [("tag_feed", {"slug": g.slug}, f"{config.title}: {g.name}", g.notes) for g in site.tags
              if tags is None or g.slug in tags]
    return feeds


def feed_job(config, urls, endpoint: str, params: dict, title: str, notes) -> tuple:
    """(file, template, context, owner) of one Atom feed: the newest ``FEED_ENTRIES`` of ``notes``."""
    def stamp(note) -> str:
        return timestamp(note.updated or note.date, config.timezone)

    def published(note) -> str:
        return timestamp(note.date, config.timezone)

    entries = notes[:FEED_ENTRIES]
    target = urls.output_file(endpoint, **params)
    return target, "atom.xml", {
        "title": title, "entries": entries, "stamp": stamp, "published": published,
        "feed_url": urls.url_for(endpoint, _external=True, **params),
        "updated": max((stamp(n) for n in entries), default=timestamp(dt.date(2000, 1, 1), config.timezone)),
    }, target


def write_feeds(pages, site, config, urls, routes) -> None:
    """Write ``feed.xml``, ``tags/<tag>/feed.xml``, ``sitemap.xml`` and ``robots.txt``.

    ``pages`` is the build's :class:`~generator.render.pages.PageRenderer`.
    """
    for feed in feed_lists(site, config):
        pages.render(*feed_job(config, urls, *feed))

    sitemap = []
    for route in routes:
        if route.in_sitemap:
            note = route.context.get("note")
            sitemap.append((urls.url_for(route.endpoint, _external=True, **route.params),
                            (note.updated or note.date).isoformat() if note else None))
    pages.render(urls.output_file("sitemap"), "sitemap.xml", {"pages": sitemap}, owner="sitemap.xml")
    pages.render(urls.output_file("robots"), "robots.txt", {"sitemap": urls.url_for("sitemap", _external=True)},
                 owner="robots.txt")
