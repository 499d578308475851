"""Markdown rendering: extensions, highlighting, links between notes, images, safety."""

from __future__ import annotations

from generator.markdown.render import LinkContext, html_to_text, render
from htmltree import parse

CTX = LinkContext("/talks/", {"notes/other.md": "/talks/notes/other/", "notes/b/index.md": "/talks/notes/b/"},
                  frozenset({"notes/b/photo.jpg", "images/shared.png"}))


def html_of(body: str, source: str = "notes/a.md", ctx=CTX):
    result = render(body, source, 5, ctx)
    return result, parse(result.html)


def test_fenced_code_is_highlighted_with_classes():
    _, doc = html_of("```python\ndef f():\n    return 1\n```\n")
    block = doc.find("div", cls="highlight")
    assert block.find("span", cls="k").text == "def"
    assert not [e for e in doc.iter() if e.get("style")]


def test_tables_footnotes_admonitions_smart_punctuation():
    result, doc = html_of('| a | b |\n|---|---|\n| 1 | 2 |\n\nSee[^n] "this" -- that...\n\n[^n]: A note.\n\n'
                          '!!! tip "Try it"\n    Admonition text.\n')
    assert doc.find("table").find("td").text == "1"
    assert doc.find("div", cls="footnote") is not None
    assert doc.find("div", cls="admonition").find("p", cls="admonition-title").text == "Try it"
    assert "\u201cthis\u201d \u2013 that\u2026" in result.text


def test_headings_get_ids_permalinks_and_a_toc():
    result, doc = html_of("## First part\n\ntext\n\n### Détails & more\n\ntext\n")
    assert [(h.level, h.id, h.text) for h in result.headings] == [(2, "first-part", "First part"),
                                                                   (3, "details-more", "Détails & more")]
    link = doc.find("h2").find("a", cls="headerlink")
    assert link.get("href") == "#first-part"
    assert link.get("aria-label") == "Link to section: First part"
    assert "#" not in result.text  # permalink glyphs are not part of the text


def test_links_to_note_files_become_urls_with_fragments():
    result, doc = html_of("[o](other.md#part) [b](b/index.md) [ext](https://example.org/x.md) [abs](/about/)")
    hrefs = [a.get("href") for a in doc.find_all("a")]
    assert hrefs == ["/talks/notes/other/#part", "/talks/notes/b/", "https://example.org/x.md", "/talks/about/"]
    assert not result.problems


def test_link_from_a_bundle_to_a_flat_note():
    result, doc = html_of("[o](../other.md)", source="notes/b/index.md")
    assert doc.find("a").get("href") == "/talks/notes/other/"


def test_missing_note_and_unsafe_links_are_errors_with_lines():
    result, doc = html_of("line one\n\n[x](gone.md)\n\n[y](javascript:alert(1))\n\n![z](data:image/png;base64,AA)\n")
    assert [(p.line, p.message.split(" '")[0]) for p in result.problems] == [
        (7, "link to a missing note"), (9, "unsafe link"), (11, "unsafe image source")]
    assert "javascript:" not in result.html and "data:" not in result.html


def test_images_resolve_beside_the_note_or_in_content_images():
    result, _ = html_of("![Photo](photo.jpg)\n\n![Shared](shared.png)\n\n![Gone](gone.jpg)\n", source="notes/b/index.md")
    assert [(i.source, i.alt) for i in result.images] == [("notes/b/photo.jpg", "Photo"), ("images/shared.png", "Shared")]
    assert [p.message for p in result.problems] == ["image not found 'gone.jpg'"]


def test_raw_html_is_allowed_or_escaped_by_policy():
    body = "<div class=\"x\">hi</div>\n\nInline <b>bold</b>.\n"
    allowed, _ = html_of(body)
    assert '<div class="x">' in allowed.html and "<b>bold</b>" in allowed.html
    escaped = render(body, "notes/a.md", 1, LinkContext("/", raw_html="escape"))
    assert "<div" not in escaped.html and "&lt;div" in escaped.html and "<b>" not in escaped.html


def test_html_to_text():
    assert html_to_text("<p>One &amp; two</p><p>three</p>") == "One & two three"


def test_excerpt_takes_whole_words_from_the_start():
    body = "Intro with a [link](https://example.org/a-long-url-that-goes-on) here.\n\n" + " ".join(
        f"word{i}" for i in range(300))
    result = render(body, "notes/a.md", 1, LinkContext("/"))
    assert result.excerpt(5) == "Intro with a link here. …"
    assert result.excerpt(40).split()[:-1] == result.text.split()[:40]
    assert render("Just three words.", "notes/a.md", 1, LinkContext("/")).excerpt(40) == "Just three words."


def test_emphasis_nested_a_thousand_deep_still_renders():
    """Python-Markdown 3.11.3 nests 1,500 strong elements for this (3.8.1 puts 857 side by side):
    the emphasis is Python-Markdown's own, release by release. On some releases its
    table-of-contents search recurses past Python's limit on them; talknotes' speed-ups run that
    search only for a [TOC] marker, and stock code (``speedups: false``) reports the nesting."""
    import markdown
    body = "*" * 3000 + "deep" + "*" * 3000 + "\n"
    rendered = render(body, "notes/x.md", 1, LinkContext(base_path="/"))
    assert not rendered.problems and "deep" in rendered.html
    assert rendered.html == markdown.markdown(body)  # Python-Markdown alone: no toc search
    stock = render(body, "notes/x.md", 1, LinkContext(base_path="/"), speedups=False)
    too_deep = ["Markdown is nested too deeply to render"]
    assert stock.html == rendered.html or [p.message for p in stock.problems] == too_deep


def test_an_unfinished_markup_declaration_is_text():
    """Python-Markdown before 3.8.1 raised AssertionError from its HTML parser on a block that
    starts with ``<![`` (hence pyproject's minimum)."""
    for body in ("<![", "<![\n\nafter", "x\n\n<![ y"):
        assert "&lt;![" in render(body, "notes/a.md", 1, LinkContext("/")).html


def test_a_document_too_deep_to_render_leaves_the_next_one_unharmed():
    import sys
    ctx = LinkContext(base_path="/")
    body = "- a\n\n    - b\n\nc\n\n1. x\n2. y\n"
    before = render(body, "notes/x.md", 1, ctx).html
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default (property-test libraries may raise it)
    try:
        deep = render("- " * 20000 + "x\n", "notes/deep.md", 1, ctx)  # lists 20,000 deep
    finally:
        sys.setrecursionlimit(limit)
    assert [p.message for p in deep.problems] == ["Markdown is nested too deeply to render"]
    assert render(body, "notes/x.md", 1, ctx).html == before
