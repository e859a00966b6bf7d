"""Typed mentions of a page: indices, subjects and years, each with the role it plays.

The gazetteers find index, province and agency names; this module adds the units below
a province ("huyện Văn Yên", "TP Hạ Long"), the common nouns that point back to the
place a text is about ("tỉnh", "thành phố"), and years, and decides with the cues what
each one is: a subject or the body that announces; a year of results, the base of a
comparison, the start of a history or a deadline. It runs once per page.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import regex

from ..gazetteer import Mention, find_mentions, provinces
from ..records import Record
from . import cues

# Patterns used in loops, compiled once (regex's cache lookup costs more than the search).
_UNIT_WORD_AT_END = regex.compile(r"(?:(?:tỉnh|thành\s+phố|TP\.?|huyện|thị\s+xã)\s+)$", regex.I)
_YEAR_WORD_AT_END = regex.compile(r"\s*năm\s*$", regex.I)
_BEFORE_ACRONYM = regex.compile(r"[^()\n.;]{0,60}\(\s*")
_CLOSING_BRACKET = regex.compile(r"\s*\)")
_INDEX_JOINER = regex.compile(r"\s*(?:\(\s*|\)\s*)*(?:,|và|hoặc|;)?\s*(?:\(\s*|\)\s*)*", regex.I)
_SPACES = regex.compile(r"\s+")
_OPENING_BRACKET = regex.compile(r"\s*\(")

# Units below a province: "huyện Phú Bình", "thị xã Kỳ Anh", "TX Kỳ Anh", "thành phố Cẩm Phả".
_LOCAL_UNIT = regex.compile(
    r"(?<!\w)(?P<prefix>huyện|thị\s+xã|TX\.?|thành\s+phố|TP\.?|quận|thị\s+trấn|xã|phường)\s+"
    r"(?P<name>(?-i:\p{Lu}[\p{Ll}\p{M}]*)(?:\s(?-i:\p{Lu}[\p{Ll}\p{M}]*)){0,3}"
    r"|(?-i:\p{Lu}[\p{Lu}\p{M}]*)(?:[ ](?-i:\p{Lu}[\p{Lu}\p{M}]*)){0,3})(?!\w)",
    regex.I,
)
_UNIT_TYPES = {"huyện": "district", "thị xã": "town", "tx": "town", "thành phố": "city", "tp": "city", "quận": "district",
               "thị trấn": "commune", "xã": "commune", "phường": "commune"}
CENTRAL_CITIES = frozenset({"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Huế", "Thừa Thiên Huế"})
_YEAR = regex.compile(r"(?<![\d/.,\-–])(?P<year>(?:19|20)\d{2})(?![\d/]|[.,]\d)")
# Records whose digits are no year of a result: "ngày 17/4/2024", "(2009 - 2023)", "24/2014/NĐ-CP".
_YEARLESS_KINDS = frozenset({"date", "period", "legal_ref", "ratio", "count", "money"})


@dataclass(frozen=True)
class IndexMention:
    """One index, or a list of indices named together ("PAR Index, DDCI và DTI")."""

    keys: tuple[str, ...]
    start: int
    end: int
    year: int | None  # the year written right after it ("PAR INDEX 2023", "(PAPI) năm 2023")
    part: bool = False  # named as a part of another index ("điểm chỉ số hài lòng")


@dataclass(frozen=True)
class SubjectMention:
    name: str
    type: str  # province, city, district, town, commune, department, ministry
    start: int
    end: int
    role: str  # subject, announcer, reference, anaphor, qualifier (the province of a department)
    province: str | None = None  # the province named with a unit inside one ("huyện Châu Thành (Tiền Giang)")
    era: str | None = None  # "before" / "after" the merger of 1/7/2025, when the text marks it ("Gia Lai (cũ)")


@dataclass(frozen=True)
class YearMention:
    year: int
    start: int
    end: int
    role: str  # result, lead, comparison, history, target, list


@dataclass(frozen=True)
class Mentions:
    indices: tuple[IndexMention, ...]
    subjects: tuple[SubjectMention, ...]
    years: tuple[YearMention, ...]


def page_mentions(text: str, records: Sequence[Record]) -> Mentions:
    """Every index, subject and year mention of a page, with its role."""
    found = find_mentions(text)
    return Mentions(tuple(_indices(text, found)), tuple(_subjects(text, found)), tuple(_years(text, records)))


def _indices(text: str, found: Sequence[Mention]) -> list[IndexMention]:
    named = [m for m in found if m.kind == "index"]
    named = _acronyms_win(text, named)
    groups: list[list[Mention]] = []
    for m in named:
        if groups and _joined(text[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    result = []
    for group in groups:
        keys = tuple(dict.fromkeys(m.key for m in group))
        start, end = group[0].start, group[-1].end
        part = _named_as_part(text, start)
        result.append(IndexMention(keys, start, end, _year_after(text, end), part))
    return result


def _named_as_part(text: str, start: int) -> bool:
    """"điểm chỉ số hài lòng", "nhóm chỉ số ...": a component cue ends right before the
    name, or runs into it."""
    window = max(0, start - 30)
    for m in cues.family("component").finditer(text, window, min(len(text), start + 12)):
        if m.start() < start and (m.end() > start or not text[m.end() : start].strip()):
            return True
    return False


def _acronyms_win(text: str, named: list[Mention]) -> list[Mention]:
    """"Chỉ số năng lực cạnh tranh cấp sở, ngành (DDCI)": the acronym in parentheses
    names the index, over a shorter name the gazetteer found before it."""
    kept: list[Mention] = []
    for m in named:
        if kept and kept[-1].key != m.key and _BEFORE_ACRONYM.fullmatch(text[kept[-1].end : m.start]) \
                and _CLOSING_BRACKET.match(text[m.end :]):
            kept[-1] = Mention("index", m.key, kept[-1].start, m.end)
            continue
        if kept and kept[-1].key == m.key and m.start - kept[-1].end <= 4:
            kept[-1] = Mention("index", m.key, kept[-1].start, m.end)  # "Chỉ số CCHC (PAR INDEX)"
            continue
        kept.append(m)
    return kept


def _joined(between: str) -> bool:
    """Whether the text between two index names lists them together."""
    return bool(_INDEX_JOINER.fullmatch(between)) and len(between) < 12


# A year right after an index's name: "PAR INDEX 2023", "(PAPI) năm 2019"; not a period's first year.
YEAR_AFTER_INDEX = regex.compile(r"[\s()A-Za-z\-]{0,12}?(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/]|\s*[-–]\s*(?:19|20)\d{2})", regex.I)


def _year_after(text: str, end: int) -> int | None:
    m = YEAR_AFTER_INDEX.match(text, end, min(len(text), end + 24))
    return int(m.group("year")) if m else None


def _subjects(text: str, found: Sequence[Mention]) -> list[SubjectMention]:
    named = [_typed(m) for m in found if m.kind in ("province", "agency")]
    local = list(_local_units(text))
    # A unit below a province wins over a gazetteer name inside it ("huyện Yên Bái").
    starts = [u.start for u in local]
    named = [s for s in named if not _inside(s.start, starts, local)] + local
    named.sort(key=lambda s: s.start)
    starts = [s.start for s in named]
    anaphors = [SubjectMention(m.group().lower(), "anaphor", m.start(), m.end(), "anaphor")
                for m in cues.family("anaphor").finditer(text) if not _inside(m.start(), starts, named)]
    named = sorted(named + anaphors, key=lambda s: s.start)
    typed = [_with_role(text, named, i) for i in range(len(named))]
    return _qualified(text, [_with_era(text, s) for s in typed])


# Units that belong to a province, which a province named right after them qualifies.
_INSIDE_A_PROVINCE = frozenset({"district", "town", "city", "commune", "department"})


def _qualified(text: str, named: list[SubjectMention]) -> list[SubjectMention]:
    """"Sở Nội vụ tỉnh Thái Nguyên", "huyện Châu Thành (Tiền Giang)": the province is the
    unit's, and no subject of its own."""
    result = list(named)
    for i in range(len(result) - 1):
        unit, province = result[i], result[i + 1]
        if unit.type in _INSIDE_A_PROVINCE and province.type == "province" and province.role != "anaphor" \
                and unit.role != "qualifier" and cues.family("qualifier").fullmatch(text[unit.end : province.start]):
            result[i] = dataclasses.replace(unit, province=province.name)
            result[i + 1] = _as(province, "qualifier")
    return result


