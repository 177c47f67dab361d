"""The ``results`` table: the full result of each revision, as calculated or re-issued.

A revision may have several: its first calculation, then one for each label re-issued from
a recalculation under new factors; the newest is the one a label shows.
"""
from __future__ import annotations

from .. import clock, jsontext


def insert(db, submission_id: int, revision: int, result: dict) -> None:
    db["results"].insert({
        "submission_id": submission_id, "revision": revision,
        "total_kg_co2e": result["total_kg_co2e"], "method": result["method"]["id"],
        "data_version": result["data_version"],
        "data_version_name": result.get("data_version_name"),
        "reproducibility_hash": result["reproducibility_hash"],
        "result_json": jsontext.dumps(result), "created_at": clock.stamp()})


def latest(db, submission_id: int, revision: int) -> dict | None:
    """The newest full result of a revision (a re-issued label's, if any)."""
    for row in db.query("SELECT result_json FROM results WHERE submission_id = ? AND revision = ? "
                        "ORDER BY id DESC LIMIT 1", [submission_id, revision]):
        return jsontext.loads(row["result_json"])
    return None


def signed(db, submission_id: int, hash_prefix: str) -> dict | None:
    """The full result a label signed: of its submission, whose reproducibility hash begins
    with the label's (claims carry the first 16 bytes); the newest if several do."""
    if not hash_prefix:
        return None
    for row in db.query("SELECT result_json FROM results WHERE submission_id = ? AND "
                        "substr(reproducibility_hash, 1, ?) = ? ORDER BY id DESC LIMIT 1",
                        [submission_id, len(hash_prefix), hash_prefix.lower()]):
        return jsontext.loads(row["result_json"])
    return None
