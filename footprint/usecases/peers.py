"""Peer platforms that watch each other (docs/peers.md): add, list and remove them, and what
their synced lists say of a foreign label.

``add`` pins a peer on first contact: its own issuer's entries of its trust list (the
issuer named by its log's origin; the other platforms it lists are not ours to trust), its
witness key; the keys are recognised for its labels (keys.trust_add) and shown for the
operator to compare out of band. Then it syncs the peer as every ``sync`` does
(usecases.peersync). Nothing is stored of a peer refused on first contact.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import clock
from ..errors import Conflict, InvalidInput, Message, Problem, from_data
from ..labels import peerlists
from ..labels.keys import own_issuers, trust_add
from ..store import peers as stored
from ..store import transaction
from ..translog.checkpoint import key_id
from .peerchecks import (CHECKPOINT, DOCUMENTS, TRUST_LIST, WITNESS, checkpoint_of, entries_of,
                         signed_by_entries, witness_of)
from .peerfetch import Fetcher, PeerRefused, normal_url
from .peersync import SyncReport, find_peer, sync_peer


# -- add, list, remove -----------------------------------------------------------------------

@dataclass
class Added:
    peer: dict
    keys: list[dict]           # the pinned entries, for the operator to compare
    checkpoint_key_ids: list   # signed-note key IDs (hex) of those keys under the origin
    witness: dict | None
    sync: SyncReport


def add(db, home: Path, url: str, name: str | None = None, ca_file=None) -> Added:
    """First contact: pin the peer's own trust-list entries and witness key, recognise its
    keys for its labels, then sync it."""
    url = normal_url(url)
    if stored.by_url(db, url) is not None:
        raise Conflict(Message("a peer at %(url)s is already added", url=url))
    ca = str(Path(ca_file).resolve()) if ca_file else None
    try:
        fetcher = Fetcher(url, ca)
        trust_data = fetcher.json(TRUST_LIST, DOCUMENTS["trust list"])
        note = fetcher.text(CHECKPOINT, DOCUMENTS["checkpoint"])
        origin = checkpoint_of(note, None).origin
        entries = entries_of(trust_data, origin)
        if not entries:
            raise PeerRefused([Message("the peer's trust list has no key of its log's origin "
                                       "%(origin)s", origin=origin)])
        signed_by_entries(note, origin, entries)
        witness = witness_of(fetcher.json(WITNESS, DOCUMENTS["witness"], missing_ok=True))
    except PeerRefused as exc:  # nothing is stored of a peer refused on first contact
        raise InvalidInput([Problem("url", p) for p in exc.problems], source=url) from None
    if origin in own_issuers(home):
        raise InvalidInput([Problem("url", Message("%(origin)s is this platform's own issuer",
                                                   origin=origin))])
    if stored.by_origin(db, origin) is not None:
        raise Conflict(Message("a peer of log %(origin)s is already added", origin=origin))
    at = clock.stamp()
    with transaction(db):
        peer_id = stored.add(db, url, (name or "").strip() or origin, origin,
                             json.dumps(entries, ensure_ascii=False),
                             witness[0] if witness else None, witness[1] if witness else None,
                             ca, at)
        stored.add_event(db, url, at, "added", evidence={"origin": origin, "keys": entries})
    trust_add(home, {"issuers": entries})
    key_ids = [key_id(origin, base64.b64decode(e["public_key"])).hex() for e in entries]
    report = sync_peer(db, home, stored.by_url(db, url))
    return Added(stored.by_url(db, url), entries, key_ids,
                 {"name": witness[0], "public_key": witness[1]} if witness else None, report)


def remove(db, home: Path, url: str) -> dict:
    """Forget a peer and what was synced of it (its reports stay). Its keys stay in the trust
    list: labels it issued keep verifying until `footprint keys` says otherwise."""
    peer = find_peer(db, url)
    with transaction(db):
        stored.remove(db, peer["id"])
        stored.add_event(db, peer["url"], clock.stamp(), "removed")
    peerlists.remove(home, peer["origin"])
    return peer


def listing(db, now: datetime | None = None) -> list[dict]:
    """Every peer with its state, last sync (and its age in minutes), checkpoint size,
    revocations held, findings and its latest problems (Messages)."""
    now = now or clock.now()
    out = []
    for peer in stored.all_peers(db):
        last = next(iter(stored.events(db, peer["url"], limit=1)), None)
        problems = from_data(last["problems"]) if last and last["kind"] in (
            "refused", "inconsistent") else []
        findings = json.loads(peer["findings"]) if peer["findings"] else None
        out.append({**{k: peer[k] for k in ("id", "url", "name", "origin", "state",
                                            "added_at", "last_synced_at", "last_attempt_at",
                                            "checkpoint_size", "witness_name")},
                    "synced_minutes_ago": peerlists.minutes_since(peer["last_synced_at"], now),
                    "revocations": len(stored.revocations(db, peer["id"])),
                    "findings": None if findings is None else len(findings),
                    "keys": [e["kid"] for e in json.loads(peer["trust_entries"])],
                    "problems": problems,
                    "evidence": last["evidence"] if last and last["kind"] == "inconsistent"
                    else None})
    return out


def witnessed(db) -> list[dict]:
    """Cosignatures of this platform's checkpoints that peers made, newest first."""
    return stored.witnessed(db)


# -- foreign labels --------------------------------------------------------------------------

def foreign_status(db, issuer_id: str, label_id: str, now: datetime | None = None
                   ) -> dict | None:
    """What the synced lists say of a label of another platform: None when its issuer is no
    peer of ours; else the peer, its state, when its revocation list was synced and how
    long ago, and the revocation if listed."""
    peer = stored.by_origin(db, issuer_id)
    if peer is None:
        return None
    revoked = stored.revocation(db, peer["id"], label_id)
    listed = [{"id": label_id, "reason": revoked["reason"],
               "revoked_at": revoked["revoked_at"]}] if revoked else []
    return peerlists.status({"name": peer["name"], "url": peer["url"], "state": peer["state"],
                             "synced_at": peer["last_synced_at"], "revoked": listed},
                            label_id, now or clock.now())


