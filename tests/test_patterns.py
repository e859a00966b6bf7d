"""Every example and counterexample in patterns/, one test each, named by rule id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.recognize import recognize_page
from extractor.rulebook import load_rules

RULES = load_rules()


def _cases(attribute: str) -> list:
    return [
        pytest.param(rule, case, id=f"{rule.id}:{case if isinstance(case, str) else case.text}")
        for rule in RULES
        for case in getattr(rule, attribute)
    ]


def _same(actual: object, expected: object) -> bool:
    if isinstance(actual, Decimal) and isinstance(expected, (int, float)):
        return actual == Decimal(str(expected))
    return actual == expected


@pytest.mark.parametrize(("rule", "example"), _cases("examples"))
def test_example(rule, example) -> None:
    records, warnings = recognize_page(example.text, 1)
    surface = example.surface or example.text
    found = [r for r in records if r.kind == rule.kind and r.surface == surface]
    assert found, f"no {rule.kind} record {surface!r}; got {[(r.kind, r.surface, r.rule) for r in records]}"
    record = found[0]
    assert record.rule == rule.id
    assert example.text[record.start : record.end] == surface
    for name, expected in example.fields.items():
        assert _same(getattr(record, name), expected), f"{name}: {getattr(record, name)!r} != {expected!r}"
    assert warnings == []


@pytest.mark.parametrize(("rule", "text"), _cases("counterexamples"))
def test_counterexample(rule, text: str) -> None:
    records, _ = recognize_page(text, 1)
    assert [r.surface for r in records if r.kind == rule.kind] == []


def test_every_rule_has_enough_examples() -> None:
    for rule in RULES:
        assert len(rule.examples) >= 3 and len(rule.counterexamples) >= 1, rule.id
