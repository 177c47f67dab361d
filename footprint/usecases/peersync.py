"""Syncing a peer platform (docs/peers.md): every ``sync`` fetches the peer's trust list, log
checkpoint, revocation list, public findings and our checkpoint as it cosigned it, and checks
them all (usecases.peerchecks) before anything is stored.

An answer that fails any check is refused whole: only the peer's state and a report
(peer_events, its problems as Messages) are written; a peer flagged ``inconsistent`` has
nothing it sends accepted until an operator removes it. An accepted one is stored in one
transaction, and this platform cosigns the checkpoint as a witness. After every sync the
peer's revocations are written as a file ``footprint verify`` reads (labels.peerlists).
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from .. import clock
from ..errors import InvalidInput, Message, NotFound, as_data
from ..labels import peerlists
from ..labels.keys import trust_add
from ..settings import peer_sync_minutes
from ..store import peers as stored
from ..store import transaction
from ..store.db import connect, database_file
from ..translog.cosignature import cosign
from ..translog.log import b64
from .peerchecks import (CHECKPOINT, DOCUMENTS, FINDINGS, REVOKED, TRUST_LIST, accepted_entries,
                         checkpoint_of, consistent, entries_of, findings_of, ours_cosigned,
                         revocations_of, signed_by_entries)
from .peerfetch import Fetcher, PeerRefused, normal_url
from .witnessing import own_witness

log = logging.getLogger("footprint.peers")


@dataclass
class SyncReport:
    url: str
    name: str
    state: str                       # ok, refused, inconsistent
    problems: list = field(default_factory=list)  # Messages
    size: int | None = None          # the checkpoint accepted
    revocations: int = 0             # revocations held after the sync
    new_revocations: int = 0
    findings: int | None = None      # None: the peer publishes no findings
    trust_changed: bool = False
    cosigned_ours: int | None = None  # the size of our checkpoint the peer cosigned

    @property
    def ok(self) -> bool:
        return self.state == "ok"


# -- sync ------------------------------------------------------------------------------------

def _export(db, home: Path, peer_id: int) -> None:
    """The peer's synced list as a file for `footprint verify` (labels.peerlists)."""
    peer = next(p for p in stored.all_peers(db) if p["id"] == peer_id)
    revoked = sorted(stored.revocations(db, peer_id).values(), key=lambda r: r["label_id"])
    peerlists.write(home, {
        "issuer": peer["origin"], "name": peer["name"], "url": peer["url"],
        "state": peer["state"], "synced_at": peer["last_synced_at"],
        "revoked": [{"id": r["label_id"], "reason": r["reason"], "revoked_at": r["revoked_at"]}
                    for r in revoked]})


def _refused(db, home: Path, peer: dict, exc: PeerRefused, at: str) -> SyncReport:
    with transaction(db):
        stored.attempted(db, peer["id"], at, exc.state)
        stored.add_event(db, peer["url"], at, exc.state, as_data(exc.problems), exc.evidence)
    _export(db, home, peer["id"])
    return SyncReport(peer["url"], peer["name"], exc.state, exc.problems)


