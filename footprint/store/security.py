"""The ``sessions``, ``throttles`` and ``security_events`` tables: who is logged in where, how
many recent failures an account or an address has, and what happened.

How long a failure blocks, and who may end whose session, is footprint.usecases.security's.
"""
from __future__ import annotations

from .. import clock

# -- sessions ---------------------------------------------------------------------------------


def insert_session(db, session_id: str, user_id: int) -> None:
    db["sessions"].insert({"id": session_id, "user_id": user_id, "created_at": clock.stamp()})


def session_user(db, session_id: str) -> int | None:
    """The user of a session that has not ended."""
    row = next(db.query("SELECT user_id FROM sessions WHERE id = ? AND ended_at IS NULL",
                        [session_id]), None)
    return row and row["user_id"]


def end_session(db, session_id: str) -> None:
    db.execute("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
               [clock.stamp(), session_id])


def end_sessions_of(db, user_id: int) -> int:
    """End every open session of a user; how many there were."""
    return db.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                      [clock.stamp(), user_id]).rowcount


# -- throttles --------------------------------------------------------------------------------

def throttle(db, scope: str, key: str) -> dict | None:
    """``{"failures", "blocked_until", "last_failure"}`` of a scope's key, if it has failed."""
    return next(db.query("SELECT failures, blocked_until, last_failure FROM throttles "
                         "WHERE scope = ? AND key = ?", [scope, key]), None)


def set_throttle(db, scope: str, key: str, failures: int, blocked_until: float,
                 last_failure: float) -> None:
    db.execute("INSERT INTO throttles (scope, key, failures, blocked_until, last_failure) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET "
               "failures = excluded.failures, blocked_until = excluded.blocked_until, "
               "last_failure = excluded.last_failure",
               [scope, key, failures, blocked_until, last_failure])


def clear_throttle(db, scope: str, key: str) -> None:
    db.execute("DELETE FROM throttles WHERE scope = ? AND key = ?", [scope, key])


# -- security events --------------------------------------------------------------------------

def record_event(db, kind: str, username: str | None = None, address: str | None = None,
                 detail: str | None = None) -> None:
    db["security_events"].insert({"kind": kind, "username": username, "address": address,
                                  "detail": detail, "at": clock.stamp()})


def events(db, limit: int = 200) -> list[dict]:
    """The newest events first."""
    return list(db.query("SELECT * FROM security_events ORDER BY id DESC LIMIT ?", [limit]))
