#!/usr/bin/env python3
"""Issue 17: our extractor against a naive NLP pipeline and a regex-only script, in one
run, on one core, start-up included. Writes bench/speed.json and bench/speed.md.

    .venv/bin/python bench/speed.py                  # 1,000 texts (+ the real PDFs), 3 repeats
    .venv/bin/python bench/speed.py --quick          # 100 texts, 1 repeat: for development
    .venv/bin/python bench/speed.py --documents 500  # another number of texts

The programs, each a fresh subprocess pinned to core 0 (``taskset -c 0``), timed from spawn
to exit:

- ours: ``cli.py extract FILE... --format jsonl -o OUT`` (all files in one process; a few
  in sequence, their times summed, if the argument list would be too long);
- naive: ``bench/naive.py FILE...`` (pdfplumber, underthesea sentences and words, regexes);
- regex-only: ``bench/regex_only.py FILE...`` (plain ``re``; texts only: it skips PDFs).

Sets: "texts", generated press releases (bench/press_releases.py: recombined corpus
paragraphs, ~12 KB each, in a temporary folder) and "mixed", the same texts plus the
real PDFs of ../shared/real-pdfs (left out with a note when the folder is absent). OCR is
off (VN_REFORM_OCR=off) for every program: the naive pipeline reads no scans either.
Each configuration runs --repeats times (median kept); rounds are interleaved, with the
program order rotated, so that the ratios compare runs made side by side on a shared,
noisy machine. Load averages are recorded around every run.

Also measured: start-up (median of 5, beside ``python -c pass``); ms per KB per stage of
ours, in this process, mirroring extractor/pipeline.py:extract_document, with a cProfile
top 25; the peak memory of a bulk worker (bench/bulk.py's run_bulk_child, i.e. what
``cli.py bulk --workers 1`` runs); F1 (``cli.py eval`` for ours; records F1 on
corpus/heldout for the two baselines, on the documents each can read).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import inspect
import io
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]
ORIGINAL_ENV = dict(os.environ)

import bulk  # noqa: E402 - bench/bulk.py: machine(), run_bulk_child(), REAL_PDFS, HELDOUT, SHARED
from naive import read_pages  # noqa: E402
from press_releases import generate  # noqa: E402

PYTHON = sys.executable
SAMPLE = REPO / "corpus" / "dev" / "quang-tri-par-2023.txt"
OUT_JSON, OUT_MD = BENCH / "speed.json", BENCH / "speed.md"
PROGRAMS = ("ours", "naive", "regex-only")
ENV = {**ORIGINAL_ENV, "VN_REFORM_OCR": "off"}  # for the timed programs: see the docstring
os.environ.clear()
os.environ.update(ORIGINAL_ENV)  # undo bench/bulk.py's import-time VN_REFORM_OCR=off in this process
WARM_UP = 30  # texts run through the whole pipeline before the stage pass (lazy patterns, caches)
TARGETS = {"texts_per_s": 200, "naive_over_ours_mixed": 10, "ours_over_regex_texts": 5, "worker_mb": 250, "startup_s": 0.6}


# --- spawning pinned processes -------------------------------------------------------------


def pinning() -> tuple[list[str], Callable[[], None] | None, str]:
    """The command prefix and pre-exec hook that pin a child to core 0, and how."""
    if shutil.which("taskset"):
        return ["taskset", "-c", "0"], None, "taskset -c 0"
    if hasattr(os, "sched_setaffinity"):
        return [], lambda: os.sched_setaffinity(0, {0}), "os.sched_setaffinity(0, {0}) in the child (no taskset here)"
    return [], None, "NOT pinned: neither taskset nor sched_setaffinity on this machine"


PIN_PREFIX, PIN_HOOK, PIN_NOTE = pinning()
# Peak RSS: a child's own rusage would count this (large) process's pages, inherited at fork
# and kept across exec; GNU time forks the program from a small process, so its %M is right.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None


def spawn(command: list[str], stdout: Path | None = None) -> dict:
    """Run one pinned child: wall seconds from spawn to exit, CPU seconds (wait4), peak
    RSS (GNU time's %M, None without it), exit code, the tail of its stderr."""
    with open(stdout or os.devnull, "ab") as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".maxrss") as peak:
        measure_peak = [GNU_TIME, "-f", "%M", "-o", peak.name] if GNU_TIME else []
        started = time.perf_counter()
        child = subprocess.Popen(PIN_PREFIX + measure_peak + command, cwd=REPO, stdout=out, stderr=err, env=ENV,
                                 preexec_fn=PIN_HOOK)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
        kb = peak.read().strip().splitlines()[-1:] if GNU_TIME else []
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": int(kb[0]) / 1024 if kb and kb[0].isdigit() else None, "code": child.returncode,
            "stderr": stderr[-20000:]}


