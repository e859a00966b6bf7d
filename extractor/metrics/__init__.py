"""Metric records: what a document says about one index, for one subject and year.

Records say "81,42 điểm" and "xếp hạng thứ 27/63"; a metric says that these are the
PAR Index of Điện Biên for 2019. The package reads each page once (:mod:`.view`), sets
the document's frame from its title and header (:mod:`.frame`), types the mentions
(:mod:`.mentions`), links values clause by clause with the cues of patterns/cues/
(:mod:`.link`, :mod:`.enumerations`), reads table rows (:mod:`.table_rows`) and merges
statements into metrics (:mod:`.merge`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Metric, Record
from ..tables import Table, find_tables
from .frame import build_frame
from .link import Context, link_page
from .merge import join_years, merge
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
    _resolve_subjects(statements, frame.subject)
    join_years(statements)
    return merge(statements)


def _resolve_subjects(statements: list[Statement], frame_subject: str | None) -> None:
    """A statement no subject is named for: the document's place, unless the document
    ranks many subjects (then it is the whole's figure)."""
    named = {s.subject for s in statements if s.explicit_subject and not s.aggregate}
    many = len(named) >= MANY_SUBJECTS
    for s in statements:
        if s.subject is None and not s.aggregate:
            if many or frame_subject is None:
                s.aggregate = many
            else:
                s.subject = frame_subject
