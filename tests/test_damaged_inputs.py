"""Damaged, hostile and special files of every format, made by the tests themselves.

Each goes through the command line as a user would run it: exactly one "error: " line
naming the reason, exit code 2, no traceback, in bounded time; the zip bombs in bounded
memory too. What loads despite damage must say what it lost.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS, REPO
from corpus.render_pdf import find_font, render
from extractor import InputError, limits
from extractor.loaders import load, load_bytes
from extractor.paths import display_name

SECONDS = 20  # what should take a fraction of a second, on a shared and noisy machine
WORD_DOCX = CORPUS / "dev" / "ben-tre-papi-2020.docx"
LATIN1_NAME = b"b\xe1o-c\xe1o.txt"  # "báo-cáo.txt" as a zip made on Windows names it
TEXT = "Chỉ số CCHC năm 2019 của tỉnh Điện Biên đạt 81,42 điểm, xếp thứ 27/63."
W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture(autouse=True)
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")  # inherited by the CLI runs too


def cli(*args: str, wrapper: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    result = subprocess.run(
        [*wrapper, str(REPO / ".venv" / "bin" / "python"), "cli.py", *args],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8", errors="backslashreplace", timeout=120,
    )
    return result, time.monotonic() - start


def assert_one_error(result: subprocess.CompletedProcess[str], seconds: float, reason: str) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert reason in lines[0]
    assert result.returncode == 2 and result.stdout == ""
    assert seconds < SECONDS
    return lines[0]


# --- special files and paths ----------------------------------------------------------

def fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.txt")
    return tmp / "pipe.txt"


def directory_loop(tmp: Path) -> Path:
    (tmp / "sub").mkdir()
    (tmp / "sub" / "up").symlink_to("..")  # a folder that contains itself
    return tmp / "sub" / "up" / "sub" / "up"


def symlink_loop(tmp: Path) -> Path:
    (tmp / "a.txt").symlink_to("b.txt")
    (tmp / "b.txt").symlink_to("a.txt")
    return tmp / "a.txt"


def over_size_limit(tmp: Path) -> Path:
    path = tmp / "huge.txt"
    with path.open("wb") as file:
        file.truncate(600 * limits.MB)  # sparse: no disk used, and it must not be read
    return path


def empty_latin1_name(tmp: Path) -> Path:
    path = Path(os.fsdecode(bytes(tmp) + b"/" + LATIN1_NAME))
    path.write_bytes(b"")
    return path


SPECIAL: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, "pipe.txt: is not a regular file (a FIFO)"),
    "dev-zero": (lambda tmp: Path("/dev/zero"), "/dev/zero: is not a regular file (a character device)"),
    "directory-loop": (directory_loop, "up: is a directory, not a file"),
    "symlink-loop": (symlink_loop, "a.txt: too many levels of symbolic links"),
    "over-512-MB": (over_size_limit, "huge.txt: is 600.0 MB, over the 512 MB limit for one file"),
    "latin1-name": (empty_latin1_name, "/b\\xe1o-c\\xe1o.txt: empty file"),
    "missing": (lambda tmp: tmp / "khong-co.pdf", "khong-co.pdf: no such file"),
}


@pytest.mark.parametrize("command", ["text", "extract"])
@pytest.mark.parametrize("case", SPECIAL, ids=list(SPECIAL))
def test_special_files_are_one_line_errors(tmp_path: Path, case: str, command: str) -> None:
    make, reason = SPECIAL[case]
    result, seconds = cli(command, os.fsdecode(make(tmp_path)))
    assert_one_error(result, seconds, reason)


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/" + LATIN1_NAME))
    path.write_text(TEXT, encoding="utf-8")
    shown = f"{tmp_path}/b\\xe1o-c\\xe1o.txt"
    assert display_name(path) == shown
    result, _ = cli("text", os.fsdecode(path))
    assert result.returncode == 0 and result.stdout == f"=== page 1/1 · {shown} ===\n{TEXT}\n"
    result, _ = cli("extract", os.fsdecode(path))
    assert result.returncode == 0, result.stderr
    extraction = json.loads(result.stdout)
    assert extraction["source"]["path"] == shown
    assert [r["surface"] for r in extraction["records"]][:1] == ["81,42 điểm"]


def _without_root_powers() -> tuple[str, ...]:
    """A prefix that runs a command where permission bits apply: none for a normal user;
    for root, setpriv dropping the two capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits do not apply to root")
    wrapper = (setpriv, "--bounding-set", "-dac_override,-dac_read_search")
    probe = subprocess.run([*wrapper, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"running as root and setpriv cannot drop capabilities here: {probe.stderr.decode(errors='replace').strip()}")
    return wrapper


@pytest.mark.parametrize("locked", ["folder", "file"])
def test_without_permission_is_one_line(tmp_path: Path, locked: str) -> None:
    wrapper = _without_root_powers()
    folder = tmp_path / "khoa"
    folder.mkdir()
    path = folder / "bao-cao.txt"
    path.write_text(TEXT, encoding="utf-8")
    target = folder if locked == "folder" else path
    target.chmod(0)
    try:
        result, seconds = cli("text", str(path), wrapper=wrapper)
    finally:
        target.chmod(0o700)
    assert_one_error(result, seconds, "bao-cao.txt: permission denied")


def test_permission_error_from_the_os_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same in-process, whoever runs it: os.stat failing on a folder without search permission."""
    path = tmp_path / "khoa" / "bao-cao.txt"

    def denied(*args: object, **kwargs: object) -> os.stat_result:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "stat", denied)
    with pytest.raises(InputError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: permission denied"


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bao-cao.txt"
    path.write_text(TEXT * 10, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError) as caught:
        load(path)
    assert caught.value.reason == f"is {len(path.read_bytes())} bytes, over the 100 bytes limit for one file"


# --- text -----------------------------------------------------------------------------

def test_utf16_without_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(TEXT.encode("utf-16-le"))
    result, _ = cli("text", str(path))
    assert result.returncode == 0 and result.stdout.endswith(f"===\n{TEXT}\n")
    document = load(path)
    assert document.encoding == "utf-16-le"
    assert document.warnings == ["no byte-order mark; read as utf-16-le from its NUL bytes"]


def test_truncated_utf16_says_so(tmp_path: Path) -> None:
    path = tmp_path / "utf16-cut.txt"
    path.write_bytes(TEXT.encode("utf-16-le")[:-1])
    assert_one_error(*cli("text", str(path)), "utf16-cut.txt: not valid utf-16-le text (damaged or truncated at byte")


def test_text_starting_like_a_pdf_is_text(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.txt"
    path.write_text("%pDF là tên viết sai của định dạng PDF.\n" + TEXT, encoding="utf-8")
    document = load(path)
    assert document.format == "txt" and document.pages[0].text.startswith("%pDF là")


def test_a_pdf_with_a_flipped_header_bit_is_a_damaged_pdf_not_binary_data(tmp_path: Path) -> None:
    data = render(TEXT, find_font())
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%p" + data[2:])  # "P" is 0x50, "p" 0x70: one bit
    line = assert_one_error(*cli("extract", str(path)), "hong.pdf: damaged PDF: no \"%PDF-\" header in its first 1 KB")
    assert "binary" not in line and 'starts "%pDF-1.' in line


def test_a_page_over_the_character_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dai.txt"
    path.write_bytes(b"a " * (limits.MAX_PAGE_CHARS // 2) + b"xyz")
    assert_one_error(*cli("extract", str(path)), "dai.txt: the text has 4,000,003 characters, over the limit of 4,000,000 for one page")


def test_a_text_far_over_the_character_limit_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGE_CHARS", 100)
    with pytest.raises(InputError) as caught:
        load_bytes(b"x" * 1000, "dai.txt")
    assert caught.value.reason == "the text has more than 250 characters, over the limit of 100 for one page (a text file is one page)"


# --- PDF ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """Four pages of text with our DejaVu font, as the corpus renders its PDFs."""
    page = "\n".join(f"Dòng {n}: {TEXT}" for n in range(38))
    return render("\n".join([page] * 3), find_font())


@pytest.mark.parametrize("percent", [10, 25, 50, 75, 90, 99])
def test_truncated_pdf_is_one_line_or_loads_with_a_warning(tmp_path: Path, pdf_bytes: bytes, percent: int) -> None:
    path = tmp_path / f"cut-{percent}.pdf"
    path.write_bytes(pdf_bytes[: len(pdf_bytes) * percent // 100])
    result, seconds = cli("extract", str(path))
    assert "Traceback" not in result.stderr and seconds < SECONDS
    if result.returncode == 2:
        assert_one_error(result, seconds, f"cut-{percent}.pdf: damaged or truncated PDF")
    else:
        assert result.returncode == 0 and "may be truncated" in result.stderr


def _flipped(data: bytes, seed: int, flips: int = 100) -> bytes:
    rng = random.Random(seed)
    damaged = bytearray(data)
    for _ in range(flips):
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    return bytes(damaged)


@pytest.mark.parametrize("seed", range(24))
def test_pdf_with_flipped_bytes_is_an_error_or_says_what_it_lost(pdf_bytes: bytes, seed: int) -> None:
    whole = sum(len(page.text) for page in load_bytes(pdf_bytes, "x.pdf").pages)
    start = time.monotonic()
    try:
        document = load_bytes(_flipped(pdf_bytes, seed), "x.pdf")
    except InputError as error:
        assert "\n" not in str(error) and error.reason.startswith("damaged")
    else:
        lost = whole - sum(len(page.text) for page in document.pages)
        if lost > 0.05 * whole:
            assert any("damaged" in w or "could not be read" in w for w in document.warnings), document.warnings
    assert time.monotonic() - start < SECONDS


def test_pdf_with_flipped_bytes_through_the_cli(tmp_path: Path, pdf_bytes: bytes) -> None:
    outcomes = set()
    for seed in range(4):
        path = tmp_path / f"flip-{seed}.pdf"
        path.write_bytes(_flipped(pdf_bytes, seed))
        result, seconds = cli("extract", str(path))
        assert "Traceback" not in result.stderr and seconds < SECONDS
        if result.returncode == 2:
            assert_one_error(result, seconds, "damaged")
        else:
            assert result.returncode == 0 and "damaged" in result.stderr
        outcomes.add(result.returncode)
    assert outcomes <= {0, 2}


def test_a_damaged_content_stream_is_named(pdf_bytes: bytes) -> None:
    """One byte flipped inside page 2's compressed content: text is lost, and said so."""
    document = load_bytes(pdf_bytes, "x.pdf")
    assert document.warnings == []
    contents = re.findall(rb"/Contents (\d+) 0 R", pdf_bytes)
    assert len(contents) == 4
    second = contents[1].decode()  # fpdf2 writes the pages in order
    at = pdf_bytes.index(b"stream\n", pdf_bytes.index(f"\n{second} 0 obj".encode())) + len(b"stream\n") + 20
    damaged = bytearray(pdf_bytes)
    damaged[at] ^= 0xFF
    loaded = load_bytes(bytes(damaged), "x.pdf")
    assert len(loaded.pages[1].text) < len(document.pages[1].text) // 2
    assert loaded.pages[0].text == document.pages[0].text
    assert f"1 compressed stream(s) are damaged (object {second}); text drawn from them is lost or cut short" in loaded.warnings


def test_pdf_over_the_page_limit_is_refused(pdf_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 3)
    with pytest.raises(InputError) as caught:
        load_bytes(pdf_bytes, "dai.pdf")
    assert caught.value.reason == "PDF of 4 pages, over the limit of 3 pages"


def test_pdfium_success_is_not_the_message() -> None:
    from extractor.loaders.pdf import _load_error

    assert _load_error("Failed to load document (PDFium: Success).") == "damaged or truncated PDF (PDFium could not open it)"


# --- DOCX -----------------------------------------------------------------------------

def _docx(path: Path, body: Callable[[zipfile.ZipFile], None] | None = None, *, drop: str = "") -> Path:
    """The corpus Word file with its word/document.xml written by ``body`` (or dropped)."""
    with zipfile.ZipFile(WORD_DOCX) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename not in ("word/document.xml", drop):
                out.writestr(info.filename, source.read(info.filename))
        if body is not None:
            body(out)
    return path


def _paragraphs(megabytes: int, *, zip64: bool = True) -> Callable[[zipfile.ZipFile], None]:
    """A body of ``megabytes`` MB of empty paragraphs, streamed: never in memory whole."""

    def write(out: zipfile.ZipFile) -> None:
        with out.open("word/document.xml", "w", force_zip64=zip64) as stream:
            stream.write(b'<?xml version="1.0"?><w:document ' + W_NS + b"><w:body>")
            chunk = b"<w:p/>" * (1 << 17)
            for _ in range(megabytes * limits.MB // len(chunk)):
                stream.write(chunk)
            stream.write(b"</w:body></w:document>")

    return write


def _lying(path: Path) -> Path:
    """A 200 MB body whose ZIP headers declare 4 KB (patched in both headers)."""
    _docx(path, _paragraphs(200, zip64=False))
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, 4096)  # central directory: uncompressed size
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, 4096)  # local header: uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("word/document.xml").file_size == 4096
    return path


