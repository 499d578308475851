"""A page's markup read as a browser 400 CSS px wide would: which tags fetch something, which
``srcset`` candidate it picks, which media queries match. :mod:`generator.output.pageweight` adds up
what those fetches weigh (the rules are stated in docs/carbon.md)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

VIEWPORT_WIDTH = 400  # CSS px
DEVICE_PIXEL_RATIO = 1
ROOT_FONT_PX = 16
CATEGORIES = ("html", "css", "js", "fonts", "images", "other")

_IMAGE_TYPES = {"image/avif", "image/webp", "image/jpeg", "image/png", "image/gif", "image/svg+xml", ""}
SUFFIX_CATEGORY = {".css": "css", ".js": "js", ".mjs": "js", ".woff2": "fonts", ".woff": "fonts",
                    ".ttf": "fonts", ".otf": "fonts"}
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.IGNORECASE)
FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", re.IGNORECASE)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
JS_IMPORT = re.compile(r"""(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']""")
_LENGTH = re.compile(r"([0-9.]+)(px|vw|rem|em)")



# --- the markup --------------------------------------------------------------

# Characters that Python's re.IGNORECASE also takes for these ASCII letters: ``ı`` and ``İ``
# for i, the Kelvin sign for k, the long s for s. Spelling the cases out lets the scan below
# run without IGNORECASE and still find exactly the same tags.
_OTHER_CASES = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}{_OTHER_CASES.get(c, '')}]" for c in word)


_REST_OF_TAG = r"""\b(?:[^>"']|"[^"]*"|'[^']*')*>"""

#: Only these tags fetch anything; parsing just them is many times faster than the whole page.
#: (``</script>`` too: after ``<script>`` the parser reads everything up to it as script text.)
#: The same matches as ``<(?:link|script|picture|source|img)\b…>|</(?:picture|script)\s*>``
#: with IGNORECASE, but grouped after one ``<`` by first letter and without IGNORECASE: a page
#: has some 600 ``<`` to try, and this scans it in two thirds of the time (the largest cost left).
FETCHING_TAGS = re.compile("<(?:" + "|".join([
    _any_case("link") + _REST_OF_TAG,
    _any_case("s") + "(?:" + _any_case("cript") + "|" + _any_case("ource") + ")" + _REST_OF_TAG,
    _any_case("picture") + _REST_OF_TAG,
    _any_case("img") + _REST_OF_TAG,
    "/(?:" + _any_case("picture") + "|" + _any_case("script") + r")\s*>"]) + ")")


class ResourceParser:
    """The resources a page's markup asks for, in document order, from the parser's tag calls."""

    def __init__(self):
        self.stylesheets: list[str] = []
        self.scripts: list[tuple[str, bool]] = []     # (url, is_module)
        self.preloads: list[tuple[str, str]] = []     # (url, as)
        self.icons: list[tuple[str, str]] = []        # (url, type)
        self.images: list[tuple[str | None, bool]] = []  # (chosen url, lazy)
        self._picture: list | None = None             # <source> attributes of the open <picture>

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "link":
            rel = set(a.get("rel", "").lower().split())
            href = a.get("href")
            if not href:
                return
            if "stylesheet" in rel and "alternate" not in rel and not _print_only(a.get("media", "")):
                self.stylesheets.append(href)
            elif "modulepreload" in rel:
                self.preloads.append((href, "script"))
            elif "preload" in rel:
                self.preloads.append((href, a.get("as", "")))
            elif "icon" in rel:
                self.icons.append((href, a.get("type", "")))
        elif tag == "script" and a.get("src"):
            self.scripts.append((a["src"], a.get("type", "").lower() == "module"))
        elif tag == "picture":
            self._picture = []
        elif tag == "source" and self._picture is not None:
            self._picture.append(a)
        elif tag == "img":
            chosen = None
            for source in self._picture or []:
                if source.get("type", "") in _IMAGE_TYPES and _media_matches(source.get("media", "")):
                    chosen = _pick(source.get("srcset", ""), source.get("sizes", ""), None)
                    if chosen:
                        break
            chosen = chosen or _pick(a.get("srcset", ""), a.get("sizes", ""), a.get("src"))
            self.images.append((chosen, a.get("loading", "").lower() == "lazy"))

    def handle_endtag(self, tag):
        if tag == "picture":
            self._picture = None


