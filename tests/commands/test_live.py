"""The dev server's fast path (generator/commands/live.py): an edit to notes' text re-renders
only the pages showing them, and the served site still equals a clean build."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from conftest import TODAY

from generator.build import BuildOptions, build
from generator.commands.live import LiveSite
from generator.incremental.store import BuildCache

TAGS = ["django", "flask", "asyncio", "testing", "orm", "deploy", "typing", "packaging"]
SPEAKERS = ["Ada Lovelace", "Grace Hopper", "Алексей Смирнов", "김민준", "Łukasz Langa", "Guido"]


def write_site(root: Path, notes: int, seed: int = 1) -> Path:
    """``notes`` notes over a few tags, speakers, events and months, plus ``solo.md``, the newest
    note, alone in its tag and speaker (the pages it is on do not depend on ``notes``)."""
    r = random.Random(seed)
    folder = root / "content" / "notes"
    folder.mkdir(parents=True)
    (root / "content" / "events").mkdir()
    for number in range(3):
        (root / "content" / "events" / f"conf-{number}.yaml").write_text(
            f"name: Conf {number}\nstart: 2022-0{number + 1}-01\n")
    for number in range(notes):
        tags = ", ".join(r.sample(TAGS, 2))
        speaker = r.choice(SPEAKERS)
        (folder / f"note-{number:04d}.md").write_text(
            f"---\ntitle: Talk {number}\ndate: 2022-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}\n"
            f"event: conf-{number % 3}\nspeakers: [\"{speaker}\"]\ntags: [{tags}]\n---\n\n"
            f"Talk {number} was about *{tags}*. See [the other](note-{(number + 1) % notes:04d}.md).\n",
            encoding="utf-8")
    (folder / "solo.md").write_text(
        "---\ntitle: Solo\ndate: 2023-06-01\nspeakers: [Solo Speaker]\ntags: [solo]\n---\n\nAlone.\n")
    (root / "talknotes.yaml").write_text("title: Live test\nbase_url: http://127.0.0.1:8000/\n")
    return root


def tree(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


class Served:
    """What the dev server does on a save: the fast path, else a full build in place."""

    def __init__(self, root: Path):
        self.options = BuildOptions(source=root, output=root / ".cache" / "serve", in_place=True, today=TODAY)
        self.cache = BuildCache()
        self.live = LiveSite(build(self.options, self.cache).built, self.cache)
        self.quick = 0

    def save(self, path: Path) -> dict | None:
        counts = self.live.update([str(path)])
        if counts is None:
            self.live = LiveSite(build(self.options, self.cache).built, self.cache)
        else:
            self.quick += 1
        return counts

    def clean(self, tmp: Path) -> dict[str, bytes]:
        output = tmp / f"clean-{self.quick}-{random.random()}"
        build(dataclasses.replace(self.options, output=output), BuildCache())
        return tree(output)


def test_an_edit_to_a_notes_text_renders_only_its_pages(tmp_path):
    served = Served(write_site(tmp_path / "site", 30))
    note = tmp_path / "site" / "content" / "notes" / "note-0007.md"
    note.write_text(note.read_text().replace("was about", "was mostly about"))
    counts = served.save(note)
    assert counts is not None
    assert counts["records read"] == 1 and counts["markdown"] == 1
    assert 3 <= counts["pages"] <= 20
    assert tree(served.options.output) == served.clean(tmp_path)


@pytest.mark.parametrize("change", ["tags: [solo, extra]", "date: 2023-06-02", "draft: true",
                                    "speakers: [Someone Else]", "aliases: [/old/solo/]"])
def test_an_edit_that_rearranges_the_site_takes_a_full_build(tmp_path, change):
    served = Served(write_site(tmp_path / "site", 10))
    note = tmp_path / "site" / "content" / "notes" / "solo.md"
    text = note.read_text()
    key = change.split(":")[0]
    lines = [line for line in text.splitlines() if not line.startswith(key + ":")]
    lines.insert(1, change)
    note.write_text("\n".join(lines) + "\n")
    assert served.save(note) is None
    assert tree(served.options.output) == served.clean(tmp_path)


def test_new_deleted_broken_and_other_files_take_a_full_build(tmp_path):
    root = write_site(tmp_path / "site", 10)
    served = Served(root)
    notes = root / "content" / "notes"
    (notes / "new.md").write_text("---\ntitle: New\ndate: 2023-01-01\n---\n\nNew.\n")
    assert served.live.update([str(notes / "new.md")]) is None
    (notes / "note-0001.md").unlink()
    assert served.live.update([str(notes / "note-0001.md")]) is None
    (notes / "note-0002.md").write_text("---\ntitle: [unclosed\n---\n\nBroken.\n")
    assert served.live.update([str(notes / "note-0002.md")]) is None
    event = root / "content" / "events" / "conf-0.yaml"
    event.write_text(event.read_text() + "location: Town\n")
    assert served.live.update([str(event)]) is None
    assert served.live.update([str(root / "talknotes.yaml")]) is None


def test_work_does_not_grow_with_the_number_of_notes(tmp_path):
    """Pages rendered, files written, records read and Markdown rendered after one edit are the
    same at 40 notes and at 400 (counts, not timings)."""
    seen = []
    for size in (40, 400):
        root = write_site(tmp_path / f"site-{size}", size)
        served = Served(root)
        note = root / "content" / "notes" / "solo.md"
        note.write_text(note.read_text().replace("Alone.", "Alone, and edited."))
        counts = served.save(note)
        assert counts is not None
        seen.append({k: counts[k] for k in ("records read", "markdown", "pages", "written")})
    assert seen[0] == seen[1]
    assert seen[0]["records read"] == 1 and seen[0]["pages"] <= 10


def test_edit_sequences_match_a_clean_build(tmp_path):
    """Random edits (text, titles, summaries, and some that rearrange the site); after each the
    served folder is byte for byte a clean build."""
    r = random.Random(7)
    root = write_site(tmp_path / "site", 60)
    served = Served(root)
    notes = sorted((root / "content" / "notes").glob("note-*.md"))
    for step in range(12):
        note = r.choice(notes)
        text = note.read_text(encoding="utf-8")
        kind = step % 4
        if kind == 0:
            text = text.replace("\n---\n\n", f"\n---\n\nA new first line, step {step}.\n\n", 1)
        elif kind == 1:
            text = text.replace("title: ", f"title: Step {step} ", 1)
        elif kind == 2:
            text = text.replace("tags: [", "summary: A summary.\ntags: [", 1) if "summary:" not in text else \
                text.replace("summary: ", f"summary: {step} ", 1)
        else:
            text = text.replace("tags: [", f"tags: [{r.choice(TAGS)}-{step}, ", 1)  # rearranges
        note.write_text(text, encoding="utf-8")
        served.save(note)
        assert tree(served.options.output) == served.clean(tmp_path), step
    assert served.quick >= 6
