"""The Markdown speed-ups (generator/markdown/speedups/parser.py) change nothing in what a note renders to.

Each test renders the same Markdown twice through :func:`generator.markdown.render.render`: once with
the configured fast instance and once with a stock Python-Markdown instance (no skipping inline
processor, a new Pygments formatter and lexer per code block), and compares every field.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pygments.lexers
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from markdown.extensions import codehilite

from generator.markdown import render as md_module

from generator.markdown.speedups import highlight as mdhighlight

from generator.markdown.speedups import patterns as mdpatterns

from generator.markdown.speedups import parser as mdspeed

from generator.markdown.speedups import guard as speedups
from generator.markdown.render import LinkContext, render

REPO = Path(__file__).resolve().parents[2]


def _fields(rendered):
    return (rendered.html, rendered.headings, rendered.images, rendered.links, rendered.problems, rendered.deps)


def render_both(body: str, ctx: LinkContext, monkeypatch=None, source: str = "notes/x.md"):
    """(fast, stock) renderings of one body; the fast one really by the speed-ups (none raised)."""
    started, fallbacks = speedups.state.fast_renders, speedups.state.fallbacks
    fast = _fields(render(body, source, 1, ctx))
    assert (speedups.state.fast_renders, speedups.state.fallbacks) == (started + 1, fallbacks), \
        "the speed-ups did not render this (off, or they raised): " + repr(speedups.unsupported())
    slow = _fields(render(body, source, 1, ctx, speedups=False))
    return fast, slow


def _bodies(folder: Path):
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text[text.index("\n---\n", 3) + 5:]
        yield path.relative_to(folder).as_posix(), text


def test_sample_site_renders_the_same(monkeypatch):
    folder = REPO / "content"
    notes = list(_bodies(folder))
    ctx = LinkContext(base_path="/", documents={source: f"/{source[:-3]}/" for source, _ in notes},
                      files=frozenset(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))
    assert len(notes) >= 20
    for source, body in notes:
        fast, slow = render_both(body, ctx, monkeypatch, source)
        assert fast == slow, source


def test_benchmark_corpus_renders_the_same(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    corpus.generate(tmp_path, 80)
    notes = list(_bodies(tmp_path / "content"))
    ctx = LinkContext(base_path="/", documents={source: f"/{source[:-3]}/" for source, _ in notes})
    for source, body in notes:
        fast, slow = render_both(body, ctx, monkeypatch, source)
        assert fast == slow, source
    assert any('<span class="k">' in render(body, s, 1, ctx).html for s, body in notes)  # highlighted


# Markdown made of the characters and constructs inline patterns start with, the placeholder
# characters Python-Markdown uses internally, and plain words.
_PIECES = st.sampled_from([
    "word", "Flask", " ", "  ", "\n", "\n\n", "  \n", "*", "**", "***", "_", "__", "`", "``", "\\", "\\*",
    "[", "]", "(", ")", "![", "](", "](x.md)", "](missing.md)", "[^1]", "\n\n[^1]: note", "[ref]",
    "\n\n[ref]: https://example.org", "<", ">", "<b>", "</b>", "<http://example.org>", "<a@b.org>",
    "&", "&amp;", "&#8212;", "&nbsp;", "'", '"', "'90s", "--", "---", "...", "....", "-", "1. ", "- ",
    "> ", "# ", "## Head", "\n```python\nx = 'a' * 2\n```\n", "\n```\nplain\n```\n", "\n    code\n",
    "\n!!! note\n    body\n", "\nTerm\n:   definition\n", "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "\x02", "\x03", "klzzwxh:0000", "é", "—", "–", "{", "}", "~", "^", ":",
    "[TOC]", "\n\n[TOC]\n\n", "\\[TOC]", "&#91;TOC]", "[TOC",  # the table of contents marker
    "..", ". . .", "....", "-", "---", "'\"", "\"'", "![", "[^",  # runs some patterns need
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["allow", "escape"]))
@example("&amp;'  \nword", "allow")  # a pattern after a match searches from the start again
def test_generated_markdown_renders_the_same(monkeypatch, body, raw_html):
    ctx = LinkContext(base_path="/", documents={"notes/x.md": "/notes/x/"}, raw_html=raw_html)
    fast, slow = render_both(body, ctx, monkeypatch)
    assert fast == slow


# Blocks and block starts, for the block tests mdspeed skips (headings, quotes, rules, setext
# headings, definition lists, tables, admonitions and what continues them).
_BLOCKS = st.sampled_from([
    "Para", "Title\n=====", "Title\n-----", "# H", "### H ###", "text # not a heading", "> quote",
    "> a\n> b", ">not", "***", "* * *", "___", "- - -", "--", "a - b", "- item", "* item",
    "1. one", "2) x", "    indented", "        deeper", "\tTab", "Term\n:   def", ": colon", "a: b",
    "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n--|--", "| x |\n|---|", "|", "!!! note", '!!! tip "T"\n    in',
    "!!! danger\n\n    para", "!!!", "!! no", "    continued", "- item\n\n    !!! note\n        in list",
    "[^1]: fn", "[r]: https://example.org", "```\ncode\n```", "<div>\nhtml\n</div>", "",
    "[TOC]", " [TOC] ", "- [TOC]", "> [TOC]", "[TOC] and more", "\\[TOC]",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_BLOCKS, st.sampled_from(["\n\n", "\n", "\n\n\n"])), max_size=12)
       .map(lambda parts: "".join(block + sep for block, sep in parts)))
def test_generated_blocks_render_the_same(monkeypatch, body):
    ctx = LinkContext(base_path="/", documents={"notes/x.md": "/notes/x/"})
    fast, slow = render_both(body, ctx, monkeypatch)
    assert fast == slow


def test_a_table_of_contents_marker_still_gets_its_table(monkeypatch):
    body = "Intro\n\n[TOC]\n\n## First\n\nText\n\n### Inner\n\n## Second\n\nMore\n"
    ctx = LinkContext(base_path="/")
    fast, slow = render_both(body, ctx, monkeypatch)
    assert fast == slow
    assert '<div class="toc">' in fast[0] and '<a href="#inner">Inner</a>' in fast[0]
    # The next document has no marker: no table, and the marker is back for the one after.
    assert '<div class="toc">' not in render("## Only\n\ntext\n", "notes/x.md", 1, ctx).html
    assert '<div class="toc">' in render(body, "notes/x.md", 1, ctx).html


def test_block_tests_are_skipped_only_for_known_processors():
    """If a Python-Markdown upgrade renames these processors, rendering stays right but gets
    slower: this says so."""
    md = md_module.new_markdown("allow")
    skipped = {type(p).__name__ for p in md.parser.blockprocessors if mdspeed._block_skip(p) is not None}
    assert skipped == {"HashHeaderProcessor", "BlockQuoteProcessor", "HRProcessor", "SetextHeaderProcessor",
                       "DefListProcessor", "TableProcessor", "AdmonitionProcessor"}


@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", 0, {"\\", "`"}),   # a branch: the union
    (r"(\s|&nbsp;|--)'(?=\w)", 0, {"'"}),                       # the rarest mandatory item
    (r"(?<!-)--(?!-)", 0, {"-"}),                                # lookarounds consume nothing
    (r"  \n", 0, {"\n"}),                                        # a space is too common to test
    (r"[a-c]+x", 0, {"x"}),
    (r"[a-c]+", 0, {"a", "b", "c"}),
    (r"k", re.IGNORECASE, {"k", "K"}),
    (r"x?y*", 0, None),                                          # may match nothing
    (r"\w+", 0, None),                                           # any word character
    (r"[^<]+", 0, None),
    (r"(?=a)", 0, None),
])
def test_required_characters(pattern, flags, expected):
    found = mdpatterns.required_characters(re.compile(pattern, flags))
    assert (set(found) if found is not None else None) == expected


@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    (r"(?<!\.)\.{3}(?!\.)", 0, "..."),       # a fixed repeat counts its characters
    (r"(?<!-)---(?!-)", 0, "---"),             # lookarounds do not break the run
    (r"\!\[", 0, "!["),
    (r"^(.*?)\*\*(.*)$", 0, "**"),             # an old-style pattern's middle
    (r"a{2,}b", 0, "aa"),                       # a run stops after a repeat of no fixed length
    (r"ab|cd", 0, None),                        # a branch: no single run
    (r"(xy)z", 0, None),                        # groups end a run (conservative)
    (r"x", 0, None),                            # one character: the character test covers it
    (r"ab", re.IGNORECASE, None),
])
def test_required_literal(pattern, flags, expected):
    assert mdpatterns.required_literal(re.compile(pattern, flags)) == expected


def test_every_configured_pattern_can_be_skipped():
    """If a Python-Markdown upgrade changes a pattern beyond what we can read, rendering stays
    right but gets slower: this says so."""
    md = md_module.new_markdown("allow")
    for name in ("inline", "smarty"):
        processor = md.treeprocessors[name]
        assert isinstance(processor, mdspeed.SkippingInlineProcessor)
        for pattern in processor.inlinePatterns:
            assert mdpatterns.required_characters(pattern.getCompiledRegExp()), pattern.getCompiledRegExp().pattern


def test_lexers_and_formatters_are_reused(monkeypatch):
    ctx = LinkContext(base_path="/")
    render("```python\nx = 1\n```\n\n```python\ny = 2\n```\n", "notes/x.md", 1, ctx)
    lexers, formatters = len(mdhighlight._lexers), len(mdhighlight._formatters)
    render("```python\nz = 3\n```\n", "notes/y.md", 1, ctx)
    assert (len(mdhighlight._lexers), len(mdhighlight._formatters)) == (lexers, formatters)
    with pytest.raises(Exception):  # an unknown language still raises for codehilite to handle
        mdhighlight.get_lexer_by_name("no-such-language")
    assert codehilite.get_lexer_by_name is pygments.lexers.get_lexer_by_name  # swapped back after rendering
    fast, slow = render_both("```nosuchlang\nx < 1\n```\n", ctx, monkeypatch)
    assert fast == slow and "x &lt; 1" in fast[0]


def _count_lexers_built(monkeypatch) -> list:
    built = []
    original = mdhighlight._LazyLexer.lexer

    def lexer(self):
        built.append(self.cls.__name__)
        return original(self)

    monkeypatch.setattr(mdhighlight._LazyLexer, "lexer", lexer)
    return built


NOTE_WITH_CODE = ("Intro.\n\n```python\ndef f(x):\n    return x * 2\n```\n\n"
                  "```prolog\nparent(tom, bob).\n```\n\nMore prose.\n")


def test_remembered_code_blocks_skip_the_lexers_and_change_nothing(monkeypatch):
    ctx = LinkContext(base_path="/")
    first = mdhighlight.Highlights()
    before = render(NOTE_WITH_CODE, "notes/x.md", 1, ctx, highlights=first)
    assert len(first.used) == 2
    built = _count_lexers_built(monkeypatch)
    edited = NOTE_WITH_CODE.replace("More prose.", "More prose, edited.")
    again = mdhighlight.Highlights(first.used)
    after = render(edited, "notes/x.md", 1, ctx, highlights=again)
    assert built == [] and again.used == first.used
    assert after.html == before.html.replace("More prose.", "More prose, edited.")
    fast, slow = render_both(edited, ctx, monkeypatch)
    assert after.html == fast[0] == slow[0]
    # A changed block is lexed again; one that went is forgotten.
    changed = edited.replace("return x * 2", "return x * 3").replace("```prolog\nparent(tom, bob).\n```\n", "")
    third = mdhighlight.Highlights(again.used)
    built.clear()
    result = render(changed, "notes/x.md", 1, ctx, highlights=third)
    assert built == ["PythonLexer"] and len(third.used) == 1
    assert result.html == render(changed, "notes/x.md", 1, ctx).html


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["x = 1", "y = 'a'", "print(x)", "# note", "<b>&amp;</b>"]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["x = 1", "z = 2", "print(x)"]), min_size=1, max_size=4))
def test_highlights_of_other_code_change_nothing(monkeypatch, old_lines, new_lines):
    ctx = LinkContext(base_path="/")
    old, new = ("```python\n" + "\n".join(lines) + "\n```\n" for lines in (old_lines, new_lines))
    remembered = mdhighlight.Highlights()
    render(old, "notes/x.md", 1, ctx, highlights=remembered)
    with_memo = render(new, "notes/x.md", 1, ctx, highlights=mdhighlight.Highlights(remembered.used))
    fast, slow = render_both(new, ctx, monkeypatch)
    assert with_memo.html == fast[0] == slow[0]


def test_block_level_answers_follow_the_list():
    md = md_module.new_markdown("allow")
    assert md.is_block_level("div") and md.is_block_level("DIV/") and not md.is_block_level("talk")
    md.block_level_elements.append("talk")
    assert md.is_block_level("talk")
    md.block_level_elements = ["talk"]
    assert not md.is_block_level("div") and md.is_block_level("talk")
    assert not md.is_block_level(None)


def test_a_block_processor_registered_later_is_used():
    from markdown.blockprocessors import BlockProcessor

    class Shout(BlockProcessor):
        def test(self, parent, block):
            return block.startswith("!!SHOUT")

        def run(self, parent, blocks):
            import xml.etree.ElementTree as etree
            etree.SubElement(parent, "p").text = blocks.pop(0)[8:].upper()

    md = md_module.new_markdown("allow")

    def first_paragraph() -> str:
        return md.parser.parseDocument(["!!SHOUT quiet"]).getroot()[0].text

    assert first_paragraph() == "!!SHOUT quiet"
    md.parser.blockprocessors.register(Shout(md.parser), "shout", 200)
    assert first_paragraph() == "QUIET"


def test_the_python_markdown_code_mdspeed_copies_is_the_tested_one():
    """SkippingInlineProcessor and skip_block_tests are Python-Markdown's loops with a change: a
    release whose loops (or the code they call) differ needs the copies read again."""
    version = speedups.installed("markdown")
    changed = speedups.changed_sources("markdown", version)
    assert speedups.tested("markdown", version) and not changed, (
        f"Python-Markdown {version}: changed since the last tested release: {changed}. Re-read generator/markdown/speedups/parser.py "
        "against them, then record the release in generator/markdown/speedups/guard.py "
        "(docs/performance.md, 'Speed-ups and their guard')")
