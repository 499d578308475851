"""Injection (issue 8, point 2): a script/markup payload in every author-controlled field, and
proof by parsing every built file (HTML, Atom, sitemap, JSON-LD, search index, manifest,
redirects) that nothing became executable and the text reads back exactly as written.
``javascript:`` and ``data:`` URLs are refused in links and in front matter URLs.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.markdown.render import LinkContext, render
from hostile import (BROKEN, cli, draw_png, json_ld_blocks, make_site, served_path, unsafe_markup,
                     url_problem)
from htmltree import parse

P1 = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
P2 = "'><svg onload=alert(2)>"
P3 = "</script><script>alert(3)</script><!--"
P4 = "javascript:alert(4)"
P5 = "{{ 1234*5678 }}{% raw %}"      # template injection: must stay text (1234*5678 = 7006652)
P6 = "]]><x>&amp; \u2028&lt;b&gt;"   # breaks CDATA, double escaping, JSON line separators
TEXT = " ".join([P1, P2, P3, P4, P5, P6])
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "/talks/"
ORIGIN = "https://example.org"
NASTY_FILE = "'><img src=x onerror=alert(5)>"

EVENT = {"name": TEXT, "start": "2024-03-01", "location": TEXT, "description": TEXT,
         "url": "https://example.org/event?q=%22%3E%3Cscript%3E&x=1"}
NOTE = {"title": TEXT, "date": "2024-03-01", "event": "evil-event", "speakers": [P1, P2 + " Doe", P3],
        "tags": [P1, P2, P3, P4], "summary": TEXT, "lang": "en",
        "slides": "https://example.org/slides?a=%3Cscript%3E&b=%22onerror%3D&c=%27",
        "video": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s&x=%22%3E%3Cscript%3E",
        "aliases": ["/old/%22%3E%3Cscript%3E/", "/old/a&b=c/"], "image": NASTY_FILE + ".png"}
# Markdown that escapes whatever the raw-HTML policy: code, attribute values, URLs, and text
# without "<". Under ``allow`` a "<script>" in plain text is raw HTML by the site's choice.
BODY_COMMON = f"""
## Heading {P4} {P5} & "quotes"

