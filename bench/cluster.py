#!/usr/bin/env python3
"""Scans through bulk: the local pool against ``--scheduler local`` on the same files.

    .venv/bin/python bench/cluster.py [--workers 2]     # writes bench/cluster.md and bench/cluster.json

OCR is what outgrows one machine (issue 21), so the workload is scanned PDFs: the five
scans of corpus/dev and, when ../shared is here (VN_REFORM_SHARED), its real scans without
a text layer. Each configuration runs ``cli.py bulk`` in a fresh process into a fresh
folder (start-up, database and exports included), one after the other, alternating, twice;
the median of each is kept. Pages a second come from the dataset's own page counts. The
machine is shared: the ratio of the two, measured in one run, is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("VN_REFORM_SHARED") or ROOT.parent / "shared")


def _scans(folder: Path) -> int:
    sources = sorted((ROOT / "corpus" / "dev").glob("*.scan.pdf"))
    sources += sorted((SHARED / "real-pdfs").glob("*scan*no-text*.pdf"))
    for path in sources:
        shutil.copy(path, folder / path.name)
    return len(sources)


def _run(folder: Path, out: Path, workers: int, scheduler: str | None) -> tuple[float, int]:
    command = [sys.executable, str(ROOT / "cli.py"), "bulk", str(folder), "--out", str(out), "--workers", str(workers), "-q"]
    command += ["--scheduler", scheduler] if scheduler else []
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False, timeout=3600)
    seconds = time.perf_counter() - began
    with sqlite3.connect(out / "dataset.sqlite") as conn:
        pages = conn.execute("SELECT coalesce(sum(pages), 0) FROM documents WHERE status = 'ok'").fetchone()[0]
    return seconds, int(pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"local pool": [], "--scheduler local": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        files = _scans(folder)
        pages = 0
        for round_ in range(args.rounds):
            for name, scheduler in (("local pool", None), ("--scheduler local", "local")):
                seconds, pages = _run(folder, Path(tmp) / f"out-{round_}-{scheduler}", args.workers, scheduler)
                results[name].append(seconds)
    median = {name: statistics.median(runs) for name, runs in results.items()}
    rate = {name: pages / seconds for name, seconds in median.items()}
    per_worker = rate["--scheduler local"] / args.workers
    lines = [
        "# Scans: the local pool and a local Dask cluster (issue 21)", "",
        f"Written by `bench/cluster.py` on {time.strftime('%Y-%m-%d %H:%M')}: {files} scanned PDFs, {pages} pages, OCR on, "
        f"{args.workers} workers, medians of {args.rounds} alternating runs, start-up included.", "",
        "| | seconds | pages a second | runs |", "|---|---|---|---|",
        *[f"| {name} | {median[name]:.1f} | {rate[name]:.2f} | {', '.join(f'{s:.1f}' for s in runs)} |" for name, runs in results.items()],
        "",
        f"Local cluster ÷ local pool, pages a second: **{rate['--scheduler local'] / rate['local pool']:.2f}x**.",
        "",
        f"On paper: at {per_worker:.2f} pages a second per one-thread worker here, a million scanned pages take "
        f"{1e6 / per_worker / 3600 / 24:.1f} worker-days: {1e6 / (per_worker * 64) / 3600:.1f} hours on 64 workers, "
        f"{1e6 / (per_worker * 256) / 3600:.1f} hours on 256 (the client saves a document in milliseconds, so it is not the limit "
        "until thousands of documents a second).",
    ]
    (HERE / "cluster.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "cluster.json").write_text(json.dumps({"results": results, "pages": pages, "files": files}, indent=1), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
