"""Markdown to HTML: Python-Markdown, Pygments, and our link and image rewriting.

:func:`render` is a pure function of the Markdown text and a :class:`LinkContext`, so its
result can be cached by content hash and computed in worker processes. It renders with the
speed-ups of :mod:`.mdspeed` where :mod:`.speedups` allows them, and with stock code otherwise
or when they fail: the HTML is stock Python-Markdown's either way.
"""

from __future__ import annotations

import html as html_module
import posixpath
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import markdown as pymarkdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .speedups import guard as _speedups
from ..model.errors import Problem
# The result types live apart so that the build's own process need not import Python-Markdown.
from .rendered import CSS_CLASS, Heading, ImageHook, ImageRef, LinkContext, Rendered, html_to_text  # noqa: F401
from ..model.slugs import slugify
from ..config.weburl import SCHEMES, NotWebUrl, web_url

if TYPE_CHECKING:
    from .. import mdhighlight  # imported when a document renders with the speed-ups

UNSAFE_SCHEMES = ("javascript", "vbscript", "data", "file")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL_DROPPED = re.compile(r"[\t\n\r]")
_URL_STRIPPED = "".join(map(chr, range(0x21)))


def browser_url(value: str) -> str:
    """A URL attribute as a browser reads it: character references decoded (Markdown keeps
    ``&#106;`` as written), tabs and newlines dropped, control characters and spaces trimmed.
    Schemes are checked on this, so ``&#106;avascript:`` and ``java&Tab;script:`` are refused."""
    return _URL_DROPPED.sub("", html_module.unescape(value)).strip(_URL_STRIPPED)




def line_of(body: str, needle: str, first_line: int) -> int:
    """Best-effort line number of ``needle`` in ``body`` (Markdown does not track lines)."""
    index = body.find(needle)
    return first_line + (body.count("\n", 0, index) if index >= 0 else 0)


class _Rewriter(Treeprocessor):
    """Turns links to note files into URLs and collects images, in document order."""

    def run(self, root):
        state = self.md.talknotes
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a" and child.get("href") is not None:
                    state.link(child)
                elif child.tag == "img":
                    state.image(parent, child)


class _HeaderLinks(Treeprocessor):
    """Give the heading permalinks an accessible name (the toc extension adds a bare '#')."""

    def run(self, root):
        for heading in root.iter():
            if heading.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                for anchor in heading.iter("a"):
                    if anchor.get("class") == "headerlink":
                        anchor.set("aria-label", "Link to section: " + _element_text(heading).rstrip("#").strip())
                        anchor.attrib.pop("title", None)


def _element_text(element) -> str:
    return "".join(element.itertext())


class _TalknotesExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_Rewriter(md), "talknotes_links", 15)
        md.treeprocessors.register(_HeaderLinks(md), "talknotes_headerlinks", 4)


