"""``talknotes new``: a note that passes validation, refusals with exit 1, YAML-safe titles."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_sample_site


def talknotes(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture()
def site(tmp_path) -> Path:
    return copy_sample_site(tmp_path / "site")


def loaded(site: Path, rel: str):
    """The note at ``rel`` as the build loads it; the whole site must still load without problems."""
    from generator.model.content import load_content
    content = load_content(site)
    assert not content.problems, [str(p) for p in content.problems]
    [note] = [n for n in content.notes if n.path == rel]
    return note


def test_new_note_with_every_option(site):
    result = talknotes("new", "Django: the \"good\" parts # really", "--event", "europython-2011",
                       "--speaker", "Jane Doe", "--speaker", "O'Brien: Ann", "--tags", "django, yes,, null ",
                       "--date", "2011-06-22", cwd=site)
    assert result.returncode == 0, result.stderr
    rel = "content/notes/2011-06-22-django-the-good-parts-really.md"
    assert result.stdout == rel + "\n"
    note = loaded(site, rel)
    assert note.title == 'Django: the "good" parts # really'
    assert note.date == dt.date(2011, 6, 22) and note.event == "europython-2011"
    assert note.speakers == ("Jane Doe", "O'Brien: Ann")
    assert note.tags == ("django", "yes", "null")
    assert not note.draft and note.summary == ""
    assert [line for line in note.body.splitlines() if line.startswith("#")] == [
        "## Key points", "## Takeaways", "## Links"]


def test_date_defaults_to_today_in_the_sites_time_zone(site):
    from generator.build import today_in
    from generator.config.settings import load_config
    config, _ = load_config(site)
    before = today_in(config)
    result = talknotes("new", "Written at the conference", cwd=site / "content")
    after = today_in(config)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()  # relative to the folder it ran in
    assert printed in {f"notes/{day.isoformat()}-written-at-the-conference.md" for day in (before, after)}
    note = loaded(site, "content/" + printed)
    assert note.event is None and note.speakers == () and note.tags == ()


def test_the_new_note_passes_check(site, capsys):
    from generator import cli
    assert talknotes("new", "Checked", "--date", "2020-02-02", "--tags", "python", cwd=site).returncode == 0
    assert cli.main(["check", "--source", str(site)]) == 0
    assert capsys.readouterr().out.endswith("notes checked, no problems\n")


def test_refuses_to_overwrite(site):
    args = ("new", "Cookie jar", "--date", "2024-03-03")
    assert talknotes(*args, cwd=site).returncode == 0
    path = site / "content/notes/2024-03-03-cookie-jar.md"
    path.write_text(path.read_text() + "\nMy notes.\n")
    before = path.read_bytes()
    result = talknotes(*args, cwd=site)
    assert result.returncode == 1
    assert result.stderr == ("talknotes new: content/notes/2024-03-03-cookie-jar.md already exists "
                             "(edit that note, or give another title or --date)\n")
    assert result.stdout == "" and path.read_bytes() == before


def test_refuses_a_slug_another_note_has(site):
    notes = sorted((site / "content/notes").iterdir())
    result = talknotes("new", "Cookie size limit", "--date", "2024-03-03", cwd=site)
    assert result.returncode == 1
    assert "a note with the slug 'cookie-size-limit' already exists: " \
           "content/notes/2015-10-06-cookie-size-limit.md" in result.stderr
    assert sorted((site / "content/notes").iterdir()) == notes


def test_unknown_event_is_refused_with_did_you_mean(site):
    result = talknotes("new", "A talk", "--event", "europython2011", cwd=site)
    assert result.returncode == 1
    assert result.stderr == ("talknotes new: --event: unknown event 'europython2011' "
                             "(did you mean 'europython-2011'?)\n")
    assert not list((site / "content/notes").glob("*a-talk*"))


def test_event_by_name_or_free_text(site):
    result = talknotes("new", "By name", "--event", "europython 2011", "--date", "2011-06-21", cwd=site)
    assert result.returncode == 0, result.stderr
    assert loaded(site, "content/notes/2011-06-21-by-name.md").event == "europython-2011"
    result = talknotes("new", "Free text", "--event", "Blog post", "--date", "2011-06-21", cwd=site)
    assert result.returncode == 0, result.stderr
    note = loaded(site, "content/notes/2011-06-21-free-text.md")
    assert note.event is None and note.event_text == "Blog post"


@pytest.mark.parametrize("date", ["2023-02-30", "18-04-2023", "tomorrow"])
def test_invalid_date_is_refused(site, date):
    result = talknotes("new", "A talk", "--date", date, cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(f"talknotes new: --date: invalid date '{date}' (use YYYY-MM-DD")


def test_future_date_is_written_with_a_reminder(site):
    result = talknotes("new", "Next year", "--date", "2999-01-01", cwd=site)
    assert result.returncode == 0
    assert "after today" in result.stderr and "draft: true" in result.stderr
    assert (site / "content/notes/2999-01-01-next-year.md").is_file()


def test_an_empty_title_is_refused(site):
    result = talknotes("new", "   ", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith("talknotes new: the title is empty")


def test_a_title_in_another_script_gets_a_transliterated_slug(site):
    result = talknotes("new", "日本語の講演", "--date", "2024-05-05", cwd=site)
    assert result.returncode == 0, result.stderr
    rel = result.stdout.strip()
    assert rel == "content/notes/2024-05-05-ribenyunojiangyan.md" and loaded(site, rel).title == "日本語の講演"


def test_not_a_site_folder(tmp_path):
    result = talknotes("new", "A talk", "--source", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a site folder" in result.stderr and "Traceback" not in result.stderr


TITLES = ['Django: the good parts', "yes", "No", "null", "~", "1984", "3.14", "2023-04-18", "true",
          "# not a comment", "- a dash", "[brackets]", "{braces}", "O'Brien's \"quoted\" talk", "@at", "`tick`",
          "key: value # comment", "...", "---", "%percent", "!tag", "&anchor", "*alias", "| pipe", "> fold",
          "Café naïve 日本語", "back\\slash", "tab\tinside", "trailing: "]


def test_every_title_reads_back_exactly(tmp_path):
    from generator.model.content import load_content
    from generator.commands.new import NewNote, render_note
    notes = tmp_path / "content" / "notes"
    notes.mkdir(parents=True)
    for index, title in enumerate(TITLES):
        note = NewNote(title=title, date=dt.date(2024, 1, 1), speakers=(title,), tags=(title,))
        (notes / f"note-{index}.md").write_text(render_note(note), encoding="utf-8")
    content = load_content(tmp_path)
    assert not content.problems, [str(p) for p in content.problems]
    by_slug = {n.slug: n for n in content.notes}
    for index, title in enumerate(TITLES):
        note = by_slug[f"note-{index}"]
        assert (note.title, note.speakers, note.tags) == (title.strip(), (title.strip(),), (title.strip(),))
