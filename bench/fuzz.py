#!/usr/bin/env python3
"""Issue 18: the long fuzz run of extract_text. Writes bench/fuzz.md.

    .venv/bin/python bench/fuzz.py --inputs 100000 --jobs 2      # the documented run
    .venv/bin/python bench/fuzz.py --inputs 1000                 # a quick look
    .venv/bin/python bench/fuzz.py --show 4711 --seed 0          # print input 4711 of seed 0

The inputs are tests/fuzz_inputs.py's generated documents (the generators behind
tests/test_fuzz.py), hostile ones included (lone surrogates, numbers of 16 to 5,000
digits), each from ``random.Random(f"{seed}:{index}")`` so that any one can be remade
alone. Every input is checked for the properties of the test: no exception (a refusal of
blank text is allowed), offsets of records and metric inferences, metric evidence, unique
and deterministic ids and JSON (two extractions), JSON that fits the schema and reads back,
and time under 1 s + 50 ms per KB (an input past 60 s is stopped and counted).

For each exception type and each broken property the first input is shrunk (chunks
dropped while the same failure stays) and written to bench/fuzz.md with its last frames.
"""

from __future__ import annotations

import argparse
import datetime
import random
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fuzz_inputs import check, document  # noqa: E402

OUT = REPO / "bench" / "fuzz.md"
INPUT_TIMEOUT_S = 60
CHUNK = 200


class InputTimeout(Exception):
    """An input ran past INPUT_TIMEOUT_S."""


def _alarm(signum: int, frame: object) -> None:
    raise InputTimeout(f"over {INPUT_TIMEOUT_S} s")


def make_input(seed: int, index: int, max_chars: int, hostile: bool) -> str:
    return document(random.Random(f"{seed}:{index}"), max_chars=max_chars, hostile=hostile)


def failures(text: str) -> tuple[list[str], float, str]:
    """The failure signatures of one input ("exception:Type" or the broken property), the
    seconds of its first extraction, and the last frames of an exception."""
    signal.alarm(INPUT_TIMEOUT_S)
    started = time.perf_counter()
    try:
        checked = check(text)
    except Exception as error:  # every exception is a finding: keep its type and frames
        frames = "".join(traceback.format_exception(error)[-7:])
        return [f"exception:{type(error).__name__}"], time.perf_counter() - started, frames
    finally:
        signal.alarm(0)
    kb = len(text.encode("utf-8", "surrogatepass")) / 1024
    found = sorted({name for name, _ in checked.problems})
    if checked.seconds > 1.0 + 0.05 * kb:
        found.append("slow")
    details = "\n".join(f"{name}: {detail}" for name, detail in checked.problems[:5])
    return found, checked.seconds, details


