"""Bulk on a Dask distributed cluster gives the local pool's dataset, row for row.

A LocalCluster (``--scheduler local``), then a real cluster on 127.0.0.1: a ``dask
scheduler`` and two ``dask worker`` processes started here, one of them SIGKILLed part way
through a run (nothing lost, nothing doubled). Timings aside, the tables and the exports
must equal a run of the local pool over the same folder.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_bulk import _count_documents
from test_bulk_faults import PROVINCES, _text, assert_same_dataset, rows

from conftest import REPO
from extractor.bulk import run_bulk

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install '.[cluster]')")

BIN = Path(sys.executable).parent
ENV = {**os.environ, "VN_REFORM_OCR": "off", "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
DEV = REPO / "corpus" / "dev"


def _bulk(folder: Path, out: Path, **options) -> None:
    run_bulk([str(folder)], out, workers=2, stream=io.StringIO(), tty=False, **options)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four texts and a PDF from corpus/dev, and an empty file (a failed row)."""
    folder = tmp_path_factory.mktemp("cluster") / "small"
    folder.mkdir()
    for name in ("quang-tri-par-2023.txt", "bac-ninh-qd-125-2024.txt", "ben-tre-papi-2020.txt",
                 "binh-duong-766-thang-02-2025.txt", "ben-tre-papi-2020.pdf"):
        shutil.copy(DEV / name, folder / name)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def small_reference(small: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    _bulk(small, out)
    return out


def test_local_cluster_gives_the_local_pools_dataset(small: Path, small_reference: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    out = tmp_path / "out"
    _bulk(small, out, scheduler="local")
    assert rows(out, "SELECT path, status, documents.error FROM documents JOIN document_paths USING (sha256) ORDER BY path") == [
        (str(small / "bac-ninh-qd-125-2024.txt"), "ok", None),
        (str(small / "ben-tre-papi-2020.pdf"), "ok", None),
        (str(small / "ben-tre-papi-2020.txt"), "ok", None),
        (str(small / "binh-duong-766-thang-02-2025.txt"), "ok", None),
        (str(small / "empty.txt"), "failed", "empty file"),
        (str(small / "quang-tri-par-2023.txt"), "ok", None),
    ]
    assert_same_dataset(out, small_reference)


# --- a real cluster on 127.0.0.1 -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker_pids(address: str, count: int, seconds: float = 30) -> dict[str, int]:
    """The pids of the cluster's worker processes, once ``count`` are connected."""
    deadline = time.monotonic() + seconds
    with distributed.Client(address, timeout=seconds) as client:
        while len(client.nthreads()) < count:
            assert time.monotonic() < deadline, f"{count} Dask workers did not connect within {seconds} s"
            time.sleep(0.2)
        return client.run(os.getpid)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path / "cluster.log").open("wb")
    processes = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], cwd=REPO, env=ENV, stdout=log, stderr=log)]
    try:
        for _ in range(2):
            processes.append(subprocess.Popen([BIN / "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                               "--no-dashboard"], cwd=REPO, env=ENV, stdout=log, stderr=log))
        _worker_pids(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _cli(*args: str, env: dict[str, str] = ENV) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "extractor", "bulk", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _many(folder: Path, count: int = 30) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"doc-{i:02d}.txt").write_text(_text(i, PROVINCES[i % len(PROVINCES)]), encoding="utf-8")
    return folder


def _wait_saved(run: subprocess.Popen, out: Path, count: int, seconds: float = 30) -> None:
    """Until the running ``run`` has saved ``count`` documents."""
    deadline = time.monotonic() + seconds
    while _count_documents(out) < count:
        assert time.monotonic() < deadline and run.poll() is None, "the run saved nothing"
        time.sleep(0.05)


def test_a_real_cluster_gives_the_local_pools_dataset_even_when_a_worker_is_killed(
        cluster: str, small: Path, small_reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    run = _cli(str(small), "--out", str(out), "--scheduler", cluster)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 1, err.decode()  # the empty file failed
    assert_same_dataset(out, small_reference)

    many = _many(tmp_path / "many")
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    reference = tmp_path / "reference"
    _bulk(many, reference)

    out = tmp_path / "killed"
    run = _cli(str(many), "--out", str(out), "--scheduler", cluster, env={**ENV, "VN_REFORM_TEST_DELAY": "0.2"})
    try:
        _wait_saved(run, out, 5, 30)
        victim = sorted(_worker_pids(cluster, 2).values())[0]
        assert _count_documents(out) < 30
        os.kill(victim, signal.SIGKILL)  # its nanny starts a fresh worker; its tasks run again
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, err.decode()
    assert rows(out, "SELECT count(*), count(DISTINCT sha256) FROM documents WHERE status = 'ok'") == [(30, 30)]
    assert_same_dataset(out, reference)


def test_a_file_that_kills_its_workers_and_one_that_hangs_are_failed_rows(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"doc-{i}.txt").write_text(_text(i, PROVINCES[i]), encoding="utf-8")
    (folder / "crash.txt").write_text(_text(7, PROVINCES[7]), encoding="utf-8")
    (folder / "hang.txt").write_text(_text(8, PROVINCES[8]), encoding="utf-8")
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    monkeypatch.setenv("VN_REFORM_TEST_CRASH_ON", "crash.txt")
    monkeypatch.setenv("VN_REFORM_TEST_SLEEP_ON", "hang.txt")
    out = tmp_path / "out"
    summary = run_bulk([str(folder)], out, workers=2, timeout=10, scheduler="local", stream=io.StringIO(), tty=False)
    assert (summary.processed, summary.processed_failed, summary.exit_code) == (6, 2, 1)
    assert rows(out, "SELECT path, documents.error FROM documents JOIN document_paths USING (sha256)"
                     " WHERE status = 'failed' ORDER BY path") == [
        (str(folder / "crash.txt"), "worker crashed (a Dask worker died running it 2 times)"),
        (str(folder / "hang.txt"), "timed out after 10 s"),
    ]
    assert rows(out, "SELECT count(*) FROM documents WHERE status = 'ok'") == [(4,)]


def test_a_client_killed_mid_run_resumes_to_the_dataset_of_an_uninterrupted_run(
        cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = _many(tmp_path / "many")
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    reference = tmp_path / "reference"
    _bulk(many, reference)

    out = tmp_path / "out"
    run = _cli(str(many), "--out", str(out), "--scheduler", cluster, env={**ENV, "VN_REFORM_TEST_DELAY": "0.2"})
    try:
        _wait_saved(run, out, 5, 30)
        run.kill()  # SIGKILL of the client: the only writer dies between or inside transactions
        run.wait()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    saved = _count_documents(out)
    assert 5 <= saved < 30
    again = _cli(str(many), "--out", str(out), "--scheduler", cluster)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err.decode()
    assert f"{saved} already done" in err.decode()
    assert_same_dataset(out, reference)


# --- a scan's pages as tasks -----------------------------------------------------------


def _three_page_scan(path: Path) -> Path:
    """Three one-page scans of corpus/dev as one PDF: three pages for OCR."""
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    for name in ("quang-tri-par-2023", "lao-cai-papi-2021", "tien-giang-pci-2022"):
        merged.import_pages(pdfium.PdfDocument(DEV / f"{name}.scan.pdf"))
    merged.save(path)
    return path


def test_a_scans_pages_are_ocrd_as_tasks_and_give_the_one_task_dataset(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.bulk import cluster
    from extractor.loaders import ocr
    from extractor.loaders.pdf import pages_to_ocr

    monkeypatch.delenv("VN_REFORM_OCR", raising=False)
    if ocr.ocr_unavailable_reason() is not None:
        pytest.skip("Tesseract with its Vietnamese model is not installed")
    folder = tmp_path / "in"
    folder.mkdir()
    scan = _three_page_scan(folder / "three.scan.pdf")
    shutil.copy(DEV / "quang-tri-par-2023.txt", folder / "quang-tri-par-2023.txt")
    assert pages_to_ocr(scan.read_bytes()) == [1, 2, 3]
    reference = tmp_path / "reference"
    _bulk(folder, reference)  # the local pool: the scan in one task, its pages OCR'd side by side

    pools: list[cluster.ClusterPool] = []
    monkeypatch.setattr(cluster.ClusterPool, "__enter__", lambda self, enter=cluster.ClusterPool.__enter__:
                        pools.append(self) or enter(self))
    out = tmp_path / "out"
    _bulk(folder, out, scheduler="local")
    assert [pool.page_tasks for pool in pools] == [3]
    assert rows(out, "SELECT pages, warnings FROM documents WHERE format = 'pdf'") == rows(
        reference, "SELECT pages, warnings FROM documents WHERE format = 'pdf'")
    assert "page 3 was read by OCR" in rows(out, "SELECT warnings FROM documents WHERE format = 'pdf'")[0][0]
    assert rows(out, "SELECT count(*) FROM records JOIN documents USING (sha256) WHERE format = 'pdf'")[0][0] > 0
    assert_same_dataset(out, reference)
    assert rows(out, "SELECT * FROM reviews ORDER BY sha256") == rows(reference, "SELECT * FROM reviews ORDER BY sha256")


def test_the_loader_takes_a_pages_ocr_from_a_page_task_as_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    from extractor.loaders import load_bytes, ocr
    from extractor.loaders.pdf import given_ocr

    monkeypatch.delenv("VN_REFORM_OCR", raising=False)
    if ocr.ocr_unavailable_reason() is not None:
        pytest.skip("Tesseract with its Vietnamese model is not installed")
    data = (DEV / "quang-tri-par-2023.scan.pdf").read_bytes()
    document = pdfium.PdfDocument(data)
    page = ocr.ocr_page(document, 1)  # what a page task returns
    assert isinstance(page, ocr.OcrPage) and page == ocr.ocr_pages(document, [1])[1]
    document.close()
    alone = load_bytes(data, "scan.pdf")

    def no_tesseract(document: object, numbers: list[int]) -> dict:
        assert numbers == [], numbers  # every page to OCR was given
        return {}

    monkeypatch.setattr(ocr, "ocr_pages", no_tesseract)
    with given_ocr({1: page}):
        given = load_bytes(data, "scan.pdf")
    assert [p.text for p in given.pages] == [p.text for p in alone.pages]
    assert (given.ocr_pages, given.warnings) == (alone.ocr_pages, alone.warnings) == ([1], ["page 1 was read by OCR"])
    boxes, expected = given.pages[0].boxes, alone.pages[0].boxes
    assert boxes is not None and expected is not None
    assert (boxes.rects.tobytes(), boxes.view, boxes.rotation) == (expected.rects.tobytes(), expected.view, expected.rotation)
    with given_ocr({1: ocr.OcrError("Tesseract ran out of time (120 s)")}):
        failed = load_bytes(data, "scan.pdf")
    assert failed.warnings[0] == "page 1 has no text layer; OCR failed: Tesseract ran out of time (120 s)"


def test_ctrl_c_cancels_the_cluster_run_and_leaves_a_dataset_that_resumes(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    many = _many(tmp_path / "many", 20)
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    reference = tmp_path / "reference"
    _bulk(many, reference)

    out = tmp_path / "out"
    run = _cli(str(many), "--out", str(out), "--scheduler", "local", "--workers", "2", env={**ENV, "VN_REFORM_TEST_DELAY": "0.3"})
    try:
        _wait_saved(run, out, 3, 60)
        run.send_signal(signal.SIGINT)  # what Ctrl-C sends
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 130, err.decode()
    assert rows(out, "PRAGMA integrity_check") == [("ok",)]
    assert 3 <= _count_documents(out) < 20
    _bulk(many, out, scheduler="local")
    assert_same_dataset(out, reference)
