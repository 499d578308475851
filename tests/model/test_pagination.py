"""Tag, event, speaker and month pages list ``list_per_page`` notes each, linked prev/next."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, TODAY, build_site
from htmltree import parse_file

LISTS = {"tag": "tags/python/", "event": "events/pycon/", "speaker": "speakers/ada-lovelace/",
         "month": "archive/2023/04/"}


def write_site(root: Path, list_per_page: int = 3, notes: int = 7) -> Path:
    """``notes`` notes, all in tag python, event pycon, speaker Ada Lovelace and April 2023, and
    one more alone in tag solo, May 2023."""
    (root / "content" / "notes").mkdir(parents=True)
    (root / "content" / "events").mkdir()
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "content" / "events" / "pycon.yaml").write_text("name: PyCon\nstart: 2023-04-01\n")
    for day in range(1, notes + 1):
        (root / "content" / "notes" / f"note-{day}.md").write_text(
            f"---\ntitle: Note {day}\ndate: 2023-04-{day:02d}\nevent: pycon\nspeakers: [Ada Lovelace]\n"
            f"tags: [python]\n---\n\nBody of note {day}.\n")
    (root / "content" / "notes" / "lonely.md").write_text(
        "---\ntitle: Lonely\ndate: 2023-05-02\ntags: [solo]\n---\n\nAlone.\n")
    (root / "talknotes.yaml").write_text(
        f"title: Test notes\nbase_url: https://example.org/\nlist_per_page: {list_per_page}\n")
    return root


def titles(doc) -> list[str]:
    return [a.text.strip() for a in doc.find_all("a") if a.parent and a.parent.tag.startswith("h")
            and "note-card-title" in a.parent.classes]


def head_link(doc, rel: str):
    head = doc.find("head")
    found = head.find("link", rel=rel)
    return found.get("href") if found else None


@pytest.fixture(scope="module", params=["/", "/talks/"], ids=["root", "subpath"])
def built(request, tmp_path_factory):
    base = request.param
    root = write_site(tmp_path_factory.mktemp("pagination") / "site")
    output = root.parent / "output"
    build_site(root, base_url=base, output=output)
    return output, base


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_pages_list_the_right_notes_newest_first(built, kind):
    output, base = built
    url = LISTS[kind]
    expected = {1: ["Note 7", "Note 6", "Note 5"], 2: ["Note 4", "Note 3", "Note 2"], 3: ["Note 1"]}
    for n, notes in expected.items():
        path = url if n == 1 else f"{url}page/{n}/"
        doc = parse_file(output / path / "index.html")
        assert titles(doc) == notes, (kind, n)
        assert "7 notes" in doc.find("main").text  # the count is the whole list's
    assert not (output / url / "page" / "1").exists()
    assert not (output / url / "page" / "4").exists()


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_prev_and_next_links(built, kind):
    output, base = built
    first, second, third = base + LISTS[kind], base + LISTS[kind] + "page/2/", base + LISTS[kind] + "page/3/"
    for path, prev, nxt in [(first, None, second), (second, first, third), (third, second, None)]:
        doc = parse_file(output / path[len(base):] / "index.html")
        assert head_link(doc, "prev") == prev, path
        assert head_link(doc, "next") == nxt, path
        nav = doc.find("nav", **{"aria-label": "Pages"})
        assert nav is not None, path
        links = {a.get("rel"): a.get("href") for a in nav.find_all("a") if a.get("rel")}
        assert links == {k: v for k, v in (("prev", prev), ("next", nxt)) if v}, path
        current = nav.find("a", **{"aria-current": "page"})
        assert current is not None and current.get("href") == path


def test_a_list_that_fits_on_one_page_has_no_pagination(built):
    output, base = built
    for path in ("tags/solo/", "archive/2023/05/"):
        doc = parse_file(output / path / "index.html")
        assert titles(doc) == ["Lonely"]
        assert doc.find("nav", **{"aria-label": "Pages"}) is None
        assert head_link(doc, "prev") is None and head_link(doc, "next") is None
        assert not (output / path / "page").exists()


def test_the_sitemap_lists_every_page(built):
    output, base = built
    sitemap = (output / "sitemap.xml").read_text()
    for url in LISTS.values():
        for n in (2, 3):
            assert f"https://example.org{base}{url}page/{n}/</loc>" in sitemap
        assert f"https://example.org{base}{url}</loc>" in sitemap
    assert "page/1/" not in sitemap


def test_the_tag_feed_does_not_depend_on_list_per_page(tmp_path):
    feeds = []
    for per_page in (2, 50):
        root = write_site(tmp_path / f"site-{per_page}", list_per_page=per_page)
        build_site(root, output=tmp_path / f"out-{per_page}")
        feeds.append((tmp_path / f"out-{per_page}" / "tags" / "python" / "feed.xml").read_bytes())
    assert feeds[0] == feeds[1]


def test_list_per_page_must_be_a_positive_int(tmp_path):
    from generator.config.settings import load_config
    assert load_config(tmp_path)[0].list_per_page == 50
    (tmp_path / "talknotes.yaml").write_text("list_per_page: 0\n")
    config, problems = load_config(tmp_path)
    assert problems and any("list_per_page" in (p.field or "") + p.message for p in problems)


def test_an_edit_across_a_page_boundary_matches_a_clean_build(tmp_path):
    from generator.build import BuildOptions, build
    from generator.incremental.store import BuildCache

    def tree(output: Path) -> dict[str, bytes]:
        return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}

    root = write_site(tmp_path / "site")
    options = BuildOptions(source=root, output=tmp_path / "incremental", today=TODAY)
    cache = BuildCache()
    build(options, cache)
    note = root / "content" / "notes" / "note-1.md"
    edits = [
        lambda: note.write_text(note.read_text().replace("date: 2023-04-01", "date: 2023-04-20")),  # last -> first
        lambda: (root / "content" / "notes" / "note-5.md").unlink(),  # everything after it moves up
        lambda: (root / "content" / "notes" / "note-9.md").write_text(  # a fourth page... then not
            "---\ntitle: Note 9\ndate: 2023-04-09\ntags: [python]\nevent: pycon\n---\n\nNine.\n"),
    ]
    for step, change in enumerate(edits):
        change()
        build(options, cache)
        clean = tmp_path / f"clean-{step}"
        build(BuildOptions(source=root, output=clean, today=TODAY), BuildCache())
        assert tree(tmp_path / "incremental") == tree(clean), step
    doc = parse_file(tmp_path / "incremental" / "tags" / "python" / "index.html")
    assert titles(doc) == ["Note 1", "Note 9", "Note 7"]
