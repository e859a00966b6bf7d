#!/usr/bin/env python3
"""Benchmarks: speed and memory of each stage, with a baseline measured in the same run.

    .venv/bin/python bench/run.py            # writes bench/stages.json and bench/stages.md

Machines here are shared and noisy, so every figure is the median of several runs and
is quoted beside a baseline measured in the same run (a ratio means more than seconds).
Real documents are read from ../shared by path; stages that need them are skipped when
it is absent.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("VN_REFORM_SHARED", REPO.parent / "shared"))
LONG_PDF = SHARED / "real-pdfs" / "p01_qd-2093-qd-byt-2025-tthc-phong-benh.pdf"
PRESS_RELEASE = SHARED / "samples" / "dien-bien-par-2019.txt"
SAMPLE = REPO / "corpus" / "dev" / "quang-tri-par-2023.txt"


def median_seconds(work: Callable[[], object], runs: int = 5) -> float:
    work()  # warm-up: imports, caches, models
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb(code: str) -> float:
    """Peak resident memory of a fresh interpreter running ``code``, in MB.

    Read from VmHWM: getrusage's ru_maxrss would include the benchmark process itself,
    which the child inherits across fork.
    """
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n{code}\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


def bench_startup() -> dict:
    cli = median_seconds(lambda: subprocess.run([sys.executable, "cli.py", "extract", str(SAMPLE)], cwd=REPO, capture_output=True, check=True))
    bare = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True))
    return {"cli_extract_sample_s": round(cli, 3), "python_startup_s": round(bare, 3), "ratio": round(cli / bare, 1)}


def bench_long_pdf() -> dict:
    import pdfplumber

    from extractor import load

    pages = len(load(LONG_PDF, tables="off").pages)
    ours = median_seconds(lambda: load(LONG_PDF, tables="off"), runs=3)  # tables: see bench_tables

    def plumber_first_20() -> None:
        with pdfplumber.open(LONG_PDF) as pdf:
            for page in pdf.pages[:20]:
                page.extract_text()

    plumber = median_seconds(plumber_first_20, runs=1) / 20
    memory = peak_rss_mb(f"from extractor import load; load({str(LONG_PDF)!r})")  # tables included
    baseline_memory = peak_rss_mb("import extractor, pypdfium2")
    return {
        "file": LONG_PDF.name,
        "pages": pages,
        "load_s": round(ours, 3),
        "load_ms_per_page": round(1000 * ours / pages, 2),
        "pdfplumber_extract_text_ms_per_page": round(1000 * plumber, 1),
        "pdfplumber_over_ours": round(plumber / (ours / pages), 1),
        "peak_rss_mb": round(memory, 1),
        "peak_rss_mb_after_imports_only": round(baseline_memory, 1),
    }


def once_seconds(work: Callable[[], object]) -> float:
    """One timed run, for work too slow to repeat (pdfplumber over a long PDF)."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def table_pdfs() -> list[Path]:
    """The PDFs to time table reading on: the corpus's ruled-table renderings, a plain
    corpus PDF, and the real reference list and procedure tables when ../shared is here."""
    from extractor.tables import find_tables

    ours = [p for p in sorted((REPO / "corpus" / "dev").glob("*.pdf"))
            if not p.name.endswith(".scan.pdf") and find_tables(p.with_suffix(".txt").read_text(encoding="utf-8"))]
    real = [SHARED / "real-pdfs" / n for n in ("p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf", "p01_qd-2093-qd-byt-2025-tthc-phong-benh.pdf")]
    return [REPO / "corpus" / "dev" / "quang-tri-par-2023.pdf", *ours, *[p for p in real if p.is_file()]]


def bench_tables() -> dict:
    """Seconds a page for loading and for the whole extraction, tables off (the baseline)
    and on; and the same pages with pdfplumber reading the tables itself."""
    from extractor import extract_file, load

    rows = []
    for path in table_pdfs():
        pages = len(load(path, tables="off").pages)
        tabled = sum(1 for p in load(path).pages if p.layout_tables)
        long = pages > 20
        runs = 1 if long else 5
        off = median_seconds(lambda path=path: load(path, tables="off"), runs=runs)
        auto = median_seconds(lambda path=path: load(path), runs=runs)
        plumber = (once_seconds if long else median_seconds)(lambda path=path: load(path, tables="pdfplumber"))
        extract_off = median_seconds(lambda path=path: extract_file(path, tables="off"), runs=runs)
        extract_auto = median_seconds(lambda path=path: extract_file(path), runs=runs)
        rows.append({
            "file": path.name, "pages": pages, "pages_with_tables": tabled,
            "load_ms_per_page": {"off": round(1000 * off / pages, 1), "auto": round(1000 * auto / pages, 1),
                                 "pdfplumber": round(1000 * plumber / pages, 1)},
            "tables_over_off": round(auto / off, 2), "pdfplumber_over_auto": round(plumber / auto, 1),
            "extract_s_per_page": {"off": round(extract_off / pages, 3), "auto": round(extract_auto / pages, 3)},
        })
    return {"documents": rows}


