"""The speed-ups' guard (generator/markdown/speedups/guard.py): they run only with the releases they were tested
with, turn off with ``markdown: {speedups: false}``, fall back to stock code when they raise,
and a site builds to the same bytes whichever way it renders.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, build_site, copy_sample_site

from generator.markdown.speedups import lexers as lexspeed

from generator.markdown import render as md_module

from generator.markdown.speedups import highlight as mdhighlight

from generator.markdown.speedups import parser as mdspeed

from generator.markdown.speedups import guard as speedups
from generator.markdown.rendered import LinkContext

CTX = LinkContext(base_path="/")
NOTE = "# Title\n\nSome *text* and `code`.\n\n```python\ndef f(x):\n    return x * 2\n```\n"


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    """Each test starts with the speed-ups on, unwarned, and leaves the next test the same."""
    monkeypatch.setattr(speedups, "state", speedups._State())
    speedups.unsupported.cache_clear()
    yield
    speedups.unsupported.cache_clear()


def _files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def _build(root: Path, speedups_setting: bool | None = None) -> dict[str, bytes]:
    if speedups_setting is not None:
        config = root / "talknotes.yaml"
        config.write_text(config.read_text() + f"markdown:\n  speedups: {str(speedups_setting).lower()}\n")
    output = root.parent / (root.name + "-output")
    build_site(root, output=output)
    return _files(output)


def _warnings(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if "speed-ups are off" in line]


@pytest.fixture(scope="module")
def sample_reference(tmp_path_factory) -> dict[str, bytes]:
    """The sample site built with the speed-ups, as the other builds must come out."""
    speedups.unsupported.cache_clear()
    assert speedups.enabled(), speedups.unsupported()
    return _build(copy_sample_site(tmp_path_factory.mktemp("reference") / "site"))


# --- the tested releases ------------------------------------------------------------------

FIX = ("Re-read the upstream change against generator/markdown/speedups/parser.py or lexspeed.py and mend the copy "
       "if needed; then record the release in generator/markdown/speedups/guard.py (RELEASES, and in SOURCES the "
       "new digests that `python -m generator.markdown.speedups.guard` prints), raise RANGES and pyproject.toml's "
       "bound if the release is outside them, and run tests/markdown/test_mdspeed.py and tests/markdown/test_lexspeed.py "
       "(docs/performance.md, 'Speed-ups and their guard').")


@pytest.mark.parametrize("library", sorted(speedups.LIBRARIES))
def test_installed_release_is_tested_and_its_sources_are_the_recorded_ones(library):
    version = speedups.installed(library)
    untested = f"{library} {version} is not a release the speed-ups were tested with. "
    assert speedups.tested(library, version), untested + FIX
    missing = [t for t, digest in speedups.expected_digests(library, version).items() if digest is None]
    assert not missing, f"no digest recorded for {missing}. {FIX}"
    changed = speedups.changed_sources(library, version)
    assert not changed, f"{library} {version}: the upstream code the speed-ups rely on changed: {changed}. {FIX}"


def test_ranges_are_pyprojects_and_hold_every_tested_release():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(line.split("==") for line in (REPO / ".ci" / "oldest.txt").read_text().split()
                if "==" in line and not line.startswith("#"))
    for library, (low, high) in speedups.RANGES.items():
        assert f"{library}>={low},<{high}" in declared
        releases = speedups.RELEASES[library].split()
        assert releases == sorted(releases, key=speedups.release)
        assert all(speedups.in_range(library, r) for r in releases)
        assert speedups.release(pins[library]) == speedups.release(low) == speedups.release(releases[0])
        for history in speedups.SOURCES[library].values():
            assert set(history) <= set(releases) and releases[0] in history


@pytest.mark.parametrize(("version", "expected"), [
    ("3.5", (3, 5)), ("3.10.0", (3, 10)), ("3.11.3", (3, 11, 3)), ("2.16.0", (2, 16)),
    ("3.12.0rc1", (3, 12)), ("3.12rc1", (3, 12)), ("3.11.4.dev2", (3, 11, 4)), ("3.6+deb12", (3, 6)),
])
def test_release(version, expected):
    assert speedups.release(version) == expected


def test_the_guard_decides_without_importing_the_libraries():
    import subprocess
    import sys
    code = ("import sys; from generator.markdown.speedups import guard as speedups; speedups.installed('markdown'); "
            "speedups.tested('markdown', '3.5'); speedups.in_range('pygments', '2.16.0'); "
            "assert 'markdown' not in sys.modules and 'pygments' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --- the same bytes either way ------------------------------------------------------------

def test_sample_site_builds_the_same_without_speedups(tmp_path, sample_reference):
    assert _build(copy_sample_site(tmp_path / "site"), speedups_setting=False) == sample_reference
    assert speedups.state.fast_renders == 0


def test_benchmark_corpus_builds_the_same_without_speedups(tmp_path, monkeypatch):
    """Enough notes for a pool of workers: the setting reaches them, and their warm-up, too."""
    import os
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    log = tmp_path / "ran"
    original = mdspeed.SkippingInlineProcessor.run

    def run(self, *args):  # forked workers inherit this spy: each writes its process id
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return original(self, *args)

    monkeypatch.setattr(mdspeed.SkippingInlineProcessor, "run", run)
    fast, stock = (corpus.generate(tmp_path / name, 60) for name in ("fast", "stock"))
    fast_files = _build(fast)
    assert str(os.getpid()) not in log.read_text().split()  # the workers rendered, with the speed-ups
    log.unlink()
    assert _build(stock, speedups_setting=False) == fast_files
    assert not log.exists()


def test_speedups_false_runs_no_patched_code(tmp_path, monkeypatch):
    ran = []
    for owner, name in ((mdspeed, "speed_up"), (mdspeed.SkippingInlineProcessor, "run"),
                        (mdhighlight, "get_lexer_by_name"), (mdhighlight._RememberingFormatter, "format"),
                        (mdhighlight, "rendering"), (lexspeed, "speed_up")):
        original = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _o=original, _n=name, **k: ran.append(_n) or _o(*a, **k))
    root = copy_sample_site(tmp_path / "site")
    _build(root, speedups_setting=False)
    assert ran == [] and speedups.state.fast_renders == 0
    html = md_module.render(NOTE, "notes/x.md", 1, CTX, speedups=False).html
    assert ran == [] and '<span class="k">def</span>' in html
    md_module.render(NOTE, "notes/x.md", 1, CTX)
    assert "run" in ran and speedups.state.fast_renders == 1  # the spies do see them when on


def test_the_setting_is_validated(tmp_path):
    from generator.config.settings import load_config
    (tmp_path / "talknotes.yaml").write_text("markdown:\n  speedups: no-thanks\n")
    _, problems = load_config(tmp_path)
    assert [(p.field, p.message) for p in problems] == [("markdown", "speedups: expected true or false, got text")]
    (tmp_path / "talknotes.yaml").write_text("markdown:\n  raw_html: escape\n")
    config, problems = load_config(tmp_path)
    assert not problems and config.markdown == {"raw_html": "escape", "speedups": True}
    (tmp_path / "talknotes.yaml").unlink()
    config, _ = load_config(tmp_path)
    assert config.markdown["speedups"] is True


# --- outside the tested releases ----------------------------------------------------------

@pytest.mark.parametrize(("library", "version"), [("markdown", "3.4.4"), ("markdown", "3.12"), ("pygments", "2.22.0")])
def test_outside_the_range_the_build_warns_once_and_is_the_same(tmp_path, monkeypatch, capsys, sample_reference,
                                                                 library, version):
    real = speedups.installed
    monkeypatch.setattr(speedups, "installed", lambda name: version if name == library else real(name))
    assert _build(copy_sample_site(tmp_path / "site")) == sample_reference
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == 1 and f" {version} is outside the releases they were tested with" in warned[0]
    assert warned[0].startswith("talknotes: warning: Markdown speed-ups are off")
    assert speedups.state.fast_renders == 0


def test_an_untested_release_in_range_is_checked_by_its_sources(monkeypatch, capsys):
    real = speedups.installed
    version = speedups.installed("markdown")
    newer = version + ".0.1"  # after the installed release, before any other tested one
    monkeypatch.setattr(speedups, "installed", lambda name: newer if name == "markdown" else real(name))
    assert speedups.in_range("markdown", newer) and not speedups.tested("markdown", newer)
    assert speedups.enabled()  # its sources are those of the tested release below it
    target = "markdown.blockparser:BlockParser.parseBlocks"
    history = speedups.SOURCES["markdown"][target]
    monkeypatch.setitem(speedups.SOURCES["markdown"], target, {**history, version: "0" * 16})
    speedups.unsupported.cache_clear()
    assert not speedups.enabled()
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == 1
    assert "was not tested with them and changed code they rely on (BlockParser.parseBlocks)" in warned[0]
    assert md_module.render(NOTE, "notes/x.md", 1, CTX).html == md_module.render(NOTE, "notes/x.md", 1, CTX,
                                                                                 speedups=False).html


# --- when a speed-up raises ---------------------------------------------------------------

def _raise(error):
    def fail(*args, **kwargs):
        raise error
    return fail


@pytest.mark.parametrize(("owner", "name"), [
    (mdspeed.SkippingInlineProcessor, "_InlineProcessor__handleInline"),  # inline patterns
    (mdspeed, "_block_skip"),  # an instance being sped up
    (lexspeed._Dispatch, "rules_at"),  # Pygments' token loop
    (mdhighlight._RememberingFormatter, "format"),  # the remembered code blocks
])
def test_a_failing_speedup_falls_back_with_one_warning_and_the_same_html(tmp_path, monkeypatch, capsys,
                                                                         sample_reference, owner, name):
    md_module._instances.clear()  # so that instances are sped up again, through the failing code too
    mdhighlight._lexers.clear()
    monkeypatch.setattr(owner, name, _raise(RuntimeError("injected")))
    assert _build(copy_sample_site(tmp_path / "site")) == sample_reference
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == 1 and "after they failed on content/" in warned[0] and "RuntimeError: injected" in warned[0]
    # Off for the rest of the process: the first failure was the last document they rendered.
    assert speedups.state.fallbacks == 1 and speedups.state.failure == "RuntimeError: injected"
    md_module._instances.clear()
    mdhighlight._lexers.clear()


def test_stock_failures_are_not_the_speedups(monkeypatch, capsys):
    """What stock code raises too is raised as without the speed-ups, and leaves them on."""
    def hook(*args):
        raise ValueError("the image hook's own")
    with pytest.raises(ValueError, match="the image hook's own"):
        md_module.render("![a](photo.jpg)", "notes/x.md", 1, LinkContext("/", files=frozenset({"notes/photo.jpg"})),
                         hook)
    assert speedups.state.failure is None and not _warnings(capsys.readouterr().err)
    assert speedups.enabled()


def test_a_recursion_error_is_retried_with_stock_code_and_leaves_them_on(monkeypatch, capsys):
    """One frame more than stock code at Python's recursion limit is no fault of the speed-ups."""
    stock = md_module.render(NOTE, "notes/x.md", 1, CTX, speedups=False)
    monkeypatch.setattr(mdspeed.SkippingInlineProcessor, "_InlineProcessor__handleInline",
                        _raise(RecursionError("deep")))
    assert md_module.render(NOTE, "notes/x.md", 1, CTX) == stock
    assert speedups.state.fallbacks == 1 and speedups.state.failure is None
    assert not _warnings(capsys.readouterr().err)


def test_the_warning_is_given_once_per_process(monkeypatch, capsys):
    monkeypatch.setattr(mdspeed.SkippingInlineProcessor, "_InlineProcessor__handleInline",
                        _raise(KeyError("first")))
    for source in ("notes/a.md", "notes/b.md"):
        md_module.render(NOTE, source, 1, CTX)
    speedups.state.failure = None  # as if on again, failing again: still one line
    md_module.render(NOTE, "notes/c.md", 1, CTX)
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == 1 and "content/notes/a.md" in warned[0]
    assert re.search(r"\(KeyError: 'first'\) \(the pages are the same", warned[0])
