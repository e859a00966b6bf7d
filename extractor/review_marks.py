"""Highlights for a review page: each record as one ``<mark>`` over the page's text.

Everything that comes from the document (text, surfaces, values, rule ids) is escaped
here with :func:`html.escape`, quotes included, so nothing in a document can become
markup or an attribute of ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any


def esc(value: object) -> str:
    """Text or attribute content: every markup character escaped, quotes included."""
    return escape(str(value), quote=True)


def number(value: Decimal | int | float | None) -> str:
    """A number as the JSON output writes it, without an exponent.

    >>> number(Decimal("85.12")), number(Decimal("1.5E+6")), number(Decimal("12.50")), number(-3)
    ('85.12', '1500000', '12.50', '-3')
    """
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") if value != value.to_integral_value() else str(int(value))
    return str(value)


def signed(value: Decimal | int | None) -> str:
    """
    >>> signed(Decimal("1.39")), signed(-6), signed(0)
    ('+1.39', '-6', '0')
    """
    text = number(value)
    return f"+{text}" if value is not None and value > 0 else text


def _approx(record: Any) -> str:
    symbols = {"gt": "> ", "ge": "≥ ", "lt": "< ", "le": "≤ ", "about": "≈ "}
    return symbols.get(getattr(record, "approx", None) or "", "")


def _versus(record: Any) -> str:
    return f" vs {record.compared_to}" if record.compared_to is not None else ""


def _legal_ref(record: Any) -> str:
    parts = [record.symbol or record.title or record.doc_type or record.number or ""]
    if record.provision:
        parts.append(record.provision)
    if record.issued:
        parts.append(f"issued {record.issued}")
    return ", ".join(p for p in parts if p)


def value_summary(record: Any) -> str:
    """The parsed value of a record in a few characters, as its highlight's title shows it."""
    kind = record.kind
    if kind in ("count", "money"):
        unit = "VND" if kind == "money" else (record.unit or "")
        return f"{_approx(record)}{number(record.value)} {unit}".strip()
    if kind == "percent":
        upper = f"–{number(record.value_max)}" if record.value_max is not None else ""
        return f"{_approx(record)}{number(record.value)}{upper}%"
    if kind == "score":
        return f"{number(record.value)} {record.unit or ''}".strip()
    if kind in ("score_change", "rank_change"):
        unit = f" {record.unit}" if getattr(record, "unit", None) else ""
        return f"{signed(record.value)}{unit}{_versus(record)}"
    if kind == "rank":
        total = f"/{record.total}" if record.total is not None else ""
        return f"{_approx(record)}{record.rank}{total}"
    if kind == "ratio":
        return f"{number(record.numerator)}/{number(record.denominator)}"
    if kind == "date":
        return record.value or "/".join(str(p) for p in (record.day, record.month) if p is not None)
    if kind == "period":
        return f"{record.start_year}–{record.end_year if record.end_year is not None else 'nay'}"
    if kind == "legal_ref":
        return _legal_ref(record)
    return record.surface


def record_title(record: Any) -> str:
    """``kind: value · rule id`` and, for a table cell, where in the table (unescaped)."""
    title = f"{record.kind}: {value_summary(record)} · rule {record.rule}"
    if record.table is not None:
        title += f" · table {record.table} row {record.row} col {record.col}"
    if record.ocr:
        title += " · OCR: check the page image"
    return title


def open_mark(record: Any) -> str:
    """The one element that carries the record's id."""
    rid, kind = esc(record.id), esc(record.kind)
    return (f'<mark class="rec k-{kind}" id="{rid}" data-record="{rid}" data-kind="{kind}" '
            f'title="{esc(record_title(record))}">')


def _open_continuation(record: Any) -> str:
    # Only for spans that overlap without nesting (resolve() keeps none today): the part
    # after the break has no id, so the record still has exactly one element with it.
    return f'<span class="rec-cont k-{esc(record.kind)}" data-cont-of="{esc(record.id)}" title="{esc(record_title(record))}">'


def _close(record: Any, continued: set[str]) -> str:
    return "</span>" if record.id in continued else "</mark>"


def mark_text(text: str, records: Sequence[Any]) -> str:
    """``text`` escaped, with a ``<mark>`` around each record's ``text[start:end]``.

    Records are opened and closed in order of their offsets; an outer record opens
    before an inner one that starts at the same place (a legal reference and its date).

    >>> from types import SimpleNamespace as R
    >>> ref = R(id="r", kind="legal_ref", start=0, end=8, rule="x", table=None, ocr=False, surface="QĐ 1/2014",
    ...         symbol="1/2014", title=None, doc_type=None, number=None, provision=None, issued=None)
    >>> date = R(id="d", kind="date", start=3, end=8, rule="y", table=None, ocr=False, value="2014", day=None, month=None)
    >>> html = mark_text("QĐ 1/2014 <b>", [date, ref])
    >>> html.count("<mark"), html.index('id="r"') < html.index('id="d"'), html.endswith(" &lt;b&gt;")
    (2, True, True)
    """
    order = sorted(records, key=lambda r: (r.start, -r.end))
    cuts = sorted({0, len(text)} | {r.start for r in order} | {r.end for r in order})
    starting: dict[int, list[Any]] = {}
    for record in order:
        starting.setdefault(record.start, []).append(record)
    out: list[str] = []
    stack: list[Any] = []  # open records, outermost first
    continued: set[str] = set()  # ids whose open element is a continuation span
    previous = 0
    for cut in cuts:
        out.append(esc(text[previous:cut]))
        previous = cut
        _close_ending(cut, stack, continued, out)
        for record in starting.get(cut, []):
            out.append(open_mark(record))
            if record.end == cut:  # an empty span still gets its element
                out.append("</mark>")
            else:
                stack.append(record)
    return "".join(out)


def _close_ending(cut: int, stack: list[Any], continued: set[str], out: list[str]) -> None:
    """Close the records that end at ``cut``; any still open inside them is closed and reopened."""
    depth = next((i for i, r in enumerate(stack) if r.end == cut), None)
    if depth is None:
        return
    popped = stack[depth:]
    del stack[depth:]
    for record in reversed(popped):
        out.append(_close(record, continued))
    for record in popped:
        if record.end != cut:
            out.append(_open_continuation(record))
            continued.add(record.id)
            stack.append(record)
