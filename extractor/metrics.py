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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import regex

from .gazetteer import Mention, find_mentions, provinces
from .records import Alternative, Metric, Record
from .segment import sentences_of
from .tables import YEAR_LABEL, Cell, Table, find_tables

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
# Units below a province: "huyện Phú Bình", "thị xã Kỳ Anh", "TX Kỳ Anh", "thành phố Cẩm Phả".
# (Departments and ministries are in the agencies gazetteer.)
_LOCAL_UNIT = regex.compile(
    r"(?<!\w)(?P<prefix>huyện|thị\s+xã|TX\.?|thành\s+phố|TP\.?|quận|thị\s+trấn|xã|phường)\s+"
    r"(?P<name>(?-i:\p{Lu}[\p{Ll}\p{M}]*)(?:\s(?-i:\p{Lu}[\p{Ll}\p{M}]*)){0,3})(?!\w)",
    regex.I,
)
# A subject followed by these is the one who announces or surveys, not the one ranked.
_ANNOUNCER = regex.compile(r"\s*(?:đã\s+|vừa\s+)?(?:công\s+bố|phát\s+ra|phát\s+hành|ban\s+hành|tổ\s+chức|chủ\s+trì|khảo\s+sát|thẩm\s+định|phối\s+hợp)", regex.I)
# An index qualified like this is a national or regional average, not a subject's score.
_AVERAGE = regex.compile(r"trung\s+bình|bình\s+quân", regex.I)
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
    context_year: int | None = None  # the index's year last stated before, for inference


@dataclass
class Context:
    """What a document has said so far that later pages rely on."""

    index_years: dict[str, int] = field(default_factory=dict)  # the year last stated for each index
    last_table: tuple[Mention, int | None] | None = None  # the last table's index and year


@dataclass(frozen=True)
class Subject:
    name: str
    start: int
    end: int


