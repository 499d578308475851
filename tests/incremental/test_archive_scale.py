"""The incremental property test at archive scale: 2,000 archive-shaped notes (names in
many scripts, A–Z indexes, paginated lists), random edits, and after each the build equals a
clean build file by file: for ``talknotes build`` and for the dev server's fast path."""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TODAY
from generator.build import BuildOptions, build
from generator.commands.live import LiveSite
from generator.incremental.store import BuildCache
from generator.model.errors import BuildError

sys.path.insert(0, str(REPO / "benchmarks"))
from archive import generate_archive  # noqa: E402

NOTES = 2000


def tree(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def first_difference(a: dict, b: dict) -> str:
    """The first file that differs, as a unified diff: what a failure needs to be understood."""
    import difflib
    rel = next(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
    lines = [side.get(rel, b"").decode("utf-8", "replace").splitlines(True) for side in (a, b)]
    return rel + "\n" + "".join(difflib.unified_diff(*lines, "incremental", "clean"))[:4000]


def archive_edit(root: Path, rng: random.Random, step: int) -> tuple[str, Path]:
    """Edits an archive sees: a description rewritten, a title changed (the fast path's), a
    tag added, a talk moved to another day, one added or withdrawn. Returns what was done and
    the file the watcher would report."""
    notes = sorted((root / "content" / "notes").glob("*.md"))
    target = rng.choice(notes)
    text = target.read_text(encoding="utf-8")
    action = ["body", "title", "tag", "date", "add", "delete"][step % 6]
    if action == "body":
        text = text.rstrip("\n") + f"\n\nAn added paragraph, step {step}, with a [link](https://example.org/{step}).\n"
    elif action == "title":
        lines = text.split("\n")
        lines = [f"title: {json.dumps(f'Step {step}: ' + yaml.safe_load(line[7:]))}" if line.startswith("title: ")
                 else line for line in lines]
        text = "\n".join(lines)
    elif action == "tag":
        text = text.replace("\ntags: [", f"\ntags: [step-{step}, ", 1) if "\ntags: [" in text else \
            text.replace("\ntitle: ", f"\ntags: [step-{step}]\ntitle: ", 1)
    elif action == "date":  # the file name has the date; front matter overrides it
        text = text.replace("\ntitle: ", f"\ndate: 2019-0{1 + step % 9}-1{step % 10}\ntitle: ", 1)
    elif action == "add":
        added = target.parent / f"2020-02-02-added-{step}.md"
        added.write_text(
            f"---\ntitle: Added {step}\ndate: 2020-02-02\nspeakers: [Новый Докладчик]\ntags: [added]\n---\n\nNew.\n",
            encoding="utf-8")
        return f"add {added.name}", added
    else:
        target.unlink()
        return f"delete {target.name}", target
    target.write_text(text, encoding="utf-8")
    return f"{action} {target.name}", target


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    site = generate_archive(tmp_path_factory.mktemp("archive") / "site", NOTES, seed=5)
    config = site / "talknotes.yaml"
    # Small pages, so that letters, lists and indexes all paginate at this size.
    config.write_text(config.read_text() + "list_per_page: 12\nindex_per_page: 40\n", encoding="utf-8")
    return site


def test_cli_builds_at_archive_scale_match_clean_builds(archive, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(archive, site)
    rng = random.Random(11)
    options = BuildOptions(source=site, output=tmp_path / "incremental", today=TODAY)
    cache = BuildCache()
    build(options, cache)
    history = []
    for step in range(6):
        history.append(archive_edit(site, rng, step)[0])
        build(options, cache)
        if history[-1].startswith(("body", "title", "tag")):  # adding one shifts every later home page
            assert cache.counts["pages"] < 60, (history, cache.counts)  # a few pages, not the site
        clean = tmp_path / f"clean-{step}"
        build(BuildOptions(source=site, output=clean, today=TODAY), BuildCache())
        incremental, fresh = tree(options.output), tree(clean)
        assert incremental == fresh, (history, first_difference(incremental, fresh))
        shutil.rmtree(clean)


def test_served_edits_at_archive_scale_match_clean_builds(archive, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(archive, site)
    rng = random.Random(12)
    options = BuildOptions(source=site, output=tmp_path / "served", today=TODAY, in_place=True)
    cache = BuildCache()
    live = LiveSite(build(options, cache).built, cache)
    history, quick = [], 0
    for step in range(6):
        done, changed = archive_edit(site, rng, step % 2 if step < 4 else step)  # body and title first
        history.append(done)
        counts = live.update([str(changed)])
        if counts is None:
            try:
                live = LiveSite(build(options, cache).built, cache)
            except BuildError:
                pytest.fail(f"the archive broke: {history}")
        else:
            quick += 1
            assert counts["records read"] == 1 and counts["pages"] < 30, (history, counts)
        clean = tmp_path / f"clean-{step}"
        build(BuildOptions(source=site, output=clean, today=TODAY, in_place=True), BuildCache())
        served, fresh = tree(options.output), tree(clean)
        assert served == fresh, (history, first_difference(served, fresh))
        shutil.rmtree(clean)
    assert quick >= 3, history
