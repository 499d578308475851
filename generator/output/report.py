"""The build report: page weights (``generator/output/pageweight.py``), carbon, and budgets.

For every HTML page the report gives the bytes a first visit at 400 px fetches by kind (HTML,
CSS, JS, fonts, images, other), and an estimate of grams CO2e per view with the Sustainable Web
Design model, version 4 (constants and sources in docs/carbon.md). Sizes are bytes as written;
a CDN's compression makes the real transfer smaller, so figures are an upper bound. Nothing
here reads the clock: two builds give the same report.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config.settings import BUDGET_DEFAULTS
from ..model.errors import Problem
from .pagemarkup import CATEGORIES, DEVICE_PIXEL_RATIO, VIEWPORT_WIDTH
from .pageweight import SiteFiles, page_weight

REPORT_FILE = "build-report.json"

# Sustainable Web Design model v4 (sustainablewebdesign.org/estimating-digital-emissions,
# as implemented in CO2.js, src/constants/index.js, SWDV4): kWh per GB transferred.
SWD_V4_KWH_PER_GB = {
    "operational": {"data_centre": 0.055, "network": 0.059, "user_device": 0.080},
    "embodied": {"data_centre": 0.012, "network": 0.013, "user_device": 0.081},
}
KWH_PER_GB = round(sum(v for part in SWD_V4_KWH_PER_GB.values() for v in part.values()), 6)  # 0.3
GRID_INTENSITY_G_PER_KWH = 494  # global average, Ember 2023, the model's default
BYTES_PER_GB = 1_000_000_000
BYTES_PER_KB = 1000


def co2_grams(size: int, grid: float = GRID_INTENSITY_G_PER_KWH) -> float:
    """Grams CO2e for transferring ``size`` bytes once (SWD v4, no green hosting, first view)."""
    return size / BYTES_PER_GB * KWH_PER_GB * grid


# --- the whole site -------------------------------------------------------------------------------

def build_report(output: Path, routes, urls, budgets: dict | None = None, memo=None, locate=None,
                 files=None) -> dict:
    """The report for every route's page in ``output`` (a staging or published folder).

    ``memo(rel, compute)`` may return a remembered weight for a page whose HTML is unchanged
    (every file a page pulls in has a content-hashed name, so same HTML, same weight).
    ``locate(rel)`` is where a file is, when not all are in ``output``, and ``files`` the site's
    files, when known (see :class:`SiteFiles`).
    """
    site = SiteFiles(output, urls.origin, urls.base_path, locate, files)
    pages = []
    for route in routes:
        entry = page_entry(site, route, urls.output_file(route.endpoint, **route.params), memo)
        if entry is not None:
            pages.append(entry)
    return report_of(pages, budgets)


def page_entry(site: SiteFiles, route, rel: str, memo=None) -> dict | None:
    """One page's line of the report; None if the route wrote no HTML page."""
    if not rel.endswith(".html") or not site.exists(rel):
        return None
    weight = memo(rel, lambda: page_weight(site, rel)) if memo else page_weight(site, rel)
    entry = {"endpoint": route.endpoint, **weight}
    entry["co2_g"] = round(co2_grams(entry["total"]), 5)
    record = route.context.get("note") or route.context.get("page")
    if record is not None:
        entry["source"] = record.path
    return entry


def report_of(pages: list[dict], budgets: dict | None = None) -> dict:
    """The whole report from its page lines: the model, the budgets and the summary."""
    notes = [p for p in pages if p["endpoint"] == "note"]
    median_bytes = _median(p["total"] for p in pages)
    note_median_bytes = _median(p["total"] for p in notes)
    return {
        "generator": "talknotes",
        "viewport": {"width": VIEWPORT_WIDTH, "device_pixel_ratio": DEVICE_PIXEL_RATIO},
        "model": {
            "name": "Sustainable Web Design model v4",
            "kwh_per_gb": KWH_PER_GB,
            "kwh_per_gb_segments": SWD_V4_KWH_PER_GB,
            "grid_intensity_g_per_kwh": GRID_INTENSITY_G_PER_KWH,
            "bytes_per_gb": BYTES_PER_GB,
            "see": "docs/carbon.md",
        },
        "budgets": dict(BUDGET_DEFAULTS, **(budgets or {})),
        "summary": {
            "pages": len(pages),
            "median_bytes": median_bytes,
            "median_co2_g": round(co2_grams(median_bytes), 5),
            "note_pages": len(notes),
            "note_median_bytes": note_median_bytes,
            "note_median_before_images": _median(p["before_images"] for p in notes),
            "note_median_co2_g": round(co2_grams(note_median_bytes), 5),
            "heaviest": max(pages, key=lambda p: (p["total"], p["url"]))["url"] if pages else None,
            "heaviest_bytes": max((p["total"] for p in pages), default=0),
            "over_budget": len(over_budget({"pages": pages, "budgets": dict(BUDGET_DEFAULTS, **(budgets or {}))})),
        },
        "pages": pages,
    }


def _median(values) -> int:
    """``int(statistics.median(values))``, 0 for none, without importing ``statistics`` (and
    ``fractions`` and ``decimal`` with it: 3 ms of a build where one note changed)."""
    values = sorted(values)
    if not values:
        return 0
    middle = len(values) // 2
    return int(values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2)


