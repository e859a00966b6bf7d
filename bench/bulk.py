#!/usr/bin/env python3
"""Bulk throughput: `cli.py bulk` with 1 worker and with every core, against a naive
pipeline on the same documents, and F1 of both on corpus/heldout.

    .venv/bin/python bench/bulk.py               # writes bench/results.md and .json
    .venv/bin/python bench/bulk.py --ocr         # also times OCR of the scanned real PDFs
    .venv/bin/python bench/bulk.py --documents 200 --skip-naive   # a quick look

Documents: every document of the corpus (dev, heldout, regressions; text, PDF, HTML,
DOCX), every PDF in ../shared/real-pdfs (read by path; left out with a note when the
folder is absent), and generated variants of the corpus texts (numbers and province
names shuffled; half plain text, half rendered to PDF by corpus/render_pdf.py) written
to a temporary folder, never to the repository, up to --documents in all.

Each `bulk` configuration runs in a fresh process (this script with --child, which
calls :func:`extractor.bulk.run_bulk` as `cli.py bulk` does), timed from start to exit
(imports, the workers' warm-up, hashing, the database and the exports included), into a
fresh folder. The naive pipeline runs in this process, one document after the other: pdfplumber's
extract_text for PDFs (our loaders for the other formats), our normalization, underthesea
sentence and word segmentation of every sentence, then the same rules
(:func:`extractor.recognize.recognize_page`) and metric assembly. OCR is turned off
for the comparison (VN_REFORM_OCR=off): the naive pipeline reads no scans either.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "corpus"))
SHARED = Path(os.environ.get("VN_REFORM_SHARED", REPO.parent / "shared"))
REAL_PDFS = SHARED / "real-pdfs"
HELDOUT = REPO / "corpus" / "heldout"
RESULTS_MD = REPO / "bench" / "results.md"
RESULTS_JSON = REPO / "bench" / "results.json"
VARIANTS_VERSION = "1"
os.environ.setdefault("VN_REFORM_OCR", "off")  # see the docstring; --ocr times OCR on its own (in a child)


# --- the machine ----------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return {"cpu": cpu, "cores": cores, "ram_gb": ram_gb, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


# --- the documents --------------------------------------------------------------------


def corpus_documents() -> list[Path]:
    from extractor.bulk.walk import DOCUMENT_SUFFIXES

    return sorted(p for folder in ("dev", "heldout", "regressions") for p in (REPO / "corpus" / folder).iterdir()
                  if p.suffix.lower() in DOCUMENT_SUFFIXES)


def _province_pattern() -> re.Pattern[str]:
    from extractor.gazetteer import provinces

    names = sorted({p.name for p in provinces().values()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def make_variant(text: str, seed: int, names: list[str], pattern: re.Pattern[str]) -> str:
    """The text with its province names swapped (consistently) and its numbers redrawn
    with as many digits (years stay years, 2015-2025)."""
    rng = random.Random(seed)
    swap: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return swap.setdefault(match.group(0), rng.choice(names))

    def number(match: re.Match[str]) -> str:
        digits = match.group(0)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(rng.randint(2015, 2025))
        first = "0" if digits[0] == "0" else str(rng.randint(1, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return re.sub(r"\d+", number, pattern.sub(name, text))


def _render(job: tuple[str, str]) -> None:
    from render_pdf import find_font, render

    text, target = job
    Path(target).write_bytes(render(text, find_font()))


def variant_sources() -> list[Path]:
    """The corpus texts variants are made from: those in UTF-8 (the legacy-encoding
    samples are left out: a variant is written in UTF-8)."""
    sources = []
    for path in sorted((REPO / "corpus" / "dev").glob("*.txt")) + sorted(HELDOUT.glob("*.txt")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        sources.append(path)
    return sources


def variants(count: int, folder: Path) -> list[Path]:
    """``count`` variants of the corpus texts in ``folder``, generated once and reused."""
    from extractor.gazetteer import provinces

    sources = variant_sources()
    texts = [p.read_text(encoding="utf-8") for p in sources]
    names = sorted({p.name for p in provinces().values()})
    pattern = _province_pattern()
    try:
        from render_pdf import find_font

        find_font()
        can_render = True
    except (ImportError, FileNotFoundError):
        can_render = False
    paths, jobs = [], []
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = make_variant(texts[i % len(texts)], i, names, pattern)
        stem = f"v{i:04d}-{sources[i % len(sources)].stem}"
        if can_render and i % 2:
            path = folder / f"{stem}.pdf"
            if not path.exists():
                jobs.append((text, str(path)))
        else:
            path = folder / f"{stem}.txt"
            if not path.exists():
                path.write_text(text, encoding="utf-8")
        paths.append(path)
    if jobs:
        with Pool() as pool:
            pool.map(_render, jobs, chunksize=8)
    return paths


def documents(total: int) -> tuple[list[Path], dict]:
    corpus = corpus_documents()
    real = sorted(REAL_PDFS.glob("*.pdf")) if REAL_PDFS.is_dir() else []
    digest = hashlib.sha256(VARIANTS_VERSION.encode())
    for source in variant_sources():
        digest.update(source.read_bytes())
    key = digest.hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"vn-reform-bench-variants-{key}"
    generated = variants(max(0, total - len(corpus) - len(real)), folder)
    everything = corpus + real + generated
    by_format: dict[str, int] = defaultdict(int)
    for p in everything:
        by_format[p.suffix.lower().lstrip(".")] += 1
    info = {"documents": len(everything), "corpus": len(corpus), "real_pdfs": len(real), "variants": len(generated),
            "by_format": dict(sorted(by_format.items())), "variants_folder": str(folder),
            "note": None if real else f"{REAL_PDFS} is absent: real PDFs left out"}
    return everything, info


# --- our pipeline: cli.py bulk in a fresh process ------------------------------------------


def run_bulk_child(paths: list[Path], workers: int, out: Path, env: dict | None = None) -> dict:
    """`bulk` in a fresh process (this script with --child), timed from start to exit."""
    shutil.rmtree(out, ignore_errors=True)
    listing = out.parent / f"{out.name}.inputs.json"
    listing.write_text(json.dumps([str(p) for p in paths]), encoding="utf-8")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(out), str(workers), str(listing)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bulk failed ({done.returncode}): {done.stderr[-3000:]}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    import sqlite3

    conn = sqlite3.connect(out / "dataset.sqlite")
    (ok, failed, pages, work, records, metrics) = conn.execute(
        "SELECT sum(status = 'ok'), sum(status = 'failed'), sum(coalesce(pages, 0)), sum(seconds), sum(n_records), sum(n_metrics)"
        " FROM documents").fetchone()
    errors = [e for (e,) in conn.execute("SELECT DISTINCT error FROM documents WHERE status = 'failed'")]
    by_format = {fmt: {"documents": n, "pages": pg, "worker_seconds_per_document": round(sec / n, 4)}
                 for fmt, n, pg, sec in conn.execute("SELECT format, count(*), sum(coalesce(pages, 0)), sum(seconds)"
                                                     " FROM documents GROUP BY format ORDER BY format")}
    conn.close()
    documents = ok + failed
    return {"workers": workers, "seconds": round(seconds, 2), "documents": documents, "ok": ok, "failed": failed,
            "errors": errors, "pages": pages, "records": records, "metrics": metrics,
            "documents_per_s": round(documents / seconds, 2), "pages_per_s": round(pages / seconds, 2),
            "worker_wall_seconds_per_document": round(work / documents, 4),
            "worker_cpu_seconds_per_document": round(child["worker_cpu_seconds"] / documents, 4),
            "parent_cpu_seconds": round(child["parent_cpu_seconds"], 2),
            "peak_memory_mb_per_worker": round(child["worker_peak_kb"] / 1024) if child["worker_peak_kb"] else None,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)], "by_format": by_format}


def child(out: str, workers: str, listing: str) -> int:
    from extractor.bulk import run_bulk

    paths = json.loads(Path(listing).read_text(encoding="utf-8"))
    summary = run_bulk(paths, out, workers=int(workers), quiet=True, tty=False)
    print(json.dumps({"worker_cpu_seconds": summary.worker_cpu_seconds, "worker_peak_kb": summary.worker_peak_kb,
                      "parent_cpu_seconds": time.process_time(), "exit_code": summary.exit_code}))
    return 0


def startup_seconds(folder: Path) -> float:
    """A bulk run over one small document: the fixed cost of a run (imports, warm-up, exports)."""
    sample = REPO / "corpus" / "dev" / "quang-tri-par-2023.txt"
    return run_bulk_child([sample], 1, folder / "startup")["seconds"]


# --- the naive pipeline -----------------------------------------------------------------


def naive_pages(path: Path) -> list[str]:
    """Page texts the naive way: pdfplumber's extract_text; plain decoding for text."""
    from extractor.loaders import detect_format, load_bytes

    data = path.read_bytes()
    fmt = detect_format(data, path.name)
    if fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [page.extract_text() or "" for page in pdf.pages]
    if fmt == "txt":
        return [data.decode("utf-8", errors="replace")]
    return [page.raw_text for page in load_bytes(data, path.name).pages]  # HTML, DOCX: our loaders


