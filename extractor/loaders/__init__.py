"""Read a file into a :class:`~extractor.document.Document`, choosing the loader by content."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from ..document import Document, Page
from ..errors import InputError, UnsupportedFormatError
from ..normalize import LineBreak
from .base import Loaded
from .docx import load_docx
from .html import load_html
from .pdf import load_pdf
from .sniff import DOCUMENT_FORMATS, format_from_suffix, looks_like_html, sniff
from .text import NotText, decode_text, load_txt

__all__ = ["detect_format", "load", "load_bytes"]

# One loader per format that this version reads. A format in DOCUMENT_FORMATS without
# an entry here is recognized and refused with a clear message until its loader lands.
LOADERS: dict[str, Callable[..., Loaded]] = {  # (data, name) -> Loaded; PDF takes tables= too
    "txt": load_txt,
    "pdf": load_pdf,
    "html": load_html,
    "docx": load_docx,
}


def detect_format(data: bytes, name: str = "") -> str:
    """The format of ``data`` from its content; text is HTML when it looks like HTML.

    >>> detect_format(b"<!DOCTYPE html><html><body>x</body></html>", "a.txt")
    'html'
    >>> detect_format("Chỉ số CCHC".encode(), "a.html")
    'txt'
    """
    detected = sniff(data, name)
    if detected != "txt":
        return detected
    try:
        head = decode_text(data[:8192]).text
    except NotText:
        return "txt"  # the text loader gives the precise reason
    return "html" if looks_like_html(head, format_from_suffix(name)) else "txt"


def _read(path: Path) -> bytes:
    name = str(path)
    if path.is_dir():
        raise InputError(name, "is a directory, not a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as error:
        raise InputError(name, f"cannot read: {error.strerror or error}") from None
    return data


def load_bytes(data: bytes, name: str, *, tables: str = "auto") -> Document:
    """Load a document from bytes already read; ``name`` names it in messages and output.

    ``tables`` ("auto", "pdfplumber", "off") says which reader reads PDF tables.
    """
    if not data:
        raise InputError(name, "empty file")
    detected = detect_format(data, name)
    named = format_from_suffix(name)
    loader = LOADERS.get(detected)
    if loader is None:
        hint = f"; the file name says {named}" if named and named != detected else ""
        if detected in DOCUMENT_FORMATS:
            raise UnsupportedFormatError(name, f"{detected.upper()} is recognized but not read by this version yet{hint}")
        raise UnsupportedFormatError(name, f"{detected}{hint}")

    loaded = loader(data, name, tables=tables) if detected == "pdf" else loader(data, name)
    warnings = list(loaded.warnings)
    if named and named != detected:
        warnings.insert(0, f"the name says {named} but the content is {detected}; read as {detected}")
    hints: list[dict[int, LineBreak] | None] = list(loaded.line_breaks) if loaded.line_breaks else [None] * len(loaded.pages)
    page_tables = loaded.tables or [[] for _ in loaded.pages]
    pages = [
        Page.from_raw(number, raw, hint, layout_tables)
        for number, (raw, hint, layout_tables) in enumerate(zip(loaded.pages, hints, page_tables), start=1)
    ]
    return Document(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=detected,
        size=len(data),
        pages=pages,
        encoding=loaded.encoding,
        ocr_pages=list(loaded.ocr_pages),
        warnings=warnings,
        metadata=dict(loaded.metadata),
    )


def load(path: str | os.PathLike[str], *, tables: str = "auto") -> Document:
    """Read and load one file. Raises :class:`InputError` with a one-line reason."""
    path = Path(path)
    return load_bytes(_read(path), str(path), tables=tables)
