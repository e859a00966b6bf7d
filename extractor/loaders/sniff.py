"""Tell a file's format from its first bytes; the file name is only a hint."""

from __future__ import annotations

import io
import zipfile
import zlib

import regex

from ..limits import MAX_DOCX_MEMBERS

# Formats the pipeline knows by name; each has (or will have) a loader.
DOCUMENT_FORMATS = ("txt", "pdf", "html", "docx")

_SUFFIX_FORMATS = {
    ".txt": "txt", ".text": "txt", ".pdf": "pdf", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".docx": "docx",
}

# Magic numbers of formats that are not documents we read, for a helpful error.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "legacy Microsoft Office file (.doc/.xls, OLE2); convert it to .docx, e.g. libreoffice --headless --convert-to docx FILE"),
    (b"{\\rtf", "RTF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable (ELF)"),
)

_HTML_START = regex.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", regex.I | regex.S)
_HTML_TAGS = regex.compile(r"<(?:html|head|body|meta|title|div|p|article)\b[^>]*>", regex.I)


def format_from_suffix(name: str) -> str | None:
    """The format a file name suggests, or None.

    >>> format_from_suffix("bao-cao.PDF"), format_from_suffix("notes.md")
    ('pdf', None)
    """
    dot = name.rfind(".")
    return _SUFFIX_FORMATS.get(name[dot:].lower()) if dot >= 0 else None


# What zipfile raises on a damaged archive: a version or compression it does not know is
# NotImplementedError, a bad deflate stream zlib.error, a cut one EOFError.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)


def _zip_format(data: bytes) -> str:
    # A damaged or oversized archive that names a Word body is a DOCX: its loader says
    # what is wrong with it, which "damaged ZIP archive" would not.
    word = b"word/document.xml" in data
    if data.count(b"PK\x01\x02") > MAX_DOCX_MEMBERS:  # too many members to list them cheaply
        return "docx" if word else "ZIP archive"
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except ZIP_ERRORS:
        return "docx" if word else "damaged ZIP archive"
    if "word/document.xml" in names or ("[Content_Types].xml" in names and any(n.startswith("word/") for n in names)):
        return "docx"  # a Word package, even one whose body is missing: its loader says so
    if any(n.startswith("xl/") for n in names):
        return "Excel workbook (.xlsx)"
    if any(n.startswith("ppt/") for n in names):
        return "PowerPoint presentation (.pptx)"
    if "content.xml" in names:
        return "OpenDocument file"
    return "ZIP archive"


def damaged_pdf_header(data: bytes) -> str | None:
    """For binary data that is a PDF but for its first bytes (one flipped bit makes
    "%PDF-" "%pDF-"), the reason to give instead of "binary data"; None otherwise."""
    head = data[:1024]
    body = data[: 1 << 20]
    if b"%pdf-" not in head.lower() and not (b" obj" in body and b"endobj" in body):
        return None
    start = head[:8].decode("latin-1")
    shown = "".join(c if c.isprintable() and c.isascii() else f"\\x{ord(c):02x}" for c in start)
    return f'damaged PDF: no "%PDF-" header in its first 1 KB (it starts "{shown}"), though it holds PDF objects'


def looks_like_html(head: str, suffix_format: str | None) -> bool:
    """Whether decoded text is HTML: by its start, or by its tags when named .html."""
    if _HTML_START.match(head):
        return True
    if head.lstrip().startswith("<?xml") and regex.search(r"<html\b", head, regex.I):
        return True
    return suffix_format == "html" and head.lstrip().startswith("<") and bool(_HTML_TAGS.search(head))


def sniff(data: bytes, name: str = "") -> str:
    """The format of ``data``: one of DOCUMENT_FORMATS, or a label saying what it is.

    Text formats (txt, html) are told apart after decoding, by :func:`looks_like_html`;
    this function answers "txt" for anything that is not a known binary format.

    >>> sniff(b"%PDF-1.7\\n..."), sniff(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff(b"Xin chao")
    ('pdf', 'PNG image', 'txt')
    """
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    for magic, label in _FOREIGN_MAGIC:
        if data.startswith(magic):
            return label
    return "txt"
