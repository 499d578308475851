"""Writing the site: a staging folder that replaces ``output/`` only when the build succeeded."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from .errors import Problem


class Writer:
    """Writes files into a staging folder; refuses to write one path twice (a slug collision)."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.owners: dict[str, str] = {}
        self.problems: list[Problem] = []

    def _claim(self, rel: str, owner: str) -> Path | None:
        if rel in self.owners:
            self.problems.append(Problem(owner, None, None, f"writes {rel}, which {self.owners[rel]} also writes",
                                         "rename one of them"))
            return None
        self.owners[rel] = owner
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, data: bytes | str, owner: str = "site") -> None:
        target = self._claim(rel, owner)
        if target is not None:
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def copy(self, rel: str, source: Path, owner: str = "site") -> None:
        target = self._claim(rel, owner)
        if target is not None:
            try:
                os.link(source, target)  # cheap, and the source is never modified in place
            except OSError:
                shutil.copyfile(source, target)


def staging_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


def prepare_staging(output: Path) -> Path:
    """An empty staging folder beside ``output/``; a stale one from a killed build is removed."""
    staging = staging_dir(output)
    if staging.exists():
        shutil.rmtree(staging)
    old = output.parent / f".{output.name}.old"
    if old.exists():
        if not output.exists():
            os.rename(old, output)  # a build died between the two renames: put the old site back
        else:
            shutil.rmtree(old)
    staging.mkdir(parents=True)
    return staging


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def publish(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` so that readers see the old site or the new one, never a mix."""
    if output.exists() and _exchange(staging, output):
        shutil.rmtree(staging)
        return
    old = output.parent / f".{output.name}.old"
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    if old.exists():
        shutil.rmtree(old)
