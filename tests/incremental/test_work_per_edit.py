"""What ``talknotes build`` does after one note's text changed, counted (not timed): the pages
it fingerprints and renders and the files it writes are the same at 50 notes and at 1,000."""

from __future__ import annotations

import random
from pathlib import Path

from conftest import TODAY
from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache


def write_site(root: Path, notes: int) -> Path:
    """``notes`` notes over a few tags, speakers and months, and ``solo.md``: the newest note,
    alone in its tag and speaker, so the pages it is on are the same whatever ``notes`` is."""
    r = random.Random(4)
    folder = root / "content" / "notes"
    folder.mkdir(parents=True)
    for number in range(notes):
        tags = ", ".join(r.sample(["django", "flask", "asyncio", "orm", "typing", "css"], 2))
        (folder / f"note-{number:04d}.md").write_text(
            f"---\ntitle: Talk {number}\ndate: 2022-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}\n"
            f"speakers: [Speaker {number % 7}]\ntags: [{tags}]\n---\n\nAbout {tags}.\n")
    (folder / "solo.md").write_text(
        "---\ntitle: Solo\ndate: 2023-06-01\nspeakers: [Solo Speaker]\ntags: [solo]\n---\n\nAlone.\n")
    (root / "talknotes.yaml").write_text("title: Counting\nbase_url: https://example.org/\n")
    return root


def counts_after_one_edit(root: Path) -> dict:
    options = BuildOptions(source=root, today=TODAY)
    build(options, BuildCache())
    note = root / "content" / "notes" / "solo.md"
    note.write_text(note.read_text().replace("Alone.", "Alone, and edited."))
    cache = BuildCache()  # a new process's
    build(options, cache)
    return dict(cache.counts)


def test_pages_rendered_and_files_written_do_not_grow_with_the_site(tmp_path):
    small = counts_after_one_edit(write_site(tmp_path / "small", 50))
    large = counts_after_one_edit(write_site(tmp_path / "large", 1000))
    for key in ("markdown", "pages", "written", "fingerprinted"):
        assert small[key] == large[key], (key, small, large)
    assert small["markdown"] == 1 and small["pages"] <= 12
    # Only the text changed: the pages not showing the note are kept without a fingerprint
    # (incremental/arrangement.py), and those showing it are fingerprinted once each.
    assert small["changed notes"] == 1 and small["fingerprinted"] <= small["pages"] + 4


def test_an_edit_that_rearranges_the_site_fingerprints_every_page(tmp_path):
    root = write_site(tmp_path / "site", 50)
    options = BuildOptions(source=root, today=TODAY)
    build(options, BuildCache())
    note = root / "content" / "notes" / "solo.md"
    note.write_text(note.read_text().replace("tags: [solo]", "tags: [solo, django]"))
    cache = BuildCache()
    build(options, cache)
    assert cache.counts["changed notes"] == -1 and cache.counts["fingerprinted"] > 50
