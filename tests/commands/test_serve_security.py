"""The dev server (issue 8, point 5) against a real ``talknotes serve --port 0``: path traversal
(``..``, ``%2e%2e``, ``%2f``, backslashes, absolute paths and absolute-form request targets,
symlinks) and requests for files outside the site get 404 and none of their bytes; the server
listens on 127.0.0.1 unless told otherwise. Requests go over a raw socket, so no client
library tidies the path first.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile import make_site

SECRET = "SECRET-OUTSIDE-THE-SITE"
CONFIG_MARKER = "CONFIG-MARKER-NEVER-SERVED"
SOURCE_MARKER = "SOURCE-MARKER-NEVER-SERVED"


class Server:
    def __init__(self, source: Path, *extra: str):
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "generator", "serve", "--port", "0",
                                         "--source", str(source), *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            lines.append(line)
            match = re.search(r"Serving http://([\d.]+):(\d+)(/\S*) ", line)
            if match:
                self.host, self.port, self.base = match.group(1), int(match.group(2)), match.group(3)
                return
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise AssertionError("server did not start: " + "".join(lines))

    def raw(self, target: str) -> tuple[int, bytes]:
        """Send ``GET target`` exactly as written; returns the status and the body."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nConnection: close\r\n\r\n"
                         .encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-security")
    site = make_site(root / "site")
    (root / "secret.txt").write_text(SECRET)
    (root / "secrets").mkdir()
    (root / "secrets" / "secret.txt").write_text(SECRET)
    config = site / "talknotes.yaml"
    config.write_text(f"# {CONFIG_MARKER}\n" + config.read_text())
    note = site / "content/notes/2024-01-10-good-note.md"
    note.write_text(note.read_text().replace("---\n", f"---\n# {SOURCE_MARKER}\n", 1))
    server = Server(site)
    output = site / ".cache" / "serve"
    assert (output / "index.html").is_file()
    # Planted in the served folder after the build: links out of it, and one that stays inside.
    (output / "leak.txt").symlink_to(root / "secret.txt")
    (output / "notes" / "leakdir").symlink_to(root / "secrets")
    (output / "config.yaml").symlink_to(config)
    (output / "alias.html").symlink_to(output / "404.html")
    yield server, site, root
    server.stop()


TRAVERSALS = [
    "/talks/../secret.txt", "/talks/../../secret.txt", "/talks/../talknotes.yaml", "/talks/../../talknotes.yaml",
    "/talks/%2e%2e/%2e%2e/talknotes.yaml", "/talks/%2E%2E/%2E%2E/%2E%2E/secret.txt", "/talks/.%2e/.%2e/talknotes.yaml",
    "/talks/%2e%2e%2f%2e%2e%2ftalknotes.yaml", "/talks/..%2f..%2f..%2fsecret.txt", "/talks/..%2F..%2Ftalknotes.yaml",
    "/talks/%252e%252e/%252e%252e/talknotes.yaml", "/talks/..%5c..%5ctalknotes.yaml", "/talks/..\\..\\talknotes.yaml",
    "/talks/notes/..%00/../../talknotes.yaml", "/talks/%00", "/talks/./../../talknotes.yaml",
    "/talks/notes/../../../secret.txt", "/talks/%2f%2e%2e%2f%2e%2e%2ftalknotes.yaml",
    "/../../../../../../etc/passwd", "/talks/../../../../../../etc/passwd", "/etc/passwd", "//etc/passwd",
    "/talks//etc/passwd", "/talks/%2fetc%2fpasswd", "/talks/%2Fetc/passwd",
    "/talks/leak.txt", "/talks/notes/leakdir/secret.txt", "/talks/notes/leakdir/", "/talks/config.yaml",
    "/talks/talknotes.yaml", "/talks/content/notes/2024-01-10-good-note.md", "/talks/.cache/serve/index.html",
    "/talks/../serve/../../talknotes.yaml", "/secret.txt", "/talks/secret.txt",
    "http://127.0.0.1/talks/../../talknotes.yaml", "http://evil.example/../../secret.txt",
    "talks/../../talknotes.yaml", "*",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_and_outside_files_get_404_and_nothing_else(served, target):
    server, _, _ = served
    status, body = server.raw(target)
    assert status in (404, 400), (target, status)
    for marker in (SECRET, CONFIG_MARKER, SOURCE_MARKER, "root:x:0:0"):
        assert marker.encode() not in body, (target, marker)


def test_pages_and_links_inside_the_site_are_served(served):
    server, _, _ = served
    status, body = server.raw("/talks/notes/good-note/")
    assert status == 200 and b"A good note" in body
    assert server.raw("/talks/alias.html")[0] == 200  # a link that stays inside the site is fine
    assert server.raw("/talks/notes/good-note/../bundle-note/")[0] == 404  # ".." is refused even inside


def test_it_listens_on_loopback_only(served):
    server, _, _ = served
    assert server.host == "127.0.0.1"
    listening = _listening_addresses(server.port)
    assert listening == {"127.0.0.1"}, listening


def test_loopback_is_the_default_of_the_command():
    import inspect

    from generator.cli import _parser
    from generator.commands.serve import serve
    assert _parser().parse_args(["serve"]).host == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def _listening_addresses(port: int) -> set[str]:
    """Addresses with a listening TCP socket on ``port``, read from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    words = [bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8)]
                    found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    if not found:
        pytest.skip("/proc/net/tcp is not readable here")
    return found
