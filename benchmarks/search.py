"""Benchmark the static search index on a synthetic 10,000-note site.

    python benchmarks/search.py [--notes 10000] [--runs 3] [--seed 7]

Prints the index size and file count, the build time (median of --runs), and the
gzip-compressed bytes (as a CDN sends them) a browser fetches for one-word and
three-word queries: search page HTML, CSS, search.js, manifest, the postings
shards touched and the doc files of the first 10 results.  Which files a query
touches is decided by the real search.js, run under node.

The corpus is topical like real talk notes: each note has a main tag whose
vocabulary it favours; words are Zipf-distributed over ~5,000 English/tech words
taken from the Python documentation shipped with the interpreter.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.search.tokens import SearchDoc  # noqa: E402
from generator.search.index import build_index  # noqa: E402

THEME = ROOT / "themes" / "default"
TARGET_QUERY_BYTES = 100_000
TARGET_BUILD_SECONDS = 5.0

TAGS = """python django flask fastapi celery asyncio rust go kubernetes docker
postgres sqlite redis kafka pandas numpy jupyter pytest typing packaging security
accessibility testing performance profiling observability logging webassembly
javascript typescript react htmx graphql rest grpc machine-learning llm pytorch
data-engineering airflow dbt spark ci-cd github-actions terraform aws linux
embedded micropython education community diversity career open-source
documentation sphinx api-design concurrency multiprocessing gil c-extensions
cython pypy debugging refactoring architecture microservices serverless caching
search elasticsearch i18n unicode datetime geospatial science astronomy
bioinformatics finance games audio robotics""".split()
FIRST = """Ana Bruno Chloé Dmitri Émile Fatima Grace Hiro Inès José Katarzyna Łukasz
Maria Nils Olga Pablo Quentin Rania Søren Tomás Uma Víctor Wen Xavier Yuki Zoë
Amara Björn Carmen Dario Elif Farid Giulia Hannah Ivan Jana Kofi Lena Mateo""".split()
LAST = """Müller García Nowak Okafor Smith Tanaka Rossi Dubois Kowalski Jensen Silva
Chen Kumar Novák Öztürk Fernández Nakamura Petrov Haddad Lindqvist Moreau Costa
Schmidt Ivanova Brown Wójcik Sánchez Kim Andersson Mbeki""".split()
EVENTS = ["PyCon US", "EuroPython", "PyCon DE", "DjangoCon Europe", "PyData London",
          "FOSDEM", "PyCon APAC", "Rust Nation", "KubeCon EU", "PyCon España",
          "PyCon Italia", "Python Brasil"]


def vocabulary(size: int = 5000) -> list[str]:
    """Words of Python's own documentation, most frequent first."""
    import pydoc_data.topics

    counts = collections.Counter()
    texts = list(pydoc_data.topics.topics.values())
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        texts += re.findall(r'"""(.*?)"""', path.read_text(errors="replace"), re.S)
    for text in texts:
        counts.update(re.findall(r"\b[a-z]{2,}\b", text))
    return [w for w, _ in counts.most_common(size)]


def zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return [1.0 / (r ** s) for r in range(1, n + 1)]


