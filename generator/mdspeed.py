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
  (a scan of Pygments' lexer table). :func:`cached_html_formatter` and :func:`get_lexer_by_name`
  keep one of each per language and options, made only when a block needs them, and give
  each lexer the faster token loop of :mod:`generator.lexspeed`.
* **The table of contents.** The toc extension searches every document for its ``[TOC]``
  marker and renders a table we never use; :func:`lean_toc` does so only when the marker is
  in the source.
* **Raw HTML.** Python-Markdown parses every document for raw HTML blocks and puts stashed
  HTML back in a loop that always makes one more pass; :func:`lean_raw_html` skips what
  cannot change the text.
* **Unchanged code blocks.** :class:`Highlights` hands a document's blocks as highlighted last
  time back to the formatter, so an edit to a note's prose re-renders no code.

tests/test_mdspeed.py renders the sample site, the benchmark corpus and generated Markdown with
and without these and compares the HTML. They run only where :mod:`.speedups` allows, and
:func:`generator.markdown.render` falls back to stock code if one raises.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from contextlib import contextmanager

from markdown import util
from markdown.treeprocessors import InlineProcessor

try:  # the regular expression parser (private, stable since Python 3.11); without it, no skipping
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None

# Characters too common in prose to make a useful test: a set with one of them is not chosen
# while a rarer required set exists.
_COMMON = frozenset(" .,etaoinshrdlu")
_MAX_CLASS = 32  # a character class wider than this is treated as "anything"


def _chars_of_item(op, arg, ignorecase: bool) -> frozenset | None:
    """The characters one consumed character of this node may be, or None if (nearly) any."""
    if op is _sre.LITERAL:
        char = chr(arg)
        return frozenset({char, char.swapcase()} if ignorecase else {char})
    if op is _sre.IN:
        chars: set[str] = set()
        for item_op, item_arg in arg:
            if item_op is _sre.LITERAL:
                chars.add(chr(item_arg))
            elif item_op is _sre.RANGE and item_arg[1] - item_arg[0] < _MAX_CLASS:
                chars.update(map(chr, range(item_arg[0], item_arg[1] + 1)))
            else:  # NEGATE, CATEGORY (\s, \w), wide ranges
                return None
        if ignorecase:
            chars |= {c.swapcase() for c in chars}
        return frozenset(chars) if len(chars) <= _MAX_CLASS else None
    return None


def _required(items, ignorecase: bool) -> frozenset | None:
    """A set of characters of which every match of this sequence contains at least one.

    Each item the sequence cannot match without (a literal, a character class, a group, a
    branch or a repeat of at least once) gives such a set; the most selective one is returned.
    Zero-width items (lookarounds, anchors) and optional items give none. None: no such set.
    """
    candidates = []
    for op, arg in items:
        found = None
        if op in (_sre.LITERAL, _sre.IN):
            found = _chars_of_item(op, arg, ignorecase)
        elif op is _sre.SUBPATTERN:
            found = _required(arg[-1], ignorecase)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) and arg[0] >= 1:
            found = _required(arg[2], ignorecase)
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            found = _required(arg, ignorecase)
        elif op is _sre.BRANCH:
            branches = [_required(branch, ignorecase) for branch in arg[1]]
            if all(branches):
                found = frozenset().union(*branches)
        if found:
            candidates.append(found)
    if not candidates:
        return None
    return min(candidates, key=lambda chars: (bool(chars & _COMMON), len(chars)))


@functools.lru_cache(maxsize=None)
def required_characters(compiled: re.Pattern) -> frozenset | None:
    """Characters of which every match of ``compiled`` contains at least one, or None when
    there is no such short list (then the pattern is always tried)."""
    if _sre_parse is None:
        return None
    try:
        tree = _sre_parse.parse(compiled.pattern, compiled.flags)
    except Exception:  # an exotic pattern: always try it  # pragma: no cover
        return None
    return _required(list(tree), bool(compiled.flags & re.IGNORECASE))


@functools.lru_cache(maxsize=None)
def required_literal(compiled: re.Pattern) -> str | None:
    """The longest run of two or more characters every match of ``compiled`` contains, from
    its top-level sequence of literals (``\\.{3}`` gives ``...``), or None. Zero-width items
    (lookarounds) do not break a run; anything else does. A pattern whose run is not in a text
    cannot match it: the ellipsis pattern is then not tried on every sentence with a full stop."""
    if _sre_parse is None or compiled.flags & re.IGNORECASE:
        return None
    try:
        tree = _sre_parse.parse(compiled.pattern, compiled.flags)
    except Exception:  # pragma: no cover
        return None
    best, run = "", ""
    for op, arg in tree:
        if op is _sre.LITERAL:
            run += chr(arg)
            continue
        if op is _sre.MAX_REPEAT and len(arg[2]) == 1 and arg[2][0][0] is _sre.LITERAL:
            low, high, ((_, char),) = arg[0], arg[1], list(arg[2])
            run += chr(char) * low
            if low == high:
                continue
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # consumes nothing: the characters around it are adjacent in the text
        best, run = max(best, run, key=len), ""
    best = max(best, run, key=len)
    return best if len(best) >= 2 else None


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


