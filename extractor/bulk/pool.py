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
- a worker that dies is noticed at once (its sentinel) and a fresh worker takes its place;
  the file it held is given again, and recorded as "worker crashed (...)" with the exit
  code or signal only when it crashes a worker :data:`CRASHES_ALLOWED` times (a one-off
  death, the OOM killer choosing that worker, is no verdict on the file);
- a worker is also replaced after :data:`MAX_TASKS_PER_WORKER` files, which bounds what
  caches or leaks in libraries can grow to;
- the programs a worker runs (tesseract) die with it: it leads a process group, which is
  killed whenever the worker is stopped or found dead.

Workers are forked from a fork server (spawn where there is none) that has imported and
warmed up the pipeline once (:mod:`extractor.bulk.warm`): a replacement starts in
milliseconds, workers share the loaded models' memory, and they inherit none of the
parent's state (the SQLite connection, threads). A worker warms up (rules, segmenter, tagger)
before it is given its first file, so the time limit measures the file alone. Workers
ignore Ctrl-C (the parent handles it) and die with the fork server when the parent dies
(``kill -9`` included), once their current file is done or at once on Linux.

The fork server holds the models, so the OOM killer likes it. Its death kills the
workers it forked (on Linux) or leaves them without a way to report their exit; either
way it is no fault of their files: those are given again to fresh workers, forked from a
fork server started again (:mod:`multiprocessing` starts one when the last is gone), and
never counted as crashes. After :data:`FORK_SERVER_DEATHS_ALLOWED` deaths in one pool,
workers are spawned instead (each loads the models itself, which is slower but needs no
fork server).

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
# A file is recorded as crashing its worker when it has crashed this many workers.
CRASHES_ALLOWED = 2
# Deaths of the fork server one pool lives through before it spawns workers instead.
FORK_SERVER_DEATHS_ALLOWED = 3
# Attempts at starting one worker while the fork server is dying or starting again.
START_ATTEMPTS = 5
# What a forked worker's exit code reads as when the fork server, which reports it, is gone.
LOST_FORK_SERVER_CODE = 255
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


def warm_up(patterns: Path = PATTERNS_DIR) -> str | None:
    """Load the rules, the segmenter, the tagger and the gazetteers (never raises); why
    the pipeline cannot run, if it cannot even read a line of text."""
    result = process(_WARM_UP_TEXT.encode("utf-8"), name="warm-up.txt", patterns=patterns)
    try:  # models the sample may not need: the word segmenter and the part-of-speech tagger
        segment.tokenize(_WARM_UP_TEXT)
        segment.tag(_WARM_UP_TEXT)
    except Exception:
        pass
    return None if result.ok else result.error or "the warm-up failed"