def pseudo_words(n: int, seed: int) -> list[str]:
    """A long tail of made-up identifiers and names ("kubrelo", "zanitex")."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghjklmnprstvwxz" for v in "aeiou"] + ["ex", "or", "in", "an"]
    words: dict[str, None] = {}
    while len(words) < n:
        words["".join(rng.choices(syllables, k=rng.randint(2, 4)))] = None
    return list(words)


def corpus(n: int, seed: int = 7, base: str = "/talks/2026/", tail_words: int = 0) -> list[SearchDoc]:
    """``n`` synthetic talk notes with topical, Zipf-distributed text.

    ``tail_words`` appends that many made-up words to the vocabulary's rare end,
    like the names and identifiers of a real site.
    """
    rng = random.Random(seed)
    vocab = vocabulary() + pseudo_words(tail_words, seed)
    global_cum = list(_cumulative(zipf_weights(len(vocab))))
    topic_words = {t: [t.replace("-", " ")] + rng.sample(vocab[150:], 60) for t in TAGS}
    topic_cum = list(_cumulative(zipf_weights(61, 0.9)))
    tag_cum = list(_cumulative(zipf_weights(len(TAGS), 0.8)))
    events = [(f"{e} {y}", y) for e in EVENTS for y in range(2015, 2027)]
    docs = []
    for i in range(n):
        main = rng.choices(TAGS, cum_weights=tag_cum)[0]
        tags = list(dict.fromkeys([main] + rng.sample(TAGS, rng.randint(0, 3))))
        event, year = rng.choice(events)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        topic = topic_words[main]

        def words(k: int, topical: float) -> list[str]:
            out = rng.choices(vocab, cum_weights=global_cum, k=k)
            for j in range(k):
                if rng.random() < topical:
                    out[j] = rng.choices(topic, cum_weights=topic_cum)[0]
            return out

        title = " ".join(words(rng.randint(3, 8), 0.6)).capitalize()
        summary = " ".join(words(rng.randint(15, 35), 0.3)).capitalize() + "."
        body_words = words(rng.randint(400, 600), 0.25)
        sentences = [" ".join(body_words[k:k + 14]).capitalize() + "." for k in range(0, len(body_words), 14)]
        speakers = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice((1, 1, 1, 2))))
        docs.append(SearchDoc(
            url=f"{base}notes/{year}/{re.sub(r'[^a-z0-9]+', '-', title.lower())[:50]}-{i}/",
            title=title, date=date, event=event, tags=tuple(tags), speakers=speakers,
            summary=summary if rng.random() < 0.8 else "", body=" ".join(sentences)))
    return docs


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def gz(data: bytes) -> int:
    """Size as a CDN sends it: gzip level 6, no file name or time stamp."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def search_page(manifest_url: str) -> bytes:
    """A representative search page: the partial inside a minimal layout."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(THEME / "templates"), autoescape=True)
    body = env.get_template("partials/search_app.html").render(
        manifest_url=manifest_url, search_url="/talks/2026/search/", tags_url="/talks/2026/tags/",
        archive_url="/talks/2026/archive/", query="")
    css = "".join(f'<link rel="stylesheet" href="/talks/2026/static/css/{p.name}">' for p in theme_css())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>Search · Talk notes</title>{css}'
            '<script type="module" src="/talks/2026/static/js/search.js"></script></head><body>'
            '<header><a href="/talks/2026/">Talk notes</a><nav><a href="/talks/2026/archive/">Archive</a> '
            '<a href="/talks/2026/tags/">Tags</a></nav></header><main><h1>Search</h1>'
            f'{body}</main><footer><p>Notes from conference talks.</p></footer></body></html>').encode()


def theme_css() -> list[Path]:
    """search.css plus the theme's main stylesheet, if the theme has one yet."""
    folder = THEME / "static" / "css"
    others = sorted(p for p in folder.glob("*.css") if p.name != "search.css")
    main = [p for p in others if p.stem in ("main", "style", "site", "theme", "base")]
    return (main[:1] or others) + [folder / "search.css"]


NODE_RUNNER = r"""
import { createSearch } from %s;
import { readFileSync } from "node:fs";
const { root, sessions } = JSON.parse(readFileSync(0, "utf8"));
const read = (p) => JSON.parse(readFileSync(root + "/" + p, "utf8"));
const manifest = read("manifest.json");
const out = [];
for (const queries of sessions) {  // one session = one page load, shared cache
  const loaded = [];
  const api = createSearch(manifest, async (p) => { loaded.push(p); return read(p); });
  const steps = [];
  for (const [q, filters] of queries) {
    const before = loaded.length;
    const res = await api.search(q, filters);
    const docs = await api.docs(res.ids.slice(0, 10));
    steps.push({ q, total: res.ids.length, top: docs.map((d) => d.url), files: loaded.slice(before) });
  }
  out.push(steps);
}
console.log(JSON.stringify(out));
"""


