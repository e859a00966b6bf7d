"""District-level units (huyện, quận, thị xã, thành phố thuộc tỉnh) and the 2025 provinces.

Our own gazetteer (extractor/patterns/gazetteers/provinces.yaml) stops at the 63 provinces. The
units below them, and the 34 provinces after 1/7/2025, are read at run time from the data
files of the PyPI package ``vietnamadminunits`` rather than copied into this repository,
so that a fix there reaches us with an upgrade. Before any of its data is used, the
package is checked against provinces.yaml (:func:`check`): codes, names, and the 2025
mapping must agree, or an :class:`AdminUnitsError` says which file disagrees and how.

Only the JSON files are read; the package's modules are never imported, because its
``__init__`` imports its parser and converter, and the converter imports shapely and
geopy (and reads all its data files) at import time.

Names are matched as the rest of the extractor matches them: normalized
(:func:`extractor.normalize.normalize`, one tone-mark placement) and lower-cased, so
"HOÀ VANG", "Hoà Vang" and "hòa vang" are one name.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import ExtractorError
from .gazetteer import canonical_subject, provinces
from .normalize import normalize

__all__ = ["AdminUnitsError", "District", "check", "coverage", "district_in", "districts_named"]

PACKAGE = "vietnamadminunits"
LEGACY_FILE = "parser_legacy.json"  # the 63 provinces and their 696 districts (before 7/2025)
FROM_2025_FILE = "parser_from_2025.json"  # the 34 provinces from 1/7/2025
CONVERTER_FILE = "converter_2025.json"  # new province key -> the old province keys merged into it

# The package's districtType, in the words District.type uses. A quận is an urban
# district and a huyện a rural one; both are the same level, so both are "district".
# "Thành phố" is mostly a city under a province, but Thủ Đức (Hồ Chí Minh) and Thủy
# Nguyên (Hải Phòng) are cities under a centrally-run city: still "city".
TYPES = {"Huyện": "district", "Quận": "district", "Thị xã": "town", "Thành phố": "city"}


class AdminUnitsError(ExtractorError):
    """The package is missing, or its data cannot be read or disagrees with provinces.yaml.

    ``str()`` is one line: the file (or the package) and the reason.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class District:
    """A district-level unit as the package lists them: the 696 of 1/1/2025 to 30/6/2025.

    The district level ended on 1/7/2025. Units merged away earlier, in the rearrangements
    of 2019-2024, are absent (huyện Yên Dũng, the district-level city of Huế), and
    renamed ones carry their last name (Thuận Hóa, Phú Xuân; Phong Điền is a thị xã).
    """

    name: str  # short name as written: "Châu Thành", "Cẩm Phả", "Ba Đình", "Quận 1"
    type: str  # "district" (huyện, quận), "town" (thị xã), "city" (thành phố)
    province: str  # our gazetteer's province name (pre-2025), e.g. "Thừa Thiên Huế"
    code: str  # the package's districtCode (the statistics office's code)


@dataclass(frozen=True)
class _Tables:
    """What the lookups need, built once from the package's data."""

    districts: tuple[District, ...]
    by_name: dict[str, tuple[District, ...]]  # _key(name) -> units, in the package's order
    provinces_before_2025: int
    provinces_after_2025: int


def _key(name: str) -> str:
    """A name as lookups compare it: normalized, lower-cased, spaces collapsed.

    >>> _key("  Hoà  VANG ") == _key("hòa vang") == "hòa vang"
    True
    """
    return " ".join(normalize(name).text.lower().split())


