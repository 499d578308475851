"""``talknotes import pyvideo|pelican|hugo|jekyll PATH``: read, plan, stage, apply, summarise.

Exit status: 0 when every record was read, 1 when any failed (each named with its file and
line on standard error; the others are imported all the same), 2 when the site or ``PATH``
is not usable. A damaged manifest is refused before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..model.errors import CommandError

SOURCES = ("pyvideo", "pelican", "hugo", "jekyll")


def read_source(kind: str, path: Path, shown: str, aliases: bool):
    """The :class:`~.common.Batch` of one source."""
    if kind == "pyvideo":
        from .pyvideo import read
        return read(path, shown, aliases=aliases)
    if not path.is_dir():
        raise CommandError(f"{shown} is not a folder", f"give the {kind} site's folder")
    if kind == "pelican":
        from .pelican import read
    elif kind == "hugo":
        from .hugo import read
    else:
        from .jekyll import read
    return read(path, shown)


def import_site(root: Path, kind: str, path: Path, shown: str | None = None, aliases: bool = False):
    """Import ``path`` into the site at ``root``; returns (batch, actions). Raises CommandError."""
    from ..config.settings import load_config
    from . import manifest as mf
    from .plan import Planner
    from .staging import apply
    config, _ = load_config(root)  # a bad setting falls back to its default; the build reports it
    batch = read_source(kind, path, shown or str(path), aliases)
    manifest = mf.load(root)
    plan = Planner(root, manifest, config.language).plan(batch)
    batch.problems += plan.problems
    apply(root, plan.actions, manifest)
    return batch, plan.actions


def run(args, source: Path) -> int:
    """The command: print the summary, problems on standard error; the exit status."""
    from .summary import lines
    if not (source / "talknotes.yaml").is_file() and not (source / "content").is_dir():
        print(f"talknotes: {source} is not a site folder (no talknotes.yaml or content/)", file=sys.stderr)
        return 2
    path = Path(args.path)
    shown = args.path
    if not path.exists():
        print(f"talknotes import: no such file or folder: {shown}", file=sys.stderr)
        return 2
    try:
        batch, actions = import_site(source, args.source_kind, path.resolve(), shown,
                                     aliases=getattr(args, "aliases", False))
    except CommandError as exc:
        print(f"talknotes import: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: nothing is half-written (staging.py)
        where = f" {exc.filename}" if exc.filename else ""
        print(f"talknotes import: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    from ..model.errors import sort_problems
    try:
        for line in lines(args.source_kind, shown, actions, batch.skipped, len(batch.problems)):
            print(line)
        for found in sort_problems(batch.problems):
            print(found, file=sys.stderr)
    except BrokenPipeError:  # the summary piped into `head`: the import itself is done
        return 1 if batch.problems else 0
    if batch.problems:
        print(f"{len(batch.problems)} record(s) could not be imported; the rest were.", file=sys.stderr)
        return 1
    return 0
