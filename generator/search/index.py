"""Build the static, sharded search index that search.js reads.

Layout (all under ``search/``; every name but the manifest is a content hash,
so a CDN may cache those files forever):

``manifest.json``
    Small entry point: shard boundaries, doc-file and facet-file hashes, filter
    options (tags, events, years), tokenizer settings.
``t/<hash>.json``
    Postings shards.  Terms are sorted in UTF-16 code-unit order (the order of
    JS string comparison) and cut into contiguous ranges of about
    ``shard_bytes``; the manifest lists each range's first term, so a term or a
    prefix maps to the shards that can hold it with a binary search.
    A shard is ``{term: [id_deltas, scores]}``: ascending doc ids, delta-coded,
    and precomputed BM25F scores quantised to 1..SCORE_LEVELS, so the client
    only sums.
``d/<hash>.json``
    Result data, ``docs_per_file`` notes per file in doc-id order:
    ``[title, url_suffix, date, event_index, [tag_index, ...], speakers, excerpt]``.
``f/<hash>.json``
    Filter postings: ``{"t3": [...], "e0": [...], "y2023": [...]}`` (tag, event,
    year), doc ids newest first, delta-coded, packed like the shards.

Doc ids follow (first tag, newest first, url), so notes on one topic sit in the
same doc files and a topical query's results cost few fetches.

Scoring needs every note at once (idf, average field lengths), but all it reads
from a note's text is in that note's :func:`analyse` value, which depends on
nothing else: a build caches it per note, so a rebuild after one edit analyses
one note, and :func:`build_index_analysed` makes the same files from the analyses.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import unicodedata
from collections import Counter, defaultdict, deque
from itertools import chain, repeat
from operator import attrgetter, sub
from typing import Iterator, Sequence

from .tokens import MAX_TOKEN_LENGTH, STOP_WORDS, SearchDoc, count_tokens, normalize, tokenize

FORMAT_VERSION = 1
FIELDS = ("title", "tags", "speakers", "event", "summary", "body")
#: BM25F field weights: a word in the title counts like eight in the body.
WEIGHTS = {"title": 8.0, "tags": 5.0, "speakers": 5.0, "event": 3.0, "summary": 2.0, "body": 1.0}
#: Length normalisation per field; lists of names and tags are not "longer text".
B = {"title": 0.3, "tags": 0.0, "speakers": 0.0, "event": 0.0, "summary": 0.5, "body": 0.75}
K1 = 1.2
SCORE_LEVELS = 63  # 6-bit scores: top-10 barely moves vs 8-bit, shards ~20% smaller
MIN_PREFIX = 2  # shortest last word that is expanded as a prefix
#: A prefix whose terms span more shards than this is matched exactly instead
#: (e.g. "re" on a big site): typing one more letter narrows it.  Bounds the
#: bytes a keystroke can cost.
MAX_PREFIX_SHARDS = 3
EXCERPT_CHARS = 160
HASH_CHARS = 10


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _utf16_key(term: str) -> bytes:
    # JS compares strings by UTF-16 code units; so must our shard boundaries.
    return term.encode("utf-16-be")


def _deltas(ids: list[int]) -> list[int]:
    return [b - a for a, b in zip([0] + ids, ids)]


def excerpt(doc: SearchDoc, limit: int = EXCERPT_CHARS) -> str:
    """Short plain text shown under a result: the summary, else the body start."""
    text = " ".join((doc.summary.strip() or doc.body).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"


def _sort_key(value: str) -> tuple[str, str]:
    return (normalize(value), value)


def order_docs(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Doc-id order: by first tag, then newest first, then URL (deterministic)."""
    ordered = sorted(docs, key=attrgetter("url", "date", "title", "event", "tags", "speakers", "summary",
                                          "body"))
    ordered.sort(key=lambda d: d.date, reverse=True)  # stable: ties keep URL order
    ordered.sort(key=lambda d: _sort_key(d.tags[0]) if d.tags else ("\uffff", ""))
    return ordered


def _field_texts(doc: SearchDoc) -> tuple[str, ...]:
    return (doc.title, " ".join(doc.tags), " ".join(doc.speakers), doc.event,
            doc.summary, doc.body)


