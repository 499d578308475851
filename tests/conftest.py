"""Shared fixtures: the sample site built once per session at two base URLs."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

# Builds in tests use a fixed "today" so future-dated filtering never depends on the clock.
TODAY = dt.date(2026, 11, 1)


def copy_sample_site(target: Path) -> Path:
    """A copy of the repository's sample site (content, config, themes) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "talknotes.yaml", target / "talknotes.yaml")
    return target


def build_site(source: Path, base_url: str | None = None, output: Path | None = None, drafts=False):
    from generator.build import BuildOptions, build
    return build(BuildOptions(source=source, output=output, base_url=base_url, drafts=drafts, today=TODAY))


@pytest.fixture(scope="session")
def sample_source(tmp_path_factory) -> Path:
    return copy_sample_site(tmp_path_factory.mktemp("sample") / "site")


@pytest.fixture(scope="session")
def built_root(sample_source, tmp_path_factory) -> Path:
    """The sample site built at base URL ``/``."""
    output = tmp_path_factory.mktemp("out-root") / "output"
    build_site(sample_source, output=output)
    return output


@pytest.fixture(scope="session")
def built_subpath(sample_source, tmp_path_factory) -> Path:
    """The sample site built at base URL ``/talks/2026/``."""
    output = tmp_path_factory.mktemp("out-sub") / "output"
    build_site(sample_source, base_url="/talks/2026/", output=output)
    return output


@pytest.fixture(scope="session")
def sample_content(sample_source):
    from generator.model.content import load_content
    content = load_content(sample_source)
    assert not content.problems, content.problems
    return content