def bench_normalize() -> dict:
    from extractor.normalize import normalize

    text = PRESS_RELEASE.read_text(encoding="utf-8") * 20
    seconds = median_seconds(lambda: normalize(text))
    copy = median_seconds(lambda: "".join(list(text)))  # baseline: touching every character once
    return {"kb": round(len(text.encode()) / 1024, 1), "ms_per_kb": round(1000 * seconds / (len(text.encode()) / 1024), 3),
            "ratio_to_char_copy": round(seconds / copy, 1)}


def bench_segment() -> dict:
    from extractor import load
    from extractor.segment import segment, split_sentences

    text = load(PRESS_RELEASE).pages[0].text
    kb = len(text.encode()) / 1024
    full = median_seconds(lambda: segment(text))
    sentences_only = median_seconds(lambda: split_sentences(text))
    return {"kb": round(kb, 1), "segment_ms_per_kb": round(1000 * full / kb, 2),
            "split_sentences_ms_per_kb": round(1000 * sentences_only / kb, 2)}


def main() -> int:
    results: dict = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    results["startup"] = bench_startup()
    results["tables"] = bench_tables()
    if SHARED.is_dir():
        results["long_pdf"] = bench_long_pdf()
        results["normalize"] = bench_normalize()
        try:
            results["segment"] = bench_segment()
        except ImportError as error:
            results["segment"] = f"skipped: {error}"
    else:
        results["skipped"] = f"{SHARED} is absent: PDF, normalization and segmentation figures need its documents"
    (REPO / "bench" / "stages.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (REPO / "bench" / "stages.md").write_text(render_markdown(results), encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def render_markdown(r: dict) -> str:
    lines = ["# Benchmark results", "", f"Python {r['python']} on {r['machine']}, {r['cpus']} CPUs; medians of several runs.", ""]
    s = r["startup"]
    lines.append(f"- `cli.py extract` on the quick-start sample, start-up included: {s['cli_extract_sample_s']} s "
                 f"({s['ratio']}x a bare `python -c pass`, {s['python_startup_s']} s).")
    if "long_pdf" in r:
        p = r["long_pdf"]
        lines.append(f"- Loading {p['file']} ({p['pages']} pages, text layer, layout hints, normalization): {p['load_s']} s, "
                     f"{p['load_ms_per_page']} ms a page; pdfplumber's extract_text alone takes {p['pdfplumber_extract_text_ms_per_page']} ms a page "
                     f"({p['pdfplumber_over_ours']}x slower). Peak memory {p['peak_rss_mb']} MB ({p['peak_rss_mb_after_imports_only']} MB after imports alone).")
    if "tables" in r:
        lines += ["", "PDF tables: milliseconds a page to load (text layer, layout, tables) with tables off, read from PDFium's",
                  "drawing (auto, the default) and read by pdfplumber itself; seconds a page for the whole extraction, tables off and on.", "",
                  "| file | pages (with tables) | load off | load auto | load pdfplumber | auto / off | pdfplumber / auto | extract off | extract auto |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for t in r["tables"]["documents"]:
            ms, ex = t["load_ms_per_page"], t["extract_s_per_page"]
            lines.append(f"| {t['file']} | {t['pages']} ({t['pages_with_tables']}) | {ms['off']} | {ms['auto']} | {ms['pdfplumber']} | "
                         f"{t['tables_over_off']}x | {t['pdfplumber_over_auto']}x | {ex['off']} | {ex['auto']} |")
        lines.append("")
    if "normalize" in r:
        n = r["normalize"]
        lines.append(f"- Normalization: {n['ms_per_kb']} ms per KB on {n['kb']} KB ({n['ratio_to_char_copy']}x a plain character copy).")
    if isinstance(r.get("segment"), dict):
        g = r["segment"]
        lines.append(f"- Segmentation (underthesea words and sentences, aligned): {g['segment_ms_per_kb']} ms per KB on the "
                     f"{g['kb']} KB press release; sentence splitting alone {g['split_sentences_ms_per_kb']} ms per KB.")
    if "skipped" in r:
        lines.append(f"- {r['skipped']}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
