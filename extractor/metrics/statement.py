"""What one clause says about one index, subject and year, before metrics are merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import Inference, Record
from ..subjects import Identity
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
    subject_province: str | None = None  # the province the text names with the subject
    subject_era: str | None = None  # "before" / "after" the merger, as the text marks it
    inferred_from: list[Inference] = field(default_factory=list)
    identity: Identity | None = None  # set once the whole document is read

    def infer(self, name: str, source: Inference | None) -> None:
        """Mark ``name`` as filled from context, with the mention it came from when known."""
        if name not in self.inferred:
            self.inferred.append(name)
        if source is not None and all(i.field != name for i in self.inferred_from):
            self.inferred_from.append(source)

    def take_subject(self, mention: SubjectMention) -> None:
        self.subject, self.subject_type = mention.name, mention.type
        self.subject_province, self.subject_era = mention.province, mention.era


# The subject of an average's values when the text names no area: no one subject, the whole.
AGGREGATE = SubjectMention("", "aggregate", -1, -1, "aggregate")


@dataclass
class Link:
    """One value given to one index (or several named together), subject and year."""

    record: Record
    subject: SubjectMention | None
    indices: tuple[str, ...] | None
    year: int | None
    group: tuple[SubjectMention, ...] = ()
