"""A page analysed once: its text, sentences, mentions, tables and value records.

Every stage of metric joining reads this view; none finds sentences, mentions or tables
again.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ..records import Record
from ..segment import Sentence, sentences_of
from ..tables import Table
from .mentions import IndexMention, Mentions, SubjectMention, YearMention, page_mentions
from .statement import VALUE_KINDS


class _Placed(Protocol):
    @property
    def start(self) -> int: ...


T = TypeVar("T", bound=_Placed)


def within(items: Sequence[T], starts: Sequence[int], lo: int, hi: int) -> Sequence[T]:
    """The items (sorted by start; ``starts`` their starts) that start in [lo, hi)."""
    return items[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)]


@dataclass(frozen=True)
class PageView:
    number: int
    text: str
    sentences: tuple[Sentence, ...]
    mentions: Mentions
    tables: tuple[Table, ...]
    values: tuple[Record, ...]  # those a metric can hold, in text order
    _starts: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        m = self.mentions
        for name, items in (("indices", m.indices), ("subjects", m.subjects), ("years", m.years), ("values", self.values)):
            self._starts[name] = [item.start for item in items]

    def indices_in(self, lo: int, hi: int) -> Sequence[IndexMention]:
        """Index mentions that start in [lo, hi), found by bisection: a page is read in
        time linear in its mentions, however many sentences it has."""
        return within(self.mentions.indices, self._starts["indices"], lo, hi)

    def subjects_in(self, lo: int, hi: int) -> Sequence[SubjectMention]:
        return within(self.mentions.subjects, self._starts["subjects"], lo, hi)

    def years_in(self, lo: int, hi: int) -> Sequence[YearMention]:
        return within(self.mentions.years, self._starts["years"], lo, hi)

    def values_in(self, lo: int, hi: int) -> Sequence[Record]:
        return within(self.values, self._starts["values"], lo, hi)

    @classmethod
    def build(cls, number: int, text: str, records: Sequence[Record], tables: Sequence[Table]) -> PageView:
        own = tuple(r for r in records if r.page == number)
        values = tuple(sorted((r for r in own if r.kind in VALUE_KINDS), key=lambda r: (r.start, r.end)))
        return cls(number, text, sentences_of(text), page_mentions(text, own), tuple(tables), values)
