"""Build speed of talknotes next to Pelican, Hugo and the Python-Markdown floor.

    python benchmarks/build.py [--notes 1000] [--runs 3] [--seed 1]
    python benchmarks/build.py --notes 10000 --memory-only     # peak memory of a cold build
    python benchmarks/build.py --shape archive --notes 20000 --runs 1   # archive-shaped, talknotes only

Generates the same N notes (~770 words each, with headings, lists, fenced code in five
languages, links and tables; see corpus.py) as a talknotes, a Pelican and a Hugo site. Then,
R times, alternating the order of the commands from round to round, it times in new processes:

  talknotes cold       `talknotes build --timings` with the cache (.cache/) and output moved away
  talknotes warm       the same build again, nothing changed, cache kept
  talknotes 1 changed  one sentence appended to one note, then the same build
  Pelican cold         `pelican content -o out -s pelicanconf.py`, output and cache moved away
  Hugo cold            `hugo` with public output, resources/ and its cache dir moved away
  floor, 1 process     read every note, PyYAML-parse its front matter, render its body with
                       Python-Markdown + Pygments and talknotes' extensions; no templates, no
                       writing
  floor, pool          the same over a process pool of os.cpu_count() workers, chunked

and `talknotes --version` ten times. What a cold build replaces is moved aside and deleted
when the timing is over (``set_aside``: deleting it first would make every generator's cold
build pay for the deletion on some filesystems). It prints the medians, the peak memory of
one more (untimed) talknotes cold build and the issue-7 targets (meant for N = 1,000) as ratios with
PASS/FAIL.

With ``--shape archive`` the corpus is archive.py's (short multilingual talks, ~0.6 N speakers,
a video on every talk) and only talknotes is measured: cold, no-change and one-changed builds,
peak PSS, page count and pages over budget, and ``talknotes serve``'s edit -> served latency
(rebuild.py's ``serve_latency``), against the archive issue's targets (``archive_bench``).

Pelican is installed into a throwaway venv (in the temp dir, reused by later runs) when this
interpreter can't import it; Hugo is the one on PATH (Debian's /usr/bin/hugo), skipped if missing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate, generate_hugo, generate_pelican, note_file  # noqa: E402

HERE = Path(__file__).resolve()
PELICAN_VENV = Path(tempfile.gettempdir()) / "talknotes-bench-pelican-venv"
TARGET_FLOOR = 1.5          # talknotes cold <= 1.5 x pooled floor
TARGET_PELICAN = 3.0        # Pelican cold >= 3 x talknotes cold
TARGET_HUGO = 1 / 3         # talknotes warm and one-changed <= 1/3 of Hugo cold
TARGET_VERSION_MS = 100     # talknotes --version, median of 10
TARGET_MEMORY_MB = 600      # peak memory of a cold build at 10,000 notes
# The archive-shaped corpus's targets (meant for N = 20,000).
ARCHIVE_SERVE_MS = 300      # serve: edit -> page served, median
ARCHIVE_CHANGED = 1 / 20    # one-changed build <= cold / 20
ARCHIVE_NO_CHANGE_S = 1.0
ARCHIVE_COLD_S = 15.0
ARCHIVE_PSS_MB = 600


# --------------------------------------------------------------------------- the floor

def _floor_markdown():
    import markdown
    return markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "footnotes", "toc", "smarty", "admonition",
                    "sane_lists", "def_list"],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False},
                           "toc": {"permalink": "#", "toc_depth": "2-4"},
                           "smarty": {"smart_angled_quotes": False}})


_MD = None


def _floor_chunk(paths: list[str]) -> list[tuple[str, dict, str]]:
    """Front matter and HTML of each note file (one Markdown instance per process, reset per note)."""
    global _MD
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # what yaml.safe_load uses, in C when built
    if _MD is None:
        _MD = _floor_markdown()
    results = []
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        end = text.index("\n---\n", 3)
        meta = yaml.load(text[4:end], Loader=loader)
        results.append((path, meta, _MD.reset().convert(text[end + 5:])))
    return results


def floor(folder: Path, jobs: int) -> None:
    paths = sorted(str(p) for p in folder.rglob("*.md"))
    if jobs <= 1:
        results = _floor_chunk(paths)
    else:
        from concurrent.futures import ProcessPoolExecutor
        size = max(1, math.ceil(len(paths) / (jobs * 4)))  # a few chunks per worker, not one task per note
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        with ProcessPoolExecutor(jobs) as pool:
            results = [r for chunk in pool.map(_floor_chunk, chunks) for r in chunk]
    print(json.dumps({"notes": len(results), "html_bytes": sum(len(html) for _, _, html in results)}))


# --------------------------------------------------------------------------- running and measuring

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> int:
    """PSS of a process (shared pages split between the processes sharing them), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants every 50 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.peak_procs, self.done = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            tree, pids, stack = _children(), [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(tree.get(pid, ()))
            total = sum(_memory_kb(pid) for pid in pids)
            if total > self.peak_kb:
                self.peak_kb, self.peak_procs = total, len(pids)


class Run:
    def __init__(self, seconds: float, output: str, maxrss_kb: int, tree_kb: int = 0, procs: int = 0):
        self.seconds, self.output, self.maxrss_kb, self.tree_kb, self.procs = seconds, output, maxrss_kb, tree_kb, procs


# Every command runs as an installed program would: with its bytecode cached. A shell that sets
# PYTHONDONTWRITEBYTECODE would otherwise make talknotes (an editable install, whose modules
# pip never compiled) recompile its source on every run, while Pelican's venv has its bytecode.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_talknotes() -> None:
    """Write talknotes' bytecode before timing anything (what ``pip install`` does)."""
    import generator
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(generator.__file__).parent)],
                   env=ENV, check=True, stdout=subprocess.DEVNULL)


