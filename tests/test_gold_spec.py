"""Gold in the GOLD-SPEC format (../shared/reference): a folder of documents with gold/*.json,
scored by value as the reference folder's own scorer does, and reported as its own folder.

The records come from the extractor; the metrics are set by hand (the metric joiner is
not what these tests are about), so every figure here is exact.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cli
import extractor.evaluate as evaluation
from extractor.evaluate import evaluate
from extractor.gold import GoldError
from extractor.gold_spec import SpecFile, SpecGold, SpecMetric, gold_entries, load_spec, match_records, metric_matches
from extractor.records import Extraction, Metric, PercentRecord, RankRecord, ScoreChangeRecord

TEXT = """UBND THÀNH PHỐ CẦN THƠ

Ngày 15/3/2024, Ban Chỉ đạo cải cách hành chính của Chính phủ công bố Chỉ số cải cách hành chính (PAR INDEX) năm 2023: Thành phố Cần Thơ đạt 88,15%, tăng 2,5% so với năm 2022, xếp thứ 12/63 tỉnh, thành phố, tăng 3 bậc.

Chỉ số SIPAS năm 2023 của thành phố đạt 84,20 điểm, dẫn đầu khu vực Đồng bằng sông Cửu Long. Trung bình cả nước đạt 80,12%.

Năm 2023, thành phố giải quyết đúng hạn 1.745/3.377 hồ sơ, thực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ trong giai đoạn 2021 - 2025. Từ năm 2016 đến nay, thành phố đã chi 3,5 tỷ đồng cho 12 phần mềm dùng chung.
"""

GOLD = {
    "doc": "can-tho.txt",
    "legal_refs": [{"symbol": "61/2018/NĐ-CP", "issued": "2018-04-23"},
                   {"symbol": "99/2020/QĐ-UBND", "issued": None}],  # not in the text: a miss
    "percents": [{"value": 88.15, "value_max": None}, {"value": 2.5, "value_max": None},  # "tăng 2,5%" as a percent
                 {"value": 80.12, "value_max": None}],
    "scores": [{"value": 84.2}],
    "score_changes": [],
    "ranks": [{"rank": 12, "total": 63}],  # "dẫn đầu" is no numeric rank
    "rank_changes": [{"value": 3}],
    "ratios": [],  # 1.745/3.377 left out on purpose: a false hit
    "dates": ["2024-03-15", "2018-04-23"],
    "periods": [{"start_year": 2021, "end_year": 2025}],  # "từ năm 2016 đến nay" is not scored
    "metrics": [
        {"indicator": "PAR_INDEX", "subject": "Cần Thơ", "year": 2023, "score": 88.15, "rank": 12, "rank_total": 63,
         "score_change": 2.5, "rank_change": 3},
        {"indicator": "SIPAS", "subject": "Cần Thơ", "year": 2023, "score": 84.2, "rank": 1, "rank_total": None,
         "score_change": None, "rank_change": None},
    ],
    "notes": "written for this test",
}


def metric(indicator: str, subject: str | None, year: int | None, **values: object) -> Metric:
    return Metric(id=f"m-{indicator}-{year}", indicator=indicator, subject=subject, year=year, page=1, start=0, end=1, **values)


FOUND_METRICS = [
    metric("PAR_INDEX", "Thành phố Cần Thơ", 2023, score=Decimal("88.15"), rank=12, rank_total=63),  # a hit
    metric("SIPAS", "Cần Thơ", 2022, score=Decimal("84.2"), rank=1),  # wrong year: a miss and a false hit
    metric("PAR_INDEX", "cả nước", 2023, score=Decimal("80.12"), aggregate="average"),  # an average: left out
    metric("PCI", "Cần Thơ", 2023),  # no value: left out
]


def spec_folder(tmp_path: Path, gold: dict | str = GOLD, name: str = "reference") -> Path:
    folder = tmp_path / name
    (folder / "gold").mkdir(parents=True, exist_ok=True)
    (folder / "can-tho.txt").write_text(TEXT, encoding="utf-8")
    text = gold if isinstance(gold, str) else json.dumps(gold, ensure_ascii=False)
    (folder / "gold" / "can-tho.json").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def set_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extractor's records, with FOUND_METRICS for metrics."""
    real = evaluation.extract_file

    def extract(*args: object, **kwargs: object) -> Extraction:
        return real(*args, **kwargs).model_copy(update={"metrics": FOUND_METRICS})

    monkeypatch.setattr(evaluation, "extract_file", extract)


