"""Updating an older site in a staging folder: whatever it holds, the result is exactly the new site."""

from __future__ import annotations

from generator.output.writer import OutputFile, Writer


def files(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_file_where_a_folder_goes_and_a_folder_where_a_file_goes(tmp_path):
    staging, live = tmp_path / "staging", tmp_path / "live"
    live.mkdir()
    (staging / "talks" / "old").mkdir(parents=True)
    (staging / "notes").write_text("an older site's file named like the new folder")
    (staging / "talks" / "old" / "index.html").write_text("old page")
    (staging / ".index.html.tmp").write_text("left by a killed build")
    writer = Writer(staging, live, {}, reconcile=True)
    writer.write("notes/a/index.html", "<p>a</p>")
    writer.write("talks", "a file where the older site had a folder")
    writer.write("index.html", "home")
    writer.finish()
    assert files(staging) == {"index.html": b"home", "notes/a/index.html": b"<p>a</p>",
                              "talks": b"a file where the older site had a folder"}
    assert not any(p.is_dir() and not any(p.iterdir()) for p in staging.rglob("*"))  # no empty folders


def test_unchanged_files_become_the_live_files_without_writing_through_them(tmp_path):
    staging, live = tmp_path / "staging", tmp_path / "live"
    (live / "notes").mkdir(parents=True)
    (live / "notes" / "same.html").write_text("same")
    (staging / "notes").mkdir(parents=True)
    (staging / "notes" / "same.html").write_text("an older version")
    stat = (live / "notes" / "same.html").stat()
    manifest = {"notes/same.html": OutputFile("d", stat.st_size, stat.st_mtime_ns, "key")}
    writer = Writer(staging, live, manifest, reconcile=True)
    assert writer.unchanged("notes/same.html", "key")
    writer.finish()
    assert (staging / "notes" / "same.html").stat().st_ino == stat.st_ino  # the live file, linked
    assert (live / "notes" / "same.html").read_text() == "same"
