"""The text loader: format by content, encoding by content, clear errors for the rest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import QUICKSTART_SAMPLE, encode_cp1258
from extractor import InputError, UnsupportedFormatError, load

TEXT = "Năm 2019 Chỉ số CCHC của tỉnh Điện Biên đạt 81,42 điểm, xếp hạng thứ 27/63.\nQuyết định số 510/QĐ-UBND ngày 07/7/2014."


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (encode_cp1258(TEXT), "cp1258"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-no-bom", "cp1258"],
)
def test_encodings_are_decided_by_content(tmp_path: Path, encoded: bytes, encoding: str) -> None:
    document = load(write(tmp_path, "bao-cao.txt", encoded))
    assert document.encoding == encoding
    assert document.format == "txt"
    assert [page.number for page in document.pages] == [1]
    assert document.pages[0].text == TEXT


def test_cp1258_really_is_decomposed_before_normalization(tmp_path: Path) -> None:
    data = encode_cp1258("Điện Biên đạt")
    assert len(data) > len("Điện Biên đạt")  # tones are separate bytes in Windows-1258
    assert load(write(tmp_path, "a.txt", data)).pages[0].text == "Điện Biên đạt"


def test_document_metadata(tmp_path: Path) -> None:
    document = load(QUICKSTART_SAMPLE)
    data = QUICKSTART_SAMPLE.read_bytes()
    assert document.path == str(QUICKSTART_SAMPLE)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.warnings == []
    assert document.pages[0].raw_text == data.decode("utf-8")
    assert document.pages[0].text.startswith("UBND TỈNH QUẢNG TRỊ\nSỞ NỘI VỤ\n\nChỉ số cải cách hành chính năm 2023")


def test_a_few_damaged_utf8_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    data = (TEXT * 3).encode("utf-8")
    cut = data.index(b" ") + 1  # between two characters, so exactly one bad byte
    data = data[:cut] + b"\xff" + data[cut:]
    document = load(write(tmp_path, "a.txt", data))
    assert document.encoding == "utf-8"
    assert document.warnings == ["1 invalid UTF-8 byte sequence(s) replaced with U+FFFD"]
    assert "\ufffd" in document.pages[0].text


def test_html_is_recognized_by_content_even_when_named_txt(tmp_path: Path) -> None:
    page = "<!DOCTYPE html>\n<html><body><article><h1>Tin</h1><p>Chỉ số CCHC của tỉnh đạt 81,42 điểm, xếp thứ 27/63.</p></article></body></html>"
    document = load(write(tmp_path, "tin-bai.txt", page.encode()))
    assert document.format == "html"
    assert document.warnings == ["the name says txt but the content is html; read as html"]
    assert "Chỉ số CCHC của tỉnh đạt 81,42 điểm" in document.pages[0].text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64), "unsupported format: PNG image; the file name says pdf"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
         "unsupported format: legacy Microsoft Office file (.doc/.xls, OLE2); convert it to .docx, e.g. libreoffice --headless --convert-to docx FILE"),
        ("a.zip", b"PK\x03\x04" + bytes(30), "unsupported format: damaged ZIP archive"),
    ],
    ids=["png-named-pdf", "ole2", "broken-zip"],
)
def test_other_formats_are_refused_by_name(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(UnsupportedFormatError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: {reason}"


def test_text_named_pdf_is_read_with_a_warning(tmp_path: Path) -> None:
    document = load(write(tmp_path, "that-was-html-error.pdf", TEXT.encode()))
    assert document.format == "txt"
    assert document.warnings == ["the name says pdf but the content is txt; read as txt"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory, not a file"),
        (lambda d: write(d, "empty.txt", b""), "empty file"),
        (lambda d: write(d, "blank.txt", b" \n\t\r\n\xe2\x80\x8b\n"), "no text in file (only whitespace or invisible characters)"),
        (lambda d: write(d, "random.bin", bytes((i * 7919 + 13) % 256 for i in range(4096))), "binary data, not text (and not PDF, HTML or DOCX)"),
    ],
    ids=["missing", "folder", "empty", "blank", "binary"],
)
def test_bad_input_names_the_file_and_the_reason(tmp_path: Path, make, reason: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: {reason}"
    assert "\n" not in str(caught.value)
