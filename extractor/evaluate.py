"""Precision and recall against gold annotations, per kind, per format, per encoding and per folder.

A found record matches a gold record when the kind and page agree, the spans overlap
and the key fields agree (:data:`extractor.gold.KEY_FIELDS`); each gold record matches
at most one found record. Metrics match on indicator, subject, year and every value the
gold states; they are reported apart, since the metric stage lands after the records.
Where a gold file says which table cell a record sits in (the ruled-table PDFs of the
corpus), "cells" counts the records found in the right table, row and column. Averages
(metrics marked ``aggregate``) are no subject's result: gold never lists them, and they
are left out of the metrics.

A folder holding gold/*.json in the GOLD-SPEC format (../shared/reference) is scored by
value instead, as :mod:`extractor.gold_spec` says, and reported as its own folder.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .gazetteer import canonical_subject
from .gold import KEY_FIELDS, METRIC_VALUES, REPO, SHARED, Gold, GoldMetric, gold_files, is_shared, load_gold
from .gold_spec import (
    SpecGold,
    SpecMetric,
    is_spec_file,
    is_spec_folder,
    is_word_rank,
    load_spec,
    match_records,
    metric_matches,
    scored_metrics,
    spec_gold_files,
)
from .pipeline import extract_file
from .records import Extraction, Metric, Record
from .rulebook import PATTERNS_DIR
from .segment import split_sentences


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        rounded = lambda v: None if v is None else round(v, 4)  # noqa: E731
        return {"gold": self.tp + self.fn, "found": self.tp + self.fp, "tp": self.tp,
                "precision": rounded(self.precision), "recall": rounded(self.recall), "f1": rounded(self.f1)}


@dataclass
class Error:
    """A miss (a gold record nobody found) or a false hit (a found record not in gold)."""

    what: str  # "miss" or "false"
    document: str
    page: int | None  # None for a GOLD-SPEC miss: that gold has no positions
    kind: str
    surface: str
    key: dict[str, Any]
    sentence: str


@dataclass
class DocumentResult:
    gold: Path
    document: Path
    format: str
    folder: str
    encoding: str = "none"  # source.encoding of a text; "none" where the format has none (PDF)
    kinds: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    metrics: Counts = field(default_factory=Counts)
    cells: Counts = field(default_factory=Counts)  # only for documents whose gold names cells
    errors: list[Error] = field(default_factory=list)
    scheme: str = "corpus"  # "corpus" (gold by position) or "gold-spec" (gold by value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)) and not isinstance(a, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def key_of(record: Record) -> dict[str, Any]:
    fields = KEY_FIELDS[record.kind]
    if record.kind == "legal_ref" and getattr(record, "symbol", None):
        fields = ("symbol",)  # a canonical symbol says it all
    return {name: getattr(record, name, None) for name in fields}


def records_match(gold: Record, found: Record) -> bool:
    """Same kind and page, overlapping spans, and the key fields agree."""
    if gold.kind != found.kind or gold.page != found.page:
        return False
    if not (gold.start < found.end and found.start < gold.end):
        return False
    return all(_same(value, getattr(found, name, None)) for name, value in key_of(gold).items())


def _fold(name: str | None) -> str | None:
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def metrics_match(gold: GoldMetric, found: Metric) -> bool:
    """Same indicator, year and subject (a province by any of its names), and every value
    the gold states."""
    same_subject = canonical_subject(gold.subject) == canonical_subject(found.subject) or _fold(gold.subject) == _fold(found.subject)
    if not same_subject or (gold.indicator, gold.year) != (found.indicator, found.year):
        return False
    return all(_same(getattr(gold, name), getattr(found, name)) for name in METRIC_VALUES if getattr(gold, name) is not None)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence(s) around a span, for showing a missed gold record in context."""
    around = [s for s in split_sentences(text) if s.start < max(end, start + 1) and start < s.end]
    return text[around[0].start : around[-1].end] if around else text[start:end]


def _format(extraction: Extraction) -> str:
    return extraction.source.format + (" (OCR)" if extraction.source.ocr_pages else "")  # scans apart from text layers


def _pages(extraction: Extraction) -> dict[int, str]:
    return {p.number: p.text for p in extraction.pages or []}


