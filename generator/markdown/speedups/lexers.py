"""A faster token loop for Pygments' regular-expression lexers, with the same tokens.

Pygments' ``RegexLexer`` tries the rules of the current state one after another at every
position until one matches: for a line of Python that is a few hundred failed ``match`` calls,
most of them for rules that cannot match the character at that position (a rule for strings
at a letter, one for numbers at a quote). Each rule's regular expression is read once (with
Python's own ``re`` parser) for the characters a match may start with; at each position only
the rules that can start with the character there are tried, in their order. A rule skipped
this way would have failed, so the tokens, and the states they lead to, are the same.

The loop below is Pygments' own (``RegexLexer.get_tokens_unprocessed`` and
``ExtendedRegexLexer.get_tokens_unprocessed``) with one change: the rules it iterates come
from :class:`_Dispatch`. Lexers that override the loop are left alone. It is used only with the
Pygments releases :mod:`generator.markdown.speedups.guard` lists, which records a digest of both upstream loops
for each. tests/markdown/test_lexspeed.py compares the tokens with Pygments' for every lexer it ships.
"""

from __future__ import annotations

import re

from pygments.lexer import ExtendedRegexLexer, LexerContext, RegexLexer
from pygments.token import Error, Text, Whitespace, _TokenType

try:  # the regular expression parser (private, stable since Python 3.11); without it, no speed-up
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None

_ANY = object()  # a rule that may start with any character (or could not be read)
_CATEGORIES = {}
if _sre is not None:
    _CATEGORIES = {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_NOT_DIGIT: r"\D",
                   _sre.CATEGORY_SPACE: r"\s", _sre.CATEGORY_NOT_SPACE: r"\S",
                   _sre.CATEGORY_WORD: r"\w", _sre.CATEGORY_NOT_WORD: r"\W"}


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _class_item(op, arg) -> str | None:
    """One member of a character class as regular-expression source, or None if unknown."""
    if op is _sre.LITERAL:
        return _char(arg)
    if op is _sre.RANGE:
        return f"{_char(arg[0])}-{_char(arg[1])}"
    if op is _sre.CATEGORY:
        return _CATEGORIES.get(arg)
    return None


