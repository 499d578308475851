"""Writing the site: a staging folder that replaces ``output/`` only when the build succeeded."""

from __future__ import annotations

import ctypes
import hashlib
import ctypes.util
import os
import shutil
from pathlib import Path

from .errors import Problem


class Writer:
    """Writes files into a staging folder; refuses to write one path twice (a slug collision).

    Given the previous ``output/`` and its manifest, a file whose bytes (or render key) are
    unchanged is hard-linked from the previous site instead of written, so its mtime stays
    and rsync-style deploys upload only what changed.
    """

    def __init__(self, staging: Path, previous: Path | None = None, manifest: dict | None = None,
                 in_place: bool = False):
        # In place (the dev server, whose readers wait for the build): ``staging`` is the
        # output itself, unchanged files are simply left where they are, and stale ones deleted.
        self.staging = staging
        self.previous = previous
        self.in_place = in_place
        self.old = manifest or {}     # rel -> [digest, size, mtime_ns, key, site attrs]
        self.manifest: dict = {}      # the same for this build, filled in by publish
        self.owners: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.written = 0
        self.reused = 0
        self._folders: set[Path] = set()

    def reserve(self, rel: str, owner: str) -> bool:
        """Claim ``rel`` for ``owner``; a second claim is a problem (two pages, one file)."""
        if rel in self.owners:
            self.problems.append(Problem(owner, None, None, f"writes {rel}, which {self.owners[rel]} also writes",
                                         "rename one of them"))
            return False
        self.owners[rel] = owner
        return True

    def _claim(self, rel: str, owner: str) -> Path | None:
        if not self.reserve(rel, owner):
            return None
        target = self.staging / rel
        self._make_folder(target.parent)
        return target

    def _make_folder(self, folder: Path) -> None:
        if folder not in self._folders:  # one mkdir per folder, not per file
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _previous(self, rel: str, target: Path, digest: str | None = None, key: str | None = None) -> list | None:
        """The previous build's manifest entry if its file can be kept (hard-linked into staging)."""
        entry = self.old.get(rel)
        if not entry or self.previous is None:
            return None
        if (digest is not None and entry[0] != digest) or (key is not None and entry[3] != key):
            return None
        old = os.path.join(self.previous, rel)
        try:
            stat = os.stat(old)
            if (stat.st_size, stat.st_mtime_ns) != (entry[1], entry[2]):
                return None  # changed by hand since: write it afresh
            if not self.in_place:
                os.link(old, target)
        except OSError:
            return None
        return list(entry)

    def record(self, rel: str, entry: list, written: bool) -> None:
        """Enter a file put in place by :meth:`store` (possibly in a forked worker) in the manifest."""
        self.manifest[rel] = entry
        if written:
            self.written += 1
        else:
            self.reused += 1

    def unchanged(self, rel: str, key: str, owner: str = "site") -> bool:
        """Reuse the previous build's file if it was rendered from the same ``key``."""
        entry = self.old.get(rel)
        if not entry or entry[3] != key or rel in self.owners:
            return False
        target = self.staging / rel
        if not self.in_place:  # in place, the file and so its folder are there (checked next)
            self._make_folder(target.parent)
        kept = self._previous(rel, target, key=key)
        if kept is None:
            return False
        self.owners[rel] = owner
        self.record(rel, kept, written=False)
        return True

    def store(self, rel: str, data: bytes | str, key: str | None = None, site_attrs=()) -> tuple[list, bool]:
        """Put ``data`` at ``rel`` (already reserved), or keep the previous file if its bytes are
        the same; returns (manifest entry, whether it was written). It changes no shared state,
        so page workers can call it in parallel; the parent then calls :meth:`record`."""
        target = self.staging / rel
        self._make_folder(target.parent)
        data = data.encode("utf-8") if isinstance(data, str) else data
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        kept = self._previous(rel, target, digest=digest)
        if kept is not None:
            if key is not None:
                kept[3:] = [key, sorted(site_attrs)]
            return kept, False
        if self.in_place:
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        else:
            target.write_bytes(data)
        return [digest, len(data), None, key, sorted(site_attrs)], True

    def write(self, rel: str, data: bytes | str, owner: str = "site", key: str | None = None,
              site_attrs=()) -> None:
        """Write one file of the site (or keep the previous one if its bytes are unchanged)."""
        if self.reserve(rel, owner):
            self.record(rel, *self.store(rel, data, key, site_attrs))

    def copy(self, rel: str, source: Path, owner: str = "site") -> None:
        target = self._claim(rel, owner)
        if target is not None:
            if self.in_place and target.exists():
                if os.path.samefile(source, target):
                    return self.adopt(rel)
                target.unlink()
            try:
                os.link(source, target)  # cheap, and the source is never modified in place
            except OSError:
                shutil.copyfile(source, target)
            self.adopt(rel)

    def adopt(self, rel: str) -> None:
        """Record a file put in place by someone else (image variants), so stale ones go."""
        self.manifest.setdefault(rel, [None, 0, 0, None, []])

    def finish(self) -> dict:
        """The manifest of the staged site, with each file's size and mtime as published."""
        for rel, entry in self.manifest.items():
            stat = (self.staging / rel).stat()
            entry[1], entry[2] = stat.st_size, stat.st_mtime_ns
        if self.in_place:
            for rel in set(self.old) - set(self.manifest):
                stale = self.staging / rel
                stale.unlink(missing_ok=True)
                for folder in stale.parents:
                    if folder == self.staging or any(folder.iterdir()):
                        break
                    folder.rmdir()
        return self.manifest


def staging_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


def prepare_staging(output: Path) -> Path:
    """An empty staging folder beside ``output/``; a stale one from a killed build is removed."""
    staging = staging_dir(output)
    if staging.exists():
        shutil.rmtree(staging)
    if _trash(output).exists():
        shutil.rmtree(_trash(output), ignore_errors=True)
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


def _trash(output: Path) -> Path:
    return output.parent / f".{output.name}.trash"


def remove_later(folder: Path, output: Path, background: bool) -> None:
    """Delete the replaced site. In the background when asked (the command line: deleting
    thousands of folders is the slowest part of a build where little changed); a deletion
    that never finished is completed by the next build."""
    trash = _trash(output)
    trash.mkdir(exist_ok=True)
    target = trash / f"{os.getpid()}-{folder.name}"
    try:
        os.rename(folder, target)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    if background and hasattr(os, "fork"):
        if os.fork() == 0:  # the child deletes, detached; the build returns at once
            try:
                os.setsid()
                shutil.rmtree(trash, ignore_errors=True)
            finally:
                os._exit(0)
        return
    shutil.rmtree(trash, ignore_errors=True)


def publish(staging: Path, output: Path, background_cleanup: bool = False) -> None:
    """Replace ``output`` by ``staging`` so that readers see the old site or the new one, never a mix."""
    if output.exists() and _exchange(staging, output):
        remove_later(staging, output, background_cleanup)
        return
    old = output.parent / f".{output.name}.old"
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    if old.exists():
        shutil.rmtree(old)
