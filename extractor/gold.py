"""Gold annotations: what a careful reader expects a document to yield.

A gold file sits beside its document and is named after it: ``report.txt`` has
``report.txt.gold.json``. It lists records by kind, page, surface and which occurrence
of the surface on that page is meant (so offsets are computed, never typed by hand),
with the key fields of the kind; and the metrics the document states. Documents written
by others are named ``shared:samples/...`` and read from ../shared.

    python -m extractor.gold corpus/dev          # check every gold file under a folder

A gold file is validated against the output models: field names and types are the
contract's, and every surface must be found on its page.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .document import Document
from .errors import ExtractorError
from .loaders import load
from .normalize import normalize
from .records import Metric, Record

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VN_REFORM_SHARED", REPO.parent / "shared"))
SUFFIX = ".gold.json"
_RECORD = TypeAdapter(Record)

# The fields that must agree for a found record to match a gold one, by kind.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "count": ("value",),
    "percent": ("value", "value_max"),
    "score": ("value",),
    "score_change": ("value",),
    "rank": ("rank", "total"),
    "rank_change": ("value",),
    "ratio": ("numerator", "denominator"),
    "money": ("value",),
    "date": ("value", "month", "day"),
    "period": ("start_year", "end_year"),
    "legal_ref": ("symbol", "doc_type", "number"),
}
# The fields of a metric that must agree, beside indicator, subject and year.
METRIC_VALUES = ("score", "score_change", "rank", "rank_total", "rank_change")


class GoldError(ExtractorError):
    """A gold file is wrong; the message names the file and the entry."""


class GoldRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: str
    page: int = Field(default=1, ge=1)
    surface: str = Field(min_length=1)
    occurrence: int = Field(default=1, ge=1, description="Which occurrence of the surface on the page, from 1.")
    lost: bool = Field(default=False, description="In the document but not in its text as read (OCR misread it): a miss by definition.")


class GoldMetric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str
    subject: str | None
    year: int | None
    score: Decimal | None = None
    unit: str | None = None
    score_change: Decimal | None = None
    rank: int | None = None
    rank_total: int | None = None
    rank_change: int | None = None
    compared_to: int | None = None
    page: int | None = Field(default=None, ge=1)
    note: str | None = None


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(description="The document's file name beside the gold file, or shared:<path under ../shared>.")
    note: str | None = None
    records: list[GoldRecord] = Field(default_factory=list)
    metrics: list[GoldMetric] = Field(default_factory=list)


@dataclass(frozen=True)
class Gold:
    """A checked gold file: the document's path and records with computed offsets."""

    path: Path
    document: Path
    records: list[Record]
    metrics: list[GoldMetric]
    lost: list[GoldRecord] = ()  # type: ignore[assignment]


def is_shared(gold_path: Path) -> bool:
    """Whether a gold file's document is one written by others, read from ../shared."""
    try:
        return str(json.loads(gold_path.read_text(encoding="utf-8")).get("document", "")).startswith("shared:")
    except (OSError, ValueError, AttributeError):
        return False


def document_path(gold_path: Path, document: str) -> Path:
    if document.startswith("shared:"):
        return SHARED / document.removeprefix("shared:")
    return gold_path.parent / document


def locate(text: str, surface: str, occurrence: int) -> int | None:
    """Start of the ``occurrence``-th (from 1) ``surface`` in ``text``, or None.

    >>> locate("81,42 điểm và 81,42 điểm", "81,42 điểm", 2)
    14
    """
    start = -1
    for _ in range(occurrence):
        start = text.find(surface, start + 1)
        if start < 0:
            return None
    return start


def _record(entry: GoldRecord, document: Document, where: str) -> Record:
    pages = {page.number: page.text for page in document.pages}
    if entry.page not in pages:
        raise GoldError(f"{where}: page {entry.page} does not exist (the document has {len(pages)})")
    text = pages[entry.page]
    surface = normalize(entry.surface).text  # the gold is written as people write; offsets index normalized text
    start = locate(text, surface, entry.occurrence)
    if start is None:
        raise GoldError(f"{where}: {surface!r} (occurrence {entry.occurrence}) is not on page {entry.page}")
    fields: dict[str, Any] = entry.model_extra or {}
    try:
        return _RECORD.validate_python(
            {
                "id": f"gold-p{entry.page}-{start}-{start + len(surface)}-{entry.kind}",
                "kind": entry.kind,
                "surface": surface,
                "page": entry.page,
                "start": start,
                "end": start + len(surface),
                "sentence": "",
                "rule": "gold",
                **{k: v for k, v in fields.items() if k not in ("note",)},
            }
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise GoldError(f"{where}: {problems}") from None


def load_gold(path: Path) -> Gold:
    """Read and check one gold file. Raises :class:`GoldError` naming the entry at fault."""
    try:
        spec = GoldFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as error:
        raise GoldError(f"{path}: {error}") from None
    except ValidationError as error:
        raise GoldError(f"{path}: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from None
    document = document_path(path, spec.document)
    loaded = load(document)
    records = []
    for index, entry in enumerate(spec.records, start=1):
        where = f"{path}: record {index} ({entry.kind} {entry.surface!r})"
        if entry.kind not in KEY_FIELDS:
            raise GoldError(f"{where}: unknown kind")
        if entry.lost:
            continue
        records.append(_record(entry, loaded, where))
    for index, metric in enumerate(spec.metrics, start=1):
        try:
            Metric.model_validate(
                {"id": "gold", "page": metric.page or 1, "start": 0, "end": 0,
                 **metric.model_dump(exclude={"page", "note"})}
            )
        except ValidationError as error:
            raise GoldError(f"{path}: metric {index}: {error.errors()[0]['msg']}") from None
    return Gold(path, document, records, spec.metrics, [e for e in spec.records if e.lost])


def gold_files(paths: list[Path]) -> list[Path]:
    """Gold files named by ``paths``: files themselves, or every gold file under a folder."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.rglob(f"*{SUFFIX}"))
        elif path.name.endswith(SUFFIX):
            found.append(path)
        elif Path(str(path) + SUFFIX).is_file():
            found.append(Path(str(path) + SUFFIX))
        else:
            raise GoldError(f"{path}: not a folder, a gold file, or a document with a gold file beside it")
    return found


def main(argv: list[str]) -> int:
    """Check gold files; print one line per file, and the first problem of a bad one."""
    status = 0
    for path in gold_files([Path(a) for a in argv] or [REPO / "corpus"]):
        try:
            gold = load_gold(path)
        except ExtractorError as error:
            print(f"error: {error}")
            status = 1
        else:
            print(f"ok: {path} ({len(gold.records)} records, {len(gold.metrics)} metrics)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
