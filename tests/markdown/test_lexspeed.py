"""The dispatching token loop (generator/markdown/speedups/lexers.py) yields exactly Pygments' tokens.

Every lexer Pygments ships that uses its own regular-expression loop is run both ways on a
set of texts mixing many languages' syntax, and a dozen common languages on generated texts.
"""

from __future__ import annotations

import importlib
import re
import sys
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pygments.lexer import ExtendedRegexLexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers._mapping import LEXERS

from generator.markdown.speedups import lexers as lexspeed

from generator.markdown.speedups import guard as speedups

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import CODE  # noqa: E402

MIXED = [
    "x = 'a\\'b' + \"c\\\"d\" # comment\n/* block */ // line\n<tag attr=\"v\">text</tag>\n",
    "\tif (a <= 0x1F && b != 1e-3) { return [1, 2.5, -3]; } else: pass\r\n@decorator\n$var = `cmd`;\n",
    "ünïcödé λ → ∀x∈S: x² ≥ 0 — «quotes» 'mixed\" unterminated\n\n\n   \n{{ t }} {% tag %} ${expr}",
    "#!/bin/sh\nSELECT * FROM t WHERE a = 'x';\n--comment\n<?php echo 1; ?>\n%macro\n;; (defun f (x) x)\n",
    "KELVIN \u212a ſ İ ı ß ﬁ Straße\n", "", "\n", "a", "'", '"""', "<!--", "\\", "end",
]
LIMIT = 5000  # a few stock lexers never end on some texts (MCSchemaLexer on "<!--"); compare a prefix


def _tokens(lexer, text: str) -> list:
    return list(islice(lexer.get_tokens_unprocessed(text), LIMIT))


def _own_loop_lexers():
    for name, (module, *_rest) in sorted(LEXERS.items()):
        cls = getattr(importlib.import_module(module), name)
        if cls.get_tokens_unprocessed in (RegexLexer.get_tokens_unprocessed,
                                          ExtendedRegexLexer.get_tokens_unprocessed):
            yield cls


def _sample_site_code() -> list[str]:
    blocks = []
    for path in sorted((REPO / "content").rglob("*.md")):
        blocks += re.findall(r"^```[\w+-]*\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)
    return blocks


def test_every_regex_lexer_gives_pygments_tokens():
    texts = MIXED + list(CODE.values()) + _sample_site_code()
    compared = 0
    for cls in _own_loop_lexers():
        stock, fast = cls(), lexspeed.speed_up(cls())
        assert fast.get_tokens_unprocessed.__func__ in (lexspeed.regex_tokens, lexspeed.extended_tokens)
        for text in texts:
            assert _tokens(fast, text) == _tokens(stock, text), (cls.__name__, text)
        compared += 1
    assert compared > 300  # Pygments 2.x ships over 400 such lexers


def test_lexers_with_their_own_loop_are_left_alone():
    from pygments.lexers import PhpLexer
    lexer = PhpLexer()
    assert lexspeed.speed_up(lexer) is lexer
    assert "get_tokens_unprocessed" not in vars(lexer)


def test_the_python_lexer_tries_far_fewer_rules():
    from pygments.lexers import PythonLexer

    class Counting(PythonLexer):  # its own rule tables, so the counting wrappers stay here
        pass

    lexer = Counting()
    calls = {"n": 0}
    for state, rules in lexer._tokens.items():
        rules[:] = [(_Counted(match, calls), action, new) for match, action, new in rules]
    code = CODE["python"] * 3
    stock = list(RegexLexer.get_tokens_unprocessed(lexer, code))
    stock_calls, calls["n"] = calls["n"], 0
    assert list(lexspeed.regex_tokens(lexer, code)) == stock
    assert calls["n"] * 4 < stock_calls, (calls["n"], stock_calls)


class _Counted:
    """A rule's match function that counts its calls and keeps ``__self__`` (the pattern)."""

    def __init__(self, match, calls):
        self.match, self.calls = match, calls
        self.__self__ = match.__self__

    def __call__(self, *args):
        self.calls["n"] += 1
        return self.match(*args)


CODE_CHARS = st.text(alphabet=st.sampled_from(list("abcxyzIKSkDEF019_ \t\n\r'\"`\\#/*-+=<>()[]{}:;,.$@%&|!?~^ſ\u212aλé")),
                     max_size=120)
LANGUAGES = ["python", "pycon", "bash", "console", "yaml", "sql", "javascript", "html", "css", "json",
             "toml", "ini", "rust", "go", "c", "cpp", "java", "ruby", "django", "jinja", "diff", "docker",
             "nginx", "typescript", "markdown", "rst", "xml", "php"]


@pytest.mark.parametrize("language", LANGUAGES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=CODE_CHARS)
def test_generated_texts_lex_the_same(language, text):
    stock = get_lexer_by_name(language)
    fast = lexspeed.speed_up(get_lexer_by_name(language))
    assert _tokens(fast, text) == _tokens(stock, text)


def test_the_pygments_loops_lexspeed_copies_are_the_tested_ones():
    """regex_tokens and extended_tokens are Pygments' loops with a change: a release whose loops
    differ needs the copies read again."""
    version = speedups.installed("pygments")
    changed = speedups.changed_sources("pygments", version)
    assert speedups.tested("pygments", version) and not changed, (
        f"Pygments {version}: changed since the last tested release: {changed}. Re-read generator/markdown/speedups/lexers.py "
        "against them, then record the release in generator/markdown/speedups/guard.py "
        "(docs/performance.md, 'Speed-ups and their guard')")
