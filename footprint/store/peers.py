"""The peer tables (migration 19): ``peers`` (what was pinned on first contact and last
accepted of each peer platform), ``peer_revocations``, ``peer_checkpoints`` (each accepted
checkpoint with this platform's cosignature), ``peer_witnessed`` (cosignatures of our own
checkpoints made by a peer) and ``peer_events`` (a report of every add, sync and removal).

Which answers are accepted is footprint.usecases.peerchecks'; this module only reads and
writes.
"""
from __future__ import annotations

import json


def add(db, url: str, name: str, origin: str, trust_entries: str, witness_name: str | None,
        witness_key: str | None, ca_file: str | None, at: str) -> int:
    return db["peers"].insert({
        "url": url, "name": name, "origin": origin, "trust_entries": trust_entries,
        "witness_name": witness_name, "witness_key": witness_key, "ca_file": ca_file,
        "state": "ok", "added_at": at}).last_pk


def all_peers(db) -> list[dict]:
    return list(db.query("SELECT * FROM peers ORDER BY name, id"))


def by_url(db, url: str) -> dict | None:
    return next(db.query("SELECT * FROM peers WHERE url = ?", [url]), None)


def by_origin(db, origin: str) -> dict | None:
    return next(db.query("SELECT * FROM peers WHERE origin = ?", [origin]), None)


def remove(db, peer_id: int) -> None:
    for table in ("peer_revocations", "peer_checkpoints", "peer_witnessed"):
        db.execute(f"DELETE FROM {table} WHERE peer_id = ?", [peer_id])  # names: constants
    db.execute("DELETE FROM peers WHERE id = ?", [peer_id])


def attempted(db, peer_id: int, at: str, state: str) -> None:
    """A sync was tried and refused: only the state and the time of the attempt change."""
    db.execute("UPDATE peers SET last_attempt_at = ?, state = ? WHERE id = ?",
               [at, state, peer_id])


def accepted(db, peer_id: int, at: str, trust_entries: str, checkpoint: str, size: int,
             findings: str | None) -> None:
    db.execute("UPDATE peers SET last_attempt_at = ?, last_synced_at = ?, state = 'ok', "
               "trust_entries = ?, checkpoint = ?, checkpoint_size = ?, findings = ? "
               "WHERE id = ?", [at, at, trust_entries, checkpoint, size, findings, peer_id])


# -- revocations -----------------------------------------------------------------------------

def revocations(db, peer_id: int) -> dict[str, dict]:
    return {row["label_id"]: row for row in db.query(
        "SELECT label_id, reason, revoked_at FROM peer_revocations WHERE peer_id = ?",
        [peer_id])}


def revocation(db, peer_id: int, label_id: str) -> dict | None:
    return next(db.query("SELECT label_id, reason, revoked_at FROM peer_revocations "
                         "WHERE peer_id = ? AND label_id = ?", [peer_id, label_id]), None)


def add_revocations(db, peer_id: int, rows: list[dict]) -> None:
    """Revocations are final: rows already held are kept, new ones added."""
    for row in rows:
        db.execute("INSERT INTO peer_revocations (peer_id, label_id, reason, revoked_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   [peer_id, row["id"], row["reason"], row["revoked_at"]])


# -- checkpoints and cosignatures ------------------------------------------------------------

def add_checkpoint(db, peer_id: int, size: int, root: str, checkpoint: str, cosignature: str,
                   at: str) -> None:
    """A new row for a new tree head; the same tree head seen again only renews the latest
    row's cosignature (a cosignature says "as of this time"), so the table grows with the
    peer's log, not with every sync."""
    latest = next(db.query("SELECT id, size, root FROM peer_checkpoints WHERE peer_id = ? "
                           "ORDER BY id DESC LIMIT 1", [peer_id]), None)
    if latest is not None and (latest["size"], latest["root"]) == (size, root):
        db.execute("UPDATE peer_checkpoints SET checkpoint = ?, cosignature = ?, "
                   "cosigned_at = ? WHERE id = ?", [checkpoint, cosignature, at, latest["id"]])
        return
    db["peer_checkpoints"].insert({"peer_id": peer_id, "size": size, "root": root,
                                   "checkpoint": checkpoint, "cosignature": cosignature,
                                   "cosigned_at": at})


def latest_cosigned(db, origin: str) -> dict | None:
    """The newest checkpoint of the peer whose log is ``origin``, with our cosignature."""
    return next(db.query(
        "SELECT c.* FROM peer_checkpoints c JOIN peers p ON p.id = c.peer_id "
        "WHERE p.origin = ? ORDER BY c.id DESC LIMIT 1", [origin]), None)


def add_witnessed(db, peer_id: int, size: int, root: str, witness_name: str, cosigned: str,
                  cosigned_at: str, at: str) -> None:
    db.execute("INSERT INTO peer_witnessed (peer_id, size, root, witness_name, cosigned, "
               "cosigned_at, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               [peer_id, size, root, witness_name, cosigned, cosigned_at, at])


def witnessed(db) -> list[dict]:
    """Cosignatures of our checkpoints by peers, newest first, with the peer's name."""
    return list(db.query(
        "SELECT w.*, p.name AS peer_name, p.url AS peer_url FROM peer_witnessed w "
        "JOIN peers p ON p.id = w.peer_id ORDER BY w.size DESC, w.id DESC"))


# -- the report ------------------------------------------------------------------------------

def add_event(db, url: str, at: str, kind: str, problems: list | None = None,
              evidence: dict | None = None) -> int:
    return db["peer_events"].insert({
        "url": url, "at": at, "kind": kind,
        "problems": json.dumps(problems or [], ensure_ascii=False),
        "evidence": json.dumps(evidence, ensure_ascii=False) if evidence else None}).last_pk


def events(db, url: str | None = None, limit: int = 50) -> list[dict]:
    rows = db.query("SELECT * FROM peer_events WHERE url = ? ORDER BY id DESC LIMIT ?",
                    [url, limit]) if url else \
        db.query("SELECT * FROM peer_events ORDER BY id DESC LIMIT ?", [limit])
    return [dict(row, problems=json.loads(row["problems"]),
                 evidence=json.loads(row["evidence"]) if row["evidence"] else None)
            for row in rows]
