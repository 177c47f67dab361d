"""Peer platforms that watch each other (docs/peers.md).

``add`` pins a peer on first contact: its own issuer's entries of its trust list (the
issuer named by its log's origin; the other platforms it lists are not ours to trust), its
witness key; the keys are recognised for its labels (keys.trust_add) and shown for the
operator to compare out of band. Then, as every ``sync``, it fetches the peer's trust list,
log checkpoint, revocation list, public findings and our checkpoint as it cosigned it, and
checks them all before anything is stored:

- the trust list: the peer's entries equal the pinned ones, or a change is announced by a
  note signed by a pinned key (witnessing.trust_list_note);
- the checkpoint: of the peer's log, signed by a key of the accepted trust list;
- a consistency proof from the last checkpoint accepted to the new one (RFC 9162): a peer
  that rewrote its log is flagged ``inconsistent``, with both checkpoints and the failed
  proof as evidence, and nothing it sends is accepted until an operator removes it;
- the revocation list: well-formed, and every revocation seen before still in it;
- the findings (GET /api/v1/findings): a list of objects, or 404 (the peer publishes none);
- our own checkpoint as the peer cosigned it: the cosignature verifies with the peer's
  pinned witness key, over a checkpoint our log really had.

An answer that fails any check is refused whole: only the peer's state and a report
(peer_events, its problems as Messages) are written. An accepted one is stored in one
transaction, and this platform cosigns the checkpoint as a witness.
"""
from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .. import clock
from ..errors import Conflict, InvalidInput, Message, NotFound, Problem, as_data, from_data
from ..labels import LabelInvalid, peerlists
from ..labels.documents import verify_document
from ..labels.keys import checkpoint_signer, own_entries, own_issuers, trust_add
from ..labels.revocations import parse_revocations
from ..labels.trust import parse_trust_list, usable_public_key
from ..settings import peer_sync_minutes
from ..store import peers as stored
from ..store import transaction
from ..store.db import connect, database_file
from ..translog import TransparencyLog, merkle
from ..translog.checkpoint import (CheckpointError, key_id, open_note, parse_checkpoint,
                                   parse_note)
from ..translog.cosignature import cosign, verify_cosignature
from ..translog.log import b64
from .peerfetch import Fetcher, PeerRefused, malformed, normal_url
from .witnessing import announcement_text, own_witness

log = logging.getLogger("footprint.peers")

TRUST_LIST = "/.well-known/footprint/trust-list.json"
TRUST_NOTE = "/.well-known/footprint/trust-list.note"
WITNESS = "/.well-known/footprint/witness.json"
COSIGNATURES = "/.well-known/footprint/witness/cosignatures/"
CHECKPOINT = "/log/checkpoint"
CONSISTENCY = "/api/v1/log/consistency"
REVOKED = "/api/v1/labels/revoked"
FINDINGS = "/api/v1/findings"

DOCUMENTS = {"trust list": Message("trust list"), "checkpoint": Message("log checkpoint"),
             "revocations": Message("revocation list"), "findings": Message("public findings"),
             "consistency": Message("consistency proof"), "witness": Message("witness key"),
             "announcement": Message("trust-list announcement"),
             "cosigned": Message("cosignature of our checkpoint")}


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


# -- reading the peer's documents ------------------------------------------------------------

def _entries_of(trust_data, origin: str) -> list[dict]:
    """The peer's own issuer's entries (published form), checked as a trust list."""
    try:
        trust = parse_trust_list(trust_data, source="the peer's trust list")
    except InvalidInput as exc:
        raise PeerRefused([malformed(DOCUMENTS["trust list"],
                                     "; ".join(str(p) for p in exc.problems))]) from None
    return sorted((e.as_dict() for e in trust if e.id == origin), key=lambda e: e["kid"])


def _checkpoint(note: str | None, origin: str | None):
    try:
        checkpoint = parse_checkpoint(note or "")
    except CheckpointError as exc:
        raise PeerRefused([malformed(DOCUMENTS["checkpoint"], exc)]) from None
    if origin is not None and checkpoint.origin != origin:
        raise PeerRefused([Message("the checkpoint is of log %(found)s, not %(origin)s",
                                   found=checkpoint.origin, origin=origin)])
    return checkpoint


