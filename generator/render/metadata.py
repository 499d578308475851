"""Page metadata for machines: JSON-LD, the web manifest, and the template helpers for both.

JSON-LD goes into ``<script type="application/ld+json">``, a data block the browser never runs,
so a Content-Security-Policy without ``'unsafe-inline'`` is unaffected. Its JSON is escaped so
that no title can close the element early: ``<``, ``>`` and ``&`` become ``\\u003c`` and so on.
"""

from __future__ import annotations

import json

from .embeds import note_embeds

THEME_COLOR = "#0b5cad"      # the favicon's blue
BACKGROUND_COLOR = "#fdfdfc"  # the default theme's light background
ICONS = (("icons/icon-192.png", "192x192", "image/png"),
         ("icons/icon-512.png", "512x512", "image/png"),
         ("favicon.svg", "any", "image/svg+xml"))

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
            0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_safe_json(data) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``</script>``, no ``<!--``."""
    return json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":")).translate(_ESCAPES)


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def _event_data(event, page_url: str | None) -> dict:
    data = {"@type": "Event", "name": event.name, "startDate": event.start.isoformat(),
            "endDate": event.end.isoformat()}
    if event.location:
        data["location"] = {"@type": "Place", "name": event.location, "address": event.location}
    if event.description:
        data["description"] = event.description
    if event.url or page_url:
        data["url"] = event.url or page_url
    return data


def article_data(note, *, config, canonical: str, description: str, event=None,
                 event_url: str | None = None, home_url: str, image: str | None = None) -> dict:
    """schema.org Article for a note: who wrote it, when, and the talk it is about."""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": note.title,
        "description": description,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "datePublished": note.date.isoformat(),
        "dateModified": (note.updated or note.date).isoformat(),
        "inLanguage": note.lang or config.language,
        "author": _person(config.author) if config.author else {"@type": "Organization", "name": config.title},
        "publisher": {"@type": "Organization", "name": config.title, "url": home_url},
    }
    if note.tags:
        data["keywords"] = ", ".join(note.tags)
    if image:
        data["image"] = image
    if event is not None:
        about = _event_data(event, event_url)
        if note.speakers:
            about["performer"] = [_person(s) for s in note.speakers]
        data["about"] = about
    elif note.speakers:
        data["mentions"] = [_person(s) for s in note.speakers]
    return data


def event_data(event, *, canonical: str) -> dict:
    """schema.org Event for an event page."""
    data = {"@context": "https://schema.org", **_event_data(event, None)}
    data["url"] = event.url or canonical
    data["subjectOf"] = {"@type": "WebPage", "url": canonical}
    return data


def website_data(config, home_url: str) -> dict:
    data = {"@context": "https://schema.org", "@type": "WebSite", "name": config.title, "url": home_url,
            "inLanguage": config.language}
    if config.description:
        data["description"] = config.description
    return data


def web_manifest(config, urls) -> str:
    """``manifest.webmanifest``: name, colours and icons, with URLs from ``url_for``."""
    data = {
        "name": config.title,
        "short_name": config.title if len(config.title) <= 12 else config.title.split()[0][:12],
        "description": config.description,
        "lang": config.language,
        "start_url": urls.url_for("home"),
        "scope": urls.url_for("home"),
        "display": "browser",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{"src": urls.url_for("static", path=path), "sizes": sizes, "type": kind}
                  for path, sizes, kind in ICONS if path in urls.static],
    }
    if not data["description"]:
        del data["description"]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def template_helpers(config, site, urls, excerpt) -> dict:
    """Globals for templates: ``embeds(note)`` and ``json_ld(image)`` (see docs/themes.md)."""
    from jinja2 import pass_context
    from markupsafe import Markup

    @pass_context
    def json_ld(context, image: str = "") -> Markup:
        """The page's JSON-LD block: Article for a note, Event for an event, WebSite for home."""
        endpoint, canonical = context["endpoint"], context["canonical"]
        image = image.unescape() if isinstance(image, Markup) else str(image or "")
        home = urls.url_for("home", _external=True)
        if endpoint == "note":
            note = context["note"]
            event = site.event_by_slug.get(note.event) if note.event else None
            event_url = urls.url_for("event", _external=True, slug=event.slug) if event else None
            data = article_data(note, config=config, canonical=canonical, description=excerpt(note),
                                event=event, event_url=event_url, home_url=home, image=image or None)
        elif endpoint == "event" and context.get("event") is not None:
            data = event_data(context["event"], canonical=canonical)
        elif endpoint == "home":
            data = website_data(config, home)
        else:
            return Markup("")
        return Markup('<script type="application/ld+json">' + script_safe_json(data) + "</script>")

    def absolute_url(url: str) -> str:
        """A URL from ``url_for`` made absolute, for tags that need one (``og:image``)."""
        return config.origin + url if url.startswith("/") else url

    return {"embeds": note_embeds, "json_ld": json_ld, "absolute_url": absolute_url}