#: Bump whenever :func:`analyse` gives a different value for the same note.
ANALYSIS_VERSION = 3


@functools.cache
def analysis_tag() -> str:
    """Digest of what an analysis depends on besides its note (see :func:`analyse`)."""
    parts = (ANALYSIS_VERSION, MAX_TOKEN_LENGTH, EXCERPT_CHARS, sorted(STOP_WORDS), FIELDS,
             unicodedata.unidata_version)
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


def analyse(doc: SearchDoc, excerpt_chars: int = EXCERPT_CHARS) -> list:
    """All the index needs from one note's text, as a small JSON value.

    ``[lengths, short, terms, runs, mixed, mixed_tfs, excerpt]``:

    ``lengths``
        Number of index terms (stop words out) per field, in FIELDS order.
    ``short``
        The index terms of the five short fields (title ... summary), space-joined in
        text order: scoring adds one weight per occurrence, in this order, so sums are
        bit-for-bit those of a full rebuild.
    ``terms``, ``runs``
        The body terms that occur in no short field, space-joined by ascending term
        frequency, and that order's runs as ``[tf, count, tf, count, ...]``: every term
        of a run gets the same body weight.
    ``mixed``, ``mixed_tfs``
        Body terms that also occur in a short field (space-joined), and their term
        frequencies in the body.
    ``excerpt``
        The text shown under the result.

    Depends on nothing but ``doc`` (no other note, not even its url or date), so it
    can be cached per note and reused while other notes change.  Tokens never contain
    spaces, so a space-joined string is an exact list that JSON stores and loads fast.
    """
    texts = _field_texts(doc)
    short = [[t for t in tokenize(text) if t not in STOP_WORDS] for text in texts[:-1]]
    counts = count_tokens(texts[-1])
    for stop in STOP_WORDS:
        counts.pop(stop, None)
    length = sum(counts.values())
    mixed = {}
    for term in dict.fromkeys(t for toks in short for t in toks):
        tf = counts.pop(term, 0)
        if tf:
            mixed[term] = tf
    terms = sorted(counts, key=counts.__getitem__)  # stable: first occurrence first
    runs = list(chain.from_iterable(sorted(Counter(counts.values()).items())))
    return [[len(toks) for toks in short] + [length], [" ".join(toks) for toks in short],
            " ".join(terms), runs, " ".join(mixed), list(mixed.values()), excerpt(doc, excerpt_chars)]


def _scored(analyses: Sequence[list]) -> Iterator[tuple[str, list[int], list[int]]]:
    """BM25F postings of notes given by their analyses, doc id = position.

    Yields ``(term, ascending doc ids, quantised scores 1..63)`` per term, in
    UTF-16 order.  Each field's term frequency is weighted (WEIGHTS) and
    length-normalised (B) before one saturation ``tf / (K1 + tf)``, times the
    term's idf.  Scores are scaled so the largest possible one (idf of a
    one-note term, saturation 1) maps to SCORE_LEVELS.  The float operations are
    those of scoring each (term, note) pair on its own, in the same order, so a
    score never differs in its last bit (tests/search/test_search_incremental.py).
    """
    n = len(analyses)
    body = len(FIELDS) - 1
    totals = [sum(column) for column in zip(*(a[0] for a in analyses))] or [0] * len(FIELDS)
    avg = [max(t / max(n, 1), 1.0) for t in totals]
    weight = [WEIGHTS[f] for f in FIELDS]
    b = [B[f] for f in FIELDS]
    short_fields = range(body)

    # Pass 1, once per note: each term's list gets the pair (doc id, w), w being the
    # term's weight in the note.  Body terms of equal frequency share one pair object,
    # and a note's appends run in one C-level map: no Python code per term.
    postings: defaultdict[str, list] = defaultdict(list)
    lists = postings.__getitem__
    extend = list.extend
    for doc_id, (lengths, short, terms, runs, mixed, mixed_tfs, _) in enumerate(analyses):
        extra: dict[str, float] = {}  # weight from the short fields
        for f in short_fields:
            if lengths[f]:
                norm = weight[f] / (1.0 - b[f] + b[f] * lengths[f] / avg[f])
                for term in short[f].split():
                    extra[term] = extra.get(term, 0.0) + norm
        norm = weight[body] / (1.0 - b[body] + b[body] * lengths[body] / avg[body])
        for term, tf in zip(mixed.split(), mixed_tfs):
            extra[term] = tf * norm + extra[term]
        pairs = chain(chain.from_iterable(map(repeat, [(doc_id, tf * norm) for tf in runs[::2]], runs[1::2])),
                      zip(repeat(doc_id), extra.values()))
        deque(map(extend, map(lists, chain(terms.split(), extra)), pairs), 0)

    # Pass 2, once per term: document frequency is the list's length, so idf is known.
    scale = SCORE_LEVELS / math.log(1.0 + (n - 0.5) / 1.5) if n > 1 else SCORE_LEVELS
    k1 = K1
    for term in sorted(postings, key=_utf16_key):
        pairs = postings.pop(term)  # frees the lists as the output grows
        ids = pairs[::2]
        d = len(ids)
        mult = scale * math.log(1.0 + (n - d + 0.5) / (d + 0.5))
        yield term, ids, [int(mult * w / (k1 + w) + 0.5) or 1 for w in pairs[1::2]]


