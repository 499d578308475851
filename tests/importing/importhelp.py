"""Helpers for the import tests: a fresh site, a source tree, running the command, snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures"

# Pictures the fixtures link to, made here so the repository holds no binary files.
IMAGES = {
    "pelican": ["content/images/chart.png"],
    "hugo": ["content/posts/bundled-post/images/one.png", "static/img/logo.png"],
    "jekyll": ["assets/desk.png"],
    "pyvideo": [],
}


def new_site(tmp_path: Path) -> Path:
    """A site as ``talknotes init`` makes it (its example note dated TODAY)."""
    from generator.commands.init import SiteSettings, create_site
    site = tmp_path / "site"
    create_site(site, SiteSettings(title="Imported", author="Test Person"), today=TODAY)
    return site


def source(kind: str, tmp_path: Path, drop: tuple[str, ...] = ()) -> Path:
    """A copy of the ``kind`` fixture tree, with its pictures; ``drop`` removes files from it."""
    target = tmp_path / f"source-{kind}"
    shutil.copytree(FIXTURES / kind, target)
    from PIL import Image
    for index, rel in enumerate(IMAGES[kind]):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (60 + index, 40), (200, 90, 30 + index)).save(path)
    for rel in drop:
        (target / rel).unlink()
    return target


def run(capsys, site: Path, kind: str, path: Path, *options: str) -> tuple[int, str, str]:
    """``talknotes import`` in-process: (exit status, stdout, stderr)."""
    from generator import cli
    capsys.readouterr()
    status = cli.main(["import", kind, str(path), "--source", str(site), *options])
    out, err = capsys.readouterr()
    return status, out, err


def snapshot(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under content/ with its bytes and mtime."""
    return {p.relative_to(site).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted((site / "content").rglob("*")) if p.is_file()}


def front(site: Path, rel: str) -> dict:
    """The front matter of a written note, as YAML reads it."""
    import yaml
    text = (site / rel).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def loaded(site: Path):
    """The site's content as the build loads it; it must load without problems."""
    from generator.model.content import load_content
    content = load_content(site)
    assert not [p for p in content.problems if p.is_error], [str(p) for p in content.problems]
    return content


def build(site: Path):
    from conftest import build_site
    return build_site(site)
