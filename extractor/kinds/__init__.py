"""Record kinds: for each, how a rule's match becomes fields, and what wins an overlap.

Each kind module has ``build(match, page_text) -> fields | None`` (None rejects the
match: the small pure disambiguation functions live beside it) and ``FIELD_SOURCES``:
for each field, the named groups that can produce it (None: always produced), which is
how a pattern file is checked at load time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

import regex

from . import count, date, legal_ref, money, percent, period, rank, rank_change, ratio, score, score_change

Builder = Callable[[regex.Match[str], str], "dict | None"]


@dataclass(frozen=True)
class Kind:
    name: str
    priority: int  # where candidates overlap, the higher priority wins
    build: Builder
    field_sources: Mapping[str, set[str] | None]


def _kind(name: str, priority: int, module: ModuleType) -> Kind:
    return Kind(name, priority, module.build, module.FIELD_SOURCES)


# A symbol ("24/2014/NĐ-CP") holds what looks like a date or a ratio, a change ("tăng
# 4,42 điểm") contains a score, a rank ("thứ 27/63") looks like a ratio, and any of them
# contains a bare number that could be a count: the more specific wins.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind("legal_ref", 100, legal_ref),
        _kind("date", 90, date),
        _kind("period", 85, period),
        _kind("score_change", 70, score_change),
        _kind("rank_change", 70, rank_change),
        _kind("rank", 60, rank),
        _kind("percent", 50, percent),
        _kind("score", 50, score),
        _kind("money", 45, money),
        _kind("ratio", 40, ratio),
        _kind("count", 30, count),
    )
}
