"""Revoking a label with a public reason: the label, a log leaf, the submission's status and
an audit event, together."""
from __future__ import annotations

from .. import clock
from ..errors import Conflict, InvalidInput, Message, Problem
from ..store import audit
from ..store import labels as store_labels
from ..store import submissions as store_submissions
from ..store.db import transaction
from ..text import checked
from ..store.labels import Label
from ..translog import TransparencyLog, revoke_entry
from ..workflow import check_revoke
from .labels import get

MAX_REASON = 500


def revoke(db, user: dict, label_id: str, reason: str) -> Label:
    """Revoke a label with a public reason (platform reviewers and administrators only)."""
    check_revoke(user)
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
        store_labels.mark_revoked(db, label_id, at, reason, user["id"])
        TransparencyLog(db).append("revoke", label_id, revoke_entry(label_id, reason, at))
        submission = store_submissions.get(db, label["submission_id"])
        if label["superseded_by"] is None:
            store_submissions.update(db, submission["id"], status="revoked", updated_at=at)
        audit.record(db, submission["id"], user["id"], "revoke", submission["status"],
                     "revoked", reason, at=at)
    return get(db, label_id)
