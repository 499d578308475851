"""What a first visit to one page downloads, read from its markup like a browser would.

The rules (stated for readers in docs/carbon.md): a browser with an empty cache, 400 CSS px
wide, device pixel ratio 1, fetches the HTML; every stylesheet except print-only ones, with the
sheets they ``@import``; every script and module preload, with a module's static imports; the first
``url()`` of each ``@font-face``; for each image not marked ``loading="lazy"``, the ``<picture>``
or ``srcset`` candidate it picks at that width; and the favicon. Lazy images are measured apart.
"""

from __future__ import annotations

import bisect
import os
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

VIEWPORT_WIDTH = 400  # CSS px
DEVICE_PIXEL_RATIO = 1
ROOT_FONT_PX = 16
CATEGORIES = ("html", "css", "js", "fonts", "images", "other")

_IMAGE_TYPES = {"image/avif", "image/webp", "image/jpeg", "image/png", "image/gif", "image/svg+xml", ""}
_SUFFIX_CATEGORY = {".css": "css", ".js": "js", ".mjs": "js", ".woff2": "fonts", ".woff": "fonts",
                    ".ttf": "fonts", ".otf": "fonts"}
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.IGNORECASE)
_FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_JS_IMPORT = re.compile(r"""(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']""")
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
_FETCHING_TAGS = re.compile("<(?:" + "|".join([
    _any_case("link") + _REST_OF_TAG,
    _any_case("s") + "(?:" + _any_case("cript") + "|" + _any_case("ource") + ")" + _REST_OF_TAG,
    _any_case("picture") + _REST_OF_TAG,
    _any_case("img") + _REST_OF_TAG,
    "/(?:" + _any_case("picture") + "|" + _any_case("script") + r")\s*>"]) + ")")


class _Resources:
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


