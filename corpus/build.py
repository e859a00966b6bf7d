#!/usr/bin/env python3
"""Render the corpus's text documents as PDFs, web pages and Word files, with their gold.

    python corpus/build.py            # write the renderings and their derived gold
    python corpus/build.py --check    # only check that committed renderings read back right

For every ``<name>.txt`` in corpus/dev and corpus/heldout that has a gold file, the
normalized text is rendered as ``<name>.pdf`` (corpus/render_pdf.py); every third text
also as a portal page ``<name>.html`` and, offset by one, as ``<name>.docx``
(corpus/render_web.py). The gold is derived: each record keeps its kind, surface and
fields and gets the page and the occurrence it has in the rendering. For a PDF the
rendering must read back as the text's paragraphs ("\\n".join(pages) == text); for a web
page or a Word file every gold surface must be found again, in the same order.
Only files this script made are overwritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.render_pdf import find_font, render  # noqa: E402
from extractor.gold import locate  # noqa: E402
from extractor.loaders import load_bytes  # noqa: E402
from extractor.normalize import normalize  # noqa: E402
from extractor import load  # noqa: E402
from extractor.tables import find_tables  # noqa: E402

FOLDERS = ("dev", "heldout")
DERIVED = "derived by corpus/build.py from {name}.txt.gold.json; do not edit"


def derive_gold(txt_gold: dict, text: str, pdf_pages: list[str], pdf_name: str) -> tuple[dict, list[str]]:
    """The gold of the PDF rendering; also the surfaces that a page break splits."""
    offsets, position = [], 0
    for page in pdf_pages:
        offsets.append(position)
        position += len(page) + 1
    records, lost = [], []
    for entry in txt_gold["records"]:
        surface = normalize(entry["surface"]).text
        start = locate(text, surface, entry.get("occurrence", 1))
        if start is None:
            raise ValueError(f"{entry['surface']!r} is not in the text")
        page = max(i for i, o in enumerate(offsets) if o <= start)
        local = start - offsets[page]
        if local + len(surface) > len(pdf_pages[page]):
            lost.append(surface)
            continue
        occurrence = 1 + sum(1 for i in range(local) if pdf_pages[page].startswith(surface, i))
        records.append({**entry, "page": page + 1, "occurrence": occurrence})
    return {
        "document": pdf_name,
        "note": DERIVED.format(name=pdf_name.removesuffix(".pdf")),
        "records": records,
        "metrics": txt_gold.get("metrics", []),
    }, lost


def _count(page: str, surface: str, end: int | None = None) -> int:
    """Occurrences of ``surface`` starting in ``page[:end]``, overlapping ones included."""
    stop = len(page) if end is None else end
    return sum(1 for i in range(stop) if page.startswith(surface, i))


def derive_gold_in_order(
    txt_gold: dict, text: str, pages: list[str], name: str, *, note: str | None = None, mark_lost: bool = False
) -> dict | None:
    """Gold for a rendering that keeps the text's surfaces in order. A surface not found
    again makes it None, or, with ``mark_lost`` (a scan that OCR misread), a record kept
    with "lost": true."""
    records = []
    for entry in txt_gold["records"]:
        surface = normalize(entry["surface"]).text
        start = locate(text, surface, entry.get("occurrence", 1))
        if start is None:
            return None
        ordinal, seen = _count(text, surface, start + 1), 0
        for number, page in enumerate(pages, start=1):
            here = _count(page, surface)
            if seen + here >= ordinal:
                records.append({**entry, "page": number, "occurrence": ordinal - seen})
                break
            seen += here
        else:
            if not mark_lost:
                return None
            records.append({**entry, "page": 1, "lost": True})
    return {"document": name, "note": note or DERIVED.format(name=Path(name).stem), "records": records,
            "metrics": txt_gold.get("metrics", [])}


def _row_pages(tables: list, pages: list[str]) -> dict[tuple[int, int], int]:
    """The PDF page (0-based) of each data row of each of the text's tables, keyed by the
    table's and the row's index: each row is searched for, in order, as its cells one
    after the other in the pages' text."""
    joined = "\n".join(pages)
    starts, at = [], 0
    for page in pages:
        starts.append(at)
        at += len(page) + 1
    found, position = {}, 0
    for t, table in enumerate(tables):
        for r, row in enumerate(table.rows):
            cells = [r"\s+".join(regex.escape(w) for w in c.text.split()) for c in row if c.text.strip()]
            m = regex.compile(r"\s+".join(cells)).search(joined, position)
            if m is None:
                raise ValueError(f"table {t + 1} row {r + 1} is not in the PDF text")
            position = m.end()
            found[(t, r)] = max(i for i, s in enumerate(starts) if s <= m.start())
    return found


