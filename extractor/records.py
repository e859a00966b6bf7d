"""The output contract (schema_version "2") as pydantic models.

Numbers are :class:`~decimal.Decimal` inside and JSON numbers outside: an integral value
is written as an integer of any size, any other as the shortest float that reads back
to the same decimal (exact for values of up to 15 significant digits, far more than a
score, a percentage or a sum of đồng needs).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

SCHEMA_VERSION: Literal["2"] = "2"


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- records --------------------------------------------------------------------------


class RecordBase(_Model):
    """What every record carries: where it is, what it says, which rule found it."""

    id: str = Field(description="Deterministic: the same input gives the same ids.")
    kind: str
    surface: str = Field(description="The exact text, equal to page_text[start:end].")
    page: int = Field(ge=1)
    start: int = Field(ge=0, description="Offset into the page's normalized text (cli.py text).")
    end: int = Field(ge=0)
    sentence: str = Field(description="The sentence the record stands in.")
    rule: str = Field(description="Id of the rule that produced the record.")
    table: int | None = None
    row: int | None = None
    col: int | None = None
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
    kind: Literal["count"] = "count"
    value: Number
    unit: str | None = Field(description="The counted noun phrase as written.")
    approx: Approx | None = None


class PercentRecord(RecordBase):
    kind: Literal["percent"] = "percent"
    value: Number
    value_max: Number | None = None
    approx: Approx | None = None


class ScoreRecord(RecordBase):
    kind: Literal["score"] = "score"
    value: Number
    unit: str | None = "điểm"


class ScoreChangeRecord(RecordBase):
    kind: Literal["score_change"] = "score_change"
    value: Number = Field(description="Signed: an increase is positive.")
    unit: str | None = None
    compared_to: int | None = None


class RankRecord(RecordBase):
    kind: Literal["rank"] = "rank"
    rank: int
    total: int | None = None
    approx: Approx | None = None


class RankChangeRecord(RecordBase):
    kind: Literal["rank_change"] = "rank_change"
    value: int = Field(description="Signed: moving up the ranking is positive.")
    compared_to: int | None = None


class RatioRecord(RecordBase):
    kind: Literal["ratio"] = "ratio"
    numerator: Number
    denominator: Number


class MoneyRecord(RecordBase):
    kind: Literal["money"] = "money"
    value: Number = Field(description="Amount in đồng.")
    currency: Literal["VND"] = "VND"
    approx: Approx | None = None


class DateRecord(RecordBase):
    kind: Literal["date"] = "date"
    value: str | None = Field(description="ISO date ('2014-07-07', or '2024-06' for a month); null when the year is not written.")
    year: int | None = None
    month: int | None = None
    day: int | None = None


class PeriodRecord(RecordBase):
    kind: Literal["period"] = "period"
    start_year: int
    end_year: int | None = Field(description="Null for an open end ('đến nay').")


class LegalRefRecord(RecordBase):
    kind: Literal["legal_ref"] = "legal_ref"
    doc_type: str | None
    number: str | None
    year: int | None = None
    code: str | None = None
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


# --- metrics --------------------------------------------------------------------------


class Alternative(_Model):
    field: str
    value: Number | int | str | None
    evidence: list[str]


SubjectType = Literal["province", "city", "district", "town", "commune", "department", "ministry", "region", "country"]


class Inference(_Model):
    """Where a field the sentence leaves unsaid was read: the mention that gave it."""

    field: Literal["year", "subject", "period"]
    source: Literal["title", "heading", "paragraph", "sentence", "index", "statement"] = Field(
        description="title: the document's title block; heading: a heading above; paragraph: an earlier sentence of the "
        "paragraph; sentence: the same sentence; index: where the year was last written after the index's name; "
        "statement: another statement of the same index and subject that gives it."
    )
    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
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
    year: int | None
    period: str | None = Field(
        default=None, description="A period below the year the result is for: '2025-10' (a month), '2024-W03' (a week), '2024-Q1'."
    )
    score: Number | None = None
    unit: str | None = None
    score_change: Number | None = None
    rank: int | None = None
    rank_total: int | None = None
    rank_change: int | None = None
    compared_to: int | str | None = Field(
        default=None, description="What a change is measured against: a year (2023), or a period ('2025-07') for indices "
        "published monthly or weekly.")
    aggregate: Literal["average"] | None = Field(
        default=None, description="'average': a national, regional or group average (subject names the area), not one "
        "subject's result.")
    evidence: list[str] = Field(default_factory=list, description="Ids of the records this metric joins.")
    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    inferred: list[str] = Field(default_factory=list, description="Fields filled from context, not from the sentence.")
    inferred_from: list[Inference] = Field(default_factory=list, description="For each inferred field, the mention it came from.")
    conflict: bool = False
    alternatives: list[Alternative] = Field(default_factory=list)


# --- the envelope -----------------------------------------------------------------------


class Source(_Model):
    path: str
    sha256: str
    format: Literal["pdf", "html", "docx", "txt"]
    pages: int = Field(ge=1, description="Number of pages.")
    ocr_pages: list[int] = Field(default_factory=list)
    encoding: str | None = Field(default=None, description="Text encoding that was detected (text formats).")
    bytes: int = Field(ge=1, description="Size of the file.")
    title: str | None = Field(default=None, description="Title the file states (HTML, DOCX).")
    published: str | None = Field(default=None, description="Publication or creation date the file states, ISO.")
    author: str | None = Field(default=None, description="Author the file states.")


class PageText(_Model):
    number: int = Field(ge=1)
    text: str


class Extraction(_Model):
    """One document's output: the object `cli.py extract` prints."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    source: Source
    records: list[Record] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    pages: list[PageText] | None = Field(default=None, description="Only with --include-text.")

    def to_jsonable(self) -> dict:
        """Plain JSON data; ``pages`` is left out unless it was asked for."""
        return self.model_dump(mode="json", exclude={"pages"} if self.pages is None else None)
