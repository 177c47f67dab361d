"""The ``pact_inputs`` table: suppliers' PACT v3 footprints a producer imported to use as BOM
inputs (``pact:<id>``), each kept as it arrived (``json``) beside what a line needs of it.

An organisation sees and uses only the footprints it imported; the same footprint imported by
two organisations is two rows. A PACT v3 footprint is immutable, so importing one again
changes nothing but its import time.
"""
from __future__ import annotations

import json


def keep(db, org_id: int, footprint, by: int | None, at: str, origin: str) -> None:
    """Keep ``footprint`` (a footprint.pactinput.PactFootprint) for ``org_id``."""
    db.execute(
        "INSERT INTO pact_inputs (org_id, id, status, company_name, company_ids, product_ids, "
        "product_name, declared_unit, declared_amount, value, verifier, dqr, "
        "primary_data_share, json, origin, imported_by, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (org_id, id) DO UPDATE SET imported_at = excluded.imported_at, "
        "status = excluded.status",
        [org_id, footprint.id, footprint.status, footprint.company_name,
         json.dumps(list(footprint.company_ids)), json.dumps(list(footprint.product_ids)),
         footprint.product_name, footprint.declared_unit, footprint.declared_amount,
         footprint.value, footprint.verifier,
         json.dumps(footprint.dqr) if footprint.dqr else None, footprint.primary_data_share,
         json.dumps(footprint.raw, ensure_ascii=False, sort_keys=True), origin, by, at])


def find(db, footprint_id: str, org_id: int | None) -> dict | None:
    """The footprint as ``org_id`` imported it (any organisation's when None: an operator)."""
    where, params = "id = ?", [footprint_id.lower()]
    if org_id is not None:
        where, params = where + " AND org_id = ?", params + [org_id]
    for row in db.query(f"SELECT * FROM pact_inputs WHERE {where} ORDER BY imported_at DESC "
                        "LIMIT 1", params):
        return _decoded(row)
    return None


def of_org(db, org_id: int | None) -> list[dict]:
    where, params = ("WHERE org_id = ?", [org_id]) if org_id is not None else ("", [])
    return [_decoded(row) for row in db.query(
        f"SELECT * FROM pact_inputs {where} ORDER BY imported_at DESC, id", params)]


def _decoded(row: dict) -> dict:
    return {**row, "company_ids": json.loads(row["company_ids"]),
            "product_ids": json.loads(row["product_ids"]),
            "dqr": json.loads(row["dqr"]) if row["dqr"] else None}
