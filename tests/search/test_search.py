"""Search index: tokenizer, ranking, layout, and JS/Python parity (search.js under node)."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import random
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.search.tokens import STOP_WORDS, SearchDoc, index_terms, tokenize
from generator.search.index import build_index
from generator.search.index import excerpt, order_docs

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "themes" / "default" / "static" / "js" / "search.js"
PARTIAL = ROOT / "themes" / "default" / "templates" / "partials" / "search_app.html"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is needed to run search.js (apt-get install nodejs)")

BASE = "/talks/2026/notes/"


def doc(slug: str, title: str, body: str = "", *, date: str = "2023-04-18", event: str = "",
        tags: tuple[str, ...] = (), speakers: tuple[str, ...] = (), summary: str = "") -> SearchDoc:
    return SearchDoc(url=f"{BASE}{slug}/", title=title, date=date, event=event, tags=tags,
                     speakers=speakers, summary=summary, body=body)


FILLER_WORDS = ("python packaging testing release web service database cache latency deploy "
                "container notebook review team community library framework design pattern").split()


def filler(n: int, seed: int = 1) -> list[SearchDoc]:
    rng = random.Random(seed)
    return [doc(f"filler-{i}", " ".join(rng.sample(FILLER_WORDS, 4)).title(),
                " ".join(rng.choices(FILLER_WORDS, k=120)), date=f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{i % 10}",
                tags=tuple(rng.sample(["python", "web", "data"], 2)), event=rng.choice(["PyCon US 2023", ""]))
            for i in range(n)]


DOCS = [
    doc("celery-at-scale", "Celery at scale", "We run millions of tasks through a broker every day.",
        tags=("celery", "python"), speakers=("Ana Müller",), event="PyCon US 2023"),
    doc("shipping-django", "Shipping Django faster", "Deploys got quicker. We once tried Celery for background jobs "
        "but went back to cron for most of them. The rest of the talk was about database migrations.",
        tags=("django",), date="2024-05-02", event="DjangoCon Europe 2024"),
    doc("cafe-culture", "Café culture in open source", "Maintainers meet over coffee.", tags=("community",)),
    doc("morning-standups", "Morning standups", "We met at the cafe every morning to plan the day."),
    doc("understanding-asyncio", "Understanding asyncio", "Event loops and coroutines.", date="2023-06-01",
        tags=("python", "asyncio"), event="PyCon US 2023"),
    doc("async-patterns", "Async patterns in practice", "Structured concurrency with task groups; asyncio again.",
        date="2024-09-10", tags=("asyncio",), event="EuroPython 2024", speakers=("José Valim",),
        summary="Task groups, cancellation and timeouts in asyncio."),
    doc("zen", "The Zen of Python", "Readability counts.", date="2022-02-02"),
    doc("xss", "<img src=x onerror=alert(1)> & friends", "Escaping matters.", date="2021-01-01"),
] + filler(30)


def write_index(files: dict[str, bytes], root: Path) -> Path:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root / "search"


def run_js(tmp_path: Path, body: str, data) -> object:
    """Run ``body`` (an async function body; ``S`` is search.js, ``data`` the input) under node."""
    mjs = tmp_path / "search.mjs"  # .mjs: ES module whatever node's detection rules
    shutil.copyfile(JS, mjs)
    script = (f"import * as S from {json.dumps(mjs.as_uri())};\n"
              'import { readFileSync } from "node:fs";\n'
              'const data = JSON.parse(readFileSync(0, "utf8"));\n'
              f"const out = await (async () => {{ {body} }})();\n"
              "process.stdout.write(JSON.stringify(out));\n")
    proc = subprocess.run([NODE, "--input-type=module", "-e", script], input=json.dumps(data),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


SEARCH_JS = """
const read = (p) => JSON.parse(readFileSync(data.root + "/" + p, "utf8"));
const manifest = read("manifest.json");
const api = S.createSearch(manifest, async (p) => read(p));
const out = [];
for (const [q, filters] of data.queries) {
  const res = await api.search(q, filters || {});
  const docs = await api.docs(res.ids);
  out.push({ urls: docs.map((d) => d.url), docs, partial: res.partial, broad: res.broad, terms: res.terms });
}
return out;
"""


def js_search(tmp_path: Path, files: dict[str, bytes], *queries) -> list[dict]:
    """Results of ``queries`` (str or (str, filters)) from the real search.js over ``files``."""
    root = write_index(files, tmp_path / "site")
    qs = [[q, {}] if isinstance(q, str) else list(q) for q in queries]
    return run_js(tmp_path, SEARCH_JS, {"root": str(root), "queries": qs})


@pytest.fixture(scope="module")
def index() -> dict[str, bytes]:
    return build_index(DOCS)


def url(slug: str) -> str:
    return f"{BASE}{slug}/"


# --- Tokenizer -----------------------------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("Café", ["cafe"]),
    ("CAFE\u0301", ["cafe"]),  # decomposed accent
    ("Crème-Brûlée", ["creme", "brulee"]),
    ("Straße STRASSE", ["strasse", "strasse"]),
    ("don't O’Reilly", ["dont", "oreilly"]),
    ("Node.js v20.1 C++ C#", ["node", "js", "v20", "1", "c", "c"]),
    ("snake_case kebab-case", ["snake", "case", "kebab", "case"]),
    ("ﬁle ｆｕｌｌｗｉｄｔｈ ½ x²", ["file", "fullwidth", "1", "2", "x2"]),
    ("İstanbul ΣΟΦΟΣ Ødegaard Łódź", ["istanbul", "σοφοσ", "odegaard", "lodz"]),
    ("Пример 東京 ٣", ["пример", "東京", "٣"]),
    ("", []),
    ("  --  ", []),
    ("a" * 40, ["a" * 32]),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_tokenize_is_idempotent_on_its_output():
    for text in ["Café Straße İstanbul ΣΟΦΟΣ ﬁ ½", "Łódź Ærø Þór ħ ı"]:
        tokens = tokenize(text)
        assert [t for tok in tokens for t in tokenize(tok)] == tokens


def test_stop_words_policy():
    """A tiny documented list, dropped from the index (and from queries but the last word)."""
    assert STOP_WORDS == frozenset("a an and are as at be by for from in into is of on or that "
                                   "the this to was with".split())
    assert tokenize("The Zen of Python") == ["the", "zen", "of", "python"]  # tokenize keeps them
    assert index_terms("The Zen of Python") == ["zen", "python"]
    assert {"it", "who", "will", "go"}.isdisjoint(STOP_WORDS)


def test_searchdoc_is_frozen_with_the_agreed_fields():
    assert [f.name for f in dataclasses.fields(SearchDoc)] == [
        "url", "title", "date", "event", "tags", "speakers", "summary", "body"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DOCS[0].title = "x"  # type: ignore[misc]


# --- Index layout ----------------------------------------------------------------

def test_files_are_under_search_and_content_hashed(index):
    assert "search/manifest.json" in index
    for path, data in index.items():
        assert path.startswith("search/")
        if path != "search/manifest.json":
            assert path == f"search/{path.split('/')[1]}/{hashlib.sha256(data).hexdigest()[:10]}.json"
        json.loads(data)  # every file is valid JSON


def test_build_is_deterministic_and_order_independent():
    shuffled = DOCS[:]
    random.Random(3).shuffle(shuffled)
    assert build_index(DOCS) == build_index(shuffled) == build_index(tuple(DOCS))


def test_manifest_has_filter_options_and_base(index):
    m = json.loads(index["search/manifest.json"])
    assert m["base"] == BASE
    assert m["years"][:3] == ["2025", "2024", "2023"] and m["years"] == sorted(m["years"], reverse=True)
    assert {"celery", "asyncio", "python"} <= set(m["tags"])
    assert {"PyCon US 2023", "EuroPython 2024", "DjangoCon Europe 2024"} == set(m["events"])
    assert m["stop"] == sorted(STOP_WORDS)
    assert m["n"] == len(DOCS)


def test_file_count_is_bounded_for_1000_notes():
    docs = filler(1000, seed=5)
    files = build_index(docs)
    kinds = {k: sum(p.startswith(f"search/{k}/") for p in files) for k in "tdf"}
    assert kinds["d"] == 20  # 50 notes per result-data file by default
    assert len(files) == 1 + sum(kinds.values())
    assert kinds["f"] <= 3
    coarse = build_index(docs, docs_per_file=100)
    assert sum(p.startswith("search/d/") for p in coarse) == 10
    # Shards stay near their byte target (a lone huge term may exceed it alone).
    for path, data in files.items():
        if path.startswith("search/t/"):
            assert len(data) < 40_000 or len(json.loads(data)) == 1


def test_empty_site_builds_a_usable_index():
    files = build_index([])
    m = json.loads(files["search/manifest.json"])
    assert m["n"] == 0 and m["docs"] == [] and len(m["shards"]) == 1


def test_excerpt_prefers_summary_and_cuts_at_a_word():
    d = doc("x", "T", "word " * 100)
    assert excerpt(d) == excerpt(dataclasses.replace(d, body="word " * 200))
    assert excerpt(d).endswith("…") and len(excerpt(d)) <= 161
    assert excerpt(dataclasses.replace(d, summary="  Short   summary. ")) == "Short summary."


def test_docs_are_grouped_by_first_tag_newest_first():
    """Notes sharing a first tag get neighbouring ids, hence the same result-data files."""
    ordered = order_docs(list(reversed(DOCS)))
    first = [d.tags[0] if d.tags else None for d in ordered]
    runs = [t for i, t in enumerate(first) if i == 0 or t != first[i - 1]]
    assert len(runs) == len(set(runs))  # each first tag forms one contiguous run
    python = [d.date for d in ordered if d.tags[:1] == ("python",)]
    assert python == sorted(python, reverse=True)


# --- Ranking, through the real search.js -----------------------------------------

@needs_node
def test_ranking_end_to_end(tmp_path, index):
    r = js_search(tmp_path, index,
                  "celery", "Café", "cafe", "cel", "cel ", "the zen", "jose", "celery django",
                  "celery zzzqqq", "asyncio", ("asyncio", {"year": "2024"}), ("", {"tag": "asyncio"}),
                  ("", {"event": "PyCon US 2023", "tag": "asyncio"}), "muller", "<img")
    celery, cafe_acc, cafe, cel_typing, cel_done, zen, jose, both, partial, asyncio, py24, tag, both_f, muller, img = r
    # A title (and tag) match outranks a single body mention.
    assert celery["urls"][:2] == [url("celery-at-scale"), url("shipping-django")]
    # Accents fold both ways.
    assert set(cafe_acc["urls"]) == set(cafe["urls"]) == {url("cafe-culture"), url("morning-standups")}
    assert cafe["urls"][0] == url("cafe-culture")
    # The word being typed matches as a prefix; a finished word (trailing space) does not.
    assert cel_typing["urls"][:2] == [url("celery-at-scale"), url("shipping-django")]
    assert cel_done["urls"] == []
    assert zen["urls"] == [url("zen")] and [t["term"] for t in zen["terms"]] == ["zen"]
    assert jose["urls"] == [url("async-patterns")]
    assert muller["urls"] == [url("celery-at-scale")]
    # Every word must match; if no note has them all, notes with some of them.
    assert both["urls"] == [url("shipping-django")] and not both["partial"]
    assert partial["partial"] and partial["urls"][:2] == celery["urls"][:2]
    # Result data is complete and URLs keep the base path.
    top = asyncio["docs"][0]
    assert top["url"] == url("understanding-asyncio") and top["title"] == "Understanding asyncio"
    assert top["event"] == "PyCon US 2023" and top["year"] == "2023" and "asyncio" in top["tags"]
    # Filters; filter-only browsing lists newest first.
    assert asyncio["urls"][:2] == [url("understanding-asyncio"), url("async-patterns")]
    assert py24["urls"] == [url("async-patterns")]
    assert tag["urls"] == [url("async-patterns"), url("understanding-asyncio")]
    assert both_f["urls"] == [url("understanding-asyncio")]
    assert img["docs"][0]["title"].startswith("<img")  # data stays data; the UI uses textContent


@needs_node
def test_broad_prefix_is_matched_exactly(tmp_path):
    files = build_index(DOCS, shard_bytes=1)  # one term per shard: "co..." spans many
    m = json.loads(files["search/manifest.json"])
    assert sum(b.startswith("co") for b, _ in m["shards"]) > m["maxPrefixShards"]
    plans = run_js(tmp_path, "return data.qs.map((q) => S.planQuery(q, data.m));",
                   {"qs": ["c", "co", "coff"], "m": m})
    assert plans == [[{"term": "c", "prefix": False}],  # shorter than minPrefix
                     [{"term": "co", "prefix": False, "broad": True}],
                     [{"term": "coff", "prefix": True}]]
    broad, narrow = js_search(tmp_path, files, "co", "coff")
    assert broad["broad"] and broad["urls"] == []
    assert narrow["urls"] == [url("cafe-culture")]


@needs_node
def test_highlight_parts(tmp_path):
    out = run_js(tmp_path, """
      const t = [{ term: "cafe", prefix: false }, { term: "asy", prefix: true }];
      return [S.highlightParts("Café au lait, asyncio!", t), S.highlightParts("nothing here", t)];""", None)
    assert out == [[["Café", True], [" au lait, ", False], ["asyncio", True], ["!", False]],
                   [["nothing here", False]]]


# --- JS / Python tokenizer parity --------------------------------------------------

TRICKY = [
    "Café CAFÉ cafe\u0301 ÇA", "Straße ẞ", "İıIi", "ΣΟΦΟΣ σοφος ΌΣΟΣ", "Ødegaard Łódź Ærø Œuvre Þór Ðorđe ħ",
    "ﬁﬂ ｆｕｌｌ ① ½ ² ™ ㎒ ℃ Ⅻ", "don't O’Reilly rock 'n' roll", "e-mail snake_case Node.js C++ 3.11.4",
    "emoji 🎉🐍 mixed😀text", "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨𝔱𝔲𝔯", "Hangul 한국어 ᄀᄁ", "देवनागरी हिन्दी", "עִבְרִית", "العربية ﻻ",
    "日本語のテキスト ｶﾀｶﾅ", "ǅungla ǈ ǋ", "tab\tnew\nline\u00a0nbsp\u2028sep", "x" * 33 + " " + "é" * 40,
    "𝟘𝟙𝟚 ٠١٢ ߀", "a\u200db\u200cc", "Ꭰꭰ", "ΐΰ", "ŉ ǰ", "K Å Ω",
]


@needs_node
def test_js_tokenizer_matches_python_on_tricky_strings(tmp_path):
    js = run_js(tmp_path, "return data.map(S.tokenize);", TRICKY)
    assert js == [tokenize(t) for t in TRICKY]


@needs_node
def test_js_tokenizer_matches_python_on_every_assigned_code_point(tmp_path):
    """Each character alone and inside a word, for every code point assigned in
    Python's Unicode database (node's may be newer; newer characters may differ)."""
    cps = [cp for cp in range(sys.maxunicode + 1)
           if unicodedata.category(chr(cp)) not in ("Cn", "Co", "Cs")]
    texts = [chr(cp) for cp in cps] + [f"x{chr(cp)}y" for cp in cps]
    js = run_js(tmp_path, "return data.map(S.tokenize);", texts)
    mismatches = [(hex(ord(t[-2] if len(t) == 3 else t)), p, j)
                  for t, p, j in zip(texts, map(tokenize, texts), js) if p != j]
    assert mismatches == []


@needs_node
def test_js_query_parsing_follows_the_stop_word_policy(tmp_path, index):
    m = json.loads(index["search/manifest.json"])
    out = run_js(tmp_path, "return data.qs.map((q) => S.parseQuery(q, data.m));",
                 {"m": m, "qs": ["the celery", "celery the", "celery the ", "Celery celery", "a"]})
    assert out == [
        [{"term": "celery", "prefix": True}],
        [{"term": "celery", "prefix": False}, {"term": "the", "prefix": True}],
        [{"term": "celery", "prefix": False}],
        [{"term": "celery", "prefix": False}, {"term": "celery", "prefix": True}],
        [],  # one letter: too short for a prefix, and a stop word
    ]


# --- Client assets -------------------------------------------------------------------

def test_client_script_is_small_and_never_uses_html_injection():
    js = JS.read_text()
    assert len(gzip.compress(JS.read_bytes())) < 6_000
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", ".style"):
        assert banned not in js


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_partial_markup_is_accessible_and_csp_clean():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "themes/default/templates"), autoescape=True)
    html = env.get_template("partials/search_app.html").render(
        manifest_url="/talks/2026/search/manifest.json", search_url="/talks/2026/search/",
        tags_url="/talks/2026/tags/", archive_url="/talks/2026/archive/", query='"><script>x</script>')
    p = _Collect()
    p.feed(html)
    tags = p.tags
    ids = {a["id"] for _, a in tags if "id" in a}
    labels = [a["for"] for t, a in tags if t == "label"]
    assert set(labels) == {"search-q", "search-tag", "search-event", "search-year"} <= ids
    assert ("form", {"class": "search-form", "role": "search", "action": "/talks/2026/search/",
                     "method": "get"}) in tags
    inp = next(a for t, a in tags if t == "input")
    assert inp["type"] == "search" and inp["name"] == "q" and inp["value"] == '"><script>x</script>'
    assert any(a.get("role") == "status" and a.get("aria-live") == "polite" for _, a in tags)
    assert any(a.get("data-search-manifest") == "/talks/2026/search/manifest.json" for _, a in tags)
    hrefs = {a.get("href") for t, a in tags if t == "a"}
    assert {"/talks/2026/tags/", "/talks/2026/archive/"} <= hrefs
    assert not any(t in ("script", "style") or "style" in a or any(k.startswith("on") for k in a)
                   for t, a in tags)
