"""End to end, through the installed command: ``talknotes init``, import every source from
inside the site's folder, ``talknotes build`` with no error, old URLs redirected."""

from __future__ import annotations

import re
import subprocess
import sys

from importhelp import source

CLEAN = {
    "pyvideo": ("euroconf-2011/videos/broken.json", "euroconf-2011/videos/untitled.json",
                "euroconf-2011/videos/bad-date.json"),
    "pelican": ("content/posts/no-title.md",),
    "hugo": ("content/posts/broken-toml.md",),
    "jekyll": ("_posts/2019-10-11-bad-yaml.md", "_posts/2019-13-45-bad-date.md"),
}


def talknotes(*args, cwd):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_init_import_every_source_then_build(tmp_path):
    result = talknotes("init", "site", "--no-input", "--author", "Test Person", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for kind, broken in CLEAN.items():
        tree = source(kind, tmp_path, drop=broken)
        options = ("--aliases",) if kind == "pyvideo" else ()
        result = talknotes("import", kind, str(tree), *options, cwd=site / "content")  # found upwards
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"Imported from {kind} {tree}: ")
    result = talknotes("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower()
    output = site / "output"
    redirects = (output / "_redirects").read_text()
    for old, new in [("/pycon-demo-2019/walrus-talk.html", "/notes/pep-572-the-walrus-operator/"),
                     ("/2020/03/profiling-a-slow-import.html", "/notes/profiling-a-slow-import/"),
                     ("/2021/02/shipping-a-wheel-the-checklist/", "/notes/yaml-post/"),
                     ("/news/updates/2019/07/08/first-post/", "/notes/first-post/")]:
        assert re.search(rf"^{re.escape(old)} +{re.escape(new)} +301$", redirects, re.MULTILINE), old
    page = (output / "notes/bundled-post/index.html").read_text()
    assert "<picture" in page or "<img" in page
    assert (output / "notes/bundled-post/handout.pdf").is_file()
    assert talknotes("check", cwd=site).returncode == 0


def test_import_is_listed_and_needs_a_site(tmp_path):
    assert "import" in talknotes("--help", cwd=tmp_path).stdout
    result = talknotes("import", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "pyvideo" in result.stdout and "--aliases" in result.stdout
    result = talknotes("import", "pyvideo", str(tmp_path), "--source", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2 and "not a site folder" in result.stderr and "Traceback" not in result.stderr
    result = talknotes("import", "rss", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_not_an_archive_is_a_clear_error(tmp_path):
    assert talknotes("init", "site", "--no-input", cwd=tmp_path).returncode == 0
    (tmp_path / "empty").mkdir()
    result = talknotes("import", "pyvideo", str(tmp_path / "empty"), cwd=tmp_path / "site")
    assert result.returncode == 2 and "holds no pyvideo event" in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_manifest_is_refused_before_anything_is_written(tmp_path):
    assert talknotes("init", "site", "--no-input", cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    (site / "content/.talknotes-import.json").write_text("{not json")
    tree = source("pyvideo", tmp_path, drop=CLEAN["pyvideo"])
    notes = sorted((site / "content/notes").iterdir())
    result = talknotes("import", "pyvideo", str(tree), cwd=site)
    assert result.returncode == 2 and "content/.talknotes-import.json is damaged" in result.stderr
    assert sorted((site / "content/notes").iterdir()) == notes


def test_import_help_stays_lean(tmp_path):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", "import", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    names = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    assert names and not [n for n in names if n.split(".")[0] in ("docutils", "yaml", "markdown", "jinja2")]
