"""Linking values to an index, a subject and a year, clause by clause.

A sentence is read left to right. An index's name makes it the index of the values
after it; a subject's name makes it the subject; "Năm 2023," or "PAR INDEX 2023" set the
year. The cues (extractor/patterns/cues/) decide the rest: a name after "chỉ sau" or "hợp nhất
với" is no subject; a value after "phấn đấu" is a target; "Xếp thứ hai là Hải Phòng"
gives the rank before "là" to the name after it; "thứ 30 năm 2021" is a result of 2021;
values before an index named after them ("dẫn đầu cả nước về Chỉ số ICT") are that
index's. A sentence that names no index takes the paragraph's, or the one the text last
named when it ranks a subject.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from ..gazetteer import find_area, index_scale
from ..records import Inference, Record
from ..segment import Sentence
from . import cues
from .enumerations import enumeration_links, spread_over_years
from .frame import Frame, is_heading, opens_target_section, period_match
from .mentions import IndexMention, SubjectMention, YearMention
from .statement import AGGREGATE, Link, Statement
from .view import PageView

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_YEAR_AFTER_VALUE = regex.compile(r"\s*,?\s*(?:của\s+|vào\s+|trong\s+)?năm\s+((?:19|20)\d{2})(?!\d)", regex.I)
_YEAR_OPENING_BRACKET = regex.compile(r"((?:19|20)\d{2})\s*\(\s*$")
_CLAUSE_PUNCTUATION = regex.compile(r"[,;:()]")
_HIGHER_OR_LOWER = regex.compile(r"(?:cao|thấp)\s+hơn\s+(?:mức\s+)?$", regex.I)
_LIST_JOINER = regex.compile(r"\s*(?:,|và)\s*", regex.I)
_YEAR_WORD_BETWEEN = regex.compile(r"\s*,?\s*(?:của\s+|vào\s+|trong\s+)?năm\s+", regex.I)
_SHARE_OF = regex.compile(r"tỷ\s+lệ\s+(?!\d)\p{L}", regex.I)
_COUNT_OF_PLACES = regex.compile(r"^\s*(?:\d+\s+)?(?:tỉnh|địa\s+phương|thành\s+phố)?[,\s]*")
_LEADING_COMMAS = regex.compile(r"^[\s,]+")

_MARK = regex.compile(r"[();]")
_AREA_STOP = regex.compile(r"[;:()]|\d")  # the area of an average is named before these
_HEADING_YEAR = regex.compile(r"(?<![\d/\-–]\s?)((?:19|20)\d{2})(?![\d/]|\s*[-–]\s*(?:19|20)\d{2})")


@dataclass
class Context:
    """What the text has said so far that later sentences rely on."""

    frame: Frame
    topic: tuple[str, ...] | None = None  # the index(es) last named
    index_years: dict[str, int] = field(default_factory=dict)
    index_years_from: dict[str, Inference] = field(default_factory=dict)
    paragraph: int = -2  # where the current paragraph's line begins (-1: the page's first line)
    paragraph_index: tuple[str, ...] | None = None
    paragraph_subject: SubjectMention | None = None
    paragraph_year: int | None = None
    paragraph_year_from: Inference | None = None
    target_section: bool = False
    section_year: int | None = None  # the year a heading above names ("Năm 2022", "II. KẾT QUẢ NĂM 2023")
    section_year_from: Inference | None = None


def link_page(view: PageView, context: Context, used: set[str]) -> list[Statement]:
    statements: list[Statement] = []
    context.paragraph = -2  # a page begins a paragraph
    for sentence in view.sentences:
        _enter_paragraph(view, sentence, context)
        if context.target_section:
            continue
        statements += _link_sentence(view, sentence, context, used)
    return statements


def _enter_paragraph(view: PageView, sentence: Sentence, context: Context) -> None:
    text = view.text
    paragraph = text.rfind("\n", 0, sentence.start)  # where its line begins: no count from the page start
    if paragraph == context.paragraph:
        return
    context.paragraph = paragraph
    context.paragraph_index = context.paragraph_subject = context.paragraph_year = None
    line_start = paragraph + 1
    line_end = text.find("\n", sentence.start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if is_heading(line):
        context.target_section = opens_target_section(line)
        years = list(_HEADING_YEAR.finditer(line))
        one = len({y.group() for y in years}) == 1
        context.section_year = int(years[0].group()) if one else None
        source = "title" if view.number == 1 and line_start < context.frame.title_end else "heading"
        context.section_year_from = _inference(view, "year", source, line_start + years[0].start(), line_start + years[0].end()) if one else None


def _inference(view: PageView, field: str, source: str, start: int, end: int) -> Inference:
    return Inference(field=field, source=source, page=view.number, start=start, end=end, surface=view.text[start:end])  # type: ignore[arg-type]


# How far before a value a component cue is looked for: a clause's cue stands close to its
# values, and the reach keeps a sentence of a thousand values from being read a thousand times.
_CUE_REACH = 400


class _Walk:
    """The left-to-right reading of one sentence."""

    def __init__(self, view: PageView, sentence: Sentence, context: Context, used: set[str]) -> None:
        self.view, self.text, self.context = view, view.text, context
        self.lo, self.hi = sentence.start, sentence.end
        self.indices = [i for i in view.indices_in(self.lo, self.hi) if not i.part]
        self.subjects = view.subjects_in(self.lo, self.hi)
        self.subject: SubjectMention | None = context.paragraph_subject
        self.group: list[SubjectMention] = []
        self.index: tuple[str, ...] | None = None  # the index(es) of the values read now
        self.year: int | None = None
        self.year_stack: list[int | None] = []
        self.links: list[Link] = []
        self.pending: list[Link] = []
        # Values before this offset are an average's: up to the next subject (or ";"), or
        # only within the parentheses after "cao hơn mức trung bình cả nước (...)".
        self.aggregate_until = -1
        self.aggregate_ends_at_subject = False
        self.area = AGGREGATE  # the country or region the average is for, when named
        self.place: SubjectMention | None = None  # the province last named as a unit's ("Sở Nội vụ tỉnh Phú Yên")
        self.used = used
        target = cues.family("target").search(self.text, self.lo, self.hi)
        self.target_from = target.start() if target else self.hi

    # --- events -------------------------------------------------------------------------

    def events(self) -> Iterator[tuple[int, str, object]]:
        items: list[tuple[int, str, object]] = []
        items += [(i.start, "index", i) for i in self.indices]
        items += [(s.start, "subject", s) for s in self.subjects]
        items += [(y.start, "year", y) for y in self.view.years_in(self.lo, self.hi) if y.role in ("lead", "result")]
        items += [(r.start, "value", r) for r in self.view.values_in(self.lo, self.hi) if r.id not in self.used]
        items += [(a.start(), "average", a) for a in cues.family("average").finditer(self.text, self.lo, self.hi)]
        items += [(p.start(), "mark", p.group()) for p in _MARK.finditer(self.text, self.lo, self.hi)]
        return iter(sorted(items, key=lambda item: (item[0], item[1] != "subject")))

    def run(self) -> list[Link]:
        for _, kind, obj in self.events():
            getattr(self, f"_on_{kind}")(obj)
        return self.links + self._inherit()

    def _on_mark(self, mark: str) -> None:
        if mark == "(":
            self.year_stack.append(self.year)
        elif mark == ")" and self.year_stack:
            self.year = self.year_stack.pop()
        elif mark == ";":
            self.aggregate_until = -1

    def _on_average(self, match: regex.Match[str]) -> None:
        self.area = self._area(match)
        before = self.text[max(self.lo, match.start() - 25) : match.start()]
        if cues.ends_with("comparison", before) or _HIGHER_OR_LOWER.search(before):
            close = self.text.find(")", match.end(), self.hi)
            self.aggregate_until, self.aggregate_ends_at_subject = (close if close > 0 else match.end() + 40), False
        else:
            self.aggregate_until, self.aggregate_ends_at_subject = self.hi, True

    def _area(self, match: regex.Match[str]) -> SubjectMention:
        """"trung bình cả nước", "điểm trung bình của các tỉnh vùng Tây Nguyên": the area
        named after the cue, before the value; else right before the cue."""
        stop = _AREA_STOP.search(self.text, match.end(), min(self.hi, match.end() + 60))
        area = find_area(self.text, match.start(), stop.start() if stop else min(self.hi, match.end() + 60))
        if area is None:
            clause = max(self.lo, *(self.text.rfind(c, self.lo, match.start()) + 1 for c in ",;:("))
            area = find_area(self.text, max(clause, match.start() - 40), match.start())
        return SubjectMention(area.name, area.type, area.start, area.end, "aggregate") if area else AGGREGATE

    def _on_index(self, mention: IndexMention) -> None:
        for link in self.links:  # "đồng thời đứng đầu Chỉ số Xanh": a rank right before the name is its
            if link.record.kind == "rank" and _leads_into(self.text[link.record.end : mention.start]):
                link.indices = mention.keys
        self.index = mention.keys
        if mention.year is not None:
            self.year = mention.year
            at = self.text.find(str(mention.year), mention.end)
            for key in mention.keys:
                self.context.index_years[key] = mention.year
                self.context.index_years_from[key] = _inference(self.view, "year", "index", at, at + 4)
        if self.pending and self._links_to(mention):
            for link in self.pending:
                link.indices = mention.keys
            self.links += self.pending
        self.pending = []

    def _links_to(self, mention: IndexMention) -> bool:
        between = self.text[self.pending[-1].record.end : mention.start]
        if len(between) > 90 or any(self.pending[-1].record.end <= s.start < mention.start and s.role == "subject"
                                    for s in self.subjects):
            return False
        stripped = between.strip(" ,")
        return not stripped or bool(cues.family("index_link").search(between))

    def _on_subject(self, mention: SubjectMention) -> None:
        if mention.role == "qualifier":
            self.place = dataclasses.replace(mention, role="subject")  # "tỉnh" further on may point back to it
            return
        if mention.role in ("announcer", "reference"):
            return
        if mention.role == "anaphor":
            resolved = self._resolve_anaphor(mention)
            if resolved is None:
                return
            mention = resolved
        joined = self.group and not self._values_since(self.group[-1].end) and \
            _LIST_JOINER.fullmatch(self.text[self.group[-1].end : mention.start])
        self.group = [*self.group, mention] if joined else [mention]
        self.subject = mention
        if self.aggregate_ends_at_subject and mention.role == "subject":
            self.aggregate_until = -1
        if cues.ends_with("inversion", self.text[max(self.lo, mention.start - 15) : mention.start]):
            self._invert(mention)

    def _resolve_anaphor(self, mention: SubjectMention) -> SubjectMention | None:
        earlier = self.subject if self.subject is not None and self.subject.role != "aggregate" else None
        if earlier is None or (earlier.type == "department" and mention.name.startswith(("tỉnh", "thành phố"))):
            earlier = self.place or earlier
        if earlier is not None:
            return earlier
        frame = self.context.frame
        if frame.mention is None:
            return None
        return dataclasses.replace(frame.mention, start=mention.start, end=mention.end, role="anaphor")

    def _values_since(self, position: int) -> bool:
        return any(link.record.start >= position for link in self.links + self.pending)

    def _invert(self, mention: SubjectMention) -> None:
        """"Xếp thứ hai là Hải Phòng": the values since the clause began go to the name."""
        clause = max(self.text.rfind(sep, self.lo, mention.start) for sep in (",", ";", ":"))
        earlier = [s.end for s in self.subjects if s.start < mention.start and s.role in ("subject", "anaphor")]
        since = max(clause, self.lo, *earlier) if earlier else max(clause, self.lo)
        for link in self.links + self.pending:
            if link.record.start >= since:
                link.subject, link.group = mention, (mention,)

    def _on_year(self, mention: YearMention) -> None:
        if self._value_year(mention) is not None:
            return  # "thứ 30 năm 2021": that value's own year
        self.year = mention.year
        if mention.role == "lead" and mention.start - self.lo < 20:
            self.context.paragraph_year = mention.year
            self.context.paragraph_year_from = _inference(self.view, "year", "paragraph", mention.start, mention.end)

    def _value_year(self, mention: YearMention) -> Record | None:
        for link in reversed(self.links + self.pending):
            if _YEAR_WORD_BETWEEN.fullmatch(self.text[link.record.end : mention.start]):
                return link.record
        return None

    def _on_value(self, record: Record) -> None:
        if not self._usable(record):
            return
        subject = self.area if self._in_aggregate(record) else self.subject
        group = tuple(self.group) if subject is self.subject and len(self.group) > 1 and self._tie(record) else ()
        link = Link(record, subject, self.index, self._year_of(record), group)
        (self.links if self.index is not None else self.pending).append(link)

    def _in_aggregate(self, record: Record) -> bool:
        return record.start < self.aggregate_until

    def _tie(self, record: Record) -> bool:
        return bool(cues.family("tie").search(self.text, self.group[-1].end, record.end))

    def _year_of(self, record: Record) -> int | None:
        after = _YEAR_AFTER_VALUE.match(self.text[record.end : record.end + 24])
        if after:
            return int(after.group(1))
        before = self.text[max(self.lo, record.start - 30) : record.start]
        compared = _YEAR_OPENING_BRACKET.search(before)
        if compared and cues.ends_with("comparison", before[: compared.start(1)].removesuffix(" ").removesuffix("năm") + " "):
            return int(compared.group(1))
        return self.year

    def _usable(self, record: Record) -> bool:
        """Whether a value can be an index's result here (no target, bound, part or other measure)."""
        if record.start >= self.target_from:
            return False
        after = self.text[record.end : record.end + 30]
        if record.kind == "rank" and cues.starts_with("regional", _COUNT_OF_PLACES.sub("", after)):
            return False
        if record.kind in ("rank", "rank_change"):
            return not cues.starts_with("foreign_value", _LEADING_COMMAS.sub(" ", after)) or record.kind == "rank_change"
        bound = getattr(record, "value_max", None) is not None or getattr(record, "approx", None) in ("gt", "ge", "lt", "le")
        if record.kind == "percent" and bound:
            return False
        before = self.text[max(self.lo, record.start - 20) : record.start]
        if cues.ends_with("threshold", before) or cues.starts_with("threshold", after):
            return False
        if cues.starts_with("foreign_value", after):
            return False
        return not self._component(record)

    def _component(self, record: Record) -> bool:
        """A part's value: a component cue since the clause's index, subject or ";"."""
        since = max([self.lo, *(i.end for i in self.indices if i.start < record.start),
                     *(s.end for s in self.subjects if s.start < record.start and s.role != "reference"),
                     self.text.rfind(";", max(self.lo, record.start - _CUE_REACH), record.start) + 1,
                     record.start - _CUE_REACH])
        between = self.text[since : record.start]
        if _SHARE_OF.search(between) and not cues.family("equivalence").search(between):
            return True
        return bool(cues.family("component").search(between))

    def _inherit(self) -> list[Link]:
        """Values before any index in a sentence that names none: the paragraph's index, or
        the one last named when the sentence ranks a subject."""
        if not self.pending:
            return []
        index = self.context.paragraph_index
        if index is None and self.context.topic is not None and self._ranks_a_subject():
            index = self.context.topic
        if index is None:
            return []
        for link in self.pending:
            link.indices = index
        return self.pending

    def _ranks_a_subject(self) -> bool:
        named = any(link.subject is not None and link.subject.role != "aggregate" for link in self.pending)
        ranked = any(link.record.kind in ("rank", "rank_change") for link in self.pending)
        scale = index_scale(self.context.topic[0]) if self.context.topic else None
        scored = any((link.record.kind == "score" and scale == "điểm") or (link.record.kind == "percent" and scale == "%")
                     for link in self.pending)
        return named and (ranked or scored)


