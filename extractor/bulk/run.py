"""A whole bulk run: find the files, skip what is done, process the rest, write the exports.

Only this (parent) process writes the database, one transaction per document, so that a
Ctrl-C, a ``kill`` or a ``kill -9`` loses at most the documents in flight; running the
same command again resumes. A document is done when the dataset holds its content's
sha256 stamped with the current extractor version (package version + hash of
patterns/); a failed one is retried with ``retry_failed``, everything with ``force``.

A run speaks for its INPUT arguments (:meth:`~extractor.bulk.walk.Inputs.covers`): a path
recorded earlier under a folder it walks, or matched by a glob it expands, that is not
there now (deleted, renamed) leaves the dataset, and with it a document no other path
shows. Paths outside its INPUTs are left as they are, so that runs over several folders
can share one dataset.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..paths import display_name
from ..rulebook import PATTERNS_DIR, load_rules
from . import dataset
from .cluster import ClusterPool
from .dataset import DATABASE, DatasetError
from .export import EXPORTS, export
from .pool import Finished, PoolError, WorkerPool, prestart
from .process import extractor_version
from .progress import Progress, kind_of
from .walk import Inputs, find_documents, hash_file, largest_first, skipped_lines

DEFAULT_TIMEOUT_S = 300.0
EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_DONE, EXIT_INTERRUPTED = 0, 1, 2, 130
# The command the end of a run suggests (the console command pyproject.toml declares).
COMMAND = "vnreform"
# What each format needs, by the suffixes a walk takes: (its name in messages, the
# modules to import and the packages pip installs them from). Checked before a run
# starts, so that a missing one is one line rather than a failed row per file.
NEEDS = {
    ".pdf": ("PDF", (("pypdfium2", "pypdfium2"), ("pdfplumber", "pdfplumber"))),
    ".html": ("HTML", (("trafilatura", "trafilatura"), ("lxml", "lxml"))),
    ".htm": ("HTML", (("trafilatura", "trafilatura"), ("lxml", "lxml"))),
    ".xhtml": ("HTML", (("trafilatura", "trafilatura"), ("lxml", "lxml"))),
    ".docx": ("DOCX", (("docx", "python-docx"),)),
}


class RunError(DatasetError):
    """A run that cannot start (a missing package, workers that cannot start): one line,
    reported as the command line reports a dataset it cannot use."""


def check_dependencies(files: Sequence[str]) -> None:
    """Raise :class:`RunError` when a package the files' formats need cannot be found.
    ``find_spec`` looks for the module without importing it (no start-up cost)."""
    counts: dict[str, int] = {}
    for path in files:
        suffix = os.path.splitext(path)[1].lower()
        if suffix in NEEDS:
            counts[NEEDS[suffix][0]] = counts.get(NEEDS[suffix][0], 0) + 1
    checked = {kind: modules for kind, modules in NEEDS.values()}
    for kind, count in counts.items():
        for module, package in checked[kind]:
            if importlib.util.find_spec(module) is None:
                raise RunError(f"bulk needs the Python package {package} to read {count} {kind} file{'s' * (count != 1)}; "
                               f"install it with pip install {package}")


def default_workers() -> int:
    """The cores this process may use (a container's or taskset's limit included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass
class Summary:
    """What a run did, for the command line to print and for the benchmark to measure."""

    out: Path
    inputs: list[str] = field(default_factory=list)   # the INPUT arguments, as given
    missing: list[str] = field(default_factory=list)  # INPUT arguments that named nothing
    files: int = 0          # files found
    documents: int = 0      # distinct contents among them
    unreadable: int = 0     # files that could not be read at all
    removed: int = 0        # paths recorded earlier, under this run's INPUTs, that are gone
    skipped: int = 0        # documents already done by this extractor version
    processed: int = 0      # documents processed by this run
    processed_failed: int = 0
    pages: int = 0          # pages of the documents processed by this run
    ok_files: int = 0       # files whose document is ok, in this run or before
    failed_files: int = 0   # files whose document failed (or that could not be read)
    workers: int = 0
    seconds: float = 0.0
    worker_peak_kb: int | None = None
    worker_cpu_seconds: float = 0.0  # CPU time the workers spent on documents (theirs, not their programs')
    interrupted: bool = False
    scheduler: str | None = None  # the Dask scheduler the run used (--scheduler), None for the local pool
    exports: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.missing or not self.files or not self.ok_files:
            return EXIT_NOTHING_DONE
        return EXIT_SOME_FAILED if self.failed_files else EXIT_OK


def check_output_folder(out: Path) -> None:
    """Refuse a folder that is a file, or that holds files named like ours but no dataset
    (they would be someone else's, and exports would overwrite them)."""
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out}: exists and is not a folder")
    if out.is_dir() and not (out / DATABASE).exists():
        clashes = [name for name in EXPORTS if (out / name).exists()]
        if clashes:
            raise DatasetError(f"{out}: holds {', '.join(clashes)} but no {DATABASE}; choose an empty or new folder")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """``kill PID`` stops a run the way Ctrl-C does (cleanly, between transactions)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_bulk(
    inputs: Sequence[str],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    retry_failed: bool = False,
    force: bool = False,
    quiet: bool = False,
    stream: TextIO | None = None,
    tty: bool | None = None,
    patterns: Path = PATTERNS_DIR,
    write_exports: bool = True,
    scheduler: str | None = None,
) -> Summary:
    """Process every document under ``inputs`` into the dataset in ``out``.

    Raises :class:`DatasetError` when ``out`` cannot hold the dataset, :class:`RunError`
    (one) when a package the documents need is missing or workers cannot start, and
    :class:`~extractor.rulebook.PatternError` for a broken pattern file; a bad document
    never raises, it is a failed row. ``scheduler`` (an address, or ``"local"``) runs the
    documents on a Dask cluster (:mod:`.cluster`) instead of the local pool.
    """
    stream = stream or sys.stderr
    out = Path(out)
    started = time.monotonic()
    summary = Summary(out=out, inputs=list(inputs), scheduler=scheduler)
    found = find_documents(inputs, exclude=[out])
    summary.missing, summary.files = found.missing, len(found.files)
    if found.missing:
        return summary
    _say_skipped(found, stream)
    if not found.files:
        return summary
    check_dependencies(found.files)
    check_output_folder(out)
    if scheduler is None:
        prestart()  # the workers' models load while this process checks rules and hashes files
    load_rules(patterns)  # a broken pattern file stops the run here, not once per document
    version = extractor_version(patterns)
    out.mkdir(parents=True, exist_ok=True)

    with dataset.exclusive(out), _sigterm_as_interrupt():
        conn = dataset.open_dataset(out, create=True)
        try:
            _run(conn, found, summary, version=version, workers=workers or default_workers(), timeout=timeout,
                 retry_failed=retry_failed, force=force, quiet=quiet, stream=stream, tty=tty, patterns=patterns,
                 scheduler=scheduler)
            _count_files(conn, found.files, summary)
        except KeyboardInterrupt:
            summary.interrupted = True
        except PoolError as error:
            raise RunError(str(error)) from None
        finally:
            conn.close()
        if write_exports and not summary.interrupted:
            summary.exports = export(out)
    summary.seconds = time.monotonic() - started
    return summary


def _run(conn, found: Inputs, summary: Summary, *, version: str, workers: int, timeout: float, retry_failed: bool,
         force: bool, quiet: bool, stream: TextIO, tty: bool | None, patterns: Path, scheduler: str | None = None) -> None:
    files = found.files
    paths_of, unreadable, to_do = _plan(conn, found, summary, version=version, retry_failed=retry_failed, force=force)
    _forget_gone(conn, found, paths_of, summary)
    summary.workers = min(workers, len(to_do)) if to_do else 0
    _announce(files, paths_of, unreadable, to_do, summary, version, stream)
    first_path = {sha: min(paths_of[sha]) for sha in to_do}
    order = largest_first([first_path[sha] for sha in to_do])
    sizes = {path: _size(path) for path in order}
    progress = Progress(len(to_do), stream=stream, tty=tty, quiet=quiet, files=list(sizes.items()))
    for path, _, error in unreadable:
        progress.message(f"failed: {display_name(path)}: {error}")
    if not to_do:
        progress.close()
        return

    sha_of = {first_path[sha]: sha for sha in to_do}

    def working_on(paths: list[str]) -> None:
        progress.working_on([display_name(found.relative.get(path, os.path.basename(path))) for path in paths])

    try:
        with _pool(scheduler, summary.workers, timeout=timeout, patterns=patterns, on_busy=working_on) as pool:
            for finished in pool.run((sha_of[path], path) for path in order):
                prepared = finished.result
                if not isinstance(prepared, dataset.Prepared):  # a time limit or a crash, said by the pool
                    prepared = dataset.prepare(prepared)
                # A result that could not know its content's hash (a crash, a time limit, a file
                # gone) is kept under the hash taken before it was sent.
                dataset.save(conn, prepared, paths_of[finished.key], sha256=finished.key, relative=found.relative)
                sent = first_path[finished.key]
                progress.advance(display_name(prepared.result.path), ok=prepared.result.ok,
                                 detail=_tally(summary, finished, prepared), pages=prepared.result.pages,
                                 size=sizes.get(sent, 0), kind=kind_of(sent))
    finally:
        progress.close()


def _pool(scheduler: str | None, workers: int, *, timeout: float, patterns: Path,
          on_busy: Callable[[list[str]], None]) -> WorkerPool | ClusterPool:
    """The local pool, or a Dask cluster's when a scheduler is given (same interface)."""
    if scheduler is None:
        return WorkerPool(workers, timeout=timeout, patterns=patterns, work=dataset.process_for_dataset, on_busy=on_busy)
    return ClusterPool(scheduler, workers, timeout=timeout, patterns=patterns, work=dataset.process_for_dataset,
                       on_busy=on_busy)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _plan(conn, found: Inputs, summary: Summary, *, version: str, retry_failed: bool,
          force: bool) -> tuple[dict[str, list[str]], list[tuple[str, str | None, str | None]], list[str]]:
    """The files by content, the unreadable ones, and the contents still to process;
    paths of contents already done (and of unreadable files) are recorded now."""
    paths_of: dict[str, list[str]] = {}
    unreadable: list[tuple[str, str | None, str | None]] = []
    for path in found.files:
        sha256, error = hash_file(path)  # a FIFO, a device or a file over the size limit is not read
        if sha256 is None:
            unreadable.append((path, None, error))
        else:
            paths_of.setdefault(sha256, []).append(path)
    summary.documents, summary.unreadable = len(paths_of), len(unreadable)

    known = dataset.known_documents(conn)

    def done(sha256: str) -> bool:
        if force or sha256 not in known:
            return False
        known_version, status = known[sha256]
        return known_version == version and not (retry_failed and status == "failed")

    to_do = [sha for sha in paths_of if not done(sha)]
    summary.skipped = len(paths_of) - len(to_do)
    known_paths: list[tuple[str, str | None, str | None]] = [(p, sha, None) for sha in paths_of if done(sha) for p in paths_of[sha]]
    dataset.link_paths(conn, known_paths + unreadable, found.relative)
    return paths_of, unreadable, to_do


