"""A portal's article page: the headline, the lead and the captions are text; the site's
menus, related articles and footer are not; no page runs away in time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from extractor import InputError, extract_file, load

HEADLINE = "Chỉ số PAR INDEX 2023 của tỉnh Quảng Trị đạt 85,12%, xếp thứ 10/63"
OG_TITLE = "Quảng Trị tăng hạng PAR INDEX 2023"
LEAD = "Năm 2023, Chỉ số hài lòng SIPAS của tỉnh đạt 83,45%, cao hơn trung bình cả nước."
CAPTION = "Toàn tỉnh có 95,5% hồ sơ được giải quyết đúng hạn. Ảnh: Minh Hoàng"
FIRST = "Theo kết quả Bộ Nội vụ công bố, tỉnh Quảng Trị có nhiều tiến bộ trong cải cách hành chính, với sự nỗ lực của các sở, ngành và địa phương."
SECOND = "Chỉ số cải cách thủ tục hành chính của tỉnh đạt 12,34 điểm, tăng so với năm 2022 nhờ số hóa hồ sơ và giải quyết trực tuyến ở mọi cấp."

MASTHEAD = """<header class="site-header"><h1 class="logo"><a href="/">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH QUẢNG TRỊ</a></h1>
<div class="license">Giấy phép số 123/GP-TTĐT ngày 10/01/2020</div>
<nav class="main-menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/van-ban">Văn bản (2.345)</a></li>
<li><a href="/dvc">Dịch vụ công: 1.234 hồ sơ</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/cchc">Cải cách hành chính</a></div>"""
RELATED = """<div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>
<li><a href="/1">Năm 2022, tỉnh xếp thứ 37/63 về Chỉ số CCHC</a></li>
<li><a href="/2">Chỉ số SIPAS năm 2021 đạt 84,35%</a></li>
<li><a href="/3">Tổ chức 12 hội nghị tập huấn cải cách hành chính</a></li></ul></div>"""
FOOTER = """<footer><p>Cổng thông tin điện tử tỉnh Quảng Trị - Giấy phép số 45/GP-BTTTT.</p>
<p>Điện thoại: 0233.3852.111. Số lượt truy cập: 12.345.678</p></footer>"""
SHARE = '<div class="share-bar">Chia sẻ: <a href="#">Facebook</a> | <a href="#">Zalo</a> | Lượt xem: 4.321</div>'
FIGURE = f'<figure class="image"><img src="/anh/1.jpg" alt=""><figcaption>{CAPTION}</figcaption></figure>'

# The same article as three kinds of portal lay it out.
LAYOUTS = {
    # <article>: headline, date, lead, body with a figure, related list inside the article
    "article": f"""<main><article>
<h1 class="title">{HEADLINE}</h1><div class="date">Thứ Hai, 18/04/2024 09:15</div>
<p class="sapo">{LEAD}</p>{SHARE}
<div class="content"><p>{FIRST}</p>{FIGURE}<p>{SECOND}</p></div>
{RELATED}</article></main>""",
    # divs only, the lead as <h2 class="sapo">, a caption classed as one in a table of images
    "divs": f"""<div id="main"><div class="col-left"><div class="detail">
<h1 class="detail-title">{HEADLINE}</h1><h2 class="detail-sapo">{LEAD}</h2>
<div class="detail-content"><p>{FIRST}</p>
<div class="img-box"><img src="/anh/1.jpg"><p class="PhotoCMS_Caption">{CAPTION}</p></div><p>{SECOND}</p></div>
</div></div><div class="col-right">{RELATED}</div></div>""",
    # the headline, lead and picture in the article's <header>, which precision mode drops
    "header": f"""<main><article><header class="entry-header">
<h1 class="entry-title">{HEADLINE}</h1><div class="entry-lead">{LEAD}</div>{FIGURE}</header>
<div class="entry-content"><p>{FIRST}</p><p>{SECOND}</p></div></article>{RELATED}</main>""",
}


def portal(article: str, og_title: str = OG_TITLE) -> str:
    meta = f'<meta property="og:title" content="{og_title}">' if og_title else ""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{og_title or "Tin tức"} - Cổng thông tin điện tử tỉnh Quảng Trị</title>{meta}