def argument_chunks(paths: list[Path], fixed: list[str]) -> list[list[str]]:
    """``paths`` cut into argument lists that fit the system's limit, beside ``fixed``."""
    limit = os.sysconf("SC_ARG_MAX") if hasattr(os, "sysconf") else 131072
    budget = limit // 2 - sum(len(k) + len(v) + 10 for k, v in ENV.items()) - sum(len(a) + 10 for a in fixed)
    chunks: list[list[str]] = [[]]
    used = 0
    for path in map(str, paths):
        if chunks[-1] and used + len(path) + 10 > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(path)
        used += len(path) + 10
    return chunks


# --- the three programs ----------------------------------------------------------------------


def readable(program: str, paths: list[Path]) -> list[Path]:
    """The documents a program is given: regex-only reads texts only."""
    return [p for p in paths if p.suffix.lower() == ".txt"] if program == "regex-only" else paths


def commands(program: str, paths: list[Path], out: Path) -> list[tuple[list[str], Path | None]]:
    """(command, stdout file) for each process of one run; ours writes to -o files."""
    script = {"naive": BENCH / "naive.py", "regex-only": BENCH / "regex_only.py"}.get(program)
    if script is None:
        fixed = [PYTHON, "cli.py", "extract", "--format", "jsonl", "-o", f"{out}-00.jsonl"]
        return [([PYTHON, "cli.py", "extract", *chunk, "--format", "jsonl", "-o", f"{out}-{i:02d}.jsonl"], None)
                for i, chunk in enumerate(argument_chunks(paths, fixed))]
    return [([PYTHON, str(script), *chunk], out.with_suffix(".jsonl"))
            for chunk in argument_chunks(paths, [PYTHON, str(script)])]


def count_output(program: str, out: Path) -> tuple[int, int]:
    """(documents written, documents failed) from a run's JSON lines."""
    files = sorted(out.parent.glob(f"{out.name}-*.jsonl")) if program == "ours" else [out.with_suffix(".jsonl")]
    written = failed = 0
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            written += 1
            failed += '"error"' in line[:300] and program != "ours"
        file.unlink()
    return written, failed


def run_program(program: str, paths: list[Path], work: Path, tag: str) -> dict:
    """One timed run of a program over ``paths`` (its processes in sequence, times summed)."""
    out = work / tag
    load_before = os.getloadavg()[0]
    seconds = cpu = peak = 0.0
    codes, errors = [], []
    for command, stdout in commands(program, paths, out):
        child = spawn(command, stdout)
        seconds, cpu = seconds + child["seconds"], cpu + child["cpu_seconds"]
        peak = max(peak, child["peak_mb"] or 0.0)
        codes.append(child["code"])
        errors += [line for line in child["stderr"].splitlines() if line.startswith(("error:", "Traceback"))]
    written, failed = count_output(program, out)
    if program == "ours":
        failed = len(paths) - written
    if written == 0:
        raise SystemExit(f"{program} wrote nothing (exit codes {codes}): {errors[-5:]}")
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_mb": round(peak) if GNU_TIME else None,
            "processes": len(codes), "exit_codes": codes, "documents": len(paths), "written": written,
            "failed": failed, "errors": errors[:5], "load": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def compare(sets: dict[str, list[Path]], repeats: int, work: Path) -> dict:
    """Every program on every set, ``repeats`` interleaved rounds; medians and ratios."""
    runs: dict[str, dict[str, list[dict]]] = {s: {p: [] for p in PROGRAMS} for s in sets}
    for round_ in range(repeats):
        order = PROGRAMS[round_ % 3:] + PROGRAMS[:round_ % 3]  # rotated: no program always runs first
        for set_name, paths in sets.items():
            for program in order:
                run = run_program(program, readable(program, paths), work, f"{set_name}-{program}-{round_}")
                runs[set_name][program].append(run)
                print(f"  round {round_ + 1}/{repeats} {set_name:6} {program:10} {run['seconds']:8.2f} s "
                      f"load {run['load']}", file=sys.stderr)
    return {set_name: summarize(set_runs, len(sets[set_name])) for set_name, set_runs in runs.items()}


