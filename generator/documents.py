"""The Markdown stage: every published note and page rendered once, through the caches.

Cache hits are checked in the parent (every lookup must still give the same answer). Misses
are rendered in a process pool in chunks when there are enough of them to pay for it;
workers leave a placeholder where an image goes, and the parent fills in the image markup,
because image planning (and its problems) belongs to the build's one :class:`Media`.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from .markdown import LinkContext, Rendered, render, still_valid
from .mdspeed import Highlights
from .routes import Urls
from .scan import published_files

POOL_THRESHOLD = 48   # fewer misses than this render faster in-process than a pool starts
_PLACEHOLDER = "\x02talknotes-image-{}\x03"


def content_files(root: Path) -> frozenset[str]:
    """Every non-Markdown file under ``content/``, relative to it (images, attachments)."""
    content = root / "content"
    # A link out of content/ is never read (load_content reports it).
    return frozenset(rel for rel, entry in published_files(content, content) if not entry.name.endswith(".md"))


def in_content(path: str) -> str:
    """A record's path (``content/notes/x.md``, always POSIX) relative to ``content/``."""
    return path.removeprefix("content/")


def document_key(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


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


def _render_chunk(ctx: LinkContext, jobs: list[tuple]) -> list[tuple[str, Rendered, dict]]:
    """Worker: render a chunk of documents with placeholder image markup; each with the code
    blocks it highlighted, for the next build."""
    results = []
    for key, body, source, line, known in jobs:
        highlights = Highlights(known)
        results.append((key, render(body, source, line, ctx, _placeholder_hook, highlights), highlights.used))
    return results


def _fill_images(result: Rendered, hook) -> Rendered:
    """Replace a worker's image placeholders by the real markup, in the HTML and the cache deps."""
    html, deps = result.html, []
    for dep in result.deps:
        if dep[0] == "image":
            markup = hook(*dep[1:5]) if hook else None
            html = html.replace(dep[5], markup or "")
            dep = (*dep[:5], markup)
        deps.append(dep)
    return replace(result, html=html, deps=tuple(deps))


def render_documents(site, content, config, media=None, cache=None, workers: int | None = None,
                     meanwhile=None) -> dict[str, Rendered]:
    """Markdown of every published note and every page, keyed by ``note:slug`` / ``page:slug``.

    With a pool, ``meanwhile()`` runs in this process while the workers render, and each
    chunk is filled in and cached as it arrives."""
    ctx = link_context(site, content, config)
    rendered: dict[str, Rendered] = {}
    misses = []  # (document key, cache key, record, source, hook)
    for kind, records in (("note", site.notes), ("page", site.pages)):
        for record in records:
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
                if cache is not None:
                    cache.keep_highlights(source)
            else:
                misses.append((doc_key, key, record, source, hook))

    workers = workers or os.cpu_count() or 1

    def known(source: str) -> dict | None:  # the document's code blocks as highlighted last time
        return cache.highlights(source) if cache is not None else None

    if len(misses) >= POOL_THRESHOLD and workers > 1:
        jobs = [(doc_key, record.body, source, record.body_line, known(source))
                for doc_key, _, record, source, _ in misses]
        size = max(8, -(-len(jobs) // (workers * 4)))  # a few chunks per worker balances uneven notes
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        by_key = {doc_key: (key, source, hook, job[4]) for (doc_key, key, _, source, hook), job in zip(misses, jobs)}
        with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
            outcomes = pool.map(_render_chunk, [ctx] * len(chunks), chunks)
            if meanwhile is not None:
                meanwhile()
            for chunk in outcomes:
                done, highlighted = [], []
                for doc_key, result, blocks in chunk:
                    key, source, hook, known_blocks = by_key[doc_key]
                    rendered[doc_key] = _fill_images(result, hook)
                    done.append((key, rendered[doc_key]))
                    highlighted.append((source, known_blocks, blocks))
                if cache is not None:  # while the workers render the next chunks
                    cache.store(done)
                    cache.store_highlights(highlighted)
    else:
        highlighted = []
        for doc_key, key, record, source, hook in misses:
            highlights = Highlights(known(source))
            rendered[doc_key] = render(record.body, source, record.body_line, ctx, hook, highlights)
            highlighted.append((source, highlights.known, highlights.used))
        if cache is not None:
            cache.store((key, rendered[doc_key]) for doc_key, key, *_ in misses)
            cache.store_highlights(highlighted)
    if cache is not None:
        cache.counts["markdown"] += len(misses)
    return dict(sorted(rendered.items()))


def _context():
    import multiprocessing
    import threading
    # fork is cheapest but unsafe once threads exist (the dev server); forkserver otherwise.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")