def run_node(js: Path, index_root: Path, sessions: list[list[tuple[str, dict]]]) -> list:
    """Run search.js under node over the written index; report files each step loads."""
    node = shutil.which("node")
    if not node:
        sys.exit("node is needed to run search.js for the per-query figures")
    mjs = index_root.parent / "search.mjs"
    shutil.copyfile(js, mjs)
    script = NODE_RUNNER % json.dumps(mjs.as_uri())
    proc = subprocess.run([node, "--input-type=module", "-e", script], check=True, text=True,
                          input=json.dumps({"root": str(index_root), "sessions": sessions}), capture_output=True)
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tail-words", type=int, default=0,
                    help="add N made-up rare words (names, identifiers) to the vocabulary")
    ap.add_argument("--shard-bytes", type=int, help="build_index option (default: the library's)")
    ap.add_argument("--docs-per-file", type=int, help="build_index option (default: the library's)")
    ap.add_argument("--excerpt-chars", type=int, help="build_index option (default: the library's)")
    args = ap.parse_args()
    options = {k: v for k in ("shard_bytes", "docs_per_file", "excerpt_chars") if (v := getattr(args, k))}

    t0 = time.perf_counter()
    docs = corpus(args.notes, args.seed, tail_words=args.tail_words)
    print(f"corpus: {len(docs):,} notes, {sum(len(d.body.split()) for d in docs) / len(docs):.0f} body words "
          f"on average, generated in {time.perf_counter() - t0:.1f} s")

    times, cpu, files = [], [], {}
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        files = build_index(docs, **options)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    build_s = statistics.median(times)
    raw = sum(map(len, files.values()))
    zipped = {p: gz(b) for p, b in files.items()}
    kinds = collections.Counter(p.split("/")[1] if p.count("/") > 1 else "manifest" for p in files)
    terms = sum(len(json.loads(b)) for p, b in files.items() if p.startswith("search/t/"))
    print(f"index: {terms:,} distinct terms, {len(files):,} files ({dict(sorted(kinds.items()))}), {raw / 1e6:.2f} MB raw, "
          f"{sum(zipped.values()) / 1e6:.2f} MB gzipped")
    print(f"build: median {build_s:.2f} s wall, {statistics.median(cpu):.2f} s CPU, of {args.runs} runs "
          f"({', '.join(f'{t:.2f}' for t in times)}); target {TARGET_BUILD_SECONDS:.0f} s -> "
          f"{build_s / TARGET_BUILD_SECONDS:.0%} of budget (load average now {_load()})")

    js = THEME / "static" / "js" / "search.js"
    page = {"search page HTML": gz(search_page("/talks/2026/search/manifest.json"))}
    page.update({f"css/{p.name}": gz(p.read_bytes()) for p in theme_css()})
    page["js/search.js"] = gz(js.read_bytes())
    page["search/manifest.json"] = zipped["search/manifest.json"]
    fixed = sum(page.values())
    print("\nfetched once per page load (gzip bytes):")
    for name, size in page.items():
        print(f"  {name:28} {size:>8,}")

    vocab = vocabulary()
    common, mid, rare = vocab[120], vocab[800], vocab[3500]
    queries = [
        ("one word, topical", [("celery", {})]),
        ("one word, common", [(common, {})]),
        ("one word, mid-frequency", [(mid, {})]),
        ("one word, rare", [(rare, {})]),
        ("three words", [(f"celery {mid} {common}", {})]),
        ("one word + year filter", [("asyncio", {"year": "2024"})]),
        ("typed: celery", [("celery"[:k], {}) for k in range(2, 7)]),
        ("typed: concurrency", [("concurrency"[:k], {}) for k in range(2, 12)]),
        ("typed: django <common> <rare>", [(f"django {common} {rare}"[:k], {})
                                            for k in _typing_points(f"django {common} {rare}")]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        for path, data in files.items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(data)
        results = run_node(js, out / "search", [steps for _, steps in queries])

    print(f"\nper query (gzip bytes; page total = {fixed:,} fixed + index files fetched):")
    print(f"  {'query':34} {'results':>7} {'shards':>7} {'docs':>5} {'index kB':>9} {'total kB':>9} {'vs 100 kB':>9}")
    for (label, steps), res in zip(queries, results):
        loaded = [f for step in res for f in step["files"]]
        shard_b = sum(zipped[f"search/{f}"] for f in loaded if not f.startswith("d/"))
        doc_b = sum(zipped[f"search/{f}"] for f in loaded if f.startswith("d/"))
        total = fixed + shard_b + doc_b
        name = f"{label}: {steps[-1][0]!r}"[:34]
        print(f"  {name:34} {res[-1]['total']:>7,} {sum(not f.startswith('d/') for f in loaded):>7} "
              f"{sum(f.startswith('d/') for f in loaded):>5} {(shard_b + doc_b) / 1e3:>9.1f} "
              f"{total / 1e3:>9.1f} {total / TARGET_QUERY_BYTES:>9.0%}")
    # Worst case for one word: the biggest shard and ten results in ten different doc files.
    shard_max = max(v for p, v in zipped.items() if p.startswith("search/t/"))
    docs_max = sorted((v for p, v in zipped.items() if p.startswith("search/d/")), reverse=True)[:10]
    worst = fixed + shard_max + sum(docs_max)
    print(f"  {'worst case, one word (bound)':34} {'':>7} {1:>7} {len(docs_max):>5} "
          f"{(shard_max + sum(docs_max)) / 1e3:>9.1f} {worst / 1e3:>9.1f} {worst / TARGET_QUERY_BYTES:>9.0%}")
    print("\n'typed:' rows replay a reader typing (one query per letter or word, as the 150 ms debounce"
          " fires at\nworst); bytes are the session's sum, so files shared between keystrokes count once.")


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (OSError, AttributeError):
        return "n/a"


def _typing_points(text: str) -> list[int]:
    # Queries fired while typing with a 150 ms debounce: roughly at each word end.
    return [m.end() for m in re.finditer(r"\S+", text)]


if __name__ == "__main__":
    main()
