"""PDF pages as images on a review page, with each record's boxes drawn over them.

A page is rendered by PDFium at a moderate scale and stored as a 32-colour PNG in a
``data:`` URI: text stays sharp (no JPEG ringing around glyphs) and a page weighs about
50-100 KB. Boxes are placed in percent of the page's size in points, so they stay on
their words whatever size the browser draws the image at.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .review_marks import esc, record_title

RENDER_SCALE = 1.5  # 108 dpi: an A4 page is 893 px wide, small print still legible
DISPLAY_SCALE = 1.2  # CSS pixels per PDF point of the shown page (at most the column's width)
PALETTE_COLOURS = 32
MAX_IMAGE_PAGES = 60  # past this, the first pages only: a review page must still open
MAX_IMAGE_BYTES = 12_000_000  # and no more than this of images in all


@dataclass
class PageImages:
    """The ``page-box`` HTML of each rendered page, and why others have none."""

    boxes: dict[int, str] = field(default_factory=dict)
    note: str | None = None


def render_page_images(pdf: bytes, page_numbers: Sequence[int], records: Iterable[Any]) -> PageImages:
    """Render the pages numbered ``page_numbers`` (1-based) of ``pdf`` with their records' boxes."""
    import pypdfium2 as pdfium  # only review pages of PDFs need it loaded

    by_page: dict[int, list[Any]] = {}
    for record in records:
        if getattr(record, "bbox", None):
            by_page.setdefault(record.page, []).append(record)
    result = PageImages()
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        result.note = f"The PDF could not be opened to draw its pages ({error})."
        return result
    try:
        _render_all(document, page_numbers, by_page, result)
    finally:
        document.close()
    return result


def _render_all(document: Any, page_numbers: Sequence[int], by_page: dict[int, list[Any]], result: PageImages) -> None:
    import pypdfium2 as pdfium

    wanted = [n for n in page_numbers if 1 <= n <= len(document)]
    notes = [f"The PDF has {len(document)} pages; the others are shown as text only."] if len(wanted) < len(page_numbers) else []
    spent, failed = 0, []
    for count, number in enumerate(wanted):
        if count >= MAX_IMAGE_PAGES or spent >= MAX_IMAGE_BYTES:
            notes.append(f"Page images are shown for the first {count} of {len(wanted)} pages only, to keep this file "
                         "small enough to open; the text of every page is below.")
            break
        page = document[number - 1]
        try:
            width, height = page.get_size()
            image = _png(page)
        except pdfium.PdfiumError:  # one damaged page: the others are still drawn
            failed.append(number)
            continue
        finally:
            page.close()
        spent += len(image)
        result.boxes[number] = _page_box(number, image, width, height, by_page.get(number, []))
    if failed:
        notes.append(f"PDFium could not draw page(s) {', '.join(map(str, failed))}.")
    result.note = " ".join(notes) or None


def _png(page: Any) -> bytes:
    from PIL import Image

    bitmap = page.render(scale=RENDER_SCALE)
    image = bitmap.to_pil().quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _page_box(number: int, image: bytes, width: float, height: float, records: Sequence[Any]) -> str:
    uri = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    boxes = "".join(_box(record, box, width, height) for record in records for box in record.bbox)
    return (f'<div class="page-box" data-page="{number}" style="position: relative; width: {round(width * DISPLAY_SCALE)}px">'
            f'<img class="page-image" data-page="{number}" src="{uri}" alt="page {number} as printed" '
            f'width="{round(width * DISPLAY_SCALE)}" height="{round(height * DISPLAY_SCALE)}">{boxes}</div>')


def _percent(value: float, whole: float) -> float:
    return round(min(max(value / whole * 100, 0.0), 100.0), 3) if whole > 0 else 0.0


def box_style(box: Sequence[float], width: float, height: float) -> str:
    """CSS placing ``box`` ([x0, top, x1, bottom] in points from the top-left) on a page of that size.

    >>> box_style([59.5, 84.2, 119.0, 96.8], 595.0, 842.0)
    'left: 10.0%; top: 10.0%; width: 10.0%; height: 1.496%'
    """
    x0, top, x1, bottom = box
    left, upper = _percent(x0, width), _percent(top, height)
    return (f"left: {left}%; top: {upper}%; width: {round(_percent(x1, width) - left, 3)}%; "
            f"height: {round(_percent(bottom, height) - upper, 3)}%")


def _box(record: Any, box: Sequence[float], width: float, height: float) -> str:
    rid = esc(record.id)
    return (f'<a class="box k-{esc(record.kind)}" href="#{rid}" data-box-for="{rid}" title="{esc(record_title(record))}" '
            f'style="position: absolute; {box_style(box, width, height)}"></a>')
