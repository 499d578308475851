"""Property tests (issue 8, point 6) for the parsers that read strangers' input: front matter,
slugs, ``url_for`` and Markdown to HTML.

CI runs a modest number of examples; the long run (docs/security.md) is::

    TALKNOTES_FUZZ=long python3 -m pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import atexit
import os
import posixpath
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.model.content import load_event, load_note
from generator.markdown.render import LinkContext, html_to_text, render
from generator.model.routes import PATTERNS, Urls
from generator.model.slugs import is_slug, slugify
from generator.config.yamlfile import load_mapping
from hostile import served_path, unsafe_markup, url_problem

# Profiles of this module's own (applied per test, so other Hypothesis tests keep theirs): CI runs
# few examples with a fixed seed; TALKNOTES_FUZZ=long runs many with fresh random seeds.
_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]
settings.register_profile("talknotes-ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=_QUIET)
settings.register_profile("talknotes-long", max_examples=20_000, deadline=None, suppress_health_check=_QUIET)
fuzz = settings.get_profile("talknotes-long" if os.environ.get("TALKNOTES_FUZZ") == "long" else "talknotes-ci")

ROOT = Path(tempfile.mkdtemp(prefix="talknotes-fuzz-"))  # one folder for every example, removed at exit
atexit.register(shutil.rmtree, ROOT, True)
(ROOT / "content" / "notes").mkdir(parents=True)
(ROOT / "content" / "events").mkdir(parents=True)

# --- front matter -------------------------------------------------------------------------------

KEYS = ["title", "date", "event", "speakers", "tags", "summary", "slides", "video", "image", "draft",
        "updated", "aliases", "lang", "speaker", "<b>", "", "&a", "- x"]
SCALARS = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.just("2023-04-18"), st.just("2023-02-30"),
    st.just("https://example.org/x"), st.just("javascript:alert(1)"), st.just("[a, b]"), st.just("{a: 1}"),
    st.just("&anchor x"), st.just("*anchor"), st.just("!!python/object/apply:os.system ['true']"),
    st.just("|\n  block"), st.just('"unclosed'), st.just("'it''s'"), st.just("\t"), st.just("~"),
    st.just('"\\x01\\ud800"'),
)


@st.composite
def documents(draw) -> bytes:
    """Note files: mostly well-shaped front matter with hostile values, sometimes raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    lines = [f"{draw(st.sampled_from(KEYS))}:{draw(st.sampled_from([' ', '', '  ']))}{draw(SCALARS)}"
             for _ in range(draw(st.integers(0, 8)))]
    fence = draw(st.sampled_from(["---", "---", "...", "--- ", "", "----"]))
    text = "---\n" + "\n".join(lines) + f"\n{fence}\n" + draw(st.text(max_size=60))
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    prefix = draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff"]))
    return prefix + text.encode("utf-8", "surrogatepass")


def _one_line(problem) -> None:
    text = str(problem)
    assert "\n" not in text and "\r" not in text and text.isprintable(), text


@fuzz
@given(data=documents(), name=st.sampled_from(["2023-04-18-talk", "talk", "2023-13-45-bad", "Ünïcode Talk", "--"]))
def test_front_matter_never_raises_and_returns_a_note_or_errors(data, name):
    path = ROOT / "content" / "notes" / f"{name}.md"
    path.write_bytes(data)
    note, problems = load_note(path, name, path.parent, ROOT)
    errors = [p for p in problems if p.is_error]
    if note is None:
        assert errors, "a note was refused without saying why"
    else:
        assert not errors
        assert note.title and is_slug(note.slug) and note.path == f"content/notes/{name}.md"
    for problem in problems:
        _one_line(problem)
        assert problem.line is None or 1 <= problem.line <= data.count(b"\n") + data.count(b"\r") + 2


@fuzz
@given(data=documents())
def test_event_files_never_raise(data):
    path = ROOT / "content" / "events" / "fuzz.yaml"
    path.write_bytes(data.replace(b"---\n", b"", 1))
    event, problems = load_event(path, ROOT)
    assert (event is None) == any(p.is_error for p in problems)
    for problem in problems:
        _one_line(problem)


@fuzz
@given(text=st.text(alphabet=st.sampled_from(list("&*!|>-:[]{}#'\"\\\t\n ?,%@`abc01")), max_size=80))
@example(text="a: &a [x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" * 6)
@example(text="[" * 2000)
def test_yaml_never_raises(text):
    mapping = load_mapping(text, "x.yaml")
    assert isinstance(mapping.data, dict)


# --- slugs ----------------------------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@fuzz
@given(text=st.text(max_size=40))
@example(text="Café-Talk")
@example(text="東京 2024")
@example(text="\u0301\u0302")
@example(text="'><script>alert(1)</script>")
def test_slugs_are_lowercase_ascii_words_and_idempotent(text):
    slug = slugify(text)
    if text.strip():
        assert SLUG.match(slug), (text, slug)
    else:
        assert slug == ""
    assert slugify(slug) == slug
    assert is_slug(slug) == bool(slug)


# --- url_for --------------------------------------------------------------------------------------

SEGMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                  min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
SLUG_PARAM = st.text(max_size=20).map(slugify).filter(bool)


