"""score: "81,42 điểm", "đạt 77,65/100 điểm", "64.63 điểm" (a dot decimal)."""

from __future__ import annotations

from decimal import Decimal

import regex

from ..numbers import parse_number
from .common import required

FIELD_SOURCES = {"value": {"value"}, "unit": None}


def score_value(written: str) -> Decimal:
    """A score's value: a lone dot with three digits is thousands, unless that is absurd.

    Index scores stay below 1000 points, so "81.420" read as 81420 must be a dot decimal;
    "1.000 điểm" (a points total) stays 1000.

    >>> score_value("81,42"), score_value("64.63"), score_value("81.420"), score_value("1.000")
    (Decimal('81.42'), Decimal('64.63'), Decimal('81.420'), Decimal('1000'))
    """
    value = parse_number(written)
    if value > 1000 and written.count(".") == 1 and "," not in written:
        return parse_number(written, dot_decimal=True)
    return value


def build(match: regex.Match[str], text: str) -> dict | None:
    written = required(match, "value")
    if len(written) == 4 and written.isdigit() and 1900 <= int(written) <= 2100:
        return None  # "năm 2022 điểm số tăng": a year before the noun "điểm số"
    return {"value": score_value(written), "unit": "điểm"}
