"""score_change: "tăng 4,42 điểm so với năm 2018", "giảm 0,5 điểm", "tăng 1,39%" (points)."""

from __future__ import annotations

import regex

from .common import group, int_group, required, sign
from .score import score_value

FIELD_SOURCES = {"value": {"value"}, "unit": {"unit"}, "compared_to": {"compared_to"}}


def change_unit(written: str | None) -> str | None:
    """ "điểm" for points; "%" for a percentage-valued index, changed in percentage points.

    >>> change_unit("điểm"), change_unit("%"), change_unit("điểm phần trăm"), change_unit(None)
    ('điểm', '%', '%', None)
    """
    if written is None:
        return None
    return "%" if "%" in written or "phần trăm" in written.lower() else "điểm"


def build(match: regex.Match[str], text: str) -> dict | None:
    value = score_value(required(match, "value")) * sign(match)
    return {"value": value, "unit": change_unit(group(match, "unit")), "compared_to": int_group(match, "compared_to")}
