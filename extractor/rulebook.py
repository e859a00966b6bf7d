"""Rules kept as data in extractor/patterns/*.yaml: loaded, checked and compiled once.

A pattern file holds a default ``kind``, ``definitions`` (regex fragments, or lists of
literal phrases such as the counted nouns, used in rules as ``{{name}}``) and ``rules``.
A rule has a dotted ``id``, a ``regex`` with named groups, optional context words, and
``examples`` and ``counterexamples`` that a test runs. Anything wrong with a file is a
:class:`PatternError` naming the file and the rule, raised when rules are first used:
a broken pattern must fail loudly, never silently match nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .datafile import PATTERNS_DIR, read_yaml
from .errors import ExtractorError
from .kinds import KINDS
from .numbers import NUMBER_SYLLABLE, NUMBER_WORD
from .trie import trie_regex

# Every rule's match is bounded in time: a pathological page must not hang a batch.
MATCH_TIMEOUT_S = 2.0
# Fragments every pattern file can use, defined in code because code parses them too.
BUILTIN_DEFINITIONS = {"number_words": NUMBER_WORD, "number_word": NUMBER_SYLLABLE}
_PLACEHOLDER = regex.compile(r"\{\{(\w+)\}\}")


class PatternError(ExtractorError):
    """A pattern file is invalid; the message names the file and the rule."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Example(_Strict):
    text: str = Field(min_length=1)
    surface: str | None = Field(default=None, description="The record's surface; the whole text when omitted.")
    fields: dict[str, Any] = Field(default_factory=dict)


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    kind: str | None = None
    description: str | None = None
    regex: str = Field(min_length=1)
    priority: int = 0
    not_after: list[str] = Field(default_factory=list, description="Words that veto a match right before it.")
    not_before: list[str] = Field(default_factory=list, description="Words that veto a match right after it.")
    unit_from_tags: bool = Field(
        default=False, description="The counted noun is the noun word the part-of-speech tagger finds right after the match."
    )
    anchor: str | None = Field(
        default=None, description="A regex (definitions allowed, case-insensitive) that every match contains or stands near: "
        "the rule then runs only around the places it matches, not over the whole page."
    )
    reach: tuple[int, int] = Field(
        default=(60, 60), description="How many characters a match may start before its anchor and end after it."
    )
    examples: list[Example] = Field(min_length=3)
    counterexamples: list[str] = Field(min_length=1)


