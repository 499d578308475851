"""Build orchestration: the stages, in order, from ``talknotes.yaml`` to ``output/``.

Each stage takes what the previous one produced. Problems are collected per stage; the build
stops before writing if any is an error, so a published ``output/`` is never damaged.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import BuildCache, load_manifest, save_manifest
from .config import Config, load_config
from .content import load_content
from .errors import BuildError, Problem
from .output import Writer, discard, prepare_staging, publish, put_aside, spare_dir
from .progress import NO_PROGRESS
from .routes import Urls, build_routes, check_routes
from .site import build_site


@dataclass
class BuildResult:
    """What a finished build reports."""

    output: Path
    pages: int = 0
    files: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    report: dict | None = None  # build-report.json: page weights and carbon (generator/report.py)


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


class _Stages:
    """Times each stage and gathers problems."""

    def __init__(self, cache):
        self.cache = cache
        self.timings: dict[str, float] = {}
        self.problems: list[Problem] = []

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def add(self, problems) -> None:
        self.problems.extend(problems)

    def stop_on_errors(self) -> None:
        if any(p.is_error for p in self.problems):
            raise BuildError([p for p in self.problems if p.is_error])

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def _early_workers(options: BuildOptions, config: Config, cache: BuildCache):
    """Markdown workers started now, if this build will render many documents (see
    :class:`~generator.documents.MarkdownWorkers`); None for the dev server and small changes."""
    import os
    from .documents import MarkdownWorkers, fork_is_safe
    cores = os.cpu_count() or 1
    if options.in_place or cores < 2 or not fork_is_safe() or not MarkdownWorkers.worth_starting(config.root, cache):
        return None
    return MarkdownWorkers(config.root, config.markdown["raw_html"], cores)


def load_site_config(options: BuildOptions) -> tuple[Config, list[Problem]]:
    config, problems = load_config(options.source)
    if options.base_url:
        try:
            config = config.with_base_url(options.base_url)
        except ValueError as exc:
            problems.append(Problem("--base-url", None, None, str(exc),
                                    "give a URL like https://example.org/talks/ or a path like /talks/"))
    return config, problems


def today_in(config: Config) -> dt.date:
    from zoneinfo import ZoneInfo
    return dt.datetime.now(ZoneInfo(config.timezone)).date()


def build(options: BuildOptions, cache: BuildCache | None = None) -> BuildResult:
    """Build the site; raises :class:`BuildError` listing every problem if it cannot.

    ``cache`` carries results between builds in one process (``talknotes serve``); without
    it a fresh one is used. Either way only what changed is rendered and written.
    ``options.progress`` shows each stage while it runs; its line is cleared when this returns.
    """
    try:
        return _build(options, cache)
    finally:
        options.progress.finish()  # the caller's next line (summary, warnings) starts clean


def _build(options: BuildOptions, cache: BuildCache | None) -> BuildResult:
    """:func:`build`, without clearing the progress line."""
    from .documents import render_documents
    from .render import static_assets, write_site
    from .searchstage import SearchStage

    cache = cache if cache is not None else BuildCache()
    cache.counts.clear()
    run = _Stages(cache)
    progress = options.progress
    progress.start("load")
    with run.stage("load"):
        config, problems = load_site_config(options)
        run.add(problems)
        cache.attach(config.cache_path())
        from .theme import load_theme
        theme, theme_problems = load_theme(config.root, config.theme, config.lines.get("theme"))
        output = options.output or config.root / "output"
        today = options.today or today_in(config)
        spare = spare_dir(config.cache_path(), output)  # the site the last build replaced (output.py)
        signature = workers = None
        try:
            # A cold build's Markdown workers get ready while this process loads the notes; with
            # no earlier build to compare with, they start before the inputs are even digested.
            saved = _saved_build(cache, output)
            first = saved is None
            if first and not problems:
                workers = _early_workers(options, config, cache)
            # The dev server rebuilds only after a change, so checking for "no change" would be wasted.
            if not problems and theme is not None and not options.in_place:
                signature = input_signature(config, options, theme, output, today, cache.files.digest)
                unchanged = None if first else unchanged_build(cache, config, output, signature, saved)
                if unchanged is not None:
                    put_aside(output, spare)
                    unchanged.timings = run.timings
                    cache.files.forget_unused()
                    cache.flush()
                    return unchanged
            if not first and not problems:
                workers = _early_workers(options, config, cache)
            content = load_content(config.root, cache.notes, cache.files.digest)
            run.add(content.problems)
            site = build_site(content, today, options.drafts, config.related_notes,
                              memo=lambda key, compute: cache.memo("related", key, compute))
            run.add(check_routes(site))
            run.add(theme_problems)
            out = _Output(options, config, cache, run, site, output, spare)
        except BaseException:
            if workers is not None:
                workers.close()
            raise

    search = None
    try:
        # Markdown and images run even when some files failed to load, so one run reports every
        # problem; images are processed first because only decoding finds a truncated file.
        with run.stage("markdown"):
            from .media import Media
            media = Media.for_config(config)
            early = {}

            def meanwhile() -> None:  # in this process, while Markdown workers render
                out.prepare(folders=True)
                if theme is not None and not any(p.is_error for p in run.problems):
                    __import__("jinja2")  # the page stage's, imported while this process waits
                    early["static"] = static_assets(theme, cache)

            progress.start("markdown", len(site.notes) + len(site.pages))
            documents = render_documents(site, content, config, media, cache, pool=workers, meanwhile=meanwhile,
                                         progress=progress)
            for rendered in documents.values():
                run.add(rendered.problems)
            for note in site.notes:
                media.cover(note)
            run.add(media.problems)
        out.prepare()
        staging, writer = out.staging, out.writer
        progress.start("images")
        with run.stage("images"):
            run.add(media.process(staging, progress))
            for rel in media.outputs():
                writer.adopt(rel)
        run.stop_on_errors()
        routes = out.routes or build_routes(site, config.per_page)
        urls = Urls(config.base_path, config.origin)  # without the static files' names (not needed here)
        progress.start("search")
        with run.stage("search"):
            search = SearchStage(site, urls, documents, cache)
            if not options.in_place:
                search.start()  # in a child process, while this one renders the pages
        from .report import PageWeights
        weights = PageWeights(cache, writer, staging, urls, config.base_url)
        progress.start("pages", len(routes))
        pages = write_site(writer, run, site, content, config, theme, routes, documents, media, weights,
                           static=early.get("static"), progress=progress)
        run.add(writer.problems)
        run.stop_on_errors()
        if options.on_pages_ready is not None:
            options.on_pages_ready()  # the dev server may serve the pages while the rest finishes
        progress.start("search")
        with run.stage("search"):
            def release_html() -> None:  # peak memory on big sites; the dev server keeps its cache
                documents.clear()
                cache.markdown.clear()
                cache.record_digests.clear()
            search.write(writer, pages.urls, release=None if options.in_place else release_html)
        progress.start("report")
        with run.stage("report"):  # last: it measures and lists every file written so far
            from .netlify import write_deploy_files
            from .report import write_report
            seen = len(writer.problems)
            report = write_report(writer, staging, routes, urls, config.budgets, memo=weights.memo)
            run.add(write_deploy_files(writer, staging, site, urls))
            run.add(writer.problems[seen:])
        run.stop_on_errors()
        progress.start("write")
        with run.stage("write"):
            cache.files.forget_unused()
            cache.flush()
            manifest = writer.finish()
            if not options.in_place:
                publish(staging, output, background_cleanup=options.background_cleanup, spare=spare)
            save_manifest(cache, config.cache_path(), output, manifest)
            cache.prune()
        cache.counts.update(pages=pages.rendered, written=writer.written, reused=writer.reused)
    except BaseException:
        if workers is not None:
            workers.close()  # render_documents closes them, unless it never ran
        if search is not None:
            search.close()
        cache.flush()  # what was parsed and rendered is still right: keep it for the next build
        if not options.in_place and out.staging is not None:
            discard(out.staging, spare)
        raise
    result = BuildResult(output, pages=len(routes), files=len(writer.owners), warnings=run.warnings,
                         timings=run.timings, report=report)
    if signature is not None:
        remember_build(cache, output, signature, result)
    return result


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
        reconcile = False
        if self.options.in_place:
            self.output.mkdir(parents=True, exist_ok=True)
            self.staging = self.output
        else:
            self.staging, reconcile = prepare_staging(self.output, self.spare)
        self.writer = Writer(self.staging, self.output, manifest, in_place=self.options.in_place,
                             reconcile=reconcile)
        # Routes of a site with errors are never used, and in place the live site gets no
        # folder before the build is known to succeed.
        if folders and not self.options.in_place and not any(p.is_error for p in self.run.problems):
            self.routes = build_routes(self.site, self.config.per_page)
            urls = Urls(self.config.base_path, self.config.origin)
            self.writer.make_folders(urls.output_file(route.endpoint, **route.params) for route in self.routes)


def input_signature(config: Config, options: BuildOptions, theme, output: Path, today: dt.date,
                    digest_of=None) -> str:
    """A digest of everything a build reads: settings, options, the date, and the bytes of every
    file under content/ and in the theme chain (content digests, not mtimes)."""
    import dataclasses
    import hashlib

    from .filedigests import read_digest
    from .scan import walk
    from .theme import BUILTIN
    digest_of = digest_of or (lambda path, stat=None: read_digest(path))
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((__version__, options.drafts, options.in_place, str(output.resolve()), today.isoformat(),
                        dataclasses.replace(config, lines={}))).encode())
    for folder in [config.root / "content", *theme.template_dirs, *theme.static_dirs, BUILTIN]:
        for rel, entry in walk(folder):
            if entry.is_file():
                try:
                    found = digest_of(entry.path)
                except OSError:  # gone or unreadable: loading reports it
                    found = "unreadable"
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
    for rel, entry in manifest.items():
        try:
            stat = (output / rel).stat()
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns) != (entry[1], entry[2]):
            return None
    try:
        report = json.loads((output / "build-report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    cache.counts["unchanged"] = 1
    return BuildResult(output, pages=saved["pages"], files=saved["files"],
                       warnings=[Problem(**w) for w in saved["warnings"]], report=report)


def _saved_build(cache: BuildCache, output: Path) -> dict | None:
    """What :func:`remember_build` kept of the last build into ``output``, if anything."""
    key = "build:" + str(output.resolve())
    return cache.values.get(key) or cache._get(key)


def remember_build(cache: BuildCache, output: Path, signature: str, result: BuildResult) -> None:
    import dataclasses
    key = "build:" + str(output.resolve())
    value = {"signature": signature, "pages": result.pages, "files": result.files,
             "warnings": [dataclasses.asdict(w) for w in result.warnings]}
    cache.values[key] = value
    cache._put([(key, value)])
