"""Applying a plan so that an interruption never leaves a half-written file.

1. Every new file is written whole into ``.talknotes-import-staging/`` in the site folder
   (beside ``content/``, on the same file system, outside what the build reads).
2. The manifest is saved with each file's ``pending`` digest: from here on, a file holding
   either its old or its new bytes is known to be the import's own.
3. Each file is moved into place with ``os.replace``, which is atomic: a reader sees the old
   file or the new one. Images and attachments go first, then events, then notes, so a note is
   never in place before what it uses.
4. The manifest is saved again, pending digests now written ones, and the staging folder goes.

Stopped anywhere (Ctrl-C, a full disk), ``content/`` holds whole files only, and the next
import finishes the job: it finds nothing edited by hand that was not.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import manifest as mf
from .common import digest
from .plan import Action

STAGING = ".talknotes-import-staging"
_ORDER = {"file": 0, "event": 1, "note": 2}


def apply(root: Path, actions: list[Action], manifest: mf.Manifest) -> None:
    """Write the imported and updated files of ``actions`` and record every file in ``manifest``."""
    staging = root / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # left by an import that was stopped
    writes = sorted((a for a in actions if a.status in ("imported", "updated")), key=lambda a: _ORDER[a.role])
    try:
        if writes:
            staging.mkdir()
            for number, action in enumerate(writes):
                (staging / f"{number:06d}").write_bytes(action.data)
        written = {id(action) for action in writes}
        for action in actions:
            _record(manifest, action, pending=id(action) in written)
        mf.save(root, manifest)
        for number, action in enumerate(writes):
            target = root / action.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f"{number:06d}", target)
        for action in writes:
            entry = manifest.files[action.path]
            entry.written, entry.pending = entry.pending, None
        if writes:
            mf.save(root, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _record(manifest: mf.Manifest, action: Action, pending: bool) -> None:
    entry = manifest.files.get(action.path)
    if action.status == "skipped":
        return  # a hand edit keeps its entry as it was; a file of the site's own gets none
    new = digest(action.data)
    if entry is None or entry.source != action.key:
        entry = manifest.files[action.path] = mf.Entry(action.key, action.role, action.record)
    entry.record = action.record
    if pending:
        entry.pending = new
    else:  # unchanged: what is there is what would be written
        entry.written, entry.pending = new, None
