"""End to end: build the sample site and read every kind of page back with an HTML parser."""

from __future__ import annotations

import calendar
import math

import pytest
import yaml

from conftest import REPO, TODAY
from htmltree import parse_file
from sample_facts import month_counts, read_events, read_notes, slug, tag_counts


@pytest.fixture(scope="module")
def notes(sample_source):
    return read_notes(sample_source, TODAY)


@pytest.fixture(scope="module")
def per_page():
    return yaml.safe_load((REPO / "talknotes.yaml").read_text())["per_page"]


def page(output, path):
    file = output / path / "index.html" if not path.endswith(".html") else output / path
    assert file.is_file(), f"missing page {path}"
    return parse_file(file)


def test_sample_site_meets_the_content_brief(notes, sample_source):
    events = read_events(sample_source)
    assert len(notes) >= 12
    assert len({n["event"] for n in notes if n["event"] in events}) >= 4
    assert len({(n["date"].year, n["date"].month) for n in notes}) >= 6
    assert len(tag_counts(notes)) >= 15
    languages = set()
    for path in (sample_source / "content" / "notes").rglob("*.md"):
        languages |= {line[3:].strip() for line in path.read_text().splitlines() if line.startswith("```") and line[3:].strip()}
    assert len(languages) >= 3
    assert (sample_source / "content" / "pages" / "about.md").is_file()


def test_home_pages_list_notes_newest_first(built_root, notes, per_page):
    pages = math.ceil(len(notes) / per_page)
    seen = []
    for number in range(1, pages + 1):
        doc = page(built_root, "" if number == 1 else f"page/{number}")
        titles = [a.text for a in doc.find_all("h2", cls="note-card-title")]
        assert len(titles) == min(per_page, len(notes) - (number - 1) * per_page)
        seen += titles
        if pages > 1:
            nav = doc.find("nav", cls="pagination")
            assert f"Page {number} of {pages}" in nav.text
    assert seen == [n["title"] for n in notes]
    assert not (built_root / "page" / str(pages + 1)).exists()
    assert not (built_root / "page" / "1").exists()  # page 1 is the home page


def test_note_pages_show_their_fields(built_root, notes, sample_source):
    events = read_events(sample_source)
    for index, note in enumerate(notes):
        doc = page(built_root, f"notes/{note['slug']}")
        article = doc.find("article", cls="note")
        assert article.find("h1").text == note["title"]
        assert article.find("time").get("datetime") == note["date"].isoformat()
        tags = [a.text for a in article.find("ul", cls="tag-list").find_all("a")] if note["tags"] else []
        assert tags == list(dict.fromkeys(note["tags"]))
        meta = article.find("p", cls="meta").text
        assert "min read" in meta
        if note["event"] in events:
            assert events[note["event"]]["name"] in meta
        elif note["event"]:
            assert note["event"] in meta
        for speaker in note["speakers"]:
            assert doc.find("a", href=f"/speakers/{slug(speaker)}/") is not None
        # previous / next follow the date order
        nav = doc.find("nav", cls="prev-next")
        if index + 1 < len(notes):
            assert nav.find("a", rel="prev").get("href") == f"/notes/{notes[index + 1]['slug']}/"
        if index > 0:
            assert nav.find("a", rel="next").get("href") == f"/notes/{notes[index - 1]['slug']}/"
        # related notes share at least one tag
        related = doc.find("section", cls="related")
        if related:
            for link in related.find_all("a"):
                other = next(n for n in notes if f"/notes/{n['slug']}/" == link.get("href"))
                assert {slug(t) for t in other["tags"]} & {slug(t) for t in note["tags"]}


def test_table_of_contents_links_to_headings(built_root, notes):
    with_toc = 0
    for note in notes:
        doc = page(built_root, f"notes/{note['slug']}")
        toc = doc.find("nav", cls="toc")
        if toc is None:
            continue
        with_toc += 1
        ids = {e.get("id") for e in doc.iter() if e.get("id")}
        for link in toc.find_all("a"):
            assert link.get("href")[1:] in ids
    assert with_toc >= len(notes) // 2