def evaluate_document(gold: Gold, *, patterns: Path = PATTERNS_DIR) -> DocumentResult:
    extraction = extract_file(gold.document, include_text=True, patterns=patterns)
    pages = _pages(extraction)
    folder = gold.path.parent.name
    result = DocumentResult(gold.path, gold.document, _format(extraction), folder, extraction.source.encoding or "none")
    name = str(gold.path.relative_to(REPO)) if gold.path.is_relative_to(REPO) else str(gold.path)
    name = name.removesuffix(".gold.json")

    # "dẫn đầu", "quán quân": a rank 1 in words is the metric's business; gold files differ
    # on listing it as a record, so it is neither a hit nor an error on either side.
    unmatched = [r for r in extraction.records if not is_word_rank(r)]
    pairs: list[tuple[Record, Record | None]] = []
    for expected in [r for r in gold.records if not is_word_rank(r)]:
        hit = next((f for f in unmatched if records_match(expected, f)), None)
        pairs.append((expected, hit))
        if hit is not None:
            unmatched.remove(hit)
            result.kinds[expected.kind].tp += 1
        else:
            result.kinds[expected.kind].fn += 1
            result.errors.append(Error("miss", name, expected.page, expected.kind, expected.surface, key_of(expected),
                                       _sentence(pages.get(expected.page, ""), expected.start, expected.end)))
    for lost in gold.lost:  # the text as read does not hold it: nothing can match it
        result.kinds[lost.kind].fn += 1
        result.errors.append(Error("miss", name, lost.page, lost.kind, lost.surface, {}, "(not in the text as read)"))
    for found in unmatched:
        result.kinds[found.kind].fp += 1
        result.errors.append(Error("false", name, found.page, found.kind, found.surface, key_of(found), found.sentence))

    if any(expected.table is not None for expected in gold.records):
        _count_cells(result, name, pairs, extraction.records)

    found_metrics = [m for m in extraction.metrics if not m.aggregate]  # gold never lists averages
    _count_metrics(result, name, gold.metrics, found_metrics, metrics_match, pages)
    return result


def _count_metrics(result: DocumentResult, name: str, expected: list[GoldMetric] | list[SpecMetric], found: list[Metric],
                   match: Callable[[Any, Metric], bool], pages: dict[int, str]) -> None:
    """Each gold metric takes the first found one that matches it; the found ones left are false."""
    left = list(found)
    for metric in expected:
        hit = next((m for m in left if match(metric, m)), None)
        if hit is not None:
            left.remove(hit)
            result.metrics.tp += 1
            continue
        result.metrics.fn += 1
        page = (metric.page or 1) if isinstance(metric, GoldMetric) else None
        result.errors.append(Error("miss", name, page, "metric", _metric_label(metric), _metric_values(metric), ""))
    result.metrics.fp += len(left)
    for extra in left:
        result.errors.append(Error("false", name, extra.page, "metric", _metric_label(extra), _metric_values(extra),
                                   pages.get(extra.page, "")[extra.start : extra.end]))


def evaluate_spec_document(gold: SpecGold, *, patterns: Path = PATTERNS_DIR) -> DocumentResult:
    """A document with GOLD-SPEC gold: records and metrics compared by value."""
    extraction = extract_file(gold.document, include_text=True, patterns=patterns)
    result = DocumentResult(gold.path, gold.document, _format(extraction), gold.folder,
                            extraction.source.encoding or "none", scheme="gold-spec")
    name = f"{gold.folder}/{gold.document.name}"
    hits, misses, false = match_records(gold, extraction.records)
    for kind, _ in hits:
        result.kinds[kind].tp += 1
    for kind, key in misses:
        result.kinds[kind].fn += 1
        result.errors.append(Error("miss", name, None, kind, "", dict(key), ""))
    for kind, key, record in false:
        result.kinds[kind].fp += 1
        result.errors.append(Error("false", name, record.page, kind, record.surface, dict(key), record.sentence))
    _count_metrics(result, name, gold.metrics, scored_metrics(extraction.metrics), metric_matches, _pages(extraction))
    return result


def _cell(record: Record | None) -> tuple[int | None, int | None, int | None]:
    return (None, None, None) if record is None else (record.table, record.row, record.col)


