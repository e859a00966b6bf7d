"""Normalized page text, and the map from it back to the loader's raw text.

Every offset the tool reports indexes into the text this module produces, so it is
built once per page and never changed afterwards. What it does, in order:

1. Unicode NFC (cp1258 and some PDF producers give base letters plus combining marks).
2. One tone-mark placement for the open syllables "oa", "oe", "uy": the mark sits on
   the first vowel ("hòa", "khỏe", "thủy"), the spelling of the official province names
   (Hòa Bình, Thanh Hóa, Khánh Hòa). "hoà" and "hòa" both become "hòa". Syllables with a
   final letter ("hoàn", "thuyền", "ngoài") and "qu" + "y" ("quý") are the same in
   both conventions and are left alone.
3. Line ends unified to "\\n"; Unicode spaces become " "; soft hyphens, zero-width
   characters and control characters other than tab are dropped.
4. Lines wrapped by layout are joined into their paragraph with one space; real
   breaks are kept: "\\n" between lines that stand apart (a heading, a list item, a
   paragraph written on one line), "\\n\\n" where the source had blank lines.

Each stage changes lengths in its own way, so each output character remembers the
span of raw characters it came from; :meth:`NormalizedText.raw_span` composes them.
"""

from __future__ import annotations

import bisect
import operator
import unicodedata
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import regex

__all__ = ["LineBreak", "NormalizedText", "fold_tone_marks", "normalize"]

