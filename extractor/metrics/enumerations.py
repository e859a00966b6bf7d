"""Lists that pair items with values in order, and results that hold for several years.

"Nam Định, Ninh Bình và Thái Bình lần lượt xếp thứ 6, 7 và 8 với 44,12; 43,98 và 43,75
điểm": three subjects, three ranks, three scores, paired in order. The items may also be
indices ("Chỉ số CCHC và SIPAS ... lần lượt đạt 86,11% và 85,02%") or years ("lần lượt
xếp thứ 25, 19 và 15 trong các năm 2019, 2020 và 2021"). A kind with as many values as
items is paired; a kind with one value is shared; any other count is left to the clause
reading.

"dẫn đầu ICT Index các năm 2012, 2014 và 2016" or "từ 2018 đến 2021" make one result a
result of each year; a period in parentheses after a streak ("năm thứ 3 liên tiếp
(2019 - 2021)") does not.
"""

from __future__ import annotations

import dataclasses

import regex

from ..records import Record
from ..segment import Sentence
from . import cues
from .mentions import SubjectMention
from .statement import Link, Statement
from .view import PageView

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_YEAR_WORD_AT_END = regex.compile(r"năm\s*$", regex.I)

_YEARS_AFTER = regex.compile(r"\s*((?:19|20)\d{2})((?:\s*(?:,|và)\s*(?:năm\s+)?(?:19|20)\d{2}){1,12})(?!\d)", regex.I)
_YEAR = regex.compile(r"(?:19|20)\d{2}")
_MAX_SPAN = 30
_CLAUSE_END = regex.compile(r";(?!\s*\d)")
# Years a range may spread a result over.
_RANGE = regex.compile(r"\s*(?:năm\s+)?((?:19|20)\d{2})\s*(?:đến|tới|-|–)\s*(?:năm\s+)?((?:19|20)\d{2})(?!\d)", regex.I)


def enumeration_links(view: PageView, sentence: Sentence, subject: SubjectMention | None,
                      index: tuple[str, ...] | None, used: set[str]) -> list[Link]:
    """The values a "lần lượt" list pairs with its items; their ids join ``used``."""
    text = view.text
    cue = cues.family("enumeration").search(text, sentence.start, sentence.end)
    if cue is None:
        return []
    begin = max(sentence.start, text.rfind(";", sentence.start, cue.start()) + 1)
    stop = _CLAUSE_END.search(text, cue.end(), sentence.end)
    end = stop.start() if stop else sentence.end
    subjects = [s for s in view.subjects_in(begin, cue.start()) if s.role == "subject"]
    keys = tuple(k for i in view.indices_in(begin, cue.start()) if not i.part for k in i.keys)
    years = _listed_years(text, begin, end)
    values = [r for r in view.values_in(cue.end(), end) if r.id not in used]
    items: list[tuple[SubjectMention | None, tuple[str, ...] | None, int | None]]
    if len(subjects) >= 2:
        items = [(s, keys or index, None) for s in subjects]
    elif len(keys) >= 2:
        items = [(subjects[0] if subjects else subject, (k,), None) for k in keys]
    elif len(years) >= 2:
        items = [(subjects[0] if subjects else subject, keys or index, y) for y in years]
    else:
        return []
    if items[0][1] is None:
        return []
    links = _pair(values, items)
    used.update(link.record.id for link in links)
    return links


def _listed_years(text: str, begin: int, end: int) -> list[int]:
    m = _YEARS_AFTER.search(text, begin, end)
    if m is None or not _YEAR_WORD_AT_END.search(text[max(begin, m.start() - 12) : m.start() + 1]):
        return []
    return [int(y) for y in _YEAR.findall(m.group())]


def _pair(values: list[Record], items: list[tuple[SubjectMention | None, tuple[str, ...] | None, int | None]]) -> list[Link]:
    by_kind: dict[str, list[Record]] = {}
    for record in values:
        by_kind.setdefault("level" if record.kind in ("score", "percent") else record.kind, []).append(record)
    links = []
    for records in by_kind.values():
        if len(records) == len(items):
            links += [Link(r, s, k, y) for r, (s, k, y) in zip(records, items)]
        elif len(records) == 1:
            links += [Link(records[0], s, k, y) for s, k, y in items]
    return links


def spread_over_years(view: PageView, sentence: Sentence, statements: list[Statement]) -> list[Statement]:
    """One statement per year when the sentence gives its result for a list or a span
    of years."""
    years, clause = _years_of_result(view, sentence)
    if len(years) < 2 or cues.family("enumeration").search(view.text, *clause):
        return statements  # "lần lượt ... trong các năm": the years are paired already
    spread: list[Statement] = []
    for s in statements:
        if "rank" not in s.values or s.aggregate or not clause[0] <= s.start < clause[1]:
            spread.append(s)
            continue
        for year in years:
            spread.append(dataclasses.replace(s, year=year, values=dict(s.values), evidence=list(s.evidence),
                                              inferred=[i for i in s.inferred if i != "year"],
                                              inferred_from=[i for i in s.inferred_from if i.field != "year"]))
    return spread


def _years_of_result(view: PageView, sentence: Sentence) -> tuple[list[int], tuple[int, int]]:
    """The years a clause gives its result for, and the clause."""
    text = view.text
    for cue in cues.family("year_list").finditer(text, sentence.start, sentence.end):
        if "(" in text[max(sentence.start, cue.start() - 2) : cue.start()]:
            continue
        begin = max(sentence.start, text.rfind(";", sentence.start, cue.start()) + 1)
        end = text.find(";", cue.end(), sentence.end)
        clause = (begin, sentence.end if end < 0 else end)
        listed = _YEARS_AFTER.match(text, cue.end(), sentence.end)
        if listed and "năm" in cue.group().lower():
            return [int(y) for y in _YEAR.findall(listed.group())], clause
        span = _RANGE.match(text, cue.end(), sentence.end)
        if span is not None:
            first, last = int(span.group(1)), int(span.group(2))
            if 0 < last - first <= _MAX_SPAN:
                return list(range(first, last + 1)), clause
    return [], (sentence.start, sentence.start)
