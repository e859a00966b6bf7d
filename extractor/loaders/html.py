"""The article of a web page: main content only, with title, date and author as metadata.

Press releases live on provincial portals whose pages wrap one article in menus,
breadcrumbs, "tin liên quan" lists, share buttons and footers full of numbers
("Giấy phép số 123/GP-TTĐT ngày 10/01/2020"). trafilatura, made for news pages, keeps
the article; it did better than readability-lxml on our pages (bench/html_extractors.py):
readability kept date lines and share buttons and ran table cells together.

Three parts of an article trafilatura loses are read here around it, with lxml:

- the visible headline (the article's ``<h1>``), which on portals often carries the lead
  figures ("... đạt 85,12%, xếp thứ 10/63") while og:title, the metadata title, is a
  shorter rewording; in precision mode the ``<header>`` holding it is dropped;
- the lead ("sapo") paragraph under the headline, dropped with that header or for its
  class name; it is taken out of the page before trafilatura runs and set after the
  headline, where a reader meets it;
- captions: ``<figure>`` (with its figcaption) and anything with "caption" in its class
  are thrown away as image furniture. They are turned into plain paragraphs in place, so
  the library keeps them in reading order with the body; a table's ``<caption>`` becomes
  the paragraph before its table (trafilatura writes it as a first row of cells).

The title is page text (it often names the subject); the publication date and the
author go into ``source`` and never become records. Tables become rows of tab-separated
cells, which the plain-text table reader understands.

Bounds: a page over MAX_HTML_BYTES is refused unread. libxml2 drops any text node over
10 MB unless told otherwise (a 13 MB paragraph came out as "no article text"), so pages
are parsed with ``huge_tree`` and then measured: more visible text than one page may
hold (MAX_PAGE_CHARS), more elements than MAX_HTML_ELEMENTS or nesting deeper than
MAX_HTML_DEPTH is refused with one line.
Parts of trafilatura grow with the square of the element count (XPath over text nodes
that stripping tags has split), so inline formatting (span, b, font...) is unwrapped and
the tree parsed again before the library sees it: a paragraph of 20,000 bold runs took
136 s, and takes a fraction of a second unwrapped.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import regex
from lxml import etree
from lxml import html as lxml_html

from ..errors import InputError
from ..limits import MAX_HTML_BYTES, MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PAGE_CHARS, MB, describe_bytes
from .base import Loaded
from .text import NotText, decode_text

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", regex.I)
_TABLE_RULE = regex.compile(r"^\|(?:\s*:?-{2,}:?\s*\|)+\s*$")
_TABLE_ROW = regex.compile(r"^\|(.*)\|\s*$")
# Characters XML cannot hold: lxml refuses them when trafilatura rebuilds its tree.
_NOT_XML = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# libxml2 stops nesting at this depth (with huge_tree) and drops what lies deeper: a page
# that reaches it (thousands of unclosed tags) cannot be read whole.
_PARSER_DEPTH = 2_048
# Inline tags unwrapped before trafilatura: it strips them itself (formatting is not
# kept), but later, leaving split text nodes behind that make its XPath tests quadratic.
_INLINE = (
    "span", "font", "b", "strong", "i", "em", "u", "small", "big", "mark", "sup", "sub", "abbr", "acronym",
    "cite", "dfn", "data", "bdi", "bdo", "nobr", "tt", "kbd", "samp", "var", "ins", "time", "img",
)  # fmt: skip
# Links inside one element past which, when they carry little of its text, they are
# unwrapped too: a paragraph of prose with thousands of links splits the same way.
_MANY_LINKS = 50
# Elements whose text is code or style, not page text.
_RAW_TEXT = ("script", "style")

# Containers that are a site's furniture, not the article: a headline, lead or caption
# inside one is not the article's. Matched on class and id tokens.
_FURNITURE_TAGS = ("nav", "footer", "aside")
_FURNITURE_NAME = regex.compile(
    r"(?:^|[-_])(?<!(?:has|no|with|without)[-_])"
    r"(?:logo|brand|banner|masthead|site-?name|site-?title|menu|navbar|nav|footer|sidebar|related|relate"
    r"|lien-?quan|lienquan|tinlienquan|cung-?chuyen-?muc|tin-?khac|tinkhac|bai-?viet-?khac|other|more-?news"
    r"|comments?|share|social|breadcrumbs?)(?:$|[-_])",
    regex.I,
)
# A site header (not an article's own <header>) is furniture too.
_SITE_HEADER_NAME = regex.compile(r"^(?:header|site-?header|top-?header|page-?header|top)$", regex.I)
_LEAD_NAME = regex.compile(r"(?:^|[-_])(?:sapo|lead|summary|description|excerpt|tom-?tat|tomtat|chapeau)(?:$|[-_])", regex.I)
_LEAD_TAGS = ("p", "div", "h2", "h3", "h4", "section", "span", "strong", "em")
_CAPTION_NAME = regex.compile(r"caption|image[-_]?desc|img[-_]?desc|photo[-_]?desc|chu-?thich|chuthich", regex.I)
# The lead sits right under the headline: a date line, an author or a share bar may come
# between, the body may not. Past this much text after the headline, stop looking.
_LEAD_REACH_CHARS = 1_500
_MAX_LEAD_CHARS = 2_000
# Captions trafilatura still drops (a header's picture) are added before the body; past
# this many, a page is a photo gallery and the rest are left out.
_MAX_ADDED_CAPTIONS = 50
# Captions made paragraphs, and <h1> looked at: the first few carry the article; the
# bounds keep walks up the tree from each few on a page of thousands.
_MAX_CAPTIONS = 1_000
_MAX_H1 = 100


@dataclass
class _Article:
    """What is read from the page around trafilatura."""

    headline: str = ""
    lead: str = ""
    # Captions in the headline's article, in page order; those the library drops are added.
    captions: list[str] = field(default_factory=list)


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


def _squeeze(text: str) -> str:
    """One line of text as a reader sees it: NFC, runs of white space as one space."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _parse(page: bytes) -> Any:
    """The page's tree; huge_tree keeps text nodes over libxml2's 10 MB default cap."""
    parser = lxml_html.HTMLParser(huge_tree=True, collect_ids=False, remove_comments=True, remove_pis=True, encoding="utf-8")
    return lxml_html.document_fromstring(page, parser=parser)


