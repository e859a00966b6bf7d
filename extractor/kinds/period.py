"""period: "giai đoạn 2011 - 2020", "(2016 - 2019)", "từ năm 2012 đến 2019", "từ năm 2016 đến nay"."""

from __future__ import annotations

import regex

from .common import int_group

FIELD_SOURCES = {"start_year": {"start_year"}, "end_year": {"end_year"}}


def build(match: regex.Match[str], text: str) -> dict | None:
    start, end = int_group(match, "start_year"), int_group(match, "end_year")
    if start is None or (end is not None and end <= start):
        return None
    return {"start_year": start, "end_year": end}
