"""talknotes serve: safe paths, editor noise, rebuilds, error pages, live reload in Chromium."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_util import chromium_available, launch_chromium, watch_page
from conftest import copy_sample_site
from generator.commands.serve import is_editor_noise, resolve_request

NOTE = "content/notes/2023-04-18-import-time-django-shell.md"


def test_resolve_request_refuses_anything_outside_the_site(tmp_path):
    site = tmp_path / "out"
    (site / "notes" / "a").mkdir(parents=True)
    (site / "notes" / "a" / "index.html").write_text("a")
    (tmp_path / "secret.txt").write_text("secret")
    (site / "link").symlink_to(tmp_path / "secret.txt")
    (site / "dirlink").symlink_to(tmp_path)
    assert resolve_request(site, "/sub/", "/sub/notes/a/") == site.resolve() / "notes/a/index.html"
    for path in ("/sub/../secret.txt", "/sub/%2e%2e/secret.txt", "/sub/%2E%2E%2Fsecret.txt", "/secret.txt",
                 "/sub/link", "/sub/dirlink/secret.txt", "/sub/notes/%00", "/sub/..%5csecret.txt",
                 "/sub//etc/passwd", "/sub/notes/missing/"):
        assert resolve_request(site, "/sub/", path) is None, path


@pytest.mark.parametrize("name, noisy", [(".note.md.swp", True), ("note.md~", True), ("4913", True),
                                         (".#note.md", True), ("#note.md#", True), ("note.md", False),
                                         ("talknotes.yaml", False), ("cover.jpg", False)])
def test_editor_temp_files_are_ignored(name, noisy):
    assert is_editor_noise(f"/site/content/notes/{name}") is noisy


class Server:
    """``talknotes serve --port 0`` in a subprocess; reads the URL it prints."""

    def __init__(self, source: Path):
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "generator", "serve", "--port", "0",
                                         "--source", str(source)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 180  # a loaded CI machine can be slow to build
        self.lines = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            self.lines.append(line)
            match = re.search(r"Serving (http://\S+)", line)
            if match:
                self.url = match.group(1)
                return
        raise AssertionError("server did not start: " + "".join(self.lines))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.process.stdout.close()


@pytest.fixture()
def server(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    running = Server(site)
    running.site = site
    yield running
    if running.process.poll() is None:
        running.stop()


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_serves_the_site_on_loopback_without_writing_the_reload_script(server):
    assert server.url.startswith("http://127.0.0.1:")
    status, body = server.get("/notes/import-time-django-shell/")
    assert status == 200 and "__talknotes/reload.js" in body
    assert server.get("/no/such/page/")[0] == 404
    assert server.get("/%2e%2e/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    built = server.site / ".cache" / "serve" / "notes" / "import-time-django-shell" / "index.html"
    assert built.is_file() and "__talknotes" not in built.read_text()
    assert not (server.site / "output").exists()  # the published site is never touched
    assert server.stop() == 0


def test_a_broken_note_shows_an_error_page_and_fixing_it_recovers(server):
    note = server.site / NOTE
    good = note.read_text()
    note.write_text(good.replace("title: ", "titel: ", 1))
    assert wait_for(lambda: server.get("/")[0] == 500)
    status, body = server.get("/notes/import-time-django-shell/")
    assert "unknown field" in body and "did you mean" in body
    note.write_text(good.replace("The second talk", "The SECOND talk"))
    assert wait_for(lambda: "The SECOND talk" in server.get("/notes/import-time-django-shell/")[1])
    assert server.get("/")[0] == 200
    assert server.stop() == 0


@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and playwright")
def test_live_reload_in_chromium(server):
    note = server.site / NOTE
    good = note.read_text()
    with launch_chromium() as browser:
        page = browser.new_page()
        problems = watch_page(page)
        with page.expect_request(lambda request: "__talknotes/events" in request.url):
            page.goto(server.url + "notes/import-time-django-shell/")
        assert page.locator("h1").first.inner_text() == "Import time and the Django shell"
        note.write_text(good.replace("title: Import time and the Django shell", "title: Import time, live"))
        page.wait_for_function("() => document.querySelector('h1')?.textContent === 'Import time, live'",
                               timeout=20000)
        note.write_text(good.replace("title: ", "titel: ", 1))
        page.wait_for_function("() => document.querySelector('h1')?.textContent === 'Build failed'", timeout=20000)
        assert "unknown field" in page.content()
        note.write_text(good)
        page.wait_for_function("() => document.querySelector('h1')?.textContent === "
                               "'Import time and the Django shell'", timeout=20000)
        assert [p for p in problems if "500" not in p] == []
    assert server.stop() == 0


def test_a_quick_rebuild_serves_the_page_and_brings_search_up_to_date_when_asked(server, tmp_path):
    """A text edit takes the fast path; the search index follows once the search page's files
    are requested, and when the server stops the folder equals a clean build."""
    import json
    import shutil

    from conftest import build_site
    note = server.site / NOTE
    note.write_text(note.read_text().replace("The second talk", "The second talk, on zygomorphic tooling,"))
    assert wait_for(lambda: "zygomorphic" in server.get("/notes/import-time-django-shell/")[1])
    line = server.process.stdout.readline()
    while "in " not in line or " ms: " not in line:
        line = server.process.stdout.readline()
    assert line.startswith("Updated in "), line  # the quick path, not a build
    manifest = json.loads(server.get("/search/manifest.json")[1])
    shard_names = [name for _, name in manifest["shards"]]
    shards = [json.loads(server.get(f"/search/t/{name}.json")[1]) for name in shard_names]
    assert any("zygomorphic" in shard for shard in shards)
    assert server.stop() == 0
    served = server.site / ".cache" / "serve"
    clean = tmp_path / "clean"
    options_url = "http://" + server.url.split("//", 1)[1]
    build_site(server.site, base_url=options_url, output=clean)
    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert tree(served) == tree(clean)
    shutil.rmtree(clean)
