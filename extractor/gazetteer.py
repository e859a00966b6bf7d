"""Mentions of indices and provinces, found with spaCy's PhraseMatcher.

The gazetteers are data (patterns/gazetteers/indices.yaml, provinces.yaml). Matching
runs on syllables, not on underthesea's words: a phrase segmented on its own can come
out differently from the same phrase inside a sentence ("Hòa Bình" is one word after
"tỉnh" and two at the start of a sentence), while syllables are the same everywhere.
Tokens are compared lower-cased, on text that normalization has already given one
tone-mark placement, so "HOÀ BÌNH", "Hoà Bình" and "hòa bình" are one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ExtractorError
from .normalize import normalize

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

GAZETTEERS = Path(__file__).resolve().parents[1] / "patterns" / "gazetteers"
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
    return yaml.safe_load((GAZETTEERS / "indices.yaml").read_text(encoding="utf-8"))


def indices() -> dict[str, list[str]]:
    return _indices_file()["indices"]


@cache
def agencies() -> list[str]:
    return yaml.safe_load((GAZETTEERS / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]


@cache
def provinces() -> dict[str, Province]:
    data = yaml.safe_load((GAZETTEERS / "provinces.yaml").read_text(encoding="utf-8"))["provinces"]
    return {
        p["name"]: Province(p["name"], p["code"], p["to_2025"], tuple(p.get("variants", ())), p.get("name_from_2025"))
        for p in data
    }


def syllable_doc(text: str) -> Doc:
    """A spaCy Doc of ``text`` with one token per syllable or punctuation mark.

    ``doc.text == text``, so token offsets (``token.idx``) are offsets into the text.
    """
    from spacy.tokens import Doc

    from .segment import spacy_vocab

    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for m in _SYLLABLE.finditer(text):
        gap = text[position : m.start()]
        if gap:
            if words and gap.startswith(" "):
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        words.append(m.group())
        spaces.append(False)
        position = m.end()
    tail = text[position:]
    if tail:
        if words and tail.startswith(" "):
            spaces[-1] = True
            tail = tail[1:]
        if tail:
            words.append(tail)
            spaces.append(False)
    return Doc(spacy_vocab(), words=words, spaces=spaces)


@cache
def _matcher() -> PhraseMatcher:
    from spacy.matcher import PhraseMatcher

    from .segment import spacy_vocab

    matcher = PhraseMatcher(spacy_vocab(), attr="LOWER")

    def add(label: str, phrases: list[str]) -> None:
        matcher.add(label, [syllable_doc(normalize(p).text) for p in phrases])

    for key, forms in indices().items():
        add(f"index:{key}", forms)
    for province in provinces().values():
        add(f"province:{province.name}", [province.name, *province.variants])
    for agency in agencies():
        add(f"agency:{agency}", [agency])
    return matcher


@lru_cache(maxsize=16)
def find_mentions(text: str) -> tuple[Mention, ...]:
    """Index, province and agency mentions in ``text``, longest first where they overlap.

    >>> [(m.kind, m.key, "Hòa Bình, PAR INDEX, Chỉ số CCHC"[m.start:m.end]) for m in find_mentions("Hòa Bình, PAR INDEX, Chỉ số CCHC")]
    [('province', 'Hòa Bình', 'Hòa Bình'), ('index', 'PAR_INDEX', 'PAR INDEX'), ('index', 'PAR_INDEX', 'Chỉ số CCHC')]
    """
    doc = syllable_doc(text)
    spans = []
    for match_id, start, end in _matcher()(doc):
        kind, _, key = doc.vocab.strings[match_id].partition(":")
        span = doc[start:end]
        spans.append(Mention(kind, key, span.start_char, span.end_char))
    spans.sort(key=lambda m: (-(m.end - m.start), m.start))
    kept: list[Mention] = []
    for mention in spans:
        if all(mention.end <= k.start or k.end <= mention.start for k in kept):
            kept.append(mention)
    return tuple(sorted(kept, key=lambda m: m.start))


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
        spec = _Areas.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
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