@st.composite
def routes(draw):
    endpoint = draw(st.sampled_from(sorted(PATTERNS)))
    params = {}
    if "{slug}" in PATTERNS[endpoint]:
        params["slug"] = draw(SLUG_PARAM)
    if "{n}" in PATTERNS[endpoint]:
        params["n"] = draw(st.integers(2, 10_000))
    if "{year" in PATTERNS[endpoint]:
        params.update(year=draw(st.integers(1, 9999)), month=draw(st.integers(1, 12)))
    if "{path}" in PATTERNS[endpoint]:
        params["path"] = "/".join(draw(st.lists(SEGMENT, min_size=1, max_size=4)))
    if "{letter}" in PATTERNS[endpoint]:
        from generator.model.indexes import LABELS
        params["letter"] = draw(st.sampled_from(sorted(LABELS)))
    return endpoint, params


@fuzz
@given(base=st.lists(SLUG_PARAM, max_size=3), route=routes())
@example(base=["talks", "2026"], route=("generated", {"path": "img/a b#?%.webp"}))
def test_url_for_stays_under_the_base_path_and_round_trips_to_its_file(base, route):
    base_path = "/" + "".join(segment + "/" for segment in base)
    urls = Urls(base_path, "https://example.org")
    endpoint, params = route
    url = urls.url_for(endpoint, **params)
    assert url.startswith(base_path)
    assert urls.url_for(endpoint, _external=True, **params) == "https://example.org" + url
    assert re.fullmatch(r"[A-Za-z0-9/_.~%-]*", url), url  # nothing a browser or a shell re-reads
    assert (posixpath.normpath(url) + "/").startswith(base_path)
    assert served_path(url, base_path) == urls.output_file(endpoint, **params)


# --- Markdown -------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert tag not in VOID, f"</{tag}>"
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def well_formed(html: str) -> None:
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert not checker.stack, f"unclosed {checker.stack}"


MARKDOWN_ALPHABET = list("abc XYZ019\n\n\n  -*_`#>[]()!<>&\"';:/=\\|~.^") + [
    "javascript:", "data:", "<script>", "</script>", "<img src=x onerror=alert(1)>", "&#106;", "&colon;",
    "&Tab;", "http://", "[^1]", "```", "!!! note", "| a |", "\t", "onload=", "<!--", "-->", "\u2028",
]
MARKDOWN = st.lists(st.sampled_from(MARKDOWN_ALPHABET), max_size=60).map("".join)
SAFE_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol",
             "li", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "div", "span", "sup", "dl", "dt", "dd",
             "img"}
SAFE_ATTRIBUTES = {"href", "title", "alt", "src", "id", "class", "aria-label", "role", "rev", "rel", "align",
                   "start", "style", "tabindex"}


@fuzz
@given(body=MARKDOWN, policy=st.sampled_from(["escape", "allow"]))
@example(body="[x](&#106;avascript:alert(1)) ![y](java&Tab;script:x)", policy="escape")
@example(body="*" * 300 + "x" + "*" * 300, policy="escape")
def test_markdown_never_raises_and_escape_mode_emits_nothing_executable(body, policy):
    result = render(body, "notes/x.md", 3, LinkContext("/", raw_html=policy))
    for problem in result.problems:
        _one_line(problem)
    if policy == "escape":
        well_formed(result.html)
        assert not unsafe_markup(result.html, "/static/", body)
        from htmltree import parse
        for element in parse(result.html).iter():
            if element.tag != "#document":
                assert element.tag in SAFE_TAGS, (element.tag, body)
                assert set(element.attrs) <= SAFE_ATTRIBUTES, (element.attrs, body)
                assert "style" not in element.attrs or element.tag in ("td", "th"), element.attrs
                for name in ("href", "src"):
                    assert url_problem(element.attrs.get(name) or "") is None, (element.attrs, body)


@fuzz
@given(body=st.lists(st.sampled_from(list("abcdefghij klmnop QRS 0123456789 .,!?()")), max_size=80).map("".join))
def test_markdown_of_prose_is_well_formed_under_both_policies(body):
    for policy in ("allow", "escape"):
        well_formed(render(body, "notes/x.md", 1, LinkContext("/", raw_html=policy)).html)


_SMART = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2026": "..."})


@fuzz
@given(text=st.text(alphabet=st.sampled_from(list("abcXYZ019 &<>\"'.,?")), min_size=1, max_size=60))
@example(text='a <b>bold</b> & "quoted" it\'s <script>alert(1)</script>')
@example(text="x &amp & &lt <")
@example(text="...")
def test_plain_text_is_escaped_exactly_once(text):
    """A paragraph of plain text with &<>" reads back as written: escaped once, never twice,
    never as markup (modulo whitespace and smart quotes)."""
    text = "w " + text  # a letter first: never a list, a heading or a code block
    for policy in ("escape",):
        html = render(text, "notes/x.md", 1, LinkContext("/", raw_html=policy)).html
        well_formed(html)
        assert html_to_text(html).translate(_SMART) == " ".join(text.split())
        assert "&amp;amp;" not in html and "&amp;lt;" not in html
