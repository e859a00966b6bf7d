"""Inputs that used to run away (issue 18): numbers too long to be values, lone
surrogates, sentences of thousands of values, pages that repeat themselves, documents
over their time limit, and rule time limits that counted other stages' time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.excerpt import ELLIPSIS
from extractor.limits import MAX_CONTEXT_CHARS, MAX_SENTENCE_CHARS
from extractor.pipeline import extract_text
from extractor.rulebook import load_rules
from extractor.scan import Places, rule_matches
from extractor.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(r.kind, r.surface) for r in extract_text(text).records]


@pytest.mark.parametrize(
    "too_long",
    [
        "1,00000000000000001 điểm",  # 18 significant digits: no JSON number keeps them
        "10000000000000000000 tỷ đồng",  # 29 digits once multiplied: past Decimal's context
        "9" * 5000 + " người",  # past Python's 4,300 digits for int()
        "xếp thứ " + "1" * 4400 + "/63",
    ],
    ids=["17-digit score", "money past the context", "5000-digit count", "4400-digit rank"],
)
def test_a_number_too_long_to_be_a_value_is_no_record_and_the_rest_of_the_page_is_read(too_long: str) -> None:
    records = _kinds(f"Năm 2023, tỉnh đạt {too_long}. Chỉ số PAR INDEX đạt 85,12%, xếp thứ 10/63.")
    assert ("percent", "85,12%") in records and ("rank", "xếp thứ 10/63") in records
    assert not [surface for _, surface in records if "0000000" in surface or "9999999" in surface or "1111111" in surface]


def test_fifteen_digits_are_still_a_value() -> None:
    result = extract_text("Tổng vốn đầu tư đạt 123.456.789.012.345 đồng.")
    money = [r for r in result.records if r.kind == "money"]
    assert [(r.surface, json.loads(result.model_dump_json())["records"][0]["value"]) for r in money] == [
        ("123.456.789.012.345 đồng", 123456789012345)
    ]


def test_a_lone_surrogate_becomes_a_replacement_character_and_offsets_hold() -> None:
    text = "Tỉnh\udce1 đạt 85,12%\ud800 năm 2023."
    result = extract_text(text, include_text=True)
    page = result.pages[0].text
    assert page == "Tỉnh\ufffd đạt 85,12%\ufffd năm 2023."
    assert [(r.kind, page[r.start : r.end]) for r in result.records if r.kind == "percent"] == [("percent", "85,12%")]
    json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")  # printable as UTF-8


def test_a_record_in_a_sentence_of_thousands_of_values_carries_a_window_not_the_line() -> None:
    line = "1%đạt 1,5% " * 3000  # 33 KB, no full stop
    result = extract_text(line)
    assert len(result.records) == 6000
    for record in result.records[:50] + result.records[-50:]:
        assert len(record.sentence) <= MAX_CONTEXT_CHARS
        assert record.surface in record.sentence
    middle = result.records[3000]
    assert middle.sentence.startswith(ELLIPSIS) and middle.sentence.endswith(ELLIPSIS)
    # Output grows with the records, not with records times the line's length.
    assert len(result.model_dump_json()) < (MAX_CONTEXT_CHARS + 400) * len(result.records)  # 33,000 each before


def test_a_short_sentence_is_carried_whole() -> None:
    text = "Năm 2023, Chỉ số PAR INDEX của tỉnh đạt 85,12%, xếp thứ 10/63."
    assert {r.sentence for r in extract_text(text).records} == {text}


def test_a_sentence_without_a_full_stop_is_read_in_bounded_pieces_cut_after_a_clause() -> None:
    text = "Huyện A đạt 80,1%, " * 400 + "tỉnh đạt 85%"
    pieces = split_sentences(text)
    assert max(s.end - s.start for s in pieces) <= MAX_SENTENCE_CHARS
    assert all(text[s.start : s.end].endswith(",") for s in pieces[:-1])  # cut after a clause, not inside a value
    covered = sum(s.end - s.start for s in pieces) + (len(pieces) - 1)  # one space between pieces
    assert covered == len(text)


def _per_kb(text: str) -> float:
    best = float("inf")
    for _ in range(2):
        began = time.perf_counter()
        extract_text(text)
        best = min(best, time.perf_counter() - began)
    return best / len(text)


@pytest.mark.parametrize(
    "unit",
    [
        "1%đạt 1,5% ",
        "Năm 2023, Chỉ số CCHC (PAR INDEX) của tỉnh Quảng Trị đạt 85,12%, tăng 2,3 điểm so với năm 2022, "
        "xếp thứ 20/63 tỉnh, thành phố; Chỉ số SIPAS đạt 81,4%.\n\n",
        "Bảng 1\nSTT\tĐơn vị\tĐiểm số (%)\tXếp hạng\n" + "".join(f"{i}\tTỉnh Số {i}\t8{i % 10},5\t{i}/63\n" for i in range(1, 60)),
    ],
    ids=["one line of values", "a paragraph repeated", "tables repeated"],
)
def test_eight_times_the_text_takes_about_eight_times_as_long(unit: str) -> None:
    """Work per KB stays flat as a page grows (a quadratic stage makes it grow 8-fold).
    Ratios in one run, best of two, with room for a shared machine: bench/scaling.py
    gives the figures."""
    extract_text(unit * 3)  # models loaded
    small, large = (unit * (20_000 // len(unit) + 1))[:20_000], (unit * (160_000 // len(unit) + 1))[:160_000]
    assert _per_kb(large) < 3 * _per_kb(small)


def test_a_rule_time_limit_counts_only_the_rules_own_matching() -> None:
    rule = next(r for r in load_rules() if r.id == "percent.value")
    text = "Tỉnh đạt 1%. " * 400  # 400 matches, found in about a millisecond
    matched = []
    for match in rule_matches(rule, Places(text), timeout=0.05):
        time.sleep(0.0005)  # the caller's work between matches (0.2 s in all) is not the rule's
        matched.append(match.group())
    assert len(matched) == 400


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, timeout=timeout)


def test_extract_stops_a_document_at_its_time_limit_and_goes_on_with_the_next(tmp_path: Path) -> None:
    slow, quick = tmp_path / "slow.txt", tmp_path / "quick.txt"
    slow.write_text("1%đạt 1,5% " * 20_000, encoding="utf-8")  # a few seconds
    quick.write_text("Năm 2023, tỉnh đạt 85,12%.", encoding="utf-8")
    done = _cli("extract", str(slow), str(quick), "--timeout", "0.3", "-q")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {slow}: took longer than 0.3 s, the time limit for one document (--timeout)"
    ]
    assert [d["source"]["path"] for d in json.loads(done.stdout)] == [str(quick)]


def test_extract_refuses_a_time_limit_that_is_not_positive(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Tỉnh đạt 85,12%.", encoding="utf-8")
    done = _cli("extract", str(path), "--timeout", "0")
    assert (done.returncode, done.stderr.strip()) == (2, "error: --timeout must be a positive number of seconds")
