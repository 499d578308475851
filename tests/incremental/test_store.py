"""The one incremental store: keyed by the toolchain, in the cache folder only, discarded whole
when it was written by another schema or toolchain; template dependencies from Jinja's parser."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap

import pytest

import generator.incremental.store as cache_module
import generator.incremental.toolchain as toolchain_module
from conftest import REPO, TODAY
from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache
from generator.incremental.manifest import load_manifest
from generator.output.writer import OutputFile
from test_incremental import clean_build, make_site, tree

CODE = "\n```python\ndef twice(x):\n    return 2 * x\n```\n"


def pretend(monkeypatch, **versions) -> None:
    """As if these distributions had another version installed (a new process: read afresh)."""
    real = toolchain_module._versions
    monkeypatch.setattr(toolchain_module, "_versions", lambda names: {**real(names), **versions})
    monkeypatch.setattr(toolchain_module, "_toolchain", None)


def documents(site) -> int:
    return len(list((site / "content").rglob("*.md")))


def clean_counts(site, output):
    """A clean build into ``output`` (replaced), and what it rendered."""
    cache = BuildCache()
    import shutil
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(site / ".cache", ignore_errors=True)
    build(BuildOptions(source=site, output=output, today=TODAY), cache)
    return cache.counts


def jinja_files(site) -> set[str]:
    folder = site / ".cache" / "jinja"
    return set(os.listdir(folder)) if folder.is_dir() else set()


def test_the_toolchain_names_every_dependency_without_importing_one():
    """Read from installed metadata: importing Python-Markdown (or importlib.metadata, 15 ms)
    to learn a version would cost a build where nothing changed more than the check saves."""
    code = ("import sys, generator.incremental.toolchain as c; print(c.toolchain()); "
            "print(sorted(m for m in ('markdown', 'pygments', 'jinja2', 'PIL', 'yaml', 'importlib.metadata') "
            "if m in sys.modules))")
    lines = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True,
                           text=True).stdout.splitlines()
    import importlib.metadata
    assert lines[0] == ", ".join([f"talknotes {toolchain_module.__version__}",
                                  *(f"{name} {importlib.metadata.version(name)}" for name in toolchain_module.DEPENDENCIES)])
    assert lines[1] == "[]"


def test_a_new_dependency_version_renders_everything_again(tmp_path, monkeypatch):
    """``pip install -U pygments`` on an unchanged site: the old HTML is not kept."""
    site = make_site(tmp_path / "site", random.Random(7))
    note = site / "content" / "notes" / "note-1.md"
    note.write_text(note.read_text() + CODE)
    output = tmp_path / "out"
    options = BuildOptions(source=site, output=output, today=TODAY)
    build(options, BuildCache())
    cache = BuildCache()
    build(options, cache)
    assert cache.counts["unchanged"] == 1  # nothing changed: the shortcut is taken
    compiled = jinja_files(site)
    assert compiled

    pretend(monkeypatch, Pygments="99.0")
    cache = BuildCache()
    build(options, cache)
    assert cache.counts["unchanged"] == 0
    assert cache.counts["markdown"] == documents(site)  # no Markdown result of the old toolchain trusted
    assert jinja_files(site) and not jinja_files(site) & compiled  # templates compiled afresh
    monkeypatch.undo()
    assert cache.counts["pages"] == clean_counts(site, tmp_path / "clean")["pages"]  # nor any page
    assert tree(output) == tree(tmp_path / "clean")


@pytest.mark.parametrize("foreign", ["schema", "toolchain"])
def test_a_store_of_another_version_is_discarded_whole(tmp_path, monkeypatch, foreign):
    site = make_site(tmp_path / "site", random.Random(8))
    output = tmp_path / "out"
    options = BuildOptions(source=site, output=output, today=TODAY)
    if foreign == "schema":
        monkeypatch.setattr(cache_module, "SCHEMA_VERSION", cache_module.SCHEMA_VERSION - 1)
    else:
        pretend(monkeypatch, Jinja2="2.0", PyYAML="5.0")
    build(options, BuildCache())
    written_by = cache_module.store_version()
    compiled = jinja_files(site)
    legacy = site / ".cache" / "manifest-0123456789abcdef.json"  # how talknotes 0.2 kept manifests
    legacy.write_text('{"generator": "0.2.0", "files": {}}')
    monkeypatch.undo()

    assert written_by != cache_module.store_version()
    cache = BuildCache()
    build(options, cache)
    assert cache.counts["unchanged"] == 0 and cache.counts["markdown"] == documents(site)
    with sqlite3.connect(site / ".cache" / "talknotes.sqlite") as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (cache_module.store_version(),)
    assert not legacy.exists() and not jinja_files(site) & compiled
    assert cache.counts["pages"] == clean_counts(site, tmp_path / "clean")["pages"]
    assert tree(output) == tree(tmp_path / "clean")


def test_the_dev_server_starts_clean_after_a_discarded_store(tmp_path, monkeypatch):
    """In place, with no manifest to say what the folder holds, pages of deleted notes still go."""
    site = make_site(tmp_path / "site", random.Random(9))
    output = tmp_path / "serve"
    options = BuildOptions(source=site, output=output, today=TODAY, in_place=True)
    pretend(monkeypatch, Markdown="1.0")
    build(options, BuildCache())
    monkeypatch.undo()
    (site / "content" / "notes" / "note-2.md").unlink()
    build(options, BuildCache())  # a new `talknotes serve`, after an upgrade
    clean_build(site, tmp_path / "clean")
    assert tree(output) == tree(tmp_path / "clean")


def test_the_manifest_is_typed_records_in_the_store(tmp_path):
    site = make_site(tmp_path / "site", random.Random(10))
    output = tmp_path / "out"
    result = build(BuildOptions(source=site, output=output, today=TODAY), BuildCache())
    manifest = load_manifest(BuildCache(), site / ".cache", output)  # a new process reads it back
    assert len(manifest) == result.files == len(tree(output))
    page = manifest["index.html"]
    assert isinstance(page, OutputFile) and page.key and page.digest
    stat = (output / "index.html").stat()
    assert (page.size, page.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert page[1:3] == (page.size, page.mtime_ns)  # still readable by position
    assert not list((site / ".cache").glob("*.json"))


def test_every_cache_is_under_the_cache_folder(tmp_path, monkeypatch):
    """After builds that made everything talknotes keeps (Markdown, templates, images, the
    replaced site), nothing is left in the temp dir, the home folder, or beside the output."""
    from PIL import Image
    temp, home = tmp_path / "temp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(temp))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    site = make_site(tmp_path / "site", random.Random(11))
    bundle = site / "content" / "notes" / "photo-note"
    bundle.mkdir()
    Image.new("RGB", (640, 400), (200, 90, 160)).save(bundle / "slide.png")
    (bundle / "index.md").write_text("---\ntitle: Photo\ndate: 2021-01-02\nimage: slide.png\n---\n\n"
                                     "![A slide](slide.png)\n" + CODE)
    (tmp_path / "public").mkdir()
    output = tmp_path / "public" / "site"
    options = BuildOptions(source=site, output=output, today=TODAY)
    build(options, BuildCache())
    note = site / "content" / "notes" / "note-1.md"
    note.write_text(note.read_text() + "\nAn edit.\n")
    build(options, BuildCache())

    assert list(temp.iterdir()) == [] and list(home.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == ["site"]
    assert sorted(p.name for p in site.iterdir()) == [".cache", "content", "talknotes.yaml"]
    kept = sorted(p.name for p in (site / ".cache").iterdir())
    assert {"talknotes.sqlite", "jinja", "images"} <= set(kept)
    assert all(name.startswith(("talknotes.sqlite", "previous-site-")) or name in ("jinja", "images")
               for name in kept), kept


def write_templates(site, part: str) -> None:
    folder = site / "templates"
    folder.mkdir(exist_ok=True)
    # The included name is a variable: no regular expression over the source can know it.
    (folder / "tags.html").write_text(textwrap.dedent("""\
        {% extends "base.html" %}
        {% set part = "parts/" ~ "tag-intro.html" %}
        {% block main %}<h1>Tags</h1>{% include part %}{% endblock %}
        """))
    (folder / "parts").mkdir(exist_ok=True)
    (folder / "parts" / "tag-intro.html").write_text(f"<p>{part}</p>\n")


@pytest.mark.parametrize("in_place", [False, True], ids=["build", "serve"])
def test_a_template_included_by_a_variable_name_is_a_dependency(tmp_path, in_place):
    site = make_site(tmp_path / "site", random.Random(12))
    write_templates(site, "First intro")
    output = tmp_path / "out"
    options = BuildOptions(source=site, output=output, today=TODAY, in_place=in_place)
    cache = BuildCache()  # the dev server keeps one cache between rebuilds; a build starts a new one
    build(options, cache)
    assert "First intro" in (output / "tags" / "index.html").read_text()
    write_templates(site, "Second intro")
    build(options, cache if in_place else BuildCache())
    assert "Second intro" in (output / "tags" / "index.html").read_text()
    clean_build(site, tmp_path / "clean")
    assert tree(output) == tree(tmp_path / "clean")


@pytest.mark.parametrize("source, names", [
    ('{% extends "base.html" %}', ["base.html"]),
    ('{% import "macros.html" as m %}{% from "forms.html" import field %}', ["macros.html", "forms.html"]),
    ('{% include ["a.html", "b.html"] ignore missing %}', ["a.html", "b.html"]),
    ("{% include part %}", [None]),
    ('{% include "a.html" if wide else "b.html" %}', [None]),
    ("{% extends layout %}", [None]),
    ("{% include %}", [None]),  # does not parse: assume the worst
])
def test_referenced_templates_are_what_jinjas_parser_finds(source, names):
    from generator.incremental.fingerprint import referenced_templates
    assert referenced_templates(source) == names


def test_each_templates_references_are_parsed_once_and_kept_in_the_store(tmp_path, monkeypatch):
    from generator.incremental import fingerprint
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text('{% extends "base.html" %}')
    (folder / "base.html").write_text("<main>{% block main %}{% endblock %}</main>")
    parsed = []
    real = fingerprint.referenced_templates
    monkeypatch.setattr(fingerprint, "referenced_templates", lambda text: parsed.append(text) or real(text))
    cache = BuildCache()
    cache.attach(tmp_path / ".cache")
    first = fingerprint.Fingerprints(None, {}, [], [folder], remember=cache.memo).template("page.html")
    assert len(parsed) == 2
    cache.flush()
    later = BuildCache()  # a new process
    later.attach(tmp_path / ".cache")
    assert fingerprint.Fingerprints(None, {}, [], [folder], remember=later.memo).template("page.html") == first
    assert len(parsed) == 2


def test_a_forked_worker_never_touches_the_parents_database(tmp_path):
    """Page workers are forked with the build's store: a SQLite connection must not be used
    across a fork, so their look-ups miss (and they compute) instead of reading through it."""
    cache = BuildCache()
    cache.attach(tmp_path / ".cache")
    cache.remember("kind", "key", 42)
    cache.flush()
    cache.values.clear()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            class Refusing:
                def execute(self, *args):
                    os._exit(3)
            cache.db = Refusing()
            os.write(write, repr((cache.memo("kind", "key", lambda: "computed"), cache._get("kind:key"))).encode())
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 100).decode()
    assert os.waitpid(pid, 0)[1] == 0
    assert answer == "('computed', None)"
    assert cache._get("kind:key") == 42  # the parent still reads its own