class PageParser(ResourceParser, HTMLParser):
    """The resources a page's markup asks for, read by ``HTMLParser``."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        ResourceParser.__init__(self)


# Reading a page's tags one by one. Feeding the parser all of a page's fetching tags costs more
# than the rest of measuring it, and no two pages have the same tags (the canonical link names
# the page). But most tags either fetch nothing (that link, a JSON-LD script) or recur on every
# page (the stylesheets), so each distinct tag is read once and a page is keyed by the tags that
# matter. ``_SIMPLE_TAG`` admits only tags that ``HTMLParser`` reads one at a time, the same
# way alone as amid others, and whose reading is plain: ASCII names and whitespace, quotes only
# around values, a proper end. ``FetchingTag.read`` gives for those exactly the calls the parser makes
# (tests/output/test_pageweight_equivalence.py compares them); a page with any other tag is parsed whole.
_WS = "[ \t\n\r\f]"


def _ascii_any_case(*words: str) -> str:
    return "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in words)


_ATTR = f"{_WS}+([A-Za-z_:][-A-Za-z0-9_:.]*)(?:{_WS}*={_WS}*(\"[^\"]*\"|'[^']*'|[^\\s\"'=<>`]+))?"
_SIMPLE_TAG = re.compile(
    "<(?P<start>" + _ascii_any_case("link", "script", "picture", "source", "img") + f")(?:{_ATTR})*{_WS}*/?>"
    + "|</(?P<end>" + _ascii_any_case("picture", "script") + f"){_WS}*>")
_SIMPLE_ATTR = re.compile(_ATTR)


class FetchingTag:
    """One simple fetching tag: the handler calls the parser makes for it, and their effect."""

    __slots__ = ("events", "matters", "opens_script", "closes_script")

    def __init__(self, events: tuple, opens_script: bool, closes_script: bool):
        self.events = events                 # (tag, attrs), attrs None for an end tag
        self.opens_script = opens_script     # the parser then reads all up to </script> as text
        self.closes_script = closes_script
        if any(tag in ("picture", "source", "img") for tag, _ in events):
            self.matters = True  # they depend on or change the open <picture>
        else:  # <link> and <script> do the same wherever they are: try them once
            probe = ResourceParser()
            self.replay(probe)
            self.matters = bool(probe.stylesheets or probe.scripts or probe.preloads or probe.icons)

    def replay(self, parser: ResourceParser) -> None:
        for tag, attrs in self.events:
            if attrs is None:
                parser.handle_endtag(tag)
            else:
                parser.handle_starttag(tag, attrs)

    @staticmethod
    def read(text: str) -> FetchingTag | None:
        """The tag ``text`` as ``HTMLParser`` reads it, or None if it is not simple."""
        match = _SIMPLE_TAG.fullmatch(text)
        if not match:
            return None
        if match["end"]:
            name = match["end"].lower()
            return FetchingTag(((name, None),), False, name == "script")
        name = match["start"].lower()
        attrs = []
        pos = match.end("start")
        while attr := _SIMPLE_ATTR.match(text, pos):
            value = attr.group(2)
            if value is not None:
                if value[0] in "'\"":
                    value = value[1:-1]
                value = unescape(value) if value else value
            attrs.append((attr.group(1).lower(), value))
            pos = attr.end()
        if "/" in text[pos:]:  # <img … />: a start tag and its end
            return FetchingTag(((name, attrs), (name, None)), False, False)
        return FetchingTag(((name, attrs),), name == "script", False)


#: A simple ``<link>`` that fetches nothing (the canonical link, an alternate feed): its rel
#: cannot name a stylesheet, preload or icon when its text has no such word and no ``&``.
_INERT_LINK = FetchingTag((), False, False)
_LINK_START = re.compile("<" + _ascii_any_case("link") + _WS)


def _inert_link(text: str) -> bool:
    # Every page has its own canonical link: this spares reading one tag per page in full.
    low = text.lower()
    return (bool(_LINK_START.match(text)) and "&" not in text and "stylesheet" not in low
            and "preload" not in low and "icon" not in low and bool(_SIMPLE_TAG.fullmatch(text)))


def markup_key(known: dict, tags: list[str]) -> tuple | None:
    """The tags of a page that matter, in order, or None if it has a tag that is not simple
    or text the parser would swallow (anything but ``</script>`` right after ``<script>``)."""
    key = []
    in_script = False
    for text in tags:
        tag = known.get(text, False)
        if tag is False:
            tag = known[text] = _INERT_LINK if _inert_link(text) else FetchingTag.read(text)
        if tag is None:
            return None
        if in_script:
            if not tag.closes_script:
                return None
            in_script = False
            continue  # the end of a script, which the parser reports and PageParser ignores
        in_script = tag.opens_script
        if tag.matters:
            key.append(tag)
    return tuple(key)


def _print_only(media: str) -> bool:
    queries = [q.strip().lower() for q in media.split(",") if q.strip()]
    return bool(queries) and all(q in ("print", "only print") for q in queries)


def _px(length: str) -> float | None:
    match = _LENGTH.fullmatch(length.strip().lower())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return {"px": number, "vw": number * VIEWPORT_WIDTH / 100}.get(unit, number * ROOT_FONT_PX)


def _media_matches(condition: str) -> bool:
    """Evaluates ``(min-width: …)``/``(max-width: …)`` joined by ``and`` at the report's viewport."""
    condition = condition.strip().lower()
    if not condition or condition in ("all", "screen"):
        return True
    for part in re.split(r"\s+and\s+", condition):
        match = re.fullmatch(r"\(\s*(min|max)-width\s*:\s*([^)]+)\)", part.strip())
        width = _px(match.group(2)) if match else None
        if width is None:
            return False
        if (match.group(1) == "min" and VIEWPORT_WIDTH < width) or (match.group(1) == "max" and VIEWPORT_WIDTH > width):
            return False
    return True


