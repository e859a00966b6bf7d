"""Metric records: what a document says about one index, for one subject and year.

Records say "81,42 điểm" and "xếp hạng thứ 27/63"; a metric says that these are the
PAR Index of Điện Biên for 2019. Within a sentence each index mention owns the values
that follow it up to the next index mention (so "PAR Index đạt 88,37%, xếp thứ 5; SIPAS
đạt 83,84%, xếp thứ 19" gives two metrics), and within that, each subject owns the
values up to the next subject (so a national ranking in one sentence gives one metric
per province). A value that describes something else (component criteria, a national
average, a target, a range) is not the index's score. The subject and the year, when
the sentence does not say them, come from context and are listed in ``inferred``. One
metric per (indicator, subject, year): its location and ``inferred`` are those of the
first statement, later statements add evidence and fill empty fields, and a value that
disagrees with an earlier one is kept in ``alternatives`` with ``conflict`` set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import regex

from .gazetteer import Mention, find_mentions, provinces
from .records import Alternative, Metric, Record
from .segment import split_sentences

# Words between an index and a value that make the value describe something else.
_NOT_THE_INDEX = regex.compile(
    r"thành\s+phần|tiêu\s+chí|lĩnh\s+vực|bình\s+quân|trung\s+bình|mục\s+tiêu|phấn\s+đấu|chỉ\s+tiêu|"
    r"kế\s+hoạch\s+đề\s+ra|tỷ\s+lệ|nhóm|cao\s+nhất\s+cả\s+nước|thấp\s+nhất|năm\s+trước|cùng\s+kỳ",
    regex.I,
)
_LEADER = regex.compile(r"\b(?:dẫn\s+đầu|đứng\s+đầu|quán\s+quân)\b", regex.I)
_YEAR = regex.compile(r"(?<![\d/.,-])(?P<year>(?:19|20)\d{2})(?![\d/])")
_YEAR_BEFORE = regex.compile(r"(?:năm|kỳ)\s+$", regex.I)
_COMPARED = regex.compile(r"(?:so\s+với|hơn|từ|đến|giai\s+đoạn|-|–)\s*(?:năm\s+)?$", regex.I)
# Units below a province: "huyện Phú Bình", "thị xã Kỳ Anh", "TX Kỳ Anh", "thành phố Cẩm Phả";
# departments: "Sở Nội vụ".
_LOCAL_UNIT = regex.compile(
    r"(?<!\w)(?:(?P<prefix>huyện|thị\s+xã|TX\.?|thành\s+phố|TP\.?|quận|thị\s+trấn)\s+"
    r"(?P<name>(?-i:\p{Lu}[\p{Ll}\p{M}]*)(?:\s(?-i:\p{Lu}[\p{Ll}\p{M}]*)){0,3})"
    r"|(?P<dept>(?-i:Sở|Ban|Văn\s+phòng|Bộ)\s+(?-i:\p{Lu}[\p{Ll}\p{M}]*)(?:\s(?:\p{Ll}+|(?-i:\p{Lu}[\p{Ll}\p{M}]*))){0,5}?)"
    r"(?=\s+(?:xếp|đứng|đạt|dẫn|giữ|tăng|giảm|với|có|\d)|[,;:.]))",
    regex.I,
)
# Index scales: percent since the PAR Index of 2020, and SIPAS; points otherwise.
VALUE_KINDS = ("score", "percent", "score_change", "rank", "rank_change")


@dataclass
class Statement:
    """What one clause says about one index and one subject."""

    indicator: str
    subject: str | None
    year: int | None
    page: int
    start: int
    end: int
    values: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    name: str
    start: int
    end: int


def _subjects(text: str, start: int, end: int, mentions: Sequence[Mention]) -> list[Subject]:
    """Provinces (by gazetteer) and units below them (by their prefix) in a span."""
    found = [Subject(m.key, m.start, m.end) for m in mentions if m.kind == "province" and start <= m.start < end]
    for m in _LOCAL_UNIT.finditer(text, start, end):
        name = m.group("name") or m.group("dept")
        prefix = (m.group("prefix") or "").lower().rstrip(".")
        if name in provinces() and prefix in ("thành phố", "tp") and name in {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Huế"}:
            continue  # a centrally-run city: the gazetteer has it
        local = Subject(name, m.start(), m.end())
        found = [s for s in found if not (local.start <= s.start < local.end)]
        found.append(local)
    return sorted(found, key=lambda s: s.start)


def _main_subject(text: str, mentions: Sequence[Mention]) -> str | None:
    """The document's own subject: the province its title and first paragraph name most."""
    lines = [line for line in text.split("\n") if line.strip()]
    head_end = sum(len(line) + 1 for line in lines[:3])
    counts: dict[str, int] = {}
    for m in mentions:
        if m.kind == "province" and m.start < head_end:
            counts[m.key] = counts.get(m.key, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else None


def _year_near(text: str, lo: int, hi: int, index_end: int) -> int | None:
    """The index's year: right after the mention ("PAR INDEX 2023", "(PAPI) năm 2019"),
    else a "năm 2019" elsewhere in the clause that is not a comparison or a period."""
    after = regex.match(r"[\s()A-Za-z-]{0,12}?(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/])", text[index_end:hi], regex.I)
    if after:
        return int(after.group("year"))
    for m in _YEAR.finditer(text, lo, hi):
        before = text[max(lo, m.start() - 12) : m.start()]
        if _YEAR_BEFORE.search(before) and not _COMPARED.search(text[max(lo, m.start() - 20) : m.start()].removesuffix(" ").rsplit(" năm", 1)[0] + " "):
            return int(m.group("year"))
    return None


def _level(record: Record, text: str, scope_start: int) -> bool:
    """Whether a score or percent record is the level of the index that owns the scope."""
    if record.kind == "percent" and (record.value_max is not None or record.approx is not None):
        return False
    return not _NOT_THE_INDEX.search(text, scope_start, record.start)


def _statements_of_clause(
    text: str, page: int, indicator: str, owner: Mention, clause: tuple[int, int], sentence: tuple[int, int],
    records: list[Record], mentions: Sequence[Mention],
) -> list[Statement]:
    lo, hi = clause
    subjects = [s for s in _subjects(text, lo, hi, mentions) if s.start >= owner.start or lo == sentence[0]]
    # Each subject owns the values after it up to the next subject; values before the first
    # subject belong to it as well when there is a single subject.
    spans: list[tuple[Subject | None, int, int]] = []
    valued = [s for s in subjects if any(s.end <= r.start < hi for r in records)]
    if len(valued) <= 1:
        spans.append((valued[0] if valued else (subjects[0] if subjects else None), owner.end, hi))
    else:
        for i, s in enumerate(valued):
            spans.append((s, s.start, valued[i + 1].start if i + 1 < len(valued) else hi))

    year = _year_near(text, sentence[0], hi, owner.end)
    statements = []
    for subject, start, end in spans:
        values: dict[str, Any] = {}
        evidence: list[str] = []
        for record in records:
            if not (start <= record.start < end):
                continue
            if record.kind in ("score", "percent") and "score" not in values and _level(record, text, owner.end):
                values["score"] = record.value
                values["unit"] = "%" if record.kind == "percent" else "điểm"
            elif record.kind == "score_change" and "score_change" not in values:
                values["score_change"] = record.value
                if record.compared_to:
                    values.setdefault("compared_to", record.compared_to)
            elif record.kind == "rank" and "rank" not in values:
                values["rank"], values["rank_total"] = record.rank, record.total
            elif record.kind == "rank_change" and "rank_change" not in values:
                values["rank_change"] = record.value
                if record.compared_to:
                    values.setdefault("compared_to", record.compared_to)
            else:
                continue
            evidence.append(record.id)
        if "rank" not in values and _LEADER.search(text, start, end) and values:
            values["rank"] = 1
        if not values:
            continue
        statements.append(
            Statement(indicator, subject.name if subject else None, year, page, owner.start,
                      max(r_end for r_end in [owner.end, *(r.end for r in records if r.id in evidence)]),
                      values, evidence)
        )
    return statements


def statements_of_page(text: str, page: int, records: Sequence[Record], main_subject: str | None) -> list[Statement]:
    """Every statement a page makes; subjects taken from context are marked inferred."""
    mentions = find_mentions(text)
    values = [r for r in records if r.page == page and r.kind in VALUE_KINDS]
    statements: list[Statement] = []
    previous_index: Mention | None = None
    previous_line = -1
    last_subject: str | None = None
    for sentence in split_sentences(text):
        line = text.count("\n", 0, sentence.start)
        if line != previous_line:  # a new paragraph: context from the last one does not carry
            previous_index, last_subject, previous_line = None, None, line
        in_sentence = [m for m in mentions if sentence.start <= m.start < sentence.end]
        owners = _owners([m for m in in_sentence if m.kind == "index"])
        sentence_values = [r for r in values if sentence.start <= r.start < sentence.end]
        if not owners and previous_index is not None and sentence_values:
            owners = [Mention("index", previous_index.key, sentence.start, sentence.start)]
        for i, owner in enumerate(owners):
            lo = sentence.start if i == 0 else owner.start
            hi = owners[i + 1].start if i + 1 < len(owners) else sentence.end
            clause_values = [r for r in sentence_values if lo <= r.start < hi and r.start >= owner.end]
            for statement in _statements_of_clause(text, page, owner.key, owner, (lo, hi), (sentence.start, sentence.end), clause_values, in_sentence):
                if statement.subject is None:
                    statement.subject = last_subject or main_subject
                    if statement.subject is not None:
                        statement.inferred.append("subject")
                statements.append(statement)
        for subject in _subjects(text, sentence.start, sentence.end, in_sentence):
            last_subject = subject.name
        if owners:
            previous_index = owners[-1]
    return statements


def _owners(index_mentions: list[Mention]) -> list[Mention]:
    """Index mentions that own a clause: adjacent mentions of one index are one
    ("Chỉ số cải cách hành chính (PAR INDEX)")."""
    owners: list[Mention] = []
    for m in index_mentions:
        if owners and owners[-1].key == m.key and m.start - owners[-1].end <= 4:
            owners[-1] = Mention("index", m.key, owners[-1].start, m.end)
        else:
            owners.append(m)
    return owners


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys() if a[k] is not None and b[k] is not None)


