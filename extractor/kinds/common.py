"""Helpers the kind builders share: numbers from groups, signs, qualifiers, context."""

from __future__ import annotations

from decimal import Decimal

import regex

from ..numbers import parse_int, parse_number_words, parse_quantity

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_WORD_OR_SLASH = regex.compile(r"[\w/]+")

# Qualifier words before a value, as the contract's `approx` codes.
APPROX_CODES = {
    "hơn": "gt", "trên": "gt", "vượt": "gt",
    "tối thiểu": "ge", "ít nhất": "ge",
    "dưới": "lt", "chưa đến": "lt", "chưa tới": "lt",
    "tối đa": "le", "không quá": "le",
    "khoảng": "about", "gần": "about", "xấp xỉ": "about", "chừng": "about",
}
# Direction words of a change; a fall is negative.
_FALLS = ("giảm", "thấp hơn", "xuống", "tụt", "sụt", "-", "−")


def group(match: regex.Match[str], name: str) -> str | None:
    """The text of a named group, or None when the rule has no such group or it is empty."""
    if name not in match.re.groupindex:
        return None
    value = match.group(name)
    return value if value else None


def required(match: regex.Match[str], name: str) -> str:
    """The text of a group the rule must have matched; ValueError (no record) when it did not."""
    value = group(match, name)
    if value is None:
        raise ValueError(f"{match.re.pattern[:40]}...: no group {name!r} in the match")
    return value


def quantity(match: regex.Match[str], name: str, magnitude: str = "magnitude", *, dot_decimal: bool | None = None) -> Decimal | None:
    """A number from group ``name`` (digits or words), times the magnitude group if any."""
    text = group(match, name)
    if text is None:
        return None
    return parse_quantity(text, group(match, magnitude), dot_decimal=dot_decimal)


def approx_code(match: regex.Match[str], name: str = "approx") -> str | None:
    """
    >>> import regex
    >>> approx_code(regex.match(r"(?P<approx>hơn)\\s1", "hơn 1"))
    'gt'
    """
    word = group(match, name)
    return APPROX_CODES[" ".join(word.lower().split())] if word else None


def sign(match: regex.Match[str], name: str = "direction") -> int:
    """-1 for a fall ("giảm", "thấp hơn", "tụt"), else +1."""
    word = (group(match, name) or "").lower()
    return -1 if word.startswith(_FALLS) else 1


def int_group(match: regex.Match[str], name: str) -> int | None:
    text = group(match, name)
    return parse_int(text) if text else None


def words_before(text: str, start: int, count: int = 2) -> list[str]:
    """The last ``count`` words before ``start``, lowercased, punctuation stripped.

    >>> words_before("xếp năm thứ 3 liên tiếp", 12)
    ['năm', 'thứ']
    """
    return [w.lower() for w in _WORD_OR_SLASH.findall(text[max(0, start - 60) : start])[-count:]]


def ordinal_value(word: str) -> int:
    """The rank an ordinal word names: "nhất" 1, "nhì" 2, "ba" 3, "tư" 4, "mười lăm" 15.

    >>> [ordinal_value(w) for w in ("nhất", "nhì", "hai", "ba", "tư", "mười lăm")]
    [1, 2, 2, 3, 4, 15]
    """
    word = " ".join(word.lower().split())
    if word == "nhất":
        return 1
    if word == "nhì":
        return 2
    return int(parse_number_words(word))
