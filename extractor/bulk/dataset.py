"""The dataset of a bulk run: one SQLite file, the source of truth, and how it is written.

Tables (the README's "Bulk" section shows queries):

- ``documents``: one row per distinct content (sha256): status ``ok`` or ``failed``,
  the one-line ``error``, format, pages, counts, warnings, the extraction's ``source``
  (JSON), ``text_sha256`` (the hash of its normalized text, the same for every rendering
  of one text: :func:`~extractor.bulk.process.text_sha256`), the extractor version,
  seconds, when;
- ``document_paths``: every file path seen and the sha256 of its content (two paths with
  the same content share one document); a file that could not even be read has a null
  sha256 and its ``error``. ``path`` is text as messages show it
  (:func:`~extractor.paths.display_name`: bytes that are not UTF-8, from a zip made on
  Windows say, as ``\\xNN``; control characters escaped); when that is not the name
  itself, ``raw_path`` holds the name's bytes (``os.fsencode``), so nothing is lost;
  ``relative_path`` is the path relative to the INPUT folder it was found under (a
  file named as such: its name), which stays the same when the collection moves;
- ``records``: every record, its place and text, the kind's own fields as JSON
  (``fields``) and the common ones promoted to columns (value, unit, rank, total,
  symbol, date);
- ``metrics``: every metric of every document, with the subject's identity
  (``subject_id``, "district:Tiền Giang/Châu Thành") and ``subject_key``, the identity
  to group on: ``subject_id`` when the extraction gives one, else the subject as the
  gazetteer names it (so "Huế" and "Thừa Thiên Huế" group together);
- ``subjects``: one row per subject identity met, with its type, province, province
  after the merger of 1/7/2025 and the dates it was valid from / until;
- ``reviews``: each ok document's review page (:mod:`extractor.review`), zlib-compressed
  UTF-8 HTML, from which the exports write ``review/<sha16>.html``;
- views ``files`` (one row per path, with its document's status) and ``merged_metrics``
  (one row per indicator, subject identity, year, period and aggregate across
  documents, listing its sources, counting independent ones, and flagging values that
  disagree);
- ``meta``: the dataset's schema version.

Ids are unique over the dataset: a record's or metric's ``id`` is its document's id
qualified by the content ("3f2a9c01d4e5b6a7/m-PAR_INDEX-Quảng Trị-2023"), the
document's own id being ``local_id`` (two documents stating one metric give it one
local id).

Only the parent process of a run writes, one transaction per document, in WAL mode: a
crash or a kill loses at most the documents in flight and never leaves the file corrupt.

Every text column is valid UTF-8: a lone surrogate (what Python makes of bytes that are
not UTF-8) is stored escaped (:func:`printable`), as SQLite cannot store it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

try:
    import fcntl
except ImportError:  # not POSIX: no lock, one run at a time is then the user's care
    fcntl = None  # type: ignore[assignment]

from ..errors import ExtractorError
from ..gazetteer import canonical_subject
from ..loaders.ocr import OcrError, OcrPage
from ..loaders.pdf import given_ocr
from ..paths import display_name
from ..records import SubjectType
from ..rulebook import PATTERNS_DIR
from .process import DocumentResult, process_with_review

DATABASE = "dataset.sqlite"
LOCK = ".bulk.lock"
SCHEMA_VERSION = "2"
# Columns added to version 2 since it was first written, with their declarations: a
# dataset without them gets them when it is opened. Code that does not know them still
# reads and writes the dataset as before, so they need no new version.
ADDED_COLUMNS = {"document_paths": (("raw_path", "BLOB"), ("relative_path", "TEXT"))}
# Views that show added columns: made again when a column is added (a view keeps the
# columns it was created with).
VIEWS = ("files", "merged_metrics")
# Hex digits of the content's sha256 that qualify a document's ids: 64 bits, so that two
# documents of a dataset share a prefix with a chance below 1e-6 up to 6 million documents.
ID_PREFIX = 16

# Record fields kept in columns of their own; everything else is the kind's ``fields``.
# A record's ``id`` is the ``local_id`` column; the ``id`` column is the dataset's id.
RECORD_BASE = ("id", "kind", "surface", "page", "start", "end", "sentence", "rule", "table", "row", "col", "cell_text")
RECORD_COLUMNS = {"table": "table_no", "row": "row_no", "col": "col_no"}  # TABLE is an SQL keyword
# A metric's fields in the order of :class:`~extractor.records.Metric` (``id`` being
# ``local_id``): scalars in columns of their own, lists as JSON text.
METRIC_FIELDS = ("id", "indicator", "subject", "subject_type", "subject_id", "province", "province_2025", "year", "period",
                 "score", "unit", "score_change", "rank", "rank_total", "rank_change", "compared_to", "aggregate",
                 "evidence", "page", "start", "end", "inferred", "inferred_from", "conflict", "alternatives")
METRIC_LISTS = ("evidence", "inferred", "inferred_from", "alternatives")
METRIC_SCALARS = tuple(name for name in METRIC_FIELDS if name != "id" and name not in METRIC_LISTS)
SUBJECT_TYPES = frozenset(get_args(SubjectType))

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    sha256            TEXT PRIMARY KEY,
    status            TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error             TEXT,
    format            TEXT,
    pages             INTEGER,
    bytes             INTEGER,
    n_records         INTEGER NOT NULL DEFAULT 0,
    n_metrics         INTEGER NOT NULL DEFAULT 0,
    warnings          TEXT NOT NULL DEFAULT '[]',
    source            TEXT,
    text_sha256       TEXT,
    extractor_version TEXT NOT NULL,
    seconds           REAL,
    processed_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document_paths (
    path     TEXT PRIMARY KEY,
    sha256   TEXT REFERENCES documents (sha256),
    error    TEXT,
    seen_at  TEXT NOT NULL,
    raw_path BLOB,
    relative_path TEXT
);
CREATE TABLE IF NOT EXISTS records (
    sha256    TEXT NOT NULL REFERENCES documents (sha256),
    seq       INTEGER NOT NULL,
    id        TEXT NOT NULL,
    local_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    page      INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    surface   TEXT NOT NULL,
    sentence  TEXT NOT NULL,
    rule      TEXT NOT NULL,
    table_no  INTEGER,
    row_no    INTEGER,
    col_no    INTEGER,
    cell_text TEXT,
    value     NUMERIC,
    unit      TEXT,
    rank      INTEGER,
    total     INTEGER,
    symbol    TEXT,
    date      TEXT,
    fields    TEXT NOT NULL,
    PRIMARY KEY (sha256, seq)
);
CREATE TABLE IF NOT EXISTS metrics (
    sha256        TEXT NOT NULL REFERENCES documents (sha256),
    seq           INTEGER NOT NULL,
    id            TEXT NOT NULL,
    local_id      TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    subject       TEXT,
    subject_type  TEXT,
    subject_id    TEXT,
    subject_key   TEXT,
    province      TEXT,
    province_2025 TEXT,
    year          INTEGER,
    period        TEXT,
    score         NUMERIC,
    unit          TEXT,
    score_change  NUMERIC,
    rank          INTEGER,
    rank_total    INTEGER,
    rank_change   INTEGER,
    compared_to,
    aggregate     TEXT,
    page          INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    conflict      INTEGER NOT NULL,
    evidence      TEXT NOT NULL,
    inferred      TEXT NOT NULL,
    inferred_from TEXT NOT NULL,
    alternatives  TEXT NOT NULL,
    extra         TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (sha256, seq)
);
CREATE TABLE IF NOT EXISTS subjects (
    subject_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    type          TEXT,
    province      TEXT,
    province_2025 TEXT,
    valid_from    TEXT GENERATED ALWAYS AS (
        CASE WHEN type = 'province' AND subject_id LIKE '% (mới)' THEN '2025-07-01' END) VIRTUAL,
    valid_until   TEXT GENERATED ALWAYS AS (
        CASE WHEN type IN ('district', 'town', 'city') THEN '2025-06-30'
             WHEN type = 'province' AND (subject_id LIKE '% (cũ)' OR province_2025 <> name) THEN '2025-06-30' END) VIRTUAL
);
CREATE TABLE IF NOT EXISTS reviews (
    sha256 TEXT PRIMARY KEY REFERENCES documents (sha256),
    html   BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS document_paths_by_sha256 ON document_paths (sha256);
CREATE INDEX IF NOT EXISTS documents_by_status ON documents (status);
CREATE INDEX IF NOT EXISTS documents_by_text ON documents (text_sha256);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_id ON records (id);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind);
CREATE INDEX IF NOT EXISTS records_by_symbol ON records (symbol) WHERE symbol IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_by_date ON records (date) WHERE date IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS metrics_by_id ON metrics (id);
CREATE INDEX IF NOT EXISTS metrics_by_indicator ON metrics (indicator, subject_key, year, period);
CREATE INDEX IF NOT EXISTS metrics_by_subject ON metrics (subject_key, year);
CREATE INDEX IF NOT EXISTS metrics_by_year ON metrics (year, indicator);

CREATE VIEW IF NOT EXISTS files AS
SELECT p.path, p.relative_path, p.sha256, coalesce(d.status, 'failed') AS status, coalesce(p.error, d.error) AS error,
       d.format, d.pages, d.n_records, d.n_metrics, d.text_sha256, d.extractor_version, d.seconds, d.processed_at
FROM document_paths AS p LEFT JOIN documents AS d ON d.sha256 = p.sha256;

CREATE VIEW IF NOT EXISTS merged_metrics AS
WITH m AS (
    SELECT metrics.*, coalesce(d.text_sha256, d.sha256) AS text_key,
           (SELECT min(path) FROM document_paths AS p WHERE p.sha256 = metrics.sha256) AS path
    FROM metrics JOIN documents AS d ON d.sha256 = metrics.sha256
)
SELECT indicator,
       subject_key,
       CASE WHEN max(subject_id) IS NULL THEN subject_key ELSE min(subject) END AS subject,
       max(subject_id) AS subject_id,
       min(subject_type) AS subject_type,
       min(province) AS province,
       min(province_2025) AS province_2025,
       year,
       period,
       aggregate,
       count(DISTINCT sha256) AS n_documents,
       count(DISTINCT text_key) AS n_sources,
       count(*) AS n_statements,
       json_group_array(DISTINCT path) AS sources,
       json_group_array(DISTINCT subject) FILTER (WHERE subject IS NOT NULL) AS subjects_as_written,
       CASE WHEN count(DISTINCT score) = 1 THEN max(score) END AS score,
       CASE WHEN count(DISTINCT unit) = 1 THEN max(unit) END AS unit,
       CASE WHEN count(DISTINCT rank) = 1 THEN max(rank) END AS rank,
       CASE WHEN count(DISTINCT rank_total) = 1 THEN max(rank_total) END AS rank_total,
       CASE WHEN count(DISTINCT score_change) = 1 THEN max(score_change) END AS score_change,
       CASE WHEN count(DISTINCT rank_change) = 1 THEN max(rank_change) END AS rank_change,
       CASE WHEN count(DISTINCT compared_to) = 1 THEN max(compared_to) END AS compared_to,
       json_group_array(DISTINCT score) FILTER (WHERE score IS NOT NULL) AS scores,
       json_group_array(DISTINCT unit) FILTER (WHERE unit IS NOT NULL) AS units,
       json_group_array(DISTINCT rank) FILTER (WHERE rank IS NOT NULL) AS ranks,
       json_group_array(DISTINCT rank_total) FILTER (WHERE rank_total IS NOT NULL) AS rank_totals,
       json_group_array(DISTINCT score_change) FILTER (WHERE score_change IS NOT NULL) AS score_changes,
       json_group_array(DISTINCT rank_change) FILTER (WHERE rank_change IS NOT NULL) AS rank_changes,
       (count(DISTINCT score) > 1 OR count(DISTINCT rank) > 1 OR count(DISTINCT rank_total) > 1
        OR count(DISTINCT score_change) > 1 OR count(DISTINCT rank_change) > 1) AS disagree,
       trim(CASE WHEN count(DISTINCT score) > 1 THEN 'score ' ELSE '' END
            || CASE WHEN count(DISTINCT rank) > 1 THEN 'rank ' ELSE '' END
            || CASE WHEN count(DISTINCT rank_total) > 1 THEN 'rank_total ' ELSE '' END
            || CASE WHEN count(DISTINCT score_change) > 1 THEN 'score_change ' ELSE '' END
            || CASE WHEN count(DISTINCT rank_change) > 1 THEN 'rank_change' ELSE '' END) AS disagreeing_fields,
       count(DISTINCT unit) > 1 AS units_differ,
       max(conflict) AS conflict_within_a_document
FROM m
GROUP BY indicator, subject_key, year, period, aggregate;
"""


