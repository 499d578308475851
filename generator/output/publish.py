"""Publishing: the staging folder replaces ``output/`` in one step, and only when the build
succeeded; the site it replaced is kept (or removed in the background) so that the next build
can start from it."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def staging_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


def spare_dir(cache_dir: Path, output: Path) -> Path:
    """Where the site replaced by the last build waits to become the next build's staging folder."""
    name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"previous-site-{name}"


def prepare_staging(output: Path, spare: Path | None = None) -> tuple[Path, bool]:
    """The staging folder beside ``output/``, and whether it holds an older site to reconcile.

    Rather than building every file afresh, a build updates the site it replaced last time
    (kept in ``spare``): most of its files are the same, hard-linked, so a build where little
    changed writes little. A staging folder left by a killed build is reconciled the same way.
    """
    staging = staging_dir(output)
    if spare is not None:
        _remove_dead_copies(spare)
    if _trash(output).exists():
        shutil.rmtree(_trash(output), ignore_errors=True)
    old = output.parent / f".{output.name}.old"
    if old.exists():
        if not output.exists():
            os.rename(old, output)  # a build died between the two renames: put the old site back
        else:
            shutil.rmtree(old)
    if staging.is_dir() and not staging.is_symlink():
        if spare is not None and spare.exists():
            shutil.rmtree(spare, ignore_errors=True)
        return staging, True
    if staging.exists() or staging.is_symlink():
        staging.unlink()
    if spare is not None and spare.is_dir():
        try:
            os.rename(spare, staging)
            return staging, True
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging, False


def _remove_dead_copies(spare: Path, age: float = 600) -> None:
    """Delete copies that :func:`link_spare_later` children left half-made (killed) long ago."""
    import time
    try:
        for entry in os.scandir(spare.parent):
            if entry.name.startswith(spare.name + ".") and entry.name.endswith(".tmp"):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > age:
                    shutil.rmtree(entry.path, ignore_errors=True)
    except OSError:
        pass


def _keep_as_spare(folder: Path, spare: Path | None) -> bool:
    if spare is None:
        return False
    try:
        if spare.exists():
            shutil.rmtree(spare)
        spare.parent.mkdir(parents=True, exist_ok=True)
        os.rename(folder, spare)  # fails across filesystems: then the folder is deleted
        return True
    except OSError:
        return False


def put_aside(output: Path, spare: Path) -> None:
    """Move a staging folder left by a killed build out of sight, for the next build to reconcile."""
    staging = staging_dir(output)
    if staging.is_dir() and not staging.is_symlink():
        discard(staging, spare)


def discard(staging: Path, spare: Path | None = None) -> None:
    """After a failed build: keep the staging folder for the next build to reconcile, or delete it."""
    if not _keep_as_spare(staging, spare):
        shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    try:
        # The process's own symbols include the C library's (dlopen(NULL)); find_library would
        # run ldconfig in a subprocess on every publish.
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
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
    if background:
        _detached(_REMOVE, str(trash))  # the build returns at once
        return
    shutil.rmtree(trash, ignore_errors=True)


def publish(staging: Path, output: Path, background_cleanup: bool = False, spare: Path | None = None) -> None:
    """Replace ``output`` by ``staging`` so that readers see the old site or the new one, never a mix.
    The replaced site is kept in ``spare`` (see :func:`prepare_staging`), else deleted."""
    if output.exists() and _exchange(staging, output):
        if not _keep_as_spare(staging, spare):
            remove_later(staging, output, background_cleanup)
        return
    old = output.parent / f".{output.name}.old"
    replaced = output.exists()
    if replaced:
        os.rename(output, old)
    os.rename(staging, output)
    if old.exists():
        shutil.rmtree(old)
    if not replaced and background_cleanup:
        link_spare_later(output, spare)


def link_spare_later(output: Path, spare: Path | None) -> None:
    """After a build that replaced no site (the first one, or after ``output/`` was deleted),
    make the next build's staging folder anyway: a copy of ``output`` made of hard links,
    built by a detached child so that this build returns at once. Without it the next build
    would make every folder and link every file itself (1,200 of each at 1,000 notes)."""
    if spare is None or spare.exists():
        return
    _detached(_LINK_SPARE, str(output), str(spare))


# What the detached helpers run: a new interpreter with nothing of the build in memory (a
# forked child would share the build's heap, and copy much of it page by page as either side
# touched it: hundreds of MB at the end of a big build).
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
_LINK_SPARE = """
import os, shutil, sys
def link_tree(source, target):
    os.makedirs(target)
    for entry in os.scandir(source):
        if entry.is_dir(follow_symlinks=False):
            link_tree(entry.path, os.path.join(target, entry.name))
        elif entry.is_file(follow_symlinks=False):
            os.link(entry.path, os.path.join(target, entry.name))
output, spare = sys.argv[1], sys.argv[2]
tmp = f"{spare}.{os.getpid()}.tmp"
try:
    link_tree(output, tmp)
    os.rename(tmp, spare)  # refused if a later build made one first: then this one goes
except OSError:
    shutil.rmtree(tmp, ignore_errors=True)
"""


def _detached(code: str, *args: str) -> None:
    """Run ``code`` in a new Python process of its own session, not waited for: the build's
    output is not held open, and Ctrl-C in the terminal does not reach it."""
    import subprocess
    import sys
    try:
        subprocess.Popen([sys.executable, "-I", "-S", "-c", code, *args], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass  # no process to spare: the next build finishes the job (see prepare_staging)
