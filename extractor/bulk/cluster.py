"""Bulk on a Dask distributed cluster: the same tasks and results as :class:`~.pool.WorkerPool`.

:class:`ClusterPool` has the pool's interface (a context manager whose ``run(tasks)``
yields a :class:`~.pool.Finished` per (key, path) task as it completes), so that
:mod:`.run` saves, tallies and exports exactly as with the local pool, and this process
stays the only writer of the dataset.

- Where the bytes come from: workers read the *path* (a shared file system: NFS, a
  mounted bucket, the same checkout on one machine), as the local pool's workers do; only
  the path travels to the worker and only the (compressed) result comes back.
- Bounded in flight: at most ``2 × workers`` futures are submitted at any time, so a
  million-file run keeps bounded memory on the client and on the scheduler.
- A worker that dies has its task run again elsewhere (Dask's own retry); a file that
  kills :data:`ALLOWED_FAILURES` + 1 workers ends as ``KilledWorker``, recorded as a failed
  row "worker crashed (...)". On an existing cluster that count is the scheduler's
  ``distributed.scheduler.allowed-failures`` setting (set it when starting the scheduler).
- ``timeout`` holds per document from the moment the scheduler hands it to a worker
  (seen by polling, to within :data:`POLL_S`): a late task is cancelled, its worker
  restarted (a Python thread cannot be stopped otherwise) and the file recorded as
  "timed out after N s".
- Scans spread across workers: a document's task first asks :func:`~extractor.loaders.pdf.pages_to_ocr`
  which pages the loader would OCR; from :data:`MIN_PAGES_TO_SPLIT` up it returns that
  plan instead of a result, and the client submits one task per page
  (:func:`~extractor.loaders.ocr.ocr_page`, one Tesseract in the worker's one thread), then
  one task that processes the document with those pages' OCR given
  (:func:`~extractor.loaders.pdf.given_ocr`): the loader's own code on the same page
  readings, so the result is that of one task. Page tasks count against the window and
  run before new documents start. A page task that fails is left to the document's task,
  which reads that page itself; a page over the time limit fails its document.
- Ctrl-C (or an error) cancels every future still in flight before the client closes.
"""

from __future__ import annotations

import inspect
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..loaders import ocr
from ..loaders.pdf import pages_to_ocr
from ..rulebook import PATTERNS_DIR
from .pool import TEST_HOOKS, Finished, PoolError, _peak_kb, _test_hooks
from .process import failed, process

LOCAL = "local"
# Retries of a task whose worker died, before it is a KilledWorker (Dask's default is 3).
ALLOWED_FAILURES = 1
WINDOW_PER_WORKER = 2
POLL_S = 0.5
# A scan with this many pages to OCR or more is read as page tasks.
MIN_PAGES_TO_SPLIT = 2
_PDF_MAGIC_WITHIN = 1024  # bytes: where a PDF's "%PDF" must be for the plan to open it


@dataclass(frozen=True)
class Planned:
    """A document's task did not process it: these pages are to be OCR'd as tasks first."""

    pages: list[int]


@dataclass
class _Split:
    """A scan read as page tasks: the pages not submitted yet, and each submitted page's future."""

    task: tuple[Any, str]
    waiting: int  # pages not submitted yet
    pages: dict[int, Any] = field(default_factory=dict)
    running: int = 0
    dropped: bool = False  # timed out: its waiting pages are not submitted


Role = tuple[tuple[Any, str], _Split | None, int | None]  # task, its split, a page task's page number


def _plan(path: str) -> list[int]:
    """The pages of ``path`` to OCR as tasks: [] for anything but a PDF with at least
    :data:`MIN_PAGES_TO_SPLIT` of them, or a file the document's own processing will
    report on."""
    from ..loaders import read_file

    try:
        with open(path, "rb") as file:
            if b"%PDF" not in file.read(_PDF_MAGIC_WITHIN):
                return []
        pages = pages_to_ocr(read_file(path))
    except Exception:  # its processing says what is wrong with it
        return []
    return pages if len(pages) >= MIN_PAGES_TO_SPLIT else []


