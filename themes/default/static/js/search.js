// talknotes client-side search: a dependency-free ES module.
// The pure functions are exported for tests and benchmarks (node runs them too);
// the UI wires itself up when the page has an element with data-search-manifest.
// Index format and tokenizer rules: docs/search.md and generator/search.py.

// --- Tokenizer: must match generator/search.py rule for rule. ---
const FOLDS = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
  "ł": "l", "þ": "th", "ı": "i", "ħ": "h", "ς": "σ" };
const FOLD_RE = /[\p{M}'\u2019ßæœøđðłþıħς]/gu;
const WORD_RE = /[\p{L}\p{N}]+/gu;
export const MAX_TOKEN_LENGTH = 32;
const PREFIX_FACTOR = 0.8; // a completion counts a bit less than the word itself
const PAGE = 10;

export function normalize(text) {
  if (/^[\0-\x7f]*$/.test(text)) return text.toLowerCase().replace(/'/g, "");
  return text.normalize("NFKD").toLowerCase().normalize("NFKD")
    .replace(FOLD_RE, (c) => FOLDS[c] ?? "");
}

export function tokenize(text) {
  return Array.from(normalize(text).matchAll(WORD_RE), ([t]) =>
    t.length > MAX_TOKEN_LENGTH ? Array.from(t).slice(0, MAX_TOKEN_LENGTH).join("") : t);
}

// --- Query planning and ranking (pure). ---

// Query words to look up, as {term, prefix}. Stop words are dropped, except the
// last word while it is being typed (query ends in a letter or digit): that one
// matches every indexed term starting with it, if it has minPrefix characters.
export function parseQuery(query, manifest) {
  const words = tokenize(query);
  const stop = new Set(manifest.stop);
  const typing = /[\p{L}\p{N}\p{M}]$/u.test(query);
  const out = [];
  words.forEach((term, i) => {
    const prefix = typing && i === words.length - 1 && term.length >= manifest.minPrefix;
    if (prefix || !stop.has(term)) {
      if (!out.some((q) => q.term === term && q.prefix === prefix)) out.push({ term, prefix });
    }
  });
  return out;
}

// Index of the last range whose first key is <= key (ranges sorted by JS order).
function rangeIndex(bounds, key) {
  let lo = 0, hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid][0] <= key) lo = mid; else hi = mid - 1;
  }
  return lo;
}

// Shards that can hold the term, or every term starting with it for a prefix.
export function shardsFor(bounds, { term, prefix }) {
  const out = [rangeIndex(bounds, term)];
  for (let i = out[0] + 1; prefix && i < bounds.length && bounds[i][0].startsWith(term); i++) out.push(i);
  return out;
}

// Query words as looked up: a prefix spanning more than maxPrefixShards shards
// is too broad to fetch on a keystroke, so it is matched exactly (`broad`).
export function planQuery(query, manifest) {
  return parseQuery(query, manifest).map((q) =>
    q.prefix && shardsFor(manifest.shards, q).length > manifest.maxPrefixShards
      ? { term: q.term, prefix: false, broad: true } : q);
}

const undelta = (deltas) => { let id = 0; return deltas.map((d) => (id += d)); };

// Scores of one query word: doc id -> score (best matching term per doc).
export function termScores(shards, { term, prefix }) {
  const scores = new Map();
  const add = (entry, factor) => {
    const ids = undelta(entry[0]);
    ids.forEach((id, k) => {
      const s = entry[1][k] * factor;
      if (!(scores.get(id) >= s)) scores.set(id, s);
    });
  };
  for (const shard of shards) {
    if (Object.hasOwn(shard, term)) add(shard[term], 1);
    if (prefix) for (const t of Object.keys(shard)) if (t !== term && t.startsWith(term)) add(shard[t], PREFIX_FACTOR);
  }
  return scores;
}

// Combine per-word scores: notes with every word first (sum of scores); if no
// note has them all, notes with the most words. `allowed` is a Set or null.
export function rank(perWord, allowed) {
  const total = new Map(), hits = new Map();
  for (const m of perWord) {
    for (const [id, s] of m) {
      if (allowed && !allowed.has(id)) continue;
      total.set(id, (total.get(id) || 0) + s);
      hits.set(id, (hits.get(id) || 0) + 1);
    }
  }
  let ids = [...total.keys()];
  const all = ids.filter((id) => hits.get(id) === perWord.length);
  const partial = all.length === 0 && perWord.length > 1;
  if (!partial) ids = all;
  ids.sort((a, b) => hits.get(b) - hits.get(a) || total.get(b) - total.get(a) || a - b);
  return { ids, partial };
}