def figures(counts: dict) -> tuple[int, int, int]:
    """(hit, found, gold), the order the reference scorer prints."""
    return counts["tp"], counts["found"], counts["gold"]


def test_a_gold_spec_folder_is_scored_by_value(tmp_path: Path, set_metrics: None) -> None:
    data = evaluate([spec_folder(tmp_path)]).as_dict()
    kinds = {kind: figures(counts) for kind, counts in data["kinds"].items()}
    assert kinds == {
        "date": (2, 2, 2),
        "legal_ref": (1, 1, 2),
        "percent": (3, 3, 3),  # 88,15% and 80,12%, and "tăng 2,5%" found as a change in %
        "period": (1, 1, 1),  # the open "từ năm 2016 đến nay" is not counted
        "rank": (1, 1, 1),  # "dẫn đầu" is not counted
        "rank_change": (1, 1, 1),
        "ratio": (0, 1, 0),
        "score": (1, 1, 1),
    }  # no count (the gold has no "counts" key), no money
    assert figures(data["micro"]) == (10, 11, 11)
    assert figures(data["metrics"]) == (1, 2, 2)  # the average and the metric with no value are left out
    assert figures(data["micro_with_metrics"]) == (11, 13, 13)
    assert set(data["by_folder"]) == {"reference"}
    assert figures(data["by_folder"]["reference"]["kinds"]["legal_ref"]) == (1, 1, 2)


def test_errors_are_listed_by_value(tmp_path: Path, set_metrics: None) -> None:
    errors = {(e["what"], e["kind"], e["surface"], tuple(e["key"].items())) for e in evaluate([spec_folder(tmp_path)]).as_dict()["errors"]}
    assert errors == {
        ("miss", "legal_ref", "", (("symbol", "99/2020/QĐ-UBND"),)),
        ("false", "ratio", "1.745/3.377 hồ sơ", (("numerator", "1745"), ("denominator", "3377"))),
        ("miss", "metric", "SIPAS Cần Thơ 2023", (("score", "84.2"), ("rank", "1"))),
        ("false", "metric", "SIPAS Cần Thơ 2022", (("score", "84.2"), ("rank", "1"))),
    }


def test_counts_are_scored_when_the_gold_lists_them(tmp_path: Path, set_metrics: None) -> None:
    data = evaluate([spec_folder(tmp_path, GOLD | {"counts": [{"value": 12}, {"value": 30}]})]).as_dict()
    assert figures(data["kinds"]["count"]) == (1, 1, 2)


