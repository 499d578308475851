"""Discovery, front matter and validation of notes, events and pages."""

from __future__ import annotations

import datetime as dt
import textwrap

from generator.model.content import load_content, split_front_matter


def make(root, files: dict[str, str]):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_content(root)


def test_date_prefix_gives_date_and_is_not_part_of_the_slug(tmp_path):
    content = make(tmp_path, {"content/notes/2023-04-18-Import-Time.md": "---\ntitle: T\n---\nBody\n"})
    (note,) = content.notes
    assert note.slug == "import-time"
    assert note.date == dt.date(2023, 4, 18)
    assert note.body == "Body\n"
    assert note.body_line == 4


def test_bundle_note_resolves_relative_to_its_folder(tmp_path):
    content = make(tmp_path, {"content/notes/my-talk/index.md": "---\ntitle: T\ndate: 2020-01-02\n---\n"})
    (note,) = content.notes
    assert note.slug == "my-talk" and note.folder.name == "my-talk"


def test_event_reference_or_free_text(tmp_path):
    content = make(tmp_path, {
        "content/events/pycon-2020.yaml": "name: PyCon 2020\nstart: 2020-04-15\nend: 2020-04-17\n",
        "content/notes/a.md": "---\ntitle: A\ndate: 2020-04-15\nevent: pycon-2020\n---\n",
        "content/notes/b.md": "---\ntitle: B\ndate: 2020-04-16\nevent: Local user group\n---\n",
    })
    assert not content.problems
    a, b = content.notes
    assert (a.event, a.event_text) == ("pycon-2020", None)
    assert (b.event, b.event_text) == (None, "Local user group")
    (event,) = content.events
    assert event.end == dt.date(2020, 4, 17)


def test_bom_crlf_and_single_string_lists(tmp_path):
    path = tmp_path / "content/notes/x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\r\ntitle: X\r\ndate: 2020-01-01\r\nspeakers: Jane Doe\r\n---\r\nHi\r\n".encode())
    content = load_content(tmp_path)
    assert not content.problems
    assert content.notes[0].speakers == ("Jane Doe",)
    assert content.notes[0].body == "Hi\n"


def test_problems_name_file_line_field_and_hint(tmp_path):
    content = make(tmp_path, {
        "content/notes/a.md": """
            ---
            title: A
            date: 2020-01-01
            slides: javascript:alert(1)
            tagz: [x]
            ---
            """,
        "content/events/e.yaml": "name: E\nstart: 2020-02-02\nend: 2020-02-01\n",
    })
    messages = sorted(str(p) for p in content.problems)
    assert messages == [
        "content/events/e.yaml:3: end: ends before it starts (start is 2020-02-02)",
        "content/notes/a.md:4: slides: not an http(s) URL: 'javascript:alert(1)' "
        "(write the full address, e.g. https://example.org/talk)",
        "content/notes/a.md:5: tagz: unknown field (did you mean 'tags'?)",
    ]


def test_missing_or_unclosed_front_matter():
    assert split_front_matter("no fences\n", "x.md")[3][0].message == "missing front matter"
    assert split_front_matter("---\ntitle: x\n", "x.md")[3][0].message == "front matter is never closed"


def test_invalid_utf8_reports_the_line(tmp_path):
    path = tmp_path / "content/notes/x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"---\ntitle: X\ndate: 2020-01-01\n---\nok\nbad \xff byte\n")
    (problem,) = load_content(tmp_path).problems
    assert (problem.line, problem.hint) == (6, "save the file as UTF-8")


def test_duplicate_keys_and_aliases(tmp_path):
    content = make(tmp_path, {"content/notes/a.md": "---\ntitle: A\ntitle: B\ndate: 2020-01-01\n"
                                                    "aliases: [notes/old]\n---\n"})
    fields = sorted((p.line, p.field, p.message) for p in content.problems)
    assert fields == [(3, "title", "field given twice"), (5, "aliases", "alias 'notes/old' is not a site path")]


def test_yaml_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    content = make(tmp_path, {"content/notes/a.md": "---\ntitle: A\ndate: 2020-01-01\n" + bomb + "---\n"})
    assert any("aliases" in p.message for p in content.problems)