def _forget_gone(conn, found: Inputs, paths_of: dict[str, list[str]], summary: Summary) -> None:
    """Paths under this run's INPUTs that are no longer there leave the dataset. Called
    once the paths found are linked, so that a renamed file's document, already linked
    to its new name, stays.

    So does a path outside them that is gone but whose file was found again, with the
    same content, at the same place relative to its INPUT: the collection was moved or
    its folder renamed, and the dataset follows it rather than list each file twice."""
    present = set(found.files)
    moved_to = {(display_name(found.relative[path]), sha) for sha, paths in paths_of.items() for path in paths
                if path in found.relative}
    gone = [path for path, relative, sha in dataset.recorded_relative(conn)
            if path not in present and (found.covers(path) or ((relative, sha) in moved_to and not os.path.lexists(path)))]
    if gone:
        summary.removed = dataset.forget_paths(conn, gone)


def _say_skipped(found: Inputs, stream: TextIO) -> None:
    """Files the folders held that are not documents this tool reads, by suffix, with what to do."""
    count = sum(found.skipped.values())
    if count:
        print(f"bulk: skipped {count} file{'s' * (count != 1)} that are not documents it reads:", file=stream)
        for line in skipped_lines(found.skipped):
            print(f"  {line}", file=stream)
        stream.flush()


