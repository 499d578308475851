"""``talknotes serve``: build, serve under the base path, watch, rebuild what changed, reload.

The site is built into ``<cache_dir>/serve`` (never the published ``output/``) with the dev
server's own URL as base URL. Requests wait while a rebuild runs, so a half-built page is
never served; a failed build is shown as an error page until the file is fixed. Open pages
reload through Server-Sent Events; the reload script is added to HTML as it is served and
is never written to disk.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import mimetypes
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..build import BuildOptions, build, load_site_config
from .live import LiveSite
from ..incremental.store import BuildCache
from ..model.errors import BuildError
from ..progress import NO_PROGRESS

DEV_PREFIX = "__talknotes/"
DEBOUNCE_SECONDS = 0.03  # an editor's save (temp file, rename) takes a few milliseconds
WATCHED = ("content", "themes", "templates", "static")
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".bak")
_IGNORED_NAMES = {"4913", ".DS_Store"}  # vim's write test file; macOS folder metadata

RELOAD_JS = """// Added by talknotes serve only: reload this page when the site has been rebuilt.
const version = new URL(import.meta.url).searchParams.get("v");
const events = new EventSource(new URL("events", import.meta.url));
events.onmessage = (event) => { if (event.data !== version) location.reload(); };
"""


def is_editor_noise(path: str) -> bool:
    """Editors' temporary, swap and backup files, which must not trigger a rebuild."""
    name = Path(path).name
    return (name in _IGNORED_NAMES or name.endswith(_IGNORED_SUFFIXES) or name.startswith((".#", "#"))
            or name.startswith(".") and name.endswith(".swp"))


class DevSite:
    """The served site's state: one rebuild at a time, requests wait for it to finish."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self.output = options.output
        self.cache = BuildCache()
        self.ready = threading.Condition()
        self.building = False
        self.version = 0
        self.problems: list = []
        self._rebuild_lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.closed = False
        self.live = None  # the last build, kept for edits to notes' text (commands/live.py)
        self.changed: set[str] = set()  # files changed since the last rebuild started
        self.changed_unknown = False  # a change no file names (a folder moved): build everything

    def rebuild(self) -> None:
        with self._rebuild_lock:
            with self.ready:
                self.building = True
            start = time.perf_counter()

            # A full collection over the server's large heap takes tens of milliseconds; none
            # runs until the pages are served (reference counting still frees most garbage).
            gc.disable()

            def release(problems=()) -> None:
                """Let waiting requests in and tell open pages to reload."""
                gc.enable()
                with self.ready:
                    if self.building or problems:
                        self.problems = list(problems)
                        self.building = False
                        self.version += 1
                        self.ready.notify_all()

            with self.ready:
                changed, self.changed = self.changed, set()
                if self.changed_unknown:
                    changed, self.changed_unknown = set(), False
            try:
                if self._update(changed, release, start):
                    return
                # Pages are served as soon as they are written; search and report follow.
                self.live = None  # until this build succeeds
                result = build(dataclasses.replace(self.options, on_pages_ready=release), self.cache)
                release()
                # Indexed after the pages are served, before the next save is looked at.
                self.live = LiveSite(result.built, self.cache) if result.built is not None else None
                for warning in result.warnings:
                    print(warning, file=sys.stderr)
                counts = self.cache.counts
                print(f"Rebuilt in {(time.perf_counter() - start) * 1000:.0f} ms: {counts['pages']} pages rendered, "
                      f"{counts['written']} files written", flush=True)
            except BuildError as exc:
                release(exc.problems)
                for problem in exc.problems:
                    print(problem, file=sys.stderr)
                print(f"Build failed: {len(exc.problems)} error(s); fix them and save to rebuild.",
                      file=sys.stderr, flush=True)
            finally:
                release()

    def _update(self, changed: set[str], release, start: float) -> bool:
        """The fast path: True if the edit was only to notes' text and has been applied."""
        if self.live is None or not changed:
            return False
        try:
            counts = self.live.update(sorted(changed), on_pages_ready=release, defer=True)
        except Exception:  # noqa: BLE001 - a bug in the fast path must not stop the server
            import traceback
            traceback.print_exc()
            print("talknotes: the quick rebuild failed; building the whole site instead.", file=sys.stderr)
            counts = None
        if counts is None:
            return False
        release()
        print(f"Updated in {(time.perf_counter() - start) * 1000:.0f} ms: {counts['pages']} pages rendered, "
              f"{counts['written']} files written (search index and report follow when asked for)", flush=True)
        return True

    def finish_pending(self) -> None:
        """Bring the search index and the report up to date after quick rebuilds: done when a
        page asks for them (or the server stops), not after every save, because they list the
        whole site (seconds at 20,000 notes) while the edited page is ready in milliseconds."""
        with self._rebuild_lock:
            if self.live is not None and self.live.pending:
                self.live.finish()

    def schedule(self, path: str | None = None) -> None:
        """Rebuild shortly after the last of a burst of file events (editors save in several
        steps); ``path`` is the file that changed, None if unknown (then the whole site is built)."""
        with self.ready:
            if path is None:
                self.changed_unknown = True
            else:
                self.changed.add(path)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(DEBOUNCE_SECONDS, self.rebuild)
            self._timer.daemon = True
            self._timer.start()

    def wait_ready(self) -> int:
        with self.ready:
            self.ready.wait_for(lambda: not self.building)
            return self.version

    def wait_change(self, seen: int, timeout: float) -> int:
        with self.ready:
            self.ready.wait_for(lambda: self.closed or (self.version != seen and not self.building), timeout)
            return self.version


