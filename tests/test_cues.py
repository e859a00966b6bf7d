"""Every example and counterexample of extractor/patterns/cues/, one test each, named by cue id.

An example says which cue words the family finds in it and, where it gives metrics,
every subject metric the text yields (aggregates aside), compared on the fields listed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor.metrics.cues import CueError, CueExample, family, load_cues
from extractor.pipeline import extract_text

CUES = load_cues()


def _cases(attribute: str) -> list:
    return [pytest.param(cue, case, id=f"{cue.id}:{case.text}") for cue in CUES for case in getattr(cue, attribute)]


def _same(actual: object, expected: object) -> bool:
    if isinstance(actual, Decimal) and isinstance(expected, (int, float)):
        return actual == Decimal(str(expected))
    return actual == expected


def _check_metrics(example: CueExample) -> None:
    if example.metrics is None:
        return
    found = [m for m in extract_text(example.text).metrics if not m.aggregate]
    expected = [e.model_dump(exclude_none=True) for e in example.metrics]
    left = list(found)
    for fields in expected:
        hit = next((m for m in left if all(_same(getattr(m, k), v) for k, v in fields.items())), None)
        shown = [(m.indicator, m.subject, m.year, m.score, m.rank) for m in found]
        assert hit is not None, f"no metric with {fields}; got {shown}"
        left.remove(hit)
    assert not left, f"metrics the text does not give: {[(m.indicator, m.subject, m.year, m.score, m.rank) for m in left]}"


@pytest.mark.parametrize(("cue", "example"), _cases("examples"))
def test_cue_example(cue, example: CueExample) -> None:
    if example.match is not None:
        found = [m.group() for m in cue.pattern.finditer(example.text)]
        assert example.match in found, f"{cue.id} finds {found} in {example.text!r}"
    _check_metrics(example)


@pytest.mark.parametrize(("cue", "example"), _cases("counterexamples"))
def test_cue_counterexample(cue, example: CueExample) -> None:
    if example.metrics is None:
        assert not cue.pattern.search(example.text), f"{cue.id} matches {example.text!r}"
    _check_metrics(example)


def test_a_family_matches_its_cues() -> None:
    assert family("enumeration").search("ba tỉnh lần lượt xếp thứ 6, 7 và 8")
    assert not family("enumeration").search("ba tỉnh xếp thứ 6, 7 và 8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("family: tie\ndescription: x\ncues:\n  - id: tie.a\n    words: [cùng]\n    examples: []\n    counterexamples: [{text: b}]\n",
         "cue tie.a: cues.0.examples: List should have at least 1 item"),
        ("family: nope\ndescription: x\ncues:\n  - id: nope.a\n    words: [a]\n    examples: [{text: a}]\n    counterexamples: [{text: b}]\n",
         "unknown family 'nope'"),
        ("family: tie\ndescription: x\ncues:\n  - id: tie.a\n    regex: '(unclosed'\n    examples: [{text: a}]\n    counterexamples: [{text: b}]\n",
         "cue tie.a: bad regex"),
        ("family: tie\ndescription: x\ncues:\n  - id: tie.a\n    words: [a]\n    regex: 'a'\n    examples: [{text: a}]\n    counterexamples: [{text: b}]\n",
         "cue tie.a: cues.0: Value error, give either words or regex"),
        ("family: tie\ndescription: x\ncues: [\n", "not valid YAML"),
    ],
)
def test_a_bad_cue_file_fails_in_one_line_naming_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "tie.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CueError) as error:
        load_cues.__wrapped__(tmp_path)
    text = str(error.value)
    assert "\n" not in text and str(bad) in text and message in text, text
