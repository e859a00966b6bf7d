"""Where candidates overlap, keep one reading.

"tăng 4,42 điểm" holds a score, "thứ 27/63" looks like a ratio, and every value holds a
bare number that a count rule could take. The more specific kind wins (see the
priorities in :mod:`extractor.kinds`), then the rule's own priority, then the longer
span, then the earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Span(Protocol):
    start: int
    end: int

    @property
    def priority(self) -> tuple[int, ...]: ...


C = TypeVar("C", bound=_Span)


def resolve(candidates: Sequence[C], length: int) -> list[C]:
    """The candidates that survive, greedily by priority; no two overlap.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class C:
    ...     start: int; end: int; priority: tuple; name: str
    >>> kept = resolve([C(0, 10, (70, 0, 10), "change"), C(5, 10, (50, 0, 5), "score"), C(12, 15, (30, 0, 3), "count")], 20)
    >>> [c.name for c in kept]
    ['change', 'count']
    """
    taken = bytearray(length)
    kept: list[C] = []
    for candidate in sorted(candidates, key=lambda c: (tuple(-p for p in c.priority), c.start)):
        if 1 in taken[candidate.start : candidate.end]:
            continue
        taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
        kept.append(candidate)
    return kept