def test_code_is_highlighted_with_classes_not_inline_styles(built_root, notes):
    blocks = 0
    for note in notes:
        doc = page(built_root, f"notes/{note['slug']}")
        for block in doc.find_all("div", cls="highlight"):
            blocks += 1
            assert block.find("span") is not None
    assert blocks >= 3
    css = " ".join(p.read_text() for p in (built_root / "static" / "css").glob("highlight-*.css"))
    assert ".highlight .k" in css


def test_event_pages(built_root, notes, sample_source):
    events = read_events(sample_source)
    index = page(built_root, "events")
    for event_slug, event in events.items():
        assert index.find("a", href=f"/events/{event_slug}/").text == event["name"]
        doc = page(built_root, f"events/{event_slug}")
        assert doc.find("h1").text == event["name"]
        expected = [n["title"] for n in notes if n["event"] == event_slug]
        assert [h.text for h in doc.find_all("h3", cls="note-card-title")] == expected


def test_speaker_pages(built_root, notes):
    speakers = {s for n in notes for s in n["speakers"]}
    assert speakers
    index = page(built_root, "speakers")
    for name in speakers:
        assert index.find("a", href=f"/speakers/{slug(name)}/") is not None
        doc = page(built_root, f"speakers/{slug(name)}")
        expected = [n["title"] for n in notes if name in n["speakers"]]
        assert [h.text for h in doc.find_all("h2", cls="note-card-title")] == expected


def test_tag_index_shows_counts_and_tag_pages_list_notes(built_root, notes):
    counts = tag_counts(notes)
    index = page(built_root, "tags")
    items = index.find("ul", cls="tag-index").find_all("li")
    assert len(items) == len(counts)
    for item in items:
        tag = item.find("a").get("href").split("/")[2]
        assert int(item.find("span", cls="count").text) == counts[tag]
        doc = page(built_root, f"tags/{tag}")
        assert len(doc.find_all("h2", cls="note-card-title")) == counts[tag]
        assert (built_root / "tags" / tag / "feed.xml").is_file()


def test_archive_groups_months_by_year_with_counts(built_root, notes):
    years = month_counts(notes)
    doc = page(built_root, "archive")
    sections = doc.find_all("section", cls="archive-year")
    assert [int(s.find("h2").get("id")[5:]) for s in sections] == sorted(years, reverse=True)
    for section in sections:
        year = int(section.find("h2").get("id")[5:])
        months = years[year]
        links = section.find_all("a")
        assert len(links) == len(months)
        for link in links:
            month = int(link.get("href").rstrip("/").split("/")[-1])
            assert link.text == f"{calendar.month_name[month]} {year}"
            assert f"{months[month]} note" in link.parent.text
            month_page = page(built_root, f"archive/{year}/{month:02d}")
            assert len(month_page.find_all("h2", cls="note-card-title")) == months[month]


def test_about_404_search_and_text_files(built_root):
    about = page(built_root, "about")
    assert about.find("h1").text == "About"
    assert page(built_root, "404.html").find("h1").text == "Page not found"
    assert page(built_root, "search").find("h1").text == "Search"
    robots = (built_root / "robots.txt").read_text()
    assert "Sitemap: https://talknotes.example.org/sitemap.xml" in robots


def test_markdown_links_between_notes_become_urls(built_root):
    doc = page(built_root, "notes/serverless-django-zappa")
    hrefs = {a.get("href") for a in doc.find("div", cls="note-body").find_all("a")}
    assert "/notes/zappa-stage-prefix-403/" in hrefs
    assert not any(h.endswith(".md") for h in hrefs)


def test_accessibility_landmarks(built_root):
    for path in ("", "notes/import-time-django-shell", "tags", "archive"):
        doc = page(built_root, path)
        assert doc.find("a", cls="skip-link").get("href") == "#main"
        assert doc.find("main").get("id") == "main"
        assert doc.find("html").get("lang") == "en-GB"
        assert len(doc.find_all("h1")) == 1
