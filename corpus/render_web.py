"""Render a corpus text as a provincial portal's web page, or as a Word file.

The page wraps the article in the boilerplate real portals have: a masthead, a menu,
breadcrumbs, a date and author line, share buttons, a list of related articles whose
titles are full of numbers, and a footer with a licence number, an address and phone
numbers. None of that may become a record. The first line of the text is the title;
tables (rows of cells set out with tabs or runs of spaces) become real tables.
"""

from __future__ import annotations

import html
import io
from datetime import datetime

from extractor.tables import find_tables

PORTALS = (
    ("CỔNG THÔNG TIN ĐIỆN TỬ TỈNH QUẢNG TRỊ", "Số 45 Hùng Vương, TP. Đông Hà", "0233.3852.111", "123/GP-TTĐT ngày 10/01/2020"),
    ("SỞ NỘI VỤ TỈNH THANH HÓA", "Số 18 Lê Lợi, phường Lam Sơn", "0237.3852.456", "45/GP-TTĐT ngày 21/6/2019"),
    ("BÁO ĐIỆN TỬ ĐẢNG BỘ TỈNH", "Số 2 Nguyễn Du, thành phố", "0203.3825.789", "78/GP-BTTTT ngày 05/3/2021"),
)
RELATED = (
    "Năm 2022, tỉnh xếp thứ 37/63 về Chỉ số CCHC",
    "Tổ chức 12 hội nghị tập huấn cải cách hành chính",
    "Công bố Quyết định số 1205/QĐ-UBND về thủ tục hành chính",
    "Hơn 5.000 hồ sơ được giải quyết trực tuyến trong quý I/2024",
    "Chỉ số SIPAS năm 2021 đạt 84,35%",
)


def blocks(text: str) -> list[tuple[str, object]]:
    """("title", str), ("p", str) and ("table", rows of cells), in order."""
    tables = {t.start: t for t in find_tables(text)}
    blocks: list[tuple[str, object]] = []
    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    skip_until = -1
    for line, start in zip(lines, offsets):
        if start < skip_until or not line.strip():
            continue
        table = tables.get(start)
        if table is not None:
            rows = [[c.text for c in table.header], *[[c.text for c in row] for row in table.rows]]
            blocks.append(("table", rows))
            skip_until = table.end
            continue
        blocks.append(("title" if not blocks else "p", line.strip()))
    return blocks


def render_html(text: str, variant: int = 0, published: datetime | None = None) -> str:
    """A portal page around the article ``text``."""
    name, address, phone, licence = PORTALS[variant % len(PORTALS)]
    published = published or datetime(2024, 4, 18, 9, 15)
    body: list[str] = []
    title = ""
    for kind, content in blocks(text):
        if kind == "title":
            title = str(content)
        elif kind == "p":
            body.append(f"<p>{html.escape(str(content))}</p>")
        else:
            rows = content  # type: ignore[assignment]
            head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
            cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    related = "".join(
        f'<li><a href="/tin/{i}">{html.escape(t)} ({(i * 7) % 28 + 1:02d}/0{i % 9 + 1}/2023)</a></li>' for i, t in enumerate(RELATED, 1)
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(name.title())} - {html.escape(title)}</title>
<meta property="article:published_time" content="{published.isoformat()}+07:00">
<meta name="author" content="Phòng Thông tin"></head>
<body>
<header><div class="logo">{html.escape(name)}</div>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản (2.345)</a></li>
<li><a href="/dich-vu-cong">Dịch vụ công trực tuyến</a></li><li><a href="/lien-he">Liên hệ</a></li></ul></nav>
<div class="search"><input placeholder="Tìm kiếm"></div></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/tin-tuc">Tin tức</a> » Cải cách hành chính</div>
<main><article>
<h1 class="title">{html.escape(title)}</h1>
<div class="meta">Ngày đăng: {published:%d/%m/%Y %H:%M} | Lượt xem: 1.234 | Tác giả: Phòng Thông tin</div>
<div class="content">
{chr(10).join(body)}
</div>
<div class="share">Chia sẻ: <a href="#">Facebook</a> | <a href="#">Zalo</a> | <a href="#">In bài viết</a></div>
</article>
<aside class="related"><h3>Tin liên quan</h3><ul>{related}</ul></aside>
</main>
<footer><p>{html.escape(name)} - Giấy phép số {licence} của Bộ Thông tin và Truyền thông.</p>
<p>Địa chỉ: {html.escape(address)}. Điện thoại: {phone}. Email: banbientap@example.gov.vn</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này. Số lượt truy cập: 12.345.678</p></footer>
</body></html>
"""


def render_docx(text: str) -> bytes:
    """A Word file of ``text``: the title as a heading, paragraphs, real tables."""
    import docx

    document = docx.Document()
    document.core_properties.author = "Phòng Tổng hợp"
    document.core_properties.created = datetime(2024, 5, 20, 8, 0)
    for kind, content in blocks(text):
        if kind == "title":
            document.add_heading(str(content), level=1)
            document.core_properties.title = str(content)
        elif kind == "p":
            document.add_paragraph(str(content))
        else:
            rows = content  # type: ignore[assignment]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same archive with a fixed time on every entry, so a rendering is reproducible."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 5, 20, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
