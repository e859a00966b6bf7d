"""OCR of PDF pages without a usable text layer: Tesseract's Vietnamese model, garbage layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, SHARED_HINT
from corpus.render_pdf import find_font
from extractor import Extraction, extract_file, load
from extractor.loaders import ocr

NO_TESSERACT = f"Tesseract with its Vietnamese model is not installed ({ocr.INSTALL_HINT})"
needs_tesseract = pytest.mark.skipif(not ocr.tesseract_available(), reason=NO_TESSERACT)

QUANG_TRI = CORPUS / "dev" / "quang-tri-par-2023.pdf"
CLEAN_REAL_PDFS = [
    "p01_qd-2093-qd-byt-2025-tthc-phong-benh.pdf",
    "p02_qd-1629-qd-ubnd-lai-chau-2025-tthc-khcn.pdf",
    "p03_qd-2858-qd-ubnd-ha-noi-2025-quy-hoach.pdf",
    "p04_nq-33-2022-nq-hdnd-cao-bang.pdf",
    "p05_btp-cv-1043-2021-danh-muc-vbqppl.pdf",
    "p06_kh-ubnd-bim-son-2024-bmnn.pdf",
    "p07_qd-ubnd-tt-ngai-giao-2024-phan-cong.pdf",
]
GARBLED = "p08_stp-tphcm-2021-scan-garbled-ocr.pdf"
SCAN = "p10_qd-1360-qd-ttg-2025-scan-no-text.pdf"


@pytest.fixture(autouse=True)
def ocr_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VN_REFORM_OCR", raising=False)


def real_pdf(shared: Path, name: str) -> Path:
    path = shared / "real-pdfs" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    return path


def image_only_pdf(path: Path, dpi: int = 300) -> bytes:
    """A scan of a PDF: each page rendered by pypdfium2, rebuilt as a page that is one image."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    document = pdfium.PdfDocument(path)
    pdf = FPDF(unit="pt")
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        pdf.add_page(format=(width, height))
        pdf.image(page.render(scale=dpi / 72, grayscale=True).to_pil(), x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def quang_tri_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "quang-tri-par-2023-scan.pdf"
    path.write_bytes(image_only_pdf(QUANG_TRI))
    return path


def text_layers(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]


def loaded_layers(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each page's text layer as the loader judges it (after any legacy-font conversion)."""
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    return [page.raw_text for page in load(path).pages]


def symbols(result: Extraction) -> set[str]:
    return {r.symbol for r in result.records if r.kind == "legal_ref" and r.symbol}


def scores_and_percents(result: Extraction) -> set[tuple[str, float]]:
    return {(r.kind, r.value) for r in result.records if r.kind in ("score", "percent")}


# --- garbage detection (no Tesseract needed) ------------------------------------------


def test_the_garbled_layer_of_a_scan_is_unusable() -> None:
    assert ocr.is_unusable_text_layer("CQNG HOA XA HQI CHU NGHIA VIPT NAM\nDQc l$p - Tg do - tlSnh phric\n" * 3)
    assert not ocr.is_unusable_text_layer("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" * 3)
    # Too few words to judge: kept.
    assert not ocr.is_unusable_text_layer("DQc l$p - Tg do")


def test_symbols_numbers_and_abbreviations_are_not_junk() -> None:
    stats = ocr.text_layer_stats("Quyết định số 18/2022/QĐ-TTg ngày 02/8/2022 của UBND tỉnh Gia Lai, HĐND và TP.HCM: 81,42 điểm.")
    assert (stats.syllables, stats.marked, stats.junk) == (10, 8, 0)


def test_real_garbled_layer_is_detected(shared: Path) -> None:
    layers = text_layers(real_pdf(shared, GARBLED))
    assert "CQNG HOA XA HQI" in layers[0]
    assert [ocr.is_unusable_text_layer(text) for text in layers] == [True, True]


def test_clean_corpus_pdfs_are_never_judged_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(CORPUS.glob("*/*.pdf"))
    assert len(paths) >= 20
    judged = [
        (path.name, number)
        for path in paths
        for number, text in enumerate(loaded_layers(path, monkeypatch), 1)
        if ocr.is_unusable_text_layer(text)
    ]
    assert judged == []


@pytest.mark.parametrize("name", CLEAN_REAL_PDFS, ids=[n[:3] for n in CLEAN_REAL_PDFS])
def test_clean_real_pdfs_are_never_judged_garbage(shared: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    layers = loaded_layers(real_pdf(shared, name), monkeypatch)
    assert sum(1 for text in layers if text.strip()) >= len(layers) - 2  # p02 has two pages of outlines
    assert [number for number, text in enumerate(layers, 1) if ocr.is_unusable_text_layer(text)] == []


# --- OCR ---------------------------------------------------------------------------------


@needs_tesseract
def test_a_scan_of_a_corpus_pdf_gives_the_same_references_and_scores(quang_tri_scan: Path) -> None:
    original = extract_file(QUANG_TRI)
    scan = extract_file(quang_tri_scan, include_text=True)
    assert text_layers(quang_tri_scan) == [""]
    assert scan.source.ocr_pages == [1] and original.source.ocr_pages == []
    assert "page 1 was read by OCR" in scan.warnings
    assert symbols(scan) == symbols(original) and len(symbols(original)) >= 2
    assert scores_and_percents(scan) == scores_and_percents(original) and len(scores_and_percents(original)) >= 4
    key = lambda m: (m.indicator, m.subject, m.year, m.score, m.rank, m.rank_change)  # noqa: E731
    assert sorted(map(key, scan.metrics)) == sorted(map(key, original.metrics))
    # Records on OCR'd pages say so, and their offsets index the OCR'd text.
    assert scan.records and all(r.ocr for r in scan.records) and not any(r.ocr for r in original.records)
    text = scan.pages[0].text
    assert all(text[r.start : r.end] == r.surface for r in scan.records)


@needs_tesseract
def test_a_real_scan_yields_its_symbols(shared: Path) -> None:
    result = extract_file(real_pdf(shared, SCAN))
    assert result.source.ocr_pages == [1, 2]
    assert result.warnings[:2] == ["page 1 was read by OCR", "page 2 was read by OCR"]
    assert {"1360/QĐ-TTg", "18/2022/QĐ-TTg", "321/QĐ-TTg", "03/2024/QĐ-TTg"} <= symbols(result)


@needs_tesseract
def test_a_garbled_text_layer_is_replaced_by_ocr(shared: Path) -> None:
    result = extract_file(real_pdf(shared, GARBLED), include_text=True)
    assert result.source.ocr_pages == [1, 2]
    assert result.warnings[:2] == [
        "page 1 has an unusable text layer; read by OCR",
        "page 2 has an unusable text layer; read by OCR",
    ]
    first = result.pages[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "CQNG" not in first
    assert {"222/QĐ-BTP", "55/2019/NĐ-CP"} <= symbols(result)


@needs_tesseract
def test_ocr_of_a_page_is_bounded_in_time(quang_tri_scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "TIMEOUT", 0.01)
    document = load(quang_tri_scan)
    assert document.ocr_pages == [] and document.pages[0].text == ""
    assert document.warnings == [
        "page 1 has no text layer; OCR failed: Tesseract ran out of time (0.01 s)",
        "no page has any text (a scan?), so nothing can be extracted",
    ]


@needs_tesseract
def test_a_blank_page_is_not_worth_ocr(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(find_font()))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "Chỉ số CCHC đạt 81,42 điểm.")
    pdf.add_page()
    path = tmp_path / "blank.pdf"
    path.write_bytes(bytes(pdf.output()))
    document = load(path)
    assert document.ocr_pages == [] and document.warnings == ["page 2 has no text layer"]


# --- without Tesseract ------------------------------------------------------------------


def test_without_tesseract_a_scan_loads_with_a_clear_warning(quang_tri_scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    result = extract_file(quang_tri_scan)
    assert result.source.ocr_pages == [] and result.records == []
    assert result.warnings[:3] == [
        "page 1 has no text layer",
        f"OCR is not available: {NO_TESSERACT}, and page 1 needs it",
        "no page has any text (a scan?), so nothing can be extracted",
    ]


def test_without_tesseract_a_garbled_layer_is_kept_and_named(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    document = load(real_pdf(shared, GARBLED))
    assert document.ocr_pages == [] and "CQNG HOA XA HQI" in document.pages[0].text
    assert document.warnings == [
        "page 1 has an unusable text layer, kept as it is",
        "page 2 has an unusable text layer, kept as it is",
        f"OCR is not available: {NO_TESSERACT}, and pages 1, 2 need it",
    ]


def test_ocr_can_be_turned_off(quang_tri_scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")
    document = load(quang_tri_scan)
    assert document.ocr_pages == []
    assert "OCR is turned off (VN_REFORM_OCR=off), and page 1 needs it" in document.warnings