def _leads_into(between: str) -> bool:
    """Whether the words between a rank and an index's name give the rank to it."""
    if len(between) > 40 or _CLAUSE_PUNCTUATION.search(between):
        return False
    return not between.strip() or bool(cues.family("index_link").search(between))


def _link_sentence(view: PageView, sentence: Sentence, context: Context, used: set[str]) -> list[Statement]:
    named = [i for i in view.indices_in(sentence.start, sentence.end) if not i.part]
    index = named[0].keys if named else (context.paragraph_index or context.topic)
    subject = context.paragraph_subject or _frame_subject(context.frame)
    listed = enumeration_links(view, sentence, subject, index, used)
    walk = _Walk(view, sentence, context, used)
    links = listed + walk.run()
    if named:
        context.topic = context.paragraph_index = named[-1].keys
    elif links:
        context.paragraph_index = links[-1].indices
    explicit = [s for s in view.subjects_in(sentence.start, sentence.end) if s.role == "subject"]
    if explicit:
        context.paragraph_subject = explicit[-1]
    elif walk.subject is not None and walk.subject.role != "aggregate":
        context.paragraph_subject = walk.subject
    statements = spread_over_years(view, sentence, list(_statements(view, sentence, links, context)))
    for statement in statements:
        if statement.year is None and statement.period:
            statement.year = int(statement.period[:4])
        elif statement.year is None:
            statement.year, source = _context_year(statement.indicator, context)
            if statement.year is not None:
                statement.infer("year", source)
    return statements


