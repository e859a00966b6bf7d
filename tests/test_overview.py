"""The dataset overview (DIR/index.html) and the review pages under DIR/review/.

One small bulk run: three documents state PAR INDEX 2023 of Quảng Trị (two agree, one
does not), one gives Bình Phước over four years, one file is empty and named like markup.
The page is parsed and the values a reader sees are checked: table rows, the
disagreement, the charts, the failed file, the links, the escaping and the CSP.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import sqlite3
from pathlib import Path

import lxml.html
import pytest

from conftest import CORPUS
from extractor.bulk import DATABASE, export, run_bulk
from extractor.bulk.dataset import Prepared, compress, forget_paths, open_dataset, prepare, save
from extractor.bulk.overview import CSP, Overview, render_overview, review_name
from extractor.bulk.process import process

DEV = CORPUS / "dev"
AGREEING = "Năm 2023, PAR INDEX của tỉnh Quảng Trị đạt 85,12%, xếp thứ 31/63.\n"
DISAGREEING = "Theo báo cáo, PAR INDEX năm 2023 của tỉnh Quảng Trị đạt 84,50%, xếp thứ 33/63.\n"
MARKUP_NAME = "<img src=x onerror=alert(1)>.txt"
FAILED_NAME = "<script>alert(1)<b>.txt"
HAS_RENDERER = importlib.util.find_spec("extractor.review") is not None


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overview")
    inputs = folder / "in"
    inputs.mkdir()
    shutil.copy(DEV / "quang-tri-par-2023.txt", inputs / "quang-tri-par-2023.txt")
    shutil.copy(DEV / "binh-phuoc-xep-hang-par-2020-2023.txt", inputs / "binh-phuoc.txt")
    (inputs / "agreeing.txt").write_text(AGREEING, encoding="utf-8")
    (inputs / MARKUP_NAME).write_text(DISAGREEING, encoding="utf-8")
    (inputs / FAILED_NAME).write_bytes(b"")
    summary = run_bulk([str(inputs)], folder / "out", workers=2, stream=io.StringIO(), tty=False)
    assert (summary.documents, summary.processed_failed) == (5, 1)
    return folder


def page(out: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / "index.html").read_bytes())


def texts(elements: list) -> list[str]:
    return [" ".join(e.text_content().split()) for e in elements]


def test_tables_give_each_indicator_and_year_with_scores_ranks_and_sources(dataset: Path) -> None:
    root = page(dataset / "out")
    inputs = dataset / "in"
    rows = root.xpath('//section[@id="t-PAR_INDEX-2020"]//tbody/tr')
    assert [texts(r.xpath("td")) for r in rows] == [
        ["Bình Phước", "", "80.45 %", "47 / 63", "1", f"{inputs / 'binh-phuoc.txt'} (80.45 %; 47/63)"]]
    assert [(r.get("data-subject-key"), r.get("class")) for r in rows] == [("province:Bình Phước", "metric")]
    assert root.xpath('//section[@id="t-PAR_INDEX-2020"]//td[@class="score"]/@data-score') == ["80.45"]
    assert root.xpath('//section[@id="t-PAR_INDEX-2020"]//td[@class="rank"]/@data-rank') == ["47"]

    rows = root.xpath('//section[@id="t-PAR_INDEX-2023"]//tbody/tr')  # ordered by rank
    assert [r.get("data-subject-key") for r in rows] == ["province:Bình Phước", "province:Quảng Trị (cũ)"]
    assert texts(rows[0].xpath('td[@class="score" or @class="rank" or @class="n-sources"]')) == ["86.31 %", "21 / 63", "1"]
    assert texts(root.xpath('//section[@id="t-SIPAS-2023"]//tbody/tr/td[position() <= 4]')) == [
        "Quảng Trị", "", "82.47 %", "40 / 63"]
    assert [s.get("data-year") for s in root.xpath('//section[@data-indicator="PAR_INDEX" and @class="year"]')] == [
        "2020", "2021", "2022", "2023"]


def test_a_row_whose_sources_disagree_is_highlighted_with_every_value(dataset: Path) -> None:
    root = page(dataset / "out")
    inputs = dataset / "in"
    disagreeing = root.xpath('//tr[contains(@class, "disagree")]')
    assert len(disagreeing) == 1
    row = disagreeing[0]
    assert (row.get("data-subject-key"), row.get("data-disagree")) == ("province:Quảng Trị (cũ)", "score rank")
    assert texts(row.xpath('td[@class="score"]//span[@class="value"]')) == ["84.5", "85.12"]
    assert texts(row.xpath('td[@class="rank"]//span[@class="value"]')) == ["31", "33", "63"]
    assert texts(row.xpath('td[@class="score"] | td[@class="rank"] | td[@class="n-sources"]')) == [
        "84.5 ≠ 85.12 %", "31 ≠ 33 / 63", "3"]
    assert row.xpath('td[@class="n-sources"]/@data-documents') == ["3"]
    assert texts(row.xpath('.//div[@class="differs"]')) == ["differs: score rank"]
    # Each source says what it states, the one markup-named file as plain text.
    assert texts(row.xpath('.//ul[@class="sources"]/li')) == [
        f"{inputs / MARKUP_NAME} (84.5 %; 33/63)",
        f"{inputs / 'agreeing.txt'} (85.12 %; 31/63)",
        f"{inputs / 'quang-tri-par-2023.txt'} (85.12 %; 31/63)",
    ]
    subject_link = row.xpath('td[@class="subject"]/a/@href')
    assert subject_link == ["#s-province:Quảng_Trị_(cũ)"]
    assert root.xpath(f'//section[@class="subject" and @id="{subject_link[0][1:]}"]/h3/text()') == ["Quảng Trị"]


def test_sources_link_to_review_pages_that_exist(dataset: Path) -> None:
    out = dataset / "out"
    root = page(out)
    conn = sqlite3.connect(out / DATABASE)
    ok = {sha for sha, in conn.execute("SELECT sha256 FROM documents WHERE status = 'ok'")}
    stored = {sha for sha, in conn.execute("SELECT sha256 FROM reviews")}
    conn.close()
    links = root.xpath('//a[@class="source"]')
    plain = root.xpath('//span[contains(@class, "no-review")]')
    assert {e.get("data-sha256") for e in links} == stored
    assert {e.get("data-sha256") for e in links + plain} == ok
    assert sorted(p.name for p in (out / "review").iterdir()) == sorted(review_name(sha) for sha in stored)
    for link in links:  # at the record the score was read from, highlighted in the review page
        name, _, record = link.get("href").partition("#")
        assert name == f"review/{link.get('data-sha256')[:16]}.html" and record.endswith("-percent")
        review = lxml.html.fromstring((out / name).read_bytes())
        assert [e.get("data-record") for e in review.xpath("//mark[@id=$id]", id=record)] == [record]
    if not HAS_RENDERER:
        pytest.skip("extractor.review is absent: no review pages to link to")
    assert stored == ok and len(links) == 8  # Bình Phước 4, Quảng Trị 3 + 1


def test_one_chart_per_subject_and_indicator_over_two_years_ranks_drawn_with_1_at_the_top(dataset: Path) -> None:
    root = page(dataset / "out")
    sections = root.xpath('//section[@id="subjects"]/section[@class="subject"]')
    assert [s.get("data-subject-key") for s in sections] == ["province:Bình Phước", "province:Quảng Trị (cũ)"]
    charts = {s.get("data-subject-key"): s.xpath(".//svg") for s in sections}
    assert {k: len(v) for k, v in charts.items()} == {"province:Bình Phước": 1, "province:Quảng Trị (cũ)": 0}
    assert texts(sections[1].xpath('p[@class="single"]/a')) == ["PAR_INDEX 2023", "SIPAS 2023"]

    svg = charts["province:Bình Phước"][0]
    ranks = {int(c.get("data-year")): (int(c.get("data-value")), float(c.get("cy"))) for c in svg.xpath('.//circle[contains(@class, "rank")]')}
    scores = {int(c.get("data-year")): (float(c.get("data-value")), float(c.get("cy"))) for c in svg.xpath('.//circle[contains(@class, "score")]')}
    assert {y: v for y, (v, _) in ranks.items()} == {2020: 47, 2021: 38, 2022: 30, 2023: 21}
    assert {y: v for y, (v, _) in scores.items()} == {2020: 80.45, 2021: 82.17, 2022: 83.52, 2023: 86.31}
    # The better rank (smaller) and the higher score are drawn higher (smaller y).
    assert [y for y in sorted(ranks, key=lambda year: ranks[year][1])] == [2023, 2022, 2021, 2020]
    assert [y for y in sorted(scores, key=lambda year: scores[year][1])] == [2023, 2022, 2021, 2020]
    assert texts(svg.xpath('.//text[@class="year"]')) == ["2020", "2021", "2022", "2023"] * 2
    assert len(svg.xpath('.//line[contains(@class, "line")]')) == 6  # three segments per panel


def test_header_failed_files_csp_and_escaping(dataset: Path) -> None:
    out = dataset / "out"
    html = (out / "index.html").read_text(encoding="utf-8")
    root = lxml.html.fromstring(html)
    assert root.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content') == [CSP]
    assert CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert root.xpath("//script") == [] and root.xpath("//img") == [] and "onerror=" not in html.replace("onerror=alert", "")
    assert {d.get("id"): d.text for d in root.xpath('//dl[@class="counts"]//dd')} == {
        "count-documents": "5", "count-files": "5", "count-metrics": "8", "count-failed": "1"}
    assert root.xpath('//p[@class="version"]/code/text()')[0].startswith("0.")
    assert texts(root.xpath('//table[@class="failed"]/tbody/tr/td')) == [FAILED_NAME, "empty file"]  # relative to its INPUT folder
    # The names shown as text, the markup escaped in the source of the page.
    assert "&lt;script&gt;alert(1)&lt;b&gt;.txt" in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html


def test_the_page_is_the_same_for_the_same_dataset_and_export_writes_it_again(dataset: Path) -> None:
    out = dataset / "out"
    first = (out / "index.html").read_bytes()
    (out / "index.html").unlink()
    counts = export(out)
    assert (out / "index.html").read_bytes() == first
    assert counts["index.html"] == 6  # rows of merged_metrics: Bình Phước 4, Quảng Trị 2
    assert counts["review"] == len(list((out / "review").iterdir()))


def test_a_subject_name_with_markup_is_shown_as_text_in_tables_and_charts() -> None:
    row = {"indicator": "PAR<b>", "subject_key": "<script>x</script>", "subject": "<script>x</script>", "subject_id": None,
           "subject_type": None, "province": None, "period": None, "aggregate": None, "n_documents": 1, "n_sources": 1,
           "score": 1.5, "unit": "<i>", "rank": 2, "rank_total": 3, "scores": "[1.5]", "units": '["<i>"]', "ranks": "[2]",
           "rank_totals": "[3]", "score_change": None, "rank_change": None, "score_changes": "[]", "rank_changes": "[]",
           "disagree": 0, "disagreeing_fields": ""}
    rows = [{**row, "year": 2022}, {**row, "year": 2023, "score": 2.5}]
    html = render_overview(Overview({"documents": 1}, ["v<1>"], rows, {}, set(), [("a<script>.txt", "bad <b>")]))
    root = lxml.html.fromstring(html)
    assert root.xpath("//script") == [] and root.xpath("//b") == [] and root.xpath("//i") == []
    assert texts(root.xpath('//section[@class="subject"]/h3')) == ["<script>x</script>"]
    assert root.xpath('//section[@class="subject"]//figcaption/text()') == ["PAR<b>"]
    assert root.xpath('//section[@class="subject"]//svg//text[1]/text()')[0] == "score (<i>)"
    assert texts(root.xpath('//td[@class="score"]')) == ["1.5 <i>", "2.5 <i>"]
    assert texts(root.xpath('//table[@class="failed"]//td')) == ["a<script>.txt", "bad <b>"]


def test_review_pages_follow_the_documents_table(tmp_path: Path) -> None:
    """Stored with their document, written by the exports, removed when the document
    leaves the dataset or is saved again without a page."""
    conn = open_dataset(tmp_path, create=True)
    result = process(AGREEING.encode(), name="/in/a.txt")
    save(conn, Prepared(**{**prepare(result).__dict__, "review": compress("<p>trang đánh giá</p>")}), ["/in/a.txt"])
    page_file = tmp_path / "review" / review_name(result.sha256 or "")
    (tmp_path / "review").mkdir()
    (tmp_path / "review" / "0123456789abcdef.html").write_text("stale", encoding="utf-8")
    (tmp_path / "review" / "notes.txt").write_text("not ours", encoding="utf-8")
    assert export(tmp_path)["review"] == 1
    assert page_file.read_text(encoding="utf-8") == "<p>trang đánh giá</p>"
    assert sorted(p.name for p in (tmp_path / "review").iterdir()) == [page_file.name, "notes.txt"]
    assert lxml.html.fromstring((tmp_path / "index.html").read_bytes()).xpath('//a[@class="source"]/@href')[0].startswith(
        f"review/{page_file.name}#")

    save(conn, prepare(result), ["/in/a.txt"])  # processed again (--force) with no page: the old one goes
    assert export(tmp_path)["review"] == 0 and not page_file.exists()

    save(conn, Prepared(**{**prepare(result).__dict__, "review": compress("<p>again</p>")}), ["/in/a.txt"])
    assert export(tmp_path)["review"] == 1 and page_file.is_file()
    assert forget_paths(conn, ["/in/a.txt"]) == 1  # the file is gone: its document and page leave
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)
    conn.close()
    assert export(tmp_path)["review"] == 0 and not page_file.exists()
