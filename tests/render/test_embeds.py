"""Video and slides links: which become click-to-load facades, and what the facade is made of."""

from __future__ import annotations

import re

import pytest

from embedsite import PLAIN_NOTE, VIDEO_NOTE, VIMEO_NOTE, YOUTUBE_ID, embed_site
from generator.render.embeds import PROVIDERS, embed_for
from htmltree import parse_file

YT = f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?autoplay=1"


@pytest.mark.parametrize("url, src", [
    (f"https://www.youtube.com/watch?v={YOUTUBE_ID}", YT),
    (f"https://youtube.com/watch?feature=share&v={YOUTUBE_ID}", YT),
    (f"http://m.youtube.com/watch?v={YOUTUBE_ID}&list=PL123", YT),
    (f"https://youtu.be/{YOUTUBE_ID}", YT),
    (f"https://youtu.be/{YOUTUBE_ID}?t=90", YT + "&start=90"),
    (f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=1h2m3s", YT + "&start=3723"),
    (f"https://www.youtube.com/embed/{YOUTUBE_ID}?start=42", YT + "&start=42"),
    (f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}", YT),
    (f"https://www.youtube.com/live/{YOUTUBE_ID}", YT),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
    ("https://vimeo.com/76979871/8272103f6e", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=8272103f6e"),
    ("https://vimeo.com/channels/staffpicks/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
    ("https://player.vimeo.com/video/76979871?h=8272103f6e",
     "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=8272103f6e"),
    ("https://speakerdeck.com/player/0123456789abcdef0123456789abcdef",
     "https://speakerdeck.com/player/0123456789abcdef0123456789abcdef"),
    ("https://www.slideshare.net/slideshow/embed_code/key/EXAMPLEkey1",
     "https://www.slideshare.net/slideshow/embed_code/key/EXAMPLEkey1"),
    ("https://www.slideshare.net/slideshow/embed_code/12345678",
     "https://www.slideshare.net/slideshow/embed_code/12345678"),
])
def test_known_players_become_facades(url, src):
    embed = embed_for(url, "video")
    assert embed is not None and embed.src == src and embed.url == url
    assert embed.src.startswith(embed.origin + "/")
    assert embed.origin in {p.origin for p in PROVIDERS.values()}


@pytest.mark.parametrize("url", [
    None, "",
    "https://example.org/talk.mp4",
    "https://speakerdeck.com/jane/import-time-in-django",        # the player ID is not in the URL
    "https://www.slideshare.net/jane/import-time-in-django",     # nor the embed key
    "https://www.youtube.com/watch?v=short",                     # IDs are exactly 11 characters
    "https://www.youtube.com/watch?v=EXAMPLEID01x",
    'https://www.youtube.com/watch?v=EXAMPLEI"><',
    "https://www.youtube.com/watch?v=EXAMPLE%22ID",
    "https://www.youtube.com/playlist?list=PL0123456789",
    "https://www.youtube.com/@somechannel",
    f"https://www.youtube.com.evil.example/watch?v={YOUTUBE_ID}",
    f"https://evil.example/?u=https://youtu.be/{YOUTUBE_ID}",
    f"https://user@www.youtube.com/watch?v={YOUTUBE_ID}",
    f"https://www.youtube.com:8443/watch?v={YOUTUBE_ID}",
    f"javascript:alert(1)//youtu.be/{YOUTUBE_ID}",
    f"ftp://youtu.be/{YOUTUBE_ID}",
    "https://vimeo.com/channels/staffpicks",
    "https://vimeo.com/76979871/not-a-hash",
    "https://vimeo.com/user/76979871/extra/path",
    "https://speakerdeck.com/player/NOT-HEX",
    "https://www.slideshare.net/slideshow/embed_code/key/x'y",
])
def test_other_links_stay_plain_links(url):
    assert embed_for(url, "video") is None


def test_player_urls_carry_only_validated_characters():
    """Whatever an author writes, the iframe URL is made of the provider's origin and an ID."""
    hostile = [f"https://youtu.be/{YOUTUBE_ID}?t=1m5s&x=<script>",
               f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=\"onload=alert(1)",
               "https://vimeo.com/76979871?autoplay=0&x=javascript:alert(1)"]
    for url in hostile:
        embed = embed_for(url, "video")
        assert embed is not None
        assert re.fullmatch(r"https://[a-z.-]+/[A-Za-z0-9_/-]+(\?[a-z]+=[A-Za-z0-9]+(&[a-z]+=[A-Za-z0-9]+)*)?", embed.src)


# --- the rendered facade --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def output(tmp_path_factory):
    return embed_site(tmp_path_factory)


def _page(output, slug):
    return parse_file(output / "notes" / slug / "index.html")


def test_video_facade_markup(output):
    doc = _page(output, VIDEO_NOTE)
    figures = doc.find_all("figure", cls="embed")
    assert len(figures) == 1  # the Speaker Deck talk page is not embeddable
    figure = figures[0]
    assert figure.get("data-embed-src") == YT + "&start=65"
    assert doc.find_all("iframe") == []  # nothing third-party until the reader clicks
    button = figure.find("button")
    assert button.get("type") == "button" and "hidden" in button.attrs
    assert "Play the video" in button.text
    link = figure.find("a", cls="embed-link")
    assert link.get("href") == f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=1m5s"
    assert "YouTube" in link.text
    assert "www.youtube-nocookie.com" in figure.find("figcaption").text
    # Nothing in the page loads from another host: no remote img, poster or stylesheet.
    for element in doc.iter():
        for attr in ("src", "srcset", "poster"):
            assert not (element.get(attr) or "").startswith(("http:", "https:", "//")), element.tag
    assert any(s.get("src", "").endswith(".js") and "embed." in s.get("src") for s in doc.find_all("script"))
    assert any("embed." in (link.get("href") or "") for link in doc.find_all("link", rel="stylesheet"))


def test_vimeo_and_slideshare_facades(output):
    figures = _page(output, VIMEO_NOTE).find_all("figure", cls="embed")
    assert [f.get("data-embed-src") for f in figures] == [
        "https://player.vimeo.com/video/123456789?dnt=1&autoplay=1",
        "https://www.slideshare.net/slideshow/embed_code/key/EXAMPLEkey1"]
    assert [sorted(f.classes) for f in figures] == [["embed", "embed-video"], ["embed", "embed-slides"]]


def test_other_links_render_as_plain_links_without_embed_assets(output):
    doc = _page(output, PLAIN_NOTE)
    assert doc.find_all("figure", cls="embed") == []
    hrefs = [a.get("href") for a in doc.find("ul", cls="talk-links").find_all("a")]
    assert hrefs == ["https://example.org/slides/structlog/", "https://media.example.org/talks/structlog.mp4"]
    assert not any("embed." in (s.get("src") or "") for s in doc.find_all("script"))
    assert not any("embed." in (link.get("href") or "") for link in doc.find_all("link"))


def test_embed_script_allows_only_known_player_origins():
    from conftest import REPO
    script = (REPO / "themes" / "default" / "static" / "js" / "embed.js").read_text(encoding="utf-8")
    origins = set(re.findall(r'"(https://[^"]+)"', script))
    assert origins == {p.origin for p in PROVIDERS.values()}
    assert "innerHTML" not in script and "eval(" not in script


def test_facade_markup_and_css_pass_the_nu_checker(output, tmp_path):
    import shutil

    import nuchecker
    for slug in (VIDEO_NOTE, VIMEO_NOTE, PLAIN_NOTE):
        shutil.copy(output / "notes" / slug / "index.html", tmp_path / f"{slug}.html")
    for css in (output / "static" / "css").glob("embed.*.css"):
        shutil.copy(css, tmp_path / css.name)
    result = nuchecker.check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
