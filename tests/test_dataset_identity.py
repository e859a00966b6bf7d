"""The bulk dataset (schema version 2): who a metric is about, ids unique over the dataset,
the subjects table, merged_metrics keyed by identity, period and aggregate, and sources
counted by their text rather than by their bytes.

Most tests save metrics written here (validated by the output contract, so that they
are what ``extract`` could print) through :func:`extractor.bulk.dataset.save`; the last
ones run ``bulk`` over small files and corpus renderings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS
from extractor.bulk import DATABASE, export, run_bulk
from extractor.bulk.dataset import (
    METRIC_FIELDS,
    DatasetError,
    dataset_ids,
    metric_of,
    metric_row,
    open_dataset,
    save,
    subject_row,
)
from extractor.bulk.export import METRIC_CSV
from extractor.bulk.process import DocumentResult, text_sha256
from extractor.records import Metric

DEV = CORPUS / "dev"


def metric(indicator: str, subject_id: str | None, year: int | None, *, local_id: str | None = None, **fields: Any) -> dict:
    """A metric as ``extract`` prints it (the contract checks it), with the subject's name,
    type and province read from ``subject_id`` unless given."""
    if subject_id is not None:
        kind, _, path = subject_id.partition(":")
        parent, _, name = path.rpartition("/")
        name = name.removesuffix(" (cũ)").removesuffix(" (mới)")
        fields = {"subject": name, "subject_type": kind, "province": parent or (name if kind == "province" else None),
                  **fields}
    data = {"id": local_id or f"m-{indicator}-{subject_id}-{year}-{fields.get('period')}", "indicator": indicator,
            "subject": None, "subject_id": subject_id, "year": year, "page": 1, "start": 0, "end": 10, **fields}
    return Metric.model_validate(data).model_dump(mode="json")


def document(name: str, metrics: list[dict], *, text: str | None = None) -> DocumentResult:
    """A processed document: its sha256 from ``name`` (its bytes), its text hash from
    ``text`` (the same text for renderings of one text)."""
    sha256 = hashlib.sha256(name.encode()).hexdigest()
    source = {"path": f"/in/{name}", "sha256": sha256, "format": "txt", "pages": 1, "bytes": 100}
    return DocumentResult(f"/in/{name}", sha256, "ok", "test", 0.0, format="txt", pages=1,
                          extraction={"source": source, "records": [], "metrics": metrics, "warnings": []},
                          text_sha256=text_sha256([text if text is not None else name]))


def dataset(folder: Path, *documents: DocumentResult) -> sqlite3.Connection:
    conn = open_dataset(folder, create=True)
    for doc in documents:
        save(conn, doc, [doc.path])
    return conn


def merged(conn: sqlite3.Connection, where: str = "1") -> list[dict]:
    cursor = conn.execute(f"SELECT * FROM merged_metrics WHERE {where} ORDER BY subject_key, year, period, aggregate")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def test_two_districts_of_one_name_are_two_subjects_that_do_not_disagree(tmp_path: Path) -> None:
    conn = dataset(tmp_path, document("a.txt", [
        metric("PAR_INDEX", "district:Tiền Giang/Châu Thành", 2023, score=82.1, unit="điểm", province_2025="Đồng Tháp"),
        metric("PAR_INDEX", "district:Bến Tre/Châu Thành", 2023, score=80.3, unit="điểm", province_2025="Vĩnh Long"),
    ]))
    rows = [(r["subject_key"], r["subject"], r["subject_type"], r["province"], r["province_2025"], r["score"], r["unit"],
             r["disagree"], r["n_documents"]) for r in merged(conn)]
    assert rows == [
        ("district:Bến Tre/Châu Thành", "Châu Thành", "district", "Bến Tre", "Vĩnh Long", 80.3, "điểm", 0, 1),
        ("district:Tiền Giang/Châu Thành", "Châu Thành", "district", "Tiền Giang", "Đồng Tháp", 82.1, "điểm", 0, 1),
    ]


def test_two_months_of_an_index_are_two_rows(tmp_path: Path) -> None:
    conn = dataset(
        tmp_path,
        document("september.txt", [metric("INDEX_766", "province:Gia Lai (mới)", 2025, period="2025-09", score=86.52, rank=6,
                                          rank_total=34, province_2025="Gia Lai")]),
        document("october.txt", [metric("INDEX_766", "province:Gia Lai (mới)", 2025, period="2025-10", score=87.2, rank=5,
                                        rank_total=34, province_2025="Gia Lai", score_change=0.68, compared_to="2025-09")]),
    )
    rows = [(r["period"], r["score"], r["rank"], r["score_change"], r["compared_to"], r["disagree"]) for r in merged(conn)]
    assert rows == [("2025-09", 86.52, 6, None, None, 0), ("2025-10", 87.2, 5, 0.68, "2025-09", 0)]


def test_an_average_is_never_merged_with_a_subjects_own_result(tmp_path: Path) -> None:
    conn = dataset(tmp_path, document("a.txt", [
        metric("PAR_INDEX", "province:Quảng Trị", 2023, score=85.12, rank=33, rank_total=63, province_2025="Quảng Trị"),
        metric("PAR_INDEX", "country:Cả nước", 2023, score=84.89, aggregate="average", province=None),
        # The average of Tiền Giang's districts, beside Tiền Giang's own result: one subject, two rows.
        metric("PAR_INDEX", "province:Tiền Giang", 2023, score=81.0, province_2025="Đồng Tháp"),
        metric("PAR_INDEX", "province:Tiền Giang", 2023, score=79.5, aggregate="average", province_2025="Đồng Tháp",
               local_id="m-PAR_INDEX-province:Tiền Giang-2023-average"),
    ]))
    rows = [(r["subject_key"], r["aggregate"], r["score"], r["disagree"]) for r in merged(conn)]
    assert rows == [
        ("country:Cả nước", "average", 84.89, 0),
        ("province:Quảng Trị", None, 85.12, 0),
        ("province:Tiền Giang", None, 81.0, 0),
        ("province:Tiền Giang", "average", 79.5, 0),
    ]


def test_renderings_of_one_text_are_one_independent_source(tmp_path: Path) -> None:
    text = "Năm 2023, PAR INDEX của tỉnh Quảng Trị đạt 85,12%."
    same = [metric("PAR_INDEX", "province:Quảng Trị", 2023, score=85.12, unit="%", province_2025="Quảng Trị")]
    conn = dataset(tmp_path, document("a.txt", same, text=text), document("a.pdf", same, text=text.upper() + "\n"))
    row, = merged(conn)
    assert (row["n_documents"], row["n_sources"], row["n_statements"], row["disagree"]) == (2, 1, 2, 0)
    assert sorted(json.loads(row["sources"])) == ["/in/a.pdf", "/in/a.txt"]

    # Another text saying the same is a second source; one saying otherwise, a third that disagrees.
    save(conn, document("b.txt", same, text="Quảng Trị: 85,12%"), ["/in/b.txt"])
    row, = merged(conn)
    assert (row["n_documents"], row["n_sources"], row["disagree"], row["score"]) == (3, 2, 0, 85.12)
    save(conn, document("c.txt", [metric("PAR_INDEX", "province:Quảng Trị", 2023, score=84.5, unit="điểm")]), ["/in/c.txt"])
    row, = merged(conn)
    assert (row["n_sources"], row["disagree"], row["disagreeing_fields"], sorted(json.loads(row["scores"]))) == (
        3, 1, "score", [84.5, 85.12])
    assert (row["unit"], sorted(json.loads(row["units"])), row["units_differ"]) == (None, ["%", "điểm"], 1)


def test_subjects_have_their_type_province_and_validity(tmp_path: Path) -> None:
    conn = dataset(tmp_path, document("a.txt", [
        metric("PAR_INDEX", "province:Gia Lai (cũ)", 2024, score=84.02, province_2025="Gia Lai"),
        metric("INDEX_766", "province:Gia Lai (mới)", 2025, period="2025-09", score=86.52, province_2025="Gia Lai"),
        metric("PAR_INDEX", "province:Bình Định", 2024, score=88.15, province_2025="Gia Lai"),
        metric("PAR_INDEX", "province:Hà Nội", 2024, score=90.0, province_2025="Hà Nội"),
        metric("PAR_INDEX", "province:Huế", 2023, score=88.0, subject="Thừa Thiên Huế", province="Thừa Thiên Huế",
               province_2025="Huế"),
        metric("PAR_INDEX", "district:Tiền Giang/Châu Thành", 2023, score=82.1, province_2025="Đồng Tháp"),
        metric("PAR_INDEX", "commune:Nghệ An/Xã Hoa Thành", 2023, score=80.0, province_2025="Nghệ An"),
        metric("PAR_INDEX", "country:Cả nước", 2023, score=84.89, aggregate="average", province=None),
        metric("PAR_INDEX", None, 2023, score=70.0, subject="Quảng Trị"),  # no identity: no subjects row
    ]))
    assert conn.execute("SELECT * FROM subjects ORDER BY subject_id").fetchall() == [
        ("commune:Nghệ An/Xã Hoa Thành", "Xã Hoa Thành", "commune", "Nghệ An", "Nghệ An", None, None),
        ("country:Cả nước", "Cả nước", "country", None, None, None, None),
        ("district:Tiền Giang/Châu Thành", "Châu Thành", "district", "Tiền Giang", "Đồng Tháp", None, "2025-06-30"),
        ("province:Bình Định", "Bình Định", "province", "Bình Định", "Gia Lai", None, "2025-06-30"),
        ("province:Gia Lai (cũ)", "Gia Lai", "province", "Gia Lai", "Gia Lai", None, "2025-06-30"),
        ("province:Gia Lai (mới)", "Gia Lai", "province", "Gia Lai", "Gia Lai", "2025-07-01", None),
        ("province:Huế", "Huế", "province", "Thừa Thiên Huế", "Huế", None, None),  # renamed, not merged
        ("province:Hà Nội", "Hà Nội", "province", "Hà Nội", "Hà Nội", None, None),
    ]
    columns = [d[1] for d in conn.execute("PRAGMA table_xinfo(subjects)")]
    assert columns == ["subject_id", "name", "type", "province", "province_2025", "valid_from", "valid_until"]
    # The metric without an identity is grouped on the gazetteer's name, as in schema version 1.
    assert [r["subject"] for r in merged(conn, "subject_id IS NULL")] == ["Quảng Trị"]


def test_subjects_leave_with_the_last_document_naming_them_and_do_not_depend_on_order(tmp_path: Path) -> None:
    first = document("a.txt", [metric("PAR_INDEX", "district:Bến Tre/Châu Thành", 2023, score=80.3, province_2025="Vĩnh Long")])
    second = document("b.txt", [metric("PAR_INDEX", "district:Bến Tre/Châu Thành", 2023, score=80.3, province_2025=None),
                                metric("PAR_INDEX", "province:Bến Tre", 2023, score=85.0, province_2025="Vĩnh Long")])
    one, other = tmp_path / "one", tmp_path / "other"
    one.mkdir(), other.mkdir()
    forwards, backwards = dataset(one, first, second), dataset(other, second, first)
    query = "SELECT * FROM subjects ORDER BY subject_id"
    assert forwards.execute(query).fetchall() == backwards.execute(query).fetchall() == [
        ("district:Bến Tre/Châu Thành", "Châu Thành", "district", "Bến Tre", "Vĩnh Long", None, "2025-06-30"),
        ("province:Bến Tre", "Bến Tre", "province", "Bến Tre", "Vĩnh Long", None, "2025-06-30"),
    ]
    # b.txt's file now holds a.txt's content: b.txt's document, and the province it alone named, leave.
    save(forwards, first, ["/in/b.txt"])
    assert [sid for sid, in forwards.execute("SELECT subject_id FROM subjects")] == ["district:Bến Tre/Châu Thành"]


def test_metric_ids_are_unique_over_the_dataset(tmp_path: Path) -> None:
    same = metric("PAR_INDEX", "province:Quảng Trị (cũ)", 2023, score=85.12, province_2025="Quảng Trị")
    a, b = document("a.txt", [same]), document("b.txt", [same])
    conn = dataset(tmp_path, a, b)
    rows = conn.execute("SELECT sha256, id, local_id FROM metrics ORDER BY id").fetchall()
    assert sorted(rows) == sorted([
        (a.sha256, f"{a.sha256[:16]}/m-PAR_INDEX-province:Quảng Trị (cũ)-2023-None", same["id"]),
        (b.sha256, f"{b.sha256[:16]}/m-PAR_INDEX-province:Quảng Trị (cũ)-2023-None", same["id"]),
    ])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # the index holds it, not only the way ids are made
        conn.execute("UPDATE metrics SET id = ? WHERE sha256 = ?", (rows[0][1], rows[1][0]))
    # A document repeating an id (it should not) is still saved, its second id set apart.
    save(conn, document("c.txt", [same, same]), ["/in/c.txt"])
    assert [i.split("/", 1)[1] for i, in conn.execute(
        "SELECT id FROM metrics WHERE sha256 = ? ORDER BY seq", (document("c.txt", []).sha256,))] == [
        same["id"], same["id"] + "#2"]
    assert dataset_ids("ab" * 32, ["x"]) == ["abababababababab/x"]


def test_a_metric_reads_back_as_extract_printed_it(tmp_path: Path) -> None:
    assert set(METRIC_FIELDS) == set(Metric.model_fields) and tuple(Metric.model_fields) == METRIC_FIELDS
    inferred_from = [{"field": "year", "source": "title", "page": 1, "start": 3, "end": 7, "surface": "2025"}]
    full = metric("INDEX_766", "province:Gia Lai (mới)", 2025, period="2025-10", score=87.2, unit="điểm", score_change=0.68,
                  rank=5, rank_total=34, rank_change=1, compared_to="2025-09", province_2025="Gia Lai", inferred=["year"],
                  inferred_from=inferred_from, evidence=["p1-0-4-score"])
    yearly = metric("PAR_INDEX", "province:Bình Định", 2024, score=88.15, compared_to=2023, score_change=1.5,
                    province_2025="Gia Lai")
    conn = dataset(tmp_path, document("a.txt", [full, yearly]))
    cursor = conn.execute("SELECT * FROM metrics ORDER BY seq")
    columns = [d[0] for d in cursor.description]
    assert [metric_of(row, columns) for row in cursor] == [full, yearly]
    assert conn.execute("SELECT typeof(compared_to), compared_to FROM metrics ORDER BY seq").fetchall() == [
        ("text", "2025-09"), ("integer", 2023)]
    row = metric_row("0" * 64, 0, full)
    assert row[2:4] == ("0" * 16 + "/" + full["id"], full["id"])


def test_exports_carry_identity_period_aggregate_and_independent_sources(tmp_path: Path) -> None:
    text = "Năm 2023, PAR INDEX của tỉnh Quảng Trị đạt 85,12%."
    qt = metric("PAR_INDEX", "province:Quảng Trị (cũ)", 2023, score=85.12, unit="%", province_2025="Quảng Trị",
                compared_to=2022, inferred=["year"],
                inferred_from=[{"field": "year", "source": "heading", "page": 1, "start": 0, "end": 4, "surface": "2023"}])
    average = metric("PAR_INDEX", "country:Cả nước", 2023, score=84.89, unit="%", aggregate="average", province=None)
    dataset(tmp_path, document("a.txt", [qt, average], text=text), document("a.html", [qt], text=text)).close()
    counts = export(tmp_path)
    assert counts["subjects.csv"] == 2 and counts["merged_metrics.csv"] == 2 and counts["metrics.csv"] == 3

    with open(tmp_path / "metrics.csv", encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert tuple(exported[0]) == METRIC_CSV
    row = next(r for r in exported if r["path"] == "/in/a.txt" and r["aggregate"] == "")
    assert (row["subject_type"], row["subject_id"], row["subject_key"], row["province"], row["province_2025"], row["period"],
            row["compared_to"], json.loads(row["inferred_from"])[0]["surface"]) == (
        "province", "province:Quảng Trị (cũ)", "province:Quảng Trị (cũ)", "Quảng Trị", "Quảng Trị", "", "2022", "2023")
    assert row["id"] == f"{row['sha256'][:16]}/{qt['id']}" and row["local_id"] == qt["id"]
    assert [r["aggregate"] for r in exported if r["subject_id"] == "country:Cả nước"] == ["average"]

    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({line["id"] for line in lines}) == 3 and {line["local_id"] for line in lines} == {qt["id"], average["id"]}
    assert {line["compared_to"] for line in lines if line["local_id"] == qt["id"]} == {2022}  # an integer, as extract gives

    with open(tmp_path / "merged_metrics.csv", encoding="utf-8-sig", newline="") as handle:
        merged_rows = {r["subject_key"]: r for r in csv.DictReader(handle)}
    assert {k: (r["aggregate"], r["n_documents"], r["n_sources"], r["unit"], r["score"]) for k, r in merged_rows.items()} == {
        "country:Cả nước": ("average", "1", "1", "%", "84.89"),
        "province:Quảng Trị (cũ)": ("", "2", "1", "%", "85.12"),
    }
    with open(tmp_path / "subjects.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["subject_id", "name", "type", "province", "province_2025", "valid_from", "valid_until"],
            ["country:Cả nước", "Cả nước", "country", "", "", "", ""],
            ["province:Quảng Trị (cũ)", "Quảng Trị", "province", "Quảng Trị", "Quảng Trị", "", "2025-06-30"],
        ]


def test_a_version_1_dataset_is_refused_in_one_line_and_left_as_it_was(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DATABASE)
    conn.execute("PRAGMA journal_mode = WAL")  # as version 1 wrote it
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE metrics (sha256 TEXT, seq INTEGER, id TEXT, indicator TEXT, subject_key TEXT, year INTEGER);
        INSERT INTO metrics VALUES ('a', 0, 'm-PAR_INDEX-Quảng Trị-2023', 'PAR_INDEX', 'Quảng Trị', 2023),
                                   ('b', 0, 'm-PAR_INDEX-Quảng Trị-2023', 'PAR_INDEX', 'Quảng Trị', 2023);
    """)
    conn.close()
    with pytest.raises(DatasetError) as refused:
        export(tmp_path)
    assert str(refused.value) == f"{tmp_path / DATABASE}: dataset schema version 1, this version writes 2; use another folder"
    with pytest.raises(DatasetError, match="schema version 1"):
        run_bulk([str(DEV / "quang-tri-par-2023.txt")], tmp_path, workers=1, stream=io.StringIO(), tty=False)
    conn = sqlite3.connect(tmp_path / DATABASE)  # nothing was added to it
    assert [name for name, in conn.execute("SELECT name FROM sqlite_master ORDER BY name")] == [
        "meta", "metrics", "sqlite_autoindex_meta_1"]
    assert conn.execute("SELECT count(*) FROM metrics").fetchone() == (2,)
    conn.close()


