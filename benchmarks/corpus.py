"""A synthetic talknotes site with realistic notes, shared by the benchmarks.

Each note has ~770 words: headings, paragraphs, lists, a table every few notes, links to
other notes, and several fenced code blocks in different languages. Seeded: same N, same site.

``generate`` writes the talknotes site; ``generate_pelican`` and ``generate_hugo`` write the
same notes (titles, dates, tags, events, speakers, summaries, bodies) as a Pelican and a Hugo
site, for ``benchmarks/build.py``. Links between notes use each generator's own syntax.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

WORDS = ("django python flask request response database query cache template view model form "
         "async await worker queue celery redis postgres index migration deploy server client "
         "browser performance latency memory import module package test fixture coverage debug "
         "logging metrics trace container lambda serverless api endpoint schema validation "
         "security header cookie session token search ranking static site generator markdown "
         "image upload storage bucket the a of to and in is that for it with as on was this "
         "speaker talk slide demo audience question answer conference meetup community").split()
TAGS = ["django", "python", "flask", "testing", "performance", "deployment", "security", "async",
        "databases", "search", "caching", "serverless", "tooling", "frontend", "community", "data"]
CODE = {
    "python": "def handler(event, context):\n    items = [transform(x) for x in event['items']]\n"
              "    cache.set('last', items, timeout=300)\n    return {'count': len(items)}\n",
    "bash": "python -X importtime manage.py check 2> imports.log\nsort -t'|' -k2 -n imports.log | tail -n 20\n",
    "yaml": "services:\n  web:\n    image: app:latest\n    environment:\n      - DEBUG=0\n    ports: ['8000:8000']\n",
    "sql": "SELECT date_trunc('month', created) AS month, count(*)\nFROM talks\nGROUP BY 1\nORDER BY 1 DESC;\n",
    "javascript": "export function debounce(fn, ms) {\n  let t;\n  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };\n}\n",
}


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def note_body(rng: random.Random, index: int, n: int, slug_of) -> str:
    parts = []
    for section in range(4):
        parts.append(f"## {rng.choice(WORDS).title()} and {rng.choice(WORDS)} {section}")
        parts.append(_paragraph(rng))
        parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(2, 4))))
        language = rng.choice(sorted(CODE))
        parts.append(f"```{language}\n{CODE[language]}```")
        parts.append(_paragraph(rng))
        if section == 1 and n > 1:
            other = rng.randrange(n)
            if other != index:
                parts.append(f"This builds on [an earlier talk]({slug_of(other)}.md).")
    if index % 5 == 0:
        parts.append("| Option | Effect |\n|---|---|\n| cache | faster |\n| index | smaller |")
    return "\n\n".join(parts) + "\n"


def note_file(i: int) -> str:
    return f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}-talk-{i:05d}"


def notes(n: int, seed: int = 1):
    """Yield the ``n`` notes of a seeded corpus as dicts (file, title, date, event, speaker, tags,
    summary, body); ``body`` links to other notes as ``<note_file>.md``."""
    rng = random.Random(seed)
    for i in range(n):
        tags = rng.sample(TAGS, 3)
        title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} in practice, part {i}"
        summary = _sentence(rng)
        body = note_body(rng, i, n, note_file)
        yield {"index": i, "file": note_file(i), "date": note_file(i)[:10], "title": title,
               "event": f"conf-{i % 10}", "event_name": f"Conference {i % 10}",
               "speaker": f"Speaker {i % 37}", "tags": tags, "summary": summary, "body": body}


def generate(root: Path, n: int, seed: int = 1) -> Path:
    """Write a site with ``n`` notes and a handful of events into ``root``."""
    notes_dir = root / "content" / "notes"
    notes_dir.mkdir(parents=True, exist_ok=True)
    (root / "content" / "events").mkdir(exist_ok=True)
    for e in range(10):
        (root / "content" / "events" / f"conf-{e}.yaml").write_text(f"name: Conference {e}\nstart: 2020-0{1 + e % 9}-01\n")
    for note in notes(n, seed):
        front = (f"---\ntitle: \"{note['title']}\"\nevent: {note['event']}\nspeakers: [{note['speaker']}]\n"
                 f"tags: [{', '.join(note['tags'])}]\nsummary: \"{note['summary']}\"\n---\n\n")
        (notes_dir / f"{note['file']}.md").write_text(front + note["body"])
    (root / "talknotes.yaml").write_text("title: Benchmark notes\nbase_url: https://example.org/\nper_page: 10\n")
    return root


_LINK = re.compile(r"\]\((\d{4}-\d\d-\d\d-talk-\d+)\.md\)")

PELICANCONF = """\
# Generated by benchmarks/corpus.py: Pelican's defaults (notmyidea theme, Markdown with
# codehilite, tag/category/author pages, the default Atom feeds), paginated like talknotes,
# with talknotes' folder URLs (Pelican's default pagination names "author/speaker-1.html"
# page 2 "author/speaker-12.html", which collides with Speaker 12's page).
AUTHOR = "The benchmark editors"
SITENAME = "Benchmark notes"
SITEURL = "https://example.org"
PATH = "content"
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
ARTICLE_URL = "notes/{slug}/"
ARTICLE_SAVE_AS = "notes/{slug}/index.html"
CATEGORY_URL = "events/{slug}/"
CATEGORY_SAVE_AS = "events/{slug}/index.html"
AUTHOR_URL = "speakers/{slug}/"
AUTHOR_SAVE_AS = "speakers/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
"""


def generate_pelican(root: Path, n: int, seed: int = 1) -> Path:
    """Write the same ``n`` notes as a Pelican site (``pelicanconf.py``, ``content/*.md``):
    the event is the category, the speaker the author, links use ``{filename}``."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for note in notes(n, seed):
        meta = (f"Title: {note['title']}\nDate: {note['date']}\nCategory: {note['event_name']}\n"
                f"Tags: {', '.join(note['tags'])}\nAuthors: {note['speaker']}\n"
                f"Slug: {note['file'][11:]}\nSummary: {note['summary']}\n\n")
        body = _LINK.sub(r"]({filename}\1.md)", note["body"])
        (content / f"{note['file']}.md").write_text(meta + body)
    (root / "pelicanconf.py").write_text(PELICANCONF)
    return root


HUGO_CONFIG = """\
# Generated by benchmarks/corpus.py
baseURL = "https://example.org/"
title = "Benchmark notes"
languageCode = "en-gb"
paginate = 10
[taxonomies]
  tag = "tags"
  category = "categories"
  speaker = "speakers"
[permalinks]
  posts = "/notes/:slug/"
[markup.highlight]
  codeFences = true
  noClasses = false
  guessSyntax = false
[markup.goldmark.renderer]
  unsafe = true
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en-gb">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav>{{ range $name, $terms := .Site.Taxonomies }}<a href="{{ printf "/%s/" $name | relURL }}">{{ $name }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .GetTerms "categories" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ range .GetTerms "speakers" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<nav>{{ .TableOfContents }}</nav>
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a> {{ end }}</p>
<p>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</p>
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where .Site.RegularPages "Section" "posts" }}{{ end }}
{{ $paginator := .Paginate $pages }}
{{ range $paginator.Pages }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time>{{ .Date.Format "2 January 2006" }}</time></p><p>{{ .Summary }}</p></article>
{{ end }}
<nav>{{ with $paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
{{ with $paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}</nav>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
}


def generate_hugo(root: Path, n: int, seed: int = 1) -> Path:
    """Write the same ``n`` notes as a Hugo site (``config.toml``, ``content/posts/*.md`` with
    YAML front matter, a four-file ``layouts/``): the event is the category, speakers are a
    taxonomy, links use the ``ref`` shortcode, code fences are highlighted into CSS classes."""
    posts = root / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for note in notes(n, seed):
        front = (f"---\ntitle: \"{note['title']}\"\ndate: {note['date']}\nslug: {note['file'][11:]}\n"
                 f"categories: [\"{note['event_name']}\"]\nspeakers: [\"{note['speaker']}\"]\n"
                 f"tags: [{', '.join(note['tags'])}]\nsummary: \"{note['summary']}\"\n---\n\n")
        body = _LINK.sub(r']({{< ref "/posts/\1.md" >}})', note["body"])
        (posts / f"{note['file']}.md").write_text(front + body)
    (root / "config.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