def run(cmd: list[str], cwd: Path | None = None, sample: bool = False) -> Run:
    """Run ``cmd`` to completion; wall time, output, and peak memory (largest single process of
    the tree from wait4's ru_maxrss; with ``sample``, the sampled peak PSS of the whole tree)."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=ENV)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        log.seek(0)
        output = log.read()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{output[-3000:]}")
    return Run(seconds, output, usage.ru_maxrss, sampler.peak_kb if sampler else 0, sampler.peak_procs if sampler else 0)


def rmtree(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def set_aside(trash: Path, *paths: Path) -> None:
    """Move the previous build's output and caches out of the way, to delete when timing is over.

    Deleting them here instead would tax the next cold build of every generator: on ext4
    without a journal (this benchmark's VM), each new file or folder skips, one by one, every
    inode freed in the last one to six minutes (the kernel's ``recently_deleted`` check), and
    a cold build makes ~2,500 of them right after the benchmark freed as many. A cold build on
    a fresh checkout (what a CI or Netlify build is) pays none of that.
    """
    trash.mkdir(exist_ok=True)
    for path in paths:
        if path.exists():
            path.rename(trash / f"{len(os.listdir(trash))}-{path.name}")


def talknotes_command() -> list[str]:
    script = Path(sys.executable).parent / "talknotes"
    found = str(script) if script.exists() else shutil.which("talknotes")
    return [found] if found else [sys.executable, "-m", "generator"]


def pelican_python() -> tuple[str, str]:
    """An interpreter that can import Pelican and Markdown, and where it comes from."""
    probe = [sys.executable, "-c", "import pelican, markdown"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return sys.executable, "this interpreter"
    python = PELICAN_VENV / "bin" / "python"
    if not (python.exists() and subprocess.run([str(python), *probe[1:]], capture_output=True).returncode == 0):
        print(f"installing Pelican into a throwaway venv at {PELICAN_VENV} ...", flush=True)
        rmtree(PELICAN_VENV)
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pelican", "markdown"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return str(python), str(PELICAN_VENV)


def stage_timings(output: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+([\d.]+) ms$", output, re.M)}


def html_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- the benchmark

def memory_only(args, work: Path, talknotes: list[str]) -> None:
    site = generate(work / "talknotes", args.notes, args.seed)
    print(f"notes: {args.notes}; cores: {os.cpu_count()}; load average: {load()}", flush=True)
    result = run([*talknotes, "build", "--source", str(site), "--output", str(work / "out"), "--timings"], sample=True)
    print(f"talknotes cold build: {result.seconds:.2f} s")
    report_memory(args.notes, [result])


def report_memory(notes: int, cold: list[Run], hint: bool = True) -> None:
    tree = max(r.tree_kb for r in cold) / 1024
    single = max(r.maxrss_kb for r in cold) / 1024
    procs = max(r.procs for r in cold)
    print(f"peak memory of a talknotes cold build: {tree:.0f} MB summed PSS over the process tree "
          f"({procs} process{'es' if procs != 1 else ''} at the peak, sampled every 50 ms); "
          f"largest single process {single:.0f} MB (ru_maxrss)")
    if notes >= 10_000:
        peak = max(tree, single)  # the sampler can miss a short peak; ru_maxrss can't
        verdict = "PASS" if peak < TARGET_MEMORY_MB else "FAIL"
        print(f"  target < {TARGET_MEMORY_MB} MB at 10,000 notes (the larger of the two, {peak:.0f} MB): {verdict}")
    elif hint:
        print(f"  (the < {TARGET_MEMORY_MB} MB target is for 10,000 notes: --notes 10000 --memory-only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=("talk", "archive"), default="talk",
                        help="talk: ~770-word notes against Pelican and Hugo (corpus.py); "
                             "archive: a talk archive's shape, talknotes only (archive.py)")
    parser.add_argument("--memory-only", action="store_true", help="only one talknotes cold build and its peak memory")
    parser.add_argument("--keep", action="store_true", help="keep the generated sites (their folder is printed)")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: run the floor on this folder
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        return floor(args.floor, args.jobs)

    talknotes = talknotes_command()
    compile_talknotes()
    work = Path(tempfile.mkdtemp(prefix="talknotes-bench-"))
    try:
        if args.shape == "archive":
            return archive_bench(args, work, talknotes)
        if args.memory_only:
            return memory_only(args, work, talknotes)
        bench(args, work, talknotes)
    finally:
        if args.keep:
            print(f"sites kept in {work}")
        else:
            rmtree(work)


def bench(args, work: Path, talknotes: list[str]) -> None:
    began = time.perf_counter()
    load_before = load()
    tn_site = generate(work / "talknotes", args.notes, args.seed)
    pel_site = generate_pelican(work / "pelican", args.notes, args.seed)
    hugo_site = generate_hugo(work / "hugo", args.notes, args.seed)
    pel_python, pel_from = pelican_python()
    hugo = shutil.which("hugo")
    cores = os.cpu_count() or 1

    versions = {
        "talknotes": run([*talknotes, "--version"]).output.strip(),
        "Pelican": run([pel_python, "-m", "pelican", "--version"]).output.strip() + f" ({pel_from})",
        "Hugo": run([hugo, "version"]).output.split("BuildDate")[0].strip() if hugo else "hugo not installed",
        "Python": platform.python_version(),
    }
    print(f"notes: {args.notes}; runs: {args.runs}; cores: {cores}; {platform.platform()}")
    print("; ".join(f"{k}: {v}" for k, v in versions.items()))
    print(f"load average (1, 5, 15 min) at start: {load_before}", flush=True)

    tn_out, tn_cache = work / "talknotes-out", tn_site / ".cache"
    trash = work / "set-aside"  # deleted with the rest of work/ when the timing is over
    tn_build = [*talknotes, "build", "--source", str(tn_site), "--output", str(tn_out), "--timings"]
    note = tn_site / "content" / "notes" / f"{note_file(args.notes // 2)}.md"
    original = note.read_text(encoding="utf-8")
    times: dict[str, list[float]] = {}
    stages: dict[str, list[dict[str, float]]] = {}
    cold_runs: list[Run] = []
    counts: dict[str, int] = {}

    def record(name: str, result: Run) -> Run:
        times.setdefault(name, []).append(result.seconds)
        return result

    def talknotes_trio(r: int) -> None:
        note.write_text(original, encoding="utf-8")
        set_aside(trash, tn_out, tn_cache)
        cold = record("talknotes cold", run(tn_build))  # unsampled: sampling takes CPU from it
        warm = record("talknotes warm, no change", run(tn_build))
        note.write_text(original + f"\nAn extra sentence about caching, added in round {r}.\n", encoding="utf-8")
        changed = record("talknotes, one note changed", run(tn_build))
        for name, result in (("cold", cold), ("warm", warm), ("one changed", changed)):
            stages.setdefault(name, []).append(stage_timings(result.output))
        counts["talknotes"] = html_files(tn_out)

    def pelican(r: int) -> None:
        set_aside(trash, pel_site / "out", pel_site / "cache")
        record("Pelican cold", run([pel_python, "-m", "pelican", "content", "-o", "out", "-s", "pelicanconf.py"],
                                   cwd=pel_site))
        counts["Pelican"] = html_files(pel_site / "out")

    def hugo_cold(r: int) -> None:
        set_aside(trash, hugo_site / "out", hugo_site / "resources", hugo_site / "hugo_cache")
        record("Hugo cold", run([hugo, "--quiet", "--source", str(hugo_site), "--destination", str(hugo_site / "out"),
                                 "--cacheDir", str(hugo_site / "hugo_cache")]))
        counts["Hugo"] = html_files(hugo_site / "out")

    def floor_one(r: int) -> None:
        record("floor, 1 process", run([sys.executable, str(HERE), "--floor", str(tn_site / "content"), "--jobs", "1"]))

    def floor_pool(r: int) -> None:
        record(f"floor, pool of {cores}", run([sys.executable, str(HERE), "--floor", str(tn_site / "content"),
                                              "--jobs", str(cores)]))

    groups = [talknotes_trio, pelican, *([hugo_cold] if hugo else []), floor_one, floor_pool]
    try:
        for r in range(args.runs):
            shift = r % len(groups)  # alternate: each round starts with the next command
            for step in groups[shift:] + groups[:shift]:
                step(r)
            line = ", ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items())
            print(f"round {r + 1}/{args.runs}: {line}", flush=True)
    finally:
        note.write_text(original, encoding="utf-8")

    # Memory is sampled in one more cold build, not timed: reading /proc every 50 ms costs CPU.
    set_aside(trash, tn_out, tn_cache)
    cold_runs.append(run(tn_build, sample=True))

    version_ms = []
    for _ in range(10):
        version_ms.append(run([*talknotes, "--version"]).seconds * 1000)
    load_after = load()

    med = {name: statistics.median(values) for name, values in times.items()}
    print()
    print(f"medians of {args.runs} runs at {args.notes} notes (min - max):")
    for name, values in times.items():
        print(f"  {name:<30} {med[name]:7.2f} s   ({min(values):.2f} - {max(values):.2f})")
    print(f"  {'talknotes --version':<30} {statistics.median(version_ms):7.0f} ms  "
          f"({min(version_ms):.0f} - {max(version_ms):.0f}, 10 runs)")
    print("HTML files written: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("talknotes stage medians (ms):")
    for kind, rows in stages.items():
        names = list(rows[0])
        print(f"  {kind:<12} " + "  ".join(f"{s} {statistics.median(row.get(s, 0.0) for row in rows):.0f}"
                                           for s in names))
    report_memory(args.notes, cold_runs)

    print()
    print("targets (set for N = 1,000 on 2 cores):" + ("" if args.notes == 1000 else
                                                       f"  NOTE: this run used N = {args.notes}"))
    verdicts = []

    def target(label: str, value: float, limit: float, ok: bool, unit: str = "") -> None:
        verdicts.append(ok)
        print(f"  {label:<52} {value:7.2f}{unit}  target {limit}{unit}  {'PASS' if ok else 'FAIL'}")

    tn_cold = med["talknotes cold"]
    pooled = med[f"floor, pool of {cores}"]
    target("talknotes cold / pooled floor", tn_cold / pooled, f"<= {TARGET_FLOOR}", tn_cold / pooled <= TARGET_FLOOR)
    ratio = med["Pelican cold"] / tn_cold
    target("Pelican cold / talknotes cold", ratio, f">= {TARGET_PELICAN}", ratio >= TARGET_PELICAN)
    if hugo:
        for name in ("talknotes warm, no change", "talknotes, one note changed"):
            ratio = med[name] / med["Hugo cold"]
            target(f"{name} / Hugo cold", ratio, "<= 0.33", ratio <= TARGET_HUGO)
    else:
        print("  hugo not installed: the two Hugo ratios are skipped")
    version = statistics.median(version_ms)
    target("talknotes --version, median of 10", version, f"<= {TARGET_VERSION_MS}", version <= TARGET_VERSION_MS, " ms")
    print(f"  for reference: talknotes cold / 1-process floor {tn_cold / med['floor, 1 process']:.2f}; "
          f"1-process floor / pooled floor {med['floor, 1 process'] / pooled:.2f}"
          + (f"; talknotes cold / Hugo cold {tn_cold / med['Hugo cold']:.2f}" if hugo else ""))
    print(f"{sum(verdicts)} of {len(verdicts)} targets met")
    print(f"load average at end: {load_after}; benchmark took {time.perf_counter() - began:.0f} s")


def archive_bench(args, work: Path, talknotes: list[str]) -> None:
    """``--shape archive``: talknotes alone on archive.py's corpus, against the archive targets."""
    from archive import generate_archive, note_files
    from rebuild import serve_latency

    began = time.perf_counter()
    load_before = load()
    site = generate_archive(work / "archive", args.notes, args.seed)
    print(f"shape: archive; notes: {args.notes}; runs: {args.runs}; cores: {os.cpu_count()}; {platform.platform()}")
    print(f"talknotes: {run([*talknotes, '--version']).output.strip()}; Python: {platform.python_version()}; "
          f"corpus written in {time.perf_counter() - began:.1f} s")
    print(f"load average (1, 5, 15 min) at start: {load_before}", flush=True)

    out, cache, trash = work / "archive-out", site / ".cache", work / "set-aside"
    build = [*talknotes, "build", "--source", str(site), "--output", str(out), "--timings"]
    notes = note_files(site)
    note = notes[len(notes) // 2]
    original = note.read_text(encoding="utf-8")
    times: dict[str, list[float]] = {}
    try:
        for r in range(args.runs):
            note.write_text(original, encoding="utf-8")
            set_aside(trash, out, cache)
            times.setdefault("cold", []).append(run(build).seconds)  # unsampled: sampling takes CPU
            times.setdefault("no change", []).append(run(build).seconds)
            note.write_text(original + f"\nOne more sentence about the talk, added in round {r}.\n", encoding="utf-8")
            times.setdefault("one changed", []).append(run(build).seconds)
            print(f"round {r + 1}/{args.runs}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  flush=True)
    finally:
        note.write_text(original, encoding="utf-8")

    # Memory in one more, untimed, cold build (as for the talk shape); its report is the one read.
    set_aside(trash, out, cache)
    sampled = run(build, sample=True)
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    pages, over = report["summary"]["pages"], report["summary"]["over_budget"]

    # The dev server on the same site: its first build is cold, then each save is timed.
    page = f"notes/{note.stem[11:]}/"
    latencies = serve_latency(site, note, page, max(3, args.runs))
    load_after = load()

    med = {name: statistics.median(values) for name, values in times.items()}
    print()
    print(f"medians of {args.runs} run(s) at {args.notes} notes (min - max):")
    for name, values in times.items():
        print(f"  talknotes {name:<20} {med[name]:7.2f} s   ({min(values):.2f} - {max(values):.2f})")
    print(f"  one changed / cold             {med['one changed'] / med['cold']:7.3f}")
    serve_ms = statistics.median(latencies) * 1000
    print(f"  serve edit -> served ({page}), median of {len(latencies)}: {serve_ms:.0f} ms "
          f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f})")
    report_memory(0, [sampled], hint=False)  # the archive's own memory target is judged below
    heaviest = sorted(report["pages"], key=lambda p: (-p["total"], p["url"]))[:10]
    print(f"pages: {pages} ({report['summary']['note_pages']} notes); over budget: {over}; "
          f"HTML files: {html_files(out)}")
    print("10 heaviest pages (first visit, bytes; before images):")
    for p in heaviest:
        print(f"  {p['total'] / 1024:8.1f} kB  ({p['before_images'] / 1024:.1f} kB)  {p['url']}")

    peak_mb = max(sampled.tree_kb, sampled.maxrss_kb) / 1024  # the sampler can miss a short peak
    print()
    print("archive targets (set for N = 20,000 on 2 cores):" + ("" if args.notes == 20_000 else
                                                                f"  NOTE: this run used N = {args.notes}"))
    verdicts = []

    def target(label: str, value: float, limit: float, text: str) -> None:
        ok = value <= limit
        verdicts.append(ok)
        print(f"  {label:<44} {text:>12}  ratio {value / limit:6.2f}  {'PASS' if ok else 'FAIL'}")

    target(f"serve edit -> served <= {ARCHIVE_SERVE_MS} ms", serve_ms, ARCHIVE_SERVE_MS, f"{serve_ms:.0f} ms")
    target("one changed <= cold / 20", med["one changed"], med["cold"] * ARCHIVE_CHANGED,
           f"{med['one changed']:.2f} s")
    target(f"no change <= {ARCHIVE_NO_CHANGE_S:g} s", med["no change"], ARCHIVE_NO_CHANGE_S, f"{med['no change']:.2f} s")
    target(f"cold <= {ARCHIVE_COLD_S:g} s", med["cold"], ARCHIVE_COLD_S, f"{med['cold']:.2f} s")
    target(f"peak PSS <= {ARCHIVE_PSS_MB} MB", peak_mb, ARCHIVE_PSS_MB, f"{peak_mb:.0f} MB")
    verdicts.append(over == 0)  # a count, not a ratio: any page over budget fails
    print(f"  {'pages over budget = 0':<44} {over:>12}  {'':12}  {'PASS' if over == 0 else 'FAIL'}")
    print(f"{sum(verdicts)} of {len(verdicts)} targets met")
    print(f"load average at end: {load_after}; benchmark took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