class DatasetError(ExtractorError):
    """The output folder cannot hold a dataset (not a folder, another run holds it...)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across a process crash, never corrupt
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold the folder's lock: two runs writing one dataset at once are refused."""
    handle = open(folder / LOCK, "a+")  # noqa: SIM115 - held for the duration of the run
    try:
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetError(f"{folder}: another bulk run is writing to this folder") from None
        yield
    finally:
        handle.close()


def _stored_version(conn: sqlite3.Connection) -> str | None:
    """The schema version a database says it has; None for a new (empty) one."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if found is None else found[0]


def _refuse_other_versions(conn: sqlite3.Connection, path: Path) -> None:
    found = _stored_version(conn)
    if found is not None and found != SCHEMA_VERSION:
        raise DatasetError(f"{path}: dataset schema version {found}, this version writes {SCHEMA_VERSION}; use another folder")


def _add_columns(conn: sqlite3.Connection) -> None:
    """Add the columns of :data:`ADDED_COLUMNS` a dataset lacks (under the write lock)."""
    for table, columns in ADDED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for name, declaration in columns:
            if present and name not in present:  # present empty: a new dataset, made whole by SCHEMA
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
                for view in VIEWS:  # SCHEMA creates them again, with the new column
                    conn.execute(f"DROP VIEW IF EXISTS {view}")


def open_dataset(folder: Path, *, create: bool) -> sqlite3.Connection:
    """Open (or create) ``folder``/dataset.sqlite, checking its schema version."""
    path = folder / DATABASE
    if not create and not path.is_file():
        raise DatasetError(f"{folder}: no {DATABASE} here (run bulk first)")
    conn = connect(path)
    try:
        # The version is checked before the schema is run: the schema of another version
        # would fail on its tables (or add to them) rather than be refused in one line.
        _refuse_other_versions(conn, path)
        with transaction(conn):
            _refuse_other_versions(conn, path)  # again, under the write lock
            _add_columns(conn)  # before the schema, whose indexes may name them
        conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")  # every statement is IF NOT EXISTS
        with transaction(conn):
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    except sqlite3.DatabaseError as error:
        conn.close()
        raise DatasetError(f"{path}: not a dataset this tool can use ({error})") from None
    except BaseException:
        conn.close()
        raise
    return conn


# --- rows ---------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(value: Any) -> Any:
    """``value`` as a text column can hold it: lone surrogates escaped, a byte of a file
    name that is not UTF-8 as ``\\xNN`` (as :func:`~extractor.paths.display_name` shows it);
    anything but a string as it is.

    >>> printable("b\\udce1o \\ud800"), printable(3)
    ('b\\\\xe1o \\\\ud800', 3)
    """
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub(_escape_surrogate, value)
    return value


def _printable_row(row: tuple) -> tuple:
    return tuple(map(printable, row))


def stored_path(path: str) -> tuple[str, bytes | None]:
    """A file's path as ``document_paths`` keeps it: (``path``, ``raw_path``), the second
    the name's bytes when the first cannot be the name itself.

    >>> stored_path(os.fsdecode(b"/in/b\\xe1o.txt")), stored_path("/in/báo.txt")
    (('/in/b\\\\xe1o.txt', b'/in/b\\xe1o.txt'), ('/in/báo.txt', None))
    """
    shown = display_name(path)
    return shown, None if shown == path else os.fsencode(path)


def real_path(path: str, raw_path: bytes | None) -> str:
    """The path as the file system names it (lone surrogates for bytes that are not UTF-8),
    from a ``document_paths`` row."""
    return path if raw_path is None else os.fsdecode(raw_path)


def _sql_value(value: Any) -> Any:
    """A JSON scalar as SQLite stores it; integers beyond 64 bits are kept as text."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return str(value)
    return value


