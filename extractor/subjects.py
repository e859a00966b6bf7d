"""Who a metric is about: a subject's identity, across documents and across the merger.

A name is not an identity. Two districts named Châu Thành (in Tiền Giang and in Bến
Tre) are two subjects; "Sở Nội vụ" of Thái Nguyên is not that of Bến Tre; and on
1 July 2025 the 63 provinces became 34 (Nghị quyết 202/2025/QH15), so "Gia Lai" ranked
41/63 in 2024 and "Gia Lai" ranked 6/34 in 2025 are different units under one name.

An identity is the subject's type, the province it belongs to and its name, written as
``subject_id``: "district:Tiền Giang/Châu Thành", "department:Thái Nguyên/Sở Nội vụ",
"province:Hà Nội". A province whose unit changed in the merger and kept its name is
"(cũ)" before it and "(mới)" after it: "province:Gia Lai (cũ)", "province:Gia Lai
(mới)". Which one a result is about is read, in this order, from the text ("Gia Lai
(cũ)"), from the rank's total (/63 or /34) and from the year or period; when the total
and the time disagree, the total wins and a warning says so.

The provinces come from extractor/patterns/gazetteers/provinces.yaml, the districts and their
provinces from the package vietnamadminunits (:mod:`extractor.admin_units`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from .gazetteer import Province, agencies, canonical_subject, provinces

COUNTRY = "Cả nước"
# District-level units were abolished with the merger (local government of two levels).
DISTRICT_LEVEL = frozenset({"district", "town", "city"})
INSIDE_A_PROVINCE = DISTRICT_LEVEL | {"commune", "department"}
_TOTAL_ERA = {63: "before", 34: "after"}


@dataclass(frozen=True)
class Identity:
    name: str
    type: str | None
    province: str | None
    province_2025: str | None
    id: str


@dataclass(frozen=True)
class When:
    """What a result says about its time and scale: the year, the period, the rank's total."""

    year: int | None = None
    period: str | None = None
    rank_total: int | None = None


def identify(name: str, type: str | None, *, province: str | None = None, era: str | None = None,
             when: When = When(), home: str | None = None) -> tuple[Identity, str | None]:
    """The identity of a subject named ``name`` of ``type`` (None: read from the
    gazetteers), with the province the text names with it, the era it marks, and the
    document's own province (``home``); and a warning when the clues disagree.

    >>> identify("Gia Lai", "province", when=When(2024, None, 63))[0].id
    'province:Gia Lai (cũ)'
    >>> identify("Gia Lai", "province", when=When(2025, None, 34))[0].id
    'province:Gia Lai (mới)'
    >>> identify("Bình Định", "province", when=When(2023))[0].province_2025
    'Gia Lai'
    """
    kind = type or _type_of(name)
    if kind in ("region", "country", "ministry") or kind is None:
        return Identity(name, kind, None, None, f"{kind or 'unknown'}:{name}"), None
    if kind == "province" and name in provinces():
        return _province_identity(provinces()[name], era, when)
    parent = _parent(name, kind, province, home)
    after = provinces()[parent].to_2025 if parent in provinces() else None
    key = f"{kind}:{parent}/{name}" if parent else f"{kind}:{name}"
    return Identity(name, kind, parent, after, key), None


def _type_of(name: str) -> str | None:
    """The type of a name given without one (a table's cell): a province, an agency."""
    if canonical_subject(name) in provinces():
        return "province"
    if name in agencies():
        return "ministry" if name.startswith(("Bộ", "Ủy ban", "Ngân hàng", "Thanh tra Chính", "Văn phòng Chính")) else "department"
    return None


def _parent(name: str, kind: str, province: str | None, home: str | None) -> str | None:
    """The province a unit belongs to: as the text names it, else as the gazetteer knows
    the name (the document's own province first), else the document's province."""
    if province:
        return canonical_subject(province) if canonical_subject(province) in provinces() else province
    if kind not in DISTRICT_LEVEL:
        return home
    from .admin_units import districts_named  # the districts are loaded only when a district is named

    found = {d.province for d in districts_named(name, kind)} or {d.province for d in districts_named(name)}
    if home is not None and (home in found or not found):
        return home
    return found.pop() if len(found) == 1 else None


def _province_identity(p: Province, marked: str | None, when: When) -> tuple[Identity, str | None]:
    by_total = _TOTAL_ERA.get(when.rank_total or 0)
    by_time = _era_of(when.year, when.period)
    era = marked or by_total or by_time
    warning = None
    if by_total and by_total != (marked or by_time):
        era = by_total
        if marked or by_total not in _possible_eras(when.year, when.period):
            said = f"marked {'(cũ)' if marked == 'before' else '(mới)'}" if marked else f"of {when.period or when.year}"
            ranking = "63" if by_total == "before" else "34"
            warning = f"{p.name}: a rank out of {when.rank_total} but a result {said}: the ranking of {ranking} provinces is taken"
    absorbed = p.to_2025 != p.name_in(2025)
    if absorbed and era == "after":
        warning = f"{p.name} was merged into {p.to_2025} on 1/7/2025, yet this result is after the merger; check the subject"
    name = p.name_in(when.year) if era != "before" else p.name
    if absorbed or p.name not in _changed():
        key = f"province:{p.name if absorbed else p.to_2025}"
    else:
        key = f"province:{p.name}" + {"before": " (cũ)", "after": " (mới)"}.get(era or "", "")
    return Identity(name, "province", name, p.to_2025, key), warning


@cache
def _changed() -> frozenset[str]:
    """Provinces that kept their name but not their unit: others were merged into them."""
    all_ = provinces().values()
    return frozenset(p.to_2025 for p in all_ if p.to_2025 != p.name_in(2025))


def _possible_eras(year: int | None, period: str | None) -> tuple[str, ...]:
    """The rankings a result of this time can be in. Results of 2024 and 2025 were
    published both ways (DTI 2024 came out in 2025 over the 34 new provinces).

    >>> _possible_eras(2023, None), _possible_eras(2024, None), _possible_eras(2026, None), _possible_eras(2025, "2025-10")
    (('before',), ('before', 'after'), ('after',), ('after',))
    """
    if period or year is None:
        era = _era_of(year, period)
        return (era,) if era else ("before", "after")
    if year <= 2023:
        return ("before",)
    return ("before", "after") if year <= 2025 else ("after",)


def _era_of(year: int | None, period: str | None) -> str | None:
    """Before or after 1/7/2025, by the result's period ("2025-06", "2025-W27", "2025-Q3") or year.

    >>> _era_of(2025, "2025-06"), _era_of(2025, "2025-W28"), _era_of(2025, "2025-Q3"), _era_of(2025, None), _era_of(2024, None)
    ('before', 'after', 'after', 'after', 'before')
    """
    if period:
        year_part, _, rest = period.partition("-")
        if rest.startswith("W"):
            month = datetime.date.fromisocalendar(int(year_part), min(int(rest[1:]), 52), 4).month
        elif rest.startswith("Q"):
            month = 3 * int(rest[1:])
        else:
            month = int(rest)
        return "after" if (int(year_part), month) >= (2025, 7) else "before"
    if year is None:
        return None
    return "after" if year >= 2025 else "before"
