"""Metrics from the rows of tables: one statement per row and index-year.

The index comes from a column header ("Chỉ số CCHC (%)", and the "Xếp hạng" columns
after it), a row's label ("PAR INDEX (%)"), the table's header or the caption above;
the year from a column header ("2022"), the row's year column, the caption or the text
before; the subject from its column or the document. A column or a row of averages
("Trung bình cả nước") is no subject's result.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from ..gazetteer import Area, Mention, find_area, find_mentions
from ..records import Record
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
    text, page, mentions = view.text, view.number, _gazetteer_mentions(view)
    in_cells: dict[tuple[int | None, int | None], list[Record]] = {}
    for record in view.values:
        if record.table is not None:
            in_cells.setdefault((record.table, record.row), []).append(record)
    for table in view.tables:
        roles = [table.role(c) for c in range(len(table.header))]
        if not {"score", "rank"} & set(roles):
            continue
        located = [c for row in table.rows for c in row if c.located]
        table_start = min((c.start for c in located), default=0)
        above = text.rfind("\n\n", 0, max(0, table_start - 1))
        head_start = table.start if 0 <= table.start <= table_start else table_start
        if above >= 0 and not text[above:head_start].strip():  # a caption set apart by a blank line
            above = text.rfind("\n\n", 0, max(0, above - 1))
        caption = [m for m in mentions if m.kind == "index" and max(0, above) <= m.start < max(table.end, table_start)]
        header_index = [m for m in caption if m.start >= table_start]
        column_index: list[str | None] = []
        for label in table.header:  # an index named in a header cell ("Chỉ số DTI")
            named = [m for m in find_mentions(label.text) if m.kind == "index"]
            # "Chỉ số CCHC (%) | Xếp hạng | Chỉ số SIPAS (%) | Xếp hạng": a column that
            # names no index belongs with the index column before it.
            column_index.append(named[0].key if named else (column_index[-1] if column_index else None))
            if named and not header_index:
                header_index = [Mention("index", named[0].key, table_start, table_start)]
        # A year heading a value column ("2022", "Xếp hạng 2023"); not the base of a change.
        column_year = [int(m.group()) if roles[c] in ("score", "rank") and (m := YEAR_LABEL.search(label.text))
                       and not _COMPARED_WITH.search(label.text) else None
                       for c, label in enumerate(table.header)]
        indicator = (header_index or caption or [None])[-1]
        caption_year = None
        opens_page = not [m for m in mentions if m.kind == "index" and m.start < table_start]
        if indicator is None and (table.continued or opens_page) and context.last_table is not None:
            indicator, caption_year = context.last_table  # the rest of a table from the page before
        # An index named in a row's label cell ("PAR INDEX" over years as columns).
        row_index = [next((m.key for c in row if c.located for m in mentions if m.kind == "index" and c.start <= m.start < c.end), None)
                     for row in table.rows]
        if indicator is None and not any(column_index) and not any(row_index):
            continue
        for m in caption:
            near = _YEAR_AFTER_INDEX.match(text[m.end : m.end + 20])
            if near:
                caption_year = int(near.group("year"))
        if caption_year is None and len({y for y in column_year if y}) == 1:  # "Kết quả năm 2023" over all columns
            caption_year = next(y for y in column_year if y)
            column_year = [None] * len(column_year)
        if caption_year is None and not table.continued:
            caption_year = _caption_year(text, table, head_start)
        if indicator is not None:
            context.last_table = (indicator, caption_year)
        by_province = {m.start: m.key for m in mentions if m.kind in ("province", "agency")}
        named = {s.start: s for s in view.mentions.subjects if s.role == "subject"}
        averages = {c for c, label in enumerate(table.header) if cues.family("average").search(label.text)}
        for row_number, row in enumerate(table.rows, start=1):
            cells = dict(zip(roles, row))
            average = _average_row(row)
            year_cell = cells.get("year")
            year = int(year_cell.text) if year_cell and _YEAR_ONLY.fullmatch(year_cell.text.strip()) else caption_year
            subject_cell = cells.get("subject")
            if subject_cell is not None and not _TWO_LETTERS.search(subject_cell.text):
                subject_cell = None  # a value where the header promised a name
            subject = by_province.get(subject_cell.start, _strip_prefix(subject_cell.text)) if subject_cell else main_subject
            row_inferred = [] if subject_cell else ["subject"]
            groups: dict[tuple[str, int | None], tuple[dict[str, Any], list[str], list[str]]] = {}
            for record in in_cells.get((table.number, row_number), []):
                col = (record.col or 1) - 1
                if col in averages:
                    continue
                key = (column_index[col] if col < len(column_index) else None) or row_index[row_number - 1] or (indicator.key if indicator else None)
                if key is None:
                    continue
                group_year = column_year[col] if col < len(column_year) and column_year[col] else year
                inferred = list(row_inferred)
                if group_year is None and index_years.get(key) is not None:
                    group_year, inferred = index_years[key], [*inferred, "year"]
                found, evidence, _ = groups.setdefault((key, group_year), ({}, [], inferred))
                if record.kind in ("score", "percent") and "score" not in found:
                    found.update(score=record.value, unit="%" if record.kind == "percent" else "điểm")
                elif record.kind == "rank" and "rank" not in found:
                    found.update(rank=record.rank, rank_total=record.total)
                elif record.kind == "rank_change" and "rank_change" not in found:
                    found["rank_change"] = record.value
                    if record.compared_to:
                        found["compared_to"] = record.compared_to
                else:
                    continue
                evidence.append(record.id)
            for (key, group_year), (found, evidence, inferred) in groups.items():
                if not found:
                    continue
                span = [c for c in row if c.located] or [Cell("", table_start, table_start)]
                statement = Statement(key, subject, group_year, page, span[0].start, span[-1].end, found, evidence, inferred,
                                      explicit_subject=subject_cell is not None)
                if subject_cell is not None and subject_cell.start in named:
                    statement.take_subject(named[subject_cell.start])  # its type and province
                if average is not None:  # a row of averages: the area's, never a subject's
                    statement.aggregate, statement.inferred = True, []
                    statement.subject, statement.subject_type = (average.name, average.type) if average.name else (None, None)
                yield statement


