"""Tables in PDFs: ruled cells read from the drawing, records placed in the page text, rows as metrics."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.fonts import FontFace

from conftest import CORPUS, REPO, SHARED_HINT
from corpus.render_pdf import find_font
from extractor import extract_file, load
from extractor.legacy import decode_bytes, encode_legacy


def table_pdf(path: Path, before: str, rows: list[list[str]], *, repeat_headings: int = 1, merged_header: bool = False) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(find_font()))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, before, new_x="LMARGIN", new_y="NEXT")
    plain = FontFace(emphasis="")
    with pdf.table(headings_style=plain, repeat_headings=repeat_headings, num_heading_rows=2 if merged_header else 1) as table:
        if merged_header:
            top = table.row()
            top.cell("Đơn vị")
            top.cell("Kết quả năm 2023", colspan=2)
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_year_by_year_results_become_cells_and_metrics() -> None:
    result = extract_file(CORPUS / "dev" / "thanh-hoa-bao-cao-cchc-2023.pdf")
    first_row = [(r.kind, r.surface, r.table, r.row, r.col) for r in result.records if r.table == 1 and r.row == 1]
    assert first_row == [("score", "79,52 điểm", 1, 1, 2), ("rank", "21/63", 1, 1, 3), ("rank_change", "+8", 1, 1, 4)]
    by_year = {m.year: (m.score, m.rank, m.rank_total, m.rank_change) for m in result.metrics if m.indicator == "PAR_INDEX"}
    assert by_year[2018] == (Decimal("79.52"), 21, 63, 8)
    assert by_year[2022] == (Decimal("86.05"), 17, 63, -6)
    pages = {p.number: p.text for p in load(CORPUS / "dev" / "thanh-hoa-bao-cao-cchc-2023.pdf").pages}
    for record in result.records:
        assert pages[record.page][record.start : record.end] == record.surface


def test_header_over_two_rows_with_a_merged_cell(tmp_path: Path) -> None:
    path = table_pdf(
        tmp_path / "huyen.pdf",
        "Kết quả Chỉ số CCHC năm 2023 của các huyện, thành phố tỉnh Lâm Đồng như sau:",
        [["Đơn vị", "Điểm (%)", "Xếp hạng"], ["Đà Lạt", "91,36", "1"], ["Bảo Lộc", "89,72", "2"], ["Đức Trọng", "88,90", "3"]],
        merged_header=True,
    )
    metrics = [(m.indicator, m.subject, m.year, m.score, m.unit, m.rank) for m in extract_file(path).metrics]
    assert metrics == [
        ("PAR_INDEX", "Đà Lạt", 2023, Decimal("91.36"), "%", 1),
        ("PAR_INDEX", "Bảo Lộc", 2023, Decimal("89.72"), "%", 2),
        ("PAR_INDEX", "Đức Trọng", 2023, Decimal("88.90"), "%", 3),
    ]


def test_a_table_split_across_two_pages_keeps_its_header(tmp_path: Path) -> None:
    rows = [["Tỉnh, thành phố", "Kết quả (%)", "Xếp hạng"]] + [[f"Địa phương {i}", f"{90 - i * 0.25:.2f}".replace(".", ","), str(i)] for i in range(1, 46)]
    path = table_pdf(tmp_path / "bang.pdf", "Chỉ số SIPAS năm 2023 của các địa phương:", rows, repeat_headings=0)
    result = extract_file(path)
    assert {r.page for r in result.records if r.kind == "rank" and r.table} == {1, 2}
    ranks = sorted(m.rank for m in result.metrics if m.indicator == "SIPAS")
    assert ranks == list(range(1, 46))


def test_a_plain_pdf_never_loads_pdfplumber() -> None:
    """A page without ruling lines costs nothing more than its text."""
    script = (
        "import sys; from extractor import load; "
        f"document = load({str(CORPUS / 'dev' / 'quang-tri-par-2023.pdf')!r}); "
        "print(document.pages[0].layout_tables, 'pdfplumber' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.split() == ["()", "False"]


TABLE_PDFS = sorted(p for p in (CORPUS / "dev").glob("*.pdf") if not p.name.endswith(".scan.pdf"))


def _plumber_rows(path: Path, pages: int | None = None) -> list[list[list[list[str | None]]]]:
    """pdfplumber's tables of the first ``pages`` pages (all by default), cells as texts."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        found = [[t.extract() for t in page.find_tables()] for page in pdf.pages[:pages]]
    return [[[[" ".join(c.split()) if c is not None else None for c in row] for row in t] for t in page if len(t[0]) >= 2] for page in found]


