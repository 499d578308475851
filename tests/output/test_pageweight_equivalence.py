"""The fast report stage writes what the straightforward one wrote, byte for byte.

``generator/output/pageweight.py`` reads each distinct tag once and shares what pages have in common,
and ``generator/output/report.py`` writes the JSON with its own encoder. Each is checked here against a
plain reference kept in this file: every page parsed whole with the original case-insensitive
scan and no caches, and ``json.dumps``. Sites: the sample site at two base URLs, a generated corpus before and after
a one-note change (weights then come from the build cache), hand-made tricky pages, and random
markup.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, TODAY
from generator.output import pagemarkup
from generator.output import pageweight
from generator.output.pagemarkup import CATEGORIES, FetchingTag as _Tag
from generator.output.pageweight import SiteFiles, page_weight
from generator.output.report import co2_grams, report_text, summary_lines

_CHECKS = settings(max_examples=150, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --- the reference: every page parsed whole, nothing remembered ---------------------------------

_REFERENCE_TAGS = re.compile(
    r"""<(?:link|script|picture|source|img)\b(?:[^>"']|"[^"]*"|'[^']*')*>|</(?:picture|script)\s*>""", re.IGNORECASE)


class _ReferenceSite:
    """URL to file, sizes and texts straight from the disk on every call."""

    def __init__(self, output: Path, origin: str, base_path: str):
        self.output, self.origin, self.base_path = output, origin, base_path

    def file(self, url, page_url):
        parts = urlsplit(urljoin(page_url, url))
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        path = unquote(parts.path)
        if not path.startswith(self.base_path):
            return None
        rel = path[len(self.base_path):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        return rel if (self.output / rel).is_file() else None

    def url(self, rel):
        return self.origin + self.base_path + rel

    def size(self, rel):
        return (self.output / rel).stat().st_size

    def text(self, rel):
        return (self.output / rel).read_text(encoding="utf-8", errors="replace")


def reference_weight(output: Path, origin: str, base_path: str, rel: str) -> dict:
    """What a first visit to ``rel`` downloads, worked out the plain way."""
    site = _ReferenceSite(output, origin, base_path)
    page_url = site.url(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    parser = pagemarkup.PageParser()
    parser.feed("".join(_REFERENCE_TAGS.findall(site.text(rel))))
    parser.close()
    fetched = {rel: "html"}
    external = []

    def add(url, category):
        found = site.file(url, page_url)
        if found is None:
            if urlsplit(urljoin(page_url, url)).netloc != urlsplit(site.origin).netloc:
                external.append(url)
            return None
        fetched.setdefault(found, category)
        return found

    css_seen: set = set()
    for href in parser.stylesheets:
        found = site.file(href, page_url)
        if found:
            sheets, fonts = pageweight._css_files(site, found, css_seen)
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
            for module in pageweight._module_files(site, found, js_seen):
                fetched.setdefault(module, "js")
    for href, kind in parser.preloads:
        add(href, pageweight._category(href, kind))
    if parser.icons:
        svg = [href for href, kind in parser.icons if kind == "image/svg+xml"]
        add(svg[0] if svg else parser.icons[0][0], "other")
    lazy = {}
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
        "url": base_path + (rel[: -len("index.html")] if rel.endswith("index.html") else rel),
        "bytes": sizes,
        "total": total,
        "before_images": total - sizes["images"],
        "lazy_images": sum(lazy.values()),
        "requests": len(fetched),
        "files": sorted(fetched),
        "third_party": sorted(set(external)),
    }


def reference_text(value) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"


def same_json(text: str, value) -> bool:
    """``text`` reads back as ``value`` does through the standard library's encoder (NaN equal
    to NaN, tuples as lists, keys as strings)."""
    def canonical(data) -> str:
        return json.dumps(data, sort_keys=True, ensure_ascii=False)
    return canonical(json.loads(text)) == canonical(json.loads(reference_text(value)))


def assert_report_matches_reference(output: Path, origin: str, base_path: str) -> dict:
    """build-report.json in ``output`` is what the reference writes for the same pages."""
    text = (output / "build-report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    assert same_json(text, report)
    page_lines = text.split('"pages": [\n', 1)[1].splitlines()[:-2]  # one line per page
    assert [json.loads(line.strip().rstrip(",")) for line in page_lines] == report["pages"]
    assert report["pages"], "no pages measured"
    for page in report["pages"]:
        expected = reference_weight(output, origin, base_path, page["file"])
        assert {key: page[key] for key in expected} == expected, page["file"]
        assert page["co2_g"] == round(co2_grams(page["total"]), 5)
    return report


# --- whole sites --------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture, base_path", [("built_root", "/"), ("built_subpath", "/talks/2026/")])
def test_sample_site_report_is_unchanged(request, fixture, base_path):
    output = request.getfixturevalue(fixture)
    report = assert_report_matches_reference(output, _origin(output), base_path)
    assert any(p["bytes"]["images"] for p in report["pages"])


def _origin(output: Path) -> str:
    """The site's origin, read from the home page's canonical link."""
    home = (output / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home).group(1)
    parts = urlsplit(canonical)
    return f"{parts.scheme}://{parts.netloc}"


def test_generated_corpus_cold_and_after_one_change(tmp_path, capsys):
    """A cold build, then a build where one note changed and every other weight comes from the
    build cache in a fresh cache object (as a new process would): both reports as the reference."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    from generator.build import BuildOptions, build
    from generator.incremental.store import BuildCache
    site = generate(tmp_path / "site", 40)
    output = site / "output"
    first = build(BuildOptions(source=site, today=TODAY), BuildCache())
    origin = _origin(output)
    report = assert_report_matches_reference(output, origin, "/")
    assert first.report == report
    note = sorted((site / "content" / "notes").glob("*.md"))[3]
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence, and a longer page.\n", encoding="utf-8")
    second = build(BuildOptions(source=site, today=TODAY), BuildCache())
    assert second.report != first.report
    report = assert_report_matches_reference(output, origin, "/")
    assert second.report == report
    assert summary_lines(second.report) == summary_lines(json.loads(reference_text(report)))


# --- tricky pages -------------------------------------------------------------------------------

ASSETS = {
    "s.css": '@import url("t.css"); @font-face { src: url(/f.woff2) format("woff2"), url(/f.ttf); } b{}',
    "t.css": "i{}", "p.css": "p{}" * 20, "u.css": "u{}" * 7, "m.js": 'import { x } from "./n.js";\nx();',
    "n.js": "export const x = 1;", "a.js": "a()", "f.woff2": "w" * 100, "f.ttf": "t" * 30, "i.svg": "<svg/>",
    "i.png": "p" * 13, "a.jpg": "j" * 70, "x1.png": "1" * 11, "x2.png": "2" * 22, "a-300w.webp": "3" * 30,
    "a-500w.webp": "5" * 50, "a-900w.webp": "9" * 90, "lazy.jpg": "l" * 40, "notes/x/pic.png": "q" * 17,
    "notes/pic.png": "r" * 19, "img/é.png": "e" * 23, "a b.png": "s" * 29,
}

PAGES = {
    "index.html": '<link rel="canonical" href="https://example.org/"><link rel="stylesheet" href="/s.css">'
                  '<script type="application/ld+json">{"a": "<img src=/a.jpg>"}</script><img src="/x1.png">',
    "one/index.html": '<link rel="canonical" href="https://example.org/one/"><link rel="stylesheet" href="/s.css">'
                      '<script type="application/ld+json">{}</script><img src="/x1.png">',
    "two/index.html": '<link rel="canonical" href="https://example.org/two/"><link rel="stylesheet" href="/s.css">'
                      '<script type="application/ld+json">{"b": 2}</script><img src="/x1.png">',
    "upper/index.html": '<LINK REL=STYLESHEET HREF=/s.css><Script Type=Module SRC="/m.js"></SCRIPT ><IMG SRC=/a.jpg>',
    "exotic/index.html": '<l\u0131nk rel=stylesheet href=/p.css><\u017fcript src=/a.js></\u017fcript>'
                         '<lin\u212a rel=stylesheet href=/u.css><img src=/x2.png>',
    "swallowed/index.html": '<script src="/a.js"><img src="/a.jpg"></script><img src="/x2.png">',
    "swallowed2/index.html": '<script src=/a.js></picture><img src=/a.jpg></script><img src=/x1.png>',
    "unclosed/index.html": '<script src="/a.js"><img src="/a.jpg"><link rel=stylesheet href=/p.css>',
    "selfclosing/index.html": '<script src=/a.js /><img src=/x1.png/><img src="/x2.png"/><picture/><img src=/a.jpg>',
    "entities/index.html": '<img src="/a%20b.png"><img src="/x1.png?a=1&amp;b=2"><img src="&#47;x2.png">'
                           '<link rel="stylesheet" href="/t.css&#x3f;v=1">',
    "notes/x/index.html": '<img src="pic.png"><img src="../pic.png"><img src="./pic.png" loading=lazy>'
                          '<img src=""><img src="?q"><img src="#f"><link rel=icon href=../../i.png>',
    "notes/y/index.html": '<img src="pic.png"><img src="../pic.png"><link rel=icon href=../../i.png>',
    "external/index.html": '<script src="//cdn.example.org/x.js"></script><script src="https://cdn.example.net/y.js">'
                           '</script><img src="https:x1.png"><img src="data:image/png;base64,AAAA">'
                           '<img src="http://example.org/x1.png"><img src="HTTPS://EXAMPLE.ORG/x2.png">',
    "picture/index.html": '<picture><source type="image/avif" srcset="/a-300w.webp 300w" media="(min-width: 60rem)">'
                          '<source type="image/webp" srcset="/a-300w.webp 300w, /a-500w.webp 500w, /a-900w.webp 900w" '
                          'sizes="(min-width: 48rem) 46rem, 100vw"><img src="/a.jpg" alt=""></picture>'
                          '<img srcset="/x1.png 1x, /x2.png 2x"><source srcset="/a-900w.webp 900w"><img src=/lazy.jpg '
                          'loading="LAZY"><img src=/lazy.jpg>',
    "lazyfirst/index.html": '<img src=/a.jpg loading=lazy><img src=/a.jpg><img src=/lazy.jpg loading=lazy>',
    "self/index.html": '<img src="/self/"><link rel=stylesheet href="/self/index.html"><img src=/x1.png>',
    "selflazy/index.html": '<img src="./" loading="lazy"><img src=/x1.png>',
    "quotes/index.html": "<img alt='it's' src=/a.jpg><img src=\"/x1.png\"alt=\"x\"><img src=\"/x2.png>"
                         "<link rel=stylesheet href='/p.css'>\"><img src=/lazy.jpg alt=\"a>b\">",
    "spaces/index.html": '<img\x0bsrc=/a.jpg><img\xa0src=/x1.png><img src=/x2.png\t/>'
                         '<script src=/a.js></script\x0b><script src=/n.js></script\xa0><img src=/lazy.jpg>',
    "newlines/index.html": '<link\r\nrel="stylesheet"\r\nhref="/p.css"><img\rsrc="/x1.png"\r><img src="/a\r.jpg">',
    "preloads/index.html": '<link rel="preload" as="font" href="/f.woff2"><link rel=modulepreload href=/m.js>'
                           '<link rel="alternate stylesheet" href="/u.css"><link rel=stylesheet href=/p.css media=print>'
                           '<link rel="icon" href="/i.png"><link rel="icon" type="image/svg+xml" href="/i.svg">'
                           '<link rel=preload href=/a.jpg as=image><link rel=preload href=/f.ttf>',
    "duplicates/index.html": '<img src=/a.jpg src=/x1.png><script async defer src=/a.js></script>'
                             '<link rel=stylesheet rel=icon href=/t.css>',
    "odd/index.html": '<img src=a=b><img src=/x1.png =foo><img src==/x2.png><img/src=/a.jpg><img src=`/x1.png`>'
                      '<!-- <img src=/lazy.jpg> --><img src="/img/%C3%A9.png"><img src="/img/é.png">',
    "sizes/index.html": '<img srcset="/a-300w.webp 300w, /a-500w.webp 500w" sizes="(max-width: 30em) 90vw, 20rem">'
                        '<img srcset="/a-300w.webp 300w, /a-900w.webp 900w" sizes="bogus, 10px">'
                        '<img srcset="/x1.png, /x2.png 2x, /a.jpg junk">',
    "alone/index.html": "<p>No fetching tags at all.</p>",
}

# Tags on the edge of what is read tag by tag. Each also gets a page of its own, between tags
# that are simple, so that no other tag sends the page to the whole-page parse.
EDGE_TAGS = [
    "<img src==/x2.png>", "<img src=a=b>", "<img src=/x1.png =foo>", "<img/src=/a.jpg>", "<img src=`/x1.png`>",
    '<img alt="a/>" src=/x1.png>', '<script src="/a.js" data-x="/>">', '<picture data-x="/>">',
    "<img src=/x1.png/>", "<img src=/x1.png />", "<img src='/x2.png'/>", "<img src=/x1.png\f>",
    "<img\nsrc=/x1.png>", "<img src = /x2.png>", "<img src\t=\t'/a.jpg'>", "<img src=/a.jpg alt>",
    "<img src=/a.jpg alt=\"\">", "<img SRC=/a.jpg ALT=x>", "<img src=/a.jpg a:b=1 _c=2 d-e.f=3>",
    "<img src=/x1.png -x=1>", "<img src=/x1.png 1x=1>", "<img src=/x1.png a'b=1>", '<img src=/x1.png a"b=1>',
    "<img src=/x1.png?a&amp;b>", "<img src=\"/x1.png?a=1&b=2\">", "<img src=/x1.png&#x2F;>",
    "<img src=/x1.png\u00a0>", "<img src=/x1.png\x0b>", "<img src=/x1.png\u3000loading=lazy>",
    "<script src=/a.js/>", "<SCRIPT SRC=/a.js>", "<script\tsrc=/a.js\t/>", "<picture >", "</picture >",
    "</picture\t>", "</PICTURE>", "</script\f>", "</script/>", "</script x>", "<source srcset=/x2.png>",
    "<link rel=icon href=/i.png/>", "<link rel=stylesheet href=\"/p.css\"/>", "<link rel='stylesheet' href=/u.css >",
    '<link rel="canonical" href="https://example.org/x/">', "<link rel=alternate type=application/rss+xml href=/f.xml>",
    "<link rel=&#105;con href=/i.png>", "<LINK REL=ICON HREF=/i.png>", '<link rel="apple-touch-icon" href="/i.png">',
    "<link rel=StyleSheet href=/p.css>", "<link href=/p.css rel=preload as=style>", "<link\nrel=x href=/p.css>",
]
PAGES.update({f"edge{i}/index.html": f"<picture><source srcset=/x2.png>{tag}<img src=/a.jpg></picture>"
                                     f"<script src=/a.js></script>{tag}<img src=/lazy.jpg>"
              for i, tag in enumerate(EDGE_TAGS)})


def _write_site(root: Path, pages: dict[str, bytes | str]) -> None:
    for rel, text in {**ASSETS, **pages}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    root = tmp_path_factory.mktemp("tricky")
    pages = {rel: f"<!doctype html><title>{rel}</title>\n{body}\n<p>Text \u2014 caf\u00e9.</p>"
             for rel, body in PAGES.items()}
    pages["bytes/index.html"] = b'<img src="/x1.png" alt="\xff\xfe"><img src="/\xc3.png"><img src=/a.jpg>'
    pages["crlf/index.html"] = b'<img\r\nsrc="/x2.png"\r\n>\r\n<img src="/a.jpg"\ralt="x">'
    _write_site(root, pages)
    return root, sorted(pages)


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_tricky_pages_weigh_as_before(tricky, order):
    """One SiteFiles for all pages, as a build uses it, so shared answers are reused across pages."""
    root, pages = tricky
    site = SiteFiles(root, "https://example.org", "/")
    for rel in pages if order == "forward" else reversed(pages):
        assert page_weight(site, rel) == reference_weight(root, "https://example.org", "/", rel), rel


def test_tricky_pages_cover_both_ways_of_reading(tricky):
    """The pages exercise the tag-by-tag reading and the whole-page fallback, and pages that fetch
    themselves."""
    root, pages = tricky
    site = SiteFiles(root, "https://example.org", "/")
    for rel in pages:
        page_weight(site, rel)
    keys = set(site._markup)
    assert any(isinstance(key, tuple) for key in keys) and any(isinstance(key, str) for key in keys)
    one, two = (site.fetches(pagemarkup.FETCHING_TAGS.findall((root / f"{name}/index.html").read_text()),
                             f"https://example.org/{name}/") for name in ("one", "two"))
    assert one is two
    assert "self/index.html" in page_weight(site, "self/index.html")["files"]


def test_the_scan_finds_the_tags_the_case_insensitive_scan_found():
    """re.IGNORECASE also matches ``ı``, ``İ``, ``ſ`` and the Kelvin sign to ASCII letters; the
    spelled-out pattern must match exactly the same characters, in every position of every name."""
    letters = set("linkscriptpicturesourceimg")
    candidates = [chr(c) for c in range(0x80, sys.maxunicode + 1)
                  if not 0xD800 <= c <= 0xDFFF
                  and any(ch.isascii() and ch.lower() in letters
                          for ch in chr(c).lower() + chr(c).upper() + chr(c).casefold())]
    names = ("link", "script", "picture", "source", "img")
    for name in names:
        for i in range(len(name)):
            for c in candidates + [name[i].upper(), "x"]:
                word = name[:i] + c + name[i + 1:]
                for text in (f"<{word} src=/a.js>", f"</{word}>", f"<{word}\u00e9>", f"</{word}\u00a0\u2003>"):
                    assert pagemarkup.FETCHING_TAGS.findall(text) == _REFERENCE_TAGS.findall(text), text


# --- random markup ------------------------------------------------------------------------------

_FRAGMENTS = [
    '<link rel="canonical" href="https://example.org/{n}/">', '<link rel=stylesheet href=/s.css>',
    '<link rel="stylesheet" href="/p.css" media="print">', '<link rel=icon href=/i.png>',
    '<link rel="icon" type="image/svg+xml" href="/i.svg">', '<link rel=modulepreload href=/m.js>',
    '<script src="/a.js">', '<script type="module" src="/m.js">', "<script>", '<script type="application/ld+json">',
    "</script>", "</SCRIPT>", "<picture>", "</picture>", '<source type="image/webp" srcset="/a-300w.webp 300w, '
    '/a-900w.webp 900w">', '<source srcset="/x2.png" media="(min-width: 9999px)">', '<img src="/a.jpg">',
    "<img src=/x1.png loading=lazy>", '<img src="/lazy.jpg" loading="lazy" />', "<img srcset='/x1.png 1x, /x2.png 2x'>",
    '<img src="pic.png">', '<img src="../x1.png">', '<IMG SRC="/x2.png">', "<img alt='", '"', "'", ">", "<", "=",
    " ", "\n", "\r", "\t", "\x0b", "\xa0", "/", "<img ", "<link ", "<script ", "</", "src=/a.jpg", "text",
    "\u0131", "\u212a", "\u017f", "&amp;", "<!--", "-->",
]


@_CHECKS
@given(st.lists(st.lists(st.sampled_from(_FRAGMENTS), max_size=25), min_size=1, max_size=4))
def test_random_markup_weighs_as_before(tmp_path_factory, bodies):
    root = tmp_path_factory.mktemp("random")
    pages = {f"p{i}/index.html": "".join(bodies[i]).replace("{n}", str(i)) for i in range(len(bodies))}
    pages["notes/x/index.html"] = "".join(bodies[0])
    _write_site(root, pages)
    site = SiteFiles(root, "https://example.org", "/")
    for rel in sorted(pages):
        assert page_weight(site, rel) == reference_weight(root, "https://example.org", "/", rel), rel


class _Recorder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append((tag, attrs))

    def handle_endtag(self, tag):
        self.events.append((tag, None))

    def handle_data(self, data):
        self.events.append(("#data", data))


_TAG_PARTS = ["<img", "<link", "<link ", "rel=canonical", "rel=icon", "<script", "<source", "<picture", "</script", "</picture", "<IMG", "<Script", " ",
              "\t", "\n", "\r", "\f", "\x0b", "src", "rel", "href", "a:b", "_x", "-", "=", '"', "'", "/a.jpg", "x&amp;y",
              "&#47;", "&bogus", "é", ">", "/", "/>", "`"]


@pytest.mark.parametrize("text", EDGE_TAGS)
def test_edge_tags_read_as_the_parser_reads_them(text):
    for after in ("", "<img src=/x1.png>", "</script>", "'>\"><img src=/x2.png>"):
        _check_tag(text, after)


@_CHECKS
@given(st.lists(st.sampled_from(_TAG_PARTS), min_size=1, max_size=14), st.sampled_from(_FRAGMENTS))
def test_simple_tags_read_as_the_parser_reads_them(parts, after):
    """For any tag ``_Tag.read`` accepts, its calls are the parser's, alone and followed by more."""
    _check_tag("".join(parts), after)


def _check_tag(text, after):
    tag = _Tag.read(text)
    if tag is None:
        return
    alone = _Recorder()
    alone.feed(text)
    alone.close()
    assert list(tag.events) == alone.events
    assert tag.opens_script == (alone.cdata_elem == "script")
    if pagemarkup._inert_link(text):  # the shortcut for links that fetch nothing
        assert not tag.matters and not tag.opens_script and not tag.closes_script
    amid = _Recorder()
    amid.feed(text + after)
    amid.close()
    assert amid.events[:len(tag.events)] == list(tag.events)


# --- the JSON text ------------------------------------------------------------------------------

def _page(**changes):
    page = {"endpoint": "note", "file": "notes/x/index.html", "url": "/notes/x/",
            "bytes": {"html": 10, "css": 2, "js": 0, "fonts": 0, "images": 5, "other": 1}, "total": 18,
            "before_images": 13, "lazy_images": 0, "requests": 4, "files": ["a", "b\u00e9\n\"c\""],
            "third_party": [], "co2_g": 2.6e-06, "source": "content/notes/x.md"}
    page.update(changes)
    return {k: v for k, v in page.items() if v is not _DROP}


_DROP = object()


class _Int(int):
    pass


@pytest.mark.parametrize("value", [
    {}, [], {"a": []}, {"a": {}}, [[], {}, [[]]], {"pages": [_page()]}, {"pages": [_page(source=_DROP)]},
    {"pages": [_page(total=18.0), _page(requests=True), _page(co2_g=float("nan")), _page(co2_g=float("inf")),
               _page(co2_g=0), _page(files=("a", "b")), _page(files=["a", 1]), _page(third_party=["x", None]),
               _page(bytes={"html": 1}), _page(bytes={**_page()["bytes"], "css": _Int(2)}), _page(url=None),
               _page(source=["x"]), _page(extra=1), _page(files=[]), _page(third_party=["https://cdn/\u2028"])]},
    {1: "int key", 2.5: "float key", None: "none key", "é\u0000": "control"},
    [None, True, False, 0, -1, 10 ** 30, 0.1, -0.0, 1e300, float("-inf"), "", "\ud800"],
    {"nested": {"deeper": {"deepest": [1, [2, [3, {"x": "y"}]]]}}},
])
def test_report_text_is_json_dumps(value):
    assert same_json(report_text(value), value)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30)


@_CHECKS
@given(_JSON)
def test_report_text_is_json_dumps_for_any_json(value):
    assert same_json(report_text(value), value)


@_CHECKS
@given(st.lists(st.builds(_page, total=st.integers(), co2_g=st.floats(), files=st.lists(st.text(max_size=6)),
                          url=st.text(max_size=6)), max_size=3))
def test_report_text_is_json_dumps_for_pages(pages):
    value = {"summary": {"pages": len(pages)}, "pages": pages}
    assert same_json(report_text(value), value)


