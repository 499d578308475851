"""In headless Chromium: a video facade makes no third-party request until the reader clicks.

The built site is served from loopback with the headers from its own ``_headers`` file, so the
Content-Security-Policy is the one Netlify would send. Requests to the player are aborted (the
machine is offline) but recorded: the test proves they were attempted only after the click.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser_util import SKIP_REASON, chromium_available, launch_chromium, serve_dir, watch_page
from embedsite import VIDEO_NOTE, YOUTUBE_ID, embed_site
from netlifyfiles import headers_for, parse_headers

pytestmark = pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    output = embed_site(tmp_path_factory)
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    page_headers = {name: values[0] for name, values in headers_for(rules, f"/notes/{VIDEO_NOTE}/").items()}
    assert "'unsafe-inline'" not in page_headers["content-security-policy"]
    with serve_dir(output, "/", page_headers) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def _third_party(requests: list[str], site: str) -> list[str]:
    here = urlsplit(site).netloc
    return [r for r in requests if urlsplit(r).scheme in ("http", "https") and urlsplit(r).netloc != here]


def test_no_third_party_request_before_the_click(served, browser):
    page = browser.new_page(viewport={"width": 400, "height": 800})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    attempted: list[str] = []

    def block(route):
        attempted.append(route.request.url)
        route.abort()

    page.route("**/*", lambda route: block(route) if urlsplit(route.request.url).netloc != urlsplit(served).netloc
               else route.continue_())
    problems = watch_page(page)
    page.goto(served + f"notes/{VIDEO_NOTE}/", wait_until="networkidle")

    button = page.locator("figure.embed button.embed-play")
    assert button.is_visible()  # embed.js ran under the strict CSP and revealed the button
    assert page.locator("iframe").count() == 0
    page.wait_for_timeout(300)
    assert _third_party(requests, served) == [] and attempted == []
    assert problems == []  # no CSP violation, no script error, no missing file (favicon included)
    assert len(requests) >= 5  # the page, its CSS, embed.js, favicon, images: all from loopback

    button.click()
    iframe = page.locator("figure.embed iframe")
    iframe.wait_for(state="attached")
    src = iframe.get_attribute("src")
    assert src.startswith(f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?autoplay=1")
    assert iframe.get_attribute("title") == "Video: Serverless Django with Zappa"
    assert "autoplay" in iframe.get_attribute("allow")
    for _ in range(50):
        if attempted:
            break
        page.wait_for_timeout(100)
    assert attempted and all(urlsplit(u).netloc == "www.youtube-nocookie.com" for u in attempted)
    assert {urlsplit(u).netloc for u in _third_party(requests, served)} == {"www.youtube-nocookie.com"}
    page.close()


def test_without_javascript_the_facade_is_a_link(served, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 400, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served + f"notes/{VIDEO_NOTE}/", wait_until="networkidle")
    assert not page.locator("figure.embed button").is_visible()
    link = page.locator("figure.embed a.embed-link")
    assert link.is_visible()
    assert link.get_attribute("href") == f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=1m5s"
    assert _third_party(requests, served) == []
    context.close()