def summarize(runs: dict[str, list[dict]], documents: int) -> dict:
    programs = {}
    for program, program_runs in runs.items():
        median = statistics.median(r["seconds"] for r in program_runs)
        given = program_runs[0]["documents"]
        programs[program] = {"seconds": round(median, 3), "documents": given, "documents_per_s": round(given / median, 2),
                             "cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in program_runs), 3),
                             "peak_mb": max((r["peak_mb"] for r in program_runs if r["peak_mb"]), default=None),
                             "failed": program_runs[0]["failed"], "runs": program_runs}
    rounds = list(zip(*(runs[p] for p in PROGRAMS)))
    seconds = {p: programs[p]["seconds"] for p in PROGRAMS}
    return {"documents": documents, "programs": programs,
            "naive_over_ours": round(seconds["naive"] / seconds["ours"], 2),
            "ours_over_regex": round(seconds["ours"] / seconds["regex-only"], 2),
            "naive_over_ours_by_round": [round(n["seconds"] / o["seconds"], 2) for o, n, _ in rounds],
            "ours_over_regex_by_round": [round(o["seconds"] / r["seconds"], 2) for o, _, r in rounds]}


def startup(work: Path, runs: int = 5) -> dict:
    """Median wall time of each program on one small text, beside a bare interpreter."""
    out = work / "startup.jsonl"
    rows = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "ours: cli.py extract": [PYTHON, "cli.py", "extract", str(SAMPLE), "--format", "jsonl", "-o", str(out)],
        "naive.py": [PYTHON, str(BENCH / "naive.py"), str(SAMPLE)],
        "regex_only.py": [PYTHON, str(BENCH / "regex_only.py"), str(SAMPLE)],
    }
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, command in rows.items():
            out.unlink(missing_ok=True)
            child = spawn(command)
            if child["code"] != 0:
                raise SystemExit(f"{name} failed on {SAMPLE}: {child['stderr'][-2000:]}")
            times[name].append(child["seconds"])
    out.unlink(missing_ok=True)
    return {"document": str(SAMPLE.relative_to(REPO)), "runs": runs,
            "seconds": {name: round(statistics.median(t), 3) for name, t in times.items()}}


# --- where our time goes (in this process) -------------------------------------------------


STAGE_CALLS = ("page.tables(header)", "recognize_page(", "PageView.build(", "assemble_views(")


def pipeline_drift() -> str | None:
    """A note when extract_document no longer makes the calls the stage pass mirrors."""
    from extractor.pipeline import extract_document

    source = inspect.getsource(extract_document)
    missing = [call for call in STAGE_CALLS if call not in source]
    return f"extract_document no longer calls {', '.join(missing)}: the stage split may be stale" if missing else None


def stage_pass(paths: list[Path]) -> dict[str, float]:
    """Seconds per stage, the calls of extract_document made one by one and timed."""
    from extractor.loaders import load
    from extractor.metrics import PageView, assemble_views
    from extractor.recognize import recognize_page
    from extractor.rulebook import PATTERNS_DIR

    spent = dict.fromkeys(("loading", "tables", "recognition", "metrics"), 0.0)
    clock = time.perf_counter
    for path in paths:
        t0 = clock()
        document = load(path)
        spent["loading"] += clock() - t0
        records: list = []
        tables: dict[int, list] = {}
        header = None
        for page in document.pages:
            t0 = clock()
            tables[page.number] = page.tables(header)
            header = [cell.text for cell in tables[page.number][-1].header] if tables[page.number] else None
            t1 = clock()
            page_records, _ = recognize_page(page.text, page.number, patterns=PATTERNS_DIR, tables=tables[page.number])
            if page.number in document.ocr_pages:
                page_records = [record.model_copy(update={"ocr": True}) for record in page_records]
            records += page_records
            spent["tables"] += t1 - t0
            spent["recognition"] += clock() - t1
        t0 = clock()
        views = [PageView.build(p.number, p.text, records, tables[p.number]) for p in document.pages]
        assemble_views(views)
        spent["metrics"] += clock() - t0
    return spent


