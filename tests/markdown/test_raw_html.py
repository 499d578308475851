"""The raw HTML policy (issue 8, point 3): raw HTML is the site's own authors' tool by default,
``markdown: {raw_html: escape}`` in talknotes.yaml turns it into text for sites that take notes
from strangers, and ``talknotes check`` always flags <script>, <iframe>, on*= and javascript:.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.markdown.render import LinkContext, render
from hostile import cli, make_site, unsafe_markup
from htmltree import parse

HOSTILE_BODY = """
Intro line.

<script>alert(1)</script>

<div onclick="alert(2)">A div with a handler</div>

Inline <img src=x onerror=alert(3)> and <a href="javascript:alert(4)">a link</a>.

<iframe src="https://evil.example/"></iframe>

<a href="java&#x09;script&colon;alert(5)">encoded</a>

<object data="https://evil.example/x.swf"></object> <embed src="https://evil.example/x"> <base href="https://evil.example/">

`<script>in code is fine</script>`

```html
<script>also fine in a fenced block</script>
<a onclick="x()">fine</a>
```
"""

ESCAPE_VECTORS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>", "<!-- <script>alert(1)</script> -->", "<![CDATA[<script>alert(1)</script>]]>",
    "<?php echo 1; ?>", "<div>\n<script>alert(1)</script>\n</div>", "<details open ontoggle=alert(1)>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <b onmouseover=alert(1)>x</b> |",
    "Note.[^1]\n\n[^1]: <img src=x onerror=alert(1)>", '!!! note "<b>t</b>"\n    <script>alert(1)</script>',
    "Term\n:   <iframe src=x></iframe>", "## <img src=x onerror=alert(1)>", "> <script>alert(1)</script>",
    "- <a href='javascript:alert(1)'>x</a>", "<style>body{background:url(javascript:alert(1))}</style>",
    "<a href=\"https://ok.example/\" onclick=alert(1)>x</a>", "&lt;script&gt; &#60;script&#62; <scr<script>ipt>",
]


@pytest.mark.parametrize("body", ESCAPE_VECTORS)
def test_escape_policy_turns_every_raw_html_form_into_text(body):
    result = render(body, "notes/x.md", 1, LinkContext("/", raw_html="escape"))
    assert not unsafe_markup(result.html, "/static/", body)
    made = {e.tag for e in parse(result.html).iter()} - {"#document"}
    assert made <= {"p", "h2", "a", "table", "thead", "tbody", "tr", "th", "td", "div", "hr", "ol", "li", "sup",
                    "blockquote", "ul", "dl", "dt", "dd", "code", "pre", "span"}, made
    for element in parse(result.html).iter():
        assert not any(name.startswith("on") or name in ("style", "src") for name in element.attrs), element.attrs


def test_allow_policy_keeps_the_authors_own_html():
    result = render('<div class="note-box">Boxed</div>\n\nInline <kbd>Ctrl</kbd>.\n', "notes/x.md", 1,
                    LinkContext("/"))
    doc = parse(result.html)
    assert doc.find("div", cls="note-box").text == "Boxed" and doc.find("kbd").text == "Ctrl"


@pytest.fixture()
def site(tmp_path) -> Path:
    site = make_site(tmp_path / "site")
    note = site / "content/notes/2024-01-12-raw.md"
    note.write_text("---\ntitle: Raw HTML\n---\n" + HOSTILE_BODY, encoding="utf-8")
    return site


def _set_policy(site: Path, policy: str) -> None:
    config = site / "talknotes.yaml"
    config.write_text(config.read_text() + f"markdown:\n  raw_html: {policy}\n")


def test_default_build_publishes_raw_html(site):
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    page = (site / "output/notes/raw/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" in page  # the author's choice, and what check is for


def test_escape_in_talknotes_yaml_publishes_it_as_text(site):
    _set_policy(site, "escape")
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    html = (site / "output/notes/raw/index.html").read_text(encoding="utf-8")
    assert not unsafe_markup(html, "/talks/static/", "note")
    main = parse(html).find("main")
    assert "<script>alert(1)</script>" in main.text
    assert '<div onclick="alert(2)">' in main.text.replace("\u201d", '"')
    assert "<script>in code is fine</script>" in main.text


def test_an_unknown_policy_is_a_config_error(site):
    _set_policy(site, "strip")
    result = cli("build", "--source", str(site))
    assert result.code == 1
    assert "talknotes.yaml:5: markdown: expected one of allow, escape, got 'strip'" in result.err


@pytest.mark.parametrize("policy", ["allow", "escape"])
def test_check_always_flags_scripts_frames_handlers_and_javascript_urls(site, policy):
    _set_policy(site, policy)
    result = cli("check", "--source", str(site))
    assert result.code == 1, result.out
    rel = "content/notes/2024-01-12-raw.md"
    lines = result.out.splitlines()
    for expected in [f"{rel}:7: raw HTML <script> is not allowed in notes",
                     f"{rel}:9: raw HTML event handler onclick= is not allowed in notes",
                     f"{rel}:11: raw HTML event handler onerror= is not allowed in notes",
                     f"{rel}:11: javascript: URL in raw HTML (href=) is not allowed in notes",
                     f"{rel}:13: raw HTML <iframe> is not allowed in notes",
                     f"{rel}:17: raw HTML <object> is not allowed in notes",
                     f"{rel}:17: raw HTML <embed> is not allowed in notes",
                     f"{rel}:17: raw HTML <base> is not allowed in notes"]:
        assert any(line.startswith(expected) for line in lines), (expected, result.out)
    assert not any(":19:" in line or ":21:" in line or ":23:" in line for line in lines), "code was flagged"


def test_check_decodes_entities_and_whitespace_as_a_browser_does(site):
    (site / "content/notes/2024-01-12-raw.md").write_text(
        "---\ntitle: Encoded\n---\nText.\n\n<a href=\"java&#x09;script&colon;alert(5)\">encoded</a>\n")
    result = cli("check", "--source", str(site))
    assert result.code == 1
    assert "content/notes/2024-01-12-raw.md:6: javascript: URL in raw HTML (href=) is not allowed" in result.out


def test_check_passes_a_clean_site(site):
    (site / "content/notes/2024-01-12-raw.md").unlink()
    result = cli("check", "--source", str(site))
    assert result.code == 0, result.out
