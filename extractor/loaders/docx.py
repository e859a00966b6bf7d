"""Word files: paragraphs and tables in reading order, with python-docx.

A .docx is one page. Tables become rows of tab-separated cells between blank lines,
which the plain-text table reader turns into records with ``table``, ``row``, ``col``;
a merged cell is read once. Headers, footers and text boxes are left out: they repeat
letterheads, not content.

A .docx is a ZIP archive, and a few hundred KB of it can inflate to gigabytes of XML that
python-docx would parse whole (a "zip bomb"). So the archive is checked before python-docx
sees it (:func:`check_archive`): its members' declared sizes, then their real sizes read
through a bounded reader, since a header can lie.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from .. import limits
from ..errors import InputError
from .base import Loaded
from .sniff import ZIP_ERRORS

_CENTRAL_ENTRY = b"PK\x01\x02"  # the signature of one member in the ZIP's central directory
_CHUNK = 1 << 20
_XML_SUFFIXES = (".xml", ".rels")


def _mb(size: int) -> str:
    return f"{size / limits.MB:,.0f} MB" if size >= limits.MB else limits.describe_bytes(size)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:120] or type(error).__name__


def _inflated_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, element_budget: int) -> tuple[int, int]:
    """The bytes ``member`` really inflates to, read in chunks and never past ``budget`` + 1,
    and about how many elements it holds (start tags; one split between chunks is missed);
    reading stops once past either budget."""
    size = elements = 0
    with archive.open(member) as stream:
        while size <= budget and elements <= element_budget:
            chunk = stream.read(min(_CHUNK, budget + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            elements += chunk.count(b"<") - chunk.count(b"</")
    return size, elements


def _too_much_xml(name: str, size: str) -> InputError:
    return InputError(name, f"DOCX whose XML inflates to {size}, over the {_mb(limits.MAX_DOCX_XML_BYTES)} limit (a ZIP bomb?)")


def check_archive(data: bytes, name: str) -> None:
    """Refuse, with one line, an archive python-docx could not parse in bounded memory."""
    if data.count(_CENTRAL_ENTRY) > limits.MAX_DOCX_MEMBERS:
        raise InputError(name, f"DOCX with more than {limits.MAX_DOCX_MEMBERS:,} ZIP members (a ZIP bomb?)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as error:
        raise InputError(name, f"damaged or truncated DOCX (its ZIP archive cannot be read: {_one_line(error)})") from None
    with archive:
        members = archive.infolist()
        xml = [m for m in members if m.filename.lower().endswith(_XML_SUFFIXES)]
        declared = sum(m.file_size for m in xml)
        if declared > limits.MAX_DOCX_XML_BYTES:
            raise _too_much_xml(name, _mb(declared))
        everything = sum(m.file_size for m in members)  # images too: python-docx reads every part whole
        if everything > limits.MAX_FILE_BYTES:
            raise InputError(name, f"DOCX whose members inflate to {_mb(everything)}, over the {_mb(limits.MAX_FILE_BYTES)} limit")
        _check_inflated(archive, xml, name)


def _check_inflated(archive: zipfile.ZipFile, xml: list[zipfile.ZipInfo], name: str) -> None:
    """Inflate the XML members (output discarded) to check what their headers declare."""
    budget, elements = limits.MAX_DOCX_XML_BYTES, 0
    for member in xml:
        try:
            size, count = _inflated_size(archive, member, budget, limits.MAX_DOCX_ELEMENTS - elements)
        except ZIP_ERRORS as error:
            raise InputError(name, f"damaged DOCX ({member.filename}: {_one_line(error)})") from None
        budget, elements = budget - size, elements + count
        if budget < 0:  # a header that lied about the size
            raise _too_much_xml(name, f"more than {_mb(limits.MAX_DOCX_XML_BYTES)}")
        if elements > limits.MAX_DOCX_ELEMENTS:
            raise InputError(name, f"DOCX with more than {limits.MAX_DOCX_ELEMENTS:,} XML elements, over the limit for one document (a ZIP bomb?)")


def _blocks(document) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, document).text
        elif tag == "tbl":
            yield ""  # a table stands apart from the paragraphs around it
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats in every grid column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                yield "\t".join(cells)
            yield ""


def load_docx(data: bytes, name: str) -> Loaded:
    """One page: the body's paragraphs and tables, in order."""
    import docx  # imported here: most files are not Word files

    check_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except KeyError as error:  # python-docx looks parts up by name: a missing one is a KeyError
        raise InputError(name, f"damaged DOCX (a part is missing: {_one_line(error)})") from None
    except Exception as error:
        raise InputError(name, f"damaged DOCX ({type(error).__name__}: {_one_line(error)})") from None
    text = "\n".join(_blocks(document))
    if not text.strip():
        raise InputError(name, "no text in the DOCX body")
    core = document.core_properties
    metadata = {k: v for k, v in (("title", core.title), ("author", core.author)) if v}
    if core.created:
        metadata["date"] = core.created.date().isoformat()
    return Loaded(pages=[text], metadata=metadata)
