"""The words that decide how values link to an index, a subject and a year, as data.

Each file in extractor/patterns/cues/ is one family of cues ("comparison": the words that make a
year the base of a comparison; "announcer": the verbs that make a name the body that
publishes, not the one ranked...). A cue is a list of literal phrases or a regex, with
examples in the phrasings writers use and counterexamples. Files are checked by a
schema when first used; anything wrong is a :class:`CueError` naming the file and the
entry, never a cue that silently matches nothing. Where a family applies (before a year,
after a subject, anywhere in a clause) is the linker's business: a family only says
which words.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..datafile import read_yaml
from ..errors import ExtractorError
from ..rulebook import PATTERNS_DIR

CUES_DIR = PATTERNS_DIR / "cues"
# The families the linker reads; a file naming another family is an error, so that a
# typo in a family name cannot leave a cue unused.
FAMILIES = (
    "comparison", "history", "target", "announcer_after", "announcer_before", "reference", "average",
    "component", "threshold", "foreign_value", "enumeration", "tie", "regional", "inversion",
    "index_link", "anaphor", "year_list", "equivalence", "this_year", "target_section",
    "era_before", "era_after", "qualifier",
)


class CueError(ExtractorError):
    """A cue file is invalid; the message names the file and the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CueMetric(_Strict):
    indicator: str
    subject: str | None = None
    subject_id: str | None = None
    subject_type: str | None = None
    province: str | None = None
    province_2025: str | None = None
    period: str | None = None
    compared_to: int | str | None = None
    year: int | None = None
    score: float | None = None
    rank: int | None = None
    rank_total: int | None = None
    score_change: float | None = None
    rank_change: int | None = None


class CueExample(_Strict):
    text: str = Field(min_length=1)
    match: str | None = Field(default=None, description="The cue words the family finds in the text.")
    metrics: list[CueMetric] | None = Field(
        default=None, description="Every subject metric the text gives (aggregates aside), compared on the fields listed."
    )


class CueSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    description: str | None = None
    words: list[str] = Field(default_factory=list)
    regex: str | None = None
    examples: list[CueExample] = Field(min_length=1)
    counterexamples: list[CueExample] = Field(min_length=1)

    @model_validator(mode="after")
    def _words_or_regex(self) -> CueSpec:
        if bool(self.words) == bool(self.regex):
            raise ValueError("give either words or regex, not both or neither")
        return self


class CueFile(_Strict):
    family: str
    description: str = Field(min_length=1)
    cues: list[CueSpec] = Field(min_length=1)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: the loaded cues are the cache key
class Cue:
    """A cue with its examples. The linker reads whole families (:func:`family`); a cue's
    own pattern is compiled only when asked for (the tests): compiling the regex module's
    patterns is most of a start."""

    id: str
    family: str
    source: str
    examples: tuple[CueExample, ...]
    counterexamples: tuple[CueExample, ...]
    file: Path

    @functools.cached_property
    def pattern(self) -> regex.Pattern[str]:
        return _compile(self.source, f"{self.file}: cue {self.id}")


def _phrase(words: str) -> str:
    """A literal phrase as a regex: any run of spaces between its words, word-bounded."""
    return r"(?<!\w)" + r"\s+".join(regex.escape(w) for w in words.split()) + r"(?!\w)"


def _compile(source: str, where: str) -> regex.Pattern[str]:
    try:
        return regex.compile(source, regex.I | regex.V1)
    except regex.error as error:
        raise CueError(f"{where}: bad regex: {error}") from None


def _load_file(path: Path) -> list[Cue]:
    try:
        data: Any = read_yaml(path)
        spec = CueFile.model_validate(data)
    except yaml.YAMLError as error:
        raise CueError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        entry = _entry_id(data, first["loc"])
        raise CueError(f"{path}: {entry}{where}: {first['msg']}") from None
    if spec.family not in FAMILIES:
        raise CueError(f"{path}: unknown family {spec.family!r} (known: {', '.join(FAMILIES)})")
    cues = []
    for cue in spec.cues:
        if not cue.id.startswith(spec.family + "."):
            raise CueError(f"{path}: cue {cue.id}: its id must start with the family name {spec.family!r}")
        source = cue.regex or "|".join(_phrase(w) for w in sorted(cue.words, key=len, reverse=True))
        cues.append(Cue(cue.id, spec.family, source, tuple(cue.examples), tuple(cue.counterexamples), path))
    return cues


def _entry_id(data: Any, location: tuple[Any, ...]) -> str:
    """The id of the cue an error is in, to name it in the message."""
    if len(location) >= 2 and location[0] == "cues" and isinstance(data, dict):
        try:
            return f"cue {data['cues'][location[1]]['id']}: "
        except (KeyError, IndexError, TypeError):
            return ""
    return ""


@functools.cache
def load_cues(directory: Path = CUES_DIR) -> tuple[Cue, ...]:
    """Every cue under ``directory``, checked; ids are unique across files."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CueError(f"{directory}: no cue files")
    cues: list[Cue] = []
    for path in files:
        cues += _load_file(path)
    _compiled_families(tuple(cues))  # every regex checked now, not when first used
    seen: set[str] = set()
    for cue in cues:
        if cue.id in seen:
            raise CueError(f"{directory}: cue id {cue.id} is used twice")
        seen.add(cue.id)
    missing = set(FAMILIES) - {c.family for c in cues}
    if missing:
        raise CueError(f"{directory}: no cues for {', '.join(sorted(missing))}")
    return tuple(cues)


@functools.cache
def _compiled_families(cues: tuple[Cue, ...]) -> dict[str, regex.Pattern[str]]:
    """Each family's cues as one pattern; a regex that does not compile is found and named."""
    compiled = {}
    for name in dict.fromkeys(c.family for c in cues):
        members = [c for c in cues if c.family == name]
        try:
            compiled[name] = regex.compile("|".join(f"(?:{c.source})" for c in members), regex.I | regex.V1)
        except regex.error:
            for cue in members:
                _compile(cue.source, f"{cue.file}: cue {cue.id}")  # raises, naming the cue
            raise
    return compiled


def family(name: str) -> regex.Pattern[str]:
    """One pattern matching any cue of a family.

    >>> bool(family("comparison").search("tăng 2 bậc so với năm 2022"))
    True
    """
    if name not in FAMILIES:
        raise KeyError(name)
    return _compiled_families(load_cues())[name]


@functools.cache
def ending(name: str) -> regex.Pattern[str]:
    """A family's cue at the end of a string (the words right before a position)."""
    return regex.compile(f"(?:{family(name).pattern})\\s*$", regex.I | regex.V1)


@functools.cache
def starting(name: str) -> regex.Pattern[str]:
    """A family's cue at the start of a string (the words right after a position)."""
    return regex.compile(f"^\\s*(?:{family(name).pattern})", regex.I | regex.V1)


def ends_with(name: str, text: str) -> bool:
    return bool(ending(name).search(text))


def starts_with(name: str, text: str) -> bool:
    return bool(starting(name).match(text))
