"""Reading the labels this platform issued: their state as the transparency log records it,
the names published beside the signed identifiers, the claims a page shows, and the chain of
supersessions.

A label's state is what its leaves in the log say (footprint.translog.state): every label
this module returns carries the log's values in ``superseded_by``, ``revoked_at``,
``revocation_reason`` and ``expires_at`` (the expiry its logged, signed bytes carry),
whatever the labels table's columns say. The columns stay an index that finds a product's
or a submission's labels; the log picks which is current. ``log_index`` stays the row's:
it is the platform's claim that the scan page checks with an inclusion proof of the scanned
bytes, so a wrong one makes the label untrusted rather than quietly corrected. Where a
label's row disagrees with its leaves, ``label["log_differs"]`` says how (and a warning is
logged), so a page can show it; ``footprint log verify`` reports it and fails. Reading a
label's state costs one indexed query for its few leaves, never a pass over the log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from .. import clock
from ..dataquality import level, overall
from ..errors import Message, NotFound
from ..labels import LabelInvalid, signed_claims
from ..store import labels as stored
from ..store import results
from ..store import log as stored_log
from ..store import submissions as stored_submissions
from ..store.labels import Label
from ..translog.entries import EntryError, decode_entry
from ..translog.state import differences, state_of, stored_time

# The names published beside a label's signed identifiers (kept in its record when issued).
NAME_FIELDS = ("product_name_zh", "product_name_en", "producer_name", "verifier_name",
               "reviewer_name")
STATUSES = ("valid", "superseded", "revoked", "expired")

logger = logging.getLogger("footprint.labels")


# -- a label as the log says it is ------------------------------------------------------------

def _signed_expiry(cose: bytes, row: Label) -> str:
    """The expiry the logged bytes sign, as stored times are written."""
    try:
        return clock.stamp(datetime.fromisoformat(
            signed_claims(cose, row["issuer"])["expires_at"].replace("Z", "+00:00")))
    except LabelInvalid:
        return row["expires_at"]  # not a label's bytes: the monitor reports the leaf


def _as_logged(row: Label, leaves: list[dict]) -> Label:
    """``row`` with its state taken from its leaves, and ``log_differs``: where the row
    said otherwise."""
    # a list, not a generator: translog would run this file's code (calls run one way)
    state = state_of(row["id"], [(e["index"], e["kind"], e["entry"]) for e in leaves])
    differs = [str(d) for d in differences(row, state)]
    label = {**row, "superseded_by": state.superseded_by, "revoked_at": state.revoked_at,
             "revocation_reason": state.revocation_reason, "log_differs": differs}
    if state.issued is not None:
        label["expires_at"] = _signed_expiry(state.issue_entry, row)
    if differs:
        logger.warning("label %s: the labels table disagrees with the transparency log, "
                       "which is what counts (run `footprint log verify`): %s", row["id"],
                       "; ".join(differs))
    return label


def _one_as_logged(db, row: Label | None) -> Label | None:
    return None if row is None else _as_logged(row, stored_log.entries_of(db, row["id"]))


def _all_as_logged(db, rows: list[Label]) -> list[Label]:
    leaves = stored_log.entries_of_labels(db, [row["id"] for row in rows])
    return [_as_logged(row, leaves[row["id"]]) for row in rows]


def many_as_logged(db, label_ids) -> dict[str, Label]:
    """label id -> the label as the log says it is, for the ids that are stored."""
    rows = list(stored.get_many(db, label_ids).values())
    return {label["id"]: label for label in _all_as_logged(db, rows)}


def find(db, label_id: str) -> Label | None:
    """The label, as the log says it is, or None."""
    return _one_as_logged(db, stored.get(db, label_id))


def get(db, label_id: str) -> Label:
    label = find(db, label_id)
    if label is None:
        raise NotFound(Message("no such label"))
    return label


def status(label: Label, at: datetime | None = None) -> str:
    """valid, superseded, revoked or expired (revocation says most, so it wins), of a label
    this module returned (so, as the log says)."""
    if label["revoked_at"]:
        return "revoked"
    if label["superseded_by"]:
        return "superseded"
    if datetime.fromisoformat(label["expires_at"]) < (at or clock.now()):
        return "expired"
    return "valid"


def is_current(label: Label) -> bool:
    """Neither superseded nor revoked, as the log says."""
    return not label["superseded_by"] and not label["revoked_at"]


# -- finding labels: the table's index finds them, the log says which is current -----------------

def for_submission(db, submission_id: int) -> Label | None:
    """The submission's label not superseded (revoked or not), else its latest."""
    labels = _all_as_logged(db, stored.of_submission(db, submission_id))
    return next((label for label in labels if not label["superseded_by"]),
                labels[0] if labels else None)


def current_for_submission(db, submission_id: int) -> Label | None:
    """The submission's label that is neither superseded nor revoked, if any."""
    labels = _all_as_logged(db, stored.of_submission(db, submission_id))
    return next((label for label in labels if is_current(label)), None)