def whole_pass(paths: list[Path]) -> dict[str, float]:
    """Seconds of load + extract_document + JSONL rendering, as cli.py extract runs them."""
    from extractor.loaders import load
    from extractor.output import render
    from extractor.pipeline import extract_document

    spent = dict.fromkeys(("load", "extract_document", "render"), 0.0)
    clock = time.perf_counter
    for path in paths:
        t0 = clock()
        document = load(path)
        t1 = clock()
        extraction = extract_document(document)
        t2 = clock()
        render([extraction], "jsonl", as_array=False)
        spent["load"] += t1 - t0
        spent["extract_document"] += t2 - t1
        spent["render"] += clock() - t2
    return spent


def profile_pass(paths: list[Path], top: int = 25) -> str:
    """cProfile of the whole pass, top ``top`` functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    whole_pass(paths)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    text = stream.getvalue()
    for prefix in sorted({str(REPO) + "/", str(Path(re.__file__).parent) + "/"}, key=len, reverse=True):
        text = text.replace(prefix, "")
    text = re.sub(r"\S*/site-packages/", "", text)
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def stages(samples: tuple[list[Path], list[Path], list[Path]], warm: list[Path]) -> dict:
    """ms per KB per stage, after a warm-up over ``warm``: three passes (stages, whole,
    profile), each over its own texts, since the pipeline caches per text and per line
    (underthesea's tags of 4,096 lines): a text seen twice would be faster the second time."""
    split_paths, whole_paths, profile_paths = samples
    original = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if original is not None:
        os.sched_setaffinity(0, {0})
    try:
        whole_pass([SAMPLE, *warm])  # warm-up: rules, models, gazetteers
        split = stage_pass(split_paths)
        whole = whole_pass(whole_paths)
        profile = profile_pass(profile_paths)
    finally:
        if original is not None:
            os.sched_setaffinity(0, original)
    kb = sum(p.stat().st_size for p in split_paths) / 1024
    whole_kb = sum(p.stat().st_size for p in whole_paths) / 1024
    per_kb = {**{name: 1000 * s / kb for name, s in split.items()},
              **{f"whole: {name}": 1000 * s / whole_kb for name, s in whole.items()}}
    stage_sum = sum(per_kb[name] for name in ("tables", "recognition", "metrics"))
    return {"documents": len(split_paths), "kb": round(kb, 1), "whole_documents": len(whole_paths),
            "whole_kb": round(whole_kb, 1), "profile_documents": len(profile_paths),
            "ms_per_kb": {name: round(v, 3) for name, v in per_kb.items()},
            "seconds": {k: round(v, 3) for k, v in {**split, **{f"whole: {k}": v for k, v in whole.items()}}.items()},
            "extraction_object_ms_per_kb": round(per_kb["whole: extract_document"] - stage_sum, 3),
            "documents_per_s_in_process": round(len(whole_paths) / sum(whole.values()), 1),
            "drift": pipeline_drift(), "profile": profile,
            "pipeline_sha256": hashlib.sha256((REPO / "extractor" / "pipeline.py").read_bytes()).hexdigest()[:12]}


# --- memory and F1 -------------------------------------------------------------------------


def bulk_memory(paths: list[Path], work: Path) -> dict:
    """Peak RSS of the worker of a 1-worker bulk run (bench/bulk.py's approach)."""
    run = bulk.run_bulk_child(paths, 1, work / "bulk-memory", env={"VN_REFORM_OCR": "off"})
    keep = ("documents", "ok", "failed", "seconds", "documents_per_s", "peak_memory_mb_per_worker", "load_average")
    return {k: run[k] for k in keep}


def ours_f1() -> dict:
    """``cli.py eval corpus/dev corpus/heldout --format json``, per folder."""
    done = subprocess.run([PYTHON, "cli.py", "eval", "corpus/dev", "corpus/heldout", "--format", "json"],
                          cwd=REPO, capture_output=True, text=True, env=ORIGINAL_ENV)  # OCR as the user has it
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    report = json.loads(done.stdout)
    folders = {name: {"records_f1": f["micro"]["f1"], "metrics_f1": f["metrics"]["f1"]}
               for name, f in report["by_folder"].items()}
    return {"documents": report["documents"], "records_f1": report["micro"]["f1"],
            "metrics_f1": report["metrics"]["f1"], "by_folder": folders}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _placed(record: dict, read: str, ours: str) -> SimpleNamespace:
    """A baseline record on our page text: where it stands when the texts agree there,
    else the nearest occurrence of its surface (any whitespace) proportionally placed."""
    start, surface = record["start"], record["surface"]
    fields = {k: v for k, v in record.items() if k not in ("kind", "page", "start", "end", "surface")}
    found = SimpleNamespace(kind=record["kind"], page=record.get("page", 1), start=start, end=record["end"], **fields)
    if start >= 0 and ours[start:record["end"]] == surface:
        return found
    pattern = r"\s+".join(re.escape(part) for part in surface.split())
    starts = [(m.start(), m.end()) for m in re.finditer(pattern, ours)] if pattern else []
    if not starts:
        found.page = 10_000  # matches nothing: a false record
        return found
    guess = max(start, 0) * len(ours) / max(len(read), 1)
    found.start, found.end = min(starts, key=lambda span: abs(span[0] - guess))
    return found


def baseline_f1(program: str, suffixes: tuple[str, ...]) -> dict:
    """Records F1 of a baseline on the corpus/heldout documents it reads, matched as
    extractor.evaluate matches ours; ours on the same documents beside it."""
    from extractor import load
    from extractor.evaluate import evaluate, records_match
    from extractor.gold import gold_files, is_shared, load_gold
    from extractor.gold_spec import is_word_rank

    golds = [g for g in gold_files([bulk.HELDOUT]) if not (is_shared(g) and not bulk.SHARED.is_dir())
             and g.name.removesuffix(".gold.json").lower().endswith(suffixes)]
    gold = [load_gold(g) for g in golds]
    script = BENCH / ("naive.py" if program == "naive" else "regex_only.py")
    done = subprocess.run([PYTHON, str(script), *(str(g.document) for g in gold)], cwd=REPO, capture_output=True,
                          text=True, env=ENV)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    tp = fp = fn = 0
    for expected, line in zip(gold, lines):
        ours_pages = {p.number: p.text for p in load(expected.document).pages}
        read = read_pages(expected.document)
        found = [_placed(r, read[r.get("page", 1) - 1], ours_pages.get(r.get("page", 1), ""))
                 for r in line.get("records", [])]
        for record in [r for r in expected.records if not is_word_rank(r)]:
            hit = next((f for f in found if records_match(record, f)), None)
            tp, fn = (tp + 1, fn) if hit is not None else (tp, fn + 1)
            if hit is not None:
                found.remove(hit)
        fn += len(expected.lost)
        fp += len(found)
    ours = evaluate(golds).as_dict()["micro"]
    return {"documents": len(gold), "formats": list(suffixes), "records": _prf(tp, fp, fn),
            "ours_same_documents": {k: ours[k] for k in ("gold", "tp", "precision", "recall", "f1")}}


# --- verdicts and the report ---------------------------------------------------------------


def targets(r: dict) -> list[dict]:
    """The issue's targets, each with the measured figure and pass/fail (None: not measured)."""
    texts, mixed = r["sets"].get("texts"), r["sets"].get("mixed")
    memory = r["memory"]["peak_memory_mb_per_worker"]
    rows = [
        ("ours ≥ 200 texts/s (texts set, start-up included)", texts and texts["programs"]["ours"]["documents_per_s"],
         lambda v: v >= TARGETS["texts_per_s"], "{} texts/s"),
        ("ours ≥ 10x naive (mixed set)", mixed and mixed["naive_over_ours"], lambda v: v >= TARGETS["naive_over_ours_mixed"], "{}x"),
        ("ours ≤ 5x regex-only's time (texts set)", texts and texts["ours_over_regex"],
         lambda v: v <= TARGETS["ours_over_regex_texts"], "{}x"),
        ("≤ 250 MB per bulk worker", memory, lambda v: v <= TARGETS["worker_mb"], "{} MB"),
        ("start-up ≤ 0.6 s (cli.py extract, one small text)", r["startup"]["seconds"]["ours: cli.py extract"],
         lambda v: v <= TARGETS["startup_s"], "{} s"),
    ]
    return [{"target": name, "measured": value, "shown": fmt.format(value) if value is not None else "not measured",
             "pass": None if value is None else bool(test(value))} for name, value, test, fmt in rows]


def _md_throughput(r: dict) -> list[str]:
    lines = ["| set | program | documents | seconds (median) | documents/s | naive ÷ ours | ours ÷ regex-only | runs (s) "
             "| CPU s | peak RSS | load before→after |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for set_name, s in r["sets"].items():
        for program in PROGRAMS:
            p = s["programs"][program]
            ratio_n = f"**{s['naive_over_ours']}x** {s['naive_over_ours_by_round']}" if program == "naive" else ""
            ratio_r = f"**{s['ours_over_regex']}x** {s['ours_over_regex_by_round']}" if program == "regex-only" else ""
            runs = ", ".join(str(run["seconds"]) for run in p["runs"])
            load = "; ".join(f"{run['load'][0]}→{run['load'][1]}" for run in p["runs"])
            failed = f" ({p['failed']} failed)" if p["failed"] else ""
            if p["documents"] < s["documents"]:
                failed += f" of {s['documents']}: texts only †"
                ratio_r = ratio_r and ratio_r + " †"
            lines.append(f"| {set_name} | {program} | {p['documents']}{failed} | {p['seconds']} | {p['documents_per_s']} "
                         f"| {ratio_n} | {ratio_r} | {runs} | {p['cpu_seconds']} | {p['peak_mb'] or '-'} MB | {load} |")
    return lines


def pdfs_alone(r: dict) -> dict | None:
    """The PDFs' share, derived: mixed-set seconds minus texts-set seconds (medians)."""
    texts, mixed = r["sets"].get("texts"), r["sets"].get("mixed")
    if not texts or not mixed:
        return None
    seconds = {p: round(mixed["programs"][p]["seconds"] - texts["programs"][p]["seconds"], 2) for p in ("ours", "naive")}
    return {"pdfs": r["documents"]["pdfs"], "pages": r["documents"]["pdf_pages"], "seconds": seconds,
            "naive_over_ours": round(seconds["naive"] / seconds["ours"], 2) if seconds["ours"] > 0 else None}


def _md_stages(st: dict) -> list[str]:
    lines = [f"Ours, in one process pinned to core 0, after a warm-up over {WARM_UP} other texts. Stages: one pass over "
             f"{st['documents']} texts ({st['kb']} KB), the calls of `extract_document` made one by one (pipeline.py "
             f"sha256 {st['pipeline_sha256']}); \"whole\": `load`, `extract_document` and the JSONL rendering over "
             f"{st['whole_documents']} other texts ({st['whole_kb']} KB; the pipeline caches per text and per line, so "
             f"no text is seen twice), {st['documents_per_s_in_process']} documents/s without start-up.", ""]
    if st["drift"]:
        lines += [f"**Warning:** {st['drift']}.", ""]
    lines += ["| stage | ms per KB | seconds | share of the stage pass |", "|---|---|---|---|"]
    split_total = sum(v for k, v in st["seconds"].items() if not k.startswith("whole"))
    for name, value in st["ms_per_kb"].items():
        share = "" if name.startswith("whole") else f"{100 * st['seconds'][name] / split_total:.0f}%"
        lines.append(f"| {name} | {value} | {st['seconds'][name]} | {share} |")
    lines += ["", f"Beyond the stages, `extract_document` spends about {st['extraction_object_ms_per_kb']} ms per KB "
              "(building the Extraction: whole minus tables, recognition and metrics, from two passes over different "
              "texts, so noisy).", "",
              f"cProfile of a third pass ({st['profile_documents']} other texts; load, extract_document, JSONL rendering), "
              "top 25 by cumulative time (the profiler slows it down):", "",
              "```", st["profile"], "```"]
    return lines


def _md_f1(f1: dict) -> list[str]:
    ours = f1["ours"]
    lines = ["F1 beside speed (gold of corpus/dev and corpus/heldout):", ""]
    lines += ["| program | documents | records micro-F1 | metrics F1 |", "|---|---|---|---|"]
    if "error" in ours:
        lines.append(f"| ours | `cli.py eval` failed: {' '.join(ours['error'].split())} | | |")
    else:
        lines += [f"| ours, {name} | | {f['records_f1']} | {f['metrics_f1']} |" for name, f in ours["by_folder"].items()]
        lines.append(f"| ours, all | {ours['documents']} | {ours['records_f1']} | {ours['metrics_f1']} |")
    for program in ("naive", "regex-only"):
        b = f1.get(program)
        if b:
            lines.append(f"| {program}, heldout {'+'.join(b['formats'])} | {b['documents']} | {b['records']['f1']} "
                         f"(P {b['records']['precision']}, R {b['records']['recall']}; ours on the same: "
                         f"{b['ours_same_documents']['f1']}) | not measured (no metrics) |")
    lines += ["", "The baselines' records are matched as `extractor.evaluate` matches ours (kind, page, overlapping "
              "span, key values); a record whose text differs from ours (pdfplumber's) is first moved to the nearest "
              "occurrence of its surface in our text, which can only help it. The naive pipeline covers 6 kinds of "
              "the 11, so its recall is low by design; neither baseline assembles metrics."]
    return lines


def _commit() -> str:
    """The repository's commit, with "+changes" when the tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def render_markdown(r: dict) -> str:
    m, d, st = r["machine"], r["documents"], r["startup"]["seconds"]
    lines = ["# Speed: ours against a naive pipeline and a regex-only script (issue 17)", "",
             f"Written by `bench/speed.py{' --quick' if r['quick'] else ''}` on {r['date']}. {m['cpu']}, {m['cores']} cores, "
             f"{m['ram_gb']} GB RAM, Python {m['python']}. Every program runs pinned to one core ({r['pinning']}), "
             f"start-up included; medians of {r['repeats']} interleaved rounds. Load average {r['load_start']} at the "
             f"start, {r['load_end']} at the end: the machine is shared, so trust the ratios (runs side by side) more "
             f"than the seconds. Extractor at commit {_commit()}.", "",
             f"Documents: {d['texts']} generated press-release texts ({d['texts_kb_mean']} KB on average, "
             f"{d['texts_kb_min']}-{d['texts_kb_max']} KB; recombined corpus paragraphs, bench/press_releases.py, "
             f"seed {d['seed']}); mixed = those + {d['pdfs']} real PDFs ({d['pdf_pages']} pages). OCR off for all "
             "(VN_REFORM_OCR=off). Regex-only reads texts only: on the mixed set it is given the texts alone."]
    lines += [f"Note: {note}" for note in r["notes"]]
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['shown']} | {'n/a' if t['pass'] is None else 'PASS' if t['pass'] else 'FAIL'} |"
              for t in r["targets"]]
    lines += ["", "## Throughput, one core, start-up included", ""] + _md_throughput(r)
    lines += ["", "naive ÷ ours is how many times faster ours is; ours ÷ regex-only how many times slower. "
              "Bracketed: the ratio in each round. † Regex-only skips PDFs: on the mixed set its ratio is not like "
              "for like. CPU s: the median run's user + system time; peak RSS: the largest process of the program "
              "(`cli.py extract` writes each document as it comes)."]
    alone = pdfs_alone(r)
    if alone:
        lines += ["", f"The {alone['pdfs']} PDFs alone ({alone['pages']} pages; mixed minus texts, medians): ours "
                  f"{alone['seconds']['ours']} s, naive {alone['seconds']['naive']} s: naive ÷ ours = "
                  f"{alone['naive_over_ours']}x."]
    lines += ["", "## Start-up", "",
              f"Median of {r['startup']['runs']} on `{r['startup']['document']}`, pinned:", ""]
    lines += [f"- {name}: {seconds} s" for name, seconds in st.items()]
    mem = r["memory"]
    lines += ["", "## Memory", "",
              f"Peak RSS of the worker of a `bulk` run with 1 worker over {mem['documents']} of the texts "
              f"(bench/bulk.py's run_bulk_child, VmHWM read in the worker): **{mem['peak_memory_mb_per_worker']} MB**; "
              f"that run took {mem['seconds']} s ({mem['documents_per_s']} documents/s, not pinned, "
              f"{mem['failed']} failed).", "", "## Where our time goes", ""]
    lines += _md_stages(r["stages"]) + ["", "## Accuracy", ""] + _md_f1(r["f1"])
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def describe_documents(texts: list[Path], pdfs: list[Path], seed: int) -> dict:
    sizes = [p.stat().st_size / 1024 for p in texts]
    pages = 0
    for pdf in pdfs:
        import pypdfium2

        document = pypdfium2.PdfDocument(str(pdf))
        pages += len(document)
        document.close()
    return {"texts": len(texts), "texts_kb_mean": round(statistics.mean(sizes), 1), "texts_kb_min": round(min(sizes), 1),
            "texts_kb_max": round(max(sizes), 1), "seed": seed, "pdfs": len(pdfs), "pdf_pages": pages,
            "pdf_files": [p.name for p in pdfs]}


def measure(args: argparse.Namespace, work: Path) -> dict:
    notes = [] if PIN_PREFIX else [PIN_NOTE]
    r: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "quick": args.quick, "machine": bulk.machine(),
               "pinning": PIN_NOTE, "repeats": args.repeats, "load_start": [round(x, 2) for x in os.getloadavg()]}
    texts = generate(args.documents, work / "texts", seed=args.seed)
    pdfs = sorted(bulk.REAL_PDFS.glob("*.pdf")) if bulk.REAL_PDFS.is_dir() else []
    if not pdfs:
        notes.append(f"{bulk.REAL_PDFS} is absent: the mixed-set rows are skipped")
    r["documents"] = describe_documents(texts, pdfs, args.seed)
    sets = {"texts": texts, **({"mixed": texts + pdfs} if pdfs else {})}
    print("start-up...", file=sys.stderr)
    r["startup"] = startup(work)
    print("throughput...", file=sys.stderr)
    r["sets"] = compare(sets, args.repeats, work)
    print("stages...", file=sys.stderr)
    n = max(1, min(args.stage_sample, (len(texts) - WARM_UP) // 3))
    r["stages"] = stages((texts[:n], texts[n:2 * n], texts[2 * n:3 * n]), warm=texts[-WARM_UP:])
    print("bulk memory...", file=sys.stderr)
    r["memory"] = bulk_memory(texts[:args.memory_sample], work)
    print("F1...", file=sys.stderr)
    r["f1"] = {"ours": ours_f1(), "naive": baseline_f1("naive", (".txt", ".pdf")),
               "regex-only": baseline_f1("regex-only", (".txt",))}
    r["notes"], r["load_end"] = notes, [round(x, 2) for x in os.getloadavg()]
    r["targets"], r["pdfs_alone"] = targets(r), pdfs_alone(r)
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 texts, 1 repeat (for development)")
    parser.add_argument("--documents", type=int, help="generated texts (default 1000; 100 with --quick)")
    parser.add_argument("--repeats", type=int, help="runs of each configuration, median kept (default 3; 1 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated texts (default 0)")
    parser.add_argument("--stage-sample", type=int, default=200,
                        help="texts of each in-process pass (default 200; at most a third of the texts beyond the warm-up)")
    parser.add_argument("--memory-sample", type=int, default=300, help="texts of the bulk memory run (default 300)")
    args = parser.parse_args()
    args.documents = args.documents or (100 if args.quick else 1000)
    args.repeats = args.repeats or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="vn-reform-speed-") as tmp:
        results = measure(args, Path(tmp))
    OUT_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    OUT_MD.write_text(render_markdown(results), encoding="utf-8")
    print(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
