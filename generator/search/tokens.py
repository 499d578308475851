"""Client-side search: the tokenizer the index and the browser share.

The browser (``themes/default/static/js/search.js``) re-implements :func:`tokenize`
rule for rule; ``docs/search.md`` states the rules and ``tests/search/test_search.py``
checks that both sides agree on every assigned code point.  The index (its layout,
the ranking, :func:`~generator.search.index.build_index`) is :mod:`generator.search.index`.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "SearchDoc",
    "STOP_WORDS",
    "MAX_TOKEN_LENGTH",
    "normalize",
    "tokenize",
    "count_tokens",
    "index_terms",
]

#: Longest token kept, in code points; longer runs (hashes, pasted URLs) are cut
#: here so they can't bloat the index, and the query side cuts the same way.
MAX_TOKEN_LENGTH = 32

#: Tiny English list: words so common that their postings would be the biggest in
#: the index while never helping to tell two talks apart.  Deliberately short:
#: "it", "who", "will", "go" and the like stay searchable.  Dropped from every
#: field at index time and from every query word except the one being typed.
STOP_WORDS: frozenset[str] = frozenset(
    "a an and are as at be by for from in into is of on or that the this to was with".split()
)

# Letters with no decomposition that readers still type without the "accent".
# Applied after NFKD and lower-casing; the JS side has the same table.
_FOLDS = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
    "ł": "l", "þ": "th", "ı": "i", "ħ": "h", "ς": "σ",
}
# Apostrophes join words ("don't" -> "dont", "O’Reilly" -> "oreilly").
_DELETED = "'\u2019"

# [^\W_] is exactly "category L* or N*" in Python's re, the same set as the JS
# class [\p{L}\p{N}] (the per-code-point parity test holds both to it).
_WORD = re.compile(r"[^\W_]+")
# ASCII fast path, same result: lower-case, apostrophes out, every other
# non-alphanumeric character to a space, then str.split (~2x a regex).
_ASCII_TABLE = str.maketrans(
    {i: (chr(i).lower() if chr(i).isalnum() else " ") for i in range(128)} | {ord("'"): None})


@dataclass(frozen=True)
class SearchDoc:
    """One published note as the search index sees it (clean fields, no chrome)."""

    url: str  # absolute path including the base path, e.g. "/talks/2026/notes/x/"
    title: str
    date: str  # ISO date, "2023-04-18"
    event: str  # event display name or ""
    tags: tuple[str, ...]
    speakers: tuple[str, ...]
    summary: str
    body: str  # plain text of the rendered body


@functools.cache
def _fold_table() -> dict[int, str | None]:
    """str.translate table: drop combining marks and apostrophes, apply _FOLDS.

    Built on first use of non-ASCII text (a ~0.05 s scan of the Unicode database).
    """
    # Combining marks live in planes 0, 1 and 14 only (planes 2-3 are CJK);
    # the per-code-point parity test would catch a mark anywhere else.
    planes = (range(0x20000), range(0xE0000, sys.maxunicode + 1))
    table: dict[int, str | None] = {
        cp: None for plane in planes for cp in plane if unicodedata.category(chr(cp))[0] == "M"
    }
    table.update({ord(c): None for c in _DELETED})
    table.update({ord(k): v for k, v in _FOLDS.items()})
    return table


def normalize(text: str) -> str:
    """Fold ``text`` for matching: NFKD, lower-case, NFKD again, strip marks.

    Also deletes apostrophes and applies the small letter-fold table (ß -> ss,
    ø -> o, ...).  The second NFKD catches the few lower-case mappings that
    produce decomposable characters.
    """
    if text.isascii():  # fast path: NFKD is the identity on ASCII
        return text.lower().replace("'", "")
    text = unicodedata.normalize("NFKD", text).lower()
    return unicodedata.normalize("NFKD", text).translate(_fold_table())


def _raw_tokens(text: str) -> list[str]:
    """:func:`tokenize` before the cut to MAX_TOKEN_LENGTH."""
    if text.isascii():
        return text.translate(_ASCII_TABLE).split()
    return _WORD.findall(normalize(text))


def tokenize(text: str) -> list[str]:
    """Split ``text`` into search tokens, identically at index and query time.

    Rules (mirrored by ``tokenize`` in search.js): :func:`normalize`, then take
    maximal runs of Unicode letters and digits (general category L* or N*);
    everything else separates tokens; each token is cut to
    :data:`MAX_TOKEN_LENGTH` code points.  Stop words are *not* removed here.

    >>> tokenize("Café & Crème-brûlée: Straße 3.11, don't")
    ['cafe', 'creme', 'brulee', 'strasse', '3', '11', 'dont']
    """
    tokens = _raw_tokens(text)
    if tokens and max(map(len, tokens)) > MAX_TOKEN_LENGTH:
        tokens = [t[:MAX_TOKEN_LENGTH] for t in tokens]
    return tokens


def count_tokens(text: str) -> Counter:
    """``Counter(tokenize(text))``, faster on long text.

    The length check runs over distinct tokens rather than every token (a body
    repeats its words many times).
    """
    counts = Counter(_raw_tokens(text))
    if counts and max(map(len, counts)) > MAX_TOKEN_LENGTH:
        cut: Counter = Counter()
        for token, n in counts.items():
            cut[token[:MAX_TOKEN_LENGTH]] += n
        counts = cut
    return counts


def index_terms(text: str) -> list[str]:
    """Tokens of ``text`` that go into the index: :func:`tokenize` minus STOP_WORDS."""
    return [t for t in tokenize(text) if t not in STOP_WORDS]
