"""Search on the built sample site under /talks/2026/, in real Chromium with a strict CSP:
type a query from the header box, see the expected note first, follow it to a real page."""

from __future__ import annotations

import pytest

from browser_util import STRICT_CSP, SKIP_REASON, chromium_available, launch_chromium, serve_dir, watch_page

pytestmark = pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON)


def test_header_search_finds_the_note_and_the_link_works(built_subpath):
    from playwright.sync_api import expect

    with serve_dir(built_subpath, base="/talks/2026/", headers=STRICT_CSP) as base_url, launch_chromium() as browser:
        page = browser.new_page()
        problems = watch_page(page)
        page.goto(base_url + "notes/import-time-django-shell/")
        page.fill("#site-search-q", "zappa 403")
        with page.expect_navigation():
            page.press("#site-search-q", "Enter")
        assert page.url.startswith(base_url + "search/?q=zappa")
        first = page.locator(".search-result-title a").first
        expect(first).to_have_text("Zappa, API Gateway stages and the mysterious 403")
        page.fill("#search-q", "")
        page.locator("#search-q").press_sequentially("struct", delay=30)  # a prefix, as typed
        expect(first).to_have_text("Structured logging with structlog")
        with page.expect_navigation() as navigation:
            first.click()
        assert navigation.value.status == 200
        assert page.url == base_url + "notes/structured-logging-structlog/"
        expect(page.locator("h1")).to_have_text("Structured logging with structlog")
        assert problems == []
