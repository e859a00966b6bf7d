"""legal_ref: a cited or own legal document, its symbol written the canonical way.

"Nghị định số 24/2014/NĐ-CP", "Quyết định số 510/QĐ-UBND ngày 07/7/2014", "Khoản 11,
Điều 1, Nghị định số 161/2018/NĐ-CP", "57-NQ/TW", "Số: 766/QĐ-TTg", "Kế hoạch số 222",
"Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015".
"""

from __future__ import annotations

import unicodedata
from functools import cache

import regex

from ..datafile import GAZETTEERS_DIR, read_yaml
from .common import group, required
from .date import date_fields

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_LETTERS = regex.compile(r"\p{L}+")
_SPACES = regex.compile(r"\s+")
_TRAILING_SEPARATORS = regex.compile(r"[\s,]+$")
_TRAILING_DIGITS = regex.compile(r"\d+$")

FIELD_SOURCES = {
    "doc_type": {"doc_type", "code", "party_code"},
    "number": {"number"},
    "year": {"year"},
    "code": {"code", "party_code"},
    "symbol": {"code", "party_code"},
    "issued": {"issued_year", "issued_year_w"},
    "provision": {"provision"},
    "title": {"title"},
}
GAZETTEER = GAZETTEERS_DIR / "legal_codes.yaml"
_TOKEN = regex.compile(r"[\p{L}]+\d*|\d+")


def fold(token: str) -> str:
    """Upper case without diacritics, Đ as D: the key abbreviations are matched by.

    >>> fold("nđ"), fold("TTg"), fold("Hđnd")
    ('ND', 'TTG', 'HDND')
    """
    decomposed = unicodedata.normalize("NFD", token.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@cache
def _gazetteer() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(fold key -> official abbreviation, fold key -> type abbreviation, abbreviation -> type name)."""
    data = read_yaml(GAZETTEER)
    types: dict[str, str] = data["types"]
    official = {fold(a): a for a in [*types, *data["issuers"]]}
    return official, {fold(a): a for a in types}, types


def _canonical_token(token: str) -> str:
    official, _, _ = _gazetteer()
    letters = _LETTERS.match(token)
    if letters is None:
        return token
    head, tail = letters.group(), token[letters.end() :]  # "QH15": "QH" + "15"
    return official.get(fold(head), head.upper() if head.isupper() or head.islower() else head) + tail


def canonical_code(code: str) -> str:
    """The official spelling of a symbol's code part.

    >>> canonical_code("nđ-cp"), canonical_code("ND-CP"), canonical_code("NĐCP"), canonical_code("QĐ - UBND")
    ('NĐ-CP', 'NĐ-CP', 'NĐ-CP', 'QĐ-UBND')
    >>> canonical_code("SNV-CCHC&PC"), canonical_code("NQ-UBTVQH15"), canonical_code("qđ-ttg"), canonical_code("NQ/TW")
    ('SNV-CCHC&PC', 'NQ-UBTVQH15', 'QĐ-TTg', 'NQ/TW')
    """
    code = _SPACES.sub("", code)
    if "-" not in code and "/" not in code:
        official, type_keys, _ = _gazetteer()
        key = fold(code)
        for type_key in sorted(type_keys, key=len, reverse=True):  # "NĐCP" lost its hyphen
            rest = key[len(type_key) :]
            if key.startswith(type_key) and rest and fold(_TRAILING_DIGITS.sub("", rest)) in official:
                code = code[: len(type_key)] + "-" + code[len(type_key) :]
                break
    return _TOKEN.sub(lambda m: _canonical_token(m.group()), code)


def type_from_code(code: str) -> str | None:
    """The type a symbol names by its first abbreviation: "QĐ-UBND" -> "Quyết định".

    >>> type_from_code("QĐ-TTg"), type_from_code("NQ/TW"), type_from_code("UBND-NC")
    ('Quyết định', 'Nghị quyết', None)
    """
    _, type_keys, types = _gazetteer()
    first = _LETTERS.match(code)
    abbreviation = type_keys.get(fold(first.group())) if first else None
    return types[abbreviation] if abbreviation else None


def doc_type_name(written: str) -> str:
    """A type as written ("nghị  định", "QĐ") in its usual form ("Nghị định", "Quyết định")."""
    _, type_keys, types = _gazetteer()
    words = " ".join(written.split())
    if fold(words) in type_keys and " " not in words:
        return types[type_keys[fold(words)]]
    return words[:1].upper() + words[1:].lower()


def _issued(match: regex.Match[str]) -> str | None:
    for suffix in ("", "_w"):
        year = group(match, f"issued_year{suffix}")
        if year:
            day, month = required(match, f"issued_day{suffix}"), required(match, f"issued_month{suffix}")
            fields = date_fields(int(day), int(month), int(year))
            return fields["value"] if fields else None
    return None


def build(match: regex.Match[str], text: str) -> dict | None:
    written_type = group(match, "doc_type")
    party = group(match, "party_code")
    code = canonical_code(party or group(match, "code") or "") or None
    number = group(match, "number")
    year = group(match, "year")
    if code and number:
        symbol = f"{number}-{code}" if party else "/".join(p for p in (number, year, code) if p)
    else:
        symbol = None
    doc_type = doc_type_name(written_type) if written_type else (type_from_code(code) if code else None)
    if doc_type is None and number is None and code is None:
        return None
    title = group(match, "title")
    provision = group(match, "provision")
    return {
        "doc_type": doc_type,
        "number": number,
        "year": int(year) if year else None,
        "code": code,
        "symbol": symbol,
        "issued": _issued(match),
        "provision": _TRAILING_SEPARATORS.sub("", provision) if provision else None,
        "title": f"{doc_type} {' '.join(title.split())}" if title and doc_type else None,
    }
