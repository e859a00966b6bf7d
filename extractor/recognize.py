"""Run the rules on a page's normalized text and turn their matches into records.

Regex runs on the text, never on tokens (the word segmenter splits and merges numbers
and symbols); sentences from segmentation give each record its context. Matches become
candidates, the kind's builder checks and parses them, and :mod:`.resolve` keeps one
reading where candidates overlap.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from pydantic import TypeAdapter

from .excerpt import excerpt
from .kinds import KINDS
from .records import Record
from .resolve import resolve
from .rulebook import MATCH_TIMEOUT_S, PATTERNS_DIR, Rule, load_rules
from .scan import Places, rule_matches
from .segment import sentences_of, tag
from .tables import Table, cells_to_read, find_tables, table_records

_RECORD = TypeAdapter(Record)


@dataclass(frozen=True)
class Candidate:
    """One rule's reading of one span of the page."""

    rule: Rule
    start: int
    end: int
    fields: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def priority(self) -> tuple[int, int, int]:
        return (KINDS[self.rule.kind].priority, self.rule.priority, self.end - self.start)


def _vetoed(rule: Rule, text: str, start: int, end: int) -> bool:
    if rule.not_after is not None and rule.not_after.search(text[max(0, start - 40) : start]):
        return True
    return rule.not_before is not None and bool(rule.not_before.match(text[end : end + 40]))


def noun_after(text: str, position: int) -> tuple[int, int] | None:
    """The span of a common noun right after ``position``, by part-of-speech tags of its sentence.

    Tagging is the slow step (a sentence of a report runs to a hundred words), so what can
    be told without it is: a word that does not start with a small letter is no counted
    noun whatever its tag ("3530 Bộ Công an" names a body).
    """
    following = _NEXT_CHARACTER.match(text, position)
    if following is None or not following.group(1).islower():
        return None
    sentences = sentences_of(text)
    i = bisect.bisect_right(_sentence_starts(text), position) - 1
    if i < 0 or position >= sentences[i].end:
        return None
    sentence = sentences[i]
    for token, pos in tag(text, sentence.start, sentence.end):
        if token.start >= position:
            gap = text[position : token.start]
            # A capital mid-sentence starts a name ("3530 Bộ Công an"), not a counted noun.
            common = pos in _COUNTED_TAGS and text[token.start].islower()
            return (token.start, token.end) if common and not gap.strip() else None
    return None


@lru_cache(maxsize=8)
def _sentence_starts(text: str) -> list[int]:
    """Where the page's sentences start, for bisection (asked once per number on a page)."""
    return [s.start for s in sentences_of(text)]


_NEXT_CHARACTER = regex.compile(r"\s*(\S)")

# Common nouns and classifiers; not unit nouns ("giờ"), proper nouns or anything else.
_COUNTED_TAGS = {"N", "Nc"}


def find_candidates(text: str, rules: tuple[Rule, ...]) -> tuple[list[Candidate], list[str]]:
    """Every accepted match of every rule; warnings for rules that ran out of time.

    Rules that take their counted noun from part-of-speech tags run last, and only where
    no other rule matched: tagging is the slow step, and a number inside a date, a symbol
    or a percentage needs no noun.
    """
    candidates: list[Candidate] = []
    warnings: list[str] = []
    places = Places(text)
    taken: _Taken | None = None
    for rule in sorted(rules, key=lambda r: r.unit_from_tags):
        if rule.unit_from_tags and taken is None:
            taken = _Taken(candidates)  # every other rule has run: what they found is fixed
        try:
            for match in rule_matches(rule, places, MATCH_TIMEOUT_S):
                candidate = _candidate(rule, match, text, taken)
                if candidate is not None:
                    candidates.append(candidate)
                    if taken is not None:
                        taken.add(candidate.start, candidate.end)
        except TimeoutError:
            warnings.append(f"rule {rule.id} ran out of time ({MATCH_TIMEOUT_S} s); its matches on this page were skipped")
    return candidates, warnings


