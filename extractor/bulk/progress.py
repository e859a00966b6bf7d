"""What a bulk run shows while it works: a one-line bar on a terminal, log lines elsewhere.

On a terminal, stderr carries one line redrawn in place (at most ten times a second):
files done of the total, files per second, failures and the time left; a failed file is
printed above it. Elsewhere (a log file, CI) each file gives one plain line.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    """
    >>> _duration(5), _duration(75), _duration(3725)
    ('5s', '1m15s', '1h02m')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Counts files as they finish and shows it; ``total`` is the number of files to process."""

    def __init__(self, total: int, *, stream: TextIO | None = None, tty: bool | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.quiet = quiet
        self.total = total
        self.done = 0
        self.failed = 0
        self._drawn = 0.0
        self._width = 0
        self._first: float | None = None

    def message(self, text: str) -> None:
        """A line of its own (above the bar on a terminal)."""
        self._clear()
        print(text, file=self.stream, flush=True)
        self._draw(force=True)

    def advance(self, path: str, *, ok: bool, detail: str) -> None:
        if self._first is None:
            self._first = time.monotonic()
        self.done += 1
        self.failed += not ok
        counter = "" if self.tty else f"[{self.done}/{self.total}] "
        if not ok:
            self.message(f"{counter}failed: {path}: {detail}")
        elif not self.tty and not self.quiet:
            print(f"{counter}ok: {path} ({detail})", file=self.stream, flush=True)
        self._draw()

    def line(self) -> str:
        # The rate counts from the first file done: the workers' start-up is not a file's time.
        rate = None
        if self.done >= 2 and self._first is not None:
            rate = (self.done - 1) / max(time.monotonic() - self._first, 1e-9)
        left = (self.total - self.done) / rate if rate else None
        parts = [f"{self.done}/{self.total} files", f"{rate:.1f} files/s" if rate else "-- files/s", f"{self.failed} failed",
                 f"{_duration(left)} left" if left is not None else "-- left"]
        return " | ".join(parts)

    def _draw(self, *, force: bool = False) -> None:
        if not self.tty or self.total == 0:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.1 and self.done < self.total:
            return
        self._drawn = now
        text = self.line()
        columns = shutil.get_terminal_size((80, 20)).columns
        room = columns - len(text) - 4
        if room >= 10:
            filled = room * self.done // max(self.total, 1)
            text = f"[{'#' * filled}{'.' * (room - filled)}] {text}"
        text = text[: columns - 1]
        self.stream.write("\r" + text + " " * max(0, self._width - len(text)))
        self.stream.flush()
        self._width = len(text)

    def _clear(self) -> None:
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def close(self) -> None:
        """End the bar's line, so what follows starts on a line of its own."""
        if self.tty and self._width:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
