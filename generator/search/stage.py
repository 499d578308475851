"""The search stage of a build: the client-side index under ``search/`` (see docs/search.md).

A :class:`SearchStage` digests every note's search fields and HTML. A site whose digests are
unchanged reuses the index the last build made. Otherwise the index is built, and the build
may :meth:`~SearchStage.start` that work in a forked child process before it renders pages:
on a 2-core machine a one-note rebuild renders its pages in one process, so the other core is
free, and a cold build keeps both busy with page workers either way. The child inherits the
site, so nothing big is sent to it; it sends back the index files and the cache entries it
made, and the parent writes and records them. It is one process, not a
:class:`~generator.workers.Pool` (whose threads would keep the page workers from forking), and
starts only where a pool would fork (:func:`~generator.workers.start_method`).
"""

from __future__ import annotations

import hashlib
import multiprocessing

from ..markdown.rendered import document_key
from ..workers import start_method

#: Notes past which a cold build makes the index in its own process, after the notes' HTML is
#: released: a child's copy-on-write share of a 10,000-note site costs more memory than it saves.
#: A build that rendered few documents holds little beyond the site, so it forks at any size.
CHILD_LIMIT = 3000


def note_fields(note, site, urls) -> tuple:
    """A note's :class:`~generator.search.tokens.SearchDoc` fields but its body."""
    event = site.event_by_slug.get(note.event) if note.event else None
    return (urls.url_for("note", slug=note.slug), note.title, note.date.isoformat(),
            event.name if event else note.event_text or "", note.tags, note.speakers, note.summary)


def analyse_text(fields: tuple, text: str) -> list:
    """The search analysis of a note from its fields and plain text."""
    from .tokens import SearchDoc
    from .index import analyse
    return analyse(SearchDoc(*fields, body=text))


class SearchStage:
    """The search index of one build: reused, built here, or built in a child process."""

    def __init__(self, site, urls, documents: dict, cache=None):
        self.cache = cache
        self.docs, self.parts = [], []
        for note in site.notes:
            rendered = documents[document_key("note", note.slug)]
            fields = note_fields(note, site, urls)
            self.docs.append((fields, rendered))
            # SHA-256 rather than BLAKE2: hashlib runs it on the CPU's SHA instructions (x86 and
            # ARM have had them for years), about twice as fast over a big site's HTML.
            self.parts.append(repr(fields) + hashlib.sha256(rendered.html.encode()).hexdigest()[:32])
        # The key digests the HTML rather than the text, so an unchanged site skips text extraction too.
        self.key = "\n".join(self.parts)
        self.files: dict[str, bytes] | None = cache.search_files(self.key) if cache is not None else None
        self._child = None

    def start(self, rendered: int | None = None) -> bool:
        """Build the index in a forked child from now on; False when there is nothing to build
        or the child cannot be forked safely (a process with threads, as the dev server).
        ``rendered``: how many documents this build rendered afresh, if known."""
        method = start_method(fork_only=True)  # it inherits the site: fork or nothing
        big = len(self.docs) > CHILD_LIMIT and (rendered is None or rendered > CHILD_LIMIT)
        if self.files is not None or big or method is None:
            return False
        context = multiprocessing.get_context(method)
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_build_in_child, args=(self, send), daemon=True)
        child.start()
        send.close()
        self._child = (child, receive)
        return True

    def compute(self, release=None) -> dict[str, bytes]:
        """The index files (rel -> bytes), built here unless reused or built by the child.

        ``release()``, when given, is called once the notes' HTML is no longer needed, so a big
        site's HTML can be freed before the index is built (the last stage to need it)."""
        if self._child is not None:
            self._collect()
        if self.files is None:
            self.files = self._build(release)
            if self.cache is not None:
                self.cache.store_search(self.key, self.files)
        return self.files

    def write(self, writer, urls, release=None) -> None:
        """Write the index into the staged site."""
        for rel, data in self.compute(release).items():
            writer.write(urls.path("generated", path=rel), data, owner="search index")

    def close(self) -> None:
        """Stop a child still building (the build failed before it needed the index)."""
        if self._child is not None:
            child, receive = self._child
            self._child = None
            child.terminate()
            child.join()
            receive.close()

    def _build(self, release=None) -> dict[str, bytes]:
        from .tokens import SearchDoc
        from .index import analysis_tag, build_index, build_index_analysed
        cache, docs = self.cache, self.docs
        self.docs = []
        if cache is not None and len({fields[0] for fields, _ in docs}) == len(docs):
            tag = analysis_tag()  # the analysis rules: a new tokenizer misses instead of reusing

            def analysed(fields, rendered, part: str) -> list:
                def compute() -> list:
                    cache.counts["search notes"] += 1
                    if rendered.search is not None:  # analysed by the Markdown worker
                        return rendered.search
                    return analyse_text(fields, rendered.text)
                note_key = hashlib.blake2b(f"{tag}\n{part}".encode(), digest_size=16).hexdigest()
                return cache.memo("search-note", note_key, compute)

            entries = [(SearchDoc(*fields, body=""), analysed(fields, rendered, part))
                       for (fields, rendered), part in zip(docs, self.parts)]
            del docs
            if release is not None:
                release()
            files = build_index_analysed(entries)
        else:  # nothing to reuse (and notes sharing a URL, never seen in a built site, need their text)
            search_docs = [SearchDoc(*fields, body=rendered.text) for fields, rendered in docs]
            del docs
            if release is not None:
                release()
            files = build_index(search_docs)
        if cache is not None:
            cache.counts["search"] += 1
        return files

    def _collect(self) -> None:
        """Take the child's index and cache entries; if it failed, the index is built here."""
        child, receive = self._child
        self._child = None
        try:
            files, made, used, counts = receive.recv()
        except (EOFError, OSError):  # the child died (killed, out of memory): build it here
            return
        finally:
            receive.close()
            child.join()
        if isinstance(files, BaseException):
            raise files  # a bug in the index code: the same error as in-process
        self.files = files
        if self.cache is not None:
            self.cache.adopt(made, used, counts)
            self.cache.store_search(self.key, files)


def _build_in_child(stage: SearchStage, send) -> None:
    """The child's side: build the index with the inherited state, send back what it made."""
    cache = stage.cache
    if cache is not None:
        cache.detach()  # SQLite connections must not be used across a fork; values were prefetched
    try:
        files = stage._build()
        send.send((files, *(cache.made() if cache is not None else ([], set(), {}))))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        send.send((exc, [], set(), {}))
    finally:
        send.close()
