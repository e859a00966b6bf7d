"""Legacy Vietnamese byte-font encodings, TCVN3 and VNI: detection and conversion to Unicode.

Before Unicode, Vietnamese was typed in fonts that drew Vietnamese letters at Latin-1
code points: TCVN3 (ABC, the ".VnTime" fonts) gives one byte per letter, VNI (the
"VNI-Times" fonts) a base letter followed by a mark byte. Read as Windows-1252 (a .txt
file) or through the font's Latin encoding (a PDF text layer), such text is mojibake:
"Hµ Néi" (TCVN3) and "Haø Noäi" (VNI) are Hà Nội. The tables are data, in
extractor/patterns/gazetteers/legacy_encodings.yaml.

Detection is conservative, because converting text that was not legacy would destroy it.
A word counts for an encoding when it is not a Vietnamese syllable as it stands and
converting it gives a well-formed one (onset, rhyme, at most one tone, and a tone that
the rhyme allows): "Néi" gives "Nội", while French "été" gives "ộtộ" and Unicode "Bình"
read as TCVN3 gives "Bỡnh", neither of which is a syllable; Unicode "Hoà", which VNI
would read as "Hồ", is a syllable already and counts for nothing. An encoding is
detected when at least two words count for it, they are at least 3/4 of the words it
would change (syllables as they stand aside) and at least 1/20 of all words, and the
text has (almost) no letters that only Unicode Vietnamese has
(ă đ ơ ư, the letters with a dot or a hook, combining tone marks): text that has them is
Unicode already and is never converted. Within converted text a word that holds such a
letter is also left alone.

TCVN3 keeps lengths (one character for one), VNI does not ("aø" is "à");
:func:`convert` says, for every output character, where in the input it came from.

Capitals: VNI has all 134 letters. TCVN3 (VN3) has the lower-case letters and the seven
capitals without a tone mark; a capital with a tone mark was typed with the lower-case
byte in an upper-case ".VnTimeH" font, so the byte does not say its case. The case is
restored where the text does say it: in a word or a line whose other letters are all
capitals ("TØNH" is TỈNH), and at the start of a sentence (". ñy ban" is ". Ủy ban").
Elsewhere ("của ñy ban") it stays lower case. TCVN 5712's VN1 capitals are read where VN3
leaves the byte empty (see the data file).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal, TypeVar

import regex

from .datafile import GAZETTEERS_DIR, read_yaml

__all__ = [
    "NAMES",
    "Conversion",
    "Encoding",
    "convert",
    "convert_layer",
    "convert_page",
    "decode_bytes",
    "detect_legacy",
    "encode_legacy",
    "is_syllable",
    "to_unicode",
]

TABLES = GAZETTEERS_DIR / "legacy_encodings.yaml"
Encoding = Literal["tcvn3", "vni"]
NAMES: dict[str, str] = {"tcvn3": "TCVN3", "vni": "VNI"}
T = TypeVar("T")

# Letters only Unicode Vietnamese has: legacy text read as Latin-1 never holds them.
_UNICODE_ONLY = regex.compile(r"[ăĂđĐơƠưƯĩĨũŨ\u1EA0-\u1EF9\u0300\u0301\u0303\u0309\u0323]")
_SAMPLE = 65536
# Windows-1252 characters of the bytes 0x80-0x9F, back to their bytes.
_CP1252_BYTES = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_C1_AS_CP1252 = {b: char for char, b in _CP1252_BYTES.items()}

# Vietnamese syllables: onset + rhyme (without the tone mark).
_ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph",
           "qu", "r", "s", "t", "th", "tr", "v", "x")
_RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oo ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
u uc ui um un ung up ut ua uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêt yêu
oa oac oach oai oam oan oang oanh oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
uê uêch uênh uây uân uâng uât uy uych uyn uynh uyt uya uyên uyêt uyu uơ
""".split())
_STOPS = ("c", "ch", "p", "t")  # rhymes ending so take only the acute or the dot below
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = frozenset("aăâeêioôơuưy")


