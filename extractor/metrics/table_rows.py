"""Metrics from the rows of tables: one statement per row and index-year.

The index comes from a column header ("Chỉ số CCHC (%)", and the "Xếp hạng" columns
after it), a row's label ("PAR INDEX (%)"), the table's header or the caption above;
the year from a column header ("2022"), the row's year column, the caption or the text
before; the subject from its column or the document. A column or a row of averages
("Trung bình cả nước") is no subject's result.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from ..gazetteer import Area, Mention, find_area, find_mentions
from ..records import PercentRecord, RankChangeRecord, RankRecord, Record, ScoreRecord
from ..tables import YEAR_LABEL, Cell, Table
from . import cues
from .mentions import YEAR_AFTER_INDEX as _YEAR_AFTER_INDEX
from .statement import Statement
from .view import PageView

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_UNIT_PREFIX = regex.compile(r"^(?:tỉnh|thành\s+phố|tp\.?|huyện|thị\s+xã|tx\.?|quận|thị\s+trấn)\s+", regex.I)
_YEAR_IN_CAPTION = regex.compile(r"năm\s+((?:19|20)\d{2})(?![\d/])", regex.I)
_YEAR_ONLY = regex.compile(r"(?:19|20)\d{2}")
_TWO_LETTERS = regex.compile(r"\p{L}{2}")
_COMPARED_WITH = regex.compile(r"so\s+với", regex.I)


@dataclass
class TableContext:
    """What tables carry from page to page: the last table's index and year."""

    last_table: tuple[Mention, int | None] | None = None


def _gazetteer_mentions(view: PageView) -> list[Mention]:
    """The page's index and subject mentions in the gazetteer's terms, as the row reader takes them."""
    found = [Mention("index", i.keys[0], i.start, i.end) for i in view.mentions.indices]
    found += [Mention("agency" if s.type in ("department", "ministry") else "province", s.name, s.start, s.end)
              for s in view.mentions.subjects if s.role == "subject"]
    return sorted(found, key=lambda m: m.start)


def _strip_prefix(name: str) -> str:
    """A subject's name without "Tỉnh", "Thành phố", "Huyện"... ("Thành phố Đà Lạt" -> "Đà Lạt")."""
    return _UNIT_PREFIX.sub("", name.strip())


def _caption_year(text: str, table: Table, head_start: int) -> int | None:
    """The year the line just above a table names, when it names one year ("Kết quả các
    chỉ số năm 2023 của một số tỉnh:"); blank lines and the header's own lines (a label,
    or the labels run together as a PDF gives them) are passed over."""
    labels = [compact for c in table.header if len(compact := "".join(c.text.split()).lower()) >= 3]
    window = max(0, head_start - 600)
    lines = text[window:head_start].split("\n")
    if window > 0 and text[window - 1] != "\n":
        lines = lines[1:]  # cut by the window
    for line in reversed(lines):
        compact = "".join(line.split()).lower()
        if not compact or "\t" in line or any(compact in label for label in labels) or sum(label in compact for label in labels) >= 2:
            continue
        years = {int(y) for y in _YEAR_IN_CAPTION.findall(line)}
        return years.pop() if len(years) == 1 else None
    return None


def _average_row(row: Sequence[Cell]) -> Area | None:
    """A row labelled as an average ("Trung bình cả nước"): the area it names (an Area
    without a name when it names none); None for any other row."""
    if not row or not cues.family("average").search(row[0].text):
        return None
    return find_area(row[0].text, 0, len(row[0].text)) or Area("", "", 0, 0)


def table_statements(
    view: PageView, main_subject: str | None, context: TableContext, index_years: dict[str, int]
) -> Iterator[Statement]:
    """One statement per table row and index-year: the index from the column header, the
    table's header or the text just above; the year from the column header, the row's
    year column, the caption or the context; the subject from its column or context.
    A table whose columns name indices ("PAR INDEX", "SIPAS") or years ("2022", "2023")
    gives one statement per such column group in each row."""
    mentions = _gazetteer_mentions(view)
    in_cells: dict[tuple[int | None, int | None], list[Record]] = {}
    for record in view.values:
        if record.table is not None:
            in_cells.setdefault((record.table, record.row), []).append(record)
    rows = _RowReader(view, main_subject, index_years, mentions)
    indices = _IndexMentions(mentions)
    for table in view.tables:
        layout = _layout(view.text, table, indices, context)
        if layout is None:
            continue
        for row_number, row in enumerate(table.rows, start=1):
            yield from rows.statements(layout, row_number, row, in_cells.get((table.number, row_number), []))


