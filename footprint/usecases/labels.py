"""Reading the labels this platform issued: status, the names published beside the signed
identifiers, the claims a page shows, and the chain of supersessions."""
from __future__ import annotations

from datetime import datetime

from .. import clock
from ..errors import NotFound
from ..labels import signed_claims
from ..store import labels as stored
from ..store.labels import Label

# The names published beside a label's signed identifiers (kept in its record when issued).
NAME_FIELDS = ("product_name_zh", "product_name_en", "producer_name", "verifier_name",
               "reviewer_name")
STATUSES = ("valid", "superseded", "revoked", "expired")

for_submission = stored.for_submission
current_for_submission = stored.current_for_submission
by_gtin = stored.by_gtin
revoked = stored.revoked


def get(db, label_id: str) -> Label:
    label = stored.get(db, label_id)
    if label is None:
        raise NotFound("no such label")
    return label


def status(label: Label, at: datetime | None = None) -> str:
    """valid, superseded, revoked or expired (revocation says most, so it wins)."""
    if label["revoked_at"]:
        return "revoked"
    if label["superseded_by"]:
        return "superseded"
    if datetime.fromisoformat(label["expires_at"]) < (at or clock.now()):
        return "expired"
    return "valid"


def names(label: Label) -> dict:
    """The names this platform publishes beside a label's signed identifiers: product (zh,
    en), producer, verifier and reviewer, as they were when it was issued."""
    return {field: label["record"].get(field) for field in NAME_FIELDS}


def claims(label: Label) -> dict:
    """The readable claims a stored label signs."""
    return signed_claims(bytes(label["cose"]), label["issuer"])


def shown(label: Label) -> dict:
    """What pages and printed labels show: the signed claims and the names beside them."""
    return {**claims(label), **names(label)}


def current_of(db, label: Label) -> Label:
    """The label at the end of ``label``'s chain of supersessions."""
    seen = {label["id"]}
    current = label
    while current["superseded_by"] and current["superseded_by"] not in seen:
        current = get(db, current["superseded_by"])
        seen.add(current["id"])
    return current
