"""The catalogue of bad inputs (issue 8, point 1): each is a fixture under
``tests/fixtures/hostile/`` (or generated here when big, binary or a symlink) dropped into a
built copy of a small site. Every one must give exit status 1, a clear
``path:line: field: message (hint)`` line, no traceback, and leave ``output/`` exactly as it was
(every file's bytes and mtime). See docs/security.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile import BROKEN, FIXTURES, cli, cli_subprocess, draw_png, make_site, snapshot


@pytest.fixture(scope="module")
def built_base(tmp_path_factory) -> Path:
    """The fixture site, built once; each case works on a copy."""
    site = make_site(tmp_path_factory.mktemp("hostile-base") / "site")
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    return site


@pytest.fixture()
def site(built_base, tmp_path) -> Path:
    return Path(shutil.copytree(built_base, tmp_path / "site", symlinks=True))


def put(site: Path, fixture: str, dest: str) -> Path:
    target = site / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BROKEN / fixture, target)
    return target


def fails_cleanly(site: Path, *expected: str, hints: dict | None = None) -> str:
    """Build ``site`` through the CLI; assert it failed cleanly and reported every expected line."""
    before = snapshot(site / "output")
    result = cli("build", "--source", str(site))
    assert result.code == 1, result.out + result.err
    err = result.err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1].startswith("Build failed:") and "output/ was left as it was" in lines[-1]
    for line in lines[:-1]:  # every problem on one line: path[:line]: [field: ]message[ (hint)]
        assert line.split(":", 1)[0] and ": " in line, line
    for text in expected:
        matching = [line for line in lines if line.startswith(text)]
        assert matching, f"{text!r} not in:\n{err}"
        hint = (hints or {}).get(text)
        if hint:
            assert any(line.endswith(f"({hint})") for line in matching), (hint, matching)
    assert snapshot(site / "output") == before, "output/ changed"
    assert not list(site.glob(".output.*")), "a staging folder was left behind"
    return err


# --- encodings, line ends, empty and unclosed files ---------------------------------------------

def test_invalid_utf8_names_the_line_and_byte(site):
    put(site, "invalid-utf8.md", "content/notes/2024-02-01-invalid-utf8.md")
    fails_cleanly(site, "content/notes/2024-02-01-invalid-utf8.md:6: not valid UTF-8 (byte 0xe9)",
                  hints={"content/notes/2024-02-01-invalid-utf8.md:6: not valid UTF-8 (byte 0xe9)":
                         "save the file as UTF-8"})


def test_a_bom_and_crlf_line_ends_are_accepted(site):
    data = put(site, "bom-crlf.md", "content/notes/2024-02-02-bom-crlf.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n") and b"\r\n" in data  # the fixture kept its bytes
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    page = (site / "output/notes/bom-crlf/index.html").read_text(encoding="utf-8")
    assert "<h1>BOM and CRLF</h1>" in page or ">BOM and CRLF<" in page
    assert "\r" not in page and "\ufeff" not in page


def test_crlf_line_ends_keep_line_numbers_right(site):
    put(site, "crlf-bad-field.md", "content/notes/2024-02-02-crlf.md")
    fails_cleanly(site, "content/notes/2024-02-02-crlf.md:3: draft: expected true or false, got text")


def test_an_empty_file(site):
    put(site, "empty.md", "content/notes/2024-02-03-empty.md")
    text = "content/notes/2024-02-03-empty.md:1: missing front matter"
    fails_cleanly(site, text, hints={text: "start the file with a line '---', the fields, then '---'"})


def test_front_matter_never_closed(site):
    put(site, "unclosed.md", "content/notes/2024-02-03-unclosed.md")
    text = "content/notes/2024-02-03-unclosed.md:1: front matter is never closed"
    fails_cleanly(site, text, hints={text: "add a line '---' after the last field"})


def test_yaml_indented_with_tabs(site):
    put(site, "tabs.md", "content/notes/2024-02-03-tabs.md")
    text = "content/notes/2024-02-03-tabs.md:4: invalid YAML: found character '\\t'"
    err = fails_cleanly(site, text)
    assert "(indent with spaces, not tabs)" in err


def test_control_characters_in_a_body_or_a_title(site):
    put(site, "control-char.md", "content/notes/2024-02-04-form-feed.md")
    put(site, "control-char-title.md", "content/notes/2024-02-05-bell.md")
    fails_cleanly(site, "content/notes/2024-02-04-form-feed.md:6: contains the control character U+000C",
                  "content/notes/2024-02-05-bell.md:2: title: contains the control character U+0007")


# --- YAML bombs and wrong types -------------------------------------------------------------------

def test_yaml_alias_bomb_is_refused_quickly(site):
    put(site, "alias-bomb.md", "content/notes/2024-02-03-laughs.md")
    start = time.perf_counter()
    text = "content/notes/2024-02-03-laughs.md:9: invalid YAML: more than 50 aliases"
    fails_cleanly(site, text, hints={text: "remove the YAML anchors and aliases (&name, *name)"})
    assert time.perf_counter() - start < 20  # 9**9 expanded strings would never finish


def test_wrong_types_in_every_note_field(site):
    put(site, "wrong-types.md", "content/notes/2024-02-03-types.md")
    rel = "content/notes/2024-02-03-types.md"
    fails_cleanly(site, *[f"{rel}:{line}: {text}" for line, text in [
        (2, "title: expected text, got a list"),
        (3, "date: invalid date 'last tuesday'"),
        (4, "event: expected text, got a mapping"),
        (5, "speakers: expected a list, got a mapping"),
        (6, "tags: expected a list, got a number"),
        (7, "summary: expected text, got a list"),
        (8, "slides: not an http(s) URL: '42'"),
        (9, "video: expected text, got true/false"),
        (10, "image: expected text, got a mapping"),
        (11, "draft: expected true or false, got text"),
        (12, "updated: invalid date 12"),
        (13, "aliases: expected a list, got a number"),
        (14, "lang: not a language tag: '7'"),
    ]])


def test_wrong_types_in_an_event_file(site):
    put(site, "wrong-types-event.yaml", "content/events/bad-types.yaml")
    rel = "content/events/bad-types.yaml"
    fails_cleanly(site, f"{rel}:1: name: expected text, got a list", f"{rel}:2: start: invalid date 'soon'",
                  f"{rel}:4: url: not an http(s) URL: 'ftp://example.org/'",
                  f"{rel}:5: location: expected text, got a mapping")


def test_wrong_types_in_the_config_file(site):
    shutil.copyfile(BROKEN / "config-wrong-types.yaml", site / "talknotes.yaml")
    fails_cleanly(site, *[f"talknotes.yaml:{line}: {text}" for line, text in [
        (1, "title: expected text, got a list"),
        (2, "base_url: not an http(s) URL: 'javascript:alert(1)'"),
        (3, "per_page: expected a whole number of at least 1, got 'ten'"),
        (4, "related_notes: expected a whole number of at least 1, got -1"),
        (5, "timezone: unknown time zone 'Mars/Olympus'"),
        (6, "markdown: expected a mapping of settings"),
        (7, "images: expected a mapping of settings"),
        (8, "check: expected a whole number of at least 1, got 'big'"),
        (9, "budgets: expected a mapping of settings"),
        (10, "language: expected text, got a mapping"),
    ]])


# --- size and nesting ------------------------------------------------------------------------------

def test_a_50_mb_note_is_refused_unread_in_bounded_time_and_memory(site):
    """Through a real ``python -m generator build``: exit 1 in seconds, without reading the file."""
    note = site / "content/notes/2024-02-03-huge.md"
    line = "Lorem ipsum dolor sit amet, **consectetur** adipiscing elit, [a link](https://example.org/).\n\n"
    with note.open("w", encoding="utf-8") as out:
        out.write("---\ntitle: Huge\n---\n")
        chunk = line * 10_000
        while out.tell() + len(chunk) <= 50_000_000:
            out.write(chunk)
        out.write("x" * (50_000_000 - out.tell()))
    assert note.stat().st_size == 50_000_000
    before = snapshot(site / "output")
    start = time.perf_counter()
    # VmHWM is this process's own peak: ru_maxrss would also count the test runner's memory,
    # which Linux carries over into a child across fork and exec.
    code = ("import sys; from generator.cli import main; status = main(sys.argv[1:]); "
            "peak = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')); "
            "print('maxrss', peak, file=sys.stderr); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code, "build", "--source", str(site)], capture_output=True,
                          text=True, timeout=120)
    elapsed = time.perf_counter() - start
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert ("content/notes/2024-02-03-huge.md: file is 50.0 MB, over the limit of 1 MB for a note, page or event "
            "(split it, or move data and logs into an attachment)") in done.stderr
    maxrss_mb = int(done.stderr.split("maxrss ")[1].split()[0]) / 1024
    assert maxrss_mb < 150, f"peak memory {maxrss_mb:.0f} MB: the note was read"
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert snapshot(site / "output") == before


def test_notes_just_under_the_limit_still_build(site):
    from generator.model.content import MAX_FILE_BYTES
    note = site / "content/notes/2024-02-03-long.md"
    paragraph = "A long but honest paragraph of notes from the talk. " * 20 + "\n\n"
    body = paragraph * ((MAX_FILE_BYTES - 200) // len(paragraph))
    note.write_text("---\ntitle: Long\n---\n" + body, encoding="utf-8")
    assert MAX_FILE_BYTES - 2000 < note.stat().st_size <= MAX_FILE_BYTES
    start = time.perf_counter()
    result = cli("build", "--source", str(site))
    assert result.code == 0, result.err
    assert time.perf_counter() - start < 30


def test_markdown_nested_thousands_deep(site):
    note = site / "content/notes/2024-02-03-deep.md"
    note.write_text("---\ntitle: Deep\n---\n" + "- " * 20000 + "deep\n", encoding="utf-8")
    text = "content/notes/2024-02-03-deep.md:4: Markdown is nested too deeply to render"
    fails_cleanly(site, text, hints={text: "flatten the nested lists or block quotes"})


# --- slugs ----------------------------------------------------------------------------------------------

def test_duplicate_and_colliding_slugs(site):
    put(site, "duplicate-slug-a.md", "content/notes/2024-02-09-Café-Talk.md")
    put(site, "duplicate-slug-b.md", "content/notes/2024-02-10-cafe-talk.md")
    put(site, "duplicate-alias.md", "content/notes/2024-02-11-alias.md")
    (site / "content/notes/good-note").mkdir()
    put(site, "duplicate-slug-b.md", "content/notes/good-note/index.md")
    shutil.copyfile(site / "content/events/pycon-test-2024.yaml", site / "content/events/PyCon-Test-2024.yaml")
    shutil.copyfile(site / "content/pages/about.md", site / "content/pages/tags.md")
    shutil.copyfile(site / "content/pages/about.md", site / "content/pages/About.md")
    err = fails_cleanly(site, "content/notes/2024-02-11-alias.md:4: aliases: alias /notes/good-note/ is the URL of a note",
                        "content/pages/tags.md: page name 'tags' is reserved for the site's own pages")
    assert "duplicate note slug 'cafe-talk'" in err
    assert "duplicate note slug 'good-note'" in err
    assert "duplicate event slug 'pycon-test-2024'" in err
    assert "duplicate page slug 'about'" in err
    assert err.count("(rename one of the files)") == 4


# --- paths out of content/ -------------------------------------------------------------------------

def test_dot_dot_and_absolute_paths_in_images_and_links(site):
    draw_png(site / "secret.png")
    draw_png(site.parent / "secret.png")
    (site.parent / "secret.txt").write_text("SECRET")
    put(site, "paths.md", "content/notes/2024-02-06-paths.md")
    rel = "content/notes/2024-02-06-paths.md"
    fails_cleanly(site, f"{rel}:7: image path leads outside content/: '../../../secret.png'",
                  f"{rel}:9: image not found '/etc/passwd'",
                  f"{rel}:11: link '../../../../../secret.txt' leads outside the site",
                  f"{rel}:13: link '..%2f..%2f..%2f..%2fsecret.txt' leads outside the site",
                  f"{rel}:15: unsafe link 'file:///etc/passwd'")


def test_a_cover_image_outside_content_is_never_read(site):
    draw_png(site / "secret.png")  # a real image: only the path check stops it being published
    put(site, "cover-outside.md", "content/notes/2024-02-07-cover.md")
    put(site, "cover-absolute.md", "content/notes/2024-02-08-cover.md")
    fails_cleanly(site, "content/notes/2024-02-07-cover.md:4: image: image path leads outside content/: ../../secret.png",
                  "content/notes/2024-02-08-cover.md:4: image: image must be a file beside the note or in "
                  "content/images: '/etc/passwd'")


def _plant_symlinks(site: Path) -> Path:
    """Links out of content/ of every kind discovery meets; returns the outside folder."""
    outside = site.parent / "outside"
    (outside / "bundle").mkdir(parents=True)
    note = "---\ntitle: Outside\ndate: 2024-03-01\n---\nSECRET-NOTE-BODY\n"
    (outside / "note.md").write_text(note)
    (outside / "bundle" / "index.md").write_text(note)
    (outside / "bundle" / "data.txt").write_text("SECRET-ATTACHMENT")
    (outside / "secret.txt").write_text("SECRET-ATTACHMENT")
    (outside / "event.yaml").write_text("name: SECRET-EVENT\nstart: 2024-01-01\n")
    draw_png(outside / "pic.png", (1, 2, 3))
    content = site / "content"
    (content / "notes/2024-03-01-linked.md").symlink_to(outside / "note.md")
    (content / "notes/linked-bundle").symlink_to(outside / "bundle")
    (content / "images/linked.png").symlink_to(outside / "pic.png")
    (content / "notes/bundle-note/secret.txt").symlink_to(outside / "secret.txt")
    (content / "notes/bundle-note/linked-folder").symlink_to(outside)
    (content / "pages/linked.md").symlink_to(outside / "note.md")
    (content / "events/linked.yaml").symlink_to(outside / "event.yaml")
    (content / "notes/bundle-note/inside.png").symlink_to("../../images/red.png")  # inside: fine
    (content / "notes/bundle-note/.#index.md").symlink_to("user@host.1234")  # an editor's lock file
    note_path = content / "notes/bundle-note/index.md"
    note_path.write_text(note_path.read_text() + "\n![Linked](linked-folder/pic.png) ![In](inside.png)\n")
    return outside


def test_symlinks_leading_outside_content_are_refused(site):
    _plant_symlinks(site)
    links = ["content/events/linked.yaml", "content/images/linked.png", "content/notes/2024-03-01-linked.md",
             "content/notes/bundle-note/linked-folder", "content/notes/bundle-note/secret.txt",
             "content/notes/linked-bundle", "content/pages/linked.md"]
    hint = "copy the file into content/ instead of linking to it"
    err = fails_cleanly(site, *[f"{link}: symbolic link leads outside content/" for link in links],
                        hints={f"{link}: symbolic link leads outside content/": hint for link in links})
    assert "image not found 'linked-folder/pic.png'" in err
    assert "inside.png" not in err and ".#index.md" not in err
    for path in (site / "output").rglob("*"):
        if path.is_file():
            assert b"SECRET" not in path.read_bytes(), path


def test_symlinks_are_not_followed_even_by_check(site):
    _plant_symlinks(site)
    result = cli("check", "--source", str(site))
    assert result.code == 1
    assert "content/notes/linked-bundle: symbolic link leads outside content/" in result.out
    assert "SECRET" not in result.out


def test_discovery_never_reads_through_a_link(site):
    """Without the refusal the notes, page, event, image and attachment would load."""
    _plant_symlinks(site)
    from generator.model.content import load_content
    from generator.markdown.stage import content_files
    from generator.images.media import attachments
    content = load_content(site)
    assert all("SECRET" not in n.body and n.title != "Outside" for n in content.notes)
    assert all(e.name != "SECRET-EVENT" for e in content.events)
    assert [p.slug for p in content.pages] == ["about"]
    files = content_files(site)
    assert "images/linked.png" not in files and "notes/bundle-note/secret.txt" not in files
    assert "notes/bundle-note/inside.png" in files
    bundle = next(n for n in content.notes if n.slug == "bundle-note")
    assert [rel for rel, _ in attachments(bundle)] == ["slides.txt"]


def test_file_names_that_are_not_utf8_or_hold_terminal_escapes(site):
    notes = os.fsencode(site / "content/notes")
    with open(notes + b"/2024-02-12-caf\xe9.md", "wb") as out:
        out.write(b"---\ntitle: Latin-1 name\n---\nBody.\n")
    with open(notes + b"/bundle-note/\xff-slides.txt", "wb") as out:
        out.write(b"data")
    with open(notes + b"/2024-02-13-\x1b[2J\x1b]0;pwned\x07.md", "wb") as out:
        out.write(b"---\ntitle: Escapes\ndraft: perhaps\n---\nBody.\n")
    err = fails_cleanly(site, "content/notes/2024-02-12-caf\\udce9.md: file name is not valid UTF-8",
                        "content/notes/bundle-note/\\udcff-slides.txt: file name is not valid UTF-8",
                        "content/notes/2024-02-13-\\x1b[2J\\x1b]0;pwned\\x07.md:3: draft: expected true or false")
    assert "\x1b" not in err and "\x07" not in err


def test_an_unreadable_entry_is_a_problem_not_a_crash(site):
    (site / "content/events/folder.yaml").mkdir()
    fails_cleanly(site, "content/events/folder.yaml: cannot read the file: Is a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission(site):
    note = put(site, "duplicate-slug-a.md", "content/notes/2024-02-14-secret.md")
    note.chmod(0)
    try:
        fails_cleanly(site, "content/notes/2024-02-14-secret.md: cannot read the file: Permission denied")
    finally:
        note.chmod(0o644)


# --- themes and templates -------------------------------------------------------------------------

def test_an_unknown_theme(site):
    shutil.copyfile(BROKEN / "unknown-theme.yaml", site / "talknotes.yaml")
    text = "talknotes.yaml:3: theme: unknown theme 'no-such-theme'"
    fails_cleanly(site, text, hints={text: "available: default"})


def test_a_theme_that_extends_an_unknown_theme(site):
    theme = site / "themes" / "child"
    theme.mkdir(parents=True)
    (theme / "theme.yaml").write_text("# a child theme\nextends: no-such-parent\n")
    (site / "talknotes.yaml").write_text((site / "talknotes.yaml").read_text() + "theme: child\n")
    fails_cleanly(site, "themes/child/theme.yaml:2: extends: unknown theme 'no-such-parent'")


def test_a_template_syntax_error_names_the_file_and_line_once(site):
    (site / "templates").mkdir()
    shutil.copyfile(FIXTURES / "templates/404-syntax-error.html", site / "templates/404.html")
    text = "templates/404.html:5: template syntax error: Expected an expression"
    err = fails_cleanly(site, text, hints={text: "fix the template; see the Jinja documentation"})
    assert err.count("template syntax error") == 1


def test_an_undefined_template_variable_names_the_file_and_line(site):
    (site / "templates").mkdir()
    shutil.copyfile(FIXTURES / "templates/404-undefined.html", site / "templates/404.html")
    text = "templates/404.html:5: undefined variable: 'no_such_variable' is undefined"
    fails_cleanly(site, text, hints={text: "fix the template or the data it reads"})


# --- the real command, every content problem at once -------------------------------------------

def test_the_real_cli_reports_the_whole_catalogue_in_one_run(site):
    """``python -m generator build`` in a fresh interpreter: exit 1, every problem, no traceback."""
    for fixture, dest in [("invalid-utf8.md", "content/notes/2024-02-01-a.md"),
                          ("empty.md", "content/notes/2024-02-01-b.md"),
                          ("unclosed.md", "content/notes/2024-02-01-c.md"),
                          ("tabs.md", "content/notes/2024-02-01-d.md"),
                          ("alias-bomb.md", "content/notes/2024-02-01-e.md"),
                          ("wrong-types.md", "content/notes/2024-02-01-f.md"),
                          ("control-char.md", "content/notes/2024-02-01-g.md"),
                          ("paths.md", "content/notes/2024-02-01-h.md"),
                          ("cover-outside.md", "content/notes/2024-02-01-i.md"),
                          ("unsafe-urls.md", "content/notes/2024-02-01-j.md"),
                          ("wrong-types-event.yaml", "content/events/bad.yaml"),
                          ("unsafe-event.yaml", "content/events/unsafe.yaml")]:
        put(site, fixture, dest)
    _plant_symlinks(site)
    before = snapshot(site / "output")
    result = cli_subprocess("build", "--source", str(site), cwd=site)
    assert result.code == 1
    assert "Traceback" not in result.err
    for text in ["2024-02-01-a.md:6: not valid UTF-8", "2024-02-01-b.md:1: missing front matter",
                 "2024-02-01-c.md:1: front matter is never closed", "2024-02-01-d.md:4: invalid YAML",
                 "2024-02-01-e.md:9: invalid YAML: more than 50 aliases", "2024-02-01-f.md:14: lang:",
                 "2024-02-01-g.md:6: contains the control character", "2024-02-01-h.md:7: image path leads outside",
                 "2024-02-01-i.md:4: image: image path leads outside", "2024-02-01-j.md:4: slides: not an http(s) URL",
                 "events/bad.yaml:2: start:", "events/unsafe.yaml:3: url: not an http(s) URL",
                 "notes/linked-bundle: symbolic link leads outside content/"]:
        assert text in result.err, (text, result.err)
    assert snapshot(site / "output") == before