@dataclass(frozen=True)
class _Tables:
    tcvn3: dict[int, str]  # byte -> letter (VN3)
    tcvn3_capitals: dict[int, str]  # byte -> capital with a tone mark (VN1)
    tcvn3_stand_ins: dict[str, int]  # PDF character -> the byte it stands for
    vni_sequences: dict[str, str]  # base + mark -> letter, both cases
    vni_letters: dict[str, str]  # one character -> letter, both cases
    tcvn3_symbols: str  # table characters that are not letters ("µ", "¸", ...), for word matching


@cache
def tables() -> _Tables:
    data = read_yaml(TABLES)
    tcvn3 = {int(b): str(u) for b, u in data["tcvn3"]["letters"].items()}
    capitals = {int(b): str(u) for b, u in data["tcvn3"]["capitals_vn1"].items()}
    stand_ins = {str(c): int(b) for c, b in data["tcvn3"]["pdf_stand_ins"].items()}
    sequences: dict[str, str] = {}
    for seq, letter in data["vni"]["sequences"].items():
        sequences[seq] = letter
        sequences[seq.upper()] = letter.upper()
        sequences[seq[0].upper() + seq[1:]] = letter.upper()  # "Aù": a capital base with a small mark
    letters = {}
    for char, letter in data["vni"]["letters"].items():
        letters[char], letters[char.upper()] = letter, letter.upper()
    symbols = "".join(sorted({chr(b) for b in set(tcvn3) | set(capitals) if b >= 0xA0 and not chr(b).isalpha()} | set(stand_ins)))
    return _Tables(tcvn3, capitals, stand_ins, sequences, letters, symbols)


@cache
def _word() -> regex.Pattern:
    """A word: letters, marks and the TCVN3 bytes that are not letters in Latin-1 ("Hµ")."""
    return regex.compile(r"[\p{L}\p{M}" + regex.escape(tables().tcvn3_symbols, special_only=False) + r"]+")


def _byte(char: str) -> int | None:
    """The byte a character stands for in a legacy file read as Windows-1252/Latin-1."""
    code = ord(char)
    return code if code < 0x100 else _CP1252_BYTES.get(char)


def decode_bytes(data: bytes) -> str:
    """Bytes as Windows-1252, with the five bytes it leaves undefined read as Latin-1.

    Every byte becomes exactly one character, so a legacy table can be applied next.

    >>> decode_bytes(b"H\\xb5 N\\xe9i \\x93x\\x94 \\x81")
    'Hµ Néi “x” \\x81'
    """
    return data.decode("latin-1").translate(_C1_AS_CP1252)


