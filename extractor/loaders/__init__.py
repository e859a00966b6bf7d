"""Read a file into a :class:`~extractor.document.Document`, choosing the loader by content."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable

from .. import limits
from ..document import Document, Page
from ..errors import InputError, UnsupportedFormatError
from ..limits import describe_bytes
from ..normalize import LineBreak
from ..paths import display_name
from .base import Loaded
from .docx import load_docx
from .html import load_html
from .pdf import load_pdf
from .sniff import DOCUMENT_FORMATS, format_from_suffix, looks_like_html, sniff
from .text import NotText, decode_text, load_txt

__all__ = ["detect_format", "display_name", "load", "load_bytes", "read_file"]

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


# What a path that is not a regular file is, for "is not a regular file (a FIFO)".
_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"),
)
# Reasons for the errors os.stat and os.open give, in a user's words.
_OS_REASONS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "no such file (a part of the path is a file, not a folder)",
    errno.ELOOP: "too many levels of symbolic links (a symbolic link loop?)",
    errno.ENAMETOOLONG: "file name too long",
}


def _os_reason(error: OSError) -> str:
    return _OS_REASONS.get(error.errno or 0) or f"cannot read: {error.strerror or error}"


def _refuse_special(mode: int, name: str) -> None:
    """Only regular files are read: /dev/zero never ends, and a FIFO blocks its reader."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(name, "is a directory, not a file")
    kind = next((label for test, label in _FILE_KINDS if test(mode)), "a special file")
    raise InputError(name, f"is not a regular file ({kind})")


def _limit_text(size: int) -> str:
    """A limit as the README states it: "512 MB" rather than "512.0 MB"."""
    return f"{size // limits.MB} MB" if size >= limits.MB and size % limits.MB == 0 else describe_bytes(size)


def _refuse_large(size: int, name: str) -> None:
    if size > limits.MAX_FILE_BYTES:
        raise InputError(name, f"is {describe_bytes(size)}, over the {_limit_text(limits.MAX_FILE_BYTES)} limit for one file")


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; InputError with a one-line
    reason for anything else. Never blocks: the kind of file is known before it is opened
    (O_NONBLOCK guards the moment between the two), and checked again on the open file."""
    name = display_name(path)
    try:
        info = os.stat(path)
        _refuse_special(info.st_mode, name)
        _refuse_large(info.st_size, name)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise InputError(name, _os_reason(error)) from None
    with os.fdopen(fd, "rb") as file:
        try:
            opened = os.fstat(fd)
            _refuse_special(opened.st_mode, name)  # swapped for a FIFO since os.stat
            data = file.read(limits.MAX_FILE_BYTES + 1)  # a file growing as we read stops here
        except OSError as error:
            raise InputError(name, _os_reason(error)) from None
    _refuse_large(len(data), name)
    return data


def _refuse_long_pages(loaded: Loaded, name: str) -> None:
    for number, text in enumerate(loaded.pages, start=1):
        if len(text) > limits.MAX_PAGE_CHARS:
            where = "the text" if len(loaded.pages) == 1 else f"page {number}"
            raise InputError(name, f"{where} has {len(text):,} characters, over the limit of {limits.MAX_PAGE_CHARS:,} for one page")


def load_bytes(data: bytes, name: str, *, tables: str = "auto") -> Document:
    """Load a document from bytes already read; ``name`` names it in messages and output.

    ``tables`` ("auto", "pdfplumber", "off") says which reader reads PDF tables.
    """
    name = display_name(name)  # printable in messages and output whatever the file system gave
    if not data:
        raise InputError(name, "empty file")
    _refuse_large(len(data), name)
    detected = detect_format(data, name)
    named = format_from_suffix(name)
    loader = LOADERS.get(detected)
    if loader is None:
        hint = f"; the file name says {named}" if named and named != detected else ""
        if detected in DOCUMENT_FORMATS:
            raise UnsupportedFormatError(name, f"{detected.upper()} is recognized but not read by this version yet{hint}")
        raise UnsupportedFormatError(name, f"{detected}{hint}")

    loaded = loader(data, name, tables=tables) if detected == "pdf" else loader(data, name)
    _refuse_long_pages(loaded, name)
    warnings = list(loaded.warnings)
    if named and named != detected:
        warnings.insert(0, f"the name says {named} but the content is {detected}; read as {detected}")
    hints: list[dict[int, LineBreak] | None] = list(loaded.line_breaks) if loaded.line_breaks else [None] * len(loaded.pages)
    page_tables = loaded.tables or [[] for _ in loaded.pages]
    page_boxes = loaded.boxes or [None] * len(loaded.pages)
    pages = [
        Page.from_raw(number, raw, hint, layout_tables, boxes)
        for number, (raw, hint, layout_tables, boxes) in enumerate(zip(loaded.pages, hints, page_tables, page_boxes), start=1)
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
    """Read and load one file. Raises :class:`InputError` with a one-line reason.

    The document's ``path`` is the name as :func:`display_name` shows it: a name that is
    not valid UTF-8 has its odd bytes escaped, so that output and messages can print it.
    """
    return load_bytes(read_file(path), os.fspath(path), tables=tables)