def _subjects(text: str, start: int, end: int, mentions: Sequence[Mention]) -> list[Subject]:
    """Provinces (by gazetteer) and units below them (by their prefix) in a span."""
    found = [Subject(m.key, m.start, m.end) for m in mentions if m.kind in ("province", "agency") and start <= m.start < end]
    for m in _LOCAL_UNIT.finditer(text, start, end):
        name = m.group("name")
        prefix = m.group("prefix").lower().rstrip(".")
        if name in provinces() and prefix in ("thành phố", "tp") and name in {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Huế"}:
            continue  # a centrally-run city: the gazetteer has it
        local = Subject(name, m.start(), m.end())
        found = [s for s in found if not (local.start <= s.start < local.end)]
        found.append(local)
    return sorted((s for s in found if not _ANNOUNCER.match(text, s.end)), key=lambda s: s.start)


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


# A year right after an index's name: "PAR INDEX 2023", "(PAPI) năm 2019".
_YEAR_AFTER_INDEX = regex.compile(r"[\s()A-Za-z-]{0,12}?(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/])", regex.I)


def _year_near(text: str, lo: int, hi: int, index_end: int) -> int | None:
    """The index's year: right after the mention ("PAR INDEX 2023", "(PAPI) năm 2019"),
    else a "năm 2019" elsewhere in the clause that is not a comparison or a period."""
    after = _YEAR_AFTER_INDEX.match(text[index_end:hi])
    if after:
        return int(after.group("year"))
    for m in _YEAR.finditer(text, lo, hi):
        before = text[max(lo, m.start() - 12) : m.start()]
        if _YEAR_BEFORE.search(before) and not _COMPARED.search(text[max(lo, m.start() - 20) : m.start()].removesuffix(" ").rsplit(" năm", 1)[0] + " "):
            return int(m.group("year"))
    period = _PERIOD_OF_YEAR.search(text, lo, hi)  # "tháng 02/2025", "quý I/2024"
    return int(period.group("year")) if period else None


_PERIOD_OF_YEAR = regex.compile(r"(?:tháng|quý)\s+[\dIVX]{1,3}\s*(?:/|năm)\s*(?P<year>(?:19|20)\d{2})(?![\d/])", regex.I)
_LEADING_YEAR = regex.compile(r"\s*(?:trong\s+|tính\s+đến\s+)?năm\s+(?P<year>(?:19|20)\d{2})\s*[,:]", regex.I)


def _level(record: Record, text: str, scope_start: int) -> bool:
    """Whether a score or percent record is the level of the index that owns the scope."""
    if record.kind == "percent" and (record.value_max is not None or record.approx is not None):
        return False
    return not _NOT_THE_INDEX.search(text, scope_start, record.start)


def _statements_of_clause(
    text: str, page: int, indicator: str, owner: Mention, clause: tuple[int, int], sentence: tuple[int, int],
    records: list[Record], mentions: Sequence[Mention], year: int | None,
) -> list[Statement]:
    lo, hi = clause
    subjects = [s for s in _subjects(text, lo, hi, mentions) if s.start >= owner.start or lo == sentence[0]]
    # "xã Thạch Hạ (thành phố Hà Tĩnh)": the place in parentheses only locates the first.
    subjects = [s for i, s in enumerate(subjects) if not (i and text[subjects[i - 1].end : s.start].strip() == "(")]
    # Each subject owns the values after it up to the next subject; with a single subject
    # the whole clause is its own.
    spans: list[tuple[Subject | None, int, int]] = []
    valued = [s for s in subjects if any(s.end <= r.start < hi for r in records)]
    if len(valued) <= 1:
        spans.append((valued[0] if valued else (subjects[0] if subjects else None), lo, hi))
    else:
        for i, s in enumerate(valued):
            spans.append((s, s.start, valued[i + 1].start if i + 1 < len(valued) else hi))

    statements = []
    for subject, start, end in spans:
        values: dict[str, Any] = {}
        evidence: list[str] = []
        earlier: list[Statement] = []  # "tăng 1,38 điểm so với năm 2020 (41,02/80)": last year's value
        for record in records:
            if not (start <= record.start < end):
                continue
            compared = values.get("compared_to")
            if record.kind in ("score", "percent") and compared and text[max(0, record.start - 2) : record.start].strip() == "(":
                earlier.append(Statement(indicator, subject.name if subject else None, compared, page, record.start, record.end,
                                         {"score": record.value, "unit": "%" if record.kind == "percent" else "điểm"}, [record.id]))
                continue
            if record.kind in ("score", "percent") and "score" not in values and _level(record, text, max(owner.end, start)):
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
        statements += earlier
    return statements


def _is_average(text: str, owner: Mention, lo: int) -> bool:
    """Whether the index mention is qualified as an average ("giá trị trung bình Chỉ số
    CCHC", "Chỉ số SIPAS trung bình cả nước")."""
    return bool(_AVERAGE.search(text, max(lo, owner.start - 25), owner.start) or _AVERAGE.match(text, owner.end + 1, owner.end + 16))


def statements_of_page(
    text: str, page: int, records: Sequence[Record], main_subject: str | None, context: Context | None = None,
    tables: list[Table] | None = None,
) -> list[Statement]:
    """Every statement a page makes; subjects taken from context are marked inferred.

    ``context`` carries, from page to page, the year last stated for each index and the
    last table's index.
    """
    context = Context() if context is None else context
    index_years = context.index_years
    mentions = find_mentions(text)
    values = [r for r in records if r.page == page and r.kind in VALUE_KINDS]
    tables = find_tables(text) if tables is None else tables
    statements: list[Statement] = list(_statements_of_tables(text, page, values, mentions, main_subject, context, tables))
    in_tables = {e for s in statements for e in s.evidence}
    values = [r for r in values if r.id not in in_tables]
    previous_index: Mention | None = None
    topic: Mention | None = None  # the index last named anywhere before
    previous_line = -1
    last_subject: str | None = None
    for sentence in sentences_of(text):
        line = text.count("\n", 0, sentence.start)
        if line != previous_line:  # a new paragraph: context from the last one does not carry
            previous_index, last_subject, previous_line = None, None, line
        in_sentence = [m for m in mentions if sentence.start <= m.start < sentence.end]
        owners = _owners([m for m in in_sentence if m.kind == "index"])
        sentence_values = [r for r in values if sentence.start <= r.start < sentence.end]
        inherited = None if owners else (previous_index or (topic if _ranks_subjects(text, sentence, sentence_values, in_sentence, mentions) else None))
        if inherited is not None and sentence_values and not _COMPONENT.search(text, sentence.start, sentence.end):
            owners = [Mention("index", inherited.key, sentence.start, sentence.start)]
            previous_index = owners[0]  # the rest of the paragraph goes on about it
        for i, owner in enumerate(owners):
            lo = sentence.start if i == 0 else owner.start
            hi = owners[i + 1].start if i + 1 < len(owners) else sentence.end
            adjacent = _YEAR_AFTER_INDEX.match(text[owner.end : hi])
            if adjacent:
                index_years[owner.key] = int(adjacent.group("year"))
            if _is_average(text, owner, lo):
                continue
            year = _year_near(text, lo, hi, owner.end)
            if year is None:  # "Năm 2023, Chỉ số CCHC ...; Chỉ số SIPAS ...": the lead year holds for all
                lead = _LEADING_YEAR.match(text, sentence.start, sentence.end)
                year = int(lead.group("year")) if lead else None
            # Values follow the index they describe; a rank may come first in a title
            # ("Đà Nẵng dẫn đầu cả nước về Chỉ số ICT Index").
            clause_values = [
                r for r in sentence_values
                if lo <= r.start < hi and (r.start >= owner.end or (i == 0 and r.kind in ("rank", "rank_change")))
            ]
            for statement in _statements_of_clause(
                text, page, owner.key, owner, (lo, hi), (sentence.start, sentence.end), clause_values, in_sentence, year
            ):
                if statement.subject is None:
                    statement.subject = last_subject or main_subject
                    if statement.subject is not None:
                        statement.inferred.append("subject")
                if statement.year is not None:
                    index_years[statement.indicator] = statement.year
                else:
                    statement.context_year = index_years.get(statement.indicator)
                statements.append(statement)
        for subject in _subjects(text, sentence.start, sentence.end, in_sentence):
            last_subject = subject.name
        if owners:
            previous_index = owners[-1]
            if owners[-1].end > owners[-1].start:
                topic = owners[-1]
    return statements


# Words that put a sentence about parts of an index ("chỉ số thành phần", "trụ cột").
_COMPONENT = regex.compile(r"thành\s+phần|trụ\s+cột|chỉ\s+số\s+con|lĩnh\s+vực", regex.I)


def _ranks_subjects(text: str, sentence: Any, values: list[Record], in_sentence: Sequence[Mention], mentions: Sequence[Mention]) -> bool:
    """Whether a sentence without an index mention ranks subjects: it names one and gives
    a rank or a change of rank, as the paragraphs after an announcement do."""
    has_subject = bool(_subjects(text, sentence.start, sentence.end, in_sentence))
    return has_subject and any(r.kind in ("rank", "rank_change") for r in values)


def _strip_prefix(name: str) -> str:
    """A subject's name without "Tỉnh", "Thành phố", "Huyện"... ("Thành phố Đà Lạt" -> "Đà Lạt")."""
    return regex.sub(r"^(?:tỉnh|thành\s+phố|tp\.?|huyện|thị\s+xã|tx\.?|quận|thị\s+trấn)\s+", "", name.strip(), flags=regex.I)


def _caption_year(text: str, table: Table, head_start: int) -> int | None:
    """The year the line just above a table names, when it names one year ("Kết quả các
    chỉ số năm 2023 của một số tỉnh:"); blank lines and the header's own lines (a label,
    or the labels run together as a PDF gives them) are passed over."""
    labels = [compact for c in table.header if len(compact := "".join(c.text.split()).lower()) >= 3]
    window = max(0, head_start - 600)
    lines = text[window:head_start].split("\n")
    if window > 0 and text[window - 1] != "\n":
        lines = lines[1:]  # cut by the window
    for line in reversed(lines):
        compact = "".join(line.split()).lower()
        if not compact or "\t" in line or any(compact in label for label in labels) or sum(label in compact for label in labels) >= 2:
            continue
        years = {int(y) for y in regex.findall(r"năm\s+((?:19|20)\d{2})(?![\d/])", line, regex.I)}
        return years.pop() if len(years) == 1 else None
    return None


def _statements_of_tables(
    text: str, page: int, values: list[Record], mentions: Sequence[Mention], main_subject: str | None,
    context: Context, tables: list[Table],
) -> Iterator[Statement]:
    """One statement per table row and index-year: the index from the column header, the
    table's header or the text just above; the year from the column header, the row's
    year column, the caption or the context; the subject from its column or context.
    A table whose columns name indices ("PAR INDEX", "SIPAS") or years ("2022", "2023")
    gives one statement per such column group in each row."""
    for table in tables:
        roles = [table.role(c) for c in range(len(table.header))]
        if not {"score", "rank"} & set(roles):
            continue
        located = [c for row in table.rows for c in row if c.located]
        table_start = min((c.start for c in located), default=0)
        above = text.rfind("\n\n", 0, max(0, table_start - 1))
        head_start = table.start if 0 <= table.start <= table_start else table_start
        if above >= 0 and not text[above:head_start].strip():  # a caption set apart by a blank line
            above = text.rfind("\n\n", 0, max(0, above - 1))
        caption = [m for m in mentions if m.kind == "index" and max(0, above) <= m.start < max(table.end, table_start)]
        header_index = [m for m in caption if m.start >= table_start]
        column_index: list[str | None] = []
        for label in table.header:  # an index named in a header cell ("Chỉ số DTI")
            named = [m for m in find_mentions(label.text) if m.kind == "index"]
            # "Chỉ số CCHC (%) | Xếp hạng | Chỉ số SIPAS (%) | Xếp hạng": a column that
            # names no index belongs with the index column before it.
            column_index.append(named[0].key if named else (column_index[-1] if column_index else None))
            if named and not header_index:
                header_index = [Mention("index", named[0].key, table_start, table_start)]
        # A year heading a value column ("2022", "Xếp hạng 2023"); not the base of a change.
        column_year = [int(m.group()) if roles[c] in ("score", "rank") and (m := YEAR_LABEL.search(label.text))
                       and not regex.search(r"so\s+với", label.text, regex.I) else None
                       for c, label in enumerate(table.header)]
        indicator = (header_index or caption or [None])[-1]
        caption_year = None
        opens_page = not [m for m in mentions if m.kind == "index" and m.start < table_start]
        if indicator is None and (table.continued or opens_page) and context.last_table is not None:
            indicator, caption_year = context.last_table  # the rest of a table from the page before
        # An index named in a row's label cell ("PAR INDEX" over years as columns).
        row_index = [next((m.key for c in row if c.located for m in mentions if m.kind == "index" and c.start <= m.start < c.end), None)
                     for row in table.rows]
        if indicator is None and not any(column_index) and not any(row_index):
            continue
        for m in caption:
            near = _YEAR_AFTER_INDEX.match(text[m.end : m.end + 20])
            if near:
                caption_year = int(near.group("year"))
        if caption_year is None and len({y for y in column_year if y}) == 1:  # "Kết quả năm 2023" over all columns
            caption_year = next(y for y in column_year if y)
            column_year = [None] * len(column_year)
        if caption_year is None and not table.continued:
            caption_year = _caption_year(text, table, head_start)
        if indicator is not None:
            context.last_table = (indicator, caption_year)
        by_province = {m.start: m.key for m in mentions if m.kind in ("province", "agency")}
        for row_number, row in enumerate(table.rows, start=1):
            cells = dict(zip(roles, row))
            year_cell = cells.get("year")
            year = int(year_cell.text) if year_cell and regex.fullmatch(r"(?:19|20)\d{2}", year_cell.text.strip()) else caption_year
            subject_cell = cells.get("subject")
            subject = by_province.get(subject_cell.start, _strip_prefix(subject_cell.text)) if subject_cell else main_subject
            row_inferred = [] if subject_cell else ["subject"]
            groups: dict[tuple[str, int | None], tuple[dict[str, Any], list[str], list[str]]] = {}
            for record in values:
                if record.table != table.number or record.row != row_number:
                    continue
                col = (record.col or 1) - 1
                key = (column_index[col] if col < len(column_index) else None) or row_index[row_number - 1] or (indicator.key if indicator else None)
                if key is None:
                    continue
                group_year = column_year[col] if col < len(column_year) and column_year[col] else year
                inferred = list(row_inferred)
                if group_year is None and context.index_years.get(key) is not None:
                    group_year, inferred = context.index_years[key], [*inferred, "year"]
                found, evidence, _ = groups.setdefault((key, group_year), ({}, [], inferred))
                if record.kind in ("score", "percent") and "score" not in found:
                    found.update(score=record.value, unit="%" if record.kind == "percent" else "điểm")
                elif record.kind == "rank" and "rank" not in found:
                    found.update(rank=record.rank, rank_total=record.total)
                elif record.kind == "rank_change" and "rank_change" not in found:
                    found["rank_change"] = record.value
                    if record.compared_to:
                        found["compared_to"] = record.compared_to
                else:
                    continue
                evidence.append(record.id)
            for (key, group_year), (found, evidence, inferred) in groups.items():
                if not found:
                    continue
                span = [c for c in row if c.located] or [Cell("", table_start, table_start)]
                yield Statement(key, subject, group_year, page, span[0].start, span[-1].end, found, evidence, inferred)


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


def assemble(
    pages: Sequence[tuple[int, str]], records: Sequence[Record], tables: dict[int, list[Table]] | None = None
) -> tuple[list[Metric], list[str]]:
    """Metrics of a document from its pages' text, records and tables (default: those
    set out with tabs or spaces in the text); warnings for conflicts."""
    first_text = pages[0][1] if pages else ""
    main_subject = _main_subject(first_text, find_mentions(first_text)) if pages else None
    context = Context()
    statements = [
        s for number, text in pages
        for s in statements_of_page(text, number, records, main_subject, context, (tables or {}).get(number))
    ]

    # A statement without a year joins one of the same index and subject that has one and
    # agrees with it; the year is then inferred.
    for s in statements:
        if s.year is None:
            candidates = [t for t in statements if t.year is not None and t.indicator == s.indicator and t.subject == s.subject and _agree(s.values, t.values)]
            years = {t.year for t in candidates}
            if len(years) == 1:
                s.year = years.pop()
                s.inferred.append("year")
            elif s.context_year is not None:  # the year the text last gave this index
                s.year = s.context_year
                s.inferred.append("year")

    metrics: dict[tuple[str, str | None, int | None], Metric] = {}
    warnings: list[str] = []
    for s in statements:
        key = (s.indicator, s.subject, s.year)
        if key not in metrics:
            province = provinces().get(s.subject) if s.subject else None
            subject = province.name_in(s.year) if province else s.subject
            metrics[key] = Metric(
                id=f"m-{s.indicator}-{subject or 'unknown'}-{s.year or 'unknown'}",
                indicator=s.indicator, subject=subject, year=s.year,
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
