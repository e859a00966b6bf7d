"""Gazetteers: index and province mentions, and the 2025 mapping checked independently."""

from __future__ import annotations

import pytest

from extractor.gazetteer import canonical_subject, find_mentions, provinces
from extractor.normalize import normalize


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Chỉ số cải cách hành chính (PAR INDEX) năm 2023", [("index", "PAR_INDEX"), ("index", "PAR_INDEX")]),
        ("Par-Index của tỉnh Hoà Bình", [("index", "PAR_INDEX"), ("province", "Hòa Bình")]),
        ("Bộ chỉ số phục vụ người dân, doanh nghiệp của TP.HCM", [("index", "INDEX_766"), ("province", "Hồ Chí Minh")]),
        ("Chỉ số năng lực cạnh tranh cấp sở, ban, ngành và địa phương (DDCI) của Đắc Lắc", [("index", "DDCI"), ("index", "DDCI"), ("province", "Đắk Lắk")]),
        ("Vietnam ICT Index của Thừa Thiên - Huế và Bà Rịa-Vũng Tàu", [("index", "ICT_INDEX"), ("province", "Thừa Thiên Huế"), ("province", "Bà Rịa - Vũng Tàu")]),
        ("Sở Thông tin và Truyền thông tỉnh Kon Tum", [("agency", "Sở Thông tin và Truyền thông"), ("province", "Kon Tum")]),
    ],
)
def test_mentions(text: str, found: list[tuple[str, str]]) -> None:
    assert [(m.kind, m.key) for m in find_mentions(normalize(text).text)] == found


def test_sixty_three_provinces_map_onto_thirty_four_units() -> None:
    units = {p.to_2025 for p in provinces().values()}
    assert len(provinces()) == 63 and len(units) == 34
    assert {p.name for p in provinces().values()} >= units - {"Huế"}


def test_huế_is_named_by_the_year_of_the_result() -> None:
    hue = provinces()["Thừa Thiên Huế"]
    assert (hue.name_in(2024), hue.name_in(2025), hue.name_in(None)) == ("Thừa Thiên Huế", "Huế", "Thừa Thiên Huế")
    assert canonical_subject("TT-Huế") == canonical_subject("Huế") == "Thừa Thiên Huế"


def ascii_key(name: str) -> str:
    from unidecode import unidecode

    return unidecode(name).lower().replace(" ", "").replace("-", "").replace(".", "")


def test_2025_mapping_agrees_with_vietnamadminunits() -> None:
    """Our old-to-new mapping against the one the PyPI package vietnamadminunits ships."""
    converter = pytest.importorskip("vietnamadminunits.converter", reason="vietnamadminunits' converter needs shapely and geopy")
    import json
    from pathlib import Path

    data = json.loads((Path(converter.__file__).parents[1] / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    theirs = {old: new for new, olds in data["DICT_PROVINCE"].items() for old in olds}
    strip = lambda key: key.removeprefix("tinh").removeprefix("thanhpho")  # noqa: E731
    theirs = {strip(old): strip(new) for old, new in theirs.items()}
    ours = {ascii_key(p.name): ascii_key(p.to_2025) for p in provinces().values()}
    ours["hue"] = ours.pop("thuathienhue")  # they name the province by its name of 2025
    assert ours == theirs