@lru_cache(maxsize=4096)
def subject_key(subject: str | None) -> str | None:
    return canonical_subject(subject)


def identity_key(metric: dict[str, Any]) -> str | None:
    """What a metric's subject is grouped on: its identity when the extraction gives one
    (two districts named Châu Thành stay two), else the gazetteer's name of the subject."""
    return metric.get("subject_id") or subject_key(metric.get("subject"))


def dataset_ids(sha256: str, local_ids: Iterable[str]) -> list[str]:
    """The dataset's ids of a document's records or metrics: its own ids qualified by its
    content. An id the document repeats (it should not) gets "#2", "#3"... rather than
    making the document impossible to save.

    >>> dataset_ids("0123456789abcdef0123", ["p1-0-4-score", "m-X", "m-X"])
    ['0123456789abcdef/p1-0-4-score', '0123456789abcdef/m-X', '0123456789abcdef/m-X#2']
    """
    prefix = sha256[:ID_PREFIX]
    seen: dict[str, int] = {}
    ids = []
    for local in local_ids:
        seen[local] = seen.get(local, 0) + 1
        ids.append(f"{prefix}/{local}" if seen[local] == 1 else f"{prefix}/{local}#{seen[local]}")
    return ids


def record_row(sha256: str, seq: int, record: dict[str, Any], dataset_id: str | None = None) -> tuple:
    kind = record["kind"]
    fields = {k: v for k, v in record.items() if k not in RECORD_BASE}
    value = record.get("value")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    date = record.get("value") if kind == "date" else record.get("issued") if kind == "legal_ref" else None
    return (
        sha256, seq, dataset_id or dataset_ids(sha256, [record["id"]])[0], *(record.get(name) for name in RECORD_BASE),
        _sql_value(value) if numeric else None, record.get("unit"), record.get("rank"), record.get("total"),
        record.get("symbol"), date, json.dumps(fields, ensure_ascii=False),
    )