def resolve_request(output: Path, base_path: str, url_path: str) -> Path | None:
    """The file for a request path, or None if it is outside the site (``..``, symlinks, absolute)."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path or not path.startswith(base_path):
        return None
    parts = path[len(base_path):].split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    target = output.joinpath(*[p for p in parts if p])
    try:
        root = output.resolve(strict=True)
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real != root and root not in real.parents:
        return None
    if real.is_dir():
        real = real / "index.html"
        if not real.is_file():
            return None
    return real if real.is_file() else None


def error_page(problems, script: str) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>"
            f"<body><main><h1>Build failed</h1><p>Fix these and save; this page reloads by itself.</p>"
            f"<ul>{items}</ul></main>{script}</body></html>").encode()


def make_handler(site: DevSite, base_path: str):
    class Handler(BaseHTTPRequestHandler):
        server_version = "talknotes"

        def log_message(self, format, *args):  # quiet: the terminal is for build messages
            pass

        def _script(self, version: int) -> str:
            return f'<script type="module" src="{base_path}{DEV_PREFIX}reload.js?v={version}"></script>'

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = urlsplit(self.path).path
            if path == f"{base_path}{DEV_PREFIX}events":
                return self._events()
            if path == f"{base_path}{DEV_PREFIX}reload.js":
                return self._send(200, RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            if path == "/" and base_path != "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", base_path)
                self.end_headers()
                return
            if path.startswith((f"{base_path}search/", f"{base_path}build-report.json")):
                site.finish_pending()
            version = site.wait_ready()
            script = self._script(version)
            if site.problems:
                return self._send(500, error_page(site.problems, script), "text/html; charset=utf-8")
            target = resolve_request(site.output, base_path, path)
            if target is not None and target.name == "index.html" and not path.endswith("/") \
                    and target.parent.name == Path(unquote(path)).name:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            status = 200
            if target is None:
                status, target = 404, site.output / "404.html"
                if not target.is_file():
                    return self._send(404, b"Not found", "text/plain; charset=utf-8")
            body = target.read_bytes()
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if content_type == "text/html":
                body = body.replace(b"</body>", script.encode() + b"</body>", 1)
            if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
                content_type += "; charset=utf-8"
            self._send(status, body, content_type)

        def _events(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = site.wait_ready()
            try:
                self.wfile.write(f"data: {seen}\n\n".encode())
                self.wfile.flush()
                while not site.closed:
                    version = site.wait_change(seen, timeout=15)
                    message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                    seen = version
                    self.wfile.write(message.encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def watch(source: Path, site: DevSite, skip: tuple[Path, ...]):
    """Watch the site's inputs with watchdog; returns the started observer."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    skip = tuple(p.resolve() for p in skip)

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [event.src_path, getattr(event, "dest_path", "") or ""]
            for path in filter(None, paths):
                resolved = Path(path).resolve()
                if is_editor_noise(path) or any(resolved == s or s in resolved.parents for s in skip):
                    continue
                if resolved.parent == source and resolved.name not in (*WATCHED, "talknotes.yaml"):
                    continue
                if event.is_directory and event.event_type == "modified":
                    continue  # comes with the events of the files changed in it
                # A folder created, deleted or moved: build everything.
                site.schedule(None if event.is_directory else str(resolved))

    observer = Observer()
    handler = Changes()
    observer.schedule(handler, str(source), recursive=False)
    for name in WATCHED:
        if (source / name).is_dir():
            observer.schedule(handler, str(source / name), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def serve(source: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
          progress=NO_PROGRESS) -> int:
    """Run the dev server until Ctrl-C; returns the exit status. ``progress`` (a
    :class:`~generator.progress.Progress`) shows the first build's stages."""
    config, problems = load_site_config(BuildOptions(source=source))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    base_path = config.base_path
    site = DevSite(BuildOptions(source=source))  # options completed once the port is known
    server = ThreadingHTTPServer((host, port), make_handler(site, base_path))
    server.daemon_threads = True
    port = server.server_address[1]
    shown_host = f"[{host}]" if ":" in host else host
    output = config.cache_path() / "serve"
    site.options = BuildOptions(source=source, output=output, drafts=drafts, in_place=True,
                                base_url=f"http://{shown_host}:{port}{base_path}", progress=progress)
    site.output = output
    site.rebuild()
    # A rebuild after a save takes moments, and a line redrawn from the watcher's thread would
    # only get in the way of the messages printed around it.
    site.options = dataclasses.replace(site.options, progress=NO_PROGRESS)
    observer = watch(source, site, skip=(output, config.cache_path(), source / "output"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"Serving http://{shown_host}:{port}{base_path} (Ctrl-C to stop)", flush=True)
    import signal
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as cleanly as on Ctrl-C
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        with site.ready:
            site.closed = True
            site.ready.notify_all()
        observer.stop()
        server.shutdown()
        server.server_close()
        site.finish_pending()  # leave .cache/serve/ as a full build would
    return 0
