"""The tables of enterprise carbon accounts (migration 15): declared annual production per
product and year, the baseline year a producer chose, and the account's audit events; and
the one query that finds an organisation's labelled submissions.

Which of those footprints count (label not revoked, as the transparency log says) and what
they add up to is footprint.usecases.carbonaccounts'.
"""
from __future__ import annotations

import json

from .. import clock
from .db import upsert_sql


def labelled_submissions(db, org_id: int) -> list[dict]:
    """Every submission of the organisation that has at least one label, with its product
    (name, category), when its accounting body last verified it (``verified_at``) and its
    labels' ids oldest first (``label_ids``), by submission id."""
    rows = db.query(
        "SELECT s.id, s.product_id, s.revision, s.status, s.bom_json, s.created_at, "
        "p.name AS product_name, p.name_zh AS product_name_zh, p.category, l.id AS label_id, "
        "(SELECT MAX(a.at) FROM audit_events a WHERE a.submission_id = s.id "
        " AND a.action = 'verify') AS verified_at "
        "FROM submissions s JOIN products p ON p.id = s.product_id "
        "JOIN labels l ON l.submission_id = s.id WHERE s.org_id = ? "
        "ORDER BY s.id, l.issued_at, l.log_index", [org_id])
    out: dict[int, dict] = {}  # a row per label: its submission's record once, ids gathered
    for row in rows:
        record = out.get(row["id"])
        if record is None:
            record = {k: v for k, v in row.items() if k not in ("bom_json", "label_id")}
            record["bom"] = json.loads(row["bom_json"])
            record["label_ids"] = []
            out[row["id"]] = record
        record["label_ids"].append(row["label_id"])
    return list(out.values())


def products_of(db, org_id: int) -> list[dict]:
    return list(db.query("SELECT id, name, name_zh, category FROM products WHERE org_id = ? "
                         "ORDER BY id", [org_id]))


def product(db, product_id: int) -> dict | None:
    for row in db.query("SELECT id, org_id, name, name_zh, category FROM products "
                        "WHERE id = ?", [product_id]):
        return row
    return None


def declared_unit(db, product_id: int) -> dict | None:
    """The declared unit of the product's newest submission ({"amount": 1, "unit": "kg"})."""
    for row in db.query("SELECT json_extract(bom_json, '$.declared_unit') AS unit "
                        "FROM submissions WHERE product_id = ? ORDER BY id DESC LIMIT 1",
                        [product_id]):
        return json.loads(row["unit"]) if row["unit"] else None
    return None


def organisation(db, org_id: int) -> dict | None:
    for row in db.query("SELECT id, name, kind, region FROM organisations WHERE id = ?",
                        [org_id]):
        return row
    return None


# -- declared production ------------------------------------------------------------------------

def production(db, org_id: int) -> list[dict]:
    """Every declaration of the organisation: product_id, year, amount, unit, who, when."""
    return list(db.query("SELECT * FROM declared_production WHERE org_id = ? "
                         "ORDER BY product_id, year", [org_id]))


def production_of(db, product_id: int, year: int) -> dict | None:
    for row in db.query("SELECT * FROM declared_production WHERE product_id = ? AND year = ?",
                        [product_id, year]):
        return row
    return None


def declare_production(db, org_id: int, product_id: int, year: int, amount: float, unit: str,
                       user_id: int | None) -> None:
    db.execute(upsert_sql("declared_production", ("product_id", "year", "org_id", "amount",
                                                  "unit", "declared_by", "declared_at"),
                          ("product_id", "year")),
               [product_id, year, org_id, amount, unit, user_id, clock.stamp()])


# -- the account's settings and events ----------------------------------------------------------

def baseline_year(db, org_id: int) -> int | None:
    for row in db.query("SELECT baseline_year FROM carbon_account_settings WHERE org_id = ?",
                        [org_id]):
        return row["baseline_year"]
    return None


def set_baseline_year(db, org_id: int, year: int | None, user_id: int | None) -> None:
    db.execute(upsert_sql("carbon_account_settings",
                          ("org_id", "baseline_year", "updated_by", "updated_at"), ("org_id",)),
               [org_id, year, user_id, clock.stamp()])


def record_event(db, org_id: int, actor_id: int | None, action: str, *,
                 product_id: int | None = None, year: int | None = None, before=None,
                 after=None) -> None:
    db["carbon_account_events"].insert({
        "org_id": org_id, "actor_id": actor_id, "action": action, "product_id": product_id,
        "year": year, "before_json": None if before is None else json.dumps(before),
        "after_json": None if after is None else json.dumps(after), "at": clock.stamp()})


def events(db, org_id: int) -> list[dict]:
    """The account's events, oldest first, with the actor's name."""
    rows = db.query(
        "SELECT e.*, u.display_name FROM carbon_account_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.org_id = ? ORDER BY e.id", [org_id])
    return [{**row, "before": json.loads(row["before_json"]) if row["before_json"] else None,
             "after": json.loads(row["after_json"]) if row["after_json"] else None}
            for row in rows]
