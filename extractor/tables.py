"""Plain-text tables: columns set apart by tabs or runs of spaces, a header naming them.

Reports paste tables as text ("Năm     Kết quả      Xếp hạng"), and their cells hold
values no sentence rule can read: a bare "92,18" under "Kết quả (%)", a bare "1" under
"Xếp hạng", "+8" under "Tăng/giảm bậc". The header says what each column holds, so each
cell becomes a record with its ``table``, ``row`` and ``col``, its offsets in the page
text as usual, and each row can become a metric.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex
from pydantic import TypeAdapter

from .excerpt import excerpt
from .gazetteer import find_mentions
from .normalize import NormalizedText, normalize
from .numbers import TooLong, parse_int, parse_number
from .records import Record

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_RANK_CELL = regex.compile(r"(\d{1,3})(?:\s*/\s*(\d{1,3}))?")
_RANK_CHANGE_CELL = regex.compile(r"([+\-−–]?)\s*(\d{1,3})")
_UNCHANGED_CELL = regex.compile(r"giữ\s+nguyên|không\s+đổi|0", regex.I)
_SCORE_CELL = regex.compile(r"(\d+(?:[.,]\d+)?)\s*(%|điểm)?")
_COMPARED_WITH_YEAR = regex.compile(r"so\s+với\s+(?:năm\s+)?((?:19|20)\d{2})", regex.I)

_RECORD = TypeAdapter(Record)

_CELL_GAP = regex.compile(r"\t+| {2,}")
_LINE = regex.compile(r"[^\n]+")
# What a header says a column holds; the first role whose words the header has wins.
ROLES: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("rank_change", regex.compile(r"tăng\s*(?:\([+\-−]\))?\s*/\s*giảm|tăng.{0,3}giảm|thay\s+đổi|so\s+với", regex.I)),
    ("rank", regex.compile(r"xếp\s+hạng|thứ\s+hạng|xếp\s+thứ|vị\s+trí|^hạng$", regex.I)),
    ("year", regex.compile(r"^năm$|^năm\s|kỳ\s+đánh\s+giá", regex.I)),
    ("subject", regex.compile(r"(?<!của\s)(?:tỉnh|thành\s+phố|địa\s+phương|đơn\s+vị|cơ\s+quan|huyện|sở|ngành|bộ|tên)", regex.I)),
    ("score", regex.compile(r"kết\s+quả|(?<!địa\s|thời\s)điểm|chỉ\s+số|giá\s+trị|%|tỷ\s+lệ|PAR|SIPAS|PAPI|PCI|DTI", regex.I)),
)


# A year in a header or a row label ("2022", "Xếp hạng 2023").
YEAR_LABEL = regex.compile(r"(?<![\d/])(?:19|20)\d{2}(?![\d/])")


@dataclass(frozen=True)
class Cell:
    """A cell's text and its span in the page text; -1 when it could not be located there."""

    text: str
    start: int
    end: int

    @property
    def located(self) -> bool:
        return self.start >= 0


@dataclass(frozen=True)
class Table:
    """A table on a page: its header cells, its rows of cells, and where it starts."""

    number: int  # 1-based, per page
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    start: int
    end: int
    continued: bool = False  # the rest of a table from the page before, under its header

    def role(self, col: int) -> str | None:
        """What column ``col`` (0-based) holds, from its header. A header that names a
        year ("2022", "Năm 2023") heads that year's values, not years.

        >>> t = Table(1, tuple(Cell(h, -1, -1) for h in ("Năm", "2022", "Xếp hạng 2023", "Tỉnh")), (), 0, 0)
        >>> [t.role(c) for c in range(4)]
        ['year', 'score', 'rank', 'subject']
        """
        text = self.header[col].text if col < len(self.header) else ""
        role = next((name for name, pattern in ROLES if pattern.search(text)), None)
        if role in (None, "year") and YEAR_LABEL.search(text):
            return "score"
        return role

    def cell_role(self, row: int, col: int) -> str | None:
        """What a cell holds: its column's role, unless the columns are years and the
        row's label says what the row holds ("Xếp hạng (/63)" under "2022", "2023").

        >>> t = find_tables("Nội dung\\t2022\\t2023\\nĐiểm (%)\\t84,10\\t86,02\\nXếp hạng (/63)\\t30\\t22")[0]
        >>> [t.cell_role(0, 1), t.cell_role(1, 1), t.cell_role(1, 0)]
        ['score', 'rank', None]
        """
        role = self.role(col)
        label = self.rows[row][0].text if col > 0 and self.rows and row < len(self.rows) else ""
        header = self.header[col].text if col < len(self.header) else ""
        if role == "score" and YEAR_LABEL.search(header) and label:
            by_label = next((name for name, pattern in ROLES if pattern.search(label)), None)
            if by_label in ("score", "rank", "rank_change"):
                return by_label
        return role

    @property
    def compared_to(self) -> int | None:
        """The year changes in the table are measured from, when a header says it."""
        for cell in self.header:
            m = _COMPARED_WITH_YEAR.search(cell.text)
            if m:
                return int(m.group(1))
        return None


