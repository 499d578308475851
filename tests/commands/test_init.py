"""``talknotes init``: what it writes, what it refuses, and that it never asks off a terminal."""

from __future__ import annotations

import datetime as dt
import io
import sys

import yaml

from generator.build import BuildOptions, build
from generator.commands.check import check_site
from generator.cli import main
from generator.commands.init import SiteSettings, create_site

TODAY = dt.date(2026, 12, 3)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_site_holds_every_starter_file_and_builds_clean(tmp_path):
    site = tmp_path / "site"
    written = create_site(site, SiteSettings(title="Notes: «PyCon» #1", author="Jörg 'JJ' Müller"), TODAY)
    assert "content/notes/2026-12-03-welcome-to-talknotes.md" in written
    config = yaml.safe_load((site / "talknotes.yaml").read_text(encoding="utf-8"))
    assert config["title"] == "Notes: «PyCon» #1" and config["author"] == "Jörg 'JJ' Müller"
    note = (site / "content/notes/2026-12-03-welcome-to-talknotes.md").read_text(encoding="utf-8")
    front = yaml.safe_load(note.split("---")[1])
    assert front["date"] == TODAY and front["speakers"] == ["Jörg 'JJ' Müller"] and front["event"] == "example-meetup"
    assert "talknotes==" in (site / "requirements.txt").read_text()
    result = build(BuildOptions(source=site, today=TODAY))
    assert result.warnings == []
    assert (site / "output/notes/welcome-to-talknotes/index.html").is_file()
    assert (site / "output/events/example-meetup/index.html").is_file()
    assert (site / "output/about/index.html").is_file() or (site / "output/pages/about/index.html").is_file()


def test_check_finds_nothing_in_a_new_site(tmp_path):
    create_site(tmp_path / "site", SiteSettings(), TODAY)
    report = check_site(tmp_path / "site", today=TODAY)
    assert report.problems == () and report.notes == 1


def test_a_folder_with_only_git_counts_as_empty(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    create_site(tmp_path, SiteSettings(), TODAY)
    assert (tmp_path / "talknotes.yaml").is_file() and (tmp_path / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_refusals_change_nothing(tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    before = _files(used)
    assert main(["init", str(used), "--no-input"]) == 1
    assert "is not empty (it holds notes.txt); nothing was changed" in capsys.readouterr().err
    assert _files(used) == before

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["init", str(a_file), "--no-input"]) == 1
    assert "is a file" in capsys.readouterr().err

    assert main(["init", str(tmp_path / "new"), "--timezone", "Mars/Olympus", "--no-input"]) == 1
    err = capsys.readouterr().err
    assert "--timezone: unknown time zone 'Mars/Olympus'" in err and "Traceback" not in err
    assert main(["init", str(tmp_path / "new"), "--base-url", "javascript:alert(1)", "--no-input"]) == 1
    assert "--base-url:" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "used"]


def test_off_a_terminal_it_never_asks(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal; input() would raise EOFError
    assert main(["init", str(tmp_path / "site")]) == 0
    assert "Created a talknotes site" in capsys.readouterr().out
    assert yaml.safe_load((tmp_path / "site/talknotes.yaml").read_text())["title"] == "Talk notes"


def test_on_a_terminal_it_asks_for_what_the_flags_leave_open(tmp_path, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("My Talks\n\nAda\n"))
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert main(["init", str(tmp_path / "site"), "--language", "de"]) == 0
    config = yaml.safe_load((tmp_path / "site/talknotes.yaml").read_text())
    assert (config["title"], config["base_url"], config["author"], config["language"]) == \
        ("My Talks", "https://example.org/", "Ada", "de")
