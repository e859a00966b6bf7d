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
    # The average is kept, marked as what it is; the components give nothing.
    assert [(m["indicator"], m["subject"], m["year"], m["score"], m["aggregate"]) for m in metrics_of(text)] == [
        ("PAR_INDEX", None, 2023, Decimal("86.32"), "average")
    ]


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


def _metrics(text: str) -> list[tuple]:
    return [(m.indicator, m.subject, m.year, m.score, m.unit, m.rank, m.rank_total, m.rank_change) for m in extract_text(text).metrics]


def test_columns_that_name_indices_give_a_metric_each() -> None:
    text = ("Kết quả các chỉ số năm 2023 của một số tỉnh:\n\n"
            "Tỉnh\tChỉ số CCHC (%)\tXếp hạng\tChỉ số SIPAS (%)\tXếp hạng\n"
            "Quảng Trị\t85,12\t31/63\t82,40\t40/63\n")
    assert _metrics(text) == [
        ("PAR_INDEX", "Quảng Trị", 2023, Decimal("85.12"), "%", 31, 63, None),
        ("SIPAS", "Quảng Trị", 2023, Decimal("82.40"), "%", 40, 63, None),
    ]


def test_years_as_columns_with_what_each_row_holds_in_its_label() -> None:
    text = ("Chỉ số CCHC của tỉnh Bình Phước giai đoạn 2021-2023:\n\n"
            "Nội dung\t2021\t2022\t2023\n"
            "Điểm (%)\t82,17\t83,52\t86,31\n"
            "Xếp hạng (/63)\t38\t30\t21\n")
    assert _metrics(text) == [
        ("PAR_INDEX", "Bình Phước", 2021, Decimal("82.17"), "%", 38, 63, None),
        ("PAR_INDEX", "Bình Phước", 2022, Decimal("83.52"), "%", 30, 63, None),
        ("PAR_INDEX", "Bình Phước", 2023, Decimal("86.31"), "%", 21, 63, None),
    ]


def test_indices_as_rows_and_years_as_columns() -> None:
    text = "Kết quả của tỉnh Hà Nam:\nChỉ số\t2022\t2023\nPAR INDEX (%)\t86,02\t85,47\nPCI (điểm)\t65,10\t66,42\n"
    assert _metrics(text) == [
        ("PAR_INDEX", "Hà Nam", 2022, Decimal("86.02"), "%", None, None, None),
        ("PAR_INDEX", "Hà Nam", 2023, Decimal("85.47"), "%", None, None, None),
        ("PCI", "Hà Nam", 2022, Decimal("65.10"), "điểm", None, None, None),
        ("PCI", "Hà Nam", 2023, Decimal("66.42"), "điểm", None, None, None),
    ]


def test_the_year_a_change_is_measured_from_is_no_column_year() -> None:
    text = ("Chỉ số CCHC năm 2021 của các địa phương dẫn đầu:\n"
            "Xếp hạng\tĐịa phương\tChỉ số CCHC (%)\tSo với năm 2020 (bậc)\n"
            "1\tQuảng Ninh\t91,54\t0\n2\tHải Phòng\t90,47\t+1\n")
    assert _metrics(text) == [
        ("PAR_INDEX", "Quảng Ninh", 2021, Decimal("91.54"), "%", 1, None, 0),
        ("PAR_INDEX", "Hải Phòng", 2021, Decimal("90.47"), "%", 2, None, 1),
    ]
