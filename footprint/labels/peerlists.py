"""Peer platforms' revocation lists as this platform last synced them, kept as files for
`footprint verify` (which reads them with json alone, without opening the database)::

    FOOTPRINT_HOME/peers/<issuer id>.json
    {"issuer": "CN-CQ", "name": "...", "url": "https://...", "state": "ok",
     "synced_at": "2026-12-05T08:00:00+00:00",
     "revoked": [{"id": "CN-CQ-...", "reason": "...", "revoked_at": "..."}]}

footprint.usecases.peersync writes one after every sync of the peer, from the database (the
record of what was accepted), and removes it with the peer. The ``revoked`` member is in
the published revocation list's format, so ``verify --revocations`` reads the file too.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from .claims import ISSUER_ID


def _path(home, issuer_id: str) -> Path | None:
    if not isinstance(issuer_id, str) or not ISSUER_ID.fullmatch(issuer_id):
        return None
    return Path(home) / "peers" / f"{issuer_id}.json"


def write(home, record: dict) -> None:
    """Replace the issuer's file whole (a reader sees the old one or the new one)."""
    path = _path(home, record["issuer"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def remove(home, issuer_id: str) -> None:
    path = _path(home, issuer_id)
    if path is not None:
        path.unlink(missing_ok=True)


def read(home, issuer_id: str) -> dict | None:
    """The issuer's record, or None when it is no peer here (or the file is unreadable)."""
    path = _path(home, issuer_id)
    try:
        record = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("revoked"), list) \
        else None


def minutes_since(stamp: str | None, now: datetime) -> int | None:
    """Whole minutes from a stored time to ``now`` (None for never)."""
    if not stamp:
        return None
    return max(0, int((now - datetime.fromisoformat(stamp)).total_seconds() // 60))


def status(record: dict, label_id: str, now: datetime) -> dict:
    """What the record says of one label: the peer, its state, when its list was synced
    and how long ago, and the revocation if listed (revoked_at, revocation_reason)."""
    revoked = next((r for r in record["revoked"] if r.get("id") == label_id), None)
    return {"name": record.get("name"), "url": record.get("url"), "state": record.get("state"),
            "synced_at": record.get("synced_at"),
            "synced_minutes_ago": minutes_since(record.get("synced_at"), now),
            "revoked": {"revoked_at": revoked["revoked_at"],
                        "revocation_reason": revoked["reason"]} if revoked else None}
