"""Vietnamese numbers, exactly: digits with either separator convention, and words.

Reports write "." for thousands and "," for decimals ("19.568", "81,42"), but dot
decimals occur too ("64.63 điểm" on pcivietnam.org, "0.8002" on dti.gov.vn). A lone
separator is read by its digits: three digits after a dot are thousands ("19.568"), any
other count is a decimal ("64.63", "0.8002", "50.70"); a lone comma is a decimal
("1,5"). Callers that know the value's scale can say so with ``dot_decimal``.

Values are :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import regex

from .limits import MAX_NUMBER_DIGITS

__all__ = [
    "MAGNITUDES", "NUMBER_SYLLABLE", "NUMBER_WORD", "TooLong", "parse_int", "parse_number", "parse_number_words", "parse_quantity",
]


class TooLong(ValueError):
    """More digits than any value in a report has: no number, so no record."""


def _check_digits(digits: str) -> None:
    significant = len(digits.lstrip("0.,").replace(".", "").replace(",", ""))
    if significant > MAX_NUMBER_DIGITS:
        raise TooLong(f"{significant} significant digits (at most {MAX_NUMBER_DIGITS})")


def parse_int(text: str) -> int:
    """A whole number in digits, refused past the digit limit (Python's own stops at 4,300).

    >>> parse_int("063")
    63
    >>> parse_int("1" * 16)
    Traceback (most recent call last):
    extractor.numbers.TooLong: 16 significant digits (at most 15)
    """
    _check_digits(text.strip())
    return int(text)

_DIGITS = regex.compile(r"[+-]?\d+(?:[.,\s]\d+)*")


def parse_number(text: str, *, dot_decimal: bool | None = None) -> Decimal:
    """Parse a number written in digits.

    >>> parse_number("19.568"), parse_number("81,42"), parse_number("1.234,5")
    (Decimal('19568'), Decimal('81.42'), Decimal('1234.5'))
    >>> parse_number("01"), parse_number("2,4"), parse_number("1.234.567")
    (Decimal('1'), Decimal('2.4'), Decimal('1234567'))
    >>> parse_number("64.63"), parse_number("0.8002"), parse_number("50.70")
    (Decimal('64.63'), Decimal('0.8002'), Decimal('50.70'))
    >>> parse_number("1,234,567"), parse_number("1,234.5"), parse_number("-0,5")
    (Decimal('1234567'), Decimal('1234.5'), Decimal('-0.5'))
    >>> parse_number("81.420", dot_decimal=True)
    Decimal('81.420')
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _DIGITS.fullmatch(s):
        raise ValueError(f"not a number: {text!r}")
    _check_digits(s.lstrip("+-"))
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    dots, commas = s.count("."), s.count(",")
    if dots and commas:  # the separator written last is the decimal one
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        s = s.replace(group_sep, "").replace(decimal_sep, ".")
    elif commas:
        s = s.replace(",", "") if commas > 1 else s.replace(",", ".")
    elif dots > 1:
        s = s.replace(".", "")
    elif dots == 1:
        whole, fraction = s.split(".")
        is_decimal = dot_decimal if dot_decimal is not None else (len(fraction) != 3 or whole == "0")
        s = s if is_decimal else whole + fraction
    return Decimal(sign + s)


# --- number words ---------------------------------------------------------------------

_UNITS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
MAGNITUDES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tr": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_WORDS = sorted({*_UNITS, *MAGNITUDES, "mười", "mươi", "trăm", "lẻ", "linh"} - {"tr"}, key=len, reverse=True)
# A run of number words, for patterns: "hai mươi mốt", "một trăm lẻ năm", "ba nghìn".
# Bounded repetition keeps the pattern safe from runaway backtracking.
NUMBER_WORD = r"(?<!\w)(?:" + "|".join(_WORDS) + r")(?:\s+(?:" + "|".join(_WORDS) + r")){0,9}(?!\w)"
# One number word ("ba", "trăm", "triệu"): what a spelled-out number ends with.
NUMBER_SYLLABLE = r"(?:" + "|".join(_WORDS) + r")"


def _below_thousand(words: list[str]) -> int:
    """Value of words for 0..999: "[X trăm] [lẻ/linh] [Y mươi | mười] [Z]"."""
    value, i = 0, 0
    if len(words) >= 2 and words[1] == "trăm" and words[0] in _UNITS:
        value, i = _UNITS[words[0]] * 100, 2
    elif words and words[0] == "trăm":  # "trăm" alone, as in "trăm triệu"
        value, i = 100, 1
    rest = words[i:]
    if rest and rest[0] in ("lẻ", "linh"):
        rest = rest[1:]
        if len(rest) != 1 or rest[0] not in _UNITS:
            raise ValueError("lẻ/linh must be followed by one digit word")
        return value + _UNITS[rest[0]]
    if rest and rest[0] == "mười":
        value, rest = value + 10, rest[1:]
    elif len(rest) >= 2 and rest[1] == "mươi" and rest[0] in _UNITS:
        value, rest = value + _UNITS[rest[0]] * 10, rest[2:]
    if len(rest) == 1 and rest[0] in _UNITS:
        return value + _UNITS[rest[0]]
    if rest:
        raise ValueError(f"unexpected number words: {' '.join(rest)}")
    return value


def parse_number_words(text: str) -> Decimal:
    """Parse a number written in Vietnamese words.

    >>> [int(parse_number_words(w)) for w in ("mười lăm", "hai mươi mốt", "bốn mươi tư", "ba")]
    [15, 21, 44, 3]
    >>> [int(parse_number_words(w)) for w in ("một trăm lẻ năm", "một trăm linh năm", "một nghìn", "một ngàn")]
    [105, 105, 1000, 1000]
    >>> int(parse_number_words("một nghìn bảy trăm bốn mươi lăm")), int(parse_number_words("hai tỷ năm trăm triệu"))
    (1745, 2500000000)
    >>> int(parse_number_words("nghìn tỷ")), int(parse_number_words("mười"))
    (1000000000000, 10)
    """
    words = text.lower().split()
    if not words:
        raise ValueError("no number words")
    total = Decimal(0)
    group: list[str] = []  # words below the next magnitude word
    pending = Decimal(0)  # value waiting for a larger magnitude ("nghìn" in "nghìn tỷ")
    for word in words:
        if word in MAGNITUDES:
            base = Decimal(_below_thousand(group)) if group else Decimal(0)
            magnitude = MAGNITUDES[word]
            if base == 0 and not group:  # "nghìn tỷ": multiply what is pending
                pending = (pending or Decimal(1)) * magnitude
            elif pending and magnitude > pending:
                pending = (pending + base) * magnitude
            else:
                total += pending
                pending = base * magnitude
            group = []
        elif word in _UNITS or word in ("mười", "mươi", "trăm", "lẻ", "linh"):
            group.append(word)
        else:
            raise ValueError(f"not a number word: {word!r}")
    return total + pending + (Decimal(_below_thousand(group)) if group else Decimal(0))


def parse_quantity(number: str, magnitude: str | None = None, *, dot_decimal: bool | None = None) -> Decimal:
    """A number in digits or words, times an optional magnitude word.

    >>> parse_quantity("1,5", "triệu"), parse_quantity("3", "tỉ"), parse_quantity("3,5", "tỷ")
    (Decimal('1500000'), Decimal('3000000000'), Decimal('3500000000'))
    >>> parse_quantity("mười lăm"), parse_quantity("2", "nghìn tỷ")
    (Decimal('15'), Decimal('2000000000000'))
    """
    stripped = number.strip()
    value = parse_number(stripped, dot_decimal=dot_decimal) if stripped[:1].isdigit() or stripped[:1] in "+-" else parse_number_words(stripped)
    if magnitude:
        value *= parse_number_words(magnitude)
    try:
        return value.quantize(Decimal(1)) if value == value.to_integral_value() and magnitude else value
    except InvalidOperation:  # more digits than Decimal's context holds: "9 tỷ tỷ tỷ tỷ"
        raise TooLong(f"{number} {magnitude} is out of range") from None