def _data_folder() -> Path:
    """The package's data folder, found without importing the package (see the module doc).

    ``find_spec`` of a top-level name only locates it; nothing of it runs. Tests
    replace this function to point the loader at a copy of the data.
    """
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError) as error:
        raise AdminUnitsError(PACKAGE, f"cannot be located ({error})") from None
    if spec is None or not spec.submodule_search_locations:
        raise AdminUnitsError(PACKAGE, f"not installed (pip install '{PACKAGE}>=1.0.4,<2')")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _read_sections(path: Path, names: tuple[str, ...]) -> dict[str, dict]:
    """The named top-level sections of a JSON file; the rest (wards, mostly) is dropped.

    ``json.load`` parses the whole file anyway (parser_legacy.json is 2.6 MB: 35-50 ms,
    the other two about 20 ms together), but only the sections kept stay in memory.
    """
    try:
        with path.open(encoding="utf-8") as file:  # the package itself opens with the locale's encoding
            data = json.load(file)
    except FileNotFoundError:
        raise AdminUnitsError(path, "missing") from None
    except OSError as error:
        raise AdminUnitsError(path, f"cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise AdminUnitsError(path, f"not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise AdminUnitsError(path, f"not JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    if not isinstance(data, dict):
        raise AdminUnitsError(path, f"expected a JSON object, found {type(data).__name__}")
    for name in names:
        if not isinstance(data.get(name), dict):
            raise AdminUnitsError(path, f"no {name} object")
    return {name: data[name] for name in names}


def _field(entry: object, name: str, path: Path, where: str) -> str:
    """``entry[name]`` as a string, or a one-line error naming the file and the entry."""
    value = entry.get(name) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value:
        raise AdminUnitsError(path, f"{where} has no {name}")
    return value


def _our_names(section: dict, path: Path) -> dict[str, str]:
    """The package's province keys ("tinhtiengiang") to our names, matched by code.

    The names must agree too: the package names code 46 by its 2025 name "Huế", which
    is our Thừa Thiên Huế's ``name_from_2025``.
    """
    ours = {province.code: province for province in provinces().values()}
    names: dict[str, str] = {}
    for key, entry in section.items():
        code = _field(entry, "provinceCode", path, f"province {key}")
        short = _field(entry, "provinceShort", path, f"province {key}")
        province = ours.get(code)
        if province is None:
            raise AdminUnitsError(path, f"province {short} has code {code}, which provinces.yaml does not have")
        if _key(short) not in {_key(province.name), _key(province.name_from_2025 or province.name)}:
            raise AdminUnitsError(path, f"code {code} is {short} here but {province.name} in provinces.yaml")
        if province.name in names.values():
            raise AdminUnitsError(path, f"code {code} ({province.name}) appears twice")
        names[key] = province.name
    missing = sorted(p.name for p in ours.values() if p.name not in names.values())
    if missing:
        raise AdminUnitsError(path, f"{len(names)} provinces, none with the code of {', '.join(missing)}")
    return names


def _check_2025(names: dict[str, str], after: dict, converter: dict, folder: Path) -> None:
    """Every province's ``to_2025`` against the converter, and the 34 names against the parser."""
    ours = provinces()
    after_path, converter_path = folder / FROM_2025_FILE, folder / CONVERTER_FILE
    new_names = {key: _field(entry, "provinceShort", after_path, f"province {key}") for key, entry in after.items()}
    expected = {_key(p.to_2025): p.to_2025 for p in ours.values()}
    found = {_key(name): name for name in new_names.values()}
    if found.keys() != expected.keys():
        only_here = sorted(found[k] for k in found.keys() - expected.keys())
        only_ours = sorted(expected[k] for k in expected.keys() - found.keys())
        raise AdminUnitsError(
            after_path,
            f"{len(found)} provinces after 2025; only here: {', '.join(only_here) or '-'}; "
            f"only in provinces.yaml's to_2025: {', '.join(only_ours) or '-'}",
        )
    seen: set[str] = set()
    for new_key, old_keys in converter.items():
        if new_key not in new_names:
            raise AdminUnitsError(converter_path, f"{new_key} is not a province of {FROM_2025_FILE}")
        if not isinstance(old_keys, list):
            raise AdminUnitsError(converter_path, f"{new_key} maps to {type(old_keys).__name__}, not a list of provinces")
        for old_key in old_keys:
            name = names.get(old_key)
            if name is None:
                raise AdminUnitsError(converter_path, f"{old_key} is not a province of {LEGACY_FILE}")
            if _key(ours[name].to_2025) != _key(new_names[new_key]):
                raise AdminUnitsError(
                    converter_path,
                    f"{name} goes to {new_names[new_key]} here but to {ours[name].to_2025} in provinces.yaml",
                )
            seen.add(name)
    missing = sorted(set(names.values()) - seen)
    if missing:
        raise AdminUnitsError(converter_path, f"no 2025 province for {', '.join(missing)}")


def _districts(section: dict, names: dict[str, str], path: Path) -> tuple[District, ...]:
    """Every district-level unit, in the package's order (provinces and districts by code)."""
    units: list[District] = []
    for province_key, districts in section.items():
        if province_key not in names or not isinstance(districts, dict):
            raise AdminUnitsError(path, f"DICT_PROVINCE_DISTRICT has {province_key}, not a province of DICT_PROVINCE")
        for key, entry in districts.items():
            package_type = _field(entry, "districtType", path, f"district {key}")
            if package_type not in TYPES:
                raise AdminUnitsError(path, f"district {key} has an unknown districtType {package_type!r}")
            # districtShort tells apart a huyện and a thị xã of one name in one province
            # ("Kỳ Anh (Huyện)", "Kỳ Anh (Thị xã)"); the type says that here. The full
            # name is no help: it is "Thành Phố Bắc Kạn" and "Quận 1" for some.
            short = _field(entry, "districtShort", path, f"district {key}").removesuffix(f" ({package_type})")
            code = _field(entry, "districtCode", path, f"district {key}")
            units.append(District(short, TYPES[package_type], names[province_key], code))
    return tuple(units)


@cache
def _tables() -> _Tables:
    """Read, check and index the package's data, once per process.

    Takes about 60 ms, nearly all of it parsing the three JSON files; nothing is read
    before the first lookup. An error is not cached: every call raises it again.
    """
    folder = _data_folder()
    legacy = _read_sections(folder / LEGACY_FILE, ("DICT_PROVINCE", "DICT_PROVINCE_DISTRICT"))
    after = _read_sections(folder / FROM_2025_FILE, ("DICT_PROVINCE",))["DICT_PROVINCE"]
    converter = _read_sections(folder / CONVERTER_FILE, ("DICT_PROVINCE",))["DICT_PROVINCE"]
    names = _our_names(legacy["DICT_PROVINCE"], folder / LEGACY_FILE)
    _check_2025(names, after, converter, folder)
    districts = _districts(legacy["DICT_PROVINCE_DISTRICT"], names, folder / LEGACY_FILE)
    by_name: defaultdict[str, list[District]] = defaultdict(list)
    for district in districts:
        by_name[_key(district.name)].append(district)
    return _Tables(
        districts,
        {key: tuple(units) for key, units in by_name.items()},
        provinces_before_2025=len(names),
        provinces_after_2025=len(after),
    )


def check() -> None:
    """Check the package's data against provinces.yaml; raise :class:`AdminUnitsError` if they disagree.

    Checked: the 63 province codes and names of parser_legacy.json, every province's
    ``to_2025`` against converter_2025.json, and the 34 names of parser_from_2025.json.
    The first lookup runs this check; once it has passed, calling it again costs nothing.

    >>> check()
    """
    _tables()


def _check_type(type: str | None) -> None:
    if type is not None and type not in set(TYPES.values()):
        raise ValueError(f"unknown district type {type!r}: expected one of district, town, city")


def districts_named(name: str, type: str | None = None) -> tuple[District, ...]:
    """Every district-level unit of that short name in the country, in the package's order.

    ``type`` ("district", "town", "city") keeps only units of that type.

    >>> [(d.province, d.type) for d in districts_named("KỲ ANH")]
    [('Hà Tĩnh', 'district'), ('Hà Tĩnh', 'town')]
    >>> districts_named("Hoà Vang", "district")[0].province
    'Đà Nẵng'
    >>> districts_named("Hòa Vang", "town")
    ()
    """
    _check_type(type)
    units = _tables().by_name.get(_key(name), ())
    return tuple(d for d in units if type is None or d.type == type)


def district_in(name: str, province: str, type: str | None = None) -> District | None:
    """The unit of that name in that province (any of our names for it), or None.

    Raises ValueError when, without ``type``, the name is two units of the province
    (a huyện and a thị xã of one name: Kỳ Anh, Cai Lậy, Duyên Hải, Long Mỹ, Hồng Ngự, Cao Lãnh).

    >>> district_in("Cẩm Phả", "Quảng Ninh")
    District(name='Cẩm Phả', type='city', province='Quảng Ninh', code='195')
    >>> district_in("Phong Điền", "TT-Huế").type, district_in("Phong Điền", "Cần Thơ").type
    ('town', 'district')
    >>> district_in("Cẩm Phả", "Hải Phòng") is None
    True
    """
    subject = canonical_subject(province)
    found = [d for d in districts_named(name, type) if d.province == subject]
    if len(found) > 1:
        kinds = " and a ".join(d.type for d in found)
        raise ValueError(f"{name} in {province} is a {kinds}: give the type")
    return found[0] if found else None


def coverage() -> dict[str, object]:
    """What the package provides, for a user to see at a glance.

    >>> c = coverage(); c["provinces_before_2025"], c["provinces_after_2025"], c["districts"]
    (63, 34, 696)
    """
    tables = _tables()
    return {
        "package": f"{PACKAGE} {importlib.metadata.version(PACKAGE)}",
        "provinces_before_2025": tables.provinces_before_2025,
        "provinces_after_2025": tables.provinces_after_2025,
        "districts": len(tables.districts),
        "by_type": dict(Counter(d.type for d in tables.districts)),
    }
