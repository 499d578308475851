"""The one worker pool (generator/workers.py): every task's result once, workers forked from the
one that got ready, state handed to workers without a module global, task errors raised in the
caller, a killed worker's tasks still done, the in-process fallback when forking is unsafe,
nothing left behind; and the Markdown, image and page stages all run on it."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from conftest import TODAY
from generator.markdown import stage as documents
from generator.images import pool as imagerun
from generator.render import pages as render
from generator import workers
from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache
from generator.workers import Pool, WorkerLost, fork_is_safe, start_method

_READY = {"by": None}


def _get_ready(path: str) -> None:
    _READY["by"] = os.getpid()
    with open(path, "a") as f:
        f.write(f"{os.getpid()}\n")


def _fail_ready(path: str) -> None:
    raise RuntimeError("no head start today")


def _square(x: int) -> tuple:
    time.sleep(0.005)  # long enough for every worker to take some
    return x * x, os.getpid(), _READY["by"]


def _with_state(state: str, x: int) -> tuple:
    return f"{state}{x}", os.getpid()


def _fails_on(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"task {x} failed")
    return x


def _dies_on(x: int, bad: int, parent: int) -> tuple:
    if x == bad and os.getpid() != parent:
        os._exit(3)  # as if killed: no result, no goodbye
    time.sleep(0.01)
    return x, os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.fixture
def a_thread():
    """Another thread running, as in the dev server: forking is unsafe while it does."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_every_task_once_from_workers_forked_ready(tmp_path):
    log = tmp_path / "ready"
    with Pool(3, _get_ready, (str(log),)) as pool:
        assert pool.method == "fork"
        results = dict(pool.run(_square, [(x,) for x in range(40)]))
    assert sorted(results) == list(range(40)) and all(results[x][0] == x * x for x in results)
    first = int(log.read_text())  # one worker got ready...
    pids = {pid for _, pid, _ in results.values()}
    assert first in pids and len(pids) == 3 and os.getpid() not in pids
    assert {ready_by for _, _, ready_by in results.values()} == {first}  # ...and the rest were forked from it
    assert threading.active_count() == 1 and not any(_alive(pid) for pid in pids)


def test_a_failed_warm_up_still_serves(tmp_path):
    with Pool(2, _fail_ready, (str(tmp_path),)) as pool:
        assert sorted(index for index, _ in pool.run(_square, [(x,) for x in range(5)])) == list(range(5))


def test_meanwhile_runs_in_the_caller_while_workers_work(tmp_path):
    seen = []
    with Pool(2, _get_ready, (str(tmp_path / "ready"),)) as pool:
        results = list(pool.run(_square, [(x,) for x in range(10)], meanwhile=lambda: seen.append(os.getpid())))
    assert seen == [os.getpid()] and len(results) == 10


def test_state_reaches_the_workers_through_the_pool_not_a_module_global():
    with Pool(2, state="a") as first, Pool(2, state="b", fork_only=True) as second:
        a = dict(first.run(_with_state, [(x,) for x in range(6)]))
        b = dict(second.run(_with_state, [(x,) for x in range(6)]))
    assert [a[x][0] for x in range(6)] == [f"a{x}" for x in range(6)]
    assert [b[x][0] for x in range(6)] == [f"b{x}" for x in range(6)]
    assert os.getpid() not in {pid for _, pid in [*a.values(), *b.values()]}
    # Nothing a pool hands its workers lives at module level, here or in the page stage.
    assert not hasattr(render, "_POOL_STATE")
    assert not [name for name, value in vars(workers).items()
                if not name.startswith("__") and isinstance(value, (dict, list, set, tuple))]


def test_with_a_thread_running_inherited_work_runs_in_this_process(a_thread):
    assert not fork_is_safe() and start_method(fork_only=True) is None
    meanwhile = []
    with Pool(2, state="s", fork_only=True) as pool:
        assert pool.method is None
        results = list(pool.run(_with_state, [(x,) for x in range(4)], meanwhile=lambda: meanwhile.append(1)))
    assert results == [(x, (f"s{x}", os.getpid())) for x in range(4)] and meanwhile == [1]


