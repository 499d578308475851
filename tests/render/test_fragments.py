"""``{% call cached(...) %}``: a fragment renders once per key and build, pages that reuse it
still count what it read from ``site``, and the default theme's pages and the built-in feeds
are the same bytes with and without it."""

from __future__ import annotations

import filecmp
from pathlib import Path

import jinja2

from conftest import build_site, copy_sample_site
from generator.render import fragments
from generator.incremental.fingerprint import TrackedSite
from generator.render.fragments import FragmentMemo


class _Site:
    tags = ("django", "python")
    notes = ("a", "b")


def _env(memo, counter):
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(cached=memo, count=counter)
    return env


def test_a_fragment_renders_once_per_key():
    calls = []

    def count():
        calls.append(1)
        return len(calls)

    memo = FragmentMemo()
    page = _env(memo, count).from_string(
        '{% for item in items %}{% call cached("card", item, level) %}<{{ item }}:{{ count() }}>{% endcall %}{% endfor %}')
    first, second = object(), object()  # objects key by identity, not by value
    assert page.render(items=["x", "y", "x"], level=2) == "<x:1><y:2><x:1>"
    assert page.render(items=["x"], level=3) == "<x:3>"  # another level, another fragment
    assert page.render(items=[first, second, first], level=2).count(":") == 3
    assert len(calls) == 5
    assert page.render(items=["<b>"], level=2) == "<&lt;b&gt;:6>"  # escaped once, kept as markup


def test_pages_reusing_a_fragment_count_what_it_read():
    tracked = TrackedSite(_Site())
    memo = FragmentMemo(tracked)
    env = _env(memo, lambda: 0)
    page = env.from_string('{{ site.notes | length }}{% call cached("tags") %}{{ site.tags | join(",") }}{% endcall %}')
    reads = []
    for _ in range(2):
        tracked.read.clear()
        assert page.render(site=tracked) == "2django,python"
        reads.append(set(tracked.read))
    assert reads == [{"notes", "tags"}, {"notes", "tags"}]  # the second page read "tags" only through the memo
    other = env.from_string('{% call cached("tags") %}unused{% endcall %}')
    tracked.read.clear()
    assert other.render() == "django,python" and tracked.read == {"tags"}


def test_default_theme_pages_are_the_same_without_the_memo(tmp_path, monkeypatch):
    site = copy_sample_site(tmp_path / "site")
    build_site(site, output=tmp_path / "with")
    monkeypatch.setattr(fragments.FragmentMemo, "__call__", lambda self, *key, caller: caller())
    build_site(site, output=tmp_path / "without")  # another output folder: every page is rendered
    compared = _compare(tmp_path / "with", tmp_path / "without")
    assert compared > 30  # note pages, tag, month, event and speaker lists, the home page, feeds


def _compare(a: Path, b: Path) -> int:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.suffix in (".html", ".xml"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.suffix in (".html", ".xml"))
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(f) for f in files], shallow=False)
    assert not mismatch and not errors, mismatch[:5]
    return len(files)
