"""percent: "51,6%", "2,4 %", "từ 85% đến 89%", "trên 80%"."""

from __future__ import annotations

import regex

from .common import approx_code, quantity

FIELD_SOURCES = {"value": {"value"}, "value_max": {"value_max"}, "approx": {"approx", "approx_ge"}}


def build(match: regex.Match[str], text: str) -> dict | None:
    approx = "ge" if "approx_ge" in match.re.groupindex and match.group("approx_ge") else approx_code(match)
    return {"value": quantity(match, "value"), "value_max": quantity(match, "value_max"), "approx": approx}
