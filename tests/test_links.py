"""Every internal link, stylesheet, script, image and feed link resolves, at / and at a sub-path."""

from __future__ import annotations

import pytest

from htmltree import parse_file
from linkcheck import broken_links, resolve, site_files

ORIGIN = "https://talknotes.example.org"


@pytest.mark.parametrize("fixture, base", [("built_root", "/"), ("built_subpath", "/talks/2026/")])
def test_every_internal_link_resolves(request, fixture, base):
    output = request.getfixturevalue(fixture)
    assert len(site_files(output)) > 50
    assert broken_links(output, base, ORIGIN) == []


def test_subpath_build_never_links_outside_its_base(built_subpath):
    for file in site_files(built_subpath):
        doc = parse_file(file)
        for element in doc.iter():
            for attr in ("href", "src", "action"):
                value = element.get(attr)
                if value and value.startswith("/"):
                    assert value.startswith("/talks/2026/"), (file, value)


def test_link_checker_catches_a_link_that_ignores_the_base(built_subpath):
    # The same file exists at /static/..., but a sub-path deploy serves it only under the base.
    css = next((built_subpath / "static" / "css").glob("site.*.css")).relative_to(built_subpath).as_posix()
    assert resolve(built_subpath, "/talks/2026/", "/talks/2026/" + css) is not None
    assert resolve(built_subpath, "/talks/2026/", "/" + css) is None


def test_stylesheets_scripts_and_feeds_are_linked(built_subpath):
    doc = parse_file(built_subpath / "search" / "index.html")
    stylesheets = [l.get("href") for l in doc.find_all("link", rel="stylesheet")]
    assert len(stylesheets) >= 4
    assert doc.find("script").get("src").startswith("/talks/2026/static/js/")
    feed = doc.find("link", rel="alternate", type="application/atom+xml")
    assert feed.get("href") == "/talks/2026/feed.xml"
