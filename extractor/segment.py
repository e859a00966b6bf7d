"""Sentences and words of a page, as character offsets into its normalized text.

underthesea segments Vietnamese into sentences and words ("Chỉ số", "cải cách",
"81,42 điểm" are one word each), but what it returns are *its* strings, not spans of
ours: it applies NFC, rewrites some spellings ("hoà" -> "hòa", "nghành" -> "ngành",
"ð" -> "đ"), joins the syllables of a word with one space whatever separated them in
the text (several spaces, a tab, or nothing at all: "2,4%" can come back as "2,4 %"),
and it may raise on input it cannot encode. So every string it returns is *aligned*
back to the text here, and what cannot be aligned is still covered, by tokens split
on whitespace. Tokens and sentences hold only offsets, so
``text[token.start:token.end]`` is always the text, never underthesea's rewrite.

Guarantees, for any input string (nothing here raises on odd text):

- a sentence never holds a line break: "\\n" always ends a sentence, and
  underthesea's sentence splitter then runs on each line;
- sentences and tokens are trimmed of whitespace, in order, and never overlap;
- every non-whitespace character of the text lies in exactly one sentence and in
  exactly one token, and a token never crosses a sentence boundary.

underthesea (about 0.5 s) and spaCy (about 0.8 s) are imported on first use only, so
that importing :mod:`extractor` and the commands that do not segment stay fast.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import regex

from .limits import MAX_SENTENCE_CHARS

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = [
    "Segmentation",
    "Sentence",
    "Token",
    "segment",
    "sentences_of",
    "spacy_vocab",
    "split_sentences",
    "tag",
    "to_spacy_doc",
    "tokenize",
]


@dataclass(frozen=True, slots=True)
class Token:
    """A word as the span ``start:end`` of the text it was segmented from.

    Only offsets are stored (a page has thousands of tokens); :meth:`text_in` slices.

    >>> text = "Chỉ số cải cách"
    >>> Token(0, 6).text_in(text)
    'Chỉ số'
    """

    start: int
    end: int

    def text_in(self, text: str) -> str:
        """This token's text: ``text[start:end]``."""
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as the span ``start:end`` of the text; it never contains "\\n".

    >>> Sentence(9, 17).text_in("Câu một. Câu hai.")
    'Câu hai.'
    """

    start: int
    end: int

    def text_in(self, text: str) -> str:
        """This sentence's text: ``text[start:end]``."""
        return text[self.start : self.end]


_S = TypeVar("_S", Token, Sentence)


