"""What a stranger gets: the wheel built from this repository, installed (not editable) into a
fresh virtual environment, then ``talknotes init`` in an empty folder outside the checkout and
``build``, ``check`` and ``serve`` there, with no warning on the way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's bin folder, the wheel): the wheel built from this checkout, installed into a
    venv that cannot see the checkout or the test environment's packages."""
    root = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(REPO)],
                   check=True, env=env, cwd=root)
    wheel = next((root / "dist").glob("talknotes-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    bin_dir = root / "venv" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, env=env, cwd=root)
    return bin_dir, wheel


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bin_dir / "talknotes"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_wheel_carries_the_default_theme_and_the_built_in_templates(installed):
    _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    theme_files = [p.relative_to(REPO / "themes").as_posix() for p in (REPO / "themes").rglob("*") if p.is_file()]
    assert theme_files and all(f"generator/themes/{f}" in names for f in theme_files)
    builtin = [p.relative_to(REPO / "generator").as_posix() for p in (REPO / "generator/builtin").rglob("*") if p.is_file()]
    assert builtin and all(f"generator/{f}" in names for f in builtin)
    assert "generator/commands/starter/keep-cache/index.js" in names  # the Netlify plugin init copies
    assert not any(n.startswith(("content/", "tests/", "themes/")) for n in names)


def test_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    bin_dir, _ = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    found = subprocess.run([str(bin_dir / "python"), "-c", "import generator; print(generator.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(found).is_relative_to(bin_dir.parent), found


def test_init_then_build_check_and_serve_with_no_warnings(installed, tmp_path):
    bin_dir, _ = installed
    made = _run(bin_dir, "init", "my-talks", "--title", "Talks: the «best» of 2026", "--author", "Zoë O'Brien",
                "--base-url", "https://talks.example.org/notes/", "--language", "fr", "--timezone",
                "Europe/Paris", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stderr == ""
    site = tmp_path / "my-talks"
    for rel in ("talknotes.yaml", "netlify.toml", ".gitignore", "README.md", "requirements.txt",
                ".github/workflows/pull-request.yml", "content/pages/about.md",
                "content/events/example-meetup.yaml", "netlify/plugins/keep-cache/index.js"):
        assert (site / rel).is_file(), rel
    assert [p.name for p in (site / "content/notes").iterdir()][0].endswith("-welcome-to-talknotes.md")
    assert {"/output/", "/.cache/"} <= set((site / ".gitignore").read_text().split())
    workflow = (site / ".github/workflows/pull-request.yml").read_text()
    assert "talknotes check --format github" in workflow and "talknotes build" in workflow

    built = _run(bin_dir, "build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # not one warning
    note = next((site / "output/notes").glob("*/index.html")).read_text(encoding="utf-8")
    assert "Talks: the «best» of 2026" in note and "Zoë O&#39;Brien" in note
    assert 'lang="fr"' in note
    assert "https://talks.example.org/notes/" in (site / "output/sitemap.xml").read_text(encoding="utf-8")

    checked = _run(bin_dir, "check", cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr == "" and "no problems" in checked.stdout

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    server = subprocess.Popen([str(bin_dir / "talknotes"), "serve", "--port", "0"], cwd=site, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "Serving" not in line:
            line = server.stdout.readline()
            assert line, server.stderr.read()
        address = re.search(r"http://\S+", line).group(0)
        with urllib.request.urlopen(address + "about/", timeout=30) as response:
            assert response.status == 200
            assert "Talks: the «best» of 2026" in response.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_refuses_a_folder_that_is_not_empty_and_changes_nothing(installed, tmp_path):
    bin_dir, _ = installed
    site = tmp_path / "blog"
    (site / "posts").mkdir(parents=True)
    (site / "posts" / "hello.md").write_text("# Hello\n")
    (site / "talknotes.yaml").write_text("title: Mine\n")
    before = _snapshot(site)
    refused = _run(bin_dir, "init", "blog", cwd=tmp_path)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "nothing was changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _snapshot(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog"]  # no leftover staging folder
