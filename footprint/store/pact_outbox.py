"""The ``pact_outbox`` table: the PACT events this host owes a data recipient, kept until
they are delivered or given up.

A row is claimed before it is posted: ``claim`` sets ``claimed_until`` only where no other
claim holds (``claimed_until`` empty or past), in one UPDATE per row, so two processes (gunicorn
workers, a cron ``footprint pact deliver``) never both hold one row. When to try again and
when to give up are footprint.usecases.pactevents'.
"""
from __future__ import annotations

_PENDING = "delivered_at IS NULL AND gave_up_at IS NULL"


def insert(db, event_id: str, request_event_id: str | None, client: int | None, url: str,
           event_json: str, created_at: str) -> int:
    """A new item, due at once."""
    return db["pact_outbox"].insert({
        "event_id": event_id, "request_event_id": request_event_id, "client": client,
        "url": url, "event_json": event_json, "created_at": created_at, "attempts": 0,
        "next_attempt_at": created_at}).last_pk


def item(db, item_id: int) -> dict | None:
    return next(db.query("SELECT * FROM pact_outbox WHERE id = ?", [item_id]), None)


def for_request(db, client: int | None, request_event_id: str, url: str) -> dict | None:
    """The answer already queued for this client's request (the same event id and source)."""
    return next(db.query("SELECT * FROM pact_outbox WHERE client IS NOT DISTINCT FROM ? "
                         "AND request_event_id = ? AND url = ? ORDER BY id LIMIT 1",
                         [client, request_event_id, url]),
                None)


def by_event_id(db, event_id: str) -> dict | None:
    return next(db.query("SELECT * FROM pact_outbox WHERE event_id = ?", [event_id]), None)


def claim(db, now: str, until: str, limit: int) -> list[dict]:
    """Claim up to ``limit`` items due at ``now`` that nobody holds, until ``until``; the
    claimed rows. Each row is taken by a conditional UPDATE, so a row another process
    claimed in between is skipped, not taken twice."""
    candidates = [row["id"] for row in db.query(
        f"SELECT id FROM pact_outbox WHERE {_PENDING} AND next_attempt_at <= ? "
        "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at, id "
        "LIMIT ?", [now, now, limit])]
    claimed = []
    for item_id in candidates:
        taken = db.execute(
            f"UPDATE pact_outbox SET claimed_until = ? WHERE id = ? AND {_PENDING} "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
            [until, item_id, now, now]).rowcount
        if taken == 1:
            claimed.append(item(db, item_id))
    return claimed


def delivered(db, item_id: int, at: str) -> None:
    db.execute("UPDATE pact_outbox SET attempts = attempts + 1, delivered_at = ?, "
               "claimed_until = NULL, last_error = NULL WHERE id = ?", [at, item_id])


def failed(db, item_id: int, error: str, next_attempt_at: str | None,
           gave_up_at: str | None) -> None:
    """One more failed attempt: due again at ``next_attempt_at``, or given up."""
    db.execute("UPDATE pact_outbox SET attempts = attempts + 1, last_error = ?, "
               "claimed_until = NULL, next_attempt_at = COALESCE(?, next_attempt_at), "
               "gave_up_at = ? WHERE id = ?", [error, next_attempt_at, gave_up_at, item_id])


def pending(db) -> list[dict]:
    """Items still to deliver, the next due first."""
    return list(db.query(f"SELECT * FROM pact_outbox WHERE {_PENDING} "
                         "ORDER BY next_attempt_at, id"))


def next_due(db) -> str | None:
    """When the earliest pending item may be claimed: its next attempt, or, while another
    process holds it, the end of that claim (None: nothing pending)."""
    return next(db.query(
        "SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until "
        f"ELSE next_attempt_at END) AS at FROM pact_outbox WHERE {_PENDING}"))["at"]


def given_up(db) -> list[dict]:
    """Items given up, the latest first."""
    return list(db.query("SELECT * FROM pact_outbox WHERE gave_up_at IS NOT NULL "
                         "ORDER BY gave_up_at DESC, id DESC"))


def delivered_items(db, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT * FROM pact_outbox WHERE delivered_at IS NOT NULL "
                         "ORDER BY delivered_at DESC, id DESC LIMIT ?", [limit]))


def prune(db, delivered_before: str, given_up_before: str) -> int:
    """Delete the items delivered before ``delivered_before`` and those given up before
    ``given_up_before``; how many went. Pending items are never deleted."""
    return db.execute("DELETE FROM pact_outbox WHERE (delivered_at IS NOT NULL AND "
                      "delivered_at < ?) OR (gave_up_at IS NOT NULL AND gave_up_at < ?)",
                      [delivered_before, given_up_before]).rowcount
