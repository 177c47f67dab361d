"""Revoking a label with a public reason: the label, a log leaf, the submission's status and
an audit event, together. A platform reviewer or administrator revokes directly; a
regulator's final finding of falsified data revokes the labels it names (revoke_on_finding,
called by footprint.usecases.findings in the finding's own transaction)."""
from __future__ import annotations

from .. import clock
from ..errors import Conflict, Forbidden, InvalidInput, Message, Problem
from ..store import audit
from ..store import labels as store_labels
from ..store import submissions as store_submissions
from ..store.db import transaction
from ..text import checked
from ..store.labels import Label
from ..translog import TransparencyLog, revoke_entry
from ..supervision import REVOKING_TYPE
from ..workflow import check_revoke
from .labels import get

MAX_REASON = 500


def revoke(db, user: dict, label_id: str, reason: str) -> Label:
    """Revoke a label with a public reason (platform reviewers and administrators only)."""
    check_revoke(user)
    return _revoke(db, user["id"], label_id, reason)


def revoke_on_finding(db, finding: dict, actor_id: int, label_id: str, reason: str) -> Label:
    """Revoke a label a final finding of falsified data names, as that finding's consequence
    (``actor_id``: the regulator who made it final). Not a revocation a regulator may make
    on its own: any other finding is refused."""
    if finding["state"] != "final" or finding["type"] != REVOKING_TYPE:
        raise Forbidden(Message("only a final finding of falsified data revokes labels"))
    return _revoke(db, actor_id, label_id, reason)


def _revoke(db, actor_id: int, label_id: str, reason: str) -> Label:
    label = get(db, label_id)
    problems: list[Problem] = []
    reason = checked((reason or "").strip(), "reason", problems, lines=True)
    if not reason or len(reason) > MAX_REASON:
        problems.append(Problem("reason", Message("a public reason of 1 to %(max)s characters",
                                                  max=MAX_REASON)))
    if problems:
        raise InvalidInput(problems)
    if label["revoked_at"]:
        raise Conflict(Message("this label is already revoked"))
    at = clock.stamp()
    with transaction(db):
        store_labels.mark_revoked(db, label_id, at, reason, actor_id)
        TransparencyLog(db).append("revoke", label_id, revoke_entry(label_id, reason, at))
        submission = store_submissions.get(db, label["submission_id"])
        if label["superseded_by"] is None:
            store_submissions.update(db, submission["id"], status="revoked", updated_at=at)
        audit.record(db, submission["id"], actor_id, "revoke", submission["status"],
                     "revoked", reason, at=at)
    return get(db, label_id)
