"""Pattern files are checked when loaded: each mistake is an error naming file and rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import QUICKSTART_SAMPLE
from extractor.rulebook import PATTERNS_DIR, PatternError, load_rules

GOOD_RULE = """
  - id: score.test_rule
    regex: '(?P<value>\\d+,\\d+)\\s+điểm'
    examples:
      - {text: "đạt 81,42 điểm", surface: "81,42 điểm", fields: {value: 81.42}}
      - {text: "43,73 điểm", fields: {value: 43.73}}
      - {text: "0,5 điểm", fields: {value: 0.5}}
    counterexamples: ["81 điểm"]
"""


def write(tmp_path: Path, body: str, name: str = "score.yaml") -> Path:
    directory = tmp_path / "patterns"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(body, encoding="utf-8")
    return directory


def error_of(directory: Path) -> str:
    load_rules.cache_clear()
    try:
        with pytest.raises(PatternError) as caught:
            load_rules(directory)
    finally:
        load_rules.cache_clear()
    return str(caught.value)


def test_a_good_file_loads(tmp_path: Path) -> None:
    load_rules.cache_clear()
    rules = load_rules(write(tmp_path, "kind: score\nrules:" + GOOD_RULE))
    assert [(r.id, r.kind, r.source.name) for r in rules] == [("score.test_rule", "score", "score.yaml")]
    load_rules.cache_clear()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("kind: score\ncolour: red\nrules:" + GOOD_RULE, "score.yaml: colour: Extra inputs are not permitted"),
        ("kind: score\nrules:" + GOOD_RULE.replace("    regex:", "    colour: red\n    regex:"),
         "score.yaml: rule score.test_rule.colour: Extra inputs are not permitted"),
        ("kind: score\nrules:" + GOOD_RULE.replace("(?P<value>\\d+,\\d+)", "(?P<value>\\d+"),
         "score.yaml: rule score.test_rule: regex does not compile: missing )"),
        ("kind: score\nrules:" + GOOD_RULE + GOOD_RULE, "score.yaml: rule score.test_rule: duplicate id (also in score.yaml)"),
        ("kind: score\nrules:" + GOOD_RULE.replace("fields: {value: 0.5}", "fields: {value: 0.5, unit: '%', rank: 3}"),
         "score.yaml: rule score.test_rule: example '0,5 điểm' expects 'rank', which score records do not have"),
        ("kind: score_change\nrules:" + GOOD_RULE.replace("score.test_rule", "score_change.test").replace("fields: {value: 0.5}", "fields: {compared_to: 2018}"),
         "score.yaml: rule score_change.test: example '0,5 điểm' expects 'compared_to', but the regex has no group that gives it (one of: compared_to)"),
        ("kind: score\nrules:" + GOOD_RULE.replace("(?P<value>\\d+,\\d+)", "(?P<value>(?:\\d+,?)+)"),
         "score.yaml: rule score.test_rule: nested unbounded repetition such as (a+)+ can run away; bound one of them"),
        ("kind: score\nrules:" + GOOD_RULE.replace("(?P<value>", "{{nowhere}}(?P<value>"),
         "score.yaml: rule score.test_rule: unknown definition {{nowhere}}"),
        ("kind: weight\nrules:" + GOOD_RULE, "score.yaml: rule score.test_rule: unknown kind 'weight'"),
        ("kind: score\nrules:" + GOOD_RULE.replace('    counterexamples: ["81 điểm"]', "    counterexamples: []"),
         "score.yaml: rule score.test_rule.counterexamples: List should have at least 1 item"),
        ("kind: score\nrules: [\n", "score.yaml: not valid YAML"),
    ],
    ids=["unknown file key", "unknown rule key", "bad regex", "duplicate id", "field of another kind",
         "field the regex cannot give", "nested repetition", "unknown definition", "unknown kind",
         "no counterexample", "broken YAML"],
)
def test_mistakes_fail_loudly(tmp_path: Path, body: str, message: str) -> None:
    assert error_of(write(tmp_path, body)).startswith(message)


def test_a_bad_file_stops_extraction_with_one_line(tmp_path: Path, capsys) -> None:
    patterns = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, patterns)
    (patterns / "rank.yaml").write_text("kind: rank\nrules:\n  - id: bad\n", encoding="utf-8")
    import cli

    sample = QUICKSTART_SAMPLE
    load_rules.cache_clear()
    try:
        code = cli.main(["extract", "--patterns", str(patterns), str(sample)])
    finally:
        load_rules.cache_clear()
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("error: rank.yaml: rule bad.id: String should match pattern")
    assert err.count("\n") == 1