def _frame_subject(frame: Frame) -> SubjectMention | None:
    return dataclasses.replace(frame.mention, start=-1, end=-1, role="anaphor") if frame.mention else None


def _context_year(indicator: str, context: Context) -> tuple[int | None, Inference | None]:
    """The year a sentence leaves unsaid, and where it was written: its paragraph's, the
    heading's, the one last written for the index, or the document's."""
    if context.paragraph_year is not None:
        return context.paragraph_year, context.paragraph_year_from
    if context.section_year is not None:
        return context.section_year, context.section_year_from
    if indicator in context.index_years:
        return context.index_years[indicator], context.index_years_from.get(indicator)
    return context.frame.year, context.frame.year_from


def _statements(view: PageView, sentence: Sentence, links: list[Link], context: Context) -> Iterator[Statement]:
    grouped: dict[tuple[str, tuple[str, str, str, str | None, str | None] | None, int | None], list[Link]] = {}
    for link in links:
        for subject in link.group or (link.subject,):
            for key in link.indices or ():
                grouped.setdefault((key, _as_key(subject), link.year), []).append(Link(link.record, subject, link.indices, link.year))
    period = _period(view, sentence, context)
    for (key, _, year), members in grouped.items():
        subject = members[0].subject
        aggregate = subject is not None and subject.role == "aggregate"
        statement = _statement(view.number, key, None, year, aggregate, members, view.text)
        if statement is None:
            continue
        if subject is not None and subject.name:
            statement.take_subject(subject)
        statement.explicit_subject = subject is not None and subject.role == "subject"
        if key == "INDEX_766" and period is not None:
            statement.period = period[0]
            if period[1] is not None:
                statement.infer("period", period[1])
            _compared_period(view, statement, members)
        if not aggregate:
            _infer_subject(view, sentence, statement, subject, context)
        yield statement


