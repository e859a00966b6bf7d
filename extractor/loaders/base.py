"""What every format loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..boxes import PageBoxes
from ..normalize import LineBreak


@dataclass
class Loaded:
    """Raw page texts as a loader read them, before normalization."""

    pages: list[str]
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    # Per page, layout hints on line breaks keyed by raw offset (PDF pages), or None.
    line_breaks: list[dict[int, LineBreak]] | None = None
    # Title, publication date, author... as the file states them (HTML, DOCX).
    metadata: dict[str, str] = field(default_factory=dict)
    # Per page, tables read from the layout (PDF): rows of cells (a GridCell that knows its
    # raw-text span, or a cell text), None where a merged cell covers the column.
    tables: list[list[list[list[Any]]]] | None = None
    # Per page, where each raw character is drawn (PDF pages; None where unknown).
    boxes: list[PageBoxes | None] | None = None
