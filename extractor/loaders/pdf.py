"""The text layer of a PDF, page by page, with pypdfium2.

pypdfium2 reads a text layer about 60 times faster than pdfplumber's extract_text on
the same Vietnamese PDF; ruled tables are read from its drawing too (:mod:`.pdf_grid`). A page without a
text layer is kept (empty) and named in a warning, so page numbers stay those of the
file and nothing is silently lost. The position of each line's first and last
characters tells wrapped lines from real breaks (see :mod:`.pdf_layout`). Every
character's box is kept (:class:`~extractor.boxes.PageBoxes`, 16 bytes a character) to
place the records on the page; an OCR'd page keeps its words' boxes instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import regex

from .. import limits
from ..boxes import PageBoxes
from ..errors import InputError
from ..legacy import convert_layer
from ..normalize import LineBreak
from . import ocr
from .base import Loaded
from .pdf_damage import file_warnings, unmapped_warning
from .pdf_grid import RULING_PATHS, Grid, path_objects, read_grids, rebase
from .pdf_layout import LineBox, classify_breaks
from .pdf_tables import read_with_pdfplumber

# PDFium marks a hyphen at a line break it removed with U+FFFE. Vietnamese does not
# hyphenate syllables, so such a hyphen is a real one ("NĐ-CP", "kinh tế - xã hội").
_PDFIUM_LINE_HYPHEN = "\ufffe"
_LINE = regex.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_WORD = regex.compile(r"\S+")

# PDFium's load errors, in the words a user needs.
_LOAD_ERRORS = (
    ("password", "encrypted PDF: a password is needed to open it"),
    ("security", "encrypted PDF with a security scheme PDFium does not support"),
    ("format", "damaged or truncated PDF (PDFium could not parse it)"),
    ("file", "damaged PDF (PDFium could not read it)"),
)


def _load_error(message: str) -> str:
    lowered = message.lower()
    for key, reason in _LOAD_ERRORS:
        if key in lowered:
            return reason
    # PDFium gives some damaged files no error code at all: "(PDFium: Success)".
    return "damaged or truncated PDF (PDFium could not open it)"


def _line_boxes(textpage: Any, text: str) -> list[LineBox]:
    """Geometry of each line that ends in a line break; text index == PDFium char index."""
    boxes: list[LineBox] = []
    for line in _LINE.finditer(text):
        first_word = _WORD.search(text, line.start(), line.end())
        if first_word is None:
            continue
        last = line.start() + len(line.group().rstrip()) - 1
        left, _, _, _ = textpage.get_charbox(first_word.start())
        _, bottom, _, top = textpage.get_charbox(first_word.start(), loose=True)
        _, _, right, _ = textpage.get_charbox(last)
        _, _, word_right, _ = textpage.get_charbox(first_word.end() - 1)
        break_at = line.start() + len(line.group().rstrip("\r\n"))
        boxes.append(LineBox(break_at, left, right, bottom, top, word_right - left))
    return boxes


def _char_boxes(page: Any, textpage: Any, count: int) -> PageBoxes:
    """Every character's loose box (the font's full height, as a selection shows it:
    one height for a whole line, unlike the glyphs' own boxes)."""
    from pypdfium2 import raw

    rects = (raw.FS_RECTF * count)()
    get_box, handle = raw.FPDFText_GetLooseCharBox, textpage.raw
    # Straight to PDFium into one buffer: a character costs well under a microsecond,
    # against several for textpage.get_charbox and its four Python floats.
    for index in range(count):
        get_box(handle, index, rects[index])
    return PageBoxes.from_buffer(memoryview(rects).cast("B"), page.get_bbox(), page.get_rotation())


Layer = tuple[str, dict[int, LineBreak], list[Grid], bool, str | None, PageBoxes | None]


def _read_page(document: Any, index: int, tables: str) -> Layer:
    """A page's raw text, its layout hints, its ruled tables (``tables`` == "auto"),
    whether it is ruled at all (a page for pdfplumber in its mode), a warning when its
    characters lack Unicode values (a damaged font), and its characters' boxes."""
    page = document[index]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        unmapped = unmapped_warning(textpage, index + 1)
        # Geometry needs text offsets to be PDFium char indices; characters outside the
        # BMP (two UTF-16 units) would shift them, so such pages go without hints or boxes.
        aligned = len(text) == textpage.count_chars()
        hints = classify_breaks(_line_boxes(textpage, text)) if aligned else {}
        boxes = _char_boxes(page, textpage, len(text)) if aligned and text.strip() else None
        text = text.replace(_PDFIUM_LINE_HYPHEN, "-")  # one character for one: offsets stay
        paths = path_objects(page) if tables != "off" and text.strip() else []
        ruled = len(paths) >= RULING_PATHS
        grids = read_grids(page, textpage, text, paths) if ruled and aligned and tables == "auto" else []
    finally:
        textpage.close()
        page.close()
    return text, hints, grids, ruled, unmapped, boxes


