"""JSONL and CSV files written from the dataset, beside it, each through a temporary file.

- ``records.jsonl`` / ``metrics.jsonl``: one record / metric per line as ``extract``
  prints it, with the ``sha256`` and ``path`` of its document in front, ``id`` being the
  dataset's id (unique over the dataset) and ``local_id`` the document's own (``id`` in
  ``extract``; a metric's ``evidence`` lists local ids of its document's records);
- ``records.csv`` / ``metrics.csv``: the same, one row each, the kind's own fields of a
  record (and a metric's lists: ``evidence``, ``inferred``, ``inferred_from``,
  ``alternatives``) as JSON in a cell;
- ``subjects.csv``: the ``subjects`` table, one row per subject identity;
- ``merged_metrics.csv``: the ``merged_metrics`` view, one row per indicator, subject
  identity, year, period and aggregate across documents, with its sources, how many are
  independent and whether they disagree;
- ``documents.csv``: the ``files`` view, one row per path, failed ones with their reason;
- ``index.html``: an overview of the dataset (:mod:`.overview`), its count the rows of
  ``merged_metrics`` it shows;
- ``review/<sha16>.html``: each document's review page, from the ``reviews`` table (the
  first 16 hex digits of its sha256, as in the dataset's ids); pages of documents that
  left the dataset are removed. Its count is the pages the folder holds.

A document with several paths is named by the first of them in alphabetical order.
CSV files are UTF-8 (no byte-order mark), comma-separated, with a header row.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .dataset import ID_PREFIX, RECORD_BASE, RECORD_COLUMNS, DatasetError, decompress, metric_of, open_dataset
from .overview import REVIEW_FOLDER, overview_html, review_name

EXPORTS = ("records.jsonl", "metrics.jsonl", "records.csv", "metrics.csv", "subjects.csv", "merged_metrics.csv",
           "documents.csv", "index.html", REVIEW_FOLDER)

_PATH = "(SELECT min(path) FROM document_paths AS p WHERE p.sha256 = t.sha256) AS path"
_RECORDS = f"SELECT {_PATH}, t.* FROM records AS t ORDER BY path, t.sha256, t.seq"
_METRICS = f"SELECT {_PATH}, t.* FROM metrics AS t ORDER BY path, t.sha256, t.seq"

RECORD_CSV = ("path", "sha256", "id", "local_id", *RECORD_BASE[1:], "value", "unit", "rank", "total", "symbol", "date", "fields")
METRIC_CSV = ("path", "sha256", "id", "local_id", "indicator", "subject", "subject_type", "subject_id", "subject_key",
              "province", "province_2025", "year", "period", "score", "unit", "score_change", "rank", "rank_total",
              "rank_change", "compared_to", "aggregate", "page", "start", "end", "conflict", "evidence", "inferred",
              "inferred_from", "alternatives")
_MERGED = "SELECT * FROM merged_metrics ORDER BY indicator, subject_key, year, period, aggregate"


@contextmanager
def _atomic(target: Path) -> Iterator[IO[str]]:
    """A text file that replaces ``target`` only once it is completely written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rows(conn: sqlite3.Connection, query: str) -> tuple[list[str], Iterator[tuple]]:
    cursor = conn.execute(query)
    return [d[0] for d in cursor.description], iter(cursor)


