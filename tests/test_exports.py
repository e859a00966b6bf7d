"""The dataset's exports as spreadsheets and dataframes read them: a BOM before every CSV,
flat columns in a fixed order, ids unique over the dataset, documents with what their
files state, and files with the mode a new file gets (0644 under umask 022), ``extract -o``
included."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import cli
from conftest import CORPUS
from extractor.bulk import export, run_bulk

DEV = CORPUS / "dev"
QUANG_TRI = "quang-tri-par-2023.txt"
BINH_PHUOC = "binh-phuoc-xep-hang-par-2020-2023.html"  # a web page: title and date in its metadata
BOM = b"\xef\xbb\xbf"
CSVS = ("records.csv", "metrics.csv", "subjects.csv", "merged_metrics.csv", "documents.csv")

METRIC_HEADER = [
    "indicator", "subject", "subject_type", "subject_id", "subject_key", "province", "province_2025", "year", "period",
    "score", "unit", "rank", "rank_total", "score_change", "rank_change", "compared_to", "aggregate", "conflict",
    "path", "page", "start", "end", "quote", "id", "local_id", "sha256", "evidence", "inferred", "inferred_from",
    "alternatives",
]
RECORD_HEADER = [
    "path", "page", "start", "end", "kind", "surface", "value", "unit", "rank", "total", "symbol", "date", "sentence",
    "table", "row", "col", "cell_text", "rule", "id", "local_id", "sha256", "fields",
]
DOCUMENT_HEADER = [
    "sha256", "path", "n_paths", "status", "error", "format", "pages", "bytes", "title", "published", "author", "address",
    "n_records", "n_metrics", "warnings", "text_sha256", "extractor_version", "processed_at",
]



@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bulk run over a text, a web page and a copy of the text (two paths, one document),
    under umask 022, and a file that cannot be read."""
    folder = tmp_path_factory.mktemp("in")
    for name in (QUANG_TRI, BINH_PHUOC):
        shutil.copy(DEV / name, folder / name)
    (folder / "sub").mkdir()
    shutil.copy(DEV / QUANG_TRI, folder / "sub" / "copy.txt")
    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch, umask(0o022):
        patch.setenv("VN_REFORM_OCR", "off")
        summary = run_bulk([str(folder)], out, workers=1, stream=io.StringIO(), tty=False)
    assert summary.exit_code == 0
    return out


def test_every_csv_starts_with_a_bom_and_jsonl_files_do_not(dataset: Path) -> None:
    for name in CSVS:
        assert (dataset / name).read_bytes()[:3] == BOM, name
    for name in ("records.jsonl", "metrics.jsonl"):
        assert (dataset / name).read_bytes()[:1] == b"{", name
    # Read as UTF-8 after the BOM, the Vietnamese names are intact.
    assert "Quảng Trị" in {row["subject"] for row in read_csv(dataset / "metrics.csv")}