def _as_key(subject: SubjectMention | None) -> tuple[str, str, str, str | None, str | None] | None:
    """Links of one subject group together wherever it was named."""
    return None if subject is None else (subject.name, subject.type, subject.role, subject.province, subject.era)


def _period(view: PageView, sentence: Sentence, context: Context) -> tuple[str, Inference | None] | None:
    """The sentence's own period ("Trong tháng 10/2025"), else the title's."""
    found = period_match(view.text, sentence.start, sentence.end)
    if found is not None and not cues.ends_with("comparison", view.text[max(sentence.start, found[1] - 20) : found[1]]):
        return found[0], None
    frame = context.frame
    return (frame.period, frame.period_from) if frame.period else None


_PREVIOUS_MONTH = regex.compile(r"\s*(?:,\s*)?so\s+với\s+(?:tháng\s+trước|kỳ\s+trước)", regex.I)
_SAME_MONTH = regex.compile(r"\s*(?:,\s*)?so\s+với\s+cùng\s+kỳ", regex.I)
_MONTH_COMPARED = regex.compile(r"\s*(?:,\s*)?so\s+với\s+(?=tháng|tuần|quý)", regex.I)


def _compared_period(view: PageView, statement: Statement, links: list[Link]) -> None:
    """A change of a monthly or weekly index is against a period: "so với tháng 9/2025",
    "so với tháng trước", "so với cùng kỳ"."""
    for link in links:
        if link.record.kind not in ("score_change", "rank_change") or link.record.id not in statement.evidence:
            continue
        after = view.text[link.record.end : link.record.end + 60]
        if _MONTH_COMPARED.match(after) and (found := period_match(after)):
            statement.values["compared_to"] = found[0]
        elif _PREVIOUS_MONTH.match(after) and statement.period:
            statement.values["compared_to"] = _shift(statement.period, months=-1)
        elif _SAME_MONTH.match(after) and statement.period:
            statement.values["compared_to"] = _shift(statement.period, months=-12)


