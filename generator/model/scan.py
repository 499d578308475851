"""Walking ``content/`` with ``os.scandir``: the kind of each entry comes with the listing, so a
thousand notes cost a thousand names, not several thousand ``stat`` calls.

Symbolic links are classified, never trusted: a link that leads outside ``content/`` is not
followed or read, and linked folders are not entered (the same rules as ``Path.rglob``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator


def within(path: Path | str, folder: Path | str) -> bool:
    """Whether ``path``, with ``..`` and every symbolic link followed, is ``folder`` or inside it."""
    try:
        real, top = Path(path).resolve(), Path(folder).resolve()
    except (OSError, RuntimeError):  # a loop of links
        return False
    return real == top or top in real.parents


def entries(top: Path | str) -> list[os.DirEntry]:
    """The entries of one folder, sorted by name; none if it is missing or unreadable."""
    try:
        with os.scandir(top) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []


def walk(top: Path | str) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to ``top`` in POSIX form, entry) for everything below ``top``, depth first
    in name order. Folders are yielded before their contents; linked folders are not entered."""
    def below(folder: str, prefix: str):
        for entry in entries(folder):
            rel = prefix + entry.name
            yield rel, entry
            if entry.is_dir(follow_symlinks=False):
                yield from below(entry.path, rel + "/")
    yield from below(os.fspath(top), "")


def leads_outside(path: os.DirEntry | Path, folder: Path | str) -> bool:
    """Whether ``path`` (a listed entry, or a path) is a symbolic link that leads outside ``folder``.

    Discovery never follows such a link: a note, image or attachment linked from elsewhere
    would publish any file the build can read.
    """
    return path.is_symlink() and not within(os.fspath(path), folder)


def published_files(top: Path | str, folder: Path | str) -> Iterator[tuple[str, os.DirEntry]]:
    """Files under ``top`` that may be published: not hidden, not links out of ``folder``."""
    for rel, entry in walk(top):
        if not entry.name.startswith(".") and entry.is_file() and not leads_outside(entry, folder):
            yield rel, entry