def _count_cells(result: DocumentResult, name: str, pairs: list[tuple[Record, Record | None]], found: list[Record]) -> None:
    """Cells, for a document whose gold says which table cell each record sits in: a gold
    record in a cell is found when a matching record names the same table, row and
    column; a found record in a cell that is no such match is a false one."""
    right: set[int] = set()
    for expected, hit in pairs:
        if expected.table is None:
            continue
        if hit is not None and _cell(hit) == _cell(expected):
            result.cells.tp += 1
            right.add(id(hit))
        else:
            result.cells.fn += 1
            said = "no cell" if hit is None or hit.table is None else "table {} row {} col {}".format(*_cell(hit))
            result.errors.append(Error("miss", name, expected.page, "cell", expected.surface,
                                       {"table": expected.table, "row": expected.row, "col": expected.col, "found": said}, ""))
    for record in found:
        if record.table is not None and id(record) not in right:
            result.cells.fp += 1
            result.errors.append(Error("false", name, record.page, "cell", record.surface,
                                       {"table": record.table, "row": record.row, "col": record.col}, record.sentence))


def _metric_label(metric: GoldMetric | SpecMetric | Metric) -> str:
    return f"{metric.indicator} {metric.subject} {metric.year}"


def _metric_values(metric: GoldMetric | SpecMetric | Metric) -> dict[str, Any]:
    return {name: getattr(metric, name) for name in METRIC_VALUES if getattr(metric, name) is not None}


@dataclass
class Report:
    documents: list[DocumentResult]
    skipped: list[str]

    def _total(self, results: list[DocumentResult]) -> tuple[dict[str, Counts], Counts, Counts]:
        kinds: dict[str, Counts] = defaultdict(Counts)
        metrics = Counts()
        for r in results:
            for kind, counts in r.kinds.items():
                kinds[kind].add(counts)
            metrics.add(r.metrics)
        micro = Counts()
        for counts in kinds.values():
            micro.add(counts)
        return dict(sorted(kinds.items())), micro, metrics

    def _groups(self, attribute: str) -> dict[str, list[DocumentResult]]:
        groups: dict[str, list[DocumentResult]] = defaultdict(list)
        for r in self.documents:
            groups[getattr(r, attribute)].append(r)
        return dict(sorted(groups.items()))

    def by(self, attribute: str) -> dict[str, tuple[Counts, Counts]]:
        return {name: self._total(results)[1:] for name, results in self._groups(attribute).items()}

    def _folder_dict(self, results: list[DocumentResult]) -> dict[str, Any]:
        kinds, micro, metrics = self._total(results)
        return {"micro": micro.as_dict(), "metrics": metrics.as_dict(), "micro_with_metrics": _plus(micro, metrics).as_dict(),
                "kinds": {k: c.as_dict() for k, c in kinds.items()}}

    def cells(self) -> tuple[Counts, int]:
        """Records placed in their table cells, over the documents whose gold names cells;
        and how many such documents there are."""
        counted = [r for r in self.documents if r.cells.tp + r.cells.fn]
        total = Counts()
        for r in counted:
            total.add(r.cells)
        return total, len(counted)

    def as_dict(self) -> dict[str, Any]:
        kinds, micro, metrics = self._total(self.documents)
        cells, cell_documents = self.cells()
        return {
            "documents": len(self.documents),
            "skipped": self.skipped,
            "kinds": {k: c.as_dict() for k, c in kinds.items()},
            "micro": micro.as_dict(),
            "metrics": metrics.as_dict(),
            "micro_with_metrics": _plus(micro, metrics).as_dict(),  # as the GOLD-SPEC scorer's micro counts
            "cells": cells.as_dict() | {"documents": cell_documents},
            "by_format": {k: {"micro": m.as_dict(), "metrics": mm.as_dict()} for k, (m, mm) in self.by("format").items()},
            "by_folder": {k: self._folder_dict(results) for k, results in self._groups("folder").items()},
            "by_encoding": {k: {"micro": m.as_dict(), "metrics": mm.as_dict()} for k, (m, mm) in self.by("encoding").items()},
            "errors": [e.__dict__ | {"key": {k: str(v) if v is not None else None for k, v in e.key.items()}}
                       for r in self.documents for e in r.errors],
        }

    def table(self, *, show_errors: bool = False) -> str:
        kinds, micro, metrics = self._total(self.documents)
        lines = [f"{len(self.documents)} documents", "", f"{'kind':<14}{'gold':>6}{'found':>7}{'tp':>6}  {'P':>5}  {'R':>5}  {'F1':>5}"]
        lines += [_row(kind, counts) for kind, counts in kinds.items()]
        lines += [_row("micro", micro), "", _row("metrics", metrics)]
        cells, cell_documents = self.cells()
        if cell_documents:
            lines += [_row("cells", cells) + f"  (records in table cells, {cell_documents} documents)"]
        for attribute in ("format", "encoding"):
            rows = [row for name, (m, mm) in self.by(attribute).items() for row in ((f"  {name}", m), (f"  {name} metrics", mm))]
            lines += ["", f"by {attribute}", *_aligned(rows)]
        lines += ["", "by folder", *_aligned(self._folder_rows())]
        if self.skipped:
            lines += ["", *[f"skipped: {s}" for s in self.skipped]]
        if show_errors:
            lines += ["", "errors (miss: in gold, not found; false: found, not in gold)"]
            lines += [line for r in self.documents for e in r.errors for line in _error_lines(e)]
        return "\n".join(lines) + "\n"

    def _folder_rows(self) -> list[tuple[str, Counts]]:
        """Micro and metrics per folder; a GOLD-SPEC folder also gets its kinds, and its
        records and metrics together, the figure its own scorer calls micro."""
        rows: list[tuple[str, Counts]] = []
        for name, results in self._groups("folder").items():
            kinds, micro, metrics = self._total(results)
            rows += [(f"  {name}", micro), (f"  {name} metrics", metrics)]
            if any(r.scheme == "gold-spec" for r in results):
                rows += [(f"    {kind}", counts) for kind, counts in kinds.items()]
                rows += [(f"  {name} micro+metrics", _plus(micro, metrics))]
        return rows


