"""Statements into metrics: one per index, subject, year and period.

The first statement gives the metric its place and ``inferred``; later ones add
evidence and fill empty fields; a value that disagrees with an earlier one is kept in
``alternatives`` and sets ``conflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..gazetteer import provinces
from ..records import Alternative, Metric
from .statement import Statement


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys() if a[k] is not None and b[k] is not None)


def join_years(statements: Sequence[Statement]) -> None:
    """A statement without a year takes the year of one of the same index and subject
    that has one and agrees with it."""
    for s in statements:
        if s.year is None:
            years = {t.year for t in statements if t.year is not None and t.indicator == s.indicator
                     and t.subject == s.subject and _agree(s.values, t.values)}
            if len(years) == 1:
                s.year = years.pop()
                s.inferred.append("year")


def _differs(current: Any, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str) or isinstance(current, str):
        return bool(current != value)
    return Decimal(str(current)) != Decimal(str(value))


def merge(statements: Sequence[Statement]) -> tuple[list[Metric], list[str]]:
    metrics: dict[tuple[str, str | None, int | None, str | None, bool], Metric] = {}
    warnings: list[str] = []
    for s in statements:
        key = (s.indicator, s.subject, s.year, s.period, s.aggregate)
        if key not in metrics:
            metrics[key] = _new_metric(s)
            continue
        metric = metrics[key]
        metric.evidence += [e for e in s.evidence if e not in metric.evidence]
        for name, value in s.values.items():
            current = getattr(metric, name)
            if current is None:
                setattr(metric, name, value)
            elif _differs(current, value):
                metric.conflict = True
                metric.alternatives.append(Alternative(field=name, value=value, evidence=s.evidence))
                warnings.append(
                    f"page {s.page}: {s.indicator} {s.subject} {s.year}: {name} is {value} here but {current} earlier; the first is kept"
                )
    return sorted(metrics.values(), key=lambda m: (m.page, m.start, m.end)), warnings


def _new_metric(s: Statement) -> Metric:
    province = provinces().get(s.subject) if s.subject else None
    subject = province.name_in(s.year) if province else s.subject
    scope = "average" if s.aggregate else (subject or "unknown")
    suffix = f"-{s.period}" if s.period else ""
    return Metric(
        id=f"m-{s.indicator}-{scope}-{s.year or 'unknown'}{suffix}",
        indicator=s.indicator, subject=subject, year=s.year, period=s.period, aggregate=s.aggregate,
        page=s.page, start=s.start, end=s.end, evidence=list(s.evidence), inferred=sorted(set(s.inferred)),
        **s.values,
    )
