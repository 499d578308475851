"""Atom feeds (site and per tag), the sitemap and robots.txt, from overridable templates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

FEED_ENTRIES = 20


def timestamp(day: dt.date, timezone: str) -> str:
    """RFC 3339 midnight of ``day`` in the site's time zone (no wall clock: builds stay identical)."""
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(timezone)).isoformat()


def write_feeds(writer, env, site, config, urls, routes, run) -> None:
    """Write ``feed.xml``, ``tags/<tag>/feed.xml``, ``sitemap.xml`` and ``robots.txt``."""
    from .theme import template_problem

    def stamp(note) -> str:
        return timestamp(note.updated or note.date, config.timezone)

    def published(note) -> str:
        return timestamp(note.date, config.timezone)

    def render(template: str, target: str, **context) -> None:
        try:
            text = env.get_template(template).render(stamp=stamp, published=published, **context)
        except Exception as exc:
            run.add([template_problem(exc, config.root, template)])
            return
        writer.write(target, text, owner=target)

    feeds = [("feed", {}, config.title, site.notes)]
    feeds += [("tag_feed", {"slug": g.slug}, f"{config.title}: {g.name}", g.notes) for g in site.tags]
    for endpoint, params, title, notes in feeds:
        entries = notes[:FEED_ENTRIES]
        render("atom.xml", urls.output_file(endpoint, **params), title=title, entries=entries,
               feed_url=urls.url_for(endpoint, _external=True, **params),
               updated=max((stamp(n) for n in entries), default=timestamp(dt.date(2000, 1, 1), config.timezone)))

    lastmod = {}
    for route in routes:
        note = route.context.get("note")
        if note:
            lastmod[id(route)] = (note.updated or note.date).isoformat()
    pages = [(urls.url_for(r.endpoint, _external=True, **r.params), lastmod.get(id(r)))
             for r in routes if r.in_sitemap]
    render("sitemap.xml", urls.output_file("sitemap"), pages=pages)
    render("robots.txt", urls.output_file("robots"), sitemap=urls.url_for("sitemap", _external=True))
