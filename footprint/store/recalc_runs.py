"""Recalculation runs: which products a run covers, what it did to each, and how to resume it.

A run is identified by its ``run_key`` (the selection, the target data version and whether it
re-issues labels): running the same command again after an interruption finds the unfinished
run with that key and carries on, skipping every product that already has an item. An item,
the product's new footprint and any label issued for it are written in the same transaction,
so a product is either done (exactly once) or not done at all.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from .. import clock
from .bulk import insert_rows
from .db import POSTGRESQL, connect, dialect
from ..errors import InvalidInput, Problem
from ..suggest import unknown

# submissions whose footprint a recalculation moves: in progress or carrying a current label
ACTIVE = ("draft", "submitted", "verified", "approved", "returned", "issued")


@dataclass(frozen=True)
class Selection:
    category: str | None = None
    region: str | None = None
    org: str | None = None  # an organisation's id or exact name

    def where(self, db) -> tuple[str, list]:
        clauses, params = self.filters(db)
        return " AND ".join([f"s.status IN ({', '.join('?' * len(ACTIVE))})", *clauses]), \
            [*ACTIVE, *params]

    def filters(self, db) -> tuple[list[str], list]:
        """The clauses besides the status (s: submissions, p: products, f: footprints)."""
        clauses: list[str] = []
        params: list = []
        if self.category:
            clauses.append("p.category = ?")
            params.append(self.category)
        if self.region:
            clauses.append("f.region = ?")
            params.append(self.region)
        if self.org:
            clauses.append("s.org_id = ?")
            params.append(organisation_id(db, self.org))
        return clauses, params


def organisation_id(db, org: str) -> int:
    rows = list(db.query("SELECT id FROM organisations WHERE name = ? OR CAST(id AS TEXT) = ?",
                         [org, str(org)]))
    if len(rows) != 1:
        names = [r["name"] for r in db.query("SELECT name FROM organisations ORDER BY name")]
        raise InvalidInput([Problem("org", unknown("organisation", org, names))])
    return rows[0]["id"]


@dataclass(frozen=True)
class Target:
    selection: Selection
    to_version: str
    to_version_name: str
    reissue: bool

    @property
    def run_key(self) -> str:
        content = {"selection": asdict(self.selection), "to": self.to_version,
                   "reissue": self.reissue}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def start_or_resume(db, target: Target) -> tuple[int, bool]:
    """(run id, resumed): the unfinished run of the same command, or a new one."""
    for row in db.query("SELECT id FROM recalc_runs WHERE run_key = ? AND finished_at IS NULL "
                        "ORDER BY id DESC LIMIT 1", [target.run_key]):
        return row["id"], True
    run_id = db["recalc_runs"].insert({
        "run_key": target.run_key, "selection_json": json.dumps(asdict(target.selection)),
        "to_version": target.to_version, "to_version_name": target.to_version_name,
        "reissue": int(target.reissue), "started_at": clock.stamp()}).last_pk
    return run_id, False


def finish(db, run_id: int) -> None:
    db.execute("UPDATE recalc_runs SET finished_at = ? WHERE id = ?", [clock.stamp(), run_id])


def count(db, selection: Selection) -> int:
    where, params = selection.where(db)
    return db.execute(f"SELECT count(*) FROM submissions s JOIN products p ON p.id = s.product_id "
                      f"JOIN footprints f ON f.submission_id = s.id WHERE {where}",
                      params).fetchone()[0]


COLUMNS = ("submission_id", "revision", "org_id", "product", "category", "region",
           "data_version", "data_version_name", "total", "n_lines", "boundary", "rows",
           "spread", "p5")


def chunks(db, selection: Selection, size: int, fingerprint: str):
    """The selected submissions in ascending id, ``size`` at a time, as lists of tuples
    (COLUMNS; n_lines, boundary, rows and spread are the revision's rows kept under
    ``fingerprint``, NULL when none are); each chunk is read when it is needed, so memory
    does not grow with the count.

    A chunk is a range of ids: the next ``size`` submissions in progress or labelled (one
    arm per status, each walking the index submissions_recalc from the last id read, merged
    in id order; ``status IN (...) ORDER BY id`` would read and sort every remaining
    submission), then the chunk's rows read within that range, every table's side bounded
    by it. Bounded, PostgreSQL plans each chunk as the few rows it is, by the tables'
    primary keys; with only a LIMIT it hashed the whole rest of every table for each chunk.
    (A chunk that the selection's other filters empty is passed over, not the end.)"""
    clauses, params = selection.filters(db)
    bound = ("SELECT max(id) FROM (" + " UNION ALL ".join(
        ["SELECT id FROM submissions WHERE status = ? AND id > ?"] * len(ACTIVE))
        + " ORDER BY 1 LIMIT ?) AS chunk")
    arm = ("SELECT s.id, s.revision, s.org_id, coalesce(p.name_zh, p.name), p.category, "
           "f.region, f.data_version, f.data_version_name, f.total_kg_co2e, "
           "c.n_lines, c.boundary, c.rows, c.spread, f.p5 "
           "FROM submissions s JOIN products p ON p.id = s.product_id "
           "JOIN footprints f ON f.submission_id = s.id "
           "LEFT JOIN compiled_boms c ON c.submission_id = s.id AND c.revision = s.revision "
           "AND c.fingerprint = ? AND c.submission_id > ? AND c.submission_id <= ? "
           f"WHERE {' AND '.join(['s.status = ?', 's.id > ?', 's.id <= ?', *clauses])} "
           "AND f.submission_id > ? AND f.submission_id <= ?")
    sql = " UNION ALL ".join([arm] * len(ACTIVE)) + " ORDER BY 1"
    last = 0
    while True:
        upto = db.execute(bound, [v for status in ACTIVE for v in (status, last)]
                          + [size]).fetchone()[0]
        if upto is None:
            return
        arms = [[fingerprint, last, upto, status, last, upto, *params, last, upto]
                for status in ACTIVE]
        rows = db.execute(sql, [value for arm_params in arms for value in arm_params]
                          ).fetchall()
        if rows:
            yield rows
        last = upto


def done_in_run(db, run_id: int, first: int, last: int) -> set[int]:
    return {r[0] for r in db.execute(
        "SELECT submission_id FROM recalc_items WHERE run_id = ? AND submission_id BETWEEN ? AND ?",
        [run_id, first, last])}


ITEM_COLUMNS = ("run_id", "submission_id", "revision", "status", "from_version", "from_total",
                "to_total", "top_line", "top_delta", "error", "label_id")
STAGED = ("submission_id", "revision", "status", "from_version", "from_total", "to_total",
          "top_line", "top_delta", "error", "by_stage", "p5", "p50", "p95")
# the staged columns' types after submission_id on PostgreSQL (SQLite's staging table has
# none); on both engines the temporary table's name alone finds it
_FLOAT = "DOUBLE PRECISION"
_POSTGRESQL_TYPES = ("BIGINT", "TEXT", "TEXT", _FLOAT, _FLOAT, "BIGINT", _FLOAT, "TEXT",
                     "BYTEA", _FLOAT, _FLOAT, _FLOAT)


def staging_connection(path: str):
    """A connection for a thread that stages and commits chunks; its staging table lives in
    memory (SQLite; PostgreSQL keeps temporary tables in its own buffers)."""
    db = connect(path)
    if dialect(db) != POSTGRESQL:
        db.execute("PRAGMA temp_store=MEMORY")
    return db


def names_of_data_versions(db) -> dict[str, str]:
    """data version hash -> name, of every data version used."""
    return {r["hash"]: r["name"] for r in db.query("SELECT hash, name FROM data_versions")}


def organisation_names(db) -> dict[int, str]:
    return {r["id"]: r["name"] for r in db.query("SELECT id, name FROM organisations")}


def stage(db, rows: list[tuple]) -> None:
    """Stage a chunk's outcome for ``record_staged``: STAGED tuples in ascending submission
    id; top_line -1 and NaN numbers are stored as NULL, by_stage as footprints.stage_bytes.

    The rows go to a temporary table in a transaction of their own, which writes nothing to
    the database file and takes no lock on it (so call it outside a transaction). From there
    one statement per table moves the whole chunk, with the GIL released throughout: a
    statement per row costs several times as much (recalc_items' status CHECK builds its
    IN-list table on every execution, and each row retakes the GIL). PostgreSQL takes the
    staged rows by one COPY (footprint.store.bulk)."""
    conn = db.conn
    columns = ", ".join(STAGED[1:])
    if dialect(db) == POSTGRESQL:  # typed columns; NaN as NULL, as SQLite stores it
        columns = ", ".join(f"{c} {t}" for c, t in zip(STAGED[1:], _POSTGRESQL_TYPES))
        rows = [tuple(None if v != v else v for v in row) for row in rows]
        conn.execute("BEGIN")  # one transaction for the chunk (autocommit otherwise)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS recalc_staged (submission_id INTEGER "
                 f"PRIMARY KEY, {columns})")
    conn.execute("DELETE FROM recalc_staged")
    insert_rows(db, "recalc_staged", STAGED, rows)
    conn.commit()