def naive_extract(path: Path) -> tuple[list, list, list[str]]:
    """Records, metrics and page texts of the naive pipeline."""
    from underthesea import sent_tokenize, word_tokenize

    from extractor.metrics import assemble
    from extractor.normalize import normalize
    from extractor.recognize import recognize_page

    texts, records = [], []
    for number, raw in enumerate(naive_pages(path), start=1):
        text = normalize(raw).text
        for line in text.split("\n"):
            for sentence in sent_tokenize(line) if line.strip() else []:
                word_tokenize(sentence)  # every sentence segmented, as a naive pipeline does up front
        page_records, _ = recognize_page(text, number)
        records += page_records
        texts.append(text)
    metrics, _ = assemble(list(enumerate(texts, start=1)), records)
    return records, metrics, texts


def naive_throughput(paths: list[Path]) -> dict:
    naive_extract(REPO / "corpus" / "dev" / "quang-tri-par-2023.txt")  # warm-up: models, rules
    from extractor.loaders import detect_format

    pages = failed = 0
    by_format: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    started = time.perf_counter()
    for path in paths:
        one = time.perf_counter()
        fmt = detect_format(path.read_bytes()[:65536], path.name)
        try:
            n = len(naive_extract(path)[2])
        except Exception:
            failed += 1
            n = 0
        pages += n
        entry = by_format[fmt]
        entry[0] += 1
        entry[1] += n
        entry[2] += time.perf_counter() - one
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {"seconds": round(seconds, 2), "documents": len(paths), "failed": failed, "pages": pages,
            "documents_per_s": round(len(paths) / seconds, 2), "pages_per_s": round(pages / seconds, 2),
            "cpu_seconds_per_document": round(cpu / len(paths), 4),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "by_format": {fmt: {"documents": n, "pages": pg, "seconds_per_document": round(sec / n, 4)}
                          for fmt, (n, pg, sec) in sorted(by_format.items())}}