@dataclass(frozen=True)
class Segmentation:
    """The sentences and the tokens of one text, both in text order.

    >>> seg = Segmentation([Sentence(0, 8), Sentence(9, 17)], [Token(0, 3), Token(4, 7)])
    >>> seg.sentence_at(10), seg.sentence_at(8), seg.token_at(5)
    (Sentence(start=9, end=17), None, Token(start=4, end=7))
    """

    sentences: list[Sentence]
    tokens: list[Token]
    # Start offsets for binary search, built once; not part of the value.
    _sentence_starts: list[int] = field(init=False, repr=False, compare=False)
    _token_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sentence_starts", [s.start for s in self.sentences])
        object.__setattr__(self, "_token_starts", [t.start for t in self.tokens])

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding the character at ``offset``; None between sentences."""
        return _span_at(self.sentences, self._sentence_starts, offset)

    def token_at(self, offset: int) -> Token | None:
        """The token holding the character at ``offset``; None on whitespace."""
        return _span_at(self.tokens, self._token_starts, offset)

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """The tokens lying wholly inside ``text[start:end]`` (e.g. one sentence's)."""
        first = bisect.bisect_left(self._token_starts, start)
        stop = bisect.bisect_left(self._token_starts, end, lo=first)
        # Tokens do not overlap, so at most the last one can run past ``end``.
        if stop > first and self.tokens[stop - 1].end > end:
            stop -= 1
        return self.tokens[first:stop]


def _span_at(spans: list[_S], starts: list[int], offset: int) -> _S | None:
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and offset < spans[index].end:
        return spans[index]
    return None


# --- public functions ---------------------------------------------------------------


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``: each line is split by underthesea; no word segmentation.

    >>> text = "Năm 2019 tỉnh đạt 81,42 điểm. Xếp thứ 27/63.\\n\\nHết"
    >>> [s.text_in(text) for s in split_sentences(text)]
    ['Năm 2019 tỉnh đạt 81,42 điểm.', 'Xếp thứ 27/63.', 'Hết']
    """
    sentences: list[Sentence] = []
    for start, end in _line_spans(text, 0, len(text)):
        pieces = _sent_tokenize(text[start:end])
        spans = _align_sentences(text, start, end, pieces)
        for a, b in _repair_sentences(text, spans):
            sentences.extend(Sentence(x, y) for x, y in _bounded(text, a, b))
    return sentences


_BREAKS = ("; ", ", ", " ")  # where a long sentence is best cut, in order of preference


def _bounded(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> Iterator[tuple[int, int]]:
    """``start:end`` in pieces of at most ``limit`` characters, cut after a clause's ";"
    or "," where there is one, else at a space: every stage reading a sentence takes time
    bounded per sentence, whatever the text.

    >>> text = "a, b; c d e"
    >>> [text[a:b] for a, b in _bounded(text, 0, len(text), limit=6)]
    ['a, b;', 'c d e']
    """
    while end - start > limit:
        cut = -1
        for mark in _BREAKS:
            cut = text.rfind(mark, start + 1, start + limit)
            if cut >= 0:
                cut += len(mark) - 1  # the piece keeps its ";" or ","
                break
        cut = cut if cut > start else start + limit
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


@lru_cache(maxsize=8)
def sentences_of(text: str) -> tuple[Sentence, ...]:
    """:func:`split_sentences`, kept for the last few texts: recognition, counted nouns and
    metrics all ask for the sentences of the same page."""
    return tuple(split_sentences(text))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]``, with offsets into the whole ``text``.

    Each line of the span is word-segmented as one unit. Pass a sentence's span to get
    exactly the tokens that :func:`segment` gives for that sentence. ``start`` and
    ``end`` are read like slice bounds (negative values count from the end).

    >>> text = "Năm 2019 tỉnh đạt 81,42 điểm, xếp thứ 27/63."
    >>> [t.text_in(text) for t in tokenize(text, 14)]
    ['đạt', '81,42 điểm', ',', 'xếp', 'thứ', '27/63', '.']
    """
    start, end, _ = slice(start, end).indices(len(text))
    tokens: list[Token] = []
    for line_start, line_end in _line_spans(text, start, end):
        words = _word_tokenize(text[line_start:line_end])
        tokens.extend(_align_words(text, line_start, line_end, words))
    return tokens


def segment(text: str) -> Segmentation:
    """Sentences and words of ``text``; words are segmented sentence by sentence.

    >>> text = "Tỉnh Hoà Bình tăng 2 bậc.\\nChỉ số đạt 2,4%."
    >>> seg = segment(text)
    >>> [s.text_in(text) for s in seg.sentences]
    ['Tỉnh Hoà Bình tăng 2 bậc.', 'Chỉ số đạt 2,4%.']
    >>> [t.text_in(text) for t in seg.tokens]
    ['Tỉnh', 'Hoà Bình', 'tăng', '2', 'bậc', '.', 'Chỉ số', 'đạt', '2,4', '%', '.']
    """
    sentences = split_sentences(text)
    tokens: list[Token] = []
    for sentence in sentences:
        tokens.extend(tokenize(text, sentence.start, sentence.end))
    return Segmentation(sentences, tokens)


def to_spacy_doc(text: str, segmentation: Segmentation | None = None) -> Doc:
    """A spaCy Doc of ``text`` made from our words and sentences (no spaCy tokenizer).

    ``doc.text == text``, every word token's ``idx`` is our token's start, a word such as
    "Chỉ số" stays one spaCy token, and ``doc.sents`` are our sentences (with the
    whitespace that follows each one, as spaCy does). Whitespace between words follows
    spaCy's convention: one " " after a word is that word's ``whitespace_``; any other
    run ("\\n", "\\n\\n", several spaces, leading whitespace) is a whitespace token, whose
    ``is_space`` is true. ``segmentation`` defaults to ``segment(text)``; one made for
    another text, or a text with a lone surrogate, raises ValueError.

    >>> doc = to_spacy_doc("Chỉ số tăng.\\n\\nHết")
    >>> [t.text for t in doc], [s.text for s in doc.sents]
    (['Chỉ số', 'tăng', '.', '\\n\\n', 'Hết'], ['Chỉ số tăng.\\n\\n', 'Hết'])
    """
    from spacy.tokens import Doc

    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:  # spaCy's string store hashes UTF-8
        raise ValueError(f"text holds a lone surrogate at {error.start}, which spaCy cannot store") from None
    if segmentation is None:
        segmentation = segment(text)
    sentence_starts = {sentence.start for sentence in segmentation.sentences}
    words: list[str] = []
    spaces: list[bool] = []
    sent_starts: list[bool | int | None] = []  # what spaCy's Doc takes

    def add_gap(gap: str) -> None:
        if words and gap.startswith(" "):
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
            sent_starts.append(False)  # whitespace ends the sentence before it

    position = 0
    for token in segmentation.tokens:
        gap = text[position : token.start]
        if not position <= token.start < token.end <= len(text) or gap.strip():
            raise ValueError(f"segmentation does not fit the text: token {token.start}:{token.end} after {position}")
        add_gap(gap)
        words.append(text[token.start : token.end])
        spaces.append(False)
        sent_starts.append(token.start in sentence_starts)
        position = token.end
    if text[position:].strip():
        raise ValueError(f"segmentation does not fit the text: no token covers {position}:{len(text)}")
    add_gap(text[position:])
    # A Doc's first token always starts a sentence; when it is leading whitespace, let
    # the first sentence include it instead of becoming a sentence of whitespace alone.
    if len(words) > 1 and words[0].isspace():
        sent_starts[1] = False
    return Doc(spacy_vocab(), words=words, spaces=spaces, sent_starts=sent_starts)


def tag(text: str, start: int = 0, end: int | None = None) -> list[tuple[Token, str]]:
    """Words of ``text[start:end]`` with underthesea's part-of-speech tags ("N", "M", "V"...).

    Used for context only (the noun after a number), so a word that does not align is
    left out rather than guessed; call it on one sentence, not on a page.

    >>> text = "tỉnh đã tổ chức 19 Hội nghị"
    >>> [(t.text_in(text), pos) for t, pos in tag(text)][-2:]
    [('19', 'M'), ('Hội nghị', 'N')]
    """
    start, end, _ = slice(start, end).indices(len(text))
    tagged: list[tuple[Token, str]] = []
    for line_start, line_end in _line_spans(text, start, end):
        position = line_start
        for word, pos in _pos_tag(text[line_start:line_end]):
            position = _skip_space(text, position, line_end)
            stop = _match(text, position, line_end, word.strip())
            if stop < 0:
                break  # the rest of the line does not align; context there is unknown
            if stop > position:
                tagged.append((Token(position, stop), pos))
            position = stop
    return tagged


@cache
def spacy_vocab() -> Vocab:
    """The vocabulary of every Doc made here (Matchers must be built on the same one).

    A blank Vietnamese pipeline, made once: its tokenizer defaults to pyvi, which is
    not installed and not needed since we never run spaCy's tokenizer, so it is off.
    """
    import spacy

    try:
        return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}}).vocab
    except Exception:  # a spaCy whose Vietnamese config differs: a plain Vocab does too
        from spacy.vocab import Vocab

        return Vocab()