def _ocr_page_on_worker(path: str, number: int) -> ocr.OcrPage | ocr.OcrError:
    """A page task: page ``number`` of the PDF at ``path``, read by one Tesseract in this thread."""
    import pypdfium2 as pdfium

    from ..loaders import read_file

    try:
        document = pdfium.PdfDocument(read_file(path))
    except Exception as error:  # the document's task reads the page itself and reports
        return ocr.OcrError(f"the page could not be rendered ({' '.join(str(error).split())})")
    try:
        return ocr.ocr_page(document, number)
    finally:
        document.close()


def _on_worker(work: Callable[..., Any], path: str, patterns: str, hooks: dict[str, str], *, plan: bool = True,
               ocr_results: dict[int, Any] | None = None) -> tuple[Any, int | None, float]:
    """What a Dask worker runs: ``work`` on a path it reads itself; its peak memory and CPU
    time. With ``plan``, a scan to read as page tasks gives its :class:`Planned` instead;
    ``ocr_results`` are those tasks' pages."""
    _test_hooks(path, hooks)
    cpu = time.process_time()
    pages = _plan(path) if plan else []
    if pages:
        return Planned(pages), _peak_kb(), time.process_time() - cpu
    with ocr.one_tesseract():  # the worker's processes fill the cores, not one task's Tesseracts
        result = work(path, patterns=Path(patterns)) if ocr_results is None else \
            work(path, patterns=Path(patterns), ocr_results=ocr_results)
    return result, _peak_kb(), time.process_time() - cpu


