"""What a bulk run shows while it works: a live display on a terminal, log lines elsewhere.

On a terminal (drawn with rich, which the command line's dependencies already bring):
a bar of files done of the total, files and pages per second, pages done of those
estimated, failures and the time left, and below it the files the workers hold now; a
failed file is printed above it. Elsewhere (a log file, CI) each file gives one plain line.

The time left is estimated by pages, not files: a run takes its largest files first, so
a rate in files would promise too much at the start and too little at the end. A text, HTML or
Word file is one page; a PDF's pages are known only once it is loaded, so the PDF pages
still to do are estimated from the PDF bytes still to do and the bytes per page of the
PDFs read so far. Counting PDF pages upfront would be exact, but it would open every PDF
in this process, which must not crash on a bad file (workers may, and are replaced), and
it would make a large collection wait before its first file.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

RATE_WINDOW_S = 30.0


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


def kind_of(path: str) -> str:
    """The group a file's bytes-per-page is learnt in."""
    return "pdf" if os.path.splitext(path)[1].lower() == ".pdf" else "other"


class PageEstimate:
    """Pages still to do. A text, HTML or Word file is one page (the loaders read it as
    one); a PDF's pages are estimated from its bytes and the bytes per PDF page seen so far.

    >>> estimate = PageEstimate([("pdf", 4000), ("pdf", 2000), ("other", 100), ("other", 300)])
    >>> estimate.pages_left() is None  # no PDF page seen yet: no guess
    True
    >>> estimate.done("pdf", 4000, 4); estimate.pages_left()  # 2000 PDF bytes at 1000 a page, two texts
    4.0
    """

    def __init__(self, files: Iterable[tuple[str, int]]) -> None:
        self.pdf_bytes_left = 0
        self.other_left = 0
        for kind, size in files:
            if kind == "pdf":
                self.pdf_bytes_left += size
            else:
                self.other_left += 1
        self.pdf_bytes_seen = 0
        self.pdf_pages_seen = 0

    def done(self, kind: str, size: int, pages: int | None) -> None:
        if kind != "pdf":
            self.other_left = max(0, self.other_left - 1)
            return
        self.pdf_bytes_left = max(0, self.pdf_bytes_left - size)
        if pages:  # a failed PDF tells nothing of its pages
            self.pdf_bytes_seen += size
            self.pdf_pages_seen += pages

    def pages_left(self) -> float | None:
        """None while PDFs are left and none has been read."""
        if not self.pdf_bytes_left:
            return float(self.other_left)
        if not self.pdf_pages_seen:
            return None
        return self.other_left + self.pdf_bytes_left / max(self.pdf_bytes_seen / self.pdf_pages_seen, 1.0)


class Progress:
    """Counts files as they finish and shows it; ``total`` is the number of files to
    process, ``files`` their (path, bytes) for the estimate of pages."""

    def __init__(self, total: int, *, stream: TextIO | None = None, tty: bool | None = None, quiet: bool = False,
                 files: Sequence[tuple[str, int]] = ()) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.quiet = quiet
        self.total = total
        self.done = 0
        self.failed = 0
        self.pages = 0
        self.busy: list[str] = []
        self.estimate = PageEstimate((kind_of(path), size) for path, size in files)
        # (time, files done, pages done) at recent completions: the rates are measured over
        # the last RATE_WINDOW_S, from a completion, so that the workers' start-up and their
        # first files' imports do not weigh on the estimate for the whole run.
        self._marks: deque[tuple[float, int, int]] = deque()
        self._live: Live | None = None
        if self.tty and total:
            console = Console(file=self.stream, force_terminal=True)
            own = self.stream is sys.stderr  # then lines others print go above the display, not through it
            self._live = Live(console=console, get_renderable=self.renderable, refresh_per_second=8, transient=False,
                              redirect_stdout=own, redirect_stderr=own)
            self._live.start()

    def message(self, text: str) -> None:
        """A line of its own (above the display on a terminal)."""
        if self._live is not None:
            self._live.console.print(Text(text), soft_wrap=True)
        else:
            print(text, file=self.stream, flush=True)

    def working_on(self, names: Sequence[str]) -> None:
        """The files the workers hold now."""
        self.busy = list(names)

    def advance(self, path: str, *, ok: bool, detail: str, pages: int | None = None, size: int = 0,
                kind: str | None = None) -> None:
        self.done += 1
        self.failed += not ok
        self.pages += pages or 0
        self.estimate.done(kind or kind_of(path), size, pages)
        now = time.monotonic()
        self._marks.append((now, self.done, self.pages))
        while len(self._marks) > 2 and now - self._marks[1][0] > RATE_WINDOW_S:
            self._marks.popleft()
        counter = "" if self.tty else f"[{self.done}/{self.total}] "
        if not ok:
            self.message(f"{counter}failed: {path}: {detail}")
        elif not self.tty and not self.quiet:
            print(f"{counter}ok: {path} ({detail})", file=self.stream, flush=True)
        if self._live is not None:
            self._live.refresh()

    def figures(self) -> tuple[str, str]:
        """What the display shows beside the bar (counts) and under it (rates, time left)."""
        files_rate, pages_rate = self._rates()
        left_pages = 0.0 if self.done >= self.total else self.estimate.pages_left()
        if left_pages is not None and self.busy:
            left_pages = max(left_pages, 1.0)  # a file is still in a worker's hands
        left = left_pages / pages_rate if left_pages is not None and pages_rate else None
        pages = f"{self.pages} pages" + (f" of ~{self.pages + round(left_pages)}" if left_pages else "")
        counts = f"{self.done}/{self.total} files | {pages} | {self.failed} failed"
        rates = " | ".join([f"{files_rate:.1f} files/s" if files_rate else "-- files/s",
                            f"{pages_rate:.1f} pages/s" if pages_rate else "-- pages/s",
                            f"{_duration(left)} left" if left is not None else "-- left"])
        return counts, rates

    def _rates(self) -> tuple[float | None, float | None]:
        """Files and pages per second since the oldest completion of the window; none before
        two files are done (the first one's time is mostly the workers' start-up)."""
        if len(self._marks) < 2:
            return None, None
        since, files, pages = self._marks[0]
        elapsed = time.monotonic() - since
        if elapsed <= 0:
            return None, None
        return (self.done - files) / elapsed or None, (self.pages - pages) / elapsed or None

    def line(self) -> str:
        """The figures in one line."""
        return " | ".join(self.figures())

    def renderable(self) -> RenderableType:
        """The bar, its figures, and the files in progress (rich draws it a few times a second)."""
        counts, rates = self.figures()
        row = Table.grid(padding=(0, 1))
        row.add_column(width=24)
        row.add_column(no_wrap=True, overflow="ellipsis")
        row.add_row(ProgressBar(total=max(self.total, 1), completed=self.done, width=24), Text(counts))
        busy = self.busy
        doing = ", ".join(busy) if busy else ("-- (workers starting)" if not self.done else "--")
        working = Text("working on: " + doing, no_wrap=True, overflow="ellipsis")
        return Group(row, Text(rates, no_wrap=True, overflow="ellipsis"), working)

    def close(self) -> None:
        """Stop the display, leaving its last state, so that what follows starts on a line of its own."""
        if self._live is not None:
            self.busy = []
            self._live.stop()
            self._live = None
