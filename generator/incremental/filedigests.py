"""Content digests of input files, re-read only when a file's ``stat`` says it may have changed.

The same idea as git's index: a file whose size, mtime, ctime and inode are what they were
when it was hashed has the same bytes. ctime cannot be set back by tools that preserve mtime
(``touch -m``, ``rsync -t``, archive extraction). A file changed within the timestamp
granularity of the moment it was hashed could keep all four, so such a "racy" entry is trusted
only once its mtime is safely older than the hashing (:data:`RACY_NS`); until then it is hashed
again, which costs one recently edited file per build.
"""

from __future__ import annotations

import hashlib
import os
import time

RACY_NS = 3_000_000_000  # coarser than any common filesystem's timestamps (FAT: 2 s)


def read_digest(path: str) -> str:
    """The content digest of a file, read in chunks (memory stays flat for any size)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


class FileDigests:
    """``digest(path)`` with the answers of earlier builds kept by stat signature."""

    def __init__(self, known: dict | None = None):
        # path -> [size, mtime_ns, ctime_ns, inode, hashed at (ns), digest]
        self.known: dict[str, list] = known if isinstance(known, dict) else {}
        self.used: set[str] = set()
        self.changed = False

    def digest(self, path, stat: os.stat_result | None = None) -> str:
        """The file's content digest (``stat`` if the caller has it); raises OSError if unreadable."""
        path = os.fspath(path)
        stat = stat or os.stat(path)
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        self.used.add(path)
        entry = self.known.get(path)
        if entry is not None and entry[:4] == signature and entry[4] - signature[1] > RACY_NS:
            return entry[5]
        now = time.time_ns()
        digest = read_digest(path)
        self.known[path] = [*signature, now, digest]
        self.changed = True
        return digest

    def forget_unused(self) -> None:
        """Drop files this build did not look at (deleted or renamed ones)."""
        for path in set(self.known) - self.used:
            del self.known[path]
            self.changed = True
        self.used = set()