def _broken_xml(out: zipfile.ZipFile) -> None:
    out.writestr("word/document.xml", b'<?xml version="1.0"?><w:document ' + W_NS + b"><w:body><w:p><w:r><w:t>Ch")


def _truncated(path: Path) -> Path:
    path.write_bytes(WORD_DOCX.read_bytes()[: WORD_DOCX.stat().st_size // 2])
    return path


def _future_zip_version(path: Path) -> Path:
    """The corpus Word file with its members asking for ZIP version 8.2 to be read
    (found by atheris: zipfile raises NotImplementedError, not BadZipFile)."""
    data = bytearray(WORD_DOCX.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<H", data, at + 6, 82)  # central directory: version needed to extract
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


BOMBS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "200-MB-of-XML": (lambda p: _docx(p, _paragraphs(200)), "DOCX whose XML inflates to 200 MB, over the 128 MB limit (a ZIP bomb?)"),
    "lying-size-header": (_lying, "damaged DOCX (word/document.xml: Bad CRC-32"),
    "2-million-elements": (lambda p: _docx(p, _paragraphs(12)), "DOCX with more than 1,000,000 XML elements, over the limit for one document"),
}
DAMAGED_DOCX: dict[str, tuple[Callable[[Path], Path], str]] = {
    "broken-xml": (lambda p: _docx(p, _broken_xml), "damaged DOCX (XMLSyntaxError:"),
    "no-document-xml": (lambda p: _docx(p, drop="word/document.xml"), "damaged DOCX (a part is missing:"),
    "truncated-zip": (_truncated, "damaged or truncated DOCX (its ZIP archive cannot be read: File is not a zip file)"),
    "unknown-zip-version": (_future_zip_version, "damaged or truncated DOCX (its ZIP archive cannot be read: zip file version 8.2)"),
}


@pytest.mark.parametrize("case", DAMAGED_DOCX, ids=list(DAMAGED_DOCX))
def test_damaged_docx_is_one_line(tmp_path: Path, case: str) -> None:
    make, reason = DAMAGED_DOCX[case]
    path = make(tmp_path / f"{case}.docx")
    assert_one_error(*cli("extract", str(path)), f"{case}.docx: {reason}")


@pytest.mark.parametrize("case", BOMBS, ids=list(BOMBS))
def test_docx_bombs_are_refused_fast_in_bounded_memory(tmp_path: Path, case: str) -> None:
    make, reason = BOMBS[case]
    path = make(tmp_path / f"{case}.docx")
    assert path.stat().st_size < 2 * limits.MB  # a small file...
    # ...refused by a child whose own peak memory a wrapper reports (RUSAGE_CHILDREN of
    # this test process would count every child pytest ever ran).
    measure = (
        "import resource, subprocess, sys, time; t = time.monotonic(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - t); "
        "sys.stderr.write(r.stderr); sys.exit(r.returncode)"
    )
    result, seconds = cli("extract", str(path), wrapper=(sys.executable, "-c", measure))
    peak_kb, child_seconds = result.stdout.split()
    result.stdout = ""
    assert_one_error(result, seconds, f"{case}.docx: {reason}")
    assert int(peak_kb) < 400 * 1024
    assert float(child_seconds) < SECONDS


def test_a_docx_at_the_element_limit_still_loads(tmp_path: Path) -> None:
    body = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 1000 + f"<w:p><w:r><w:t>{TEXT}</w:t></w:r></w:p>".encode()
    path = _docx(tmp_path / "binh-thuong.docx",
                 lambda out: out.writestr("word/document.xml", b'<?xml version="1.0"?><w:document ' + W_NS + b"><w:body>" + body + b"</w:body></w:document>"))
    assert load(path).pages[0].text.endswith(TEXT)


def test_sniffing_a_huge_central_directory_does_not_list_it() -> None:
    from extractor.loaders.sniff import sniff

    data = io.BytesIO()
    data.write(b"PK\x03\x04" + b"PK\x01\x02" * 10_001 + b"word/document.xml")
    assert sniff(data.getvalue(), "x.docx") == "docx"
    with pytest.raises(InputError) as caught:
        load_bytes(data.getvalue(), "x.docx")
    assert caught.value.reason == "DOCX with more than 10,000 ZIP members (a ZIP bomb?)"


# --- in bulk ----------------------------------------------------------------------------

def test_in_bulk_each_damaged_file_is_a_failed_row_with_its_reason_and_the_batch_goes_on(tmp_path: Path, pdf_bytes: bytes) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "cut.pdf").write_bytes(pdf_bytes[: len(pdf_bytes) // 10])
    (folder / "flipped-header.pdf").write_bytes(pdf_bytes.replace(b"%PDF-", b"%pDF-", 1))
    BOMBS["200-MB-of-XML"][0](folder / "bomb.docx")
    DAMAGED_DOCX["broken-xml"][0](folder / "broken.docx")
    (folder / "huge.html").write_bytes(b"<html><body><p>" + b"x" * (limits.MAX_HTML_BYTES + 1) + b"</p></body></html>")
    (folder / "no-bom.txt").write_bytes(TEXT.encode("utf-16-le"))
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "bulk", str(folder), "--out", str(out), "--workers", "1", "-q"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "VN_REFORM_OCR": "off"})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    with sqlite3.connect(out / "dataset.sqlite") as conn:
        rows = dict(conn.execute("SELECT path, coalesce(error, status) FROM files"))
    reasons = {Path(path).name: reason for path, reason in rows.items()}
    assert reasons["no-bom.txt"] == "ok"
    assert reasons["cut.pdf"].startswith("damaged or truncated PDF")
    assert reasons["flipped-header.pdf"].startswith('damaged PDF: no "%PDF-" header')
    assert reasons["bomb.docx"] == "DOCX whose XML inflates to 200 MB, over the 128 MB limit (a ZIP bomb?)"
    assert reasons["broken.docx"].startswith("damaged DOCX (XMLSyntaxError:")
    assert reasons["huge.html"] == "HTML page of 16.0 MB is over the 16 MB limit for one web page"
