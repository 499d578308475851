"""``talknotes check``: one broken site per rule, each checked through the command line.

Every case is a copy of the sample site plus the broken files of one rule. All cases run once in
a module fixture; each test then reads its own exit status and output.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import copy_sample_site

FUTURE = "2999-01-01"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def note(root: Path, name: str, body: str, front: str = "") -> None:
    """A note ``content/notes/<name>.md``: title on line 2, date on 3, ``front`` from line 4; the body
    starts on line 6, or one line later per line of ``front``."""
    write(root, f"content/notes/{name}.md",
          f"---\ntitle: Test note\ndate: 2024-01-01\n{textwrap.dedent(front).lstrip()}---\n\n"
          + textwrap.dedent(body).lstrip("\n"))


def _front_matter(root):
    note(root, "2024-01-01-typo", "Body.\n", front="speaker: [Jane Doe]\n")


def _broken_link(root):
    note(root, "2024-01-01-links", """
        Fine: [about](/about/), [home](/), [a tag feed](/tags/django/feed.xml), [feed](/feed.xml).

        Broken: [gone](/notes/no-such-note/).

        No slash: [tags](/tags).

        A file: [x](2099-01-01-missing.md).
        """)


def _broken_anchor_elsewhere(root):
    note(root, "2024-01-01-target", "## Takeaways\n\nText.\n")
    note(root, "2024-01-02-source", """
        Fine: [ok](2024-01-01-target.md#takeaways), [main](2024-01-01-target.md#main).

        Broken: [no](2024-01-01-target.md#take-aways).
        """)


def _broken_anchor_here(root):
    note(root, "2024-01-01-anchors", """
        ## Key points

        Fine: [up](#key-points), a footnote[^1], [to it](#fn:1).

        Broken: [nowhere](#nowhere).

        [^1]: The footnote.
        """)


def _broken_anchors_here(root):
    _broken_anchor_here(root)
    note(root, "2024-01-01-footnote", """
        Text without a reference.

        [^gone]: A footnote nobody points at.
        """)


def _missing_image(root):
    note(root, "2024-01-01-pictures", "![A diagram of the system](no-such-diagram.png)\n",
          front="image: no-such-cover.jpg\n")


def _missing_alt(root):
    note(root, "2024-01-01-alt", """
        ![](../images/rocket.jpg)

        ![](https://example.org/remote.png)

        <img src="https://example.org/raw.png">

        ![A rocket lifting off](../images/rocket.jpg)
        """)


def _duplicate_slug(root):
    # Folds to the same slug as content/notes/2015-10-06-cookie-size-limit.md.
    note(root, "2024-01-01-Cookie-Size-Limit", "Body.\n")


def _duplicate_alias(root):
    note(root, "2024-01-01-first", "One.\n", front="aliases: [/notes/old-name/]\n")
    note(root, "2024-01-02-second", "Two.\n", front="aliases: [/notes/old-name/, /tags/]\n")


def _future(root):
    note(root, "2024-01-01-next-year", "Not yet.\n")
    path = root / "content/notes/2024-01-01-next-year.md"
    path.write_text(path.read_text().replace("date: 2024-01-01", f"date: {FUTURE}"))


def _future_draft(root):
    _future(root)
    path = root / "content/notes/2024-01-01-next-year.md"
    path.write_text(path.read_text().replace("title:", "draft: true\ntitle:"))


def _big_image(root):
    (root / "content/images/huge.png").write_bytes(b"\0" * (2048 * 1024 + 1))
    (root / "content/images/fine.png").write_bytes(b"\0" * (2048 * 1024))


RAW_HTML = """
    <div onclick="steal()">Click</div>

    <script>alert(1)</script>

    <iframe src="https://example.org/"></iframe>

    <a href=" JaVaScRiPt:alert(1)">link</a>

    ```html
    <script>shown as code, never run</script>
    ```
    """


def _raw_html(root):
    note(root, "2024-01-01-raw", RAW_HTML)


def _raw_html_escaped_site(root):
    _raw_html(root)
    with (root / "talknotes.yaml").open("a") as config:
        config.write("markdown:\n  raw_html: escape\n")


def _drafts(root):
    _future_draft(root)
    note(root, "2024-01-01-draft", "[gone](/notes/no-such-note/)\n", front="draft: true\n")


def _everything(root):
    _front_matter(root)
    _raw_html(root)


# name -> (how to break the sample site, extra arguments)
CASES = {
    "clean": (None, ()),
    "front matter": (_front_matter, ()),
    "broken link": (_broken_link, ()),
    "broken anchor elsewhere": (_broken_anchor_elsewhere, ()),
    "broken anchor here": (_broken_anchors_here, ()),
    "missing image": (_missing_image, ()),
    "missing alt": (_missing_alt, ()),
    "duplicate slug": (_duplicate_slug, ()),
    "duplicate alias": (_duplicate_alias, ()),
    "future": (_future, ()),
    "big image": (_big_image, ()),
    "raw html": (_raw_html, ()),
    "raw html escaped site": (_raw_html_escaped_site, ()),
    "drafts": (_drafts, ("--format", "github")),
    "drafts with --drafts": (_drafts, ("--drafts",)),
    "github": (_everything, ("--format", "github")),
}


# Run as real processes: the exit status and both formats end to end. The other cases call the
# same entry point in-process (``python -m generator`` is ``sys.exit(cli.main())``), which keeps
# this file fast: most of a cold run is importing and warming up Markdown and Pygments.
SUBPROCESS = {"clean", "drafts", "github"}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, SimpleNamespace]:
    from generator import cli
    sites = {}
    for index, (name, (breaks, _)) in enumerate(CASES.items()):
        root = copy_sample_site(tmp_path_factory.mktemp(f"check{index}") / "site")
        if breaks:
            breaks(root)
        sites[name] = root

    def in_a_process(name):
        result = subprocess.run([sys.executable, "-m", "generator", "check", "--source", str(sites[name]),
                                 *CASES[name][1]], cwd=sites[name], capture_output=True, text=True, timeout=120)
        return SimpleNamespace(returncode=result.returncode, stdout=result.stdout, stderr=result.stderr,
                               root=sites[name])

    with ThreadPoolExecutor(max_workers=len(SUBPROCESS)) as pool:
        running = {name: pool.submit(in_a_process, name) for name in SUBPROCESS}
        found = {}
        for name in CASES:
            if name in SUBPROCESS:
                continue
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                status = cli.main(["check", "--source", str(sites[name]), *CASES[name][1]])
            found[name] = SimpleNamespace(returncode=status, stdout=out.getvalue(), stderr=err.getvalue(),
                                          root=sites[name])
        found.update({name: future.result() for name, future in running.items()})
    return found


def lines(result) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout.splitlines()


def problems(result) -> list[str]:
    return [line for line in lines(result) if line.startswith(("content/", "talknotes.yaml", "::"))]


def test_the_sample_site_is_clean_and_nothing_is_written(results):
    result = results["clean"]
    assert result.returncode == 0, result.stdout
    assert lines(result) == [f"{len(list((result.root / 'content/notes').glob('*')))} notes checked, no problems"]
    assert sorted(p.name for p in result.root.iterdir()) == ["content", "talknotes.yaml", "themes"]


def test_front_matter_schema(results):
    result = results["front matter"]
    assert result.returncode == 1
    assert problems(result) == ["content/notes/2024-01-01-typo.md:4: speaker: unknown field "
                                "(did you mean 'speakers'?)"]
    assert lines(result)[-1].endswith(": 1 error, 0 warnings")


def test_broken_internal_links(results):
    result = results["broken link"]
    assert result.returncode == 1
    path = "content/notes/2024-01-01-links.md"
    assert [line.split(" (")[0] for line in problems(result)] == [
        f"{path}:8: broken link '/notes/no-such-note/': no such page on the site",
        f"{path}:10: broken link '/tags': no such page on the site",
        f"{path}:12: link to a missing note '2099-01-01-missing.md'",
    ]  # /about/, /, a tag feed and /feed.xml are pages the site makes
    assert problems(result)[1].endswith("(did you mean '/tags/'?)")


def test_broken_anchor_on_another_note(results):
    result = results["broken anchor elsewhere"]
    assert result.returncode == 1
    assert problems(result) == [
        "content/notes/2024-01-02-source.md:8: broken anchor '#take-aways': no heading or id with that name "
        "on /notes/target/ (did you mean '#takeaways'?)"]


def test_broken_anchor_on_the_same_page_and_an_unused_footnote(results):
    result = results["broken anchor here"]
    assert result.returncode == 1
    assert problems(result) == [
        "content/notes/2024-01-01-anchors.md:10: broken anchor '#nowhere': no heading or id with that name "
        "on this page (link to a heading's id, shown by its # permalink)",
        "content/notes/2024-01-01-footnote.md:8: footnote [^gone] is never referenced "
        "(refer to it in the text as [^gone], or remove it)"]


def test_missing_images_in_the_body_and_the_cover(results):
    result = results["missing image"]
    assert result.returncode == 1
    found = problems(result)
    assert len(found) == 2, found
    assert found[0].startswith("content/notes/2024-01-01-pictures.md:4: ") and "no-such-cover.jpg" in found[0]
    assert found[1].startswith("content/notes/2024-01-01-pictures.md:7: image not found 'no-such-diagram.png'")


def test_missing_alt_text_is_an_error(results):
    result = results["missing alt"]
    assert result.returncode == 1
    path = "content/notes/2024-01-01-alt.md"
    assert [line.split(" (")[0] for line in problems(result)] == [
        f"{path}:6: image has no alt text: rocket.jpg",
        f"{path}:8: image has no alt text: https://example.org/remote.png",
        f"{path}:10: image has no alt text: https://example.org/raw.png",
    ]  # once each: the build's own alt-text warning is not repeated


def test_duplicate_slugs(results):
    result = results["duplicate slug"]
    assert result.returncode == 1
    assert problems(result) == [
        "content/notes/2024-01-01-Cookie-Size-Limit.md: duplicate note slug 'cookie-size-limit', "
        "also used by content/notes/2015-10-06-cookie-size-limit.md (rename one of the files)"]


def test_duplicate_aliases_and_aliases_over_pages(results):
    result = results["duplicate alias"]
    assert result.returncode == 1
    found = problems(result)
    assert len(found) == 2, found
    assert sum(":4: aliases: alias /notes/old-name/ is also claimed by content/notes/2024-01-0" in line
               for line in found) == 1
    assert "content/notes/2024-01-02-second.md:4: aliases: alias /tags/ is the URL of a page the site makes " \
           "(tags) (remove the alias)" in found


def test_notes_dated_in_the_future(results):
    result = results["future"]
    assert result.returncode == 1
    [found] = problems(result)
    assert found.startswith(f"content/notes/2024-01-01-next-year.md:3: date: dated {FUTURE}, after today (")
    assert found.endswith("(set draft: true or fix the date)")


def test_images_over_the_size_limit(results):
    result = results["big image"]
    assert result.returncode == 1
    assert problems(result) == ["content/images/huge.png: image is 2049 KB, over the limit of 2048 KB "
                                "(resize or recompress it before committing, or raise check.max_image_kb "
                                "in talknotes.yaml)"]  # fine.png is exactly 2048 KB


def test_raw_html_policy(results):
    result = results["raw html"]
    assert result.returncode == 1
    path = "content/notes/2024-01-01-raw.md"
    assert [line.split(" (")[0] for line in problems(result)] == [
        f"{path}:6: raw HTML event handler onclick= is not allowed in notes",
        f"{path}:8: raw HTML <script> is not allowed in notes",
        f"{path}:10: raw HTML <iframe> is not allowed in notes",
        f"{path}:12: javascript: URL in raw HTML",
    ]  # and nothing for the <script> in the code block


def test_raw_html_is_flagged_even_when_the_site_escapes_it(results):
    assert results["raw html escaped site"].returncode == 1
    assert problems(results["raw html escaped site"]) == problems(results["raw html"])


def test_drafts_and_future_drafts_pass_and_are_checked_with_drafts(results):
    result = results["drafts"]
    assert result.returncode == 0, result.stdout
    assert problems(result) == []  # no annotations either
    assert lines(result)[-1].endswith("no problems")
    result = results["drafts with --drafts"]
    assert result.returncode == 1
    assert [line.split(" (")[0] for line in problems(result)] == [
        "content/notes/2024-01-01-draft.md:7: broken link '/notes/no-such-note/': no such page on the site"]


def test_github_annotations(results):
    result = results["github"]
    assert result.returncode == 1
    found = problems(result)
    assert found[0] == ("::error file=content/notes/2024-01-01-raw.md,line=6,title=talknotes::"
                        "raw HTML event handler onclick= is not allowed in notes "
                        "(remove the attribute; notes may not run scripts)")
    assert found[-1] == ("::error file=content/notes/2024-01-01-typo.md,line=4,title=talknotes::"
                         "speaker: unknown field (did you mean 'speakers'?)")
    assert len(found) == 5
    assert lines(result)[-1].endswith(": 5 errors, 0 warnings")


# --- in-process: formatting and configuration ------------------------------------------------

def test_annotation_escaping_and_warnings(tmp_path):
    from generator.commands.check import github_annotation
    from generator.model.errors import Problem
    problem = Problem("a,b:c.md", 3, None, "100% wrong,\nreally: yes", "fix it\r", level="warning")
    assert github_annotation(problem, tmp_path, cwd=tmp_path) == (
        "::warning file=a%2Cb%3Ac.md,line=3,title=talknotes::100%25 wrong,%0Areally: yes (fix it%0D)")
    no_line = Problem("talknotes.yaml", None, "check", "bad")
    assert github_annotation(no_line, tmp_path, cwd=tmp_path) == \
        "::error file=talknotes.yaml,title=talknotes::check: bad"


def test_annotation_paths_are_relative_to_the_working_folder(tmp_path):
    from generator.commands.check import github_annotation
    from generator.model.errors import Problem
    write(tmp_path / "site", "content/notes/x.md", "x")
    annotation = github_annotation(Problem("content/notes/x.md", 1, None, "m"), tmp_path / "site", cwd=tmp_path)
    assert annotation.startswith("::error file=site/content/notes/x.md,line=1,")


def test_warnings_alone_exit_zero(tmp_path, monkeypatch, capsys):
    from generator.commands import check
    from generator import cli
    from generator.model.errors import Problem
    warning = Problem("content/notes/x.md", 2, None, "something to look at", level="warning")
    monkeypatch.setattr(check, "check_site", lambda root, drafts=False, progress=None: check.CheckReport((warning,), 3))
    assert cli.main(["check", "--source", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(warning), "3 notes checked, no errors, 1 warning"]
    assert cli.main(["check", "--source", str(tmp_path), "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning file=content/notes/x.md,line=2,title=talknotes::")


def test_a_missing_source_folder(tmp_path, capsys):
    from generator import cli
    assert cli.main(["check", "--source", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


@pytest.mark.parametrize("text, message", [
    ("check: {max_image_kb: 0}\n", "check: expected a whole number of at least 1, got 0"),
    ("check: {max_image_mb: 2}\n", "check: unknown setting 'max_image_mb' (allowed: max_image_kb)"),
    ("check: 5\n", "check: expected a mapping of settings"),
])
def test_check_settings_are_validated(tmp_path, text, message):
    from generator.config.settings import load_config
    (tmp_path / "talknotes.yaml").write_text(text)
    _, found = load_config(tmp_path)
    assert [str(p) for p in found][0].startswith(f"talknotes.yaml:1: {message}")


def test_the_size_limit_comes_from_the_config(tmp_path):
    from generator.commands.check import image_sizes
    from generator.config.settings import load_config
    (tmp_path / "talknotes.yaml").write_text("check:\n  max_image_kb: 1\n")
    (tmp_path / "content/notes/bundle").mkdir(parents=True)
    (tmp_path / "content/notes/bundle/photo.JPG").write_bytes(b"x" * 1025)
    (tmp_path / "content/notes/bundle/slides.pdf").write_bytes(b"x" * 5000)  # not an image
    config, found = load_config(tmp_path)
    assert not found
    assert [str(p) for p in image_sizes(tmp_path, config.check["max_image_kb"])] == [
        "content/notes/bundle/photo.JPG: image is 2 KB, over the limit of 1 KB (resize or recompress it "
        "before committing, or raise check.max_image_kb in talknotes.yaml)"]


def test_check_settings_default(tmp_path):
    from generator.config.settings import load_config
    config, found = load_config(tmp_path)
    assert not found and config.check == {"max_image_kb": 2048}


def test_check_renders_each_document_once_for_every_rule_and_the_budgets(tmp_path, monkeypatch):
    """One pipeline: the rules and the page budgets read the same rendering (generator/pipeline.py)."""
    from collections import Counter

    import generator.markdown.render
    from conftest import copy_sample_site
    from generator.commands.check import check_site

    site = copy_sample_site(tmp_path / "site")
    stock, calls = generator.markdown.render.render, Counter()

    def counted(body, source, *args, **kwargs):
        calls[source] += 1
        return stock(body, source, *args, **kwargs)

    monkeypatch.setattr(generator.markdown.render, "render", counted)
    monkeypatch.setattr("generator.markdown.stage.POOL_THRESHOLD", 10 ** 6)  # in this process, where it is counted
    report = check_site(site)
    assert report.errors == []
    notes = len(list((site / "content" / "notes").glob("*.md")))
    assert len(calls) >= notes and set(calls.values()) == {1}
