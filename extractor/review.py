"""A review page per document: the metrics, then every page's text with every record
highlighted, and for a PDF each page's image with the records' boxes on it.

The page is one self-contained HTML file: inline CSS, images as ``data:`` URIs, no
script at all, and a Content-Security-Policy that forbids scripts and fetching anything,
so a file opened from disk shows the document and runs nothing the document holds.

Selectors a test (or a reader's tool) can rely on:

- ``mark.rec[data-record]``: one per record, ``id`` = ``data-record`` = the record's id,
  ``data-kind`` its kind, ``title`` its value, rule and table cell;
- ``table.metrics tr.metric[data-metric]``: one row per metric; ``a.evidence`` in it link
  to the records the metric joins, ``a.value`` to the record a value was read from;
- ``h2#page-N``, ``div.page-text[data-page=N]`` and ``ul.cells`` (records read from a table
  cell that is not in the page text);
- ``img.page-image[data-page=N]`` inside ``div.page-box``, and ``a.box[data-box-for]``
  over it, one per box of a record (records carry ``bbox`` when read from a PDF).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import InputError
from .limits import DOCUMENT_TIMEOUT_S
from .output import atomic_file
from .paths import display_name
from .pipeline import extract_files
from .records import RECORD_KINDS, Extraction, Metric
from .review_css import KIND_COLOURS, style_sheet
from .review_marks import esc, mark_text, number, open_mark, signed
from .review_pdf import PageImages, render_page_images

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

# Which records a metric's field is read from, and the attribute that holds the value.
_FIELD_SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "score": (("score", "percent", "count", "money"), "value"),
    "rank": (("rank",), "rank"),
    "rank_total": (("rank",), "total"),
    "score_change": (("score_change",), "value"),
    "rank_change": (("rank_change",), "value"),
    "compared_to": (("score_change", "rank_change"), "compared_to"),
}
# The metrics table column an alternative value of a field belongs to.
_ALT_COLUMN = {"unit": "score", "rank_total": "rank"}


def render_review(extraction: Extraction, *, pdf: bytes | None = None, page_images: bool = True) -> str:
    """The review page of one document, as HTML text.

    ``extraction`` must hold the pages' text (made with ``include_text=True``); ``pdf``,
    the PDF file's bytes, adds each page's image with the records' boxes.
    """
    if extraction.pages is None:
        raise ValueError("a review page needs the pages' text: extract with include_text=True")
    images = PageImages()
    if pdf is not None and page_images:
        images = render_page_images(pdf, [p.number for p in extraction.pages], extraction.records)
    placed, apart = _place(extraction)
    body = [
        _header(extraction, images.note),
        _metrics_section(extraction),
        _legend(extraction.records),
        *(_page_section(page.number, page.text, placed.get(page.number, []), apart.pop(page.number, []), images)
          for page in extraction.pages),
        _orphans(apart),
    ]
    name = extraction.source.title or Path(extraction.source.path).name
    return _document(f"Review · {name}", "\n".join(part for part in body if part))


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{style_sheet()}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# --- where each record is shown -------------------------------------------------------


def _place(extraction: Extraction) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Records by page: those found in the page's text, and those shown apart (a cell read alone)."""
    texts = {page.number: page.text for page in extraction.pages or []}
    placed: dict[int, list[Any]] = {}
    apart: dict[int, list[Any]] = {}
    for record in extraction.records:
        text = texts.get(record.page)
        inside = record.cell_text is None and text is not None and text[record.start : record.end] == record.surface
        (placed if inside else apart).setdefault(record.page, []).append(record)
    return placed, apart


def _page_section(number: int, text: str, records: Sequence[Any], apart: Sequence[Any], images: PageImages) -> str:
    box = images.boxes.get(number, "")
    return (
        f'<section class="page" data-page="{number}">\n<h2 id="page-{number}">Page {number}</h2>\n'
        f'<div class="page-body">{box}<div class="page-text" data-page="{number}">{mark_text(text, records)}</div></div>\n'
        f"{_apart_list(apart)}</section>"
    )


def _apart_list(records: Sequence[Any]) -> str:
    if not records:
        return ""
    items = "".join(f'<li data-page="{r.page}">{_apart_item(r)}</li>\n' for r in records)
    return f'<h3>Cells read alone</h3>\n<ul class="cells">\n{items}</ul>\n'


