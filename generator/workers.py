"""The one way talknotes runs worker processes: :class:`Pool`, and the start method it picks.

A pool's first worker gets ready (Markdown workers import Python-Markdown and Pygments and
compile the lexers of the site's languages: about 0.2 s of CPU), then forks the others: they
start with its modules in memory, shared copy-on-write, instead of each paying for them, which
on a 2-core machine competes with the build's own process. State the tasks need (the page
stage's whole site) is handed to the first worker once: under ``fork`` it is inherited, never
pickled, and it stays on the pool, not in a module global.

Tasks go out through one pipe that the workers take from in turn; each worker sends back
through a pipe of its own. Two threads of this process write the tasks and read the results,
so neither side ever waits on a full pipe while the other does (a chunk of rendered notes is
far bigger than a pipe holds) and this process is free meanwhile. A worker's own pipe also
tells when it ends: after a goodbye when all is well, without one when it was killed (the
out-of-memory killer). Each worker says which task it took, so a killed worker's task is
known; what no worker sent back is then done in this process, and the build goes on.

Forking is cheapest and the only way to inherit state, but unsafe once other threads run (the
dev server's): :func:`start_method` says what to use instead.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import wait

_TOOK, _DONE, _FAILED, _BYE, _LOST = range(5)  # what a message says; _LOST only in this process


class WorkerLost(RuntimeError):
    """A worker ended without sending back a result (it was killed, or ran out of memory)."""


def fork_is_safe() -> bool:
    """Whether workers can be forked: fork exists and no other thread runs here (the dev
    server's do; a thread holding a lock at the fork would leave it held in the child)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def start_method(fork_only: bool = False) -> str | None:
    """How to start workers: ``"fork"`` when :func:`fork_is_safe`; else, for work that can be
    pickled (its function, tasks, state and results), ``"forkserver"`` or ``"spawn"``; else
    None, for work that must be inherited (``fork_only``): it is done in this process."""
    if fork_is_safe():
        return "fork"
    if fork_only:
        return None
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class Pool:
    """``workers`` processes forked from a first one that ran ``get_ready(*args)``.

    :meth:`run` hands out tasks and yields their results as they come; :meth:`close` (or the
    end of a ``with`` block) ends the workers. With ``state``, each task runs as
    ``function(state, *task)``; else ``function(*task)``. ``fork_only``: the state (or the
    work) cannot be pickled, so without a safe fork the tasks run in this process; they also
    do with fewer than two workers (one would only add its start-up). If ``get_ready`` fails,
    the workers start cold, but they start."""

    def __init__(self, workers: int, get_ready=None, args: tuple = (), *, state=None, fork_only: bool = False):
        self.workers = workers
        self._prefix = (state,) if state is not None else ()  # the tasks' first argument, if any
        self.method = start_method(fork_only) if workers > 1 else None  # None: in this process
        self._first = None
        self._threads: list[threading.Thread] = []
        self._ran = self._busy = False  # busy: tasks handed out whose results are not all back
        self._closed = False
        if self.method is None:
            return
        context = multiprocessing.get_context(self.method)
        tasks_r, self._tasks = context.Pipe(duplex=False)
        pairs = [context.Pipe(duplex=False) for _ in range(workers)]
        self._results = [read for read, _ in pairs]
        # Forked workers inherit this process's ends of the pipes; they close them, so that an
        # end of file means what it says (others' processes never had them).
        forked = self.method == "fork"
        not_theirs = [self._tasks.fileno(), *(read.fileno() for read in self._results)] if forked else []
        # Kept until close(): a worker not forked from here opens the lock by name, and it is
        # unlinked when this object goes.
        self._lock = context.Lock()
        self._first = context.Process(target=_first_worker, daemon=True, args=(
            workers, get_ready, args, self._prefix, tasks_r, self._lock, [write for _, write in pairs], not_theirs))
        # Inherited state: keep the collector from touching (and so copying) it in the workers.
        frozen = forked and bool(self._prefix)
        if frozen:
            gc.freeze()
        try:
            self._first.start()
        finally:
            if frozen:
                gc.unfreeze()
        tasks_r.close()
        for _, write in pairs:
            write.close()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, function, tasks, meanwhile=None, lost=None):
        """Yield ``(index, result)`` for every task of ``tasks``, in the order they finish.

        ``meanwhile()`` runs in this process once the tasks are on their way (in-process,
        before the first). A task that raised raises here. If a worker is lost, the others
        are ended and what none of them sent back is done here; but the task the lost worker
        held goes to ``lost(index, error)`` instead when given (its return value stands for
        the result): one that kills a worker could kill this process too. One run per pool:
        the workers end after the last task."""
        if self._ran:
            raise RuntimeError("a pool runs its tasks once")
        self._ran = True
        tasks = list(tasks)
        if self.method is None:
            if meanwhile is not None:
                meanwhile()
            return ((index, function(*self._prefix, *task)) for index, task in enumerate(tasks))
        self._busy = True
        arrived: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._send, args=(function, tasks, arrived), daemon=True),
                         threading.Thread(target=self._receive, args=(len(tasks), arrived), daemon=True)]
        for thread in self._threads:
            thread.start()
        if meanwhile is not None:
            meanwhile()
        return self._collect(function, tasks, arrived, lost)

    def _collect(self, function, tasks: list, arrived, lost):
        done: set[int] = set()
        while len(done) < len(tasks):
            kind, index, value = arrived.get()
            if kind == _LOST:
                held, error = index, value
                break
            if kind == _FAILED:
                raise value
            done.add(index)
            yield index, value
        else:
            self._busy = False
            self._join_threads()
            return
        self.close()  # the other workers too: their unsent work is redone here either way
        for index, task in enumerate(tasks):
            if index in done:
                continue
            if lost is not None and index in held:
                yield index, lost(index, error)
            else:
                yield index, function(*self._prefix, *task)

    def _send(self, function, tasks: list, arrived) -> None:
        try:
            for index, arguments in enumerate(tasks):
                self._tasks.send((function, index, arguments))
            for _ in range(self.workers):
                self._tasks.send(None)  # each worker ends on taking one of these, after every task
        except OSError:  # the workers are gone (killed, or closed by close())
            pass
        except BaseException as exc:  # noqa: BLE001 - a task that cannot be pickled: raised in run()
            arrived.put((_FAILED, None, exc))

    def _receive(self, count: int, arrived) -> None:
        remaining, pending = count, list(self._results)
        held: dict = {}  # a worker's pipe -> the index of the task it took and has not answered
        ended_well: set = set()
        try:
            while remaining:
                if not pending:  # cannot happen while tasks remain, unless a worker lies
                    raise WorkerLost(f"every worker ended with {remaining} of {count} tasks unfinished")
                for pipe in wait(pending):
                    try:
                        kind, index, value = pipe.recv()
                    except (EOFError, OSError):  # the worker ended, or died halfway through a message
                        pending.remove(pipe)
                        if pipe not in ended_well:
                            arrived.put((_LOST, {held[pipe]} if pipe in held else set(), WorkerLost(
                                f"a worker ended with {remaining} of {count} tasks unfinished")))
                            return
                        continue
                    if kind == _TOOK:
                        held[pipe] = index
                    elif kind == _BYE:
                        ended_well.add(pipe)
                    else:
                        held.pop(pipe, None)
                        remaining -= 1
                        arrived.put((kind, index, value))
        except WorkerLost as exc:
            arrived.put((_LOST, set(), exc))
        except BaseException as exc:  # noqa: BLE001 - a result that cannot be read: raised in run()
            arrived.put((_FAILED, None, exc))

    def _join_threads(self) -> None:
        for thread in self._threads:
            thread.join()
        self._threads = []

    def close(self) -> None:
        """End the workers and release the pool: once each has taken its last task after a
        complete run, else at once (nothing they could still do is wanted)."""
        if self._closed:
            return
        self._closed = True
        if self._first is None:
            return
        if self._ran and not self._busy:
            self._first.join(timeout=30)
        if self._first.is_alive():
            try:
                os.killpg(self._first.pid, signal.SIGKILL)  # the first worker and those it forked
            except OSError:  # not a group leader yet, so it has forked no one
                self._first.kill()
            self._first.join()
        # With every worker gone, a sender still writing gets an error and a receiver an end of
        # file: both stop. No thread may outlive the pool (page workers are forked later).
        self._join_threads()
        self._tasks.close()
        for pipe in self._results:
            pipe.close()


