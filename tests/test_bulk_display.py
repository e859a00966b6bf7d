"""What ``bulk`` tells its user: files it skips, a missing package, the command that
retries failures, paths relative to the INPUT, and the live display on a terminal."""

from __future__ import annotations

import importlib.util
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

import cli
from conftest import CORPUS
from extractor.bulk import DATABASE, Summary, describe, run_bulk
from extractor.bulk import run as bulk_run
from extractor.bulk.pool import PoolError, WorkerPool
from extractor.bulk.progress import PageEstimate, Progress
from extractor.bulk.walk import find_documents

DEV = CORPUS / "dev"


def files_view(out: Path) -> list[tuple]:
    conn = sqlite3.connect(out / DATABASE)
    try:
        return conn.execute("SELECT path, relative_path, status FROM files ORDER BY relative_path").fetchall()
    finally:
        conn.close()


def test_files_a_folder_walk_skips_are_counted_by_suffix_with_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.doc", "b.DOC", "sub/c.doc", "t.xlsx", "sub/u.xlsx", "photo.jpg", "README", ".DS_Store"):
        (folder / name).write_bytes(b"x")
    stream = io.StringIO()
    summary = run_bulk([str(folder)], tmp_path / "out", stream=stream, tty=False)
    assert stream.getvalue() == (
        "bulk: skipped 7 files that are not documents it reads:\n"
        "  .doc: 3 (convert to .docx: libreoffice --headless --convert-to docx FILE)\n"
        "  .xlsx: 2 (spreadsheets are not read)\n"
        "  2 other files\n"
    )  # hidden files are not counted
    assert summary.files == 0 and summary.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_a_missing_package_stops_the_run_in_one_line_before_any_work(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        shutil.copy(DEV / "ben-tre-papi-2020.pdf", folder / name)
    shutil.copy(DEV / "quang-tri-par-2023.txt", folder / "c.txt")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pypdfium2" else real(name, *a))

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(bulk_run, "WorkerPool", no_pool)
    out = tmp_path / "out"
    assert cli.main(["bulk", str(folder), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "error: bulk needs the Python package pypdfium2 to read 2 PDF files; install it with pip install pypdfium2\n")
    assert not out.exists()  # no dataset, not even an empty one


def test_the_summary_suggests_retry_failed_with_the_same_inputs_and_out() -> None:
    summary = Summary(out=Path("my data"), inputs=["reports/", "a b.pdf"], files=3, documents=3, processed=3,
                      processed_failed=1, ok_files=2, failed_files=1)
    assert describe(summary).splitlines()[-1] == (
        "1 file failed; to try them again: vnreform bulk reports/ 'a b.pdf' --out 'my data' --retry-failed")
    assert "--retry-failed" not in describe(Summary(out=Path("d"), inputs=["r"], files=1, ok_files=1))


def test_paths_are_kept_relative_to_their_input_and_a_moved_collection_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    (folder / "2023").mkdir(parents=True)
    shutil.copy(DEV / "quang-tri-par-2023.txt", folder / "2023" / "qt.txt")
    (folder / "cut.pdf").write_bytes((DEV / "ben-tre-papi-2020.pdf").read_bytes()[:3000])
    alone = tmp_path / "elsewhere" / "pci.txt"
    alone.parent.mkdir()
    shutil.copy(DEV / "pci-2024-toan-quoc.txt", alone)
    out = tmp_path / "out"
    summary = run_bulk([str(folder), str(alone)], out, workers=1, stream=io.StringIO(), tty=False)
    assert files_view(out) == [
        (str(folder / "2023" / "qt.txt"), "2023/qt.txt", "ok"),
        (str(folder / "cut.pdf"), "cut.pdf", "failed"),
        (str(alone), "pci.txt", "ok"),  # a file named as such: its name
    ]
    assert describe(summary).splitlines()[-1] == (
        f"1 file failed; to try them again: vnreform bulk {folder} {alone} --out {out} --retry-failed")

    moved = folder.rename(tmp_path / "reports-2024")
    again = run_bulk([str(moved)], out, workers=1, stream=io.StringIO(), tty=False)
    assert (again.processed, again.skipped, again.removed) == (0, 2, 2)
    assert files_view(out) == [
        (str(moved / "2023" / "qt.txt"), "2023/qt.txt", "ok"),
        (str(moved / "cut.pdf"), "cut.pdf", "failed"),
        (str(alone), "pci.txt", "ok"),  # outside the new INPUT and still there: kept
    ]


def test_pages_left_count_a_text_as_one_page_and_a_pdf_by_its_bytes() -> None:
    estimate = PageEstimate([("pdf", 10_000), ("pdf", 30_000), ("other", 2_000), ("other", 50)])
    assert estimate.pages_left() is None  # PDFs to do and none read: no guess
    estimate.done("pdf", 10_000, 5)  # 2,000 bytes a PDF page
    assert estimate.pages_left() == 15 + 2
    estimate.done("pdf", 30_000, None)  # a failed PDF: its bytes are done, its pages unknown
    estimate.done("other", 2_000, 1)
    assert estimate.pages_left() == 1


def test_the_terminal_display_shows_the_files_in_progress_pages_and_failures() -> None:
    terminal = io.StringIO()
    progress = Progress(3, stream=terminal, tty=True, files=[("/in/a.pdf", 8000), ("/in/b.pdf", 4000), ("/in/c.txt", 100)])
    progress.working_on(["a.pdf", "sub/b.pdf"])
    progress.advance("a.pdf", ok=True, detail="3 records", pages=4, size=8000)
    progress.working_on(["sub/b.pdf", "c.txt"])
    progress.advance("c.txt", ok=False, detail="not text", size=100)

    shown = io.StringIO()
    Console(file=shown, force_terminal=True, width=100).print(progress.renderable())
    screen = shown.getvalue()
    assert "2/3 files | 4 pages of ~6 | 1 failed" in screen  # 4000 PDF bytes left at 2000 a page
    assert "working on: sub/b.pdf, c.txt" in screen
    assert "pages/s" in screen and "left" in screen
    progress.close()
    assert "failed: c.txt: not text\n" in terminal.getvalue()  # above the display, in full


def test_a_log_gets_one_line_per_file_and_no_display() -> None:
    log = io.StringIO()
    progress = Progress(2, stream=log, tty=False, files=[("/in/a.txt", 10), ("/in/b.txt", 10)])
    progress.working_on(["a.txt", "b.txt"])
    progress.advance("a.txt", ok=True, detail="3 records", pages=1, size=10)
    progress.advance("b.txt", ok=True, detail="0 records", pages=1, size=10)
    progress.close()
    assert log.getvalue() == "[1/2] ok: a.txt (3 records)\n[2/2] ok: b.txt (0 records)\n"


def test_a_glob_s_files_are_relative_to_its_folder_before_the_first_wildcard(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "reports" / "2023").mkdir(parents=True)
    (tmp_path / "reports" / "2023" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "reports" / "b.txt").write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = find_documents(["reports/**/*.txt"])
    assert found.relative == {str(tmp_path / "reports" / "2023" / "a.txt"): "2023/a.txt",
                              str(tmp_path / "reports" / "b.txt"): "b.txt"}


def test_workers_that_cannot_warm_up_stop_the_pool_at_once_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(PoolError) as raised, WorkerPool(1, timeout=60, patterns=tmp_path / "no-patterns") as pool:
        list(pool.run([("k", str(DEV / "quang-tri-par-2023.txt"))]))
    assert str(raised.value) == f"worker processes cannot start: {tmp_path / 'no-patterns'}: no pattern files"


def test_a_pool_that_cannot_start_ends_the_command_in_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise PoolError("worker processes cannot start: no memory")

    monkeypatch.setattr(bulk_run, "WorkerPool", broken)
    shutil.copy(DEV / "quang-tri-par-2023.txt", tmp_path / "a.txt")
    assert cli.main(["bulk", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "error: worker processes cannot start: no memory"
