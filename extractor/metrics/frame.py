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

from . import cues
from .view import PageView

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


def build_frame(first: PageView) -> Frame:
    text = first.text
    title_end = _title_end(text)
    subject = next((s for s in first.mentions.subjects if s.start < title_end and s.role == "subject"
                    and s.type not in ("department", "ministry")), None)
    name, kind = (subject.name, subject.type) if subject else _lead_subject(first, title_end)
    years = [y.year for y in first.mentions.years if y.start < title_end and y.role in ("result", "lead")]
    return Frame(name, kind, years[0] if years else None, period_in(text[:title_end]), title_end)


def _title_end(text: str) -> int:
    position = 0
    for line in text.split("\n"):
        if len(line) >= _BODY_LINE:
            return position
        position += len(line) + 1
        if position > _TITLE_LIMIT:
            break
    return min(position, _TITLE_LIMIT, len(text))


def _lead_subject(first: PageView, title_end: int) -> tuple[str | None, str | None]:
    """No place in the title: the province the lead names most, if one does."""
    lead_end = first.text.find("\n", title_end + 1)
    lead_end = len(first.text) if lead_end < 0 else lead_end
    counts = Counter((s.name, s.type) for s in first.mentions.subjects
                     if title_end <= s.start < lead_end and s.role == "subject" and s.type in ("province", "city"))
    ranked = counts.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None, None


def period_in(text: str) -> str | None:
    """A period below the year named in ``text``: "2024-W03", "2025-10", "2024-Q1".

    >>> period_in("BỘ CHỈ SỐ 766: TUẦN 03 NĂM 2024"), period_in("kết quả tháng 10/2025"), period_in("quý I/2024")
    ('2024-W03', '2025-10', '2024-Q1')
    """
    if m := _WEEK.search(text):
        return f"{m['year']}-W{int(m['week']):02d}"
    if m := _MONTH.search(text):
        return f"{m['year']}-{int(m['month']):02d}" if 1 <= int(m["month"]) <= 12 else None
    if m := _QUARTER.search(text):
        quarter = _ROMAN.get(m["quarter"].upper()) or int(m["quarter"])
        return f"{m['year']}-Q{quarter}"
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
    body = regex.sub(r"^\s*(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]\s+", "", line.strip(), flags=regex.I)
    return is_heading(line) and cues.starts_with("target_section", body)
