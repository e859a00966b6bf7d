#!/usr/bin/env python3
"""Issue 18: coverage-guided fuzzing (atheris, libFuzzer) of the loaders through load_bytes.

    .venv/bin/python bench/fuzz_loaders.py                       # each format, 2,000 inputs
    .venv/bin/python bench/fuzz_loaders.py --runs 20000 --formats pdf docx

atheris comes from PyPI (`pip install atheris`, a manylinux wheel for CPython 3.11; not a
dependency of the project). For each format (pdf, docx, html, txt) a child process
fuzzes ``load_bytes(data, "fuzz.<format>")`` from seed files this script makes itself (a
Vietnamese PDF from fpdf2, a DOCX from python-docx, an HTML page, texts in UTF-8,
Windows-1258 and UTF-16). Accepted outcomes: a Document, or an InputError (one line for
the user). Anything else is a finding: the child records its type, last frames and input
(under --artifacts) and goes on, so one finding does not end the run. OCR is off.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FORMATS = ("pdf", "docx", "html", "txt")
LINES = (
    "BÁO CÁO KẾT QUẢ CẢI CÁCH HÀNH CHÍNH NĂM 2023",
    "Chỉ số CCHC của tỉnh đạt 85,12 điểm, xếp thứ 7/63, tăng 2 bậc so với năm 2022.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%; 1.234 thủ tục hành chính được công khai.",
    "Thực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ.",
    "STT\tĐơn vị\tĐiểm\n1\tSở Nội vụ\t91,05\n2\tSở Tư pháp\t88,40",
)


def pdf_seed() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for page in range(2):
        pdf.add_page()
        for line in LINES[page:]:
            pdf.multi_cell(0, 6, line.replace("\t", "    "), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def docx_seed() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(LINES[0], level=1)
    for line in LINES[1:4]:
        document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(LINES[4].split("\n")):
        for c, cell in enumerate(row.split("\t")):
            table.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_seed() -> bytes:
    body = "".join(f"<p>{line}</p>" for line in LINES[1:4])
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row.split("\t")) + "</tr>" for row in LINES[4].split("\n"))
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{LINES[0]}</title></head><body>"
            f"<nav><a href='/'>Trang chủ</a></nav><article><h1>{LINES[0]}</h1>{body}<table>{rows}</table></article>"
            "<footer>Cổng thông tin điện tử</footer></body></html>")
    return page.encode("utf-8")


def seeds(fmt: str) -> list[bytes]:
    text = "\n".join(LINES)
    if fmt == "pdf":
        return [pdf_seed()]
    if fmt == "docx":
        return [docx_seed()]
    if fmt == "html":
        return [html_seed()]
    return [text.encode("utf-8"), text.encode("utf-16"), text.encode("utf-16-le"), text.encode("cp1258", "replace"), b"\xef\xbb\xbf" + text.encode()]


def fuzz_child(fmt: str, runs: int, artifacts: Path) -> None:
    """Runs in the child: libFuzzer owns the process until its runs are done."""
    import atheris

    with atheris.instrument_imports(include=["extractor"]):
        from extractor.errors import InputError
        from extractor.loaders import load_bytes
    found: dict[str, dict] = {}
    name = f"fuzz.{fmt}"

    def one_input(data: bytes) -> None:
        try:
            load_bytes(data, name)
        except InputError:
            pass
        except Exception as error:  # a finding: keep one input per place and type, and go on
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
            key = f"{type(error).__name__} at {where}"
            if key not in found:
                path = artifacts / f"{fmt}-{len(found)}.bin"
                path.write_bytes(data)
                found[key] = {"input": str(path), "frames": "".join(traceback.format_exception(error)[-6:]), "count": 0}
            found[key]["count"] += 1
            (artifacts / f"{fmt}-findings.json").write_text(json.dumps(found, indent=1))

    corpus = Path(tempfile.mkdtemp(prefix=f"seeds-{fmt}-"))
    for i, seed in enumerate(seeds(fmt)):
        (corpus / f"seed{i}").write_bytes(seed)
    (artifacts / f"{fmt}-findings.json").write_text("{}")
    atheris.Setup([sys.argv[0], f"-runs={runs}", "-max_len=200000", "-timeout=60", "-rss_limit_mb=4096",
                   f"-artifact_prefix={artifacts}/", str(corpus)], one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="inputs per format")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--artifacts", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-loaders")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    if args.child:
        fuzz_child(args.child, args.runs, args.artifacts)
        return 0
    env = {**os.environ, "VN_REFORM_OCR": "off"}
    for fmt in args.formats:
        child = [sys.executable, __file__, "--child", fmt, "--runs", str(args.runs), "--artifacts", str(args.artifacts)]
        done = subprocess.run(child, env=env, capture_output=True, text=True)
        stats = [line for line in done.stderr.splitlines() if line.startswith(("#", "Done", "==", "INFO: Loaded"))]
        report = args.artifacts / f"{fmt}-findings.json"
        if done.returncode != 0 and not report.exists():
            print(f"{fmt}: the fuzzer did not start (exit {done.returncode}):\n{done.stderr[-1500:]}")
            continue
        found = json.loads(report.read_text())
        print(f"{fmt}: exit {done.returncode}; {stats[-1] if stats else done.stderr[-300:]}")
        for key, finding in found.items():
            print(f"  {key}: {finding['count']} inputs, e.g. {finding['input']}\n    " + finding["frames"].strip().replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
