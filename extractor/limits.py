"""What one document may grow to, and how long it may take.

Every limit sits well above any real report (the largest provincial report we have seen is
a 300-page scan of 60 MB; a long text report is a few hundred KB) and well below what
would exhaust a worker. A document over a limit is refused with one line naming the limit
(an :class:`~extractor.errors.InputError`), never half-read in silence. The README lists
them; change them here only.
"""

from __future__ import annotations

MB = 1024 * 1024

# Bytes read from one file. Larger files are refused before a byte is read.
MAX_FILE_BYTES = 512 * MB
# What a DOCX may expand to: the XML of its members together, decompressed.
MAX_DOCX_XML_BYTES = 128 * MB
# Members of a DOCX's ZIP archive (a real one has a few dozen), counted before it is listed.
MAX_DOCX_MEMBERS = 10_000
# XML elements across a DOCX's members: python-docx spends about 25 µs on each paragraph,
# so a body of millions of empty paragraphs ("<w:p/>", 100 MB inflated from 300 KB) would
# take minutes and gigabytes well under the byte limit. A million loads in about 20 s.
MAX_DOCX_ELEMENTS = 1_000_000
# Bytes of one HTML page; portals' article pages are well under 5 MB.
MAX_HTML_BYTES = 16 * MB
# Elements of one web page once inline formatting is unwrapped: parts of trafilatura grow
# with the square of the element count. A real article page has a few thousand; the worst
# shape measured at this count takes about 8 s.
MAX_HTML_ELEMENTS = 50_000
# Elements nested in one another on a web page: trafilatura walks up from each element in
# places, so its time grows with depth times elements. Real pages nest a few dozen deep.
MAX_HTML_DEPTH = 256
# Pages of one PDF.
MAX_PAGES = 5_000
# Characters of one page once decoded (a text file is one page): about 1,000 printed pages.
MAX_PAGE_CHARS = 4_000_000
# Digits of one number: no value in a report has more significant digits than this.
MAX_NUMBER_DIGITS = 15
# Characters of one sentence: a longer run without a full stop (a table run together,
# a list of thousands of figures) is read in pieces of at most this, cut between clauses.
MAX_SENTENCE_CHARS = 2_000
# Characters of the sentence excerpt each record carries: a window around the record.
MAX_CONTEXT_CHARS = 400
# Seconds one document may take in ``extract`` (bulk has its own --timeout).
DOCUMENT_TIMEOUT_S = 300.0


def describe_bytes(size: int) -> str:
    """A size for messages.

    >>> describe_bytes(20 * MB + 1), describe_bytes(900)
    ('20.0 MB', '900 bytes')
    """
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"
