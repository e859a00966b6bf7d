"""Ruled tables on a PDF page, read from PDFium's drawing and character boxes.

pdfplumber finds a ruled table by snapping and joining the page's ruling edges, taking
their crossings, and grouping the smallest rectangles the crossings make into cells and
tables. Its slow part is not that algorithm but pdfminer parsing the whole page first
(a quarter of a second for a page PDFium reads in a few milliseconds). So the edges
come from PDFium's path objects here, and pdfplumber's own edge, crossing and cell
functions turn them into tables: the same tables as ``page.find_tables()`` on the
corpus and on ../shared/real-pdfs, 15 to 50 times faster. One difference: a filled
area that is no hairline (a paragraph's white background, a shaded cell) rules nothing
here, where pdfplumber cuts the text under it into "cells" line by line.

Each cell's text is made of the characters whose centre lies in it, taken from the
page's own text layer; so a cell also knows the span of the page text it occupies,
and its records need no searching to be placed.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A page needs at least this many path objects (lines, rectangles) to rule a table.
RULING_PATHS = 8
# pdfplumber's default table settings: edges within 3 pt snap together and join, and
# cross where they come within 3 pt; edges shorter than 3 pt are noise.
_SNAP = 3.0
_CROSSING = 3.0
_MIN_EDGE = 3.0
# A segment leaning less than this (pt) across its length counts as straight.
_STRAIGHT = 1.0
# A filled shape this thin (pt) is a line drawn as a rectangle, as Word's PDFs draw
# cell borders; a wider fill is shading, which pdfplumber would take for rulings.
_HAIRLINE = 2.0


@dataclass(frozen=True)
class GridCell:
    """A cell's text (its characters in text-layer order, whitespace collapsed) and the
    spans of the page's raw text they occupy: one span when the text layer keeps the
    cell together, as it nearly always does; none for an empty cell."""

    text: str
    spans: tuple[tuple[int, int], ...]


Grid = list[list[GridCell | None]]  # rows of cells; None where a merged cell covers the column


def path_objects(page: Any) -> list[Any]:
    """The path objects a page draws (form contents included): lines, rectangles."""
    import pypdfium2.raw as pdfium_c

    return list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]))


def _page_matrix(obj: Any) -> Any:
    """The matrix taking an object's path coordinates to page space, through any forms."""
    matrix = obj.get_matrix()
    container = obj.container
    while container is not None:
        matrix = matrix.multiply(container.get_matrix())
        container = container.container
    return matrix


