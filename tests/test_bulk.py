"""`cli.py bulk` and `cli.py export`: the dataset, resuming, failures, a real kill -9.

Worker processes are real here; the failures are real too (a worker that sleeps past its
time limit, one that kills itself), triggered by the test hooks that
extractor/bulk/pool.py documents (VN_REFORM_TEST_*), which do nothing unless set.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cli
from conftest import CORPUS, REPO
from extractor import extract_file
from extractor.bulk import DATABASE, Summary, export, run_bulk
from extractor.bulk.dataset import open_dataset
from extractor.bulk.progress import Progress
from extractor.bulk.walk import find_documents

DEV = CORPUS / "dev"
QUANG_TRI = DEV / "quang-tri-par-2023.txt"
DISAGREEING = "Năm 2023, PAR INDEX của tỉnh Quảng Trị đạt 84,50%, xếp thứ 33/63.\n"


def bulk(inputs: list[Path], out: Path, **options) -> Summary:
    options.setdefault("workers", 2)
    return run_bulk([str(p) for p in inputs], out, stream=io.StringIO(), tty=False, **options)


def rows(out: Path, query: str) -> list[tuple]:
    conn = sqlite3.connect(out / DATABASE)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def as_extracted(line: dict) -> dict:
    """An exported record or metric as ``extract`` prints it: its ``id`` is the document's own."""
    assert line["id"] == f"{line['sha256'][:16]}/{line['local_id']}"
    return {**{k: v for k, v in line.items() if k not in ("sha256", "path", "id", "local_id")}, "id": line["local_id"]}