# --- F1 on corpus/heldout ---------------------------------------------------------------------


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def ours_f1() -> dict:
    from extractor.evaluate import evaluate

    report = evaluate([HELDOUT]).as_dict()
    micro, metrics = report["micro"], report["metrics"]
    return {"documents": report["documents"],
            "records": {"precision": micro["precision"], "recall": micro["recall"], "f1": micro["f1"]},
            "metrics": {"precision": metrics["precision"], "recall": metrics["recall"], "f1": metrics["f1"]}}


def _reanchor(record, naive_text: str, ours_text: str):
    """A naive record moved onto our page text: the occurrence of its surface nearest to
    where it stands proportionally (PDF text read by pdfplumber differs from ours)."""
    if naive_text == ours_text:
        return record
    surface = record.surface
    starts = [m.start() for m in re.finditer(re.escape(surface), ours_text)]
    if not starts:
        return None
    guess = record.start * len(ours_text) / max(len(naive_text), 1)
    start = min(starts, key=lambda s: abs(s - guess))
    return record.model_copy(update={"start": start, "end": start + len(surface)})


def naive_f1() -> dict:
    """The naive pipeline's records matched to gold the way extractor.evaluate matches ours
    (same kind and page, overlapping spans, same key values; metrics on indicator, subject,
    year and values), its records first moved onto our page text where that text differs."""
    from extractor import load
    from extractor.evaluate import metrics_match, records_match
    from extractor.gold import gold_files, is_shared, load_gold

    tp = fp = fn = mtp = mfp = mfn = 0
    count = 0
    for gold_path in gold_files([HELDOUT]):
        if is_shared(gold_path) and not SHARED.is_dir():
            continue
        gold = load_gold(gold_path)
        count += 1
        ours_pages = {p.number: p.text for p in load(gold.document).pages}
        records, metrics, texts = naive_extract(gold.document)
        found = []
        for record in records:
            moved = _reanchor(record, texts[record.page - 1], ours_pages.get(record.page, ""))
            found.append(moved if moved is not None else record.model_copy(update={"page": 10_000}))
        for expected in gold.records:
            hit = next((f for f in found if records_match(expected, f)), None)
            if hit is not None:
                found.remove(hit)
                tp += 1
            else:
                fn += 1
        fp += len(found)
        remaining = list(metrics)
        for expected_metric in gold.metrics:
            hit_metric = next((m for m in remaining if metrics_match(expected_metric, m)), None)
            if hit_metric is not None:
                remaining.remove(hit_metric)
                mtp += 1
            else:
                mfn += 1
        mfp += len(remaining)
    return {"documents": count, "records": _prf(tp, fp, fn), "metrics": _prf(mtp, mfp, mfn)}