def test_with_a_thread_running_picklable_work_uses_a_forkserver(a_thread, tmp_path):
    with Pool(2, _get_ready, (str(tmp_path / "ready"),)) as pool:
        assert pool.method in ("forkserver", "spawn")
        results = dict(pool.run(_square, [(x,) for x in range(8)]))
    assert sorted(results) == list(range(8)) and os.getpid() not in {pid for _, pid, _ in results.values()}


def test_fewer_than_two_workers_run_in_this_process():
    with Pool(1) as pool:
        assert pool.method is None
        assert [value for _, (value, _, _) in pool.run(_square, [(3,)])] == [9]


def test_a_task_error_is_raised_here_and_the_pool_ends():
    pool = Pool(2)
    with pytest.raises(ValueError, match="task 7 failed"):
        with pool:
            for _ in pool.run(_fails_on, [(x, 7) for x in range(20)]):
                pass
    assert threading.active_count() == 1 and not _alive(pool._first.pid)


def test_a_killed_workers_tasks_are_still_done_and_soon():
    pool = Pool(2)
    start = time.monotonic()
    with pool:
        results = dict(pool.run(_dies_on, [(x, 5, os.getpid()) for x in range(30)]))
    assert sorted(results) == list(range(30)) and time.monotonic() - start < 20
    assert results[5][1] == os.getpid()  # the killed worker's task, done here
    assert threading.active_count() == 1 and not _alive(pool._first.pid)


def test_the_task_a_killed_worker_held_can_be_given_up_instead():
    given_up = []

    def lost(index, error):
        given_up.append((index, type(error)))
        return None, "lost"

    with Pool(2) as pool:
        results = dict(pool.run(_dies_on, [(x, 5, -1) for x in range(30)], lost=lost))  # would die here too
    assert given_up == [(5, WorkerLost)] and results[5] == (None, "lost")
    assert sorted(results) == list(range(30)) and all(results[x][0] == x for x in results if x != 5)


def test_closing_an_unused_pool_ends_its_workers_at_once(tmp_path):
    pool = Pool(2, _get_ready, (str(tmp_path / "ready"),))
    start = time.monotonic()
    pool.close()
    pool.close()  # twice is harmless
    assert time.monotonic() - start < 5 and not _alive(pool._first.pid)


# --------------------------------------------------------------------------- the stages on it

def _site(root: Path, notes: int) -> Path:
    from PIL import Image
    (root / "content" / "notes").mkdir(parents=True)
    for i in range(3):
        Image.new("RGB", (40 + i, 30), (i * 60, 90, 120)).save(root / "content" / "notes" / f"pic-{i}.png")
    for i in range(notes):
        language = ["python", "bash", "yaml"][i % 3]
        image = f"\n![A picture {i}](pic-{i % 3}.png)\n" if i % 7 == 0 else ""
        (root / "content" / "notes" / f"note-{i:03d}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2021-03-{1 + i % 28:02d}\ntags: [python, t{i % 5}]\n---\n\n"
            f"## Part {i}\n\nSome *prose* and a [link](note-000.md).\n{image}\n```{language}\nx = {i}\n```\n")
    (root / "talknotes.yaml").write_text("title: Workers\nbase_url: https://example.org/\n")
    return root