def _depth(tree: Any) -> int:
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_size(tree: Any, name: str) -> None:
    """Refuse a page with more text than one page may hold, more elements (inline
    formatting aside) than trafilatura gets through in seconds, or nested so deep that
    the parser dropped part of it."""
    elements = chars = 0
    for element in tree.iter():
        elements += element.tag not in _INLINE
        # each run of text counted with one separator, as the page text will have it
        for run in (element.text if element.tag not in _RAW_TEXT else None, element.tail):
            if run and not run.isspace():
                chars += len(run.strip()) + 1
    if chars > MAX_PAGE_CHARS:
        raise InputError(name, f"the page has {chars:,} characters of text, over the limit of {MAX_PAGE_CHARS:,} for one page")
    if elements > MAX_HTML_ELEMENTS:
        raise InputError(name, f"HTML page has {elements:,} elements (inline formatting aside), "
                               f"over the limit of {MAX_HTML_ELEMENTS:,} for one web page")
    if _depth(tree) >= _PARSER_DEPTH:
        raise InputError(name, f"HTML page nests elements {_PARSER_DEPTH:,} deep (unclosed tags?); what lies deeper cannot be read")


# --- The page's furniture, headline, lead and captions ---------------------------------


def _names(element: Any) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".split()


_ARTICLE, _FURNITURE, _NEUTRAL = "article", "furniture", "neutral"


class _Furniture:
    """Whether an element sits in a menu, a footer, a related-articles list, a site
    header...: looked for up to the nearest <article> or <main>, which is the article.
    Each element's verdict is kept, so asking about every element of a deep page costs
    one walk of it."""

    def __init__(self) -> None:
        self._verdicts: dict[Any, str] = {}

    def __call__(self, element: Any) -> bool:
        chain = []
        above = _NEUTRAL
        for each in (element, *element.iterancestors()):
            if each in self._verdicts:
                above = self._verdicts[each]
                break
            chain.append(each)
        for each in reversed(chain):  # from the top down
            above = self._verdicts[each] = self._own(each, above)
        return above == _FURNITURE

    @staticmethod
    def _own(element: Any, above: str) -> str:
        if element.tag in ("article", "main"):
            return _ARTICLE
        names = _names(element)
        if element.tag in _FURNITURE_TAGS or element.tag == "a" or any(_FURNITURE_NAME.search(n) for n in names):
            return _FURNITURE
        # a site's header; an article's own <header> is not one
        site_header = element.tag == "header" or any(_SITE_HEADER_NAME.match(n) for n in names)
        return _FURNITURE if site_header and above == _NEUTRAL else above


