"""The route table: every page of the site, and ``url_for``, the only way a URL is made.

Templates, rendered Markdown, feeds, the sitemap, search and the dev server all ask this
module, so a sub-path deploy (``https://example.org/talks/2026/``) is one setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from .errors import Problem
from .indexes import by_initial
from .site import Site, entry, month_entry, year_entry

# endpoint -> path pattern below the base path; a trailing "/" means ".../index.html".
PATTERNS: dict[str, str] = {
    "home": "",
    "home_page": "page/{n}/",
    "note": "notes/{slug}/",
    "events": "events/",
    "events_page": "events/page/{n}/",
    "event": "events/{slug}/",
    "event_page": "events/{slug}/page/{n}/",
    "speakers": "speakers/",
    # "letter/<key>/" cannot clash with a speaker's pages: keys are never "page" or "feed.xml".
    "speakers_letter": "speakers/letter/{letter}/",
    "speakers_letter_page": "speakers/letter/{letter}/page/{n}/",
    "speaker": "speakers/{slug}/",
    "speaker_page": "speakers/{slug}/page/{n}/",
    "tags": "tags/",
    "tags_letter": "tags/letter/{letter}/",
    "tags_letter_page": "tags/letter/{letter}/page/{n}/",
    "tag": "tags/{slug}/",
    "tag_page": "tags/{slug}/page/{n}/",
    "tag_feed": "tags/{slug}/feed.xml",
    "archive": "archive/",
    "month": "archive/{year:04d}/{month:02d}/",
    "month_page": "archive/{year:04d}/{month:02d}/page/{n}/",
    "page": "{slug}/",
    "search": "search/",
    "search_manifest": "search/manifest.json",
    "feed": "feed.xml",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "not_found": "404.html",
    "web_manifest": "manifest.webmanifest",
    "generated": "{path}",  # files the build generates under their own names (images, search)
}

# A paginated list's later pages -> the endpoint of its first page, which has no "page/1/".
FIRST_PAGES = {"home_page": "home", "tag_page": "tag", "event_page": "event", "speaker_page": "speaker",
               "month_page": "month", "events_page": "events", "speakers_letter_page": "speakers_letter",
               "tags_letter_page": "tags_letter"}

# First path segments owned by the generator; a page may not take them.
RESERVED = {"notes", "events", "speakers", "tags", "archive", "search", "page", "static", "media",
            "feed.xml", "sitemap.xml", "robots.txt", "404.html", "img"}


# What quote(text, safe="/") leaves as it is: most slugs, which then need no quoting.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch


class UrlError(KeyError):
    """A template or stage asked for a URL that does not exist (a bug in a theme)."""


@dataclass(frozen=True)
class Urls:
    """Builds URLs for one base URL; ``static`` maps asset paths to fingerprinted paths."""

    base_path: str = "/"
    origin: str = "http://localhost"
    static: dict = field(default_factory=dict)
    # A build asks for the same URLs thousands of times (lists, feeds, canonical links).
    _known: dict = field(default_factory=dict, compare=False, repr=False)

    def path(self, endpoint: str, **params) -> str:
        """The output path below the base path, e.g. ``notes/x/`` or ``static/css/site.1f2e.css``."""
        if endpoint == "static":
            try:
                return self.static[params["path"]]
            except KeyError:
                raise UrlError(f"no static file {params.get('path')!r}") from None
        try:
            pattern = PATTERNS[endpoint]
        except KeyError:
            raise UrlError(f"unknown endpoint {endpoint!r}") from None
        if params.get("n") == 1 and endpoint in FIRST_PAGES:  # page 1 of a list is the list's own URL
            endpoint = FIRST_PAGES[endpoint]
            pattern = PATTERNS[endpoint]
            params = {k: v for k, v in params.items() if k != "n"}
        safe = {k: v if not isinstance(v, str) or _UNRESERVED(v) else quote(v, safe="/") for k, v in params.items()}
        return pattern.format(**safe)

    def url_for(self, endpoint: str, _external: bool = False, **params) -> str:
        """The URL of a page or file: a path from the site root, or a full URL when ``_external``."""
        key = (endpoint, _external, *params.items())
        try:
            return self._known[key]
        except (KeyError, TypeError):  # not asked before, or a parameter that cannot be a key
            pass
        url = self.base_path + self.path(endpoint, **params)
        url = self.origin + url if _external else url
        try:
            self._known[key] = url
        except TypeError:
            pass
        return url

    def output_file(self, endpoint: str, **params) -> str:
        """The file written for a route, relative to ``output/``: the file a server finds for
        :meth:`url_for`'s URL, which it percent-decodes."""
        key = ("file", endpoint, *params.items())
        try:
            return self._known[key]
        except (KeyError, TypeError):
            pass
        path = self.path(endpoint, **params)
        path = unquote(path) if "%" in path else path
        path = path + "index.html" if path == "" or path.endswith("/") else path
        try:
            self._known[key] = path
        except TypeError:
            pass
        return path


@dataclass(frozen=True)
class Route:
    """One page to render: which template, with what data, at which URL."""

    endpoint: str
    params: dict
    template: str
    context: dict = field(default_factory=dict, compare=False)
    in_sitemap: bool = True


def paginate(items: tuple, per_page: int) -> list[tuple]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [()]


