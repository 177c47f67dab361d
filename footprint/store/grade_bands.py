"""The ``grade_band_versions`` table (migration 17): every adoption of grade bands derived from
a benchmark of verified footprints, per category and declared unit, numbered from 1; the
newest version of a category and unit is the one labels are graded with from then on."""
from __future__ import annotations

import json


def _version(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**{k: v for k, v in row.items() if k not in ("bands_json", "distribution_json")},
            "bands": json.loads(row["bands_json"]),
            "distribution": json.loads(row["distribution_json"]),
            "document": bytes(row["document"])}


def current(db, category: str, declared_unit: str) -> dict | None:
    """The newest version adopted for the category and declared unit, or None."""
    return _version(next(db.query(
        "SELECT * FROM grade_band_versions WHERE category = ? AND declared_unit = ? "
        "ORDER BY version DESC LIMIT 1", [category, declared_unit]), None))


def get(db, version_id: int) -> dict | None:
    return _version(next(db.query("SELECT * FROM grade_band_versions WHERE id = ?",
                                  [version_id]), None))


def every(db) -> list[dict]:
    """Every version, newest first."""
    return [_version(row) for row in db.query(
        "SELECT * FROM grade_band_versions ORDER BY id DESC")]


def insert(db, category: str, declared_unit: str, bands: list, n: int, as_of: str,
           distribution: dict, document: bytes, log_index: int, adopted_by: int | None,
           adopted_at: str) -> int:
    """Store the next version of the category's and unit's bands; returns its id."""
    number = db.execute("SELECT coalesce(max(version), 0) + 1 FROM grade_band_versions "
                        "WHERE category = ? AND declared_unit = ?",
                        [category, declared_unit]).fetchone()[0]
    return db["grade_band_versions"].insert({
        "category": category, "declared_unit": declared_unit, "version": number,
        "bands_json": json.dumps(bands), "n": n, "as_of": as_of,
        "distribution_json": json.dumps(distribution), "document": document,
        "log_index": log_index, "adopted_by": adopted_by, "adopted_at": adopted_at}).last_pk
