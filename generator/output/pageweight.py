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
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from .pagemarkup import (CATEGORIES, CSS_COMMENT, CSS_IMPORT, CSS_URL, FETCHING_TAGS, FONT_FACE, JS_IMPORT,
                         SUFFIX_CATEGORY, FetchingTag, PageParser, ResourceParser, markup_key)


class SiteFiles:
    """Maps URLs of the built site to its files, and remembers what its pages have in common.

    One instance measures one finished output folder, which does not change meanwhile, so
    every answer is kept: whether a file exists, its size, the text of a stylesheet or script,
    the parse of a page's fetching tags, and what a given set of tags fetches. A thousand pages
    built from a few templates then cost little more than reading each page once.
    """

    def __init__(self, output: Path, origin: str, base_path: str, locate=None, files=None):
        self.output, self.origin, self.base_path = output, origin, base_path
        # locate(rel) -> the file's path, when the site is not all in one folder (an update's
        # new files are staged while the unchanged ones stay in output/: Writer.path).
        self.locate = locate or (lambda rel: os.path.join(output, rel))
        self.files = files  # the site's files, when known (a writer's manifest): no stat per page
        self._text: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._is_file: dict[str, bool] = {}
        self._found: dict[tuple[str, str], str | None] = {}
        self._tags: dict[str, FetchingTag | None] = {}
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
        return rel if self.exists(rel) else None

    def exists(self, rel: str) -> bool:
        """Whether the site has the file ``rel``."""
        if rel not in self._is_file:
            self._is_file[rel] = rel in self.files if self.files is not None else os.path.isfile(self.locate(rel))
        return self._is_file[rel]

    def url(self, rel: str) -> str:
        return self.origin + self.base_path + rel

    def size(self, rel: str) -> int:
        if rel not in self._sizes:
            self._sizes[rel] = os.stat(self.locate(rel)).st_size
        return self._sizes[rel]

    def text(self, rel: str) -> str:
        if rel not in self._text:
            self._text[rel] = Path(self.locate(rel)).read_text(encoding="utf-8", errors="replace")
        return self._text[rel]

    def fetches(self, tags: list[str], page_url: str) -> _Fetches:
        """What the page at ``page_url`` downloads besides itself, given its fetching tags (the
        matches of ``FETCHING_TAGS`` in its text, in order)."""
        key = markup_key(self._tags, tags)
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
    """What :class:`PageParser` finds in a page's fetching tags: from the relevant tags' recorded
    parses (a tuple of :class:`FetchingTag`), or by parsing the tags' text whole (a string)."""

    __slots__ = ("stylesheets", "scripts", "preloads", "icons", "images", "same_everywhere")

    def __init__(self, source: tuple | str):
        if isinstance(source, str):
            parser = PageParser()
            parser.feed(source)
            parser.close()
        else:
            parser = ResourceParser()
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
    css = CSS_COMMENT.sub("", site.text(rel))
    sheets, fonts = [rel], []
    for target in CSS_IMPORT.findall(css):
        found = site.file(target, site.url(rel))
        if found:
            more, more_fonts = _css_files(site, found, seen)
            sheets += more
            fonts += more_fonts
    for face in FONT_FACE.findall(css):
        urls = CSS_URL.findall(face)
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
    for target in JS_IMPORT.findall(site.text(rel)):
        found = site.file(target, site.url(rel))
        if found:
            files += _module_files(site, found, seen)
    return files


def _category(rel: str, hint: str = "") -> str:
    suffix = PurePosixPath(rel).suffix.lower()
    if hint in ("style", "script", "font", "image"):
        return {"style": "css", "script": "js", "font": "fonts", "image": "images"}[hint]
    return SUFFIX_CATEGORY.get(suffix, "images" if suffix in (".png", ".jpg", ".jpeg", ".webp", ".avif",
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
    data = _read_bytes(site.locate(rel))  # its length is the page's size: no stat
    fetches = site.fetches(FETCHING_TAGS.findall(_read_text(data)), site.url(page))
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