# --- where the time goes ---------------------------------------------------------------------


STAGES = {
    # label: (file suffix, function name) whose cumulative time is the stage's
    "load: everything (format, text, layout, normalization)": ("loaders/__init__.py", "load_bytes"),
    "load: PDF (pypdfium2 text layer and layout, tables)": ("loaders/pdf.py", "load_pdf"),
    "load: PDF tables (ruled pages, read from PDFium's drawing)": ("loaders/pdf_grid.py", "read_grids"),
    "load: normalization": ("extractor/normalize.py", "normalize"),
    "recognize: everything (rules, tables, records)": ("extractor/recognize.py", "recognize_page"),
    "recognize: rule matching (find_candidates, tagging included)": ("extractor/recognize.py", "find_candidates"),
    "recognize: counted noun from part-of-speech tags (noun_after)": ("extractor/recognize.py", "noun_after"),
    "underthesea pos_tag (inside noun_after)": ("extractor/segment.py", "_pos_tag"),
    "underthesea sentence splitting (split_sentences, all callers)": ("extractor/segment.py", "split_sentences"),
    "metrics: everything (assemble_views)": ("extractor/metrics/__init__.py", "assemble_views"),
    "metrics: gazetteer mentions (one syllable-trie regex)": ("extractor/gazetteer.py", "find_mentions"),
    "output: Extraction.to_jsonable (pydantic dump)": ("extractor/records.py", "to_jsonable"),
}


def profile(paths: list[Path], sample: int) -> dict:
    """cProfile of the per-document function over a sample of the documents, in this process."""
    from extractor.bulk.pool import warm_up
    from extractor.bulk.process import process

    warm_up()
    step = max(1, len(paths) // sample)
    chosen = paths[::step][:sample]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for path in chosen:
        process(path)
    profiler.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "process" and k[0].endswith("bulk/process.py"))
    stages = {}
    for label, (suffix, name) in STAGES.items():
        seconds = sum(v[3] for k, v in stats.stats.items() if k[0].endswith(suffix) and k[2] == name)
        stages[label] = {"seconds": round(seconds, 2), "share": round(seconds / total, 3) if total else None}
    own = sorted(((v[2], f"{Path(k[0]).name}:{k[1]}({k[2]})") for k, v in stats.stats.items()), reverse=True)[:15]
    return {"documents": len(chosen), "seconds": round(wall, 2), "profiled_seconds": round(total, 2), "stages": stages,
            "top_own_time": [{"function": f, "seconds": round(s, 2)} for s, f in own]}


