"""count: a number with the noun it counts ("561 thủ tục hành chính", "hơn 1.920 cán bộ")."""

from __future__ import annotations

import regex

from .common import approx_code, group, quantity, words_before

FIELD_SOURCES = {"value": {"value"}, "unit": {"unit"}, "approx": {"approx"}}

# Words before a number that make it something other than a count: an ordinal ("năm
# thứ 3"), a ranking shorthand ("top 3 tỉnh"), a provision or a document number.
_NOT_A_COUNT_AFTER = {
    "thứ", "top", "điều", "khoản", "điểm", "chương", "mục", "phần", "lục", "số", "năm", "tuần", "tháng", "quý", "mức", "độ",
    "cấp", "loại", "nhóm",
}


def is_count_context(text: str, start: int) -> bool:
    """Whether a number at ``start`` can be a count, judging by the word before it.

    >>> is_count_context("năm thứ 3 liên tiếp", 8), is_count_context("top 3 tỉnh", 4)
    (False, False)
    >>> is_count_context("tổ chức 19 Hội nghị", 8), is_count_context("Khoản 11 Điều 1", 6)
    (True, False)
    """
    before = words_before(text, start, 1)
    return not before or before[0] not in _NOT_A_COUNT_AFTER


def looks_like_year(written: str) -> bool:
    """An undotted 19xx or 20xx is a year: counts that large are written "2.019".

    >>> looks_like_year("2030"), looks_like_year("1326"), looks_like_year("2.019")
    (True, False, False)
    """
    return len(written) == 4 and written.isdigit() and 1900 <= int(written) <= 2100


def build(match: regex.Match[str], text: str) -> dict | None:
    if not is_count_context(text, match.start("value")) or looks_like_year(match.group("value")):
        return None
    return {"value": quantity(match, "value"), "unit": group(match, "unit"), "approx": approx_code(match)}
