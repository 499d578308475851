"""Speed-ups for Python-Markdown that leave its output byte for byte the same.

A note of ~770 words spends most of its Markdown time in two places that do redundant work:

* **Inline patterns.** Python-Markdown tries every inline pattern (about 30 with our
  extensions, smarty's quotes included) on every text node, at a few microseconds each, even
  when the text holds none of the characters the pattern starts with. :class:`SkippingInlineProcessor`
  first asks whether the text contains one of the characters every match must contain, and
  skips the pattern when it does not: a pattern that cannot match changes nothing, so the
  result is the same.
* **Pygments formatters and lexers.** codehilite builds a new ``HtmlFormatter`` for every code
  block (building one renders the whole style's stylesheet) and looks its lexer up by name
  (a scan of Pygments' lexer table). :func:`~generator.markdown.speedups.highlight.cached_html_formatter` and
  :func:`~generator.markdown.speedups.highlight.get_lexer_by_name` keep one of each per language and options,
  made only when a block needs them, and give each lexer the faster token loop of
  :mod:`generator.markdown.speedups.lexers`.
* **The table of contents.** The toc extension searches every document for its ``[TOC]``
  marker and renders a table we never use; :func:`lean_toc` does so only when the marker is
  in the source.
* **Raw HTML.** Python-Markdown parses every document for raw HTML blocks and puts stashed
  HTML back in a loop that always makes one more pass; :func:`lean_raw_html` skips what
  cannot change the text.
* **Unchanged code blocks.** :class:`~generator.markdown.speedups.highlight.Highlights` hands a document's blocks as highlighted last
  time back to the formatter, so an edit to a note's prose re-renders no code.

tests/markdown/test_mdspeed.py renders the sample site, the benchmark corpus and generated Markdown with
and without these and compares the HTML. They run only where :mod:`.speedups` allows, and
:func:`generator.markdown.render.render` falls back to stock code if one raises.
"""

from __future__ import annotations

import re

from markdown import util
from markdown.treeprocessors import InlineProcessor

from .patterns import required_characters, required_literal

def _finder(characters) -> re.Pattern:
    """A regular expression matching each of ``characters`` (none: it never matches)."""
    if not characters:
        return re.compile("(?!)")
    return re.compile("[" + "".join(re.escape(c) for c in sorted(characters)) + "]")


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, skipping each pattern a text cannot match.

    It overrides the base class's private ``__handleInline``, the loop over the patterns; the
    rest (stashing, placeholders, ancestors) is the base class's own.
    """

    def run(self, tree, ancestors=None):
        # Pattern i is bit i: each required character maps to the patterns needing it.
        self._patterns = list(self.inlinePatterns)
        self._always, self._needing = 0, {}
        for index, pattern in enumerate(self._patterns):
            required = required_characters(pattern.getCompiledRegExp())
            if required is None:
                self._always |= 1 << index
            for char in required or ():
                self._needing[char] = self._needing.get(char, 0) | 1 << index
        self._find = _finder(self._needing).findall
        self._literals = [required_literal(pattern.getCompiledRegExp()) for pattern in self._patterns]
        return super().run(tree, ancestors)

    def _candidates(self, data: str, first: int) -> int:
        """The patterns from ``first`` on that may match ``data``, as a bit mask."""
        mask, needing = self._always, self._needing
        for char in set(self._find(data)):
            mask |= needing[char]
        return mask >> first << first

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        apply, patterns = self._InlineProcessor__applyPattern, self._patterns
        mask, start, current = self._candidates(data, patternIndex), 0, patternIndex
        while mask:
            index = (mask & -mask).bit_length() - 1  # the next pattern that may match
            if index != current:  # a new pattern searches from the start of the text
                start, current = 0, index
            literal = self._literals[index]
            if literal is not None and literal not in data:
                mask &= mask - 1  # it cannot match: on to the next
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if matched:
                mask = self._candidates(data, index)  # the text changed; this pattern may match again
            else:
                mask &= mask - 1  # on to the next (those in between cannot match: skipped, as the base class would)
        return data


def _block_skip(processor):
    """For a block processor whose ``test`` needs a character the block lacks to be true, a
    function telling so from the block alone (None for any other processor). Only Python-
    Markdown's own classes, whose tests are known: their regular expressions need a ``#``
    (headings), ``>`` (quotes), ``-``, ``_`` or ``*`` (rules), a line break (setext headings),
    ``:`` (definition lists) or ``|`` (tables); an admonition needs ``!!!`` unless the block is
    indented or continues one."""
    from markdown import blockprocessors as bp
    from markdown.extensions.admonition import AdmonitionProcessor
    from markdown.extensions.def_list import DefListProcessor
    from markdown.extensions.tables import TableProcessor
    cls = type(processor)
    if cls is bp.HashHeaderProcessor:
        return lambda block: "#" not in block
    if cls is bp.BlockQuoteProcessor:
        return lambda block: ">" not in block
    if cls is bp.HRProcessor:
        return lambda block: "-" not in block and "_" not in block and "*" not in block
    if cls is bp.SetextHeaderProcessor:
        return lambda block: "\n" not in block
    if cls is DefListProcessor:
        return lambda block: ":" not in block
    if cls is TableProcessor:
        return lambda block: "|" not in block
    if cls is AdmonitionProcessor:
        indent = " " * processor.tab_length
        return lambda block: ("!!!" not in block and processor.current_sibling is None
                              and not block.startswith(indent))
    return None


def skip_block_tests(md) -> None:
    """Give the block parser Python-Markdown's own loop, minus the tests that cannot be true:
    every block is tried against every block processor in turn (a regular-expression search
    each), though most blocks lack the one character a test needs (see :func:`_block_skip`).
    A skipped test would have been false, so the same processor handles each block."""
    parser = md.parser
    ordered: list = [-1, ()]  # (how many processors, ((processor, skip), ...) in their order)

    def processors() -> tuple:
        # Iterating the registry builds a new list every time, once per block. Processors are
        # registered while extensions load, before anything renders: the count tells.
        if len(parser.blockprocessors) != ordered[0]:
            ordered[:] = [len(parser.blockprocessors), tuple((p, _block_skip(p)) for p in parser.blockprocessors)]
        return ordered[1]

    def parseBlocks(parent, blocks) -> None:  # markdown.blockparser.BlockParser.parseBlocks
        while blocks:
            for processor, skip in processors():
                if skip is not None and skip(blocks[0]):
                    continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break

    parser.parseBlocks = parseBlocks


def memo_block_level(md) -> None:
    """Remember ``md.is_block_level`` per tag: the serializer and the inline and tree processors
    ask it about a hundred times a note, each a lower-casing and a search of a 59-name list.
    The answers are forgotten whenever that list is replaced or changes length."""
    stock, known, seen = md.is_block_level, {}, [None, -1]

    def is_block_level(tag) -> bool:
        elements = md.block_level_elements
        if elements is not seen[0] or len(elements) != seen[1]:
            known.clear()
            seen[:] = [elements, len(elements)]
        try:
            return known[tag]
        except KeyError:
            answer = known[tag] = stock(tag)
            return answer
        except TypeError:  # an unhashable tag: never seen from Python-Markdown itself
            return stock(tag)

    md.is_block_level = is_block_level


def lean_toc(md) -> None:
    """Spare the toc extension its work for a ``[TOC]`` marker in documents without one.

    For every document it walks the whole tree looking for a paragraph that is exactly the
    marker, and it builds, serialises and post-processes the table of contents as ``md.toc``,
    which we never read (the headings come from ``md.toc_tokens``). A paragraph is the marker
    only if the source holds it literally (an escaped or entity-encoded one is a placeholder
    in the tree), so a preprocessor looks for it first; without it, the search is off and the
    table is an empty ``<div>``. ``md.toc`` is then empty; the document's HTML is the same."""
    if "toc" not in md.treeprocessors:
        return
    import xml.etree.ElementTree as etree

    from markdown.preprocessors import Preprocessor

    toc = md.treeprocessors["toc"]
    marker, build_div = toc.marker, toc.build_toc_div

    class MarkerCheck(Preprocessor):
        def run(self, lines):
            toc.marker = marker if marker and any(marker in line for line in lines) else ""
            return lines

    toc.build_toc_div = lambda tokens: build_div(tokens) if toc.marker else etree.Element("div")
    md.preprocessors.register(MarkerCheck(md), "talknotes_toc_marker", 100)


