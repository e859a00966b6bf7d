"""Imported by the fork server of a bulk run, for its side effect: load the rules, the
segmenter, the tagger and the gazetteers once, so that every worker forked from it starts
warm and shares that memory. Importing it anywhere else only costs a second.
"""

from __future__ import annotations

import importlib

from .pool import warm_up

warm_up()
for _module in ("pypdfium2", "pdfplumber"):  # imported by the PDF loader on first use
    try:
        importlib.import_module(_module)
    except ImportError:
        pass
