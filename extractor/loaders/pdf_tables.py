"""Tables on PDF pages, read with pdfplumber where a page is likely to have them.

pdfplumber finds tables by their ruling lines and aligned text, but it is slow (about
a quarter of a second a page); pypdfium2 reads the text layer. So pdfplumber opens only
the pages whose drawing has enough straight-line paths to rule a table and, by default
("auto"), whose text looks like a table of results: column words such as "Xếp hạng",
"Kết quả", "Điểm" and values such as "85,12%" or "21/63". "all" reads every ruled page
(a 170-page list of procedures then takes a minute instead of a second); "off" none.
"""

from __future__ import annotations

import io
from typing import Any

import regex

# A page with at least this many path objects (lines, rectangles) may hold a ruled table.
RULING_PATHS = 8

Rows = list[list[str | None]]


TABLE_MODES = ("auto", "all", "off")
_RESULT_WORDS = regex.compile(r"xếp\s+hạng|thứ\s+hạng|kết\s+quả|điểm|chỉ\s+số|tăng.{0,3}giảm", regex.I)
_RESULT_VALUES = regex.compile(r"\d+[.,]\d+\s*%|(?<![\d/])\d{1,3}\s*/\s*\d{1,3}(?![\d/])|\d+,\d+")


def looks_like_results(text: str) -> bool:
    """Whether a page's text looks like a table of index results.

    >>> looks_like_results("Năm Kết quả Xếp hạng 2022 86,05% 17/63"), looks_like_results("Thủ tục cấp giấy phép")
    (True, False)
    """
    return bool(_RESULT_WORDS.search(text)) and len(_RESULT_VALUES.findall(text)) >= 2


def likely_table_pages(document: Any, texts: list[str] | None = None, mode: str = "auto") -> list[int]:
    """0-based indices of the pages to read tables from (pypdfium2 document and page texts)."""
    import pypdfium2.raw as pdfium_c

    if mode == "off":
        return []
    pages: list[int] = []
    for index in range(len(document)):
        # A page that goes on with the table of the page before needs no column words.
        goes_on = bool(pages) and pages[-1] == index - 1 and texts is not None and len(_RESULT_VALUES.findall(texts[index])) >= 2
        if mode == "auto" and texts is not None and not looks_like_results(texts[index]) and not goes_on:
            continue
        page = document[index]
        try:
            paths = sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))
        finally:
            page.close()
        if paths >= RULING_PATHS:
            pages.append(index)
    return pages


def read_tables(data: bytes, indices: list[int]) -> dict[int, list[Rows]]:
    """The tables of the given pages (0-based), each as rows of cell texts (None: merged)."""
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