@dataclass
class Tally:
    """What a share of the inputs gave; tallies add up."""

    inputs: int = 0
    kb: float = 0.0
    seconds: float = 0.0
    failed: Counter = field(default_factory=Counter)
    first: dict = field(default_factory=dict)  # signature -> (index, text, detail)
    slowest: tuple[float, int, float] = (0.0, -1, 0.0)  # (ms per KB, index, KB), inputs of 1 KB and more
    longest: tuple[float, int, float] = (0.0, -1, 0.0)  # (seconds, index, KB)

    def add(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.kb += other.kb
        self.seconds += other.seconds
        self.failed.update(other.failed)
        for key, value in other.first.items():
            if key not in self.first or value[0] < self.first[key][0]:
                self.first[key] = value
        self.slowest = max(self.slowest, other.slowest)
        self.longest = max(self.longest, other.longest)


def warm_up() -> None:
    """Load what extraction loads lazily (the POS tagger, gazetteers) before any input is timed."""
    signal.signal(signal.SIGALRM, _alarm)
    for index in range(20):
        check(make_input(-1, index, 3000, False))


def run_chunk(job: tuple[int, int, int, int, bool]) -> Tally:
    seed, start, stop, max_chars, hostile = job
    tally = Tally()
    for index in range(start, stop):
        text = make_input(seed, index, max_chars, hostile)
        kb = len(text.encode("utf-8", "surrogatepass")) / 1024
        found, seconds, detail = failures(text)
        tally.inputs += 1
        tally.kb += kb
        tally.seconds += seconds
        tally.longest = max(tally.longest, (seconds, index, kb))
        if kb >= 1:
            tally.slowest = max(tally.slowest, (1000 * seconds / kb, index, kb))
        for signature in found:
            tally.failed[signature] += 1
            tally.first.setdefault(signature, (index, text, detail))
    return tally


def shrink(text: str, signature: str, budget: int = 400) -> str:
    """Drop chunks of the text, halves first, while it still fails with ``signature``."""
    size = max(1, len(text) // 2)
    while size >= 1 and budget > 0:
        at, changed = 0, False
        while at < len(text) and budget > 0:
            candidate = text[:at] + text[at + size :]
            budget -= 1
            if candidate and signature in failures(candidate)[0]:
                text, changed = candidate, True
            else:
                at += size
        if not changed:
            size //= 2
    return text


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True).stdout
    return f"{head} (with uncommitted changes)" if dirty.strip() else head


def report(tally: Tally, args: argparse.Namespace, wall: float) -> str:
    lines = [
        "# Fuzzing extract_text (issue 18)",
        "",
        f"Written by `{' '.join(['.venv/bin/python', 'bench/fuzz.py', *sys.argv[1:]])}` on "
        f"{datetime.date.today().isoformat()}, commit {commit()}.",
        "Inputs: tests/fuzz_inputs.py documents" + (", hostile mutations included" if args.hostile else "") + ".",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| inputs tried | {tally.inputs:,} |",
        f"| text | {tally.kb:,.0f} KB ({tally.kb / max(tally.inputs, 1):.2f} KB an input) |",
        f"| wall time | {wall:.0f} s with {args.jobs} processes (each input extracted twice and checked) |",
        f"| first extractions alone | {tally.seconds:.0f} s, {1000 * tally.seconds / max(tally.kb, 1e-9):.1f} ms per KB on average |",
        f"| slowest input of 1 KB or more | {tally.slowest[0]:.1f} ms per KB (input {tally.slowest[1]}, {tally.slowest[2]:.1f} KB) |",
        f"| longest input time | {1000 * tally.longest[0]:.0f} ms (input {tally.longest[1]}, {tally.longest[2]:.1f} KB) |",
    ]
    for name in ("offsets", "evidence", "ids", "determinism", "schema", "refused", "slow"):
        lines.append(f"| inputs with {name} problems | {tally.failed.get(name, 0):,} |")
    exceptions = {k: v for k, v in tally.failed.items() if k.startswith("exception:")}
    lines.append(f"| inputs raising an exception | {sum(exceptions.values()):,} |")
    lines += ["", "## Findings", ""]
    if not tally.failed:
        lines.append("None: every input kept every property.")
    for signature, count in tally.failed.most_common():
        index, text, detail = tally.first[signature]
        small = shrink(text, signature)
        lines += [f"### {signature}: {count:,} inputs", "", f"First: input {index} (`--show {index} --seed {args.seed}`); shrunk to:",
                  "", "```", repr(small)[:600], "```", "", "```", detail.strip()[-1500:], "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-chars", type=int, default=400, help="a document's size is drawn up to about this")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false", help="leave out surrogates and huge numbers")
    parser.add_argument("--show", type=int, metavar="INDEX", help="print one input (repr) and exit")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.show is not None:
        print(repr(make_input(args.seed, args.show, args.max_chars, args.hostile)))
        return 0
    jobs = [(args.seed, start, min(start + CHUNK, args.inputs), args.max_chars, args.hostile) for start in range(0, args.inputs, CHUNK)]
    tally, started = Tally(), time.perf_counter()
    with Pool(args.jobs, initializer=warm_up) as pool:
        for done, part in enumerate(pool.imap_unordered(run_chunk, jobs), start=1):
            tally.add(part)
            if done % 25 == 0 or done == len(jobs):
                print(f"{tally.inputs:,} inputs, {tally.kb:,.0f} KB, {sum(tally.failed.values()):,} failures, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    warm_up()
    args.out.write_text(report(tally, args, time.perf_counter() - started), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
