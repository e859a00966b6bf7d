"""The README's sample output is what the command prints today (issue 20)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import QUICKSTART_SAMPLE, REPO

COMMAND = "$ python cli.py extract corpus/dev/quang-tri-par-2023.txt"


def _readme_sample() -> list[str]:
    """The lines of the README's sample, "..." elisions left out."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == COMMAND) + 1
    end = next(i for i in range(start, len(lines)) if lines[i] == "    }")
    return [line.strip() for line in lines[start:end] if line.strip() and not line.strip().startswith("...")]


def test_every_line_of_the_readme_sample_is_printed_by_the_command() -> None:
    printed = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(QUICKSTART_SAMPLE.relative_to(REPO))],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
    document = json.loads(printed)
    # The README writes some lists and spans on one line; each "key": value it shows must
    # be a value the command gives for that key somewhere in the document.
    printed_lines = {line.strip().rstrip(",") for line in printed.splitlines()}
    sample = _readme_sample()
    assert len(sample) > 60
    for line in sample:
        bare = line.rstrip(",")
        if bare in printed_lines or bare in ("{", "}", "[", "]", "},", "],") or bare.endswith(("{", "[")):
            continue
        shown = json.loads("{" + bare + "}")  # one or more "key": value pairs
        for key, value in shown.items():
            found = _values_of(document, key)
            assert value in found, f"README says {key}: {value}; the command prints {found[:3]}"


def _values_of(node: object, key: str) -> list[object]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _values_of(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _values_of(v, key)]
    return []
