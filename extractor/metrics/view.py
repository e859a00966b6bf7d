"""A page analysed once: its text, sentences, mentions, tables and value records.

Every stage of metric joining reads this view; none finds sentences, mentions or tables
again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Record
from ..segment import Sentence, sentences_of
from ..tables import Table
from .mentions import Mentions, page_mentions
from .statement import VALUE_KINDS


@dataclass(frozen=True)
class PageView:
    number: int
    text: str
    sentences: tuple[Sentence, ...]
    mentions: Mentions
    tables: tuple[Table, ...]
    records: tuple[Record, ...]  # every record of the page
    values: tuple[Record, ...]  # those a metric can hold, in text order

    @classmethod
    def build(cls, number: int, text: str, records: Sequence[Record], tables: Sequence[Table]) -> PageView:
        own = tuple(r for r in records if r.page == number)
        values = tuple(sorted((r for r in own if r.kind in VALUE_KINDS), key=lambda r: (r.start, r.end)))
        return cls(number, text, sentences_of(text), page_mentions(text, own), tuple(tables), own, values)
