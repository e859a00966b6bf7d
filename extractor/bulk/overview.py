"""``index.html``: an overview of a dataset, one self-contained page written with the exports.

Read from the dataset alone (so that ``cli.py export`` writes it again), the same for the
same dataset (no time of the run in it, every list sorted), and safe to open: inline CSS,
a Content-Security-Policy that forbids every script and every fetch, every text escaped.

- a header with counts (documents, files, metrics, failed files) and the extractor
  versions that made the dataset;
- per indicator and year (``section.year#t-{indicator}-{year}``), a table of the
  ``merged_metrics`` rows: subject (linked to its section below), period, score and unit,
  rank / total, independent sources, and each source document linked to its review page
  (``review/<sha16>.html``, at the record the metric came from) with what it states; a
  row whose sources disagree is ``tr.disagree`` and shows every value they give;
- per subject (``section.subject#s-…``), one inline SVG chart per indicator stated for
  at least two years: score (left) and rank (right, 1 at the top) over the years;
- the failed files with their reasons.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any
from urllib.parse import quote

from .dataset import ID_PREFIX

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
REVIEW_FOLDER = "review"

GroupKey = tuple[str, str | None, int | None, str | None, str | None]  # indicator, subject_key, year, period, aggregate

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin: 1.2em 0 .4em; }
dl.counts { display: flex; gap: 2em; margin: .5em 0; } dl.counts div { display: flex; gap: .4em; }
dl.counts dt { color: #666; } dl.counts dd { margin: 0; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.score, td.rank, td.n-sources { white-space: nowrap; }
tr.disagree { background: #fff1d6; } tr.disagree td.score .value, tr.disagree td.rank .value { color: #a33; font-weight: bold; }
.differs { color: #a33; font-size: 90%; } .stated { color: #666; } .or { color: #a33; }
ul.sources { margin: 0; padding-left: 1.1em; } a.source { word-break: break-all; }
figure.chart { display: inline-block; margin: .3em 1em .3em 0; } figcaption { font-weight: bold; }
svg text { font: 10px system-ui, sans-serif; fill: #444; } svg .line { fill: none; stroke-width: 1.5; }
svg .score { stroke: #2a6fb0; fill: #2a6fb0; } svg .rank { stroke: #b0572a; fill: #b0572a; }
svg circle.disagree { fill: #fff; stroke-width: 2; } svg .frame { fill: none; stroke: #ccc; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: object) -> str:
    """A number as the CSV exports write it (85.12, 31)."""
    return str(value)


def _tick(value: float) -> str:
    """An axis label: at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _slug(text: str) -> str:
    """Part of an element id: no whitespace (ids may hold anything else)."""
    return "_".join(text.split())


def review_name(sha256: str) -> str:
    """The review page of a document, inside the dataset's folder."""
    return f"{sha256[:ID_PREFIX]}.html"


# --- what the page shows, read from the dataset ----------------------------------------


@dataclass
class Source:
    """One document's statements of one merged metric."""

    sha256: str
    path: str
    record: str | None  # the record its value came from: the review page's anchor
    scores: set[Any] = field(default_factory=set)
    ranks: set[Any] = field(default_factory=set)
    totals: set[Any] = field(default_factory=set)
    unit: str | None = None


@dataclass
class Overview:
    counts: dict[str, int]
    versions: list[str]
    merged: list[dict[str, Any]]
    sources: dict[GroupKey, list[Source]]
    reviewed: set[str]
    failed: list[tuple[str, str | None]]


def _dicts(conn: sqlite3.Connection, query: str) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(query)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row)) for row in cursor)


def _group(row: dict[str, Any]) -> GroupKey:
    return row["indicator"], row["subject_key"], row["year"], row["period"], row["aggregate"]


# Each metric with the record a reader wants to land on in its review page: the one its
# score was read from, else its rank, else its first evidence.
_SOURCES = """
SELECT indicator, subject_key, year, period, aggregate, sha256, score, unit, rank, rank_total,
       (SELECT r.local_id FROM json_each(m.evidence) AS e JOIN records AS r ON r.sha256 = m.sha256 AND r.local_id = e.value
        ORDER BY CASE WHEN r.kind IN ('score', 'percent', 'count', 'money') THEN 0 WHEN r.kind = 'rank' THEN 1 ELSE 2 END, e.key
        LIMIT 1) AS anchor
FROM metrics AS m ORDER BY sha256, seq
"""