def _apart_item(record: Any) -> str:
    mark = f"{open_mark(record)}{esc(record.surface)}</mark>"
    cell = record.cell_text
    if cell is None:
        return f"not found in the page text: {mark}"
    where = f"table {record.table} row {record.row} col {record.col}: " if record.table is not None else ""
    if cell[record.start : record.end] != record.surface:
        return f'{esc(where)}<span class="cell">{esc(cell)}</span> → {mark}'
    return f'{esc(where)}<span class="cell">{esc(cell[: record.start])}{mark}{esc(cell[record.end :])}</span>'


def _orphans(apart: dict[int, list[Any]]) -> str:
    """Records on a page the extraction has no text for (none should be): still one mark each."""
    records = [record for page in sorted(apart) for record in apart[page]]
    if not records:
        return ""
    items = "".join(f"<li>page {r.page}: {open_mark(r)}{esc(r.surface)}</mark></li>\n" for r in records)
    return f'<section class="orphans"><h2>Records on pages without text</h2>\n<ul class="cells">\n{items}</ul></section>'


# --- header and legend -----------------------------------------------------------------


def _header(extraction: Extraction, images_note: str | None) -> str:
    source = extraction.source
    fields = [
        ("Path", source.path), ("Format", source.format), ("Pages", source.pages), ("SHA-256", source.sha256),
        ("Title", source.title), ("Encoding", source.encoding), ("Published", source.published), ("Author", source.author),
        ("OCR'd pages", ", ".join(str(n) for n in source.ocr_pages) or "none"),
        ("Found", f"{len(extraction.records)} records, {len(extraction.metrics)} metrics"),
    ]
    rows = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in fields if value is not None)
    warnings = "".join(f"<li>{esc(w)}</li>" for w in extraction.warnings) or '<li class="none">None.</li>'
    notes = f'<p class="note">{esc(images_note)}</p>\n' if images_note else ""
    return (
        f'<header>\n<h1>{esc(source.title or Path(source.path).name)}</h1>\n<dl class="source">{rows}</dl>\n{notes}'
        f'<nav><a href="#metrics">Metrics</a> · <a href="#legend">Highlights</a> · <a href="#page-1">Page 1</a></nav>\n'
        f'<section class="warnings"><h2 id="warnings">Warnings ({len(extraction.warnings)})</h2>\n'
        f'<ul class="warnings">{warnings}</ul></section>\n</header>'
    )


def _legend(records: Sequence[Any]) -> str:
    counts = {kind: 0 for kind in RECORD_KINDS}
    for record in records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    items = "".join(
        f'<li><span class="swatch k-{esc(kind)}">{esc(kind)}</span> {count}</li>' for kind, count in counts.items() if kind in KIND_COLOURS
    )
    return (f'<h2 id="legend">Highlights by kind</h2>\n<ul class="legend">{items}</ul>\n'
            '<p class="note">Hover a highlight for its value, rule and table cell; a box on a page image links to its highlight.</p>')


# --- the metrics table -----------------------------------------------------------------

_COLUMNS = ("Indicator", "Subject", "Year", "Period", "Score", "Rank", "Score change", "Rank change", "Compared to",
            "Aggregate", "Evidence", "Notes")


def _metrics_section(extraction: Extraction) -> str:
    if not extraction.metrics:
        return '<h2 id="metrics">Metrics (0)</h2>\n<p class="note">No metrics were found in this document.</p>'
    by_id = {record.id: record for record in extraction.records}
    head = "".join(f"<th>{esc(c)}</th>" for c in _COLUMNS)
    rows = "\n".join(_metric_row(metric, by_id) for metric in extraction.metrics)
    return (f'<h2 id="metrics">Metrics ({len(extraction.metrics)})</h2>\n'
            f'<table class="metrics">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>')


