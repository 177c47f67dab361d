"""Each submission's current footprint, the data versions used, and rows kept for recalculation.

A footprint is written when a submission's result is calculated and again whenever a
recalculation run moves it to another data version (``run_id`` says which run). The full
result of the submitted revision stays in ``results``; the footprint is the compact current
figure: total, stages, data version.

``compiled_boms`` keeps each revision's rows with stable keys (footprint.recalc.keyed) under
the resolution fingerprint they were compiled with, so a recalculation reads rows, not BOMs:
rows arrive here packed, with the key ids this module numbered.
"""
from __future__ import annotations

import json

import numpy as np

from .. import clock
from .bulk import upsert_rows
from .db import upsert_sql
from ..model import STAGES


def stage_bytes(by_stage: dict) -> bytes:
    """kg CO2e per stage as stored: float64 in model.STAGES order (0 where absent)."""
    return np.array([by_stage.get(s, 0.0) for s in STAGES], dtype="<f8").tobytes()


def stages_from_bytes(blob: bytes) -> dict:
    return {s: float(v) for s, v in zip(STAGES, np.frombuffer(blob, dtype="<f8")) if v}


def record_data_version(db, record: dict) -> None:
    """Remember a data version's name and datasets (a registry's ``data_version_record``) the
    first time anything uses it."""
    db.execute("INSERT INTO data_versions (hash, name, datasets_json, first_used_at) "
               "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
               [record["hash"], record["name"], json.dumps(record["datasets"], sort_keys=True),
                clock.stamp()])


def data_version_name(db, version_hash: str) -> str | None:
    for row in db.query("SELECT name FROM data_versions WHERE hash = ?", [version_hash]):
        return row["name"]
    return None


def store_footprint(db, submission_id: int, revision: int, region: str, result: dict,
                    run_id: int | None = None) -> None:
    """The submission's current footprint from a full result (footprint.engine.result)."""
    spread = result.get("uncertainty") or {}
    db.execute(
        upsert_sql("footprints", ("submission_id", "revision", "region", "data_version",
                                  "data_version_name", "total_kg_co2e", "by_stage", "run_id",
                                  "updated_at", "p5", "p50", "p95"), ("submission_id",)),
        [submission_id, revision, region, result["data_version"],
         result.get("data_version_name"), result["total_kg_co2e"],
         stage_bytes(result["by_stage"]), run_id, clock.stamp(), spread.get("p5"),
         spread.get("p50"), spread.get("p95")])


def current_footprint(db, submission_id: int) -> dict | None:
    for row in db.query("SELECT * FROM footprints WHERE submission_id = ?", [submission_id]):
        return {**row, "by_stage": stages_from_bytes(row["by_stage"])}
    return None


# -- rows kept for recalculation -------------------------------------------------------------

def key_ids(db, keys) -> dict[str, int]:
    """The id of each stable row key, numbering new ones."""
    keys = sorted(set(keys))
    ids = _numbered(db, keys)
    new = [k for k in keys if k not in ids]  # after the first products, seldom any
    if new:
        db.conn.executemany("INSERT INTO row_keys (key) VALUES (?) ON CONFLICT DO NOTHING",
                            [(k,) for k in new])
        ids.update(_numbered(db, new))
    return ids


def _numbered(db, keys: list[str]) -> dict[str, int]:
    ids = {}
    for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
        part = keys[start:start + 500]
        marks = ", ".join("?" * len(part))
        ids.update((r["key"], r["id"]) for r in
                   db.query(f"SELECT id, key FROM row_keys WHERE key IN ({marks})", part))
    return ids


def all_keys(db) -> dict[int, str]:
    return {r["id"]: r["key"] for r in db.query("SELECT id, key FROM row_keys")}


COMPILED = ("submission_id", "revision", "fingerprint", "n_lines", "boundary", "rows",
            "lines_json", "spread")


def store_compiled(db, items) -> None:
    """``items``: (submission_id, revision, fingerprint, n_lines, boundary, packed rows, line
    names, packed spread or None) to keep."""
    upsert_rows(
        db, "compiled_boms", COMPILED, ("submission_id", "revision", "fingerprint"),
        [(sid, rev, fingerprint, n_lines, boundary, rows,
          json.dumps(list(lines), ensure_ascii=False), spread)
         for sid, rev, fingerprint, n_lines, boundary, rows, lines, spread in items])


def line_names(db, submission_id: int, revision: int) -> list[str]:
    """How reports name the revision's top-level lines (footprint.recalc.keyed.describe_line)."""
    for row in db.query("SELECT lines_json FROM compiled_boms WHERE submission_id = ? AND "
                        "revision = ? LIMIT 1", [submission_id, revision]):
        return json.loads(row["lines_json"])
    return []
