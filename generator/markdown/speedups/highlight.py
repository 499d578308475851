"""Highlighting for sped-up rendering: one Pygments formatter per set of options and one lexer
per language, made when a block first needs them and given the faster token loop of
:mod:`generator.markdown.speedups.lexers`; and :class:`Highlights`, a document's code blocks as highlighted
last time, handed back so that an edit to a note's prose re-renders no code."""

from __future__ import annotations

import hashlib
import io
from contextlib import contextmanager


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
            from .lexers import speed_up
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
