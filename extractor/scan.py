"""Running a rule only where it can match: around the places of its anchor.

Thirty-seven rules each scanning a whole page was most of the time spent on a page. A
rule may name an ``anchor``, a regex that every one of its matches contains or stands
near (a rank "xếp thứ 27/63" holds "27/63"; an amount of money ends in "đồng"), and a
``reach``: how far a match may start before the anchor and end after it. The rule then
runs over the stretches of the page around the anchor's places only, merged where they
touch. The matches are those of a whole-page scan, because

- a match lies within ``reach`` of one of its anchor's places, so inside a stretch, and
  no match runs across the start of a stretch;
- the regex module lets a lookbehind read the text before the position a search starts
  at, and each stretch is read :data:`LOOKAHEAD` characters further than a match may
  end, so lookaheads read real text; a match ending in that margin (it may owe its
  success to the cut) sends the stretch on to the end of the page.

tests/test_anchors.py checks this on every rule's examples and every corpus page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import regex

from .rulebook import Rule

# Characters past a stretch that a rule's lookahead may read.
LOOKAHEAD = 80
# Stretches this close are read as one: a search costs more to start than to run on
# a few dozen characters.
_JOIN = 48


class Places:
    """A page's places of each anchor, found once and shared by the rules naming it.

    An anchor compiled by Python's ``re`` is written in lower case and runs on the page
    lower-cased (same length, same offsets); one of the regex module is case-insensitive.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._lowered: str | None = None
        self._found: dict[re.Pattern[str] | regex.Pattern[str], list[tuple[int, int]]] = {}

    def of(self, anchor: re.Pattern[str] | regex.Pattern[str]) -> list[tuple[int, int]]:
        if anchor not in self._found:
            text = self.lowered if isinstance(anchor, re.Pattern) else self.text
            self._found[anchor] = [m.span() for m in anchor.finditer(text)]
        return self._found[anchor]

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            lowered = self.text.lower()
            if len(lowered) != len(self.text):  # "İ" lower-cases to two characters: keep such as they are
                lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
            self._lowered = lowered
        return self._lowered


def stretches(places: list[tuple[int, int]], reach: tuple[int, int], length: int) -> list[tuple[int, int]]:
    """The parts of a page of ``length`` characters a match can lie in, merged.

    >>> stretches([(10, 11), (30, 31), (300, 301)], (5, 5), 400)
    [(5, 36), (295, 306)]
    """
    before, after = reach
    merged: list[tuple[int, int]] = []
    for start, end in places:
        lo, hi = max(0, start - before), min(length, end + after)
        if merged and lo <= merged[-1][1] + _JOIN:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def rule_matches(rule: Rule, places: Places, timeout: float) -> Iterator[regex.Match[str]]:
    """The matches of ``rule`` on the page, as a whole-page scan gives them, in order.

    TimeoutError when the matching itself takes more than ``timeout`` seconds in all: the
    time the caller spends between matches (building records, tagging) is not counted,
    so a busy machine or a slow consumer does not cut a rule short.
    """
    text = places.text
    if rule.anchor is None:
        yield from list(rule.pattern.finditer(text, timeout=timeout))  # matched before any is used
        return
    spent = 0.0
    done = 0  # where a whole-page scan would go on from
    for lo, hi in stretches(places.of(rule.anchor), rule.reach, len(text)):
        if hi <= done:
            continue
        began = time.monotonic()
        found = _stretch(rule.pattern, text, max(lo, done), hi, began + timeout - spent)
        spent += time.monotonic() - began
        yield from found
        if found:
            done = found[-1].end()


_LONG_STRETCH = 4000
# How many times a stretch is read further before it is read to the end of the page.
_EXTENSIONS = 4


def _stretch(pattern: regex.Pattern[str], text: str, lo: int, hi: int, deadline: float) -> list[regex.Match[str]]:
    """The matches in text[lo:hi], the text being read :data:`LOOKAHEAD` characters on."""
    for attempt in range(_EXTENSIONS + 1):
        read_to = len(text) if attempt == _EXTENSIONS else min(len(text), hi + LOOKAHEAD)
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        # A search's own time limit costs half as much again as a short search: a stretch
        # this short is bounded anyway (the rules have no nested unbounded repeats), and the
        # deadline is checked between stretches.
        found = list(pattern.finditer(text, lo, read_to, timeout=left if read_to - lo > _LONG_STRETCH else None))
        if read_to == len(text) or not found or found[-1].end() <= hi:
            return found
        hi = read_to  # a match reaching into the margin may owe itself to the cut: read further
    return found
