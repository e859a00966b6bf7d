"""Mentions of indices, provinces and agencies, found by one regex over syllables.

The gazetteers are data (extractor/patterns/gazetteers/indices.yaml, provinces.yaml). Matching
runs on syllables, not on underthesea's words: a phrase segmented on its own can come
out differently from the same phrase inside a sentence ("Hòa Bình" is one word after
"tỉnh" and two at the start of a sentence), while syllables are the same everywhere.
Tokens are compared lower-cased, on text that normalization has already given one
tone-mark placement, so "HOÀ BÌNH", "Hoà Bình" and "hòa bình" are one name.

The phrases are compiled into one regex factored as a trie (spaCy's PhraseMatcher did
this job before: it needed a spaCy Doc per page, 8 ms for a 16 KB page, and spaCy's
import, 0.4 s of every start; the regex gives the same mentions on every corpus page).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .datafile import GAZETTEERS_DIR, read_yaml
from .errors import ExtractorError
from .normalize import normalize
from .trie import trie_regex

GAZETTEERS = GAZETTEERS_DIR
_SYLLABLE = regex.compile(r"\w+|[^\w\s]")
# Prefixes a province name may carry in text; the subject is the name without them.
PROVINCE_PREFIXES = ("tỉnh", "thành phố", "tp.", "tp", "tp .")


class GazetteerError(ExtractorError):
    """A gazetteer file is invalid; the message names the file and the reason."""


@dataclass(frozen=True)
class Province:
    name: str
    code: str
    to_2025: str
    variants: tuple[str, ...]
    name_from_2025: str | None = None

    def name_in(self, year: int | None) -> str:
        """The name for results of ``year``: Thừa Thiên Huế became the city of Huế in 2025."""
        return self.name_from_2025 if self.name_from_2025 and year is not None and year >= 2025 else self.name


@dataclass(frozen=True)
class Mention:
    """A gazetteer entry found in text: kind "index" or "province", its key, its span."""

    kind: str
    key: str
    start: int
    end: int


@cache
def _indices_file() -> dict:
    return read_yaml(GAZETTEERS / "indices.yaml")


def indices() -> dict[str, list[str]]:
    return _indices_file()["indices"]


@cache
def agencies() -> list[str]:
    return read_yaml(GAZETTEERS / "agencies.yaml")["agencies"]


@cache
def provinces() -> dict[str, Province]:
    data = read_yaml(GAZETTEERS / "provinces.yaml")["provinces"]
    return {
        p["name"]: Province(p["name"], p["code"], p["to_2025"], tuple(p.get("variants", ())), p.get("name_from_2025"))
        for p in data
    }


def _syllables(text: str) -> tuple[str, ...]:
    """The syllables and marks of ``text``, lower-cased: what phrases are compared on."""
    return tuple(m.group().lower() for m in _SYLLABLE.finditer(text))


def _is_word(token: str) -> bool:
    return bool(_WORD_START.match(token))


_WORD_START = regex.compile(r"\w")


def _syllable_token(previous: str | None, syllable: str) -> str:
    """A syllable matched whole; two syllables are one space apart, a mark may touch its neighbour."""
    gap = "" if previous is None else "[ ]" if _is_word(previous) and _is_word(syllable) else "[ ]?"
    return gap + ("(?<!\\w)" if previous is None else "") + regex.escape(syllable) + ("(?!\\w)" if _is_word(syllable) else "")


@cache
def _matcher() -> tuple[regex.Pattern[str], dict[tuple[str, ...], tuple[str, str]]]:
    """The phrase pattern and, for each phrase's syllables, its kind and key."""
    labels: dict[tuple[str, ...], tuple[str, str]] = {}

    def add(kind: str, key: str, phrases: list[str]) -> None:
        for phrase in phrases:
            labels.setdefault(_syllables(normalize(phrase).text), (kind, key))

    for key, forms in indices().items():
        add("index", key, forms)
    for province in provinces().values():
        add("province", province.name, [province.name, *province.variants])
    for agency in agencies():
        add("agency", agency, [agency])
    return regex.compile(trie_regex(labels, _syllable_token), regex.I), labels


