"""A process pool whose workers are forked from one that got ready first.

Getting a Markdown worker ready (importing Python-Markdown and Pygments, compiling the lexers of
a site's languages) costs about 0.2 s of CPU. A standard pool pays that once per worker, and on
a 2-core machine the second payment competes with the build's own process, which is loading the
notes meanwhile. Here the first worker gets ready, then forks the others: they start with its
modules and compiled lexers in memory, shared copy-on-write.

Tasks go out through one pipe and results come back through another, in any order, tagged with
their task's index. Two threads of this process write the tasks and read the results, so that
neither side ever waits on a full pipe while the other does (a chunk of rendered notes is far
bigger than a pipe holds) and this process is free meanwhile. Each worker also holds a pipe of
its own, whose end of file says it has ended; it says "bye" first when it ends normally, so a
worker that was killed is noticed instead of waited for. The workers hold no write end of the
task pipe: if this process dies, they read an end of file and stop. Needs ``fork``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import Connection, wait

_BYE = -1  # the index of a worker's last message


class WorkerLost(RuntimeError):
    """A worker ended without sending back a result (it was killed, or ran out of memory)."""


class WarmPool:
    """``workers`` processes forked from a first one that ran ``get_ready(*args)``.

    :meth:`run` hands out tasks and yields their results as they come; :meth:`close` ends the
    workers. If ``get_ready`` fails the workers start cold, but they start."""

    def __init__(self, workers: int, get_ready, args: tuple = ()):
        self.workers = workers
        context = multiprocessing.get_context("fork")
        tasks_r, self._tasks = context.Pipe(duplex=False)
        self._results, results_w = context.Pipe(duplex=False)
        lives = [os.pipe() for _ in range(workers)]
        not_theirs = [self._tasks.fileno(), self._results.fileno(), *(read for read, _ in lives)]
        self._first = context.Process(target=_first_worker, daemon=True, args=(
            workers, get_ready, args, tasks_r, context.Lock(), results_w, context.Lock(),
            [write for _, write in lives], not_theirs))
        self._first.start()
        for mine_no_more in (tasks_r, results_w):
            mine_no_more.close()
        for _, write in lives:
            os.close(write)
        self._lives = [Connection(read, writable=False) for read, _ in lives]
        self._threads: list[threading.Thread] = []
        self._ran = self._busy = False  # busy: tasks handed out whose results are not all back
        self._closed = False

    def run(self, function, tasks: list, meanwhile=None):
        """Yield ``(index, function(*tasks[index]))`` for every task, in the order they finish.

        ``meanwhile()`` runs in this process once the tasks are on their way. A task that
        raised raises here; a lost worker raises :class:`WorkerLost`. One run per pool: the
        workers end after the last task."""
        self._ran = self._busy = True
        arrived: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._send, args=(function, tasks), daemon=True),
                         threading.Thread(target=self._receive, args=(len(tasks), arrived), daemon=True)]
        for thread in self._threads:
            thread.start()
        if meanwhile is not None:
            meanwhile()
        for _ in range(len(tasks)):
            index, ok, value = arrived.get()
            if not ok:
                raise value
            yield index, value
        self._busy = False
        self._join_threads()

    def _send(self, function, tasks: list) -> None:
        try:
            for index, arguments in enumerate(tasks):
                self._tasks.send((function, index, arguments))
            for _ in range(self.workers):
                self._tasks.send(None)  # each worker ends on taking one of these, after every task
        except OSError:  # the workers are gone (killed, or closed by close())
            pass

    def _receive(self, count: int, arrived) -> None:
        remaining, lives, ended, byes = count, list(self._lives), 0, 0
        try:
            while remaining:
                ready = wait([self._results, *lives])
                if self._results in ready:
                    index, ok, value = self._results.recv()
                    if index == _BYE:
                        byes += 1
                    else:
                        remaining -= 1
                        arrived.put((index, ok, value))
                    continue
                for life in ready:
                    lives.remove(life)
                    ended += 1
                # A worker says bye before its pipe closes, so an unread bye is already in the pipe.
                if ended > byes and not self._results.poll():
                    raise WorkerLost(f"a worker ended with {remaining} of {count} tasks unfinished")
        except (EOFError, OSError) as exc:  # every worker is gone
            arrived.put((None, False, WorkerLost(f"{remaining} of {count} tasks unfinished ({exc!r})")))
        except BaseException as exc:  # noqa: BLE001 - a lost worker, or a result that cannot be read
            arrived.put((None, False, exc))

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
        self._results.close()
        for life in self._lives:
            life.close()


def _first_worker(workers, get_ready, args, tasks, tasks_lock, results, results_lock, lives, not_theirs) -> None:
    """The first worker: get ready, fork the others, serve, and reap them."""
    for fd in not_theirs:  # the build's ends of the pipes: an end of file must mean what it says
        os.close(fd)
    try:
        os.setpgid(0, 0)  # a group of its own: close() ends it whole, Ctrl-C reaches only the build
    except OSError:
        pass
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
                _keep_only(lives, number)
                _serve(tasks, tasks_lock, results, results_lock, lives[number])
                code = 0
            finally:
                os._exit(code)
        siblings.append(pid)
    _keep_only(lives, 0)
    try:
        _serve(tasks, tasks_lock, results, results_lock, lives[0])
    finally:
        for pid in siblings:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _keep_only(lives: list[int], number: int) -> None:
    """Close the other workers' life pipes: each end of file must stand for one worker."""
    for index, fd in enumerate(lives):
        if index != number:
            try:
                os.close(fd)
            except OSError:
                pass


def _serve(tasks, tasks_lock, results, results_lock, life: int) -> None:
    while True:
        try:
            with tasks_lock:
                task = tasks.recv()
        except EOFError:  # the build's process is gone
            return
        if task is None:
            break
        function, index, arguments = task
        try:
            outcome = (index, True, function(*arguments))
        except Exception as exc:  # noqa: BLE001 - raised again in the parent
            outcome = (index, False, exc)
        with results_lock:
            results.send(outcome)
    with results_lock:
        results.send((_BYE, True, None))
    os.close(life)