class _State:
    """Per-document state the tree processors report into."""

    def __init__(self, md, source: str, body: str, body_line: int, ctx: LinkContext, image_hook):
        self.md, self.source, self.body, self.body_line, self.ctx = md, source, body, body_line, ctx
        self.folder = PurePosixPath(source).parent
        self.image_hook = image_hook
        self.images: list[ImageRef] = []
        self.links: list[str] = []
        self.problems: list[Problem] = []
        self.deps: list[tuple] = []  # what the result depended on beyond the text, for caching

    def _problem(self, needle: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem("content/" + self.source, line_of(self.body, needle, self.body_line),
                                     None, message, hint))

    def _resolve(self, target: str) -> str | None:
        """A relative reference resolved against the document's folder, relative to content/."""
        parts: list[str] = []
        for part in (self.folder / unquote(target)).parts:
            if part == "..":
                if not parts:
                    return None
                parts.pop()
            elif part not in (".", ""):
                parts.append(part)
        return "/".join(parts)

    def link(self, anchor) -> None:
        href = anchor.get("href", "").strip()
        scheme = _SCHEME.match(browser_url(href))
        if scheme:
            name = scheme.group(1).lower()
            if name in UNSAFE_SCHEMES:
                self._problem(href, f"unsafe link '{href[:40]}'", "only http(s), mailto and site links are allowed")
                anchor.set("href", "#")
            elif name in SCHEMES:
                self._web_link(href)
            return
        if href.startswith("//") or not href:
            return
        parts = urlsplit(href)
        fragment = "#" + parts.fragment if parts.fragment else ""
        if href.startswith("#"):
            self.links.append(href)
            return
        if href.startswith("/"):
            # Site-absolute: make it work under a sub-path deploy too.
            url = self.ctx.base_path + href.lstrip("/")
            anchor.set("href", url)
            self.links.append(url)
            return
        if not parts.path.endswith(".md"):
            # An attachment beside the note, or a relative page link: left as written, unless
            # it climbs out of the site (it would break at another base URL).
            if self._leaves_site(parts.path):
                self._problem(parts.path, f"link '{href[:40]}' leads outside the site",
                              "write a full https:// URL for pages that are not part of this site")
            return
        target = self._resolve(parts.path)
        url = self.ctx.documents.get(target) if target else None
        self.deps.append(("doc", target, url))
        if url is None:
            self._problem(parts.path, f"link to a missing note '{parts.path}'",
                          "link to the other note's file name, e.g. [text](2023-04-18-other-talk.md)")
            return
        anchor.set("href", url + fragment)
        self.links.append(url + fragment)

    def _web_link(self, href: str) -> None:
        """Report an http(s) link a browser could not follow (no host, a bad port), checked as
        the browser reads the attribute; it stays as written, since it is broken, not unsafe."""
        try:
            web_url(browser_url(href), as_written=False)
        except NotWebUrl as exc:
            # Written whole, so "http://" is not found inside an earlier "http://example.org".
            needle = next((n for n in (f"({href})", f"<{href}>", f"]: {href}") if n in self.body), href)
            self._problem(needle, exc.message(href[:60]), exc.hint)

    def _leaves_site(self, path: str) -> bool:
        """Whether a relative link, followed from this document's page, climbs above the base path."""
        page = self.ctx.documents.get(self.source)
        if not page or not path:
            return False
        target = posixpath.normpath(posixpath.join(page, unquote(path).replace("\\", "/")))
        return not (target + "/").startswith(self.ctx.base_path)

    def image(self, parent, img) -> None:
        src = img.get("src", "").strip()
        alt = img.get("alt", "")
        scheme = _SCHEME.match(browser_url(src))
        if scheme and scheme.group(1).lower() in UNSAFE_SCHEMES:
            self._problem(src, f"unsafe image source '{src[:40]}'", "use an image file beside the note")
            img.set("src", "")
            return
        if scheme or src.startswith("//"):
            return  # a remote image is left as written
        line = line_of(self.body, src, self.body_line)
        target = self._resolve(src) if not src.startswith("/") else None
        if target is None and not src.startswith("/"):
            self._problem(src, f"image path leads outside content/: '{src}'",
                          "put the image beside the note (a bundle folder) or in content/images/")
            return
        candidates = [target, "images/" + unquote(src).lstrip("/")]
        found = next((c for c in candidates if c and c in self.ctx.files), None)
        self.deps.append(("file", tuple(candidates), found))
        if found is None:
            self._problem(src, f"image not found '{src}'",
                          "put the image beside the note (a bundle folder) or in content/images/")
            return
        self.images.append(ImageRef(found, alt, line))
        markup = self.image_hook(found, alt, line, len(self.images) - 1) if self.image_hook else None
        self.deps.append(("image", found, alt, line, len(self.images) - 1, markup))
        if markup is None:
            return  # no image processing here, or the image was unusable (reported by the hook)
        # Swap the <img> for the hook's markup, kept safe from escaping in the HTML stash.
        placeholder = self.md.htmlStash.store(markup)
        index = list(parent).index(img)
        text = placeholder + (img.tail or "")
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(img)


_instances: dict[tuple[str, bool], pymarkdown.Markdown] = {}


def _markdown(raw_html: str, fast: bool) -> pymarkdown.Markdown:
    """One configured Markdown instance per process, raw-HTML policy and speed-ups on or off
    (building one is slow)."""
    md = _instances.get((raw_html, fast))
    if md is None:
        md = _instances[raw_html, fast] = new_markdown(raw_html, fast)
    return md