def _first(items, ignorecase: bool, starts: list) -> bool | object:
    """Add to ``starts`` a character class (as source) for each way this sequence of parsed
    nodes may begin; return whether the sequence may match the empty string, or _ANY."""
    for op, arg in items:
        nullable = False
        if op is _sre.LITERAL or op is _sre.NOT_LITERAL:
            starts.append((("[" if op is _sre.LITERAL else "[^") + _char(arg) + "]", ignorecase))
        elif op is _sre.IN:
            negate = bool(arg) and arg[0][0] is _sre.NEGATE
            parts = [_class_item(o, a) for o, a in (arg[1:] if negate else arg)]
            if None in parts:
                return _ANY
            starts.append((("[^" if negate else "[") + "".join(parts) + "]", ignorecase))
        elif op is _sre.ANY:
            return _ANY
        elif op is _sre.BRANCH:
            for branch in arg[1]:
                found = _first(branch, ignorecase, starts)
                if found is _ANY:
                    return _ANY
                nullable = nullable or found
        elif op is _sre.SUBPATTERN:
            group, add_flags, del_flags, pattern = arg
            case = (ignorecase or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
            nullable = _first(pattern, case, starts)
        elif op is _sre.ATOMIC_GROUP:
            nullable = _first(arg, ignorecase, starts)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, pattern = arg
            nullable = _first(pattern, ignorecase, starts)
            nullable = nullable if nullable is _ANY else (nullable or low == 0)
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            nullable = True  # zero-width: ignoring what it asserts keeps the set a superset
        else:  # back-references, conditionals: anything
            return _ANY
        if nullable is _ANY:
            return _ANY
        if not nullable:
            return False
    return True


def _start_test(pattern: re.Pattern):
    """A function telling whether a match of ``pattern`` may start with a given character,
    None when one may start with any character or match the empty string."""
    if _sre is None or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an expression we cannot read is simply always tried
        return None
    starts: list = []
    if _first(parsed, bool(pattern.flags & re.IGNORECASE), starts) is not False:
        return None
    # Python's own engine decides membership, case folding included.
    source = "|".join(f"(?i:{cls})" if case else cls for cls, case in starts)
    try:
        return re.compile(source).match
    except re.error:  # pragma: no cover - defensive
        return None


class _Dispatch:
    """The rules of one lexer state, and for each character the ones a match may start with."""

    __slots__ = ("rules", "tests", "by_char", "at_end")

    def __init__(self, rules: list):
        self.rules = rules
        patterns = [getattr(rule[0], "__self__", None) for rule in rules]  # rule[0] is pattern.match
        self.tests = [_start_test(p) if isinstance(p, re.Pattern) else None for p in patterns]
        self.by_char: dict[str, list] = {}
        # At the end of the text only rules that may match the empty string can match.
        self.at_end = [rule for rule, test in zip(rules, self.tests) if test is None]

    def rules_at(self, text: str, pos: int, end: int) -> list:
        """The rules worth trying at ``pos``, in their order."""
        if pos >= end:
            return self.at_end
        rules = self.by_char.get(text[pos])
        if rules is None:
            rules = self.by_char[text[pos]] = [rule for rule, test in zip(self.rules, self.tests)
                                               if test is None or test(text[pos])]
        return rules


def _transition(stack: list, new_state) -> None:
    """Apply a rule's state change to ``stack`` in place, as Pygments' loops do."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):
        # pop, but keep at least one state on the stack
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        assert False, f"wrong state def: {new_state!r}"


def _tables(lexer) -> dict:
    cls = type(lexer)
    tables = cls.__dict__.get("_talknotes_dispatch")
    if tables is None or tables[0] is not lexer._tokens:  # _tokens is rebuilt per class
        tables = (lexer._tokens, {})
        cls._talknotes_dispatch = tables
    return tables[1]


def _dispatch(tables: dict, tokendefs: dict, state: str) -> _Dispatch:
    found = tables.get(state)
    if found is None or found.rules is not tokendefs[state]:
        found = tables[state] = _Dispatch(tokendefs[state])
    return found


def regex_tokens(self, text, stack=("root",)):
    """``RegexLexer.get_tokens_unprocessed`` trying only the rules that can start at each position."""
    pos = 0
    end = len(text)
    tokendefs = self._tokens
    tables = _tables(self)
    statestack = list(stack)
    table = _dispatch(tables, tokendefs, statestack[-1])
    while 1:
        for rexmatch, action, new_state in table.rules_at(text, pos, end):
            m = rexmatch(text, pos)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(self, m)
                pos = m.end()
                if new_state is not None:
                    _transition(statestack, new_state)
                    table = _dispatch(tables, tokendefs, statestack[-1])
                break
        else:
            if pos >= end:
                break
            if text[pos] == "\n":
                statestack = ["root"]
                table = _dispatch(tables, tokendefs, "root")
                yield pos, Whitespace, "\n"
                pos += 1
                continue
            yield pos, Error, text[pos]
            pos += 1


def extended_tokens(self, text=None, context=None):
    """``ExtendedRegexLexer.get_tokens_unprocessed`` trying only the rules that can start at each position."""
    tokendefs = self._tokens
    tables = _tables(self)
    if not context:
        ctx = LexerContext(text, 0)
        table = _dispatch(tables, tokendefs, "root")
    else:
        ctx = context
        table = _dispatch(tables, tokendefs, ctx.stack[-1])
        text = ctx.text
    while 1:
        pos = ctx.pos
        for rexmatch, action, new_state in table.rules_at(text, pos, ctx.end):
            m = rexmatch(text, pos, ctx.end)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                        ctx.pos = m.end()
                    else:
                        yield from action(self, m, ctx)
                        if not new_state:
                            table = _dispatch(tables, tokendefs, ctx.stack[-1])
                # CAUTION (as in Pygments): a callback must set ctx.pos
                if new_state is not None:
                    _transition(ctx.stack, new_state)
                    table = _dispatch(tables, tokendefs, ctx.stack[-1])
                break
        else:
            try:
                if ctx.pos >= ctx.end:
                    break
                if text[ctx.pos] == "\n":
                    ctx.stack = ["root"]
                    table = _dispatch(tables, tokendefs, "root")
                    yield ctx.pos, Text, "\n"
                    ctx.pos += 1
                    continue
                yield ctx.pos, Error, text[ctx.pos]
                ctx.pos += 1
            except IndexError:
                break


def speed_up(lexer):
    """Give ``lexer`` the dispatching token loop when it uses Pygments' own; return it."""
    if _sre is None:
        return lexer
    loop = type(lexer).get_tokens_unprocessed
    if loop is RegexLexer.get_tokens_unprocessed:
        lexer.get_tokens_unprocessed = regex_tokens.__get__(lexer)
    elif loop is ExtendedRegexLexer.get_tokens_unprocessed:
        lexer.get_tokens_unprocessed = extended_tokens.__get__(lexer)
    return lexer