class ClusterPool:
    """``work(path, patterns=...)`` mapped over a Dask cluster: ``scheduler`` is an address
    (``tcp://host:8786``) or ``"local"`` for a :class:`distributed.LocalCluster` of
    ``workers`` processes with one thread each."""

    def __init__(self, scheduler: str, workers: int, *, timeout: float, patterns: Path = PATTERNS_DIR,
                 work: Callable[..., Any] = process, on_busy: Callable[[list[str]], None] | None = None,
                 hooks: dict[str, str] | None = None) -> None:
        self.scheduler = scheduler
        self.size = max(1, workers)
        self.timeout = timeout
        self.patterns = patterns
        self.work = work
        self.on_busy = on_busy
        self.hooks = dict(hooks) if hooks is not None else {k: os.environ[k] for k in TEST_HOOKS if os.environ.get(k)}
        self._cluster: Any = None
        self._client: Any = None
        self._futures: dict[Any, Role] = {}  # future in flight -> what it does
        self._started: dict[str, float] = {}  # future key -> when a worker took it
        self._pages: deque[tuple[_Split, int]] = deque()  # page tasks waiting for room in the window
        # Only a work function that takes pages OCR'd elsewhere can have scans read as page tasks.
        self.split_scans = "ocr_results" in inspect.signature(work).parameters
        self.page_tasks = 0  # page tasks submitted

    def __enter__(self) -> ClusterPool:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise PoolError("--scheduler needs Dask distributed; install it with pip install 'vn-reform-extractor[cluster]'"
                            " (or pip install 'dask[distributed]')") from None
        settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                    "distributed.scheduler.worker-saturation": 1.0}  # no task waits on a busy worker
        try:
            with dask.config.set(settings):
                if self.scheduler == LOCAL:
                    self._cluster = LocalCluster(n_workers=self.size, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
                    self._client = Client(self._cluster)
                else:
                    self._client = Client(self.scheduler, timeout=30)
                    threads = sum(self._client.nthreads().values())
                    self.size = max(self.size, threads)
        except OSError as error:
            self.__exit__(None, None, None)
            raise PoolError(f"cannot reach the Dask scheduler {self.scheduler}: {error}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            if self._futures:
                try:
                    self._client.cancel(list(self._futures), force=True)
                except Exception:  # a scheduler already gone has nothing left to cancel
                    pass
            self._futures.clear()
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, tasks: Iterable[tuple[Any, str]]) -> Iterator[Finished]:
        """Yield a :class:`Finished` for every (key, path) task, in the order they finish."""
        from distributed import wait

        pending = iter(tasks)
        self._fill(pending)
        while self._futures:
            try:
                done = wait(list(self._futures), timeout=POLL_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:  # nothing finished within the poll: time limits are checked
                done = set()
            finished = [end for end in map(self._collect, done) if end is not None]
            finished += self._time_out()
            self._fill(pending)  # the workers get their next files before this process saves
            if self.on_busy is not None:
                self.on_busy(self.busy())
            yield from finished

    def _fill(self, pending: Iterator[tuple[Any, str]]) -> None:
        """Submit page tasks waiting, then new documents, while the window has room."""
        while len(self._futures) < WINDOW_PER_WORKER * self.size:
            if self._pages:
                split, number = self._pages.popleft()
                split.waiting -= 1
                if not split.dropped:
                    self._submit_page(split, number)
                continue
            task = next(pending, None)
            if task is None:
                return
            self._submit(task, plan=self.split_scans)

    def _submit(self, task: tuple[Any, str], *, plan: bool, ocr_results: dict[int, Any] | None = None) -> None:
        future = self._client.submit(_on_worker, self.work, task[1], str(self.patterns), self.hooks, plan=plan,
                                     ocr_results=ocr_results, key=f"vnreform-{os.urandom(8).hex()}", pure=False,
                                     retries=0)
        self._futures[future] = (task, None, None)

    def _submit_page(self, split: _Split, number: int) -> None:
        future = self._client.submit(_ocr_page_on_worker, split.task[1], number,
                                     key=f"vnreform-page-{os.urandom(8).hex()}", pure=False, retries=0)
        self._futures[future] = (split.task, split, number)
        split.pages[number] = future
        split.running += 1
        self.page_tasks += 1

    def _collect(self, future: Any) -> Finished | None:
        """The document a finished future ends, if it ends one."""
        from distributed import KilledWorker

        task, split, number = self._futures.pop(future)
        self._started.pop(future.key, None)
        if split is not None and number is not None:
            self._page_done(split, number, future)
            return None
        key, path = task
        if future.status == "finished":
            result, peak, cpu = future.result()
            if isinstance(result, Planned):
                split = _Split(task, len(result.pages))
                self._pages.extend((split, page) for page in result.pages)
                return None
            return Finished(key, result, peak, cpu)
        error = future.exception()
        if isinstance(error, KilledWorker):
            reason = f"worker crashed (a Dask worker died running it {ALLOWED_FAILURES + 1} times)"
        else:
            reason = f"worker error: {type(error).__name__}: {' '.join(str(error).split()) or 'no message'}"
        return Finished(key, failed(path, reason, patterns=self.patterns))

    def _page_done(self, split: _Split, number: int, future: Any) -> None:
        """Once a scan's last page is read, submit the task that processes it with them."""
        split.running -= 1
        if future.status != "finished":  # a page that failed its task: the document's task reads it itself
            split.pages.pop(number, None)
        if split.dropped or split.running or split.waiting:
            return
        # The futures travel as arguments: Dask hands the task their results, from worker to worker.
        self._submit(split.task, plan=False, ocr_results=dict(split.pages))

    def busy(self) -> list[str]:
        """The paths the workers hold now (as far as the scheduler said at the last poll)."""
        held = [task[1] for future, (task, _, _) in self._futures.items() if future.key in self._started]
        return list(dict.fromkeys(held))  # a scan's page tasks name it once

    def _time_out(self) -> list[Finished]:
        """Note the tasks workers took since the last poll; cancel those over the limit,
        and with a page task its whole document."""
        now = time.monotonic()
        processing = self._client.processing()  # worker address -> keys it runs
        held_by = {key: worker for worker, keys in processing.items() for key in keys}
        for key in held_by:
            self._started.setdefault(key, now)
        late = [f for f in self._futures if f.key in self._started and now - self._started[f.key] >= self.timeout]
        finished = []
        for future in late:
            if future not in self._futures:  # a sibling page of a document already failed
                continue
            task, split, _ = self._futures[future]
            if split is not None:
                split.dropped = True
            for sibling in [f for f, role in self._futures.items() if role[0] is task]:
                self._futures.pop(sibling)
                self._started.pop(sibling.key, None)
                self._client.cancel(sibling, force=True)
                self._restart(held_by.get(sibling.key))
            key, path = task
            finished.append(Finished(key, failed(path, f"timed out after {self.timeout:g} s", seconds=self.timeout,
                                                 patterns=self.patterns)))
        return finished

    def _restart(self, worker: str | None) -> None:
        """Replace a worker running a cancelled task: the thread running it cannot be stopped."""
        if worker is None:
            return
        try:
            self._client.restart_workers([worker], raise_for_error=False)
        except Exception:  # a worker without a nanny keeps running; the file is recorded all the same
            pass
