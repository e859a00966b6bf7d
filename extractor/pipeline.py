"""From a file (or a string) to the output contract: load, normalize, extract."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from .boxes import record_bbox
from .deadline import time_limit
from .document import Document, Page
from .errors import ExtractorError, InputError
from .limits import DOCUMENT_TIMEOUT_S
from .loaders import load
from .metrics import PageView, assemble_views
from .paths import display_name
from .recognize import recognize_page
from .records import Extraction, PageText, Source
from .rulebook import PATTERNS_DIR


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def extract_document(document: Document, *, include_text: bool = False, patterns: Path = PATTERNS_DIR) -> Extraction:
    """Run extraction on a loaded document.

    Records come from the rules in patterns/; metrics join them per index, subject
    and year (:mod:`extractor.metrics`).
    """
    if not isinstance(document, Document):
        raise TypeError(f"extract_document() takes a Document (from load or load_bytes), not {_type_name(document)}; "
                        "use extract_file for a path, extract_text for a str")
    records: list = []
    warnings = list(document.warnings)
    tables: dict[int, list] = {}
    header = None  # a table's labels, for its rest on the next page
    for page in document.pages:
        tables[page.number] = page.tables(header)
        # Only the last table of a page can go on at the top of the next.
        header = [cell.text for cell in tables[page.number][-1].header] if tables[page.number] else None
        page_records, page_warnings = recognize_page(page.text, page.number, patterns=patterns, tables=tables[page.number])
        if page.number in document.ocr_pages:
            page_records = [record.model_copy(update={"ocr": True}) for record in page_records]
        page_records = _with_boxes(page_records, page)
        records += page_records
        warnings += page_warnings
    views = [PageView.build(p.number, p.text, records, tables[p.number]) for p in document.pages]
    metrics, metric_warnings = assemble_views(views)
    warnings += metric_warnings
    return Extraction(
        source=Source(
            path=document.path,
            sha256=document.sha256,
            format=cast(Literal["pdf", "html", "docx", "txt"], document.format),
            pages=len(document.pages),
            ocr_pages=document.ocr_pages,
            encoding=document.encoding,
            bytes=document.size,
            title=document.metadata.get("title"),
            published=document.metadata.get("date"),
            author=document.metadata.get("author"),
            url=document.metadata.get("url"),
        ),
        records=records,
        metrics=metrics,
        warnings=warnings,
        pages=[PageText(number=p.number, text=p.text) for p in document.pages] if include_text else None,
    )


def _with_boxes(records: list, page: Page) -> list:
    """The page's records with their boxes on the PDF page, when the page knows where its
    characters are; a table cell read alone has no place in the page text to map."""
    if page.boxes is None:
        return records
    placed = []
    for record in records:
        bbox = record_bbox(page.boxes, page.normalized, record.start, record.end) if record.cell_text is None else None
        placed.append(record.model_copy(update={"bbox": bbox}) if bbox else record)
    return placed


def extract_file(
    path: str | os.PathLike[str], *, include_text: bool = False, patterns: Path = PATTERNS_DIR, tables: str = "auto"
) -> Extraction:
    """Load one file and extract from it. Raises :class:`~extractor.errors.InputError`.

    ``tables`` ("auto", "pdfplumber", "off") says which reader reads PDF tables.

    >>> extract_file(123)
    Traceback (most recent call last):
    TypeError: extract_file() takes a path as str or os.PathLike, not int
    """
    _check_path(path)
    return extract_document(load(path, tables=tables), include_text=include_text, patterns=patterns)


def _check_path(path: object) -> None:
    """A clear TypeError for what os.fspath would refuse obscurely, or accept wrongly:
    bytes here are most likely a document's content, not its name."""
    if isinstance(path, bytes):
        raise TypeError("extract_file() takes a path as str or os.PathLike, not bytes; for a document's content, "
                        "use extract_document(load_bytes(data, name))")
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"extract_file() takes a path as str or os.PathLike, not {_type_name(path)}")


def extract_text(text: str, *, name: str = "<text>", include_text: bool = False, patterns: Path = PATTERNS_DIR) -> Extraction:
    """Extract from a string, treated as a one-page plain-text document.

    >>> result = extract_text("Chỉ số CCHC năm 2019 đạt 81,42 điểm.")
    >>> result.source.format, result.source.pages, result.schema_version
    ('txt', 1, '2')
    >>> extract_text(b"bytes")
    Traceback (most recent call last):
    TypeError: extract_text() takes the text as str, not bytes; decode it, or use extract_file / load_bytes for files
    """
    if isinstance(text, bytes | bytearray):
        raise TypeError(f"extract_text() takes the text as str, not {_type_name(text)}; decode it, "
                        "or use extract_file / load_bytes for files")
    if not isinstance(text, str):
        raise TypeError(f"extract_text() takes the text as str, not {_type_name(text)}")
    if not isinstance(name, str):
        raise TypeError(f"extract_text() takes name as str, not {_type_name(name)}")
    page = Page.from_raw(1, text)
    if not page.text.strip():
        raise InputError(name, "no text")
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate is in the text given, not ours to refuse
    document = Document(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format="txt",
        size=len(data),
        pages=[page],
        encoding="utf-8",
    )
    return extract_document(document, include_text=include_text, patterns=patterns)


@dataclass(frozen=True)
class Outcome:
    """The result for one input path: an extraction, or the one-line reason it failed."""

    path: str
    extraction: Extraction | None = None
    error: str | None = None


def extract_files(
    paths: Iterable[str], *, include_text: bool = False, patterns: Path = PATTERNS_DIR, tables: str = "auto",
    timeout: float | None = DOCUMENT_TIMEOUT_S,
) -> Iterator[Outcome]:
    """Extract from each path in order; a bad file gives an error outcome, never a raise.

    A bug of ours on one file must not stop a batch either, so unexpected exceptions are
    turned into a one-line "internal error" that names the exception. A document that
    takes longer than ``timeout`` seconds fails with that reason (None: no limit).
    """
    for path in paths:
        try:
            with time_limit(timeout, display_name(path)):
                extraction = extract_file(path, include_text=include_text, patterns=patterns, tables=tables)
        except InputError as error:
            yield Outcome(path, error=str(error))
            continue
        except (ExtractorError, KeyboardInterrupt, MemoryError):
            raise  # not about this file (a broken pattern file, say): stop the batch
        except Exception as error:
            detail = " ".join(str(error).split()) or "no message"
            yield Outcome(path, error=f"{display_name(path)}: internal error ({type(error).__name__}: {detail}); please report it")
            continue
        yield Outcome(path, extraction=extraction)  # outside the limit: the caller's time is its own
