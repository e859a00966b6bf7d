"""date: "ngày 07/7/2014", "ngày 19 tháng 02 năm 2025", "sáng 10/7" (no year), "tháng 6/2024"."""

from __future__ import annotations

import datetime

import regex

from .common import group

FIELD_SOURCES = {"value": {"year"}, "year": {"year"}, "month": {"month"}, "day": {"day"}}


def date_fields(day: int | None, month: int, year: int | None) -> dict | None:
    """The contract's date fields, or None when no such date exists.

    ``value`` is the ISO date; a month without a day is the ISO month ("2024-06"); a
    date whose year is not written has no value.

    >>> date_fields(7, 7, 2014)["value"], date_fields(10, 7, None)["value"], date_fields(None, 6, 2024)["value"]
    ('2014-07-07', None, '2024-06')
    >>> date_fields(31, 2, 2024) is None, date_fields(29, 2, None) is None, date_fields(1, 13, 2020) is None
    (True, False, True)
    """
    if not 1 <= month <= 12:
        return None
    try:  # a leap year stands in when the year is unknown, so that 29/2 stays possible
        datetime.date(year or 2000, month, day or 1)
    except ValueError:
        return None
    if year is None:
        value = None
    elif day is None:
        value = f"{year:04d}-{month:02d}"
    else:
        value = f"{year:04d}-{month:02d}-{day:02d}"
    return {"value": value, "year": year, "month": month, "day": day}


def _int(match: regex.Match[str], name: str) -> int | None:
    text = group(match, name)
    return int(text) if text else None


def build(match: regex.Match[str], text: str) -> dict | None:
    month = _int(match, "month")
    return None if month is None else date_fields(_int(match, "day"), month, _int(match, "year"))
