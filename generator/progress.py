"""A one-line progress display for long commands: ``markdown 320/1000``, redrawn in place.

:meth:`Progress.for_stream` decides whether anything is shown: a :class:`Progress` on a
terminal, else :data:`NO_PROGRESS`, whose methods do nothing, so the build makes the same calls
either way. A stage is started by whoever knows its total; the code doing the work only
advances it (per item or per chunk of results), at the cost of an integer add and a clock read.
"""

from __future__ import annotations

import threading
import time

CLEAR = "\r\x1b[K"  # to the start of the line, then erase to its end
INTERVAL = 0.1      # seconds between redraws: at most ten a second


class NoProgress:
    """Shows nothing: when the stream is not a terminal, with ``--quiet``, and by default."""

    def start(self, stage: str, total: int | None = None) -> None:
        """Begin ``stage``, of ``total`` items if that is known."""

    def advance(self, n: int = 1) -> None:
        """``n`` more items of the current stage are done."""

    def finish(self) -> None:
        """Clear the line, so that what is printed next starts on a clean one."""


NO_PROGRESS = NoProgress()


class Progress(NoProgress):
    """``stage done/total`` on one self-overwriting line of ``stream``.

    Redrawn at most every :data:`INTERVAL` seconds, but always when a stage starts and when
    its last item is done. A lock makes it safe to advance from a result-collecting thread."""

    def __init__(self, stream):
        self.stream = stream
        self.stage, self.total, self.done = "", None, 0
        self._shown = False  # something is on the line, to be cleared by finish()
        self._next = 0.0     # time.monotonic() of the next allowed redraw
        self._lock = threading.Lock()

    @staticmethod
    def for_stream(stream, quiet: bool = False) -> NoProgress:
        """A :class:`Progress` on ``stream`` if it is a terminal and not ``quiet``, else :data:`NO_PROGRESS`."""
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            terminal = False
        return Progress(stream) if terminal and not quiet else NO_PROGRESS

    def start(self, stage: str, total: int | None = None) -> None:
        with self._lock:
            self.stage, self.total, self.done = stage, total, 0
            self._draw(time.monotonic())

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            now = time.monotonic()
            if now >= self._next or self.done == self.total:
                self._draw(now)

    def finish(self) -> None:
        with self._lock:
            if self._shown:
                self._write(CLEAR)
                self._shown = False

    def _draw(self, now: float) -> None:
        count = f" {self.done}/{self.total}" if self.total is not None else ""
        self._write(f"{CLEAR}{self.stage}{count}")
        self._shown = True
        self._next = now + INTERVAL

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: no reason to fail a build
            pass
