"""The output models: exact numbers, spans that match their surface, a schema."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from extractor.records import Extraction, Source

SOURCE = Source(path="a.txt", sha256="0" * 64, format="txt", pages=1, bytes=10)


def extraction_with(*records: dict) -> Extraction:
    return Extraction.model_validate({"source": SOURCE.model_dump(), "records": list(records)})


def count(**fields) -> dict:
    base = dict(id="r1", kind="count", surface="19.568 hồ sơ", page=1, start=10, end=22, sentence="s", rule="count.test",
                value=Decimal("19568"), unit="hồ sơ")
    return base | fields


def test_decimals_are_json_numbers_written_exactly() -> None:
    out = extraction_with(
        count(),
        dict(id="r2", kind="score", surface="81,42 điểm", page=1, start=0, end=10, sentence="s", rule="score.test", value=Decimal("81.42")),
        dict(id="r3", kind="money", surface="1,5 triệu đồng", page=1, start=0, end=14, sentence="s", rule="money.test", value=Decimal("1.5E+6")),
    )
    text = json.dumps(out.to_jsonable(), ensure_ascii=False)
    assert '"value": 19568,' in text
    assert '"value": 81.42,' in text
    assert '"value": 1500000,' in text
    assert json.loads(text)["records"][1]["value"] == 81.42


def test_a_decimal_json_cannot_carry_exactly_is_refused() -> None:
    with pytest.raises(ValueError, match="more digits"):
        extraction_with(count(value=Decimal("0.12345678901234567891"))).to_jsonable()


def test_span_must_have_the_length_of_the_surface() -> None:
    with pytest.raises(ValidationError, match="does not have the length of surface"):
        extraction_with(count(end=21))


def test_unknown_kinds_and_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        extraction_with(count(kind="weight"))
    with pytest.raises(ValidationError):
        extraction_with(count(colour="red"))


def test_pages_appear_only_when_asked_for() -> None:
    assert "pages" not in extraction_with().to_jsonable()
    with_text = Extraction(source=SOURCE, pages=[{"number": 1, "text": "abc"}])
    assert with_text.to_jsonable()["pages"] == [{"number": 1, "text": "abc"}]
