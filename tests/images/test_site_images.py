"""Images in the built site: complete <img> markup, srcset candidates that exist at their
claimed widths, eager/lazy loading, stale variants removed, bad images failing the build."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from PIL import Image

from conftest import build_site, copy_sample_site
from htmltree import parse_file
from linkcheck import site_files

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_every_img_has_width_height_alt_and_real_srcset_candidates(built_subpath):
    images = 0
    for page in site_files(built_subpath):
        doc = parse_file(page)
        for img in doc.find_all("img"):
            images += 1
            assert img.get("alt"), (page, img.attrs)
            width, height = int(img.get("width")), int(img.get("height"))
            fallback = built_subpath / img.get("src").removeprefix("/talks/2026/")
            with Image.open(fallback) as im:
                assert im.size == (width, height)
        for source in doc.find_all("source"):
            assert source.get("sizes")
            for candidate in source.get("srcset").split(","):
                url, descriptor = candidate.split()
                file = built_subpath / url.removeprefix("/talks/2026/")
                with Image.open(file) as im:
                    assert im.format == "WEBP"
                    assert f"{im.width}w" == descriptor
    assert images >= 2


def test_first_image_is_eager_and_the_rest_lazy(built_root):
    cover_page = parse_file(built_root / "notes" / "serverless-django-zappa" / "index.html")
    cover = cover_page.find("figure", cls="note-cover").find("img")
    assert cover.get("fetchpriority") == "high" and cover.get("loading") is None
    bundle = parse_file(built_root / "notes" / "django-ecosystem-secret-weapons" / "index.html")
    (first,) = bundle.find("div", cls="note-body").find_all("img")
    assert first.get("fetchpriority") == "high"


def _write_broken_images(site):
    bundle = site / "content" / "notes" / "django-ecosystem-secret-weapons"
    (bundle / "notes.jpg").write_text("this is text, not a JPEG")
    good = bundle / "coffee.jpg"
    (bundle / "cut.jpg").write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    index = bundle / "index.md"
    index.write_text(index.read_text() + "\n![Not an image](notes.jpg)\n\n![Cut short](cut.jpg)\n\n"
                     "![Missing](gone.jpg)\n")


def test_bad_images_fail_the_build_listing_all_and_leave_output(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    cli = [sys.executable, "-m", "generator", "build", "--source", str(site)]
    assert subprocess.run(cli, capture_output=True).returncode == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    _write_broken_images(site)
    result = subprocess.run(cli, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    note = "content/notes/django-ecosystem-secret-weapons/index.md"
    lines = [l for l in result.stderr.splitlines() if l.startswith(note)]
    assert any("notes.jpg" in l and "not" in l for l in lines), result.stderr
    assert any("cut.jpg" in l for l in lines), result.stderr
    assert any("gone.jpg" in l and "not found" in l for l in lines), result.stderr
    assert all(l.split(":")[1].isdigit() for l in lines)  # every one names its line
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before


def test_variants_no_longer_used_disappear(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    output = tmp_path / "out"
    build_site(site, output=output)
    assert list((output / "img").glob("coffee-*"))
    index = site / "content" / "notes" / "django-ecosystem-secret-weapons" / "index.md"
    index.write_text("\n".join(l for l in index.read_text().splitlines() if "coffee.jpg" not in l) + "\n")
    build_site(site, output=output)
    assert not list((output / "img").glob("coffee-*"))
    assert list((output / "img").glob("rocket-*"))


def test_missing_alt_text_is_a_warning(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    index = site / "content" / "notes" / "django-ecosystem-secret-weapons" / "index.md"
    index.write_text(index.read_text().replace("![A cup of espresso on a saucer, seen from above on a wooden table]",
                                               "![]"))
    result = build_site(site, output=tmp_path / "out")
    (warning,) = [w for w in result.warnings if "alt text" in w.message]
    assert warning.path.endswith("django-ecosystem-secret-weapons/index.md") and warning.line
    shutil.rmtree(tmp_path / "out")
