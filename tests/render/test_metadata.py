"""Link previews and machine-readable metadata: Open Graph, Twitter cards, JSON-LD, manifest, icons."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from conftest import REPO, TODAY
from htmltree import parse_file
from linkcheck import resolve, site_files
from sample_facts import read_events, read_notes

BASE = "/talks/2026/"
ORIGIN = "https://talknotes.example.org"


def meta(doc, key: str) -> list[str]:
    return [m.get("content") for m in doc.find_all("meta") if (m.get("property") or m.get("name")) == key]


def json_ld(doc) -> dict | None:
    script = doc.find("script", type="application/ld+json")
    return json.loads(script.text) if script else None


def test_every_page_has_open_graph_and_twitter_tags(built_subpath):
    for page in site_files(built_subpath):
        doc = parse_file(page)
        canonical = doc.find("link", rel="canonical").get("href")
        assert meta(doc, "og:url") == [canonical], page
        assert len(meta(doc, "og:title")) == 1 and meta(doc, "og:title")[0]
        assert meta(doc, "og:site_name") == ["Talk Notes"]
        assert meta(doc, "og:type") == ["article" if "/notes/" in canonical else "website"]
        assert meta(doc, "twitter:card")[0] in ("summary", "summary_large_image")
        assert doc.find("html").get("lang") == "en-GB"


def test_note_pages_describe_the_note(built_subpath):
    notes = read_notes(REPO, TODAY)
    events = read_events(REPO)
    for note in notes:
        doc = parse_file(built_subpath / "notes" / note["slug"] / "index.html")
        url = f"{ORIGIN}{BASE}notes/{note['slug']}/"
        assert meta(doc, "og:title") == [note["title"]]
        assert meta(doc, "article:published_time") == [note["date"].isoformat()]
        data = json_ld(doc)
        assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
        assert data["headline"] == note["title"] and data["url"] == url
        assert data["datePublished"] == note["date"].isoformat()
        assert data["author"]["name"] == "The talknotes editors"
        if note["event"] in events:
            assert data["about"]["@type"] == "Event"
            assert data["about"]["name"] == events[note["event"]]["name"]
            assert [p["name"] for p in data["about"].get("performer", [])] == note["speakers"]
        image = meta(doc, "og:image")
        if image:  # a cover image: its 1200x630 social card, by absolute URL
            assert meta(doc, "twitter:card") == ["summary_large_image"]
            assert image[0].startswith(ORIGIN + BASE) and data["image"] == image[0]
            assert resolve(built_subpath, BASE, image[0][len(ORIGIN):]) is not None
        else:
            assert meta(doc, "twitter:card") == ["summary"]
    assert any(meta(parse_file(built_subpath / "notes" / n["slug"] / "index.html"), "og:image") for n in notes)


def test_event_pages_carry_an_event(built_subpath):
    events = read_events(REPO)
    found = 0
    for slug, event in events.items():
        page = built_subpath / "events" / slug / "index.html"
        if not page.is_file():
            continue
        data = json_ld(parse_file(page))
        assert data["@type"] == "Event" and data["name"] == event["name"]
        assert data["startDate"] == event["start"].isoformat()
        assert data["endDate"] == (event.get("end") or event["start"]).isoformat()
        if event.get("location"):
            assert data["location"]["name"] == event["location"]
        found += 1
    assert found >= 3


def test_home_page_is_a_website(built_subpath):
    data = json_ld(parse_file(built_subpath / "index.html"))
    assert data["@type"] == "WebSite" and data["url"] == ORIGIN + BASE


def test_web_manifest_and_icons(built_subpath):
    doc = parse_file(built_subpath / "index.html")
    href = doc.find("link", rel="manifest").get("href")
    assert href == BASE + "manifest.webmanifest"
    manifest = json.loads(resolve(built_subpath, BASE, href).read_text(encoding="utf-8"))
    assert manifest["name"] == "Talk Notes" and manifest["short_name"]
    assert manifest["start_url"] == manifest["scope"] == BASE
    assert manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        path = resolve(built_subpath, BASE, icon["src"])
        assert path is not None, icon
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
                sizes[image.width] = image.mode
    assert set(sizes) == {192, 512}
    touch = resolve(built_subpath, BASE, doc.find("link", rel="apple-touch-icon").get("href"))
    with Image.open(touch) as image:
        assert image.size == (180, 180) and image.mode == "RGB"  # iOS draws its own corners
    assert doc.find("link", rel="icon").get("type") == "image/svg+xml"


@pytest.mark.parametrize("title", ['</script><!-- "x" & y', "Ünïcödé — \u2028 line"])
def test_json_ld_is_escaped_for_a_script_element(title):
    from generator.render.metadata import script_safe_json
    text = script_safe_json({"headline": title})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"headline": title}