def _with_era(text: str, s: SubjectMention) -> SubjectMention:
    """"Gia Lai (cũ)", "Lào Cai (mới)": the province before or after the merger."""
    if s.type != "province" or s.role == "anaphor":
        return s
    after = text[s.end : s.end + 30]
    if cues.starts_with("era_before", after):
        return dataclasses.replace(s, era="before")
    if cues.starts_with("era_after", after):
        return dataclasses.replace(s, era="after")
    return s


def _local_units(text: str) -> Iterator[SubjectMention]:
    for m in _LOCAL_UNIT.finditer(text):
        name, prefix = m.group("name"), _SPACES.sub(" ", m.group("prefix").lower().rstrip("."))
        end = m.end()
        if name.isupper() and len(name) > 2:
            name = _name_in_capitals(name)  # a heading in capitals: "THÀNH PHỐ YÊN BÁI BA NĂM LIỀN ..."
            end = m.start("name") + len(name)
        if prefix in ("thành phố", "tp") and name in CENTRAL_CITIES:
            continue  # a centrally-run city: the gazetteer has it
        if name in provinces() and prefix in ("xã", "phường", "thị trấn"):
            continue
        yield SubjectMention(name, _UNIT_TYPES.get(prefix, "district"), m.start(), end, "subject")


def _name_in_capitals(words: str) -> str:
    """The place name at the start of words in capitals, in title case: the longest run
    of up to three words that names a district or a province, else the first two."""
    from ..admin_units import districts_named

    parts = words.split(" ")
    for n in (3, 2, 1):
        name = " ".join(parts[:n]).title()
        if len(parts) >= n and (districts_named(name) or name in provinces()):
            return name
    return " ".join(parts[:2]).title()


