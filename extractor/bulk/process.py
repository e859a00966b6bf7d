"""The per-document work of a bulk run: a pure function from a file to a result.

:func:`process` takes a path (or bytes and a name), runs the whole pipeline on it and
returns a :class:`DocumentResult`, plain data that pickles and serializes to JSON. It
never raises for a bad file: the reason becomes a failed result. It touches no
database and no global state beyond the caches of the pipeline itself, so any engine
(a process pool here, a distributed one later) can map it over files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .. import __version__
from ..errors import ExtractorError, InputError
from ..loaders import detect_format, load_bytes, read_file
from ..pipeline import extract_document
from ..records import Extraction
from ..rulebook import PATTERNS_DIR
from .walk import Refused, read_regular


@cache
def extractor_version(patterns: Path = PATTERNS_DIR) -> str:
    """The version results are stamped with: the package version and a short hash of the
    content of every file under ``patterns`` (sorted by relative path), so that editing
    a rule makes every document due again.

    >>> extractor_version().startswith(__version__ + "+patterns.")
    True
    """
    digest = hashlib.sha256()
    root = Path(patterns)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue  # editor swap files and caches are not rules
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"{__version__}+patterns.{digest.hexdigest()[:12]}"


# Dash-like characters that OCR and renderers exchange freely ('2021 – 2030' read back as
# '2021 - 2030' from a scan): not a difference of text.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})


def text_sha256(pages: Iterable[str]) -> str:
    """The hash of a document's text, the same for every rendering of one text (.txt,
    .pdf, .html, .docx, a scan read by OCR): the pages' normalized text (what ``cli.py
    text`` prints: NFC, legacy encodings converted) joined by a space, every dash-like
    character made "-", lower-cased, every run of whitespace made one space, stripped;
    sha256 of that in UTF-8, hex. Layout (line and page breaks, a table's cells on lines
    of their own) is not text; words, numbers and their order are.

    >>> text_sha256(["Chỉ số  PAR\\nINDEX 2021 – 2030"]) == text_sha256(["chỉ số par", "index 2021 - 2030 "])
    True
    """
    text = " ".join(pages).translate(_DASHES).lower()
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DocumentResult:
    """What one file gave: its extraction as JSON data, or the one-line reason it failed."""

    path: str
    sha256: str | None
    status: Literal["ok", "failed"]
    extractor_version: str
    seconds: float
    error: str | None = None
    format: str | None = None
    pages: int | None = None
    extraction: dict[str, Any] | None = field(default=None, repr=False)  # Extraction.to_jsonable()
    text_sha256: str | None = None  # :func:`text_sha256` of its pages: renderings of one text share it

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentResult:
        return cls(**data)


def failed(path: str, reason: str, *, sha256: str | None = None, seconds: float = 0.0, format: str | None = None,
           patterns: Path = PATTERNS_DIR) -> DocumentResult:
    """A failed result, for reasons found outside :func:`process` (a time limit, a crash)."""
    return DocumentResult(path, sha256, "failed", extractor_version(patterns), round(seconds, 6), error=reason, format=format)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or "no message"


def _what_it_is(data: bytes | None, name: str) -> tuple[str | None, str | None]:
    """sha256 and format of a file that failed, as far as they can be known."""
    if data is None:
        try:
            data = read_regular(name)  # never a FIFO, never more than the limit
        except (Refused, OSError):
            return None, None
    try:
        fmt = detect_format(data, name) if data else None
    except Exception:
        fmt = None
    return hashlib.sha256(data).hexdigest(), fmt


def process(source: str | os.PathLike[str] | bytes, *, name: str | None = None, patterns: Path = PATTERNS_DIR) -> DocumentResult:
    """Extract from one file (a path, or its bytes named ``name``); never raises for a bad file.

    >>> result = process("Chỉ số CCHC năm 2019 của tỉnh Điện Biên đạt 81,42 điểm.".encode(), name="a.txt")
    >>> result.status, result.format, result.pages, result.extraction["records"][0]["surface"]
    ('ok', 'txt', 1, '81,42 điểm')
    >>> result.text_sha256 == text_sha256(["Chỉ số CCHC năm 2019 của tỉnh Điện Biên đạt 81,42 điểm."])
    True
    >>> process(b"", name="empty.txt").error
    'empty file'
    """
    return process_with_review(source, name=name, patterns=patterns, review=False)[0]


def process_with_review(source: str | os.PathLike[str] | bytes, *, name: str | None = None, patterns: Path = PATTERNS_DIR,
                        review: bool = True) -> tuple[DocumentResult, str | None]:
    """:func:`process`, and with ``review`` the document's review page
    (:func:`extractor.review.render_review`, without page images: text highlights only,
    for speed and size); None for a failed document, when ``review`` is false, or when
    the page cannot be made (the result is the same either way)."""
    data = source if isinstance(source, bytes) else None
    path: str = name if name is not None else "<bytes>" if isinstance(source, bytes) else os.fspath(source)
    version = extractor_version(patterns)
    start = time.perf_counter()

    def failure(reason: str) -> tuple[DocumentResult, None]:
        sha256, fmt = _what_it_is(data, path)
        return DocumentResult(path, sha256, "failed", version, round(time.perf_counter() - start, 6), error=reason, format=fmt), None

    try:
        if data is None:
            data = read_file(path)  # what load does; the bytes are kept for a PDF's review page
        document = load_bytes(data, path)
        extraction = extract_document(document, include_text=review, patterns=patterns)
        jsonable = extraction.model_dump(mode="json", exclude={"pages"})  # what extract prints without --include-text
        text_hash = text_sha256(page.text for page in document.pages)
    except InputError as error:
        return failure(error.reason)
    except ExtractorError as error:  # a broken pattern file, say: not about this file, but said once per file
        return failure(_one_line(error))
    except MemoryError:
        return failure("ran out of memory")
    except RecursionError:
        return failure("internal error (RecursionError); please report it")
    except Exception as error:
        return failure(f"internal error ({type(error).__name__}: {_one_line(error)}); please report it")
    source_info = jsonable["source"]
    result = DocumentResult(
        path, source_info["sha256"], "ok", version, round(time.perf_counter() - start, 6),
        format=source_info["format"], pages=source_info["pages"], extraction=jsonable, text_sha256=text_hash,
    )
    return result, _review_page(extraction, data if document.format == "pdf" else None) if review else None


def _load_renderer() -> Callable[..., str] | None:
    """:func:`extractor.review.render_review`, None where this build lacks it (or it
    cannot be imported: review pages are derived output, never a reason to stop a run)."""
    try:
        from ..review import render_review
    except Exception:
        return None
    return render_review


# Imported with this module, so that the fork server of a bulk run (which imports it to
# warm up) holds it and no worker pays for it on its first document.
_RENDERER = _load_renderer()


def _review_page(extraction: Extraction, pdf: bytes | None) -> str | None:
    """The review page of an extraction; None when it cannot be made. A page that fails
    costs the dataset its page, never its document: the overview then names the file
    without a link."""
    render = _RENDERER
    if render is None:
        return None
    try:
        return render(extraction, pdf=pdf, page_images=False)
    except Exception:  # derived output: the extraction itself stands
        return None
