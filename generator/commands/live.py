"""The dev server's fast path: after an edit to the text of some notes, only the pages that show
them are rendered again.

A full in-place build leaves behind what it made (:class:`Built`): settings, model, rendered
Markdown, route table and page renderer. :class:`LiveSite` keeps that, with a
:class:`~generator.model.swap.SiteIndex` of where each note is shown. When the next change is
to notes' files only, and each note still agrees with its old self on everything that arranges
the site (slug, date, draft, tags, speakers, event, images, embeds, aliases), the notes are read
and rendered again, put in place of the old ones, and the pages, feeds, search index and report
entries showing them are rendered; the rest of the site is not looked at. Anything else (a new
or deleted file, a settings or theme change, a problem to report, another day) answers None and
the server runs a full build, which is always right.

What pages are served equals what a full build would write: tests/commands/test_live.py checks
it against clean builds after sequences of edits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..model.content import Note, reload_note
from ..model.routes import Urls
from ..model.swap import ARRANGING, SiteIndex, swap_notes, swapped_context


@dataclass
class Built:
    """What a full in-place build made, for the next edit."""

    settings: object  # pipeline.Settings
    model: object     # pipeline.Model
    markdown: object  # pipeline.Markdown
    routes: list
    pages: object     # render.pages.PageRenderer, with its environment, fingerprints and urls
    output: Path
    today: object = None  # the date the build was given (tests), else None for today's
    report: dict | None = None  # build-report.json as the build wrote it


class LiveSite:
    """A built site kept in memory, updated in place by :meth:`update` after edits to notes."""

    def __init__(self, built: Built, cache):
        self.built, self.cache = built, cache
        self.index = SiteIndex(built.model.site, built.routes)
        self.content_position = {note.path: i for i, note in enumerate(built.model.content.notes)}
        from ..markdown.stage import link_context
        # Where each Markdown link of a note leads: the same until the site is rearranged.
        self._links = link_context(built.model.site, built.model.content, built.settings.config)
        pages = (built.report or {}).get("pages")
        self.report_pages = list(pages) if pages is not None else None  # the report's lines, kept current
        self.report_slot = {page["file"]: i for i, page in enumerate(pages or ())}
        self._shown: list = []  # (file, route) of pages rewritten since the last finish()

    def update(self, paths, on_pages_ready=None, defer: bool = False) -> dict | None:
        """Apply edits to the files ``paths``; the counts of what was done, or None when they
        need a full build. ``on_pages_ready()`` is called once the pages are written; with
        ``defer`` the search index and report are left for :meth:`finish`."""
        from ..pipeline import today_in
        built, cache = self.built, self.cache
        config = built.settings.config
        if built.settings.today != (built.today or today_in(config)):
            return None  # a new day may publish a future-dated note
        changes = self._read(paths)
        if changes is None:
            return None
        counts = {"records read": len(paths), "markdown": 0, "pages": 0, "written": 0}
        if not changes:
            return counts
        rendered = self._render([new for _, new, _ in changes], counts)
        if rendered is None:
            return None
        return self._apply(changes, rendered, counts, on_pages_ready, defer)

    def _read(self, paths) -> list[tuple[Note, Note, str]] | None:
        """(old note, new note, file digest) of each changed note; None if any path is not a
        published note any more, has a problem, or changes the site's arrangement."""
        built, cache = self.built, self.cache
        root = built.settings.config.root
        content = built.model.content
        changes = []
        for path in paths:
            try:
                rel = Path(path).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return None
            position = self.content_position.get(rel)
            if position is None or rel not in self.index.position:
                return None  # a new file, a deleted one, a draft, or not a note at all
            old = content.notes[position]
            if any(p.path == rel for p in built.model.problems):
                return None  # its warnings must be shown again or gone: the full build does that
            note, problems, digest = reload_note(root / rel, root, cache.notes, cache.files.digest)
            if note is None or problems or digest is None:
                return None
            if any(getattr(note, name) != getattr(old, name) for name in ARRANGING):
                return None
            if note != old or content.digests.get(rel) != digest:
                changes.append((old, note, digest))
        return changes

    def _render(self, notes: list[Note], counts: dict) -> dict | None:
        """The notes' Markdown, if it renders with no problem and needs no new image."""
        from ..markdown.rendered import document_key
        from ..markdown.stage import render_records
        built = self.built
        before = dict(self.cache.counts)
        rendered = render_records([("note", note) for note in notes], self._links, built.settings.config,
                                  built.markdown.media, self.cache)
        counts["markdown"] = self.cache.counts["markdown"] - before.get("markdown", 0)
        for note in notes:
            key = document_key("note", note.slug)
            new, old = rendered[key], built.markdown.documents[key]
            if new.problems or old.problems or _images(new) != _images(old):
                return None
        return rendered

    def _apply(self, changes, rendered: dict, counts: dict, on_pages_ready, defer: bool) -> dict:
        from ..incremental.manifest import load_manifest, update_manifest
        from ..output.writer import Writer
        from ..pipeline import Model, Stages
        from ..render.feeds import FEED_ENTRIES, feed_job, feed_lists
        from ..render.pages import _owner
        built, cache, index = self.built, self.cache, self.index
        config, output = built.settings.config, built.output
        model, pages = built.model, built.pages

        pairs = [(old, new) for old, new, _ in changes]
        site = swap_notes(model.site, index, pairs)
        swap = {id(old): new for old, new in pairs}
        notes = list(model.content.notes)
        for old, new, digest in changes:
            notes[self.content_position[old.path]] = new
            model.content.digests[new.path] = digest  # the fingerprints read it (the same dict)
        content = dataclasses.replace(model.content, notes=tuple(notes))
        built.markdown.documents.update(rendered)  # the dict the templates' rendered() reads

        # The page renderer of the last build, writing into the served folder in place.
        manifest = load_manifest(cache, config.cache_path(), output)
        writer = Writer(output, output, manifest, in_place=True)
        run = Stages(cache)
        pages.writer, pages.run, pages.rendered = writer, run, 0
        object.__setattr__(pages.tracked, "_site", site)
        pages.fingerprints.site = site
        pages.fingerprints._site_attrs.clear()
        urls = pages.urls
        jobs = []  # (file, template, context, owner), as PageRenderer renders them
        shown = []  # (file, route) of the pages that show the notes, for the report
        for i in sorted({i for old, _ in pairs for i in index.shown_on[old.path]}):
            route = built.routes[i] = dataclasses.replace(built.routes[i],
                                                          context=swapped_context(built.routes[i].context, swap))
            context = dict(route.context, endpoint=route.endpoint, params=route.params,
                           canonical=urls.url_for(route.endpoint, _external=True, **route.params))
            jobs.append((urls.output_file(route.endpoint, **route.params), route.template, context, _owner(route)))
            shown.append((jobs[-1][0], route))
        changed = {id(new) for new in swap.values()}
        tags = {site.tag_slugs[t] for _, new in pairs for t in new.tags}
        jobs += [feed_job(config, urls, *feed) for feed in feed_lists(site, config, tags)
                 if any(id(note) in changed for note in feed[3][:FEED_ENTRIES])]
        # Everything is rendered before anything is written: a template error leaves the
        # site as it was, for the full build to report.
        done = [(job, *pages._render(job[1], job[2])) for job in jobs if not pages._reuse(*job)]
        if any(text is None for _, text, _ in done):
            return None
        for job, text, read in done:
            pages._store(job, text, read)
        if writer.problems:
            return None
        update_manifest(cache, config.cache_path(), output, writer.finish_files())
        built.model = Model(content, site, model.problems)
        counts.update(pages=pages.rendered, written=writer.written, reused=writer.reused)
        cache.counts.update(counts)
        self._shown += shown
        if on_pages_ready is not None:
            on_pages_ready()
        if not defer:
            self.finish()
        return counts

    @property
    def pending(self) -> bool:
        """Whether the search index and the report still show the site before the last edits."""
        return bool(self._shown)

    def finish(self) -> None:
        """Bring the search index and build-report.json up to date with the edits applied so far
        (they list every note and page, so they cost more than the pages: the dev server does
        this when they are asked for, once for any number of edits)."""
        from ..incremental.manifest import load_manifest, update_manifest
        from ..output.writer import Writer
        if not self._shown:
            return
        built, cache = self.built, self.cache
        config = built.settings.config
        manifest = load_manifest(cache, config.cache_path(), built.output)
        writer = Writer(built.output, built.output, manifest, in_place=True)
        shown = list({rel: route for rel, route in self._shown}.items())
        stale = self._finish(built.model.site, built, writer, manifest, shown)
        update_manifest(cache, config.cache_path(), built.output, writer.finish_files(), stale)
        cache.flush()
        self._shown = []

    def _finish(self, site, built: Built, writer, manifest: dict, shown: list) -> list[str]:
        """The search index and build-report.json for the site as it is now; the index files
        it no longer has are deleted, and returned. The report's lines of the pages in
        ``shown`` are measured again; the others are kept."""
        from ..output.pageweight import SiteFiles
        from ..output.report import REPORT_FILE, PageWeights, page_entry, report_of, report_text, write_report
        from ..search.stage import SearchStage
        config = built.settings.config
        urls = Urls(config.base_path, config.origin)
        search = SearchStage(site, urls, built.markdown.documents, self.cache)
        files = {built.pages.urls.path("generated", path=rel) for rel in search.compute()}
        folder = built.pages.urls.path("generated", path="search/")
        page = built.pages.urls.output_file("search")
        # Every file under search/ but the search page is the index's (no page may be there).
        stale = [rel for rel in manifest if rel.startswith(folder) and rel != page and rel not in files]
        for rel in stale:
            (built.output / rel).unlink(missing_ok=True)
        search.write(writer, built.pages.urls)

        def digest_of(rel: str) -> str | None:  # the files written now over those as they were
            entry = writer.manifest.get(rel) or manifest.get(rel)
            return entry[0] if entry else None
        weights = PageWeights(self.cache, digest_of, lambda rel: str(built.output / rel), urls, config.base_url)
        if self.report_pages is None or any(rel.endswith(".html") and rel not in self.report_slot
                                            for rel, _ in shown):
            write_report(writer, built.output, built.routes, urls, config.budgets, memo=weights.memo)
            return stale
        files = SiteFiles(built.output, urls.origin, urls.base_path)
        for rel, route in shown:
            entry = page_entry(files, route, rel, weights.memo)
            if entry is not None:
                self.report_pages[self.report_slot[rel]] = entry
        writer.write(REPORT_FILE, report_text(report_of(self.report_pages, config.budgets)), owner="build report")
        return stale


def _images(rendered) -> tuple:
    """The images a rendered document refers to (source, alt, line...): a new one needs planning."""
    return tuple(dep for dep in rendered.deps if dep[0] == "image")


__all__ = ["ARRANGING", "Built", "LiveSite"]
