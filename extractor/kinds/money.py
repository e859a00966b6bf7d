"""money: "3,5 tỷ đồng", "600.000 đồng", "1,5 triệu đồng", "2 nghìn tỷ đồng"; value in đồng."""

from __future__ import annotations

import regex

from .common import approx_code, quantity

FIELD_SOURCES = {"value": {"value"}, "currency": None, "approx": {"approx"}}


def build(match: regex.Match[str], text: str) -> dict | None:
    return {"value": quantity(match, "value"), "currency": "VND", "approx": approx_code(match)}