def _cells(line: str, offset: int) -> list[Cell]:
    cells, position = [], 0
    for gap in _CELL_GAP.finditer(line):
        if gap.start() > position:
            cells.append(Cell(line[position : gap.start()], offset + position, offset + gap.start()))
        position = gap.end()
    if position < len(line.rstrip()):
        end = len(line.rstrip())
        cells.append(Cell(line[position:end], offset + position, offset + end))
    return [c for c in cells if c.text.strip()]


_VALUE = regex.compile(r"[\d.,%/+\-−–\s]+(?:điểm)?|(?:19|20)\d{2}", regex.I)


def _is_header(cells: list[Cell]) -> bool:
    """Whether a row names columns: nearly all its cells are words, not values; or a
    label over years ("Đơn vị", "2021", "2022", "2023").

    >>> _is_header([Cell(t, 0, 0) for t in ("Đơn vị", "2021", "2022")]), _is_header([Cell(t, 0, 0) for t in ("Hà Tĩnh", "2021", "85,10")])
    (True, False)
    """
    texts = [c.text.strip() for c in cells]
    if len(texts) >= 3 and not _VALUE.fullmatch(texts[0]) and all(YEAR_LABEL.fullmatch(t) for t in texts[1:]):
        return True
    return sum(1 for t in texts if not _VALUE.fullmatch(t)) >= max(2, len(cells) - 1)


def find_tables(text: str) -> list[Table]:
    """Tables in a page: a header line and at least one row, every line with the same
    number of cells (two or more), each line set out with tabs or runs of spaces.

    >>> text = "Kết quả:\\nNăm     Kết quả       Xếp hạng\\n2018    79,52 điểm    21/63\\n2019    82,64 điểm    17/63\\nHết."
    >>> t = find_tables(text)[0]
    >>> [c.text for c in t.header], [[c.text for c in row] for row in t.rows], [t.role(i) for i in range(3)]
    (['Năm', 'Kết quả', 'Xếp hạng'], [['2018', '79,52 điểm', '21/63'], ['2019', '82,64 điểm', '17/63']], ['year', 'score', 'rank'])
    """
    tables: list[Table] = []
    block: list[list[Cell]] = []

    def close() -> None:
        if len(block) >= 2 and _is_header(block[0]):
            width = len(block[0])
            rows = [r for r in block[1:] if len(r) == width]
            if rows:
                tables.append(Table(len(tables) + 1, tuple(block[0]), tuple(tuple(r) for r in rows), block[0][0].start, rows[-1][-1].end))
        block.clear()

    for line in _LINE.finditer(text):
        cells = _cells(line.group(), line.start())
        tabular = len(cells) >= 2 and bool(_CELL_GAP.search(line.group().strip()))
        if tabular and (not block or len(cells) == len(block[0])):
            block.append(cells)
        else:
            close()
            if tabular:
                block.append(cells)
    close()
    return tables