def _announce(files: list[str], paths_of: dict[str, list[str]], unreadable: list, to_do: list[str], summary: Summary,
              version: str, stream: TextIO) -> None:
    duplicates = len(files) - len(paths_of) - len(unreadable)
    print(
        f"bulk: {len(files)} files, {len(paths_of)} distinct documents"
        + (f" ({duplicates} duplicate file{'s' * (duplicates > 1)})" if duplicates else "")
        + (f", {len(unreadable)} unreadable" if unreadable else "")
        + (f", {summary.removed} gone since the last run (removed)" if summary.removed else "")
        + f"; {summary.skipped} already done, {len(to_do)} to process"
        + (f" with {summary.workers} worker{'s' * (summary.workers > 1)}" if to_do else "")
        + f"; extractor {version}",
        file=stream, flush=True,
    )


def _tally(summary: Summary, finished: Finished, prepared: dataset.Prepared) -> str:
    """Count a finished document into the summary; the line the progress display shows."""
    result = prepared.result
    summary.processed += 1
    summary.processed_failed += not result.ok
    summary.pages += result.pages or 0
    summary.worker_cpu_seconds += finished.cpu_seconds or 0.0
    if finished.worker_peak_kb is not None:
        summary.worker_peak_kb = max(summary.worker_peak_kb or 0, finished.worker_peak_kb)
    if not result.ok:
        return result.error or "failed"
    return (f"{len(prepared.records)} records, {len(prepared.metrics)} metrics, "
            f"{result.pages} page{'s' * ((result.pages or 0) != 1)}, {result.seconds:.2f} s")