def test_subject_row_reads_name_and_type_from_the_identity() -> None:
    assert subject_row({"subject_id": "department:Thái Nguyên/Sở Nội vụ", "province": "Thái Nguyên"}) == (
        "department:Thái Nguyên/Sở Nội vụ", "Sở Nội vụ", "department", "Thái Nguyên", None)
    assert subject_row({"subject_id": "unknown:Châu Thành", "subject_type": None}) == (
        "unknown:Châu Thành", "Châu Thành", None, None, None)
    assert subject_row({"subject_id": None, "subject": "Quảng Trị"}) is None


# --- end to end ---------------------------------------------------------------------------------

GIA_LAI_2024 = "Năm 2024, Chỉ số cải cách hành chính (PAR INDEX) của tỉnh Gia Lai đạt 84,02%, xếp thứ 41/63 tỉnh, thành phố."
GIA_LAI_OCTOBER = ("Tháng 10/2025, Chỉ số phục vụ người dân, doanh nghiệp theo Quyết định 766 của tỉnh Gia Lai đạt 87,2 "
                   "điểm, xếp thứ 6/34.")


def test_bulk_counts_renderings_of_one_text_once_and_keeps_identities_apart(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix in (".txt", ".pdf", ".docx"):  # one text, rendered by corpus/build.py
        shutil.copy(DEV / f"gia-lai-766-thang-9-2025{suffix}", folder / f"gia-lai{suffix}")
    (folder / "gia-lai-2024.txt").write_text(GIA_LAI_2024 + "\n", encoding="utf-8")
    (folder / "gia-lai-2024.html").write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>{GIA_LAI_2024}</p></body></html>', encoding="utf-8")
    (folder / "gia-lai-thang-10.txt").write_text(GIA_LAI_OCTOBER + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_bulk([str(folder)], out, workers=2, stream=io.StringIO(), tty=False)
    assert (summary.exit_code, summary.documents) == (0, 6)

    conn = sqlite3.connect(out / DATABASE)
    texts = dict(conn.execute("SELECT p.path, d.text_sha256 FROM document_paths AS p JOIN documents AS d USING (sha256)"))
    assert len({texts[str(folder / f"gia-lai{s}")] for s in (".txt", ".pdf", ".docx")}) == 1
    assert texts[str(folder / "gia-lai-2024.txt")] == texts[str(folder / "gia-lai-2024.html")]
    assert len(set(texts.values())) == 3
    n_metrics, n_ids, n_local_ids = conn.execute(
        "SELECT count(*), count(DISTINCT id), count(DISTINCT local_id) FROM metrics").fetchone()
    assert n_metrics == n_ids > n_local_ids  # renderings state the same metrics: their local ids repeat, ids do not

    # The PAR Index of Gia Lai before the merger: five files, two texts, one value.
    series = conn.execute(
        "SELECT m.subject_id, m.indicator, m.year, m.period, m.score, m.rank, m.rank_total, m.n_documents, m.n_sources,"
        " m.disagree, s.valid_from, s.valid_until FROM merged_metrics AS m JOIN subjects AS s USING (subject_id)"
        " WHERE s.province_2025 = 'Gia Lai' AND m.aggregate IS NULL AND (m.period IS NOT NULL OR m.indicator = 'PAR_INDEX')"
        " ORDER BY m.year, m.period, m.subject_id").fetchall()
    assert series == [
        ("province:Bình Định", "PAR_INDEX", 2024, None, 88.15, 12, 63, 3, 1, 0, None, "2025-06-30"),
        ("province:Gia Lai (cũ)", "PAR_INDEX", 2024, None, 84.02, 41, 63, 5, 2, 0, None, "2025-06-30"),
        ("province:Gia Lai (mới)", "INDEX_766", 2025, "2025-09", 86.52, 6, 34, 3, 1, 0, "2025-07-01", None),
        ("province:Gia Lai (mới)", "INDEX_766", 2025, "2025-10", 87.2, 6, 34, 1, 1, 0, "2025-07-01", None),
    ]
    conn.close()
    with open(out / "merged_metrics.csv", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert {"subject_key", "subject_id", "period", "aggregate", "unit", "n_documents", "n_sources"} <= set(header)


def test_bulk_keeps_two_districts_of_one_name_apart_by_their_documents_province(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tien-giang.txt").write_text(
        "TIỀN GIANG CÔNG BỐ CHỈ SỐ CCHC CẤP HUYỆN NĂM 2023\n\nHuyện Châu Thành đạt 82,15 điểm, xếp thứ 2/11.\n", encoding="utf-8")
    (folder / "ben-tre.txt").write_text(
        "BẾN TRE CÔNG BỐ CHỈ SỐ CCHC CẤP HUYỆN NĂM 2023\n\nHuyện Châu Thành đạt 79,40 điểm, xếp thứ 5/9.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_bulk([str(folder)], out, workers=1, stream=io.StringIO(), tty=False).exit_code == 0
    conn = sqlite3.connect(out / DATABASE)
    rows = conn.execute("SELECT subject_key, province_2025, score, rank, n_documents, disagree FROM merged_metrics"
                        " ORDER BY subject_key").fetchall()
    conn.close()
    assert rows == [
        ("district:Bến Tre/Châu Thành", "Vĩnh Long", 79.4, 5, 1, 0),
        ("district:Tiền Giang/Châu Thành", "Đồng Tháp", 82.15, 2, 1, 0),
    ]