def _tree(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def test_the_markdown_page_and_image_stages_run_on_the_pool_and_match_in_process(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 4)
    monkeypatch.setattr(render, "POOL_THRESHOLD", 20)  # the page stage's pool too, at this size

    def cold(name: str) -> dict[str, bytes]:
        shutil.rmtree(site / ".cache", ignore_errors=True)
        build(BuildOptions(source=site, output=tmp_path / name, today=TODAY), BuildCache())
        return _tree(tmp_path / name)

    runs = []  # (what ran, how) for every pool
    original = Pool.run
    monkeypatch.setattr(Pool, "run", lambda self, function, *a, **k: runs.append(
        (f"{function.__module__}.{function.__name__}", self.method)) or original(self, function, *a, **k))
    pooled = cold("pooled")
    assert (os.cpu_count() or 1) > 1, "the pools would not run here"
    assert set(runs) == {("generator.markdown.stage._render_chunk", "fork"), ("generator.render.pages._render_chunk", "fork"),
                         ("generator.images.codec._job", "fork")}
    runs.clear()
    with monkeypatch.context() as patch:  # every pool in this process
        patch.setattr(workers, "start_method", lambda fork_only=False: None)
        in_process = cold("in-process")
    assert {how for _, how in runs} == {None} and len(runs) == 3
    with monkeypatch.context() as patch:  # no pools at all
        patch.setattr(documents, "POOL_THRESHOLD", 10 ** 6)
        patch.setattr(render, "POOL_THRESHOLD", 10 ** 6)
        patch.setattr(workers, "start_method", lambda fork_only=False: None)  # the image stage's
        unpooled = cold("unpooled")
    runs.clear()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)  # as in the dev server
    thread.start()
    try:
        threaded = cold("threaded")
    finally:
        stop.set()
        thread.join()
    # Markdown and images through a forkserver; the page stage (inherited state) in this process.
    assert {(name.rpartition(".")[0], how) for name, how in runs} == {("generator.markdown.stage", "forkserver"),
                                                                      ("generator.images.codec", "forkserver")}
    assert pooled == in_process == unpooled == threaded
    assert any(rel.endswith(".webp") for rel in pooled) and len(pooled) > 100


_PARENT = {"pid": None, "redone": 0}
_PAGE_CHUNK = render._render_chunk


def _page_worker_dies(state, indices):
    """A page worker killed on its first chunk (as by the out-of-memory killer)."""
    if 0 in indices:
        if os.getpid() != _PARENT["pid"]:
            os._exit(9)
        _PARENT["redone"] += 1
    return _PAGE_CHUNK(state, indices)


def test_a_killed_page_worker_costs_time_not_the_build(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", 30)
    monkeypatch.setattr(render, "POOL_THRESHOLD", 20)
    build(BuildOptions(source=site, output=tmp_path / "normal", today=TODAY), BuildCache())
    shutil.rmtree(site / ".cache")
    _PARENT["pid"] = os.getpid()
    monkeypatch.setattr(render, "_render_chunk", _page_worker_dies)
    cache = BuildCache()
    build(BuildOptions(source=site, output=tmp_path / "lost", today=TODAY), cache)
    assert _PARENT["redone"] == 1  # the killed worker's chunk, rendered here
    assert _tree(tmp_path / "lost") == _tree(tmp_path / "normal") and cache.counts["pages"] >= 20


_IMAGE_JOB = imagerun._job


def _image_worker_dies(plan, variants, settings, cache_dir):
    """An image worker killed on one source (a codec crash, the out-of-memory killer)."""
    if plan.source.name == "pic-1.png" and os.getpid() != _PARENT["pid"]:
        os._exit(9)
    return _IMAGE_JOB(plan, variants, settings, cache_dir)


def test_an_image_that_kills_its_worker_is_reported_and_the_others_are_made(tmp_path, monkeypatch):
    from generator.images.plan import plan_image
    from generator.images.pool import process_images
    from generator.images.types import ImageSettings
    sources = sorted((_site(tmp_path / "site", 0) / "content" / "notes").glob("*.png"))
    plans = [plan_image(source, ImageSettings()) for source in sources]
    _PARENT["pid"] = os.getpid()
    monkeypatch.setattr(imagerun, "_job", _image_worker_dies)
    report = process_images(plans, ImageSettings(), tmp_path / "cache", tmp_path / "out", workers=2)
    assert [(plan.source.name, "worker process died" in error.message) for plan, error in report.errors] == [
        ("pic-1.png", True)]
    made = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert {v.path for plan in plans if plan.source.name != "pic-1.png" for v in plan.outputs} <= made