def _words(text: str) -> set[str]:
    return set(regex.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def _likeness(text: str, title: str) -> float:
    """Share of the shorter one's words that the other has: a headline and its og:title
    word the subject alike and differ in length."""
    a, b = _words(text), _words(title)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _headline(tree: Any, title: str, is_furniture: _Furniture) -> Any | None:
    """The article's <h1>: inside <article>/<main> first, else the one worded like the
    metadata title (a site's logo is an <h1> on many portals), else a lone one."""
    found = [h for h in itertools.islice(tree.iter("h1"), _MAX_H1) if _squeeze(h.text_content()) and not is_furniture(h)]
    inside = [h for h in found if any(a.tag in ("article", "main") for a in h.iterancestors())]
    if inside:
        return max(inside, key=lambda h: _likeness(h.text_content(), title)) if title else inside[0]
    if not title:
        return found[0] if found else None
    # the longer of two as like the title: a logo repeats the site's name, the headline more
    best = max(found, key=lambda h: (_likeness(h.text_content(), title), len(h.text_content())), default=None)
    return best if best is not None and _likeness(best.text_content(), title) >= 0.5 else None


def _scope(headline: Any | None, tree: Any) -> Any | None:
    """The element holding the headline's article: its <article>/<main>, else the
    headline's grandparent (portals put the title, lead and body side by side)."""
    if headline is None:
        return next(tree.iter("article", "main"), None)
    for ancestor in headline.iterancestors():
        if ancestor.tag in ("article", "main"):
            return ancestor
    parent = headline.getparent()
    grand = parent.getparent() if parent is not None else None
    return grand if grand is not None and grand.tag not in ("body", "html") else parent


def _is_lead(element: Any, is_furniture: _Furniture) -> bool:
    if element.tag not in _LEAD_TAGS or not any(_LEAD_NAME.search(n) for n in _names(element)):
        return False
    text = _squeeze(element.text_content())
    return 0 < len(text) <= _MAX_LEAD_CHARS and element.find(".//h1") is None and not is_furniture(element)


def _lead(headline: Any | None, scope: Any | None, is_furniture: _Furniture) -> Any | None:
    """The lead paragraph: the first element classed like one ("sapo", "lead",
    "summary", "description"...) soon after the headline (or at the top of the article),
    with no more than a date line or a share bar between them."""
    start = headline if headline is not None else scope
    if start is None:
        return None
    in_headline = set(start.iter()) if headline is not None else set()
    seen, after = 0, headline is None
    for element in (start.getroottree().getroot() if headline is not None else start).iter():
        if not after:
            after = element is start
            continue
        if element in in_headline:
            continue
        if _is_lead(element, is_furniture):
            return element
        seen += len((element.text or "").strip()) + len((element.tail or "").strip())
        if seen > _LEAD_REACH_CHARS:
            return None
    return None


def _captions(tree: Any, is_furniture: _Furniture) -> list[Any]:
    """Caption elements in page order: figcaption, table captions, and elements classed
    as captions ("caption", "image_desc", "chu-thich"...), outside site furniture."""
    found: list[Any] = []
    for element in tree.iter("figcaption", "caption", "p", "div", "span", "em", "i", "small", "td"):
        is_caption = element.tag in ("figcaption", "caption") or any(_CAPTION_NAME.search(n) for n in _names(element))
        if is_caption and _squeeze(element.text_content()) and not is_furniture(element):
            found.append(element)
            if len(found) == _MAX_CAPTIONS:
                break  # a gallery: the rest are left to trafilatura as they are
    # a caption inside another caption is read with its parent
    chosen = set(found)
    return [c for c in found if not any(a in chosen for a in c.iterancestors())]


def _as_paragraph(caption: Any) -> None:
    """Turn a caption into a plain paragraph in place, so trafilatura keeps it."""
    if caption.tag == "caption":
        table = caption.getparent()
        paragraph = etree.Element("p")
        paragraph.text = _squeeze(caption.text_content())
        caption.drop_tree()
        if table is not None:
            table.addprevious(paragraph)
        return
    for figure in caption.iterancestors("figure"):
        figure.tag = "div"
        figure.attrib.clear()
    if caption.tag == "td":
        return  # its table keeps it as a row
    has_blocks = caption.find(".//p") is not None or caption.find(".//div") is not None
    if caption.tag in ("figcaption", "p") or (caption.tag == "div" and not has_blocks):
        caption.tag = "p"
    caption.attrib.clear()


def _read_article(tree: Any, title: str) -> _Article:
    """Find the headline, the lead and the captions; take the lead out of the tree and
    make the captions paragraphs (see the module's docstring)."""
    is_furniture = _Furniture()
    headline = _headline(tree, title, is_furniture)
    scope = _scope(headline, tree)
    article = _Article(headline=_squeeze(headline.text_content()) if headline is not None else "")
    lead = _lead(headline, scope, is_furniture)
    if lead is not None:
        article.lead = _squeeze(lead.text_content())
        lead.drop_tree()
    for caption in _captions(tree, is_furniture):
        if scope is not None and any(a is scope for a in caption.iterancestors()):
            article.captions.append(_squeeze(caption.text_content()))
        _as_paragraph(caption)
    return article


# --- Trafilatura on a lean tree ---------------------------------------------------------


def _lean(tree: Any) -> Any:
    """The tree with inline formatting (and links lost in prose) unwrapped, parsed again
    so that each run of text is one node (see the module's docstring)."""
    holders = Counter(link.getparent() for link in tree.iter("a"))
    for holder, count in holders.items():
        links = holder.findall("a") if count > _MANY_LINKS and holder is not None else []
        # the holder's own text, between its children: what the links are prose within
        prose = len(holder.text or "") + sum(len(child.tail or "") for child in holder)
        if links and sum(len(a.text_content()) for a in links) < prose:
            for link in links:
                link.tag = "span"
    etree.strip_tags(tree, *_INLINE)
    # Scripts and styles are never text, and the date reader searches the whole page
    # source (megabytes of inlined code and images); JSON-LD stays, it holds metadata.
    for code in [e for e in tree.iter(*_RAW_TEXT) if e.tag == "style" or "ld+json" not in (e.get("type") or "")]:
        code.drop_tree()
    return _parse(lxml_html.tostring(tree, encoding="utf-8"))


_TITLE_PARTS = regex.compile(r"\s+[-|–—:»]+\s+")


def _page_title(tree: Any) -> str:
    """og:title, else the longest part of <title> (the rest names the site): what the
    headline is recognized by."""
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title") and meta.get("content"):
            return _squeeze(meta.get("content"))
    title = tree.find(".//title")
    parts = _TITLE_PARTS.split(_squeeze(title.text_content())) if title is not None else []
    return max(parts, key=len, default="")


def _extract(tree: Any, name: str) -> dict[str, Any]:
    import trafilatura  # imported here: it takes a moment, and most files are not HTML
    from trafilatura.settings import set_date_params

    try:
        extracted = trafilatura.bare_extraction(
            tree, include_tables=True, include_comments=False, include_images=False, with_metadata=True, favor_precision=True,
            # htmldate's fast rules (meta tags, JSON-LD, the address, the visible date line)
            # only: its extensive search hands stray text to dateparser, which compiles the
            # patterns of some 200 locales on first use, 12 s for one 819-byte page.
            date_extraction_params=set_date_params(extensive=False),
        )
    except Exception as error:
        raise InputError(name, f"HTML could not be parsed ({type(error).__name__})") from None
    if extracted is None:
        return {}
    return extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)