RECORD_INSERT = (
    "INSERT INTO records (sha256, seq, id, local_id, " + ", ".join(f'"{RECORD_COLUMNS.get(n, n)}"' for n in RECORD_BASE[1:])
    + ", value, unit, rank, total, symbol, date, fields) VALUES (" + ", ".join("?" * (len(RECORD_BASE) + 10)) + ")"
)


def metric_row(sha256: str, seq: int, metric: dict[str, Any], dataset_id: str | None = None) -> tuple:
    """A metric (as ``extract`` prints it) as a row of ``metrics``; ``dataset_id`` defaults
    to its id qualified by ``sha256``."""
    extra = {k: v for k, v in metric.items() if k not in METRIC_FIELDS}
    scalars = [_sql_value(metric.get(name)) for name in METRIC_SCALARS]
    scalars[METRIC_SCALARS.index("conflict")] = int(bool(metric.get("conflict")))
    return (
        sha256, seq, dataset_id or dataset_ids(sha256, [metric["id"]])[0], metric["id"], *scalars, identity_key(metric),
        *(json.dumps(metric.get(name, []), ensure_ascii=False) for name in METRIC_LISTS),
        json.dumps(extra, ensure_ascii=False),
    )


METRIC_INSERT = (
    "INSERT INTO metrics (sha256, seq, id, local_id, " + ", ".join(f'"{n}"' for n in METRIC_SCALARS) + ", subject_key, "
    + ", ".join(METRIC_LISTS) + ", extra) VALUES (" + ", ".join("?" * (len(METRIC_SCALARS) + len(METRIC_LISTS) + 6)) + ")"
)

