"""URLs as the web has them: valid http(s) addresses with apostrophes, commas, parentheses, ``%20``,
queries, fragments, ports, IP and internationalised hosts are accepted in front matter, event files
and Markdown links, and come out of every built file escaped and reading back exactly as written;
other schemes, missing hosts, bad ports and spaces are refused with the file, line and field.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.markdown.render import LinkContext, render
from generator.config.schema import Invalid, url as schema_url
from generator.config.weburl import HINT, NotWebUrl, web_url
from hostile import cli, json_ld_blocks
from htmltree import parse

ATOM = "{http://www.w3.org/2005/Atom}"

ACCEPTED = {
    "apostrophe": "http://dl.example.org/pycon-fr-15/017%20-%20Pierre%20-%2010%20ans%20d'astuce,%20x.ogv",
    "parentheses": "https://example.org/talks/(2015)/slides_(final).pdf",
    "query": "https://example.org/search?q=django&lang=fr",
    "fragment": "https://example.org/talk#part-2",
    "port": "HTTPS://Example.org:8443/talk",
    "ipv4": "http://192.0.2.10/talk.pdf",
    "ipv6": "http://[2001:db8::1]:8080/talk",
    "idn": "https://bücher.example/vortrag",
    "everything": "https://example.org/it's,(all)?a=1&b='2'#c;d",
}

GENERIC = "not an http(s) URL: {!r}"
REFUSED = {  # value -> the message's text after "not an http(s) URL: '...'" ("" for the plain one)
    "javascript:alert(1)": "",
    "data:text/html,<b>x</b>": "",
    "vbscript:msgbox(1)": "",
    "file:///etc/passwd": "",
    "ftp://example.org/talk": "",
    "example.org/talk": "",
    "//example.org/x": "",
    "http:///path": ": it has no host name",
    "http://": ": it has no host name",
    "https://:80/": ": it has no host name",
    "https://example.org:99999/": ": its port is not a number from 0 to 65535",
    "https://example.org:8o/": ": its port is not a number from 0 to 65535",
    "http://example.org/my talk.ogv": ": it contains a space",
    "http://user:secret@example.org/": ": it contains a user name or password",
    "http://a..example/": ": its host 'a..example' is not a valid domain name",
    "http://192.0.2.300/": ": its host '192.0.2.300' is not a valid IPv4 address",
    "http://[2001:db8::1]x/": ": its host in [ ] is not an IPv6 address",
}


def _expected(value: str, reason: str) -> str:
    return GENERIC.format(value) + reason


# --- the function ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_web_addresses_are_accepted(value):
    assert web_url(value).hostname
    assert schema_url(value) == value


@pytest.mark.parametrize("value,reason", REFUSED.items())
def test_other_values_are_refused_with_a_clear_reason(value, reason):
    with pytest.raises(NotWebUrl) as caught:
        web_url(value)
    assert caught.value.message(value) == _expected(value, reason)
    with pytest.raises(Invalid) as invalid:
        schema_url(value)
    assert invalid.value.message == _expected(value, reason)
    if not reason or "no host" in reason:
        assert invalid.value.hint == HINT


def test_hints_say_how_to_write_it():
    hints = {}
    for value in ("http://example.org/my talk", "https://example.org:99999/", 'https://example.org/"x"'):
        with pytest.raises(NotWebUrl) as caught:
            web_url(value)
        hints[value] = caught.value.hint
    assert "%20" in hints["http://example.org/my talk"]
    assert "port" in hints["https://example.org:99999/"]
    assert "%22" in hints['https://example.org/"x"']


def test_host_tricks_are_refused():
    # A browser reads "\" as "/" (host evil.example); urlsplit would say good.example.
    for value in ("http://evil.example\\@good.example/", "https://good.example@evil.example/",
                  "http://exa\u200bmple.org/", "http://example.org\t/", "http://[::1/"):
        with pytest.raises(NotWebUrl):
            web_url(value)


# --- a real build ------------------------------------------------------------------------------

def _site(root: Path, notes: dict[str, str], events: dict[str, str]) -> Path:
    """A tiny site: ``notes`` maps a file name to its whole text, ``events`` likewise."""
    (root / "content" / "notes").mkdir(parents=True)
    (root / "content" / "events").mkdir()
    (root / "talknotes.yaml").write_text("title: URL test\nbase_url: https://example.org/talks/\n"
                                         "author: Tester\n", encoding="utf-8")
    for name, text in notes.items():
        (root / "content" / "notes" / name).write_text(text, encoding="utf-8")
    for name, text in events.items():
        (root / "content" / "events" / name).write_text(text, encoding="utf-8")
    return root


def _note(title: str, date: str, front: dict, body: str = "Body.\n") -> str:
    """A note: title on line 2, date on 3, then ``front`` one field a line (slides on 4, video on 5)."""
    lines = [f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in front.items()]  # JSON is YAML
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


MARKDOWN_BODY = """\
Archive: [the recording](http://dl.example.org/d'astuce,%20x.ogv?a=1&b=2).

Wikipedia style: [Python](https://en.wikipedia.org/wiki/Python_(programming_language)).

Autolink: <https://example.org/it's>.

Reference: [ref][r].

[r]: https://example.org/ref?x='y'&z=(1)
"""
MARKDOWN_HREFS = ["http://dl.example.org/d'astuce,%20x.ogv?a=1&b=2",
                  "https://en.wikipedia.org/wiki/Python_(programming_language)",
                  "https://example.org/it's", "https://example.org/ref?x='y'&z=(1)"]
YOUTUBE = "https://www.youtube.com/watch?v=EXAMPLEID01&t=1m5s&list=PL'x&feature=share"


@pytest.fixture(scope="module")
def accepted_site(tmp_path_factory) -> Path:
    """Every accepted URL as a note's slides and video, two as event URLs; built once."""
    notes = {f"2024-01-{i + 1:02d}-{name}.md": _note(f"Note {name}", f"2024-01-{i + 1:02d}", {
        "event": "apostrophe-event" if i % 2 else "query-event", "slides": value, "video": value})
        for i, (name, value) in enumerate(ACCEPTED.items())}
    notes["2024-02-01-markdown.md"] = _note("Markdown links", "2024-02-01", {}, MARKDOWN_BODY)
    notes["2024-02-02-embed.md"] = _note("Embeds", "2024-02-02", {"video": YOUTUBE, "slides": ACCEPTED["apostrophe"]})
    events = {"apostrophe-event.yaml": f"name: Apostrophe\nstart: 2024-01-01\nurl: {json.dumps(ACCEPTED['apostrophe'])}\n",
              "query-event.yaml": f"name: Query\nstart: 2024-01-01\nurl: {json.dumps(ACCEPTED['everything'])}\n"}
    root = _site(tmp_path_factory.mktemp("urls") / "site", notes, events)
    result = cli("build", "--source", str(root))
    assert result.code == 0, result.err
    return root


def _page(root: Path, path: str) -> str:
    return (root / "output" / path / "index.html").read_text(encoding="utf-8")


def _talk_links(html: str) -> dict[str, str]:
    links = parse(html).find("ul", cls="talk-links")
    return {a.text: a.get("href") for a in links.find_all("a")}


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_front_matter_urls_read_back_exactly_from_the_note_page(accepted_site, name):
    html = _page(accepted_site, f"notes/{name}")
    assert _talk_links(html) == {"Slides": ACCEPTED[name], "Video": ACCEPTED[name]}


def test_apostrophes_and_ampersands_are_escaped_inside_quoted_attributes(accepted_site):
    html = _page(accepted_site, "notes/everything")
    written = ACCEPTED["everything"].replace("&", "&amp;").replace("'", "&#39;")
    assert f'<a href="{written}" rel="noopener">Slides</a>' in html
    assert ACCEPTED["everything"] not in html  # never raw, in an attribute or elsewhere


@pytest.mark.parametrize("slug,name", [("apostrophe-event", "apostrophe"), ("query-event", "everything")])
def test_event_url_reads_back_from_the_event_page_and_its_json_ld(accepted_site, slug, name):
    html = _page(accepted_site, f"events/{slug}")
    link = next(a for a in parse(html).find_all("a") if a.text == "Event website")
    assert link.get("href") == ACCEPTED[name]
    [block] = json_ld_blocks(html)
    assert "&" not in block and "<" not in block  # script_safe_json's escapes
    assert json.loads(block)["url"] == ACCEPTED[name]


def test_event_url_in_a_notes_json_ld(accepted_site):
    [block] = json_ld_blocks(_page(accepted_site, "notes/query"))  # the first note: query-event
    assert json.loads(block)["about"]["url"] == ACCEPTED["everything"]


def test_markdown_links_render_and_read_back(accepted_site):
    hrefs = [a.get("href") for a in parse(_page(accepted_site, "notes/markdown")).find("main").find_all("a")]
    assert all(href in hrefs for href in MARKDOWN_HREFS), hrefs


def test_markdown_links_read_back_from_the_atom_feed(accepted_site):
    feed = ET.parse(accepted_site / "output" / "feed.xml")
    entry = next(e for e in feed.getroot().iter(ATOM + "entry") if e.findtext(ATOM + "title") == "Markdown links")
    hrefs = [a.get("href") for a in parse(entry.findtext(ATOM + "content")).find_all("a")]
    assert hrefs == MARKDOWN_HREFS


def test_video_embed_keeps_the_query_and_a_plain_link_keeps_the_apostrophe(accepted_site):
    page = parse(_page(accepted_site, "notes/embed"))
    [figure] = [e for e in page.iter() if e.get("data-embed-src") is not None]
    assert figure.get("data-embed-src") == "https://www.youtube-nocookie.com/embed/EXAMPLEID01?autoplay=1&start=65"
    assert figure.find("a", cls="embed-link").get("href") == YOUTUBE
    assert _talk_links(_page(accepted_site, "notes/embed"))["Slides"] == ACCEPTED["apostrophe"]


def test_check_accepts_them_too(accepted_site):
    result = cli("check", "--source", str(accepted_site))
    assert "not an http(s) URL" not in result.err + result.out, result.err


# --- refused, with file, line and field ----------------------------------------------------------

MARKDOWN_REFUSED = ["http:///path", "http://", "https://:80/", "https://example.org:99999/",
                    "http://user:secret@example.org/"]


@pytest.fixture(scope="module")
def refused_run(tmp_path_factory):
    """One build with every refused value as slides and video, as an event URL, and the
    http(s) ones as Markdown links: it fails, reporting every one."""
    notes = {f"2024-01-{i + 1:02d}-bad-{i}.md": _note(f"Bad {i}", f"2024-01-{i + 1:02d}", {"slides": value, "video": value})
             for i, value in enumerate(REFUSED)}
    body = "".join(f"Link {i}: [x]({value}).\n\n" for i, value in enumerate(MARKDOWN_REFUSED))
    body += "Autolink: <http://:8080/>.\n"
    notes["2024-02-01-links.md"] = _note("Links", "2024-02-01", {}, body)
    events = {f"bad-{i}.yaml": f"name: Bad {i}\nstart: 2024-01-01\nurl: {json.dumps(value)}\n"
              for i, value in enumerate(REFUSED)}
    root = _site(tmp_path_factory.mktemp("refused") / "site", notes, events)
    result = cli("build", "--source", str(root))
    return root, result


def test_refused_build_fails_and_publishes_nothing(refused_run):
    root, result = refused_run
    assert result.code == 1 and "Traceback" not in result.err
    assert not (root / "output").exists()


@pytest.mark.parametrize("i,value", list(enumerate(REFUSED)))
def test_refused_front_matter_and_event_urls_name_file_line_and_field(refused_run, i, value):
    _, result = refused_run
    lines = result.err.splitlines()
    message = _expected(value, REFUSED[value])
    for where in (f"content/notes/2024-01-{i + 1:02d}-bad-{i}.md:4: slides: ",
                  f"content/notes/2024-01-{i + 1:02d}-bad-{i}.md:5: video: ",
                  f"content/events/bad-{i}.yaml:3: url: "):
        assert any(line.startswith(where + message + " (") for line in lines), (where + message, result.err)


@pytest.mark.parametrize("i,value", list(enumerate(MARKDOWN_REFUSED)))
def test_refused_markdown_links_name_note_and_line(refused_run, i, value):
    _, result = refused_run
    # The body starts on line 6 of the note; each link takes two lines.
    expected = f"content/notes/2024-02-01-links.md:{6 + 2 * i}: {_expected(value, '')}"
    assert any(line.startswith(expected) for line in result.err.splitlines()), (expected, result.err)


def test_refused_markdown_autolink(refused_run):
    _, result = refused_run
    line = 6 + 2 * len(MARKDOWN_REFUSED)
    assert f"content/notes/2024-02-01-links.md:{line}: not an http(s) URL: 'http://:8080/': it has no host name" \
        in result.err


# --- Markdown, rendered alone ------------------------------------------------------------------

@pytest.mark.parametrize("source,href", [
    ("[x](http://a.example/b_(c))", "http://a.example/b_(c)"),
    ("[x](http://a.example/a(b)c(d))", "http://a.example/a(b)c(d)"),
    ("<http://a.example/it's>", "http://a.example/it's"),
    ("[x](http://a.example/d'astuce,%20x.ogv)", "http://a.example/d'astuce,%20x.ogv"),
    ("[x](<http://a.example/my talk.pdf>)", "http://a.example/my talk.pdf"),  # Markdown's way to write a space
    ("[x](http://a.example/?a=1&b=2#c)", "http://a.example/?a=1&b=2#c"),
    ("[x](http://a.example/?a=1&amp;b=2)", "http://a.example/?a=1&b=2"),
    ("[x](HTTPS://[2001:db8::1]:8443/x)", "HTTPS://[2001:db8::1]:8443/x"),
    ("[x](https://bücher.example/)", "https://bücher.example/"),
    ("[x][r]\n\n[r]: http://a.example/it's", "http://a.example/it's"),
])
def test_markdown_link_forms_are_accepted(source, href):
    result = render(source, "notes/x.md", 1, LinkContext("/"))
    assert not result.problems, result.problems
    assert [a.get("href") for a in parse(result.html).find_all("a")] == [href]


@pytest.mark.parametrize("value,reason", [(v, REFUSED[v]) for v in MARKDOWN_REFUSED[:-1]]
                         + [("http://user:secret@example.org/", ": it contains a user name or password")])
@pytest.mark.parametrize("form", ["[x]({})", "<{}>", "[x][r]\n\n[r]: {}"])
def test_markdown_links_that_are_not_web_addresses_are_reported(value, reason, form):
    source = "Intro.\n\n" + form.format(value)
    result = render(source, "notes/x.md", 10, LinkContext("/"))
    if not parse(result.html).find_all("a"):
        pytest.skip(f"Python-Markdown makes no link of {form.format(value)!r}")
    [problem] = result.problems
    assert (problem.path, problem.line) == ("content/notes/x.md", 10 + form.format(value).count("\n") + 2)
    assert problem.message == _expected(value, reason) and problem.hint


def test_other_schemes_in_markdown_keep_their_rules():
    result = render("[a](javascript:alert(1)) [b](mailto:a@example.org) [c](ftp://example.org/)",
                    "notes/x.md", 1, LinkContext("/"))
    assert [p.message for p in result.problems] == ["unsafe link 'javascript:alert(1)'"]