def table_records(
    text: str, page: int, records: list[Record], tables: list[Table] | None = None,
    cells_read: Mapping[str, list[Record]] | None = None,
) -> list[Record]:
    """``records`` with the cells of the page's tables read: a record found in a cell
    gets its table, row and column; in a value column, one of another kind (a ratio in a
    rank column) gives way and an empty cell gets a record of its own. A cell that could
    not be located in the page text holds what recognition found in it read alone
    (``cells_read``, for the texts :func:`cells_to_read` names): its records carry
    ``cell_text`` and offsets into it."""
    kept = list(records)
    compact = "".join(text.split())
    tables = find_tables(text) if tables is None else tables
    if cells_read is not None:
        kept = _within_cells(kept, tables, page, cells_read)
    in_cell = _Contained(kept)
    removed: set[int] = set()
    added: list[Record] = []
    for table in tables:
        for row_number, row in enumerate(table.rows, start=1):
            placed = [c for c in row if c.located]
            line_start, line_end = (placed[0].start, placed[-1].end) if placed else (0, 0)
            for col, cell in enumerate(row):
                role = table.cell_role(row_number - 1, col)
                where = {"table": table.number, "row": row_number, "col": col + 1}
                if cell.located:
                    inside = [r for r in in_cell.within(cell.start, cell.end) if id(r) not in removed]
                    bare = {"id": f"p{page}-{cell.start}-{cell.end}", "start": cell.start, "end": cell.end,
                            "sentence": excerpt(text, line_start, line_end, cell.start, cell.end)}
                elif cell.text.strip() and "".join(cell.text.split()) not in compact:  # else the page's own records cover it
                    prefix = f"p{page}-t{table.number}r{row_number}c{col + 1}"
                    inside = [r.model_copy(update={"cell_text": cell.text, "page": page, "id": f"{prefix}-{r.start}-{r.end}-{r.kind}"})
                              for r in (cells_read.get(cell.text, []) if cells_read is not None else [])]
                    bare = {"id": prefix, "start": 0, "end": len(cell.text), "sentence": excerpt(cell.text, 0, len(cell.text), 0, 0),
                            "cell_text": cell.text}
                else:
                    continue
                read = _read_cell(inside, cell.text, role, table, col, row)
                if read is None:
                    fields = _with_header(cell_value(role, cell.text), table, col, row) if role in _VALUE_KINDS else None
                    read = [] if fields is None else [_RECORD.validate_python(
                        {**bare, "id": f"{bare['id']}-{fields['kind']}", "surface": cell.text, "page": page, "rule": f"table.{role}", **fields})]
                removed.update(id(r) for r in inside)
                added += [r.model_copy(update=where) for r in read]
    kept = [r for r in kept if id(r) not in removed] + added
    return sorted(kept, key=lambda r: (r.cell_text is not None, r.start, r.end, r.kind))


class _Contained:
    """The records inside a span, found by bisection over their starts: a page with a
    table of two hundred cells and a thousand records is read in n log n, not n × m."""

    def __init__(self, records: list[Record]) -> None:
        self._records = records
        self._order = sorted(range(len(records)), key=lambda i: records[i].start)
        self._starts = [records[i].start for i in self._order]

    def within(self, start: int, end: int) -> list[Record]:
        """The records that lie in [start, end), in their list order."""
        lo, hi = bisect.bisect_left(self._starts, start), bisect.bisect_right(self._starts, end)
        found = sorted(i for i in self._order[lo:hi] if self._records[i].end <= end)
        return [self._records[i] for i in found]


def _overlapping(cells: list[Cell], starts: list[int], start: int, end: int) -> list[Cell]:
    """The cells (sorted, not overlapping; ``starts`` their starts) that share a character with [start, end)."""
    i = max(0, bisect.bisect_right(starts, start) - 1)
    found = []
    while i < len(cells) and cells[i].start < end:
        if start < cells[i].end:
            found.append(cells[i])
        i += 1
    return found


# The kinds a value column's cell may hold, by the column's role.
_VALUE_KINDS = {"score": ("score", "percent"), "rank": ("rank",), "rank_change": ("rank_change",)}


