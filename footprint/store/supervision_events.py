"""The ``supervision_events`` table (migration 18): every step of a finding and every
qualification recorded, who took it (NULL: the operator at the command line), when, from which
state to which, and why."""
from __future__ import annotations

from .. import clock


def record(db, actor_id: int | None, action: str, from_state: str | None,
           to_state: str | None, reason: str | None = None, *, finding_id: int | None = None,
           qualification_id: int | None = None, at: str | None = None) -> None:
    db["supervision_events"].insert({
        "finding_id": finding_id, "qualification_id": qualification_id, "actor_id": actor_id,
        "action": action, "from_state": from_state, "to_state": to_state, "reason": reason,
        "at": at or clock.stamp()})


def trail(db, *, finding_id: int | None = None,
          qualification_id: int | None = None) -> list[dict]:
    """One finding's or one qualification's events, oldest first, with the actor's name."""
    column, value = (("finding_id", finding_id) if finding_id is not None
                     else ("qualification_id", qualification_id))
    return list(db.query(
        "SELECT e.*, u.display_name, u.role, o.name AS org_name FROM supervision_events e "
        "LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN organisations o ON o.id = u.org_id "
        f"WHERE e.{column} = ? ORDER BY e.id", [value]))