def _list_pages(first: str, params: dict, template: str, items: tuple, per_page: int, context: dict,
                key: str = "notes") -> list[Route]:
    """The pages of one list: ``first`` at its own URL, then ``<first>_page`` with ``n``.

    Each page's context has its ``items`` under ``key`` (so its fingerprint covers exactly
    them) and ``pagination``: number, count, and ``prev``/``next`` as ``{"endpoint", "params"}``
    for ``url_for`` (None at either end)."""
    chunks = paginate(items, per_page)
    count = len(chunks)

    def at(number: int) -> dict | None:
        if not 1 <= number <= count:
            return None
        return ({"endpoint": first, "params": dict(params)} if number == 1 else
                {"endpoint": first + "_page", "params": dict(params, n=number)})

    routes = []
    for number, chunk in enumerate(chunks, start=1):
        where = at(number)
        pagination = {"number": number, "count": count, "prev": at(number - 1), "next": at(number + 1)}
        routes.append(Route(where["endpoint"], where["params"], template,
                            dict(context, **{key: chunk}, pagination=pagination)))
    return routes


def _az_index(name: str, template: str, groups: tuple, per_page: int) -> list[Route]:
    """The index of all tags or speakers: one page while they fit ``per_page``, else a page of
    initial letters (``letters``: key, label, count) and, per letter, pages of its entries."""
    if len(groups) <= per_page:
        return [Route(name, {}, template, {name: tuple(map(entry, groups)), "letters": (), "letter": None,
                                                "pagination": None})]
    letters = by_initial(groups)
    summary = tuple({"key": letter.key, "label": letter.label, "count": letter.count} for letter in letters)
    routes = [Route(name, {}, template, {name: (), "letters": summary, "letter": None, "pagination": None})]
    for letter, shown in zip(letters, summary):
        routes += _list_pages(name + "_letter", {"letter": letter.key}, template, tuple(map(entry, letter.groups)),
                              per_page, {"letters": summary, "letter": shown}, key=name)
    return routes


def build_routes(site: Site, per_page: int = 10, list_per_page: int = 50, index_per_page: int = 300) -> list[Route]:
    """Every HTML page of the site, in a stable order.

    ``per_page`` notes per page on the home page, ``list_per_page`` on tag, event, speaker and
    month pages, ``index_per_page`` names on the events, speakers and tags indexes (past that
    the speakers and tags split by initial letter). List pages get their group as an
    :class:`~generator.model.site.Entry` (name and count), and their own notes."""
    routes: list[Route] = []
    pages = paginate(site.notes, per_page)
    for number, chunk in enumerate(pages, start=1):
        endpoint, params = ("home", {}) if number == 1 else ("home_page", {"n": number})
        routes.append(Route(endpoint, params, "index.html",
                            {"notes": chunk, "pagination": {"number": number, "count": len(pages)}}))
    for note in site.notes:
        routes.append(Route("note", {"slug": note.slug}, "note.html",
                            {"note": note, "neighbours": site.neighbours[note.slug]}))
    routes += _list_pages("events", {}, "events.html", tuple(map(entry, site.events)), index_per_page, {},
                          key="events")
    for group in site.events:
        routes += _list_pages("event", {"slug": group.slug}, "event.html", group.notes, list_per_page,
                              {"group": entry(group), "event": group.event})
    routes += _az_index("speakers", "speakers.html", site.speakers, index_per_page)
    for group in site.speakers:
        routes += _list_pages("speaker", {"slug": group.slug}, "speaker.html", group.notes, list_per_page,
                              {"group": entry(group)})
    routes += _az_index("tags", "tags.html", site.tags, index_per_page)
    for group in site.tags:
        routes += _list_pages("tag", {"slug": group.slug}, "tag.html", group.notes, list_per_page,
                              {"group": entry(group)})
    routes.append(Route("archive", {}, "archive.html", {"years": tuple(map(year_entry, site.years))}))
    for month in site.months:
        routes += _list_pages("month", {"year": month.year, "month": month.month}, "month.html", month.notes,
                              list_per_page, {"month": month_entry(month)})
    for page in site.pages:
        routes.append(Route("page", {"slug": page.slug}, "page.html", {"page": page}))
    routes.append(Route("search", {}, "search.html", {}))
    routes.append(Route("not_found", {}, "404.html", {}, in_sitemap=False))
    return routes


def check_routes(site: Site) -> list[Problem]:
    """Pages whose slug would shadow a generator route, and aliases that collide."""
    problems = [Problem(page.path, None, None, f"page name '{page.slug}' is reserved for the site's own pages",
                        "rename the file") for page in site.pages if page.slug in RESERVED]
    owners: dict[str, str] = {}
    note_paths = {f"notes/{n.slug}" for n in site.notes}
    for note in site.notes:
        for alias in note.aliases:
            key = alias.strip("/")
            if key in owners:
                problems.append(Problem(note.path, note.lines.get("aliases"), "aliases",
                                        f"alias {alias} is also claimed by {owners[key]}", "keep one of them"))
            elif key in note_paths:
                problems.append(Problem(note.path, note.lines.get("aliases"), "aliases",
                                        f"alias {alias} is the URL of a note", "remove the alias"))
            owners[key] = note.path
    return problems
