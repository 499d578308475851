"""build-report.json: page weights checked against the files on disk, carbon, budgets."""

from __future__ import annotations

import json
import re

import pytest

from conftest import build_site, copy_sample_site
from htmltree import parse_file
from linkcheck import site_files

KWH_PER_GB = 0.055 + 0.059 + 0.080 + 0.012 + 0.013 + 0.081   # SWD v4, docs/carbon.md
GRID = 494


@pytest.fixture(scope="module")
def report(built_root):
    return json.loads((built_root / "build-report.json").read_text(encoding="utf-8"))


def _local(output, url):
    rel = url.lstrip("/")
    return output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def _expected(output, page_file):
    """What a first visit fetches, worked out here from the page's markup and the files' sizes."""
    doc = parse_file(output / page_file)
    sizes = {"html": (output / page_file).stat().st_size, "css": 0, "js": 0, "fonts": 0, "images": 0, "other": 0}
    for link in doc.find_all("link"):
        rel = link.get("rel").split()
        if "stylesheet" in rel and link.get("media") != "print":
            sizes["css"] += _local(output, link.get("href")).stat().st_size
        if "icon" in rel:
            sizes["other"] += _local(output, link.get("href")).stat().st_size
    for script in doc.find_all("script"):
        if script.get("src"):
            sizes["js"] += _local(output, script.get("src")).stat().st_size
    for img in doc.find_all("img"):
        if img.get("loading") == "lazy":
            continue
        source = img.parent.find("source") if img.parent.tag == "picture" else None
        srcset = (source or img).get("srcset")
        if srcset:
            candidates = sorted((int(w[:-1]), url) for url, w in (c.split() for c in srcset.split(",")))
            url = next((u for w, u in candidates if w >= 400), candidates[-1][1])
        else:
            url = img.get("src")
        sizes["images"] += _local(output, url).stat().st_size
    return sizes


def test_report_lists_every_page_once(report, built_root):
    pages = {p["file"] for p in report["pages"]}
    html = {f.relative_to(built_root).as_posix() for f in site_files(built_root)}
    assert pages == html
    assert len(report["pages"]) == report["summary"]["pages"] == len(html)


def test_figures_match_the_files_on_disk(report, built_root):
    checked = 0
    for page in report["pages"]:
        assert page["bytes"] == _expected(built_root, page["file"]), page["url"]
        assert page["total"] == sum(page["bytes"].values())
        assert page["before_images"] == page["total"] - page["bytes"]["images"]
        assert sum((built_root / f).stat().st_size for f in page["files"]) == page["total"]
        assert page["third_party"] == []
        checked += 1
    assert checked > 50
    # The sample site has pages with eager images, lazy images and scripts.
    assert any(p["bytes"]["images"] for p in report["pages"])
    assert any(p["bytes"]["js"] for p in report["pages"])


