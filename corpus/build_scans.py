#!/usr/bin/env python3
"""Scanned copies of corpus PDFs, with gold, to measure OCR.

    python corpus/build_scans.py          # write corpus/dev/<name>.scan.pdf and its gold

Each page of the PDF is rendered at 200 dpi in grey (like the real scans in ../shared)
and rebuilt as an image-only PDF, so the text is read by Tesseract. The gold is the text
document's, moved to the scan's OCR text in order; a record whose surface OCR misread is
kept with "lost": true, which the evaluation counts as a miss.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.build import derive_gold_in_order  # noqa: E402
from extractor import load  # noqa: E402

SOURCES = ("quang-tri-par-2023", "dak-lak-par-sipas-2020", "lao-cai-papi-2021", "soc-trang-sipas-2021", "tien-giang-pci-2022")


def scan(pdf: Path, dpi: int = 200) -> bytes:
    import pypdfium2 as pdfium
    from fpdf import FPDF

    document = pdfium.PdfDocument(pdf)
    out = FPDF(unit="pt")
    out.set_creation_date(__import__("datetime").datetime(2026, 1, 1))
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        image = io.BytesIO()
        page.render(scale=dpi / 72, grayscale=True).to_pil().save(image, format="JPEG", quality=70)
        out.add_page(format=(width, height))
        out.image(image, x=0, y=0, w=width, h=height)
    return bytes(out.output())


def main() -> int:
    for name in SOURCES:
        txt = REPO / "corpus" / "dev" / f"{name}.txt"
        out = txt.with_name(f"{name}.scan.pdf")
        out.write_bytes(scan(txt.with_suffix(".pdf")))
        text = load(txt).pages[0].text
        pages = [p.text for p in load(out).pages]
        gold = json.loads(Path(str(txt) + ".gold.json").read_text(encoding="utf-8"))
        derived = derive_gold_in_order(gold, text, pages, out.name, mark_lost=True)
        lost = sum(1 for r in derived["records"] if r.get("lost"))
        records = derived["records"]
        derived["note"] = f"derived by corpus/build_scans.py from {name}.txt.gold.json; {lost} record(s) misread by OCR are marked lost"
        Path(str(out) + ".gold.json").write_text(json.dumps(derived, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote: {out} ({len(pages)} pages, {lost} of {len(records)} records lost to OCR)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
