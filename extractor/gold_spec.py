"""Gold in the GOLD-SPEC format (../shared/reference/GOLD-SPEC.md), matched by value.

A GOLD-SPEC folder holds documents and, for each, ``gold/NAME.json`` whose ``doc`` field
names the document in the folder. Such gold gives no positions, so it is compared with
the extraction by value, as the reference folder's own scorer does:

- records kind by kind, as multisets per document: each gold value is found at most as
  often as the extractor states it. The lists map to kinds (percents -> percent, scores
  -> score, ranks -> rank, ...). A change with unit "%" ("tăng 2,5%"), in the gold or
  found, counts as the percent of its absolute value, so it is right either way;
- a rank 1 in words ("dẫn đầu", "đứng đầu", "quán quân", no digits, no total) is no rank:
  the gold lists it only as a metric's rank, so a found one is neither hit nor error;
- legal references once per distinct canonical symbol, and only symbols with a code;
  dates only when full (ISO ``YYYY-MM-DD``); found periods without an end year
  ("từ năm 2016 đến nay") are not scored; money is not scored; counts only for a
  document whose gold has a "counts" key;
- metrics by indicator, year (when the gold gives one), subject (folded, without a
  prefix such as "Thành phố", either name inside the other) and values: every value
  both sides state agrees, and the score or the rank is among them. A found metric with
  no value, or an average (``aggregate``), is left out.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .gold import SUFFIX, GoldError
from .records import DateRecord, LegalRefRecord, Metric, PeriodRecord, Record

GOLD_FOLDER = "gold"
# A GOLD-SPEC list and the kind of record it holds.
LISTS: dict[str, str] = {
    "legal_refs": "legal_ref", "percents": "percent", "scores": "score", "score_changes": "score_change",
    "ranks": "rank", "rank_changes": "rank_change", "ratios": "ratio", "dates": "date", "periods": "period",
    "counts": "count",
}
# The fields compared, by kind; a legal reference by its canonical symbol, a date by its ISO value.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "count": ("value",), "percent": ("value", "value_max"), "score": ("value",), "score_change": ("value",),
    "rank": ("rank", "total"), "rank_change": ("value",), "ratio": ("numerator", "denominator"),
    "date": ("value",), "period": ("start_year", "end_year"), "legal_ref": ("symbol",),
}
METRIC_FIELDS = ("score", "rank", "rank_total", "score_change", "rank_change")
SUBJECT_PREFIXES = ("thành phố ", "tp. ", "tp.", "tp ", "tỉnh ", "thị xã ", "tx. ", "tx ", "huyện ", "quận ", "xã ", "phường ")
WORD_RANKS = ("đầu", "quán quân")  # "dẫn đầu", "đứng đầu", "quán quân": rank 1 in words

Key = tuple[tuple[str, Any], ...]  # (field, value) pairs: hashable, and readable as a dict


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow")


class SpecValue(_Entry):
    value: Decimal


class SpecPercent(_Entry):
    value: Decimal
    value_max: Decimal | None = None


class SpecChange(_Entry):
    value: Decimal
    unit: str | None = None


class SpecRank(_Entry):
    rank: int
    total: int | None = None


class SpecRatio(_Entry):
    numerator: Decimal
    denominator: Decimal


class SpecPeriod(_Entry):
    start_year: int
    end_year: int | None = None


class SpecRef(_Entry):
    symbol: str = Field(min_length=1)
    issued: str | None = None


class SpecMetric(_Entry):
    indicator: str
    subject: str | None = None
    year: int | None = None
    score: Decimal | None = None
    rank: int | None = None
    rank_total: int | None = None
    score_change: Decimal | None = None
    rank_change: int | None = None


class SpecFile(_Entry):
    doc: str = Field(min_length=1, description="The document's file name in the folder above gold/.")
    legal_refs: list[SpecRef] = Field(default_factory=list)
    percents: list[SpecPercent] = Field(default_factory=list)
    scores: list[SpecValue] = Field(default_factory=list)
    score_changes: list[SpecChange] = Field(default_factory=list)
    ranks: list[SpecRank] = Field(default_factory=list)
    rank_changes: list[SpecValue] = Field(default_factory=list)
    ratios: list[SpecRatio] = Field(default_factory=list)
    dates: list[str] = Field(default_factory=list)
    periods: list[SpecPeriod] = Field(default_factory=list)
    counts: list[SpecValue] | None = None  # scored only when the key is there
    metrics: list[SpecMetric] = Field(default_factory=list)
    notes: str | None = None


@dataclass(frozen=True)
class SpecGold:
    """A checked GOLD-SPEC file: its document, the (kind, key) of each gold value, its metrics."""

    path: Path
    document: Path
    folder: str  # the name of the folder holding the documents: "reference"
    entries: list[tuple[str, Key]]
    metrics: list[SpecMetric]
    with_counts: bool


# --- finding and reading GOLD-SPEC files ------------------------------------------------


def spec_gold_files(folder: Path) -> list[Path]:
    """The GOLD-SPEC gold files of a folder: gold/*.json (not the corpus's *.gold.json)."""
    return sorted(p for p in (folder / GOLD_FOLDER).glob("*.json") if not p.name.endswith(SUFFIX))


def is_spec_folder(path: Path) -> bool:
    return path.is_dir() and bool(spec_gold_files(path))


def is_spec_file(path: Path) -> bool:
    """A single GOLD-SPEC gold file named on the command line (its documents are in ../)."""
    return path.is_file() and path.suffix == ".json" and not path.name.endswith(SUFFIX)


def _where(loc: tuple[int | str, ...]) -> str:
    """('percents', 1, 'value') -> 'percents entry 2: value'."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] += f" entry {item + 1}"
        else:
            parts.append(str(item))
    return ": ".join(parts)


def _read(path: Path) -> SpecFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GoldError(f"{path}: {error.strerror or error}") from None
    except ValueError as error:  # bad JSON, or bytes that are not UTF-8
        raise GoldError(f"{path}: not valid JSON: {error}") from None
    try:
        return SpecFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _where(first["loc"])
        raise GoldError(f"{path}: {where}: {first['msg']}" if where else f"{path}: {first['msg']}") from None


def load_spec(path: Path, documents: Path | None = None) -> SpecGold:
    """Read and check one GOLD-SPEC file; its document is in ``documents`` (default: the
    folder above gold/). Raises :class:`GoldError` naming the file and the entry at fault."""
    spec = _read(path)
    documents = documents or path.parent.parent
    document = documents / spec.doc
    if not document.is_file():
        raise GoldError(f"{path}: doc: {spec.doc!r} is not a document in {documents}")
    return SpecGold(path, document, documents.resolve().name, list(gold_entries(spec)), spec.metrics, spec.counts is not None)


# --- keys ------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    """Numbers compare as decimals: 85, 85.0 and Decimal("85") are one key."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def canonical_symbol(symbol: str) -> str:
    """
    >>> canonical_symbol("24/2014/Nđ - CP")
    '24/2014/NĐ-CP'
    """
    return "".join(unicodedata.normalize("NFC", symbol).split()).upper().replace("–", "-")


def _key(kind: str, entry: object) -> Key:
    if kind == "legal_ref":
        return (("symbol", canonical_symbol(getattr(entry, "symbol"))),)
    return tuple((name, _value(getattr(entry, name, None))) for name in KEY_FIELDS[kind])


def _change(entry: object) -> tuple[str, Key]:
    """A change in % is the percent of its size ("tăng 2,5%" is right as either); one in
    points is a score change."""
    if (getattr(entry, "unit", None) or "").strip() == "%":
        return "percent", (("value", abs(_value(getattr(entry, "value")))), ("value_max", None))
    return "score_change", _key("score_change", entry)


def gold_entries(spec: SpecFile) -> Iterator[tuple[str, Key]]:
    """(kind, key) of every value the gold lists; a legal reference once per symbol."""
    symbols = {canonical_symbol(ref.symbol) for ref in spec.legal_refs}
    yield from (("legal_ref", (("symbol", symbol),)) for symbol in sorted(symbols))
    for name, kind in LISTS.items():
        if kind == "legal_ref":
            continue
        for entry in getattr(spec, name) or []:
            if kind == "score_change":
                yield _change(entry)
            else:
                yield kind, (("value", entry),) if kind == "date" else _key(kind, entry)


def is_word_rank(record: Record) -> bool:
    """A first place written in words ("dẫn đầu", "đứng đầu", "quán quân").

    >>> from extractor.pipeline import extract_text
    >>> [is_word_rank(r) for r in extract_text("Quảng Ninh dẫn đầu, Hà Nội xếp thứ 3/63.").records]
    [True, False]
    """
    if record.kind != "rank":
        return False
    words = record.surface.lower()
    return (getattr(record, "rank", None) == 1 and getattr(record, "total", None) is None and not any(c.isdigit() for c in words)
            and any(w in words for w in WORD_RANKS))


def _has_code(symbol: str) -> bool:
    """'24/2014/NĐ-CP', '57-NQ/TW', '5744/UBND-NC' have a code; '222' or '2024/05' do not."""
    return "/" in symbol and ("-" in symbol or any(c.isalpha() for c in symbol.rsplit("/", 1)[-1]))


def _scored(record: Record, with_counts: bool) -> bool:
    """Whether a found record takes part in the comparison at all."""
    kind = record.kind
    if kind == "money" or (kind == "count" and not with_counts):
        return False
    if kind == "rank":
        return not is_word_rank(record)
    if isinstance(record, LegalRefRecord):
        return record.symbol is not None and bool(record.symbol) and _has_code(canonical_symbol(record.symbol))
    if isinstance(record, DateRecord):
        return isinstance(record.value, str) and len(record.value) == 10 and record.value[4] == "-"
    if isinstance(record, PeriodRecord):
        return record.end_year is not None  # "đến nay" is not scored
    return True


def found_entries(records: list[Record], with_counts: bool) -> Iterator[tuple[str, Key, Record]]:
    """(kind, key, record) of every scored found record; a legal reference once per symbol."""
    symbols: set[Key] = set()
    for record in records:
        if not _scored(record, with_counts):
            continue
        kind, key = _change(record) if record.kind == "score_change" else (record.kind, _key(record.kind, record))
        if kind == "legal_ref":
            if key in symbols:
                continue
            symbols.add(key)
        yield kind, key, record


def match_records(
    gold: SpecGold, records: list[Record]
) -> tuple[list[tuple[str, Key]], list[tuple[str, Key]], list[tuple[str, Key, Record]]]:
    """Hits, misses (gold values not found as often as listed) and false hits (found
    values beyond what the gold lists), kind by kind."""
    wanted = Counter(gold.entries)
    hits: list[tuple[str, Key]] = []
    false: list[tuple[str, Key, Record]] = []
    for kind, key, record in found_entries(records, gold.with_counts):
        if wanted[(kind, key)] > 0:
            wanted[(kind, key)] -= 1
            hits.append((kind, key))
        else:
            false.append((kind, key, record))
    return hits, list(wanted.elements()), false


# --- metrics -----------------------------------------------------------------------------


def bare_subject(name: str | None) -> str:
    """
    >>> bare_subject("Thành phố Hồ Chí Minh"), bare_subject("TP.Hải Phòng"), bare_subject(None)
    ('hồ chí minh', 'hải phòng', '')
    """
    text = unicodedata.normalize("NFC", (name or "").lower())
    for prefix in SUBJECT_PREFIXES:
        text = text.removeprefix(prefix)
    return text.strip()


def _same_subject(expected: str | None, found: str | None) -> bool:
    """Either name inside the other, without prefixes; a side without a subject says nothing against."""
    a, b = bare_subject(expected), bare_subject(found)
    return not a or not b or a in b or b in a


def _values_agree(expected: SpecMetric, found: Metric) -> bool:
    """Every value both state agrees, and the score or the rank is one of them."""
    anchored = False
    for name in METRIC_FIELDS:
        a, b = getattr(expected, name), getattr(found, name)
        if a is None or b is None:
            continue
        if _value(a) != _value(b):
            return False
        anchored = anchored or name in ("score", "rank")
    return anchored


def metric_matches(expected: SpecMetric, found: Metric) -> bool:
    if expected.indicator != found.indicator:
        return False
    if expected.year is not None and expected.year != found.year:
        return False
    return _same_subject(expected.subject, found.subject) and _values_agree(expected, found)


def scored_metrics(found: list[Metric]) -> list[Metric]:
    """The found metrics that claim a result: some value, and not an average."""
    return [m for m in found if not m.aggregate and any(getattr(m, f) is not None for f in ("score", "rank", "score_change", "rank_change"))]
