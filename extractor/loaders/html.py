"""The article of a web page: main content only, with title, date and author as metadata.

Press releases live on provincial portals whose pages wrap one article in menus,
breadcrumbs, "tin liên quan" lists, share buttons and footers full of numbers
("Giấy phép số 123/GP-TTĐT ngày 10/01/2020"). trafilatura, made for news pages, keeps
the article; it did better than readability-lxml on our pages (bench/html_extractors.py):
readability kept date lines and share buttons and ran table cells together.

The title is page text (it often names the subject); the publication date and the
author go into ``source`` and never become records. Tables become rows of tab-separated
cells, which the plain-text table reader understands.
"""

from __future__ import annotations

import regex

from ..errors import InputError
from .base import Loaded
from .text import NotText, decode_text

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", regex.I)
_TABLE_RULE = regex.compile(r"^\|(?:\s*:?-{2,}:?\s*\|)+\s*$")
_TABLE_ROW = regex.compile(r"^\|(.*)\|\s*$")


def decode_html(data: bytes) -> tuple[str, str]:
    """The page's text and its encoding: a byte-order mark, else the charset a meta tag
    declares, else what the bytes look like.

    >>> decode_html('<meta charset="windows-1258"><p>Ha\\u0300 Nô\\u0323i'.encode("cp1258"))[1]
    'windows-1258'
    """
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: look at the bytes instead
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def _tables_as_tabs(text: str) -> str:
    """trafilatura writes tables as Markdown; rows of tab-separated cells are our form."""
    lines = []
    for line in text.split("\n"):
        if _TABLE_RULE.match(line):
            continue
        row = _TABLE_ROW.match(line)
        lines.append("\t".join(cell.strip() for cell in row.group(1).split("|")) if row else line)
    return "\n".join(lines)


def load_html(data: bytes, name: str) -> Loaded:
    """One page: the article's title and text."""
    import trafilatura  # imported here: it takes a moment, and most files are not HTML

    try:
        html, encoding = decode_html(data)
    except NotText as error:
        raise InputError(name, str(error)) from None
    try:
        extracted = trafilatura.bare_extraction(
            html, include_tables=True, include_comments=False, include_images=False, with_metadata=True, favor_precision=True
        )
    except Exception as error:
        raise InputError(name, f"HTML could not be parsed ({type(error).__name__})") from None
    fields = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else (extracted or {})
    body = _tables_as_tabs(fields.get("text") or "")
    title = (fields.get("title") or "").strip()
    if not body.strip():
        raise InputError(name, "no article text found in the HTML page")
    if title and not body.lstrip().startswith(title):
        body = f"{title}\n\n{body}"
    metadata = {k: str(fields[k]) for k in ("title", "date", "author", "sitename") if fields.get(k)}
    return Loaded(pages=[body], encoding=encoding, metadata=metadata)