<meta property="article:published_time" content="2024-04-18T09:15:00+07:00"></head>
<body>{MASTHEAD}{article}{FOOTER}</body></html>"""


def page_text(tmp_path: Path, html: str) -> str:
    path = tmp_path / "tin-bai.html"
    path.write_text(html, encoding="utf-8")
    return load(path).pages[0].text


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_headline_lead_and_caption_are_text_and_the_site_around_is_not(tmp_path: Path, layout: str) -> None:
    text = page_text(tmp_path, portal(LAYOUTS[layout]))
    lines = [line for line in text.split("\n") if line]
    # the headline (not og:title, not the logo) first, then the lead, then the body
    assert lines[:2] == [HEADLINE, LEAD]
    assert lines.count(HEADLINE) == 1 and lines.count(LEAD) == 1 and OG_TITLE not in text
    assert lines.index(CAPTION) < lines.index(SECOND) and lines.index(FIRST) < lines.index(SECOND)
    for furniture in ("CỔNG THÔNG TIN", "123/GP-TTĐT", "2.345", "1.234", "Trang chủ", "Tin liên quan", "37/63", "84,35%",
                      "12 hội nghị", "45/GP-BTTTT", "0233.3852.111", "12.345.678", "4.321", "Chia sẻ"):  # fmt: skip
        assert furniture not in text, furniture


def test_figures_of_the_headline_lead_and_caption_become_records(tmp_path: Path) -> None:
    path = tmp_path / "tin-bai.html"
    path.write_text(portal(LAYOUTS["article"]), encoding="utf-8")
    result = extract_file(path)
    found = [(r.kind, r.surface) for r in result.records]
    assert found[:3] == [("percent", "85,12%"), ("rank", "xếp thứ 10/63"), ("percent", "83,45%")]
    assert ("percent", "95,5%") in found and ("score", "12,34 điểm") in found
    first = result.records[0]
    assert (first.page, float(first.value)) == (1, 85.12)
    rank = result.records[1]
    assert (rank.rank, rank.total) == (10, 63)
    # og:title stays the metadata title; the page text carries the headline
    assert result.source.title == OG_TITLE
    assert not {"37/63", "84,35%", "123/GP-TTĐT"} & {r.surface for r in result.records}


def test_without_a_headline_the_metadata_title_leads_the_text(tmp_path: Path) -> None:
    article = f"<main><article><p class='sapo'>{LEAD}</p><div class='content'><p>{FIRST}</p><p>{SECOND}</p></div></article></main>"
    lines = [line for line in page_text(tmp_path, portal(article)).split("\n") if line]
    assert lines[:3] == [OG_TITLE, LEAD, FIRST]


def test_a_logo_h1_is_not_the_headline(tmp_path: Path) -> None:
    # no <article>, no og:title: the <h1> worded like the <title> is the headline
    article = f"<div class='box'><h1>{HEADLINE}</h1><div class='noidung'><p>{FIRST}</p><p>{SECOND}</p></div></div>"
    html = portal(article, og_title="").replace("<title>Tin tức -", f"<title>{HEADLINE} -")
    html = html.replace('<header class="site-header"><h1 class="logo">', '<div id="top"><h1>').replace("</nav></header>", "</nav></div>")
    lines = [line for line in page_text(tmp_path, html).split("\n") if line]
    assert lines[:2] == [HEADLINE, FIRST]


def test_a_table_caption_is_the_line_before_its_table_not_its_header(tmp_path: Path) -> None:
    table = """<table><caption>Bảng 1: Kết quả Chỉ số PAR INDEX 2023</caption>