def _metric_row(metric: Metric, by_id: dict[str, Any]) -> str:
    score = _linked(metric, "score", f"{number(metric.score)}{_unit(metric.unit)}", by_id)
    cells = [
        _cell(metric, "indicator", esc(metric.indicator)),
        _cell(metric, "subject", esc(metric.subject or ""), after=_subject_id(metric)),
        _cell(metric, "year", esc(metric.year if metric.year is not None else "")),
        _cell(metric, "period", esc(metric.period or "")),
        _cell(metric, "score", score if metric.score is not None else "", num=True),
        _cell(metric, "rank", _rank(metric, by_id), num=True),
        _cell(metric, "score_change", _linked(metric, "score_change", signed(metric.score_change), by_id), num=True),
        _cell(metric, "rank_change", _linked(metric, "rank_change", signed(metric.rank_change), by_id), num=True),
        _cell(metric, "compared_to", _linked(metric, "compared_to", str(metric.compared_to or ""), by_id)),
        _cell(metric, "aggregate", esc(metric.aggregate or "")),
        f'<td class="evidence">{_evidence(metric.evidence, by_id, "evidence")}</td>',
        f'<td class="notes">{_notes(metric, by_id)}</td>',
    ]
    classes = "metric conflict" if metric.conflict else "metric"
    return f'<tr class="{classes}" data-metric="{esc(metric.id)}">{"".join(cells)}</tr>'


def _unit(unit: str | None) -> str:
    if not unit:
        return ""
    return unit if unit == "%" else f" {unit}"


def _subject_id(metric: Metric) -> str:
    detail = " · ".join(esc(part) for part in (metric.subject_type, metric.subject_id) if part)
    return f'<span class="subject-id">{detail}</span>' if detail else ""


def _rank(metric: Metric, by_id: dict[str, Any]) -> str:
    if metric.rank is None:
        return esc(f"?/{metric.rank_total}") if metric.rank_total is not None else ""
    rank_record = _source_record(metric, "rank", by_id)
    total_record = _source_record(metric, "rank_total", by_id)
    if metric.rank_total is None:
        return _link(rank_record, str(metric.rank))
    if total_record is None or total_record is rank_record:
        return _link(rank_record, f"{metric.rank}/{metric.rank_total}")
    return f"{_link(rank_record, str(metric.rank))}/{_link(total_record, str(metric.rank_total))}"


def _cell(metric: Metric, field: str, content: str, *, num: bool = False, after: str = "") -> str:
    """A value cell: flagged when the document gives other values, italic when inferred."""
    classes = ["num"] if num else []
    titles = []
    alternatives = [a for a in metric.alternatives if _ALT_COLUMN.get(a.field, a.field) == field]
    if alternatives:
        classes.append("has-alt")
        titles.append("other values in the document: " + "; ".join(f"{a.field} {_alt_value(a.value)}" for a in alternatives))
    inference = next((i for i in metric.inferred_from if i.field == field), None)
    if inference is not None:
        content = (f'<a class="inferred" href="#page-{inference.page}" title="{esc(_inferred_title(inference))}">'
                   f"{content}</a>")
    elif field in metric.inferred:
        content = f'<span class="inferred" title="inferred from context">{content}</span>'
    title = f' title="{esc(" · ".join(titles))}"' if titles else ""
    class_attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{class_attr}{title} data-field=\"{field}\">{content}{after}</td>"


def _inferred_title(inference: Any) -> str:
    return (f"{inference.field} inferred from the {inference.source}: “{inference.surface}” "
            f"(page {inference.page}, characters {inference.start}–{inference.end})")


def _alt_value(value: Decimal | int | str | None) -> str:
    return number(value) if isinstance(value, Decimal | int) else str(value or "")


def _source_record(metric: Metric, field: str, by_id: dict[str, Any]) -> Any | None:
    """The evidence record the value of ``field`` was read from: one of its kinds holding that value.

    A score or a change may be rescaled or signed by the metric (a rank change read as
    "giảm 3 bậc"), so those fall back to the first record of a matching kind; a total or
    a comparison year is linked only to a record that holds it.
    """
    kinds, attribute = _FIELD_SOURCES[field]
    value = getattr(metric, field)
    candidates = [by_id[rid] for rid in metric.evidence if rid in by_id and by_id[rid].kind in kinds]
    if value is None or not candidates:
        return None
    matching = [r for r in candidates if getattr(r, attribute, None) == value]
    if matching:
        return matching[0]
    return candidates[0] if field in ("score", "rank", "score_change", "rank_change") else None


def _linked(metric: Metric, field: str, text: str, by_id: dict[str, Any]) -> str:
    return _link(_source_record(metric, field, by_id), text)


def _link(record: Any | None, text: str) -> str:
    if record is None:
        return esc(text)
    return f'<a class="value" href="#{esc(record.id)}" title="{esc(record.kind)}: {esc(record.surface)}">{esc(text)}</a>'


