"""The render stages: Markdown for every document, then templates, assets and feeds."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import os

from .. import __version__
from ..config.settings import Config
from ..model.content import Content, Note
from ..images.media import attachments
from ..markdown.rendered import document_key
from ..markdown.rendered import Rendered
from ..output.writer import Writer
from ..progress import NO_PROGRESS
from ..model.routes import Route, Urls
from ..model.site import Site
from ..model.slugs import slugify
from ..incremental.fingerprint import Fingerprints, TrackedSite
from .fragments import FragmentMemo
from .theme import Theme, fingerprint, make_environment, static_files, template_problem
from ..workers import Pool, fork_is_safe

HIGHLIGHT_STYLES = {"css/highlight-light.css": "default", "css/highlight-dark.css": "github-dark"}
WORDS_PER_MINUTE = 220


def _long_date(value: dt.date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def _month_name(number: int) -> str:
    return calendar.month_name[number]


def static_assets(theme: Theme, cache=None) -> tuple[dict[str, str], dict[str, bytes]]:
    """Fingerprinted paths of every static file, and their bytes (theme files and generated CSS).

    The highlighting stylesheets depend only on Pygments' version and the style, so the cache
    keeps them: a rebuild then needs no Pygments formatter or style at all."""
    import pygments

    from ..markdown.rendered import pygments_css
    data = {logical: path.read_bytes() for logical, path in static_files(theme).items()}
    for logical, style in HIGHLIGHT_STYLES.items():
        if logical not in data:
            css = (cache.memo("css", f"{pygments.__version__}|{style}", lambda: pygments_css(style))
                   if cache is not None else pygments_css(style))
            data[logical] = css.encode()
    return {logical: fingerprint(logical, blob) for logical, blob in sorted(data.items())}, data


class PageRenderer:
    """Renders templates to files, skipping any whose inputs are unchanged since the last build."""

    def __init__(self, env, writer: Writer, run, config: Config, fingerprints: Fingerprints, tracked: TrackedSite):
        self.env, self.writer, self.run, self.config = env, writer, run, config
        self.fingerprints, self.tracked = fingerprints, tracked
        self.rendered = 0
        self.fingerprinted = 0  # pages whose fingerprint was computed to decide whether to render them
        self.weights = None  # a report.PageWeights: page workers measure what they write
        # An arrangement.Shows when only some notes' text changed since the last build: a page
        # showing none of them is the file published last time (see incremental/arrangement.py).
        self.shows = None

    def release(self) -> None:
        """Free what only rendering needs, the cached fragments and the digests of context
        values, when no render follows (a build; the dev server keeps them for the next edit)."""
        self.env.globals["cached"].clear()
        self.fingerprints.release()

    def _reuse(self, rel: str, template: str, context: dict, owner: str) -> bool:
        """Keep the previous build's file if everything it was rendered from is unchanged."""
        previous = self.writer.old.get(rel)
        if previous and previous[3]:
            # The ``site`` attributes its templates read count too: a theme may list site.notes anywhere.
            if self.shows is not None and not self.shows.any(context) and not any(
                    self.shows.site_attr(self.fingerprints.site, name) for name in previous[4]):
                self.fingerprints.template(template)  # once per template: its stored references stay in use
                if self.writer.unchanged(rel, None, owner):
                    return True
            self.fingerprinted += 1
            key = self.fingerprints.page(template, context, previous[4])
            if self.writer.unchanged(rel, key, owner):
                return True
        return False

    def _render(self, template: str, context: dict):
        """(text, site attributes read) or (None, problem)."""
        self.tracked.read.clear()
        try:
            return self.env.get_template(template).render(context), set(self.tracked.read)
        except Exception as exc:  # a theme bug: report it with the template's file and line
            return None, template_problem(exc, self.config.root, template)

    def _store(self, job, text, read) -> None:
        if text is None:
            self.run.add([read])
        elif self.writer.reserve(job[0], job[3]):
            self.rendered += 1
            self.writer.record(job[0], *self._put(job, text, read))

    def _put(self, job, text: str, read) -> tuple[list, bool]:
        """Fingerprint a rendered page and write it; (manifest entry, written). Touches no shared
        state, so page workers call it too."""
        rel, template, context, _ = job
        return self.writer.store(rel, text, self.fingerprints.page(template, context, read), read)

    def render(self, rel: str, template: str, context: dict, owner: str) -> None:
        """Render one file unless it is unchanged."""
        if not self._reuse(rel, template, context, owner):
            self._store((rel, template, context, owner), *self._render(template, context))

    def render_all(self, jobs: list[tuple], meanwhile=None, progress=NO_PROGRESS) -> bool:
        """Render many files (rel, template, context, owner), over all cores when there are many.

        With a pool, ``meanwhile()`` runs in this process while the workers render, and True is
        returned; rendering in-process, it is not called and False is returned. ``progress`` is
        advanced once per job: reused, rendered here, or in a pool chunk as it comes back."""
        todo = []
        for job in jobs:
            if self._reuse(*job):
                progress.advance()
            else:
                todo.append(job)
        workers = os.cpu_count() or 1
        # Workers inherit the site and this renderer, which cannot be pickled: fork or nothing.
        if not POOL_THRESHOLD <= len(todo) <= POOL_LIMIT or workers < 2 or not fork_is_safe():
            for job in todo:
                self._store(job, *self._render(job[1], job[2]))
                progress.advance()
            return False
        # Files are claimed here, in order, so a collision is reported as it is in-process; the
        # workers render, fingerprint and write, and send back only each file's manifest entry.
        claimed = [job for job in todo if self.writer.reserve(job[0], job[3])]
        progress.advance(len(todo) - len(claimed))  # collisions: reported, never rendered
        todo = claimed
        # The pool ends when its last chunk does: the pages listing the most notes (a tag's)
        # go first, and chunks are small, so the workers finish together.
        order = sorted(range(len(todo)), key=lambda i: -_listed(todo[i][2]))
        size = -(-len(todo) // (workers * 16))
        chunks = [order[i:i + size] for i in range(0, len(order), size)]
        arrived, recorded = {}, 0
        # The state is inherited by the forked workers, so nothing big is pickled.
        with Pool(workers, state=(self, todo), fork_only=True) as pool:
            for number, results in pool.run(_render_chunk, [(chunk,) for chunk in chunks], meanwhile):
                progress.advance(len(chunks[number]))
                arrived[number] = results
                while recorded in arrived:  # in chunk order, so problems are listed the same each time
                    self._record(todo, chunks[recorded], arrived.pop(recorded))
                    recorded += 1
        return True

    def _record(self, todo: list, chunk: list[int], results: list[tuple]) -> None:
        """Enter what a page worker rendered: the manifest entries, weights and template errors."""
        for index, (entry, outcome, weight) in zip(chunk, results):
            if entry is None:
                self.run.add([outcome])  # a template error
            else:
                self.rendered += 1
                self.writer.record(todo[index][0], entry, outcome)
                if weight is not None:
                    self.weights.add(todo[index][0], entry[0], weight)


POOL_THRESHOLD = 200  # fewer pages than this render faster in-process than a pool starts
# Forked workers copy what they touch of the parent's memory; past this many pages that copy
# costs more memory (about 300 MB at 10,000 notes) than the pool saves time, so render in-process.
POOL_LIMIT = 3000


def _listed(context: dict) -> int:
    """How many notes a page's context lists: a measure of how long it takes to render."""
    return sum(len(value.notes) if hasattr(value, "notes") else len(value) if isinstance(value, (tuple, list)) else 0
               for value in context.values())


def _render_chunk(state: tuple, indices: list[int]) -> list[tuple]:
    """Worker: render, fingerprint and write some pages of the inherited ``(renderer, jobs)``;
    (manifest entry, written, weight) or (None, problem, None) each."""
    renderer, todo = state
    results = []
    for index in indices:
        text, read = renderer._render(todo[index][1], todo[index][2])
        if text is None:
            results.append((None, read, None))
            continue
        entry, written = renderer._put(todo[index], text, read)
        weight = renderer.weights.measure(todo[index][0], entry[0]) if renderer.weights else None
        results.append((entry, written, weight))
    return results


def write_site(writer: Writer, run, site: Site, content: Content, config: Config, theme: Theme,
               routes: list[Route], documents: dict[str, Rendered], media, weights=None, static=None,
               progress=NO_PROGRESS, changed_notes: set[str] | None = None) -> PageRenderer:
    """Render every route and write it with the static assets, attachments and feeds.

    ``weights`` (a :class:`~generator.output.report.PageWeights`) has page workers measure the pages
    they write; the static files, web manifest and attachments are written first for that.
    ``static`` is :func:`static_assets`' result if it was read earlier (while Markdown rendered).
    ``progress`` (started by the caller with one item per route) is advanced per page."""
    static_map, static_data = static if static is not None else static_assets(theme, run.cache)
    urls = Urls(config.base_path, config.origin, static_map)

    def rendered(record) -> Rendered:
        kind = "note" if isinstance(record, Note) else "page"
        return documents[document_key(kind, record.slug)]

    def excerpt(note: Note, words: int = 40) -> str:
        if note.summary:
            return note.summary
        return rendered(note).excerpt(words)

    tracked = TrackedSite(site)
    # Compiled templates go to the cache folder, except in check, which writes nothing.
    bytecode = config.cache_path() / "jinja" if run.cache is not None else None
    env = make_environment(theme, bytecode_dir=bytecode, globals_={
        "url_for": urls.url_for,
        "config": config,
        "site": tracked,
        "rendered": rendered,
        "excerpt": excerpt,
        "reading_minutes": lambda note: max(1, round(rendered(note).words / WORDS_PER_MINUTE)),
        "event_of": lambda note: site.event_by_slug.get(note.event) if note.event else None,
        "tag_slug": slugify,
        "speaker_slug": slugify,
        "cover": media.cover,
        "cached": FragmentMemo(tracked),
    })
    env.filters.update(longdate=_long_date, monthname=_month_name, isodate=lambda d: d.isoformat())
    from .metadata import template_helpers, web_manifest
    env.globals.update(template_helpers(config, site, urls, excerpt))
    # Everything every page may read besides its own context: settings, assets, events, version.
    global_parts = [__version__, repr(dataclasses.replace(config, lines={})), repr(sorted(static_map.items())),
                    repr(content.events)]
    memo = run.cache.record_digests if run.cache is not None else None
    fingerprints = Fingerprints(site, documents, global_parts, theme.template_dirs, cover=media.cover, memo=memo,
                                sources=content.digests,
                                remember=run.cache.memo if run.cache is not None else None)
    pages = PageRenderer(env, writer, run, config, fingerprints, tracked)
    if changed_notes is not None:
        from ..incremental.arrangement import Shows
        pages.shows = Shows(changed_notes)

    # First what pages pull in, so that page workers can measure the pages they write.
    for logical, target in static_map.items():
        writer.write(target, static_data[logical], owner="static/" + logical)
    writer.write(urls.output_file("web_manifest"), web_manifest(config, urls), owner="web manifest")
    for note in site.notes:
        for rel, path in attachments(note):
            writer.copy(urls.path("note", slug=note.slug) + rel, path, owner=note.path)
    pages.weights = weights

    def the_rest() -> None:  # in this process, while page workers render
        from .feeds import write_feeds
        write_feeds(pages, site, config, urls, routes)
        if run.cache is not None:
            run.cache.flush()  # the parsed notes and rendered Markdown, so the end has less to write

    overlapped = pages.render_all(
        [(urls.output_file(route.endpoint, **route.params), route.template,
          dict(route.context, endpoint=route.endpoint, params=route.params,
               canonical=urls.url_for(route.endpoint, _external=True, **route.params)),
          _owner(route)) for route in routes],
        meanwhile=the_rest, progress=progress)
    if not overlapped:
        the_rest()

    fingerprints.forget_unused()
    pages.urls = urls
    return pages


def _owner(route: Route) -> str:
    """Who to blame when two routes write the same file."""
    record = route.context.get("note") or route.context.get("page")
    return record.path if record else route.endpoint
