"""Related notes (generator/model/related.py) against the definition, counted the slow way."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings, strategies as st

from generator.model import related


def by_definition(notes, index: int, limit: int) -> list:
    """Every other note sharing a tag, ranked by shared tags (most first), then by distance
    in days, then by slug."""
    me = notes[index]
    shared = Counter()
    for j, other in enumerate(notes):
        if j != index:
            common = len(set(me.tags) & set(other.tags))
            if common:
                shared[j] = common
    ranked = sorted(shared, key=lambda j: (-shared[j], abs((notes[j].date - me.date).days), notes[j].slug))
    return [notes[j] for j in ranked[:limit]]


def make_notes(specs):
    return [SimpleNamespace(slug=f"n{i:03d}", date=dt.date(2020, 1, 1) + dt.timedelta(days=day), tags=tuple(tags))
            for i, (day, tags) in enumerate(specs)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sets(st.sampled_from("abcdefg"), max_size=5)), max_size=40),
       st.integers(1, 6))
def test_the_same_as_counting_every_pair(specs, limit):
    notes = make_notes(specs)
    index = related.RelatedNotes(notes, lambda note: set(note.tags))
    for i in range(len(notes)):
        assert index.related(i, limit) == by_definition(notes, i, limit)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 9), st.sets(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=3,
                                                  max_size=8)), min_size=2, max_size=20),
       st.integers(1, 4))
def test_notes_with_many_tags_are_counted(monkeypatch, specs, limit):
    monkeypatch.setattr(related, "PAIRED_TAGS", 4)  # some notes have more: ranked by counting
    notes = make_notes(specs)
    index = related.RelatedNotes(notes, lambda note: set(note.tags))
    for i in range(len(notes)):
        assert index.related(i, limit) == by_definition(notes, i, limit)
