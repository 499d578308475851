"""The progress line: ``stage done/total`` redrawn in place on a terminal, nothing anywhere else.

Unit tests drive :class:`generator.progress.Progress` on a fake terminal (a StringIO whose
``isatty()`` is true), with a frozen clock where throttling matters, so nothing depends on
timing. End-to-end tests run ``talknotes build`` with stderr on a pseudo-terminal.
"""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator import progress as progress_module
from generator.progress import CLEAR, NO_PROGRESS, Progress

NOTES = 30
REPO = Path(__file__).resolve().parent.parent


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def shown(text: str) -> list[str]:
    """What the line showed, redraw after redraw."""
    return [part for part in text.split(CLEAR) if part]


# ---------------------------------------------------------------- the Progress object

def test_counts_overwrite_one_line_end_with_the_final_count_and_are_cleared():
    stream = FakeTerminal()
    line = Progress.for_stream(stream)
    assert isinstance(line, Progress)
    line.start("markdown", 3)
    for _ in range(3):
        line.advance()
    assert stream.getvalue().startswith(CLEAR + "markdown 0/3")
    assert shown(stream.getvalue())[-1] == "markdown 3/3"
    assert "\n" not in stream.getvalue()
    line.finish()
    assert stream.getvalue().endswith("markdown 3/3" + CLEAR)
    line.finish()  # nothing left to clear
    assert stream.getvalue().endswith("markdown 3/3" + CLEAR)


def test_a_stage_without_a_total_shows_its_name():
    stream = FakeTerminal()
    line = Progress(stream)
    line.start("pages", 2)
    line.advance(2)
    line.start("search")
    line.finish()
    assert shown(stream.getvalue()) == ["pages 0/2", "pages 2/2", "search"]


def test_redraws_are_throttled_but_the_last_count_is_always_shown(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: 1000.0)  # no time passes
    line = Progress(stream)
    line.start("pages", 500)
    for _ in range(500):
        line.advance()
    assert shown(stream.getvalue()) == ["pages 0/500", "pages 500/500"]


def test_advancing_from_several_threads_counts_every_item():
    stream = FakeTerminal()
    line = Progress(stream)
    line.start("markdown", 4000)

    def work() -> None:
        for _ in range(1000):
            line.advance()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert line.done == 4000
    assert shown(stream.getvalue())[-1] == "markdown 4000/4000"


def test_no_terminal_or_quiet_shows_nothing():
    for stream, quiet in ((io.StringIO(), False), (FakeTerminal(), True)):
        line = Progress.for_stream(stream, quiet=quiet)
        assert line is NO_PROGRESS
        line.start("markdown", 2)
        line.advance(2)
        line.finish()
        assert stream.getvalue() == ""
    with open(os.devnull, "w") as closed:
        pass
    assert Progress.for_stream(closed) is NO_PROGRESS  # isatty() raises ValueError
    assert Progress.for_stream(object()) is NO_PROGRESS  # no isatty at all


def test_a_terminal_gone_away_does_not_fail_the_caller():
    stream = FakeTerminal()
    line = Progress(stream)
    stream.close()
    line.start("markdown", 1)
    line.advance()
    line.finish()


# ---------------------------------------------------------------- a whole build

def make_site(root: Path, notes: int = NOTES) -> Path:
    """A site of ``notes`` notes; the first shows an image without alt text (a build warning)."""
    from PIL import Image
    folder = root / "content" / "notes"
    folder.mkdir(parents=True)
    for i in range(notes):
        body = f"Talk {i}, with `code`.\n\n```python\nx = {i}\n```\n"
        if i == 0:
            body += "\n![](photo.png)\n"
        (folder / f"2024-01-{i % 28 + 1:02d}-talk-{i}.md").write_text(
            f"---\ntitle: Talk {i}\ndate: 2024-01-{i % 28 + 1:02d}\ntags: [t{i % 5}]\n---\n\n{body}")
    Image.new("RGB", (64, 48), (200, 120, 40)).save(folder / "photo.png")
    (root / "talknotes.yaml").write_text("title: Progress test\nbase_url: https://example.org/\n")
    return root


def test_a_build_starts_and_counts_each_stage(tmp_path):
    from conftest import TODAY
    from generator.build import BuildOptions, build
    stream = FakeTerminal()
    site = make_site(tmp_path / "site")
    result = build(BuildOptions(source=site, today=TODAY, progress=Progress(stream)))
    seen = shown(stream.getvalue())
    assert f"markdown {NOTES}/{NOTES}" in seen
    assert "images 1/1" in seen
    assert f"pages {result.pages}/{result.pages}" in seen
    stages = list(dict.fromkeys(line.split()[0] for line in seen))
    assert stages == ["load", "markdown", "images", "search", "pages", "report", "write"]
    assert stream.getvalue().endswith(CLEAR)


def talknotes_build(site: Path, output: Path, *flags: str, terminal: bool) -> tuple[str, str]:
    """``talknotes build`` in a subprocess: (stdout, stderr), stderr on a pseudo-terminal if asked."""
    command = [sys.executable, "-m", "generator", "build", "--source", str(site), "--output", str(output), *flags]
    if not terminal:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr
    master, slave = os.openpty()
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, cwd=REPO)
    finally:
        os.close(slave)  # the child's copy is the only one left: reading ends when it exits
    try:
        stdout = process.communicate(timeout=120)[0].decode()
        assert process.returncode == 0
        err = b""
        while select.select([master], [], [], 2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
    return stdout, err.decode().replace("\r\n", "\n")  # the terminal turns \n into \r\n


def without_progress(stderr: str) -> str:
    """``stderr`` less the progress line: each redraw (followed by the next) and the final clear."""
    return re.sub(r"\r\x1b\[K[^\r\n]*(?=\r\x1b\[K)", "", stderr).replace(CLEAR, "", 1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same site built three ways, each into its own output (so none is a no-change build)."""
    site = make_site(tmp_path_factory.mktemp("progress") / "site")
    out = site.parent
    return {
        "terminal": talknotes_build(site, out / "a", terminal=True),
        "quiet": talknotes_build(site, out / "b", "--quiet", terminal=True),
        "piped": talknotes_build(site, out / "c", terminal=False),
    }


def test_a_terminal_shows_markdown_and_pages_counts(runs):
    stdout, stderr = runs["terminal"]
    assert re.search(rf"\r\x1b\[Kmarkdown {NOTES}/{NOTES}\r", stderr)
    pages = re.findall(r"\r\x1b\[Kpages (\d+)/(\d+)", stderr)
    assert pages and pages[-1][0] == pages[-1][1]
    assert f"Built {pages[-1][1]} pages" in stdout
    assert stderr.index(CLEAR + "write") < stderr.index("image has no alt text")  # cleared before


def test_quiet_or_piped_stderr_shows_only_the_usual_output(runs):
    _, piped = runs["piped"]
    assert "image has no alt text" in piped and "\r" not in piped
    for name in ("quiet", "terminal"):
        stdout, stderr = runs[name]
        assert stdout.splitlines()[0].startswith("Built ")
    assert runs["quiet"][1] == piped
    assert without_progress(runs["terminal"][1]) == piped
