"""Helpers for real-browser tests: a loopback static server and system Chromium.

    from browser_util import serve_dir, launch_chromium, watch_page, CHROMIUM

    with serve_dir(site, base="/talks/2026/", headers=CSP) as url, launch_chromium() as browser:
        page = browser.new_page()
        problems = watch_page(page)        # console errors, page errors, CSP violations
        page.goto(url + "search/")
        ...
        assert problems == []

Chromium is Debian's (/usr/bin/chromium) driven by Playwright; never run
``playwright install``.  See shared TESTING.md for why these flags.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

CHROMIUM = os.environ.get("TALKNOTES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Reason to give pytest.skip when the browser is missing (CI must install it).
SKIP_REASON = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
#: The strict policy the generated site must satisfy.
STRICT_CSP = {"Content-Security-Policy": "default-src 'self'"}


def chromium_available() -> bool:
    """True when the system Chromium and the Playwright package are both present."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` at URL path ``base``; anything outside it is a 404."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
        ".css": "text/css", ".svg": "image/svg+xml", ".xml": "application/xml",
        ".webmanifest": "application/manifest+json", ".ico": "image/x-icon",
    }

    def __init__(self, *args, base: str, extra_headers: dict[str, str], **kwargs):
        self.base = base
        self.extra_headers = extra_headers
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        url_path = unquote(urlsplit(path).path)
        if not (url_path + "/").startswith(self.base):
            return os.path.join(self.directory, ".outside-base", "missing")  # -> 404
        return super().translate_path("/" + url_path[len(self.base):])

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve_dir(root: Path, base: str = "/", headers: dict[str, str] | None = None,
              handler_class: type = None) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (free port) under URL path ``base``.

    Yields the base URL, e.g. ``http://127.0.0.1:40123/talks/2026/``.  ``headers``
    are added to every response (e.g. :data:`STRICT_CSP`); ``handler_class``, a subclass of
    the default handler, may change how files are served (a slow index, say).  The server
    runs in a daemon thread and stops when the block exits.
    """
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    handler = functools.partial(handler_class or _Handler, directory=str(root), base=base,
                                extra_headers=dict(headers or {}))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serve_dir", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def launch_chromium(**launch_options):
    """Start headless system Chromium via Playwright; yields a ``Browser``.

    Callers skip with :data:`SKIP_REASON` when :func:`chromium_available` is false.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **launch_options)
        try:
            yield browser
        finally:
            browser.close()


_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
"""


def watch_page(page) -> list[str]:
    """Collect console errors, uncaught page errors and CSP violations of ``page``.

    Returns a list that fills as the page runs; assert it is empty at the end.
    Failed loads (404s) show up as console errors too.
    """
    problems: list[str] = []
    page.add_init_script(_CSP_LISTENER)
    page.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    return problems
