"""Publishing, only when the build succeeded, in one of two ways:

* an update (the published site and its manifest are known, and little changed): the few files
  the build wrote are moved into ``output/`` one by one with atomic renames and the stale ones
  deleted; a journal lets the next build complete one that was killed halfway;
* a swap (a first build, an unknown ``output/``, or a large change): a whole staged site replaces
  ``output/`` in one step; the site it replaced is kept (or removed in the background) so that
  a later swap can start from it."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def staging_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


# --- updates: a small change moved into output/ file by file ------------------------------------

# An update is only worth it while it is small next to the site: past this share of its files,
# the staging folder is completed with links and swapped in whole (readers then never see a mix).
UPDATE_SHARE = 0.05
UPDATE_MIN = 200
_COMMITTED = ".talknotes-update-removes"  # in the update folder: the list of files to delete


def update_dir(output: Path) -> Path:
    """Where an update stages the files it writes (beside ``output/``, on its filesystem)."""
    return output.parent / f".{output.name}.update"


def is_small_update(changes: int, files: int) -> bool:
    """Whether ``changes`` files (written or deleted) of a site of ``files`` are few enough to
    move into ``output/`` one by one instead of swapping a whole new folder in."""
    return changes <= max(UPDATE_MIN, UPDATE_SHARE * files)


def start_update(output: Path) -> Path:
    """An empty update folder; one left by a killed build is completed first if it had been
    committed (see :func:`apply_update`), else deleted (``output/`` was never touched)."""
    folder = update_dir(output)
    finish_interrupted_update(output)
    folder.mkdir(parents=True)
    return folder


def finish_interrupted_update(output: Path) -> None:
    """Complete a committed update that a killed build left half applied; delete an uncommitted one."""
    folder = update_dir(output)
    if not folder.exists():
        return
    if (folder / _COMMITTED).is_file():
        _apply(folder, output, (folder / _COMMITTED).read_text(encoding="utf-8").splitlines())
    shutil.rmtree(folder, ignore_errors=True)


def apply_update(folder: Path, output: Path, removed: list[str]) -> None:
    """Move every file staged in ``folder`` into ``output/`` with an atomic rename each (a reader
    gets the old file or the new one), then delete ``removed``. Files other than pages go first
    and deletions last, so a page never names a stylesheet or image that is not there yet.

    The list of deletions is written first, as the commit: from then on a killed build's update
    is completed by the next one (:func:`finish_interrupted_update`); before it, nothing in
    ``output/`` has changed."""
    tmp = folder / f"{_COMMITTED}.tmp"
    tmp.write_text("".join(f"{rel}\n" for rel in removed), encoding="utf-8")
    os.replace(tmp, folder / _COMMITTED)
    _apply(folder, output, removed)
    shutil.rmtree(folder, ignore_errors=True)


def _apply(folder: Path, output: Path, removed: list[str]) -> None:
    from ..model.scan import walk
    staged = [rel for rel, entry in walk(folder) if not entry.is_dir(follow_symlinks=False) and rel != _COMMITTED]
    for rel in sorted(staged, key=lambda rel: (rel.endswith(".html"), rel)):
        target = output / rel
        _make_room(output, target)
        try:
            os.replace(folder / rel, target)
        except FileNotFoundError:  # moved already, by the run that was killed
            continue
        except OSError:
            if not (target.is_dir() and not target.is_symlink()):
                raise
            shutil.rmtree(target)  # the old site had a folder where this one has a file
            os.replace(folder / rel, target)
    for rel in removed:
        stale = output / rel
        if stale.is_dir() and not stale.is_symlink():
            continue  # a folder of the new site now (its files were moved in above)
        stale.unlink(missing_ok=True)
        for parent in stale.parents:
            if parent == output:
                break
            try:
                parent.rmdir()  # only if empty
            except OSError:
                break


def _make_room(output: Path, target: Path) -> None:
    """Make ``target``'s folder, replacing a file of the old site that stands where a folder goes."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        rel = target.parent.relative_to(output)
        for part in (*reversed(rel.parents[:-1]), rel):
            path = output / part
            if path.is_symlink() or path.is_file():
                path.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)


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


# What the detached helper runs: a new interpreter with nothing of the build in memory (a
# forked child would share the build's heap, and copy much of it page by page as either side
# touched it: hundreds of MB at the end of a big build).
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


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
