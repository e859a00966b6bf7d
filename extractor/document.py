"""The Document: what a loader read, page by page, with its provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .boxes import PageBoxes
from .normalize import LineBreak, NormalizedText, normalize
from .tables import Table, find_tables, locate_table


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number and its normalized text (offsets index into it), and
    the tables its layout holds (PDF), as rows of cells (see :mod:`.loaders.pdf_grid`), and
    where its raw characters are drawn (PDF, see :mod:`.boxes`)."""

    number: int
    normalized: NormalizedText
    layout_tables: tuple = ()
    boxes: PageBoxes | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.normalized.text

    @property
    def raw_text(self) -> str:
        return self.normalized.raw

    @classmethod
    def from_raw(
        cls, number: int, raw_text: str, line_breaks: Mapping[int, LineBreak] | None = None, layout_tables: list | None = None,
        boxes: PageBoxes | None = None,
    ) -> Page:
        return cls(number, normalize(raw_text, line_breaks), tuple(layout_tables or ()), boxes)

    def tables(self, previous_header: list[str] | None = None) -> list[Table]:
        """The page's tables placed in its text: from the layout when a PDF page has
        them, else those set out with tabs or spaces. ``previous_header`` labels a table
        that a page break cut from its header."""
        if not self.layout_tables:
            return find_tables(self.text)
        placed: list[Table] = []
        for rows in self.layout_tables:
            table = locate_table(self.normalized, rows, len(placed) + 1, header=previous_header if not placed else None)
            if table is not None:
                placed.append(table)
        return placed


@dataclass
class Document:
    """A loaded document: pages, where it came from, and what went wrong on the way."""

    path: str
    sha256: str
    format: str
    size: int
    pages: list[Page]
    encoding: str | None = None
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All pages' text, joined by form feeds (for quick looks, not for offsets)."""
        return "\f".join(page.text for page in self.pages)
