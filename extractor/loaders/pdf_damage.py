"""Signs that a PDF which opened is damaged, so that text it lost is never lost in silence.

PDFium repairs what it can and reads what is left without a word: a page whose content
stream breaks off shows the text before the break; a font whose ToUnicode map is damaged
gives characters without a Unicode value. Three cheap signals, each silent on the real
PDFs we have (twelve government PDFs, 270 pages):

- the cross-reference table was invalid, so PDFium rebuilt it by scanning the file
  (``FPDF_DocumentHasValidCrossReferenceTable``);
- a page's characters that PDFium could not map to Unicode
  (``FPDFText_HasUnicodeMapError``), named by page;
- compressed (Flate) streams, other than images, whose data does not inflate to its end:
  content streams, fonts and ToUnicode maps. These are named by object number, not by
  page: which page draws which stream would need a PDF parser of our own.

What they miss: damage that still inflates (a flipped byte inside a stored, uncompressed
stream, or inside text operators once inflated), streams in encrypted files (their data is
ciphertext, so they are not checked), and image streams (no text there).
"""

from __future__ import annotations

import zlib
from typing import Any

import regex

# The keyword that opens a stream's data; "endstream" ends it.
_STREAM = regex.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# How far back a stream's dictionary may start, and how much inflated data is checked in
# all: a few content streams of a normal file inflate to a few MB.
_DICT_WINDOW = 1024
_INFLATE_BUDGET = 256 * 1024 * 1024
_CHUNK = 1 << 20
_OBJECT = regex.compile(rb"(\d+)\s+\d+\s+obj\b")
# Characters of a page without a Unicode value before it is worth a warning.
_UNMAPPED_MIN = 5
_UNMAPPED_SHARE = 0.05


def _inflates_to_end(data: bytes, start: int, budget: int) -> tuple[bool, int]:
    """Whether the Flate data at ``start`` inflates to its end; the bytes inflated."""
    inflater = zlib.decompressobj()
    produced = 0
    chunk = data[start : start + _CHUNK]
    offset = start + len(chunk)
    try:
        while chunk and produced < budget and not inflater.eof:
            produced += len(inflater.decompress(chunk, _CHUNK))
            while inflater.unconsumed_tail and produced < budget:
                produced += len(inflater.decompress(inflater.unconsumed_tail, _CHUNK))
            chunk = data[offset : offset + _CHUNK] if not inflater.eof else b""
            offset += len(chunk)
    except zlib.error:
        return False, produced
    return inflater.eof or produced >= budget, produced


def damaged_streams(data: bytes) -> list[str]:
    """Object numbers (as text; "?" when unknown) of Flate streams, images aside, whose
    data does not inflate to its end. Empty for an encrypted file (not checked)."""
    if b"/Encrypt" in data:
        return []
    damaged: list[str] = []
    budget = _INFLATE_BUDGET
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - _DICT_WINDOW) : match.start()]
        opened = head.rfind(b" obj")
        dictionary = head[opened:] if opened >= 0 else head[-200:]
        if b"/FlateDecode" not in dictionary or b"/Image" in dictionary:
            continue
        whole, produced = _inflates_to_end(data, match.end(), budget)
        budget -= produced
        if not whole:
            numbers = _OBJECT.findall(head)
            damaged.append(numbers[-1].decode() if numbers else "?")
        if budget <= 0:
            break
    return damaged


def xref_rebuilt(document: Any) -> bool:
    """Whether PDFium found the cross-reference table invalid and rebuilt it."""
    import pypdfium2.raw as raw

    return not raw.FPDF_DocumentHasValidCrossReferenceTable(document.raw)


def unmapped_warning(textpage: Any, number: int) -> str | None:
    """A warning when many of a page's characters have no Unicode value (a damaged font)."""
    import pypdfium2.raw as raw

    total = textpage.count_chars()
    unmapped = sum(1 for index in range(total) if raw.FPDFText_HasUnicodeMapError(textpage.raw, index))
    if unmapped < _UNMAPPED_MIN or unmapped < _UNMAPPED_SHARE * total:
        return None
    return f"page {number}: {unmapped} of {total} characters have no Unicode value (a damaged font?); its text is garbled or incomplete"


def file_warnings(data: bytes, document: Any, *, truncated: bool) -> list[str]:
    """Warnings on damage to the file as a whole. A truncated file has its own warning,
    which explains a rebuilt cross-reference table: that one is then not given."""
    warnings = []
    if not truncated and xref_rebuilt(document):
        warnings.append("the cross-reference table is damaged and was rebuilt; pages or text may be missing")
    damaged = damaged_streams(data)
    if damaged:
        shown = ", ".join(damaged[:10]) + (f" and {len(damaged) - 10} more" if len(damaged) > 10 else "")
        warnings.append(f"{len(damaged)} compressed stream(s) are damaged (object {shown}); text drawn from them is lost or cut short")
    return warnings