_ERA = (" (cũ)", " (mới)")


def subject_row(metric: dict[str, Any]) -> tuple | None:
    """The ``subjects`` row a metric tells of (None without an identity): (subject_id,
    name, type, province, province_2025). The name and type are read from the identity
    ("district:Tiền Giang/Châu Thành" is the district Châu Thành; "province:Gia Lai (cũ)"
    the province Gia Lai), so that every document gives a subject the same ones."""
    subject_id = metric.get("subject_id")
    if not subject_id:
        return None
    prefix, colon, rest = subject_id.partition(":")
    name = (rest if colon else prefix).rpartition("/")[2]
    for era in _ERA:
        name = name.removesuffix(era)
    kind = prefix if colon and prefix in SUBJECT_TYPES else metric.get("subject_type")
    return subject_id, name, kind, metric.get("province"), metric.get("province_2025")


# Statements may differ on a subject's province (a renamed one, Thừa Thiên Huế / Huế; an error): the smallest value
# is kept, so that the row does not depend on the order documents were saved in.
SUBJECT_UPSERT = (
    "INSERT INTO subjects (subject_id, name, type, province, province_2025) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (subject_id) DO UPDATE SET "
    + ", ".join(f"{c} = coalesce(min({c}, excluded.{c}), {c}, excluded.{c})" for c in ("type", "province", "province_2025"))
)


