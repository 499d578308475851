"""The search index built from cached per-note analyses is the index of a full rebuild, byte for
byte: against a plain BM25F computation, against the files the generator wrote before analyses
were cached, after edits, and through a real build that reuses the cache of an earlier one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
import unicodedata
from collections import Counter, defaultdict

import pytest

from conftest import TODAY
from generator.search.tokens import STOP_WORDS, SearchDoc, count_tokens, index_terms, tokenize
from generator.search.index import (B, FIELDS, K1, SCORE_LEVELS, WEIGHTS, analyse, build_index, build_index_analysed,
                                    order_docs, score_postings)

WORDS = ("cache query model view template signal import shell django python the a of and to "
         "café Straße Ødegaard 東京 don't O’Reilly x² v3.11 " + "z" * 40).split()


def corpus(n: int = 60, seed: int = 3) -> list[SearchDoc]:
    """Notes that exercise every scoring path: words in several fields, repeated words, stop
    words, non-ASCII text, over-long tokens, empty fields, equal dates, duplicate tags."""
    rng = random.Random(seed)

    def text(k: int) -> str:
        return " ".join(rng.choices(WORDS, k=k))

    docs = []
    for i in range(n):
        tags = tuple(rng.sample(["python", "django", "web", "Data", "café"], rng.randint(0, 3)))
        docs.append(SearchDoc(
            url=f"/notes/n{i}/", title=text(rng.randint(0, 6)), date=f"202{i % 4}-0{1 + i % 3}-1{i % 5}",
            event=rng.choice(["", "PyCon US 2023", "DjangoCon"]), tags=tags + tags[:rng.randint(0, 1)],
            speakers=tuple(rng.sample(["Ana Müller", "Jane Doe", "Bo"], rng.randint(0, 2))),
            summary=rng.choice(["", text(8)]), body=text(rng.randint(0, 300))))
    return docs


def reference_postings(docs: list[SearchDoc]) -> dict[str, tuple[list[int], list[int]]]:
    """BM25F the plain way: every field tokenized, one weight summed per occurrence (short
    fields in order, then the body's tf times its norm), idf from document frequency."""
    n = len(docs)
    fields = [[index_terms(t) for t in (d.title, " ".join(d.tags), " ".join(d.speakers), d.event,
                                        d.summary, d.body)] for d in docs]
    avg = [max(sum(len(f[i]) for f in fields) / max(n, 1), 1.0) for i in range(len(FIELDS))]
    df = Counter(t for f in fields for t in set().union(*f))
    scale = SCORE_LEVELS / math.log(1.0 + (n - 0.5) / 1.5) if n > 1 else SCORE_LEVELS
    postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for doc_id, f in enumerate(fields):
        norms = [WEIGHTS[name] / (1.0 - B[name] + B[name] * len(f[i]) / avg[i]) for i, name in enumerate(FIELDS)]
        w: dict[str, float] = {}
        for i in range(len(FIELDS) - 1):
            for term in f[i]:
                w[term] = w.get(term, 0.0) + norms[i]
        for term, tf in Counter(f[-1]).items():
            w[term] = tf * norms[-1] + w[term] if term in w else tf * norms[-1]
        for term, weight in w.items():
            mult = scale * math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
            postings[term][0].append(doc_id)
            postings[term][1].append(int(mult * weight / (K1 + weight) + 0.5) or 1)
    return {t: postings[t] for t in sorted(postings)}


def shards(files: dict[str, bytes]) -> dict[str, tuple[list[int], list[int]]]:
    """Every postings shard decoded: term -> (doc ids, scores)."""
    out = {}
    for path, data in files.items():
        if path.startswith("search/t/"):
            for term, (deltas, scores) in json.loads(data).items():
                ids, last = [], 0
                for delta in deltas:
                    last += delta
                    ids.append(last)
                out[term] = (ids, scores)
    return out


def analysed(docs: list[SearchDoc], cache: dict | None = None) -> list[tuple[SearchDoc, list]]:
    """``build_index_analysed`` entries, analyses through JSON as the build cache stores them;
    ``cache`` (url and doc -> analysis) keeps analyses of unchanged notes, as a rebuild does."""
    entries = []
    for doc in docs:
        key = repr(doc)
        if cache is None or key not in cache:
            value = json.loads(json.dumps(analyse(doc)))
            if cache is not None:
                cache[key] = value
        else:
            value = cache[key]
        entries.append((dataclasses.replace(doc, body=""), value))
    return entries


def digest(files: dict[str, bytes]) -> str:
    return hashlib.sha256(b"".join(p.encode() + b"\0" + d + b"\0" for p, d in sorted(files.items()))).hexdigest()


def test_scores_match_a_plain_bm25f_computation():
    docs = order_docs(corpus())
    expected = reference_postings(docs)
    assert score_postings(docs) == expected
    assert shards(build_index(docs)) == expected


@pytest.mark.skipif(unicodedata.unidata_version != "14.0.0", reason="recorded with Unicode 14.0.0 (Python 3.11)")
def test_files_are_those_of_the_generator_before_analyses_were_cached():
    # Recorded with the previous implementation, which scored every note from its full text.
    assert digest(build_index(corpus())) == "1fde79d8dfb7ddd059604f44e8393fba311464044b6b398486edc5c95657b9f2"


def test_index_from_cached_analyses_equals_a_full_build_after_edits():
    docs = corpus()
    cache: dict = {}
    assert build_index_analysed(analysed(docs, cache)) == build_index(docs)
    rng = random.Random(5)
    for step in range(6):
        i = rng.randrange(len(docs))
        change = rng.choice(["body", "title", "tags", "date", "summary", "add", "delete"])
        if change == "add":
            docs.append(dataclasses.replace(docs[i], url=f"/notes/added-{step}/", body=docs[i].body + " signal"))
        elif change == "delete":
            del docs[i]
        else:
            value = {"body": docs[i].body + " cache café", "title": "Shell", "tags": ("web",),
                     "date": "2019-01-01", "summary": "A summary of the import shell"}[change]
            docs[i] = dataclasses.replace(docs[i], **{change: value})
        before = len(cache)
        entries = analysed(docs, cache)
        assert len(cache) - before <= 1, "only the edited note is analysed again"
        assert build_index_analysed(entries) == build_index(docs), change


def test_tiny_and_empty_sites():
    for docs in ([], corpus(1), corpus(2)):
        assert build_index_analysed(analysed(docs)) == build_index(docs)
        assert shards(build_index(docs)) == reference_postings(order_docs(docs))


def test_analysed_build_needs_distinct_urls():
    doc = corpus(1)[0]
    with pytest.raises(ValueError):
        build_index_analysed(analysed([doc, dataclasses.replace(doc, title="Other")]))


@pytest.mark.parametrize("text", [
    "", "a b a", "Café CAFÉ cafe\u0301", "x" * 40 + " " + "x" * 33 + " y " + "x" * 32,
    "é" * 35 + " " + "é" * 33 + " don't O’Reilly the", "東京 東京 ٣ ½",
])
def test_count_tokens_is_counter_of_tokenize(text):
    counts = count_tokens(text)
    assert counts == Counter(tokenize(text)) and list(counts) == list(Counter(tokenize(text)))


def test_analysis_drops_stop_words_and_keeps_counts():
    doc = SearchDoc(url="/n/", title="The cache", date="2024-01-01", event="", tags=("cache",), speakers=(),
                    summary="", body="the cache and the shell shell shell")
    lengths, short, terms, runs, mixed, mixed_tfs, excerpt = analyse(doc)
    assert lengths == [1, 1, 0, 0, 0, 4] and short == ["cache", "cache", "", "", ""]
    assert (terms, runs, mixed, mixed_tfs) == ("shell", [3, 1], "cache", [1])
    assert not STOP_WORDS & set(terms.split())
    assert excerpt == "the cache and the shell shell shell"


# --- Through the build and its on-disk cache -------------------------------------------------

def _site(root):
    notes = root / "content" / "notes"
    notes.mkdir(parents=True)
    rng = random.Random(7)
    for i in range(12):
        body = " ".join(rng.choices(WORDS[:16], k=80))
        notes.joinpath(f"note-{i}.md").write_text(
            f"---\ntitle: Note {i} about {rng.choice(WORDS[:6])}\ndate: 2024-0{1 + i % 9}-1{i % 9}\n"
            f"tags: [{rng.choice(['python', 'django'])}]\n---\n\n{body}\n")
    (root / "talknotes.yaml").write_text("title: Test notes\nbase_url: https://example.org/\n")
    return root


def _search_files(output):
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in (output / "search").rglob("*") if p.is_file()}


def test_rebuild_after_one_edit_analyses_one_note_and_matches_a_clean_build(tmp_path):
    import shutil

    from generator.build import BuildOptions, build
    from generator.incremental.store import BuildCache

    site = _site(tmp_path / "site")
    cache = BuildCache()
    build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY), cache)
    assert cache.counts["search notes"] == 12
    note = site / "content" / "notes" / "note-4.md"
    note.write_text(note.read_text() + "\nOne more sentence about the café and its cache.\n")

    cache = BuildCache()  # as in a new process: analyses come from the cache on disk
    build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY), cache)
    assert cache.counts["search notes"] == 1 and cache.counts["search"] == 1

    shutil.copytree(site, tmp_path / "clean", ignore=shutil.ignore_patterns(".cache"))
    build(BuildOptions(source=tmp_path / "clean", output=tmp_path / "clean-out", today=TODAY), BuildCache())
    assert _search_files(tmp_path / "out") == _search_files(tmp_path / "clean-out")
