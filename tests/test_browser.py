"""Review pages and the dataset overview, opened in a real browser (issue 19).

Debian's chromium and chromium-driver (``make`` installs them) driven by selenium,
headless, from files on disk: what a user sees when they open the pages. Each page type
is also saved as a screenshot under tests/screenshots/ (written by the test run, looked
at by a person; docs/ holds the copies the README shows).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CORPUS, REPO, SHARED, SHARED_HINT

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = REPO / "tests" / "screenshots"
SAMPLE = SHARED / "samples" / "dien-bien-par-2019.txt"
TEXT = CORPUS / "dev" / "quang-tri-par-2023.txt"
RULED_PDF = CORPUS / "dev" / "binh-phuoc-xep-hang-par-2020-2023.pdf"
SCANNED_PDF = CORPUS / "dev" / "quang-tri-par-2023.scan.pdf"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--allow-file-access-from-files"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _review(path: Path, out: Path) -> tuple[Path, dict]:
    """``cli.py review`` on one file, and what ``cli.py extract`` says of it."""
    env = {**os.environ, "VN_REFORM_OCR": os.environ.get("VN_REFORM_OCR", "auto")}
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "review", str(path), "-o", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    page = out / f"{path.stem}.html"
    assert page.is_file(), done.stdout
    extracted = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(path), "-q"],
                               capture_output=True, text=True, timeout=300, env=env)
    return page, json.loads(extracted.stdout)


def _open(browser, page: Path) -> None:
    browser.get(page.resolve().as_uri())


def _shot(browser, name: str, at: str | None = None) -> None:
    """A screenshot of the window, scrolled to the element ``at`` selects when given."""
    if at is not None:
        browser.execute_script("document.querySelector(arguments[0]).scrollIntoView()", at)
    SHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def _highlights(browser) -> list[str]:
    return browser.execute_script("return [...document.querySelectorAll('mark.rec')].map(m => m.dataset.record)")


def _assert_every_record_highlighted_once_and_linked(browser, extraction: dict) -> None:
    ids = [r["id"] for r in extraction["records"]]
    shown = _highlights(browser)
    assert sorted(shown) == sorted(ids)  # one highlight per record, no more
    assert browser.execute_script("return [...document.querySelectorAll('mark.rec')].every(m => m.id === m.dataset.record)")
    dangling = browser.execute_script(
        "return [...document.querySelectorAll('a.evidence')].map(a => a.getAttribute('href').slice(1))"
        ".filter(id => !document.getElementById(id) || document.getElementById(id).tagName !== 'MARK')"
    )
    assert dangling == []
    evidence = {e for m in extraction["metrics"] for e in m["evidence"]}
    linked = set(browser.execute_script(
        "return [...document.querySelectorAll('a.evidence')].map(a => a.getAttribute('href').slice(1))"))
    assert evidence <= linked  # every metric's evidence is reachable from the metrics table


def test_a_text_review_page_highlights_every_record_and_links_every_metric(browser, tmp_path: Path) -> None:
    page, extraction = _review(TEXT, tmp_path)
    _open(browser, page)
    _assert_every_record_highlighted_once_and_linked(browser, extraction)
    rank = browser.find_element("id", "p1-401-414-rank")
    assert rank.text == "xếp thứ 31/63" and "rank" in rank.get_attribute("class")
    _shot(browser, "review-text")


@pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} is absent; {SHARED_HINT}")
def test_the_dien_bien_sample(browser, tmp_path: Path) -> None:
    page, extraction = _review(SAMPLE, tmp_path)
    _open(browser, page)
    _assert_every_record_highlighted_once_and_linked(browser, extraction)
    _shot(browser, "review-dien-bien")


def _page_images_loaded(browser) -> bool:
    return browser.execute_script(
        "const imgs = [...document.querySelectorAll('img.page-image')];"
        "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"
    )


def _boxes(browser) -> list[str]:
    return browser.execute_script("return [...document.querySelectorAll('a.box')].map(a => a.dataset.boxFor)")


def _assert_one_box_per_located_record(browser, extraction: dict) -> None:
    expected = sorted(r["id"] for r in extraction["records"] for _ in (r.get("bbox") or []))
    assert expected, "no record of this PDF carries a box"
    assert sorted(_boxes(browser)) == expected
    # A box lies on its page's image: inside the picture, not off it.
    outside = browser.execute_script(
        "return [...document.querySelectorAll('a.box')].filter(a => {"
        "  const p = a.parentElement.getBoundingClientRect(), b = a.getBoundingClientRect();"
        "  return b.width <= 0 || b.left < p.left - 1 || b.right > p.right + 1 || b.top < p.top - 1 || b.bottom > p.bottom + 1;"
        "}).length"
    )
    assert outside == 0


def test_a_ruled_table_pdf_shows_its_pages_with_a_box_per_record(browser, tmp_path: Path) -> None:
    page, extraction = _review(RULED_PDF, tmp_path)
    _open(browser, page)
    _assert_every_record_highlighted_once_and_linked(browser, extraction)
    assert _page_images_loaded(browser)
    _assert_one_box_per_located_record(browser, extraction)
    assert any(r.get("table") for r in extraction["records"])
    _shot(browser, "review-ruled-pdf", at="section.page")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make test installs it)")
def test_a_scanned_pdf_shows_ocr_boxes(browser, tmp_path: Path) -> None:
    page, extraction = _review(SCANNED_PDF, tmp_path)
    assert extraction["source"]["ocr_pages"] == [1]
    _open(browser, page)
    _assert_every_record_highlighted_once_and_linked(browser, extraction)
    assert _page_images_loaded(browser)
    _assert_one_box_per_located_record(browser, extraction)
    _shot(browser, "review-scanned-pdf", at="section.page")


def test_document_text_that_looks_like_code_runs_nothing(browser, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Năm 2023 tỉnh đạt 85,12%. <script>window.__pwned = 1</script> "
        '<img src=x onerror="window.__pwned = 2"> <svg onload="window.__pwned = 3"></svg>\n'
        "Xếp thứ 10/63 <iframe src=\"javascript:window.__pwned = 4\"></iframe>.",
        encoding="utf-8",
    )
    page, extraction = _review(hostile, tmp_path / "out")
    _open(browser, page)
    assert browser.execute_script("return window.__pwned === undefined")
    body = browser.find_element("tag name", "body").text
    assert "<script>window.__pwned = 1</script>" in body and 'onerror="window.__pwned = 2"' in body
    assert browser.execute_script("return document.querySelectorAll('script, iframe, svg[onload], img[onerror]').length") == 0
    _assert_every_record_highlighted_once_and_linked(browser, extraction)


def test_the_dataset_overview_links_every_source_to_its_highlight(browser, tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(TEXT, folder / TEXT.name)
    shutil.copy(RULED_PDF, folder / RULED_PDF.name)
    (folder / "khac.txt").write_text("Năm 2023, PAR INDEX của tỉnh Quảng Trị đạt 84,5%, xếp thứ 33/63 tỉnh, thành phố.", encoding="utf-8")
    (folder / "rong.txt").write_bytes(b"")
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "bulk", str(folder), "--out", str(out), "--workers", "1", "-q"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "VN_REFORM_OCR": "off"})
    assert done.returncode == 1, done.stderr  # the empty file failed, the others were read
    _open(browser, out / "index.html")
    _shot(browser, "overview")
    assert browser.execute_script("return document.querySelectorAll('section#subjects svg').length") >= 1
    failed = browser.execute_script("return [...document.querySelectorAll('#failed td.path')].map(td => td.textContent)")
    assert [Path(p).name for p in failed] == ["rong.txt"]
    disagree = browser.execute_script("return [...document.querySelectorAll('tr.metric.disagree')].map(tr => tr.dataset.subjectKey)")
    assert disagree == ["province:Quảng Trị (cũ)"]
    links = browser.execute_script("return [...document.querySelectorAll('a.source')].map(a => a.href)")
    assert links
    for link in links:  # every source opens its document's review page at the highlighted value
        browser.get(link)
        target = link.split("#", 1)[1]
        assert browser.execute_script("const m = document.getElementById(decodeURIComponent(arguments[0]));"
                                      "return m !== null && m.tagName === 'MARK'", target), link