# --- underthesea, imported on first use -------------------------------------------


@cache
def _sentence_splitter() -> Callable[[str], list[str]]:
    """underthesea's sentence splitter, loaded on its own.

    ``import underthesea`` runs the package's __init__, which imports every pipeline
    (word segmentation, tagging, normalization with joblib and numpy: 0.35 s), while
    every document needs only sentences, a pure-Python module with a JSON of
    abbreviations. So the module is loaded from its file, and the rest of underthesea
    only when words or tags are asked for.
    """
    spec = importlib.util.find_spec("underthesea")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    source = folder / "pipeline" / "sent_tokenize" / "__init__.py" if folder else None
    if source is None or not source.is_file():  # another layout: the package's own import
        from underthesea import sent_tokenize

        return sent_tokenize
    module_spec = importlib.util.spec_from_file_location("_underthesea_sent_tokenize", source)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    splitter: Callable[[str], list[str]] = module.sent_tokenize
    return splitter


@cache
def _word_tokenizer() -> Callable[[str], list[str]]:
    from underthesea import word_tokenize

    return word_tokenize


def _sent_tokenize(line: str) -> list[str]:
    # Its abbreviation test reads the word before a "." by isalnum(), which stops at a
    # combining mark: NFD "huyện." would look like the abbreviation "n.". Page text is
    # NFC already, and then this costs only a quick check.
    line = unicodedata.normalize("NFC", line)
    try:
        return [piece for piece in _sentence_splitter()(line) if isinstance(piece, str)]
    except Exception:  # never let odd input stop a document: the line is one sentence
        return [line]


@lru_cache(maxsize=4096)
def _pos_tag(line: str) -> tuple[tuple[str, str], ...]:
    from .postag import pos_tag

    try:
        return tuple((w, t) for w, t in pos_tag(line) if isinstance(w, str) and w.strip())
    except Exception:  # odd input: no tags, so no context from them
        return ()


