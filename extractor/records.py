"""The output contract (schema_version "2") as pydantic models.

Numbers are :class:`~decimal.Decimal` inside and JSON numbers outside: an integral value
is written as an integer of any size, any other as the shortest float that reads back
to the same decimal (exact for values of up to 15 significant digits, far more than a
score, a percentage or a sum of đồng needs).

The models, from the outside in:

- :class:`Extraction`: one document's output (what ``vnreform extract`` prints): its
  :class:`Source`, its records, its metrics, warnings and, on request, its pages' text
  (:class:`PageText`).
- ``Record``: one value found in the text, with its place (page, start, end) and the rule
  that found it. It is one of eleven classes told apart by ``kind``: :class:`CountRecord`,
  :class:`PercentRecord`, :class:`ScoreRecord`, :class:`ScoreChangeRecord`,
  :class:`RankRecord`, :class:`RankChangeRecord`, :class:`RatioRecord`,
  :class:`MoneyRecord`, :class:`DateRecord`, :class:`PeriodRecord`,
  :class:`LegalRefRecord`; all carry the fields of :class:`RecordBase`. In annotations,
  ``Record`` is the union of them (pydantic picks the class from ``kind``).
- :class:`Metric`: what the document says about one index for one subject and year,
  joining records; :meth:`Metric.evidence_records` gives those records.

``vnreform schema`` prints the JSON Schema of :class:`Extraction`, with these field
descriptions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

SCHEMA_VERSION: Literal["2"] = "2"
# The printed JSON Schema names itself: a URN, stable across releases of one
# schema_version, since no address serves the schema.
SCHEMA_ID = f"urn:vn-reform-extractor:output:{SCHEMA_VERSION}"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _decimal_to_json(value: Decimal) -> int | float:
    """
    >>> _decimal_to_json(Decimal("19568")), _decimal_to_json(Decimal("81.42"))
    (19568, 81.42)
    >>> _decimal_to_json(Decimal("1.5E+6"))
    1500000
    """
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValueError(f"{value} has more digits than a JSON number keeps exactly")
    return as_float


Number = Annotated[Decimal, PlainSerializer(_decimal_to_json, return_type=int | float, when_used="json")]
Approx = Literal["gt", "ge", "lt", "le", "about"]
APPROX_DESCRIPTION = ("How the text qualifies the value: gt 'over', ge 'at least', lt 'under', le 'at most', "
                      "about 'around'; null when stated exactly.")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- records --------------------------------------------------------------------------


KIND_DESCRIPTION = "The record's kind; it says which fields besides RecordBase's the record has."


class RecordBase(_Model):
    """What every record carries: where it is, what it says, which rule found it."""

    id: str = Field(description="Unique within the document and deterministic: the same input gives the same ids "
                    "('p1-365-371-percent': page, start, end, kind).")
    kind: str = Field(description="What the value is: count, percent, score, score_change, rank, rank_change, ratio, "
                      "money, date, period or legal_ref; it says which other fields the record has.")
    surface: str = Field(description="The exact text, equal to page_text[start:end].")
    page: int = Field(ge=1, description="Page number, from 1 (a text, HTML or DOCX document is one page).")
    start: int = Field(ge=0, description="Offset into the page's normalized text (cli.py text).")
    end: int = Field(ge=0, description="Offset just past the record in the page's normalized text.")
    sentence: str = Field(description="The sentence the record stands in.")
    rule: str = Field(description="Id of the rule that produced the record.")
    table: int | None = Field(default=None, description="For a value read from a table: the table's number on its page, from 1.")
    row: int | None = Field(default=None, description="For a value read from a table: its row among the table's rows, from 1.")
    col: int | None = Field(default=None, description="For a value read from a table: its column, from 1.")
    cell_text: str | None = Field(
        default=None, description="Set when the table cell could not be located in the page text; offsets then index into it."
    )
    ocr: bool = Field(default=False, description="The page was read by OCR (source.ocr_pages): check the value on the page image.")
    bbox: list[list[float]] | None = Field(
        default=None,
        description="Where the record is drawn on its PDF page: one box [x0, top, x1, bottom] per line it covers, in PDF "
        "points from the top left of the page as displayed; from the text layer's character boxes, or the words OCR "
        "read. Null for other formats and for table cells read alone.",
    )

    @model_validator(mode="after")
    def _span_matches_surface(self) -> RecordBase:
        if self.end - self.start != len(self.surface):
            raise ValueError(f"span {self.start}:{self.end} does not have the length of surface {self.surface!r}")
        return self


class CountRecord(RecordBase):
    kind: Literal["count"] = Field(default="count", description=KIND_DESCRIPTION)
    value: Number = Field(description="The number counted.")
    unit: str | None = Field(description="The counted noun phrase as written.")
    approx: Approx | None = Field(default=None, description=APPROX_DESCRIPTION)


class PercentRecord(RecordBase):
    kind: Literal["percent"] = Field(default="percent", description=KIND_DESCRIPTION)
    value: Number = Field(description="The percentage, 85.12 for '85,12%'; for a range, its low end.")
    value_max: Number | None = Field(default=None, description="For a range ('60-70%'): its high end.")
    approx: Approx | None = Field(default=None, description=APPROX_DESCRIPTION)


class ScoreRecord(RecordBase):
    kind: Literal["score"] = Field(default="score", description=KIND_DESCRIPTION)
    value: Number = Field(description="The score as written.")
    unit: str | None = Field(default="điểm", description="The unit written with the score ('điểm': points).")


class ScoreChangeRecord(RecordBase):
    kind: Literal["score_change"] = Field(default="score_change", description=KIND_DESCRIPTION)
    value: Number = Field(description="Signed: an increase is positive.")
    unit: str | None = Field(default=None, description="The unit of the change as written ('điểm', '%').")
    compared_to: int | None = Field(default=None, description="The year the change is measured against, when written.")


class RankRecord(RecordBase):
    kind: Literal["rank"] = Field(default="rank", description=KIND_DESCRIPTION)
    rank: int = Field(description="The place: 1 is first.")
    total: int | None = Field(default=None, description="How many were ranked, when written (31/63: 63).")
    approx: Approx | None = Field(default=None, description=APPROX_DESCRIPTION)


class RankChangeRecord(RecordBase):
    kind: Literal["rank_change"] = Field(default="rank_change", description=KIND_DESCRIPTION)
    value: int = Field(description="Signed: moving up the ranking is positive.")
    compared_to: int | None = Field(default=None, description="The year the change is measured against, when written.")


class RatioRecord(RecordBase):
    kind: Literal["ratio"] = Field(default="ratio", description=KIND_DESCRIPTION)
    numerator: Number = Field(description="The part ('112/150': 112).")
    denominator: Number = Field(description="The whole ('112/150': 150).")


class MoneyRecord(RecordBase):
    kind: Literal["money"] = Field(default="money", description=KIND_DESCRIPTION)
    value: Number = Field(description="Amount in đồng.")
    currency: Literal["VND"] = Field(default="VND", description="Always VND (đồng).")
    approx: Approx | None = Field(default=None, description=APPROX_DESCRIPTION)


class DateRecord(RecordBase):
    kind: Literal["date"] = Field(default="date", description=KIND_DESCRIPTION)
    value: str | None = Field(description="ISO date ('2014-07-07', or '2024-06' for a month); null when the year is not written.")
    year: int | None = Field(default=None, description="The year, when written.")
    month: int | None = Field(default=None, description="The month (1-12), when written.")
    day: int | None = Field(default=None, description="The day of the month, when written.")


class PeriodRecord(RecordBase):
    kind: Literal["period"] = Field(default="period", description=KIND_DESCRIPTION)
    start_year: int = Field(description="The first year of the period.")
    end_year: int | None = Field(description="Null for an open end ('đến nay').")


class LegalRefRecord(RecordBase):
    kind: Literal["legal_ref"] = Field(default="legal_ref", description=KIND_DESCRIPTION)
    doc_type: str | None = Field(description="The kind of document cited as written (Nghị định, Quyết định, Luật, ...).")
    number: str | None = Field(description="Its number, as in the symbol ('24').")
    year: int | None = Field(default=None, description="The year in its symbol.")
    code: str | None = Field(default=None, description="The issuer's code in its symbol ('NĐ-CP').")
    symbol: str | None = Field(description="Canonical symbol, e.g. '24/2014/NĐ-CP'.")
    issued: str | None = Field(default=None, description="ISO date of issue when the text gives it.")
    provision: str | None = Field(default=None, description="The part cited, e.g. 'Khoản 11, Điều 1'.")
    title: str | None = Field(default=None, description="The name, for a document cited by name ('Luật Ngân sách nhà nước').")


Record = Annotated[
    CountRecord | PercentRecord | ScoreRecord | ScoreChangeRecord | RankRecord | RankChangeRecord | RatioRecord | MoneyRecord
    | DateRecord | PeriodRecord | LegalRefRecord,
    Field(discriminator="kind"),
]
RECORD_KINDS = (
    "count", "percent", "score", "score_change", "rank", "rank_change",
    "ratio", "money", "date", "period", "legal_ref",
)
# help(Record) would show typing's internals (a Union inside Annotated); this text is
# what it shows instead, beside the alias's one-line repr.
Record.__doc__ = """One value found in a document: one of eleven record classes, told apart by ``kind``.

    count        CountRecord         value, unit ("112 thủ tục")
    percent      PercentRecord       value, value_max ("85,12%")
    score        ScoreRecord         value, unit ("81,42 điểm")
    score_change ScoreChangeRecord   value (signed), unit, compared_to
    rank         RankRecord          rank, total ("thứ 31/63")
    rank_change  RankChangeRecord    value (signed: up is positive), compared_to
    ratio        RatioRecord         numerator, denominator
    money        MoneyRecord         value in đồng
    date         DateRecord          value (ISO), year, month, day
    period       PeriodRecord        start_year, end_year
    legal_ref    LegalRefRecord      symbol, doc_type, number, year, code, issued, provision, title