def _read_cell(inside: list[Record], text: str, role: str | None, table: Table, col: int, row: tuple[Cell, ...]) -> list[Record] | None:
    """What a cell keeps of the records found in it: all of them, unless it is a value
    cell ("79,52 điểm", "21", "tăng 2 bậc" under a value header), which keeps the values
    of its column's kind, completed by its labels; None when it has none, so that the
    bare cell is read through its header."""
    if role not in _VALUE_KINDS or len(text.split()) > _VALUE_CELL_WORDS:  # a cell of prose keeps what it says
        return inside
    kinds = _VALUE_KINDS[role]
    if role == "score" and col < len(table.header) and _names_an_index(table.header[col].text):
        kinds = _INDEX_COLUMN_KINDS  # "PAR Index" over "91,43% - xếp thứ 3/63": the index's values, all of them
    fitting = [r.model_copy(update=_completion(vars(r), table, col, row)) for r in inside if r.kind in kinds]
    return fitting or None


def cells_to_read(text: str, records: list[Record], tables: list[Table]) -> list[str]:
    """The texts of the cells that recognition must read on their own before
    :func:`table_records` places them: cells a record runs into from the cell before
    (see :func:`_touched`), and cells not found in the page text."""
    _, touched = _touched(records, tables)
    compact = "".join(text.split())
    missing = [cell.text for table in tables for row in table.rows for cell in row
               if not cell.located and cell.text.strip() and "".join(cell.text.split()) not in compact]
    return list(dict.fromkeys([cell.text for cell in touched] + missing))


def _touched(records: list[Record], tables: list[Table]) -> tuple[set[int], list[Cell]]:
    """Records that run from one cell into the next ("Luật Đất đai" in one column, the date
    it took effect in the next), by id, and the cells they touch, in text order."""
    cells = sorted((cell for table in tables for row in table.rows for cell in row if cell.located), key=lambda c: c.start)
    if any(a.end > b.start for a, b in itertools.pairwise(cells)):  # cells that overlap: every record against every cell
        crossing = {id(r) for r in records for c in cells if r.start < c.end and c.start < r.end and not (c.start <= r.start and r.end <= c.end)}
        return crossing, [c for c in cells if any(r.start < c.end and c.start < r.end for r in records if id(r) in crossing)]
    starts = [c.start for c in cells]
    crossing_records = [r for r in records
                        if any(not (c.start <= r.start and r.end <= c.end) for c in _overlapping(cells, starts, r.start, r.end))]
    touched_ids = {id(c) for r in crossing_records for c in _overlapping(cells, starts, r.start, r.end)}
    return {id(r) for r in crossing_records}, [c for c in cells if id(c) in touched_ids]


def _within_cells(records: list[Record], tables: list[Table], page: int, cells_read: Mapping[str, list[Record]]) -> list[Record]:
    """Records that run from one cell into the next are no records: each cell they touch
    holds what it yields read alone (``cells_read``), placed at the cell's offsets."""
    crossing, touched = _touched(records, tables)
    if not crossing:
        return records
    starts = [c.start for c in touched]
    kept = [r for r in records if id(r) not in crossing
            and not any(c.start <= r.start and r.end <= c.end for c in _overlapping(touched, starts, r.start, r.end))]
    for cell in touched:
        for found in cells_read.get(cell.text, []):
            start, end = cell.start + found.start, cell.start + found.end
            kept.append(found.model_copy(update={"start": start, "end": end, "page": page, "id": f"p{page}-{start}-{end}-{found.kind}"}))
    return sorted(kept, key=lambda r: (r.start, r.end, r.kind))


_VALUE_CELL_WORDS = 6
_INDEX_COLUMN_KINDS = ("score", "percent", "rank", "rank_change", "score_change")


def _names_an_index(label: str) -> bool:
    return any(m.kind == "index" for m in find_mentions(label))
_OUT_OF = regex.compile(r"/\s*(\d{1,3})\b")


def _labels(table: Table, col: int, row: tuple[Cell, ...]) -> str:
    """What says what a cell holds: its column's header and, past the first column, its
    row's label."""
    return " ".join((table.header[col].text if col < len(table.header) else "", row[0].text if row and col > 0 else ""))


