"""Decode the bytes of a text file, deciding the encoding from the content.

Order of evidence: a byte-order mark; the NUL pattern of UTF-16 without a mark; strict
UTF-8; UTF-8 with a few damaged bytes (kept, with a warning); the legacy byte-font
encodings TCVN3 and VNI (see :mod:`extractor.legacy`), converted to Unicode with a
warning; Windows-1258, the legacy Vietnamese code page, whose tones decode to combining
marks that normalization composes. Legacy text stored as Unicode characters (TCVN3
"Hµ Néi" saved as UTF-8) is converted as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from .. import limits
from ..errors import InputError
from ..legacy import NAMES, decode_bytes, detect_legacy, to_unicode
from .base import Loaded
from .sniff import damaged_pdf_header

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control bytes that never occur in text (tab, line feed, form feed, CR and ESC aside).
_BINARY_BYTES = frozenset(range(0x00, 0x09)) | {0x0E, 0x0F} | frozenset(range(0x10, 0x1B)) | {0x1C, 0x1D, 0x1E, 0x1F, 0x7F}
_CONTROL_BYTES = bytes(sorted(_BINARY_BYTES))  # for bytes.translate, which counts them in C
# Letters or marks only Vietnamese text written in Windows-1258 produces.
_CP1258_VIETNAMESE = frozenset("\u0300\u0301\u0303\u0309\u0323ăâêôơưđĂÂÊÔƠƯĐ")
_SAMPLE = 65536
_VISIBLE = regex.compile(r"[^\s\p{Cc}\p{Cf}]")


class NotText(ValueError):
    """The bytes are not text in any encoding we read; the message says why."""


@dataclass
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes sit on one side of most byte pairs."""
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even_nul = sample[0 : pairs * 2 : 2].count(0)
    odd_nul = sample[1 : pairs * 2 : 2].count(0)
    if odd_nul > 0.3 * pairs and even_nul < 0.02 * pairs:
        return "utf-16-le"
    if even_nul > 0.3 * pairs and odd_nul < 0.02 * pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise NotText(f"not valid {encoding} text (damaged or truncated at byte {error.start})") from None


def _legacy_converted(decoded: DecodedText) -> DecodedText:
    """Unicode text that spells Vietnamese in a legacy encoding ("Hµ Néi"), converted."""
    legacy = detect_legacy(decoded.text)
    if legacy is None:
        return decoded
    warning = f"text was in the legacy {NAMES[legacy]} encoding (stored as {decoded.encoding}); converted to Unicode"
    return DecodedText(to_unicode(decoded.text, legacy), legacy, [*decoded.warnings, warning])


def decode_text(data: bytes) -> DecodedText:
    """Decode text bytes; raise :class:`NotText` for binary data.

    >>> decode_text("Hà Nội".encode("utf-16")).encoding
    'utf-16-le'
    >>> d = decode_text("Ha\\u0300 Nô\\u0323i".encode("cp1258")); d.encoding, d.text == "Ha\\u0300 Nô\\u0323i"
    ('cp1258', True)
    >>> d = decode_text(b"H\\xb5 N\\xe9i"); d.encoding, d.text, d.warnings
    ('tcvn3', 'Hà Nội', ['text was in the legacy TCVN3 encoding; converted to Unicode'])
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _legacy_converted(DecodedText(_strict(data[len(bom) :], encoding.removesuffix("-sig")), encoding))

    sample = data[:_SAMPLE]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return _legacy_converted(DecodedText(_strict(data, utf16), utf16, [f"no byte-order mark; read as {utf16} from its NUL bytes"]))

    binary = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if binary > 0.01 * len(sample) or 0 in sample:
        raise NotText("binary data, not text (and not PDF, HTML or DOCX)")

    try:
        return _legacy_converted(DecodedText(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass

    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd")
    multibyte = sum(1 for c in lenient if c > "\x7f") - damaged
    if multibyte > 20 * damaged:
        return DecodedText(lenient, "utf-8", [f"{damaged} invalid UTF-8 byte sequence(s) replaced with U+FFFD"])

    # One character per byte: TCVN3 or VNI shows as Latin-1 mojibake ("Hµ Néi", "Haø Noäi").
    latin = decode_bytes(data)
    legacy = detect_legacy(latin)
    if legacy is not None:
        return DecodedText(to_unicode(latin, legacy), legacy, [f"text was in the legacy {NAMES[legacy]} encoding; converted to Unicode"])

    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise NotText("not UTF-8, UTF-16 or Windows-1258 text") from None
    warnings = []
    if not any(c in _CP1258_VIETNAMESE for c in text[:_SAMPLE]):
        warnings.append("not UTF-8; read as Windows-1258 although no Vietnamese letters were found")
    return DecodedText(text, "cp1258", warnings)


def _too_long(name: str, chars: str) -> InputError:
    return InputError(name, f"the text has {chars} characters, over the limit of {limits.MAX_PAGE_CHARS:,} for one page (a text file is one page)")


def load_txt(data: bytes, name: str) -> Loaded:
    """A plain-text file is one page, of at most MAX_PAGE_CHARS characters."""
    # No encoding we read takes more than 4 bytes a character: refused before decoding.
    if len(data) > 4 * limits.MAX_PAGE_CHARS:
        raise _too_long(name, f"more than {len(data) // 4:,}")
    try:
        decoded = decode_text(data)
    except NotText as error:
        raise InputError(name, damaged_pdf_header(data) or str(error)) from None
    if len(decoded.text) > limits.MAX_PAGE_CHARS:
        raise _too_long(name, f"{len(decoded.text):,}")
    if not _VISIBLE.search(decoded.text):
        raise InputError(name, "no text in file (only whitespace or invisible characters)")
    return Loaded(pages=[decoded.text], encoding=decoded.encoding, warnings=decoded.warnings)
