"""File names as messages and output show them.

On Linux a file name is bytes. One that is not valid UTF-8 (a Latin-1 name from a zip
made on Windows, say) reaches Python as a ``str`` with lone surrogates, which no UTF-8
stream can print and no JSON file can hold. Messages, warnings and the ``path`` of a
document show such a name with its undecodable bytes escaped (``b\\xe1o-c\\xe1o.txt``),
and control characters escaped too, so a name with a line feed still gives one line.
The file itself is still opened by its real name.
"""

from __future__ import annotations

import os

import regex

_CONTROL = regex.compile(r"[\p{Cc}\p{Zl}\p{Zp}]")


def _escaped(match: regex.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_name(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """``path`` as printable text: valid UTF-8 unchanged, other bytes as ``\\xNN``.

    >>> display_name(os.fsdecode(b"b\\xe1o-c\\xe1o.txt"))
    'b\\\\xe1o-c\\\\xe1o.txt'
    >>> display_name("bảng\\ntính.txt"), display_name("báo-cáo.pdf")
    ('bảng\\\\x0atính.txt', 'báo-cáo.pdf')
    """
    try:
        raw = os.fsencode(path)  # the name's own bytes, lone surrogates turned back into them
    except UnicodeEncodeError:  # a surrogate no file system produced ("\ud800" typed in)
        raw = os.fspath(path).encode("utf-8", errors="backslashreplace")  # type: ignore[union-attr]
    text = raw.decode("utf-8", errors="backslashreplace")
    return _CONTROL.sub(_escaped, text)
