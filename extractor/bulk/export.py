"""JSONL and CSV files written from the dataset, beside it, each through a temporary file.

- ``records.jsonl`` / ``metrics.jsonl``: one record / metric per line as ``extract``
  prints it, with the ``sha256`` and ``path`` of its document in front, ``id`` being the
  dataset's id (unique over the dataset) and ``local_id`` the document's own (``id`` in
  ``extract``; a metric's ``evidence`` lists local ids of its document's records);
- ``records.csv`` / ``metrics.csv``: the same, one row each, for spreadsheets and
  dataframes: what users filter on first, in columns of their own (:data:`RECORD_CSV`,
  :data:`METRIC_CSV`), then the ids, then what is a list or an object as JSON text (a
  record's kind's own ``fields``; a metric's ``evidence``, ``inferred``, ``inferred_from``,
  ``alternatives``). A metric's ``quote`` is the sentence of the record its score came
  from (the rank's when the score came from none, else its first evidence);
- ``subjects.csv``: the ``subjects`` table, one row per subject identity;
- ``merged_metrics.csv``: the ``merged_metrics`` view, one row per indicator, subject
  identity, year, period and aggregate across documents, with its unit, what a change is
  compared to, its sources, how many are independent and whether they disagree;
- ``documents.csv``: one row per document (content), named by its smallest path with the
  count of paths showing it, its status and error, what the file states (title,
  published, author, ``address``: the URL the source gives, when it gives one), counts and
  warnings (joined with " | "); and one row per file that could not be read at all (no
  sha256);
- ``index.html``: an overview of the dataset (:mod:`.overview`), its count the rows of
  ``merged_metrics`` it shows;
- ``review/<sha16>.html``: each document's review page, from the ``reviews`` table (the
  first 16 hex digits of its sha256, as in the dataset's ids); pages of documents that
  left the dataset are removed. Its count is the pages the folder holds.

A document with several paths is named by the first of them in alphabetical order.
CSV files are UTF-8 with a byte-order mark (so that Excel reads them as UTF-8, not as the
system's code page), comma-separated, with a header row; JSONL files are UTF-8 without
one. Every file is written to a temporary file renamed into place, with the mode a new
file gets (0644 under the usual umask).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..output import atomic_file
from .dataset import ID_PREFIX, METRIC_LISTS, RECORD_BASE, RECORD_COLUMNS, DatasetError, decompress, metric_of, open_dataset
from .overview import REVIEW_FOLDER, overview_html, review_name

EXPORTS = ("records.jsonl", "metrics.jsonl", "records.csv", "metrics.csv", "subjects.csv", "merged_metrics.csv",
           "documents.csv", "index.html", REVIEW_FOLDER)

_PATH = "(SELECT min(path) FROM document_paths AS p WHERE p.sha256 = t.sha256) AS path"
_RECORDS = f"SELECT {_PATH}, t.* FROM records AS t ORDER BY path, t.sha256, t.seq"
_METRICS = f"SELECT {_PATH}, t.* FROM metrics AS t ORDER BY path, t.sha256, t.seq"

# Columns of the CSV files: what a user filters on first, then where it is, then the ids.
RECORD_CSV = ("path", "page", "start", "end", "kind", "surface", "value", "unit", "rank", "total", "symbol", "date", "sentence",
              "table", "row", "col", "cell_text", "rule", "id", "local_id", "sha256", "fields")
METRIC_CSV = ("indicator", "subject", "subject_type", "subject_id", "subject_key", "province", "province_2025", "year",
              "period", "score", "unit", "rank", "rank_total", "score_change", "rank_change", "compared_to", "aggregate",
              "conflict", "path", "page", "start", "end", "quote", "id", "local_id", "sha256", *METRIC_LISTS)
DOCUMENT_CSV = ("sha256", "path", "n_paths", "status", "error", "format", "pages", "bytes", "title", "published", "author",
                "address", "n_records", "n_metrics", "warnings", "text_sha256", "extractor_version", "processed_at")
CSV_ENCODING = "utf-8-sig"  # a BOM first: Excel reads the file as UTF-8 ("Hải Phòng", not "Háº£i PhÃ²ng")

# The record a metric is quoted by: of its evidence (local ids; the dataset's id is the
# document's prefix, "/", the local id), the one holding its score, else its rank, else
# the first. (SQLite 3.40 does not see the outer row from a subquery's ORDER BY, only from
# its select list: hence the inner select naming what is sorted on.)
_QUOTED = f"""(SELECT id FROM (
    SELECT r.id, coalesce(r.value = t.score AND r.kind NOT IN ('score_change', 'rank_change'), 0) AS holds_score,
           coalesce(r.rank = t.rank, 0) AS holds_rank, e.key AS position
    FROM json_each(t.evidence) AS e JOIN records AS r ON r.id = substr(t.sha256, 1, {ID_PREFIX}) || '/' || e.value)
  ORDER BY holds_score DESC, holds_rank DESC, position LIMIT 1)"""
_METRIC_ROWS = (f"SELECT m.*, q.sentence AS quote FROM (SELECT {_PATH}, t.*, {_QUOTED} AS quoted FROM metrics AS t) AS m "
                "LEFT JOIN records AS q ON q.id = m.quoted ORDER BY m.path, m.sha256, m.seq")
_DOCUMENTS = """
SELECT d.sha256, (SELECT min(path) FROM document_paths AS p WHERE p.sha256 = d.sha256) AS path,
       (SELECT count(*) FROM document_paths AS p WHERE p.sha256 = d.sha256) AS n_paths,
       d.status, d.error, d.format, d.pages, d.bytes,
       json_extract(d.source, '$.title') AS title, json_extract(d.source, '$.published') AS published,
       json_extract(d.source, '$.author') AS author, json_extract(d.source, '$.url') AS address,
       d.n_records, d.n_metrics, d.warnings, d.text_sha256, d.extractor_version, d.processed_at
