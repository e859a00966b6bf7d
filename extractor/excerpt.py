"""The sentence a record carries, bounded.

A record repeats the sentence it stands in, so that a reader sees the value in context
without opening the page. A page with no sentence breaks (a table run together on one
line, a list of thousands of figures) would make every record repeat the whole line:
output growing with records times line length. Past :data:`~extractor.limits.MAX_CONTEXT_CHARS`
a record carries a window of the sentence around itself instead, cut at spaces, with
"…" where it was cut.
"""

from __future__ import annotations

from .limits import MAX_CONTEXT_CHARS

ELLIPSIS = "…"
_SNAP = 24  # how far a cut may move to fall between words


def excerpt(text: str, lo: int, hi: int, start: int, end: int, limit: int = MAX_CONTEXT_CHARS) -> str:
    """``text[lo:hi]`` (the sentence) when short enough, else a window around ``start:end``.

    >>> s = "Năm 2023, " + "xã A đạt 1%, " * 40 + "tỉnh đạt 81,42 điểm."
    >>> excerpt(s, 0, len(s), 0, 9, limit=1000) == s
    True
    >>> w = excerpt(s, 0, len(s), s.index("81,42"), s.index("81,42") + 5, limit=60)
    >>> w
    '…A đạt 1%, xã A đạt 1%, xã A đạt 1%, tỉnh đạt 81,42 điểm.'
    >>> len(w) <= 60
    True
    """
    if hi - lo <= limit:
        return text[lo:hi]
    room = max(0, limit - (end - start) - 2 * len(ELLIPSIS))
    left = max(lo, start - room // 2)
    right = min(hi, end + (room - (start - left)))
    left = max(lo, start - (room - (right - end)))  # room the right side could not use
    if left > lo:
        space = text.find(" ", left, min(start, left + _SNAP))
        left = space + 1 if space >= 0 else left
    if right < hi:
        space = text.rfind(" ", max(end, right - _SNAP), right)
        right = space if space >= 0 else right
    return (ELLIPSIS if left > lo else "") + text[left:right] + (ELLIPSIS if right < hi else "")
