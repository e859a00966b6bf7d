"""Where candidates overlap, keep one reading.

"tăng 4,42 điểm" holds a score, "thứ 27/63" looks like a ratio, and every value holds a
bare number that a count rule could take. The more specific kind wins (see the
priorities in :mod:`extractor.kinds`), then the rule's own priority, then the longer
span, then the earlier one. A date inside a legal reference ("Quyết định số 510/QĐ-UBND
ngày 07/7/2014") is kept too: it is a date record and the reference's ``issued``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

# (outer kind, inner kind): an inner record wholly inside an outer one is kept as well.
NESTING = frozenset({("legal_ref", "date")})


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...

    @property
    def priority(self) -> tuple[int, ...]: ...


C = TypeVar("C", bound=_Span)


def resolve(candidates: Sequence[C], length: int) -> list[C]:
    """The candidates that survive, greedily by priority; no two overlap unless they nest.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class C:
    ...     start: int; end: int; priority: tuple; kind: str
    >>> kept = resolve([C(0, 10, (70, 0, 10), "score_change"), C(5, 10, (50, 0, 5), "score"),
    ...                 C(12, 30, (100, 0, 18), "legal_ref"), C(24, 30, (90, 0, 6), "date"), C(14, 16, (30, 0, 2), "count")], 40)
    >>> [c.kind for c in kept]
    ['legal_ref', 'date', 'score_change']
    """
    taken = bytearray(length)
    outers: list[C] = []  # kept candidates that another kind may nest in
    kept: list[C] = []
    for candidate in sorted(candidates, key=lambda c: (tuple(-p for p in c.priority), c.start)):
        if 1 in taken[candidate.start : candidate.end]:
            inside = any(
                (o.kind, candidate.kind) in NESTING and o.start <= candidate.start and candidate.end <= o.end for o in outers
            )
            if not inside or any(
                k.start < candidate.end and candidate.start < k.end and (k.kind, candidate.kind) not in NESTING
                for k in kept
            ):
                continue
        else:
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
        kept.append(candidate)
        if any(outer == candidate.kind for outer, _ in NESTING):
            outers.append(candidate)
    return kept
