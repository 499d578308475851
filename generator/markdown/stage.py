"""The Markdown stage: every published note and page rendered once, through the caches.

Cache hits are checked in the parent (every lookup must still give the same answer). Misses
are rendered in a process pool in chunks when there are enough of them to pay for it;
workers leave a placeholder where an image goes, and the parent fills in the image markup,
because image planning (and its problems) belongs to the build's one :class:`Media`.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from ..progress import NO_PROGRESS
from .rendered import LinkContext, Rendered, document_key, html_to_text, still_valid
from ..model.routes import Urls
from ..model.scan import published_files
from ..workers import Pool

POOL_THRESHOLD = 48   # fewer misses than this render faster in-process than a pool starts
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[ \t]*\{?[ \t]*\.?([\w+#.-]+)", re.M)
_MAX_LANGUAGES = 24
_PLACEHOLDER = "\x02talknotes-image-{}\x03"


def content_files(root: Path) -> frozenset[str]:
    """Every non-Markdown file under ``content/``, relative to it (images, attachments)."""
    content = root / "content"
    # A link out of content/ is never read (load_content reports it).
    return frozenset(rel for rel, entry in published_files(content, content) if not entry.name.endswith(".md"))


def in_content(path: str) -> str:
    """A record's path (``content/notes/x.md``, always POSIX) relative to ``content/``."""
    return path.removeprefix("content/")


def link_context(site, content, config) -> LinkContext:
    urls = Urls(config.base_path, config.origin)
    documents = {in_content(n.path): urls.url_for("note", slug=n.slug)
                 for n in site.notes}
    documents.update({in_content(p.path): urls.url_for("page", slug=p.slug)
                      for p in site.pages})
    # Links to files that failed to load are already reported with those files.
    documents.update({path: "#" for path in content.failed})
    return LinkContext(config.base_path, documents, content_files(config.root), config.markdown["raw_html"])


def _placeholder_hook(source, alt, line, index):
    return _PLACEHOLDER.format(index)


class MarkdownWorkers(Pool):
    """Markdown workers, started before the content is loaded for a build that will render many
    documents (a cold one), else when the misses are known: while this process reads the notes,
    the first worker gets ready, building Python-Markdown and the Pygments lexers of the
    languages the notes' code fences name, then forks the others ready too
    (:class:`~generator.workers.Pool`; a forkserver starts the first when threads run, as in
    the dev server). Rendering is the same either way."""

    def __init__(self, root: Path, raw_html: str, workers: int, speedups: bool = True):
        super().__init__(workers, _get_ready, (str(root / "content"), raw_html, speedups))

    @staticmethod
    def worth_starting(root: Path, cache) -> bool:
        """Whether many documents will miss the Markdown cache: far fewer are cached than exist.

        The files the last build read answer without a walk; without them (a first build), the
        walk stops as soon as there are enough documents."""
        needed = cache.count("md:") + POOL_THRESHOLD
        known = sum(1 for path in cache.files.known if path.endswith(".md"))
        if known:
            return known >= needed
        content = root / "content"
        for rel, _ in published_files(content, content):
            if rel.endswith(".md"):
                needed -= 1
                if needed <= 0:
                    return True
        return False


def fence_languages(content_dir: str, patience: int = 100) -> list[str]:
    """The languages the code fences of the Markdown files under ``content_dir`` name, first seen
    first; the search stops after ``patience`` files in a row name no new one (a site uses a few)."""
    found: dict[str, None] = {}
    fruitless = 0
    for rel, entry in published_files(content_dir, content_dir):
        if not rel.endswith(".md"):
            continue
        try:
            with open(entry.path, encoding="utf-8", errors="replace") as f:
                languages = {m.group(1).lower() for m in _FENCE.finditer(f.read())}
        except OSError:
            continue
        fruitless = 0 if languages - found.keys() else fruitless + 1
        found.update(dict.fromkeys(sorted(languages - found.keys())))
        if fruitless >= patience or len(found) >= _MAX_LANGUAGES:
            break
    return list(found)[:_MAX_LANGUAGES]


