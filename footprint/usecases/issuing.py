"""Issuing carbon labels: on approval, and again when a recalculation moves a labelled
footprint; each label signed, stored and recorded in the transparency log.

The caller passes the result to sign (the approval's latest result, or the recalculated one)
and runs this inside its own transaction: the label, its log leaf and, when the product
already had a current label, the supersession of that one (a log leaf too) are written
together or not at all, and the commit survives a power loss before the label is
acknowledged (footprint.store.db).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .. import clock
from ..labels import build_claims, current_key, new_label_id, sign
from ..store import accounts as store_accounts
from ..store import audit
from ..store import labels as store_labels
from ..store import submissions as store_submissions
from ..store.db import transaction
from ..store.labels import Label
from ..store.submissions import Submission
from ..translog import TransparencyLog, supersede_entry
from .benchmarks import grade_at_issue
from .labels import NAME_FIELDS, current_for_product, get

VALIDITY_DAYS = 365  # a label is re-verified at least yearly
# The identifiers a label signs for its parties (footprint.labels.claims).
PARTY_FIELDS = ("product", "gtin", "producer", "verifier", "reviewer")


@dataclass(frozen=True)
class Issuer:
    """The platform as the issuer of labels: its FOOTPRINT_HOME (where the keys are) and,
    when it holds keys of several issuers, which one signs."""

    home: Path
    issuer_id: str | None = None
    validity_days: int = VALIDITY_DAYS


def _party(org: dict):
    """What a label signs for an organisation: its credit code, else its number here."""
    return org.get("credit_code") or org["id"]


def issue(db, issuer: Issuer, submission: Submission, reviewer: dict, result: dict) -> Label:
    """The label of an approved submission, signed from ``result``."""
    key = current_key(issuer.home, issuer.issuer_id)
    product = store_submissions.get_product(db, submission["product_id"])
    producer = store_accounts.organisation(db, submission["org_id"])
    verifier = store_accounts.organisation(db, submission["verifier_org_id"]) \
        if submission["verifier_org_id"] is not None else None
    parties = {
        "product": product["id"], "gtin": product.get("gtin"), "producer": _party(producer),
        # the accounting body by its number here: the platform accredits it and publishes
        # its name; two credit codes would not fit a version-15 QR code with a long host
        "verifier": submission["verifier_org_id"],
        "reviewer": reviewer["id"],
        "product_name_zh": submission["bom"]["product"].get("name_zh"),
        "product_name_en": submission["bom"]["product"]["name"],
        "producer_name": producer["name"],
        "verifier_name": verifier["name"] if verifier else None,
        "reviewer_name": reviewer["display_name"],
    }
    # as the log says, not the columns; a label replaces the one of the same lot only
    previous = current_for_product(db, product["id"],
                                   (submission["bom"].get("product") or {}).get("lot"))
    return _sign_and_store(db, issuer, key, submission, parties, result, previous)


def reissue(db, issuer: Issuer, label: Label, result: dict, reason: str) -> Label:
    """A new label for the same submission from a recalculated ``result`` (e.g. new factor
    data), superseding ``label``: the same product, producer, verifier and reviewer as signed
    before, the new value, stages, grade and data version. Logged like any issuance."""
    key = current_key(issuer.home, issuer.issuer_id)
    submission = store_submissions.get(db, label["submission_id"])
    parties = {field: label["record"].get(field) for field in (*PARTY_FIELDS, *NAME_FIELDS)}
    with transaction(db):
        new = _sign_and_store(db, issuer, key, submission, parties, result, label)
        audit.record(db, submission["id"], None, "reissue", submission["status"],
                     submission["status"], f"label {new['id']} replaces {label['id']}: {reason}")
    return new


def _sign_and_store(db, issuer: Issuer, key, submission: Submission, parties: dict,
                    result: dict, previous: Label | None) -> Label:
    """Sign the label and store it with the names published beside it (the record holds the
    signed fields and the names), then log the issuance and any supersession."""
    issued = clock.now()
    label_id = new_label_id(key.entry.id)
    # the grade is decided here: the category's bands as the engine applied them, unless
    # bands derived from a benchmark were adopted for its category and unit since
    grade = grade_at_issue(db, result) or result.get("grade") or {}
    record = {
        "id": label_id, "issuer": key.entry.id,
        "issued_at": issued, "expires_at": issued + timedelta(days=issuer.validity_days),
        **parties,
        "category": result["category"]["id"], "region": result["region"],
        "declared_unit": result["declared_unit"], "value": result["total_kg_co2e"],
        "by_stage": result["by_stage"], "grade": grade.get("grade"),
        # the range (P5-P95), its ends signed with the digits pages show (claim 20)
        "uncertainty": {k: result["uncertainty"][k] for k in ("p5", "p95")}
        if result.get("uncertainty") else None,
        "provisional": grade.get("provisional") if grade else None,
        "data_version": result["data_version"],
        "reproducibility_hash": result["reproducibility_hash"],
        "supersedes": previous["id"] if previous else None,
        # which bands graded it (stored beside the claims, not signed): benchmark bands by
        # their version, else the category's own
        "grade_bands": grade.get("benchmark"),
    }
    cose = sign(build_claims(record), key)
    log = TransparencyLog(db)
    with transaction(db):
        if previous:
            store_labels.mark_superseded(db, previous["id"], label_id)
        store_labels.insert(
            db, label_id, submission["id"], submission["product_id"], key.entry.id,
            key.entry.kid, cose,
            {k: v for k, v in record.items() if k not in ("issued_at", "expires_at")},
            clock.stamp(issued), clock.stamp(record["expires_at"]), record["supersedes"],
            log.size())
        log.append("issue", label_id, cose)
        if previous:
            log.append("supersede", previous["id"],
                       supersede_entry(previous["id"], label_id, issued))
            if previous["submission_id"] != submission["id"]:
                store_submissions.set_status(db, previous["submission_id"], "superseded")
    return get(db, label_id)
