"""WCAG 2 A/AA checks with axe-core in real Chromium, in light and dark schemes and on a phone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser_util import SKIP_REASON, chromium_available, launch_chromium, serve_dir

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "notes/import-time-django-shell/", "notes/django-ecosystem-secret-weapons/", "tags/", "tags/django/",
         "archive/", "archive/2019/04/", "events/", "events/europython-2011/", "speakers/", "about/", "search/",
         "404.html"]

pytestmark = pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON)


@pytest.mark.parametrize("scheme, width", [("light", 1280), ("dark", 1280), ("light", 375)])
def test_pages_have_no_wcag_aa_violations(built_subpath, scheme, width):
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm install axe-core` (.ci/run does)")
    with serve_dir(built_subpath, base="/talks/2026/") as base_url, launch_chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        found = {}
        for path in PAGES:
            page.goto(base_url + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("""async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
                return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
            }""")
            if result:
                found[path] = result
        assert found == {}, json.dumps(found, indent=1)