def lean_raw_html(md) -> None:
    """Skip the raw-HTML passes over documents that hold no raw HTML.

    The ``html_block`` preprocessor feeds the whole text to an HTML parser; with no ``<`` in
    it the parser only hands the text back. The ``raw_html`` postprocessor puts stashed HTML
    (highlighted code, raw blocks) back in place and then runs again until nothing changes:
    the second pass rebuilds its table and searches the whole output once more. Both are
    skipped when the text cannot change: no ``<``, or no placeholder left."""
    from markdown.postprocessors import RawHtmlPostprocessor
    from markdown.preprocessors import HtmlBlockPreprocessor

    if type(md.preprocessors["html_block"] if "html_block" in md.preprocessors else None) is HtmlBlockPreprocessor:
        blocks = md.preprocessors["html_block"]
        whole = blocks.run
        blocks.run = lambda lines: whole(lines) if any("<" in line for line in lines) else lines
    if type(md.postprocessors["raw_html"] if "raw_html" in md.postprocessors else None) is RawHtmlPostprocessor:
        stash = md.postprocessors["raw_html"]
        again = stash.run
        prefix = util.HTML_PLACEHOLDER[:util.HTML_PLACEHOLDER.index("%")]
        stash.run = lambda text: again(text) if prefix in text else text


def speed_up(md) -> None:
    """Swap a configured Markdown instance's inline processors (core and smarty's) for
    :class:`SkippingInlineProcessor`, keeping their patterns and order, skip the block tests
    that cannot be true (:func:`skip_block_tests`), the table of contents nobody reads
    (:func:`lean_toc`) and raw-HTML passes with nothing to do (:func:`lean_raw_html`)."""
    skip_block_tests(md)
    memo_block_level(md)
    lean_toc(md)
    lean_raw_html(md)
    for name in ("inline", "smarty"):
        if name not in md.treeprocessors:
            continue
        index = md.treeprocessors.get_index_for_name(name)
        priority = md.treeprocessors._priority[index].priority
        old = md.treeprocessors[name]
        new = SkippingInlineProcessor(md)
        new.inlinePatterns = old.inlinePatterns
        md.treeprocessors.register(new, name, priority)