def test_eval_command_reports_the_folder_beside_the_corpus(tmp_path: Path, set_metrics: None, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "dev"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Tỉnh đạt 81,42 điểm.", encoding="utf-8")
    gold = {"document": "a.txt", "records": [{"kind": "score", "surface": "81,42 điểm", "value": 81.42, "unit": "điểm"}]}
    (corpus / "a.txt.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["eval", str(corpus), str(spec_folder(tmp_path)), "--show-errors"]) == 0
    out = capsys.readouterr().out
    assert "2 documents" in out
    folders = out.split("by folder\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in folders if not line.startswith("    ")] == ["dev", "dev", "reference", "reference", "reference"]
    assert any(line.split() == ["reference", "micro+metrics", "13", "13", "11", "0.846", "0.846", "0.846"] for line in folders)
    assert any(line.split() == ["legal_ref", "2", "1", "1", "1.000", "0.500", "0.667"] for line in folders)
    assert "miss   reference/can-tho.txt  legal_ref (symbol=99/2020/QĐ-UBND)" in out
    assert "false  reference/can-tho.txt p1  ratio '1.745/3.377 hồ sơ' (numerator=1745, denominator=3377)" in out


def test_a_change_in_percent_is_right_as_a_percent_or_as_a_change() -> None:
    common = {"page": 1, "start": 0, "end": 4, "surface": "2,5%", "sentence": "", "rule": "test"}
    as_percent = PercentRecord(id="p", value=Decimal("2.5"), **common)
    as_change = ScoreChangeRecord(id="c", value=Decimal("-2.5"), unit="%", **common)  # "giảm 2,5%"
    for gold in ({"doc": "x", "percents": [{"value": 2.5}]}, {"doc": "x", "score_changes": [{"value": -2.5, "unit": "%"}]}):
        spec = SpecGold(Path("g.json"), Path("x"), "f", list(gold_entries(SpecFile.model_validate(gold))), [], False)
        for found in (as_percent, as_change):
            hits, misses, false = match_records(spec, [found])
            assert (len(hits), len(misses), len(false)) == (1, 0, 0), (gold, found.kind)


def test_a_word_rank_is_neither_hit_nor_error() -> None:
    word = RankRecord(id="r", rank=1, page=1, start=0, end=7, surface="dẫn đầu", sentence="", rule="test")
    spec = SpecGold(Path("g.json"), Path("x"), "f", [], [], False)
    assert match_records(spec, [word]) == ([], [], [])


@pytest.mark.parametrize(
    ("gold", "found", "same"),
    [
        ({"subject": "Cần Thơ"}, {"subject": "Thành phố Cần Thơ"}, True),
        ({"subject": "TP. Hồ Chí Minh"}, {"subject": "Hồ Chí Minh"}, True),
        ({"subject": "Hà Nội"}, {"subject": "Hải Phòng"}, False),
        ({"subject": "Cần Thơ", "year": None}, {"subject": "Cần Thơ", "year": 2021}, True),  # the gold gives no year
        ({"subject": "Cần Thơ"}, {"subject": "Cần Thơ", "year": 2022}, False),
        ({"subject": "Cần Thơ"}, {"subject": None}, True),  # no subject says nothing against
        ({"subject": "Cần Thơ", "score": 90}, {"subject": "Cần Thơ", "score": Decimal("90.0"), "rank": 3}, True),
        ({"subject": "Cần Thơ", "score": 90}, {"subject": "Cần Thơ", "score": Decimal("91")}, False),
        ({"subject": "Cần Thơ", "rank": 3, "rank_change": 2}, {"subject": "Cần Thơ", "rank": 3, "rank_change": -2}, False),
        ({"subject": "Cần Thơ", "rank": None, "rank_change": 2}, {"subject": "Cần Thơ", "rank": None, "rank_change": 2}, False),  # no score or rank
    ],
)
def test_metrics_match_on_indicator_year_subject_and_values(gold: dict, found: dict, same: bool) -> None:
    expected = SpecMetric.model_validate({"indicator": "PCI", "year": 2023, "rank": 3} | gold)
    assert metric_matches(expected, metric("PCI", **({"year": 2023, "rank": 3} | found))) is same


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        ('{"doc": "can-tho.txt", "ranks": [', r"can-tho\.json: not valid JSON: Expecting value: line 1 column 34"),
        ('{"percents": []}', r"can-tho\.json: doc: Field required"),
        ('{"doc": "absent.txt"}', r"can-tho\.json: doc: 'absent\.txt' is not a document in .*reference"),
        ('{"doc": "can-tho.txt", "ranks": [{"rank": 1}, {"total": 63}]}', r"can-tho\.json: ranks entry 2: rank: Field required"),
        ('{"doc": "can-tho.txt", "metrics": [{"indicator": "PCI", "score": "cao"}]}',
         r"can-tho\.json: metrics entry 1: score: Input should be a valid decimal"),
    ],
)
def test_a_bad_gold_file_is_one_line_naming_the_file_and_the_entry(
    tmp_path: Path, gold: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = spec_folder(tmp_path, gold)
    with pytest.raises(GoldError, match=message):
        load_spec(folder / "gold" / "can-tho.json")
    assert cli.main(["eval", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {folder / 'gold' / 'can-tho.json'}: ") and "Traceback" not in err