<tr><th>Đơn vị</th><th>Điểm</th><th>Xếp hạng</th></tr>
<tr><td>Sở Nội vụ</td><td>91,36</td><td>1</td></tr><tr><td>Sở Tài chính</td><td>88,02</td><td>2</td></tr></table>"""
    article = f"<main><article><h1>{HEADLINE}</h1><div class='content'><p>{FIRST}</p>{table}<p>{SECOND}</p></div></article></main>"
    path = tmp_path / "bang.html"
    path.write_text(portal(article), encoding="utf-8")
    page = load(path).pages[0]
    lines = [line for line in page.text.split("\n") if line]
    at = lines.index("Bảng 1: Kết quả Chỉ số PAR INDEX 2023")
    assert lines[at + 1 : at + 4] == ["Đơn vị\tĐiểm\tXếp hạng", "Sở Nội vụ\t91,36\t1", "Sở Tài chính\t88,02\t2"]
    assert [[cell.text for cell in table.header] for table in page.tables()] == [["Đơn vị", "Điểm", "Xếp hạng"]]


def test_a_page_over_the_size_limit_is_one_line_from_the_command_line(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as out:
        out.write(b"<!DOCTYPE html><html><body><article><h1>Tin</h1><p>")
        out.write(b"x" * (20 * 1024 * 1024))
        out.write(b"</p></article></body></html>")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "cli.py", "extract", str(big)], cwd=REPO, capture_output=True, text=True, encoding="utf-8")
    assert time.monotonic() - started < 60
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: {big}: HTML page of 20.0 MB is over the 16 MB limit for one web page\n"


def test_a_13_mb_paragraph_is_refused_for_its_length_in_bounded_time(tmp_path: Path) -> None:
    # libxml2 used to drop the text node whole: "no article text found" said nothing true
    sentence = "Chỉ số CCHC của tỉnh đạt 85,12% năm 2023 và tiếp tục tăng. "
    page = tmp_path / "dai.html"
    page.write_text(f"<!DOCTYPE html><html><body><article><h1>Tin</h1><p>{sentence * 180_000}</p></article></body></html>", encoding="utf-8")
    assert 13 * 1024 * 1024 < page.stat().st_size < 16 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        load(page)
    assert time.monotonic() - started < 30  # about 0.3 s
    assert refused.value.reason == "the page has 10,620,004 characters of text, over the limit of 4,000,000 for one page"


def test_a_long_paragraph_under_the_text_limit_is_read_whole(tmp_path: Path) -> None:
    sentence = "Chỉ số CCHC của tỉnh đạt 85,12% năm 2023 và tiếp tục tăng. "
    text = page_text(tmp_path, f"<html><body><article><h1>Tin dài</h1><p>{sentence * 20_000}</p></article></body></html>")
    assert text.count("85,12%") == 20_000


def test_thousands_of_inline_tags_in_one_paragraph_take_seconds_not_minutes(tmp_path: Path) -> None:
    # 20,000 bold runs in one paragraph took 136 s: trafilatura's XPath over split text nodes
    runs = "".join(f"<b>đơn vị {i}</b> đạt <span>{i % 100},5%</span>; " for i in range(20_000))
    started = time.monotonic()
    text = page_text(tmp_path, f"<html><body><article><h1>Tin</h1><p>{runs}</p></article></body></html>")
    assert time.monotonic() - started < 30  # about 0.5 s
    assert "đơn vị 19999 đạt 99,5%;" in text


def test_a_page_of_too_many_elements_is_refused_before_extraction(tmp_path: Path) -> None:
    cells = "<p>x</p>" * 60_000
    started = time.monotonic()
    with pytest.raises(InputError, match=r"HTML page has 60,00\d elements \(inline formatting aside\), over the limit of 50,000 for one web page$"):
        page_text(tmp_path, f"<html><body><article><h1>Tin</h1>{cells}</article></body></html>")
    assert time.monotonic() - started < 30


def test_unclosed_tags_of_an_old_editor_are_read_whole(tmp_path: Path) -> None:
    # each <p><font> left open nests the next paragraph one level deeper (1,000 deep here)
    paragraphs = "".join(f'<p><font face="Times New Roman">Đơn vị {i} đạt {i % 100},5%.' for i in range(500))
    text = page_text(tmp_path, f"<html><body><article><h1>Tin</h1>{paragraphs}</article></body></html>")
    assert text.count("đạt") == 500 and "Đơn vị 499 đạt 99,5%." in text


def test_a_page_nested_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    nested = "<div>" * 300 + "<p>Chỉ số đạt 85,12%.</p>" + "</div>" * 300
    with pytest.raises(InputError, match=r"HTML page nests elements 30\d deep, over the limit of 256 for one web page$"):
        page_text(tmp_path, f"<html><body><article><h1>Tin</h1>{nested}</article></body></html>")


def test_the_address_a_page_states_for_itself_is_in_its_source(tmp_path: Path) -> None:
    canonical = '<link rel="canonical" href="https://sonoivu.example.gov.vn/tin/par-2023">'
    html = portal(LAYOUTS["article"]).replace('<meta charset="utf-8">', '<meta charset="utf-8">' + canonical, 1)
    path = tmp_path / "bai.html"
    path.write_text(html, encoding="utf-8")
    assert extract_file(path).source.url == "https://sonoivu.example.gov.vn/tin/par-2023"
    (tmp_path / "khong-dia-chi.html").write_text(portal(LAYOUTS["article"]), encoding="utf-8")
    assert extract_file(tmp_path / "khong-dia-chi.html").source.url is None