def _plus(a: Counts, b: Counts) -> Counts:
    total = Counts()
    total.add(a)
    total.add(b)
    return total


def _row(name: str, c: Counts, width: int = 14) -> str:
    fmt = lambda v: "    -" if v is None else f"{v:5.3f}"  # noqa: E731
    return f"{name:<{width}}{c.tp + c.fn:>6}{c.tp + c.fp:>7}{c.tp:>6}  {fmt(c.precision)}  {fmt(c.recall)}  {fmt(c.f1)}"


def _aligned(rows: list[tuple[str, Counts]]) -> list[str]:
    """Rows whose figures line up, however long their labels."""
    width = max([14, *(len(name) + 1 for name, _ in rows)])
    return [_row(name, counts, width) for name, counts in rows]


def _error_lines(e: Error) -> list[str]:
    """One error as printed: where (the page, when gold gives positions), what, the key
    values; and its sentence when there is one."""
    key = ", ".join(f"{k}={v}" for k, v in e.key.items())
    where = e.document if e.page is None else f"{e.document} p{e.page}"
    what = f"{e.kind} {e.surface!r}" if e.surface else e.kind
    return [f"{e.what:<5}  {where}  {what} ({key})"] + ([f"       in: {e.sentence}"] if e.sentence else [])


def _gold_paths(paths: list[Path]) -> list[Path]:
    """Every gold file ``paths`` name, in their order, all checked before anything is read:
    a folder with gold/*.json in the GOLD-SPEC format gives those, any other folder its
    corpus gold files."""
    found: list[Path] = []
    for path in paths:
        if is_spec_folder(path):
            found += spec_gold_files(path)
        elif is_spec_file(path):
            found.append(path)
        else:
            found += gold_files([path])
    return found


def evaluate(paths: list[Path], *, patterns: Path = PATTERNS_DIR) -> Report:
    """Evaluate every gold file under ``paths``: GOLD-SPEC gold by value, the corpus's by
    position; gold of documents in an absent ../shared is skipped."""
    results: list[DocumentResult] = []
    skipped: list[str] = []
    for path in _gold_paths(paths):
        if is_spec_file(path):
            results.append(evaluate_spec_document(load_spec(path), patterns=patterns))
        elif is_shared(path) and not SHARED.is_dir():
            skipped.append(f"{path} (its document is in {SHARED}, which is absent)")
        else:
            results.append(evaluate_document(load_gold(path), patterns=patterns))
    return Report(results, skipped)