FROM documents AS d
UNION ALL
SELECT NULL, p.path, 1, 'failed', p.error, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, '[]', NULL, NULL, p.seen_at
FROM document_paths AS p WHERE p.sha256 IS NULL
ORDER BY path
"""
_MERGED = "SELECT * FROM merged_metrics ORDER BY indicator, subject_key, year, period, aggregate"


def _joined(warnings: str) -> str:
    """A document's warnings (a JSON list) as one cell."""
    return " | ".join(json.loads(warnings))


def _rows(conn: sqlite3.Connection, query: str) -> tuple[list[str], Iterator[tuple]]:
    cursor = conn.execute(query)
    return [d[0] for d in cursor.description], iter(cursor)


def _jsonl(conn: sqlite3.Connection, query: str, target: Path, convert: Callable[[tuple, list[str]], dict[str, Any]]) -> int:
    """One line per row: ``convert`` gives the item as ``extract`` prints it, whose ``id``
    becomes ``local_id`` beside the dataset's ``id``."""
    columns, rows = _rows(conn, query)
    count = 0
    with atomic_file(target, newline="") as out:
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
    with atomic_file(target, newline="") as out:
        for row in rows:
            head = dumps({name: row[index[name]] for name in names})
            fields = row[fields_at]
            out.write(head + "\n" if fields == "{}" else head[:-1] + ", " + fields[1:] + "\n")
            count += 1
    return count


def _csv(conn: sqlite3.Connection, query: str, target: Path, header: tuple[str, ...] | None = None,
         rename: dict[str, str] | None = None, convert: dict[str, Callable[[Any], Any]] | None = None) -> int:
    """The rows of ``query`` (its columns renamed by ``rename``, the ``header`` ones in
    that order, ``convert``ed) as a CSV file; how many rows."""
    columns, rows = _rows(conn, query)
    rename, convert = rename or {}, convert or {}
    names = [rename.get(c, c) for c in columns]
    header = header or tuple(names)
    picks = [(names.index(h), convert.get(h)) for h in header]
    count = 0
    with atomic_file(target, encoding=CSV_ENCODING, newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row[i] is None else row[i] if f is None else f(row[i]) for i, f in picks])
            count += 1
    return count


def _sorted_list(value: str) -> str:
    """A JSON list of distinct values, sorted: SQLite (before 3.44) fills json_group_array
    in the order the rows were saved, which differs between runs that finish documents in
    another order; the file must not.

    >>> _sorted_list('["b.txt","a.txt"]'), _sorted_list("[85.12,84.5]")
    ('["a.txt","b.txt"]', '[84.5,85.12]')
    """
    return json.dumps(sorted(json.loads(value)), ensure_ascii=False, separators=(",", ":"))  # SQLite's own spacing


_SORTED_LISTS: dict[str, Callable[[Any], Any]] = {
    name: _sorted_list for name in ("sources", "subjects_as_written", "scores", "units", "ranks", "rank_totals",
                                    "score_changes", "rank_changes")
}


def _index(conn: sqlite3.Connection, target: Path) -> int:
    with atomic_file(target, newline="") as out:
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
        with atomic_file(target, newline="") as out:
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
            "metrics.csv": _csv(conn, _METRIC_ROWS, folder / "metrics.csv", METRIC_CSV),
            "subjects.csv": _csv(conn, "SELECT * FROM subjects ORDER BY subject_id", folder / "subjects.csv"),
            "merged_metrics.csv": _csv(conn, _MERGED, folder / "merged_metrics.csv", convert=_SORTED_LISTS),
            "documents.csv": _csv(conn, _DOCUMENTS, folder / "documents.csv", DOCUMENT_CSV, convert={"warnings": _joined}),
            "index.html": _index(conn, folder / "index.html"),
            REVIEW_FOLDER: _reviews(conn, folder / REVIEW_FOLDER),
        }
        conn.execute("COMMIT")
        return counts
    finally:
        conn.close()
