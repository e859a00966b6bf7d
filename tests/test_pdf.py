"""PDF text layers: pages, warnings, bad files, layout-aware line joining, real PDFs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, QUICKSTART_SAMPLE, REPO, SHARED_HINT
from corpus.render_pdf import find_font, render
from extractor import InputError, load
from extractor.loaders.pdf_layout import LineBox, classify_breaks

HEADER = re.compile(r"^=== page (\d+)/(\d+) · .* ===$", re.M)


@pytest.fixture(autouse=True)
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module is about text layers (and stays fast); OCR is tested in test_ocr.py."""
    monkeypatch.setenv("VN_REFORM_OCR", "off")


def rendered(tmp_path: Path, text: str, name: str = "rendered.pdf", **options) -> Path:
    path = tmp_path / name
    path.write_bytes(render(text, find_font(), **options))
    return path


def cli_text(path: Path) -> list[str]:
    """Page texts as `cli.py text` prints them, split at its page headers."""
    result = subprocess.run(
        [sys.executable, "cli.py", "text", str(path)], cwd=REPO, capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 0, result.stderr
    parts = HEADER.split(result.stdout)
    assert parts[0] == ""
    numbers, totals, texts = parts[1::3], parts[2::3], parts[3::3]
    assert numbers == [str(n) for n in range(1, len(texts) + 1)] and set(totals) == {str(len(texts))}
    return [t.removeprefix("\n").removesuffix("\n") for t in texts]


def test_our_sample_rendered_to_pdf_reads_back_as_the_same_text(tmp_path: Path) -> None:
    expected = load(QUICKSTART_SAMPLE).pages[0].text
    document = load(rendered(tmp_path, expected))
    assert document.format == "pdf" and document.encoding is None and document.warnings == []
    assert "\n".join(page.text for page in document.pages) == expected


def test_committed_corpus_pdf_matches_its_text() -> None:
    pdf = load(CORPUS / "dev" / "quang-tri-par-2023.pdf")
    assert [page.number for page in pdf.pages] == [1]
    assert pdf.pages[0].text == load(QUICKSTART_SAMPLE).pages[0].text


def test_real_press_release_rendered_to_pdf_gives_the_same_text(tmp_path: Path, press_release: Path) -> None:
    """`cli.py text` on the PDF equals `cli.py text` on the .txt: wrapping undone."""
    (txt_text,) = cli_text(press_release)
    pdf_pages = cli_text(rendered(tmp_path, txt_text, "dien-bien.pdf"))
    assert len(pdf_pages) == 3
    assert "\n".join(pdf_pages) == txt_text
    # Lines the renderer wrapped after ";" and before "- 2020" are joined back.
    assert "ban, ngành; Huyện ủy, UBND các huyện" in txt_text
    assert "giai đoạn 2011 - 2020, định hướng" in pdf_pages[0]


def test_a_page_without_text_layer_is_kept_and_named(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(find_font()))
    pdf.set_font("DejaVu", size=12)
    for text in ("Trang một: Chỉ số CCHC đạt 81,42 điểm.", None, "Trang ba."):
        pdf.add_page()
        if text:
            pdf.cell(0, 10, text)
    path = tmp_path / "blank-page.pdf"
    path.write_bytes(bytes(pdf.output()))
    document = load(path)
    assert [page.text for page in document.pages] == ["Trang một: Chỉ số CCHC đạt 81,42 điểm.", "", "Trang ba."]
    assert document.warnings == ["page 2 has no text layer"]


def test_truncated_pdf_is_a_one_line_error(tmp_path: Path) -> None:
    data = rendered(tmp_path, "Chỉ số CCHC năm 2019 đạt 81,42 điểm.").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as caught:
        load(cut)
    assert str(caught.value) == f"{cut}: damaged or truncated PDF (PDFium could not parse it)"


def test_a_pdf_missing_only_its_end_marker_loads_with_a_warning(tmp_path: Path) -> None:
    data = rendered(tmp_path, "Chỉ số CCHC năm 2019 đạt 81,42 điểm.").read_bytes()
    path = tmp_path / "no-eof.pdf"
    path.write_bytes(data[: data.rindex(b"%%EOF")])
    document = load(path)
    assert document.pages[0].text == "Chỉ số CCHC năm 2019 đạt 81,42 điểm."
    assert document.warnings == ["the file does not end with %%EOF and may be truncated; 1 page(s) were read"]


def test_encrypted_pdf_needs_a_password(tmp_path: Path) -> None:
    path = rendered(tmp_path, "Bí mật.", "locked.pdf", user_password="mat-khau")
    with pytest.raises(InputError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: encrypted PDF: a password is needed to open it"


def test_pdf_with_only_an_owner_password_opens(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="chu-so-huu")
    pdf.add_font("DejaVu", fname=str(find_font()))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "Quyết định số 510/QĐ-UBND")
    path = tmp_path / "restricted.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert load(path).pages[0].text == "Quyết định số 510/QĐ-UBND"


def box(break_at: int, left: float, right: float, bottom: float, word: float = 20) -> LineBox:
    return LineBox(break_at, left, right, bottom, bottom + 12, word)


def test_layout_hints_wrap_break_and_paragraph() -> None:
    lines = [
        box(1, 300, 560, 714),  # a right-hand header column, beside the line after it
        box(2, 72, 520, 714),  # body line ending at the margin: the next word did not fit
        box(3, 72, 510, 700),  # ends 10 points short, but a 20-point word would not fit
        box(4, 72, 300, 686),  # ends early: the next line's first word would have fitted
        box(5, 72, 519, 672),  # followed by a blank line's worth of space
        box(6, 72, 200, 640),  # followed by a little extra space: spacing after a paragraph
        box(7, 72, 400, 622),
        box(8, 72, 400, 608),
    ]
    # Line 1 is beside line 2 (no claim) and does not count as the body's right margin (520).
    assert classify_breaks(lines) == {2: "wrap", 3: "wrap", 4: "break", 5: "paragraph", 6: "break", 7: "break"}


def test_layout_hints_need_two_lines() -> None:
    assert classify_breaks([box(1, 72, 500, 700)]) == {}


REAL_PDFS = {
    "p01_qd-2093-qd-byt-2025-tthc-phong-benh.pdf": 170,
    "p02_qd-1629-qd-ubnd-lai-chau-2025-tthc-khcn.pdf": 6,
    "p03_qd-2858-qd-ubnd-ha-noi-2025-quy-hoach.pdf": 8,
    "p04_nq-33-2022-nq-hdnd-cao-bang.pdf": 4,
    "p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf": 52,
    "p06_kh-ubnd-bim-son-2024-bmnn.pdf": 6,
    "p07_qd-ubnd-tt-ngai-giao-2024-phan-cong.pdf": 2,
    "p08_stp-tphcm-2021-scan-garbled-ocr.pdf": 2,
    "p09_ct-11-2025-scan-no-text.pdf": 8,
    "p10_qd-1360-qd-ttg-2025-scan-no-text.pdf": 2,
    "p11_qd-1380-qd-ttg-2025-scan-no-text.pdf": 13,
    "p12_scan-2021-no-text.pdf": 5,
}


def real_pdf(shared: Path, name: str) -> Path:
    path = shared / "real-pdfs" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    return path


@pytest.mark.parametrize(("name", "pages"), REAL_PDFS.items(), ids=[n[:3] for n in REAL_PDFS])
def test_every_real_pdf_loads(shared: Path, name: str, pages: int) -> None:
    document = load(real_pdf(shared, name))
    assert len(document.pages) == pages
    assert [page.number for page in document.pages] == list(range(1, pages + 1))
    for page in document.pages:
        assert "\ufffe" not in page.text
    empty = [page.number for page in document.pages if not page.text]
    assert [f"page {n} has no text layer" for n in empty] == [w for w in document.warnings if w.endswith("no text layer")]


def test_scans_say_that_no_page_has_text(shared: Path) -> None:
    document = load(real_pdf(shared, "p10_qd-1360-qd-ttg-2025-scan-no-text.pdf"))
    assert document.warnings == [
        "page 1 has no text layer",
        "page 2 has no text layer",
        "OCR is turned off (VN_REFORM_OCR=off), and pages 1, 2 need it",
        "no page has any text (a scan?), so nothing can be extracted",
    ]


def test_mixed_pdf_names_its_pages_without_text(shared: Path) -> None:
    document = load(real_pdf(shared, "p02_qd-1629-qd-ubnd-lai-chau-2025-tthc-khcn.pdf"))
    assert document.warnings == [
        "page 1 has no text layer", "page 2 has no text layer", "OCR is turned off (VN_REFORM_OCR=off), and pages 1, 2 need it"
    ]
    assert all(page.text for page in document.pages[2:])


def test_real_decree_text_layer(shared: Path) -> None:
    first = load(real_pdf(shared, "p04_nq-33-2022-nq-hdnd-cao-bang.pdf")).pages[0].text
    assert "Số: 33/2022/NQ-HĐND Cao Bằng, ngày 15 tháng 7 năm 2022" in first
    # Justified lines are joined even where a line ends before a date's number...
    assert "Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;\nCăn cứ Luật Ban hành" in first
    # ...and each "Căn cứ" paragraph stays on its own line.
    assert "\nCăn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;\nCăn cứ Luật Phí và lệ phí" in first


def test_pdfium_line_hyphen_becomes_a_hyphen(shared: Path) -> None:
    text = load(real_pdf(shared, "p01_qd-2093-qd-byt-2025-tthc-phong-benh.pdf")).text
    assert "148/2025/NĐ-CP ngày 12/6/2025" in text


def test_cli_extract_reads_every_real_pdf(shared: Path) -> None:
    paths = [str(real_pdf(shared, name)) for name in REAL_PDFS]
    result = subprocess.run(
        [sys.executable, "cli.py", "extract", "-q", "--format", "jsonl", *paths],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    import json

    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert [(s["path"], s["format"], s["pages"]) for s in sources] == [(p, "pdf", n) for p, n in zip(paths, REAL_PDFS.values())]