def _read_sources(conn: sqlite3.Connection) -> dict[GroupKey, list[Source]]:
    paths = dict(conn.execute("SELECT sha256, min(path) FROM document_paths WHERE sha256 IS NOT NULL GROUP BY sha256"))
    found: dict[GroupKey, dict[str, Source]] = defaultdict(dict)
    for row in _dicts(conn, _SOURCES):
        by_document = found[_group(row)]
        if row["sha256"] not in by_document:
            by_document[row["sha256"]] = Source(row["sha256"], paths.get(row["sha256"], row["sha256"]), row["anchor"],
                                                unit=row["unit"])
        source = by_document[row["sha256"]]
        for values, value in ((source.scores, row["score"]), (source.ranks, row["rank"]), (source.totals, row["rank_total"])):
            if value is not None:
                values.add(value)
    return {key: sorted(by_document.values(), key=lambda s: (s.path, s.sha256)) for key, by_document in found.items()}


def read_overview(conn: sqlite3.Connection) -> Overview:
    """Everything the page shows, in one read (run it inside the exports' transaction)."""
    one = lambda query: conn.execute(query).fetchone()[0]  # noqa: E731
    counts = {
        "documents": one("SELECT count(*) FROM documents"),
        "files": one("SELECT count(*) FROM document_paths"),
        "metrics": one("SELECT count(*) FROM metrics"),
        "failed": one("SELECT count(*) FROM files WHERE status = 'failed'"),
    }
    return Overview(
        counts=counts,
        versions=[v for v, in conn.execute("SELECT DISTINCT extractor_version FROM documents ORDER BY 1")],
        merged=list(_dicts(conn, "SELECT * FROM merged_metrics")),
        sources=_read_sources(conn),
        reviewed={sha for sha, in conn.execute("SELECT sha256 FROM reviews")},
        failed=list(conn.execute("SELECT coalesce(relative_path, path), error FROM files WHERE status = 'failed' ORDER BY path")),
    )


# --- the page ----------------------------------------------------------------------------


def _sort_key(value: Any) -> tuple:
    """None last, numbers before text (a column SQLite declared NUMERIC may hold either)."""
    return (value is None, not isinstance(value, (int, float)), value if isinstance(value, (int, float)) else str(value))


def _label(row: dict[str, Any]) -> str:
    return row["subject"] or row["subject_key"] or "(no subject)"


def collate(text: str) -> tuple[str, str]:
    """A sort key that puts Vietnamese names in the order a reader expects (Đắk Lắk among
    the D, not after Z): tones and marks aside first, then the text itself.

    >>> sorted(["Đắk Lắk", "Quảng Trị", "Bình Phước", "Điện Biên"], key=collate)
    ['Bình Phước', 'Đắk Lắk', 'Điện Biên', 'Quảng Trị']
    """
    bare = "".join(c for c in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
                   if not unicodedata.combining(c))
    return bare.casefold(), text


def subject_ids(keys: Iterable[str | None]) -> dict[str | None, str]:
    """An element id per subject key ("s-province:Quảng_Trị_(cũ)"), unique even when two
    keys differ only in their spaces."""
    ids: dict[str | None, str] = {}
    taken: set[str] = set()
    for key in sorted(set(keys), key=_sort_key):
        base = "s-" + (_slug(key) if key else "_none")
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        ids[key] = candidate
        taken.add(candidate)
    return ids


def table_id(indicator: str, year: int | None) -> str:
    return f"t-{_slug(indicator)}-{'none' if year is None else year}"


def _values(values: Sequence[Any]) -> str:
    """One value, or every value sources give, set apart."""
    return '<span class="or"> ≠ </span>'.join(f'<span class="value">{_e(_num(v))}</span>' for v in values)


def _listed(row: dict[str, Any], single: str, many: str) -> list[Any]:
    if row[single] is not None:
        return [row[single]]
    return sorted(json.loads(row[many] or "[]"), key=_sort_key)


def _score_cell(row: dict[str, Any]) -> str:
    scores = _listed(row, "score", "scores")
    units = _listed(row, "unit", "units")
    unit = " ".join(f'<span class="unit">{_e(u)}</span>' for u in units)
    data = f' data-score="{_e(_num(scores[0]))}"' if len(scores) == 1 else ""
    return f'<td class="score"{data}>{_values(scores)}{" " + unit if scores and unit else ""}</td>'


