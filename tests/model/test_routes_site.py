"""url_for under any base, the route table, and the site model (order, groups, drafts)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.model.content import Content, Note
from generator.model.routes import Urls, UrlError, build_routes, check_routes
from generator.model.site import build_site


def note(slug, date, tags=(), draft=False, speakers=(), aliases=()):
    return Note(slug=slug, path=f"content/notes/{slug}.md", folder=None, title=slug.title(), date=date, body="",
                body_line=1, tags=tags, draft=draft, speakers=speakers, aliases=aliases)


@pytest.mark.parametrize("base", ["/", "/talks/2026/"])
def test_url_for_respects_the_base_path(base):
    urls = Urls(base, "https://example.org", {"css/site.css": "static/css/site.abc.css"})
    assert urls.url_for("home") == base
    assert urls.url_for("home_page", n=1) == base
    assert urls.url_for("home_page", n=2) == base + "page/2/"
    assert urls.url_for("month", year=2011, month=6) == base + "archive/2011/06/"
    assert urls.url_for("static", path="css/site.css") == base + "static/css/site.abc.css"
    assert urls.url_for("note", slug="x", _external=True) == "https://example.org" + base + "notes/x/"
    assert urls.output_file("tag_feed", slug="django") == "tags/django/feed.xml"
    assert urls.output_file("note", slug="x") == "notes/x/index.html"
    with pytest.raises(UrlError):
        urls.url_for("static", path="missing.css")
    with pytest.raises(UrlError):
        urls.url_for("nope")


def test_site_orders_groups_and_relates_notes():
    d = dt.date
    notes = (note("a", d(2020, 1, 5), ("Django", "python")), note("b", d(2020, 2, 1), ("django",)),
             note("c", d(2021, 3, 1), ("python",), speakers=("Ann Lee",)), note("draft", d(2020, 1, 1), draft=True),
             note("future", d(2030, 1, 1)))
    site = build_site(Content(notes, (), (), ()), today=d(2026, 1, 1))
    assert [n.slug for n in site.notes] == ["c", "b", "a"]
    assert [(t.slug, t.name, t.count) for t in site.tags] == [("django", "Django", 2), ("python", "python", 2)]
    assert [(y.year, [(m.month, len(m.notes)) for m in y.months]) for y in site.years] == [
        (2021, [(3, 1)]), (2020, [(2, 1), (1, 1)])]
    assert site.neighbours["b"].older.slug == "a" and site.neighbours["b"].newer.slug == "c"
    assert [n.slug for n in site.neighbours["a"].related] == ["b", "c"]
    assert site.speakers[0].slug == "ann-lee"
    with_drafts = build_site(Content(notes, (), (), ()), today=d(2026, 1, 1), include_drafts=True)
    assert {"draft", "future"} <= {n.slug for n in with_drafts.notes}


def test_routes_paginate_and_cover_every_page():
    notes = tuple(note(f"n{i}", dt.date(2020, 1, 1) + dt.timedelta(days=i), ("t",)) for i in range(5))
    site = build_site(Content(notes, (), (), ()), today=dt.date(2026, 1, 1))
    routes = build_routes(site, per_page=2)
    endpoints = [r.endpoint for r in routes]
    assert endpoints.count("home") == 1 and endpoints.count("home_page") == 2
    assert endpoints.count("note") == 5 and "search" in endpoints and "not_found" in endpoints
    assert len({(r.endpoint, tuple(sorted(r.params.items()))) for r in routes}) == len(routes)


def test_alias_collisions_are_reported():
    notes = (note("a", dt.date(2020, 1, 1), aliases=("/old/",)), note("b", dt.date(2020, 1, 2), aliases=("/old",)),
             note("c", dt.date(2020, 1, 3), aliases=("/notes/a/",)))
    problems = check_routes(build_site(Content(notes, (), (), ()), today=dt.date(2026, 1, 1)))
    assert sorted(p.message for p in problems) == ["alias /notes/a/ is the URL of a note",
                                                   "alias /old/ is also claimed by content/notes/b.md"]