def _word_tokenize(line: str) -> list[str]:
    try:
        return [word for word in _word_tokenizer()(line) if isinstance(word, str)]
    except Exception:  # e.g. a lone surrogate it cannot encode: fallback tokens cover it
        return []


# --- spans of text ------------------------------------------------------------------

_NON_SPACE = re.compile(r"\S+")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _line_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The non-blank lines of ``text[start:end]``, trimmed."""
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        a, b = _strip(text, position, stop)
        if a < b:
            yield a, b
        position = stop + 1


# --- alignment ----------------------------------------------------------------------

# Quotes and dashes that tools swap for one another.
_FOLD_TABLE = str.maketrans(
    {
        **{c: '"' for c in "'`´‘’‚‛′‹›“”„‟″«»〝〞＂＇"},
        **{c: "-" for c in "‐‑‒–—―−⁃﹘﹣－"},
        "đ": "d",
        "ð": "d",  # underthesea spells "ð" (eth) as "đ"
    }
)


@cache
def _fold(char: str) -> str:
    """The letters that ``char`` is compared by: no marks, case, or quote style.

    An empty result means the character is invisible to the comparison (a combining
    mark of NFD text, a variation selector, a zero-width joiner): it belongs to the
    character before it.

    >>> [_fold(c) for c in "Đặ\\u0301”–ﬁ"]
    ['d', 'a', '', '"', '-', 'fi']
    """
    folded = unicodedata.normalize("NFKD", char.lower()).lower()
    kept = "".join(c for c in folded if not _invisible(c) and not c.isspace())
    return kept.translate(_FOLD_TABLE)


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] == "M" or category == "Cf"


def _fold_match(text: str, position: int, end: int, word: str) -> int:
    """Where ``word`` ends if it is read at ``text[position:end]`` up to folding, or -1.

    Whitespace in the word stands for any whitespace in the text, none included,
    because underthesea joins a word's syllables with one space whatever was there.
    The folded letters of both are compared as two streams, so one character may match
    several (NFD "o" + U+0300 against "ò", "ﬁ" against "fi").
    """
    i, k = position, 0
    text_left = word_left = ""  # folded letters read but not matched yet
    # Text whitespace may be skipped only between a space of the word and its next
    # letter, and only when needed, so that a match never ends on whitespace.
    in_gap = False
    while True:
        if not word_left:
            if k == len(word):
                break
            char = word[k]
            k += 1
            if char.isspace():
                if text_left:
                    return -1  # the word breaks inside one text character
                in_gap = True
            else:
                word_left = _fold(char)
            continue
        if not text_left:
            if i == end:
                return -1
            if text[i].isspace():
                if not in_gap:
                    return -1
                i += 1
                continue
            text_left = _fold(text[i])
            in_gap = in_gap and not text_left
            i += 1
            continue
        if text_left[0] != word_left[0]:
            return -1
        text_left, word_left = text_left[1:], word_left[1:]
    return -1 if text_left else i


def _match(text: str, position: int, end: int, word: str) -> int:
    """End of ``word`` read at ``text[position:end]`` (exactly, else folded), or -1."""
    if text.startswith(word, position, end):
        stop = position + len(word)  # the usual case: underthesea kept the text as is
    else:
        stop = _fold_match(text, position, end, word)
        if stop < 0:
            return -1
    # End on a whole character: take the marks and joiners that follow (NFD text).
    while stop < end and not text[stop].isspace() and not _fold(text[stop]):
        stop += 1
    return stop


# How far to look for the next word that aligns after one that does not.
_RESYNC_WORDS = 8
_RESYNC_SLACK = 64


def _resync(text: str, position: int, end: int, words: list[str], failed: int) -> tuple[int, int] | None:
    """The first place after a failed word where alignment holds again.

    Returns (j, q): ``words[j]`` matches at ``text[q]`` and so does the word after it
    (two in a row, so that a short word such as "," or "và" does not anchor by chance
    inside an unaligned stretch). j == failed means underthesea dropped the text
    before q; j > failed means it rewrote the words between.
    """
    last = min(len(words), failed + _RESYNC_WORDS + 1)
    reach = min(end, position + sum(len(w) for w in words[failed:last]) + _RESYNC_SLACK)
    for q in range(position, reach):
        if text[q].isspace():
            continue
        for j in range(failed + (q == position), last):
            stop = _match(text, q, end, words[j])
            if stop <= q:
                continue  # no match, or an empty one that would anchor anywhere
            if j + 1 < len(words) and _match(text, _skip_space(text, stop, end), end, words[j + 1]) < 0:
                continue
            return j, q
    return None


def _cover(text: str, start: int, end: int, words: list[str]) -> Iterator[Token]:
    """Tokens for a stretch that did not align: whitespace-separated pieces.

    When the stretch stands for one word with as many syllables as it has pieces (a
    rewritten "nghành nghề" read as "ngành nghề"), it stays one token like that word.
    """
    pieces = [(m.start(), m.end()) for m in _NON_SPACE.finditer(text, start, end)]
    if pieces and len(words) == 1 and len(words[0].split()) == len(pieces):
        yield Token(pieces[0][0], pieces[-1][1])
    else:
        yield from (Token(a, b) for a, b in pieces)


def _align_words(text: str, start: int, end: int, words: list[str]) -> list[Token]:
    """Tokens of ``text[start:end]`` from underthesea's words for it, covering it all."""
    words = [w.strip() for w in words if w and not w.isspace()]
    tokens: list[Token] = []
    position, i = start, 0
    while i < len(words):
        position = _skip_space(text, position, end)
        stop = _match(text, position, end, words[i])
        if stop >= 0:
            if stop > position:
                tokens.append(Token(position, stop))
            position, i = stop, i + 1
            continue
        anchor = _resync(text, position, end, words, i)
        if anchor is None:
            break  # nothing further aligns: the rest of the line is covered below
        j, q = anchor
        tokens.extend(_cover(text, position, q, words[i:j]))
        position, i = q, j
    tokens.extend(_cover(text, position, end, []))
    return tokens


