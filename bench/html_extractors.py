#!/usr/bin/env python3
"""trafilatura against readability-lxml on the corpus's web pages: speed and quality.

    .venv/bin/python bench/html_extractors.py      # prints a table, writes bench/html_extractors.md

Quality is judged two ways on every corpus/*/*.html page: the share of gold surfaces
found in the extracted text (the article kept), and the boilerplate lines that leaked
through (menus, date and share lines, related articles, footers).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.normalize import normalize  # noqa: E402

BOILERPLATE = ("Trang chủ", "Ngày đăng", "Chia sẻ", "Tin liên quan", "Giấy phép số", "Lượt xem", "Điện thoại", "In bài viết")


def with_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_tables=True, include_comments=False, favor_precision=True) or ""


def with_readability(html: str) -> str:
    import lxml.html
    from readability import Document

    return lxml.html.fromstring(Document(html).summary()).text_content()


def main() -> int:
    pages = sorted(REPO.glob("corpus/*/*.html"))
    rows = {}
    for name, extract in (("trafilatura", with_trafilatura), ("readability-lxml", with_readability)):
        kept, leaked, seconds = [], 0, []
        for page in pages:
            html = page.read_text(encoding="utf-8")
            extract(html)  # warm-up
            start = time.perf_counter()
            text = normalize(extract(html)).text
            seconds.append(time.perf_counter() - start)
            gold = json.loads(Path(str(page) + ".gold.json").read_text(encoding="utf-8"))
            surfaces = [normalize(r["surface"]).text for r in gold["records"]]
            kept.append(sum(s in text for s in surfaces) / max(1, len(surfaces)))
            leaked += sum(marker in text for marker in BOILERPLATE)
        rows[name] = (statistics.mean(kept), leaked, 1000 * statistics.median(seconds))
    lines = [
        f"{len(pages)} corpus web pages; median time per page, share of gold surfaces kept, boilerplate lines leaked",
        "",
        "| extractor | ms per page | gold surfaces kept | boilerplate lines leaked |",
        "|---|---|---|---|",
        *[f"| {n} | {ms:.1f} | {k:.3f} | {b} |" for n, (k, b, ms) in rows.items()],
    ]
    (REPO / "bench" / "html_extractors.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
