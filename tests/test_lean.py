"""Lean start: a build imports Pillow only when the site has images to process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import copy_sample_site

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from generator.build import BuildOptions, build
    build(BuildOptions(source=Path(sys.argv[1]), output=Path(sys.argv[2])))
    print("PIL" in sys.modules)
""")


def imports_pillow(site, output) -> bool:
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(site), str(output)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] == "True"


def test_pillow_is_imported_only_for_sites_with_images(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    assert imports_pillow(site, tmp_path / "with-images")
    (site / "content" / "images" / "rocket.jpg").unlink()
    (site / "content" / "notes" / "django-ecosystem-secret-weapons" / "coffee.jpg").unlink()
    for note in (site / "content" / "notes").rglob("*.md"):
        text = note.read_text()
        note.write_text("\n".join(l for l in text.splitlines() if "coffee.jpg" not in l and "image: rocket.jpg" not in l) + "\n")
    assert not imports_pillow(site, tmp_path / "without-images")
