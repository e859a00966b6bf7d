"""Statements into metrics: one per index, subject, year and period.

The first statement gives the metric its place and ``inferred``; later ones add
evidence and fill empty fields; a value that disagrees with an earlier one is kept in
``alternatives`` and sets ``conflict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from ..records import Alternative, Inference, Metric, SubjectType
from ..subjects import Identity, When, identify
from .statement import Statement


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys() if a[k] is not None and b[k] is not None)


def _values_key(values: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


def join_years(statements: Sequence[Statement], texts: Mapping[int, str]) -> None:
    """A statement without a year takes the year of one of the same index and subject
    that has one and agrees with it."""
    # Statements that repeat one another (a long page says the same thing many times)
    # are looked at once: the first of each, in text order, keeps linear what would
    # otherwise compare every statement with every other.
    dated: dict[tuple[str, str | None], dict[tuple, tuple[int, Statement]]] = {}

    def add(position: int, t: Statement) -> None:
        kept = dated.setdefault((t.indicator, t.subject), {})
        key = (t.year, _values_key(t.values))
        if key not in kept or position < kept[key][0]:
            kept[key] = (position, t)

    for position, t in enumerate(statements):
        if t.year is not None:
            add(position, t)
    for position, s in enumerate(statements):
        if s.year is None:
            given = [(p, t) for p, t in dated.get((s.indicator, s.subject), {}).values() if _agree(s.values, t.values)]
            if len({t.year for _, t in given}) == 1:
                t = min(given, key=lambda pair: pair[0])[1]  # the first in the text
                s.year = t.year
                s.infer("year", Inference(field="year", source="statement", page=t.page, start=t.start, end=t.end,
                                          surface=texts[t.page][t.start : t.end]))
                add(position, s)  # a year found counts for the statements after it


def identify_subjects(statements: Sequence[Statement], home: str | None) -> list[str]:
    """Each statement's subject identity (type, province, name; before or after the
    merger); warnings where the text's clues disagree."""
    warnings: list[str] = []
    for s in statements:
        if s.subject is None:
            continue
        when = When(s.year, s.period, s.values.get("rank_total"))
        identity, warning = identify(s.subject, s.subject_type, province=s.subject_province, era=s.subject_era,
                                     when=when, home=home)
        s.identity = identity
        if warning:
            warnings.append(f"page {s.page}: {s.indicator} {s.year}: {warning}")
    return list(dict.fromkeys(warnings))


def _differs(current: Any, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str) or isinstance(current, str):
        return bool(current != value)
    return Decimal(str(current)) != Decimal(str(value))


def merge(statements: Sequence[Statement]) -> tuple[list[Metric], list[str]]:
    metrics: dict[tuple[str, str | None, int | None, str | None, bool], Metric] = {}
    cited: dict[tuple[str, str | None, int | None, str | None, bool], set[str]] = {}  # each metric's evidence, to look up
    warnings: list[str] = []
    for s in statements:
        key = (s.indicator, s.identity.id if s.identity else None, s.year, s.period, s.aggregate)
        if key not in metrics:
            metrics[key] = _new_metric(s)
            cited[key] = set(metrics[key].evidence)
            continue
        metric = metrics[key]
        new = [e for e in s.evidence if e not in cited[key]]
        metric.evidence += new
        cited[key].update(new)
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
    identity = s.identity or Identity("", None, None, None, "")
    scope = identity.id or ("average" if s.aggregate else "unknown")
    suffix = f"-{s.period}" if s.period else ""
    return Metric(
        id=f"m-{s.indicator}-{'average-' if s.aggregate and identity.id else ''}{scope}-{s.year or 'unknown'}{suffix}",
        indicator=s.indicator, subject=identity.name or None, subject_type=cast(SubjectType | None, identity.type), subject_id=identity.id or None,
        province=identity.province, province_2025=identity.province_2025, year=s.year, period=s.period,
        aggregate="average" if s.aggregate else None, page=s.page, start=s.start, end=s.end, evidence=list(s.evidence),
        inferred=sorted(set(s.inferred)), inferred_from=sorted(s.inferred_from, key=lambda i: i.field), **s.values,
    )
