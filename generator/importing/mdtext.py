"""Writing Markdown that says exactly what the source said: escaped text, code spans, links.

Every importer writes through these, so text from an archive (``*`` in a formula, ``<script>``
in a description, ``#`` at the start of a line) reads back as text, never as markup.
"""

from __future__ import annotations

import re

# Characters Python-Markdown gives a meaning inside a line; each is written with a backslash
# (Python-Markdown's escapable set), except ``<`` and ``&``, written as entities so that raw
# HTML allowed by the site's settings can never start in imported text.
_INLINE = re.compile(r"([\\`*_\[\]{}!|])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What would start a block at the beginning of a line: headings, quotes, list markers,
# a setext underline, a definition, an admonition, a table rule.
_LINE_START = re.compile(r"^(\s*)([#>+=:]|-(?=\s|-|$)|(\d+)(?=[.)](\s|$)))")
_URL_SCHEMES = ("http://", "https://", "mailto:")


def escape(text: str) -> str:
    """``text`` as Markdown that renders as exactly ``text`` (whitespace runs become one space)."""
    text = re.sub(r"\s+", " ", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    return _INLINE.sub(r"\\\1", text)


def escape_line_start(line: str) -> str:
    """A line of escaped text that cannot start a heading, quote or list."""
    match = _LINE_START.match(line)
    if not match:
        return line
    start = match.end(1)
    if match.group(2) in (":", "="):  # not backslash-escapable: an entity
        return line[:start] + f"&#{ord(match.group(2))};" + line[start + 1:]
    if match.group(3):  # "1." -> "1\." : the dot, not the digits, makes the list
        end = match.end(3)
        return line[:end] + "\\" + line[end:]
    return line[:start] + "\\" + line[start:]


def paragraph(text: str) -> str:
    """One paragraph of plain text, on one line, safe at the start of a block."""
    return escape_line_start(escape(text).strip())


def plain_paragraphs(text: str) -> str:
    """Plain text as Markdown paragraphs: blank lines separate them, each line break is kept."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [escape_line_start(escape(line.strip())) for line in block.split("\n") if line.strip()]
        if lines:
            blocks.append("  \n".join(lines))
    return "\n\n".join(blocks)


def code_span(text: str) -> str:
    """``text`` as an inline code span, fenced by more backticks than it holds."""
    text = " ".join(text.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(code: str, language: str = "") -> str:
    """A fenced code block whose fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,})", code, re.MULTILINE)), default=0)
    fence = "`" * max(3, longest + 1)
    language = language if re.fullmatch(r"[\w+#.-]+", language or "") else ""
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


def indented_code(code: str) -> str:
    """An indented code block (where a fence is not understood: inside lists and quotes)."""
    return "\n".join(("    " + line) if line.strip() else "" for line in code.rstrip().split("\n"))


def link_target(url: str) -> str:
    """A link destination as Python-Markdown reads it: in ``<...>`` when it holds spaces or parentheses."""
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace(">", "%3E").replace("<", "%3C") + ">"
    return url


def link(text_markdown: str, url: str) -> str:
    """``[text](url)``; ``text_markdown`` is Markdown already (escaped text, emphasis)."""
    return f"[{text_markdown or escape(url)}]({link_target(url)})"


def is_followable(url: str) -> bool:
    """Whether ``url`` is a web address the build accepts in a Markdown link."""
    if not url.lower().startswith(_URL_SCHEMES):
        return False
    if url.lower().startswith("mailto:"):
        return bool(re.fullmatch(r"mailto:[^\s<>\"]+@[^\s<>\"]+", url, re.IGNORECASE))
    from ..config.weburl import NotWebUrl, web_url
    try:
        web_url(url)
    except NotWebUrl:
        return False
    return True


def indent(text: str, prefix: str = "    ", first: str | None = None) -> str:
    """``text`` with every non-blank line indented by ``prefix`` (the first by ``first``)."""
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        lead = first if index == 0 and first is not None else prefix
        out.append(lead + line if line.strip() or index == 0 else "")
    return "\n".join(out)
