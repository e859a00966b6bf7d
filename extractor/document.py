"""The Document: what a loader read, page by page, with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

from collections.abc import Mapping

from .normalize import LineBreak, NormalizedText, normalize


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number and its normalized text (offsets index into it)."""

    number: int
    normalized: NormalizedText

    @property
    def text(self) -> str:
        return self.normalized.text

    @property
    def raw_text(self) -> str:
        return self.normalized.raw

    @classmethod
    def from_raw(cls, number: int, raw_text: str, line_breaks: Mapping[int, LineBreak] | None = None) -> Page:
        return cls(number, normalize(raw_text, line_breaks))


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
