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
- Ctrl-C (or an error) cancels every future still in flight before the client closes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..rulebook import PATTERNS_DIR
from .pool import TEST_HOOKS, Finished, PoolError, _peak_kb, _test_hooks
from .process import failed, process

LOCAL = "local"
# Retries of a task whose worker died, before it is a KilledWorker (Dask's default is 3).
ALLOWED_FAILURES = 1
WINDOW_PER_WORKER = 2
POLL_S = 0.5


def _on_worker(work: Callable[..., Any], path: str, patterns: str, hooks: dict[str, str]) -> tuple[Any, int | None, float]:
    """What a Dask worker runs: ``work`` on a path it reads itself; its peak memory and CPU time."""
    _test_hooks(path, hooks)
    cpu = time.process_time()
    result = work(path, patterns=Path(patterns))
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
        self._futures: dict[Any, tuple[Any, str]] = {}  # future -> task
        self._started: dict[str, float] = {}  # future key -> when a worker took it

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
            finished = [self._collect(future) for future in done]
            finished += self._time_out()
            self._fill(pending)  # the workers get their next files before this process saves
            if self.on_busy is not None:
                self.on_busy(self.busy())
            yield from finished

    def _fill(self, pending: Iterator[tuple[Any, str]]) -> None:
        while len(self._futures) < WINDOW_PER_WORKER * self.size:
            task = next(pending, None)
            if task is None:
                return
            future = self._client.submit(_on_worker, self.work, task[1], str(self.patterns), self.hooks,
                                         key=f"vnreform-{os.urandom(8).hex()}", pure=False, retries=0)
            self._futures[future] = task

    def _collect(self, future: Any) -> Finished:
        from distributed import KilledWorker

        key, path = self._futures.pop(future)
        self._started.pop(future.key, None)
        if future.status == "finished":
            result, peak, cpu = future.result()
            return Finished(key, result, peak, cpu)
        error = future.exception()
        if isinstance(error, KilledWorker):
            reason = f"worker crashed (a Dask worker died running it {ALLOWED_FAILURES + 1} times)"
        else:
            reason = f"worker error: {type(error).__name__}: {' '.join(str(error).split()) or 'no message'}"
        return Finished(key, failed(path, reason, patterns=self.patterns))

    def busy(self) -> list[str]:
        """The paths the workers hold now (as far as the scheduler said at the last poll)."""
        return [path for future, (_, path) in self._futures.items() if future.key in self._started]

    def _time_out(self) -> list[Finished]:
        """Note the tasks workers took since the last poll; cancel those over the limit."""
        now = time.monotonic()
        processing = self._client.processing()  # worker address -> keys it runs
        held_by = {key: worker for worker, keys in processing.items() for key in keys}
        for key in held_by:
            self._started.setdefault(key, now)
        late = [f for f in self._futures if f.key in self._started and now - self._started[f.key] >= self.timeout]
        finished = []
        for future in late:
            key, path = self._futures.pop(future)
            self._started.pop(future.key, None)
            self._client.cancel(future, force=True)
            worker = held_by.get(future.key)
            if worker is not None:
                try:  # the thread running it cannot be stopped: its worker process is replaced
                    self._client.restart_workers([worker], raise_for_error=False)
                except Exception:  # a worker without a nanny keeps running; the file is recorded all the same
                    pass
            finished.append(Finished(key, failed(path, f"timed out after {self.timeout:g} s", seconds=self.timeout,
                                                 patterns=self.patterns)))
        return finished
