"""swap_notes: a site with edited notes in place of the old equals the site built afresh."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from generator.model.content import Content, Note
from generator.model.routes import build_routes
from generator.model.site import build_site
from generator.model.swap import SiteIndex, notes_in, swap_notes, swapped_context

TODAY = dt.date(2024, 1, 1)


def notes(count: int, seed: int = 3) -> tuple[Note, ...]:
    r = random.Random(seed)
    return tuple(Note(slug=f"n{i}", path=f"content/notes/n{i}.md", folder=Path("content/notes"), title=f"Note {i}",
                      date=dt.date(2023, r.randint(1, 12), r.randint(1, 28)), body=f"Body {i}", body_line=5,
                      tags=tuple(r.sample(["a", "b", "c", "d", "é"], 2)), speakers=(r.choice(["X", "Y", "Ж"]),),
                      event=r.choice([None, "conf"]))
                 for i in range(count))


def test_swapped_site_equals_the_site_built_afresh():
    before = notes(40)
    content = Content(before, (), (), ())
    site = build_site(content, TODAY, related_limit=3)
    routes = build_routes(site, per_page=5, list_per_page=4)
    index = SiteIndex(site, routes)
    edited = [dataclasses.replace(before[i], title=f"Edited {i}", body="New body") for i in (3, 17, 29)]
    after = list(before)
    for new in edited:
        after[int(new.slug[1:])] = new
    fresh = build_site(Content(tuple(after), (), (), ()), TODAY, related_limit=3)
    swapped = swap_notes(site, index, [(before[int(n.slug[1:])], n) for n in edited])
    assert swapped == fresh
    # and the notes in it are the new objects, wherever they appear
    assert all(n.title.startswith("Edited") for n in swapped.notes if n.slug in {"n3", "n17", "n29"})
    for slug, neighbours in swapped.neighbours.items():
        for other in (neighbours.older, neighbours.newer, *neighbours.related):
            if other is not None and other.slug in {"n3", "n17", "n29"}:
                assert other.title.startswith("Edited"), slug


def test_routes_showing_a_note_are_indexed_and_swapped():
    before = notes(25)
    site = build_site(Content(before, (), (), ()), TODAY, related_limit=3)
    routes = build_routes(site, per_page=5, list_per_page=4)
    index = SiteIndex(site, routes)
    target = before[11]
    showing = [i for i, route in enumerate(routes) if any(n is target for n in notes_in(route.context))]
    assert index.shown_on[target.path] == showing
    assert {routes[i].endpoint for i in showing} >= {"note", "tag", "speaker", "month"}
    new = dataclasses.replace(target, title="Edited")
    swap = {id(target): new}
    for i in showing:
        context = swapped_context(routes[i].context, swap)
        assert all(n is not target for n in notes_in(context))
        assert any(n is new for n in notes_in(context))