class _Page(_Resources, HTMLParser):
    """The resources a page's markup asks for, read by ``HTMLParser``."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        _Resources.__init__(self)


# Reading a page's tags one by one. Feeding the parser all of a page's fetching tags costs more
# than the rest of measuring it, and no two pages have the same tags (the canonical link names
# the page). But most tags either fetch nothing (that link, a JSON-LD script) or recur on every
# page (the stylesheets), so each distinct tag is read once and a page is keyed by the tags that
# matter. ``_SIMPLE_TAG`` admits only tags that ``HTMLParser`` reads one at a time, the same
# way alone as amid others, and whose reading is plain: ASCII names and whitespace, quotes only
# around values, a proper end. ``_Tag.read`` gives for those exactly the calls the parser makes
# (tests/test_pageweight_equivalence.py compares them); a page with any other tag is parsed whole.
_WS = "[ \t\n\r\f]"


def _ascii_any_case(*words: str) -> str:
    return "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in words)


_ATTR = f"{_WS}+([A-Za-z_:][-A-Za-z0-9_:.]*)(?:{_WS}*={_WS}*(\"[^\"]*\"|'[^']*'|[^\\s\"'=<>`]+))?"
_SIMPLE_TAG = re.compile(
    "<(?P<start>" + _ascii_any_case("link", "script", "picture", "source", "img") + f")(?:{_ATTR})*{_WS}*/?>"
    + "|</(?P<end>" + _ascii_any_case("picture", "script") + f"){_WS}*>")
_SIMPLE_ATTR = re.compile(_ATTR)


class _Tag:
    """One simple fetching tag: the handler calls the parser makes for it, and their effect."""

    __slots__ = ("events", "matters", "opens_script", "closes_script")

    def __init__(self, events: tuple, opens_script: bool, closes_script: bool):
        self.events = events                 # (tag, attrs), attrs None for an end tag
        self.opens_script = opens_script     # the parser then reads all up to </script> as text
        self.closes_script = closes_script
        if any(tag in ("picture", "source", "img") for tag, _ in events):
            self.matters = True  # they depend on or change the open <picture>
        else:  # <link> and <script> do the same wherever they are: try them once
            probe = _Resources()
            self.replay(probe)
            self.matters = bool(probe.stylesheets or probe.scripts or probe.preloads or probe.icons)

    def replay(self, parser: _Resources) -> None:
        for tag, attrs in self.events:
            if attrs is None:
                parser.handle_endtag(tag)
            else:
                parser.handle_starttag(tag, attrs)

    @staticmethod
    def read(text: str) -> _Tag | None:
        """The tag ``text`` as ``HTMLParser`` reads it, or None if it is not simple."""
        match = _SIMPLE_TAG.fullmatch(text)
        if not match:
            return None
        if match["end"]:
            name = match["end"].lower()
            return _Tag(((name, None),), False, name == "script")
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
            return _Tag(((name, attrs), (name, None)), False, False)
        return _Tag(((name, attrs),), name == "script", False)


#: A simple ``<link>`` that fetches nothing (the canonical link, an alternate feed): its rel
#: cannot name a stylesheet, preload or icon when its text has no such word and no ``&``.
_INERT_LINK = _Tag((), False, False)
_LINK_START = re.compile("<" + _ascii_any_case("link") + _WS)


def _inert_link(text: str) -> bool:
    # Every page has its own canonical link: this spares reading one tag per page in full.
    low = text.lower()
    return (bool(_LINK_START.match(text)) and "&" not in text and "stylesheet" not in low
            and "preload" not in low and "icon" not in low and bool(_SIMPLE_TAG.fullmatch(text)))


def _markup_key(known: dict, tags: list[str]) -> tuple | None:
    """The tags of a page that matter, in order, or None if it has a tag that is not simple
    or text the parser would swallow (anything but ``</script>`` right after ``<script>``)."""
    key = []
    in_script = False
    for text in tags:
        tag = known.get(text, False)
        if tag is False:
            tag = known[text] = _INERT_LINK if _inert_link(text) else _Tag.read(text)
        if tag is None:
            return None
        if in_script:
            if not tag.closes_script:
                return None
            in_script = False
            continue  # the end of a script, which the parser reports and _Page ignores
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


# --- one page -------------------------------------------------------------------------------------

class SiteFiles:
    """Maps URLs of the built site to its files, and remembers what its pages have in common.

    One instance measures one finished output folder, which does not change meanwhile, so
    every answer is kept: whether a file exists, its size, the text of a stylesheet or script,
    the parse of a page's fetching tags, and what a given set of tags fetches. A thousand pages
    built from a few templates then cost little more than reading each page once.
    """

    def __init__(self, output: Path, origin: str, base_path: str):
        self.output, self.origin, self.base_path = output, origin, base_path
        self._text: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._is_file: dict[str, bool] = {}
        self._found: dict[tuple[str, str], str | None] = {}
        self._tags: dict[str, _Tag | None] = {}
        self._markup: dict[tuple | str, _Markup] = {}
        self._fetches: dict[tuple, _Fetches] = {}

    def file(self, url: str, page_url: str) -> str | None:
        """The output file a site-local URL serves (relative to output/), or None."""
        key = (url, page_url)
        if key not in self._found:
            self._found[key] = self._file(url, page_url)
        return self._found[key]

    def _file(self, url: str, page_url: str) -> str | None:
        absolute = urljoin(page_url, url)
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        path = unquote(parts.path)
        if not path.startswith(self.base_path):
            return None
        rel = path[len(self.base_path):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if rel not in self._is_file:
            self._is_file[rel] = (self.output / rel).is_file()
        return rel if self._is_file[rel] else None

    def url(self, rel: str) -> str:
        return self.origin + self.base_path + rel

    def size(self, rel: str) -> int:
        if rel not in self._sizes:
            self._sizes[rel] = (self.output / rel).stat().st_size
        return self._sizes[rel]

    def text(self, rel: str) -> str:
        if rel not in self._text:
            self._text[rel] = (self.output / rel).read_text(encoding="utf-8", errors="replace")
        return self._text[rel]

    def fetches(self, tags: list[str], page_url: str) -> _Fetches:
        """What the page at ``page_url`` downloads besides itself, given its fetching tags (the
        matches of ``_FETCHING_TAGS`` in its text, in order)."""
        key = _markup_key(self._tags, tags)
        if key is None:  # markup a plain tag-by-tag reading might get wrong: parse it whole
            key = "".join(tags)
        markup = self._markup.get(key)
        if markup is None:
            markup = self._markup[key] = _Markup(key)
        # Root-relative and absolute URLs resolve alike on every page: one answer serves all.
        where = (key, None if markup.same_everywhere else page_url)
        if where not in self._fetches:
            self._fetches[where] = _Fetches(self, markup, page_url)
        return self._fetches[where]


def _read_bytes(path: str) -> bytes:
    """The file's bytes, with a third less overhead than ``open().read()`` (a thousand pages: 10 ms)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, os.fstat(fd).st_size + 1)]
        while chunks[-1]:  # to the end, should the file not be the size it was a moment ago
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(chunks)


