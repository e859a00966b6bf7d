"""The inline style sheet of a review page, and a colour per record kind."""

from __future__ import annotations

# Light fills that dark text stays readable on; the same hue, darker, outlines boxes.
KIND_COLOURS = {
    "score": "#ffd54f",
    "percent": "#ffb74d",
    "rank": "#81d4fa",
    "score_change": "#c5e1a5",
    "rank_change": "#80cbc4",
    "count": "#e0e0e0",
    "ratio": "#ce93d8",
    "money": "#a5d6a7",
    "date": "#f48fb1",
    "period": "#f8bbd0",
    "legal_ref": "#b0bec5",
}

_BASE = """
body { font: 15px/1.5 system-ui, "Segoe UI", "Noto Sans", sans-serif; margin: 0 auto; padding: 1rem 1.5rem; max-width: 110rem;
       color: #1a1a1a; background: #fafafa; }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #ccc; }
dl.source { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 1rem; }
dl.source dt { font-weight: 600; }
dl.source dd { margin: 0; overflow-wrap: anywhere; }
.warnings li { color: #8a4b00; }
.warnings li.none { color: #555; }
.note { color: #555; font-style: italic; }
table.metrics { border-collapse: collapse; font-size: .9rem; width: 100%; }
table.metrics th, table.metrics td { border: 1px solid #ccc; padding: .2rem .4rem; vertical-align: top; text-align: left; }
table.metrics th { background: #eee; position: sticky; top: 0; }
table.metrics tr.conflict td { background: #fff3e0; }
table.metrics td.num { text-align: right; white-space: nowrap; }
td.has-alt { outline: 2px solid #e65100; outline-offset: -2px; }
.inferred { font-style: italic; color: #4a148c; }
.subject-id { display: block; color: #666; font-size: .8rem; }
.flag { display: inline-block; background: #e65100; color: #fff; border-radius: 3px; padding: 0 .3rem; font-size: .75rem; }
ul.alternatives { margin: .2rem 0 0; padding-left: 1.1rem; }
a.evidence, a.alt-evidence { display: inline-block; margin: 0 .3rem .1rem 0; font-size: .8rem; }
a.value { color: inherit; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .8rem; list-style: none; padding: 0; }
.page-body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.page-box { max-width: 100%; flex: 0 1 auto; border: 1px solid #bbb; background: #fff; }
.page-box img.page-image { display: block; width: 100%; height: auto; }
a.box { display: block; border: 1.5px solid rgba(0, 0, 0, .6); box-sizing: border-box; }
a.box:hover, a.box:focus { border: 2px solid #d50000; }
.page-text { white-space: pre-wrap; overflow-wrap: anywhere; font: .95rem/1.6 system-ui, "Noto Sans", "DejaVu Sans", sans-serif;
             flex: 1 1 32rem; min-width: 20rem; background: #fff; border: 1px solid #ddd; padding: .6rem .8rem; margin: 0; }
mark.rec, .rec-cont { border-radius: 2px; padding: 0 1px; color: inherit; }
mark.rec mark.rec { box-shadow: inset 0 -3px 0 #333; }
mark.rec:target { outline: 3px solid #d50000; outline-offset: 1px; }
ul.cells { font-size: .9rem; }
ul.cells .cell { white-space: pre-wrap; }
.swatch { border-radius: 3px; padding: 0 .3rem; }
"""


def style_sheet() -> str:
    """The page's CSS: the layout above and a fill colour per record kind."""
    kinds = "\n".join(
        f".k-{kind} {{ background: {colour}; }}\na.box.k-{kind} {{ background: {colour}66; }}"  # see-through over the page
        for kind, colour in KIND_COLOURS.items()
    )
    return _BASE + kinds + "\n"
