"""rank_change: "tăng 15 bậc so với năm 2018", "giảm 3 bậc", "lên một bậc", "tăng 3 hạng"."""

from __future__ import annotations

import regex

from .common import int_group, quantity, sign

FIELD_SOURCES = {"value": {"value"}, "compared_to": {"compared_to"}}


def build(match: regex.Match[str], text: str) -> dict | None:
    steps = quantity(match, "value")
    if steps is None or steps == 0 or steps != steps.to_integral_value():
        return None
    return {"value": int(steps) * sign(match), "compared_to": int_group(match, "compared_to")}