@lru_cache(maxsize=16)
def find_mentions(text: str) -> tuple[Mention, ...]:
    """Index, province and agency mentions in ``text``, longest first where they overlap.

    Phrases are compared syllable by syllable, lower-cased, on text that normalization
    has given one tone-mark placement, so "HOÀ BÌNH", "Hoà Bình" and "hòa bình" are one
    name; a line break or two spaces between syllables part them.

    >>> [(m.kind, m.key, "Hòa Bình, PAR INDEX, Chỉ số CCHC"[m.start:m.end]) for m in find_mentions("Hòa Bình, PAR INDEX, Chỉ số CCHC")]
    [('province', 'Hòa Bình', 'Hòa Bình'), ('index', 'PAR_INDEX', 'PAR INDEX'), ('index', 'PAR_INDEX', 'Chỉ số CCHC')]
    """
    pattern, labels = _matcher()
    found = []
    for m in pattern.finditer(text, overlapped=True):  # the longest phrase at every position
        kind, key = labels[_syllables(m.group())]
        found.append(Mention(kind, key, m.start(), m.end()))
    return tuple(_longest_first(found))


def _longest_first(found: list[Mention]) -> list[Mention]:
    """Where mentions overlap, the longest (then the first) is kept; in text order."""
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    starts: list[int] = []
    kept: list[Mention] = []
    for mention in found:
        i = bisect.bisect_left(starts, mention.start)
        if (i == 0 or kept[i - 1].end <= mention.start) and (i == len(kept) or mention.end <= kept[i].start):
            starts.insert(i, mention.start)
            kept.insert(i, mention)
    return kept


def canonical_subject(name: str | None) -> str | None:
    """The province a name denotes, by its gazetteer name, or the name folded to lower case.

    >>> canonical_subject("TT-Huế") == canonical_subject("Thừa Thiên Huế") == canonical_subject("Huế")
    True
    """
    if name is None:
        return None
    key = normalize(name).text.lower()
    return _province_by_form().get(key, " ".join(key.split()))


@cache
def _province_by_form() -> dict[str, str]:
    """Every written form of a province, normalized and lower-cased, to its name."""
    forms: dict[str, str] = {}
    for province in provinces().values():
        for form in [province.name, *province.variants, *([province.name_from_2025] if province.name_from_2025 else [])]:
            forms[normalize(form).text.lower()] = province.name
    return forms


def index_scale(key: str) -> str:
    """The unit an index's result is given in: "%" for the PAR Index and SIPAS, else "điểm".

    >>> index_scale("SIPAS"), index_scale("PAPI")
    ('%', 'điểm')
    """
    return str(_indices_file().get("scales", {}).get(key, "điểm"))


class _Area(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    type: Literal["country", "region"]
    forms: list[str] = Field(min_length=1)


class _Areas(BaseModel):
    model_config = ConfigDict(extra="forbid")
    areas: list[_Area] = Field(min_length=1)


@dataclass(frozen=True)
class Area:
    """The country or a region named in text, that an average is given for."""

    name: str
    type: str
    start: int
    end: int


@cache
def _areas() -> tuple[dict[str, _Area], regex.Pattern[str]]:
    path = GAZETTEERS / "regions.yaml"
    try:
        spec = _Areas.model_validate(read_yaml(path))
    except (yaml.YAMLError, ValidationError) as error:
        raise GazetteerError(f"{path}: {' '.join(str(error).split())[:300]}") from None
    by_form = {normalize(form).text.lower(): area for area in spec.areas for form in area.forms}
    forms = sorted(by_form, key=len, reverse=True)
    pattern = regex.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(regex.escape, f.split())) for f in forms) + r")(?!\w)", regex.I)
    return by_form, pattern


def find_area(text: str, start: int, end: int) -> Area | None:
    """The first area named in ``text[start:end]``.

    >>> find_area("trung bình vùng ĐBSCL đạt 80", 0, 29)
    Area(name='Đồng bằng sông Cửu Long', type='region', start=16, end=21)
    """
    by_form, pattern = _areas()
    m = pattern.search(text, start, end)
    if m is None:
        return None
    area = by_form[" ".join(m.group().lower().split())]
    return Area(area.name, area.type, m.start(), m.end())
