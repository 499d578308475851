"""Large speakers and tags indexes split by initial letter; the events index paginates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, build_site
from htmltree import parse_file
from nuchecker import check, nu_jar

from generator.model.slugs import initial

# Names in several scripts: each lands under the initial of its transliteration.
SPEAKERS = {"Ada Lovelace": "a", "Ádám Kovács": "a", "Алексей Смирнов": "a", "Brett Cannon": "b",
            "Чжан Вэй": "c", "東京太郎": "d", "Łukasz Langa": "l", "김민준": "g", "2Pac Shakur": "0-9",
            "🐍": "other"}
TAGS = ["asyncio", "async", "black", "c", "django", "flask", "go", "r", "rust", "python"]


def write_site(root: Path, index_per_page: int = 2, events: int = 5) -> Path:
    """One note per speaker, each tagged with two of TAGS, and ``events`` events."""
    (root / "content" / "notes").mkdir(parents=True)
    (root / "content" / "events").mkdir()
    shutil.copytree(REPO / "themes", root / "themes")
    for number in range(events):
        (root / "content" / "events" / f"conf-{number}.yaml").write_text(
            f"name: Conf {number}\nstart: 2023-0{number + 1}-01\nlocation: Town {number}\n")
    for number, speaker in enumerate(SPEAKERS):
        tags = [TAGS[number % len(TAGS)], TAGS[(number + 3) % len(TAGS)]]
        (root / "content" / "notes" / f"note-{number}.md").write_text(
            f"---\ntitle: Talk {number}\ndate: 2023-04-{number + 1:02d}\nevent: conf-{number % events}\n"
            f"speakers: [\"{speaker}\"]\ntags: [{', '.join(tags)}]\n---\n\nBody {number}.\n", encoding="utf-8")
    (root / "talknotes.yaml").write_text(
        f"title: Index test\nbase_url: https://example.org/\nindex_per_page: {index_per_page}\n")
    return root


@pytest.fixture(scope="module", params=["/", "/talks/"], ids=["root", "subpath"])
def built(request, tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("indexes") / "site")
    output = root.parent / "output"
    build_site(root, base_url=request.param, output=output)
    return output, request.param


def letter_nav(doc, label: str) -> dict[str, str]:
    nav = doc.find("nav", **{"aria-label": f"{label} by initial"})
    assert nav is not None
    return {a.text.split()[0]: a.get("href") for a in nav.find_all("a")}


def listed(doc, css_class: str) -> list[str]:
    lists = [ul for ul in doc.find_all("ul") if css_class in ul.classes]
    return [a.text.strip() for ul in lists for a in ul.find_all("a")]


def test_initials_come_from_the_transliterated_name():
    assert {name: initial(name) for name in SPEAKERS} == SPEAKERS


def test_the_speakers_index_links_every_letter_under_the_base_path(built):
    output, base = built
    doc = parse_file(output / "speakers" / "index.html")
    expected = sorted(set(SPEAKERS.values()), key=lambda k: (len(k) > 1, k))
    labels = {"0-9": "#", "other": "Other"}
    links = letter_nav(doc, "Speakers")
    assert list(links) == [labels.get(k, k.upper()) for k in expected]
    assert links["A"] == f"{base}speakers/letter/a/"
    assert listed(doc, "index-list") == []  # names are on the letter pages
    # counts beside each letter on the index
    nav = doc.find("nav", **{"aria-label": "Speakers by initial"})
    assert [a.find("span").text for a in nav.find_all("a")][0] == "3"


def test_every_speaker_is_on_its_letter_page_once(built):
    output, base = built
    seen = []
    for key in sorted(set(SPEAKERS.values())):
        folder = output / "speakers" / "letter" / key
        pages = [folder / "index.html"] + sorted((folder / "page").glob("*/index.html"))
        for page in pages:
            doc = parse_file(page)
            names = listed(doc, "index-list")
            assert 1 <= len(names) <= 2, page
            assert all(SPEAKERS[n] == key for n in names), page
            seen += names
            current = doc.find("nav", **{"aria-label": "Speakers by initial"}).find("a", **{"aria-current": "page"})
            assert current.get("href") == f"{base}speakers/letter/{key}/"
    assert sorted(seen) == sorted(SPEAKERS)


def test_a_letter_with_more_names_than_a_page_paginates(built):
    output, base = built
    first = f"{base}speakers/letter/a/"
    second = f"{base}speakers/letter/a/page/2/"
    doc = parse_file(output / "speakers" / "letter" / "a" / "page" / "2" / "index.html")
    assert doc.find("head").find("link", rel="prev").get("href") == first
    assert "(page 2 of 2)" in doc.find("h1").text
    nav = doc.find("nav", **{"aria-label": "Pages"})
    assert {a.get("rel"): a.get("href") for a in nav.find_all("a") if a.get("rel")} == {"prev": first}
    assert parse_file(output / "speakers" / "letter" / "a" / "index.html").find("head").find(
        "link", rel="next").get("href") == second


def test_tags_split_by_letter_and_single_letter_tags_keep_their_pages(built):
    output, base = built
    links = letter_nav(parse_file(output / "tags" / "index.html"), "Tags")
    assert links["R"] == f"{base}tags/letter/r/"
    assert listed(parse_file(output / "tags" / "letter" / "r" / "index.html"), "tag-index") == ["r", "rust"]
    # the tag "r" is still at /tags/r/, and a tag named "letter" could not collide either
    assert (output / "tags" / "r" / "index.html").is_file()


def test_the_events_index_paginates(built):
    output, base = built
    names = []
    for path in ("events/index.html", "events/page/2/index.html", "events/page/3/index.html"):
        names += listed(parse_file(output / path), "index-list")
    assert names == [f"Conf {n}" for n in (4, 3, 2, 1, 0)]
    doc = parse_file(output / "events" / "page" / "3" / "index.html")
    assert doc.find("head").find("link", rel="prev").get("href") == f"{base}events/page/2/"
    assert "Later events" in doc.find("nav", **{"aria-label": "Pages"}).text


def test_site_nav_marks_the_section_on_letter_pages(built):
    output, base = built
    doc = parse_file(output / "speakers" / "letter" / "b" / "index.html")
    nav = doc.find("nav", **{"aria-label": "Site"})
    current = nav.find("a", **{"aria-current": "true"})
    assert current is not None and current.text == "Speakers"


def test_sitemap_lists_letter_pages(built):
    output, base = built
    sitemap = (output / "sitemap.xml").read_text()
    assert f"https://example.org{base}speakers/letter/a/page/2/</loc>" in sitemap
    assert f"https://example.org{base}tags/letter/other/" not in sitemap  # no tag starts so
    assert f"https://example.org{base}events/page/3/</loc>" in sitemap


def test_a_small_index_stays_one_list(tmp_path):
    root = write_site(tmp_path / "site", index_per_page=300)
    build_site(root, output=tmp_path / "out")
    doc = parse_file(tmp_path / "out" / "speakers" / "index.html")
    assert sorted(listed(doc, "index-list")) == sorted(SPEAKERS)
    assert doc.find("nav", **{"aria-label": "Speakers by initial"}) is None
    assert not (tmp_path / "out" / "speakers" / "letter").exists()
    assert not (tmp_path / "out" / "events" / "page").exists()


@pytest.mark.skipif(nu_jar() is None, reason="the Nu HTML checker (vnu.jar) is not installed")
def test_index_pages_are_valid_html(built):
    output, _ = built
    result = check(output, css=False)
    assert result.returncode == 0, result.stdout + result.stderr
