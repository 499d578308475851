"""benchmarks/archive.py: the archive-shaped corpus has the promised shape, is deterministic,
and builds with talknotes without errors (at n = 400, a few seconds)."""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import yaml

from conftest import REPO, TODAY

sys.path.insert(0, str(REPO / "benchmarks"))
from archive import generate_archive, note_files, script_of  # noqa: E402

N = 400


def _front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text[4:text.index("\n---\n", 3)])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_archive_shape_determinism_and_build(tmp_path):
    site = generate_archive(tmp_path / "a", N)
    assert _tree(site) == _tree(generate_archive(tmp_path / "b", N)), "same seed, same bytes"
    assert _tree(site) != _tree(generate_archive(tmp_path / "c", N, seed=2))

    events = list((site / "content" / "events").glob("*.yaml"))
    assert abs(len(events) - N / 40) <= 1
    notes = [_front(p) for p in note_files(site)]
    assert len(notes) == N
    assert all(str(n["video"]).startswith("https://") for n in notes)
    assert sum(1 for n in notes if n.get("lang")) >= N // 10
    speakers = collections.Counter(s for n in notes for s in n["speakers"])
    assert 0.5 * N <= len(speakers) <= 0.7 * N
    assert len({script_of(s) for s in speakers}) >= 6
    counts = sorted(speakers.values(), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2], "skewed: the busiest speaker talks far more than the median"
    tags = {t for n in notes for t in n["tags"]}
    assert 0.8 * N / 8 <= len(tags) <= 1.2 * N / 8
    assert all(1 <= len(n["tags"]) <= 5 for n in notes)

    from generator.build import BuildOptions, build
    build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY))  # raises BuildError on any error
    assert len(list((tmp_path / "out" / "notes").glob("*/index.html"))) == N
