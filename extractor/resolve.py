"""Where candidates overlap, keep one reading.

"tăng 4,42 điểm" holds a score, "thứ 27/63" looks like a ratio, and every value holds a
bare number that a count rule could take. The more specific kind wins (see the
priorities in :mod:`extractor.kinds`), then the rule's own priority, then the longer
span, then the earlier one. A date inside a legal reference ("Quyết định số 510/QĐ-UBND
ngày 07/7/2014") is kept too: it is a date record and the reference's ``issued``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Generic, Protocol, TypeVar

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
    outers: _ByPlace[C] = _ByPlace()  # kept candidates that another kind may nest in
    kept: _ByPlace[C] = _ByPlace()
    chosen: list[C] = []
    outer_kinds = {outer for outer, _ in NESTING}
    for candidate in sorted(candidates, key=lambda c: (tuple(-p for p in c.priority), c.start)):
        if 1 in taken[candidate.start : candidate.end]:
            inside = any(
                (o.kind, candidate.kind) in NESTING and o.start <= candidate.start and candidate.end <= o.end
                for o in outers.overlapping(candidate.start, candidate.end)
            )
            if not inside or any(
                (k.kind, candidate.kind) not in NESTING for k in kept.overlapping(candidate.start, candidate.end)
            ):
                continue
        else:
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
        chosen.append(candidate)
        kept.add(candidate)
        if candidate.kind in outer_kinds:
            outers.add(candidate)
    return chosen


class _ByPlace(Generic[C]):
    """Spans filed by where they start, to find those overlapping a span without looking
    at all of them (a long page keeps tens of thousands)."""

    _WIDTH = 256

    def __init__(self) -> None:
        self._buckets: dict[int, list[C]] = {}
        self._longest = 0

    def add(self, span: C) -> None:
        self._buckets.setdefault(span.start // self._WIDTH, []).append(span)
        self._longest = max(self._longest, span.end - span.start)

    def overlapping(self, start: int, end: int) -> Iterator[C]:
        """The spans that share a character with ``start:end``, in the order added per bucket."""
        first = max(0, start - self._longest) // self._WIDTH
        for bucket in range(first, (max(start, end - 1)) // self._WIDTH + 1):
            for span in self._buckets.get(bucket, ()):
                if span.start < end and start < span.end:
                    yield span
