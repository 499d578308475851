"""Slugs: the lowercase ASCII words that name notes, tags, speakers and events in URLs.

Names in any script get a readable slug: ``Привет, мир`` -> ``privet-mir``, ``파이썬`` ->
``paisseon``, ``東京`` -> ``dongjing``. Transliteration is done by `anyascii`_, chosen over
text-unidecode because it is ISC-licensed (text-unidecode is Artistic-licensed), has no
dependencies, covers every script Unicode has, and transliterates Hangul and Kana far better.

Latin text keeps exactly the slugs talknotes 0.1 gave it (accents stripped, ``Café-Talk`` ->
``cafe-talk``): only characters that rule dropped although they are letters or digits are
transliterated now. :func:`legacy_slug` keeps the 0.1 rule for redirecting its old URLs.

.. _anyascii: https://github.com/anyascii/anyascii
"""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

_NON_WORD = re.compile(r"[^a-z0-9]+")
# anyascii spells soft signs, ayin and hamza as apostrophes (``Мельник`` -> ``Mel'nik``);
# inside a slug they would split the word in two.
_APOSTROPHES = str.maketrans("", "", "'`")


def fold(text: str) -> str:
    """Unicode-normalise, strip accents and case-fold: ``Café`` and ``cafe`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _ascii_fold(text: str) -> str:
    """What the 0.1 rule kept of ``text``: its fold, less anything not ASCII."""
    return fold(text).encode("ascii", "ignore").decode()


def _words(ascii_text: str) -> str:
    return _NON_WORD.sub("-", ascii_text).strip("-")


def _hex_fallback(text: str) -> str:
    """A stable, distinct slug for a name nothing can spell in ASCII (only emoji, say)."""
    return "u" + text.strip().encode("utf-8").hex()[:24]


@functools.lru_cache(maxsize=16384)
def _char(char: str) -> tuple[str, str, str]:
    """One character's parts for :func:`_transliterate`, remembered (a name's letters recur in
    thousands of others): what the 0.1 rule kept, its Unicode category's first letter, and
    anyascii's spelling when the rule kept nothing."""
    kind = unicodedata.category(char)[0]
    kept = char.lower() if char.isascii() else _ascii_fold(char)
    spelt = "" if kept or kind not in "LNM" else anyascii(char).translate(_APOSTROPHES).lower()
    return kept, kind, spelt


@functools.lru_cache(maxsize=65536)
def _transliterate(text: str) -> str:
    """``text`` in ASCII, character by character.

    A character the 0.1 rule kept is spelt as it spelt it, so Latin slugs do not move. A letter
    or digit it dropped is transliterated from the original character: NFKD would split a
    Hangul syllable into jamo. Combining marks after such a letter go with it (Devanagari,
    Arabic and Thai write vowels as marks); punctuation, symbols and emoji are dropped as before.
    """
    out = []
    transliterating = False  # whether the last letter went through anyascii
    for char in text:
        kept, kind, spelt = _char(char)
        if kept:
            out.append(kept)
            transliterating = False
        elif kind in "LN" or (kind == "M" and transliterating):
            out.append(spelt)
            transliterating = True
        elif kind != "M":
            transliterating = False  # dropped, as in 0.1: ``don’t`` -> ``dont``
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """``"Django: Import Time!"`` -> ``"django-import-time"``; ``"Привет, мир"`` -> ``"privet-mir"``
    (see the module docstring). Remembered: a build slugs each tag and speaker name on every
    page that links to it."""
    # ASCII text, by far the most common, folds to its lowercase: no need to look at each character.
    slug = _words(text.lower() if text.isascii() else _transliterate(text))
    if slug or not text.strip():
        return slug
    return _hex_fallback(text)


def legacy_slug(text: str) -> str:
    """The slug rule of talknotes 0.1 (non-ASCII letters dropped, hex for names without Latin
    letters). Used only to redirect the URLs that version published to the new slugs."""
    slug = _words(_ascii_fold(text))
    if slug or not text.strip():
        return slug
    return _hex_fallback(text)


def is_slug(text: str) -> bool:
    """True for text already in slug form (``london-django-2023``)."""
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text))


def initial(name: str) -> str:
    """The letter a name is filed under in an A–Z index, from its transliteration:
    ``Ádám`` -> ``a``, ``Чехов`` -> ``c``, ``東京`` -> ``d``, ``2to3`` -> ``0-9``, ``🐍`` -> ``other``."""
    text = name.lower() if name.isascii() else _transliterate(name)
    for char in text:
        if "a" <= char <= "z":
            return char
        if "0" <= char <= "9":
            return "0-9"
    return "other"
