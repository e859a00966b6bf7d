"""Worker processes under a supervisor: a time limit per file, and a crash is one failed file.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: when one worker dies (a
segfault in a PDF library, the kernel's OOM killer, ``os._exit``) the whole executor is
broken and every pending future fails with it, and it cannot stop a task that hangs.
Here each worker is a process with its own pipe; the supervisor sends it one file at a
time and waits on all pipes and process sentinels at once
(:func:`multiprocessing.connection.wait`), so that

- a worker still busy when its file's time is up is killed (with the programs it runs,
  such as tesseract: each worker leads a process group), the file is recorded as
  "timed out after N s", and a fresh worker takes its place;
- a worker that dies is noticed at once (its sentinel), the file it held is recorded as
  "worker crashed (...)" with the exit code or signal, and a fresh worker takes its place;
- a worker is also replaced after :data:`MAX_TASKS_PER_WORKER` files, which bounds what
  caches or leaks in libraries can grow to.

Workers are forked from a fork server (spawn where there is none) that has imported and
warmed up the pipeline once (:mod:`extractor.bulk.warm`): a replacement starts in
milliseconds, workers share the loaded models' memory, and they inherit none of the
parent's state (the SQLite connection, threads). A worker warms up (rules, segmenter, tagger)
before it is given its first file, so the time limit measures the file alone. Workers
ignore Ctrl-C (the parent handles it) and die with the fork server when the parent dies
(``kill -9`` included), once their current file is done or at once on Linux.

Test hooks, read from the parent's environment when a pool starts, so that tests can
exercise the failures above for real (they do nothing unless set):

- ``VN_REFORM_TEST_SLEEP_ON=<file name>``: the worker sleeps for an hour before reading a
  file of that name (a hang);
- ``VN_REFORM_TEST_CRASH_ON=<file name>``: the worker kills itself with SIGKILL on it;
- ``VN_REFORM_TEST_DELAY=<seconds>``: the worker waits that long before every file (so a
  test can kill a run part way through).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .. import segment
from ..errors import ExtractorError
from ..rulebook import PATTERNS_DIR
from .process import failed, process

MAX_TASKS_PER_WORKER = 500
# A worker must be ready (imports and models loaded) within this, or the file's time limit if longer.
STARTUP_TIMEOUT_S = 120.0
STARTUP_FAILURES_ALLOWED = 5
TEST_HOOKS = ("VN_REFORM_TEST_SLEEP_ON", "VN_REFORM_TEST_CRASH_ON", "VN_REFORM_TEST_DELAY")
_WARM_UP_TEXT = "Chỉ số CCHC năm 2019 của tỉnh Điện Biên đạt 81,42 điểm, xếp thứ 5/63, tăng 3 bậc; giải quyết 120 hồ sơ."


@dataclass(frozen=True)
class Finished:
    """A file's result, the peak resident memory of the worker that made it (KB), its CPU time.

    ``result`` is what the pool's ``work`` function returned (by default a
    :class:`DocumentResult`), or a failed :class:`DocumentResult` when the file timed out
    or its worker crashed.
    """

    key: Any
    result: Any
    worker_peak_kb: int | None = None
    cpu_seconds: float | None = None  # the worker's CPU time on this file (its own, not its programs')


class PoolError(ExtractorError):
    """Workers cannot even start: nothing to do with any one file."""


# --- in the worker --------------------------------------------------------------------


def _peak_kb() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    except (ImportError, OSError):
        return None


def _die_with_parent() -> None:
    """Linux: be killed when the process that started us dies (no orphan stuck on a file)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _test_hooks(path: str, hooks: dict[str, str]) -> None:
    name = os.path.basename(path)
    if hooks.get("VN_REFORM_TEST_DELAY"):
        time.sleep(float(hooks["VN_REFORM_TEST_DELAY"]))
    if hooks.get("VN_REFORM_TEST_SLEEP_ON") == name:
        time.sleep(3600)
    if hooks.get("VN_REFORM_TEST_CRASH_ON") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def warm_up(patterns: Path = PATTERNS_DIR) -> None:
    """Load the rules, the segmenter, the tagger and the gazetteers (never raises)."""
    process(_WARM_UP_TEXT.encode("utf-8"), name="warm-up.txt", patterns=patterns)
    try:  # models the sample may not need: the word segmenter and the part-of-speech tagger
        segment.tokenize(_WARM_UP_TEXT)
        segment.tag(_WARM_UP_TEXT)
    except Exception:
        pass