# What a loader that knows the layout (a PDF page) says about a line break, keyed by the
# raw offset of the break: "wrap" joins the lines, "paragraph" separates them with a
# blank line, "break" keeps them apart unless the next line continues in lower case.
LineBreak = Literal["wrap", "break", "paragraph"]


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text with, for every character, the raw span it came from."""

    text: str
    raw: str
    _raw_starts: array
    _raw_ends: array

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the raw text that ``text[start:end]`` was made from.

        >>> n = normalize("Ho\\u0300a   Bi\\u0300nh\\n\\n\\nxa\\u0303")
        >>> n.text
        'Hòa   Bình\\n\\nxã'
        >>> n.raw_span(0, 3), n.raw[slice(*n.raw_span(0, 3))] == "Ho\\u0300a"
        ((0, 4), True)
        >>> n.raw[slice(*n.raw_span(12, 14))] == "xa\\u0303"
        True
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        if start == end:
            anchor = self._raw_starts[start] if start < len(self.text) else len(self.raw)
            return anchor, anchor
        return self._raw_starts[start], self._raw_ends[end - 1]

    def span_from_raw(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        """The span of the text made from ``raw[raw_start:raw_end]``, without whitespace at
        its ends: where a PDF loader's character positions land in the text.

        >>> n = normalize("Ho\\u0300a  Bi\\u0300nh\\nxa\\u0303 X")
        >>> s = n.span_from_raw(6, 15); s, n.text[slice(*s)]
        ((5, 12), 'Bình xã')
        """
        # Both maps grow with the text (each stage emits in input order).
        start = bisect.bisect_left(self._raw_starts, raw_start)
        end = bisect.bisect_right(self._raw_ends, raw_end, lo=start)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end


class _Builder:
    """Accumulates output text and, per output character, a span of its input."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts = array("q")
        self.ends = array("q")

    def copy(self, source: str, start: int, end: int) -> None:
        """Copy ``source[start:end]`` unchanged, one input character per output one."""
        self.parts.append(source[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def emit(self, text: str, start: int, end: int) -> None:
        """Emit ``text`` as a replacement of the input span ``start:end``."""
        self.parts.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def text(self) -> str:
        return "".join(self.parts)


# --- stage 1: characters ------------------------------------------------------------

_LINE_BREAKS = {"\r\n", "\r", "\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"}
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_SPACE_TABLE = {ord(c): " " for c in _SPACES}
# Anything that is not copied one-for-one: a base letter with combining marks (NFC
# composes them), stray marks, line breaks, exotic spaces, invisible and control
# characters. Runs of other characters are copied without per-character work.
_SPECIAL = regex.compile(
    r"\r\n|\P{M}\p{M}+|\p{M}+|[\r\u2028\u2029\x0b\x0c\x85]"
    rf"|[{_SPACES}{_INVISIBLE}]|[^\P{{Cc}}\n\t]|\p{{Cs}}"
)


def _clean_char(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":  # half of a UTF-16 pair, alone: no character at all
        return "\ufffd"
    if ch in _INVISIBLE or (unicodedata.category(ch) == "Cc" and ch not in "\n\t"):
        return ""
    return ch.translate(_SPACE_TABLE)


def _clean_characters(raw: str) -> _Builder:
    out = _Builder()
    pos = 0
    for m in _SPECIAL.finditer(raw):
        out.copy(raw, pos, m.start())
        chunk = m.group()
        if chunk in _LINE_BREAKS:
            out.emit("\n", m.start(), m.end())
        else:
            composed = unicodedata.normalize("NFC", chunk)
            out.emit("".join(_clean_char(c) for c in composed), m.start(), m.end())
        pos = m.end()
    out.copy(raw, pos, len(raw))
    return out


# --- stage 2: tone-mark placement --------------------------------------------------

_OPEN_NUCLEUS = regex.compile(
    r"(?<![qQ])(?:([oO])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ])|([uU])([ỳýỷỹỵỲÝỶỸỴ]))(?![\p{L}\p{M}])"
)


def _move_tone(m: regex.Match[str]) -> str:
    first = m.group(1) or m.group(3)
    second = m.group(2) or m.group(4)
    base, mark = unicodedata.normalize("NFD", second)[0], unicodedata.normalize("NFD", second)[1:]
    return unicodedata.normalize("NFC", first + mark) + base


def fold_tone_marks(text: str) -> str:
    """Put the tone mark of open "oa", "oe", "uy" on the first vowel; length is kept.

    >>> fold_tone_marks("Hoà Bình, Thanh Hoá, Khánh Hòa, thuỷ lợi, khoẻ, HOÀ")
    'Hòa Bình, Thanh Hóa, Khánh Hòa, thủy lợi, khỏe, HÒA'
    >>> fold_tone_marks("hoàn thành, thuyền, ngoài, quý, quỹ, Thuý")
    'hoàn thành, thuyền, ngoài, quý, quỹ, Thúy'
    """
    return _OPEN_NUCLEUS.sub(_move_tone, text)


# --- stage 3: lines and paragraphs ---------------------------------------------------

_SENTENCE_END = regex.compile(r"[.!?…:;][\"'”’»)\]]*$")
# A line starting like a list item stands apart. A dash is weaker evidence: wrapped text
# starts a line with one too ("giai đoạn 2011\n- 2020"), so it is weighed with the width.
_DASH_ITEM = regex.compile(r"^\s*[-–—+]\s")
_LIST_ITEM = regex.compile(
    r"""^\s*(?:
        [•●○■□▪►✓*]                                  # bullets
      | \d{1,3}(?:\.\d{1,3})*[.)](?:\s|$)            # 1.  2)  1.2.
      | [a-zđ][.)]\s                                 # a)  đ.
      | [IVXLC]{1,7}[.)]\s                           # II.  IV)
      | (?:Điều|Chương|Mục|Phần|Phụ\ lục|PHỤ\ LỤC|CHƯƠNG)\s+[\dIVXLC]+
    )""",
    regex.VERBOSE,
)
_STARTS_CONTINUATION = regex.compile(r"^\s*[\p{Ll},;)%]")
_COLUMN_GAP = regex.compile(r"\S(?:\t| {2,})\S")


def _is_table_row(line: str) -> bool:
    """A line set out in columns: a tab between words, or two gaps of several spaces.

    >>> _is_table_row("2019\t82,64 điểm\t17/63"), _is_table_row("Năm     Kết quả     Xếp hạng"), _is_table_row("Hết.  Sau")
    (True, True, False)
    """
    gaps = _COLUMN_GAP.findall(line)
    return any("\t" in g for g in gaps) or len(gaps) >= 2
# A line at least this share of the page's usual line width was probably wrapped.
_WRAPPED_SHARE = 0.6
# Before a line starting with a dash, only a nearly full line counts as wrapped.
_DASH_WRAPPED_SHARE = 0.85


def _wrap_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]


def _is_wrapped(previous: str, following: str, width: int) -> bool:
    """Whether the break between two adjacent non-blank lines is only layout."""
    if _LIST_ITEM.match(following) or _is_table_row(previous) or _is_table_row(following):
        return False  # a list item, or a row of a table set out with tabs or spaces
    if _STARTS_CONTINUATION.match(following):
        return True
    if _SENTENCE_END.search(previous):
        return False
    share = _DASH_WRAPPED_SHARE if _DASH_ITEM.match(following) else _WRAPPED_SHARE
    return len(previous) >= share * width


def _separator(previous: str, following: str, width: int, hint: LineBreak | None) -> str:
    """What replaces a single line break: " " (a wrap), "\\n", or "\\n\\n"."""
    if hint == "paragraph":
        return "\n\n"
    if hint == "wrap":
        return " "
    if hint == "break":
        return " " if _STARTS_CONTINUATION.match(following) else "\n"
    return " " if _is_wrapped(previous, following, width) else "\n"


def _join_lines(text: str, break_hint: Callable[[int], LineBreak | None]) -> _Builder:
    out = _Builder()
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    width = _wrap_width(lines)

    previous: int | None = None  # index of the last non-blank line written
    for i, line in enumerate(lines):
        content = line.rstrip()
        if not content.strip():
            continue
        begin = starts[i]
        if previous is not None:
            prev_end = starts[previous] + len(lines[previous].rstrip())
            if i - previous > 1:
                out.emit("\n\n", prev_end, begin)
            elif (sep := _separator(lines[previous].rstrip(), content, width, break_hint(begin - 1))) == " ":
                indent = len(content) - len(content.lstrip())
                out.emit(" ", prev_end, begin + indent)
                begin += indent
            else:
                out.emit(sep, prev_end, begin)
        out.copy(text, begin, starts[i] + len(content))
        previous = i
    return out


# --- all stages ---------------------------------------------------------------------


def normalize(raw: str, line_breaks: Mapping[int, LineBreak] | None = None) -> NormalizedText:
    """Normalize one page of raw text; see the module docstring for what changes.

    ``line_breaks`` holds a loader's layout hints (see :data:`LineBreak`); breaks it does
    not mention are decided from the text alone.

    >>> normalize("Quyết định số\\u00a0510/QĐ-UBND ngày 07/7/2014 của\\nUBND tỉnh.").text
    'Quyết định số 510/QĐ-UBND ngày 07/7/2014 của UBND tỉnh.'
    >>> normalize("I. KẾT QUẢ\\nNăm 2019 tỉnh đạt 81,42 điểm.\\n\\n\\n\\nII. HẠN CHẾ").text
    'I. KẾT QUẢ\\nNăm 2019 tỉnh đạt 81,42 điểm.\\n\\nII. HẠN CHẾ'
    """
    stage1 = _clean_characters(raw)
    text1 = fold_tone_marks(stage1.text())
    hints = line_breaks or {}
    stage3 = _join_lines(text1, lambda newline: hints.get(stage1.starts[newline]) if hints else None)
    # Compose: stage 3 spans index stage-1 output; stage 1 spans index the raw text. A
    # stage-3 start may be len(text1) (it maps to the end of raw) and an end 0 (to 0).
    starts = _gather(stage1.starts + array("q", [len(raw)]), stage3.starts)
    ends = _gather(array("q", [0]) + stage1.ends, stage3.ends)
    return NormalizedText(stage3.text(), raw, starts, ends)


def _gather(values: array, indices: array) -> array:
    """``array(values[i] for i in indices)``, done in C (a page has tens of thousands).

    >>> list(_gather(array("q", [5, 6, 7]), array("q", [2, 0, 0])))
    [7, 5, 5]
    """
    if len(indices) < 2:
        return array("q", [values[i] for i in indices])
    return array("q", operator.itemgetter(*indices)(values))
