"""District-level units read from the PyPI package vietnamadminunits, checked against provinces.yaml.

Expected values were read by hand from the package's data/parser_legacy.json (1.0.4).
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor import admin_units
from extractor.admin_units import AdminUnitsError, District, check, coverage, district_in, districts_named
from extractor.errors import ExtractorError

REPO = Path(__file__).resolve().parents[1]
DATA_FILES = ("parser_legacy.json", "parser_from_2025.json", "converter_2025.json")


def test_châu_thành_is_a_huyện_in_ten_provinces() -> None:
    found = districts_named("Châu Thành")
    assert [d.province for d in found] == [
        "Tây Ninh", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh",
        "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng",
    ]  # fmt: skip
    assert {d.type for d in found} == {"district"}
    assert district_in("Châu Thành", "Tiền Giang") == District("Châu Thành", "district", "Tiền Giang", "821")
    assert district_in("Châu Thành", "Bến Tre") == District("Châu Thành", "district", "Bến Tre", "831")
    assert district_in("Châu Thành", "Quảng Ninh") is None


def test_a_name_unique_in_the_country() -> None:
    assert districts_named("Văn Yên") == (District("Văn Yên", "district", "Yên Bái", "136"),)


def test_thị_xã_and_huyện_of_one_name_are_told_apart_by_type() -> None:
    assert districts_named("Kỳ Anh", "town") == (District("Kỳ Anh", "town", "Hà Tĩnh", "449"),)
    assert districts_named("Kỳ Anh", "district") == (District("Kỳ Anh", "district", "Hà Tĩnh", "447"),)
    assert district_in("Kỳ Anh", "Hà Tĩnh", "town") == District("Kỳ Anh", "town", "Hà Tĩnh", "449")
    # The package writes these "Kỳ Anh (Thị xã)"; the name is the name as written.
    assert all("(" not in d.name for d in districts_named("Cai Lậy"))
    with pytest.raises(ValueError, match="Kỳ Anh in Hà Tĩnh is a district and a town"):
        district_in("Kỳ Anh", "Hà Tĩnh")


def test_types_of_the_package_in_our_words() -> None:
    assert district_in("Ba Đình", "Hà Nội") == District("Ba Đình", "district", "Hà Nội", "001")  # a quận
    assert district_in("Cẩm Phả", "Quảng Ninh") == District("Cẩm Phả", "city", "Quảng Ninh", "195")
    assert district_in("Sơn Tây", "Hà Nội", "town") == District("Sơn Tây", "town", "Hà Nội", "269")
    assert district_in("Quận 1", "Hồ Chí Minh") == District("Quận 1", "district", "Hồ Chí Minh", "760")
    with pytest.raises(ValueError, match="unknown district type"):
        districts_named("Cẩm Phả", "Thành phố")


def test_names_match_regardless_of_case_and_tone_mark_placement() -> None:
    expected = (District("Hòa Vang", "district", "Đà Nẵng", "497"),)
    decomposed = unicodedata.normalize("NFD", "Hòa Vang")
    for written in ("Hòa Vang", "Hoà Vang", "HOÀ VANG", "hòa  vang", decomposed):
        assert districts_named(written) == expected, written
    assert district_in("phú hoà", "PHÚ YÊN") == District("Phú Hòa", "district", "Phú Yên", "563")


def test_the_package_s_huế_is_our_thừa_thiên_huế() -> None:
    """The package names code 46 "Huế"; districts carry our pre-2025 name, and any of our names finds them."""
    phong_dien = District("Phong Điền", "town", "Thừa Thiên Huế", "476")
    assert district_in("Phong Điền", "Thừa Thiên Huế") == district_in("Phong Điền", "Huế") == phong_dien
    assert district_in("Phong Điền", "Cần Thơ") == District("Phong Điền", "district", "Cần Thơ", "926")


def test_coverage() -> None:
    assert coverage() == {
        "package": f"vietnamadminunits {importlib.metadata.version('vietnamadminunits')}",
        "provinces_before_2025": 63,
        "provinces_after_2025": 34,
        "districts": 696,
        "by_type": {"district": 557, "town": 52, "city": 87},
    }


def test_check_passes_without_importing_the_package() -> None:
    """Its __init__ imports the converter, which imports shapely and geopy: we read the JSON files only."""
    code = (
        "import sys; from extractor import admin_units as a;"
        "assert a._tables.cache_info().currsize == 0, 'loaded at import';"
        "a.check();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('vietnamadminunits', 'shapely', 'geopy')))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the package's data files that the loader reads instead, with caches cleared around."""
    for name in DATA_FILES:
        shutil.copy(admin_units._data_folder() / name, tmp_path / name)
    monkeypatch.setattr(admin_units, "_data_folder", lambda: tmp_path)
    admin_units._tables.cache_clear()
    yield tmp_path
    admin_units._tables.cache_clear()


def check_error() -> str:
    with pytest.raises(AdminUnitsError) as raised:
        check()
    message = str(raised.value)
    assert "\n" not in message and isinstance(raised.value, ExtractorError)
    return message


def test_check_passes_on_an_unchanged_copy(data_copy: Path) -> None:
    check()
    assert len(districts_named("Châu Thành")) == 10


def test_a_broken_json_file(data_copy: Path) -> None:
    path = data_copy / "converter_2025.json"
    path.write_text(path.read_text(encoding="utf-8")[:1000], encoding="utf-8")
    assert check_error().startswith(f"{path}: not JSON (")
    with pytest.raises(AdminUnitsError):  # every lookup fails alike; the error is not cached
        districts_named("Văn Yên")


def test_a_missing_data_file(data_copy: Path) -> None:
    (data_copy / "parser_from_2025.json").unlink()
    assert check_error() == f"{data_copy / 'parser_from_2025.json'}: missing"


def test_a_province_whose_2025_unit_disagrees(data_copy: Path) -> None:
    path = data_copy / "converter_2025.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    units = data["DICT_PROVINCE"]
    units["tinhlaocai"].remove("tinhyenbai")
    units["tinhtuyenquang"].append("tinhyenbai")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert check_error() == f"{path}: Yên Bái goes to Tuyên Quang here but to Lào Cai in provinces.yaml"


def test_a_province_name_that_disagrees(data_copy: Path) -> None:
    path = data_copy / "parser_legacy.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["DICT_PROVINCE"]["tinhyenbai"]["provinceShort"] = "Yên Bay"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert check_error() == f"{path}: code 15 is Yên Bay here but Yên Bái in provinces.yaml"


def test_the_package_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_units.importlib.util, "find_spec", lambda name: None)
    admin_units._tables.cache_clear()
    try:
        assert check_error().startswith("vietnamadminunits: not installed")
    finally:
        admin_units._tables.cache_clear()
