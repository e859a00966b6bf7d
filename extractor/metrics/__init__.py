"""Metric records: what a document says about one index, for one subject and year.

Records say "81,42 điểm" and "xếp hạng thứ 27/63"; a metric says that these are the
PAR Index of Điện Biên for 2019. The package reads each page once (:mod:`.view`), sets
the document's frame from its title and header (:mod:`.frame`), types the mentions
(:mod:`.mentions`), links values clause by clause with the cues of extractor/patterns/cues/
(:mod:`.link`, :mod:`.enumerations`), reads table rows (:mod:`.table_rows`) and merges
statements into metrics (:mod:`.merge`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Metric, Record
from ..tables import Table, find_tables
from .frame import Frame, build_frame
from .link import Context, link_page
from .merge import identify_subjects, join_years, merge
from .statement import Statement
from .table_rows import TableContext, table_statements
from .view import PageView

__all__ = ["PageView", "assemble", "assemble_views"]

# A document ranking this many subjects is a ranking, not a text about one place: a value
# no subject is named for is then the whole's (an aggregate), not the title's place's.
MANY_SUBJECTS = 3


def assemble(
    pages: Sequence[tuple[int, str]], records: Sequence[Record], tables: dict[int, list[Table]] | None = None
) -> tuple[list[Metric], list[str]]:
    """Metrics of a document from its pages' text, records and tables (default: those set
    out with tabs or spaces in the text); warnings for conflicts."""
    views = [PageView.build(number, text, records, find_tables(text) if tables is None else tables.get(number, []))
             for number, text in pages]
    return assemble_views(views)


def assemble_views(views: Sequence[PageView]) -> tuple[list[Metric], list[str]]:
    """Metrics of a document whose pages are analysed already; warnings for conflicts."""
    if not views:
        return [], []
    frame = build_frame(views[0])
    context, table_context = Context(frame), TableContext()
    statements: list[Statement] = []
    for view in views:
        in_tables = list(table_statements(view, frame.subject, table_context, context.index_years))
        used = {e for s in in_tables for e in s.evidence}
        statements += in_tables + link_page(view, context, used)
    _resolve_subjects(statements, frame)
    join_years(statements, {view.number: view.text for view in views})
    _point_to_title(statements, frame)
    warnings = identify_subjects(statements, frame.province)
    metrics, conflicts = merge(statements)
    return metrics, warnings + conflicts


def _resolve_subjects(statements: list[Statement], frame: Frame) -> None:
    """A statement no subject is named for: the document's place, unless the document
    ranks many subjects (then it is the whole's figure)."""
    named = {s.subject for s in statements if s.explicit_subject and not s.aggregate}
    many = len(named) >= MANY_SUBJECTS
    for s in statements:
        if s.subject is None and not s.aggregate:
            if many or frame.mention is None:
                s.aggregate = many
                s.inferred = [i for i in s.inferred if i != "subject"]  # nothing was filled in
            else:
                s.take_subject(frame.mention)
                s.infer("subject", frame.subject_from)


def _point_to_title(statements: list[Statement], frame: Frame) -> None:
    """An inferred field that no mention was recorded for, equal to the title's: the title
    gave it (table rows read their year and subject from the document)."""
    for s in statements:
        for name, value, source in (("subject", frame.subject, frame.subject_from), ("year", frame.year, frame.year_from)):
            if name in s.inferred and getattr(s, name) == value and all(i.field != name for i in s.inferred_from):
                s.infer(name, source)
