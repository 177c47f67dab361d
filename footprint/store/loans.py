"""The ``loan_products`` and ``loan_decisions`` tables: a bank's loan products (terms as
checked JSON) and each loan it priced, with the signed document and its log index. The rules
are footprint.loanrules'; who may see what is footprint.usecases.loans'."""
from __future__ import annotations

import json

from .. import clock

DECISION_COLUMNS = (
    "d.id, d.bank_org_id, d.loan_product_id, d.borrower_org_id, d.product_id, d.year, "
    "d.principal, d.base_rate_bp, d.cut_bp, d.rate_bp, d.interest_saved, d.subsidy, "
    "d.total_benefit, d.explanation_json, d.log_index, d.priced_by, d.priced_at, "
    "b.name AS bank_name, o.name AS borrower_name, p.name AS loan_product_name")
DECISIONS = (f"SELECT {DECISION_COLUMNS} FROM loan_decisions d "
             "JOIN organisations b ON b.id = d.bank_org_id "
             "JOIN organisations o ON o.id = d.borrower_org_id "
             "JOIN loan_products p ON p.id = d.loan_product_id")


def _product(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "terms": json.loads(row["terms_json"])}


def insert_product(db, bank_org_id: int, name: str, base_rate_name: str, terms: dict,
                   actor_id: int | None) -> int:
    return db["loan_products"].insert({
        "bank_org_id": bank_org_id, "name": name, "base_rate_name": base_rate_name,
        "terms_json": json.dumps(terms, sort_keys=True), "created_by": actor_id,
        "created_at": clock.stamp()}).last_pk


def product(db, product_id: int) -> dict | None:
    return _product(next(db.query("SELECT * FROM loan_products WHERE id = ?", [product_id]),
                         None))


def product_named(db, bank_org_id: int, name: str) -> dict | None:
    return _product(next(db.query("SELECT * FROM loan_products WHERE bank_org_id = ? "
                                  "AND name = ?", [bank_org_id, name]), None))


def products_of(db, bank_org_id: int) -> list[dict]:
    return [_product(r) for r in db.query(
        "SELECT * FROM loan_products WHERE bank_org_id = ? ORDER BY id", [bank_org_id])]


def insert_decision(db, row: dict) -> int:
    """A decision's row without its document yet (the document signs the row's id)."""
    return db["loan_decisions"].insert({**row, "document": b"", "log_index": -1}).last_pk


def set_document(db, decision_id: int, document: bytes, log_index: int) -> None:
    db["loan_decisions"].update(decision_id, {"document": document, "log_index": log_index})


def _decision(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "explanation": json.loads(row["explanation_json"])}


def decision(db, decision_id: int) -> dict | None:
    return _decision(next(db.query(DECISIONS + " WHERE d.id = ?", [decision_id]), None))


def document(db, decision_id: int) -> bytes:
    return bytes(next(db.query("SELECT document FROM loan_decisions WHERE id = ?",
                               [decision_id]))["document"])


def decisions_of_bank(db, bank_org_id: int) -> list[dict]:
    return [_decision(r) for r in db.query(DECISIONS + " WHERE d.bank_org_id = ? "
                                           "ORDER BY d.id DESC", [bank_org_id])]


def decisions_about(db, borrower_org_id: int) -> list[dict]:
    return [_decision(r) for r in db.query(DECISIONS + " WHERE d.borrower_org_id = ? "
                                           "ORDER BY d.id DESC", [borrower_org_id])]
