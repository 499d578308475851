"""A synthetic talknotes site with realistic notes, shared by the benchmarks.

Each note has ~770 words: headings, paragraphs, lists, a table every few notes, links to
other notes, and several fenced code blocks in different languages. Seeded: same N, same site.
"""

from __future__ import annotations

import random
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


def generate(root: Path, n: int, seed: int = 1) -> Path:
    """Write a site with ``n`` notes and a handful of events into ``root``."""
    rng = random.Random(seed)
    notes = root / "content" / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    (root / "content" / "events").mkdir(exist_ok=True)
    for e in range(10):
        (root / "content" / "events" / f"conf-{e}.yaml").write_text(f"name: Conference {e}\nstart: 2020-0{1 + e % 9}-01\n")
    for i in range(n):
        tags = rng.sample(TAGS, 3)
        title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} in practice, part {i}"
        front = (f"---\ntitle: \"{title}\"\nevent: conf-{i % 10}\nspeakers: [Speaker {i % 37}]\n"
                 f"tags: [{', '.join(tags)}]\nsummary: \"{_sentence(rng)}\"\n---\n\n")
        (notes / f"{note_file(i)}.md").write_text(front + note_body(rng, i, n, note_file))
    (root / "talknotes.yaml").write_text("title: Benchmark notes\nbase_url: https://example.org/\nper_page: 10\n")
    return root
