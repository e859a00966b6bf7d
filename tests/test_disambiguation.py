"""The small pure functions that decide what a number is, each on its own cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.kinds.count import is_count_context, looks_like_year
from extractor.kinds.ratio import is_ratio
from extractor.kinds.score import score_value
from extractor.kinds.score_change import change_unit
from extractor.numbers import parse_number, parse_number_words, parse_quantity
from extractor.recognize import recognize_page


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("tổ chức 19 Hội nghị", "19", True),
        ("là năm thứ 3 liên tiếp", "3", False),
        ("thoát khỏi top 3 tỉnh", "3", False),
        ("sửa đổi Khoản 11, Điều 1", "11", False),
        ("Kế hoạch số 222 ngày", "222", False),
        ("vào nhóm 30 tỉnh dẫn đầu", "30", False),
        ("trong đó có 236 TTHC", "236", True),
    ],
)
def test_count_context(text: str, at: str, expected: bool) -> None:
    assert is_count_context(text, text.index(at)) is expected


@pytest.mark.parametrize(("written", "expected"), [("2019", True), ("1326", False), ("19.568", False), ("2101", False)])
def test_year_like_numbers_are_not_counts(written: str, expected: bool) -> None:
    assert looks_like_year(written) is expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "before", "noun_after", "expected"),
    [
        (1745, 3377, ["trực", "tuyến"], True, True),  # "1745/3377 tổng hồ sơ"
        (34, 34, ["có"], True, True),  # "34/34 địa phương"
        (26, 1064, ["là"], True, True),
        (10, 7, ["sáng", "nay"], False, False),  # "sáng nay 10/7": a date
        (7, 10, ["ngày"], True, False),  # "ngày 7/10 tỉnh": a date even before a noun
        (6, 2024, ["từ", "tháng"], False, False),  # "tháng 6/2024"
        (24, 2014, ["định"], False, False),  # "Nghị định 24/2014"
        (1, 500, ["tỷ", "lệ"], False, False),  # a map scale
        (3, 4, ["đạt"], False, False),  # undecidable without a noun
        (64, 63, ["đạt"], True, False),  # a part larger than its whole
    ],
)
def test_ratio_or_not(numerator: int, denominator: int, before: list[str], noun_after: bool, expected: bool) -> None:
    assert is_ratio(Decimal(numerator), Decimal(denominator), before, noun_after) is expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("81,42", "81.42"), ("64.63", "64.63"), ("0.8002", "0.8002"), ("81.420", "81.42"), ("1.000", "1000"), ("50.70", "50.7")],
)
def test_score_values_and_dot_decimals(written: str, expected: str) -> None:
    assert score_value(written) == Decimal(expected)


def test_change_units() -> None:
    assert [change_unit(u) for u in ("điểm", "%", "điểm phần trăm")] == ["điểm", "%", "%"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("19.568", 19568), ("81,42", "81.42"), ("1.234,5", "1234.5"), ("01", 1), ("2,4", "2.4"), ("0.8002", "0.8002")],
)
def test_numbers(written: str, expected) -> None:
    assert parse_number(written) == Decimal(str(expected))


@pytest.mark.parametrize(
    ("words", "expected"),
    [("mười lăm", 15), ("hai mươi mốt", 21), ("bốn mươi tư", 44), ("một trăm lẻ năm", 105), ("một trăm linh năm", 105),
     ("một nghìn", 1000), ("một ngàn", 1000), ("nghìn tỷ", 10**12), ("hai tỷ năm trăm triệu", 2_500_000_000)],
)
def test_number_words(words: str, expected: int) -> None:
    assert parse_number_words(words) == expected


@pytest.mark.parametrize(
    ("number", "magnitude", "expected"), [("1,5", "triệu", 1_500_000), ("3", "tỷ", 3 * 10**9), ("3", "tỉ", 3 * 10**9)]
)
def test_quantities(number: str, magnitude: str, expected: int) -> None:
    assert parse_quantity(number, magnitude) == expected


@pytest.mark.parametrize("bad", ["", "abc", "1..2", "12a"])
def test_not_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_number(bad)


def test_levels_are_not_a_decimal_nor_any_value() -> None:
    """ "mức độ 3,4" names levels 3 and 4: no record of any kind comes from it."""
    records, _ = recognize_page("Cung cấp dịch vụ công trực tuyến mức độ 3,4 và bưu chính công ích.", 1)
    assert records == []
