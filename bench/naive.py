#!/usr/bin/env python3
"""The naive pipeline that issue 17 compares us with: NLP first, regexes after.

    .venv/bin/python bench/naive.py FILE...      # one JSON line per document on stdout

For each document: read the text (a .pdf with pdfplumber's ``page.extract_text()``, page
by page; anything else decoded as UTF-8), split it into sentences with underthesea's
``sent_tokenize``, run underthesea's ``word_tokenize`` on EVERY sentence (as such
pipelines do up front, whether or not a sentence holds a number), then a handful of
regexes over each sentence: percent, score ("X điểm"), rank ("xếp thứ N/M"), rank change
("tăng/giảm N bậc"), legal reference ("số N/YYYY/XX-YY") and date ("ngày d/m/yyyy").
Regexes run independently, so their matches may overlap (no arbitration). A document that
cannot be read gives {"path", "error"}. Offsets index into the page text as read here.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

NUMBER = r"\d+(?:[.,]\d+)*"
SIGN = {"tăng": 1, "giảm": -1}


def number(text: str) -> float:
    """A Vietnamese number: 1.685 is 1685, 85,12 is 85.12 (65.27 stays 65.27)."""
    if "," in text or re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def _date(g: tuple[str, ...]) -> dict:
    return {"value": f"{g[2]}-{int(g[1]):02d}-{int(g[0]):02d}", "day": int(g[0]), "month": int(g[1])}


RULES: dict[str, tuple[re.Pattern[str], Callable[[tuple[str, ...]], dict]]] = {
    "percent": (re.compile(rf"({NUMBER})\s?%"), lambda g: {"value": number(g[0])}),
    "score": (re.compile(rf"({NUMBER})\s+điểm"), lambda g: {"value": number(g[0])}),
    "rank": (re.compile(r"xếp\s+(?:thứ|hạng)\s+(\d+)(?:\s*/\s*(\d+))?"),
             lambda g: {"rank": int(g[0]), "total": int(g[1]) if g[1] else None}),
    "rank_change": (re.compile(r"(tăng|giảm)\s+(\d+)\s+bậc"), lambda g: {"value": SIGN[g[0]] * int(g[1])}),
    "legal_ref": (re.compile(r"[Ss]ố:?\s+(\d+)/(?:(\d{4})/)?([A-ZĐ]+(?:-[A-ZĐa-z]+)+)"),
                  lambda g: {"symbol": "/".join(x for x in g if x), "number": g[0]}),
    "date": (re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})"), _date),
}


def read_pages(path: Path) -> list[str]:
    """The page texts: pdfplumber for a PDF, UTF-8 decoding for anything else (one page)."""
    if path.suffix.lower() == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return [page.extract_text() or "" for page in pdf.pages]
    return [path.read_bytes().decode("utf-8", errors="replace")]


def sentences(text: str) -> list[tuple[int, str]]:
    """underthesea's sentences, each with its offset in ``text``."""
    from underthesea import sent_tokenize

    located, cursor = [], 0
    for sentence in sent_tokenize(text):
        start = text.find(sentence, cursor)
        if start < 0:  # underthesea changed the sentence's spacing: keep it, offset unknown
            located.append((-1, sentence))
            continue
        located.append((start, sentence))
        cursor = start + len(sentence)
    return located


def extract(path: Path) -> dict:
    """What the naive pipeline finds in one document."""
    from underthesea import word_tokenize

    pages = read_pages(path)
    records, n_sentences, n_words = [], 0, 0
    for page_number, text in enumerate(pages, start=1):
        for offset, sentence in sentences(text):
            n_sentences += 1
            n_words += len(word_tokenize(sentence))  # every sentence, up front
            for kind, (pattern, values) in RULES.items():
                for match in pattern.finditer(sentence):
                    start = offset + match.start() if offset >= 0 else -1
                    records.append({"kind": kind, "page": page_number, "start": start,
                                    "end": start + len(match.group()) if offset >= 0 else -1,
                                    "surface": match.group(), **values(match.groups())})
    return {"path": str(path), "pages": len(pages), "sentences": n_sentences, "words": n_words, "records": records}


def main(arguments: list[str]) -> int:
    failed = 0
    for name in arguments:
        try:
            line = extract(Path(name))
        except Exception as error:
            failed += 1
            line = {"path": name, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(line, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
