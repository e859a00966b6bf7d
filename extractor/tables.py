"""Plain-text tables: columns set apart by tabs or runs of spaces, a header naming them.

Reports paste tables as text ("Năm     Kết quả      Xếp hạng"), and their cells hold
values no sentence rule can read: a bare "92,18" under "Kết quả (%)", a bare "1" under
"Xếp hạng", "+8" under "Tăng/giảm bậc". The header says what each column holds, so each
cell becomes a record with its ``table``, ``row`` and ``col``, its offsets in the page
text as usual, and each row can become a metric.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pydantic import TypeAdapter

from .numbers import parse_number
from .records import Record

_RECORD = TypeAdapter(Record)

_CELL_GAP = regex.compile(r"\t+| {2,}")
_LINE = regex.compile(r"[^\n]+")
# What a header says a column holds; the first role whose words the header has wins.
ROLES: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("rank_change", regex.compile(r"tăng.{0,3}giảm|thay\s+đổi|so\s+với", regex.I)),
    ("rank", regex.compile(r"xếp\s+hạng|thứ\s+hạng|xếp\s+thứ|vị\s+trí|^hạng$", regex.I)),
    ("year", regex.compile(r"^năm$|^năm\s|kỳ\s+đánh\s+giá", regex.I)),
    ("subject", regex.compile(r"tỉnh|thành\s+phố|địa\s+phương|đơn\s+vị|cơ\s+quan|huyện|sở|ngành|bộ|tên", regex.I)),
    ("score", regex.compile(r"kết\s+quả|điểm|chỉ\s+số|giá\s+trị|%|tỷ\s+lệ|PAR|SIPAS|PAPI|PCI|DTI", regex.I)),
)


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    """A table on a page: its header cells, its rows of cells, and where it starts."""

    number: int  # 1-based, per page
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    start: int
    end: int

    def role(self, col: int) -> str | None:
        """What column ``col`` (0-based) holds, from its header."""
        text = self.header[col].text if col < len(self.header) else ""
        return next((name for name, pattern in ROLES if pattern.search(text)), None)

    @property
    def compared_to(self) -> int | None:
        """The year changes in the table are measured from, when a header says it."""
        for cell in self.header:
            m = regex.search(r"so\s+với\s+(?:năm\s+)?((?:19|20)\d{2})", cell.text, regex.I)
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


def _is_header(cells: list[Cell]) -> bool:
    return sum(1 for c in cells if not regex.search(r"\d", c.text)) >= max(2, len(cells) - 1)


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


def table_records(text: str, page: int, records: list[Record]) -> list[Record]:
    """``records`` with the cells of the page's tables read: a record already found in a
    cell gets its table, row and column; a record of another kind there (a ratio in a
    rank column) gives way; an empty cell of a value column gets a record of its own."""
    kept = list(records)
    for table in find_tables(text):
        compared_to = table.compared_to
        for row_number, row in enumerate(table.rows, start=1):
            line = text[row[0].start : row[-1].end]
            for col, cell in enumerate(row):
                role = table.role(col)
                if role not in ("score", "rank", "rank_change"):
                    continue
                where = {"table": table.number, "row": row_number, "col": col + 1}
                inside = [r for r in kept if r.start < cell.end and cell.start < r.end]
                family = {"score": ("score", "percent"), "rank": ("rank",), "rank_change": ("rank_change",)}[role]
                fitting = [r for r in inside if r.kind in family]
                kept = [r for r in kept if r not in inside or r in fitting]
                if fitting:
                    kept = [r.model_copy(update=where) if r in fitting else r for r in kept]
                    continue
                fields = cell_value(role, cell.text)
                if fields is None:
                    continue
                if fields["kind"] == "score" and "%" in table.header[col].text:
                    fields["kind"] = "percent"
                if fields["kind"] == "rank_change":
                    fields["compared_to"] = compared_to
                kept.append(
                    _RECORD.validate_python(
                        {"id": f"p{page}-{cell.start}-{cell.end}-{fields['kind']}", "surface": cell.text, "page": page,
                         "start": cell.start, "end": cell.end, "sentence": line, "rule": f"table.{role}", **where, **fields}
                    )
                )
    return sorted(kept, key=lambda r: (r.start, r.end, r.kind))


def cell_value(role: str, text: str) -> dict | None:
    """The record fields a cell gives in a column of that role, or None.

    >>> cell_value("rank", "21/63"), cell_value("rank", "1"), cell_value("rank_change", "+8")
    ({'kind': 'rank', 'rank': 21, 'total': 63}, {'kind': 'rank', 'rank': 1, 'total': None}, {'kind': 'rank_change', 'value': 8})
    >>> cell_value("rank_change", "giữ nguyên"), cell_value("score", "92,18"), cell_value("score", "85,17%")
    ({'kind': 'rank_change', 'value': 0}, {'kind': 'score', 'value': Decimal('92.18')}, {'kind': 'percent', 'value': Decimal('85.17')})
    """
    text = text.strip()
    if role == "rank":
        m = regex.fullmatch(r"(\d{1,3})(?:\s*/\s*(\d{1,3}))?", text)
        return {"kind": "rank", "rank": int(m.group(1)), "total": int(m.group(2)) if m.group(2) else None} if m else None
    if role == "rank_change":
        m = regex.fullmatch(r"([+\-−–]?)\s*(\d{1,3})", text)
        if m:
            return {"kind": "rank_change", "value": int(m.group(2)) * (-1 if m.group(1) in "-−–" and m.group(1) else 1)}
        if regex.fullmatch(r"giữ\s+nguyên|không\s+đổi|0", text, regex.I):
            return {"kind": "rank_change", "value": 0}
        return None
    if role == "score":
        m = regex.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(%|điểm)?", text)
        if not m:
            return None
        kind = "percent" if m.group(2) == "%" else "score"
        return {"kind": kind, "value": parse_number(m.group(1))}
    return None