def _grid_rows(path: Path, pages: int | None = None) -> list[list[list[list[str | None]]]]:
    """The fast reader's tables of the same pages, cells as texts."""
    import pypdfium2 as pdfium

    from extractor.loaders.pdf_grid import read_grids

    document = pdfium.PdfDocument(path)
    found = []
    for index in range(len(document))[:pages]:
        page = document[index]
        textpage = page.get_textpage()
        grids = read_grids(page, textpage, textpage.get_text_range().replace("\ufffe", "-"))
        found.append([[[c.text if c is not None else None for c in row] for row in grid] for grid in grids])
    document.close()
    return found


@pytest.mark.parametrize("path", TABLE_PDFS, ids=lambda p: p.name)
def test_the_fast_reader_finds_the_tables_and_cells_pdfplumber_finds(path: Path) -> None:
    assert _grid_rows(path) == _plumber_rows(path)


def test_the_fast_reader_agrees_with_pdfplumber_on_a_real_reference_list(shared: Path) -> None:
    path = shared / "real-pdfs" / "p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    # Six pages: pdfplumber takes a tenth of a second a page here.
    assert _grid_rows(path, 6) == _plumber_rows(path, 6)


def test_references_in_the_cells_of_a_real_table_pdf(shared: Path) -> None:
    path = shared / "real-pdfs" / "p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    result = extract_file(path)
    refs = [r for r in result.records if r.kind == "legal_ref"]
    outside = [(r.page, r.symbol) for r in refs if r.table is None]
    # The one reference outside the table is the covering letter's, in the page heading.
    assert outside == [(1, "1043/BTP-QLXLVPHC&TDTHPL")]
    assert len(refs) >= 130
    # Page 2 goes on with page 1's table: its first row is the rest of a tall row, under
    # page 1's header (column 5 names the documents that detail a law).
    first = next(r for r in refs if r.page == 2)
    assert (first.symbol, first.table, first.row, first.col, first.issued) == ("33/2017/TT-BTNMT", 1, 1, 5, "2019-09-29")
    # No reference runs from one cell into the next ("Luật Đất đai" + the date it took
    # effect, in the column beside it).
    assert not [r.surface for r in refs if "Hiệu lực" in r.surface]
    pages = {p.number: p.text for p in load(path).pages}
    for record in result.records:
        assert pages[record.page][record.start : record.end] == record.surface
        assert record.cell_text is None  # every cell was placed in the page text


def test_a_record_does_not_run_from_one_cell_into_the_next(tmp_path: Path) -> None:
    path = table_pdf(
        tmp_path / "danh-muc.pdf",
        "Danh mục văn bản:",
        [["STT", "Tên văn bản", "Tình trạng hiệu lực"],
         ["1", "Luật Đất đai", "Hiệu lực thi hành từ ngày 01/7/2014"],
         ["2", "Nghị định số 43/2014/NĐ-CP", "Hiệu lực thi hành từ ngày 01/7/2014"]],
    )
    records = [(r.kind, r.surface, r.row, r.col) for r in extract_file(path).records if r.table]
    assert records == [
        ("date", "ngày 01/7/2014", 1, 3),
        ("legal_ref", "Nghị định số 43/2014/NĐ-CP", 2, 2),
        ("date", "ngày 01/7/2014", 2, 3),
    ]