def test_what_a_first_visit_fetches(tmp_path):
    """The counting rules on a small hand-made site: print CSS, imports, fonts, lazy images."""
    from generator.output.pageweight import SiteFiles, page_weight
    files = {
        "index.html": '<link rel="stylesheet" href="/s.css"><link rel="stylesheet" href="/p.css" media="print">'
                      '<link rel="icon" href="/i.svg" type="image/svg+xml"><script type="module" src="/m.js"></script>'
                      '<picture><source type="image/webp" srcset="/a-300w.webp 300w, /a-500w.webp 500w, '
                      '/a-900w.webp 900w" sizes="(min-width: 48rem) 46rem, 100vw"><img src="/a.jpg" alt=""></picture>'
                      '<img src="/lazy.jpg" loading="lazy" alt=""><img srcset="/x1.png 1x, /x2.png 2x" alt="">'
                      '<script src="https://cdn.example.org/t.js"></script>',
        "s.css": '@import url("/t.css"); @font-face { font-family: X; src: url(/f.woff2) format("woff2"), url(/f.ttf); }',
        "t.css": "b{}", "p.css": "i{}" * 50, "i.svg": "<svg/>", "m.js": 'import { x } from "./n.js";\nx();',
        "n.js": "export const x = () => 1;", "f.woff2": "w" * 100, "f.ttf": "t" * 300,
        "a-300w.webp": "3" * 30, "a-500w.webp": "5" * 50, "a-900w.webp": "9" * 90, "a.jpg": "j" * 70,
        "lazy.jpg": "l" * 40, "x1.png": "1" * 11, "x2.png": "2" * 22,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    size = {name: len(text.encode()) for name, text in files.items()}
    page = page_weight(SiteFiles(tmp_path, "https://example.org", "/"), "index.html")
    assert page["bytes"] == {"html": size["index.html"], "css": size["s.css"] + size["t.css"],
                             "js": size["m.js"] + size["n.js"], "fonts": size["f.woff2"],
                             "images": size["a-500w.webp"] + size["x1.png"], "other": size["i.svg"]}
    assert page["lazy_images"] == size["lazy.jpg"]
    assert page["third_party"] == ["https://cdn.example.org/t.js"]


def test_image_choice_at_400px(report, built_root):
    """A cover image with sizes="…100vw" is fetched as the smallest WebP at least 400 px wide."""
    page = next(p for p in report["pages"] if p["url"] == "/notes/serverless-django-zappa/")
    images = [f for f in page["files"] if f.startswith("img/")]
    assert len(images) == 1 and images[0].endswith(".webp")
    width = int(re.search(r"-(\d+)w\.webp$", images[0]).group(1))
    assert width >= 400


def test_carbon_follows_swd_v4(report):
    assert report["model"]["kwh_per_gb"] == pytest.approx(0.3)
    assert report["model"]["grid_intensity_g_per_kwh"] == GRID
    for page in report["pages"]:
        assert page["co2_g"] == pytest.approx(page["total"] / 1e9 * KWH_PER_GB * GRID, abs=1e-5)


def test_report_is_not_linked_and_not_in_the_sitemap(built_root):
    assert "build-report" not in (built_root / "sitemap.xml").read_text(encoding="utf-8")
    for page in site_files(built_root):
        assert "build-report" not in page.read_text(encoding="utf-8"), page


def test_over_budget_reports_heavy_pages(report):
    from generator.output.report import over_budget
    assert over_budget(report) == []  # the sample site is within the default budgets
    problems = over_budget(report, {"note_page_kb": 1, "page_kb": None})
    notes = [p for p in report["pages"] if p["endpoint"] == "note"]
    assert len(problems) == len(notes)
    problem = problems[0]
    assert problem.is_error and problem.field == "budgets" and problem.path.startswith("content/notes/")
    assert "over the 1 kB budget for a note page" in problem.message
    assert "budgets.note_page_kb" in problem.hint
    assert len(over_budget(report, {"note_page_kb": None, "page_kb": 1})) == len(report["pages"]) - len(notes)


def test_budgets_are_configurable_and_typed(tmp_path):
    from generator.config.settings import load_config
    site = copy_sample_site(tmp_path / "site")
    config_file = site / "talknotes.yaml"
    base = config_file.read_text(encoding="utf-8")
    config_file.write_text(base + "budgets:\n  note_page_kb: 1\n", encoding="utf-8")
    config, problems = load_config(site)
    assert problems == [] and config.budgets == {"note_page_kb": 1, "page_kb": 100}
    result = build_site(site, output=tmp_path / "out")
    assert result.report["summary"]["over_budget"] == result.report["summary"]["note_pages"]
    for bad in ("budgets:\n  note_kb: 5\n", "budgets:\n  note_page_kb: lots\n", "budgets: 50\n"):
        config_file.write_text(base + bad, encoding="utf-8")
        _, problems = load_config(site)
        assert [p.field for p in problems] == ["budgets"], bad


def test_build_prints_a_summary(tmp_path, capsys):
    from generator.cli import main
    site = copy_sample_site(tmp_path / "site")
    assert main(["build", "--source", str(site)]) == 0
    out = capsys.readouterr().out
    assert "Page weight, first visit at 400 px: median" in out
    assert "g CO2e per view (SWD v4, 494 g/kWh)" in out


def test_check_fails_on_a_page_over_budget(tmp_path, capsys):
    """``talknotes check`` measures the pages without writing output/ or the cache."""
    from generator.cli import main
    site = copy_sample_site(tmp_path / "site")
    assert main(["check", "--source", str(site)]) == 0
    with (site / "talknotes.yaml").open("a", encoding="utf-8") as config:
        config.write("budgets: {note_page_kb: 31}\n")
    capsys.readouterr()
    assert main(["check", "--source", str(site)]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "budgets:" in line]
    assert lines and all(line.startswith("content/notes/") for line in lines)
    assert "before images, over the 31 kB budget for a note page" in lines[0]
    assert sorted(p.name for p in site.iterdir()) == ["content", "talknotes.yaml", "themes"]