// Search over an index. `load(path)` resolves "t/<hash>.json" etc. (relative to
// the manifest) to parsed JSON; results are cached per file.
export function createSearch(manifest, load) {
  const cache = new Map();
  const get = (dir, hash) => {
    const path = `${dir}/${hash}.json`;
    if (!cache.has(path)) cache.set(path, load(path));
    return cache.get(path);
  };
  const facet = async (key) => {
    const f = await get("f", manifest.facets[rangeIndex(manifest.facets, key)][1]);
    return Object.hasOwn(f, key) ? undelta(f[key]) : [];
  };
  const wordScores = async (q) =>
    termScores(await Promise.all(shardsFor(manifest.shards, q).map((i) => get("t", manifest.shards[i][1]))), q);

  // filters: {tag, event, year} with tag/event as display names, year as "2023".
  async function search(query, filters = {}) {
    const terms = planQuery(query, manifest);
    const keys = [];
    const ti = manifest.tags.indexOf(filters.tag), ei = manifest.events.indexOf(filters.event);
    if (filters.tag) keys.push(ti < 0 ? "-" : `t${ti}`);
    if (filters.event) keys.push(ei < 0 ? "-" : `e${ei}`);
    if (filters.year) keys.push(`y${filters.year}`);
    const [perWord, lists] = await Promise.all([
      Promise.all(terms.map(wordScores)), Promise.all(keys.map(facet))]);
    let allowed = null;
    for (const l of lists) allowed = new Set(allowed ? l.filter((id) => allowed.has(id)) : l);
    const broad = terms.some((q) => q.broad);
    if (terms.length) return { terms, broad, ...rank(perWord, allowed) };
    // Filters only: browse, newest first (facet lists are stored in that order).
    return { terms, broad, partial: false, ids: lists.length ? lists[0].filter((id) => allowed.has(id)) : [] };
  }

  // Result data for doc ids, fetching only the doc files they live in.
  async function docs(ids) {
    const rows = await Promise.all(ids.map(async (id) => {
      const file = await get("d", manifest.docs[Math.floor(id / manifest.per)]);
      return file[id % manifest.per];
    }));
    return rows.map(([title, url, date, event, tags, speakers, excerpt]) => ({
      title, url: manifest.base + url, date, year: date.slice(0, 4),
      event: manifest.events[event] ?? "", tags: tags.map((i) => manifest.tags[i]), speakers, excerpt,
    }));
  }
  return { search, docs };
}

// Split text into [string, isMatch] pieces; a word matches when one of its
// tokens equals a query term (or starts with the term being typed).
export function highlightParts(text, terms) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}'\u2019]+/gu)) {
    const hit = tokenize(m[0]).some((t) => terms.some((q) => t === q.term || (q.prefix && t.startsWith(q.term))));
    if (!hit) continue;
    if (m.index > last) parts.push([text.slice(last, m.index), false]);
    parts.push([m[0], true]);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push([text.slice(last), false]);
  return parts;
}

// --- UI (browser only). All index data goes into the page as textContent. ---

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function highlighted(tag, className, text, terms) {
  const node = el(tag, className);
  for (const [s, hit] of highlightParts(text, terms)) node.append(hit ? el("mark", "", s) : s);
  return node;
}

function renderResult(doc, terms) {
  const li = el("li", "search-result");
  const h = el("h2", "search-result-title");
  const a = highlighted("a", "", doc.title, terms);
  a.href = doc.url;
  h.append(a);
  const meta = el("p", "search-result-meta");
  const time = el("time", "", doc.date);
  time.dateTime = doc.date;
  meta.append(time);
  for (const part of [doc.event, doc.speakers.join(", "), doc.tags.join(", ")]) {
    if (part) meta.append(" · ", part);
  }
  li.append(h, meta);
  if (doc.excerpt) li.append(highlighted("p", "search-result-excerpt", doc.excerpt, terms));
  return li;
}

