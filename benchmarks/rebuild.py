"""Save-to-served latency of ``talknotes serve`` on a generated site, next to a clean build.

    python benchmarks/rebuild.py [--notes 1000] [--runs 9]

Starts the dev server, then repeatedly appends a unique word to one note and polls the note's
URL until the served page contains it. Prints the median latency, a clean full build's time and
the ratio to the 300 ms target.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate, note_file  # noqa: E402

TARGET_MS = 300


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def serve_latency(site: Path, note: Path, page: str, runs: int) -> list[float]:
    """Start ``talknotes serve`` on the prepared ``site``; ``runs`` times append a unique word to
    ``note`` and poll ``page`` (a path under the server's URL) until it is served with it.
    Returns each save -> served latency in seconds; ``note`` is restored afterwards.
    (``build.py --shape archive`` calls this on its own corpus.)"""
    server = subprocess.Popen([sys.executable, "-u", "-m", "generator", "serve", "--port", "0", "--source",
                               str(site)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    original = note.read_text()
    try:
        url = None
        while url is None:
            line = server.stdout.readline()
            if not line:
                raise SystemExit("server exited")
            match = re.search(r"Serving (http://\S+)", line)
            url = match.group(1) if match else None
        latencies = []
        for run in range(runs):
            marker = f"marker{run}x{time.monotonic_ns()}"
            time.sleep(1.5)  # let the previous rebuild (search, report) finish, as between two saves
            t0 = time.perf_counter()
            note.write_text(original + f"\nA new sentence with {marker}.\n")
            while marker not in fetch(url + page):
                time.sleep(0.005)
            latencies.append(time.perf_counter() - t0)
    finally:
        note.write_text(original)
        server.terminate()
        server.wait(timeout=20)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="talknotes-rebuild-"))
    try:
        site = generate(work / "site", args.notes)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(site), "--output",
                        str(work / "clean")], check=True, capture_output=True)
        clean = time.perf_counter() - start

        note = site / "content" / "notes" / f"{note_file(args.notes // 2)}.md"
        latencies = serve_latency(site, note, f"notes/talk-{args.notes // 2:05d}/", args.runs)
        median = statistics.median(latencies)
        print(f"notes: {args.notes}")
        print(f"clean full build (cold, new process): {clean:.2f} s")
        print(f"save -> rebuilt page served, median of {args.runs}: {median * 1000:.0f} ms "
              f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f})")
        print(f"ratio to the {TARGET_MS} ms target: {median * 1000 / TARGET_MS:.2f} (<= 1 meets it)")
        print(f"ratio to a clean build: {median / clean:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
