"""Many documents into one dataset: ``cli.py bulk`` and ``cli.py export``.

- :mod:`.process`: the per-document work, a pure function from a file to a result;
- :mod:`.walk`: from INPUT arguments (files, folders, globs) to files;
- :mod:`.pool`: worker processes under a supervisor (time limit, crashes);
- :mod:`.dataset`: the SQLite schema and how results are written;
- :mod:`.export`: JSONL and CSV files written from the database;
- :mod:`.progress`: a live display on a terminal (rich), log lines elsewhere;
- :mod:`.run`: a whole run, from inputs to dataset and exports.
"""

from __future__ import annotations

from .dataset import DATABASE, DatasetError
from .export import export
from .process import DocumentResult, extractor_version, process
from .run import DEFAULT_TIMEOUT_S, RunError, Summary, describe, run_bulk
from .walk import DOCUMENT_SUFFIXES

SUFFIXES_TEXT = ", ".join(f"*{suffix}" for suffix in sorted(DOCUMENT_SUFFIXES))

__all__ = [
    "DATABASE",
    "DEFAULT_TIMEOUT_S",
    "DOCUMENT_SUFFIXES",
    "SUFFIXES_TEXT",
    "DatasetError",
    "DocumentResult",
    "RunError",
    "Summary",
    "describe",
    "export",
    "extractor_version",
    "process",
    "run_bulk",
]
