"""Running the image pipeline for a whole build (:func:`process_images`): cache look-ups, the
worker pool (:class:`generator.workers.Pool`) and placing cached files into the output folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

from .codec import _job, _read_checked, _write_atomic, cache_file
from .types import ImageError, ImagePlan, ImageSettings, ProcessReport, Variant
from ..progress import NO_PROGRESS
from ..workers import Pool


def _cached(path: Path) -> bool:
    try:
        return path.stat().st_size > 0  # a crash can leave an empty file behind
    except OSError:
        return False


def _same(src: Path, dst: Path) -> bool:
    try:
        s, d = src.stat(), dst.stat()
    except FileNotFoundError:
        return False
    return (s.st_ino, s.st_dev) == (d.st_ino, d.st_dev) or (s.st_size == d.st_size and s.st_mtime_ns == d.st_mtime_ns)


def _place(src: Path, dst: Path, kept: Path | None = None) -> bool:
    """Hardlink (else copy) a cache entry to ``dst``; False when already there (or at ``kept``,
    the published site's copy that an update leaves in place)."""
    if _same(src, dst) or (kept is not None and _same(src, kept)):
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        os.link(src, tmp)
    except OSError:  # another filesystem, or links unsupported
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return True


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(plans: list[ImagePlan], settings: ImageSettings, cache_dir: Path, out_dir: Path,
        workers: int | None, progress=None, kept_dir: Path | None = None) -> ProcessReport:
    """:func:`process_images`, with its arguments checked."""
    report, failed = ProcessReport(), {}
    key = settings.settings_key()
    jobs: dict[str, tuple[ImagePlan, dict[str, Variant]]] = {}
    for plan in plans:
        if plan.is_svg:
            continue
        if plan.settings_key != key:
            failed[plan.content_hash + plan.settings_key] = ImageError(
                "planned with other image settings", "plan it again", plan.source)
            continue
        for v in plan.outputs:  # stat only: cache hits never reach a decoder
            if not _cached(cache_file(cache_dir, plan, v)):
                jobs.setdefault(plan.content_hash, (plan, {}))[1][v.suffix] = v

    progress = progress if progress is not None else NO_PROGRESS

    def record(plan: ImagePlan, result: tuple[int, float, ImageError | None]) -> None:
        encoded, cpu, error = result
        report.cpu_seconds += cpu
        if error is None:
            report.decoded, report.encoded = report.decoded + 1, report.encoded + encoded
        else:
            failed[plan.content_hash + plan.settings_key] = error
        progress.advance()

    items = [(plan, list(vs.values())) for plan, vs in jobs.values()]
    # Largest sources first, so the pool does not end waiting on one big photo.
    items.sort(key=lambda item: -(item[0].width or 0) * (item[0].height or 0))
    n = min(workers or _cpu_count(), len(items))
    if items:  # only sources to decode are counted: placing cached files is quick
        progress.start("images", len(items))
    # One worker or none: in this process. A source that kills its worker (out of memory, a
    # codec crash) is reported, not decoded again here; the pool still does every other one.
    with Pool(n) as pool:
        for index, result in pool.run(_job, [(plan, vs, settings, cache_dir) for plan, vs in items],
                                      lost=lambda index, error: (0, 0.0, _died(items[index][0], error))):
            record(items[index][0], result)

    for plan in plans:
        error = failed.get(plan.content_hash + plan.settings_key)
        if error is not None:  # also for every other file with the same bytes
            if error.path != plan.source:
                error = ImageError(error.message, error.hint, plan.source)
            report.errors.append((plan, error))
            continue
        try:
            if plan.is_svg:
                data, dst = _read_checked(plan), out_dir / plan.fallback.path
                kept = kept_dir / plan.fallback.path if kept_dir is not None else None
                if not any(path is not None and path.exists() and path.read_bytes() == data for path in (dst, kept)):
                    _write_atomic(dst, data)
                    report.written += 1
                continue
            for v in plan.outputs:
                report.written += _place(cache_file(cache_dir, plan, v), out_dir / v.path,
                                         kept_dir / v.path if kept_dir is not None else None)
        except ImageError as exc:
            report.errors.append((plan, exc))
        except OSError as exc:
            report.errors.append((plan, ImageError(
                f"cannot write its files to {out_dir}: {exc}",
                "check free disk space and permissions", plan.source)))
    return report


def _died(plan: ImagePlan, exc: BaseException) -> ImageError:
    return ImageError(f"the image worker process died ({exc or type(exc).__name__})",
                      "it may have run out of memory; lower max_pixels or use fewer workers",
                      plan.source)


def process_images(plans: Iterable[ImagePlan], settings: ImageSettings, cache_dir: Path,
                   out_dir: Path, workers: int | None = None,
                   progress=None, kept_dir: Path | None = None) -> ProcessReport:
    """Make every file of every plan under ``out_dir`` (at each ``Variant.path``).

    Files are rendered into ``cache_dir`` (keyed by content hash and settings key, and
    checked before anything is decoded) and then hardlinked, or copied when linking is
    impossible, into ``out_dir``. Sources that need work are decoded once each, in a
    process pool of ``workers`` processes (default: all usable cores; in-process when
    there is a single job). ``progress`` (a :class:`generator.progress.Progress`) counts the
    sources decoded, as the ``images`` stage; by default nothing is shown. Errors are collected in the report, never raised, so a build
    can list them all. Same inputs and settings give byte-identical files. A file already right
    in ``kept_dir`` (the published site, which an update leaves in place) is not placed again.
    """
    return run(list(plans), settings, Path(cache_dir), Path(out_dir), workers, progress, kept_dir)
