"""What a regular expression's every match must contain, read with Python's own ``re`` parser:
a set of characters, or a literal prefix. :mod:`generator.markdown.speedups.parser` skips a pattern on a text
that lacks them, since it could not match there."""

from __future__ import annotations

import functools
import re

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