def _segments(obj: Any) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight segments of a path object in page space (curves are left out)."""
    import pypdfium2.raw as pdfium_c

    matrix = _page_matrix(obj)
    x, y = ctypes.c_float(), ctypes.c_float()
    segments = []
    start = previous = None
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = matrix.on_point(x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
            segments.append((previous, point))
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None and point != start:
            segments.append((point, start))
        previous = point
    return segments


def _size(obj: Any) -> tuple[float, float]:
    left, bottom, right, top = obj.get_bounds()
    return right - left, top - bottom


def ruling_edges(page: Any, paths: list[Any]) -> list[dict[str, Any]]:
    """Horizontal and vertical edges of the page's path objects, as pdfplumber describes
    edges (``x0``, ``x1``, ``top``, ``bottom`` from the page's top-left corner)."""
    import pypdfium2.raw as pdfium_c

    height = page.get_height()
    edges: list[dict[str, Any]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for obj in paths:
        pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not stroke.value and min(_size(obj)) > _HAIRLINE:
            continue  # a filled area (a shaded paragraph or cell) rules nothing
        for (x0, y0), (x1, y1) in _segments(obj):
            if abs(y0 - y1) < _STRAIGHT <= abs(x0 - x1):
                left, right = sorted((x0, x1))
                top = height - (y0 + y1) / 2
                edges.append({"x0": left, "x1": right, "top": top, "bottom": top, "width": right - left, "height": 0.0, "orientation": "h"})
            elif abs(x0 - x1) < _STRAIGHT <= abs(y0 - y1):
                top, bottom = sorted((height - y0, height - y1))
                middle = (x0 + x1) / 2
                edges.append({"x0": middle, "x1": middle, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top, "orientation": "v"})
    return edges


Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def table_cells(edges: list[dict[str, Any]]) -> list[list[Box]]:
    """The cells of each ruled table the edges make, tables in reading order."""
    from pdfplumber import table as plumber

    merged = plumber.merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)
    merged = [e for e in merged if (e["width"] if e["orientation"] == "h" else e["height"]) >= _MIN_EDGE]
    crossings = plumber.edges_to_intersections(merged, _CROSSING, _CROSSING)
    return plumber.cells_to_tables(plumber.intersections_to_cells(crossings))


def _rows(cells: list[Box]) -> list[list[Box | None]]:
    """Cells in rows (by top) and columns (by left edge across the table); a column that
    a wider cell covers in some row is None there, as in pdfplumber's ``Table.rows``."""
    lefts = sorted({cell[0] for cell in cells})
    by_top: dict[float, dict[float, Box]] = {}
    for cell in cells:
        by_top.setdefault(cell[1], {})[cell[0]] = cell
    return [[row.get(left) for left in lefts] for _, row in sorted(by_top.items())]


def _char_centres(textpage: Any, text: str, page_height: float) -> list[tuple[int, float, float]]:
    """(index, x, y from the top) of every visible character of the text layer."""
    import pypdfium2.raw as pdfium_c

    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    centres = []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        if pdfium_c.FPDFText_GetCharBox(textpage, index, left, right, bottom, top):
            centres.append((index, (left.value + right.value) / 2, page_height - (bottom.value + top.value) / 2))
    return centres


def _runs(indices: list[int], text: str) -> tuple[tuple[int, int], ...]:
    """Sorted character indices as spans of the text; indices with only whitespace
    between them belong to one span."""
    spans: list[list[int]] = []
    for index in indices:
        if spans and not text[spans[-1][1] : index].strip():
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    return tuple((start, end) for start, end in spans)


def read_grids(page: Any, textpage: Any, text: str, paths: list[Any] | None = None) -> list[Grid]:
    """The ruled tables of a page: rows of cells with their text and raw-text spans.

    ``text`` is the page's text as read from ``textpage`` (offsets are PDFium character
    indices); ``paths`` its path objects, when the caller has them already.
    A table needs two columns (a box drawn round a heading is none); one row will do, as
    on a page that holds only the rest of a tall row from the page before.
    """
    tables = [cells for cells in table_cells(ruling_edges(page, path_objects(page) if paths is None else paths)) if len(cells) >= 2]
    if not tables:
        return []
    centres = _char_centres(textpage, text, page.get_height())
    grids: list[Grid] = []
    for cells in tables:
        rows = _rows(cells)
        if len(rows[0]) < 2:
            continue
        inside: dict[Box, list[int]] = {cell: [] for row in rows for cell in row if cell is not None}
        # Odd rulings (shaded paragraphs) can nest one cell in another: a character
        # belongs to the smallest cell around it.
        boxes = sorted(inside, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        for index, x, y in centres:
            for smallest in boxes:
                if smallest[0] <= x < smallest[2] and smallest[1] <= y < smallest[3]:
                    inside[smallest].append(index)
                    break
        grid: Grid = []
        for row in rows:
            grid_row: list[GridCell | None] = []
            for box in row:
                if box is None:
                    grid_row.append(None)
                    continue
                grid_row.append(GridCell("", _runs(inside[box], text)))
            grid.append(grid_row)
        grids.append(grid)
    return rebase(grids, text)


def rebase(grids: list[Grid], text: str, offset: Callable[[int], int] | None = None) -> list[Grid]:
    """The grids with spans moved by ``offset`` (a conversion of the text layer, such as
    a legacy font's) and cell texts taken again from the page's final ``text``."""
    def moved(cell: GridCell | None) -> GridCell | None:
        if cell is None:
            return None
        spans = tuple((offset(a), offset(b)) for a, b in cell.spans) if offset else cell.spans
        return GridCell(" ".join(" ".join(text[a:b].split()) for a, b in spans), spans)

    return [[[moved(cell) for cell in row] for row in grid] for grid in grids]