def _get_ready(content_dir: str, raw_html: str, speedups: bool = True) -> None:
    """Worker start: render a small document using every feature and fence language once."""
    try:
        from .render import render
        from .speedups.highlight import Highlights
        fences = "".join(f"```{language}\nvalue = f(1, 'a')  # x\n```\n\n" for language in fence_languages(content_dir))
        sample = ("# Title\n\nSome *text*, **bold** and `code` with a [link](https://example.org/) "
                  "and \"quotes\".[^1]\n\n- one\n- two\n\n1. first\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                  "!!! note\n    An admonition.\n\nTerm\n:   Definition\n\n" + fences + "[^1]: A footnote.\n")
        render(sample, "notes/ready.md", 1, LinkContext("/", raw_html=raw_html), None, Highlights(None), speedups)
    except Exception:  # noqa: BLE001 - getting ready is only a head start; a failure here breaks nothing
        pass


def guided_chunks(jobs: list, workers: int, smallest: int = 8, largest: int = 200) -> list[list]:
    """``jobs`` cut into chunks that shrink as the work left does (guided scheduling): big ones
    first, so that few chunks are sent, and small ones last, so that the workers finish together
    (equal chunks leave one worker idle for up to a whole chunk at the end). Given the longest
    documents first, the chunk that ends last is also one of the quickest. No chunk holds more
    than ``largest`` documents: a worker keeps a whole chunk's results until it sends them, and
    a sixth of a 10,000-note site would cost it some 150 MB."""
    chunks, start = [], 0
    while start < len(jobs):
        size = min(largest, max(smallest, -(-(len(jobs) - start) // (workers * 3))))
        chunks.append(jobs[start:start + size])
        start += size
    return chunks


def _render_chunk(ctx: LinkContext, jobs: list[tuple], speedups: bool = True) -> list[tuple[str, Rendered, dict]]:
    """Worker: render a chunk of documents with placeholder image markup; each with the code
    blocks it highlighted, for the next build."""
    from .render import render
    from .speedups.highlight import Highlights
    results = []
    for key, body, source, line, known, search_fields in jobs:
        highlights = Highlights(known)
        result = render(body, source, line, ctx, _placeholder_hook, highlights, speedups)
        results.append((key, _with_text_facts(result, search_fields), highlights.used))
    return results


def _with_text_facts(result: Rendered, search_fields: tuple | None) -> Rendered:
    """The word count and, for a note, the search analysis, from one pass over the plain text
    (else the page stage and the search stage would each extract it). Not for a document with
    images: their placeholders are text until the build fills them in."""
    if _has_images(result):
        return result
    from ..search.stage import analyse_text
    text = html_to_text(result.html)
    return replace(result, word_count=len(text.split()),
                   search=analyse_text(search_fields, text) if search_fields is not None else None)


def _has_images(result: Rendered) -> bool:
    return any(dep[0] == "image" for dep in result.deps)


def _fill_images(result: Rendered, hook) -> Rendered:
    """Replace a worker's image placeholders by the real markup, in the HTML and the cache deps."""
    if not _has_images(result):
        return result
    html, deps = result.html, []
    for dep in result.deps:
        if dep[0] == "image":
            markup = hook(*dep[1:5]) if hook else None
            html = html.replace(dep[5], markup or "")
            dep = (*dep[:5], markup)
        deps.append(dep)
    return replace(result, html=html, deps=tuple(deps))


def render_documents(site, content, config, media=None, cache=None, workers: int | None = None,
                     meanwhile=None, pool: MarkdownWorkers | None = None, progress=None) -> dict[str, Rendered]:
    """Markdown of every published note and every page, keyed by ``note:slug`` / ``page:slug``.

    With a pool (``pool``, started earlier, or a new one), ``meanwhile()`` runs in this process
    while the workers render, and each chunk is filled in and cached as it arrives. The pool
    is closed when this returns. ``progress`` (started by the caller) is advanced once per
    document: a cache hit, a document rendered here, or each of a chunk's as it arrives."""
    progress = progress if progress is not None else NO_PROGRESS
    ctx = link_context(site, content, config)
    speedups = config.markdown.get("speedups", True)  # not in ctx: passed beside it to every render
    rendered: dict[str, Rendered] = {}
    misses = _lookup([("note", n) for n in site.notes] + [("page", p) for p in site.pages], ctx, media, cache,
                     rendered, progress)

    workers = pool.workers if pool is not None else workers or os.cpu_count() or 1

    def known(source: str) -> dict | None:  # the document's code blocks as highlighted last time
        return cache.highlights(source) if cache is not None else None

    if len(misses) >= POOL_THRESHOLD and workers > 1:
        from ..search.stage import note_fields
        urls = Urls(config.base_path, config.origin)
        jobs = [(doc_key, record.body, source, record.body_line, known(source),
                 note_fields(record, site, urls) if doc_key.startswith("note:") else None)
                for doc_key, _, record, source, _ in misses]
        chunks = guided_chunks(sorted(jobs, key=lambda job: -len(job[1])), workers)
        by_key = {doc_key: (key, source, hook, job[4]) for (doc_key, key, _, source, hook), job in zip(misses, jobs)}

        def take(chunk) -> None:  # fill in a chunk's images and cache it, while workers render on
            done, highlighted = [], []
            for doc_key, result, blocks in chunk:
                key, source, hook, known_blocks = by_key[doc_key]
                rendered[doc_key] = _fill_images(result, hook)
                done.append((key, rendered[doc_key]))
                highlighted.append((source, known_blocks, blocks))
            if cache is not None:
                cache.store(done)
                cache.store_highlights(highlighted)
            progress.advance(len(done))

        if pool is None:
            pool = MarkdownWorkers(config.root, ctx.raw_html, workers, speedups)
        # A killed worker's chunks come back rendered here, by the pool.
        with pool:
            for _, chunk in pool.run(_render_chunk, [(ctx, chunk, speedups) for chunk in chunks], meanwhile):
                take(chunk)
    else:
        if pool is not None:
            pool.close()
        _render_here(misses, ctx, cache, speedups, rendered, progress)
    if cache is not None:
        cache.counts["markdown"] += len(misses)
    return dict(sorted(rendered.items()))


def render_records(records, ctx: LinkContext, config, media=None, cache=None) -> dict[str, Rendered]:
    """Some notes and pages (``(kind, record)`` each) rendered in this process, through the
    cache, with the link context of the whole site: what the dev server re-renders after an edit."""
    rendered: dict[str, Rendered] = {}
    misses = _lookup(records, ctx, media, cache, rendered, NO_PROGRESS)
    _render_here(misses, ctx, cache, config.markdown.get("speedups", True), rendered, NO_PROGRESS)
    if cache is not None:
        cache.counts["markdown"] += len(misses)
    return rendered


def _lookup(records, ctx: LinkContext, media, cache, rendered: dict, progress) -> list[tuple]:
    """Enter the cache hits into ``rendered``; the misses, as (document key, cache key, record,
    source, image hook)."""
    misses = []
    for kind, record in records:
        source = in_content(record.path)
        # The first image of a page loads eagerly, unless a cover image comes before it.
        eager = not getattr(record, "image", None)
        hook = media.hook(record.path, eager) if media else None
        doc_key = document_key(kind, record.slug)
        # Image markup is not in the key: still_valid re-runs the image hook to check it.
        key = cache.record_key(record, source, record.body_line, ctx.base_path, ctx.raw_html,
                               eager) if cache is not None else None
        hit = cache.lookup(key) if cache is not None else None
        if hit is not None and still_valid(hit, ctx, hook):
            rendered[doc_key] = hit
            progress.advance()
            if cache is not None:
                cache.keep_highlights(source)
        else:
            misses.append((doc_key, key, record, source, hook))
    return misses


def _render_here(misses: list[tuple], ctx: LinkContext, cache, speedups: bool, rendered: dict, progress) -> None:
    """Render the misses in this process and cache them."""
    from .render import render
    from .speedups.highlight import Highlights
    highlighted = []
    for doc_key, key, record, source, hook in misses:
        highlights = Highlights(cache.highlights(source) if cache is not None else None)
        rendered[doc_key] = render(record.body, source, record.body_line, ctx, hook, highlights, speedups)
        highlighted.append((source, highlights.known, highlights.used))
        progress.advance()
    if cache is not None:
        cache.store((key, rendered[doc_key]) for doc_key, key, *_ in misses)
        cache.store_highlights(highlighted)
