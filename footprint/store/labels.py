"""Issuing, superseding and revoking carbon labels, each recorded in the transparency log.

Issuing happens inside the approval's transaction (``LabelIssuer`` is handed to
``submissions.act``): the label is signed with the platform's current issuer key, stored, and
its COSE_Sign1 bytes appended to the log; if the product already had a current label, that one
is superseded by the new label and the supersession is a log entry too. Either everything is
stored or nothing is.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from .db import transaction
from .migrations import now

VALIDITY_DAYS = 365  # a label is re-verified at least yearly


@dataclass
class LabelIssuer:
    """Signs labels for one platform: its FOOTPRINT_HOME (keys) and issuer id."""

    home: Path
    issuer_id: str | None = None
    validity_days: int = VALIDITY_DAYS

    def __call__(self, db, submission: dict, reviewer: dict) -> dict:
        return issue(db, self, submission, reviewer)


NAME_FIELDS = ("product_name_zh", "product_name_en", "producer_name", "verifier_name",
               "reviewer_name")
PARTY_FIELDS = ("product", "gtin", "producer", "verifier", "reviewer")


def _party(db, org_id: int):
    """What a label signs for the producer: its credit code, else its number here."""
    return db["organisations"].get(org_id).get("credit_code") or org_id


def _org_name(db, org_id) -> str | None:
    return db["organisations"].get(org_id)["name"] if org_id is not None else None


def names(label: dict) -> dict:
    """The names this platform publishes beside a stored label's signed identifiers: product
    (zh, en), producer, verifier and reviewer, as they were when it was issued."""
    record = json.loads(label["claims_json"])
    return {field: record.get(field) for field in NAME_FIELDS}


def current_label(db, product_id: int) -> dict | None:
    for row in db.query("SELECT * FROM labels WHERE product_id = ? AND superseded_by IS NULL "
                        "AND revoked_at IS NULL ORDER BY issued_at DESC, rowid DESC LIMIT 1",
                        [product_id]):
        return row
    return None


def issue(db, issuer: LabelIssuer, submission: dict, reviewer: dict) -> dict:
    from ..labels import current_key
    from .submissions import latest_result

    key = current_key(issuer.home, issuer.issuer_id)
    result = latest_result(db, submission)
    product = db["products"].get(submission["product_id"])
    bom = json.loads(submission["bom_json"])
    parties = {
        "product": product["id"], "gtin": product.get("gtin"),
        "producer": _party(db, submission["org_id"]),
        # the accounting body by its number here: the platform accredits it and publishes
        # its name; two credit codes would not fit a version-15 QR code with a long host
        "verifier": submission["verifier_org_id"],
        "reviewer": reviewer["id"],
        "product_name_zh": bom["product"].get("name_zh"),
        "product_name_en": bom["product"]["name"],
        "producer_name": _org_name(db, submission["org_id"]),
        "verifier_name": _org_name(db, submission["verifier_org_id"]),
        "reviewer_name": reviewer["display_name"],
    }
    previous = current_label(db, product["id"])
    return _sign_and_store(db, issuer, key, submission, parties, result, previous)


def reissue(db, issuer: LabelIssuer, label: dict, result: dict, reason: str) -> dict:
    """A new label for the same submission from a recalculated ``result`` (e.g. new factor
    data), superseding ``label``: the same product, producer, verifier and reviewer as signed
    before, the new value, stages, grade and data version. Logged like any issuance."""
    from ..labels import current_key

    key = current_key(issuer.home, issuer.issuer_id)
    submission = db["submissions"].get(label["submission_id"])
    record = json.loads(label["claims_json"])
    parties = {field: record.get(field) for field in (*PARTY_FIELDS, *NAME_FIELDS)}
    with transaction(db):
        new = _sign_and_store(db, issuer, key, submission, parties, result, label)
        db["audit_events"].insert({"submission_id": submission["id"], "actor_id": None,
                                   "action": "reissue", "from_status": submission["status"],
                                   "to_status": submission["status"],
                                   "reason": f"label {new['id']} replaces {label['id']}: {reason}",
                                   "at": now()})
    return new


def _sign_and_store(db, issuer: LabelIssuer, key, submission: dict, parties: dict,
                    result: dict, previous: dict | None) -> dict:
    """Sign the label and store it with the names published beside it (claims_json holds
    the record: signed fields and names), then log the issuance and any supersession."""
    from ..labels import build_claims, new_label_id, sign
    from ..translog import TransparencyLog, supersede_entry

    issued = datetime.now(timezone.utc).replace(microsecond=0)
    label_id = new_label_id(key.entry.id)
    grade = result.get("grade") or {}
    record = {
        "id": label_id, "issuer": key.entry.id,
        "issued_at": issued, "expires_at": issued + timedelta(days=issuer.validity_days),
        **parties,
        "category": result["category"]["id"], "region": result["region"],
        "declared_unit": result["declared_unit"], "value": result["total_kg_co2e"],
        "by_stage": result["by_stage"], "grade": grade.get("grade"),
        "provisional": grade.get("provisional") if grade else None,
        "data_version": result["data_version"],
        "reproducibility_hash": result["reproducibility_hash"],
        "supersedes": previous["id"] if previous else None,
    }
    claims = build_claims(record)
    cose = sign(claims, key)
    log = TransparencyLog(db)
    with transaction(db):
        if previous:
            # the old label points at the new one before the new one exists, so a submission
            # never has two current labels; the reference is checked at commit
            db.execute("PRAGMA defer_foreign_keys = ON")
            db["labels"].update(previous["id"], {"superseded_by": label_id})
        db["labels"].insert({
            "id": label_id, "submission_id": submission["id"],
            "product_id": submission["product_id"],
            "issuer": key.entry.id, "kid": key.entry.kid, "cose": cose,
            "claims_json": json.dumps({k: v for k, v in record.items()
                                       if k not in ("issued_at", "expires_at")},
                                      ensure_ascii=False, default=str),
            "issued_at": issued.isoformat(), "expires_at": record["expires_at"].isoformat(),
            "supersedes": record["supersedes"], "log_index": log.size()})
        log.append("issue", label_id, cose)
        if previous:
            log.append("supersede", previous["id"],
                       supersede_entry(previous["id"], label_id, issued))
            if previous["submission_id"] != submission["id"]:
                db["submissions"].update(previous["submission_id"], {"status": "superseded"})
    return db["labels"].get(label_id)


def revoke(db, user: dict, label_id: str, reason: str) -> dict:
    """Revoke a label with a public reason (platform reviewers and administrators only)."""
    from ..translog import TransparencyLog, revoke_entry

    if user["role"] not in ("reviewer", "admin"):
        raise Forbidden("only a platform reviewer or an administrator revokes labels")
    label = get(db, label_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput([Problem("reason", "a public reason of 1 to 500 characters")])
    if label["revoked_at"]:
        raise Conflict("this label is already revoked")
    at = now()
    with transaction(db):
        db["labels"].update(label_id, {"revoked_at": at, "revocation_reason": reason,
                                       "revoked_by": user["id"]})
        TransparencyLog(db).append("revoke", label_id, revoke_entry(label_id, reason, at))
        submission = db["submissions"].get(label["submission_id"])
        if label["superseded_by"] is None:
            db["submissions"].update(submission["id"], {"status": "revoked", "updated_at": at})
        db["audit_events"].insert({"submission_id": submission["id"], "actor_id": user["id"],
                                   "action": "revoke", "from_status": submission["status"],
                                   "to_status": "revoked", "reason": reason, "at": at})
    return get(db, label_id)


def get(db, label_id: str) -> dict:
    for row in db.query("SELECT * FROM labels WHERE id = ?", [label_id]):
        return row
    raise NotFound("no such label")


def status(label: dict, at: datetime | None = None) -> str:
    """valid, superseded, revoked or expired (revocation says most, so it wins)."""
    if label["revoked_at"]:
        return "revoked"
    if label["superseded_by"]:
        return "superseded"
    moment = at or datetime.now(timezone.utc)
    if datetime.fromisoformat(label["expires_at"]) < moment:
        return "expired"
    return "valid"


def current_for_submission(db, submission_id: int) -> dict | None:
    """The submission's label that is neither superseded nor revoked, if any."""
    for row in db.query("SELECT * FROM labels WHERE submission_id = ? AND superseded_by IS NULL "
                        "AND revoked_at IS NULL", [submission_id]):
        return row
    return None


def for_submission(db, submission_id: int) -> dict | None:
    """The submission's current label, else its latest (labels issued within one second are
    told apart by which superseded which)."""
    for row in db.query("SELECT * FROM labels WHERE submission_id = ? ORDER BY "
                        "superseded_by IS NULL DESC, issued_at DESC, rowid DESC LIMIT 1",
                        [submission_id]):
        return row
    return None


def revoked(db) -> list[dict]:
    """The public list of revoked labels: id, reason, when."""
    return list(db.query("SELECT id, issuer, revocation_reason AS reason, revoked_at "
                         "FROM labels WHERE revoked_at IS NOT NULL ORDER BY revoked_at DESC"))


def by_gtin(db, gtin14: str) -> dict | None:
    for row in db.query(
            "SELECT l.* FROM labels l JOIN products p ON p.id = l.product_id WHERE p.gtin = ? "
            "AND l.superseded_by IS NULL ORDER BY l.issued_at DESC, l.rowid DESC LIMIT 1",
            [gtin14]):
        return row
    return None