def _evidence(ids: Iterable[str], by_id: dict[str, Any], css_class: str) -> str:
    links = []
    for rid in ids:
        record = by_id.get(rid)
        if record is None:  # not a record of this document: nothing to link to
            links.append(f'<span class="{css_class} missing">{esc(rid)}</span>')
        else:
            links.append(f'<a class="{css_class}" href="#{esc(rid)}" title="{esc(rid)}">{esc(record.surface)}</a>')
    return " ".join(links)


def _notes(metric: Metric, by_id: dict[str, Any]) -> str:
    parts = []
    if metric.conflict:
        parts.append('<span class="flag conflict">conflict</span>')
    if metric.alternatives:
        items = "".join(
            f"<li>{esc(a.field)}: {esc(_alt_value(a.value))} {_evidence(a.evidence, by_id, 'alt-evidence')}</li>" for a in metric.alternatives
        )
        parts.append(f'<ul class="alternatives">{items}</ul>')
    if metric.inferred:
        parts.append(f'<span class="inferred">inferred: {esc(", ".join(metric.inferred))}</span>')
    return "".join(parts)


# --- writing review pages ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewOutcome:
    """One input of ``cli.py review``: the page written, or the one-line reason it was not."""

    path: str
    written: Path | None = None
    error: str | None = None


def review_file_name(path: str | os.PathLike[str]) -> str:
    """The review page's file name for a document: its stem and ``.html``.

    >>> review_file_name("corpus/dev/quang-tri-par-2023.txt"), review_file_name("x/bảng.scan.pdf")
    ('quang-tri-par-2023.html', 'bảng.scan.html')
    """
    return f"{Path(path).stem}.html"


def prepare_out(out: str | os.PathLike[str]) -> Path:
    """The output folder, created if needed; an :class:`InputError` if it cannot be one."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(display_name(out), "is a file; -o takes a folder for the review pages")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(display_name(out), f"cannot create the folder ({error.strerror})") from None
    return folder


def write_reviews(
    paths: Iterable[str], out: str | os.PathLike[str], *, force: bool = False, page_images: bool = True,
    timeout: float | None = DOCUMENT_TIMEOUT_S,
) -> Iterator[ReviewOutcome]:
    """Write ``OUT/<stem>.html`` for each document, in order; a bad input gives an error outcome.

    The folder is checked (and created) now, so a bad ``out`` raises :class:`InputError`
    before any document is read. An existing page is kept unless ``force``; two inputs
    with one stem in a run (``a.txt``, ``a.pdf``) give ``a.html`` and ``a.pdf.html``.
    """
    folder = prepare_out(out)
    return _write_each(list(paths), folder, force=force, page_images=page_images, timeout=timeout)


def _write_each(paths: list[str], folder: Path, *, force: bool, page_images: bool, timeout: float | None) -> Iterator[ReviewOutcome]:
    used: set[str] = set()
    for path in paths:
        target = folder / _unique_name(path, used)
        if target.exists() and not force:
            yield ReviewOutcome(path, error=f"{display_name(target)}: already exists; use --force to overwrite it")
            continue
        outcome = next(extract_files([path], include_text=True, timeout=timeout))
        if outcome.extraction is None:
            yield ReviewOutcome(path, error=outcome.error)
            continue
        try:
            pdf = Path(path).read_bytes() if outcome.extraction.source.format == "pdf" else None
            html = render_review(outcome.extraction, pdf=pdf, page_images=page_images)
            with atomic_file(target, newline="\n") as handle:
                handle.write(html)
        except OSError as error:
            yield ReviewOutcome(path, error=f"{display_name(target)}: cannot write ({error.strerror or error})")
            continue
        except Exception as error:  # a bug of ours on one document must not stop the others
            detail = " ".join(str(error).split()) or "no message"
            yield ReviewOutcome(path, error=f"{display_name(path)}: internal error ({type(error).__name__}: {detail}); please report it")
            continue
        yield ReviewOutcome(path, written=target)


def _unique_name(path: str, used: set[str]) -> str:
    name = review_file_name(path)
    if name in used:
        name = f"{Path(path).name}.html"
    base, n = name[: -len(".html")], 2
    while name in used:
        name, n = f"{base}-{n}.html", n + 1
    used.add(name)
    return name
