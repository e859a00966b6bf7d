"""The command line, as a user runs it: outputs, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from conftest import QUICKSTART_SAMPLE, REPO
from extractor.records import Extraction

SAMPLE = str(QUICKSTART_SAMPLE)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def second(tmp_path: Path) -> Path:
    path = tmp_path / "thong-bao.txt"
    path.write_text("Chỉ số SIPAS năm 2023 của tỉnh đạt 82,47%.", encoding="utf-8")
    return path


def test_extract_one_file_prints_one_valid_object(capsys) -> None:
    code, out, err = run(capsys, "extract", SAMPLE)
    assert (code, err) == (0, "")
    data = json.loads(out)
    Extraction.model_validate(data)
    assert data["schema_version"] == "2"
    assert data["source"]["path"] == SAMPLE
    assert data["source"]["format"] == "txt"
    assert data["source"]["pages"] == 1
    assert data["source"]["encoding"] == "utf-8"
    assert data["source"]["bytes"] == QUICKSTART_SAMPLE.stat().st_size
    assert data["warnings"] == []
    assert "pages" not in data


def test_extract_several_files_json_array_and_jsonl_keep_argument_order(capsys, second: Path) -> None:
    code, out, _ = run(capsys, "extract", str(second), SAMPLE)
    assert code == 0
    assert [d["source"]["path"] for d in json.loads(out)] == [str(second), SAMPLE]

    code, out, _ = run(capsys, "extract", "--format", "jsonl", SAMPLE, str(second))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert [json.loads(line)["source"]["path"] for line in lines] == [SAMPLE, str(second)]


def test_include_text_adds_the_normalized_pages(capsys, second: Path) -> None:
    _, out, _ = run(capsys, "extract", "--include-text", str(second))
    assert json.loads(out)["pages"] == [{"number": 1, "text": "Chỉ số SIPAS năm 2023 của tỉnh đạt 82,47%."}]


def test_output_file_is_never_overwritten_without_force(capsys, tmp_path: Path) -> None:
    out_file = tmp_path / "ket-qua.jsonl"
    assert run(capsys, "extract", SAMPLE, "-o", str(out_file))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8").splitlines()[0])["source"]["path"] == SAMPLE  # jsonl from suffix

    out_file.write_text("kept", encoding="utf-8")
    code, out, err = run(capsys, "extract", SAMPLE, "-o", str(out_file))
    assert code == 2 and out == ""
    assert err == f"error: {out_file}: already exists; use --force to overwrite it\n"
    assert out_file.read_text(encoding="utf-8") == "kept"

    assert run(capsys, "extract", SAMPLE, "-o", str(out_file), "--force")[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["source"]["path"] == SAMPLE
    assert [p.name for p in tmp_path.iterdir()] == ["ket-qua.jsonl"]  # no temporary file left


def test_some_bad_inputs_still_write_the_good_ones_with_exit_1(capsys, tmp_path: Path, second: Path) -> None:
    missing = tmp_path / "khong-co.txt"
    code, out, err = run(capsys, "extract", "--format", "jsonl", str(missing), str(second))
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {"path": str(missing), "error": "no such file"}  # every input has its line (issue 20)
    assert [line["source"]["path"] for line in lines[1:]] == [str(second)]
    assert err == f"error: {missing}: no such file\n"

    code, out, err = run(capsys, "extract", str(missing), str(second))
    assert [d["source"]["path"] for d in json.loads(out)] == [str(second)]  # a JSON array holds extractions only


def test_no_readable_input_exits_2_and_prints_nothing(capsys, tmp_path: Path) -> None:
    out_file = tmp_path / "out.json"
    code, out, _ = run(capsys, "extract", str(tmp_path / "a.txt"), "-o", str(out_file))
    assert (code, out) == (2, "")
    assert not out_file.exists()


def test_text_prints_pages_with_a_separator_and_page_alone_exactly(capsys) -> None:
    code, out, _ = run(capsys, "text", SAMPLE)
    assert code == 0
    assert out.startswith(f"=== page 1/1 · {SAMPLE} ===\nUBND TỈNH QUẢNG TRỊ\nSỞ NỘI VỤ\n\n")
    assert "Chỉ số cải cách hành chính (PAR INDEX) và Chỉ số hài lòng" in out  # wrapped line joined
    assert "đơn giản hóa 112 thủ tục" in out  # "hoá" folded to "hóa"

    code, page, _ = run(capsys, "text", "--page", "1", SAMPLE)
    from extractor import load

    assert code == 0 and page == load(SAMPLE).pages[0].text

    code, _, err = run(capsys, "text", "--page", "2", SAMPLE)
    assert code == 2 and err == f"error: {SAMPLE}: no page 2 (the document has 1)\n"


def test_schema_describes_the_output_contract(capsys) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert set(schema["required"]) >= {"source"}
    assert set(schema["properties"]) == {"schema_version", "source", "records", "metrics", "warnings", "pages"}
    kinds = {d["properties"]["kind"]["const"] for d in schema["$defs"].values() if "kind" in d.get("properties", {})}
    assert kinds == {"count", "percent", "score", "score_change", "rank", "rank_change", "ratio", "money", "date", "period", "legal_ref"}
    assert {"integer", "number"} <= {t.get("type") for t in schema["$defs"]["ScoreRecord"]["properties"]["value"]["anyOf"]}


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == "vnreform 0.1.0 (output schema_version 2)\n"


def test_bad_inputs_end_to_end_one_line_each_no_traceback(tmp_path: Path) -> None:
    """Run as a user does, in a new process: every bad input is one line on stderr."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "random.dat"
    binary.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    bad = [tmp_path / "missing.txt", tmp_path, empty, binary, pdf]
    result = subprocess.run(
        [sys.executable, "cli.py", "extract", *map(str, bad)], cwd=REPO, capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {bad[0]}: no such file",
        f"error: {bad[1]}: is a directory, not a file",
        f"error: {empty}: empty file",
        f"error: {binary}: binary data, not text (and not PDF, HTML or DOCX)",
        f"error: {pdf}: damaged or truncated PDF (PDFium could not parse it)",
    ]
    assert "Traceback" not in result.stderr


def test_an_internal_error_is_one_line_and_the_batch_goes_on(capsys, monkeypatch, second: Path) -> None:
    import extractor.pipeline as pipeline

    real = pipeline.extract_file

    def flaky(path, **kwargs):
        if str(path) == SAMPLE:
            raise RuntimeError("simulated bug\nwith two lines")
        return real(path, **kwargs)

    monkeypatch.setattr(pipeline, "extract_file", flaky)
    code, out, err = run(capsys, "extract", SAMPLE, str(second))
    assert code == 1
    assert [d["source"]["path"] for d in json.loads(out)] == [str(second)]
    assert err == f"error: {SAMPLE}: internal error (RuntimeError: simulated bug with two lines); please report it\n"


def test_extract_writes_each_document_as_it_comes_with_the_same_text(tmp_path: Path) -> None:
    """The output is written document by document (memory holds one), and is the text
    json.dumps gives for all of them at once, as a JSON array and as JSON Lines."""
    from extractor.output import Writer
    from extractor.pipeline import extract_text

    extractions = [extract_text("Chỉ số CCHC năm 2019 đạt 81,42 điểm."), extract_text("PAR INDEX 2023 của tỉnh xếp thứ 5/63.")]
    data = [e.to_jsonable() for e in extractions]
    whole = {"json": json.dumps(data, ensure_ascii=False, indent=2) + "\n",
             "jsonl": "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data)}
    for fmt in ("json", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        writer = Writer(str(out), fmt, as_array=True)
        writer.write(extractions[0])
        assert not out.exists()  # a temporary file until the end
        writer.write(extractions[1])
        writer.close()
        assert out.read_text(encoding="utf-8") == whole[fmt]
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    empty = tmp_path / "empty.json"
    Writer(str(empty), "json", as_array=True).close()
    assert not empty.exists()
