#!/usr/bin/env python3
"""Generated press-release texts, for measuring SPEED only (never accuracy).

    .venv/bin/python bench/press_releases.py 1000 /tmp/press-releases    # writes pr-0000.txt ...

    from press_releases import generate                # with bench/ on sys.path
    paths = generate(1000, Path(tmp), seed=0)

Each text is a title line followed by paragraphs recombined from the UTF-8 corpus texts
(corpus/dev/*.txt and corpus/heldout/*.txt, see :func:`bulk.variant_sources`): paragraphs
are drawn at random from several sources, and each one goes through
:func:`bulk.make_variant` with its own seed (province names swapped, digits redrawn), until
the text reaches a size drawn between 6 and 18 KB (12 KB on average, the issue's reference
workload: 215 press releases averaging 12 KB). The texts read like press releases to the
extractor (same vocabulary, numbers, references, tables), but they are not coherent
documents and have no gold: use them for throughput, never for F1.

The output is deterministic for a given ``seed`` and corpus; every text is distinct.
Write them to a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bulk  # noqa: E402 - bench/bulk.py: make_variant, variant_sources, the province pattern

MIN_KB, MAX_KB = 6, 18
TITLES = (
    "Chỉ số cải cách hành chính năm {year} của tỉnh {province}",
    "{province} công bố kết quả Chỉ số CCHC các sở, ngành năm {year}",
    "Kết quả Chỉ số SIPAS, PAPI năm {year} của {province}",
    "Báo cáo công tác cải cách hành chính năm {year} tỉnh {province}",
    "{province}: nâng cao chất lượng phục vụ người dân, doanh nghiệp năm {year}",
)


def _paragraphs(sources: list[Path]) -> list[str]:
    """Every non-empty paragraph (blank-line separated block) of the source texts."""
    found = []
    for path in sources:
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            if block.strip():
                found.append(block.strip("\n"))
    return found


def _compose(rng: random.Random, paragraphs: list[str], names: list[str], pattern: re.Pattern[str]) -> str:
    """One text: a title, then varied paragraphs until the drawn size is reached."""
    target = rng.uniform(MIN_KB, MAX_KB) * 1024
    title = rng.choice(TITLES).format(year=rng.randint(2016, 2025), province=rng.choice(names))
    parts = [title]
    size = len(title.encode("utf-8"))
    while True:
        paragraph = bulk.make_variant(rng.choice(paragraphs), rng.randrange(2**32), names, pattern)
        grown = size + 2 + len(paragraph.encode("utf-8"))
        if grown > MAX_KB * 1024 and size >= MIN_KB * 1024:
            break  # a very long block (a table) would overshoot: stop here
        parts.append(paragraph)
        size = grown
        if size >= target:
            break
    return "\n\n".join(parts) + "\n"


def generate(count: int, folder: Path, seed: int = 0) -> list[Path]:
    """Write ``count`` distinct press-release texts (pr-0000.txt, ...) into ``folder``
    and return their paths. Recombined corpus paragraphs: for speed, not accuracy."""
    from extractor.gazetteer import provinces

    paragraphs = _paragraphs(bulk.variant_sources())
    names = sorted({p.name for p in provinces().values()})
    pattern = bulk._province_pattern()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    paths = []
    while len(paths) < count:
        text = _compose(rng, paragraphs, names, pattern)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:
            continue  # distinct documents only (a duplicate is drawn again)
        seen.add(digest)
        path = folder / f"pr-{len(paths):04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description="Write generated press-release texts (for speed benchmarks).")
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = generate(args.count, args.folder, args.seed)
    sizes = [p.stat().st_size for p in paths]
    print(f"{len(paths)} texts in {args.folder}, {sum(sizes) / len(sizes) / 1024:.1f} KB on average "
          f"({min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
