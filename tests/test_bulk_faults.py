"""Bulk under faults, many times: every time, the dataset equals an uninterrupted run's.

A small folder of Vietnamese texts (two with names that are not UTF-8, one a copy of
another, one empty) is run once without interruption: the reference. Then runs through
the command line, in a session of their own, are killed at seeded random moments (the
whole group, the main process alone, the fork server alone), stopped with SIGTERM, run
twice at once, and resumed; inputs are deleted, renamed and changed between runs; FIFOs,
devices and oversized files sit among the inputs. The datasets are compared row for row
(timings aside) and the exports byte for byte.

Resumed runs are run in this process, whose worker pool is warm, to keep the test short.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_bulk import _count_documents

from conftest import REPO
from extractor.bulk import DATABASE, Summary, run_bulk
from extractor.bulk import pool as pool_module
from extractor.bulk.dataset import LOCK
from extractor.bulk.pool import WorkerPool, fork_server_pid
from extractor.limits import MAX_FILE_BYTES

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the fork server")

PROVINCES = ("Quảng Trị", "Điện Biên", "Bến Tre", "Sóc Trăng", "Yên Bái", "Lào Cai", "Nghệ An", "Thanh Hóa",
             "Đồng Tháp", "Cà Mau", "Bắc Ninh", "Hà Giang", "Kon Tum", "Ninh Bình")
LATIN1_NAMES = (b"b\xe1o-c\xe1o-2023.txt", b"k\xe9t-qu\xe1-sipas.txt")  # from a zip made on Windows
EXPORTS_COMPARED = ("records.jsonl", "metrics.jsonl", "records.csv", "metrics.csv", "subjects.csv", "merged_metrics.csv", "index.html")
ENV = {**os.environ, "VN_REFORM_OCR": "off", "VN_REFORM_TEST_DELAY": "0.1"}  # 0.1 s more a file: time to kill it


def _text(i: int, province: str) -> str:
    year = 2018 + i % 6
    return (f"Năm {year}, chỉ số PAR INDEX của tỉnh {province} đạt {80 + i % 9},{10 + i:02d}%, xếp thứ {i + 3}/63.\n"
            f"Chỉ số SIPAS năm {year} của tỉnh {province} đạt {75 + i % 7},{i:02d}%; giải quyết {120 + 7 * i} hồ sơ.\n")


def make_inputs(folder: Path) -> Path:
    """16 files, 14 distinct contents and one empty file (a failed row)."""
    (folder / "sub").mkdir(parents=True)
    for i, province in enumerate(PROVINCES[:12]):
        (folder / ("sub" if i % 4 == 0 else "") / f"doc-{i:02d}.txt").write_text(_text(i, province), encoding="utf-8")
    for i, name in enumerate(LATIN1_NAMES):
        Path(os.fsdecode(bytes(folder) + b"/" + name)).write_text(_text(20 + i, PROVINCES[12 + i]), encoding="utf-8")
    shutil.copy(folder / "doc-01.txt", folder / "sub" / "copy-of-01.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("faults") / "in")


def bulk(folder: Path | list[Path], out: Path, **options) -> Summary:
    folders = folder if isinstance(folder, list) else [folder]
    return run_bulk([str(f) for f in folders], out, workers=2, stream=io.StringIO(), tty=False, **options)


def rows(out: Path, query: str, *parameters: object) -> list[tuple]:
    conn = sqlite3.connect(out / DATABASE)
    try:
        return conn.execute(query, parameters).fetchall()
    finally:
        conn.close()


def snapshot(out: Path, *, source_paths: bool = True) -> dict[str, list[tuple]]:
    """Every table, timing columns aside, sorted; a document's ``source`` without its
    ``path`` when ``source_paths`` is false (a renamed file keeps the name it was read as)."""
    documents = rows(out, "SELECT sha256, status, error, format, pages, bytes, n_records, n_metrics, warnings, source,"
                          " text_sha256, extractor_version FROM documents")
    if not source_paths:
        documents = [(*d[:9], json.dumps({**json.loads(d[9]), "path": None}) if d[9] else None, *d[10:]) for d in documents]
    return {
        "documents": sorted(documents, key=repr),
        "document_paths": sorted(rows(out, "SELECT path, sha256, error, raw_path FROM document_paths"), key=repr),
        "records": sorted(rows(out, "SELECT * FROM records"), key=repr),
        "metrics": sorted(rows(out, "SELECT * FROM metrics"), key=repr),
        "subjects": sorted(rows(out, "SELECT * FROM subjects"), key=repr),
    }


def assert_same_dataset(out: Path, reference: Path) -> None:
    assert rows(out, "PRAGMA integrity_check") == [("ok",)]
    assert snapshot(out) == snapshot(reference)
    for name in EXPORTS_COMPARED:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


@pytest.fixture(scope="module")
def reference(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    summary = bulk(inputs, out)
    assert (summary.files, summary.documents, summary.processed, summary.processed_failed) == (16, 15, 15, 1)
    assert (summary.ok_files, summary.failed_files, summary.exit_code) == (15, 1, 1)
    return out


# --- processes, as /proc shows them -------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _fork_server_of(pid: int) -> int | None:
    for child in _children(pid):
        try:
            if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            pass
    return None


def _alive(pid: int) -> bool:
    """Running, not a zombie (a container's init may never reap what it inherits)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def _start(folder: Path, out: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, str(REPO / "cli.py"), "bulk", str(folder), "--out", str(out), "--workers", "2"]
    with open(log, "ab") as err:  # a file, not a pipe: the fork server inherits it and may outlive the run
        return subprocess.Popen(command, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def _kill(run: subprocess.Popen, out: Path, target: str, saved: int, delay: float) -> list[int]:
    """SIGKILL ``target`` of a run ``delay`` s after its fork server appears (``saved`` 0:
    while the workers warm up) or after it has saved ``saved`` documents; the processes of
    the run that were alive just before (the fork server and its workers)."""
    _wait_until(lambda: _fork_server_of(run.pid) is not None or run.poll() is not None, 60, "no fork server")
    _wait_until(lambda: _count_documents(out) >= saved or run.poll() is not None, 60, f"{saved} documents never saved")
    time.sleep(delay)
    server = _fork_server_of(run.pid)
    family = [] if server is None else [server, *_children(server)]
    try:
        if target == "group":
            os.killpg(run.pid, signal.SIGKILL)
        elif target == "main":
            os.kill(run.pid, signal.SIGKILL)
        elif server is not None:
            os.kill(server, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the run was over
    return family


# --- the cases ---------------------------------------------------------------------------


def test_kill_9_of_the_group_the_main_process_or_the_fork_server_at_random_moments(inputs: Path, reference: Path,
                                                                                  tmp_path: Path) -> None:
    moments = random.Random(18)  # when: while the fork server warms up, or once some documents are saved
    targets = (["group", "main", "fork server"] * 4)[:10]
    killed_mid_run = 0
    for round_, target in enumerate(targets):
        out, log = tmp_path / f"out-{round_}", tmp_path / f"run-{round_}.log"
        run = _start(inputs, out, log)
        saved = 0 if round_ < 3 else moments.randint(1, 15)  # each target once while the models load
        family = _kill(run, out, target, saved, moments.uniform(0.0, 2.5 if saved == 0 else 0.2))
        code = run.wait(timeout=120)
        print(f"round {round_}: {target} after {saved} saved: exit {code}, {len(family)} processes, {_count_documents(out)} saved")
        context = f"round {round_} ({target}): {log.read_text(encoding='utf-8', errors='replace')[-2000:]}"
        if target == "fork server":
            # The run lives through it: nothing failed for it, nothing to resume.
            assert code == 1, context  # 1: the empty file, and nothing else, failed
            killed_mid_run += bool(family)
        else:
            killed_mid_run += code == -signal.SIGKILL
            # Nothing of the run lives on: the fork server and its workers die with it.
            _wait_until(lambda family=family: not any(map(_alive, family)), 15, f"left running: {family}; {context}")
            if (out / DATABASE).exists():
                assert rows(out, "PRAGMA integrity_check") == [("ok",)], context
            resumed = bulk(inputs, out)
            assert resumed.exit_code == 1 and resumed.failed_files == 1, context
        assert "worker crashed" not in log.read_text(encoding="utf-8", errors="replace"), context
        assert_same_dataset(out, reference)
    assert killed_mid_run >= 7  # most kills hit a run at work, not one already over


def test_sigterm_stops_between_documents_then_the_same_command_resumes(inputs: Path, reference: Path, tmp_path: Path) -> None:
    out, log = tmp_path / "out", tmp_path / "run.log"
    run = _start(inputs, out, log)
    _wait_until(lambda: _count_documents(out) >= 3, 60, "no document saved")
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 130
    err = log.read_text(encoding="utf-8")
    assert "interrupted:" in err and "run the same command again to resume (exports were not written)" in err
    saved = rows(out, "SELECT count(*) FROM documents")[0][0]
    assert 3 <= saved < 15 and not (out / "records.jsonl").exists()

    resumed = bulk(inputs, out)
    assert (resumed.skipped, resumed.processed) == (saved, 15 - saved)
    assert_same_dataset(out, reference)


def test_two_runs_on_one_folder_at_once_one_refused_and_the_dataset_is_the_reference(inputs: Path, reference: Path,
                                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = [_start(inputs, out, tmp_path / f"run-{i}.log") for i in range(2)]
    codes = sorted(run.wait(timeout=120) for run in runs)
    logs = [(tmp_path / f"run-{i}.log").read_text(encoding="utf-8") for i in range(2)]
    assert codes == [1, 2], logs  # one ran (the empty file failed), the other was refused
    refused = next(log for run, log in zip(runs, logs) if run.returncode == 2)
    assert f"error: {out}: another bulk run is writing to this folder" in refused
    assert sorted(p.name for p in out.iterdir()) == sorted([DATABASE, LOCK, "documents.csv", "review", *EXPORTS_COMPARED])
    assert_same_dataset(out, reference)


def test_deleted_renamed_and_changed_inputs_give_the_dataset_of_a_fresh_run(inputs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(inputs, folder)
    other = tmp_path / "other"  # another INPUT into the same dataset, left out of the second run
    other.mkdir()
    shutil.copy(folder / "doc-02.txt", other / "doc-02.txt")
    out = tmp_path / "out"
    bulk([folder, other], out)
    (deleted,), = rows(out, "SELECT sha256 FROM document_paths WHERE path = ?", str(folder / "doc-02.txt"))
    (changed,), = rows(out, "SELECT sha256 FROM document_paths WHERE path = ?", str(folder / "doc-03.txt"))

    (folder / "doc-02.txt").unlink()                                   # deleted
    (folder / "sub" / "doc-04.txt").rename(folder / "doc-04-renamed.txt")  # renamed
    (folder / "doc-03.txt").write_text(_text(40, "Bình Định"), encoding="utf-8")  # changed
    (folder / "doc-01.txt").unlink()                                   # one of two copies: its content stays
    summary = bulk([folder], out)
    assert (summary.processed, summary.removed) == (1, 3)  # only the changed file is read again

    paths = dict(rows(out, "SELECT path, sha256 FROM document_paths"))
    assert str(folder / "doc-02.txt") not in paths and str(folder / "doc-01.txt") not in paths
    assert str(folder / "sub" / "doc-04.txt") not in paths and str(folder / "doc-04-renamed.txt") in paths
    known = {sha for sha, in rows(out, "SELECT sha256 FROM documents")}
    assert changed not in known and paths[str(folder / "doc-03.txt")] in known
    # The deleted file's content is still in the other folder: only a document no path shows leaves.
    assert deleted in known and paths[str(other / "doc-02.txt")] == deleted
    assert rows(out, "SELECT count(*) FROM records WHERE sha256 = ?", deleted) == [(4,)]
    assert str(folder / "sub" / "copy-of-01.txt") in paths
    assert rows(out, "SELECT count(*) FROM records WHERE sha256 NOT IN (SELECT sha256 FROM document_paths)") == [(0,)]
    assert rows(out, "SELECT count(*) FROM metrics WHERE sha256 NOT IN (SELECT sha256 FROM document_paths)") == [(0,)]

    # Without the other folder's copy, the deleted content leaves the dataset too.
    (other / "doc-02.txt").unlink()
    (other / "note.txt").write_text(_text(50, "Hà Nam"), encoding="utf-8")
    again = bulk([folder, other], out)
    assert again.processed == 1 and deleted not in {sha for sha, in rows(out, "SELECT sha256 FROM documents")}
    assert rows(out, "SELECT count(*) FROM records WHERE sha256 = ?", deleted) == [(0,)]

    fresh = tmp_path / "fresh"
    bulk([folder, other], fresh)
    assert snapshot(out, source_paths=False) == snapshot(fresh, source_paths=False)
    assert rows(out, "SELECT json_extract(source, '$.path') FROM documents WHERE sha256 = "
                     "(SELECT sha256 FROM document_paths WHERE path = ?)", str(folder / "doc-04-renamed.txt")) == [
        (str(folder / "sub" / "doc-04.txt"),)]  # the name it was read as: it was not read again


def test_a_glob_or_a_subfolder_speaks_for_its_own_paths_only(inputs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(inputs, folder)
    out = tmp_path / "out"
    bulk([folder], out)
    (folder / "doc-05.txt").unlink()
    (folder / "sub" / "doc-08.txt").unlink()
    # A run over the subfolder forgets what left it, and nothing outside it.
    assert bulk([folder / "sub"], out).removed == 1
    paths = {path for path, in rows(out, "SELECT path FROM document_paths")}
    assert str(folder / "sub" / "doc-08.txt") not in paths and str(folder / "doc-05.txt") in paths
    # A glob forgets what it would match.
    summary = run_bulk([str(folder / "doc-0*.txt")], out, workers=1, stream=io.StringIO(), tty=False)
    assert summary.removed == 1 and str(folder / "doc-05.txt") not in {p for p, in rows(out, "SELECT path FROM document_paths")}


def test_file_names_that_are_not_utf8_are_processed_saved_and_exported(inputs: Path, reference: Path) -> None:
    raw = bytes(inputs) + b"/" + LATIN1_NAMES[0]
    shown = str(inputs) + "/b\\xe1o-c\\xe1o-2023.txt"
    (path, sha256, status, raw_path), = rows(
        reference, "SELECT p.path, p.sha256, d.status, p.raw_path FROM document_paths AS p JOIN documents AS d USING (sha256)"
                   " WHERE p.path = ?", shown)
    assert (path, status, raw_path) == (shown, "ok", raw)  # shown escaped, kept exactly
    assert os.path.isfile(os.fsdecode(raw_path))
    assert rows(reference, "SELECT n_records, n_metrics FROM documents WHERE sha256 = ?", sha256) == [(4, 2)]
    assert rows(reference, "SELECT count(*) FROM document_paths WHERE raw_path IS NOT NULL") == [(2,)]

    lines = [json.loads(line) for line in (reference / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["surface"] for r in lines if r["path"] == shown) == ["260 hồ sơ", "81,20%", "82,30%", "xếp thứ 23/63"]
    with open(reference / "documents.csv", encoding="utf-8-sig", newline="") as handle:
        assert {row["path"]: row["status"] for row in csv.DictReader(handle)}[shown] == "ok"
    merged = rows(reference, "SELECT sources FROM merged_metrics WHERE subject = 'Kon Tum' AND indicator = 'PAR_INDEX'")
    assert merged and json.loads(merged[0][0]) == [shown]


def test_fifos_devices_and_files_over_the_limit_are_failed_rows_and_never_read(inputs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")  # a reader would wait for a writer for ever
    (folder / "zero.txt").symlink_to("/dev/zero")  # a reader would never reach the end
    with open(folder / "huge.txt", "wb") as handle:  # sparse: a file over the limit that takes no room
        handle.truncate(MAX_FILE_BYTES + 1)
    out, log = tmp_path / "out", tmp_path / "run.log"
    with open(log, "wb") as err:  # in a process of its own: were a FIFO opened, it would block for ever
        run = subprocess.run([sys.executable, str(REPO / "cli.py"), "bulk", str(folder), "/dev/zero", "--out", str(out)],
                             cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=err, timeout=120)
    stderr = log.read_text(encoding="utf-8")
    assert run.returncode == 2, stderr  # nothing could be read
    assert dict(rows(out, "SELECT path, error FROM files WHERE status = 'failed'")) == {
        str(folder / "pipe.txt"): "is not a regular file (a FIFO)",
        str(folder / "zero.txt"): "is not a regular file (a character device)",
        "/dev/zero": "is not a regular file (a character device)",
        str(folder / "huge.txt"): "is 512.0 MB, over the 512 MB limit for one file",
    }
    assert f"failed: {folder / 'pipe.txt'}: is not a regular file (a FIFO)" in stderr
    assert rows(out, "SELECT count(*) FROM documents") == [(0,)]


# --- the pool itself ----------------------------------------------------------------------


def spawn_then_die(path: str, *, patterns: Path) -> object:
    """A worker's work that starts a long program (as OCR starts tesseract), notes its pid
    in ``path``, and dies at once (as the OOM killer would kill it) the first time."""
    marker = Path(path)
    program = subprocess.Popen(["sleep", "300"])
    with open(marker, "a", encoding="ascii") as pids:
        pids.write(f"{program.pid}\n")
    if len(marker.read_text(encoding="ascii").split()) == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    program.kill()
    program.wait()
    return "done"


def slow_echo(path: str, *, patterns: Path) -> object:
    time.sleep(0.3)
    return path


def test_a_worker_that_dies_once_is_retried_and_its_programs_die_with_it(tmp_path: Path) -> None:
    marker = tmp_path / "pids"
    with WorkerPool(1, timeout=60, work=spawn_then_die, hooks={}) as pool:
        results = [(f.key, f.result) for f in pool.run([("k", str(marker))])]
    assert results == [("k", "done")]  # a death is not a verdict: the retry did it
    first, second = (int(pid) for pid in marker.read_text(encoding="ascii").split())
    _wait_until(lambda: not _alive(first), 10, "the dead worker's program lives on")
    assert not _alive(second)


def test_a_pool_whose_fork_server_keeps_dying_spawns_its_workers(monkeypatch) -> None:
    """A fork server that dies now and then is started again (the kill -9 test above);
    one that dies too often is done without."""
    monkeypatch.setattr(pool_module, "FORK_SERVER_DEATHS_ALLOWED", 1)
    tasks = [(i, f"task-{i}") for i in range(8)]
    with WorkerPool(2, timeout=60, work=slow_echo, hooks={}) as pool:
        finished = []
        for done in pool.run(tasks):
            finished.append((done.key, done.result))
            if len(finished) == 2:
                os.kill(fork_server_pid(), signal.SIGKILL)  # the OOM killer's favourite
        deaths, method = pool.fork_server_deaths, pool._context.get_start_method()
    assert sorted(finished) == tasks  # every task done once, none failed
    assert (deaths, method) == (1, "spawn")


def test_a_dataset_written_before_raw_path_gains_it_and_keeps_its_rows(inputs: Path, tmp_path: Path) -> None:
    from extractor.bulk.dataset import SCHEMA

    out = tmp_path / "out"
    out.mkdir()
    conn = sqlite3.connect(out / DATABASE)
    conn.executescript(SCHEMA.replace(",\n    raw_path BLOB", ""))  # document_paths as version 2 first made it
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute("INSERT INTO document_paths (path, sha256, error, seen_at) VALUES (?, NULL, 'permission denied', 'then')",
                 (str(tmp_path / "elsewhere.txt"),))
    conn.commit()
    conn.close()
    summary = bulk(inputs, out)
    assert (summary.processed, summary.removed) == (15, 0)  # the old row is outside this run's INPUT: kept
    assert rows(out, "SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    assert rows(out, "SELECT error, raw_path FROM document_paths WHERE path = ?", str(tmp_path / "elsewhere.txt")) == [
        ("permission denied", None)]
    assert rows(out, "SELECT count(*) FROM document_paths WHERE raw_path IS NOT NULL") == [(2,)]