def test_cells_of_a_legacy_font_table_are_converted_and_placed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    rows = [["Năm", "Kết quả (%)", "Xếp hạng"], ["2022", "86,05", "17/63"], ["2023", "89,22", "9/63"]]
    legacy = [[decode_bytes(encode_legacy(c, "vni")) for c in row] for row in rows]
    path = table_pdf(tmp_path / "vni.pdf", decode_bytes(encode_legacy("Chỉ số CCHC của tỉnh Quảng Trị:", "vni")), legacy)
    result = extract_file(path)
    assert "page 1: text layer in VNI; converted to Unicode" in result.warnings
    cells = [(r.kind, r.surface, r.row, r.col) for r in result.records if r.table]
    assert cells == [("percent", "86,05", 1, 2), ("rank", "17/63", 1, 3), ("percent", "89,22", 2, 2), ("rank", "9/63", 2, 3)]
    assert {m.year: m.rank for m in result.metrics} == {2022: 17, 2023: 9}


def test_the_caption_gives_the_year_not_the_base_year_of_a_change_column(tmp_path: Path) -> None:
    path = table_pdf(
        tmp_path / "top.pdf",
        "Bảng: các địa phương dẫn đầu Chỉ số CCHC năm 2021",
        [["Xếp hạng", "Địa phương", "Chỉ số CCHC (%)", "So với năm 2020 (bậc)"],
         ["1", "Quảng Ninh", "91,54", "0"], ["2", "Hải Phòng", "90,47", "+1"]],
    )
    metrics = [(m.indicator, m.subject, m.year, m.score, m.rank, m.rank_change, m.compared_to) for m in extract_file(path).metrics]
    assert metrics == [
        ("PAR_INDEX", "Quảng Ninh", 2021, Decimal("91.54"), 1, 0, 2020),
        ("PAR_INDEX", "Hải Phòng", 2021, Decimal("90.47"), 2, 1, 2020),
    ]


def test_a_cell_missing_from_the_page_text_is_read_alone_into_cell_text() -> None:
    from extractor.document import Page
    from extractor.recognize import recognize_page

    # The layout has a row the text layer lacks (text drawn as outlines, say).
    rows = [["Năm", "Kết quả", "Xếp hạng"], ["2022", "86,05%", "17/63"], ["2023", "89,22%", "9/63"]]
    page = Page.from_raw(1, "Kết quả:\nNăm Kết quả Xếp hạng\n2022 86,05% 17/63\n", None, [rows])
    records, _ = recognize_page(page.text, 1, tables=page.tables())
    placed = [(r.surface, r.row, r.col, r.cell_text) for r in records if r.cell_text is None and r.table]
    alone = [(r.kind, r.surface, r.start, r.end, r.row, r.col, r.cell_text) for r in records if r.cell_text is not None]
    assert placed == [("86,05%", 1, 2, None), ("17/63", 1, 3, None)]
    # "9/63" read alone is a ratio; in a rank column it is a rank.
    assert alone == [("rank", "9/63", 0, 4, 2, 3, "9/63"), ("percent", "89,22%", 0, 6, 2, 2, "89,22%")]
    for record in records:
        source = page.text if record.cell_text is None else record.cell_text
        assert source[record.start : record.end] == record.surface


def test_appendix_tables_of_a_real_decision(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared / "real-pdfs" / "p02_qd-1629-qd-ubnd-lai-chau-2025-tthc-khcn.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    monkeypatch.setenv("VN_REFORM_OCR", "off")  # pages 1-2 are scans; the tables are on 3-6
    refs = [(r.page, r.symbol, r.table, r.row, r.col) for r in extract_file(path).records if r.kind == "legal_ref" and r.page == 3]
    # The legal basis column (6) of the first procedure, the law cited by name and symbol included.
    assert refs[-4:] == [(3, "21/2008/QH12", 1, 1, 6), (3, "38/2020/QĐ-TTg", 1, 1, 6), (3, "33/2011/TT-BKHCN", 1, 1, 6), (3, "08/2025/TT-BKHCN", 1, 1, 6)]