_SIZE_ENTRY = re.compile(r"((?:\([^()]*\)\s*(?:and\s*)?)*)(.*)", re.IGNORECASE)


def _slot_width(sizes: str) -> float:
    """The image's layout width from ``sizes`` (100vw when absent or unreadable)."""
    for entry in [e.strip() for e in sizes.split(",") if e.strip()]:
        condition, length = _SIZE_ENTRY.fullmatch(entry).groups()
        if condition.strip() and not _media_matches(re.sub(r"\s*and\s*$", "", condition.strip())):
            continue
        width = _px(length)
        return width if width is not None else VIEWPORT_WIDTH
    return VIEWPORT_WIDTH


def _pick(srcset: str, sizes: str, src: str | None) -> str | None:
    """The ``srcset`` candidate a browser picks at the report's viewport, else ``src``."""
    candidates = []
    for item in [c.strip() for c in srcset.split(",") if c.strip()]:
        url, _, descriptor = item.partition(" ")
        descriptor = descriptor.strip() or "1x"
        try:
            value = float(descriptor[:-1])
        except ValueError:
            continue
        candidates.append((descriptor[-1], value, url))
    wide = sorted((value, url) for kind, value, url in candidates if kind == "w")
    if wide:
        needed = _slot_width(sizes) * DEVICE_PIXEL_RATIO
        return next((url for value, url in wide if value >= needed), wide[-1][1])
    dense = sorted((value, url) for kind, value, url in candidates if kind == "x")
    if dense:
        return next((url for value, url in dense if value >= DEVICE_PIXEL_RATIO), dense[-1][1])
    return src or None
