"""Flat rows for spreadsheets and dataframes: ``vnreform extract --format csv``.

One row per metric (or, with ``--records``, per record) of every document, a column per
field a user filters or sorts on. The file is UTF-8 with a byte order mark, so that Excel
reads Vietnamese letters as such (pandas and Python's ``utf-8-sig`` skip the mark); rows
end with CRLF as RFC 4180 has it. An empty cell is a null.

Also here: the line a failed input gives in JSON Lines, ``{"path": ..., "error": ...}``.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .output import open_temporary
from .records import Extraction, Metric, _decimal_to_json

METRIC_COLUMNS = (
    "path", "indicator", "subject", "subject_type", "subject_id", "province_2025", "year", "period",
    "score", "unit", "rank", "rank_total", "score_change", "rank_change", "compared_to", "aggregate",
    "page", "start", "end", "quote", "id",
)
RECORD_COLUMNS = (
    "path", "page", "start", "end", "kind", "surface", "value", "unit", "rank", "total", "symbol", "date",
    "sentence", "rule", "table", "row", "col", "id",
)
BOM = "\ufeff"
# The kinds a metric's score is read from, as the review pages link them.
_SCORE_KINDS = ("score", "percent", "count", "money")


def _cell(value: Any) -> str:
    """A value as its cell shows it: numbers as JSON writes them (85.12, 1500000), null empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(_decimal_to_json(value))
    return str(value)


def quote_record(metric: Metric, extraction: Extraction) -> Any | None:
    """The record a reader checks a metric against: the one its score was read from, else
    its rank's; a score may be rescaled by the metric, so any score-like record will do."""
    evidence = metric.evidence_records(extraction)
    for kinds, attribute, value in ((_SCORE_KINDS, "value", metric.score), (("rank",), "rank", metric.rank)):
        if value is None:
            continue
        candidates = [r for r in evidence if r.kind in kinds]
        exact = [r for r in candidates if getattr(r, attribute, None) == value]
        if exact or candidates:
            return (exact or candidates)[0]
    return None


def metric_rows(extraction: Extraction) -> Iterator[list[str]]:
    """The document's metrics as rows of :data:`METRIC_COLUMNS`."""
    for metric in extraction.metrics:
        quoted = quote_record(metric, extraction)
        values = {**metric.__dict__, "path": extraction.source.path, "quote": quoted.surface if quoted else None}
        yield [_cell(values[column]) for column in METRIC_COLUMNS]


def _record_fields(record: Any) -> dict[str, Any]:
    """What a record's value, unit and date cells hold; its kind says the rest."""
    kind, fields = record.kind, record.__dict__
    value = fields.get("value")
    unit = fields.get("unit")
    date = None
    if kind == "date":
        value, date = None, record.value
    elif kind == "legal_ref":
        date = record.issued
    elif kind == "ratio":
        value = f"{_cell(record.numerator)}/{_cell(record.denominator)}"
    elif kind == "period":
        value = f"{record.start_year}-{_cell(record.end_year)}"
    elif kind == "percent":
        unit = "%"
    elif kind == "money":
        unit = record.currency
    return {"value": value, "unit": unit, "date": date}


def record_rows(extraction: Extraction) -> Iterator[list[str]]:
    """The document's records as rows of :data:`RECORD_COLUMNS`."""
    for record in extraction.records:
        values = {**record.__dict__, **_record_fields(record), "path": extraction.source.path}
        yield [_cell(values.get(column)) for column in RECORD_COLUMNS]


class CsvWriter:
    """One CSV for all the documents, written a document at a time like output.Writer: to
    a file through a temporary file renamed into place on :meth:`close` (when something was
    written), to stdout straight away. The header goes out with the first document, so
    that a run that reads nothing prints nothing."""

    def __init__(self, out: str | None, *, records: bool = False) -> None:
        self._target = Path(out) if out not in (None, "-") else None
        self._tmp: str | None = None
        self._handle: TextIO = sys.stdout
        if self._target is not None:  # newline="": the csv module writes its own CRLF
            self._handle, self._tmp = open_temporary(self._target, newline="")
        self._csv = csv.writer(self._handle)
        self._columns: tuple[str, ...] = RECORD_COLUMNS if records else METRIC_COLUMNS
        self._rows: Callable[[Extraction], Iterator[list[str]]] = record_rows if records else metric_rows
        self.count = 0

    def write(self, extraction: Extraction) -> None:
        if self.count == 0:
            self._handle.write(BOM)
            self._csv.writerow(self._columns)
        self._csv.writerows(self._rows(extraction))
        self.count += 1

    def close(self, *, keep: bool = True) -> None:
        """Finish the output; a file is put in place only when ``keep`` and something was written."""
        if self._target is None:
            self._handle.flush()
            return
        self._handle.close()
        assert self._tmp is not None
        if keep and self.count:
            os.replace(self._tmp, self._target)
        else:
            Path(self._tmp).unlink(missing_ok=True)