def _worker_main(conn: Connection, patterns: str, hooks: dict[str, str], work: Callable[..., Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        os.setpgid(0, 0)  # a group of its own: a time limit kills its programs too (tesseract)
    except (AttributeError, OSError):
        pass
    warm_up(Path(patterns))
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        key, path = message
        _test_hooks(path, hooks)
        cpu = time.process_time()
        result = work(path, patterns=Path(patterns))
        try:
            conn.send(("done", key, result, _peak_kb(), time.process_time() - cpu))
        except (BrokenPipeError, OSError):
            return


# --- in the parent --------------------------------------------------------------------


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extractor.bulk.warm"])
        return context
    return multiprocessing.get_context("spawn")


def prestart() -> None:
    """Start the fork server now, so that it warms up while the caller does other work
    (hashing files, opening the database); the first worker then starts at once."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        _context()
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _describe_exit(code: int | None) -> str:
    """
    >>> _describe_exit(-9), _describe_exit(3)
    ('worker crashed (killed by signal SIGKILL; out of memory?)', 'worker crashed (exit code 3)')
    """
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        hint = "; out of memory?" if -code == signal.SIGKILL else ""
        return f"worker crashed (killed by signal {name}{hint})"
    return f"worker crashed (exit code {code})"


def _seconds(value: float) -> str:
    return f"{value:g}"


class _Worker:
    def __init__(self, context: Any, patterns: Path, hooks: dict[str, str],  # a multiprocessing context
                 work: Callable[..., Any]) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker_main, args=(child, str(patterns), hooks, work), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.task: tuple[Any, str] | None = None
        self.started = time.monotonic()
        self.done = 0

    def give(self, task: tuple[Any, str]) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self) -> None:
        """SIGKILL the worker, and the programs it runs when it leads a process group of its own."""
        pid = self.process.pid
        try:
            if pid is not None and hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
                return
        except OSError:
            pass
        self.process.kill()

    def stop(self, *, kill: bool) -> None:
        if self.process.is_alive():
            if kill:
                self.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
            self.process.join()
        self.conn.close()


class WorkerPool:
    """``workers`` processes running ``work`` (default :func:`~extractor.bulk.process.process`)
    on paths; ``work(path, patterns=...)`` must be a module-level function (it is pickled).

    >>> with WorkerPool(1, timeout=60) as pool:
    ...     [f.result.error for f in pool.run([("k", "/no/such/file.txt")])]
    ['no such file']
    """

    def __init__(self, workers: int, *, timeout: float, patterns: Path = PATTERNS_DIR, work: Callable[..., Any] = process,
                 max_tasks: int = MAX_TASKS_PER_WORKER, hooks: dict[str, str] | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.size = workers
        self.timeout = timeout
        self.patterns = patterns
        self.max_tasks = max_tasks
        self.work = work
        self.hooks = dict(hooks) if hooks is not None else {k: os.environ[k] for k in TEST_HOOKS if os.environ.get(k)}
        self._context = _context()
        self._workers: list[_Worker] = []
        self._startup_failures = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def close(self, *, kill: bool = False) -> None:
        """Stop every worker: politely after a complete run, at once after an error or Ctrl-C."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop(kill=kill or worker.task is not None)

    def _start(self) -> None:
        self._workers.append(_Worker(self._context, self.patterns, self.hooks, self.work))

    def _replace(self, worker: _Worker, *, kill: bool) -> None:
        self._workers.remove(worker)
        worker.stop(kill=kill)
        self._start()

    def _lost_at_startup(self, worker: _Worker, why: str) -> None:
        self._startup_failures += 1
        if self._startup_failures > STARTUP_FAILURES_ALLOWED:
            raise PoolError(f"worker processes cannot start: {why}")
        self._replace(worker, kill=True)

    def run(self, tasks: Iterable[tuple[Any, str]]) -> Iterator[Finished]:
        """Yield a :class:`Finished` for every (key, path) task, in the order they finish.

        Idle workers get their next file before a result is handed to the caller, so that
        they do not wait while the caller writes it to the database.
        """
        pending = deque(tasks)
        while len(self._workers) < min(self.size, max(len(pending), 1)):
            self._start()
        in_flight = 0
        while pending or in_flight:
            timed = [w.started + self._limit(w) for w in self._workers if w.task is not None or not w.ready]
            ready = wait([w.conn for w in self._workers] + [w.process.sentinel for w in self._workers],
                         timeout=max(0.0, min(timed) - time.monotonic()) if timed else None)
            finished: list[Finished] = []
            for worker in list(self._workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    result = self._receive(worker)
                    if result is not None:
                        finished.append(result)
                elif (worker.task is not None or not worker.ready) and time.monotonic() - worker.started >= self._limit(worker):
                    task = worker.task
                    if task is None:
                        self._lost_at_startup(worker, f"no worker was ready after {_seconds(self._limit(worker))} s")
                        continue
                    self._replace(worker, kill=True)
                    finished.append(Finished(task[0], failed(task[1], f"timed out after {_seconds(self.timeout)} s",
                                                             seconds=self.timeout, patterns=self.patterns)))
            in_flight -= len(finished)
            for worker in self._workers:
                if worker.ready and worker.task is None and pending:
                    worker.give(pending.popleft())
                    in_flight += 1
            yield from finished

    def _limit(self, worker: _Worker) -> float:
        return self.timeout if worker.ready else max(self.timeout, STARTUP_TIMEOUT_S)

    def _receive(self, worker: _Worker) -> Finished | None:
        """What a worker that woke the supervisor has to say, or the file it dropped."""
        message = None
        try:
            if worker.conn.poll():
                message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        if message is not None and message[0] == "ready":
            worker.ready, worker.started = True, time.monotonic()
            self._startup_failures = 0
            return None
        if message is not None and message[0] == "done":
            _, key, result, peak, cpu = message
            worker.task = None
            worker.started = time.monotonic()
            worker.done += 1
            if worker.done >= self.max_tasks:
                self._replace(worker, kill=False)
            return Finished(key, result, peak, cpu)
        # The pipe is closed or the process is gone: a crash.
        worker.process.join(timeout=5)
        task, code = worker.task, worker.process.exitcode
        if task is None:
            self._lost_at_startup(worker, _describe_exit(code))
            return None
        elapsed = time.monotonic() - worker.started
        self._replace(worker, kill=True)
        return Finished(task[0], failed(task[1], _describe_exit(code), seconds=elapsed, patterns=self.patterns))