def snapshot(out: Path) -> dict[str, set[tuple]]:
    """Every table as a set of rows, timing columns left out."""
    return {
        "documents": set(rows(out, "SELECT sha256, status, error, format, pages, bytes, n_records, n_metrics, warnings, source,"
                                    " extractor_version FROM documents")),
        "document_paths": set(rows(out, "SELECT path, sha256, error FROM document_paths")),
        "records": set(rows(out, "SELECT * FROM records")),
        "metrics": set(rows(out, "SELECT * FROM metrics")),
        "subjects": set(rows(out, "SELECT * FROM subjects")),
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three corpus documents (text and PDF), a truncated PDF, and a copy of one of them."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name in ("quang-tri-par-2023.txt", "pci-2024-toan-quoc.txt", "ben-tre-papi-2020.pdf"):
        shutil.copy(DEV / name, folder / name)
    shutil.copy(QUANG_TRI, folder / "sub" / "copy.txt")
    (folder / "cut.pdf").write_bytes((DEV / "ben-tre-papi-2020.pdf").read_bytes()[:3000])
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a document name: a folder walk skips it
    return folder


def test_a_run_gives_one_row_per_content_the_records_of_extract_and_the_exports(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = bulk([folder], out)
    assert (summary.files, summary.documents, summary.processed, summary.processed_failed) == (5, 4, 4, 1)
    assert (summary.ok_files, summary.failed_files, summary.exit_code) == (4, 1, 1)

    documents = {sha: (status, error) for sha, status, error in rows(out, "SELECT sha256, status, error FROM documents")}
    paths = dict(rows(out, "SELECT path, sha256 FROM document_paths"))
    assert len(documents) == 4 and len(paths) == 5
    assert paths[str(folder / "quang-tri-par-2023.txt")] == paths[str(folder / "sub" / "copy.txt")]
    assert documents[paths[str(folder / "cut.pdf")]] == ("failed", "damaged or truncated PDF (PDFium could not parse it)")

    # The dataset holds exactly what extract gives, record for record.
    exported = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    for name in ("quang-tri-par-2023.txt", "pci-2024-toan-quoc.txt", "ben-tre-papi-2020.pdf"):
        expected = extract_file(folder / name).to_jsonable()
        sha = expected["source"]["sha256"]
        assert [as_extracted(r) for r in exported if r["sha256"] == sha] == expected["records"]
        assert [as_extracted(m) for m in metrics if m["sha256"] == sha] == expected["metrics"]
        assert rows(out, f"SELECT n_records, n_metrics FROM documents WHERE sha256 = '{sha}'") == [
            (len(expected["records"]), len(expected["metrics"]))
        ]

    # Exports: one line or row per record / metric / merged metric / path.
    total_records, total_metrics, subjects = rows(
        out, "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM metrics), (SELECT count(*) FROM subjects)")[0]
    merged = rows(out, "SELECT count(*) FROM merged_metrics")[0][0]
    assert subjects > 0
    assert summary.exports == {"records.jsonl": total_records, "metrics.jsonl": total_metrics, "records.csv": total_records,
                               "metrics.csv": total_metrics, "subjects.csv": subjects, "merged_metrics.csv": merged,
                               "documents.csv": 4, "index.html": merged, "review": 3}  # one row per document
    assert sorted(p.name for p in (out / "review").iterdir()) == sorted(
        f"{sha[:16]}.html" for (sha,) in rows(out, "SELECT sha256 FROM documents WHERE status = 'ok'"))
    for name, count in summary.exports.items():
        if name in ("index.html", "review"):
            continue  # a page and a folder of pages, not one row per line: tests/test_overview.py reads them
        if name.endswith(".csv"):
            with open(out / name, encoding="utf-8-sig", newline="") as handle:
                assert len(list(csv.reader(handle))) == count + 1, name
        else:
            assert len((out / name).read_text(encoding="utf-8").splitlines()) == count, name
    assert sorted(p.name for p in out.iterdir()) == sorted([DATABASE, ".bulk.lock", *summary.exports])

    # A second run processes nothing and adds nothing.
    before = snapshot(out)
    again = bulk([folder], out)
    assert (again.processed, again.skipped, again.exit_code) == (0, 4, 1)
    assert snapshot(out) == before

    # A changed file is processed again; the content no file has any more leaves the dataset.
    (folder / "sub" / "copy.txt").write_text(QUANG_TRI.read_text(encoding="utf-8") + DISAGREEING, encoding="utf-8")
    changed = bulk([folder], out)
    assert (changed.processed, changed.skipped) == (1, 4)
    paths = dict(rows(out, "SELECT path, sha256 FROM document_paths"))
    assert paths[str(folder / "quang-tri-par-2023.txt")] != paths[str(folder / "sub" / "copy.txt")]
    original = paths[str(folder / "quang-tri-par-2023.txt")]
    (folder / "quang-tri-par-2023.txt").write_text("Chỉ số SIPAS năm 2023 của tỉnh Quảng Trị đạt 82,47%.", encoding="utf-8")
    assert bulk([folder], out).processed == 1
    assert original not in {sha for sha, in rows(out, "SELECT sha256 FROM documents")}
    assert rows(out, "SELECT count(*) FROM records WHERE sha256 NOT IN (SELECT sha256 FROM document_paths)")[0][0] == 0

    # A document that disagrees with itself keeps its first value and says so in the merged row.
    merged = rows(out, "SELECT n_documents, sources, score, disagree, conflict_within_a_document FROM merged_metrics"
                       " WHERE indicator = 'PAR_INDEX' AND subject = 'Quảng Trị' AND year = 2023")
    assert [(n, json.loads(sources), score, disagree, conflict) for n, sources, score, disagree, conflict in merged] == [
        (1, [str(folder / "sub" / "copy.txt")], 85.12, 0, 1)
    ]


def test_same_metric_in_two_documents_is_one_merged_row_listing_both(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(QUANG_TRI, folder / "a.txt")
    (folder / "b.txt").write_text(DISAGREEING, encoding="utf-8")
    (folder / "c.txt").write_text("Chỉ số PAR INDEX năm 2023 của tỉnh Quảng Trị đạt 85,12%.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert bulk([folder], out, workers=1).exit_code == 0
    (n_documents, sources, scores, disagree), = rows(
        out, "SELECT n_documents, sources, scores, disagree FROM merged_metrics WHERE indicator = 'PAR_INDEX' AND year = 2023")
    assert n_documents == 3 and sorted(json.loads(sources)) == [str(folder / n) for n in ("a.txt", "b.txt", "c.txt")]
    assert (sorted(json.loads(scores)), disagree) == ([84.5, 85.12], 1)


def test_a_hanging_file_times_out_and_a_crashing_worker_is_one_failed_file(folder: Path, tmp_path: Path, monkeypatch) -> None:
    shutil.copy(DEV / "yen-bai-chi-so-2019.txt", folder / "hang.txt")
    shutil.copy(DEV / "soc-trang-sipas-2021.txt", folder / "crash.txt")
    monkeypatch.setenv("VN_REFORM_TEST_SLEEP_ON", "hang.txt")
    monkeypatch.setenv("VN_REFORM_TEST_CRASH_ON", "crash.txt")
    out = tmp_path / "out"
    summary = bulk([folder], out, timeout=3)
    assert (summary.processed, summary.processed_failed, summary.exit_code) == (6, 3, 1)
    errors = dict(rows(out, "SELECT path, error FROM files"))
    assert errors[str(folder / "hang.txt")] == "timed out after 3 s"
    assert errors[str(folder / "crash.txt")].startswith("worker crashed (killed by signal SIGKILL")
    assert errors[str(folder / "pci-2024-toan-quoc.txt")] is None

    # Failed documents are done too, unless asked to retry them.
    monkeypatch.delenv("VN_REFORM_TEST_SLEEP_ON")
    monkeypatch.delenv("VN_REFORM_TEST_CRASH_ON")
    assert bulk([folder], out).processed == 0
    retried = bulk([folder], out, retry_failed=True)
    assert (retried.processed, retried.processed_failed) == (3, 1)  # the truncated PDF stays failed
    assert dict(rows(out, "SELECT path, status FROM files"))[str(folder / "hang.txt")] == "ok"


def _count_documents(out: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{out / DATABASE}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet


def _start_then_stop(command: list[str], out: Path, *, after: int, stop: signal.Signals) -> tuple[int, str]:
    """Start a bulk run, send it ``stop`` once ``after`` documents are saved; exit code and stderr."""
    env = {**os.environ, "VN_REFORM_TEST_DELAY": "0.1"}  # each file takes 0.1 s more: time to stop it part way
    run = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _count_documents(out) < after:
            assert run.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline, "no document was saved in time"
            time.sleep(0.02)
        run.send_signal(stop)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
        run.wait()
    return run.returncode, err


def test_ctrl_c_then_kill_9_part_way_then_resume_gives_the_dataset_of_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    texts = sorted(DEV.glob("*.txt")) + sorted((CORPUS / "heldout").glob("*.txt"))
    for path in texts[:40]:
        shutil.copy(path, folder / path.name)
    assert len(list(folder.iterdir())) == 40
    interrupted = tmp_path / "interrupted"
    command = [sys.executable, str(REPO / "cli.py"), "bulk", str(folder), "--workers", "1", "--out", str(interrupted)]

    # Ctrl-C: a clean stop between documents, exit code 130, no exports.
    code, err = _start_then_stop(command, interrupted, after=3, stop=signal.SIGINT)
    first = _count_documents(interrupted)
    assert code == 130 and "run the same command again to resume" in err, err
    assert 3 <= first < 40 and not (interrupted / "records.jsonl").exists()

    # kill -9 of the resumed run: no clean-up of any kind.
    code, _ = _start_then_stop(command, interrupted, after=first + 3, stop=signal.SIGKILL)
    second = _count_documents(interrupted)
    assert code == -signal.SIGKILL and first + 3 <= second < 40
    assert rows(interrupted, "PRAGMA integrity_check") == [("ok",)]

    resumed = bulk([folder], interrupted, workers=1)  # in this process: its workers are already warm
    assert (resumed.exit_code, resumed.skipped, resumed.processed) == (0, second, 40 - second)

    uninterrupted = tmp_path / "uninterrupted"
    assert bulk([folder], uninterrupted, workers=1).exit_code == 0
    assert snapshot(interrupted) == snapshot(uninterrupted)
    for name in ("records.jsonl", "metrics.csv", "merged_metrics.csv"):
        assert (interrupted / name).read_bytes() == (uninterrupted / name).read_bytes()


def test_two_runs_into_one_folder_at_once_are_refused(folder: Path, tmp_path: Path) -> None:
    from extractor.bulk.dataset import DatasetError, exclusive

    out = tmp_path / "out"
    out.mkdir()
    with exclusive(out), pytest.raises(DatasetError, match="another bulk run is writing to this folder"):
        bulk([folder], out)


def test_command_line_errors_and_export(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert cli.main(["bulk", str(tmp_path / "nothing-here"), "--out", str(out)]) == 2
    assert "nothing-here: no such file or folder" in capsys.readouterr().err
    assert not out.exists()

    assert cli.main(["export", str(out)]) == 2
    assert "no dataset.sqlite here" in capsys.readouterr().err

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "records.csv").write_text("someone else's\n", encoding="utf-8")
    assert cli.main(["bulk", str(folder / "pci-2024-toan-quoc.txt"), "--out", str(theirs)]) == 2
    assert "holds records.csv but no dataset.sqlite" in capsys.readouterr().err
    assert (theirs / "records.csv").read_text(encoding="utf-8") == "someone else's\n"

    assert cli.main(["bulk", str(folder / "pci-2024-toan-quoc.txt"), "--out", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "1 files ok, 0 failed" in err and "records.jsonl" in err
    (out / "records.csv").unlink()
    assert cli.main(["export", str(out)]) == 0
    assert (out / "records.csv").read_text(encoding="utf-8").startswith("\ufeffpath,page,start,end,kind,surface,value,unit,")


def test_folders_are_walked_for_document_names_and_the_output_folder_is_left_out(folder: Path, tmp_path: Path) -> None:
    out = folder / "dataset"
    out.mkdir()
    (out / "records.jsonl").write_text("{}\n", encoding="utf-8")
    found = find_documents([str(folder), str(folder / "*.json")], exclude=[out])
    assert [Path(f).relative_to(folder).as_posix() for f in found.files] == [
        "ben-tre-papi-2020.pdf", "cut.pdf", "pci-2024-toan-quoc.txt", "quang-tri-par-2023.txt", "sub/copy.txt", "notes.json"]


def test_progress_redraws_one_line_on_a_terminal_and_logs_lines_elsewhere() -> None:
    terminal = io.StringIO()
    progress = Progress(2, stream=terminal, tty=True)
    progress.advance("a.txt", ok=True, detail="3 records")
    progress.advance("b.pdf", ok=False, detail="damaged or truncated PDF")
    progress.close()
    shown = terminal.getvalue()
    assert "\r" in shown and "2/2 files" in shown and "1 failed" in shown and "files/s" in shown
    assert "failed: b.pdf: damaged or truncated PDF\n" in shown

    log = io.StringIO()
    progress = Progress(2, stream=log, tty=False)
    progress.advance("a.txt", ok=True, detail="3 records")
    progress.advance("b.pdf", ok=False, detail="damaged")
    progress.close()
    assert log.getvalue() == "[1/2] ok: a.txt (3 records)\n[2/2] failed: b.pdf: damaged\n"


def test_a_dataset_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    conn = open_dataset(tmp_path, create=True)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(Exception, match="schema version 0"):
        export(tmp_path)
