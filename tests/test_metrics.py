"""Metric records: index + subject + year joined from the records of a document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from extractor import extract_file, extract_text


def metrics_of(text: str) -> list[dict]:
    result = extract_text(text)
    return [
        {k: v for k, v in m.model_dump().items() if k not in ("id", "evidence", "page", "start", "end", "alternatives")}
        for m in result.metrics
    ]


def values(metric: dict) -> tuple:
    return tuple(metric[k] for k in ("indicator", "subject", "year", "score", "unit", "score_change", "rank", "rank_total", "rank_change", "compared_to"))


def test_press_release_gives_exactly_the_par_and_papi_metrics(press_release: Path) -> None:
    metrics = extract_file(press_release).metrics
    carrying = [m for m in metrics if any(getattr(m, f) is not None for f in ("score", "score_change", "rank", "rank_change"))]
    assert [values(m.model_dump()) for m in carrying] == [
        ("PAR_INDEX", "Điện Biên", 2019, Decimal("81.42"), "điểm", Decimal("4.42"), 27, 63, 1, 2018),
        ("PAPI", "Điện Biên", 2019, Decimal("43.73"), "điểm", Decimal("0.34"), 22, 63, 15, 2018),
    ]
    par = carrying[0]
    # Its first statement ("Chỉ số cải cách hành chính đạt 81,42 điểm ...") names no year.
    assert "year" in par.inferred and not par.conflict
    assert len(par.evidence) == 7  # two statements of score, change and rank, and the rank change
    assert not any(m.indicator == "SIPAS" and m.score is not None for m in metrics)  # "tiêu chí thành phần ... từ 85% đến 89%"


def test_clauses_split_two_indices_in_one_sentence() -> None:
    text = "Năm 2024, tỉnh Hà Tĩnh có PAR Index đạt 88,37%, xếp thứ 5; SIPAS đạt 83,84%, xếp thứ 19."
    assert [values(m) for m in metrics_of(text)] == [
        ("PAR_INDEX", "Hà Tĩnh", 2024, Decimal("88.37"), "%", None, 5, None, None, None),
        ("SIPAS", "Hà Tĩnh", 2024, Decimal("83.84"), "%", None, 19, None, None, None),
    ]


def test_a_national_announcement_gives_one_metric_per_province() -> None:
    text = (
        "Chỉ số cải cách hành chính năm 2023 được công bố ngày 17/4/2024. "
        "Quảng Ninh dẫn đầu với 91,05%, tiếp theo là Hải Phòng 90,12% và Hà Nội 89,9%."
    )
    assert [values(m) for m in metrics_of(text)] == [
        ("PAR_INDEX", "Quảng Ninh", 2023, Decimal("91.05"), "%", None, 1, None, None, None),
        ("PAR_INDEX", "Hải Phòng", 2023, Decimal("90.12"), "%", None, None, None, None, None),
        ("PAR_INDEX", "Hà Nội", 2023, Decimal("89.9"), "%", None, None, None, None, None),
    ]
    assert all(m["inferred"] == ["year"] for m in metrics_of(text))


def test_averages_and_components_are_not_a_subjects_score() -> None:
    text = (
        "Giá trị trung bình Chỉ số CCHC năm 2023 của các tỉnh đạt 86,32%. "
        "Chỉ số SIPAS năm 2023 của tỉnh Bình Định có các tiêu chí thành phần đạt từ 80% đến 85%."
    )
    assert metrics_of(text) == []


def test_subject_and_year_from_context_are_inferred() -> None:
    text = "Điện Biên: kết quả cải cách hành chính\n\nNăm 2019 Chỉ số CCHC của tỉnh đạt 81,42 điểm, xếp thứ 27/63."
    (metric,) = metrics_of(text)
    assert values(metric)[:3] == ("PAR_INDEX", "Điện Biên", 2019)
    assert metric["inferred"] == ["subject"]


def test_disagreeing_statements_keep_the_first_and_say_so() -> None:
    result = extract_text(
        "Năm 2022 Chỉ số PCI của tỉnh Long An đạt 70,12 điểm, xếp thứ 3/63. "
        "Trong báo cáo khác, Chỉ số PCI năm 2022 của tỉnh Long An đạt 69,80 điểm."
    )
    (metric,) = result.metrics
    assert (metric.score, metric.rank, metric.conflict) == (Decimal("70.12"), 3, True)
    assert [(a.field, a.value) for a in metric.alternatives] == [("score", Decimal("69.80"))]
    assert result.warnings == ["page 1: PCI Long An 2022: score is 69.80 here but 70.12 earlier; the first is kept"]


def test_last_years_value_in_parentheses_is_its_own_metric() -> None:
    text = "Chỉ số PAPI năm 2021 của tỉnh Lào Cai đạt 42,40/80 điểm, tăng 1,38 điểm so với năm 2020 (41,02/80), xếp thứ 20/63."
    assert [values(m)[:5] for m in metrics_of(text)] == [
        ("PAPI", "Lào Cai", 2021, Decimal("42.40"), "điểm"),
        ("PAPI", "Lào Cai", 2020, Decimal("41.02"), "điểm"),
    ]


def test_a_plain_text_table_gives_one_metric_per_row() -> None:
    text = (
        "Kết quả Chỉ số CCHC của tỉnh Thanh Hóa qua các năm:\n"
        "Năm     Kết quả       Xếp hạng    Tăng/giảm bậc\n"
        "2021    86,41%        11/63       +1\n"
        "2022    86,05%        17/63       -6\n"
    )
    result = extract_text(text)
    assert [values(m.model_dump()) for m in result.metrics] == [
        ("PAR_INDEX", "Thanh Hóa", 2021, Decimal("86.41"), "%", None, 11, 63, 1, None),
        ("PAR_INDEX", "Thanh Hóa", 2022, Decimal("86.05"), "%", None, 17, 63, -6, None),
    ]
    cells = [(r.kind, r.surface, r.table, r.row, r.col) for r in result.records if r.table]
    assert cells == [
        ("percent", "86,41%", 1, 1, 2), ("rank", "11/63", 1, 1, 3), ("rank_change", "+1", 1, 1, 4),
        ("percent", "86,05%", 1, 2, 2), ("rank", "17/63", 1, 2, 3), ("rank_change", "-6", 1, 2, 4),
    ]


def test_districts_and_departments_are_subjects_without_their_prefix() -> None:
    text = (
        "Chỉ số CCHC năm 2023 của các huyện: huyện Phú Bình xếp thứ 2/9 với 88,5%; "
        "thị xã Kỳ Anh đứng thứ 1/9 với 90,1%. Sở Nội vụ đứng thứ 1/20 sở, ngành."
    )
    subjects = [(m["subject"], m["rank"]) for m in metrics_of(text)]
    assert subjects == [("Phú Bình", 2), ("Kỳ Anh", 1), ("Sở Nội vụ", 1)]
