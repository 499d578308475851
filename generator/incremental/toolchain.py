"""The versions a build's output depends on: talknotes' own and those of the packages that shape
a page. Every cache key of derived output carries them (see docs/architecture.md)."""

from __future__ import annotations

import os
import sys

from .. import __version__

# The packages whose version can change a byte of the output: Markdown and its extensions'
# HTML, Pygments' highlighting, Jinja's templates, Pillow's image variants, PyYAML's front matter.
DEPENDENCIES = ("Markdown", "Pygments", "Jinja2", "Pillow", "PyYAML")
_toolchain: str | None = None


def toolchain() -> str:
    """talknotes' version and its dependencies', e.g. ``"talknotes 0.2.0, Markdown 3.7, ..."``.

    Part of every key of derived output (the store's version, Markdown keys, page fingerprints,
    the no-change signature, compiled templates), so that ``pip install -U pygments`` rebuilds.
    Read once per process, from installed metadata: no dependency is imported for it."""
    global _toolchain
    if _toolchain is None:
        versions = _versions(DEPENDENCIES)
        _toolchain = ", ".join([f"talknotes {__version__}", *(f"{name} {versions[name]}" for name in DEPENDENCIES)])
    return _toolchain


def _versions(names) -> dict[str, str]:
    """Installed distributions' versions, as ``importlib.metadata.version`` finds them.

    Importing importlib.metadata (``email``, ``csv``...) and parsing five METADATA files costs
    15-20 ms, a tenth of a build where nothing changed; the names of the ``<name>-<version>.dist-info``
    folders installers make, read in the same ``sys.path`` order, cost under a millisecond.
    Anything else (an ``.egg-info``, no version in the name) is asked of importlib.metadata."""
    wanted = {_normalise(name): name for name in names}
    found: dict[str, str | None] = {}  # None: importlib.metadata decides
    for folder in sys.path:
        try:
            listing = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in listing:
            stem, _, kind = entry.rpartition(".")
            if kind in ("dist-info", "egg-info"):
                project, _, version = stem.partition("-")
                name = wanted.get(_normalise(project))
                if name is not None and name not in found:
                    found[name] = version if kind == "dist-info" and version else None
        if len(found) == len(wanted):
            break
    return {name: found.get(name) or _metadata_version(name) for name in names}


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _metadata_version(name: str) -> str:
    import importlib.metadata
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"
