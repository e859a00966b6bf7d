"""What a new user meets first (issue 20): stdin, CSV, a JSONL line per input, --help
examples, clear TypeErrors, a described schema, from a metric to its records."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import cli
import extractor
from conftest import QUICKSTART_SAMPLE, REPO

SAMPLE = str(QUICKSTART_SAMPLE)
BOM = b"\xef\xbb\xbf"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_stdin_gives_the_metrics_the_file_gives() -> None:
    result = subprocess.run(
        [sys.executable, "cli.py", "extract", "-"], cwd=REPO, input=QUICKSTART_SAMPLE.read_bytes(), capture_output=True
    )
    assert (result.returncode, result.stderr) == (0, b"")
    from_stdin = json.loads(result.stdout)
    from_file = extractor.extract_file(SAMPLE).to_jsonable()
    assert from_stdin["metrics"] == from_file["metrics"]
    assert from_stdin["records"] == from_file["records"]
    assert from_stdin["source"]["path"] == "<stdin>"
    assert from_stdin["source"]["sha256"] == from_file["source"]["sha256"]


def test_empty_stdin_is_one_error_line() -> None:
    result = subprocess.run([sys.executable, "cli.py", "extract", "-"], cwd=REPO, input=b"", capture_output=True)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == "error: <stdin>: empty file\n"


def test_csv_has_a_bom_the_columns_and_the_metric_values(tmp_path: Path) -> None:
    out = tmp_path / "metrics.csv"
    assert cli.main(["extract", "--format", "csv", SAMPLE, "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(BOM + b"path,indicator,subject,subject_type,subject_id,province_2025,year,period,score,unit,"
                           b"rank,rank_total,score_change,rank_change,compared_to,aggregate,page,start,end,quote,id\r\n")
    rows = csv_rows(data)
    par = next(row for row in rows if row["indicator"] == "PAR_INDEX")
    assert {k: par[k] for k in ("path", "subject", "subject_type", "province_2025", "year", "score", "unit", "rank",
                                "rank_total", "score_change", "rank_change", "compared_to", "quote", "period")} == {
        "path": SAMPLE, "subject": "Quảng Trị", "subject_type": "province", "province_2025": "Quảng Trị", "year": "2023",
        "score": "85.12", "unit": "%", "rank": "31", "rank_total": "63", "score_change": "1.39", "rank_change": "6",
        "compared_to": "2022", "quote": "85,12%", "period": "",
    }
    assert par["id"] == "m-PAR_INDEX-province:Quảng Trị (cũ)-2023"
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()  # 0644 under the usual umask 022, not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]  # no temporary file left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_csv_of_several_documents_is_one_table_with_one_header(capsys, tmp_path: Path) -> None:
    second = tmp_path / "thong-bao.txt"
    second.write_text("Chỉ số SIPAS năm 2023 của tỉnh Quảng Trị đạt 82,47%.", encoding="utf-8")
    code, out, _ = run(capsys, "extract", "--format", "csv", SAMPLE, str(second))
    assert code == 0
    assert out.count("\ufeff") == 1 and out.count("path,indicator") == 1
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert [(row["path"], row["indicator"]) for row in rows] == [
        (SAMPLE, "PAR_INDEX"), (SAMPLE, "SIPAS"), (str(second), "SIPAS")
    ]


def test_records_csv(tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    assert cli.main(["extract", "--records", SAMPLE, "-o", str(out)]) == 0  # csv from the suffix
    data = out.read_bytes()
    assert data.startswith(BOM + b"path,page,start,end,kind,surface,value,unit,rank,total,symbol,date,sentence,rule,"
                           b"table,row,col,id\r\n")
    rows = csv_rows(data)
    assert len(rows) == len(extractor.extract_file(SAMPLE).records)
    by_id = {row["id"]: row for row in rows}
    assert {k: by_id["p1-365-371-percent"][k] for k in ("page", "start", "end", "kind", "surface", "value", "unit")} == {
        "page": "1", "start": "365", "end": "371", "kind": "percent", "surface": "85,12%", "value": "85.12", "unit": "%"}
    assert {k: by_id["p1-98-112-date"][k] for k in ("kind", "value", "date")} == {"kind": "date", "value": "", "date": "2024-04-17"}
    rank = next(row for row in rows if row["kind"] == "rank" and row["rank"] == "31")
    assert (rank["total"], rank["surface"]) == ("63", "xếp thứ 31/63")


def test_records_without_csv_is_refused(capsys) -> None:
    code, out, err = run(capsys, "extract", "--records", SAMPLE)
    assert (code, out) == (2, "")
    assert err == "error: --records goes with --format csv (JSON output has the records already)\n"


def test_jsonl_has_a_line_per_input_with_the_failure_in_place(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.txt"
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "extract", SAMPLE, str(missing), SAMPLE, "-o", str(out))
    assert code == 1
    assert err == f"error: {missing}: no such file\n"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    assert lines[1] == {"path": str(missing), "error": "no such file"}
    assert [lines[0]["source"]["path"], lines[2]["source"]["path"]] == [SAMPLE, SAMPLE]


@pytest.mark.parametrize("command", ["extract", "text", "review", "eval", "schema", "bulk", "export"])
def test_every_command_help_has_examples(capsys, command: str) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0
    assert "\nExamples:\n" in out
    assert f"vnreform {command} " in out.split("Examples:")[1]


def test_api_type_errors_name_the_expected_type() -> None:
    with pytest.raises(TypeError) as caught:
        extractor.extract_text(b"Chi so")  # type: ignore[arg-type]
    assert str(caught.value) == ("extract_text() takes the text as str, not bytes; decode it, "
                                 "or use extract_file / load_bytes for files")
    with pytest.raises(TypeError) as caught:
        extractor.extract_text(None)  # type: ignore[arg-type]
    assert str(caught.value) == "extract_text() takes the text as str, not None"
    with pytest.raises(TypeError) as caught:
        extractor.extract_file(123)  # type: ignore[arg-type]
    assert str(caught.value) == "extract_file() takes a path as str or os.PathLike, not int"
    with pytest.raises(TypeError) as caught:
        extractor.extract_file(QUICKSTART_SAMPLE.read_bytes())  # type: ignore[arg-type]
    assert str(caught.value).startswith("extract_file() takes a path as str or os.PathLike, not bytes; for a document's content")
    with pytest.raises(TypeError) as caught:
        extractor.extract_document(SAMPLE)  # type: ignore[arg-type]
    assert str(caught.value).startswith("extract_document() takes a Document (from load or load_bytes), not str")


def test_schema_names_itself_and_describes_every_field(capsys) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:vn-reform-extractor:output:2"
    metric = schema["$defs"]["Metric"]["properties"]
    assert {"indicator", "score", "unit", "rank", "evidence"} <= set(metric)
    assert [name for name, spec in metric.items() if not spec.get("description")] == []
    for name in ("Source", "PageText", "RankRecord", "DateRecord", "LegalRefRecord"):
        props = schema["$defs"][name]["properties"]
        assert [field for field, spec in props.items() if not spec.get("description")] == [], name
    assert [field for field, spec in schema["properties"].items() if not spec.get("description")] == []


def test_help_of_record_reads_as_documentation() -> None:
    import pydoc

    text = pydoc.render_doc(extractor.Record, renderer=pydoc.plaintext)
    assert "One value found in a document: one of eleven record classes, told apart by ``kind``." in text
    assert "rank         RankRecord          rank, total" in text
    assert "RankRecord" in pydoc.render_doc(extractor.records, renderer=pydoc.plaintext).split("CLASSES")[0]


def test_evidence_records_in_evidence_order() -> None:
    result = extractor.extract_file(SAMPLE)
    par = next(m for m in result.metrics if m.indicator == "PAR_INDEX")
    records = par.evidence_records(result)
    assert [r.id for r in records] == par.evidence
    assert [(r.kind, r.surface) for r in records] == [
        ("rank_change", "tăng 6 bậc"), ("percent", "85,12%"), ("score_change", "tăng 1,39% so với năm 2022"),
        ("rank", "xếp thứ 31/63"), ("rank_change", "tăng 6 bậc so với năm 2022"),
    ]
    other = extractor.extract_text("Chỉ số CCHC năm 2019 đạt 81,42 điểm.")
    with pytest.raises(ValueError, match="not among the extraction's records"):
        par.evidence_records(other)

