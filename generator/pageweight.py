"""What a first visit to one page downloads, read from its markup like a browser would.

The rules (stated for readers in docs/carbon.md): a browser with an empty cache, 400 CSS px
wide, device pixel ratio 1, fetches the HTML; every stylesheet except print-only ones, with the
sheets they ``@import``; every script and module preload, with a module's static imports; the first
``url()`` of each ``@font-face``; for each image not marked ``loading="lazy"``, the ``<picture>``
or ``srcset`` candidate it picks at that width; and the favicon. Lazy images are measured apart.
"""

from __future__ import annotations

import re
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

_FETCHING_TAGS = re.compile(r"""<(?:link|script|picture|source|img)\b(?:[^>"']|"[^"]*"|'[^']*')*>|</(?:picture|script)\s*>""",
                            re.IGNORECASE)

class _Page(HTMLParser):
    """The resources a page's markup asks for, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
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
    """Maps URLs of the built site to its files; caches file sizes and parsed CSS/JS."""

    def __init__(self, output: Path, origin: str, base_path: str):
        self.output, self.origin, self.base_path = output, origin, base_path
        self._text: dict[str, str] = {}

    def file(self, url: str, page_url: str) -> str | None:
        """The output file a site-local URL serves (relative to output/), or None."""
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
        return rel if (self.output / rel).is_file() else None

    def url(self, rel: str) -> str:
        return self.origin + self.base_path + rel

    def size(self, rel: str) -> int:
        return (self.output / rel).stat().st_size

    def text(self, rel: str) -> str:
        if rel not in self._text:
            self._text[rel] = (self.output / rel).read_text(encoding="utf-8", errors="replace")
        return self._text[rel]


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


def page_weight(site: SiteFiles, rel: str) -> dict:
    """What a first visit to the page at ``rel`` (an HTML file in output/) downloads."""
    page_url = site.url(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    parser = _Page()
    # Only these tags fetch anything; parsing just them is many times faster than the whole page.
    parser.feed("".join(_FETCHING_TAGS.findall(site.text(rel))))
    parser.close()
    fetched: dict[str, str] = {rel: "html"}   # file -> category, each counted once
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
    for href in parser.stylesheets:
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
    for src, is_module in parser.scripts:
        found = add(src, "js")
        if found and is_module:
            for module in _module_files(site, found, js_seen):
                fetched.setdefault(module, "js")
    for href, kind in parser.preloads:
        add(href, _category(href, kind))
    if parser.icons:
        svg = [href for href, kind in parser.icons if kind == "image/svg+xml"]
        add(svg[0] if svg else parser.icons[0][0], "other")
    lazy: dict[str, int] = {}
    for src, is_lazy in parser.images:
        if not src:
            continue
        if is_lazy:
            found = site.file(src, page_url)
            if found and found not in fetched:
                lazy[found] = site.size(found)
        else:
            add(src, "images")

    sizes = {category: 0 for category in CATEGORIES}
    for file, category in fetched.items():
        sizes[category] += site.size(file)
    total = sum(sizes.values())
    return {
        "file": rel,
        "url": site.base_path + (rel[: -len("index.html")] if rel.endswith("index.html") else rel),
        "bytes": sizes,
        "total": total,
        "before_images": total - sizes["images"],
        "lazy_images": sum(lazy.values()),
        "requests": len(fetched),
        "files": sorted(fetched),
        "third_party": sorted(set(external)),
    }