def is_syllable(word: str) -> bool:
    """Whether ``word`` is one well-formed Vietnamese syllable.

    >>> [is_syllable(w) for w in ("Nội", "nghiêng", "quốc", "gì", "thuỷ", "hềt", "ộtộ", "Bỡnh", "café")]
    [True, True, True, True, True, False, False, False, False]
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    for onset in _ONSETS:
        if bare.startswith(onset):
            rhyme = bare[len(onset) :]
            if rhyme in _RHYMES and (not rhyme.endswith(_STOPS) or tones in (["\u0301"], ["\u0323"])):
                return True
    return False


def _has_vowel(word: str) -> bool:
    return any(c in _VOWELS for c in unicodedata.normalize("NFD", word.lower()))


def _is_letter(char: str, t: _Tables) -> bool:
    return char.isalpha() or _byte(char) in t.tcvn3


def _tcvn3_byte(text: str, i: int, t: _Tables) -> int | None:
    """The TCVN3 byte that ``text[i]`` stands for, when it stands for a letter."""
    char = text[i]
    byte = t.tcvn3_stand_ins.get(char)
    if byte is not None:  # a PDF's minus sign for ư: only next to a letter
        return byte if any(0 <= j < len(text) and _is_letter(text[j], t) for j in (i - 1, i + 1)) else None
    byte = _byte(char)
    if byte in t.tcvn3:
        return byte
    # 0x80-0x9F are punctuation unless between two letters
    if byte in t.tcvn3_capitals and (byte >= 0xA0 or (0 < i < len(text) - 1 and _is_letter(text[i - 1], t) and _is_letter(text[i + 1], t))):
        return byte
    return None


def _tcvn3_letter(byte: int | None, t: _Tables) -> str | None:
    if byte is None:
        return None
    return t.tcvn3.get(byte) or t.tcvn3_capitals.get(byte)


def _vni_at(text: str, i: int, t: _Tables, end: int | None = None) -> tuple[str, int]:
    """The letter at ``text[i]`` in VNI and how many characters it takes (before ``end``)."""
    pair = text[i : min(i + 2, len(text) if end is None else end)]
    if pair in t.vni_sequences:
        return t.vni_sequences[pair], 2
    return t.vni_letters.get(text[i], text[i]), 1


def _convert_word(word: str, encoding: str, t: _Tables) -> str:
    if encoding == "tcvn3":
        return "".join(_tcvn3_letter(_tcvn3_byte(word, i, t), t) or word[i] for i in range(len(word)))
    out, i = [], 0
    while i < len(word):
        letter, used = _vni_at(word, i, t)
        out.append(letter)
        i += used
    return "".join(out)


def detect_legacy(text: str) -> Encoding | None:
    """"tcvn3" or "vni" when ``text`` is Vietnamese in that legacy encoding, else None.

    >>> detect_legacy("Hµ Néi"), detect_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
    ('tcvn3', 'tcvn3')
    >>> detect_legacy("Haø Noäi"), detect_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
    ('vni', 'vni')
    >>> detect_legacy("Cộng hòa xã hội chủ nghĩa Việt Nam"), detect_legacy("Hoà Bình, Thanh Hoá")
    (None, None)
    >>> detect_legacy("Où est le café? À l'école, señor Müller."), detect_legacy("PAR INDEX 2023: 85,12%")
    (None, None)
    """
    sample = text[:_SAMPLE]
    if sample.isascii():
        return None
    t = tables()
    words = _word().findall(sample)
    if not words:
        return None
    unicode_words = 0
    for word in words:  # counted until it is clear: Unicode text shows it within a few words
        if _UNICODE_ONLY.search(word):
            unicode_words += 1
            if unicode_words > 0.05 * len(words):
                return None
    best: tuple[int, Encoding] | None = None
    for encoding in ("tcvn3", "vni"):
        changed = valid = 0
        for word in words:
            converted = _convert_word(word, encoding, t)
            if converted == word or len(converted) < 2 or not _has_vowel(converted) or is_syllable(word):
                continue  # unchanged, too short to tell, an abbreviation, or a syllable as it stands
            changed += 1
            valid += is_syllable(converted)
        plausible = valid >= 2 and valid >= 0.75 * changed and valid >= 0.05 * len(words) and unicode_words <= 0.05 * valid
        if plausible and (best is None or valid > best[0]):
            best = (valid, encoding)
    return best[1] if best else None


@dataclass(frozen=True)
class Conversion:
    """Converted text and, for each of its characters, the input offset it starts at."""

    text: str
    starts: tuple[int, ...]

    def offset(self, source_offset: int) -> int:
        """The output offset of the input character at ``source_offset`` (or the next one).

        >>> c = convert("Haø Noäi", "vni"); c.text, c.offset(4), c.text[c.offset(4)]
        ('Hà Nội', 3, 'N')
        """
        return bisect.bisect_left(self.starts, source_offset)


def _unicode_spans(text: str) -> list[tuple[int, int]]:
    """Spans of words that hold a letter only Unicode has: they are never converted."""
    return [m.span() for m in regex.finditer(r"\S+", text) if _UNICODE_ONLY.search(m.group())]


def convert(text: str, encoding: Encoding) -> Conversion:
    """Convert legacy text to Unicode (NFC letters), keeping where each character came from.

    >>> convert("TiÕng ViÖt", "tcvn3").text
    'Tiếng Việt'
    >>> convert("Tieáng Vieät", "vni").starts
    (0, 1, 2, 4, 5, 6, 7, 8, 9, 11)
    """
    if encoding not in NAMES:
        raise ValueError(f"unknown legacy encoding {encoding!r}")
    t = tables()
    out: list[str] = []
    starts: list[int] = []
    caseless: list[bool] = []  # converted TCVN3 letters whose case the byte does not tell
    converted: list[bool] = []
    position = 0
    for keep_start, keep_end in [*_unicode_spans(text), (len(text), len(text))]:
        i = position
        while i < keep_start:
            if encoding == "tcvn3":
                byte = _tcvn3_byte(text, i, t)
                letter, used = _tcvn3_letter(byte, t) or text[i], 1
                caseless.append(byte is not None and byte >= 0xB5 and byte in t.tcvn3)
                converted.append(byte is not None)
            else:
                letter, used = _vni_at(text, i, t, keep_start)
                caseless.append(False)
                converted.append(letter != text[i : i + used])
            out.append(letter)
            starts.append(i)
            i += used
        out.extend(text[keep_start:keep_end])
        starts.extend(range(keep_start, keep_end))
        caseless.extend([False] * (keep_end - keep_start))
        converted.extend([False] * (keep_end - keep_start))
        position = keep_end
    if encoding == "tcvn3":
        _restore_case(text, out, converted, caseless, t)
    return Conversion("".join(out), tuple(starts))


_LIST_MARKS = "-+•*–"
_OPENERS = "“\"'‘(["


def _restore_case(text: str, chars: list[str], converted: list[bool], caseless: list[bool], t: _Tables) -> None:
    """Capitals that VN3 cannot write, where the text tells them: in a word whose other
    letters are all capitals ("TØNH"), in a run of words without a small letter that
    holds such a word ("Hµ NéI"; runs end at a line break or a gap of 2+ spaces, which
    parts the columns of a letterhead), and at a sentence start. "Sè: 125" stays "Số".
    TCVN3 keeps lengths, so ``text[i]`` is where ``chars[i]`` came from."""
    letters = _Letters(text, chars, converted, caseless)
    word = _word()
    for run in _RUN.finditer(text):
        _restore_run(letters, run.span(), [m.span() for m in word.finditer(text, run.start(), run.end())])


# A run of words: up to a line break or a gap of two spaces or more.
_RUN = regex.compile(r"[^\n\r\t]+?(?=[ ]{2,}|[\n\r\t]|$)")


@dataclass
class _Letters:
    """Converted text being given its capitals back, beside the text it came from."""

    text: str
    chars: list[str]
    converted: list[bool]
    caseless: list[bool]

    def cases(self, start: int, end: int) -> tuple[int, int]:
        """Capitals and small letters among text[start:end] as far as they are known."""
        upper = lower = 0
        for i in range(start, end):
            if "A" <= self.text[i] <= "Z" or (self.converted[i] and not self.caseless[i] and self.chars[i] != self.chars[i].lower()):
                upper += 1
            elif "a" <= self.text[i] <= "z":
                lower += 1
        return upper, lower

    def capitalize(self, start: int, end: int) -> None:
        for i in range(start, end):
            if self.converted[i]:
                self.chars[i] = self.chars[i].upper()


def _restore_run(letters: _Letters, run: tuple[int, int], words: list[tuple[int, int]]) -> None:
    capital_word = any(any(letters.caseless[s:e]) and _is_capitals(*letters.cases(s, e)) for s, e in words)
    if capital_word and letters.cases(*run)[1] == 0:
        letters.capitalize(*run)
        return
    for start, end in words:
        if _is_capitals(*letters.cases(start, end)):
            letters.capitalize(start, end)
        elif letters.caseless[start] and _sentence_starts_at(letters.text, start):
            letters.chars[start] = letters.chars[start].upper()


def _is_capitals(upper: int, lower: int) -> bool:
    return upper >= 2 and lower == 0


def _sentence_starts_at(text: str, start: int) -> bool:
    """Whether a sentence starts at ``start``: at the text's start or a paragraph's, after
    ".", "!" or "?" and a space, after ":" and a line break, after a list mark that
    starts a line.

    >>> [_sentence_starts_at(s, s.index("x")) for s in ("x", "a. x", "a.\\nx", "a:\\n“x", "a\\n\\nx", "  - x")]
    [True, True, True, True, True, True]
    >>> [_sentence_starts_at(s, s.index("x")) for s in ("a x", "a.x", "a\\nx", "a: x", "a - x", "3.x")]
    [False, False, False, False, False, False]
    """
    j = start
    while j > 0 and text[j - 1] in _OPENERS:
        j -= 1
    k, breaks = j, 0
    while k > 0 and text[k - 1] in " \t\r\n":
        breaks += text[k - 1] == "\n" or (text[k - 1] == "\r" and text[k : k + 1] != "\n")
        k -= 1
    if k == 0 or breaks >= 2:
        return True
    before, spaced = text[k - 1], k < j
    if (before in ".!?" and spaced) or (before == ":" and breaks):
        return True
    if before in _LIST_MARKS and spaced and not breaks:
        m = k - 1
        while m > 0 and text[m - 1] in " \t":
            m -= 1
        return m == 0 or text[m - 1] in "\r\n"
    return False


def to_unicode(text: str, encoding: Encoding) -> str:
    """``text`` in the legacy ``encoding``, converted to Unicode.

    >>> to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3")
    'Cộng hoà xã hội chủ nghĩa Việt Nam'
    >>> to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni")
    'Cộng hòa xã hội chủ nghĩa Việt Nam'
    >>> to_unicode("UBND TØNH QU¶NG TRÞ\\n\\nñy ban nh©n d©n tØnh", "tcvn3")
    'UBND TỈNH QUẢNG TRỊ\\n\\nỦy ban nhân dân tỉnh'
    """
    return convert(text, encoding).text


def convert_layer(text: str) -> tuple[Conversion, str] | None:
    """A page's text converted when it is in a legacy encoding, with the encoding's name;
    None for Unicode text. The conversion moves any offset along (``offset``).

    >>> conversion, name = convert_layer("Haø Noäi")
    >>> conversion.text, name, conversion.offset(4)
    ('Hà Nội', 'VNI', 3)
    """
    encoding = detect_legacy(text)
    return None if encoding is None else (convert(text, encoding), NAMES[encoding])


def convert_page(text: str, breaks: Mapping[int, T]) -> tuple[str, dict[int, T], str | None]:
    """A page's text converted when it is in a legacy encoding, with ``breaks`` (layout
    hints keyed by text offset) moved along; also the encoding's name, or None.

    >>> convert_page("Haø Noäi\\nvaø", {8: "wrap"})
    ('Hà Nội\\nvà', {6: 'wrap'}, 'VNI')
    """
    converted = convert_layer(text)
    if converted is None:
        return text, dict(breaks), None
    conversion, name = converted
    return conversion.text, {conversion.offset(at): hint for at, hint in breaks.items()}, name


@cache
def _encoders() -> dict[str, dict[str, bytes]]:
    t = tables()
    tcvn3 = {letter: bytes([b]) for b, letter in t.tcvn3.items()}
    for letter, code in list(tcvn3.items()):
        if letter.upper() not in tcvn3:
            tcvn3[letter.upper()] = code  # a capital typed in a ".VnTimeH" font: the small letter's byte
    vni = {letter: seq.encode("cp1252") for seq, letter in t.vni_sequences.items() if seq == seq.upper() or seq == seq.lower()}
    vni.update({letter: char.encode("cp1252") for char, letter in t.vni_letters.items()})
    return {"tcvn3": tcvn3, "vni": vni}


def encode_legacy(text: str, encoding: Encoding) -> bytes:
    """Unicode text as the bytes a file in the legacy ``encoding`` holds (for tests and the
    corpus). TCVN3 capitals with a tone mark get the small letter's byte, as typed in a
    ".VnTimeH" font. Raises ValueError for a character the encoding cannot hold or that
    would read back as a letter.

    >>> encode_legacy("Hà Nội", "tcvn3"), encode_legacy("Hà Nội", "vni")
    (b'H\\xb5 N\\xe9i', b'Ha\\xf8 No\\xe4i')
    """
    t = tables()
    table = _encoders()[encoding]
    if encoding == "tcvn3":
        taken = set(t.tcvn3) | {b for b in t.tcvn3_capitals if b >= 0xA0}
    else:
        taken = {ord(c) for seq in t.vni_sequences for c in seq if ord(c) >= 0x80} | {ord(c) for c in t.vni_letters}
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        code = table.get(char)
        if code is None:
            try:
                code = char.encode("cp1252")
            except UnicodeEncodeError:
                raise ValueError(f"{char!r} cannot be written in {NAMES[encoding]}") from None
            if code[0] in taken:
                raise ValueError(f"{char!r} would read back as a letter in {NAMES[encoding]}")
        out += code
    return bytes(out)
