"""Writing the site's files into the staging folder: each claimed once (two routes writing one
file is a problem), unchanged ones linked from the previous site instead of written, and every
file recorded in the manifest (:class:`OutputFile`). generator/output/publish.py swaps the staging
folder into ``output/``."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import NamedTuple

from ..model.errors import Problem


class OutputFile(NamedTuple):
    """One file of a published site, as the manifest remembers it (see :func:`cache.load_manifest`).

    Immutable, and a tuple so that readers written for the positional lists of earlier versions
    (``entry[0]`` the digest, ``entry[1]`` the size, ...) keep working while they move to names."""

    digest: str | None  # blake2b-128 of its bytes; None for files placed by others (image variants)
    size: int           # as published: with ``mtime_ns``, what says it is still the file written
    mtime_ns: int | None  # None until :meth:`Writer.finish` reads it from the staged file
    key: str | None = None  # a page's fingerprint (fingerprint.Fingerprints.page); None for other files
    site_attrs: tuple[str, ...] = ()  # the ``site`` attributes the page's templates read, sorted


class Writer:
    """Writes files into a staging folder; refuses to write one path twice (a slug collision).

    Given the previous ``output/`` and its manifest, a file whose bytes (or render key) are
    unchanged is hard-linked from the previous site instead of written, so its mtime stays
    and rsync-style deploys upload only what changed.

    As an update (``update=True``) the staging folder starts empty and receives only the files
    this build writes; the unchanged ones stay in ``previous`` untouched, and :meth:`path`
    says where each file of the new site is. publish.py then moves the few new files into
    ``output/`` (or, for a large change, links the rest in and swaps the folders).
    """

    def __init__(self, staging: Path, previous: Path | None = None, manifest: dict | None = None,
                 in_place: bool = False, reconcile: bool = False, update: bool = False):
        # In place (the dev server, whose readers wait for the build): ``staging`` is the
        # output itself, unchanged files are simply left where they are, and stale ones deleted.
        # Reconcile: ``staging`` already holds an older site (the one replaced by the last build,
        # or what a killed build left), so most files are already right; it is updated to the
        # new site without ever writing through a file that may be a hard link into ``output/``.
        self.staging = staging
        self.previous = previous
        self.in_place = in_place
        self.reconcile = reconcile and not in_place
        self.update = update and not in_place and previous is not None
        self.fresh: set[str] = set()  # an update's files in staging: the rest are in previous
        self.removed: list[str] = []  # after finish: the previous site's files this one lacks
        self.old: dict[str, OutputFile] = manifest or {}  # rel -> the last build's file
        self.manifest: dict[str, OutputFile] = {}  # the same for this build, completed by finish
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

    def make_folders(self, rels) -> None:
        """Make the folders of these files ahead of writing them (a build does it while its
        Markdown workers render; page workers then inherit the list and make none)."""
        for rel in rels:
            self._make_folder((self.staging / rel).parent)

    def _make_folder(self, folder: Path) -> None:
        if folder not in self._folders:  # one mkdir per folder, not per file
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                if not self.reconcile:
                    raise
                # An older site had a file where this site has a folder (or one of its parents).
                rel = folder.relative_to(self.staging)
                for part in (*reversed(rel.parents[:-1]), rel):
                    path = self.staging / part
                    if path.is_symlink() or path.is_file():
                        path.unlink(missing_ok=True)  # a page worker may have got there first
                folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _replace(self, tmp: Path, target: Path) -> None:
        """Move ``tmp`` over ``target`` atomically (a reader sees the old file or the new one)."""
        try:
            os.replace(tmp, target)
        except OSError:
            if not (self.reconcile and target.is_dir() and not target.is_symlink()):
                raise
            shutil.rmtree(target)  # an older site had a folder where this site has a file
            os.replace(tmp, target)

    def _link_into(self, old: str, old_stat: os.stat_result, target: Path) -> None:
        """Make ``target`` the previous build's file ``old`` (a hard link, so its mtime stays)."""
        if not self.reconcile:
            os.link(old, target)
            return
        try:
            mine = os.stat(target)
            if (mine.st_ino, mine.st_dev) == (old_stat.st_ino, old_stat.st_dev):
                return  # already the very same file: nothing to do (the usual case)
        except FileNotFoundError:
            self._make_folder(target.parent)  # not made ahead: most files (and folders) are there
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.unlink(missing_ok=True)
        os.link(old, tmp)
        self._replace(tmp, target)

    def _previous(self, rel: str, target: Path | None, digest: str | None = None,
                  key: str | None = None) -> OutputFile | None:
        """The previous build's manifest entry if its file can be kept (hard-linked into staging)."""
        entry = self.old.get(rel)
        if not entry or self.previous is None:
            return None
        if (digest is not None and entry.digest != digest) or (key is not None and entry.key != key):
            return None
        old = os.path.join(self.previous, rel)
        try:
            stat = os.stat(old)
            if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
                return None  # changed by hand since: write it afresh
            if not (self.in_place or self.update):
                self._link_into(old, stat, target)
        except OSError:
            return None
        return entry

    def record(self, rel: str, entry: OutputFile, written: bool) -> None:
        """Enter a file put in place by :meth:`store` (possibly in a forked worker) in the manifest."""
        self.manifest[rel] = entry
        if written:
            self.written += 1
            self.fresh.add(rel)
        else:
            self.reused += 1

    def unchanged(self, rel: str, key: str | None, owner: str = "site") -> bool:
        """Reuse the previous build's file if it was rendered from the same ``key`` (None: the
        caller knows its inputs are unchanged; its fingerprint was not computed)."""
        entry = self.old.get(rel)
        if not entry or (key is not None and entry.key != key) or rel in self.owners:
            return False
        target = None if self.in_place or self.update else self.staging / rel  # nothing is linked
        if target is not None and not self.reconcile:  # else the folder is most likely there
            self._make_folder(target.parent)
        kept = self._previous(rel, target, key=key)
        if kept is None:
            return False
        self.owners[rel] = owner
        self.record(rel, kept, written=False)
        return True

    def store(self, rel: str, data: bytes | str, key: str | None = None,
              site_attrs=()) -> tuple[OutputFile, bool]:
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
                kept = kept._replace(key=key, site_attrs=tuple(sorted(site_attrs)))
            return kept, False
        if self.in_place or self.reconcile:  # never write through a file readers (or output/) may share
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            self._replace(tmp, target)
        else:
            target.write_bytes(data)
        return OutputFile(digest, len(data), None, key, tuple(sorted(site_attrs))), True

    def write(self, rel: str, data: bytes | str, owner: str = "site", key: str | None = None,
              site_attrs=()) -> None:
        """Write one file of the site (or keep the previous one if its bytes are unchanged)."""
        if self.reserve(rel, owner):
            self.record(rel, *self.store(rel, data, key, site_attrs))

    def copy(self, rel: str, source: Path, owner: str = "site") -> None:
        if self.update and self.reserve(rel, owner):
            try:
                if os.path.samefile(source, self.previous / rel):  # linked there by an earlier build
                    return self.adopt(rel)
            except OSError:
                pass
            self.owners.pop(rel)  # claimed again just below
        target = self._claim(rel, owner)
        if target is not None:
            if (self.in_place or self.reconcile) and (target.exists() or target.is_symlink()):
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
        self.manifest.setdefault(rel, OutputFile(None, 0, 0))
        if self.update and os.path.lexists(self.staging / rel):
            self.fresh.add(rel)

    def path(self, rel: str) -> Path:
        """Where this build's file ``rel`` is now: staging, or the previous site for an update's
        unchanged files."""
        staged = self.staging / rel
        # Not yet in ``fresh`` in a page worker, which writes pages the parent records later.
        if self.update and rel not in self.fresh and not os.path.lexists(staged):
            return self.previous / rel
        return staged

    def digest(self, rel: str) -> str | None:
        """The digest of this build's file ``rel``, if it wrote or kept one."""
        entry = self.manifest.get(rel)
        return entry[0] if entry else None

    def changes(self) -> int:
        """How many files publishing must put in place or delete (an update's, after finish)."""
        return len(self.fresh) + len(self.removed)

    def link_unchanged(self) -> None:
        """Make an update's staging folder the whole site: hard-link every unchanged file in
        from the previous site, so that it can be swapped in at once (a large change)."""
        for rel in self.manifest:
            if rel not in self.fresh:
                target = self.staging / rel
                self._make_folder(target.parent)
                os.link(self.previous / rel, target)
        self.update = False

    def finish_files(self) -> dict[str, OutputFile]:
        """The manifest entries of the files this writer put in place, with each file's size and
        mtime as published; nothing else is touched (the dev server's edits: a few files of a site)."""
        for rel, entry in self.manifest.items():
            if self.update and rel not in self.fresh and entry[0] is not None and entry[2] is not None:
                continue  # the previous site's file, untouched, as its entry says
            stat = self.path(rel).stat()
            # Made afresh from the fields: an entry may have come in as a plain sequence.
            self.manifest[rel] = OutputFile(entry[0], stat.st_size, stat.st_mtime_ns, entry[3], tuple(entry[4]))
        return self.manifest

    def finish(self) -> dict[str, OutputFile]:
        """The manifest of the staged site, with each file's size and mtime as published; what
        the staging folder holds that is not part of the site is removed."""
        self.finish_files()
        if self.update:
            self.removed = sorted(set(self.old) - set(self.manifest))
        elif self.in_place and not self.old:
            # Nothing is known of what the folder holds (a first build, or a discarded store):
            # whatever is not part of this site goes, as when reconciling.
            self._remove_others()
        elif self.in_place:
            for rel in set(self.old) - set(self.manifest):
                stale = self.staging / rel
                stale.unlink(missing_ok=True)
                for folder in stale.parents:
                    if folder == self.staging or any(folder.iterdir()):
                        break
                    folder.rmdir()
        elif self.reconcile:
            self._remove_others()
        return self.manifest

    def _remove_others(self) -> None:
        """Delete everything in the staging folder that is not part of this site (the older
        site's stale pages, a killed build's temporary files), then the empty folders."""
        from ..model.scan import walk
        folders = []
        for rel, entry in walk(self.staging):
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif rel not in self.manifest:
                os.unlink(entry.path)
        for folder in reversed(folders):  # deepest first
            try:
                os.rmdir(folder)
            except OSError:
                pass  # not empty: it holds files of this site