def record_staged(db, run_id: int, to_version: str, to_version_name: str | None) -> None:
    """In the caller's transaction: an item for every staged product and, for each one not
    failed, its footprint moved to the target version."""
    conn = db.conn
    first, last = conn.execute("SELECT min(submission_id), max(submission_id) "
                               "FROM recalc_staged").fetchone()
    conn.execute(
        f"INSERT INTO recalc_items ({', '.join(ITEM_COLUMNS[:-1])}) SELECT ?, submission_id, "
        "revision, status, from_version, from_total, to_total, nullif(top_line, -1), top_delta, "
        "error FROM recalc_staged ORDER BY submission_id", [run_id])
    conn.execute(
        "UPDATE footprints SET revision = s.revision, data_version = ?, data_version_name = ?, "
        "total_kg_co2e = s.to_total, by_stage = s.by_stage, run_id = ?, updated_at = ?, "
        # a changed footprint has the range drawn for it or none; an unchanged one keeps its
        "p5 = CASE s.status WHEN 'unchanged' THEN coalesce(s.p5, footprints.p5) ELSE s.p5 END, "
        "p50 = CASE s.status WHEN 'unchanged' THEN coalesce(s.p50, footprints.p50) "
        "ELSE s.p50 END, "
        "p95 = CASE s.status WHEN 'unchanged' THEN coalesce(s.p95, footprints.p95) "
        "ELSE s.p95 END "
        "FROM recalc_staged s WHERE footprints.submission_id = s.submission_id "
        "AND s.status != 'failed' AND footprints.submission_id BETWEEN ? AND ?",
        [to_version, to_version_name, run_id, clock.stamp(), first, last])


