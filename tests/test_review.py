"""Review pages (issue 19): every record highlighted once, metrics linked to their records,
document text escaped, PDF pages drawn with the records' boxes, and ``cli.py review``."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from PIL import Image

import cli
from conftest import CORPUS, QUICKSTART_SAMPLE
from extractor import review_pdf
from extractor.pipeline import extract_file, extract_text
from extractor.records import Extraction, PercentRecord, RecordBase
from extractor.review import CSP, render_review
from extractor.review_marks import mark_text

RULED_PDF = CORPUS / "dev" / "sipas-2022-bang-63-tinh.pdf"  # two pages, a ruled table of 63 provinces


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def _marks(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return tree.xpath("//*[@data-record]")


@pytest.fixture(scope="module")
def sample() -> tuple[Extraction, lxml.html.HtmlElement]:
    extraction = extract_file(QUICKSTART_SAMPLE, include_text=True)
    return extraction, _tree(render_review(extraction))


def test_every_record_has_exactly_one_highlight_with_its_id(sample) -> None:
    extraction, tree = sample
    marks = _marks(tree)
    assert sorted(m.get("data-record") for m in marks) == sorted(r.id for r in extraction.records)
    assert len(extraction.records) == 24
    assert all(m.tag == "mark" and m.get("id") == m.get("data-record") for m in marks)
    assert all("rec" in m.get("class").split() and f"k-{m.get('data-kind')}" in m.get("class").split() for m in marks)
    rank = tree.get_element_by_id("p1-401-414-rank")
    assert rank.text_content() == "xếp thứ 31/63"
    assert rank.get("title") == "rank: 31/63 · rule rank.of_total"
    assert tree.get_element_by_id("p1-373-399-score_change").get("title") == "score_change: +1.39 % vs 2022 · rule score_change.points"


def test_the_page_text_is_shown_whole_and_a_date_nests_in_its_legal_reference(sample) -> None:
    extraction, tree = sample
    assert extraction.pages is not None
    (shown,) = tree.xpath("//div[@class='page-text'][@data-page='1']")
    assert shown.text_content() == extraction.pages[0].text  # marks add no character and lose none
    assert tree.xpath("//h2[@id='page-1']")[0].text_content() == "Page 1"
    date = tree.get_element_by_id("p1-588-602-date")
    assert date.getparent().get("id") == "p1-565-602-legal_ref"
    assert date.text_content() == "ngày 15/7/2021"


def test_the_metrics_table_shows_and_links_the_values_a_user_checks(sample) -> None:
    extraction, tree = sample
    mark_ids = {m.get("id") for m in _marks(tree)}
    evidence = tree.xpath("//table[@class='metrics']//a[@class='evidence']")
    assert {a.get("href") for a in evidence} == {f"#{rid}" for m in extraction.metrics for rid in m.evidence}
    assert all(a.get("href")[1:] in mark_ids for a in evidence)
    (row,) = tree.xpath("//tr[@data-metric='m-PAR_INDEX-province:Quảng Trị (cũ)-2023']")
    cell = {td.get("data-field"): td for td in row.xpath("td[@data-field]")}
    assert cell["indicator"].text_content() == "PAR_INDEX"
    assert cell["subject"].text_content() == "Quảng Trịprovince · province:Quảng Trị (cũ)"
    assert cell["year"].text_content() == "2023"
    assert cell["score"].text_content() == "85.12%"
    assert cell["score"].xpath("a/@href") == ["#p1-365-371-percent"]
    assert cell["rank"].text_content() == "31/63"
    assert cell["rank"].xpath("a/@href") == ["#p1-401-414-rank"]
    assert cell["score_change"].text_content() == "+1.39" and cell["rank_change"].text_content() == "+6"
    assert cell["compared_to"].text_content() == "2022"
    assert len(row.xpath(".//a[@class='evidence']")) == 5


def test_an_inferred_subject_is_marked_with_where_it_came_from(sample) -> None:
    _, tree = sample
    (row,) = tree.xpath("//tr[@data-metric='m-SIPAS-province:Quảng Trị (cũ)-2023']")
    (inferred,) = row.xpath("td[@data-field='subject']/a[@class='inferred']")
    assert inferred.text_content() == "Quảng Trị"
    assert inferred.get("href") == "#page-1"
    assert inferred.get("title") == "subject inferred from the paragraph: “Quảng Trị” (page 1, characters 351–360)"


def test_conflicts_and_alternatives_are_flagged_with_the_other_value() -> None:
    extraction = extract_file(CORPUS / "dev" / "k-bao-dti-2024-phu-tho-moi.txt", include_text=True)
    tree = _tree(render_review(extraction))
    (row,) = tree.xpath("//tr[@data-metric='m-DTI-average-2024']")
    assert "conflict" in row.get("class").split()
    score = row.xpath("td[@data-field='score']")[0]
    assert "has-alt" in score.get("class").split() and score.get("title") == "other values in the document: score 0.6403"
    assert score.xpath("a/@href") == ["#p1-711-717-score"]  # the value shown links to the record that says it
    (alternative,) = row.xpath(".//ul[@class='alternatives']/li")
    assert alternative.text_content().startswith("score: 0.6403")
    assert alternative.xpath("a[@class='alt-evidence']/@href") == ["#p1-819-825-score"]


HOSTILE = ("Năm 2023 tỉnh đạt 85,12%. <script>window.__pwned=1</script>\n"
           '<img src=x onerror="window.__pwned=1"> "quoted" & <a href="javascript:alert(1)">x</a>, xếp thứ 10/63.')


def test_document_text_that_looks_like_markup_is_shown_as_text() -> None:
    extraction = extract_text(HOSTILE, name="<b onmouseover=alert(1)>.txt", include_text=True)
    html = render_review(extraction)
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<a href=\"javascript" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert 'onerror=&quot;window.__pwned=1&quot;' in html
    tree = _tree(html)
    assert tree.xpath("//script | //img | //iframe | //object | //embed") == []
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []  # no event handler, ours or the document's
    assert all(not h.startswith(("javascript:", "http")) for h in tree.xpath("//@href"))
    (csp,) = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp == CSP and "default-src 'none'" in csp and "img-src data:" in csp
    assert tree.xpath("//div[@class='page-text']")[0].text_content() == extraction.pages[0].text  # type: ignore[index]
    assert tree.xpath("//h1")[0].text_content() == "<b onmouseover=alert(1)>.txt"


def _record(id_: str, start: int, end: int, kind: str = "count") -> SimpleNamespace:
    return SimpleNamespace(id=id_, kind=kind, start=start, end=end, surface="", rule="r", table=None, ocr=False,
                           value=1, unit=None, approx=None)


def test_records_that_overlap_without_nesting_still_get_one_element_with_their_id() -> None:
    text = "0123456789abcdefghij"
    html = mark_text(text, [_record("a", 0, 10), _record("b", 5, 15), _record("c", 15, 15)])
    tree = lxml.html.fragment_fromstring(f"<div>{html}</div>")
    assert [m.get("id") for m in tree.xpath("//*[@id]")] == ["a", "b", "c"]
    assert tree.text_content() == text
    (continuation,) = tree.xpath("//*[@data-cont-of]")
    assert continuation.get("data-cont-of") == "b" and continuation.text_content() == "abcde"
    assert tree.get_element_by_id("b").text_content() == "56789"
    assert tree.get_element_by_id("c").text_content() == ""


def test_a_cell_read_alone_is_listed_under_its_page_with_one_mark() -> None:
    extraction = extract_text("Bảng xếp hạng SIPAS năm 2022.", include_text=True)
    cell = PercentRecord(id="p1-t1-r2-c3-7-12-percent", surface="91,50", page=1, start=7, end=12, sentence="Hà Nội 91,50",
                         rule="table.score", table=1, row=2, col=3, cell_text="Hà Nội 91,50", value="91.50")
    extraction = extraction.model_copy(update={"records": [*extraction.records, cell]})
    tree = _tree(render_review(extraction))
    (item,) = tree.xpath("//section[@data-page='1']/ul[@class='cells']/li")
    assert item.text_content() == "table 1 row 2 col 3: Hà Nội 91,50"
    (mark,) = item.xpath(".//mark")
    assert mark.get("id") == cell.id and mark.text_content() == "91,50"
    assert mark.get("title") == "percent: 91.50% · rule table.score · table 1 row 2 col 3"
    assert sorted(m.get("id") for m in _marks(tree)) == sorted(r.id for r in extraction.records)


def test_a_review_needs_the_pages_text() -> None:
    with pytest.raises(ValueError, match="include_text=True"):
        render_review(extract_text("Năm 2023 đạt 85,12%."))


# --- PDF pages -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ruled() -> tuple[Extraction, bytes]:
    return extract_file(RULED_PDF, include_text=True), RULED_PDF.read_bytes()


def _png(src: str) -> Image.Image:
    assert src.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def test_each_pdf_page_is_drawn_beside_its_text(ruled) -> None:
    extraction, pdf = ruled
    tree = _tree(render_review(extraction, pdf=pdf))
    images = tree.xpath("//div[@class='page-box']/img[@class='page-image']")
    assert [i.get("data-page") for i in images] == ["1", "2"]
    assert _png(images[0].get("src")).size == (893, 1263)  # A4 at 1.5 px per point
    assert images[0].getparent().get("style") == "position: relative; width: 714px"
    assert [i.getparent().getparent().getparent().get("data-page") for i in images] == ["1", "2"]
    assert sorted(m.get("id") for m in _marks(tree)) == sorted(r.id for r in extraction.records)
    located = [(r.id, box) for r in extraction.records for box in (getattr(r, "bbox", None) or [])]
    boxes = tree.xpath("//a[contains(concat(' ', @class, ' '), ' box ')]")
    assert sorted(b.get("data-box-for") for b in boxes) == sorted(rid for rid, _ in located)
    assert all(b.get("href") == f"#{b.get('data-box-for')}" for b in boxes)
    assert tree.xpath("//img[not(@class='page-image')]") == []


def test_boxes_are_placed_in_percent_of_the_page(ruled) -> None:
    if "bbox" not in RecordBase.model_fields:
        pytest.skip("records have no bbox field yet")
    extraction, pdf = ruled
    first = extraction.records[0]
    boxed = first.model_copy(update={"bbox": [[59.528, 84.189, 119.056, 96.8], [297.64, 420.945, 357.168, 433.5]]})
    extraction = extraction.model_copy(update={"records": [boxed, *(r.model_copy(update={"bbox": None}) for r in extraction.records[1:])]})
    tree = _tree(render_review(extraction, pdf=pdf))
    boxes = tree.xpath("//a[contains(concat(' ', @class, ' '), ' box ')]")
    assert [b.get("data-box-for") for b in boxes] == [first.id, first.id]
    assert boxes[0].getparent().get("data-page") == str(first.page)
    style = [dict(re.findall(r"(left|top|width|height): ([\d.]+)%", b.get("style"))) for b in boxes]
    # The page is 595.28 x 841.89 points: 59.528 pt is 10% of its width, 84.189 pt 10% of its height.
    assert float(style[0]["left"]) == pytest.approx(10.0, abs=0.01) and float(style[0]["top"]) == pytest.approx(10.0, abs=0.01)
    assert float(style[0]["width"]) == pytest.approx(10.0, abs=0.01) and float(style[0]["height"]) == pytest.approx(1.498, abs=0.01)
    assert float(style[1]["left"]) == pytest.approx(50.0, abs=0.01) and float(style[1]["top"]) == pytest.approx(50.0, abs=0.01)
    assert "position: absolute" in boxes[0].get("style")
    assert boxes[0].get("title") == tree.get_element_by_id(first.id).get("title")


def test_a_long_pdf_shows_its_first_pages_only_and_says_so(ruled, monkeypatch) -> None:
    monkeypatch.setattr(review_pdf, "MAX_IMAGE_PAGES", 1)
    extraction, pdf = ruled
    tree = _tree(render_review(extraction, pdf=pdf))
    assert [i.get("data-page") for i in tree.xpath("//img[@class='page-image']")] == ["1"]
    assert "first 1 of 2 pages" in tree.xpath("//header/p[@class='note']")[0].text_content()
    assert len(tree.xpath("//div[@class='page-text']")) == 2  # the text of every page is still there


def test_page_images_can_be_left_out(ruled) -> None:
    extraction, pdf = ruled
    assert _tree(render_review(extraction, pdf=pdf, page_images=False)).xpath("//img") == []


# --- cli.py review ---------------------------------------------------------------------


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["review", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_review_writes_a_page_per_file_and_never_overwrites_without_force(capsys, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    code, stdout, err = _run(capsys, str(QUICKSTART_SAMPLE), "-o", str(out))
    page = out / "quang-tri-par-2023.html"
    assert (code, stdout, err) == (0, f"{page}\n", "")
    assert 'data-record="p1-401-414-rank"' in page.read_text(encoding="utf-8")
    page.write_text("mine", encoding="utf-8")
    code, stdout, err = _run(capsys, str(QUICKSTART_SAMPLE), "-o", str(out))
    assert (code, stdout) == (2, "")
    assert err == f"error: {page}: already exists; use --force to overwrite it\n"
    assert page.read_text(encoding="utf-8") == "mine"
    assert _run(capsys, str(QUICKSTART_SAMPLE), "-o", str(out), "--force")[0] == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_review_reports_a_missing_file_in_one_line_and_goes_on(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # OUT defaults to review/ in the current folder
    code, stdout, err = _run(capsys, "missing.txt", str(QUICKSTART_SAMPLE))
    assert code == 1
    assert stdout == "review/quang-tri-par-2023.html\n" and (tmp_path / "review" / "quang-tri-par-2023.html").is_file()
    assert err == "error: missing.txt: no such file\n"
    assert _run(capsys, "missing.txt")[:2] == (2, "")


def test_review_names_pages_of_inputs_with_one_stem_apart(capsys, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("PAR INDEX 2023 đạt 85,12%.", encoding="utf-8")
    html = tmp_path / "a.html"
    html.write_text("<p>PAR INDEX 2023 đạt 85,12%.</p>", encoding="utf-8")
    code, stdout, _ = _run(capsys, str(text), str(html), "-o", str(tmp_path / "out"))
    assert code == 0
    assert stdout.splitlines() == [str(tmp_path / "out" / "a.html"), str(tmp_path / "out" / "a.html.html")]


def test_review_refuses_an_output_that_is_a_file(capsys, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    code, stdout, err = _run(capsys, str(QUICKSTART_SAMPLE), "-o", str(taken))
    assert (code, stdout) == (2, "")
    assert err == f"error: {taken}: is a file; -o takes a folder for the review pages\n"