# --- writing -------------------------------------------------------------------------


def known_documents(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """sha256 -> (extractor_version, status) of every document already in the dataset."""
    return {sha: (version, status) for sha, version, status in conn.execute("SELECT sha256, extractor_version, status FROM documents")}


def _subjects_of(conn: sqlite3.Connection, sha256: str) -> list[str]:
    query = "SELECT DISTINCT subject_id FROM metrics WHERE sha256 = ? AND subject_id IS NOT NULL"
    return [subject_id for subject_id, in conn.execute(query, (sha256,))]


def _forget_subjects(conn: sqlite3.Connection, subject_ids: Iterable[str]) -> None:
    """Subjects no metric names any more (their document left or changed) leave the dataset."""
    conn.executemany("DELETE FROM subjects WHERE subject_id = ? AND NOT EXISTS (SELECT 1 FROM metrics WHERE subject_key = ?)",
                     [(sid, sid) for sid in subject_ids])


def _drop_if_orphan(conn: sqlite3.Connection, sha256: str) -> None:
    """A document no path shows any more (its file changed, was renamed or deleted) leaves the dataset."""
    if conn.execute("SELECT 1 FROM document_paths WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone() is None:
        subjects = _subjects_of(conn, sha256)
        for table in ("records", "metrics", "reviews", "documents"):
            conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha256,))
        _forget_subjects(conn, subjects)


def _link(conn: sqlite3.Connection, path: str, sha256: str | None, error: str | None, seen: str,
          relative: str | None = None) -> None:
    """Record that the file ``path`` (as the file system names it) holds ``sha256``;
    ``relative`` is its path relative to the INPUT it was found through (kept as it was
    when not given)."""
    shown, raw = stored_path(path)
    row = conn.execute("SELECT sha256 FROM document_paths WHERE path = ?", (shown,)).fetchone()
    conn.execute(
        "INSERT INTO document_paths (path, sha256, error, seen_at, raw_path, relative_path) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, error = excluded.error, seen_at = excluded.seen_at, "
        "raw_path = excluded.raw_path, relative_path = coalesce(excluded.relative_path, relative_path)",
        (shown, sha256, printable(error), seen, raw, None if relative is None else display_name(relative)),
    )
    if row is not None and row[0] is not None and row[0] != sha256:
        _drop_if_orphan(conn, row[0])