# --- sentences ----------------------------------------------------------------------

_CLOSERS = "”’»)]}"
_STRAIGHT_QUOTES = "\"'"
# underthesea ends a sentence at "..." before a capital letter but not at "…".
_ELLIPSIS_BREAK = regex.compile(r"…[" + regex.escape(_CLOSERS + _STRAIGHT_QUOTES) + r"]*(?=\s+\p{Lu})")


def _align_sentences(text: str, start: int, end: int, pieces: list[str]) -> list[tuple[int, int]]:
    """Spans of underthesea's sentences of the line ``text[start:end]``, covering it."""
    spans: list[tuple[int, int]] = []
    position = start
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        begin = _skip_space(text, position, end)
        stop = _match(text, begin, end, piece)
        if stop < 0:
            found = text.find(piece, begin, end)
            if found < 0:
                continue  # cannot place it: its text joins the stretch before the next one
            if text[begin:found].strip():
                spans.append(_strip(text, begin, found))
            begin, stop = found, found + len(piece)
        if stop > begin:
            spans.append((begin, stop))
            position = stop
    rest = _strip(text, position, end)
    if rest[0] < rest[1]:
        spans.append(rest)
    return spans


def _repair_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Three fixes to underthesea's boundaries within a line, which end every ".", "?"
    and "!" that does not follow an abbreviation or sit between digits.

    - A "." or "?" with a lower-case letter or a digit right after it is inside a word:
      a URL or a domain ("https://lltptructuyen.moj.gov.vn", "a.aspx?id=3").
    - A closing quote or bracket put at the start of the next sentence ('nói: “Tốt!',
      '” Hết?') goes back to the end of the sentence it closes.
    - "…" before a capital letter ends a sentence, as "..." does for underthesea.
    """
    merged: list[tuple[int, int]] = []
    for begin, stop in spans:
        if merged:
            last_begin, last_stop = merged[-1]
            if begin == last_stop and text[begin - 1] in ".?!" and (text[begin].islower() or text[begin].isdigit()):
                merged[-1] = (last_begin, stop)
                continue
            run = begin
            while run < stop and text[run] in _CLOSERS + _STRAIGHT_QUOTES:
                run += 1
            # A straight quote right before a letter opens a quotation; others close one.
            opens_quotation = (
                run < stop and not text[run].isspace() and any(text[c] in _STRAIGHT_QUOTES for c in range(begin, run))
            )
            if run > begin and not opens_quotation:
                merged[-1] = (last_begin, run)
                begin = _skip_space(text, run, stop)
                if begin == stop:
                    continue
        merged.append((begin, stop))
    repaired: list[tuple[int, int]] = []
    for begin, stop in merged:
        for m in _ELLIPSIS_BREAK.finditer(text, begin, stop):
            repaired.append((begin, m.end()))
            begin = _skip_space(text, m.end(), stop)
        repaired.append((begin, stop))
    return repaired