def _worker_main(conn: Connection, patterns: str, hooks: dict[str, str], work: Callable[..., Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        os.setpgid(0, 0)  # a group of its own: a time limit kills its programs too (tesseract)
    except (AttributeError, OSError):
        pass
    broken = warm_up(Path(patterns))
    if broken is not None:  # every file would fail the same way: the parent stops the run
        conn.send(("broken", broken))
        return
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


def _forking(context: Any) -> bool:
    return context.get_start_method() == "forkserver"


def fork_server_pid() -> int | None:
    """The pid of this process's fork server, None when none was started (or the
    standard library keeps it elsewhere)."""
    from multiprocessing import forkserver

    return getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)


def _fork_server_now() -> int | None:
    """The fork server's pid, once one is running: a dead one is reaped and replaced."""
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return fork_server_pid()


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
        try:
            self.process.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()
        self.server = fork_server_pid() if _forking(context) else None  # the fork server it came from
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
        self._kill_group()
        self.conn.close()

    def _kill_group(self) -> None:
        """Kill what is left of the worker's process group: a worker that died (the OOM
        killer, a segfault, its fork server gone) leaves the programs it ran (tesseract)
        running otherwise. Only a ready worker is known to lead a group of its own."""
        if self.ready and self.process.pid is not None and hasattr(os, "killpg"):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass  # no such group left: the usual case


class WorkerPool:
    """``workers`` processes running ``work`` (default :func:`~extractor.bulk.process.process`)
    on paths; ``work(path, patterns=...)`` must be a module-level function (it is pickled).

    >>> with WorkerPool(1, timeout=60) as pool:
    ...     [f.result.error for f in pool.run([("k", "/no/such/file.txt")])]
    ['no such file']
    """

    def __init__(self, workers: int, *, timeout: float, patterns: Path = PATTERNS_DIR, work: Callable[..., Any] = process,
                 max_tasks: int = MAX_TASKS_PER_WORKER, hooks: dict[str, str] | None = None,
                 on_busy: Callable[[list[str]], None] | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.size = workers
        self.timeout = timeout
        self.patterns = patterns
        self.max_tasks = max_tasks
        self.work = work
        self.on_busy = on_busy  # told the paths the workers hold whenever they change (a display)
        self.hooks = dict(hooks) if hooks is not None else {k: os.environ[k] for k in TEST_HOOKS if os.environ.get(k)}
        self._context = _context()
        self._workers: list[_Worker] = []
        self._startup_failures = 0
        self._pending: deque[tuple[Any, str]] = deque()
        self._crashes: dict[Any, int] = {}  # crashes per task key
        self._server = fork_server_pid()  # the fork server last seen alive
        self.fork_server_deaths = 0

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
        for attempt in range(START_ATTEMPTS):
            try:
                worker = _Worker(self._context, self.patterns, self.hooks, self.work)
            except (EOFError, OSError) as error:  # the fork server died before it could fork
                if not _forking(self._context) or attempt == START_ATTEMPTS - 1:
                    raise PoolError(f"worker processes cannot start: {type(error).__name__}: {error}") from None
                self._fork_server_died()
                time.sleep(0.05 * (attempt + 1))  # a dying server may not be reaped at once
                continue
            if self._server is None:
                self._server = worker.server
            self._workers.append(worker)
            return

    def _fork_server_died(self) -> bool:
        """Whether the fork server died since it was last seen (a new one is then started);
        the pool spawns its workers from then on when it died too often."""
        if not _forking(self._context):
            return False
        pid = _fork_server_now()
        if pid == self._server:
            return False
        self._server = pid
        self.fork_server_deaths += 1
        if self.fork_server_deaths >= FORK_SERVER_DEATHS_ALLOWED:
            self._context = multiprocessing.get_context("spawn")
        return True

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
        self._pending = deque(tasks)
        while len(self._workers) < min(self.size, max(len(self._pending), 1)):
            self._start()
        while self._pending or any(w.task is not None for w in self._workers):
            finished = self._wait()
            for worker in self._workers:
                if worker.ready and worker.task is None and self._pending:
                    worker.give(self._pending.popleft())
            if self.on_busy is not None:
                self.on_busy(self.busy())
            yield from finished

    def busy(self) -> list[str]:
        """The paths the workers hold now."""
        return [worker.task[1] for worker in self._workers if worker.task is not None]

    def _wait(self) -> list[Finished]:
        """Wait for a worker to say something, die or run out of time; what finished."""
        timed = [w.started + self._limit(w) for w in self._workers if w.task is not None or not w.ready]
        ready = wait([w.conn for w in self._workers] + [w.process.sentinel for w in self._workers],
                     timeout=max(0.0, min(timed) - time.monotonic()) if timed else None)
        finished: list[Finished] = []
        for worker in list(self._workers):
            if worker.conn in ready or worker.process.sentinel in ready:
                result = self._receive(worker)
            elif (worker.task is not None or not worker.ready) and time.monotonic() - worker.started >= self._limit(worker):
                result = self._time_out(worker)
            else:
                continue
            if result is not None:
                finished.append(result)
        return finished

    def _time_out(self, worker: _Worker) -> Finished | None:
        task = worker.task
        if task is None:
            self._lost_at_startup(worker, f"no worker was ready after {_seconds(self._limit(worker))} s")
            return None
        self._replace(worker, kill=True)
        return Finished(task[0], failed(task[1], f"timed out after {_seconds(self.timeout)} s", seconds=self.timeout,
                                        patterns=self.patterns))

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
        if message is not None and message[0] == "broken":
            raise PoolError(f"worker processes cannot start: {message[1]}")
        if message is not None and message[0] == "ready":
            worker.ready, worker.started = True, time.monotonic()
            self._startup_failures = 0
            return None
        if message is not None and message[0] == "done":
            _, key, result, peak, cpu = message
            worker.task = None
            worker.started = time.monotonic()
            worker.done += 1
            self._crashes.pop(key, None)
            if worker.done >= self.max_tasks:
                self._replace(worker, kill=False)
            return Finished(key, result, peak, cpu)
        return self._lost(worker)  # the pipe is closed or the process is gone

    def _lost(self, worker: _Worker) -> Finished | None:
        """A worker that died: replaced; its file given again, or recorded as crashing
        workers once it has crashed :data:`CRASHES_ALLOWED` of them."""
        worker.process.join(timeout=5)
        task, code = worker.task, worker.process.exitcode
        self._fork_server_died()  # noted, and a new one started, before anything is forked again
        died_with_server = worker.server is not None and (worker.server != self._server or code == LOST_FORK_SERVER_CODE)
        if task is None and not worker.ready and not died_with_server:
            self._lost_at_startup(worker, _describe_exit(code))
            return None
        elapsed = time.monotonic() - worker.started
        self._replace(worker, kill=True)
        if task is None:
            return None
        if not died_with_server:
            self._crashes[task[0]] = self._crashes.get(task[0], 0) + 1
            if self._crashes[task[0]] >= CRASHES_ALLOWED:
                return Finished(task[0], failed(task[1], _describe_exit(code), seconds=elapsed, patterns=self.patterns))
        self._pending.appendleft(task)  # the next free worker takes it first
        return None