def link_paths(conn: sqlite3.Connection, links: Iterable[tuple[str, str | None, str | None]],
               relative: Mapping[str, str] | None = None) -> None:
    """Record (path, sha256, error) for files whose document is already done (or that
    could not be read: sha256 None), in one transaction; ``relative`` maps paths to
    their ``relative_path``."""
    seen = now()
    relative = relative or {}
    with transaction(conn):
        for path, sha256, error in links:
            _link(conn, path, sha256, error, seen, relative.get(path))


def recorded_relative(conn: sqlite3.Connection) -> list[tuple[str, str | None, str | None]]:
    """Every path of the dataset, as the file system names it, with its ``relative_path``
    and its content's sha256."""
    rows = conn.execute("SELECT path, raw_path, relative_path, sha256 FROM document_paths")
    return [(real_path(path, raw), relative, sha256) for path, raw, relative, sha256 in rows]


def forget_paths(conn: sqlite3.Connection, paths: Iterable[str]) -> int:
    """Remove files that are gone (``paths`` as the file system named them), and the
    documents only they showed, with their records and metrics, in one transaction; how
    many paths were removed."""
    removed = 0
    with transaction(conn):
        for path in paths:
            shown, _ = stored_path(path)
            row = conn.execute("DELETE FROM document_paths WHERE path = ? RETURNING sha256", (shown,)).fetchone()
            if row is not None:
                removed += 1
                if row[0] is not None:
                    _drop_if_orphan(conn, row[0])
    return removed


@dataclass(frozen=True)
class Prepared:
    """A result as the rows the database stores, computed where the result was made (in
    a worker), so that the one process writing the database only inserts them."""

    result: DocumentResult  # its ``extraction`` left out: the rows carry it
    document: dict[str, Any]
    records: list[tuple]
    metrics: list[tuple]
    subjects: list[tuple] = dataclasses.field(default_factory=list)
    review: bytes | None = None  # the review page, zlib-compressed UTF-8 HTML (see :func:`compress`)


def prepare(result: DocumentResult) -> Prepared:
    extraction = result.extraction or {}
    records = extraction.get("records", [])
    metrics = extraction.get("metrics", [])
    source = extraction.get("source")
    document = {
        "status": result.status, "error": result.error, "format": result.format, "pages": result.pages,
        "bytes": source.get("bytes") if source else None, "n_records": len(records), "n_metrics": len(metrics),
        "warnings": json.dumps(extraction.get("warnings", []), ensure_ascii=False),
        "source": json.dumps(source, ensure_ascii=False) if source else None, "text_sha256": result.text_sha256,
        "extractor_version": result.extractor_version, "seconds": result.seconds,
    }
    document = {name: printable(value) for name, value in document.items()}  # a file name's bytes in the source, say
    sha256 = result.sha256
    if not sha256:
        return Prepared(dataclasses.replace(result, extraction=None), document, [], [])
    record_ids = dataset_ids(sha256, (r["id"] for r in records))
    metric_ids = dataset_ids(sha256, (m["id"] for m in metrics))
    return Prepared(
        dataclasses.replace(result, extraction=None), document,
        [_printable_row(record_row(sha256, i, r, record_ids[i])) for i, r in enumerate(records)],
        [_printable_row(metric_row(sha256, i, m, metric_ids[i])) for i, m in enumerate(metrics)],
        sorted({_printable_row(row) for row in map(subject_row, metrics) if row is not None}, key=repr),  # repr: None sorts
    )


def compress(html: str) -> bytes:
    """A review page as ``reviews.html`` stores it (a page of text compresses about 5 to 1)."""
    return zlib.compress(html.encode("utf-8"), 6)


