#!/usr/bin/env python3
"""The regex-only baseline: plain `re` over the whole text, no segmentation, texts only.

    .venv/bin/python bench/regex_only.py FILE...     # one JSON line per document on stdout

One alternation (earlier kinds win at the same place; matches never overlap); values parsed.
"""
import json
import re
import sys

N = r"\d+(?:[.,]\d+)*"
KINDS = {"legal_ref": r"[Ss]ố:?\s+(\d+)/(?:(\d{4})/)?([A-ZĐ][\wĐ]*(?:[-&][\wĐ]+)+)",
         "date": r"(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})", "period": r"giai đoạn\s+(\d{4})\s*[-–]\s*(\d{4})",
         "rank": r"(?:xếp|đứng)\s+(?:thứ|hạng)\s+(\d+)(?:/(\d+))?", "rank_change": r"(tăng|giảm)\s+(\d+)\s+(?:bậc|hạng)",
         "score_change": rf"(tăng|giảm)\s+({N})\s*(điểm|%)", "percent": rf"({N})\s?%", "score": rf"({N})\s+điểm",
         "money": rf"({N})\s+(tỷ|triệu|nghìn)?\s*đồng", "ratio": r"(\d+(?:\.\d{3})*)/(\d+(?:\.\d{3})*)\s+(?=[^\W\d])",
         "count": rf"({N})\s+(?:thủ tục|hồ sơ|cơ quan|đơn vị|sở|huyện|xã|lĩnh vực|văn bản|tiêu chí|chỉ số|phiếu|lớp|người)"}
# the lookahead on the first character lets `re` skip most positions quickly (2-3x faster)
ANY = re.compile(r"(?=[\dSsnxđtg])(?:" + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in KINDS.items()) + ")")
SPAN = {kind: (ANY.groupindex[kind], re.compile(p).groups) for kind, p in KINDS.items()}  # its groups in ANY
SCALE, SIGN = {"tỷ": 10**9, "triệu": 10**6, "nghìn": 10**3, None: 1}, {"tăng": 1, "giảm": -1}


def num(s: str) -> float:
    if "," in s or re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        s = s.replace(".", "").replace(",", ".")  # 1.685 = 1685; 85,12 = 85.12
    return float(s)


def groups(m: re.Match) -> tuple:
    first, n = SPAN[m.lastgroup]
    return m.groups()[first : first + n]


VALUES = {"legal_ref": lambda g: {"symbol": "/".join(x for x in g if x), "number": g[0]},
          "date": lambda g: {"value": f"{g[2]}-{int(g[1]):02d}-{int(g[0]):02d}", "month": int(g[1]), "day": int(g[0])},
          "period": lambda g: {"start_year": int(g[0]), "end_year": int(g[1])},
          "rank": lambda g: {"rank": int(g[0]), "total": int(g[1]) if g[1] else None},
          "rank_change": lambda g: {"value": SIGN[g[0]] * int(g[1])}, "score_change": lambda g: {"value": SIGN[g[0]] * num(g[1])},
          "percent": lambda g: {"value": num(g[0])}, "score": lambda g: {"value": num(g[0])},
          "money": lambda g: {"value": round(num(g[0]) * SCALE[g[1]])}, "ratio": lambda g: {"numerator": num(g[0]), "denominator": num(g[1])},
          "count": lambda g: {"value": num(g[0])}}


for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    found = [{"kind": m.lastgroup, "start": m.start(), "end": m.end(), "surface": m.group(),
              **VALUES[m.lastgroup](groups(m))} for m in ANY.finditer(text)]
    print(json.dumps({"path": path, "records": found}, ensure_ascii=False))