def _candidate(rule: Rule, match: regex.Match[str], text: str, taken: _Taken | None) -> Candidate | None:
    """A match as a candidate, spaces trimmed, if no veto, other rule or failed parse
    stands against it; a counted noun found by its tags for the rules that need one."""
    start, end = match.span()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end or _vetoed(rule, text, start, end) or (taken is not None and taken.overlaps(start, end)):
        return None
    try:
        fields = KINDS[rule.kind].build(match, text)
    except ValueError:  # words that look like a number but do not make one ("Vĩnh Linh huyện")
        return None
    if fields is None:
        return None
    if rule.unit_from_tags:
        noun = noun_after(text, end)
        if noun is None:
            return None
        end, fields = noun[1], {**fields, "unit": text[noun[0] : noun[1]]}
    return Candidate(rule, start, end, fields)


class _Taken:
    """The spans other rules took, asked "does this span overlap one?" in log time: the
    fixed ones by bisection over their starts with the furthest end so far, the ones added
    since (in text order) by the furthest end among them."""

    def __init__(self, candidates: list[Candidate]) -> None:
        spans = sorted((c.start, c.end) for c in candidates)
        self._starts = [start for start, _ in spans]
        self._reach = list(itertools.accumulate((end for _, end in spans), max))
        self._added_reach = -1

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # the spans that start before this one ends
        return (i > 0 and self._reach[i - 1] > start) or self._added_reach > start

    def add(self, start: int, end: int) -> None:
        self._added_reach = max(self._added_reach, end)


def _sentence_of(text: str, sentence_starts: list[int], sentence_ends: list[int], start: int, end: int) -> str:
    """The sentence(s) a span stands in, from the one holding its start to its end; a
    window around the span when they are long."""
    first = max(0, bisect.bisect_right(sentence_starts, start) - 1)
    last = max(first, bisect.bisect_right(sentence_starts, max(start, end - 1)) - 1)
    if not sentence_starts:
        return excerpt(text, start, end, start, end)
    lo, hi = min(sentence_starts[first], start), max(sentence_ends[last], end)
    return excerpt(text, lo, hi, start, end)


def _records(text: str, page: int, rules: tuple[Rule, ...]) -> tuple[list[Record], list[str]]:
    candidates, warnings = find_candidates(text, rules)
    chosen = resolve(candidates, len(text))
    sentences = sentences_of(text) if chosen else ()
    starts = [s.start for s in sentences]
    ends = [s.end for s in sentences]
    records = []
    for c in sorted(chosen, key=lambda c: (c.start, c.end, c.rule.kind)):
        records.append(
            _RECORD.validate_python(
                {
                    "id": f"p{page}-{c.start}-{c.end}-{c.rule.kind}",
                    "kind": c.rule.kind,
                    "surface": text[c.start : c.end],
                    "page": page,
                    "start": c.start,
                    "end": c.end,
                    "sentence": _sentence_of(text, starts, ends, c.start, c.end),
                    "rule": c.rule.id,
                    **c.fields,
                }
            )
        )
    return records, warnings


def recognize_page(
    text: str, page: int, *, patterns: Path = PATTERNS_DIR, tables: list[Table] | None = None
) -> tuple[list[Record], list[str]]:
    """Records found on one page, in text order, and warnings about the search.

    ``tables`` are the page's tables placed in its text (default: those set out with tabs
    or spaces); their cells' records carry ``table``, ``row`` and ``col``.
    """
    rules = load_rules(patterns)
    records, warnings = _records(text, page, rules)
    tables = find_tables(text) if tables is None else tables
    # Cells the page's reading cannot place are read on their own, then handed to the tables.
    cells_read = {cell: _records(cell, page, rules)[0] for cell in cells_to_read(text, records, tables)}
    return table_records(text, page, records, tables, cells_read), [f"page {page}: {w}" for w in warnings]
