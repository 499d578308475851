"""Input files are hashed again only when their stat says they may have changed."""

from __future__ import annotations

import os
import time

import pytest

import generator.incremental.filedigests as fd
from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache
from generator.incremental.filedigests import FileDigests

from conftest import TODAY, copy_sample_site


@pytest.fixture
def reads(monkeypatch):
    """The paths whose bytes were read, in order."""
    seen = []
    real = fd.read_digest

    def counting(path):
        seen.append(os.path.basename(path))
        return real(path)
    monkeypatch.setattr(fd, "read_digest", counting)
    return seen


def age(path, seconds: float) -> None:
    """Set the file's mtime ``seconds`` into the past."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def test_an_old_unchanged_file_is_hashed_once(tmp_path, reads):
    note = tmp_path / "a.md"
    note.write_text("hello")
    age(note, 60)
    digests = FileDigests()
    first = digests.digest(note)
    assert digests.digest(note) == first == fd.read_digest(str(note))
    assert reads == ["a.md", "a.md"]  # once by FileDigests, once by the comparison above


def test_a_recently_written_file_is_hashed_every_time(tmp_path, reads):
    # Written within the filesystem's timestamp granularity of the hashing, a second edit
    # could keep size and mtime: such a "racy" entry is not trusted.
    note = tmp_path / "a.md"
    note.write_text("hello")
    digests = FileDigests()
    digests.digest(note)
    note.write_text("world")  # same size, probably the same mtime tick
    assert digests.digest(note) == fd.read_digest(str(note))
    assert reads.count("a.md") == 3


def test_an_edit_that_restores_size_and_mtime_is_still_seen(tmp_path):
    # Tools that keep mtimes (rsync -t, touch -r, tar) cannot set the ctime back.
    note = tmp_path / "a.md"
    note.write_text("hello")
    age(note, 60)
    before = note.stat()
    digests = FileDigests()
    old = digests.digest(note)
    time.sleep(0.02)
    note.write_text("jello")
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert note.stat().st_mtime_ns == before.st_mtime_ns
    assert digests.digest(note) != old


def test_deleted_files_are_forgotten(tmp_path):
    keep, gone = tmp_path / "keep.md", tmp_path / "gone.md"
    for path in (keep, gone):
        path.write_text(path.name)
    digests = FileDigests()
    digests.digest(keep), digests.digest(gone)
    digests.forget_unused()
    gone.unlink()
    digests.digest(keep)
    digests.forget_unused()
    assert set(digests.known) == {str(keep)}


def test_a_warm_build_reads_no_unchanged_input(tmp_path, reads):
    """The digests persist in the cache folder: a later process re-reads only what changed."""
    site = copy_sample_site(tmp_path / "site")
    for path in site.rglob("*"):
        if path.is_file():
            age(path, 60)
    options = BuildOptions(source=site, today=TODAY)
    build(options, BuildCache())
    assert len(reads) > 20
    reads.clear()
    result = build(options, BuildCache())  # a new process would start like this
    assert reads == []
    assert result.files > 0

    note = next((site / "content" / "notes").glob("*.md"))
    stat = note.stat()
    head, _, tail = note.read_text().rpartition("e")
    note.write_text(head + "E" + tail)  # a letter of the body: the same size
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    reads.clear()
    build(options, BuildCache())
    assert reads == [note.name]