def label_items(db, run_id: int, labels: list[tuple[str, int]]) -> None:
    """(label id, submission id): the label issued in place of the old one, on its item."""
    db.conn.executemany("UPDATE recalc_items SET label_id = ? WHERE run_id = ? AND "
                        "submission_id = ?", [(label, run_id, sid) for label, sid in labels])


def items(db, run_id: int):
    """Every item of a run with its product, for reports (streamed)."""
    cursor = db.conn.execute(
        "SELECT i.submission_id, coalesce(p.name_zh, p.name), o.name, p.category, f.region, "
        "i.status, i.from_version, i.from_total, i.to_total, "
        "(SELECT json_extract(c.lines_json, '$[' || i.top_line || ']') FROM compiled_boms c "
        " WHERE c.submission_id = i.submission_id AND c.revision = i.revision LIMIT 1), "
        "i.top_delta, i.error, i.label_id FROM recalc_items i "
        "JOIN submissions s ON s.id = i.submission_id JOIN products p ON p.id = s.product_id "
        "JOIN organisations o ON o.id = s.org_id "
        "JOIN footprints f ON f.submission_id = i.submission_id WHERE i.run_id = ? "
        "ORDER BY i.submission_id", [run_id])
    yield from cursor


def runs(db) -> list[dict]:
    return list(db.query(
        "SELECT r.*, (SELECT count(*) FROM recalc_items i WHERE i.run_id = r.id) AS items "
        "FROM recalc_runs r ORDER BY r.id DESC"))
