"""Word files: paragraphs and tables in reading order, with python-docx.

A .docx is one page. Tables become rows of tab-separated cells between blank lines,
which the plain-text table reader turns into records with ``table``, ``row``, ``col``;
a merged cell is read once. Headers, footers and text boxes are left out: they repeat
letterheads, not content.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from ..errors import InputError
from .base import Loaded


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

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise InputError(name, f"damaged DOCX ({type(error).__name__}: {' '.join(str(error).split())[:120]})") from None
    text = "\n".join(_blocks(document))
    if not text.strip():
        raise InputError(name, "no text in the DOCX body")
    core = document.core_properties
    metadata = {k: v for k, v in (("title", core.title), ("author", core.author)) if v}
    if core.created:
        metadata["date"] = core.created.date().isoformat()
    return Loaded(pages=[text], metadata=metadata)
