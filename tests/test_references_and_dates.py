"""Dates, periods and legal references on real documents (read by path from ../shared)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED_HINT
from extractor import extract_file
from extractor.recognize import recognize_page


def test_press_release_gives_exactly_these_references_dates_and_periods(press_release: Path) -> None:
    records = extract_file(press_release).records
    refs = [(r.symbol, r.issued, r.provision) for r in records if r.kind == "legal_ref"]
    assert refs == [
        ("510/QĐ-UBND", "2014-07-07", None),
        ("24/2014/NĐ-CP", None, None),
        ("37/2014/NĐ-CP", None, None),
        ("161/2018/NĐ-CP", "2018-11-29", "Khoản 11, Điều 1"),
    ]
    dates = [(r.value, r.day, r.month, r.year) for r in records if r.kind == "date"]
    assert dates == [(None, 10, 7, None), ("2014-07-07", 7, 7, 2014), ("2018-11-29", 29, 11, 2018)]
    periods = Counter((r.start_year, r.end_year) for r in records if r.kind == "period")
    assert periods == Counter({(2016, 2019): 2, (2011, 2020): 2, (2021, 2030): 3, (2012, 2019): 1, (2016, None): 1})


def test_a_date_inside_a_reference_is_also_a_date_and_nothing_else() -> None:
    text = "Năm 2014, tỉnh ban hành Quyết định số 510/QĐ-UBND ngày 07/7/2014 của UBND tỉnh."
    records, _ = recognize_page(text, 1)
    assert [(r.kind, r.surface) for r in records] == [
        ("legal_ref", "Quyết định số 510/QĐ-UBND ngày 07/7/2014"),
        ("date", "ngày 07/7/2014"),
    ]
    ref, date = records
    assert ref.issued == date.value == "2014-07-07"
    assert ref.start < date.start and date.end == ref.end


def test_numbers_in_symbols_and_dates_are_no_values() -> None:
    text = "Nghị định số 24/2014/NĐ-CP ngày 07/7/2014 và Quyết định 766/QĐ-TTg quy định 10 thủ tục."
    records, _ = recognize_page(text, 1)
    assert [(r.kind, r.surface) for r in records] == [
        ("legal_ref", "Nghị định số 24/2014/NĐ-CP ngày 07/7/2014"),
        ("date", "ngày 07/7/2014"),
        ("legal_ref", "Quyết định 766/QĐ-TTg"),
        ("count", "10 thủ tục"),
    ]


def test_two_codes_joined_by_va_are_two_references() -> None:
    records, _ = recognize_page("sửa đổi Nghị định số 24/2014/NĐ-CP và 37/2014/NĐ-CP của Chính phủ", 1)
    assert [(r.doc_type, r.symbol) for r in records] == [("Nghị định", "24/2014/NĐ-CP"), ("Nghị định", "37/2014/NĐ-CP")]


def test_a_date_split_by_a_line_break_is_one_date(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text(
        "Căn cứ Nghị định số 120/2016/NĐ-CP ngày 23 tháng 8 năm 2016 của Chính phủ quy định chi tiết, ban hành ngày\n"
        "19 tháng 02 năm 2025 tại Hà Nội.\n",
        encoding="utf-8",
    )
    dates = [r.value for r in extract_file(path).records if r.kind == "date"]
    assert dates == ["2016-08-23", "2025-02-19"]


def real_pdf(shared: Path, name: str) -> Path:
    path = shared / "real-pdfs" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    return path


def refs_of(path: Path) -> list[tuple]:
    return [(r.page, r.doc_type, r.symbol, r.issued) for r in extract_file(path).records if r.kind == "legal_ref"]


def test_cao_bang_resolution_gives_its_symbol_and_what_it_cites(shared: Path) -> None:
    refs = refs_of(real_pdf(shared, "p04_nq-33-2022-nq-hdnd-cao-bang.pdf"))
    assert refs[0] == (1, "Nghị quyết", "33/2022/NQ-HĐND", None)  # its own symbol, from the header
    cited = {(symbol, issued) for _, _, symbol, issued in refs if symbol}
    assert cited >= {
        ("120/2016/NĐ-CP", "2016-08-23"),
        ("152/2020/NĐ-CP", "2020-12-30"),
        ("85/2019/TT-BTC", "2019-11-29"),
        ("106/2021/TT-BTC", "2021-11-26"),
        ("1501/TTr-UBND", "2022-06-15"),
        ("79/2016/NQ-HĐND", "2016-12-08"),
    }
    laws = {(doc_type, issued) for _, doc_type, symbol, issued in refs if symbol is None}
    assert laws >= {("Luật", "2015-06-19"), ("Luật", "2015-06-25"), ("Luật", "2015-11-25"), ("Bộ luật", "2019-11-20")}


def test_commune_decision_gives_its_blank_symbol_and_what_it_cites(shared: Path) -> None:
    path = real_pdf(shared, "p07_qd-ubnd-tt-ngai-giao-2024-phan-cong.pdf")
    records = [r for r in extract_file(path).records if r.kind == "legal_ref"]
    own = [r for r in records if r.surface == "Số: /QĐ-UBND"]
    assert [(r.doc_type, r.number, r.code, r.symbol) for r in own] == [("Quyết định", None, "QĐ-UBND", None)]
    assert {(r.symbol, r.issued) for r in records if r.symbol} == {
        ("33/2023/NĐ-CP", "2023-06-10"),
        ("53/2023/QĐ-UBND", "2023-11-17"),
        ("546/QĐ-UBND", "2024-03-01"),
        ("658/QĐ-UBND", "2021-10-06"),
        ("220/QĐ-UBND", "2023-08-15"),
    }
