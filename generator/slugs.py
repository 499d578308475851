"""Slugs: the lowercase ASCII words that name notes, tags, speakers and events in URLs."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Unicode-normalise, strip accents and case-fold: ``Café`` and ``cafe`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slugify(text: str) -> str:
    """``"Django: Import Time!"`` -> ``"django-import-time"``; non-Latin text falls back to hex."""
    slug = _NON_WORD.sub("-", fold(text).encode("ascii", "ignore").decode()).strip("-")
    if slug or not text.strip():
        return slug
    # A name with no Latin letters (e.g. Japanese) still needs a stable, distinct slug.
    return "u" + text.strip().encode("utf-8").hex()[:24]


def is_slug(text: str) -> bool:
    """True for text already in slug form (``london-django-2023``)."""
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text))