def _inside(position: int, starts: list[int], spans: Sequence[SubjectMention]) -> bool:
    """Whether ``position`` falls in one of ``spans`` (sorted, not overlapping; ``starts`` their starts)."""
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and spans[i].start <= position < spans[i].end


def _typed(m: Mention) -> SubjectMention:
    if m.kind == "agency":
        kind = "ministry" if m.key.startswith(("Bộ", "Ủy ban", "Ngân hàng", "Thanh tra Chính", "Văn phòng Chính")) else "department"
        return SubjectMention(m.key, kind, m.start, m.end, "subject")
    return SubjectMention(m.key, "province", m.start, m.end, "subject")  # centrally-run cities are province-level


_QUALIFIED = regex.compile(r"\s*(?:(?:tỉnh|thành\s+phố|TP\.?)\s+)?", regex.I)


def _with_role(text: str, named: list[SubjectMention], i: int) -> SubjectMention:
    s = named[i]
    if s.role == "anaphor":
        return s
    previous, following = (named[i - 1] if i else None), (named[i + 1] if i + 1 < len(named) else None)
    if previous is not None and previous.type in ("department", "ministry") and _QUALIFIED.fullmatch(text[previous.end : s.start]):
        return _as(s, "qualifier")  # "Sở Nội vụ tỉnh Thái Nguyên"
    after = s.end
    if following is not None and s.type in ("department", "ministry") and _QUALIFIED.fullmatch(text[s.end : following.start]):
        after = following.end
    if cues.starts_with("announcer_after", text[after : after + 30]) and not _OPENING_BRACKET.match(text[after:]):
        return _as(s, "announcer")
    if s.type in ("department", "ministry") and cues.ends_with("announcer_before", text[max(0, s.start - 40) : s.start]):
        return _as(s, "announcer")
    if _is_reference(text, named, i):
        return _as(s, "reference")
    return s


def _as(s: SubjectMention, role: str) -> SubjectMention:
    return dataclasses.replace(s, role=role)


_LISTED = regex.compile(r"\s*(?:,|và)\s*(?:(?:tỉnh|thành\s+phố|TP\.?)\s+)?", regex.I)


def _is_reference(text: str, named: list[SubjectMention], i: int) -> bool:
    """After "chỉ sau", "hợp nhất với"..., directly or over a list ("sau Hà Nội, Huế và Hải Phòng")."""
    start = named[i].start
    while i > 0 and _LISTED.fullmatch(text[named[i - 1].end : start]):  # back over a list of names
        i -= 1
        start = named[i].start
    before = text[max(0, start - 30) : start]
    before = _UNIT_WORD_AT_END.sub("", before)
    return cues.ends_with("reference", before)


def _years(text: str, records: Sequence[Record]) -> list[YearMention]:
    taken = sorted((r.start, r.end) for r in records if r.kind in _YEARLESS_KINDS and r.cell_text is None)
    reach = list(itertools.accumulate((end for _, end in taken), max))  # the furthest end so far
    starts = [start for start, _ in taken]
    years = []
    for m in _YEAR.finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and reach[i] > m.start():
            continue
        years.append(YearMention(int(m.group("year")), m.start(), m.end(), _year_role(text, m.start())))
    return years


_LEAD = regex.compile(r"(?:[,;:(\n]|\.\s)\s*(?:(?:trong|riêng|vào|tại|đến\s+hết|tính\s+đến|sang|ở)\s+)?năm\s*$", regex.I)


def _year_role(text: str, start: int) -> str:
    before = ("\n" if start <= 40 else "") + text[max(0, start - 40) : start]
    if cues.ends_with("comparison", before.removesuffix(" ").removesuffix("năm").rstrip() + " ") or cues.ends_with("comparison", before):
        return "comparison"
    if cues.ends_with("target", before) or cues.ends_with("target", _drop_year_word(before)):
        return "target"
    if cues.ends_with("history", before) or cues.ends_with("history", _drop_year_word(before)):
        return "history"
    if _LEAD.search(before):
        return "lead"
    return "result"


def _drop_year_word(before: str) -> str:
    return _YEAR_WORD_AT_END.sub(" ", before)
