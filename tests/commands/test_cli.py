"""The command line: version, help, python -m, and a lean start-up."""

from __future__ import annotations

import subprocess
import sys


HEAVY = ("PIL", "pygments", "jinja2", "watchdog", "markdown", "yaml")


def run(*args, **kwargs):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, **kwargs)


def imported_modules(*args) -> set[str]:
    result = run("-X", "importtime", "-m", "generator", *args)
    assert result.returncode == 0, result.stderr
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, "no -X importtime output"
    return names


def test_version_imports_nothing_heavy():
    from generator import __version__
    result = run("-m", "generator", "--version")
    assert result.stdout.strip() == f"talknotes {__version__}"
    loaded = imported_modules("--version")
    assert "generator.cli" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_help_imports_nothing_heavy():
    loaded = imported_modules("--help")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_console_script_is_installed():
    result = subprocess.run(["talknotes", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "build" in result.stdout


def test_build_from_inside_the_site_folder(tmp_path):
    from conftest import copy_sample_site
    site = copy_sample_site(tmp_path / "site")
    result = run("-m", "generator", "build", "--base-url", "/talks/2026/", cwd=site / "content")
    assert result.returncode == 0, result.stderr
    index = (site / "output" / "index.html").read_text()
    assert 'href="/talks/2026/notes/' in index
    assert "https://talknotes.example.org/talks/2026/" in index  # canonical keeps the configured host


def test_missing_source_folder_is_a_clear_error(tmp_path):
    result = run("-m", "generator", "build", "--source", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such folder" in result.stderr and "Traceback" not in result.stderr