def _signed_by_entries(note: str, origin: str, entries: list[dict]) -> None:
    """The note verifies with one of ``entries`` under key name ``origin``."""
    reasons = []
    for entry in entries:
        try:
            open_note(note, origin, base64.b64decode(entry["public_key"]))
            return
        except CheckpointError as exc:
            reasons.append(str(exc))
    raise PeerRefused([Message("the checkpoint is not signed by a key of %(origin)s in the "
                               "pinned trust list: %(why)s", origin=origin,
                               why="; ".join(reasons) or "no key")])


def _witness(data) -> tuple[str, str] | None:
    if data is None:
        return None
    try:
        name, key = data["name"], data["public_key"]
        raw = base64.b64decode(key, validate=True)
        if not isinstance(name, str) or not name or " " in name or not usable_public_key(raw):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise PeerRefused([malformed(DOCUMENTS["witness"], "name and public_key expected")]
                          ) from None
    return name, key


def _accepted_entries(fetcher: Fetcher, peer: dict, fetched: list[dict]) -> list[dict]:
    """The peer's entries to hold now: the pinned ones, or a change a pinned key announced."""
    pinned = json.loads(peer["trust_entries"])
    if fetched == pinned:
        return pinned
    added = len({e["kid"] for e in fetched} - {e["kid"] for e in pinned})
    removed = len({e["kid"] for e in pinned} - {e["kid"] for e in fetched})
    note = fetcher.text(TRUST_NOTE, DOCUMENTS["announcement"], missing_ok=True)
    why = "the peer publishes no announcement"
    if note is not None:
        try:
            text, _ = parse_note(note)
            if text != announcement_text(peer["origin"], fetched):
                why = "the announcement names other entries"
            else:
                _signed_by_entries(note, peer["origin"], pinned)
                return fetched
        except (CheckpointError, PeerRefused) as exc:
            why = str(exc)
    raise PeerRefused([Message("the peer's trust list changed (%(added)s key(s) added, "
                               "%(removed)s removed) without an announcement signed by a key "
                               "pinned for %(origin)s: %(why)s", added=added, removed=removed,
                               origin=peer["origin"], why=why)])


def _consistent(fetcher: Fetcher, peer: dict, checkpoint, note: str) -> None:
    """The new checkpoint extends the last one accepted (RFC 9162 consistency proof)."""
    if not peer["checkpoint"]:
        return
    old = parse_checkpoint(peer["checkpoint"])
    proof_b64 = None
    try:
        if old.size == 0:
            return
        if checkpoint.size < old.size:
            raise merkle.ProofError(f"the log shrank from {old.size} to {checkpoint.size} "
                                    f"entries")
        proof = []
        if checkpoint.size > old.size:
            data = fetcher.json(f"{CONSISTENCY}?from={old.size}&to={checkpoint.size}",
                                DOCUMENTS["consistency"])
            if not isinstance(data, dict) or not isinstance(data.get("proof"), list):
                raise PeerRefused([malformed(DOCUMENTS["consistency"], "no proof")])
            proof_b64 = data["proof"]
            try:
                proof = [base64.b64decode(p, validate=True) for p in proof_b64]
            except (TypeError, ValueError):
                raise PeerRefused([malformed(DOCUMENTS["consistency"], "not base64")]
                                  ) from None
        merkle.check_consistency(old.size, checkpoint.size, old.root, checkpoint.root, proof)
    except merkle.ProofError as exc:
        raise PeerRefused(
            [Message("the peer's log is not consistent with its checkpoint of size %(old)s "
                     "accepted before: %(why)s", old=old.size, why=str(exc))],
            state="inconsistent",
            evidence={"seen": peer["checkpoint"], "seen_at": peer["last_synced_at"],
                      "new": note, "proof": proof_b64,
                      "failure": str(exc)}) from None


def _revocations(data, peer: dict, held: dict) -> list[dict]:
    try:
        listed = parse_revocations(data, source="the peer's revocation list")
    except InvalidInput as exc:
        raise PeerRefused([malformed(DOCUMENTS["revocations"],
                                     "; ".join(str(p) for p in exc.problems))]) from None
    # a platform revokes only its own labels: other ids are not ours to take from it
    own = [row for label_id, row in sorted(listed.items())
           if label_id.startswith(f"{peer['origin']}-")]
    gone = sorted(set(held) - {row["id"] for row in own})
    if gone:
        raise PeerRefused([Message("the peer's revocation list no longer lists label "
                                   "%(label)s, revoked before: revocations are final",
                                   label=gone[0])])
    return own