def _read_text(data: bytes) -> str:
    """``data`` decoded as ``Path.read_text(encoding="utf-8", errors="replace")`` would."""
    text = data.decode("utf-8", "replace")
    if "\r" in text:  # universal newlines, as text mode reads them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_SAME_EVERYWHERE = re.compile(r"/|[A-Za-z][A-Za-z0-9+.-]*://")


class _Markup:
    """What :class:`_Page` finds in a page's fetching tags: from the relevant tags' recorded
    parses (a tuple of :class:`_Tag`), or by parsing the tags' text whole (a string)."""

    __slots__ = ("stylesheets", "scripts", "preloads", "icons", "images", "same_everywhere")

    def __init__(self, source: tuple | str):
        if isinstance(source, str):
            parser = _Page()
            parser.feed(source)
            parser.close()
        else:
            parser = _Resources()
            for tag in source:
                tag.replay(parser)
        self.stylesheets = tuple(parser.stylesheets)
        self.scripts = tuple(parser.scripts)
        self.preloads = tuple(parser.preloads)
        self.icons = tuple(parser.icons)
        self.images = tuple(parser.images)
        urls = [*self.stylesheets, *(u for u, _ in self.scripts), *(u for u, _ in self.preloads),
                *(u for u, _ in self.icons), *(u for u, _ in self.images if u)]
        # urljoin() ignores the page's address for a URL with a path from the root or with
        # scheme and host (e.g. a CDN), so what these fetch is the same on every page.
        self.same_everywhere = all(_SAME_EVERYWHERE.match(url) for url in urls)


def _css_files(site: SiteFiles, rel: str, seen: set) -> tuple[list[str], list[str]]:
    """(stylesheets, font files) a stylesheet brings in, itself included."""
    if rel in seen:
        return [], []
    seen.add(rel)
    css = _CSS_COMMENT.sub("", site.text(rel))
    sheets, fonts = [rel], []
    for target in _CSS_IMPORT.findall(css):
        found = site.file(target, site.url(rel))
        if found:
            more, more_fonts = _css_files(site, found, seen)
            sheets += more
            fonts += more_fonts
    for face in _FONT_FACE.findall(css):
        urls = _CSS_URL.findall(face)
        found = site.file(urls[0], site.url(rel)) if urls else None
        if found:
            fonts.append(found)
    return sheets, fonts


def _module_files(site: SiteFiles, rel: str, seen: set) -> list[str]:
    """A module script and the modules it imports statically."""
    if rel in seen:
        return []
    seen.add(rel)
    files = [rel]
    for target in _JS_IMPORT.findall(site.text(rel)):
        found = site.file(target, site.url(rel))
        if found:
            files += _module_files(site, found, seen)
    return files


def _category(rel: str, hint: str = "") -> str:
    suffix = PurePosixPath(rel).suffix.lower()
    if hint in ("style", "script", "font", "image"):
        return {"style": "css", "script": "js", "font": "fonts", "image": "images"}[hint]
    return _SUFFIX_CATEGORY.get(suffix, "images" if suffix in (".png", ".jpg", ".jpeg", ".webp", ".avif",
                                                                 ".gif", ".svg") else "other")