def _shift(period: str, *, months: int) -> str | None:
    """A month's period moved by ``months`` ("2025-01", -1 -> "2024-12"); weeks and quarters
    only by a whole year.

    >>> _shift("2025-01", months=-1), _shift("2024-W03", months=-12), _shift("2024-W03", months=-1)
    ('2024-12', '2023-W03', None)
    """
    year, _, rest = period.partition("-")
    if rest.isdigit():
        total = int(year) * 12 + int(rest) - 1 + months
        return f"{total // 12}-{total % 12 + 1:02d}"
    return f"{int(year) + months // 12}-{rest}" if months % 12 == 0 else None


def _infer_subject(view: PageView, sentence: Sentence, statement: Statement, subject: SubjectMention | None, context: Context) -> None:
    """A subject not named in the clause: from the title, or from an earlier sentence."""
    if subject is None:
        statement.inferred.append("subject")  # resolved later: the document's place, or the whole
    elif subject.role == "anaphor" or subject.start < 0:
        statement.infer("subject", context.frame.subject_from)
    elif subject.start < sentence.start:
        statement.infer("subject", _inference(view, "subject", "paragraph", subject.start, subject.end))


def _statement(page: int, key: str, subject: str | None, year: int | None, aggregate: bool, links: list[Link], text: str) -> Statement | None:
    values: dict[str, object] = {}
    evidence: list[str] = []
    levels = [link.record for link in links if link.record.kind in ("score", "percent")]
    scale = index_scale(key)
    preferred = [r for r in levels if (r.kind == "percent") == (scale == "%")]
    level = (preferred or levels)[0] if levels else None
    if level is not None:
        values["score"] = getattr(level, "value")
        values["unit"] = "%" if level.kind == "percent" else "điểm"
        evidence.append(level.id)
    for link in links:
        record = link.record
        if record.kind == "score_change" and "score_change" not in values:
            values["score_change"] = getattr(record, "value")
            _compared(values, record)
        elif record.kind == "rank" and "rank" not in values:
            values["rank"], values["rank_total"] = getattr(record, "rank"), getattr(record, "total")
        elif record.kind == "rank_change" and "rank_change" not in values:
            values["rank_change"] = getattr(record, "value")
            _compared(values, record)
        else:
            continue
        evidence.append(record.id)
    if not evidence:
        return None
    spans = [link.record for link in links if link.record.id in evidence]
    return Statement(key, subject, year, page, min(r.start for r in spans), max(r.end for r in spans), values, evidence,
                     aggregate=aggregate)


def _compared(values: dict[str, object], record: Record) -> None:
    compared = getattr(record, "compared_to", None)
    if compared:
        values.setdefault("compared_to", compared)