def new_markdown(raw_html: str, fast: bool = True) -> pymarkdown.Markdown:
    """A Markdown instance with our extensions; ``fast`` adds the speed-ups of :mod:`.mdspeed`,
    which change nothing in the HTML (``fast=False`` is there to show that). Whether they may
    run here is :func:`generator.markdown.speedups.guard.enabled`'s to say, not this function's."""
    from markdown.extensions.admonition import AdmonitionExtension
    from markdown.extensions.codehilite import CodeHiliteExtension
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.smarty import SmartyExtension
    from markdown.extensions.tables import TableExtension
    from markdown.extensions.toc import TocExtension

    codehilite = {"css_class": CSS_CLASS, "guess_lang": False}
    if fast:
        from .speedups import highlight as mdhighlight
        from .speedups import parser as mdspeed
        codehilite["pygments_formatter"] = mdhighlight.cached_html_formatter
    # Instances rather than names: a name makes Python-Markdown list every installed package's
    # entry points first (~25 ms a process).
    md = pymarkdown.Markdown(
        extensions=[FencedCodeExtension(), CodeHiliteExtension(**codehilite), TableExtension(),
                    FootnoteExtension(), TocExtension(permalink="#", permalink_class="headerlink",
                                                      slugify=_heading_id, toc_depth="2-4"),
                    SmartyExtension(smart_angled_quotes=False), AdmonitionExtension(), SaneListExtension(),
                    DefListExtension(), _TalknotesExtension()],
        output_format="html",
    )
    if raw_html == "escape":
        # Raw HTML becomes visible text instead of markup.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
    if fast:
        mdspeed.speed_up(md)
    return md


def _heading_id(text: str, separator: str) -> str:
    return slugify(text) or "section"


def render(body: str, source: str, body_line: int, ctx: LinkContext, image_hook: ImageHook | None = None,
           highlights: mdhighlight.Highlights | None = None, speedups: bool = True) -> Rendered:
    """Render one document's Markdown body.

    ``source`` is the document's path relative to ``content/`` (``notes/x.md``); links and
    images are resolved against its folder. ``highlights`` holds the document's code blocks
    as highlighted last time, and collects them for the next (the result is the same).
    ``speedups`` is the site's ``markdown.speedups``: with it, the document renders with the
    speed-ups where :func:`generator.markdown.speedups.guard.enabled` allows; if they raise, stock code
    renders it again and every later document of this process, with one warning.
    """
    failure = None
    if _speedups.enabled(speedups):
        _speedups.state.fast_renders += 1
        try:
            return _render(body, source, body_line, ctx, image_hook, highlights, fast=True)
        except Exception as exc:  # noqa: BLE001 - whatever failed, stock code has the last word
            failure = exc
            _speedups.state.fallbacks += 1
            if highlights is not None:
                highlights.used.clear()
    try:
        result = _render(body, source, body_line, ctx, image_hook, None, fast=False)
    except RecursionError:  # thousands of nested lists or quotes: a problem, not a crash
        return Rendered(html="", problems=(Problem("content/" + source, body_line, None,
                                                   "Markdown is nested too deeply to render",
                                                   "flatten the nested lists or block quotes"),))
    # Stock code rendered what the speed-ups could not: theirs was the fault. (A recursion
    # error is not: one frame more or less than stock code at Python's limit.)
    if failure is not None and not isinstance(failure, RecursionError):
        _speedups.failed(failure, source)
    return result


def _render(body: str, source: str, body_line: int, ctx: LinkContext, image_hook: ImageHook | None,
            highlights, fast: bool) -> Rendered:
    """:func:`render` with the speed-ups (``fast``) or stock code; raises what rendering raises."""
    md = _markdown(ctx.raw_html, fast)
    md.reset()
    state = _State(md, source, body, body_line, ctx, image_hook)
    md.talknotes = state
    try:
        if fast:
            from .speedups import highlight as mdhighlight
            with mdhighlight.rendering(highlights):
                html = md.convert(body)
        else:
            html = md.convert(body)
    except BaseException:
        # The parser stopped midway and keeps its state (the lists it was in), which reset()
        # does not clear: the next document gets a new instance.
        _instances.pop((ctx.raw_html, fast), None)
        raise
    finally:
        md.talknotes = None
    # Code blocks scroll sideways on a phone; keyboard users must be able to scroll them too.
    html = html.replace("<pre>", '<pre tabindex="0">')
    headings = tuple(_flatten(md.toc_tokens))
    return Rendered(html=html, headings=headings, images=tuple(state.images),
                    links=tuple(state.links), problems=tuple(state.problems), deps=tuple(state.deps))


def _flatten(tokens):
    for token in tokens:
        yield Heading(token["level"], token["id"], html_to_text(token["name"]))
        yield from _flatten(token["children"])
