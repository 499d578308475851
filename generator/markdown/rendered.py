"""What rendering a document gives, and the pure helpers that read it: everything the build's
own process needs from the Markdown stage, without importing Python-Markdown or Pygments (the
workers render; the parent only receives, checks and caches results).
"""

from __future__ import annotations

import functools
import html as html_module
import re
from dataclasses import dataclass, field
from typing import Callable

from ..model.errors import Problem


def document_key(kind: str, slug: str) -> str:
    """The key of a document's rendering: ``note:<slug>`` or ``page:<slug>``."""
    return f"{kind}:{slug}"

CSS_CLASS = "highlight"  # of a highlighted code block's <div>

# An image hook turns a resolved image into markup: (source, alt, line, index) -> HTML or None.
ImageHook = Callable[[str, str, int, int], "str | None"]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class ImageRef:
    """An image used by a document: its source file relative to ``content/`` and its alt text."""

    source: str
    alt: str
    line: int


@dataclass(frozen=True)
class Rendered:
    """The result of rendering one document."""

    html: str
    headings: tuple[Heading, ...] = ()
    images: tuple[ImageRef, ...] = ()
    links: tuple[str, ...] = ()      # internal URLs linked, with fragments, for checks
    problems: tuple[Problem, ...] = ()
    deps: tuple = field(default=(), compare=False, repr=False)
    # Read off the plain text where the document was rendered (a Markdown worker), which is
    # then needed nowhere else: the word count for reading time, and the note's search
    # analysis (generator.search.stage), which is not cached with the HTML.
    word_count: int | None = field(default=None, compare=False, repr=False)
    search: list | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """Plain text, computed when asked for (search): never kept, to bound memory on big sites."""
        return html_to_text(self.html)

    @functools.cached_property
    def words(self) -> int:
        return self.word_count if self.word_count is not None else len(self.text.split())

    def excerpt(self, words: int) -> str:
        """The first ``words`` words, with an ellipsis when there are more (the last word of the
        cut-off head may be partial, but it is never among the ``words`` shown)."""
        # A note's excerpt shows on many pages (home, tags, month, event, related notes).
        known = self.__dict__.setdefault("_excerpts", {})  # not a field: frozen, yet memoised
        if words not in known:
            known[words] = self._excerpt(words)
        return known[words]

    def _excerpt(self, words: int) -> str:
        head = self.html[: words * 80]  # the start of the HTML is enough...
        if head.rfind("<") > head.rfind(">"):
            head = head[: head.rfind("<")]  # ...without a tag cut in half
        text = html_to_text(head).split()
        if len(text) <= words:
            text = self.text.split()
        return " ".join(text[:words]) + (" …" if len(text) > words else "")


@dataclass(frozen=True)
class LinkContext:
    """What rendering needs to know about the rest of the site.

    ``documents`` maps a Markdown source path relative to ``content/`` (``notes/x.md``) to its URL;
    ``files`` the other content files (images, attachments) that exist, relative to ``content/``.
    """

    base_path: str
    documents: dict = field(default_factory=dict)
    files: frozenset = frozenset()
    raw_html: str = "allow"


_SKIPPED = re.compile(r"""<a\b[^>]*class="(?:headerlink|footnote-backref)"[^>]*>.*?</a>""", re.DOTALL)
_BLOCK_TAG = re.compile(r"<(?:p|li|pre|h[1-6]|td|th|br|div|tr|blockquote|dd|dt|hr|figcaption)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """Whitespace-normalised plain text of our rendered HTML (not of arbitrary HTML), without
    permalink and footnote back-reference glyphs; block elements separate words."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", _SKIPPED.sub("", html)))
    return " ".join(html_module.unescape(text).split())


def still_valid(rendered: Rendered, ctx: LinkContext, image_hook: ImageHook | None) -> bool:
    """Whether a cached result is still right: every lookup it made gives the same answer.

    Re-running the image hook also re-plans the images, so a cached note's images are built.
    """
    for dep in rendered.deps:
        if dep[0] == "doc" and (ctx.documents.get(dep[1]) if dep[1] else None) != dep[2]:
            return False
        if dep[0] == "file" and next((c for c in dep[1] if c and c in ctx.files), None) != dep[2]:
            return False
        if dep[0] == "image":
            markup = image_hook(*dep[1:5]) if image_hook else None
            if markup != dep[5]:
                return False
    return True


def pygments_css(style: str) -> str:
    """The stylesheet for highlighted code in one Pygments style."""
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(style=style).get_style_defs("." + CSS_CLASS) + "\n"
