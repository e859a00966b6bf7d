"""Boxes on PDF pages: records read from a text layer or by OCR know where they are drawn."""

from __future__ import annotations

import io
from array import array
from pathlib import Path

import pytest

from corpus.render_pdf import find_font
from extractor import extract_file, extract_text
from extractor.boxes import PageBoxes
from extractor.loaders import ocr

SIZE = 12  # points
LEFT, TOP, WIDTH = 72.0, 100.0, 300.0
PARAGRAPH = (
    "Năm 2023, tỷ lệ hồ sơ giải quyết đúng hạn của tỉnh đạt 85,12% và Chỉ số cải cách hành chính "
    "của tỉnh xếp thứ 10/63 tỉnh, thành phố. Kế hoạch thực hiện theo Nghị định số 61/2018/NĐ-CP "
    "ngày 23/4/2018 của Chính phủ."
)
# fpdf2 wraps the paragraph in a 300 pt column so that the legal reference runs from the
# end of one line onto the next.
WRAPPED = "Nghị định số 61/2018/NĐ-CP ngày 23/4/2018"
TOLERANCE = 1.0  # points


def paragraph_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(find_font()))
    pdf.set_font("DejaVu", size=SIZE)
    pdf.c_margin = 0  # no cell padding: each line starts at LEFT
    pdf.set_xy(LEFT, TOP)
    pdf.multi_cell(WIDTH, SIZE * 1.4, PARAGRAPH, align="L")
    return bytes(pdf.output())


def image_only(data: bytes, dpi: int = 300) -> bytes:
    """The PDF as a scan: its page rendered and put back as one image filling the page."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    page = pdfium.PdfDocument(data)[0]
    width, height = page.get_size()
    pdf = FPDF(unit="pt")
    pdf.add_page(format=(width, height))
    pdf.image(page.render(scale=dpi / 72, grayscale=True).to_pil(), x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


def plumber_lines(data: bytes, surface: str) -> list[list[float]]:
    """pdfplumber's boxes of ``surface``'s visible characters, one per line."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as document:
        chars = [c for c in document.pages[0].chars if not c["text"].isspace()]
    visible = "".join(c["text"] for c in chars)
    at = visible.index(surface.replace(" ", ""))
    lines: dict[float, list[float]] = {}
    for char in chars[at : at + len(surface.replace(" ", ""))]:
        box = lines.setdefault(round(char["bottom"], 1), [char["x0"], char["top"], char["x1"], char["bottom"]])
        box[:] = [min(box[0], char["x0"]), min(box[1], char["top"]), max(box[2], char["x1"]), max(box[3], char["bottom"])]
    return list(lines.values())


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("boxes") / "paragraph.pdf"
    path.write_bytes(paragraph_pdf())
    return path


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")


def by_surface(path: Path) -> dict[str, list[list[float]] | None]:
    return {record.surface: record.bbox for record in extract_file(path).records}


def assert_matches_plumber(bbox: list[list[float]] | None, expected: list[list[float]]) -> None:
    """x and bottom within 1 pt of pdfplumber's; PDFium's loose box reaches the font's
    ascent (0.928 em in DejaVu Sans), pdfplumber's em box 0.764 em: 2 pt higher at 12 pt."""
    assert bbox is not None and len(bbox) == len(expected)
    for (x0, top, x1, bottom), (e_x0, e_top, e_x1, e_bottom) in zip(bbox, expected):
        assert abs(x0 - e_x0) <= TOLERANCE and abs(x1 - e_x1) <= TOLERANCE and abs(bottom - e_bottom) <= TOLERANCE
        assert abs(top - (e_top - (0.928 - 0.764) * SIZE)) <= TOLERANCE


def test_text_layer_records_carry_the_boxes_of_their_characters(pdf_path: Path, no_ocr: None) -> None:
    data = pdf_path.read_bytes()
    boxes = by_surface(pdf_path)
    assert set(boxes) == {"85,12%", "xếp thứ 10/63", WRAPPED, "ngày 23/4/2018"}
    for surface in ("85,12%", "xếp thứ 10/63", WRAPPED, "ngày 23/4/2018"):
        assert_matches_plumber(boxes[surface], plumber_lines(data, surface))
    # Where fpdf2 put them: a wrapped record has one box per line, the second starting
    # at the column's left edge, one line pitch lower.
    first, second = boxes[WRAPPED] or []
    assert abs(second[0] - LEFT) <= TOLERANCE and abs((second[3] - first[3]) - SIZE * 1.4) <= TOLERANCE
    assert second[0] < first[0] and first[2] <= LEFT + WIDTH


def test_percent_box_starts_where_fpdf2_placed_the_number(pdf_path: Path, no_ocr: None) -> None:
    from fpdf import FPDF

    measure = FPDF(unit="pt")
    measure.add_font("DejaVu", fname=str(find_font()))
    measure.set_font("DejaVu", size=SIZE)
    line = plumber_lines(pdf_path.read_bytes(), "85,12%")[0]
    (box,) = by_surface(pdf_path)["85,12%"] or []
    assert abs((box[2] - box[0]) - measure.get_string_width("85,12%")) <= TOLERANCE
    assert abs(box[0] - line[0]) <= TOLERANCE


def test_records_of_text_formats_have_no_box(tmp_path: Path) -> None:
    path = tmp_path / "paragraph.txt"
    path.write_text(PARAGRAPH, encoding="utf-8")
    records = extract_file(path).records
    assert len(records) == 4 and all(record.bbox is None for record in records)
    assert all(record.bbox is None for record in extract_text(PARAGRAPH).records)
    assert extract_text(PARAGRAPH).to_jsonable()["records"][0]["bbox"] is None  # present, null


@pytest.mark.skipif(not ocr.tesseract_available(), reason="Tesseract with its Vietnamese model is not installed")
def test_ocr_records_carry_the_boxes_of_tesseracts_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VN_REFORM_OCR", raising=False)
    text_layer = paragraph_pdf()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_only(text_layer))
    result = extract_file(scan)
    assert result.source.ocr_pages == [1]
    boxes = {record.surface: record.bbox for record in result.records}
    for surface in ("85,12%", "xếp thứ 10/63", WRAPPED):
        words, drawn = boxes[surface] or [], plumber_lines(text_layer, surface)
        # Tesseract boxes the ink: within a few points of where the glyphs are drawn,
        # one box per line.
        assert len(words) == len(drawn) == (2 if surface == WRAPPED else 1)
        for word, glyphs in zip(words, drawn):
            assert all(abs(a - b) <= 3 for a, b in zip(word, glyphs)), (surface, word, glyphs)


def test_ocr_is_off_so_a_scan_has_no_boxes(tmp_path: Path, no_ocr: None) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_only(paragraph_pdf()))
    assert extract_file(scan).records == []


def test_boxes_follow_the_page_rotation() -> None:
    """A page turned 90° clockwise shows its left edge on top: (x, y) lands at
    (y - bottom, x - left) of the crop box."""
    rects = array("f", [100, 520, 160, 500])  # left, top, right, bottom (y up)
    boxes = PageBoxes(rects, (0.0, 0.0, 600.0, 800.0), 90)
    assert boxes.line_boxes("x", 0, 1) == [[500.0, 100.0, 520.0, 160.0]]
    upright = PageBoxes(rects, (0.0, 0.0, 600.0, 800.0), 0)
    assert upright.line_boxes("x", 0, 1) == [[100.0, 280.0, 160.0, 300.0]]
    assert upright.line_boxes(" ", 0, 1) == []  # whitespace has no box