def sync_peer(db, home: Path, peer: dict) -> SyncReport:
    """Fetch, check and (only if everything holds) store one peer's documents."""
    at = clock.stamp()
    if peer["state"] == "inconsistent":
        return _refused(db, home, peer, PeerRefused([Message(
            "the peer is flagged inconsistent: nothing it sends is accepted until an operator "
            "removes it and adds it again")], state="inconsistent"), at)
    try:
        fetcher = Fetcher(peer["url"], peer["ca_file"])
        entries = accepted_entries(
            fetcher, peer, entries_of(fetcher.json(TRUST_LIST, DOCUMENTS["trust list"]),
                                      peer["origin"]))
        note = fetcher.text(CHECKPOINT, DOCUMENTS["checkpoint"])
        checkpoint = checkpoint_of(note, peer["origin"])
        signed_by_entries(note, peer["origin"], entries)
        consistent(fetcher, peer, checkpoint, note)
        held = stored.revocations(db, peer["id"])
        revocations = revocations_of(fetcher.json(REVOKED, DOCUMENTS["revocations"]), peer,
                                     held)
        findings = findings_of(fetcher.json(FINDINGS, DOCUMENTS["findings"], missing_ok=True),
                               entries)
        ours = ours_cosigned(db, home, fetcher, peer)
    except PeerRefused as exc:
        return _refused(db, home, peer, exc, at)
    witness = own_witness(home)
    cosignature = cosign(note, witness.name, witness.private_key,
                         int(clock.now().timestamp()))
    trust_changed = entries != json.loads(peer["trust_entries"])
    with transaction(db):
        stored.accepted(db, peer["id"], at, json.dumps(entries, ensure_ascii=False), note,
                        checkpoint.size,
                        None if findings is None else json.dumps(findings, ensure_ascii=False))
        stored.add_revocations(db, peer["id"], revocations)
        stored.add_checkpoint(db, peer["id"], checkpoint.size, b64(checkpoint.root), note,
                              cosignature.line, at)
        if ours is not None:
            stored.add_witnessed(db, peer["id"], ours["size"], ours["root"],
                                 peer["witness_name"], ours["cosigned"], ours["cosigned_at"],
                                 at)
        stored.add_event(db, peer["url"], at, "synced", evidence={
            "size": checkpoint.size, "root": b64(checkpoint.root),
            "revocations": len(revocations), "findings": None if findings is None
            else len(findings), "trust_changed": trust_changed})
    if trust_changed:  # labels signed with the announced keys verify from now on
        trust_add(home, {"issuers": entries})
    _export(db, home, peer["id"])
    return SyncReport(peer["url"], peer["name"], "ok", [], checkpoint.size, len(revocations),
                      len(revocations) - len(held),
                      None if findings is None else len(findings), trust_changed,
                      ours["size"] if ours else None)


def find_peer(db, url: str) -> dict:
    try:
        key = normal_url(url)
    except InvalidInput:
        key = url
    peer = stored.by_url(db, key)
    if peer is None:
        raise NotFound(Message("no peer at %(url)s", url=url))
    return peer


def _due(db) -> list[dict]:
    cutoff = clock.stamp(clock.now() - timedelta(minutes=peer_sync_minutes()))
    return [peer for peer in stored.all_peers(db)
            if not peer["last_attempt_at"] or peer["last_attempt_at"] <= cutoff]


def sync(db, home: Path, url: str | None = None, due_only: bool = False) -> list[SyncReport]:
    """Sync one peer, or every peer (``due_only``: those not tried for the sync interval)."""
    if url is not None:
        return [sync_peer(db, home, find_peer(db, url))]
    return [sync_peer(db, home, peer) for peer in (_due(db) if due_only
                                                   else stored.all_peers(db))]


# The service syncs the peers that are due by itself: each worker looks now and then (on a
# request) and, if one is due, syncs in a thread of its own with a connection of its own, one
# such thread at a time per process. Two workers syncing one peer at once store the same
# thing twice, harmlessly; `footprint peers sync --due` from cron does the same work.
_background = threading.Lock()


def sync_due_in_background(db, home: Path) -> threading.Thread | None:
    """Start syncing the peers that are due, unless none is or this process already is."""
    if not _due(db) or not _background.acquire(blocking=False):
        return None
    path = database_file(db)

    def run() -> None:
        own = None
        try:
            own = connect(path)
            sync(own, home, due_only=True)
        except Exception:  # noqa: BLE001 - a failed sync is reported by the next one
            log.exception("peer sync in the background failed")
        finally:
            if own is not None:
                own.close()
            _background.release()

    thread = threading.Thread(target=run, daemon=True, name="peer-sync")
    thread.start()
    return thread
