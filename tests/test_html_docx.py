"""Web pages and Word files give the same records as the same text in a .txt file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS
from corpus.render_web import render_docx, render_html
from extractor import InputError, extract_file, load
from extractor.gold import KEY_FIELDS

SOURCE = CORPUS / "dev" / "lam-dong-chi-so-cchc-so-nganh-huyen-2024.txt"  # prose and two tables


def same_content(path: Path) -> list[tuple]:
    """Records as a reader compares them: kind, surface, key values, table place; no offsets."""
    return sorted(
        (r.kind, r.surface, tuple(str(getattr(r, k, None)) for k in KEY_FIELDS[r.kind]), r.row, r.col)
        for r in extract_file(path).records
    )


@pytest.fixture(scope="module")
def text() -> str:
    return load(SOURCE).pages[0].text


def test_web_page_gives_the_records_of_the_text(tmp_path: Path, text: str) -> None:
    page = tmp_path / "tin-bai.html"
    page.write_text(render_html(text), encoding="utf-8")
    assert same_content(page) == same_content(SOURCE)
    result = extract_file(page)
    assert (result.source.format, result.source.published, result.source.author) == ("html", "2024-04-18", "Phòng Thông tin")
    assert result.source.title == text.split("\n")[0]
    assert [(m.indicator, m.subject, m.score) for m in result.metrics] == [
        (m.indicator, m.subject, m.score) for m in extract_file(SOURCE).metrics
    ]


def test_boilerplate_numbers_never_become_records(tmp_path: Path) -> None:
    page = tmp_path / "tin.html"
    page.write_text(render_html("Tin ngắn\n\nNăm 2023 Chỉ số CCHC của tỉnh Quảng Trị đạt 85,12%."), encoding="utf-8")
    records = extract_file(page).records
    assert [(r.kind, r.surface) for r in records] == [("percent", "85,12%")]
    text = load(page).pages[0].text
    for boilerplate in ("Giấy phép", "123/GP-TTĐT", "Tin liên quan", "Trang chủ", "0233.3852.111", "Lượt xem"):
        assert boilerplate not in text


def test_word_file_gives_the_records_of_the_text_and_tables_carry_their_cells(tmp_path: Path, text: str) -> None:
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(render_docx(text))
    assert same_content(report) == same_content(SOURCE)
    cells = [(r.kind, r.surface, r.table, r.row, r.col) for r in extract_file(report).records if r.table == 2 and r.row == 1]
    assert cells == [("percent", "91,36", 2, 1, 2), ("rank", "1", 2, 1, 3), ("rank_change", "giữ nguyên", 2, 1, 4)]


def test_html_declared_in_a_meta_tag_only(tmp_path: Path) -> None:
    page = tmp_path / "cu.html"
    body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head><body><article><h1>Tin</h1><p>Chỉ số CCHC của tỉnh Hoà Bình đạt 81,42 điểm, xếp thứ 27/63.</p></article></body></html>'
    from conftest import encode_cp1258

    page.write_bytes(encode_cp1258(body))
    document = load(page)
    assert document.encoding == "windows-1258"
    assert "Hòa Bình đạt 81,42 điểm" in document.pages[0].text


def test_broken_markup_does_not_crash(tmp_path: Path) -> None:
    page = tmp_path / "hong.html"
    page.write_text("<html><body><div><p>Chỉ số PAPI năm 2021 của tỉnh Lào Cai đạt 42,40 điểm<div><p>xếp thứ 20/63</b></table>", encoding="utf-8")
    kinds = [r.kind for r in extract_file(page).records]
    assert kinds == ["score", "rank"]


def test_legacy_doc_and_damaged_docx_are_one_line_errors(tmp_path: Path) -> None:
    old = tmp_path / "bao-cao.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(InputError, match=r"bao-cao\.doc: unsupported format: legacy Microsoft Office file \(\.doc/\.xls, OLE2\); convert it to \.docx"):
        load(old)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    broken = tmp_path / "hong.docx"
    broken.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match=r"hong\.docx: damaged DOCX"):
        load(broken)