def _jsonl(conn: sqlite3.Connection, query: str, target: Path, convert: Callable[[tuple, list[str]], dict[str, Any]]) -> int:
    """One line per row: ``convert`` gives the item as ``extract`` prints it, whose ``id``
    becomes ``local_id`` beside the dataset's ``id``."""
    columns, rows = _rows(conn, query)
    count = 0
    with _atomic(target) as out:
        for row in rows:
            data = dict(zip(columns, row))
            line = {"sha256": data["sha256"], "path": data["path"], "id": data["id"], "local_id": data["local_id"]}
            line.update((k, v) for k, v in convert(row, columns).items() if k != "id")
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def _records_jsonl(conn: sqlite3.Connection, target: Path) -> int:
    """Like :func:`_jsonl` with :func:`record_of`, faster: a record's own fields are stored
    as JSON text already, so they are spliced in rather than parsed and written again."""
    columns, rows = _rows(conn, _RECORDS)
    names = ("sha256", "path", "id", "local_id", *RECORD_BASE[1:])
    index = {name: columns.index(RECORD_COLUMNS.get(name, name)) for name in names}
    fields_at = columns.index("fields")
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    with _atomic(target) as out:
        for row in rows:
            head = dumps({name: row[index[name]] for name in names})
            fields = row[fields_at]
            out.write(head + "\n" if fields == "{}" else head[:-1] + ", " + fields[1:] + "\n")
            count += 1
    return count


def _csv(conn: sqlite3.Connection, query: str, target: Path, header: tuple[str, ...] | None = None,
         rename: dict[str, str] | None = None) -> int:
    columns, rows = _rows(conn, query)
    rename = rename or {}
    names = [rename.get(c, c) for c in columns]
    header = header or tuple(names)
    picks = [names.index(h) for h in header]
    count = 0
    with _atomic(target) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row[i] is None else row[i] for i in picks])
            count += 1
    return count


def _index(conn: sqlite3.Connection, target: Path) -> int:
    with _atomic(target) as out:
        out.write(overview_html(conn))
    return conn.execute("SELECT count(*) FROM merged_metrics").fetchone()[0]


_PAGE_NAME = re.compile(rf"[0-9a-f]{{{ID_PREFIX}}}\.html")


def _reviews(conn: sqlite3.Connection, folder: Path) -> int:
    """Write the review pages the dataset holds, leaving a page that is already right
    untouched, and remove the pages (and temporary files left by a crash) of documents
    the dataset no longer holds."""
    if folder.exists() and not folder.is_dir():
        raise DatasetError(f"{folder}: exists and is not a folder; the review pages are written there")
    folder.mkdir(exist_ok=True)
    wanted = set()
    for sha256, stored in conn.execute("SELECT sha256, html FROM reviews ORDER BY sha256"):
        target = folder / review_name(sha256)
        wanted.add(target.name)
        page = decompress(stored)
        try:
            if target.read_text(encoding="utf-8") == page:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        with _atomic(target) as out:
            out.write(page)
    for leftover in folder.iterdir():
        ours = _PAGE_NAME.fullmatch(leftover.name) or (leftover.name.startswith(".") and leftover.name.endswith(".tmp"))
        if ours and leftover.name not in wanted and leftover.is_file():
            leftover.unlink(missing_ok=True)
    return len(wanted)


def export(folder: str | os.PathLike[str]) -> dict[str, int]:
    """Write every export file of the dataset in ``folder``; rows written per file."""
    folder = Path(folder)
    conn = open_dataset(folder, create=False)
    try:
        conn.execute("BEGIN")  # one consistent snapshot for every file
        counts = {
            "records.jsonl": _records_jsonl(conn, folder / "records.jsonl"),
            "metrics.jsonl": _jsonl(conn, _METRICS, folder / "metrics.jsonl", lambda r, c: metric_of(r, c)),
            "records.csv": _csv(conn, _RECORDS, folder / "records.csv", RECORD_CSV, {v: k for k, v in RECORD_COLUMNS.items()}),
            "metrics.csv": _csv(conn, _METRICS, folder / "metrics.csv", METRIC_CSV),
            "subjects.csv": _csv(conn, "SELECT * FROM subjects ORDER BY subject_id", folder / "subjects.csv"),
            "merged_metrics.csv": _csv(conn, _MERGED, folder / "merged_metrics.csv"),
            "documents.csv": _csv(conn, "SELECT * FROM files ORDER BY path", folder / "documents.csv"),
            "index.html": _index(conn, folder / "index.html"),
            REVIEW_FOLDER: _reviews(conn, folder / REVIEW_FOLDER),
        }
        conn.execute("COMMIT")
        return counts
    finally:
        conn.close()
