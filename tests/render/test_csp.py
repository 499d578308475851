"""The built site keeps the strict Content-Security-Policy that _headers sends.

The rule, precisely: no element runs or styles anything from inside the HTML. So no ``<script>``
with a body unless it is a JSON-LD data block (``type="application/ld+json"``, never executed,
so CSP does not apply to it), no ``<style>`` element, no ``style=`` attribute, no ``on*=`` event
handler, and no ``javascript:`` URL in any attribute.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from embedsite import TRICKY_TITLE, embed_site
from linkcheck import site_files

DATA_BLOCKS = {"application/ld+json"}


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.data_blocks: list[str] = []
        self._script: dict | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> attribute")
            if value and re.match(r"\s*javascript:", value, re.IGNORECASE):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._script, self._body = attrs, []

    def handle_data(self, data):
        if self._script is not None:
            self._body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            body = "".join(self._body)
            kind = (self._script.get("type") or "").lower()
            if kind in DATA_BLOCKS:
                if self._script.get("src"):
                    self.problems.append("data block with src")
                self.data_blocks.append(body)
            elif body.strip():
                self.problems.append(f"inline <script> body: {body.strip()[:60]!r}")
            elif not self._script.get("src"):
                self.problems.append("<script> without src")
            self._script = None


def scan(path):
    scanner = _Scanner()
    scanner.feed(path.read_text(encoding="utf-8"))
    scanner.close()
    return scanner


@pytest.fixture(scope="module", params=["sample", "embeds"])
def site(request, tmp_path_factory):
    if request.param == "sample":
        return request.getfixturevalue("built_root")
    return embed_site(tmp_path_factory)


def test_no_inline_script_style_handlers_or_javascript_urls(site):
    pages = site_files(site)
    assert len(pages) > 50
    problems = [f"{page.relative_to(site)}: {problem}" for page in pages for problem in scan(page).problems]
    assert problems == []


def test_json_ld_blocks_are_valid_json_and_cannot_break_out(site):
    blocks = {page.relative_to(site).as_posix(): scan(page).data_blocks for page in site_files(site)}
    assert all(len(b) <= 1 for b in blocks.values())
    for name, found in blocks.items():
        for body in found:
            assert "<" not in body and ">" not in body and "&" not in body, name
            json.loads(body)
    assert blocks["index.html"] and blocks["notes/serverless-django-zappa/index.html"]


def test_a_title_with_markup_stays_data(tmp_path_factory):
    """A note titled with ``</script><script>…`` can neither end the JSON-LD block nor run."""
    output = embed_site(tmp_path_factory)
    page = output / "notes" / "django-orm-features" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == html.count("</script>") == 1  # JSON-LD only
    data = json.loads(scan(page).data_blocks[0])
    assert data["headline"] == TRICKY_TITLE
    assert scan(page).problems == []
