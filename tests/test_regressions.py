"""One minimal input per bug found, in corpus/regressions: each must come out exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from extractor.evaluate import evaluate
from extractor.gold import gold_files

CASES = gold_files([CORPUS / "regressions"])


@pytest.mark.parametrize("gold", CASES, ids=[p.name.removesuffix(".txt.gold.json") for p in CASES])
def test_regression_comes_out_exactly(gold: Path) -> None:
    report = evaluate([gold]).as_dict()
    assert [(e["what"], e["kind"], e["surface"]) for e in report["errors"]] == []
    assert report["micro"]["gold"] == report["micro"]["tp"] == report["micro"]["found"]