def _findings(data, entries: list[dict]) -> list | None:
    """The peer's final public findings, each with its signed document checked against the
    peer's keys: a finding the peer did not sign, or whose signed id or state differ from
    what the list says, refuses the answer."""
    if data is None:
        return None  # 404: the peer publishes no findings
    items = data.get("findings") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PeerRefused([malformed(DOCUMENTS["findings"], "a list of objects expected")])
    for item in items:
        try:
            signed = base64.urlsafe_b64decode(str(item.get("document") or "") + "==")
            body = verify_document(signed, {"issuers": entries}, "finding").body
        except (ValueError, LabelInvalid) as exc:
            raise PeerRefused([Message("finding %(id)s is not signed by the peer's keys: "
                                       "%(reason)s", id=item.get("id"), reason=str(exc))])
        if body.get("finding") != item.get("id") or body.get("state") != "final":
            raise PeerRefused([Message("finding %(id)s says other than its signed document",
                                       id=item.get("id"))])
    return items


def _ours_cosigned(db, home, fetcher: Fetcher, peer: dict) -> dict | None:
    """Our checkpoint as the peer cosigned it, checked; None if it cosigned none yet."""
    signer = checkpoint_signer(home)
    if signer is None or not peer["witness_key"]:
        return None
    origin = signer[0]
    note = fetcher.text(COSIGNATURES + origin, DOCUMENTS["cosigned"], missing_ok=True)
    if note is None:
        return None
    try:
        checkpoint = parse_checkpoint(note)
        if checkpoint.origin != origin:
            raise CheckpointError(f"it is of log {checkpoint.origin}")
        for entry in own_entries(home, origin):
            try:
                open_note(note, origin, entry.public_key)
                break
            except CheckpointError:
                continue
        else:
            raise CheckpointError("it is not signed by a key of this platform")
        timestamp = verify_cosignature(note, peer["witness_name"],
                                       base64.b64decode(peer["witness_key"]))
        log = TransparencyLog(db)
        if checkpoint.size > log.size() or log.root(checkpoint.size) != checkpoint.root:
            raise CheckpointError(f"our log never had this root at size {checkpoint.size}")
    except CheckpointError as exc:
        raise PeerRefused([Message("the peer's cosignature of our checkpoint is refused: "
                                   "%(why)s", why=str(exc))]) from None
    return {"size": checkpoint.size, "root": b64(checkpoint.root), "cosigned": note,
            "cosigned_at": clock.stamp(datetime.fromtimestamp(timestamp, clock.now().tzinfo))}


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
        entries = _accepted_entries(
            fetcher, peer, _entries_of(fetcher.json(TRUST_LIST, DOCUMENTS["trust list"]),
                                       peer["origin"]))
        note = fetcher.text(CHECKPOINT, DOCUMENTS["checkpoint"])
        checkpoint = _checkpoint(note, peer["origin"])
        _signed_by_entries(note, peer["origin"], entries)
        _consistent(fetcher, peer, checkpoint, note)
        held = stored.revocations(db, peer["id"])
        revocations = _revocations(fetcher.json(REVOKED, DOCUMENTS["revocations"]), peer,
                                   held)
        findings = _findings(fetcher.json(FINDINGS, DOCUMENTS["findings"], missing_ok=True),
                             entries)
        ours = _ours_cosigned(db, home, fetcher, peer)
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


def _find(db, url: str) -> dict:
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
        return [sync_peer(db, home, _find(db, url))]
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
        origin = _checkpoint(note, None).origin
        entries = _entries_of(trust_data, origin)
        if not entries:
            raise PeerRefused([Message("the peer's trust list has no key of its log's origin "
                                       "%(origin)s", origin=origin)])
        _signed_by_entries(note, origin, entries)
        witness = _witness(fetcher.json(WITNESS, DOCUMENTS["witness"], missing_ok=True))
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
    peer = _find(db, url)
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


