"""Broken content: every problem in one run, as path:line: field: message (hint), exit 1,
no traceback, and a previously built output/ left exactly as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import copy_sample_site

GOOD_NOTE = "content/notes/2023-04-18-import-time-django-shell.md"


def talknotes(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def site(tmp_path):
    """A copy of the sample site that has been built once."""
    root = copy_sample_site(tmp_path / "site")
    result = talknotes("build", "--source", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return root


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


CASES = {
    "bad yaml": ("content/notes/2024-01-02-bad-yaml.md", """
        ---
        title: Fine
        tags: [django, python
        ---
        Body.
        """, "content/notes/2024-01-02-bad-yaml.md:3: invalid YAML", "check the YAML syntax"),
    "missing title": ("content/notes/2024-01-03-no-title.md", """
        ---
        speakers: [Someone]
        ---
        Body.
        """, "content/notes/2024-01-03-no-title.md:1: title: required field is missing", "give the talk's title"),
    "ill-typed field": ("content/notes/2024-01-04-typed.md", """
        ---
        title: Typed
        draft: maybe
        ---
        Body.
        """, "content/notes/2024-01-04-typed.md:3: draft: expected true or false", None),
    "invalid date": ("content/notes/typo-date.md", """
        ---
        title: Bad date
        date: 2023-02-30
        ---
        Body.
        """, "content/notes/typo-date.md:3: date:", "must exist"),
    "unparseable date": ("content/notes/words-date.md", """
        ---
        title: Bad date
        date: last tuesday
        ---
        Body.
        """, "content/notes/words-date.md:3: date: invalid date 'last tuesday'", "use YYYY-MM-DD"),
    "unknown event": ("content/notes/2024-01-05-unknown-event.md", """
        ---
        title: Unknown event
        event: europython-2012
        ---
        Body.
        """, "content/notes/2024-01-05-unknown-event.md:3: event: unknown event 'europython-2012'",
        "did you mean 'europython-2011'?"),
    "unknown field": ("content/notes/2024-01-06-unknown-field.md", """
        ---
        title: Unknown field
        speaker: [Jane Doe]
        ---
        Body.
        """, "content/notes/2024-01-06-unknown-field.md:3: speaker: unknown field", "did you mean 'speakers'?"),
    "duplicate slug after folding": ("content/notes/2024-01-07-Import-Time-Django-Shell.md", """
        ---
        title: Same slug
        ---
        Body.
        """, "duplicate note slug 'import-time-django-shell'", "rename one of the files"),
    "accented duplicate": ("content/notes/cafe-talk.md", """
        ---
        title: Café one
        date: 2024-01-01
        ---
        """, None, None),
    "link to a missing note": ("content/notes/2024-01-08-missing-link.md", """
        ---
        title: Missing link
        ---
        Intro line.

        See [the other talk](2099-01-01-no-such-note.md).
        """, "content/notes/2024-01-08-missing-link.md:6: link to a missing note", "link to the other note's file"),
    "unknown config key": ("talknotes.yaml", """
        title: Talk Notes
        per_pgae: 5
        """, "talknotes.yaml:2: per_pgae: unknown field", "did you mean 'per_page'?"),
}


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][2]])
def test_each_broken_case_fails_cleanly(site, name):
    rel, text, expected, hint = CASES[name]
    write(site, rel, text)
    before = snapshot(site / "output")
    result = talknotes("build", "--source", str(site), cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    if hint:
        line = next(l for l in result.stderr.splitlines() if expected in l)
        assert hint in line
    assert snapshot(site / "output") == before


def test_all_problems_are_reported_in_one_run(site):
    for name in CASES:
        rel, text, _, _ = CASES[name]
        if rel != "talknotes.yaml":
            write(site, rel, text)
    write(site, "content/notes/café-talk.md", "---\ntitle: Café two\ndate: 2024-01-02\n---\n")
    before = snapshot(site / "output")
    result = talknotes("build", "--source", str(site), cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name, (_, _, expected, _) in CASES.items():
        if expected and not expected.startswith("talknotes.yaml"):
            assert expected in result.stderr, (name, result.stderr)
    assert "duplicate note slug 'cafe-talk'" in result.stderr
    assert snapshot(site / "output") == before


def test_a_fixed_site_builds_again(site):
    write(site, "content/notes/2024-01-06-unknown-field.md", "---\ntitle: X\nspeaker: [A]\n---\n")
    assert talknotes("build", "--source", str(site), cwd=site).returncode == 1
    write(site, "content/notes/2024-01-06-unknown-field.md", "---\ntitle: X\nspeakers: [A]\n---\n")
    result = talknotes("build", "--source", str(site), cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "output" / "notes" / "unknown-field" / "index.html").is_file()
    assert not (site / ".output.staging").exists()  # no staging folder left behind
