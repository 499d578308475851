"""The search page in real headless Chromium, on a small site under /talks/2026/ with a strict CSP."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

try:
    from browser_util import STRICT_CSP, chromium_available, launch_chromium, serve_dir, watch_page, SKIP_REASON
except ImportError:  # tests/ imported as a package
    from tests.browser_util import (STRICT_CSP, chromium_available, launch_chromium, serve_dir, watch_page,
                                    SKIP_REASON)

from generator.search.tokens import SearchDoc
from generator.search.index import build_index

pytestmark = pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON)

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "themes" / "default"
BASE = "/talks/2026/"


def note(slug, title, body, date, *, tags=(), event="", speakers=(), summary=""):
    return SearchDoc(url=f"{BASE}notes/{slug}/", title=title, date=date, event=event, tags=tuple(tags),
                     speakers=tuple(speakers), summary=summary, body=body)


DOCS = [
    note("celery-at-scale", "Celery at scale", "Millions of tasks a day through one broker.", "2023-04-18",
         tags=["celery", "python"], event="PyCon US 2023", speakers=["Ana Müller"],
         summary="How a small team runs Celery workers at scale."),
    note("shipping-django", "Shipping Django faster", "We tried Celery for background jobs, then cron.",
         "2024-05-02", tags=["django"], event="DjangoCon Europe 2024"),
    note("understanding-asyncio", "Understanding asyncio", "Event loops and coroutines explained.",
         "2023-06-01", tags=["asyncio", "python"], event="PyCon US 2023"),
    note("async-patterns", "Async patterns in practice", "Task groups and timeouts with asyncio.",
         "2024-09-10", tags=["asyncio"], event="EuroPython 2024", speakers=["José Valim"]),
    note("cafe-culture", "Café culture in open source", "Maintainers meet over coffee.", "2022-03-03",
         tags=["community"]),
    note("xss", "<img src=x onerror=alert(1)> escaping", "Escaping untrusted text.", "2021-01-01"),
] + [note(f"packaging-{i:02d}", f"Packaging story {i}", "Wheels, sdists and packaging metadata.",
          f"20{15 + i % 10}-01-{i + 1:02d}", tags=["packaging"]) for i in range(14)]

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="{base}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{base}static/css/search.css">
{head}</head><body><main><h1>{title}</h1>{body}</main></body></html>
"""


def page_html(title: str, body: str = "", head: str = "") -> str:
    return LAYOUT.format(title=title, body=body, head=head, base=BASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site's output folder, to be served at /talks/2026/."""
    import jinja2

    root = tmp_path_factory.mktemp("site")
    for path, data in build_index(DOCS).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "static/js").mkdir(parents=True)
    (root / "static/css").mkdir(parents=True)
    shutil.copyfile(THEME / "static/js/search.js", root / "static/js/search.js")
    shutil.copyfile(THEME / "static/css/search.css", root / "static/css/search.css")
    (root / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>')
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(THEME / "templates"), autoescape=True)
    app = env.get_template("partials/search_app.html").render(
        manifest_url=f"{BASE}search/manifest.json", search_url=f"{BASE}search/", tags_url=f"{BASE}tags/",
        archive_url=f"{BASE}archive/", query="")
    (root / "search/index.html").write_text(page_html(
        "Search", app, f'<script type="module" src="{BASE}static/js/search.js"></script>'))
    for d in DOCS:
        out = root / d.url[len(BASE):] / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page_html("Note"))  # title kept plain: the XSS note's is markup
    for name in ("tags", "archive"):
        (root / name).mkdir()
        (root / name / "index.html").write_text(page_html(name.title()))
    return root


@pytest.fixture(scope="module")
def base_url(site):
    with serve_dir(site, BASE, headers=STRICT_CSP) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.problems = watch_page(pg)
    yield pg
    context.close()
    assert pg.problems == []  # no console errors, failed loads or CSP violations


def results(page):
    return page.locator(".search-result-title a")


def test_type_see_first_result_and_follow_it_with_the_keyboard(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "search/")
    expect(page.locator("[data-search-filters]")).to_be_visible()  # manifest loaded
    expect(page.locator("[data-search-nojs]")).to_be_hidden()
    box = page.locator("#search-q")
    box.press_sequentially("celer", delay=40)
    expect(results(page).first).to_have_text("Celery at scale")
    expect(page.locator("#search-status")).to_have_text("2 notes found.")
    expect(results(page)).to_have_count(2)
    expect(page.locator(".search-result").first.locator("mark").first).to_have_text("Celery")
    # The address follows the query once typing pauses: wait for it rather than race it.
    expect(page).to_have_url(re.compile(r"[?&]q=celer(&|$)"))

    box.press("ArrowDown")
    expect(results(page).nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(results(page).nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    assert nav.value.status == 200
    assert page.url == base_url + "notes/celery-at-scale/"


def test_q_parameter_prefills_and_filters_narrow(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "search/?q=asyncio")
    expect(page.locator("#search-q")).to_have_value("asyncio")
    expect(page.locator("#search-status")).to_have_text("2 notes found.")
    page.select_option("#search-year", "2024")
    expect(page.locator("#search-status")).to_have_text("1 note found.")
    expect(results(page)).to_have_text(["Async patterns in practice"])
    expect(page).to_have_url(re.compile(r"(?=.*[?&]year=2024(&|$))(?=.*[?&]q=asyncio(&|$))"))

    # Filters alone browse newest first; options come from the manifest.
    page.fill("#search-q", "")
    page.select_option("#search-year", "")
    page.select_option("#search-event", "PyCon US 2023")
    expect(results(page)).to_have_text(["Understanding asyncio", "Celery at scale"])
    assert page.locator("#search-tag option").count() == 1 + len({t for d in DOCS for t in d.tags})


def test_accents_fold_and_show_more(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "search/?q=cafe")
    expect(results(page)).to_have_text(["Café culture in open source"])
    expect(page.locator(".search-result mark").first).to_have_text("Café")

    page.fill("#search-q", "packaging")
    expect(page.locator("#search-status")).to_have_text("14 notes found.")
    expect(results(page)).to_have_count(10)
    more = page.locator("[data-search-more]")
    more.click()
    expect(results(page)).to_have_count(14)
    expect(results(page).nth(10)).to_be_focused()
    expect(more).to_be_hidden()


def test_index_text_is_never_markup(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "search/?q=escaping")
    expect(results(page).first).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("#search-results img").count() == 0


def test_no_results_are_announced(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "search/?q=zzzz%20")
    expect(page.locator("#search-status")).to_have_text("No notes found.")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"


def test_without_javascript_the_page_offers_browse_links(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "search/")
        assert page.locator("[data-search-nojs]").is_visible()
        assert page.locator("[data-search-filters]").is_hidden()
        for name in ("tags", "archive"):
            link = page.locator(f'.search-browse a[href="{BASE}{name}/"]')
            assert link.is_visible()
            assert page.request.get(base_url + f"{name}/").status == 200
    finally:
        context.close()
