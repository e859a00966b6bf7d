"""ratio: "1745/3377 tổng hồ sơ", "34/34 địa phương", "3.071/4.888 TTHC"."""

from __future__ import annotations

from decimal import Decimal

import regex

from .common import group, quantity, words_before

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_LETTER_AFTER = regex.compile(r"\s+\p{L}")
_LINKING_WORD_AFTER = regex.compile(r"\s+(?:năm|và|đến|tới)\b")

FIELD_SOURCES = {"numerator": {"numerator"}, "denominator": {"denominator"}}

# Words before "d/m" that make it a date: "sáng nay 10/7", "ngày 24/9".
_DATE_WORDS = {"ngày", "sáng", "chiều", "tối", "trưa", "đêm", "nay", "hôm", "mai", "qua", "từ", "đến", "tới", "tháng"}


def is_ratio(numerator: Decimal, denominator: Decimal, before: list[str], noun_after: bool) -> bool:
    """Whether "a/b" is a ratio, not a date, given the words before it and what follows.

    A part never exceeds its whole; "d/m" after a time word is a date; "6/2024" is a
    month or a document number and year; "1/500" with nothing counted is a map scale; a
    small pair such as "3/4" with no counted noun after it is left alone (a date as
    likely as a ratio).

    >>> is_ratio(Decimal(26), Decimal(1064), ["là"], True), is_ratio(Decimal(10), Decimal(7), ["nay"], False)
    (True, False)
    >>> is_ratio(Decimal(3), Decimal(4), ["đạt"], False), is_ratio(Decimal(34), Decimal(34), ["có"], True)
    (False, True)
    >>> is_ratio(Decimal(5), Decimal(7), ["ngày"], True), is_ratio(Decimal(6), Decimal(2024), ["từ"], False)
    (False, False)
    >>> is_ratio(Decimal(24), Decimal(2020), ["tư"], True), is_ratio(Decimal(1), Decimal(500), ["lệ"], False)
    (False, False)
    """
    if denominator == 0 or numerator > denominator or 1900 <= denominator <= 2100:
        return False
    if numerator == 1 and not noun_after:
        return False
    if before and before[-1] in _DATE_WORDS:
        return False
    return noun_after or denominator > 31


def build(match: regex.Match[str], text: str) -> dict | None:
    numerator, denominator = quantity(match, "numerator"), quantity(match, "denominator")
    noun_after = bool(group(match, "noun")) or bool(_LETTER_AFTER.match(text[match.end() :]) and not _LINKING_WORD_AFTER.match(text[match.end() :]))
    if numerator is None or denominator is None or not is_ratio(numerator, denominator, words_before(text, match.start()), noun_after):
        return None
    return {"numerator": numerator, "denominator": denominator}
