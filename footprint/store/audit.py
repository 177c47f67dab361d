"""The ``audit_events`` table: who did what to a submission, when, from which status to which,
and why."""
from __future__ import annotations

from .. import clock


def record(db, submission_id: int, actor_id: int | None, action: str, from_status: str | None,
           to_status: str | None, reason: str | None = None, at: str | None = None) -> None:
    """An event; ``actor_id`` None for the platform itself (a re-issue by recalculation)."""
    db["audit_events"].insert({"submission_id": submission_id, "actor_id": actor_id,
                               "action": action, "from_status": from_status,
                               "to_status": to_status, "reason": reason,
                               "at": at or clock.stamp()})


def trail(db, submission_id: int) -> list[dict]:
    """A submission's events, oldest first, with the actor's name, role and organisation."""
    return list(db.query(
        "SELECT a.*, u.display_name, u.role, o.name AS org_name FROM audit_events a "
        "LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN organisations o ON o.id = u.org_id "
        "WHERE a.submission_id = ? ORDER BY a.id", [submission_id]))
