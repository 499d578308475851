"""The import manifest, ``content/.talknotes-import.json``: what each import wrote.

Per file: the record it came from (``source``, a key stable across imports), the digest of that
record (``record``), the digest of the bytes written (``written``) and, while an import is being
applied, of the bytes about to be written (``pending``). A file whose bytes are neither was
edited by hand, and is kept. The content loader ignores dot-files, so the manifest is never
read as content.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ..model.errors import CommandError

MANIFEST = "content/.talknotes-import.json"
VERSION = 1


@dataclass
class Entry:
    source: str
    role: str                   # "note", "event" or "file" (an image or attachment)
    record: str
    written: str | None = None  # None: not written yet (an import stopped before it got there)
    pending: str | None = None

    def ours(self, current: str) -> bool:
        """Whether bytes with digest ``current`` are what an import wrote (or was writing)."""
        return current in (self.written, self.pending)


@dataclass
class Manifest:
    files: dict  # site-relative path -> Entry

    def index(self) -> dict:
        """(source, role) -> path, for looking many up."""
        return {(e.source, e.role): p for p, e in self.files.items()}


def load(root: Path) -> Manifest:
    """The site's manifest; an empty one if there is none. A damaged one is refused."""
    path = root / MANIFEST
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest({})
    except OSError as exc:
        raise CommandError(f"cannot read {MANIFEST}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        files = {p: Entry(**e) for p, e in data["files"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CommandError(f"{MANIFEST} is damaged ({exc})",
                           "restore it from version control; deleting it makes every imported "
                           "file count as written by hand") from None
    return Manifest(files)


def save(root: Path, manifest: Manifest) -> None:
    """Write the manifest atomically (a temporary file, then ``os.replace``), if it changed."""
    path = root / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION,
            "files": {p: {k: v for k, v in asdict(e).items() if v is not None}
                      for p, e in sorted(manifest.files.items())}}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return  # an import that changed nothing leaves every file as it was, this one too
    except OSError:
        pass
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
