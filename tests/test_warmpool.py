"""The warm pool (generator/warmpool.py): every task's result once, workers forked from the one
that got ready, task errors raised in the caller, a killed worker noticed, nothing left behind."""

from __future__ import annotations

import os
import threading
import time

import pytest

from generator.warmpool import WarmPool, WorkerLost

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


def _fails_on(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"task {x} failed")
    return x


def _dies_on(x: int, bad: int) -> int:
    if x == bad:
        os._exit(3)  # as if killed: no result, no goodbye
    time.sleep(0.01)
    return x


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


def test_every_task_once_from_workers_forked_ready(tmp_path):
    log = tmp_path / "ready"
    pool = WarmPool(3, _get_ready, (str(log),))
    try:
        results = dict(pool.run(_square, [(x,) for x in range(40)]))
    finally:
        pool.close()
    assert sorted(results) == list(range(40)) and all(results[x][0] == x * x for x in results)
    first = int(log.read_text())  # one worker got ready...
    workers = {pid for _, pid, _ in results.values()}
    assert first in workers and len(workers) == 3 and os.getpid() not in workers
    assert {ready_by for _, _, ready_by in results.values()} == {first}  # ...and the rest were forked from it
    assert threading.active_count() == 1 and not any(_alive(pid) for pid in workers)


def test_a_failed_warm_up_still_serves(tmp_path):
    pool = WarmPool(2, _fail_ready, (str(tmp_path),))
    try:
        assert sorted(index for index, _ in pool.run(_square, [(x,) for x in range(5)])) == list(range(5))
    finally:
        pool.close()


def test_meanwhile_runs_in_the_caller_while_workers_work(tmp_path):
    pool = WarmPool(2, _get_ready, (str(tmp_path / "ready"),))
    seen = []
    try:
        results = list(pool.run(_square, [(x,) for x in range(10)], meanwhile=lambda: seen.append(os.getpid())))
    finally:
        pool.close()
    assert seen == [os.getpid()] and len(results) == 10


def test_a_task_error_is_raised_here_and_the_pool_ends():
    pool = WarmPool(2, _fail_ready, ("",))
    with pytest.raises(ValueError, match="task 7 failed"):
        try:
            for _ in pool.run(_fails_on, [(x, 7) for x in range(20)]):
                pass
        finally:
            pool.close()
    assert threading.active_count() == 1 and not _alive(pool._first.pid)


def test_a_killed_worker_is_noticed_not_waited_for():
    pool = WarmPool(2, _fail_ready, ("",))
    got = []
    start = time.monotonic()
    with pytest.raises(WorkerLost):
        try:
            for index, value in pool.run(_dies_on, [(x, 5) for x in range(30)]):
                got.append(index)
        finally:
            pool.close()
    assert 5 not in got and time.monotonic() - start < 20
    assert threading.active_count() == 1 and not _alive(pool._first.pid)


def test_closing_an_unused_pool_ends_its_workers_at_once(tmp_path):
    pool = WarmPool(2, _get_ready, (str(tmp_path / "ready"),))
    start = time.monotonic()
    pool.close()
    pool.close()  # twice is harmless
    assert time.monotonic() - start < 5 and not _alive(pool._first.pid)