def with_cells(derived: dict, txt_gold: dict, text: str, pages: list[str]) -> dict:
    """Derived PDF gold whose records in the text's tables say the cell they sit in, as
    the PDF shows it: tables numbered on each page, data rows from 1 on each page (a
    table that runs onto the next page starts again there), columns from 1."""
    tables = find_tables(text)
    if not tables:
        return derived
    row_page = _row_pages(tables, pages)
    records = []
    for entry, source in zip(derived["records"], txt_gold["records"], strict=True):  # derived in the text's order
        start = locate(text, normalize(source["surface"]).text, source.get("occurrence", 1))
        cell = next(((t, r, c) for t, table in enumerate(tables) for r, row in enumerate(table.rows)
                     for c, cell in enumerate(row) if cell.start <= start < cell.end), None)
        if cell is None:
            records.append(entry)
            continue
        t, r, c = cell
        page = row_page[(t, r)]
        on_page = sorted({tt for (tt, _), p in row_page.items() if p == page})
        rows_before = sum(1 for (tt, rr), p in row_page.items() if tt == t and p == page and rr < r)
        records.append({**entry, "table": on_page.index(t) + 1, "row": rows_before + 1, "col": c + 1})
    return {**derived, "records": records}


def build_web(txt: Path, kind: str, index: int, *, check: bool) -> str:
    """Render one text as a web page or a Word file, with its derived gold."""
    from corpus.render_web import render_docx, render_html

    out = txt.with_suffix(f".{kind}")
    gold_out = Path(str(out) + ".gold.json")
    text = load(txt).pages[0].text
    if check:
        data = out.read_bytes()
    else:
        data = render_html(text, index).encode("utf-8") if kind == "html" else render_docx(text)
    pages = [page.text for page in load_bytes(data, str(out)).pages]
    txt_gold = json.loads(Path(str(txt) + ".gold.json").read_text(encoding="utf-8"))
    derived = derive_gold_in_order(txt_gold, text, pages, out.name)
    if derived is None:
        return f"{'error' if check else 'skipped'}: {out} (a gold surface is not found again in the {kind} text)"
    if check:
        committed = json.loads(gold_out.read_text(encoding="utf-8"))
        return f"ok: {out}" if committed == derived else f"error: {gold_out}: differs from what build.py derives"
    if gold_out.exists() and "derived by corpus/build.py" not in gold_out.read_text(encoding="utf-8"):
        return f"error: {gold_out}: exists and was not made by this script; not overwritten"
    out.write_bytes(data)
    gold_out.write_text(json.dumps(derived, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return f"wrote: {out}"


def build(txt: Path, *, check: bool) -> str:
    """Render one document; returns a line saying what happened."""
    pdf = txt.with_suffix(".pdf")
    gold_out = Path(str(pdf) + ".gold.json")
    text = load(txt).pages[0].text
    if check:
        data = pdf.read_bytes()
    else:
        data = render(text, find_font())
    pages = [page.text for page in load_bytes(data, str(pdf)).pages]
    txt_gold = json.loads(Path(str(txt) + ".gold.json").read_text(encoding="utf-8"))
    lost: list[str] = []
    if find_tables(text):  # ruled tables: their cells read back in order, not as the text's lines
        derived = derive_gold_in_order(txt_gold, text, pages, pdf.name)
        if derived is None:
            return f"{'error' if check else 'skipped'}: {pdf} (a gold surface is not found again in the PDF text)"
        derived = with_cells(derived, txt_gold, text, pages)
    elif "\n".join(pages) != text:
        if check:
            return f"error: {pdf}: does not read back as {txt.name}"
        return f"skipped: {txt} (its PDF rendering does not read back as the same text)"
    else:
        derived, lost = derive_gold(txt_gold, text, pages, pdf.name)
    if check:
        committed = json.loads(gold_out.read_text(encoding="utf-8"))
        return f"ok: {pdf}" if committed == derived else f"error: {gold_out}: differs from what build.py derives"
    if gold_out.exists() and "derived by corpus/build.py" not in gold_out.read_text(encoding="utf-8"):
        return f"error: {gold_out}: exists and was not made by this script; not overwritten"
    pdf.write_bytes(data)
    gold_out.write_text(json.dumps(derived, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    note = f" ({len(lost)} record(s) split by a page break left out)" if lost else ""
    return f"wrote: {pdf} ({len(pages)} pages){note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check the committed PDFs and derived gold; write nothing")
    args = parser.parse_args(argv)
    status = 0
    for folder in FOLDERS:
        texts = [t for t in sorted((REPO / "corpus" / folder).glob("*.txt")) if Path(str(t) + ".gold.json").is_file()]
        texts = [t for t in texts if t.name.count(".") == 1]  # not derived texts such as x.tcvn3.txt
        for index, txt in enumerate(texts):
            lines = []
            if not args.check or txt.with_suffix(".pdf").is_file():
                lines.append(build(txt, check=args.check))
            for kind, remainder in (("html", 0), ("docx", 1)):
                if index % 3 == remainder and (not args.check or txt.with_suffix(f".{kind}").is_file()):
                    lines.append(build_web(txt, kind, index, check=args.check))
            for line in lines:
                print(line)
                status |= line.startswith("error")
    return status


if __name__ == "__main__":
    sys.exit(main())
