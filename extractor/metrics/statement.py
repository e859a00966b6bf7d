"""What one clause says about one index, subject and year, before metrics are merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import Record
from .mentions import SubjectMention

# Record kinds a metric is built from.
VALUE_KINDS = ("score", "percent", "score_change", "rank", "rank_change")


@dataclass
class Statement:
    """One index's values for one subject and year, as a clause or a table row gives them."""

    indicator: str
    subject: str | None
    year: int | None
    page: int
    start: int
    end: int
    values: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    aggregate: bool = False
    subject_type: str | None = None
    period: str | None = None
    explicit_subject: bool = False  # named in the clause, not carried from context


# The subject of an average's values: no one subject, the whole.
AGGREGATE = SubjectMention("", "aggregate", -1, -1, "aggregate")


@dataclass
class Link:
    """One value given to one index (or several named together), subject and year."""

    record: Record
    subject: SubjectMention | None
    indices: tuple[str, ...] | None
    year: int | None
    group: tuple[SubjectMention, ...] = ()
