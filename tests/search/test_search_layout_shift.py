"""The search page holds still while it comes to life: Cumulative Layout Shift on /search/.

Real headless Chromium on the built sample site (under /talks/2026/, strict CSP), with a phone's
viewport and Lighthouse-like CPU and network throttling.  The test server holds every search
index file back for a moment, so the filters, the result count and the results really do
arrive late, well after the first paint, as they do on a slow phone: whatever they push about
shows up as layout-shift entries.  Lighthouse fails CLS at 0.1; the whole visit (load, type a
query, load a ?q= address) must stay below that.
"""

from __future__ import annotations

import time
import contextlib

import pytest

try:
    from browser_util import (STRICT_CSP, SKIP_REASON, _Handler, chromium_available, launch_chromium, serve_dir,
                              watch_page)
except ImportError:  # tests/ imported as a package
    from tests.browser_util import (STRICT_CSP, SKIP_REASON, _Handler, chromium_available, launch_chromium, serve_dir,
                                    watch_page)

pytestmark = pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON)

BASE = "/talks/2026/"
INDEX_DELAY = 0.6  # seconds each search index file (manifest, shards, docs, facets) is held back
CLS_BUDGET = 0.1   # Lighthouse's "good" threshold

# Lighthouse's mobile preset: a mid-range phone, 4x slower CPU, slow 4G.
PHONE = dict(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True, has_touch=True)
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1638.4 * 1024 / 8,
           "uploadThroughput": 675 * 1024 / 8}

# Every layout shift of the page, from the very start, with what moved (for the failure message),
# and the time the filters were revealed.  Runs as an init script: no inline script in the page.
RECORDER = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__shifts.push({
    value: e.value, recent: e.hadRecentInput, at: e.startTime,
    moved: (e.sources || []).map((s) => s.node ? `${s.node.nodeName.toLowerCase()}.${s.node.className || ''}`
      + ` y ${Math.round(s.previousRect.y)}->${Math.round(s.currentRect.y)}` : '(removed node)'),
  });
}).observe({type: 'layout-shift', buffered: true});
document.addEventListener('DOMContentLoaded', () => {
  const filters = document.querySelector('[data-search-filters]');
  if (!filters) return;
  new MutationObserver(() => {
    if (!filters.hidden && window.__filtersShownAt === undefined) window.__filtersShownAt = performance.now();
  }).observe(filters, {attributes: true, attributeFilter: ['hidden']});
});
"""


class _SlowIndexHandler(_Handler):
    """Like browser_util's server, but the search index's JSON files come late."""

    def do_GET(self) -> None:
        if "/search/" in self.path and self.path.split("?", 1)[0].endswith(".json"):
            time.sleep(INDEX_DELAY)
        try:
            super().do_GET()
        except (BrokenPipeError, ConnectionResetError):  # the page was closed meanwhile
            pass


@pytest.fixture(scope="module")
def base_url(built_subpath):
    with serve_dir(built_subpath, BASE, STRICT_CSP, handler_class=_SlowIndexHandler) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@contextlib.contextmanager
def phone_page(browser):
    """A fresh phone context (empty cache) with throttling and the shift recorder."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        problems = watch_page(page)
        page.add_init_script(RECORDER)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        yield page
        assert problems == []
    finally:
        context.close()


def settle(page) -> None:
    """Let the page paint what it just changed: layout shifts are reported per rendered frame."""
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100))))")
    page.wait_for_timeout(300)


def shifts(page, since: float = 0.0) -> list[dict]:
    return [s for s in page.evaluate("window.__shifts") if s["at"] >= since]


def score(entries: list[dict], *, user_input: bool) -> float:
    """Summed layout shift.  Without real input every shift counts (Chromium flags some early
    ones hadRecentInput anyway; Lighthouse counts them when nothing was typed or clicked)."""
    return sum(s["value"] for s in entries if not (user_input and s["recent"]))


def test_search_page_holds_still_while_filters_and_results_arrive(browser, base_url):
    from playwright.sync_api import expect

    scores: dict[str, float] = {}
    seen: dict[str, list[dict]] = {}

    with phone_page(browser) as page:
        # 1. Load: search.js starts, the index arrives, the filters appear.
        page.goto(base_url + "search/")
        expect(page.locator("[data-search-filters]")).to_be_visible(timeout=30_000)
        settle(page)
        fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0")
        shown = page.evaluate("window.__filtersShownAt ?? 0")
        # The case under test: the filters come well after the page was first painted.
        assert fcp > 0 and shown - fcp > INDEX_DELAY * 1000 / 2, (fcp, shown)
        seen["load"] = shifts(page)
        scores["load"] = score(seen["load"], user_input=False)

        # 2. Type a query: the count and the results arrive after the debounce and the index
        # fetches, later than the 500 ms in which Chromium excuses shifts after a keystroke.
        start = page.evaluate("performance.now()")
        page.locator("#search-q").press_sequentially("django", delay=40)
        expect(page.locator("#search-status")).to_have_text("20 notes found.", timeout=30_000)
        expect(page.locator(".search-result").first).to_be_visible()
        settle(page)
        seen["typing"] = shifts(page, since=start)
        scores["typing"] = score(seen["typing"], user_input=True)

    with phone_page(browser) as page:
        # 3. An address with ?q=: the results render on load, with no input at all.
        page.goto(base_url + "search/?q=django")
        expect(page.locator("#search-status")).to_have_text("20 notes found.", timeout=30_000)
        expect(page.locator(".search-result")).to_have_count(10)
        settle(page)
        seen["?q=django"] = shifts(page)
        scores["?q=django"] = score(seen["?q=django"], user_input=False)

    total = sum(scores.values())
    detail = "\n".join(f"  {name}: {scores[name]:.4f} " + "; ".join(
        f"{s['value']:.4f} at {s['at']:.0f} ms ({', '.join(s['moved'])})" for s in entries)
        for name, entries in seen.items())
    assert total < CLS_BUDGET, f"layout shift {total:.4f} on /search/ (budget {CLS_BUDGET}):\n{detail}"


def test_reserved_space_matches_what_search_js_shows(browser, base_url):
    """The filters' box is the same before and after the index fills them (no JS: not there)."""
    from playwright.sync_api import expect

    with phone_page(browser) as page:
        page.goto(base_url + "search/", wait_until="domcontentloaded")
        filters = page.locator("[data-search-filters]")
        before = filters.bounding_box()
        assert before and before["height"] > 0
        assert not filters.is_visible()  # reserved, yet neither shown nor focusable
        expect(page.locator("[data-search-nojs]")).to_be_hidden()
        expect(filters).to_be_visible(timeout=30_000)
        assert filters.bounding_box() == before
        assert page.locator("#search-event option").count() > 1

    context = browser.new_context(java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + "search/")
        assert page.locator("[data-search-nojs]").is_visible()
        assert page.locator("[data-search-filters]").bounding_box() is None  # no blank gap
    finally:
        context.close()
