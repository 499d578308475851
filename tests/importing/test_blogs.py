"""``talknotes import pelican|hugo|jekyll``: front matter, copied files, rewritten links, old URLs
as aliases, and bad posts named with their line."""

from __future__ import annotations

import datetime as dt

import pytest

from importhelp import front, loaded, new_site, run, snapshot, source


@pytest.fixture()
def site(tmp_path):
    return new_site(tmp_path)


def body(site, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8").split("---\n", 2)[2]


# --- Pelican ---------------------------------------------------------------------------------

PROFILING = "content/notes/2020-03-01-profiling-a-slow-import/index.md"
CACHING = "content/notes/2020-04-02-caching-with-care.md"


def test_pelican_markdown_post(site, tmp_path, capsys):
    tree = source("pelican", tmp_path)
    status, out, err = run(capsys, site, "pelican", tree)
    assert status == 1 and "Traceback" not in err  # no-title.md
    assert front(site, PROFILING) == {
        "title": "Profiling a slow import", "date": dt.date(2020, 3, 1), "event": "Blog post",
        "speakers": ["Ada Example", "Bob Sample"], "tags": ["python", "profiling", "imports", "Performance"],
        "summary": "What -X importtime showed, and what we did about it.", "updated": dt.date(2020, 3, 5),
        "aliases": ["/2020/03/profiling-a-slow-import.html"]}  # ARTICLE_URL from pelicanconf.py
    text = body(site, PROFILING)
    assert "[chart](chart.png)" in text and "![A bar chart of import times](chart.png)" in text
    assert "[raw data](timings.csv)" in text  # {attach}, relative to the post
    assert "[tag page](/tags/python/)" in text
    assert "Read the reST post next" in text  # a link to a draft stays as text
    assert "The about page is not a post." in text  # pages/ is not imported
    assert "a link to the draft posts/rest-post.rst is kept as text" in out
    assert "'{filename}/pages/about.md' is to a page that was not imported" in out
    folder = site / PROFILING.rsplit("/", 1)[0]
    assert sorted(p.name for p in folder.iterdir()) == ["chart.png", "index.md", "timings.csv"]
    assert (folder / "chart.png").read_bytes() == (tree / "content/images/chart.png").read_bytes()
    assert (folder / "timings.csv").read_text() == "module,ms\nyaml,12\n"


def test_pelican_rst_post_and_errors(site, tmp_path, capsys):
    tree = source("pelican", tmp_path)
    status, out, err = run(capsys, site, "pelican", tree)
    assert front(site, CACHING) == {
        "title": "Caching with care", "date": dt.date(2020, 4, 2), "event": "Blog post",
        "speakers": ["Ada Example"], "tags": ["caching", "python", "Performance"],
        "summary": "A short summary in reST.", "draft": True, "aliases": ["/drafts/caching-with-care.html"]}
    text = body(site, CACHING)
    assert "[named link](https://example.org/named)" in text and "[anonymous one](https://example.org/anonymous)" in text
    assert "[Markdown post](2020-03-01-profiling-a-slow-import/index.md)" in text
    assert "```\ncache = {}\n```" in text
    assert f"{tree}/content/posts/no-title.md:1: the post has no title" in err
    assert not list((site / "content/notes").glob("*about*"))  # pages/ is not posts


# --- Hugo ------------------------------------------------------------------------------------

def test_hugo_front_matter_bundles_and_urls(site, tmp_path, capsys):
    tree = source("hugo", tmp_path)
    status, out, err = run(capsys, site, "hugo", tree)
    assert status == 1
    assert f"{tree}/content/posts/broken-toml.md:2: bad TOML front matter" in err
    yaml_post = "content/notes/2021-02-03-yaml-post/index.md"
    assert front(site, yaml_post) == {
        "title": "Shipping a wheel: the checklist", "date": dt.date(2021, 2, 3), "event": "Blog post",
        "speakers": ["Ada Example"], "tags": ["packaging", "wheels", "Python"],
        "summary": "Everything to check before uploading.", "updated": dt.date(2021, 2, 10),
        "aliases": ["/2021/02/shipping-a-wheel-the-checklist/", "/old/wheel-checklist/"]}
    text = body(site, yaml_post)
    assert "[static](logo.png)" in text and "[the bundle](../2021-04-05-bundled-post/index.md)" in text
    assert "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>" in text
    assert front(site, "content/notes/2021-03-04-toml-draft.md") == {
        "title": "Draft on TOML", "date": dt.date(2021, 3, 4), "event": "Blog post", "tags": ["toml"],
        "draft": True, "aliases": ["/2021/03/toml-draft/"]}
    bundle = site / "content/notes/2021-04-05-bundled-post"
    assert sorted(p.name for p in bundle.iterdir()) == ["handout.pdf", "index.md", "one.png"]
    assert front(site, "content/notes/2021-04-05-bundled-post/index.md")["aliases"] == ["/special/bundled/"]
    assert "![The first picture](one.png)" in body(site, "content/notes/2021-04-05-bundled-post/index.md")
    assert f"skipped    {tree}/content/about.md: a page at the top of content/, not a post" in out
    assert not list((site / "content/notes").glob("*home*"))


# --- Jekyll ----------------------------------------------------------------------------------

def test_jekyll_posts_drafts_and_liquid(site, tmp_path, capsys):
    tree = source("jekyll", tmp_path)
    status, out, err = run(capsys, site, "jekyll", tree)
    assert status == 1
    first = "content/notes/2019-07-08-first-post/index.md"
    assert front(site, first) == {
        "title": "First post: hello", "date": dt.date(2019, 7, 8), "event": "Blog post",
        "speakers": ["Ada Example"], "tags": ["intro", "news", "updates"], "summary": "The blog begins.",
        "aliases": ["/news/updates/2019/07/08/first-post/"]}  # permalink: pretty
    text = body(site, first)
    assert "![The view from the desk](desk.png)" in text and '```python\nprint("hello")\n```' in text
    assert "[the talk](../2019-08-09-a-talk/index.md)" in text
    talk = "content/notes/2019-08-09-a-talk/index.md"
    assert front(site, talk)["tags"] == ["meetup", "python", "talks"]  # the talks/ folder is a category
    assert front(site, talk)["aliases"] == ["/talks/a-talk-at-the-meetup/"]
    assert "[slides](slides.pdf)" in body(site, talk)
    assert front(site, "content/notes/2019-09-10-unfinished-idea.md")["draft"] is True
    assert f"{tree}/_posts/2019-10-11-bad-yaml.md:3: invalid YAML" in err
    assert f"{tree}/_posts/2019-13-45-bad-date.md: invalid date '2019-13-45': no such day" in err


# --- every blog source -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pelican", "hugo", "jekyll"])
def test_blog_import_twice_changes_nothing_and_keeps_hand_edits(site, tmp_path, capsys, kind):
    tree = source(kind, tmp_path)
    run(capsys, site, kind, tree)
    loaded(site)
    before = snapshot(site)
    run(capsys, site, kind, tree)
    assert snapshot(site) == before
    note = next(p for p in sorted((site / "content/notes").rglob("*.md")) if "welcome" not in p.name)
    note.write_text(note.read_text() + "\nEdited.\n")
    status, out, _ = run(capsys, site, kind, tree)
    assert f"{note.relative_to(site).as_posix()}: edited by hand; kept as it is" in out
    assert note.read_text().endswith("\nEdited.\n")


def test_a_copied_picture_edited_by_hand_is_kept(site, tmp_path, capsys):
    tree = source("jekyll", tmp_path)
    run(capsys, site, "jekyll", tree)
    picture = site / "content/notes/2019-07-08-first-post/desk.png"
    picture.write_bytes(picture.read_bytes() + b"\0")
    edited = picture.read_bytes()
    status, out, _ = run(capsys, site, "jekyll", tree)
    assert picture.read_bytes() == edited and "desk.png: edited by hand" in out


def test_pelicanconf_is_read_not_run(tmp_path):
    from generator.importing.pelican import settings
    conf, problems = settings(source("pelican", tmp_path), "blog")
    assert problems == [] and conf["ARTICLE_URL"] == "{date:%Y}/{date:%m}/{slug}.html"
    assert conf["STATIC_PATHS"] == ["images", "downloads"] and "THEME" not in conf


def test_a_blog_folder_that_is_not_there(site, tmp_path, capsys):
    status, _, err = run(capsys, site, "hugo", tmp_path / "nowhere")
    assert status == 2 and "no such file or folder" in err
