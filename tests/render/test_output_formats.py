"""Valid HTML (Nu checker), valid Atom feeds, a complete sitemap, byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import feedparser

import nuchecker
from conftest import build_site
from linkcheck import page_url, site_files


def test_html_passes_the_nu_checker(built_subpath):
    result = nuchecker.check(built_subpath)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == ""


def test_feeds_are_valid_atom(built_subpath):
    feeds = site_files(built_subpath, ".xml")
    feeds = [f for f in feeds if f.name == "feed.xml"]
    assert len(feeds) > 10  # the site feed and one per tag
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.entries
        for entry in parsed.entries:
            assert entry.link.startswith("https://talknotes.example.org/talks/2026/notes/")
            assert entry.published_parsed and entry.updated_parsed
            assert entry.content[0].value


def test_sitemap_lists_every_page(built_subpath):
    tree = ET.parse(built_subpath / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in tree.findall("s:url/s:loc", ns)}
    pages = {"https://talknotes.example.org" + page_url(built_subpath, f, "/talks/2026/")
             for f in site_files(built_subpath) if f.name != "404.html"}
    assert listed == pages


def _digest(output):
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(sample_source, built_root, tmp_path):
    again = tmp_path / "again"
    build_site(sample_source, output=again)
    assert _digest(again) == _digest(built_root)
