"""``talknotes import pyvideo``: the mapping, bad records, reST descriptions in the built page,
aliases in _redirects, idempotence, hand edits, and an interrupted import."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from importhelp import build, front, loaded, new_site, run, snapshot, source

WALRUS = "content/notes/2019-05-04-pep-572-the-walrus-operator.md"
BROKEN = ("euroconf-2011/videos/broken.json", "euroconf-2011/videos/untitled.json",
          "euroconf-2011/videos/bad-date.json")


@pytest.fixture()
def site(tmp_path):
    return new_site(tmp_path)


@pytest.fixture()
def archive(tmp_path):
    return source("pyvideo", tmp_path)


@pytest.fixture()
def clean(tmp_path):
    """The archive without its broken records."""
    return source("pyvideo", tmp_path / "clean", drop=BROKEN)


def test_talks_and_events_are_mapped(site, clean, capsys):
    status, out, err = run(capsys, site, "pyvideo", clean)
    assert status == 0, err
    walrus = front(site, WALRUS)
    assert walrus == {
        "title": "PEP 572: The Walrus Operator", "date": dt.date(2019, 5, 4), "event": "pycon-demo-2019",
        "speakers": ["Ada Example"], "tags": ["syntax", "pep"],
        "slides": "https://speakerdeck.com/demo/walrus", "video": "https://www.youtube.com/watch?v=demo572"}
    body = (site / WALRUS).read_text()
    assert "## Links" in body
    assert "- [Video (archive)](https://archive.example.org/walrus.mp4)" in body
    assert "- [Talk schedule](https://example.org/schedule/195/)" in body
    assert front(site, "content/notes/2019-05-05-por-que-python.md")["lang"] == "es"  # 'spa'
    assert front(site, "content/notes/2011-06-23-lightning-talks.md")["lang"] == "it"  # 'ita'
    event = front_event(site, "pycon-demo-2019")
    assert event == {"name": "PyCon Demo 2019", "start": dt.date(2019, 5, 3), "end": dt.date(2019, 5, 5),
                     "description": "The demo conference, held in a fictional town."}
    assert front_event(site, "euroconf-2011")["start"] == dt.date(2011, 6, 23)
    assert "7 imported (5 notes, 2 events)" in out
    content = loaded(site)
    assert len([n for n in content.notes if n.event in ("pycon-demo-2019", "euroconf-2011")]) == 5


def front_event(site, slug):
    import yaml
    return yaml.safe_load((site / f"content/events/{slug}.yaml").read_text())


def test_same_titles_get_distinct_deterministic_names(site, clean, capsys, tmp_path):
    run(capsys, site, "pyvideo", clean)
    names = sorted(p.name for p in (site / "content/notes").glob("*lightning-talks*"))
    assert names == ["2011-06-23-lightning-talks.md", "2019-05-03-lightning-talks-pycon-demo-2019-2.md",
                     "2019-05-04-lightning-talks-pycon-demo-2019.md"]
    other = new_site(tmp_path / "again")
    run(capsys, other, "pyvideo", clean)
    assert sorted(p.name for p in (other / "content/notes").glob("*lightning-talks*")) == names


def test_a_slug_taken_by_a_note_of_the_site_is_not_reused(site, clean, capsys):
    mine = site / "content/notes/2001-01-01-lightning-talks.md"
    mine.write_text("---\ntitle: My own lightning talks\n---\nMine.\n")
    run(capsys, site, "pyvideo", clean)
    assert mine.read_text().endswith("Mine.\n")
    assert not (site / "content/notes/2011-06-23-lightning-talks.md").exists()
    assert (site / "content/notes/2011-06-23-lightning-talks-euroconf-2011.md").exists()
    loaded(site)


def test_bad_records_are_named_and_the_rest_imported(site, archive, capsys):
    status, out, err = run(capsys, site, "pyvideo", archive)
    assert status == 1
    shown = str(archive)
    assert f"{shown}/euroconf-2011/videos/broken.json:4: not valid JSON: Expecting ',' delimiter" in err
    assert f"{shown}/euroconf-2011/videos/untitled.json:1: the record has no title" in err
    assert f"{shown}/euroconf-2011/videos/bad-date.json:3: recorded: invalid date '2011-02-30'" in err
    assert "Traceback" not in err and "3 record(s) could not be imported" in err
    assert (site / WALRUS).is_file() and "3 record(s) failed" in out


def test_the_description_renders_as_its_author_meant(site, clean, capsys):
    run(capsys, site, "pyvideo", clean, "--aliases")
    output = build(site).output
    page = (output / "notes/pep-572-the-walrus-operator/index.html").read_text()
    article = page[page.index("<article"):page.index("</article>")]
    assert '<a href="https://peps.python.org/pep-0572/">the PEP</a>' in article
    assert '<a href="https://example.org/summary">this summary</a>' in article
    assert "<em>assignment expressions</em>" in article and "<strong>strong</strong>" in article
    assert article.count("<li>") >= 4 and "<pre" in article and "print(n)" in article
    text = re.sub(r"<[^>]+>", "", re.sub(r"<(pre|code)\b.*?</\1>", "", article, flags=re.DOTALL))
    assert "`" not in text and "__" not in text
    fallback = (output / "notes/lightning-talks-pycon-demo-2019-2/index.html").read_text()
    assert "Five minutes each. Bad `markup here" in fallback  # plain text, as written


def test_aliases_keep_pyvideo_urls(site, clean, capsys):
    run(capsys, site, "pyvideo", clean, "--aliases")
    assert front(site, WALRUS)["aliases"] == ["/pycon-demo-2019/walrus-talk.html"]
    assert front(site, "content/notes/2011-06-23-lightning-talks.md")["aliases"] == [
        "/euroconf-2011/lightning-talks.html", "/video/1023/lightning-talks/"]
    redirects = (build(site).output / "_redirects").read_text()
    assert re.search(r"^/pycon-demo-2019/walrus-talk\.html +/notes/pep-572-the-walrus-operator/ +301$",
                     redirects, re.MULTILINE)
    assert re.search(r"^/video/1023/lightning-talks/ +/notes/lightning-talks/ +301$", redirects, re.MULTILINE)


def test_no_aliases_without_the_option(site, clean, capsys):
    run(capsys, site, "pyvideo", clean)
    assert "aliases" not in front(site, WALRUS)


def test_importing_again_changes_no_file(site, clean, capsys):
    run(capsys, site, "pyvideo", clean, "--aliases")
    before = snapshot(site)
    status, out, _ = run(capsys, site, "pyvideo", clean, "--aliases")
    assert status == 0 and snapshot(site) == before
    assert out.splitlines()[0].endswith("0 imported, 0 updated, 7 unchanged (5 notes, 2 events), 0 skipped")


def test_a_changed_record_updates_its_note_only(site, clean, capsys):
    run(capsys, site, "pyvideo", clean)
    before = snapshot(site)
    record = clean / "pycon-demo-2019/videos/walrus-talk.json"
    record.write_text(record.read_text().replace('"Ada Example"', '"Ada Example", "Bo Second"'))
    status, out, _ = run(capsys, site, "pyvideo", clean)
    assert status == 0
    assert f"  updated    {WALRUS}: the record changed" in out
    after = snapshot(site)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["content/.talknotes-import.json", WALRUS]
    assert front(site, WALRUS)["speakers"] == ["Ada Example", "Bo Second"]


def test_a_note_edited_by_hand_is_never_overwritten(site, clean, capsys):
    run(capsys, site, "pyvideo", clean)
    note = site / WALRUS
    edited = note.read_text() + "\nMy own notes from the talk.\n"
    note.write_text(edited)
    record = clean / "pycon-demo-2019/videos/walrus-talk.json"
    record.write_text(record.read_text().replace("PEP 572: The Walrus Operator", "PEP 572, renamed"))
    for _ in range(2):
        status, out, _ = run(capsys, site, "pyvideo", clean)
        assert status == 0 and note.read_text() == edited
        assert f"  skipped    {WALRUS}: edited by hand; kept as it is" in out


def test_a_note_deleted_by_hand_stays_deleted(site, clean, capsys):
    run(capsys, site, "pyvideo", clean)
    (site / WALRUS).unlink()
    status, out, _ = run(capsys, site, "pyvideo", clean)
    assert status == 0 and not (site / WALRUS).exists()
    assert f"  skipped    {WALRUS}: deleted by hand; not written again" in out


def test_an_event_file_of_the_sites_own_is_kept_and_used(site, clean, capsys):
    mine = site / "content/events/euroconf-2011.yaml"
    mine.write_text("name: EuroConf 2011 (my notes)\nstart: 2011-06-20\nend: 2011-06-26\n")
    status, out, _ = run(capsys, site, "pyvideo", clean)
    assert status == 0 and mine.read_text().startswith("name: EuroConf 2011 (my notes)")
    assert "content/events/euroconf-2011.yaml: an event file of the site's own; kept" in out
    assert front(site, "content/notes/2011-06-23-lightning-talks.md")["event"] == "euroconf-2011"
    loaded(site)


def test_an_interrupted_import_leaves_whole_files_and_a_rerun_completes(site, clean, capsys, monkeypatch, tmp_path):
    from generator.importing import staging
    reference = new_site(tmp_path / "reference")
    run(capsys, reference, "pyvideo", clean)
    expected = {k: v[0] for k, v in snapshot(reference).items() if k != "content/.talknotes-import.json"}
    before = {k: v[0] for k, v in snapshot(site).items()}
    real, calls = staging.os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 5:  # the manifest with pending digests, then three files, then Ctrl-C
            raise KeyboardInterrupt
        return real(src, dst)
    monkeypatch.setattr(staging.os, "replace", flaky)
    status, _, err = run(capsys, site, "pyvideo", clean)
    assert status == 130 and "interrupted" in err
    monkeypatch.setattr(staging.os, "replace", real)
    middle = {k: v[0] for k, v in snapshot(site).items()}
    for rel, data in middle.items():  # every file is the old one or the whole new one
        assert data == before.get(rel) or data == expected.get(rel) or rel.endswith(".json"), rel
    assert 0 < len(set(middle) - set(before)) < len(set(expected) - set(before))
    assert not (site / staging.STAGING).exists()
    loaded(site)  # events went in before the notes that name them
    status, out, _ = run(capsys, site, "pyvideo", clean)
    assert status == 0 and "edited by hand" not in out
    assert {k: v[0] for k, v in snapshot(site).items() if k != "content/.talknotes-import.json"} == expected


def test_language_codes_become_bcp47_tags():
    from generator.importing.languages import bcp47
    assert [bcp47(c) for c in ("eng", "spa", "por", "jpn", "deu", "zho", "Spanish", "yue", "pt-BR", "", None, "x1")] == \
        ["en", "es", "pt", "ja", "de", "zh", "es", "yue", "pt-BR", None, None, None]