class PatternFile(_Strict):
    kind: str | None = None
    description: str | None = None
    definitions: dict[str, str | list[str]] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A compiled rule, ready to run."""

    id: str
    kind: str
    pattern: regex.Pattern[str]
    priority: int
    not_after: regex.Pattern[str] | None  # veto words ending right before a match
    not_before: regex.Pattern[str] | None  # veto words starting right after a match
    unit_from_tags: bool
    examples: tuple[Example, ...]
    counterexamples: tuple[str, ...]
    source: Path
    # Found on the page lower-cased with Python's re when it can be (ten times as fast as a
    # case-insensitive search with the regex module), else case-insensitively by regex.
    anchor: re.Pattern[str] | regex.Pattern[str] | None = None
    reach: tuple[int, int] = (60, 60)


def _fields_of(kind: str) -> set[str]:
    from . import records

    for model in (
        records.CountRecord, records.PercentRecord, records.ScoreRecord, records.ScoreChangeRecord,
        records.RankRecord, records.RankChangeRecord, records.RatioRecord, records.MoneyRecord,
        records.DateRecord, records.PeriodRecord, records.LegalRefRecord,
    ):
        if model.model_fields["kind"].default == kind:
            return set(model.model_fields) - set(records.RecordBase.model_fields) - {"kind"}
    return set()


def _definition_regex(value: str | list[str]) -> str:
    r"""A list of phrases becomes one regex matching the longest phrase that fits, spaces
    matching any run.

    The phrases are factored word by word into a trie: a plain alternation of seventy
    nouns is tried phrase after phrase at every position of a page, the trie a word at a
    time, longer continuations first.

    >>> print(_definition_regex(["cán bộ", "cán bộ, công chức", "hồ sơ"]))
    (?:cán(?:\s+bộ,\s+công\s+chức|\s+bộ)|hồ\s+sơ)
    """
    if isinstance(value, str):
        return value
    return trie_regex((phrase.split() for phrase in set(value)), lambda previous, word: ("" if previous is None else r"\s+") + regex.escape(word))


def _expand(source: str, definitions: dict[str, str], where: str) -> str:
    def substitute(m: regex.Match[str]) -> str:
        name = m.group(1)
        if name not in definitions:
            raise PatternError(f"{where}: unknown definition {{{{{name}}}}}")
        return definitions[name]

    for _ in range(10):  # definitions may use definitions; ten levels is plenty
        expanded = _PLACEHOLDER.sub(substitute, source)
        if expanded == source:
            return expanded
        source = expanded
    raise PatternError(f"{where}: definitions nest too deep (a cycle?)")


_OPEN_COUNT = regex.compile(r"\{(\d*),\}")  # "{2,}": a repeat without an upper bound


def _after_class(pattern: str, i: int) -> int:
    """Where the character class opening at ``pattern[i]`` ("[", "[^]...]") ends, plus one."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def nested_unbounded_repetition(pattern: str) -> bool:
    """Whether a group holding an unbounded repeat is itself repeated without bound.

    Such patterns ("(a+)+") can take exponential time on text that almost matches.

    >>> nested_unbounded_repetition(r"(?:\\d+\\s*)+"), nested_unbounded_repetition(r"(?:\\d+\\s){1,3}")
    (True, False)
    >>> nested_unbounded_repetition(r"[(+]+(?:ab)*x"), nested_unbounded_repetition(r"\\(\\d+\\)+")
    (False, False)
    """
    stack: list[bool] = []  # per open group: does it contain an unbounded repeat?
    closed_unbounded = False  # the group that just closed contained one
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        unbounded_here = False
        if ch == "\\":
            i += 2
            closed_unbounded = False
            continue
        if ch == "[":
            i = _after_class(pattern, i)
            closed_unbounded = False
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")":
            closed_unbounded = stack.pop() if stack else False
            if closed_unbounded and stack:
                stack[-1] = True
            i += 1
            continue
        else:
            unbounded_here = ch in "*+" or (ch == "{" and bool(_OPEN_COUNT.match(pattern, i)))
        if unbounded_here:
            if closed_unbounded:
                return True
            if stack:
                stack[-1] = True
        closed_unbounded = False
        i += 1
    return False


def _compile_rule(spec: RuleSpec, file: PatternFile, definitions: dict[str, str], path: Path) -> Rule:
    where = f"{path.name}: rule {spec.id}"
    kind = spec.kind or file.kind
    if kind is None:
        raise PatternError(f"{where}: no kind (set it on the rule or the file)")
    if kind not in KINDS:
        raise PatternError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    source = _expand(spec.regex, definitions, where)
    if nested_unbounded_repetition(source):
        raise PatternError(f"{where}: nested unbounded repetition such as (a+)+ can run away; bound one of them")
    try:
        pattern = regex.compile(source, regex.IGNORECASE | regex.VERSION0)
    except regex.error as error:
        raise PatternError(f"{where}: regex does not compile: {error}") from None

    sources = KINDS[kind].field_sources
    fields = _fields_of(kind)
    for example in spec.examples:
        for name, expected in example.fields.items():
            if name not in fields:
                raise PatternError(f"{where}: example {example.text!r} expects {name!r}, which {kind} records do not have")
            needed = sources.get(name, set())
            if spec.unit_from_tags and name == "unit":
                continue
            if expected is not None and needed is not None and not needed & set(pattern.groupindex):
                raise PatternError(
                    f"{where}: example {example.text!r} expects {name!r}, but the regex has no group that gives it "
                    f"(one of: {', '.join(sorted(needed)) or 'none'})"
                )

    def words(values: list[str], form: str) -> regex.Pattern[str] | None:
        """The veto words in ``form`` ("{}" for the alternation): right before a match, or right after it."""
        alternation = "|".join(r"\s+".join(regex.escape(w) for w in v.split()) for v in values)
        return regex.compile(form.format(alternation), regex.I) if values else None

    return Rule(
        id=spec.id, kind=kind, pattern=pattern, priority=spec.priority,
        not_after=words(spec.not_after, r"(?:{})\s*$"), not_before=words(spec.not_before, r"\s*(?:{})(?!\w)"),
        unit_from_tags=spec.unit_from_tags,
        examples=tuple(spec.examples), counterexamples=tuple(spec.counterexamples), source=path,
        anchor=_anchor(spec, definitions, where), reach=spec.reach,
    )


