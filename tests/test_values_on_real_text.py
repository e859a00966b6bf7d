"""Value records on whole documents: the real press release, and offsets everywhere."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED, SHARED_HINT
from extractor import extract_file, load


def key(record) -> tuple:
    """What a reader checks by hand for each kind."""
    d = lambda v: None if v is None else Decimal(v).normalize()  # noqa: E731
    return {
        "percent": lambda r: (d(r.value), d(r.value_max), r.approx),
        "score": lambda r: (d(r.value), r.unit),
        "score_change": lambda r: (d(r.value), r.unit, r.compared_to),
        "rank": lambda r: (r.rank, r.total),
        "rank_change": lambda r: (r.value, r.compared_to),
        "ratio": lambda r: (d(r.numerator), d(r.denominator)),
        "count": lambda r: (d(r.value), r.unit, r.approx),
        "money": lambda r: (d(r.value),),
    }[record.kind](record)


D = lambda s: Decimal(s).normalize()  # noqa: E731
EXPECTED_VALUES = Counter(
    {
        ("percent", (D("2.4"), None, None)): 1,
        ("percent", (D("51.6"), None, None)): 1,
        ("percent", (D("85"), D("89"), None)): 1,
        ("score", (D("81.42"), "điểm")): 2,
        ("score", (D("43.73"), "điểm")): 1,
        ("score_change", (D("4.42"), "điểm", 2018)): 2,
        ("score_change", (D("0.34"), "điểm", None)): 1,
        ("rank", (27, 63)): 2,
        ("rank", (22, 63)): 1,
        ("rank_change", (1, 2018)): 1,
        ("rank_change", (15, 2018)): 1,
        ("ratio", (D("26"), D("1064"))): 1,
        ("ratio", (D("1745"), D("3377"))): 1,
        ("count", (D("19"), "Hội nghị", None)): 1,
        ("count", (D("1920"), "cán bộ, công chức, viên chức", "gt")): 1,
        ("count", (D("6"), "lĩnh vực", None)): 1,
        ("count", (D("128"), "thủ tục hành chính", None)): 1,
        ("count", (D("561"), "thủ tục hành chính", None)): 1,
        ("count", (D("236"), "TTHC", None)): 1,
        ("count", (D("325"), "TTHC", None)): 1,
        ("count", (D("1326"), "hồ sơ", None)): 1,
        ("count", (D("19568"), "hồ sơ", None)): 1,
        ("count", (D("17025"), "hồ sơ", None)): 1,
    }
)
VALUE_KINDS = {"count", "percent", "score", "score_change", "rank", "rank_change", "ratio", "money"}


def test_press_release_gives_exactly_the_values_a_reader_finds(press_release: Path) -> None:
    records = [r for r in extract_file(press_release).records if r.kind in VALUE_KINDS]
    assert Counter((r.kind, key(r)) for r in records) == EXPECTED_VALUES


def test_press_release_records_point_at_their_sentence(press_release: Path) -> None:
    result = extract_file(press_release)
    text = load(press_release).pages[0].text
    par = next(r for r in result.records if r.kind == "rank" and r.rank == 22)
    assert par.surface == "xếp hạng thứ 22/63"
    assert par.sentence.startswith("Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) năm 2019 đạt 43,73 điểm")
    assert par.sentence in text and text[par.start : par.end] == par.surface
    assert par.rule == "rank.of_total" and par.id == f"p1-{par.start}-{par.end}-rank"
    ids = [r.id for r in result.records]
    assert len(ids) == len(set(ids)) and ids == [r.id for r in extract_file(press_release).records]


def corpus_documents() -> list[Path]:
    ours = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".pdf") and p.name != "README.md")
    theirs = [SHARED / "samples" / "dien-bien-par-2019.txt"] + [
        SHARED / "real-pdfs" / name
        for name in ("p03_qd-2858-qd-ubnd-ha-noi-2025-quy-hoach.pdf", "p04_nq-33-2022-nq-hdnd-cao-bang.pdf",
                     "p06_kh-ubnd-bim-son-2024-bmnn.pdf", "p07_qd-ubnd-tt-ngai-giao-2024-phan-cong.pdf")
    ]
    return ours + theirs


@pytest.mark.parametrize("path", corpus_documents(), ids=lambda p: p.name)
def test_every_record_surface_is_the_text_at_its_offsets(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    pages = {page.number: page.text for page in load(path).pages}
    result = extract_file(path)
    for record in result.records:
        assert pages[record.page][record.start : record.end] == record.surface
        assert record.surface in record.sentence
    for metric in result.metrics:  # where an inferred field came from is held to the same rule
        for source in metric.inferred_from:
            assert pages[source.page][source.start : source.end] == source.surface
