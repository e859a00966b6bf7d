#!/usr/bin/env python3
"""Render a UTF-8 text document into a multi-page PDF with a real text layer.

    python corpus/render_pdf.py corpus/dev/quang-tri-par-2023.txt corpus/dev/quang-tri-par-2023.pdf

Each line of the input is a paragraph, wrapped to the page width and followed by a
little space, as a word processor sets it; a blank line adds a line of space. A paragraph that fits on a page is moved whole to the next page rather than
split, so that a PDF rendered from a text reads back as the same paragraphs. The font
must cover Vietnamese: DejaVu Sans from Debian's fonts-dejavu-core (installed by
`make setup`), or any TrueType font given with --font. The output is reproducible: the
same input and font give the same bytes.

Needs fpdf2 (the project's dev extra).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from extractor.tables import find_tables  # noqa: E402

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
# A fixed date keeps rendered corpus PDFs byte-for-byte reproducible.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Space after each paragraph, in lines, as word processors add ("spacing after").
PARAGRAPH_SPACING = 0.4


def find_font(explicit: str | None = None) -> Path:
    """The font file to use; raises FileNotFoundError with what to install."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"font {explicit} not found")
        return path
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    raise FileNotFoundError("DejaVu Sans not found: install Debian's fonts-dejavu-core (make setup does) or pass --font")


def render(text: str, font: Path, *, size: float = 11, user_password: str | None = None) -> bytes:
    """The PDF bytes of ``text``: A4, 20 mm margins, one paragraph per input line."""
    from fpdf import FPDF  # dev dependency, needed only here

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("vn-reform-extractor corpus/render_pdf.py")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", fname=str(font))
    pdf.set_font("DejaVu", size=size)
    if user_password:
        pdf.set_encryption(owner_password=user_password + "-owner", user_password=user_password)
    line_height = size * 0.5
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    pdf.add_page()
    if find_tables(text):
        _render_with_tables(pdf, text, line_height)
        return bytes(pdf.output())
    for paragraph in text.strip("\n").split("\n"):
        if not paragraph.strip():
            pdf.ln(line_height)
            continue
        lines = pdf.multi_cell(0, line_height, paragraph.strip(), align="L", dry_run=True, output="LINES")
        needed = len(lines) * line_height
        if needed <= usable and pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.multi_cell(0, line_height, paragraph.strip(), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(line_height * PARAGRAPH_SPACING)
    return bytes(pdf.output())


def _render_with_tables(pdf, text: str, line_height: float) -> None:  # noqa: ANN001 - an fpdf.FPDF
    """Paragraphs as text, tables as ruled tables (a table may run onto the next page)."""
    from fpdf.fonts import FontFace

    from corpus.render_web import blocks

    for kind, content in blocks(text):
        if kind == "table":
            plain = FontFace(emphasis="")  # headings in the regular face: the bold one is not loaded
            with pdf.table(text_align="LEFT", line_height=line_height * 1.2, headings_style=plain) as table:
                for cells in content:  # type: ignore[union-attr]
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
            pdf.ln(line_height * PARAGRAPH_SPACING)
        else:
            pdf.multi_cell(0, line_height, str(content), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(line_height * PARAGRAPH_SPACING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render a UTF-8 text file into a PDF with a text layer.")
    parser.add_argument("input", help="UTF-8 text file, one paragraph per line")
    parser.add_argument("output", help="PDF file to write")
    parser.add_argument("--font", help="TrueType font covering Vietnamese (default: DejaVu Sans)")
    parser.add_argument("--size", type=float, default=11, help="font size in points (default 11)")
    parser.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    args = parser.parse_args(argv)

    output = Path(args.output)
    if output.exists() and not args.force:
        print(f"error: {output}: already exists; use --force to overwrite it", file=sys.stderr)
        return 2
    try:
        text = Path(args.input).read_text(encoding="utf-8")
        font = find_font(args.font)
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: {args.input}: {error}", file=sys.stderr)
        return 2
    output.write_bytes(render(text, font, size=args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
