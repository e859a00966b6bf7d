"""The document frame: what a title, an administrative header or a lead says once and
the paragraphs below rely on — the place the text is about, the year of its results,
its period below the year, and which lines are headings.

"PAR INDEX 2023: QUẢNG NINH DẪN ĐẦU" dates every result below it 2023; "UBND THÀNH PHỐ
HẢI PHÒNG ... Số: 112/BC-UBND" makes Hải Phòng the "thành phố" of the report. A year
written in the body for an index overrides the frame's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

from ..records import Inference
from . import cues
from .mentions import SubjectMention
from .view import PageView

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_HEADING_NUMBER_PREFIX = regex.compile(r"^\s*(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]\s+", regex.I)

# The first body paragraph is the first line this long; what comes before is the title block.
_BODY_LINE = 200
_TITLE_LIMIT = 700
_WEEK = regex.compile(r"tuần\s+(?:thứ\s+)?0?(?P<week>\d{1,2})\s*(?:/|năm\s+)(?P<year>(?:19|20)\d{2})", regex.I)
_MONTH = regex.compile(r"tháng\s+0?(?P<month>\d{1,2})\s*(?:/|năm\s+)(?P<year>(?:19|20)\d{2})", regex.I)
_QUARTER = regex.compile(r"quý\s+(?P<quarter>I{1,3}|IV|[1-4])\s*(?:/|năm\s+)(?P<year>(?:19|20)\d{2})", regex.I)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_HEADING_NUMBER = regex.compile(r"^\s*(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]\s+\S", regex.I)


@dataclass(frozen=True)
class Frame:
    subject: str | None
    subject_type: str | None
    year: int | None
    period: str | None
    title_end: int
    mention: SubjectMention | None = None  # the subject as named (with its province and era)
    province: str | None = None  # the document's province: its subject's, or the one its title block names
    subject_from: Inference | None = None
    year_from: Inference | None = None
    period_from: Inference | None = None


def build_frame(first: PageView) -> Frame:
    text = first.text
    title_end = _title_end(text)
    subject = next((s for s in first.mentions.subjects if s.start < title_end and s.role == "subject"
                    and s.type not in ("department", "ministry")), None) or _lead_subject(first, title_end)
    years = [y for y in first.mentions.years if y.start < title_end and y.role in ("result", "lead")]
    period = period_match(text[:title_end])
    return Frame(
        subject.name if subject else None, subject.type if subject else None, years[0].year if years else None,
        period[0] if period else None, title_end, subject, _province(first, title_end, subject),
        _inference(first, "subject", subject.start, subject.end) if subject else None,
        _inference(first, "year", years[0].start, years[0].end) if years else None,
        _inference(first, "period", period[1], period[2]) if period else None,
    )


def _inference(page: PageView, field: str, start: int, end: int) -> Inference:
    return Inference(field=field, source="title", page=page.number, start=start, end=end, surface=page.text[start:end])  # type: ignore[arg-type]


def _province(first: PageView, title_end: int, subject: SubjectMention | None) -> str | None:
    """The province a document is about or from: its subject's, else the first the title
    block names in any role but a reference ("Sở Nội vụ tỉnh Bến Tre công bố ...")."""
    if subject is not None and (subject.type == "province" or subject.province):
        return subject.name if subject.type == "province" else subject.province
    named = (s for s in first.mentions.subjects if s.start < title_end and s.type == "province" and s.role != "reference")
    return next((s.name for s in named), None)


def _title_end(text: str) -> int:
    position = 0
    for line in text.split("\n"):
        if len(line) >= _BODY_LINE:
            return position
        position += len(line) + 1
        if position > _TITLE_LIMIT:
            break
    return min(position, _TITLE_LIMIT, len(text))


def _lead_subject(first: PageView, title_end: int) -> SubjectMention | None:
    """No place in the title: the province the lead names most, if one does."""
    lead_end = first.text.find("\n", title_end + 1)
    lead_end = len(first.text) if lead_end < 0 else lead_end
    named = [s for s in first.mentions.subjects if title_end <= s.start < lead_end and s.role == "subject" and s.type == "province"]
    ranked = Counter(s.name for s in named).most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return next(s for s in named if s.name == ranked[0][0])
    return None


def period_match(text: str, start: int = 0, end: int | None = None) -> tuple[str, int, int] | None:
    """The first period below the year named in ``text[start:end]`` ("2024-W03", "2025-10",
    "2024-Q1") and where it is written.

    >>> period_match("BỘ CHỈ SỐ 766: TUẦN 03 NĂM 2024"), period_match("kết quả tháng 10/2025")[0], period_match("quý I/2024")[0]
    (('2024-W03', 15, 31), '2025-10', '2024-Q1')
    """
    end = len(text) if end is None else end
    if m := _WEEK.search(text, start, end):
        return f"{m['year']}-W{int(m['week']):02d}", m.start(), m.end()
    if (m := _MONTH.search(text, start, end)) and 1 <= int(m["month"]) <= 12:
        return f"{m['year']}-{int(m['month']):02d}", m.start(), m.end()
    if m := _QUARTER.search(text, start, end):
        quarter = _ROMAN.get(m["quarter"].upper()) or int(m["quarter"])
        return f"{m['year']}-Q{quarter}", m.start(), m.end()
    return None


def is_heading(line: str) -> bool:
    """A short line that is no sentence: numbered ("II. KẾT QUẢ ...") or in capitals."""
    stripped = line.strip()
    if not stripped or len(stripped) > 160 or stripped.endswith((".", ";", ",")):
        return False
    letters = [c for c in stripped if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return bool(_HEADING_NUMBER.match(stripped) and len(stripped) < 120) or (len(letters) >= 4 and upper >= 0.6 * len(letters))


def opens_target_section(line: str) -> bool:
    """A heading whose first words announce aims or tasks ("I. MỤC TIÊU")."""
    body = _HEADING_NUMBER_PREFIX.sub("", line.strip())
    return is_heading(line) and cues.starts_with("target_section", body)
