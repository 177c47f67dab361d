"""Leases (migration 22): a named job that one process at a time may run, on any host of
the platform. A holder names itself (host, process id, what it does) and holds the lease
until it releases it or the lease expires unrenewed; only its token renews or releases it.
footprint.recalc.lease takes the one recalculations hold."""
from __future__ import annotations

from datetime import datetime

from .db import upsert_sql

COLUMNS = ("name", "token", "host", "pid", "what", "taken_at", "expires_at")


def holder(db, name: str) -> dict | None:
    for row in db.query(f"SELECT {', '.join(COLUMNS)} FROM leases WHERE name = ?", [name]):
        return row
    return None


def take(db, name: str, token: str, host: str, pid: int, what: str, now: datetime,
         until: datetime) -> None:
    """In the caller's transaction (which holds the write lock, so no other process reads
    the row between the caller's look at it and this write): the lease is ``token``'s."""
    db.execute(upsert_sql("leases", COLUMNS, ("name",)),
               [name, token, host, pid, what, now.isoformat(timespec="seconds"),
                until.isoformat(timespec="seconds")])


def renew(db, name: str, token: str, until: datetime) -> bool:
    """Extend ``token``'s lease; False when it is no longer ``token``'s (it expired and
    another process took it)."""
    cursor = db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND token = ?",
                        [until.isoformat(timespec="seconds"), name, token])
    return cursor.rowcount == 1


def release(db, name: str, token: str) -> None:
    db.execute("DELETE FROM leases WHERE name = ? AND token = ?", [name, token])