def _rank_cell(row: dict[str, Any]) -> str:
    ranks = _listed(row, "rank", "ranks")
    totals = _listed(row, "rank_total", "rank_totals")
    if not ranks:
        return '<td class="rank"></td>'
    total = f" / {_values(totals)}" if totals else ""
    data = f' data-rank="{_e(_num(ranks[0]))}"' if len(ranks) == 1 else ""
    return f'<td class="rank"{data}>{_values(ranks)}{total}</td>'


def _stated(source: Source) -> str:
    parts = []
    if source.scores:
        parts.append(" ≠ ".join(map(_num, sorted(source.scores, key=_sort_key))) + (f" {source.unit}" if source.unit else ""))
    if source.ranks:
        totals = sorted(source.totals, key=_sort_key)
        parts.append(" ≠ ".join(map(_num, sorted(source.ranks, key=_sort_key))) + (f"/{'≠'.join(map(_num, totals))}" if totals else ""))
    return f' <span class="stated">({_e("; ".join(parts))})</span>' if parts else ""


def _source_item(source: Source, reviewed: set[str]) -> str:
    if source.sha256 in reviewed:
        anchor = "#" + quote(source.record, safe="/:@!$&'()*+,;=-._~") if source.record else ""
        href = f"{REVIEW_FOLDER}/{review_name(source.sha256)}{anchor}"
        name = f'<a class="source" href="{_e(href)}" data-sha256="{_e(source.sha256)}">{_e(source.path)}</a>'
    else:  # no review page (made before pages were, or the page could not be made)
        name = f'<span class="source no-review" data-sha256="{_e(source.sha256)}">{_e(source.path)}</span>'
    return f"<li>{name}{_stated(source)}</li>"


def _differs(row: dict[str, Any]) -> str:
    """The disagreeing fields a reader does not see in the score and rank cells."""
    notes = [f"differs: {row['disagreeing_fields']}"]
    for single, many in (("score_change", "score_changes"), ("rank_change", "rank_changes")):
        if row[single] is None and len(json.loads(row[many] or "[]")) > 1:
            notes.append(f"{single}: " + " ≠ ".join(map(_num, _listed(row, single, many))))
    return f'<div class="differs">{_e("; ".join(notes))}</div>'


def _row(row: dict[str, Any], overview: Overview, ids: dict[str | None, str]) -> str:
    disagree = bool(row["disagree"])
    attributes = f' class="metric{" disagree" if disagree else ""}" data-subject-key="{_e(row["subject_key"] or "")}"'
    if disagree:
        attributes += f' data-disagree="{_e(row["disagreeing_fields"])}"'
    period = " ".join(_e(p) for p in (row["period"], row["aggregate"]) if p)
    sources = overview.sources.get(_group(row), [])
    items = "".join(_source_item(s, overview.reviewed) for s in sources)
    return (
        f"<tr{attributes}>"
        f'<td class="subject"><a href="#{_e(ids[row["subject_key"]])}">{_e(_label(row))}</a>{_differs(row) if disagree else ""}</td>'
        f'<td class="period">{period}</td>{_score_cell(row)}{_rank_cell(row)}'
        f'<td class="n-sources" data-documents="{row["n_documents"]}">{row["n_sources"]}</td>'
        f'<td class="sources"><ul class="sources">{items}</ul></td></tr>'
    )


def _row_order(row: dict[str, Any]) -> tuple:
    return (_sort_key(row["rank"]), collate(_label(row)), _sort_key(row["subject_key"]), _sort_key(row["period"]),
            _sort_key(row["aggregate"]))


_HEAD = ('<thead><tr><th>subject</th><th>period</th><th>score</th><th>rank</th>'
         '<th title="independent texts (documents)">sources</th><th>documents</th></tr></thead>')