def _pages_worth_ocr(document: Any, pages: list[str]) -> tuple[list[int], list[int]]:
    """The numbers of the pages to OCR: those with no text layer but something drawn, and
    the scans whose text layer is garbage. A blank page is not worth OCR, and only a
    scan's text layer is judged garbage."""
    import pypdfium2 as pdfium

    empty: list[int] = []
    unusable: list[int] = []
    for index, text in enumerate(pages):
        blank = not text.strip()
        if not blank and not ocr.is_unusable_text_layer(text):
            continue
        try:
            page = document[index]
        except pdfium.PdfiumError:
            continue  # a page that does not load was named when its text was read
        try:
            if blank and ocr.page_has_content(page):
                empty.append(index + 1)
            elif not blank and ocr.page_is_scanned(page):
                unusable.append(index + 1)
        finally:
            page.close()
    return empty, unusable


def _ocr_unreadable_pages(
    document: Any, pages: list[str], line_breaks: list[dict[int, LineBreak]], boxes: list[PageBoxes | None], warnings: list[str]
) -> list[int]:
    """OCR the pages whose text layer is empty or garbage (see :mod:`.ocr`); their numbers.

    Updates ``pages``, ``line_breaks`` (an OCR'd page has no layout hints), ``boxes``
    (the words' boxes Tesseract gives) and ``warnings`` in place: "page 3 has no text
    layer" becomes "page 3 was read by OCR".
    Pages whose result :func:`given_ocr` holds are not read again.
    """
    empty, unusable = _pages_worth_ocr(document, pages)
    if not empty and not unusable:
        return []

    reason = ocr.ocr_unavailable_reason()
    if reason is not None:
        warnings += [f"page {number} has an unusable text layer, kept as it is" for number in unusable]
        numbers = sorted(empty + unusable)
        listed = f"pages {', '.join(map(str, numbers))} need it" if len(numbers) > 1 else f"page {numbers[0]} needs it"
        warnings.append(f"{reason}, and {listed}")
        return []

    read: list[int] = []
    for number, result in _read_by_ocr(document, sorted(empty + unusable)).items():
        if isinstance(result, ocr.OcrError):
            note = f"OCR failed: {result}"
        elif not result.text.strip():
            note = "OCR found no text on it"
        else:
            pages[number - 1], line_breaks[number - 1] = result.text, {}
            boxes[number - 1] = PageBoxes.from_words(len(result.text), result.words, result.size)
            read.append(number)
            note = ""
        if number in unusable:
            warnings.append(f"page {number} has an unusable text layer; " + ("read by OCR" if not note else f"kept as it is ({note})"))
        else:
            warning = f"page {number} has no text layer"
            position = warnings.index(warning) if warning in warnings else len(warnings)
            warnings[position : position + 1] = [f"page {number} was read by OCR" if not note else f"{warning}; {note}"]
    return read


# Pages OCR'd elsewhere (a cluster's page tasks), by number: the loader uses them in
# place of running Tesseract on those pages. Set with :func:`given_ocr`.
_GIVEN_OCR: ContextVar[Mapping[int, ocr.OcrPage | ocr.OcrError] | None] = ContextVar("given_ocr", default=None)


@contextmanager
def given_ocr(results: Mapping[int, ocr.OcrPage | ocr.OcrError] | None) -> Iterator[None]:
    """Within this block, :func:`load_pdf` takes the OCR of page N from ``results[N]``
    (what :func:`~.ocr.ocr_page` gave for it) instead of reading it again."""
    token = _GIVEN_OCR.set(results)
    try:
        yield
    finally:
        _GIVEN_OCR.reset(token)


def _read_by_ocr(document: Any, numbers: list[int]) -> dict[int, ocr.OcrPage | ocr.OcrError]:
    """:func:`~.ocr.ocr_pages` of ``numbers``, but for the pages given by :func:`given_ocr`."""
    given = _GIVEN_OCR.get() or {}
    results = {number: given[number] for number in numbers if number in given}
    results.update(ocr.ocr_pages(document, [number for number in numbers if number not in given]))
    return {number: results[number] for number in sorted(results)}


