"""The ``labels`` table: every label this platform issued, with its COSE_Sign1 bytes exactly as
in its QR code, the record it was signed from and the names published beside it
(``claims_json``, decoded here once as ``record``), and how it ended (superseded, revoked).

How it ended is the transparency log's to say: the columns ``superseded_by``, ``revoked_at``
and ``revocation_reason`` repeat the log's supersede and revoke leaves as an index, and
footprint.usecases.labels reads a label's state from its leaves. Signing, logging and the
rules of revocation are footprint.usecases'.
"""
from __future__ import annotations

import json
from typing import TypedDict

from .db import defer_foreign_keys


class Label(TypedDict):
    id: str
    submission_id: int
    product_id: int
    issuer: str
    kid: bytes
    cose: bytes
    record: dict  # the signed fields and the names published beside them
    issued_at: str
    expires_at: str
    supersedes: str | None
    superseded_by: str | None
    revoked_at: str | None
    revocation_reason: str | None
    revoked_by: int | None
    log_index: int


def _label(row: dict | None) -> Label | None:
    if row is None:
        return None
    label = {k: v for k, v in row.items() if k != "claims_json"}
    label["record"] = json.loads(row["claims_json"])
    return label


def _one(db, sql: str, params: list) -> Label | None:
    return _label(next(db.query(sql, params), None))


def get(db, label_id: str) -> Label | None:
    return _one(db, "SELECT * FROM labels WHERE id = ?", [label_id])


def ending(db, label_id: str) -> tuple | None:
    """(superseded_by, revoked_at, expires_at, log_index) of a label: the columns that change
    when it ends, when it will, and where the log holds it; None for a label the table does
    not hold."""
    return db.execute("SELECT superseded_by, revoked_at, expires_at, log_index FROM labels "
                      "WHERE id = ?", [label_id]).fetchone()


def insert(db, label_id: str, submission_id: int, product_id: int, issuer: str, kid: bytes,
           cose: bytes, record: dict, issued_at: str, expires_at: str,
           supersedes: str | None, log_index: int) -> None:
    db["labels"].insert({
        "id": label_id, "submission_id": submission_id, "product_id": product_id,
        "issuer": issuer, "kid": kid, "cose": cose,
        "claims_json": json.dumps(record, ensure_ascii=False, default=str),
        "issued_at": issued_at, "expires_at": expires_at, "supersedes": supersedes,
        "log_index": log_index})


def mark_superseded(db, label_id: str, by: str) -> None:
    """Point the old label at the new one before the new one is inserted, so a submission
    never has two current labels; the reference is checked when the transaction commits."""
    defer_foreign_keys(db)
    db["labels"].update(label_id, {"superseded_by": by})


def mark_revoked(db, label_id: str, at: str, reason: str, by: int) -> None:
    db["labels"].update(label_id, {"revoked_at": at, "revocation_reason": reason,
                                   "revoked_by": by})


# A product or a submission has few labels (one per approval or re-issue), so these return
# them all, newest first, and footprint.usecases.labels picks the current one by what the log
# says; the columns superseded_by and revoked_at only index it.
_NEWEST_FIRST = "ORDER BY issued_at DESC, rowid DESC"


def _many(db, sql: str, params: list) -> list[Label]:
    return [_label(row) for row in db.query(sql, params)]


def of_product_and_lot(db, product_id: int, lot: str | None) -> list[Label]:
    """Every label of the product whose submission covers this batch or lot (its BOM's
    product.lot; None: the labels of submissions that name no lot), newest first."""
    return _many(db, "SELECT l.* FROM labels l JOIN submissions s ON s.id = l.submission_id "
                     "WHERE l.product_id = ? AND "
                     "json_extract(s.bom_json, '$.product.lot') IS NOT DISTINCT FROM ? "
                     "ORDER BY l.issued_at DESC, l.rowid DESC", [product_id, lot])


def of_product(db, product_id: int) -> list[Label]:
    """Every label of the product, whatever lot it covers, newest first."""
    return _many(db, f"SELECT * FROM labels WHERE product_id = ? {_NEWEST_FIRST}",
                 [product_id])


def of_submission(db, submission_id: int) -> list[Label]:
    """Every label of the submission, newest first."""
    return _many(db, f"SELECT * FROM labels WHERE submission_id = ? {_NEWEST_FIRST}",
                 [submission_id])


def of_gtin(db, gtin14: str) -> list[Label]:
    """Every label of the product with this GTIN-14, newest first."""
    return _many(db, "SELECT l.* FROM labels l JOIN products p ON p.id = l.product_id "
                     "WHERE p.gtin = ? ORDER BY l.issued_at DESC, l.rowid DESC", [gtin14])


def of_gtin_and_lot(db, gtin14: str, lot: str) -> list[Label]:
    """Every label of the product with this GTIN-14 whose submission covers this batch or
    lot (its BOM's product.lot), newest first."""
    return _many(db, "SELECT l.* FROM labels l JOIN products p ON p.id = l.product_id "
                     "JOIN submissions s ON s.id = l.submission_id WHERE p.gtin = ? AND "
                     "json_extract(s.bom_json, '$.product.lot') = ? "
                     "ORDER BY l.issued_at DESC, l.rowid DESC", [gtin14, lot])


def get_many(db, label_ids) -> dict[str, Label]:
    """label id -> label, for the ids that are stored."""
    ids = list(dict.fromkeys(label_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return {label["id"]: label
            for label in _many(db, f"SELECT * FROM labels WHERE id IN ({marks})", ids)}


def index(db) -> dict[str, dict]:
    """label id -> its COSE bytes and the columns that index its state (superseded_by,
    revoked_at, revocation_reason, log_index), for every stored label: what the log's
    monitor holds to the log."""
    return {row["id"]: {**row, "cose": bytes(row["cose"])} for row in db.query(
        "SELECT id, cose, superseded_by, revoked_at, revocation_reason, log_index FROM labels")}


def counted_by_organisation(db) -> dict[str, dict[int, int]]:
    """How many labels were issued for each organisation's products (``produced``) and on
    submissions each accounting body is assigned (``verified``: a labelled submission stays
    with the body that verified it), by organisation id; superseded ones included."""
    return {name: {row["org"]: row["n"] for row in db.query(
                f"SELECT s.{column} AS org, COUNT(*) AS n FROM labels l "
                f"JOIN submissions s ON s.id = l.submission_id "
                f"WHERE s.{column} IS NOT NULL GROUP BY s.{column}")}
            for name, column in (("produced", "org_id"), ("verified", "verifier_org_id"))}
