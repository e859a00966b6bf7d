"""Which reader takes the tables of a PDF's pages.

"auto" (the default) reads every page whose drawing has enough straight-line paths to
rule a table, with :mod:`.pdf_grid`: pdfplumber's table algorithm on PDFium's paths and
character boxes, a few milliseconds a page, cells placed by character position.
"pdfplumber" lets pdfplumber read those pages itself (pdfminer parses each one: about
a quarter of a second a page); its cells are then searched for in the page text. It is
kept to cross-check the fast reader, and for a PDF whose text layer PDFium and pdfminer
read differently. "off" reads no tables.
"""

from __future__ import annotations

import io

TABLE_MODES = ("auto", "pdfplumber", "off")

Rows = list[list[str | None]]


def read_with_pdfplumber(data: bytes, indices: list[int]) -> dict[int, list[Rows]]:
    """The tables pdfplumber finds on the given pages (0-based), as rows of cell texts
    (None: a merged cell covers the column); tables of one row or column are left out."""
    if not indices:
        return {}
    import pdfplumber

    found: dict[int, list[Rows]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index in indices:
            tables = [t.extract() for t in pdf.pages[index].find_tables()]
            tables = [rows for rows in tables if len(rows) >= 2 and max(len(r) for r in rows) >= 2]
            if tables:
                found[index] = tables
    return found