def _tables(overview: Overview, ids: dict[str | None, str]) -> Iterator[str]:
    by_table: dict[tuple[str, int | None], list[dict[str, Any]]] = defaultdict(list)
    for row in overview.merged:
        by_table[row["indicator"], row["year"]].append(row)
    indicators = sorted({indicator for indicator, _ in by_table})
    yield '<section id="indicators"><h2>Indicators</h2><nav class="toc"><ul>'
    for indicator in indicators:
        years = sorted((y for i, y in by_table if i == indicator), key=_sort_key)
        links = ", ".join(f'<a href="#{_e(table_id(indicator, y))}">{_e("year not stated" if y is None else y)}</a>' for y in years)
        yield f"<li>{_e(indicator)}: {links}</li>"
    yield "</ul></nav>"
    for indicator in indicators:
        yield f'<section class="indicator" data-indicator="{_e(indicator)}"><h2>{_e(indicator)}</h2>'
        for year in sorted((y for i, y in by_table if i == indicator), key=_sort_key):
            rows = sorted(by_table[indicator, year], key=_row_order)
            yield (f'<section class="year" id="{_e(table_id(indicator, year))}" data-indicator="{_e(indicator)}" '
                   f'data-year="{"" if year is None else year}"><h3>{_e(indicator)} {_e("(year not stated)" if year is None else year)}</h3>'
                   f'<table class="merged">{_HEAD}<tbody>')
            yield "".join(_row(row, overview, ids) for row in rows)
            yield "</tbody></table></section>"
        yield "</section>"
    yield "</section>"


# --- charts ------------------------------------------------------------------------------

_W, _H = 380, 150   # the whole chart
_PANEL_W = 170      # each of its two panels
_TOP, _BOTTOM, _LEFT = 18, 20, 36


@dataclass(frozen=True)
class Point:
    year: int
    values: tuple[Any, ...]  # several when sources disagree

    @property
    def agreed(self) -> bool:
        return len(self.values) == 1


def _series(rows: list[dict[str, Any]], single: str, many: str) -> list[Point]:
    """One point per year (a statement without a year has no place on the chart): the
    row without period or aggregate when there is one."""
    by_year: dict[int, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (_sort_key(r["period"]), _sort_key(r["aggregate"]))):
        if isinstance(row["year"], int):
            by_year.setdefault(row["year"], row)
    points = [Point(year, tuple(_listed(row, single, many))) for year, row in sorted(by_year.items())]
    return [p for p in points if p.values and all(isinstance(v, (int, float)) for v in p.values)]


def _panel(points: list[Point], x0: int, years: list[int], kind: str, title: str, bounds: tuple[float, float]) -> list[str]:
    """One panel: a frame, axis labels, a line through agreed values, a dot per value.
    ``bounds`` is the value drawn at the top, then at the bottom."""
    top, bottom = _TOP, _H - _BOTTOM
    left, right = x0 + _LEFT, x0 + _PANEL_W - 8
    first, last = years[0], years[-1]
    at_top, at_bottom = bounds

    def x(year: int) -> float:
        return left + (right - left) * ((year - first) / (last - first) if last != first else 0.5)

    def y(value: float) -> float:
        return top + (bottom - top) * ((value - at_top) / (at_bottom - at_top) if at_bottom != at_top else 0.5)

    parts = [f'<text x="{x0 + _LEFT}" y="11">{_e(title)}</text>',
             f'<rect class="frame" x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"/>']
    if not points:
        return parts + [f'<text x="{left + 4}" y="{(top + bottom) // 2}">not stated</text>']
    parts += [f'<text class="tick" x="{left - 3}" y="{y(v) + 3:.1f}" text-anchor="end">{_e(_tick(v))}</text>'
              for v in dict.fromkeys((at_top, at_bottom))]
    labelled = years if len(years) <= 6 else [first, last]  # more would overlap
    parts += [f'<text class="year" x="{x(year):.1f}" y="{_H - 6}" text-anchor="middle">{year}</text>' for year in labelled]
    for a, b in pairwise(points):
        if a.agreed and b.agreed:
            parts.append(f'<line class="line {kind}" x1="{x(a.year):.1f}" y1="{y(a.values[0]):.1f}" '
                         f'x2="{x(b.year):.1f}" y2="{y(b.values[0]):.1f}"/>')
    for point in points:
        for value in point.values:
            css = f"point {kind}" + ("" if point.agreed else " disagree")
            parts.append(f'<circle class="{css}" data-year="{point.year}" data-value="{_e(_num(value))}" cx="{x(point.year):.1f}" '
                         f'cy="{y(value):.1f}" r="3"><title>{point.year}: {_e(_num(value))}</title></circle>')
    return parts