class _Fetches:
    """The files a page's markup makes a first visit download, the page itself left out.

    Leaving the page out is what lets one instance serve every page with the same tags;
    :func:`page_weight` adds the page back (and copes with a page that fetches itself).
    """

    __slots__ = ("fetched", "lazy", "sizes", "total", "files", "third_party", "lazy_bytes")

    def __init__(self, site: SiteFiles, markup: _Markup, page_url: str):
        fetched: dict[str, str] = {}   # file -> category, each counted once
        external: list[str] = []

        def add(url: str, category: str | None = None) -> str | None:
            found = site.file(url, page_url)
            if found is None:
                if urlsplit(urljoin(page_url, url)).netloc != urlsplit(site.origin).netloc:
                    external.append(url)
                return None
            fetched.setdefault(found, category or _category(found))
            return found

        css_seen: set = set()
        for href in markup.stylesheets:
            found = site.file(href, page_url)
            if found:
                sheets, fonts = _css_files(site, found, css_seen)
                for sheet in sheets:
                    fetched.setdefault(sheet, "css")
                for font in fonts:
                    fetched.setdefault(font, "fonts")
            else:
                add(href, "css")
        js_seen: set = set()
        for src, is_module in markup.scripts:
            found = add(src, "js")
            if found and is_module:
                for module in _module_files(site, found, js_seen):
                    fetched.setdefault(module, "js")
        for href, kind in markup.preloads:
            add(href, _category(href, kind))
        if markup.icons:
            svg = [href for href, kind in markup.icons if kind == "image/svg+xml"]
            add(svg[0] if svg else markup.icons[0][0], "other")
        lazy: dict[str, int] = {}
        for src, is_lazy in markup.images:
            if not src:
                continue
            if is_lazy:
                found = site.file(src, page_url)
                if found and found not in fetched:
                    lazy[found] = site.size(found)
            else:
                add(src, "images")

        self.fetched, self.lazy = fetched, lazy
        self.sizes = {category: 0 for category in CATEGORIES}
        for file, category in fetched.items():
            self.sizes[category] += site.size(file)
        self.total = sum(self.sizes.values())
        self.files = sorted(fetched)
        self.third_party = sorted(set(external))
        self.lazy_bytes = sum(lazy.values())


def page_weight(site: SiteFiles, rel: str) -> dict:
    """What a first visit to the page at ``rel`` (an HTML file in output/) downloads."""
    page = rel[: -len("index.html")] if rel.endswith("index.html") else rel
    data = _read_bytes(os.path.join(site.output, rel))  # its length is the page's size: no stat
    fetches = site.fetches(_FETCHING_TAGS.findall(_read_text(data)), site.url(page))
    if rel in fetches.fetched or rel in fetches.lazy:
        return _self_fetching_weight(site, rel, page, fetches)
    sizes = dict(fetches.sizes)
    sizes["html"] = len(data)
    files = fetches.files.copy()
    bisect.insort(files, rel)
    return _entry(site, rel, page, sizes, fetches.total + len(data), fetches.lazy_bytes, files, fetches)


def _entry(site: SiteFiles, rel: str, page: str, sizes: dict, total: int, lazy: int, files: list,
           fetches: _Fetches) -> dict:
    """One page of build-report.json."""
    return {
        "file": rel,
        "url": site.base_path + page,
        "bytes": sizes,
        "total": total,
        "before_images": total - sizes["images"],
        "lazy_images": lazy,
        "requests": len(files),
        "files": files,
        "third_party": list(fetches.third_party),
    }


def _self_fetching_weight(site: SiteFiles, rel: str, page: str, fetches: _Fetches) -> dict:
    """:func:`page_weight` for a page whose tags point at the page itself: it counts once, as HTML."""
    fetched = {rel: "html"}
    for file, category in fetches.fetched.items():
        fetched.setdefault(file, category)
    sizes = {category: 0 for category in CATEGORIES}
    for file, category in fetched.items():
        sizes[category] += site.size(file)
    lazy = sum(size for file, size in fetches.lazy.items() if file != rel)
    return _entry(site, rel, page, sizes, sum(sizes.values()), lazy, sorted(fetched), fetches)