def _first_worker(workers, get_ready, args, prefix, tasks, tasks_lock, results, not_theirs) -> None:
    """The first worker: get ready, fork the others, serve, and reap them."""
    for fd in not_theirs:  # the build's ends of the pipes (when forked from it)
        os.close(fd)
    try:
        os.setpgid(0, 0)  # a group of its own: close() ends it whole, Ctrl-C reaches only the build
    except OSError:
        pass
    if get_ready is not None:
        try:
            get_ready(*args)
        except Exception:  # noqa: BLE001 - getting ready is only a head start
            pass
    siblings = []
    for number in range(1, workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _keep_only(results, number)
                _serve(tasks, tasks_lock, results[number], prefix)
                code = 0
            finally:
                os._exit(code)
        siblings.append(pid)
    _keep_only(results, 0)
    try:
        _serve(tasks, tasks_lock, results[0], prefix)
    finally:
        for pid in siblings:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _keep_only(results: list, number: int) -> None:
    """Close the other workers' result pipes: each end of file must stand for one worker."""
    for index, pipe in enumerate(results):
        if index != number:
            pipe.close()


def _serve(tasks, tasks_lock, results, prefix: tuple) -> None:
    while True:
        try:
            with tasks_lock:
                task = tasks.recv()
        except EOFError:  # the build's process is gone
            return
        if task is None:
            break
        function, index, arguments = task
        results.send((_TOOK, index, None))
        try:
            outcome = (_DONE, index, function(*prefix, *arguments))
        except Exception as exc:  # noqa: BLE001 - raised again in the parent
            outcome = (_FAILED, index, exc)
        results.send(outcome)
    results.send((_BYE, 0, None))
    results.close()
