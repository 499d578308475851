"""Interrupted builds (issue 8, point 4): ``talknotes build`` killed with SIGKILL at random
moments leaves ``output/`` byte for byte the old site or the new one, never a mix, and the next
run cleans up the stale staging folder and builds the new site.

Each kill starts from the same state (the old site and its cache, restored from a copy), so
the moments are spread over one build's whole length. ``TALKNOTES_KILLS=50`` runs more.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from hostile import REPO, cli, contents, draw_png, make_site

NOTES = 300
KILLS = int(os.environ.get("TALKNOTES_KILLS", "5"))
SEED = 8


def _corpus():
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _start(site: Path) -> subprocess.Popen:
    # A session of its own, so the kill takes the build's worker processes too (a power cut).
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--source", str(site)], cwd=site,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it had finished
    process.wait(timeout=30)
    process.stderr.close()


def _wait_for(path: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def _wait_for_any(paths: list[Path], process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(p.exists() for p in paths) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def _restore(site: Path, saved: Path) -> None:
    for name in ("output", ".cache", ".output.staging", ".output.update"):
        shutil.rmtree(site / name, ignore_errors=True)
        if (saved / name).exists():
            shutil.copytree(saved / name, site / name, symlinks=True)  # bytes and mtimes, as they were


def _change(site: Path) -> None:
    """A new version of the site: edited, deleted and added notes, a new image."""
    notes = sorted((site / "content/notes").glob("*.md"))
    for index, note in enumerate(notes):
        if index % 4 == 0:
            note.write_text(note.read_text().replace("summary: \"", "summary: \"Edited. ", 1))
    linked = {name for note in notes for name in re.findall(r"\]\(([^)]+)\.md\)", note.read_text())}
    for note in [n for n in notes if n.stem not in linked][:5]:
        note.unlink()
    for index in range(5):
        (site / f"content/notes/2021-01-0{index + 1}-added-{index}.md").write_text(
            f"---\ntitle: Added {index}\ntags: [added]\n---\n\nNew note {index}.\n\n![Blue](blue.png)\n")
    draw_png(site / "content/images/blue.png", (0, 0, 255))


def _differences(found: dict, old: dict, new: dict) -> str:
    mixed_old = sorted(k for k in set(found) | set(old) if found.get(k) != old.get(k))
    mixed_new = sorted(k for k in set(found) | set(new) if found.get(k) != new.get(k))
    return f"differs from the old site in {mixed_old[:5]}… and from the new one in {mixed_new[:5]}…"


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_site(tmp_path):
    site = _corpus().generate(tmp_path / "site", NOTES)
    draw_png(site / "content/images/red.png")
    first = site / "content/notes" / sorted(p.name for p in (site / "content/notes").glob("*.md"))[0]
    first.write_text(first.read_text() + "\n![Red](red.png)\n")
    build = cli("build", "--source", str(site))
    assert build.code == 0, build.err
    old = contents(site / "output")
    saved = tmp_path / "saved"
    for name in ("output", ".cache"):
        shutil.copytree(site / name, saved / name, symlinks=True)

    _change(site)
    start = time.perf_counter()
    reference = _start(site)
    assert reference.wait(timeout=240) == 0, reference.stderr.read().decode()
    reference.stderr.close()
    duration = time.perf_counter() - start
    new = contents(site / "output")
    assert new != old

    rng = random.Random(SEED)
    outcomes = []
    for run in range(KILLS):
        _restore(site, saved)
        process = _start(site)
        if run % 2:  # anywhere in the build
            time.sleep(rng.uniform(0.05, duration * 1.1))
        else:  # around the swap, which comes some 10 ms after the last file is staged
            _wait_for_any([site / ".output.staging" / "_redirects", site / ".output.update" / "_redirects"],
                          process, duration * 3)
            time.sleep(rng.uniform(0, 0.04))
        _kill(process)
        found = contents(site / "output")
        assert found == old or found == new, _differences(found, old, new)
        outcomes.append("new" if found == new else "old")

    # Kill once more halfway, then let the next run finish: it must clear the staging folder.
    _restore(site, saved)
    process = _start(site)
    time.sleep(duration * 0.5)
    _kill(process)
    staging = site / ".output.staging"
    if not staging.exists():  # the build was quicker than usual: leave a stale one by hand
        (staging / "notes").mkdir(parents=True)
        (staging / "notes" / "half-written.html").write_text("<p>half")
    finished = _start(site)
    assert finished.wait(timeout=240) == 0, finished.stderr.read().decode()
    finished.stderr.close()
    assert contents(site / "output") == new
    assert not staging.exists() and not (site / ".output.old").exists()
    assert not (site / ".output.update").exists()
    print(f"{KILLS} kills over {duration:.1f} s builds: {outcomes}")


def test_a_small_update_killed_at_random_moments_is_old_new_or_completed_by_the_next_build(tmp_path):
    """A small change is moved into output/ file by file (publish.apply_update). Killed before
    its commit, output/ is the old site; after it, the next build completes it."""
    site = _corpus().generate(tmp_path / "site", NOTES)
    assert cli("build", "--source", str(site)).code == 0
    old = contents(site / "output")
    saved = tmp_path / "saved"
    for name in ("output", ".cache"):
        shutil.copytree(site / name, saved / name, symlinks=True)
    note = sorted((site / "content/notes").glob("*.md"))[3]
    note.write_text(note.read_text().replace("summary: \"", "summary: \"Edited. ", 1))
    start = time.perf_counter()
    reference = _start(site)
    assert reference.wait(timeout=240) == 0, reference.stderr.read().decode()
    reference.stderr.close()
    duration = time.perf_counter() - start
    new = contents(site / "output")
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    assert 0 < len(changed) < 50  # small: an update, not a swap

    rng = random.Random(SEED)
    outcomes = []
    update = site / ".output.update"
    for run in range(KILLS):
        _restore(site, saved)
        process = _start(site)
        if run % 2:
            time.sleep(rng.uniform(0.05, duration * 1.1))
        else:  # around the commit
            _wait_for_any([update / "_redirects"], process, duration * 3)
            time.sleep(rng.uniform(0, 0.01))
        _kill(process)
        found = contents(site / "output")
        if found not in (old, new):
            # Killed while moving files in: only committed files differ, and the next build completes it.
            assert (update / ".talknotes-update-removes").is_file(), _differences(found, old, new)
            assert {k for k in set(found) | set(old) if found.get(k) != old.get(k)} <= changed
        outcomes.append("old" if found == old else "new" if found == new else "mixed")
        finished = _start(site)
        assert finished.wait(timeout=240) == 0, finished.stderr.read().decode()
        finished.stderr.close()
        assert contents(site / "output") == new
        assert not update.exists()
    print(f"{KILLS} kills over {duration:.1f} s updates: {outcomes}")


def test_a_build_that_died_between_renames_is_recovered(tmp_path):
    """Where the atomic exchange is unavailable, publishing is two renames; a death between
    them leaves ``.output.old`` and no ``output/``: the next run puts the old site back first."""
    site = make_site(tmp_path / "site")
    assert cli("build", "--source", str(site)).code == 0
    old = contents(site / "output")
    (site / "output").rename(site / ".output.old")
    (site / ".output.staging" / "notes").mkdir(parents=True)
    (site / ".output.staging" / "notes" / "partial.html").write_text("<p>partial")
    from generator.output.publish import prepare_staging
    staging, reconcile = prepare_staging(site / "output")
    assert contents(site / "output") == old
    assert not (site / ".output.old").exists()
    # The killed build's staging folder is updated, not trusted: its stray file is not published.
    assert staging == site / ".output.staging" and reconcile
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    assert contents(site / "output") == old
    assert not (site / ".output.staging").exists()


def test_a_failed_build_removes_its_staging_folder(tmp_path):
    site = make_site(tmp_path / "site")
    assert cli("build", "--source", str(site)).code == 0
    (site / "content/notes/2024-05-05-bad.md").write_text("---\ntitle: [bad]\n---\n")
    assert cli("build", "--source", str(site)).code == 1
    assert not (site / ".output.staging").exists()
