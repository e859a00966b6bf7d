#!/usr/bin/env python3
"""Time and memory per KB as a page grows from 1 KB to 1 MB: every stage must be linear.

    .venv/bin/python bench/scaling.py            # writes bench/scaling.md and bench/scaling.json

Each input family is one page of growing size, extracted by ``extract_text`` in a fresh
process per family (sizes in increasing order, so the peak RSS read after each size is
that size's). The families are the shapes that made stages quadratic before (issue 18):

- prose: generated press releases (bench/press_releases.py) run together, a normal page;
- one line: "1%đạt 1,5% " repeated without a full stop or line break, thousands of values
  in one sentence;
- repeated: one short corpus paragraph repeated, the same mentions and statements again
  and again;
- table: tab-separated rows of a province table (name, score, rank) under a header.

The verdict compares ms per KB at 1 MB with ms per KB at 100 KB on the same family in the
same run (a linear stage keeps the ratio near 1; the machine is shared, so ratios, not
seconds).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES_KB = (1, 10, 100, 200, 400, 800, 1024)
FAMILIES = ("prose", "one line", "repeated", "table")

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from extractor.pipeline import extract_text
text = open(sys.argv[2], encoding="utf-8").read()
extract_text(text[:12000])  # models, rules and taggers loaded before timing
for kb in json.loads(sys.argv[3]):
    page = text[: kb * 1024]
    began = time.perf_counter()
    result = extract_text(page)
    seconds = time.perf_counter() - began
    out = len(result.model_dump_json())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kb": kb, "seconds": seconds, "records": len(result.records), "metrics": len(result.metrics),
                      "output_kb": out // 1024, "peak_mb": peak}), flush=True)
"""


def _family_text(family: str, size: int, work: Path) -> str:
    """At least ``size`` characters of one family."""
    if family == "prose":
        sys.path.insert(0, str(HERE))
        from press_releases import generate

        paths = generate(120, work / "pr", seed=7)
        text = "\n\n".join(p.read_text(encoding="utf-8") for p in paths)
    elif family == "one line":
        text = "1%đạt 1,5% "
    elif family == "repeated":
        text = ("Năm 2023, Chỉ số CCHC (PAR INDEX) của tỉnh Quảng Trị đạt 85,12%, tăng 2,3 điểm so với năm 2022, "
                "xếp thứ 20/63 tỉnh, thành phố; Chỉ số SIPAS đạt 81,4%.\n\n")
    else:
        rows = "".join(f"{i}\tTỉnh Số {i}\t{80 + (i % 17) / 10:.2f}\t{1 + i % 63}/63\n" for i in range(1, 2000))
        text = "Bảng 1. Chỉ số CCHC năm 2023 của các tỉnh\n\nSTT\tĐơn vị\tĐiểm số (%)\tXếp hạng\n" + rows
    return (text * (size // len(text) + 1))[:size]


def _measure(family: str, work: Path) -> list[dict]:
    path = work / f"{family.replace(' ', '-')}.txt"
    path.write_text(_family_text(family, max(SIZES_KB) * 1024, work), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(path), json.dumps(SIZES_KB)],
                          capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise SystemExit(f"{family}: {done.stderr.strip().splitlines()[-1:]}")
    return [json.loads(line) for line in done.stdout.splitlines()]


def _table(results: dict[str, list[dict]]) -> list[str]:
    lines = ["| family | KB | seconds | ms per KB | records | metrics | output KB | peak RSS MB |", "|---|---|---|---|---|---|---|---|"]
    for family, rows in results.items():
        for r in rows:
            lines.append(f"| {family} | {r['kb']} | {r['seconds']:.3f} | {1000 * r['seconds'] / r['kb']:.2f} | {r['records']} | "
                         f"{r['metrics']} | {r['output_kb']} | {r['peak_mb']} |")
    return lines


def _verdicts(results: dict[str, list[dict]]) -> list[str]:
    lines = ["| family | ms/KB at 100 KB | ms/KB at 1 MB | ratio | 800 KB time ÷ 100 KB time |", "|---|---|---|---|---|"]
    for family, rows in results.items():
        per = {r["kb"]: r["seconds"] / r["kb"] for r in rows}
        at = {r["kb"]: r["seconds"] for r in rows}
        lines.append(f"| {family} | {1000 * per[100]:.2f} | {1000 * per[1024]:.2f} | {per[1024] / per[100]:.2f} | "
                     f"{at[800] / at[100]:.1f} (linear: 8) |")
    return lines


def main() -> int:
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory() as tmp:
        results = {family: _measure(family, Path(tmp)) for family in FAMILIES}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    (HERE / "scaling.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    lines = [
        "# Scaling: time and memory per KB from 1 KB to 1 MB (issue 18)", "",
        f"Written by `bench/scaling.py` on {started} at commit {commit}+changes; Python {platform.python_version()}, "
        "one process per family, `extract_text` on one page of each size (models loaded before timing). The machine "
        "is shared: read the ratios, measured in one run.", "",
        "## Linearity", "", *_verdicts(results), "",
        "## Every size", "", *_table(results), "",
    ]
    (HERE / "scaling.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
