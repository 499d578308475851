"""The one incremental store: what a build keeps for the next, in ``<cache_dir>/talknotes.sqlite``.

It holds parsed notes, rendered Markdown, highlighted code blocks, the search index, small
remembered values, the input files' digests, the last build's signature and the manifest of each
published site (table ``output_files``). ``talknotes serve`` also keeps it in memory between
rebuilds. The whole store is versioned by :data:`SCHEMA_VERSION` and :func:`toolchain` (the
versions of talknotes and of the packages that shape its output): any mismatch discards it,
with the compiled templates kept beside it, and the next build starts afresh.
See docs/architecture.md for every cache and what invalidates it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .filedigests import FileDigests
from .codec import note_from_json, note_to_json, rendered_from_json, rendered_to_json
from .toolchain import toolchain


SCHEMA_VERSION = 3  # bump when what the store holds, or how, changes
STORE_FILE = "talknotes.sqlite"
# Beside the database and versioned with it: Jinja's compiled templates (theme.make_environment).
_STORE_FOLDERS = ("jinja",)
_KEPT = ("build:", "files")  # per output folder and per file: not owned by a single build

def store_version() -> str:
    """What a store on disk must have been written with to be used: schema and toolchain."""
    return f"{SCHEMA_VERSION}; {toolchain()}"


def discard_store(cache_dir: Path) -> bool:
    """Delete the store in ``cache_dir``: the database and its WAL files, the compiled templates, older
    versions' manifests; False if it could not be. Image variants stay (their key has Pillow's version),
    as does the replaced site (each of its files is checked against the manifest, which is gone)."""
    try:
        for name in (STORE_FILE, STORE_FILE + "-wal", STORE_FILE + "-shm"):
            (cache_dir / name).unlink(missing_ok=True)
        for name in _STORE_FOLDERS:
            shutil.rmtree(cache_dir / name, ignore_errors=True)
        for legacy in cache_dir.glob("manifest-*.json"):  # talknotes 0.2 kept manifests as JSON files
            legacy.unlink(missing_ok=True)
    except OSError:
        return False
    return True


@dataclass
class BuildCache:
    """Results of earlier builds, each keyed by the content it was computed from.

    In memory for the life of a process (``serve``), and also in ``<cache_dir>/talknotes.sqlite``
    when :meth:`attach` was called, so a later ``talknotes build`` starts warm. A corrupt
    database, or one of another schema or toolchain, is discarded, never fatal.
    """

    notes: dict = field(default_factory=lambda: NoteStore())  # file path -> (bytes digest, note, problems)
    markdown: dict = field(default_factory=dict)   # render key -> Rendered
    search: tuple | None = None                    # (docs key, files)
    manifests: dict = field(default_factory=dict)  # output folder -> {path: OutputFile}, as on disk
    counts: Counter = field(default_factory=Counter)  # what the last build did, for tests and --timings
    values: dict = field(default_factory=dict)     # small JSON values by "kind:key" (see memo)
    record_digests: dict = field(default_factory=dict)  # see Fingerprints
    files: FileDigests = field(default_factory=FileDigests)  # input files' digests by stat
    _pending: list = field(default_factory=list)
    _record_keys: dict = field(default_factory=dict)
    _prefetched: set = field(default_factory=set)
    _used: set = field(default_factory=set)  # keys asked for or stored since the last prune
    _forked: tuple | None = None  # in a forked child: how much was pending, and what used, at the fork
    db: object = None
    path: Path | None = None
    _pid: int = 0  # the process that opened ``db``

    def markdown_key(self, *parts) -> str:
        """The key of a Markdown result rendered from ``parts`` (settings and body) by this toolchain."""
        text = "\0".join(map(str, (toolchain(), *parts)))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def record_key(self, record, *settings) -> str:
        """``markdown_key(*settings, record.body)``, remembered for the very same record object, so
        a rebuild in ``serve`` hashes only the bodies of notes that changed."""
        known = self._record_keys.get(record.path)
        if known is not None and known[0] is record and known[1] == settings:
            return known[2]
        key = self.markdown_key(*settings, record.body)
        self._record_keys[record.path] = (record, settings, key)
        return key

    def attach(self, cache_dir: Path) -> None:
        """Use the on-disk store in ``cache_dir`` too; one of another version is discarded first."""
        if self.db is not None:
            return
        self.notes.cache = self
        import sqlite3
        path = cache_dir / STORE_FILE
        version = store_version()
        for attempt in range(2):
            db = None
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, check_same_thread=False)
                # A cache needs no durability: a lost write only costs a re-render.
                db.execute("PRAGMA synchronous = OFF")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                # Another generator or dependency version may parse or render differently: start
                # afresh after an upgrade, with every part of the store (see discard_store).
                if row and row[0] != version:
                    raise sqlite3.DatabaseError("foreign cache")
                if not row:  # a new store: its tables are made with the row that versions them
                    with db:
                        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT)")
                        db.execute("CREATE TABLE IF NOT EXISTS output_files (output TEXT, path TEXT, "
                                   "digest TEXT, size INTEGER, mtime_ns INTEGER, key TEXT, site_attrs TEXT, "
                                   "PRIMARY KEY (output, path)) WITHOUT ROWID")
                        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (version,))
                self.db, self.path, self._pid = db, path, os.getpid()
                if not self.files.known:
                    self.files = FileDigests(self._get("files"))
                return
            except (sqlite3.DatabaseError, OSError):
                if db is not None:
                    db.close()  # first: its WAL must not outlive the file, nor be checkpointed into a new one
                if attempt or not discard_store(cache_dir):  # corrupt or foreign: start afresh, once
                    return

    def _db_usable(self) -> bool:
        """Whether ``db`` may be used here: not in a process forked without :meth:`detach` (a page
        worker), where a connection of the parent's must not be touched; its lookups miss instead."""
        return self.db is not None and (self._forked is not None or os.getpid() == self._pid)

    def _get(self, key: str):
        self._used.add(key)
        if not self._db_usable():
            return None
        try:
            row = self.db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except Exception:  # a damaged entry is a miss
            return None

    def _put(self, items) -> None:
        if not self._db_usable() or self._forked is not None:  # a forked child sends its entries to the parent
            return
        items = list(items)
        self._used.update(k for k, _ in items)
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)",
                                    ((k, json.dumps(v)) for k, v in items))
        except Exception:
            pass  # a cache that cannot be written only makes the next build slower

    def lookup(self, key: str):
        """The cached Markdown result for ``key``, from memory or disk."""
        hit = self.markdown.get(key)
        self._used.add("md:" + key)
        if hit is None:
            data = self._get("md:" + key)
            if data is not None:
                try:
                    hit = self.markdown[key] = rendered_from_json(data)
                except (TypeError, ValueError, KeyError):
                    hit = None
        return hit

    def store(self, items) -> None:
        items = list(items)
        for key, rendered in items:
            self.markdown[key] = rendered
        self._put(("md:" + key, rendered_to_json(rendered)) for key, rendered in items)

    def highlights(self, source: str) -> dict | None:
        """The code blocks of a document as highlighted last time (see mdhighlight.Highlights)."""
        return self._get("hl:" + source)

    def keep_highlights(self, source: str) -> None:
        """A document rendered from the cache still owns its stored code blocks."""
        self._used.add("hl:" + source)

    def store_highlights(self, items) -> None:
        """Remember documents' code blocks: ``items`` are (source, blocks before, blocks now);
        only those that changed are written."""
        changed = []
        for source, known, blocks in items:
            self._used.add("hl:" + source)
            if blocks and blocks != known:
                changed.append(("hl:" + source, blocks))
        self._put(changed)

    def prefetch(self, kind: str) -> None:
        """Read every stored ``kind`` value in one query (one per key costs more for thousands)."""
        if self.db is None or kind in self._prefetched:
            return
        self._prefetched.add(kind)
        try:
            rows = self.db.execute("SELECT key, value FROM entries WHERE key >= ? AND key < ?",
                                   (f"{kind}:", f"{kind};")).fetchall()
        except Exception:
            return  # lookups one by one still work
        for key, value in rows:
            if key not in self.values:
                try:
                    self.values[key] = json.loads(value)
                except ValueError:
                    pass

    def memo(self, kind: str, key: str, compute):
        """A JSON value remembered by key across builds (e.g. a page's weight by its HTML digest)."""
        full = f"{kind}:{key}"
        self._used.add(full)
        value = self.values.get(full)
        if value is None:
            value = self._get(full)
        if value is None:
            value = compute()
            self._pending.append((full, value))
        self.values[full] = value
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether :meth:`memo` has the value in memory (read, prefetched or remembered)."""
        return f"{kind}:{key}" in self.values

    def count(self, prefix: str) -> int:
        """How many entries on disk have keys starting with ``prefix`` (``"md:"``); 0 without a database."""
        if self.db is None:
            return 0
        try:  # a range over the primary key: no table scan
            row = self.db.execute("SELECT count(*) FROM entries WHERE key >= ? AND key < ?",
                                  (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1))).fetchone()
            return row[0]
        except Exception:  # noqa: BLE001 - a damaged cache counts as empty
            return 0

    def recall(self, key: str):
        """A value :meth:`keep` stored under ``key``, or None."""
        value = self.values.get(key)
        return value if value is not None else self._get(key)

    def keep(self, key: str, value) -> None:
        """Store ``value`` under ``key`` at once (a key under ``build:`` is never pruned)."""
        self.values[key] = value
        self._put([(key, value)])

    def remember(self, kind: str, key: str, value) -> None:
        """Store a value :meth:`memo` will find, computed elsewhere (by a worker)."""
        full = f"{kind}:{key}"
        self._used.add(full)
        if self.values.get(full) != value:
            self.values[full] = value
            self._pending.append((full, value))

    def prune(self) -> None:
        """Delete what the build that just finished did not use: results for old versions of
        notes, pages and the search index would otherwise pile up with every edit. Call it
        only after a complete build (one that asked for everything it needs)."""
        if self.db is not None:
            try:
                keys = [key for (key,) in self.db.execute("SELECT key FROM entries")]
                stale = [(key,) for key in keys if key not in self._used and not key.startswith(_KEPT)]
                with self.db:
                    self.db.executemany("DELETE FROM entries WHERE key = ?", stale)
            except Exception:
                pass  # pruning is housekeeping: never fatal
        self._used = set()

    def flush(self) -> None:
        """Write remembered values and the input files' digests to disk in one transaction."""
        if self.files.changed:
            self._pending.append(("files", self.files.known))
            self.files.changed = False
        self._put(self._pending)
        self._pending = []

    def detach(self) -> None:
        """In a forked child: read the database through a connection of its own (one must not
        be used across a fork) and start counting what this process makes, for :meth:`made`."""
        # Kept, never used or closed here: closing it could checkpoint and remove the WAL the
        # parent is using. The child ends with os._exit, which runs no finalizers.
        self._inherited_db, self.db = self.db, None
        if self._inherited_db is not None:
            import sqlite3
            try:
                self.db = sqlite3.connect(self.path, check_same_thread=False)
            except sqlite3.Error:
                self.db = None  # every lookup misses: the child computes instead
        self._forked = (len(self._pending), set(self._used))
        self.counts.clear()

    def made(self) -> tuple[list, set, dict]:
        """In a forked child: the entries, used keys and counts since :meth:`detach`."""
        pending, used = self._forked
        return self._pending[pending:], self._used - used, dict(self.counts)

    def adopt(self, made: list, used: set, counts: dict) -> None:
        """Take in what a forked child :meth:`made`, as if this process had made it."""
        for key, value in made:
            self.values[key] = value
        self._pending.extend(made)
        self._used |= used
        self.counts.update(counts)

    def search_files(self, key: str):
        name = "search:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        self._used.add(name)
        if self.search and self.search[0] == key:
            return self.search[1]
        data = self._get(name)
        if isinstance(data, dict):
            files = {rel: text.encode("utf-8") for rel, text in data.items()}
            self.search = (key, files)
            return files
        return None

    def store_search(self, key: str, files: dict) -> None:
        self.search = (key, files)
        self._put([("search:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest(),
                    {rel: data.decode("utf-8") for rel, data in files.items()})])


class NoteStore(dict):
    """Parsed notes by file path, falling back to the on-disk cache; writes go to both."""

    cache: "BuildCache | None" = None

    def get(self, path, default=None):
        if self.cache is not None:
            self.cache._used.add("note:" + path)
        hit = super().get(path)
        if hit is None and self.cache is not None:
            data = self.cache._get("note:" + path)
            if data is not None:
                try:
                    hit = note_from_json(data)
                    super().__setitem__(path, hit)
                except (TypeError, ValueError, KeyError):
                    hit = None
        return default if hit is None else hit

    def __setitem__(self, path, value) -> None:
        super().__setitem__(path, value)
        if self.cache is not None:  # written with the build's other results, in one transaction
            self.cache._used.add("note:" + path)
            self.cache._pending.append(("note:" + path, note_to_json(value)))