def _with_header(fields: dict | None, table: Table, col: int, row: tuple[Cell, ...]) -> dict | None:
    """A bare cell's fields completed by its labels: "Điểm (%)" or a row "SIPAS (%)" makes
    a bare number a percentage; and see :func:`_completion`."""
    if fields is None:
        return None
    if fields["kind"] == "score" and "%" in _labels(table, col, row):
        fields["kind"] = "percent"
    return fields | _completion(fields, table, col, row)


def _completion(fields: Mapping[str, Any], table: Table, col: int, row: tuple[Cell, ...]) -> dict:
    """What a value in a cell (its fields, or a record's) lacks and its labels give:
    "Xếp hạng (/63)" gives a rank its total, a header "so với năm 2022" a change its base."""
    if fields["kind"] == "rank" and fields.get("total") is None and (m := _OUT_OF.search(_labels(table, col, row))):
        return {"total": int(m.group(1))}
    if fields["kind"] == "rank_change" and fields.get("compared_to") is None and table.compared_to is not None:
        return {"compared_to": table.compared_to}
    return {}


def _header_labels(rows: list[list[str | None]]) -> tuple[list[str], int]:
    """Column labels from the header row, or the two header rows of a header with merged
    cells ("Kết quả" over "Điểm" and "Xếp hạng"); and how many rows the header takes."""
    def is_label_row(row: list[str | None]) -> bool:
        return _is_header([Cell(c or "", 0, 0) for c in row if c]) if any(row) else False

    first = rows[0]
    filled, last = [], ""
    for cell in first:  # a merged header cell spans the columns after it
        last = cell if cell else last
        filled.append(last or "")
    if len(rows) > 2 and (None in first or "" in first) and is_label_row(rows[1]):
        return [f"{top} {bottom or ''}".strip() for top, bottom in zip(filled, rows[1])], 2
    return filled, 1


# A column label is a few words; a cell of prose or a list of documents is no header.
_LABEL_WORDS = 14


def is_header_row(row: list[str | None]) -> bool:
    """Whether a table's first row names its columns: at least half of them filled, with
    short labels that are words rather than values.

    >>> is_header_row(["STT", "Tên văn bản", "Hiệu lực", "Ghi chú"])
    True
    >>> is_header_row(["", "", "Thông tư số 33/2017/TT-BTNMT ngày 29/9/2017 của Bộ Tài nguyên và Môi trường quy định chi tiết",
    ...                "Hiệu lực thi hành từ ngày 05/12/2017"])
    False
    """
    filled = [c for c in row if c and c.strip()]
    if len(filled) < max(2, len(row) / 2) or any(len(c.split()) > _LABEL_WORDS for c in filled):
        return False
    return _is_header([Cell(c, 0, 0) for c in filled])


def _cell_pattern(text: str) -> regex.Pattern[str] | None:
    words = text.split()
    if not words:
        return None
    return regex.compile(r"\s*".join(regex.escape(w) for w in words) if len(words) == 1 else r"\s+".join(regex.escape(w) for w in words))


def _cell_text(cell: object) -> str | None:
    """A cell's text: the cell itself when it is a string, else its ``text``."""
    text = cell if isinstance(cell, str) or cell is None else getattr(cell, "text", None)
    return text if isinstance(text, str) else None


def _placed(normalized: NormalizedText | None, cell: object, text: str) -> tuple[int, int] | None:
    """Where a cell read with character positions (a PDF grid cell: one raw span) lies
    in the normalized text, when its text there is the cell's text."""
    spans: Sequence[tuple[int, int]] = getattr(cell, "spans", ())
    if normalized is None or len(spans) != 1:
        return None
    start, end = normalized.span_from_raw(*spans[0])
    same = "".join(normalized.text[start:end].split()) == "".join(text.split())
    return (start, end) if same and start < end else None