# --- OCR on its own ------------------------------------------------------------------------


def ocr_run(work: Path) -> dict | None:
    scans = [p for p in sorted(REAL_PDFS.glob("*scan*.pdf"))] if REAL_PDFS.is_dir() else []
    if not scans or shutil.which("tesseract") is None:
        return None
    result = run_bulk_child(scans, 1, work / "ocr", env={"VN_REFORM_OCR": "on"})
    return {"files": [p.name for p in scans], **result}


# --- report ---------------------------------------------------------------------------------


def render_markdown(r: dict) -> str:
    m, d = r["machine"], r["documents"]
    lines = [
        "# Bulk benchmark", "",
        f"Written by `bench/bulk.py` on {r['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
        f"{m['os']}, Python {m['python']}; load average {m['load_average_at_start']} at the start and "
        f"{r['load_average_at_end']} at the end (the machine is shared, so figures move by some percent from run to run).",
        "",
        f"Documents: {d['documents']} ({d['corpus']} from the corpus, {d['real_pdfs']} real PDFs from ../shared/real-pdfs, "
        f"{d['variants']} generated variants); by format: " + ", ".join(f"{k} {v}" for k, v in d["by_format"].items()) + "."
        + (f" Note: {d['note']}." if d.get("note") else ""),
        "OCR is off for the comparison (the naive pipeline reads no scans either): scanned pages count as pages, with no text.",
        "",
        "| pipeline | workers | seconds | documents/s | pages/s | worker CPU s per document | peak memory per worker | load average before, after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in r["ours"]:
        lines.append(f"| ours (bulk) | {run['workers']} | {run['seconds']} | {run['documents_per_s']} | {run['pages_per_s']} "
                     f"| {run['worker_cpu_seconds_per_document']} | {run['peak_memory_mb_per_worker']} MB | {run['load_average']} |")
    if r.get("naive"):
        n = r["naive"]
        lines.append(f"| naive | 1 (one process) | {n['seconds']} | {n['documents_per_s']} | {n['pages_per_s']} "
                     f"| {n['cpu_seconds_per_document']} | - | {n['load_average']} |")
    lines.append("")
    if r.get("naive"):
        ours_formats = r["ours"][0]["by_format"]
        naive_formats = r["naive"]["by_format"]
        lines += ["Seconds per document by format (ours: in the worker, 1-worker run; naive: in its process):", "",
                  "| format | documents | pages | ours | naive | naive / ours |", "|---|---|---|---|---|---|"]
        for fmt, o in ours_formats.items():
            n = naive_formats.get(fmt)
            if n:
                ratio = n["seconds_per_document"] / o["worker_seconds_per_document"] if o["worker_seconds_per_document"] else 0
                lines.append(f"| {fmt} | {o['documents']} | {o['pages']} | {o['worker_seconds_per_document']} | "
                             f"{n['seconds_per_document']} | {ratio:.1f}x |")
        lines.append("")
    s = r["summary"]
    lines += [
        f"- Start-up of a run (a run over one small document: imports, the fork server warming the models, the database, "
        f"the exports): {r['startup_s']} s, paid once per run.",
        f"- From 1 to {s['cores']} workers: {s['speedup_workers']}x documents/s "
        f"({s['speedup_workers_without_startup']}x without the start-up).",
    ]
    if r.get("naive"):
        lines += [
            f"- Ours against the naive pipeline, documents/s: {s['ours_1_over_naive']}x with 1 worker, "
            f"{s['ours_all_over_naive']}x with {s['cores']}.",
        ]
    for run in r["ours"]:
        if run["failed"]:
            lines.append(f"- {run['failed']} documents failed with {run['workers']} worker(s): " + "; ".join(run["errors"]) + ".")
    f1 = r["f1"]
    lines += ["", "F1 on corpus/heldout (records micro-averaged; metrics apart):", "",
              "| pipeline | records P | records R | records F1 | metrics F1 |", "|---|---|---|---|---|",
              f"| ours | {f1['ours']['records']['precision']} | {f1['ours']['records']['recall']} | {f1['ours']['records']['f1']} "
              f"| {f1['ours']['metrics']['f1']} |"]
    if f1.get("naive"):
        nr = f1["naive"]
        lines.append(f"| naive | {nr['records']['precision']} | {nr['records']['recall']} | {nr['records']['f1']} | {nr['metrics']['f1']} |")
        lines.append("")
        lines.append("The naive pipeline's records are matched like ours; where its page text differs from ours "
                     "(pdfplumber's), each record is first moved to the nearest occurrence of its surface in our text, "
                     "which can only help it.")
    p = r["profile"]
    lines += ["", f"Where the time goes: cProfile of the per-document function over {p['documents']} of the documents "
              f"({p['profiled_seconds']} s profiled; stages overlap, e.g. sentence splitting runs inside recognize and metrics):", "",
              "| stage | seconds | share |", "|---|---|---|"]
    for label, stage in p["stages"].items():
        share = "-" if stage["share"] is None else f"{100 * stage['share']:.0f}%"
        lines.append(f"| {label} | {stage['seconds']} | {share} |")
    lines += ["", "Functions with the most time of their own:", ""]
    lines += [f"- {t['function']}: {t['seconds']} s" for t in p["top_own_time"][:10]]
    if r.get("ocr"):
        o = r["ocr"]
        lines += ["", f"OCR (Tesseract `vie`), on its own: the {len(o['files'])} scanned real PDFs, {o['pages']} pages, "
                  f"1 worker: {o['seconds']} s ({o['pages_per_s']} pages/s)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000, help="documents in all (default 1000)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive pipeline (it takes minutes)")
    parser.add_argument("--ocr", action="store_true", help="also time OCR of the scanned real PDFs")
    parser.add_argument("--profile-sample", type=int, default=300, help="documents to profile (default 300)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each bulk configuration; the fastest is kept")
    parser.add_argument("--child", nargs=3, metavar=("OUT", "WORKERS", "LIST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)

    results: dict = {"date": time.strftime("%Y-%m-%d"), "machine": machine()}
    paths, results["documents"] = documents(args.documents)
    print(f"{len(paths)} documents", results["documents"]["by_format"], file=sys.stderr)
    cores = results["machine"]["cores"]
    with tempfile.TemporaryDirectory(prefix="vn-reform-bench-") as tmp:
        work = Path(tmp)
        results["startup_s"] = startup_seconds(work)
        results["ours"] = []
        for workers in sorted({1, cores}):
            print(f"ours, {workers} worker(s)...", file=sys.stderr)
            runs = [run_bulk_child(paths, workers, work / f"ours-{workers}") for _ in range(args.repeat)]
            results["ours"].append(max(runs, key=lambda run: run["documents_per_s"]))
            print(results["ours"][-1], file=sys.stderr)
        if args.ocr:
            print("OCR of the scans...", file=sys.stderr)
            results["ocr"] = ocr_run(work)
    if not args.skip_naive:
        print("naive pipeline...", file=sys.stderr)
        results["naive"] = naive_throughput(paths)
        print(results["naive"], file=sys.stderr)
    print("F1 on heldout...", file=sys.stderr)
    results["f1"] = {"ours": ours_f1(), "naive": None if args.skip_naive else naive_f1()}
    print("profile...", file=sys.stderr)
    results["profile"] = profile(paths, args.profile_sample)

    one, everyone = results["ours"][0], results["ours"][-1]
    startup = results["startup_s"]
    summary = {
        "cores": cores,
        "speedup_workers": round(everyone["documents_per_s"] / one["documents_per_s"], 2),
        "speedup_workers_without_startup": round((one["seconds"] - startup) / max(everyone["seconds"] - startup, 1e-9), 2),
    }
    if results.get("naive"):
        summary["ours_1_over_naive"] = round(one["documents_per_s"] / results["naive"]["documents_per_s"], 2)
        summary["ours_all_over_naive"] = round(everyone["documents_per_s"] / results["naive"]["documents_per_s"], 2)
    results["summary"] = summary
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    RESULTS_MD.write_text(render_markdown(results), encoding="utf-8")
    print(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