Every one has the fields of RecordBase: id, kind, surface, page, start, end, sentence,
rule, table, row, col, cell_text, ocr, bbox. Test the class with isinstance (e.g.
isinstance(record, RankRecord)) or read record.kind.
"""


# --- metrics --------------------------------------------------------------------------


class Alternative(_Model):
    """Another value the document gives for a field of the metric (see ``conflict``)."""

    field: str = Field(description="The metric field the value is for (score, rank, ...).")
    value: Number | int | str | None = Field(description="The other value.")
    evidence: list[str] = Field(description="Ids of the records that give it.")


SubjectType = Literal["province", "city", "district", "town", "commune", "department", "ministry", "region", "country"]


class Inference(_Model):
    """Where a field the sentence leaves unsaid was read: the mention that gave it."""

    field: Literal["year", "subject", "period"] = Field(description="The metric field that was inferred.")
    source: Literal["title", "heading", "paragraph", "sentence", "index", "statement"] = Field(
        description="title: the document's title block; heading: a heading above; paragraph: an earlier sentence of the "
        "paragraph; sentence: the same sentence; index: where the year was last written after the index's name; "
        "statement: another statement of the same index and subject that gives it."
    )
    page: int = Field(ge=1, description="Page of the mention.")
    start: int = Field(ge=0, description="Offset of the mention in the page's normalized text.")
    end: int = Field(ge=0, description="Offset just past the mention.")
    surface: str = Field(description="page_text[start:end]: the year, name or period that was carried over.")


class Metric(_Model):
    """What one document says about one index, for one subject and year (or period)."""

    id: str = Field(description="Unique within the document, keyed by indicator, subject identity, year and period.")
    indicator: str = Field(description="PAR_INDEX, SIPAS, PAPI, PCI, ICT_INDEX, DTI, ...")
    subject: str | None = Field(description="The subject's name as the gazetteer writes it ('Huế' for 2025 on); for an "
                                "aggregate, the area it covers ('Cả nước', 'Đồng bằng sông Cửu Long').")
    subject_type: SubjectType | None = Field(
        default=None, description="province (a province-level unit, centrally-run cities included), city (a city inside a "
        "province), district, town, commune, department, ministry, region, country.")
    subject_id: str | None = Field(
        default=None, description="The subject's identity: type, parent province and name, e.g. 'district:Tiền Giang/Châu "
        "Thành', 'province:Gia Lai (mới)' (a province whose unit changed on 1/7/2025 is '(cũ)' before and '(mới)' after).")
    province: str | None = Field(default=None, description="The province the subject belongs to (itself for a province).")
    province_2025: str | None = Field(
        default=None, description="The province that holds it after the merger of 1/7/2025 (34 provinces).")
    year: int | None = Field(description="The year the result is for (not the year of publication).")
    period: str | None = Field(
        default=None, description="A period below the year the result is for: '2025-10' (a month), '2024-W03' (a week), '2024-Q1'."
    )
    score: Number | None = Field(default=None, description="The score or percentage the index gave the subject.")
    unit: str | None = Field(default=None, description="The score's unit: 'điểm' (points) or '%'; indices use different scales "
                             "(0-1, 0-10, 0-100), so compare scores of one indicator only.")
    score_change: Number | None = Field(default=None, description="Signed change of the score since compared_to.")
    rank: int | None = Field(default=None, description="The subject's place in the ranking: 1 is first.")
    rank_total: int | None = Field(default=None, description="How many were ranked (63 provinces before 1/7/2025, 34 after).")
    rank_change: int | None = Field(default=None, description="Places gained since compared_to (negative: places lost).")
    compared_to: int | str | None = Field(
        default=None, description="What a change is measured against: a year (2023), or a period ('2025-07') for indices "
        "published monthly or weekly.")
    aggregate: Literal["average"] | None = Field(
        default=None, description="'average': a national, regional or group average (subject names the area), not one "
        "subject's result.")
    evidence: list[str] = Field(default_factory=list, description="Ids of the records this metric joins.")
    page: int = Field(ge=1, description="Page of the statement the metric was first read from.")
    start: int = Field(ge=0, description="Offset of that statement in the page's normalized text.")
    end: int = Field(ge=0, description="Offset just past it.")
    inferred: list[str] = Field(default_factory=list, description="Fields filled from context, not from the sentence.")
    inferred_from: list[Inference] = Field(default_factory=list, description="For each inferred field, the mention it came from.")
    conflict: bool = Field(default=False, description="The document gives another value for a field: see alternatives.")
    alternatives: list[Alternative] = Field(default_factory=list, description="The other values the document gives, with "
                                            "their evidence; the metric keeps the first one read.")

    def evidence_records(self, extraction: Extraction) -> list[Record]:
        """The records this metric joins, in the order of ``evidence``, from the
        extraction it belongs to.

        >>> from extractor import extract_text
        >>> result = extract_text("PAR INDEX 2023 của tỉnh Quảng Trị đạt 85,12%, xếp thứ 31/63.")
        >>> [record.surface for record in result.metrics[0].evidence_records(result)]
        ['85,12%', 'xếp thứ 31/63']
        """
        by_id: dict[str, Any] = {record.id: record for record in extraction.records}
        missing = [record_id for record_id in self.evidence if record_id not in by_id]
        if missing:  # another document's extraction, most likely
            raise ValueError(f"metric {self.id}: evidence {', '.join(missing)} not among the extraction's records")
        return [by_id[record_id] for record_id in self.evidence]


# --- the envelope -----------------------------------------------------------------------


class Source(_Model):
    """The document the extraction was read from."""

    path: str = Field(description="The path as given ('<stdin>' for standard input, '<text>' for extract_text).")
    sha256: str = Field(description="SHA-256 of the file's bytes, hex.")
    format: Literal["pdf", "html", "docx", "txt"] = Field(description="The format read from the content, whatever the name says.")
    pages: int = Field(ge=1, description="Number of pages.")
    ocr_pages: list[int] = Field(default_factory=list, description="Pages read by OCR (no text layer): check their values "
                                 "on the page image.")
    encoding: str | None = Field(default=None, description="Text encoding that was detected (text formats).")
    bytes: int = Field(ge=1, description="Size of the file.")
    title: str | None = Field(default=None, description="Title the file states (HTML, DOCX).")
    published: str | None = Field(default=None, description="Publication or creation date the file states, ISO.")
    author: str | None = Field(default=None, description="Author the file states.")
    url: str | None = Field(default=None, description="The address a web page states for itself (its canonical or og:url), if any.")


class PageText(_Model):
    """One page's normalized text: what record offsets index into."""

    number: int = Field(ge=1, description="Page number, from 1.")
    text: str = Field(description="The page's normalized text (as cli.py text prints it).")


class Extraction(_Model):
    """One document's output: the object `cli.py extract` prints."""

    schema_version: Literal["2"] = Field(default=SCHEMA_VERSION, description="Version of this output contract.")
    source: Source = Field(description="The document read.")
    records: list[Record] = Field(default_factory=list, description="Every value found, in page and text order.")
    metrics: list[Metric] = Field(default_factory=list, description="Index results, each joining its records (evidence).")
    warnings: list[str] = Field(default_factory=list, description="What the reader should know about the document: a "
                                "damaged page, a format the name misstates, a value left out and why.")
    pages: list[PageText] | None = Field(default=None, description="Only with --include-text.")

    def to_jsonable(self) -> dict:
        """Plain JSON data; ``pages`` is left out unless it was asked for."""
        return self.model_dump(mode="json", exclude={"pages"} if self.pages is None else None)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the output (draft 2020-12), named by :data:`SCHEMA_ID`."""
        schema = cls.model_json_schema(mode="serialization")
        return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}
