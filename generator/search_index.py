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
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections import Counter, defaultdict
from typing import Sequence

from .search import MAX_TOKEN_LENGTH, STOP_WORDS, SearchDoc, normalize, tokenize

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
    ordered = sorted(docs, key=lambda d: (d.url, d.date, d.title, d.event, d.tags,
                                          d.speakers, d.summary, d.body))
    ordered.sort(key=lambda d: d.date, reverse=True)  # stable: ties keep URL order
    ordered.sort(key=lambda d: _sort_key(d.tags[0]) if d.tags else ("\uffff", ""))
    return ordered


def _field_texts(doc: SearchDoc) -> tuple[str, ...]:
    return (doc.title, " ".join(doc.tags), " ".join(doc.speakers), doc.event,
            doc.summary, doc.body)


def score_postings(docs: Sequence[SearchDoc]) -> dict[str, tuple[list[int], list[int]]]:
    """BM25F postings: term -> (ascending doc ids, quantised scores 1..63).

    Each field's term frequency is weighted (WEIGHTS) and length-normalised (B)
    before one saturation ``tf / (K1 + tf)``, times the term's idf.  Scores are
    scaled so the largest possible one (idf of a one-note term, saturation 1)
    maps to SCORE_LEVELS.
    """
    n = len(docs)
    body = len(FIELDS) - 1
    # Pass 1: tokens of the short fields, term counts of the body, lengths, df.
    short: list[list[list[str]]] = []
    bodies: list[tuple[Counter, int]] = []
    totals = [0] * len(FIELDS)
    df: Counter = Counter()
    for doc in docs:
        texts = _field_texts(doc)
        fields = [[t for t in tokenize(text) if t not in STOP_WORDS] for text in texts[:body]]
        toks = tokenize(texts[body])
        c = Counter(toks)
        length = len(toks)
        for stop in STOP_WORDS:
            length -= c.pop(stop, 0)
        for f, toks in enumerate(fields):
            totals[f] += len(toks)
        totals[body] += length
        df.update(c.keys() | set().union(*fields))
        short.append(fields)
        bodies.append((c, length))
    avg = [max(t / max(n, 1), 1.0) for t in totals]
    scale = SCORE_LEVELS / math.log(1.0 + (n - 0.5) / 1.5) if n > 1 else SCORE_LEVELS
    mult = {t: scale * math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    weight = [WEIGHTS[f] for f in FIELDS]
    b = [B[f] for f in FIELDS]

    # Pass 2, the hot loop of the build: once per (term, doc).  (Measured
    # against packed single-list and map()-chain variants: this is fastest.)
    ids: dict[str, list[int]] = {t: [] for t in sorted(df)}
    scores: dict[str, list[int]] = {t: [] for t in ids}
    k1 = K1
    for doc_id, (fields, (c, length)) in enumerate(zip(short, bodies)):
        extra: dict[str, float] = {}
        for f, toks in enumerate(fields):
            if toks:
                norm = weight[f] / (1.0 - b[f] + b[f] * len(toks) / avg[f])
                for term in toks:
                    extra[term] = extra.get(term, 0.0) + norm
        norm = weight[body] / (1.0 - b[body] + b[body] * length / avg[body])
        for term, tf in c.items():
            w = tf * norm
            if term in extra:
                w += extra.pop(term)
            ids[term].append(doc_id)
            scores[term].append(int(mult[term] * w / (k1 + w) + 0.5) or 1)
        for term, w in extra.items():
            ids[term].append(doc_id)
            scores[term].append(int(mult[term] * w / (k1 + w) + 0.5) or 1)
    return {t: (ids[t], scores[t]) for t in ids}


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


def build(
    docs: Sequence[SearchDoc],
    *,
    docs_per_file: int = 50,
    shard_bytes: int = 40_000,
    facet_bytes: int = 24_000,
    excerpt_chars: int = EXCERPT_CHARS,
) -> dict[str, bytes]:
    """Build every file of the index; see the module docstring for the layout."""
    docs = order_docs(docs)
    files: dict[str, bytes] = {}

    def put(folder: str, data: bytes) -> str:
        name = _name(data)
        path = f"search/{folder}/{name}.json"
        if files.get(path, data) != data:  # 40-bit hash collision: fail loudly
            raise RuntimeError(f"search index hash collision on {path}")
        files[path] = data
        return name

    # Postings shards.
    postings = score_postings(docs)
    entries = []
    for term in sorted(postings, key=_utf16_key):
        doc_ids, scores = postings[term]
        frag = f"{_json(term)}:[[{','.join(map(str, _deltas(doc_ids)))}],[{','.join(map(str, scores))}]]"
        entries.append((term, frag))
    shards = [["" if i == 0 else key, put("t", data)]
              for i, (key, data) in enumerate(_pack(entries, shard_bytes))]

    # Filter options and filter postings.
    tags = sorted({t for d in docs for t in d.tags}, key=_sort_key)
    events = sorted({d.event for d in docs if d.event}, key=_sort_key)
    years = sorted({d.date[:4] for d in docs if d.date[:4].isdigit()}, reverse=True)
    tag_ix = {t: i for i, t in enumerate(tags)}
    event_ix = {e: i for i, e in enumerate(events)}
    newest_first = sorted(range(len(docs)), key=lambda i: (_neg_date(docs[i].date), i))
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
             sorted({tag_ix[t] for t in d.tags}), list(d.speakers), excerpt(d, excerpt_chars)]
            for d in docs[start:start + docs_per_file]
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