def pages_to_ocr(data: bytes) -> list[int]:
    """The numbers of the pages :func:`load_pdf` would OCR in this PDF (the same rule, on
    the same text layers); [] when OCR is off or unavailable, or the file does not open.
    Cheap: no tables and no OCR, so a cluster can plan a scan's page tasks with it."""
    import pypdfium2 as pdfium

    if ocr.ocr_unavailable_reason() is not None:
        return []
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    try:
        if len(document) > limits.MAX_PAGES:
            return []
        unused: list[str] = []  # warnings: load_pdf gives them
        pages = [_page_layer(document, index, "off", unused)[0] for index in range(len(document))]
        empty, unusable = _pages_worth_ocr(document, pages)
    finally:
        document.close()
    return sorted(empty + unusable)


def load_pdf(data: bytes, name: str, *, tables: str = "auto") -> Loaded:
    """One raw page text per PDF page, numbered from 1 in file order, with the ruled
    tables of each page; ``tables`` says which reader reads them (see :mod:`.pdf_tables`)."""
    import pypdfium2 as pdfium  # imported here: commands that read no PDF start faster

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise InputError(name, _load_error(str(error))) from None
    if len(document) > limits.MAX_PAGES:
        count = len(document)
        document.close()
        raise InputError(name, f"PDF of {count:,} pages, over the limit of {limits.MAX_PAGES:,} pages")

    pages: list[str] = []
    line_breaks: list[dict[int, LineBreak]] = []
    boxes: list[PageBoxes | None] = []
    grids: list[list[Any]] = []  # per page, its tables: Grids (cells that know their span) or rows of cell texts
    ruled: list[int] = []
    truncated = b"%%EOF" not in data[-2048:]
    warnings: list[str] = file_warnings(data, document, truncated=truncated)
    damaged = bool(warnings) or truncated
    try:
        for index in range(len(document)):
            text, hints, page_grids, page_ruled, page_boxes = _page_layer(document, index, tables, warnings)
            pages.append(text)
            line_breaks.append(hints)
            boxes.append(page_boxes)
            grids.append(page_grids)
            if page_ruled:
                ruled.append(index)
        ocr_pages = _ocr_unreadable_pages(document, pages, line_breaks, boxes, warnings)
        for number in ocr_pages:  # a scan's layer is no table to read
            grids[number - 1] = []
    finally:
        document.close()
    if tables == "pdfplumber":
        for index, found in read_with_pdfplumber(data, [i for i in ruled if i + 1 not in ocr_pages]).items():
            grids[index] = found

    if not pages:
        raise InputError(name, "PDF without pages")
    if not any(text.strip() for text in pages):
        why = "the file is damaged" if damaged else "a scan?"
        warnings.append(f"no page has any text ({why}), so nothing can be extracted")
    if truncated:
        warnings.append(f"the file does not end with %%EOF and may be truncated; {len(pages)} page(s) were read")
    return Loaded(pages=pages, warnings=warnings, ocr_pages=ocr_pages, line_breaks=line_breaks, tables=grids, boxes=boxes)


def _page_layer(
    document: Any, index: int, tables: str, warnings: list[str]
) -> tuple[str, dict[int, LineBreak], list[Grid], bool, PageBoxes | None]:
    """A page's text layer, layout hints, ruled tables, whether it is ruled and its
    characters' boxes, its legacy font converted; what went wrong goes to ``warnings``."""
    import pypdfium2 as pdfium

    number = index + 1
    try:
        text, hints, page_grids, page_ruled, unmapped, boxes = _read_page(document, index, tables)
    except pdfium.PdfiumError as error:
        warnings.append(f"page {number} could not be read ({' '.join(str(error).split())}); it is kept empty")
        return "", {}, [], False, None
    if unmapped:
        warnings.append(unmapped)
    converted = convert_layer(text)  # a ".VnTime" or VNI font's layer
    if converted is not None:
        conversion, legacy = converted
        text, hints = conversion.text, {conversion.offset(at): hint for at, hint in hints.items()}
        page_grids = rebase(page_grids, text, conversion.offset)
        boxes = boxes.converted(conversion.starts) if boxes is not None else None
        warnings.append(f"page {number}: text layer in {legacy}; converted to Unicode")
    if not text.strip():
        warnings.append(f"page {number} has no text layer")
    return text, hints, page_grids, page_ruled, boxes
