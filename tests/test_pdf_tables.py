"""Tables in PDFs: cells read with pdfplumber, records placed in the page text, rows as metrics."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.fonts import FontFace

import extractor.loaders.pdf as pdf_loader
from conftest import CORPUS
from corpus.render_pdf import find_font
from extractor import extract_file, load


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


def test_plain_pdfs_never_open_pdfplumber(monkeypatch) -> None:
    def refuse(data: bytes, indices: list[int]) -> dict:
        assert indices == [], "pdfplumber opened on a page without a table"
        return {}

    monkeypatch.setattr(pdf_loader, "read_tables", refuse)
    assert load(CORPUS / "dev" / "quang-tri-par-2023.pdf").pages[0].layout_tables == ()


def test_references_in_the_cells_of_a_real_table_pdf(shared: Path) -> None:
    path = shared / "real-pdfs" / "p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    refs = [r for r in extract_file(path, tables="all").records if r.kind == "legal_ref"]
    in_cells = [r for r in refs if r.table is not None]
    assert len(refs) >= 150 and len(in_cells) >= 15  # cells pdfplumber and PDFium split alike
    assert "01/2017/NĐ-CP" in {r.symbol for r in in_cells}