def _assemble(article: _Article, body: str, title: str) -> str:
    """Headline, lead, the captions the library dropped, then the body."""
    squeezed = _squeeze(body)
    # what is set before the body is not repeated in it (trafilatura may keep the <h1>)
    before = {article.headline, article.lead} - {""}
    lines = [line for line in body.split("\n") if _squeeze(line) not in before]
    body = "\n".join(lines).strip("\n")
    head = article.headline
    if not head and title and not body.lstrip().startswith(title):
        head = title
    dropped = [c for c in article.captions[:_MAX_ADDED_CAPTIONS] if c not in squeezed and c != article.lead]
    return "\n\n".join(part for part in (head, article.lead, *dropped, body) if part)


def load_html(data: bytes, name: str) -> Loaded:
    """One page: the article's headline, lead, captions and text."""
    if len(data) > MAX_HTML_BYTES:
        raise InputError(name, f"HTML page of {describe_bytes(len(data))} is over the {MAX_HTML_BYTES // MB} MB limit for one web page")
    try:
        html, encoding = decode_html(data)
    except NotText as error:
        raise InputError(name, str(error)) from None
    try:
        tree = _parse(_NOT_XML.sub("", html).encode("utf-8", "replace"))
    except (etree.ParserError, ValueError):
        raise InputError(name, "no article text found in the HTML page") from None
    _check_size(tree, name)
    article = _read_article(tree, _page_title(tree))
    lean = _lean(tree)
    depth = _depth(lean)
    if depth > MAX_HTML_DEPTH:
        raise InputError(name, f"HTML page nests elements {depth:,} deep, over the limit of {MAX_HTML_DEPTH} for one web page")
    fields = _extract(lean, name)
    body = _tables_as_tabs(fields.get("text") or "")
    title = (fields.get("title") or "").strip()
    if not (body.strip() or article.lead or article.captions):
        raise InputError(name, "no article text found in the HTML page")
    metadata = {k: str(fields[k]) for k in ("title", "date", "author", "sitename", "url") if fields.get(k)}
    if "title" not in metadata and article.headline:
        metadata["title"] = article.headline
    return Loaded(pages=[_assemble(article, body, title)], encoding=encoding, metadata=metadata)