def test_metrics_csv_has_flat_columns_and_the_values_a_user_checks(dataset: Path) -> None:
    with open(dataset / "metrics.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == METRIC_HEADER
    rows = read_csv(dataset / "metrics.csv")
    par = [r for r in rows if (r["indicator"], r["subject"], r["year"]) == ("PAR_INDEX", "Quảng Trị", "2023")]
    assert len(par) == 1  # the copy is the same document: one row, named by its smallest path
    row = par[0]
    assert row["path"].endswith("/" + QUANG_TRI) and row["path"] < row["path"].replace(QUANG_TRI, "sub/copy.txt")
    assert {k: row[k] for k in ("subject_type", "province_2025", "period", "score", "unit", "rank", "rank_total",
                                "score_change", "rank_change", "compared_to", "aggregate", "conflict", "page")} == {
        "subject_type": "province", "province_2025": "Quảng Trị", "period": "", "score": "85.12", "unit": "%", "rank": "31",
        "rank_total": "63", "score_change": "1.39", "rank_change": "6", "compared_to": "2022", "aggregate": "",
        "conflict": "0", "page": "1"}
    assert row["quote"] == ("Theo đó, PAR INDEX 2023 của tỉnh Quảng Trị đạt 85,12%, tăng 1,39% so với năm 2022, xếp thứ "
                            "31/63 tỉnh, thành phố, tăng 6 bậc so với năm 2022.")
    assert row["id"] == f"{row['sha256'][:16]}/{row['local_id']}"
    assert "p1-365-371-percent" in json.loads(row["evidence"])  # lists stay JSON text, after the flat columns


def test_metric_ids_are_unique_over_the_dataset(dataset: Path) -> None:
    rows = read_csv(dataset / "metrics.csv")
    assert len({r["sha256"] for r in rows}) == 2 and len(rows) > 2
    assert len({r["id"] for r in rows}) == len(rows)
    records = read_csv(dataset / "records.csv")
    assert len({r["id"] for r in records}) == len(records)


def test_records_csv_has_flat_columns_and_its_kinds_fields_as_json(dataset: Path) -> None:
    with open(dataset / "records.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == RECORD_HEADER
    rank = next(r for r in read_csv(dataset / "records.csv") if r["local_id"] == "p1-401-414-rank")
    assert (rank["kind"], rank["surface"], rank["rank"], rank["total"], rank["page"], rank["start"], rank["end"]) == (
        "rank", "xếp thứ 31/63", "31", "63", "1", "401", "414")
    assert json.loads(rank["fields"])["approx"] is None


def test_documents_csv_has_one_row_per_document_with_title_date_and_warnings(dataset: Path) -> None:
    with open(dataset / "documents.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == DOCUMENT_HEADER
    rows = {Path(r["path"]).name: r for r in read_csv(dataset / "documents.csv")}
    assert sorted(rows) == [BINH_PHUOC, QUANG_TRI]
    page, text = rows[BINH_PHUOC], rows[QUANG_TRI]
    assert (page["format"], page["status"], page["title"], page["published"], page["author"], page["n_paths"]) == (
        "html", "ok", "Bình Phước cải thiện thứ hạng Chỉ số cải cách hành chính", "2024-04-18", "Phòng Thông tin", "1")
    assert (text["format"], text["title"], text["published"], text["n_paths"], text["n_metrics"], text["warnings"]) == (
        "txt", "", "", "2", "2", "")
    assert page["address"] == ""  # the loaders give no URL yet


def test_warnings_are_joined_in_one_cell(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DEV / "ben-tre-papi-2020.docx", folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VN_REFORM_OCR", "off")
        run_bulk([str(folder)], tmp_path / "out", workers=1, stream=io.StringIO(), tty=False)
    (row,) = read_csv(tmp_path / "out" / "documents.csv")
    assert row["warnings"] == "page 1: PAPI Bến Tre 2020: score is 5.71 here but 44.25 earlier; the first is kept"


def test_export_files_get_the_mode_of_a_new_file(dataset: Path) -> None:
    files = [p for p in dataset.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix != ".sqlite"
             and not p.name.startswith("dataset.sqlite")]
    assert {p.name for p in files} >= {*CSVS, "records.jsonl", "metrics.jsonl", "index.html"}
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o644) for p in files}
    with umask(0o027):  # the umask is respected, as open() would
        export(dataset)
    assert {p.name: oct(mode(dataset / p.name)) for p in files if p.parent == dataset} == {
        p.name: oct(0o640) for p in files if p.parent == dataset}
    with umask(0o022):
        export(dataset)


def test_extract_output_file_gets_the_mode_of_a_new_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    with umask(0o022):
        assert cli.main(["extract", str(DEV / QUANG_TRI), "-o", str(out)]) == 0
    assert mode(out) == 0o644
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["sha256"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_the_writer_puts_its_file_in_place_with_the_mode_of_a_new_file(tmp_path: Path) -> None:
    from extractor.output import Writer
    from extractor.pipeline import extract_text

    for mask, expected in ((0o022, 0o644), (0o077, 0o600)):
        out = tmp_path / f"out-{mask:o}.jsonl"
        with umask(mask):
            writer = Writer(str(out), "jsonl", as_array=False)
            writer.write(extract_text("PAR INDEX 2023 của tỉnh Quảng Trị đạt 85,12%."))
            writer.close()
        assert (out.name, oct(mode(out))) == (out.name, oct(expected))
