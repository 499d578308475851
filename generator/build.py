"""``talknotes build``: the stages of generator/pipeline.py in order, from ``talknotes.yaml`` to
``output/``, with what only a build does: the no-change shortcut, early Markdown workers, the
search index, the report and the atomic publish.

Each stage takes the earlier stages' results. Problems are gathered as it goes; the build stops
before publishing if any is an error, so a published ``output/`` is never damaged.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .incremental.store import BuildCache
from .incremental.manifest import load_manifest, save_manifest
from .incremental.toolchain import toolchain
from .config.settings import Config
from .model.errors import Problem
from .output.writer import Writer
from .output.publish import (apply_update, discard, finish_interrupted_update, is_small_update, prepare_staging,
                             publish, put_aside, spare_dir, start_update)
from .pipeline import (Settings, Stages, document_count, load_model, load_settings, process_images,
                       render_markdown, render_pages, today_in)
from .progress import NO_PROGRESS
from .model.routes import Urls, build_routes

__all__ = ["BuildOptions", "BuildResult", "build", "load_site_config", "today_in"]


@dataclass
class BuildResult:
    """What a finished build reports."""

    output: Path
    pages: int = 0
    files: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # build-report.json: page weights and carbon (generator/output/report.py); after a build
    # that found nothing changed, all but its list of pages (which the file still has).
    report: dict | None = None
    # In place (the dev server): what the build made, for the edits that follow (commands/live.py).
    built: object = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class BuildOptions:
    source: Path
    output: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    today: dt.date | None = None  # fixed by tests; defaults to today in the site's time zone
    in_place: bool = False  # update the output where it is (the dev server) instead of swapping it
    on_pages_ready: object = None  # called once every page is written, before search and report
    background_cleanup: bool = False  # delete the replaced site in a background process (the CLI)
    progress: object = NO_PROGRESS  # a progress.Progress: each stage and its count, on a terminal


def load_site_config(options: BuildOptions) -> tuple[Config, list[Problem]]:
    """The site's settings with the options' ``--base-url`` applied (see pipeline.py)."""
    from .pipeline import load_site_config as load
    return load(options.source, options.base_url)


def build(options: BuildOptions, cache: BuildCache | None = None) -> BuildResult:
    """Build the site; raises :class:`BuildError` listing every problem if it cannot.

    ``cache`` carries results between builds in one process (``talknotes serve``); without
    it a fresh one is used. Either way only what changed is rendered and written.
    ``options.progress`` shows each stage while it runs; its line is cleared when this returns.
    """
    try:
        return _build(options, cache if cache is not None else BuildCache())
    finally:
        options.progress.finish()  # the caller's next line (summary, warnings) starts clean


def _build(options: BuildOptions, cache: BuildCache) -> BuildResult:
    cache.counts.clear()
    run = Stages(cache, options.progress)
    settings = run.run("load", _load_settings, options, cache)
    run.add(settings.problems)
    config = settings.config
    output = options.output or config.root / "output"
    spare = spare_dir(config.cache_path(), output)  # the site the last build replaced (publish.py)
    if not options.in_place:
        finish_interrupted_update(output)  # a killed build's committed update, completed first
    workers, signature, inputs = None, None, []
    try:
        with run.stage("load"):
            # A cold build's Markdown workers get ready while this process loads the notes; with
            # no earlier build to compare with, they start before the inputs are even digested.
            saved = _saved_build(cache, output)
            if saved is None and not run.problems:
                workers = _early_workers(options, config, cache)
            # The dev server rebuilds only after a change, so checking for "no change" would be wasted.
            if not run.problems and settings.theme is not None and not options.in_place:
                signature = input_signature(config, options, settings.theme, output, settings.today,
                                            cache.files.digest, inputs)
                unchanged = None if saved is None else unchanged_build(cache, config, output, signature, saved)
                if unchanged is not None:
                    put_aside(output, spare)
                    unchanged.timings = run.timings
                    cache.files.forget_unused()
                    cache.flush()
                    return unchanged
            if saved is not None and not run.problems:
                workers = _early_workers(options, config, cache)
        model = run.run("load", load_model, settings, options.drafts, cache)
        run.add(model.problems)
        out = _Output(options, config, cache, run, model.site, output, spare)
    except BaseException:
        if workers is not None:
            workers.close()
        raise

    search = None
    try:
        # Markdown and images run even when some files failed to load, so one run reports every
        # problem; images are processed first because only decoding finds a truncated file.
        early = {}

        def meanwhile() -> None:  # in this process, while Markdown workers render
            out.prepare(folders=True)
            if settings.theme is not None and not run.has_errors:
                from .render.pages import static_assets
                __import__("jinja2")  # the page stage's, imported while this process waits
                early["static"] = static_assets(settings.theme, cache)

        markdown = run.run("markdown", render_markdown, settings, model, cache, workers, meanwhile,
                           options.progress, total=document_count(model))
        run.add(markdown.problems)
        out.prepare()
        staging, writer = out.staging, out.writer
        run.add(run.run("images", process_images, markdown, writer, staging, options.progress))
        run.stop_on_errors()
        routes = out.routes or build_routes(model.site, **config.page_sizes)
        urls = Urls(config.base_path, config.origin)  # without the static files' names (not needed here)
        arrangement, changed = _arrangement(cache, config, model, markdown, output, writer, inputs, signature)
        search = run.run("search", _start_search, model, urls, markdown, cache, options.in_place)
        from .output.report import PageWeights
        weights = PageWeights(cache, writer.digest, lambda rel: str(writer.path(rel)), urls, config.base_url)
        pages = run.run("pages", render_pages, run, settings, model, markdown, writer, routes, weights,
                        early.get("static"), options.progress, changed, total=len(routes))
        run.stop_on_errors()
        if not options.in_place:
            pages.release()  # no page is rendered after this: free the fragments before the report
        if options.on_pages_ready is not None:
            options.on_pages_ready()  # the dev server may serve the pages while the rest finishes
        run.run("search", _finish_search, search, writer, pages, markdown, cache, options.in_place)
        report = run.run("report", _report, run, writer, staging, routes, urls, model, config, weights, cache)
        run.stop_on_errors()
        run.run("write", _publish, options, cache, config, writer, staging, output, spare, arrangement)
        cache.counts.update(pages=pages.rendered, written=writer.written, reused=writer.reused,
                            fingerprinted=pages.fingerprinted)
    except BaseException:
        if workers is not None:
            workers.close()  # render_documents closes them, unless it never ran
        if search is not None:
            search.close()
        cache.flush()  # what was parsed and rendered is still right: keep it for the next build
        if out.writer is not None and out.writer.update:
            shutil.rmtree(out.staging, ignore_errors=True)  # output/ was not touched
        elif not options.in_place and out.staging is not None:
            discard(out.staging, spare)
        raise
    result = BuildResult(output, pages=len(routes), files=len(writer.owners), warnings=run.warnings,
                         timings=run.timings, report=report)
    if options.in_place:
        from .commands.live import Built
        result.built = Built(settings, model, markdown, routes, pages, output, options.today, report)
    if signature is not None:
        remember_build(cache, output, signature, result)
    return result


def _load_settings(options: BuildOptions, cache: BuildCache) -> Settings:
    settings = load_settings(options.source, options.base_url, options.today)
    cache.attach(settings.config.cache_path())
    return settings


def _early_workers(options: BuildOptions, config: Config, cache: BuildCache):
    """Markdown workers started now, if this build will render many documents (see
    :class:`~generator.markdown.stage.MarkdownWorkers`); None for the dev server and small changes."""
    import os
    from .markdown.stage import MarkdownWorkers
    from .workers import fork_is_safe
    cores = os.cpu_count() or 1
    if options.in_place or cores < 2 or not fork_is_safe() or not MarkdownWorkers.worth_starting(config.root, cache):
        return None
    return MarkdownWorkers(config.root, config.markdown["raw_html"], cores, config.markdown.get("speedups", True))


def _start_search(model, urls, markdown, cache, in_place: bool):
    """The search stage, started in a child process while this one renders the pages (not in
    the dev server, which keeps threads and so cannot fork)."""
    from .search.stage import SearchStage
    search = SearchStage(model.site, urls, markdown.documents, cache)
    if not in_place:
        search.start(rendered=cache.counts.get("markdown", 0))
    return search


def _finish_search(search, writer, pages, markdown, cache, in_place: bool) -> None:
    """Join the search child (or run it here) and write the index."""
    def release_html() -> None:  # peak memory on big sites; the dev server keeps its cache
        markdown.documents.clear()
        cache.markdown.clear()
        cache.record_digests.clear()
    search.write(writer, pages.urls, release=None if in_place else release_html)


def _report(run, writer, staging, routes, urls, model, config, weights, cache) -> dict:
    """Last before publishing: it measures and lists every file written so far."""
    from .output.netlify import write_deploy_files
    from .output.report import write_report
    seen = len(writer.problems)
    report = write_report(writer, staging, routes, urls, config.budgets, memo=weights.memo)
    origins = lambda key, compute: cache.memo("frame-origins", key, compute)  # noqa: E731
    run.add(write_deploy_files(writer, staging, model.site, urls, origins))
    run.add(writer.problems[seen:])
    return report


def _arrangement(cache, config, model, markdown, output, writer, inputs, signature):
    """This build's arrangement (incremental/arrangement.py), and the notes whose text alone
    changed since the last build, or None when the pages must all be fingerprinted (or no build
    follows from this process: the dev server)."""
    if signature is None:
        return None, None
    from .incremental.arrangement import frame_digest, load_arrangement, of_site
    site, digests, documents = model.site, model.content.digests, markdown.documents
    frame = frame_digest(inputs, str(config.root), model.content.notes, site.notes)
    before = load_arrangement(cache, output) if writer.old else None
    changed = before.changed_notes(frame, site.notes, digests, documents) if before is not None else None
    after = before.after(frame, site.notes, digests, documents, changed) if before is not None else \
        of_site(frame, site.notes, digests, documents)
    cache.counts["changed notes"] = -1 if changed is None else len(changed)
    return after, changed


def _publish(options, cache, config, writer, staging, output, spare, arrangement=None) -> None:
    """Keep the caches, then swap the staged site into ``output/`` in one step."""
    cache.files.forget_unused()
    cache.flush()
    manifest = writer.finish()
    if writer.update and is_small_update(writer.changes(), len(manifest)):
        apply_update(staging, output, writer.removed)
    elif not options.in_place:
        if writer.update:
            writer.link_unchanged()  # a large change: the whole new site is swapped in at once
        publish(staging, output, background_cleanup=options.background_cleanup, spare=spare)
    save_manifest(cache, config.cache_path(), output, manifest)
    if arrangement is not None:  # only now: it describes the site published
        from .incremental.arrangement import save_arrangement
        save_arrangement(cache, output, arrangement)
    cache.prune()


class _Output:
    """The staging folder and its writer, prepared once: while the Markdown workers render when
    there are some, with the route table and every page's folder (so the page workers make
    none), else just after the Markdown stage."""

    def __init__(self, options: BuildOptions, config: Config, cache: BuildCache, run, site, output: Path,
                 spare: Path):
        self.options, self.config, self.cache, self.run, self.site = options, config, cache, run, site
        self.output, self.spare = output, spare
        self.staging: Path | None = None
        self.writer: Writer | None = None
        self.routes = None

    def prepare(self, folders: bool = False) -> None:
        if self.writer is not None:
            return
        manifest = load_manifest(self.cache, self.config.cache_path(), self.output)
        reconcile = update = False
        if self.options.in_place:
            self.output.mkdir(parents=True, exist_ok=True)
            self.staging = self.output
        elif manifest and self.output.is_dir():
            # The published site is known: stage only what this build writes (publish.py).
            put_aside(self.output, self.spare)  # a killed build's staging folder, if any
            self.staging, update = start_update(self.output), True
        else:
            self.staging, reconcile = prepare_staging(self.output, self.spare)
        self.writer = Writer(self.staging, self.output, manifest, in_place=self.options.in_place,
                             reconcile=reconcile, update=update)
        # Routes of a site with errors are never used, in place the live site gets no folder
        # before the build is known to succeed, and an update makes only the folders it writes into.
        if folders and not self.options.in_place and not self.run.has_errors:
            self.routes = build_routes(self.site, **self.config.page_sizes)
            if not update:
                urls = Urls(self.config.base_path, self.config.origin)
                self.writer.make_folders(urls.output_file(route.endpoint, **route.params) for route in self.routes)


def input_signature(config: Config, options: BuildOptions, theme, output: Path, today: dt.date,
                    digest_of=None, entries: list | None = None) -> str:
    """A digest of everything a build reads: settings, options, the date, and the bytes of every
    file under content/ and in the theme chain (content digests, not mtimes). ``entries``, when
    given, receives ``("", the settings' part)`` and then (path, digest) of each file."""
    import dataclasses
    import hashlib

    from .incremental.filedigests import read_digest
    from .model.scan import walk
    from .render.theme import BUILTIN
    digest_of = digest_of or (lambda path, stat=None: read_digest(path))
    digest = hashlib.blake2b(digest_size=20)
    header = repr((toolchain(), options.drafts, options.in_place, str(output.resolve()), today.isoformat(),
                   dataclasses.replace(config, lines={})))
    digest.update(header.encode())
    if entries is not None:
        entries.append(("", header))
    for folder in [config.root / "content", *theme.template_dirs, *theme.static_dirs, BUILTIN]:
        for rel, entry in walk(folder):
            if entry.is_file():
                try:
                    found = digest_of(entry.path)
                except OSError:  # gone or unreadable: loading reports it
                    found = "unreadable"
                if entries is not None:
                    entries.append((entry.path, found))
                digest.update(f"{entry.path}\0{found}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def unchanged_build(cache: BuildCache, config: Config, output: Path, signature: str,
                    saved: dict | None = None) -> "BuildResult | None":
    """The last build's result when nothing it read has changed and its output is intact
    (``saved``: what :func:`_saved_build` gave, if it was already read)."""
    import json
    saved = saved if saved is not None else _saved_build(cache, output)
    if not saved or saved.get("signature") != signature:
        return None
    manifest = load_manifest(cache, config.cache_path(), output)
    if not manifest:
        return None
    folder = str(output)
    for rel, entry in manifest.items():
        try:
            stat = os.stat(os.path.join(folder, rel))  # no Path per file: there may be 40,000
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return None
    report = saved.get("report")  # the report's summary; its page list stays in build-report.json
    if report is None:
        try:
            report = json.loads((output / "build-report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report = None
    cache.counts["unchanged"] = 1
    return BuildResult(output, pages=saved["pages"], files=saved["files"],
                       warnings=[Problem(**w) for w in saved["warnings"]], report=report)


def _saved_build(cache: BuildCache, output: Path) -> dict | None:
    """What :func:`remember_build` kept of the last build into ``output``, if anything."""
    return cache.recall("build:" + str(output.resolve()))


def remember_build(cache: BuildCache, output: Path, signature: str, result: BuildResult) -> None:
    import dataclasses
    key = "build:" + str(output.resolve())
    value = {"signature": signature, "pages": result.pages, "files": result.files,
             "warnings": [dataclasses.asdict(w) for w in result.warnings],
             "report": {k: v for k, v in result.report.items() if k != "pages"} if result.report else None}
    cache.keep(key, value)