def decompress(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8")


def process_for_dataset(path: str, *, patterns: Path = PATTERNS_DIR,
                        ocr_results: Mapping[int, OcrPage | OcrError] | None = None) -> Prepared:
    """What a bulk worker runs: :func:`~extractor.bulk.process.process_with_review`, then
    :func:`prepare`; the review page is compressed here, in the worker. ``ocr_results``
    holds pages of a PDF already OCR'd elsewhere (a cluster's page tasks), by number."""
    with given_ocr(ocr_results):
        result, review = process_with_review(path, patterns=patterns)
    prepared = prepare(result)
    return prepared if review is None else dataclasses.replace(prepared, review=compress(review))


_DOCUMENT_COLUMNS = ("status", "error", "format", "pages", "bytes", "n_records", "n_metrics", "warnings", "source",
                     "text_sha256", "extractor_version", "seconds")
_DOCUMENT_UPSERT = (
    "INSERT INTO documents (sha256, " + ", ".join(_DOCUMENT_COLUMNS) + ", processed_at) VALUES ("
    + ", ".join("?" * (len(_DOCUMENT_COLUMNS) + 2)) + ") ON CONFLICT (sha256) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*_DOCUMENT_COLUMNS, "processed_at"))
)


def save(conn: sqlite3.Connection, prepared: Prepared | DocumentResult, paths: Sequence[str], *, sha256: str | None = None,
         relative: Mapping[str, str] | None = None) -> None:
    """Write one document's rows and link its paths, replacing what an earlier version
    wrote for the same content, in one transaction. ``sha256`` stands in for a result
    that could not know it (a file that vanished, a worker that crashed); ``relative``
    maps paths to their ``relative_path``."""
    relative = relative or {}
    if isinstance(prepared, DocumentResult):
        prepared = prepare(prepared)
    sha256 = prepared.result.sha256 or sha256
    if sha256 is None:  # unreadable: there is no content to key a document on
        link_paths(conn, [(path, None, prepared.result.error) for path in paths], relative)
        return
    stamp = now()
    with transaction(conn):
        earlier_subjects = _subjects_of(conn, sha256)  # of an earlier version's rows, if any
        conn.execute("DELETE FROM records WHERE sha256 = ?", (sha256,))
        conn.execute("DELETE FROM metrics WHERE sha256 = ?", (sha256,))
        conn.execute("DELETE FROM reviews WHERE sha256 = ?", (sha256,))  # a page of an earlier version is stale
        conn.execute(_DOCUMENT_UPSERT, (sha256, *(prepared.document.get(c) for c in _DOCUMENT_COLUMNS), stamp))
        conn.executemany(RECORD_INSERT, prepared.records)
        conn.executemany(METRIC_INSERT, prepared.metrics)
        conn.executemany(SUBJECT_UPSERT, prepared.subjects)
        if prepared.review is not None and prepared.result.ok:
            conn.execute("INSERT INTO reviews (sha256, html) VALUES (?, ?)", (sha256, prepared.review))
        _forget_subjects(conn, earlier_subjects)
        for path in paths:
            _link(conn, path, sha256, None, stamp, relative.get(path))


# --- reading -------------------------------------------------------------------------


def record_of(row: sqlite3.Row | tuple, columns: Sequence[str]) -> dict[str, Any]:
    """A records row back to the record's JSON (as ``extract`` prints it: ``id`` is the
    document's own id)."""
    data = dict(zip(columns, row))
    record = {name: data["local_id" if name == "id" else RECORD_COLUMNS.get(name, name)] for name in RECORD_BASE}
    record.update(json.loads(data["fields"]))
    return record


def metric_of(row: sqlite3.Row | tuple, columns: Sequence[str]) -> dict[str, Any]:
    """A metrics row back to the metric's JSON (as ``extract`` prints it: ``id`` is the
    document's own id)."""
    data = dict(zip(columns, row))
    metric = {name: json.loads(data[name]) if name in METRIC_LISTS else data[name] for name in METRIC_FIELDS if name != "id"}
    metric = {"id": data["local_id"], **metric, "conflict": bool(metric["conflict"])}
    metric.update(json.loads(data["extra"]))
    return metric


def dataset_path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / DATABASE
