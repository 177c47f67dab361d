"""The ``labels`` table: every label this platform issued, with its COSE_Sign1 bytes exactly as
in its QR code, the record it was signed from and the names published beside it
(``claims_json``, decoded here once as ``record``), and how it ended (superseded, revoked).

Signing, logging and the rules of revocation are footprint.usecases'.
"""
from __future__ import annotations

import json
from typing import TypedDict


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
    db.execute("PRAGMA defer_foreign_keys = ON")
    db["labels"].update(label_id, {"superseded_by": by})


def mark_revoked(db, label_id: str, at: str, reason: str, by: int) -> None:
    db["labels"].update(label_id, {"revoked_at": at, "revocation_reason": reason,
                                   "revoked_by": by})


def current_for_product(db, product_id: int) -> Label | None:
    """The product's label that is neither superseded nor revoked, if any."""
    return _one(db, "SELECT * FROM labels WHERE product_id = ? AND superseded_by IS NULL "
                    "AND revoked_at IS NULL ORDER BY issued_at DESC, rowid DESC LIMIT 1",
                [product_id])


def current_for_submission(db, submission_id: int) -> Label | None:
    """The submission's label that is neither superseded nor revoked, if any."""
    return _one(db, "SELECT * FROM labels WHERE submission_id = ? AND superseded_by IS NULL "
                    "AND revoked_at IS NULL", [submission_id])


def for_submission(db, submission_id: int) -> Label | None:
    """The submission's current label, else its latest (labels issued within one second are
    told apart by which superseded which)."""
    return _one(db, "SELECT * FROM labels WHERE submission_id = ? ORDER BY "
                    "superseded_by IS NULL DESC, issued_at DESC, rowid DESC LIMIT 1",
                [submission_id])


def by_gtin(db, gtin14: str) -> Label | None:
    """The newest label not superseded of the product with this GTIN-14."""
    return _one(db, "SELECT l.* FROM labels l JOIN products p ON p.id = l.product_id "
                    "WHERE p.gtin = ? AND l.superseded_by IS NULL "
                    "ORDER BY l.issued_at DESC, l.rowid DESC LIMIT 1", [gtin14])


def revoked(db) -> list[dict]:
    """Every revoked label: id, issuer, reason, when, and its COSE bytes; newest first."""
    return list(db.query("SELECT id, issuer, revocation_reason AS reason, revoked_at, cose "
                         "FROM labels WHERE revoked_at IS NOT NULL ORDER BY revoked_at DESC"))


def covers(db) -> dict[str, bytes]:
    """label id -> COSE bytes of every stored label (what the log's monitor compares)."""
    return {row[0]: bytes(row[1]) for row in db.execute("SELECT id, cose FROM labels")}