def score_postings(docs: Sequence[SearchDoc]) -> dict[str, tuple[list[int], list[int]]]:
    """BM25F postings of ``docs`` (doc id = position): term -> (ascending doc ids, scores 1..63)."""
    scored = {t: (ids, scores) for t, ids, scores in _scored([analyse(d) for d in docs])}
    return {t: scored[t] for t in sorted(scored)}


def _pack(entries: list[tuple[str, str]], target: int) -> list[tuple[str, bytes]]:
    """Cut sorted ``(key, json_fragment)`` entries into objects of ~target bytes.

    Returns ``(first_key, file_bytes)`` per file; a lone oversized entry gets a
    file of its own.
    """
    files, chunk, size = [], [], 0
    for key, frag in entries:
        if chunk and size + len(frag) > target:
            files.append(chunk)
            chunk, size = [], 0
        chunk.append((key, frag))
        size += len(frag) + 1
    if chunk:
        files.append(chunk)
    if not files:  # an empty site still gets one (empty) file to point at
        return [("", b"{}")]
    return [(c[0][0], ("{" + ",".join(f for _, f in c) + "}").encode()) for c in files]


def _name(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def _common_dir(urls: list[str]) -> str:
    if not urls:
        return ""
    lo, hi = min(urls), max(urls)
    i = 0
    while i < min(len(lo), len(hi)) and lo[i] == hi[i]:
        i += 1
    return lo[: lo.rfind("/", 0, i) + 1] if "/" in lo[:i] else ""


def _neg_date(date: str) -> tuple[int, ...]:
    # Newest first without parsing: invert each code point of the ISO string.
    return tuple(-ord(c) for c in date)


def build_index(
    docs: Sequence[SearchDoc],
    *,
    docs_per_file: int = 50,
    shard_bytes: int = 40_000,
    facet_bytes: int = 24_000,
    excerpt_chars: int = EXCERPT_CHARS,
) -> dict[str, bytes]:
    """Every file of the sharded static index for ``docs``: relative output paths (all under
    ``search/``, including ``search/manifest.json``) mapped to their bytes. Deterministic: the
    same docs, in any order, give byte-identical files. The options tune the layout (see the
    module docstring); the defaults suit sites from a handful to tens of thousands of notes."""
    docs = order_docs(docs)
    analyses = [analyse(d, excerpt_chars) for d in docs]
    return _build(docs, analyses, docs_per_file=docs_per_file, shard_bytes=shard_bytes,
                  facet_bytes=facet_bytes)


def build_index_analysed(
    entries: Sequence[tuple[SearchDoc, list]],
    *,
    docs_per_file: int = 50,
    shard_bytes: int = 40_000,
    facet_bytes: int = 24_000,
) -> dict[str, bytes]:
    """:func:`build_index` from each note's fields and its :func:`analyse` value (cacheable
    per note: put :func:`analysis_tag` in its key).

    The same files, byte for byte, as ``build_index`` of the full docs; the docs' ``body``
    is never read, so it may be empty.  URLs must be distinct (a site's are): a tie
    on every other field would otherwise be broken by the body.
    """
    by_url = {doc.url: analysis for doc, analysis in entries}
    if len(by_url) != len(entries):
        raise ValueError("build_index_analysed needs distinct URLs")
    docs = order_docs([doc for doc, _ in entries])
    return _build(docs, [by_url[d.url] for d in docs], docs_per_file=docs_per_file,
                  shard_bytes=shard_bytes, facet_bytes=facet_bytes)


def _build(docs: list[SearchDoc], analyses: list[list], *, docs_per_file: int, shard_bytes: int,
           facet_bytes: int) -> dict[str, bytes]:
    """The index files of ``docs``, already in doc-id order, with their analyses."""
    files: dict[str, bytes] = {}

    def put(folder: str, data: bytes) -> str:
        name = _name(data)
        path = f"search/{folder}/{name}.json"
        if files.get(path, data) != data:  # 40-bit hash collision: fail loudly
            raise RuntimeError(f"search index hash collision on {path}")
        files[path] = data
        return name

    # Postings shards.  Deltas are below the note count and scores at most
    # SCORE_LEVELS: a table of their decimal strings beats str() per number.  A term
    # is letters and digits only, so it needs no JSON escaping.
    number = list(map(str, range(len(docs) + SCORE_LEVELS + 1))).__getitem__
    comma = ",".join
    entries = [
        (term, f'"{term}":[[{comma(map(number, map(sub, ids, chain((0,), ids))))}],[{comma(map(number, scores))}]]')
        for term, ids, scores in _scored(analyses)
    ]
    shards = [["" if i == 0 else key, put("t", data)]
              for i, (key, data) in enumerate(_pack(entries, shard_bytes))]
    del entries

    # Filter options and filter postings.
    tags = sorted({t for d in docs for t in d.tags}, key=_sort_key)
    events = sorted({d.event for d in docs if d.event}, key=_sort_key)
    years = sorted({d.date[:4] for d in docs if d.date[:4].isdigit()}, reverse=True)
    tag_ix = {t: i for i, t in enumerate(tags)}
    event_ix = {e: i for i, e in enumerate(events)}
    neg_dates = {date: _neg_date(date) for date in {d.date for d in docs}}
    newest_first = sorted(range(len(docs)), key=lambda i: (neg_dates[docs[i].date], i))
    facet_ids: dict[str, list[int]] = defaultdict(list)
    for i in newest_first:
        d = docs[i]
        for t in dict.fromkeys(d.tags):
            facet_ids[f"t{tag_ix[t]}"].append(i)
        if d.event:
            facet_ids[f"e{event_ix[d.event]}"].append(i)
        if d.date[:4].isdigit():
            facet_ids[f"y{d.date[:4]}"].append(i)
    facet_entries = [(k, f"{_json(k)}:{_json(_deltas(facet_ids[k]))}") for k in sorted(facet_ids)]
    facets = [["" if i == 0 else key, put("f", data)]
              for i, (key, data) in enumerate(_pack(facet_entries, facet_bytes))]

    # Result data, a bounded number of files.
    base = _common_dir([d.url for d in docs])
    doc_files = []
    for start in range(0, len(docs), docs_per_file):
        rows = [
            [d.title, d.url[len(base):], d.date, event_ix.get(d.event, -1),
             sorted({tag_ix[t] for t in d.tags}), list(d.speakers), a[-1]]  # a[-1]: the excerpt
            for d, a in zip(docs[start:start + docs_per_file], analyses[start:start + docs_per_file])
        ]
        doc_files.append(put("d", _json(rows).encode()))

    manifest = {
        "v": FORMAT_VERSION,
        "n": len(docs),
        "per": docs_per_file,
        "base": base,
        "shards": shards,
        "docs": doc_files,
        "facets": facets,
        "tags": tags,
        "events": events,
        "years": years,
        "stop": sorted(STOP_WORDS),
        "minPrefix": MIN_PREFIX,
        "maxPrefixShards": MAX_PREFIX_SHARDS,
        "maxLen": MAX_TOKEN_LENGTH,
        "unicode": unicodedata.unidata_version,
    }
    files["search/manifest.json"] = _json(manifest).encode()
    return dict(sorted(files.items()))