def _chart(indicator: str, rows: list[dict[str, Any]]) -> str:
    scores, ranks = _series(rows, "score", "scores"), _series(rows, "rank", "ranks")
    years = sorted({p.year for p in scores + ranks})
    if len(years) < 2:
        return ""
    values = [v for p in scores for v in p.values]
    high, low = (max(values), min(values)) if values else (1, 0)
    if high == low:
        high, low = high + 1, low - 1
    totals = [t for row in rows for t in _listed(row, "rank_total", "rank_totals") if isinstance(t, (int, float))]
    deepest = max([v for p in ranks for v in p.values] + totals + [2])
    units = sorted({u for row in rows for u in _listed(row, "unit", "units")})
    score_title = "score" + (f" ({', '.join(units)})" if units else "")
    body = (_panel(scores, 0, years, "score", score_title, (high, low))
            + _panel(ranks, _PANEL_W + 20, years, "rank", "rank (1 at the top)", (1, deepest)))
    return (f'<figure class="chart" data-indicator="{_e(indicator)}"><figcaption>{_e(indicator)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" role="img" '
            f'aria-label="{_e(indicator)}: score and rank by year">{"".join(body)}</svg></figure>')


def _subject_section(key: str | None, rows: list[dict[str, Any]], element_id: str) -> str:
    first = min(rows, key=lambda r: (collate(_label(r)), _sort_key(r["indicator"])))
    facts = " · ".join(_e(f) for f in (key, first["subject_type"], first["province"]) if f)
    charts, single = [], []
    by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_indicator[row["indicator"]].append(row)
    for indicator in sorted(by_indicator):
        chart = _chart(indicator, by_indicator[indicator])
        if chart:
            charts.append(chart)
        else:
            for year in sorted({r["year"] for r in by_indicator[indicator]}, key=_sort_key):
                label = f"{indicator} {'(year not stated)' if year is None else year}"
                single.append(f'<a href="#{_e(table_id(indicator, year))}">{_e(label)}</a>')
    once = f'<p class="single">Stated for one year: {", ".join(single)}</p>' if single else ""
    return (f'<section class="subject" id="{_e(element_id)}" data-subject-key="{_e(key or "")}">'
            f'<h3>{_e(_label(first))}</h3><p class="facts">{facts}</p>{"".join(charts)}{once}</section>')


def _subjects(overview: Overview, ids: dict[str | None, str]) -> Iterator[str]:
    by_subject: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in overview.merged:
        by_subject[row["subject_key"]].append(row)
    order = sorted(by_subject, key=lambda k: (min(collate(_label(r)) for r in by_subject[k]), _sort_key(k)))
    yield '<section id="subjects"><h2>Subjects</h2>'
    yield from (_subject_section(key, by_subject[key], ids[key]) for key in order)
    yield "</section>"


# --- the whole page ----------------------------------------------------------------------


def _header(overview: Overview) -> str:
    counts = "".join(f'<div><dt>{_e(name)}</dt><dd id="count-{_e(name)}">{count}</dd></div>' for name, count in overview.counts.items())
    versions = ", ".join(f"<code>{_e(v)}</code>" for v in overview.versions) or "none"
    return (f'<header><h1>Dataset overview</h1><dl class="counts">{counts}</dl>'
            f'<p class="version">extractor {versions}</p></header>')


def _failed(overview: Overview) -> str:
    rows = "".join(f'<tr><td class="path">{_e(path)}</td><td class="reason">{_e(error or "")}</td></tr>'
                   for path, error in overview.failed)
    body = (f'<table class="failed"><thead><tr><th>file</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>'
            if rows else "<p>None.</p>")
    return f'<section id="failed"><h2>Failed files ({len(overview.failed)})</h2>{body}</section>'


def render_overview(overview: Overview) -> str:
    """The page, as one string."""
    ids = subject_ids(row["subject_key"] for row in overview.merged)
    parts = [
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Dataset overview</title><style>{_STYLE}</style></head><body>",
        _header(overview),
        *_tables(overview, ids),
        *_subjects(overview, ids),
        _failed(overview),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def overview_html(conn: sqlite3.Connection) -> str:
    return render_overview(read_overview(conn))