def _count_files(conn, files: list[str], summary: Summary) -> None:
    wanted = {dataset.stored_path(path)[0] for path in files}
    for path, status in conn.execute("SELECT path, status FROM files"):
        if path in wanted:
            if status == "ok":
                summary.ok_files += 1
            else:
                summary.failed_files += 1


def describe(summary: Summary) -> str:
    """The few lines the command line prints at the end of a run."""
    database = summary.out / DATABASE
    if summary.interrupted:
        return (f"interrupted: {summary.processed} documents were saved in {database} before the stop; "
                "run the same command again to resume (exports were not written)")
    rate = summary.processed / summary.seconds if summary.seconds else 0.0
    lines = [
        f"{summary.files} files, {summary.documents} distinct documents: {summary.processed} processed"
        f" ({summary.processed_failed} failed), {summary.skipped} already done;"
        f" {summary.pages} pages in {summary.seconds:.1f} s ({rate:.1f} documents/s"
        + (f", {summary.workers} worker{'s' * (summary.workers > 1)}" if summary.workers else "")
        + (f", peak memory {summary.worker_peak_kb / 1024:.0f} MB per worker" if summary.worker_peak_kb else "")
        + ")",
        f"{summary.ok_files} files ok, {summary.failed_files} failed; dataset: {database}",
    ]
    if summary.exports:
        lines.append("exports: " + ", ".join(f"{name} ({rows} rows)" for name, rows in summary.exports.items()))
    if summary.failed_files:
        lines.append(retry_hint(summary))
    return "\n".join(lines)


def retry_hint(summary: Summary) -> str:
    """The command that processes the failed files again.

    >>> retry_hint(Summary(out=Path("my data"), inputs=["reports/", "a b.pdf"], failed_files=2))
    "2 files failed; to try them again: vnreform bulk reports/ 'a b.pdf' --out 'my data' --retry-failed"
    """
    count = summary.failed_files
    scheduler = ["--scheduler", summary.scheduler] if summary.scheduler else []
    command = shlex.join([COMMAND, "bulk", *summary.inputs, "--out", str(summary.out), *scheduler, "--retry-failed"])
    return f"{count} file{'s' * (count != 1)} failed; to try them again: {command}"
