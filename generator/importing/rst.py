"""reStructuredText to Markdown, through docutils' doctree.

pyvideo descriptions and Pelican posts are reST (or plain text that reST reads as paragraphs).
docutils parses the text into a doctree, with its transforms run, so named (`` `foo`_ ``) and
anonymous (`` `foo`__ ``) references already carry their addresses; :class:`_Writer` then
writes Markdown for each node the site's Markdown can say. Text that reST cannot read (an
unclosed backtick, a reference to no target) is written as escaped plain text instead, so no
backtick or ``__`` of half-read markup reaches a page.

docutils is quiet and shut in: nothing printed, no file read (``include``), no raw HTML, no
``docutils.conf`` consulted. It is imported only when a description is converted.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Callable

from . import mdtext

#: A link or image address -> the address to write, or None to keep only the text.
UrlMap = Callable[[str, bool], "str | None"]

_ADMONITIONS = {"note", "tip", "hint", "important", "caution", "warning", "danger", "error", "attention"}
_SKIPPED = {"comment", "target", "substitution_definition", "system_message", "pending", "decoration",
            "docinfo", "meta", "raw", "title", "subtitle"}
_CONTAINERS = {"compound", "container", "legend", "caption", "line", "field_body", "entry", "description"}


_cached: dict = {}

# Sphinx's roles, which talk descriptions copied from project docs use: plain docutils does not
# know them and would refuse the whole text. Code-like ones become code, the rest their text.
_CODE_ROLES = ("func", "meth", "class", "mod", "attr", "obj", "exc", "data", "const", "file", "command",
               "program", "envvar", "option", "kbd", "samp", "makevar", "mailheader", "regexp")
_TEXT_ROLES = ("ref", "doc", "term", "abbr", "dfn", "guilabel", "menuselection", "keyword", "any", "numref")


def _register_sphinx_roles() -> None:
    from docutils import nodes
    from docutils.parsers.rst import roles

    def role(node_class):
        def run(name, rawtext, text, lineno, inliner, options=None, content=None):
            shown = re.sub(r"\s*<[^<>]*>\s*$", "", text).lstrip("~!") or text  # `Title <target>` -> Title
            return [node_class(rawtext, shown)], []
        return run
    for name in _CODE_ROLES:
        for spelled in (name, f"py:{name}", f"std:{name}"):
            roles.register_local_role(spelled, role(nodes.literal))
    for name in _TEXT_ROLES:
        for spelled in (name, f"std:{name}"):
            roles.register_local_role(spelled, role(nodes.inline))


def _settings(metadata: bool):
    """docutils' settings, made once per process: building them is most of a short parse's time.
    Defaults only: no ``docutils.conf`` or environment is read."""
    settings = _cached.get(metadata)
    if settings is None:
        from docutils.frontend import get_default_settings
        from docutils.parsers.rst import Parser
        from docutils.readers.standalone import Reader
        from docutils.writers.null import Writer
        settings = _cached[metadata] = get_default_settings(Parser, Reader, Writer)
        _register_sphinx_roles()
        for name, value in {
            "report_level": 5, "halt_level": 5, "traceback": True,
            "file_insertion_enabled": False, "raw_enabled": False, "_disable_config": True,
            "input_encoding": "unicode", "output_encoding": "unicode", "syntax_highlight": "none",
            "doctitle_xform": metadata, "docinfo_xform": metadata, "sectsubtitle_xform": False,
            "smart_quotes": False, "embed_stylesheet": False, "id_prefix": "", "auto_id_prefix": "id",
        }.items():
            setattr(settings, name, value)
    settings.warning_stream = io.StringIO()  # nothing reaches stderr, whatever the level
    return settings


def parse(text: str, metadata: bool = False):
    """The doctree of ``text``, or None when reST cannot read it cleanly.

    ``metadata``: promote a lone top title to the document's title and a first field list to
    its docinfo (Pelican's ``:date:`` fields).
    """
    from docutils import nodes
    from docutils.core import publish_doctree
    try:
        doctree = publish_doctree(text, settings=_settings(metadata))
    except Exception:  # docutils' own failures on odd input (deep nesting, bad tables)
        return None
    for node in doctree.findall(lambda n: isinstance(n, (nodes.problematic, nodes.system_message))):
        if isinstance(node, nodes.problematic) or node.get("level", 0) >= 3:
            return None
    return doctree


@dataclass
class Document:
    """A reST document read for its metadata: the title, the docinfo fields, the body."""

    title: str = ""
    fields: dict = field(default_factory=dict)
    markdown: str = ""


def read_document(text: str, url: UrlMap | None = None) -> Document | None:
    """A Pelican-style reST post: the title, ``:field:`` metadata (lowercase names) and the body as Markdown."""
    from docutils import nodes
    doctree = parse(text, metadata=True)
    if doctree is None:
        return None
    document = Document(title=" ".join(doctree.get("title", "").split()))
    for docinfo in doctree.findall(nodes.docinfo):
        for item in docinfo.children:
            if isinstance(item, nodes.field):
                name, body = item.children[0].astext(), item.children[1]
                document.fields[name.strip().lower()] = body.astext().strip()
            elif isinstance(item, nodes.authors):
                document.fields["authors"] = ", ".join(a.astext().strip() for a in item.children)
            else:
                document.fields[item.tagname.lower()] = item.astext().strip()
    document.markdown = _Writer(url).document(doctree)
    return document


def to_markdown(text: str, url: UrlMap | None = None) -> str:
    """reST or plain text as Markdown; plain, escaped paragraphs when reST cannot read it."""
    if not text or not text.strip():
        return ""
    doctree = parse(text)
    if doctree is None:
        return mdtext.plain_paragraphs(text)
    return _Writer(url).document(doctree)


def to_plain(text: str) -> str:
    """reST or plain text as one line of plain text (an event's description, a summary)."""
    if not text or not text.strip():
        return ""
    doctree = parse(text)
    if doctree is None:
        return " ".join(text.split())
    from docutils import nodes
    words = []
    for node in doctree.findall(nodes.Text):
        if not any(a.tagname in _SKIPPED - {"title"} for a in _ancestors(node)):
            words.append(str(node))
        if isinstance(node.parent, (nodes.paragraph, nodes.title)) and node is node.parent.children[-1]:
            words.append(" ")
    return " ".join("".join(words).split())


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


class _Writer:
    """Markdown for a doctree: one method per kind of block, one for inline content."""

    def __init__(self, url: UrlMap | None):
        self.url = url

    def document(self, doctree) -> str:
        text = "\n\n".join(self.blocks(doctree, nested=False, depth=1)).strip()
        return text + "\n" if text else ""

    def blocks(self, node, nested: bool, depth: int) -> list[str]:
        out = []
        for child in node.children:
            block = self.block(child, nested, depth)
            if block:
                out.append(block)
        return out

    def block(self, node, nested: bool, depth: int) -> str | None:
        from docutils import nodes
        kind = node.tagname
        if isinstance(node, nodes.Text):
            return mdtext.paragraph(str(node))
        if kind in _SKIPPED:
            return None
        if kind == "section":
            title = node.next_node(nodes.title)
            heading = "#" * min(6, depth + 1) + " " + (self.inline(title).strip() if title else "")
            return "\n\n".join([heading, *self.blocks(node, nested, depth + 1)])
        if kind == "paragraph":
            return mdtext.escape_line_start(self.inline(node).strip())
        if kind in ("bullet_list", "enumerated_list"):
            return self.list(node, depth)
        if kind == "definition_list":
            return self.definitions(node, depth)
        if kind == "field_list":
            return "\n\n".join(self.field(item, depth) for item in node.children)
        if kind in ("literal_block", "doctest_block", "math_block"):
            code = node.astext()
            if nested:
                return mdtext.indented_code(code)
            classes = [c for c in node.get("classes", []) if c not in ("code", "literal-block")]
            return mdtext.code_block(code, classes[0] if classes else ("pycon" if kind == "doctest_block" else ""))
        if kind == "line_block":
            lines = [mdtext.escape_line_start(self.inline(line).strip()) for line in node.findall(nodes.line)]
            return "  \n".join(line for line in lines if line)
        if kind == "block_quote":
            inner = "\n\n".join(self.blocks(node, True, depth))
            return "\n".join(("> " + line) if line else ">" for line in inner.split("\n"))
        if kind == "attribution":
            return "— " + self.inline(node).strip()
        if kind == "transition":
            return "* * *"
        if kind in _ADMONITIONS or kind == "admonition":
            title = node.next_node(nodes.title)
            label = title.astext() if title is not None and kind == "admonition" else ""
            head = f'!!! {"note" if kind == "admonition" else kind}' + (f' "{label}"' if label else "")
            inner = "\n\n".join(self.blocks(node, True, depth))
            return head + "\n" + mdtext.indent(inner) if inner else head
        if kind in ("topic", "sidebar", "rubric"):
            title = node.next_node(nodes.title) if kind != "rubric" else node
            head = f"**{self.inline(title).strip()}**" if title is not None and title.astext().strip() else ""
            rest = self.blocks(node, nested, depth) if kind != "rubric" else []
            return "\n\n".join([b for b in (head, *rest) if b])
        if kind in ("footnote", "citation"):
            label = node.next_node(nodes.label)
            inner = "\n\n".join(self.blocks(node, True, depth))
            name = label.astext() if label is not None else ""
            return f"[^{name}]: " + mdtext.indent(inner, first="") if inner else None
        if kind == "label":
            return None
        if kind in ("image", "figure"):
            image = node if kind == "image" else node.next_node(nodes.image)
            parts = [self.image(image)] if image is not None else []
            parts += self.blocks(node, nested, depth) if kind == "figure" else []
            return "\n\n".join(p for p in parts if p)
        if kind == "table":
            return self.table(node) if not nested else "\n\n".join(
                mdtext.paragraph(row.astext()) for row in node.findall(nodes.row))
        if kind == "option_list":
            return "\n\n".join(mdtext.code_span(item.children[0].astext()) + "\n:   " +
                               mdtext.indent(self.inline_blocks(item.children[1:], depth), first="")
                               for item in node.children)
        if kind in _CONTAINERS or node.children and all(isinstance(c, nodes.Element) for c in node.children):
            return "\n\n".join(self.blocks(node, nested, depth)) or None
        return mdtext.paragraph(node.astext())

    def inline_blocks(self, children, depth: int) -> str:
        return "\n\n".join(b for child in children if (b := self.block(child, True, depth)))

    def list(self, node, depth: int) -> str:
        start = node.get("start", 1) if node.tagname == "enumerated_list" else None
        items, tight = [], True
        for index, item in enumerate(node.children):
            blocks = self.blocks(item, True, depth)
            tight = tight and len(blocks) <= 1
            marker = f"{start + index}." if start is not None else "-"
            items.append(mdtext.indent("\n\n".join(blocks) or mdtext.escape(" "), first=marker + " "))
        return ("\n" if tight else "\n\n").join(items)

    def definitions(self, node, depth: int) -> str:
        entries = []
        for item in node.children:
            term = next((c for c in item.children if c.tagname == "term"), None)
            definition = next((c for c in item.children if c.tagname == "definition"), None)
            head = mdtext.escape_line_start(self.inline(term).strip()) if term is not None else ""
            body = "\n\n".join(self.blocks(definition, True, depth)) if definition is not None else ""
            entries.append(head + ("\n:   " + mdtext.indent(body, first="") if body else ""))
        return "\n\n".join(entries)

    def field(self, item, depth: int) -> str:
        name = "**" + mdtext.escape(item.children[0].astext()).strip() + ":**"
        body = item.children[1] if len(item.children) > 1 else None
        blocks = self.blocks(body, True, depth) if body is not None else []
        if len(blocks) == 1 and body.children and body.children[0].tagname == "paragraph":
            return name + " " + blocks[0]
        return "\n\n".join([name, *blocks])

    def table(self, node) -> str:
        from docutils import nodes
        rows = []
        for row in node.findall(nodes.row):
            entries = [c for c in row.children if c.tagname == "entry"]
            if any(e.get("morecols") or e.get("morerows") for e in entries):
                return "\n\n".join(mdtext.paragraph(r.astext()) for r in node.findall(nodes.row))
            rows.append([" ".join(self.inline(p).strip() for p in e.findall(nodes.paragraph)) or " "
                         for e in entries])
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [" "] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)

    # --- inline ----------------------------------------------------------------------------

    def inline(self, node) -> str:
        return "".join(self.span(child) for child in node.children)

    def span(self, node) -> str:
        from docutils import nodes
        if isinstance(node, nodes.Text):
            return mdtext.escape(str(node))
        kind = node.tagname
        if kind in ("emphasis", "title_reference"):
            return _wrap(self.inline(node), "*")
        if kind == "strong":
            return _wrap(self.inline(node), "**")
        if kind in ("literal", "math"):
            return mdtext.code_span(node.astext())
        if kind == "reference":
            return self.reference(node)
        if kind == "image":
            return self.image(node)
        if kind == "footnote_reference":
            return f"[^{node.astext()}]"
        if kind in ("raw", "system_message", "comment", "substitution_definition"):
            return ""
        return self.inline(node)

    def reference(self, node) -> str:
        text = self.inline(node)
        uri = node.get("refuri")
        target = self._address(uri, image=False) if uri else None
        return mdtext.link(text, target) if target else text

    def image(self, node) -> str:
        uri = node.get("uri", "")
        alt = mdtext.escape(node.get("alt", "")).strip()
        target = self._address(uri, image=True)
        return f"![{alt}]({mdtext.link_target(target)})" if target else alt

    def _address(self, uri: str, image: bool) -> str | None:
        if self.url is not None:
            return self.url(uri, image)
        return uri if mdtext.is_followable(uri) else None


def _wrap(inner: str, marker: str) -> str:
    """``*inner*``, with any space at either end moved outside the markers."""
    core = inner.strip()
    if not core:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
    return f"{lead}{marker}{core}{marker}{trail}"