function fillSelect(select, values, chosen) {
  if (!select) return;
  for (const v of values) select.append(new Option(v, v, false, v === chosen));
}

async function init(root) {
  const input = root.querySelector("input[type=search]");
  const status = root.querySelector("[role=status]");
  const list = root.querySelector("[data-search-results]");
  const more = root.querySelector("[data-search-more]");
  const selects = Object.fromEntries(["tag", "event", "year"].map((n) => [n, root.querySelector(`select[name=${n}]`)]));
  const params = new URLSearchParams(location.search);
  if (params.has("q")) input.value = params.get("q");
  for (const node of root.querySelectorAll("[data-search-nojs]")) node.hidden = true;

  let api, manifest;
  try {
    const url = new URL(root.dataset.searchManifest, document.baseURI);
    // The manifest is revalidated (it changes on every deploy); hashed files never change.
    const fetchJson = async (u, cache = "default") => {
      const r = await fetch(u, { cache });
      if (!r.ok) throw new Error(`${r.status} ${u}`);
      return r.json();
    };
    manifest = await fetchJson(url, "no-cache");
    api = createSearch(manifest, (path) => fetchJson(new URL(path, url)));
  } catch (err) {
    status.textContent = "Search is unavailable right now: the index could not be loaded.";
    throw err;
  }
  fillSelect(selects.tag, manifest.tags, params.get("tag"));
  fillSelect(selects.event, manifest.events, params.get("event"));
  fillSelect(selects.year, manifest.years, params.get("year"));
  for (const node of root.querySelectorAll("[data-search-filters]")) node.hidden = false;

  let seq = 0, ids = [], shown = 0, terms = [];
  // `fresh`: the page replaces the list in one go once it is ready, so the old results
  // stay put while the new ones load (no empty list collapsing in between).
  const showMore = async (fresh) => {
    const mine = seq;
    const page = await api.docs(ids.slice(shown, shown + PAGE));
    if (mine !== seq) return null;
    const items = page.map((d) => renderResult(d, terms));
    if (fresh) list.replaceChildren(...items); else list.append(...items);
    shown += page.length;
    if (more) more.hidden = shown >= ids.length;
    return items;
  };
  const run = async () => {
    const mine = ++seq;
    const filters = Object.fromEntries(Object.entries(selects).map(([k, s]) => [k, s ? s.value : ""]));
    const next = new URL(location.href);
    for (const [k, v] of Object.entries({ q: input.value, ...filters })) {
      if (v) next.searchParams.set(k, v); else next.searchParams.delete(k);
    }
    history.replaceState(history.state, "", next);
    const empty = !input.value.trim() && !Object.values(filters).some(Boolean);
    const res = empty ? { ids: [], terms: [], partial: false } : await api.search(input.value, filters);
    if (mine !== seq) return; // a newer query has started
    ({ ids, terms } = res);
    shown = 0;
    await showMore(true);
    if (mine !== seq) return;
    const n = ids.length, notes = `${n} note${n === 1 ? "" : "s"}`;
    status.textContent = empty ? "" : res.partial ? `No note has every word; ${notes} match some of them.`
      : n ? `${notes} found.` : res.broad ? "No notes found yet: type more letters to match longer words."
      : "No notes found.";
  };
  const safeRun = () => run().catch((err) => {
    status.textContent = "Search failed: part of the index could not be loaded.";
    console.warn(err);
  });

  let timer;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(safeRun, 150); });
  for (const s of Object.values(selects)) if (s) s.addEventListener("change", safeRun);
  root.querySelector("form")?.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); safeRun(); });
  more?.addEventListener("click", async () => {
    const items = await showMore();
    items?.[0]?.querySelector("a").focus();
  });
  root.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = [...list.querySelectorAll(".search-result-title a")];
    const i = links.indexOf(document.activeElement);
    const target = e.target === input ? (e.key === "ArrowDown" ? links[0] : null)
      : i < 0 ? null : e.key === "ArrowDown" ? links[i + 1] : links[i - 1] || input;
    if (target) { e.preventDefault(); target.focus(); }
  });
  if (input.value.trim() || Object.values(selects).some((s) => s?.value)) safeRun();
}

if (typeof document !== "undefined") {
  for (const root of document.querySelectorAll("[data-search-manifest]")) init(root);
}
