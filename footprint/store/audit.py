"""The ``audit_events`` table: who did what to a submission, when, from which status to which,
and why."""
from __future__ import annotations

from .. import clock
from ..workflow import BODY_DECISIONS


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
        "SELECT a.*, u.display_name, u.role, u.org_id AS actor_org_id, o.name AS org_name "
        "FROM audit_events a "
        "LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN organisations o ON o.id = u.org_id "
        "WHERE a.submission_id = ? ORDER BY a.id", [submission_id]))


def deciding_bodies(db, submission_id: int) -> tuple[int, ...]:
    """The accounting bodies whose users made one of the workflow's BODY_DECISIONS on the
    submission (verified or returned it), by organisation id."""
    marks = ", ".join("?" for _ in BODY_DECISIONS)
    return tuple(row[0] for row in db.execute(
        "SELECT DISTINCT u.org_id FROM audit_events a JOIN users u ON u.id = a.actor_id "
        f"WHERE a.submission_id = ? AND u.role = 'verifier' AND a.action IN ({marks}) "
        "ORDER BY u.org_id", [submission_id, *BODY_DECISIONS]))
