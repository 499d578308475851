"""reST -> Markdown: each construct the issue names, the plain-text fallback, a quiet and shut-in
docutils, and Markdown escaping that makes any text read back as itself."""

from __future__ import annotations

import html
import re

import markdown
import pytest

from generator.importing import mdtext, rst

EXTENSIONS = ["fenced_code", "tables", "footnotes", "admonition", "def_list", "sane_lists"]


def rendered(md: str) -> str:
    return markdown.markdown(md, extensions=EXTENSIONS)


def visible(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_inline_markup_and_both_kinds_of_reference():
    md = rst.to_markdown("Some *emphasis*, **strong** and ``code``; `named`_ and `anonymous`__.\n\n"
                         ".. _named: https://example.org/named\n\n__ https://example.org/anon\n")
    assert md == ("Some *emphasis*, **strong** and `code`; [named](https://example.org/named) and "
                  "[anonymous](https://example.org/anon).\n")
    page = rendered(md)
    assert '<a href="https://example.org/named">named</a>' in page and "<em>emphasis</em>" in page
    assert "`" not in visible(page) and "__" not in page


def test_embedded_uri_and_standalone_link():
    md = rst.to_markdown("See `the docs <https://docs.python.org/3/>`_ or https://example.org/x.")
    assert "[the docs](https://docs.python.org/3/)" in md
    assert "[https://example.org/x](https://example.org/x)" in md


def test_lists_nested_content_and_code_blocks():
    md = rst.to_markdown("* one\n* two\n\n  more of two\n\n  ::\n\n      nested code\n\n#. first\n#. second\n\n"
                         "Example::\n\n    def f():\n        return 1\n    ```\n")
    page = rendered(md)
    assert page.count("<li>") == 4 and "<ol>" in page and "<ul>" in page
    assert "<pre><code>nested code" in page
    assert "<pre><code>def f():\n    return 1\n```\n</code></pre>" in page
    assert md.count("````") == 2  # the fence is longer than the backticks inside


def test_sections_quotes_admonitions_and_definitions():
    md = rst.to_markdown("Intro.\n\nPart one\n========\n\nText.\n\nDeeper\n------\n\n    A quote.\n\n"
                         "    -- Someone\n\n.. note:: Mind the gap.\n\nterm\n    its definition\n")
    assert "## Part one" in md and "### Deeper" in md
    page = rendered(md)
    assert "<blockquote>" in page and "— Someone" in page
    assert 'class="admonition note"' in page and "<dt>term</dt>" in page


@pytest.mark.parametrize("text", ["Bad `unclosed markup", "See `nowhere`_ for more.",
                                  "Title\n===\n\n.. unknown-directive:: x\n"])
def test_unreadable_rst_falls_back_to_escaped_plain_text(text):
    md = rst.to_markdown(text)
    page = rendered(md)
    assert visible(page) == " ".join(text.split())
    assert "<a " not in page and "<code>" not in page


def test_plain_text_keeps_its_lines_and_shows_html_as_text():
    md = rst.to_markdown("Topics:\n- one <b>bold</b>\n- two & more\n\n# not a heading")
    page = rendered(md)
    assert "<b>" not in page and "&lt;b&gt;" in page or "&lt;b>" in page
    assert "<h1>" not in page and "<ul>" not in page
    assert "# not a heading" in visible(page)


def test_docutils_is_quiet_and_reads_no_file_nor_raw_html(capsys, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    text = (f".. include:: {secret}\n\n.. raw:: html\n\n   <script>alert(1)</script>\n\n"
            f"Title\n==\n\nA `broken reference`_.\n")
    md = rst.to_markdown(text)
    assert "TOP SECRET" not in md and "<script>" not in md
    assert capsys.readouterr() == ("", "")


def test_sphinx_roles_and_code_block_directives_keep_the_rest_formatted():
    md = rst.to_markdown("Call :py:func:`len` (see :ref:`the guide <guide>`) and *relax*.\n\n"
                         ".. code-block:: console\n\n    $ pip install x\n")
    assert md == "Call `len` (see the guide) and *relax*.\n\n```console\n$ pip install x\n```\n"


def test_to_plain_drops_markup_and_comments():
    assert rst.to_plain("Hello *world*,\nsee `this <https://x.org>`_.\n\n.. a comment\n\nNext.") == \
        "Hello world, see this. Next."
    assert rst.to_plain("Bad `markup") == "Bad `markup"


def test_document_metadata_title_and_fields():
    document = rst.read_document("My title\n########\n\n:date: 2020-01-02\n:tags: a, b\n:authors: Ann; Bo\n\nBody.\n")
    assert document.title == "My title"
    assert document.fields["date"] == "2020-01-02" and document.fields["tags"] == "a, b"
    assert document.markdown == "Body.\n"


def test_unsafe_or_broken_link_targets_keep_only_their_text():
    md = rst.to_markdown("`x <javascript:alert(1)>`_ and `y <http:///nohost>`_ and `z <mailto:a@b.org>`_")
    assert "javascript" not in md and "(http:///nohost)" not in md
    assert "[z](mailto:a@b.org)" in md


TEXTS = ["5 * 3 = 15 and 2 * 4", "snake_case_name and __dunder__", "[not a link](x)", "<script>x</script>",
         "&amp; stays &amp;", "# hash", "1. not a list", "- not a list", "> not a quote", "`tick` ``two``",
         "back\\slash", "a | b", "{braces}", "!bang", "+ plus", ": colon", "= equals", "-- dashes", "***"]


@pytest.mark.parametrize("text", TEXTS)
def test_escaped_text_reads_back_as_itself(text):
    page = rendered(mdtext.paragraph(text))
    assert page.startswith("<p>") and visible(page) == text


def test_code_span_holds_any_backticks():
    for text in ["a`b", "``", "`start", "plain"]:
        assert visible(rendered(mdtext.code_span(text))) == text