def current_for_product(db, product_id: int, lot: str | None = None) -> Label | None:
    """The product's label for this batch or lot (None: for no lot) that is neither
    superseded nor revoked, if any: the one a new label of the same product and lot
    supersedes. Each lot's labels are a chain of their own: a new lot's label leaves the
    labels of earlier lots valid, as the goods of those lots are still on the shelves."""
    labels = _all_as_logged(db, stored.of_product_and_lot(db, product_id, lot))
    return next((label for label in labels if is_current(label)), None)


def of_product(db, product_id: int) -> list[Label]:
    """Every label of the product, as the log says each is."""
    return _all_as_logged(db, stored.of_product(db, product_id))


def by_gtin(db, gtin14: str) -> Label | None:
    """The newest label not superseded of the product with this GTIN-14 (revoked or not:
    its scan page says so)."""
    labels = _all_as_logged(db, stored.of_gtin(db, gtin14))
    return next((label for label in labels if not label["superseded_by"]), None)


@dataclass(frozen=True)
class Resolved:
    """What a GS1 Digital Link resolves to: ``label``; the ``lot`` the link named (AI 10),
    if any; ``lot_found``: a label was issued for that lot (else ``label`` is the product's
    current one); ``label_lot``: the lot ``label``'s submission covers, if it states one."""

    label: Label
    lot: str | None
    lot_found: bool
    label_lot: str | None


def lot_of(db, label: Label) -> str | None:
    """The batch or lot (GS1 AI 10) the label's submission covers, if its BOM states one."""
    return (stored_submissions.bom(db, label["submission_id"]).get("product") or {}).get("lot")


def resolve_gtin(db, gtin14: str, lot: str | None = None) -> Resolved | None:
    """The label a GS1 Digital Link /01/<gtin14>[/10/<lot>] leads to: the newest label
    issued for that lot (the last of the lot's own chain, revoked or not: its page says so),
    else the product's current label (by_gtin); None if the product has no label."""
    if lot:
        labels = _all_as_logged(db, stored.of_gtin_and_lot(db, gtin14, lot))
        ids = {label["id"] for label in labels}
        found = next((label for label in labels if label["superseded_by"] not in ids),
                     labels[0] if labels else None)
        if found is not None:
            return Resolved(found, lot, True, lot)
    label = by_gtin(db, gtin14)
    if label is None:
        return None
    return Resolved(label, lot, False, lot_of(db, label))


def revoked(db) -> list[dict]:
    """Every label the log revokes: id, issuer, reason, when, its COSE bytes, the firm and
    the accounting body (the names published beside it); newest first. A revoke leaf of a label this platform does not hold is left out (the monitor
    reports it)."""
    revocations = {}
    for leaf in stored_log.entries_of_kind(db, "revoke"):
        try:
            fields = decode_entry("revoke", leaf["entry"])
        except EntryError:  # the monitor reports a malformed leaf; it revokes nothing
            continue
        revocations.setdefault(fields["label"], fields)  # the first revocation counts
    rows = stored.get_many(db, revocations)
    out = [{"id": label_id, "issuer": rows[label_id]["issuer"], "reason": fields["reason"],
            "revoked_at": stored_time(fields["at"]), "cose": rows[label_id]["cose"],
            "firm": rows[label_id]["record"].get("producer_name"),
            "accounting_body": rows[label_id]["record"].get("verifier_name")}
           for label_id, fields in revocations.items() if label_id in rows]
    return sorted(out, key=lambda r: (r["revoked_at"], r["id"]), reverse=True)


def current_of(db, label: Label) -> Label:
    """The label at the end of ``label``'s chain of supersessions (as the log records it)."""
    seen = {label["id"]}
    current = label
    while current["superseded_by"] and current["superseded_by"] not in seen:
        successor = find(db, current["superseded_by"])
        if successor is None:  # a leaf naming a label not stored: the monitor reports it
            break
        current = successor
        seen.add(current["id"])
    return current


# -- what pages show --------------------------------------------------------------------------

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


def signed_result(db, label: Label) -> dict | None:
    """The stored result a label signs (its reproducibility hash), or None."""
    return results.signed(db, label["submission_id"],
                          str(claims(label).get("reproducibility_hash") or ""))


def calculation_basis(result: dict | None) -> dict | None:
    """What a label's figure stands on, from the result it signs: the system boundary, the
    GWP method's name and the data quality's overall rating and level (the claims carry
    neither the method nor the quality, so the scan page and the printed label read them
    here). None for a result that is not held."""
    if not result:
        return None
    dqi = result.get("dqi")
    return {"system_boundary": result.get("system_boundary"),
            "method": (result.get("method") or {}).get("name"),
            "dq_overall": overall(dqi), "dq_level": level(dqi)}


def grade_bands(label: Label) -> dict | None:
    """Which bands graded the label (stored beside its claims when issued): ``{"basis":
    "benchmark", "id", "version", "n", "as_of"}`` for bands adopted from a benchmark of
    verified products, ``{"basis": "category"}`` for its category's own; None when it has
    no grade."""
    if not label["record"].get("grade"):
        return None
    adopted = label["record"].get("grade_bands")
    return {"basis": "benchmark", **adopted} if adopted else {"basis": "category"}
