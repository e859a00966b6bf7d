"""Precision and recall against gold annotations, per kind, per format, per encoding and per folder.

A found record matches a gold record when the kind and page agree, the spans overlap
and the key fields agree (:data:`extractor.gold.KEY_FIELDS`); each gold record matches
at most one found record. Metrics match on indicator, subject, year and every value the
gold states; they are reported apart, since the metric stage lands after the records.
Where a gold file says which table cell a record sits in (the ruled-table PDFs of the
corpus), "cells" counts the records found in the right table, row and column.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .gazetteer import canonical_subject
from .gold import KEY_FIELDS, METRIC_VALUES, REPO, SHARED, Gold, GoldMetric, gold_files, is_shared, load_gold
from .pipeline import extract_file
from .records import Metric, Record
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
    page: int
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


def evaluate_document(gold: Gold, *, patterns: Path = PATTERNS_DIR) -> DocumentResult:
    extraction = extract_file(gold.document, include_text=True, patterns=patterns)
    pages = {p.number: p.text for p in extraction.pages or []}
    folder = gold.path.parent.name
    fmt = extraction.source.format + (" (OCR)" if extraction.source.ocr_pages else "")  # scans apart from text layers
    result = DocumentResult(gold.path, gold.document, fmt, folder, extraction.source.encoding or "none")
    name = str(gold.path.relative_to(REPO)) if gold.path.is_relative_to(REPO) else str(gold.path)
    name = name.removesuffix(".gold.json")

    unmatched = list(extraction.records)
    pairs: list[tuple[Record, Record | None]] = []
    for expected in gold.records:
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

    found_metrics = list(extraction.metrics)
    for expected_metric in gold.metrics:
        hit_metric = next((m for m in found_metrics if metrics_match(expected_metric, m)), None)
        if hit_metric is not None:
            found_metrics.remove(hit_metric)
            result.metrics.tp += 1
        else:
            result.metrics.fn += 1
            result.errors.append(Error("miss", name, expected_metric.page or 1, "metric", _metric_label(expected_metric),
                                       _metric_values(expected_metric), ""))
    result.metrics.fp += len(found_metrics)
    for extra in found_metrics:
        result.errors.append(Error("false", name, extra.page, "metric", _metric_label(extra), _metric_values(extra),
                                   pages.get(extra.page, "")[extra.start : extra.end]))
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


def _metric_label(metric: GoldMetric | Metric) -> str:
    return f"{metric.indicator} {metric.subject} {metric.year}"


def _metric_values(metric: GoldMetric | Metric) -> dict[str, Any]:
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

    def by(self, attribute: str) -> dict[str, tuple[Counts, Counts]]:
        groups: dict[str, list[DocumentResult]] = defaultdict(list)
        for r in self.documents:
            groups[getattr(r, attribute)].append(r)
        return {name: self._total(results)[1:] for name, results in sorted(groups.items())}

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
            "cells": cells.as_dict() | {"documents": cell_documents},
            "by_format": {k: {"micro": m.as_dict(), "metrics": mm.as_dict()} for k, (m, mm) in self.by("format").items()},
            "by_folder": {k: {"micro": m.as_dict(), "metrics": mm.as_dict()} for k, (m, mm) in self.by("folder").items()},
            "by_encoding": {k: {"micro": m.as_dict(), "metrics": mm.as_dict()} for k, (m, mm) in self.by("encoding").items()},
            "errors": [e.__dict__ | {"key": {k: str(v) if v is not None else None for k, v in e.key.items()}}
                       for r in self.documents for e in r.errors],
        }

    def table(self, *, show_errors: bool = False) -> str:
        kinds, micro, metrics = self._total(self.documents)

        def row(name: str, c: Counts) -> str:
            fmt = lambda v: "    -" if v is None else f"{v:5.3f}"  # noqa: E731
            return f"{name:<14}{c.tp + c.fn:>6}{c.tp + c.fp:>7}{c.tp:>6}  {fmt(c.precision)}  {fmt(c.recall)}  {fmt(c.f1)}"

        lines = [f"{len(self.documents)} documents", "", f"{'kind':<14}{'gold':>6}{'found':>7}{'tp':>6}  {'P':>5}  {'R':>5}  {'F1':>5}"]
        lines += [row(kind, counts) for kind, counts in kinds.items()]
        lines += [row("micro", micro), "", row("metrics", metrics)]
        cells, cell_documents = self.cells()
        if cell_documents:
            lines += [row("cells", cells) + f"  (records in table cells, {cell_documents} documents)"]
        for attribute in ("format", "encoding", "folder"):
            lines += ["", f"by {attribute}"]
            for name, (m, mm) in self.by(attribute).items():
                lines += [row(f"  {name}", m), row(f"  {name} metrics", mm)]
        if self.skipped:
            lines += ["", *[f"skipped: {s}" for s in self.skipped]]
        if show_errors:
            lines += ["", "errors (miss: in gold, not found; false: found, not in gold)"]
            for r in self.documents:
                for e in r.errors:
                    key = ", ".join(f"{k}={v}" for k, v in e.key.items())
                    lines.append(f"{e.what:<5}  {e.document} p{e.page}  {e.kind} {e.surface!r} ({key})")
                    if e.sentence:
                        lines.append(f"       in: {e.sentence}")
        return "\n".join(lines) + "\n"


def evaluate(paths: list[Path], *, patterns: Path = PATTERNS_DIR) -> Report:
    """Evaluate every gold file under ``paths``; gold of documents in an absent ../shared is skipped."""
    results: list[DocumentResult] = []
    skipped: list[str] = []
    for path in gold_files(paths):
        if is_shared(path) and not SHARED.is_dir():
            skipped.append(f"{path} (its document is in {SHARED}, which is absent)")
            continue
        results.append(evaluate_document(load_gold(path), patterns=patterns))
    return Report(results, skipped)