def locate_table(
    page_text: NormalizedText | str, rows: list[list[object]], number: int, *, header: list[str] | None = None
) -> Table | None:
    """A table read from a PDF placed in the page text, so offsets index the text as for
    any record. ``rows`` hold cell texts, or cells that know their raw-text span (see
    :mod:`.loaders.pdf_grid`); a cell without one is searched for after the cell before.

    ``header`` holds the labels of the table on the page before: a table whose first row
    names no columns goes on with it when it has as many columns (a page break cut the
    table). A table with no header at all still has its cells read, under empty labels.

    >>> t = locate_table("Năm Kết quả\\n2022 86,05%\\n2023 89,22%", [["Năm", "Kết quả"], ["2022", "86,05%"], ["2023", "89,22%"]], 1)
    >>> [c.text for c in t.header], [[(c.text, c.start) for c in r] for r in t.rows]
    (['Năm', 'Kết quả'], [[('2022', 12), ('86,05%', 17)], [('2023', 24), ('89,22%', 29)]])
    """
    normalized = page_text if isinstance(page_text, NormalizedText) else None
    text = page_text.text if isinstance(page_text, NormalizedText) else page_text
    texts: list[list[str | None]] = [[normalize(t).text if t else t for t in (_cell_text(c) for c in row)] for row in rows]
    width = max(len(row) for row in texts)
    continued = False
    if is_header_row(texts[0]):
        labels, taken = _header_labels(texts)
    elif header is not None and len(header) == width:
        labels, taken, continued = header, 0, True
    else:
        labels, taken = [""] * width, 0
    position = 0
    located: list[tuple[Cell, ...]] = []
    for r, row in enumerate(rows):
        cells = []
        for cell, cell_text in zip(row, texts[r]):
            span = _placed(normalized, cell, cell_text or "")
            if span is None and cell_text:
                pattern = _cell_pattern(cell_text)
                m = pattern.search(text, position) if pattern else None
                span = m.span() if m else None
            if span is not None:
                cells.append(Cell(text[span[0] : span[1]], *span))
                position = max(position, span[1])
            else:
                cells.append(Cell(cell_text or "", -1, -1))
        if r >= taken:
            located.append(tuple(cells))
    if not located:
        return None
    head = tuple(Cell(label, -1, -1) for label in labels)
    starts = [c.start for row in located for c in row if c.located]
    ends = [c.end for row in located for c in row if c.located]
    return Table(number, head, tuple(located), min(starts, default=-1), max(ends, default=-1), continued=continued)


def cell_value(role: str, text: str) -> dict | None:
    """The record fields a cell gives in a column of that role, or None.

    >>> cell_value("rank", "21/63"), cell_value("rank", "1"), cell_value("rank_change", "+8")
    ({'kind': 'rank', 'rank': 21, 'total': 63}, {'kind': 'rank', 'rank': 1, 'total': None}, {'kind': 'rank_change', 'value': 8})
    >>> cell_value("rank_change", "giữ nguyên"), cell_value("score", "92,18"), cell_value("score", "85,17%")
    ({'kind': 'rank_change', 'value': 0}, {'kind': 'score', 'value': Decimal('92.18')}, {'kind': 'percent', 'value': Decimal('85.17')})
    >>> cell_value("score", "1234567890123456"), cell_value("rank", "9" * 5000)  # too long to be values
    (None, None)
    """
    try:
        return _cell_value(role, text.strip())
    except TooLong:
        return None


def _cell_value(role: str, text: str) -> dict | None:
    if role == "rank":
        m = _RANK_CELL.fullmatch(text)
        return {"kind": "rank", "rank": parse_int(m.group(1)), "total": parse_int(m.group(2)) if m.group(2) else None} if m else None
    if role == "rank_change":
        m = _RANK_CHANGE_CELL.fullmatch(text)
        if m:
            return {"kind": "rank_change", "value": parse_int(m.group(2)) * (-1 if m.group(1) in "-−–" and m.group(1) else 1)}
        if _UNCHANGED_CELL.fullmatch(text):
            return {"kind": "rank_change", "value": 0}
        return None
    if role == "score":
        m = _SCORE_CELL.fullmatch(text)
        if not m:
            return None
        kind = "percent" if m.group(2) == "%" else "score"
        return {"kind": kind, "value": parse_number(m.group(1))}
    return None