[a link](https://example.org/?q=%3Cscript%3E "title {P1}") and ![{P1} alt text]({quote(NASTY_FILE)}.png)

`inline code {P1}`

```html
{P1}
{P3}
```

[attachment]({quote(NASTY_FILE)}.txt)
"""
# The payload as plain text in every other Markdown construct: only under ``escape``.
BODY_TEXT = f"""
## {P1} heading

A paragraph: {TEXT}

[link text {P1}](https://example.org/)

| {P1} | b |
|---|---|
| {P2} | c |

A footnote.[^1]

[^1]: Footnote {P1}.

!!! note "{P1}"
    Admonition {P2}.

Term {P2}
:   Definition {P1}
"""
RAW_HTML = """
<script>alert(6)</script>
<img src=x onerror=alert(7)>
<a href="javascript:alert(8)" onclick="alert(9)">raw link</a>
<iframe src="data:text/html,<script>alert(10)</script>"></iframe>
<base href="https://evil.example/">

Inline <svg onload=alert(11)> and <b onmouseover=alert(12)>bold</b>.
"""


def _yaml(mapping: dict) -> str:
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in mapping.items())


def hostile_site(root: Path, raw_html: str) -> Path:
    """The fixture site with the payload in every field an author or site owner controls."""
    site = make_site(root)
    config = {"title": TEXT, "description": TEXT, "author": TEXT, "base_url": ORIGIN + BASE}
    (site / "talknotes.yaml").write_text(_yaml(config) + f"markdown: {{raw_html: {raw_html}}}\n", encoding="utf-8")
    (site / "content/events/evil-event.yaml").write_text(_yaml(EVENT), encoding="utf-8")
    body = BODY_COMMON + (BODY_TEXT + RAW_HTML if raw_html == "escape" else "")
    bundle = site / "content/notes" / '"><svg onload=alert(13)>'
    bundle.mkdir()
    (bundle / "index.md").write_text("---\n" + _yaml(NOTE) + "---\n" + body, encoding="utf-8")
    draw_png(bundle / (NASTY_FILE + ".png"))
    draw_png(site / "content/images" / (NASTY_FILE + ".png"), (0, 90, 0))
    (bundle / (NASTY_FILE + ".txt")).write_text("attachment", encoding="utf-8")
    flat = dict(NOTE, title=P2, summary=P3, image=None, aliases=[], slides=None, video=None, event=TEXT)
    del flat["image"], flat["slides"], flat["video"]
    (site / "content/notes" / (f"2024-03-02-{NASTY_FILE}.md")).write_text(
        "---\n" + _yaml(flat) + "---\n" + body, encoding="utf-8")
    (site / "content/pages" / f"{NASTY_FILE}.md").write_text(
        "---\n" + _yaml({"title": TEXT, "summary": TEXT}) + "---\n" + body, encoding="utf-8")
    return site


@pytest.fixture(scope="module", params=["escape", "allow"])
def built(request, tmp_path_factory) -> tuple[str, Path]:
    """The hostile site built with ``raw_html: escape`` (raw HTML in the body too) and with
    ``allow`` (every other field: the policy only concerns the site's own authors' raw HTML)."""
    site = hostile_site(tmp_path_factory.mktemp(f"inject-{request.param}") / "site", request.param)
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    return request.param, site / "output"


def _files(output: Path, pattern: str) -> list[Path]:
    return sorted(p for p in output.rglob(pattern) if p.is_file())


def _same_text(shown: str, written: str) -> bool:
    return " ".join(shown.split()) == " ".join(written.split())


_SMART = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "--",
                        "\u2014": "---", "\u2026": "..."})


def _unsmart(text: str) -> str:
    """Markdown body text with the smarty extension's typography undone."""
    return text.translate(_SMART)


def test_nothing_executable_in_any_html_page(built):
    _, output = built
    pages = _files(output, "*.html")
    assert len(pages) > 15
    problems = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(output).as_posix()
        problems += unsafe_markup(html, BASE + "static/", where)
        for element in parse(html).iter():
            if element.tag in ("img", "source") and element.get("src") is not None:
                src = element.get("src")
                if not (src.startswith(BASE) or src.startswith("https://")):
                    problems.append(f"{where}: injected <{element.tag} src={src!r}>")
        lowered = html.lower()
        for needle in ("<script>alert", "<svg", "<img src=x", "<iframe", "<base ", "7006652"):
            if needle in lowered:
                problems.append(f"{where}: {needle!r} in the markup")
    assert not problems, "\n".join(problems)


def test_author_text_reads_back_exactly_once_escaped(built):
    """Escaped once: the visible text is the text written, not '&lt;' and not markup."""
    policy, output = built
    note = parse((output / "notes/svg-onload-alert-13/index.html").read_text(encoding="utf-8"))
    assert _same_text(note.find("h1").text, TEXT)
    assert _same_text(parse((output / "notes/img-src-x-onerror-alert-5/index.html").read_text(
        encoding="utf-8")).find("h1").text, P2)
    assert _same_text(parse((output / "img-src-x-onerror-alert-5/index.html").read_text(
        encoding="utf-8")).find("h1").text, TEXT)
    event = parse((output / "events/evil-event/index.html").read_text(encoding="utf-8"))
    assert _same_text(event.find("h1").text, TEXT)
    for heading in note.find_all("h2"):
        assert re.fullmatch(r"[a-z0-9-]+", heading.get("id")), heading.get("id")
    headings = [_unsmart(h.text) for h in note.find_all("h2")]
    assert any(P4 in h and P5 in h and '& "quotes"' in h for h in headings), headings
    texts = [_unsmart(e.text) for e in note.iter() if e.tag in ("a", "li", "p", "span", "td", "th", "dd", "dt",
                                                                "code", "pre", "h2")]
    for value in (P1, P3) + ((P2, P1 + " heading") if policy == "escape" else ()):
        assert any(value in text for text in texts), value
    alts = [img.get("alt") for img in note.find_all("img")]
    assert P1 + " alt text" in alts
    assert any(a.get("title") == "title " + P1 for a in note.find_all("a"))
    title = note.find("title").text
    assert TEXT.split()[0] in title and "<script>" in title  # shown as text in the tab


def test_json_ld_blocks_cannot_be_closed_early(built):
    _, output = built
    seen = 0
    for page in _files(output, "*.html"):
        for block in json_ld_blocks(page.read_text(encoding="utf-8")):
            assert "</script" not in block.lower() and "<!--" not in block, page
            assert "\u2028" not in block and "\u2029" not in block
            data = json.loads(block)
            seen += 1
            if page.parent.name == "svg-onload-alert-13":
                assert data["@type"] == "Article"
                assert data["headline"] == TEXT and data["description"] == TEXT  # data, read back exactly
                assert data["about"]["name"] == TEXT and data["about"]["url"] == EVENT["url"]
                assert [a["name"] for a in data["about"]["performer"]] == [P1, P2 + " Doe", P3]
                assert data["keywords"] == ", ".join([P1, P2, P3, P4])
    assert seen > 3


def test_atom_feeds_parse_and_carry_only_inert_html(built):
    _, output = built
    feeds = [output / "feed.xml", *_files(output / "tags", "feed.xml")]
    assert len(feeds) > 3
    for feed in feeds:
        root = ET.parse(feed).getroot()  # well-formed XML, whatever the titles hold
        feed_title = root.find(f"{ATOM}title").text
        assert feed_title == TEXT if feed.parent == output else feed_title.startswith(TEXT + ": ")
        for entry in root.iter(f"{ATOM}entry"):
            title = entry.find(f"{ATOM}title").text
            assert title in (TEXT, P2, "A good note", "A bundle note"), title
            content = entry.find(f"{ATOM}content")
            assert content.get("type") == "html"
            assert not unsafe_markup(content.text or "", BASE + "static/", f"{feed.name}: {title}")
            for link in entry.iter(f"{ATOM}link"):
                assert link.get("href").startswith(ORIGIN + BASE)
            labels = [c.get("label") for c in entry.iter(f"{ATOM}category")]
            terms = [c.get("term") for c in entry.iter(f"{ATOM}category")]
            assert all(re.fullmatch(r"[a-z0-9-]+", term) for term in terms), terms
            if title == TEXT:
                assert labels == [P1, P2, P3, P4]
                assert entry.find(f"{ATOM}summary").text == TEXT


def test_sitemap_holds_only_site_urls(built):
    _, output = built
    locs = [e.text for e in ET.parse(output / "sitemap.xml").getroot().iter()
            if e.tag.endswith("loc")]
    assert locs
    for loc in locs:
        assert loc.startswith(ORIGIN + BASE), loc
        assert not re.search(r"[<>\"'\s]", loc), loc
        assert (output / served_path(loc[len(ORIGIN):], BASE)).is_file(), loc


def test_search_index_keeps_the_payload_as_data(built):
    _, output = built
    strings = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    files = _files(output / "search", "*.json")
    assert files
    for path in files:
        walk(json.loads(path.read_text(encoding="utf-8")))
    assert TEXT in strings  # the title, verbatim: it is the client's job to show it as text
    client = next((output / "static/js").glob("search.*.js")).read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in client, f"search.js uses {sink}"


def test_manifest_redirects_and_report_stay_well_formed(built):
    _, output = built
    manifest = json.loads((output / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == TEXT
    for line in (output / "_redirects").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            source, target, status = line.split()
            assert source.startswith(BASE) and target.startswith(BASE) and status in ("301", "404"), line
            assert not re.search(r"[<>\"']", source + target), line
    json.loads((output / "build-report.json").read_text(encoding="utf-8"))


def test_embed_players_only_point_at_known_players(built):
    _, output = built
    page = parse((output / "notes/svg-onload-alert-13/index.html").read_text(encoding="utf-8"))
    figures = [e for e in page.iter() if e.get("data-embed-src") is not None]
    assert figures
    for figure in figures:
        assert figure.get("data-embed-src").startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?")


def test_escape_policy_shows_raw_html_as_text(built):
    policy, output = built
    if policy != "escape":
        pytest.skip("raw HTML is only in the body of the escape build")
    page = parse((output / "notes/svg-onload-alert-13/index.html").read_text(encoding="utf-8"))
    text = _unsmart(page.find("main").text)
    assert "<script>alert(6)</script>" in text and '<a href="javascript:alert(8)" onclick="alert(9)">' in text


# --- refused URLs ------------------------------------------------------------------------------------

@pytest.fixture()
def plain_site(tmp_path) -> Path:
    return make_site(tmp_path / "site")


def test_front_matter_and_markdown_javascript_and_data_urls_fail_the_build(plain_site):
    shutil.copyfile(BROKEN / "unsafe-urls.md", plain_site / "content/notes/2024-02-12-unsafe.md")
    shutil.copyfile(BROKEN / "unsafe-links.md", plain_site / "content/notes/2024-02-13-links.md")
    shutil.copyfile(BROKEN / "unsafe-event.yaml", plain_site / "content/events/unsafe.yaml")
    result = cli("build", "--source", str(plain_site))
    assert result.code == 1 and "Traceback" not in result.err
    rel, links = "content/notes/2024-02-12-unsafe.md", "content/notes/2024-02-13-links.md"
    for expected in [f"{rel}:4: slides: not an http(s) URL: 'javascript:alert(1)'",
                     f"{rel}:5: video: not an http(s) URL: 'data:text/html,<script>alert(1)</script>'",
                     f"{rel}:6: aliases: alias '/notes/\"><script>alert(1)</script>/' is not a site path",
                     f"{links}:7: unsafe link '&#106;avascript:alert(1)'",
                     f"{links}:9: unsafe link 'java&Tab;script:alert(1)'",
                     f"{links}:11: unsafe image source 'data:image/svg+xml;base64,",
                     f"{links}:15: unsafe link 'JaVaScRiPt:alert(1)'",
                     f"{links}:17: unsafe link 'data:text/html;base64,",
                     "content/events/unsafe.yaml:3: url: not an http(s) URL: 'javascript:alert(document.cookie)'"]:
        assert any(line.startswith(expected) for line in result.err.splitlines()), (expected, result.err)
    assert not (plain_site / "output").exists()  # nothing was published


@pytest.mark.parametrize("field", ["slides", "video"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "file:///etc/passwd",
                                 "//evil.example/x", "https://example.org/\"onmouseover=alert(1)",
                                 "https://example.org/<script>", "&#106;avascript:alert(1)"])
def test_front_matter_urls_are_http_only(field, url):
    from generator.config import schema
    from generator.model.content import NOTE_SCHEMA
    with pytest.raises(schema.Invalid):
        NOTE_SCHEMA[field].convert(url)


MARKDOWN_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)",
                 "&#x6A;avascript:alert(1)", "&#0000106avascript:alert(1)", "javascript&#58;alert(1)",
                 "javascript&colon;alert(1)", "java&Tab;script:alert(1)", "&Tab;javascript:alert(1)",
                 "jav&#9;ascript:alert(1)", "java&NewLine;script:alert(1)", "\x01javascript:alert(1)",
                 "<javascript:alert(1)>", "data:text/html,<script>alert(1)</script>",
                 "data&#58;text/html;base64,PHNjcmlwdD4=", "DATA:image/svg+xml,<svg onload=alert(1)>",
                 "vbscript:msgbox(1)", "file:///etc/passwd"]


@pytest.mark.parametrize("url", MARKDOWN_URLS)
@pytest.mark.parametrize("form", ["[x]({})", "![x]({})", "[x][r]\n\n[r]: {}"])
@pytest.mark.parametrize("policy", ["allow", "escape"])
def test_markdown_unsafe_urls_are_refused_as_a_browser_reads_them(url, form, policy):
    body = form.format(url)
    result = render(body, "notes/x.md", 1, LinkContext("/", raw_html=policy))
    made = [e for e in parse(result.html).iter() if e.tag in ("a", "img")]
    for element in made:
        for name in ("href", "src"):
            if element.get(name) is not None:
                assert url_problem(element.get(name)) is None, (body, result.html)
    if made:  # Markdown made a link or image of it (a URL with spaces stays text): it is an error
        assert result.problems and all(p.message.startswith(("unsafe link", "unsafe image"))
                                       for p in result.problems), (body, result.html)


def test_safe_links_are_left_alone():
    result = render("[a](https://example.org/?q=1&r=2) [b](mailto:a@example.org) [c](#part) [d](/about/)",
                    "notes/x.md", 1, LinkContext("/talks/"))
    assert not result.problems
    hrefs = [e.get("href") for e in parse(result.html).find_all("a")]
    assert hrefs == ["https://example.org/?q=1&r=2", "mailto:a@example.org", "#part", "/talks/about/"]