def _options_key(options: dict) -> tuple:
    return tuple(sorted((name, repr(value)) for name, value in options.items()))


_formatters: dict = {}
_lexers: dict = {}


def cached_html_formatter(lang_str: str = "", **options):
    """codehilite's ``pygments_formatter`` hook: one ``HtmlFormatter`` per set of options
    (creating one renders the style's whole stylesheet; formatting with one keeps no state),
    made when first needed, consulting the current :class:`Highlights` first."""
    key = _options_key(options)
    formatter = _formatters.get(key)
    if formatter is None:
        formatter = _formatters[key] = _RememberingFormatter(options, repr(key))
    return formatter


class Highlights:
    """The highlighted code blocks of one document, by a digest of language, options and code.

    ``known`` comes from the last build; ``used`` is what this rendering needed, to keep for
    the next. An edit to a note's prose re-renders its Markdown but reuses its code blocks,
    so Pygments' lexers are not even built (compiling one takes ~30 ms)."""

    def __init__(self, known: dict | None = None):
        self.known = known if isinstance(known, dict) else {}
        self.used: dict[str, str] = {}


_highlights: Highlights | None = None


@contextmanager
def rendering(highlights: Highlights | None):
    """Inside this block a sped-up instance renders one document: codehilite looks its lexers up
    with :func:`get_lexer_by_name` and the code blocks are remembered in ``highlights``. Both
    are undone after, so stock rendering in the same process runs stock code only."""
    global _highlights
    from markdown.extensions import codehilite
    stock = codehilite.get_lexer_by_name
    codehilite.get_lexer_by_name = get_lexer_by_name
    _highlights = highlights
    try:
        yield
    finally:
        _highlights = None
        codehilite.get_lexer_by_name = stock


class _RememberingFormatter:
    """A Pygments formatter that looks a code block up in the current :class:`Highlights`."""

    encoding = None  # pygments.format writes text, as for the HtmlFormatter it stands for

    def __init__(self, options: dict, key: str):
        self.options, self.key = options, key
        self._formatter = None

    @property
    def formatter(self):
        """The HtmlFormatter, made when a block is not remembered (importing it and loading
        the style costs more than a one-note rebuild's Markdown)."""
        if self._formatter is None:
            from pygments.formatters import HtmlFormatter
            self._formatter = HtmlFormatter(**self.options)
        return self._formatter

    def format(self, tokens, outfile) -> None:
        highlights = _highlights
        if highlights is None or not isinstance(tokens, _Tokens):
            self.formatter.format(tokens, outfile)
            return
        key = hashlib.blake2b(repr((tokens.lexer.key, self.key, tokens.text)).encode("utf-8", "surrogatepass"),
                              digest_size=16).hexdigest()
        html = highlights.known.get(key)
        if not isinstance(html, str):
            buffer = io.StringIO()
            self.formatter.format(tokens, buffer)
            html = buffer.getvalue()
        highlights.used[key] = html
        outfile.write(html)


class _LazyLexer:
    """A Pygments lexer built only when a code block is not in the current :class:`Highlights`."""

    def __init__(self, cls, options: dict):
        self.cls, self.options = cls, options
        self.aliases = cls.aliases  # what codehilite reads when a block names no language
        self.key = repr((cls.__module__, cls.__name__, _options_key(options)))
        self._lexer = None

    def get_tokens(self, text: str, unfiltered: bool = False):
        return _Tokens(self, text, unfiltered)

    def lexer(self):
        if self._lexer is None:
            from .lexspeed import speed_up
            self._lexer = speed_up(self.cls(**self.options))
        return self._lexer


class _Tokens:
    """The tokens of one text, lexed when first iterated."""

    def __init__(self, lexer: _LazyLexer, text: str, unfiltered: bool):
        self.lexer, self.text, self.unfiltered = lexer, text, unfiltered

    def __iter__(self):
        return iter(self.lexer.lexer().get_tokens(self.text, self.unfiltered))


def get_lexer_by_name(alias: str, **options):
    """codehilite's lexer lookup, while :func:`rendering`: one :class:`_LazyLexer` per language
    and options, built when first used.

    codehilite looks its lexer up by name for every code block, a scan of Pygments' whole lexer
    table (~0.4 ms a block). It has no hook for this, so its module's reference to
    ``get_lexer_by_name`` is swapped for this one during a sped-up rendering. Lexers keep no
    state between texts (Sphinx caches them the same way); an unknown name still raises as
    before.
    """
    key = (alias, _options_key(options))
    lexer = _lexers.get(key)
    if lexer is None:
        from pygments.lexers import find_lexer_class_by_name
        lexer = _lexers[key] = _LazyLexer(find_lexer_class_by_name(alias), options)
    return lexer
