"""What one build keeps for the next: parsed notes, rendered Markdown, the search index, and
the manifest of the published site. ``talknotes serve`` keeps one in memory between rebuilds;
the manifest is also stored in the cache folder so a later ``talknotes build`` reuses files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__


@dataclass
class BuildCache:
    """Results of earlier builds, each keyed by the content it was computed from."""

    notes: dict = field(default_factory=dict)      # file path -> (bytes digest, record, problems)
    markdown: dict = field(default_factory=dict)   # render key -> Rendered
    search: tuple | None = None                    # (docs key, files)
    manifests: dict = field(default_factory=dict)  # output folder -> manifest
    counts: Counter = field(default_factory=Counter)  # what the last build did, for tests and --timings

    def markdown_key(self, *parts) -> str:
        text = "\0".join(map(str, (__version__, *parts)))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _manifest_file(cache_dir: Path, output: Path) -> Path:
    name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"manifest-{name}.json"


def load_manifest(cache: BuildCache, cache_dir: Path, output: Path) -> dict:
    """The manifest of ``output`` as last published; empty when unknown, foreign or corrupt."""
    key = str(output.resolve())
    if key in cache.manifests:
        return cache.manifests[key]
    try:
        data = json.loads(_manifest_file(cache_dir, output).read_text(encoding="utf-8"))
        if data.get("generator") == __version__ and data.get("output") == key and isinstance(data.get("files"), dict):
            return data["files"]
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def save_manifest(cache: BuildCache, cache_dir: Path, output: Path, manifest: dict) -> None:
    key = str(output.resolve())
    cache.manifests[key] = manifest
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = _manifest_file(cache_dir, output)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"generator": __version__, "output": key, "files": manifest}), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower
