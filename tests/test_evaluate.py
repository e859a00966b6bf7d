"""Evaluation: matching rules, the figures, and the command on a small corpus with known errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cli
from extractor.evaluate import Counts, evaluate, records_match
from extractor.gold import GoldError, load_gold
from extractor.recognize import recognize_page

TEXT = "Năm 2019 tỉnh đạt 81,42 điểm, xếp hạng thứ 27/63, tăng 01 bậc. Tiếp nhận 1.326 hồ sơ trong 24 giờ."


def corpus(tmp_path: Path, records: list[dict], metrics: list[dict] | None = None) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    gold = {"document": "a.txt", "records": records, "metrics": metrics or []}
    (folder / "a.txt.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return folder


SCORE = {"kind": "score", "surface": "81,42 điểm", "value": 81.42, "unit": "điểm"}
RANK = {"kind": "rank", "surface": "xếp hạng thứ 27/63", "rank": 27, "total": 63}
CHANGE = {"kind": "rank_change", "surface": "tăng 01 bậc", "value": 1, "compared_to": None}
COUNT = {"kind": "count", "surface": "1.326 hồ sơ", "value": 1326, "unit": "hồ sơ"}


def test_counts_give_precision_recall_f1() -> None:
    c = Counts(tp=8, fp=2, fn=8)
    assert (c.precision, c.recall, round(c.f1, 4)) == (0.8, 0.5, 0.6154)
    assert Counts().f1 is None and Counts(fn=3).recall == 0.0


def test_a_perfect_gold_scores_one(tmp_path: Path) -> None:
    report = evaluate([corpus(tmp_path, [SCORE, RANK, CHANGE, COUNT])])
    data = report.as_dict()
    assert data["micro"] == {"gold": 4, "found": 4, "tp": 4, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert data["errors"] == []


def test_wrong_values_are_a_miss_and_a_false_hit(tmp_path: Path) -> None:
    wrong_rank = {**RANK, "total": 34}
    missing = {"kind": "count", "surface": "24 giờ", "value": 24, "unit": "giờ"}
    report = evaluate([corpus(tmp_path, [SCORE, wrong_rank, missing])])  # CHANGE and COUNT left out of gold
    data = report.as_dict()
    assert data["kinds"]["rank"] == {"gold": 1, "found": 1, "tp": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert data["kinds"]["count"] == {"gold": 1, "found": 1, "tp": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert data["kinds"]["score"]["f1"] == 1.0
    assert data["micro"]["tp"] == 1 and data["micro"]["gold"] == 3 and data["micro"]["found"] == 4
    errors = {(e["what"], e["kind"], e["surface"]) for e in data["errors"]}
    assert errors == {
        ("miss", "rank", "xếp hạng thứ 27/63"), ("false", "rank", "xếp hạng thứ 27/63"),
        ("miss", "count", "24 giờ"), ("false", "count", "1.326 hồ sơ"), ("false", "rank_change", "tăng 01 bậc"),
    }
    miss = next(e for e in data["errors"] if e["surface"] == "24 giờ")
    assert miss["sentence"] == "Tiếp nhận 1.326 hồ sơ trong 24 giờ."


def test_metrics_are_counted_apart(tmp_path: Path) -> None:
    metric = {"indicator": "PAR_INDEX", "subject": "Điện Biên", "year": 2019, "score": 81.42, "unit": "điểm"}
    data = evaluate([corpus(tmp_path, [SCORE, RANK, CHANGE, COUNT], [metric])]).as_dict()
    assert data["micro"]["f1"] == 1.0
    assert data["metrics"] == {"gold": 1, "found": 0, "tp": 0, "precision": None, "recall": 0.0, "f1": None}


def test_matching_needs_overlap_and_the_key() -> None:
    (found,) = [r for r in recognize_page(TEXT, 1)[0] if r.kind == "score"]
    shifted = found.model_copy(update={"start": 0, "end": 5, "surface": "Năm 2"})
    assert records_match(found, found)
    assert not records_match(shifted, found)
    assert not records_match(found.model_copy(update={"value": 81}), found)
    assert not records_match(found.model_copy(update={"page": 2}), found)


def test_gold_errors_name_the_entry(tmp_path: Path) -> None:
    folder = corpus(tmp_path, [{**SCORE, "surface": "99,99 điểm"}])
    with pytest.raises(GoldError, match=r"record 1 \(score '99,99 điểm'\): '99,99 điểm' \(occurrence 1\) is not on page 1"):
        load_gold(folder / "a.txt.gold.json")
    (folder / "a.txt.gold.json").write_text(json.dumps({"document": "a.txt", "records": [{**RANK, "rank": "x"}]}), encoding="utf-8")
    with pytest.raises(GoldError, match=r"record 1 \(rank 'xếp hạng thứ 27/63'\): rank: Input should be a valid integer"):
        load_gold(folder / "a.txt.gold.json")


def test_eval_command_prints_the_table_and_errors(tmp_path: Path, capsys) -> None:
    folder = corpus(tmp_path, [SCORE, RANK, CHANGE])
    assert cli.main(["eval", str(folder), "--show-errors"]) == 0
    out = capsys.readouterr().out
    assert "kind            gold  found    tp      P      R     F1" in out
    assert "count              0      1     0  0.000      -      -" in out
    assert "micro              3      4     3  0.750  1.000  0.857" in out
    assert "false  " in out and "count '1.326 hồ sơ' (value=1326)" in out
    assert cli.main(["eval", str(folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["micro"]["found"] == 4


def test_a_record_ocr_lost_counts_as_a_miss(tmp_path: Path) -> None:
    lost = {"kind": "count", "surface": "12 xã", "value": 12, "unit": "xã", "lost": True}
    data = evaluate([corpus(tmp_path, [SCORE, RANK, CHANGE, COUNT, lost])]).as_dict()
    assert data["kinds"]["count"] == {"gold": 2, "found": 1, "tp": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert ("miss", "count", "12 xã") in {(e["what"], e["kind"], e["surface"]) for e in data["errors"]}


def test_records_in_the_wrong_cell_count_against_cells_only(tmp_path: Path) -> None:
    folder = tmp_path / "cells"
    folder.mkdir()
    (folder / "t.txt").write_text("Năm\tKết quả\tXếp hạng\n2022\t86,05%\t17/63\n2023\t89,22%\t9/63\n", encoding="utf-8")
    records = [
        {"kind": "percent", "surface": "86,05%", "value": 86.05, "value_max": None, "table": 1, "row": 1, "col": 2},
        {"kind": "rank", "surface": "17/63", "rank": 17, "total": 63, "table": 1, "row": 1, "col": 3},
        {"kind": "percent", "surface": "89,22%", "value": 89.22, "value_max": None, "table": 1, "row": 2, "col": 2},
        {"kind": "rank", "surface": "9/63", "rank": 9, "total": 63, "table": 1, "row": 2, "col": 2},  # wrong on purpose
    ]
    (folder / "t.txt.gold.json").write_text(json.dumps({"document": "t.txt", "records": records}, ensure_ascii=False), encoding="utf-8")
    data = evaluate([folder]).as_dict()
    assert data["micro"]["f1"] == 1.0  # the values are all right
    assert {k: data["cells"][k] for k in ("gold", "found", "tp", "documents")} == {"gold": 4, "found": 4, "tp": 3, "documents": 1}
    cell_errors = [(e["what"], e["surface"], e["key"]) for e in data["errors"] if e["kind"] == "cell"]
    assert cell_errors == [
        ("miss", "9/63", {"table": "1", "row": "2", "col": "2", "found": "table 1 row 2 col 3"}),
        ("false", "9/63", {"table": "1", "row": "2", "col": "3"}),
    ]


def test_an_average_is_left_out_of_the_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gold never lists averages: a found metric marked aggregate is neither a hit nor a false one."""
    import extractor.evaluate as evaluation
    from extractor.records import Metric

    def metric(subject: str, score: str, **extra: object) -> Metric:
        return Metric(id=subject, indicator="PAR_INDEX", subject=subject, year=2019, score=Decimal(score), page=1, start=0, end=1, **extra)

    real = evaluation.extract_file
    found = [metric("Điện Biên", "81.42"), metric("cả nước", "80.1", aggregate="average")]
    monkeypatch.setattr(evaluation, "extract_file", lambda *a, **k: real(*a, **k).model_copy(update={"metrics": found}))
    gold = {"indicator": "PAR_INDEX", "subject": "Điện Biên", "year": 2019, "score": 81.42, "unit": "điểm"}
    data = evaluate([corpus(tmp_path, [SCORE, RANK, CHANGE, COUNT], [gold])]).as_dict()
    assert {k: data["metrics"][k] for k in ("gold", "found", "tp")} == {"gold": 1, "found": 1, "tp": 1}
    assert [e for e in data["errors"] if e["kind"] == "metric"] == []
