"""The manifest of a published site: each file's digest, size and mtime as the last build left
it (:class:`~generator.output.writer.OutputFile`), kept in the store's ``output_files`` table. It is
what lets a build trust an unchanged file without reading it."""

from __future__ import annotations

from pathlib import Path

from .store import BuildCache
from ..output.writer import OutputFile


def load_manifest(cache: BuildCache, cache_dir: Path, output: Path) -> dict[str, OutputFile]:
    """The files of ``output`` as last published, by path; empty when unknown (or the store is new).

    Read from the store's ``output_files`` table once per process, then kept in ``cache``."""
    key = str(output.resolve())
    if key in cache.manifests:
        return cache.manifests[key]
    cache.attach(cache_dir)
    manifest: dict[str, OutputFile] = {}
    if cache.db is not None:
        try:
            rows = cache.db.execute("SELECT path, digest, size, mtime_ns, key, site_attrs FROM output_files "
                                    "WHERE output = ?", (key,)).fetchall()
            manifest = {path: OutputFile(digest, size, mtime, page_key, tuple(attrs.split()) if attrs else ())
                        for path, digest, size, mtime, page_key, attrs in rows}
        except Exception:  # noqa: BLE001 - a damaged table is an unknown site: every file is written
            manifest = {}
    cache.manifests[key] = manifest
    return manifest


def save_manifest(cache: BuildCache, cache_dir: Path, output: Path, manifest: dict[str, OutputFile]) -> None:
    """Record ``manifest`` as what ``output`` now holds. Only the rows that differ from the
    manifest loaded (or saved) last are written: a build that changed one note writes a few."""
    key = str(output.resolve())
    before = cache.manifests.get(key)
    cache.manifests[key] = manifest
    cache.attach(cache_dir)
    if cache.db is None:
        return
    if before is None:
        changed, gone = manifest.items(), None
    else:
        changed = [(rel, entry) for rel, entry in manifest.items() if before.get(rel) != entry]
        gone = [(key, rel) for rel in before if rel not in manifest]
    _write_rows(cache, key, changed, gone)


def update_manifest(cache: BuildCache, cache_dir: Path, output: Path, entries: dict[str, OutputFile],
                    gone=()) -> None:
    """Record that these files of ``output`` are now as ``entries`` say, those in ``gone`` were
    deleted, and the others are as they were: the rows an edit changed, without a pass over the rest."""
    manifest = load_manifest(cache, cache_dir, output)
    manifest.update(entries)
    for rel in gone:
        manifest.pop(rel, None)
    if cache.db is not None:
        key = str(output.resolve())
        _write_rows(cache, key, entries.items(), [(key, rel) for rel in gone])


def _write_rows(cache: BuildCache, key: str, changed, gone) -> None:
    """``changed`` (rel, entry) rows in, ``gone`` (output, rel) rows out; all rows if ``gone`` is None."""
    try:
        with cache.db:
            if gone is None:
                cache.db.execute("DELETE FROM output_files WHERE output = ?", (key,))
            elif gone:
                cache.db.executemany("DELETE FROM output_files WHERE output = ? AND path = ?", gone)
            cache.db.executemany("INSERT OR REPLACE INTO output_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 ((key, rel, e.digest, e.size, e.mtime_ns, e.key, " ".join(e.site_attrs))
                                  for rel, e in changed))
    except Exception:  # noqa: BLE001 - stale rows are harmless: an entry is trusted only if its file's stat matches
        pass
