"""The ``qualifications`` table: accounting bodies' accreditations (migration 18). A record's
``categories`` is the list the JSON column holds."""
from __future__ import annotations

import json

from .. import clock

_SELECT = ("SELECT q.*, o.name AS org_name FROM qualifications q "
           "JOIN organisations o ON o.id = q.org_id")


def _record(row: dict) -> dict:
    return {**row, "categories": json.loads(row["categories"])}


def insert(db, org_id: int, number: str, categories: list[str], valid_from: str,
           valid_until: str, recorded_by: int | None) -> int:
    return db["qualifications"].insert({
        "org_id": org_id, "number": number, "categories": json.dumps(categories),
        "valid_from": valid_from, "valid_until": valid_until, "recorded_by": recorded_by,
        "recorded_at": clock.stamp()}).last_pk


def get(db, qualification_id: int) -> dict | None:
    row = next(db.query(_SELECT + " WHERE q.id = ?", [qualification_id]), None)
    return _record(row) if row else None


def of_organisation(db, org_id: int) -> list[dict]:
    return [_record(r) for r in db.query(_SELECT + " WHERE q.org_id = ? ORDER BY q.valid_from",
                                         [org_id])]


def listed(db) -> list[dict]:
    """Every qualification, by body, then by the day it lapses."""
    return [_record(r) for r in db.query(_SELECT + " ORDER BY o.name, q.valid_until")]