def over_budget(report: dict, budgets: dict | None = None) -> list[Problem]:
    """A problem for every page heavier than its budget before images (``talknotes check`` fails)."""
    limits = {**BUDGET_DEFAULTS, **(report.get("budgets") or {}), **(budgets or {})}
    problems = []
    for page in report.get("pages", []):
        key = "note_page_kb" if page["endpoint"] == "note" else "page_kb"
        limit = limits.get(key)
        if not limit or page["before_images"] <= limit * BYTES_PER_KB:
            continue
        parts = ", ".join(f"{name.upper() if name in ('html', 'css', 'js') else name} {_kb(page['bytes'][name])}"
                          for name in CATEGORIES if name != "images" and page["bytes"][name])
        problems.append(Problem(
            page.get("source") or "output/" + page["file"], None, "budgets",
            f"{page['url']} weighs {_kb(page['before_images'])} before images, over the {limit} kB "
            f"budget for {'a note page' if key == 'note_page_kb' else 'a page'} ({parts})",
            f"make the page lighter, or raise budgets.{key} in talknotes.yaml"))
    return problems


def _kb(size: int) -> str:
    return f"{size / BYTES_PER_KB:.1f} kB"


def summary_lines(report: dict) -> list[str]:
    """What ``talknotes build`` prints about page weight and carbon."""
    s = report["summary"]
    if not s["pages"]:
        return []
    lines = [f"Page weight, first visit at {VIEWPORT_WIDTH} px: median {_kb(s['median_bytes'])} "
             f"over {s['pages']} pages, heaviest {_kb(s['heaviest_bytes'])} ({s['heaviest']})"]
    if s["note_pages"]:
        lines.append(f"Note pages: median {_kb(s['note_median_bytes'])} "
                     f"({_kb(s['note_median_before_images'])} before images), "
                     f"about {s['note_median_co2_g']:.4f} g CO2e per view (SWD v4, "
                     f"{GRID_INTENSITY_G_PER_KWH} g/kWh)")
    if s["over_budget"]:
        lines.append(f"{s['over_budget']} page(s) over budget: see {REPORT_FILE} or run talknotes check")
    return lines


class PageWeights:
    """Page weights remembered by page and HTML digest (every file a page pulls in has a
    content-hashed name, so same HTML, same weight), across builds through the cache.

    Page workers :meth:`measure` the pages they write, while the pool runs; the parent
    adds what they send back (:meth:`add`), and the report then only looks them up (:meth:`memo`).
    The files a page pulls in (static files, images, attachments) are written before the pages.
    ``digest_of(rel)`` is the digest of this build's file (None if unknown), ``locate(rel)``
    where it is (both :class:`~generator.output.writer.Writer` methods for a build).
    """

    def __init__(self, cache, digest_of, locate, urls, base_url: str):
        self.cache, self.digest_of, self.locate = cache, digest_of, locate
        self.urls, self.base_url = urls, base_url
        self._site: SiteFiles | None = None
        cache.prefetch("weight")

    def _key(self, rel: str, digest: str) -> str:
        return f"{self.base_url}|{rel}|{digest}"

    def measure(self, rel: str, digest: str | None) -> dict | None:
        """In a page worker: the weight of a page it just wrote, unless remembered."""
        if not rel.endswith(".html") or digest is None or self.cache.has("weight", self._key(rel, digest)):
            return None
        if self._site is None:  # one per process: it remembers the stylesheets and scripts it read
            self._site = SiteFiles(None, self.urls.origin, self.urls.base_path, self.locate)
        return page_weight(self._site, rel)

    def add(self, rel: str, digest: str, weight: dict) -> None:
        """In the parent: remember a weight a worker measured."""
        self.cache.remember("weight", self._key(rel, digest), weight)

    def memo(self, rel: str, compute):
        """For :func:`build_report`: the remembered weight of a page, else ``compute()``."""
        digest = self.digest_of(rel)
        return compute() if digest is None else self.cache.memo("weight", self._key(rel, digest), compute)


def write_report(writer, staging: Path, routes, urls, budgets: dict | None = None, memo=None) -> dict:
    """Measure the staged site and write ``build-report.json`` beside it (not linked anywhere)."""
    report = build_report(staging, routes, urls, budgets, memo, lambda rel: str(writer.path(rel)), writer.manifest)
    writer.write(REPORT_FILE, report_text(report), owner="build report")
    return report


def report_text(report: dict) -> str:
    """``build-report.json``'s text: the settings and summary indented, then one line per page.

    With ``indent`` the standard library's encoder runs in pure Python (35 ms for a thousand
    pages, more than measuring them when little changed); without it, its C encoder writes
    each page, so the file stays readable line by line at the speed of ``json.dumps``."""
    pages = report.get("pages") if isinstance(report, dict) else None
    if not isinstance(pages, list):
        return json.dumps(report, indent=1, ensure_ascii=False) + "\n"
    head = json.dumps({k: v for k, v in report.items() if k != "pages"}, indent=1, ensure_ascii=False)
    listed = ",\n  ".join(json.dumps(page, ensure_ascii=False) for page in pages)
    tail = f'"pages": [\n  {listed}\n ]' if pages else '"pages": []'
    return (head[:-2] + ",\n " if head != "{}" else "{\n ") + tail + "\n}\n"
