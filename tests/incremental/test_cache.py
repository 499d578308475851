"""The on-disk build cache stays the size of one build and remembers the costly answers."""

from __future__ import annotations

import sqlite3
from collections import Counter

from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache

from conftest import TODAY, copy_sample_site


def entries_by_kind(site) -> Counter:
    with sqlite3.connect(site / ".cache" / "talknotes.sqlite") as db:
        return Counter(key.split(":")[0] for (key,) in db.execute("SELECT key FROM entries"))


def edit(note, words: str) -> None:
    note.write_text(note.read_text() + f"\n{words}\n")


def test_edits_do_not_pile_up_in_the_cache(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    options = BuildOptions(source=site, today=TODAY)
    build(options, BuildCache())
    first = entries_by_kind(site)
    note = sorted((site / "content" / "notes").glob("*.md"))[3]
    for round in range(4):
        edit(note, f"Edit number {round}.")
        build(options, BuildCache())
    assert entries_by_kind(site) == first
    assert first["search"] == 1
    notes = len(list((site / "content" / "notes").rglob("*.md")))
    assert first["note"] == notes


def test_a_deleted_note_leaves_the_cache(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    options = BuildOptions(source=site, today=TODAY)
    build(options, BuildCache())
    before = entries_by_kind(site)
    extra = site / "content" / "notes" / "2026-01-05-short-lived.md"
    extra.write_text("---\ntitle: Short-lived\ntags: [testing]\n---\nSoon gone.\n")
    build(options, BuildCache())
    assert entries_by_kind(site)["note"] == before["note"] + 1
    extra.unlink()
    build(options, BuildCache())
    assert entries_by_kind(site) == before


def test_related_notes_are_computed_again_only_when_tags_or_dates_change(tmp_path, monkeypatch):
    from generator.model import related
    calls = []
    real = related.RelatedNotes.related
    monkeypatch.setattr(related.RelatedNotes, "related",
                        lambda self, index, limit: calls.append(index) or real(self, index, limit))
    site = copy_sample_site(tmp_path / "site")
    options = BuildOptions(source=site, today=TODAY)
    build(options, BuildCache())
    assert calls
    note = sorted((site / "content" / "notes").glob("*.md"))[3]
    calls.clear()
    edit(note, "A body edit keeps the related notes.")
    build(options, BuildCache())  # a new process: the answer comes from the cache on disk
    assert calls == []
    note.write_text(note.read_text().replace("tags: [", "tags: [extra-tag, ", 1))
    assert "extra-tag" in note.read_text()
    build(options, BuildCache())
    assert calls


def test_another_generator_version_starts_with_an_empty_cache(tmp_path, monkeypatch):
    import generator.incremental.store as cache_module
    site = copy_sample_site(tmp_path / "site")
    options = BuildOptions(source=site, today=TODAY)
    build(options, BuildCache())
    edit(sorted((site / "content" / "notes").glob("*.md"))[3], "A change, so the build is not skipped.")
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", 99)  # as if talknotes had been upgraded
    cache = BuildCache()
    build(options, cache)
    documents = len(list((site / "content").rglob("*.md")))
    assert cache.counts["markdown"] == documents  # nothing parsed or rendered by 0.1 was trusted