def assemble(pages: Sequence[tuple[int, str]], records: Sequence[Record]) -> tuple[list[Metric], list[str]]:
    """Metrics of a document from its pages' text and records; warnings for conflicts."""
    first_text = pages[0][1] if pages else ""
    main_subject = _main_subject(first_text, find_mentions(first_text)) if pages else None
    statements = [s for number, text in pages for s in statements_of_page(text, number, records, main_subject)]

    # A statement without a year joins one of the same index and subject that has one and
    # agrees with it; the year is then inferred.
    for s in statements:
        if s.year is None:
            candidates = [t for t in statements if t.year is not None and t.indicator == s.indicator and t.subject == s.subject and _agree(s.values, t.values)]
            years = {t.year for t in candidates}
            if len(years) == 1:
                s.year = years.pop()
                s.inferred.append("year")

    metrics: dict[tuple[str, str | None, int | None], Metric] = {}
    warnings: list[str] = []
    for s in statements:
        key = (s.indicator, s.subject, s.year)
        if key not in metrics:
            metrics[key] = Metric(
                id=f"m-{s.indicator}-{s.subject or 'unknown'}-{s.year or 'unknown'}",
                indicator=s.indicator, subject=s.subject, year=s.year,
                page=s.page, start=s.start, end=s.end, evidence=list(s.evidence), inferred=sorted(set(s.inferred)),
                **s.values,
            )
            continue
        metric = metrics[key]
        metric.evidence += [e for e in s.evidence if e not in metric.evidence]
        for name, value in s.values.items():
            current = getattr(metric, name)
            if current is None:
                setattr(metric, name, value)
            elif value is not None and Decimal(str(current)) != Decimal(str(value)) if not isinstance(value, str) else current != value:
                metric.conflict = True
                metric.alternatives.append(Alternative(field=name, value=value, evidence=s.evidence))
                warnings.append(
                    f"page {s.page}: {s.indicator} {s.subject} {s.year}: {name} is {value} here but {current} earlier; the first is kept"
                )
    return list(metrics.values()), warnings