@dataclass
class _Layout:
    """What a table's header and caption say about its cells."""

    roles: list[str | None]
    start: int  # where its first placed cell is
    column_index: list[str | None]  # the index a column's values are of, if its header names one
    column_year: list[int | None]  # the year a column's values are of, if its header names one
    row_index: list[str | None]  # the index a row's label names ("PAR INDEX" over years as columns)
    indicator: Mention | None  # the index the header or the caption names
    year: int | None  # the year the caption names
    averages: set[int]  # columns of averages

    def index_of(self, col: int, row_number: int) -> str | None:
        column = self.column_index[col] if col < len(self.column_index) else None
        return column or self.row_index[row_number - 1] or (self.indicator.key if self.indicator else None)

    def year_of(self, col: int, row_year: int | None) -> int | None:
        return self.column_year[col] if col < len(self.column_year) and self.column_year[col] else row_year


class _IndexMentions:
    """The page's index mentions in text order, looked up by position in log time: a
    page may hold thousands of tables and mentions, so no scan over all of them per cell."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = [m for m in mentions if m.kind == "index"]  # already in text order
        self.starts = [m.start for m in self.mentions]

    def between(self, lo: int, hi: int) -> list[Mention]:
        """The mentions that start in ``lo:hi``."""
        return self.mentions[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]

    def any_before(self, position: int) -> bool:
        return bool(self.starts) and self.starts[0] < position


def _row_index(indices: _IndexMentions, row: Sequence[Cell]) -> str | None:
    """The index the first cell naming one names ("PAR INDEX" as a row's label)."""
    return next((named[0].key for c in row if c.located and (named := indices.between(c.start, c.end))), None)


def _layout(text: str, table: Table, indices: _IndexMentions, context: TableContext) -> _Layout | None:
    """The table's layout; None for a table of no index's values."""
    roles = [table.role(c) for c in range(len(table.header))]
    if not {"score", "rank"} & set(roles):
        return None
    start = min((c.start for row in table.rows for c in row if c.located), default=0)
    caption, head_start = _caption(text, table, indices, start)
    column_index, header_index = _column_indices(table, caption, start)
    # A year heading a value column ("2022", "Xếp hạng 2023"); not the base of a change.
    column_year = [int(m.group()) if roles[c] in ("score", "rank") and (m := YEAR_LABEL.search(label.text))
                   and not _COMPARED_WITH.search(label.text) else None
                   for c, label in enumerate(table.header)]
    named = header_index or caption
    indicator: Mention | None = named[-1] if named else None
    year = None
    opens_page = not indices.any_before(start)
    if indicator is None and (table.continued or opens_page) and context.last_table is not None:
        indicator, year = context.last_table  # the rest of a table from the page before
    row_index = [_row_index(indices, row) for row in table.rows]
    if indicator is None and not any(column_index) and not any(row_index):
        return None
    year, column_year = _table_year(text, table, caption, year, column_year, head_start)
    if indicator is not None:
        context.last_table = (indicator, year)
    averages = {c for c, label in enumerate(table.header) if cues.family("average").search(label.text)}
    return _Layout(roles, start, column_index, column_year, row_index, indicator, year, averages)


def _caption(text: str, table: Table, indices: _IndexMentions, start: int) -> tuple[list[Mention], int]:
    """The index mentions of the table's caption (the paragraph above, set apart by a
    blank line, and the header), and where the header begins."""
    above = text.rfind("\n\n", 0, max(0, start - 1))
    head_start = table.start if 0 <= table.start <= start else start
    if above >= 0 and not text[above:head_start].strip():  # a caption set apart by a blank line
        above = text.rfind("\n\n", 0, max(0, above - 1))
    caption = indices.between(max(0, above), max(table.end, start))
    return caption, head_start


def _column_indices(table: Table, caption: list[Mention], start: int) -> tuple[list[str | None], list[Mention]]:
    """The index each column is of, and the mentions of the header that name one."""
    header_index = [m for m in caption if m.start >= start]
    column_index: list[str | None] = []
    for label in table.header:  # an index named in a header cell ("Chỉ số DTI")
        named = [m for m in find_mentions(label.text) if m.kind == "index"]
        # "Chỉ số CCHC (%) | Xếp hạng | Chỉ số SIPAS (%) | Xếp hạng": a column that
        # names no index belongs with the index column before it.
        column_index.append(named[0].key if named else (column_index[-1] if column_index else None))
        if named and not header_index:
            header_index = [Mention("index", named[0].key, start, start)]
    return column_index, header_index


def _table_year(text: str, table: Table, caption: list[Mention], year: int | None, column_year: list[int | None],
                head_start: int) -> tuple[int | None, list[int | None]]:
    """The year of the whole table: written after the caption's index, over every
    column ("Kết quả năm 2023"), or on the line above; and the columns' own years."""
    for m in caption:
        near = _YEAR_AFTER_INDEX.match(text[m.end : m.end + 20])
        if near:
            year = int(near.group("year"))
    if year is None and len({y for y in column_year if y}) == 1:  # "Kết quả năm 2023" over all columns
        year = next(y for y in column_year if y)
        column_year = [None] * len(column_year)
    if year is None and not table.continued:
        year = _caption_year(text, table, head_start)
    return year, column_year


class _RowReader:
    """A table row's statements: its subject and year, its values grouped by index and year."""

    def __init__(self, view: PageView, main_subject: str | None, index_years: dict[str, int], mentions: list[Mention]) -> None:
        self.page, self.main_subject, self.index_years = view.number, main_subject, index_years
        self.by_province = {m.start: m.key for m in mentions if m.kind in ("province", "agency")}
        self.named = {s.start: s for s in view.mentions.subjects if s.role == "subject"}

    def statements(self, layout: _Layout, row_number: int, row: Sequence[Cell], records: list[Record]) -> Iterator[Statement]:
        cells = dict(zip(layout.roles, row))
        average = _average_row(row)
        year_cell = cells.get("year")
        year = int(year_cell.text) if year_cell and _YEAR_ONLY.fullmatch(year_cell.text.strip()) else layout.year
        subject_cell = cells.get("subject")
        if subject_cell is not None and not _TWO_LETTERS.search(subject_cell.text):
            subject_cell = None  # a value where the header promised a name
        subject = self.by_province.get(subject_cell.start, _strip_prefix(subject_cell.text)) if subject_cell else self.main_subject
        groups = self._groups(layout, row_number, records, year, [] if subject_cell else ["subject"])
        span = [c for c in row if c.located] or [Cell("", layout.start, layout.start)]
        for (key, group_year), (found, evidence, inferred) in groups.items():
            if not found:
                continue
            statement = Statement(key, subject, group_year, self.page, span[0].start, span[-1].end, found, evidence, inferred,
                                  explicit_subject=subject_cell is not None)
            if subject_cell is not None and subject_cell.start in self.named:
                statement.take_subject(self.named[subject_cell.start])  # its type and province
            if average is not None:  # a row of averages: the area's, never a subject's
                statement.aggregate, statement.inferred = True, []
                statement.subject, statement.subject_type = (average.name, average.type) if average.name else (None, None)
            yield statement

    def _groups(self, layout: _Layout, row_number: int, records: list[Record], year: int | None,
                row_inferred: list[str]) -> dict[tuple[str, int | None], tuple[dict[str, Any], list[str], list[str]]]:
        """The row's values, by index and year: found values, their record ids, inferred fields."""
        groups: dict[tuple[str, int | None], tuple[dict[str, Any], list[str], list[str]]] = {}
        for record in records:
            col = (record.col or 1) - 1
            key = None if col in layout.averages else layout.index_of(col, row_number)
            if key is None:
                continue
            group_year = layout.year_of(col, year)
            inferred = list(row_inferred)
            if group_year is None and self.index_years.get(key) is not None:
                group_year, inferred = self.index_years[key], [*inferred, "year"]
            found, evidence, _ = groups.setdefault((key, group_year), ({}, [], inferred))
            if _add_value(found, record):
                evidence.append(record.id)
        return groups


def _add_value(found: dict[str, Any], record: Record) -> bool:
    """Put a cell's value into a row's statement, unless it has one of that kind already."""
    if isinstance(record, (ScoreRecord, PercentRecord)) and "score" not in found:
        found.update(score=record.value, unit="%" if record.kind == "percent" else "điểm")
    elif isinstance(record, RankRecord) and "rank" not in found:
        found.update(rank=record.rank, rank_total=record.total)
    elif isinstance(record, RankChangeRecord) and "rank_change" not in found:
        found["rank_change"] = record.value
        if record.compared_to:
            found["compared_to"] = record.compared_to
    else:
        return False
    return True
