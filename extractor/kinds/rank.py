"""rank: "xếp hạng thứ 27/63", "đứng thứ 2 toàn tỉnh", "xếp thứ ba cả nước", "đứng đầu"."""

from __future__ import annotations

import regex

from ..numbers import parse_int
from .common import approx_code, group, int_group, ordinal_value, required

FIELD_SOURCES = {"rank": {"rank", "rank_word", "first"}, "total": {"total"}, "approx": {"approx"}}


def build(match: regex.Match[str], text: str) -> dict | None:
    if group(match, "first"):
        rank = 1
    elif group(match, "rank"):
        rank = parse_int(required(match, "rank"))
    else:
        rank = ordinal_value(required(match, "rank_word"))
    total = int_group(match, "total")
    if rank < 1 or (total is not None and rank > total):
        return None
    return {"rank": rank, "total": total, "approx": approx_code(match)}