def _anchor(spec: RuleSpec, definitions: dict[str, str], where: str) -> re.Pattern[str] | regex.Pattern[str] | None:
    """The rule's anchor: a stdlib pattern run on the lower-cased page when ``re`` reads
    it, else a case-insensitive regex-module one (ten times slower on a page)."""
    if spec.anchor is None:
        return None
    if min(spec.reach) < 0:
        raise PatternError(f"{where}: reach must be two numbers of characters, 0 or more")
    source = _expand(spec.anchor, definitions, where)
    try:
        # Letters lower-cased, escapes kept ("\S" is no "\s"): on the lower-cased page it
        # finds every place a case-insensitive search finds, or more; an anchor may find
        # too much, never too little.
        return re.compile(_LITERAL_CAPITAL.sub(lambda m: m.group().lower(), source))
    except re.error:
        pass  # \p{L} and other regex-module syntax
    try:
        return regex.compile(source, regex.IGNORECASE | regex.VERSION0)
    except regex.error as error:
        raise PatternError(f"{where}: anchor does not compile: {error}") from None


# A capital letter that is no escape ("\D", "\S", "\P{L}" stay as they are).
_LITERAL_CAPITAL = regex.compile(r"(?<!\\)\p{Lu}")


def _read(path: Path) -> PatternFile:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        raise PatternError(f"{path.name}: not valid YAML: {' '.join(str(error).split())}") from None
    try:
        return PatternFile.model_validate(data or {})
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = list(e["loc"])
            if loc[:1] == ["rules"] and len(loc) > 1 and isinstance(loc[1], int):
                rules = (data or {}).get("rules") or []
                rid = rules[loc[1]].get("id", f"#{loc[1] + 1}") if loc[1] < len(rules) and isinstance(rules[loc[1]], dict) else f"#{loc[1] + 1}"
                loc = [f"rule {rid}", *loc[2:]]
            problems.append(f"{'.'.join(map(str, loc))}: {e['msg']}")
        raise PatternError(f"{path.name}: " + "; ".join(problems)) from None


@functools.lru_cache(maxsize=4)
def load_rules(directory: Path = PATTERNS_DIR) -> tuple[Rule, ...]:
    """All rules of all pattern files in ``directory``, checked and compiled."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PatternError(f"{directory}: no pattern files")
    parsed = [(path, _read(path)) for path in files]

    definitions = dict(BUILTIN_DEFINITIONS)
    for path, file in parsed:
        for name, value in file.definitions.items():
            if name in definitions:
                raise PatternError(f"{path.name}: definition {name!r} is defined twice")
            definitions[name] = _definition_regex(value)

    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path, file in parsed:
        for spec in file.rules:
            if spec.id in seen:
                raise PatternError(f"{path.name}: rule {spec.id}: duplicate id (also in {seen[spec.id].name})")
            seen[spec.id] = path
            rules.append(_compile_rule(spec, file, definitions, path))
    return tuple(rules)
