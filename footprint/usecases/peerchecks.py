"""What a peer platform publishes, where, and the checks each document passes before anything
of it is stored (docs/peers.md); each failure a PeerRefused in words:

- the trust list: the peer's entries equal the pinned ones, or a change is announced by a
  note signed by a pinned key (witnessing.trust_list_note);
- the checkpoint: of the peer's log, signed by a key of the accepted trust list;
- a consistency proof from the last checkpoint accepted to the new one (RFC 9162): a peer
  that rewrote its log is refused ``inconsistent``, with both checkpoints and the failed
  proof as evidence;
- the revocation list: well-formed, and every revocation seen before still in it;
- the findings (GET /api/v1/findings): a list of objects, or 404 (the peer publishes none);
- our own checkpoint as the peer cosigned it: the cosignature verifies with the peer's
  pinned witness key, over a checkpoint our log really had.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime

from .. import clock
from ..errors import InvalidInput, Message, joined
from ..labels import LabelInvalid
from ..labels.documents import verify_document
from ..labels.keys import checkpoint_signer, own_entries
from ..labels.revocations import parse_revocations
from ..labels.trust import parse_trust_list, usable_public_key
from ..translog import TransparencyLog, merkle
from ..translog.checkpoint import CheckpointError, open_note, parse_checkpoint, parse_note
from ..translog.cosignature import verify_cosignature
from ..translog.log import b64
from .peerfetch import Fetcher, PeerRefused, malformed
from .witnessing import announcement_text

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


# -- reading the peer's documents ------------------------------------------------------------

def entries_of(trust_data, origin: str) -> list[dict]:
    """The peer's own issuer's entries (published form), checked as a trust list."""
    try:
        trust = parse_trust_list(trust_data, source="the peer's trust list")
    except InvalidInput as exc:
        raise PeerRefused([malformed(DOCUMENTS["trust list"],
                                     located(exc.problems))]) from None
    return sorted((e.as_dict() for e in trust if e.id == origin), key=lambda e: e["kid"])


def located(problems: list) -> Message:
    """An input's problems, each after its place, on one line in the reader's language."""
    return joined([Message("%(where)s: %(note)s", where=p.human_where, note=p.message)
                   for p in problems])


def checkpoint_of(note: str | None, origin: str | None):
    try:
        checkpoint = parse_checkpoint(note or "")
    except CheckpointError as exc:
        raise PeerRefused([malformed(DOCUMENTS["checkpoint"], exc.message)]) from None
    if origin is not None and checkpoint.origin != origin:
        raise PeerRefused([Message("the checkpoint is of log %(found)s, not %(origin)s",
                                   found=checkpoint.origin, origin=origin)])
    return checkpoint


def signed_by_entries(note: str, origin: str, entries: list[dict]) -> None:
    """The note verifies with one of ``entries`` under key name ``origin``."""
    reasons = []
    for entry in entries:
        try:
            open_note(note, origin, base64.b64decode(entry["public_key"]))
            return
        except CheckpointError as exc:
            reasons.append(exc.message)
    raise PeerRefused([Message("the checkpoint is not signed by a key of %(origin)s in the "
                               "pinned trust list: %(why)s", origin=origin,
                               why=joined(reasons) if reasons else Message("no key"))])


def witness_of(data) -> tuple[str, str] | None:
    if data is None:
        return None
    try:
        name, key = data["name"], data["public_key"]
        raw = base64.b64decode(key, validate=True)
        if not isinstance(name, str) or not name or " " in name or not usable_public_key(raw):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise PeerRefused([malformed(DOCUMENTS["witness"],
                                 Message("name and public_key expected"))]
                          ) from None
    return name, key


def accepted_entries(fetcher: Fetcher, peer: dict, fetched: list[dict]) -> list[dict]:
    """The peer's entries to hold now: the pinned ones, or a change a pinned key announced."""
    pinned = json.loads(peer["trust_entries"])
    if fetched == pinned:
        return pinned
    added = len({e["kid"] for e in fetched} - {e["kid"] for e in pinned})
    removed = len({e["kid"] for e in pinned} - {e["kid"] for e in fetched})
    note = fetcher.text(TRUST_NOTE, DOCUMENTS["announcement"], missing_ok=True)
    why = Message("the peer publishes no announcement")
    if note is not None:
        try:
            text, _ = parse_note(note)
            if text != announcement_text(peer["origin"], fetched):
                why = Message("the announcement names other entries")
            else:
                signed_by_entries(note, peer["origin"], pinned)
                return fetched
        except CheckpointError as exc:
            why = exc.message
        except PeerRefused as exc:
            why = joined(exc.problems)
    raise PeerRefused([Message("the peer's trust list changed (%(added)s key(s) added, "
                               "%(removed)s removed) without an announcement signed by a key "
                               "pinned for %(origin)s: %(why)s", added=added, removed=removed,
                               origin=peer["origin"], why=why)])


def consistent(fetcher: Fetcher, peer: dict, checkpoint, note: str) -> None:
    """The new checkpoint extends the last one accepted (RFC 9162 consistency proof)."""
    if not peer["checkpoint"]:
        return
    old = parse_checkpoint(peer["checkpoint"])
    proof_b64 = None
    try:
        if old.size == 0:
            return
        if checkpoint.size < old.size:
            raise merkle.ProofError(Message("the log shrank from %(old)s to %(new)s entries",
                                            old=old.size, new=checkpoint.size))
        proof = []
        if checkpoint.size > old.size:
            data = fetcher.json(f"{CONSISTENCY}?from={old.size}&to={checkpoint.size}",
                                DOCUMENTS["consistency"])
            if not isinstance(data, dict) or not isinstance(data.get("proof"), list):
                raise PeerRefused([malformed(DOCUMENTS["consistency"], Message("no proof"))])
            proof_b64 = data["proof"]
            try:
                proof = [base64.b64decode(p, validate=True) for p in proof_b64]
            except (TypeError, ValueError):
                raise PeerRefused([malformed(DOCUMENTS["consistency"], Message("not base64"))]
                                  ) from None
        merkle.check_consistency(old.size, checkpoint.size, old.root, checkpoint.root, proof)
    except merkle.ProofError as exc:
        raise PeerRefused(
            [Message("the peer's log is not consistent with its checkpoint of size %(old)s "
                     "accepted before: %(why)s", old=old.size, why=exc.message)],
            state="inconsistent",
            evidence={"seen": peer["checkpoint"], "seen_at": peer["last_synced_at"],
                      "new": note, "proof": proof_b64,
                      "failure": str(exc)}) from None


def revocations_of(data, peer: dict, held: dict) -> list[dict]:
    try:
        listed = parse_revocations(data, source="the peer's revocation list")
    except InvalidInput as exc:
        raise PeerRefused([malformed(DOCUMENTS["revocations"],
                                     located(exc.problems))]) from None
    # a platform revokes only its own labels: other ids are not ours to take from it
    own = [row for label_id, row in sorted(listed.items())
           if label_id.startswith(f"{peer['origin']}-")]
    gone = sorted(set(held) - {row["id"] for row in own})
    if gone:
        raise PeerRefused([Message("the peer's revocation list no longer lists label "
                                   "%(label)s, revoked before: revocations are final",
                                   label=gone[0])])
    return own


def findings_of(data, entries: list[dict]) -> list | None:
    """The peer's final public findings, each with its signed document checked against the
    peer's keys: a finding the peer did not sign, or whose signed id or state differ from
    what the list says, refuses the answer."""
    if data is None:
        return None  # 404: the peer publishes no findings
    items = data.get("findings") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PeerRefused([malformed(DOCUMENTS["findings"],
                                     Message("a list of objects expected"))])
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


def ours_cosigned(db, home, fetcher: Fetcher, peer: dict) -> dict | None:
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
            raise CheckpointError(Message("it is of log %(origin)s", origin=checkpoint.origin))
        for entry in own_entries(home, origin):
            try:
                open_note(note, origin, entry.public_key)
                break
            except CheckpointError:
                continue
        else:
            raise CheckpointError(Message("it is not signed by a key of this platform"))
        timestamp = verify_cosignature(note, peer["witness_name"],
                                       base64.b64decode(peer["witness_key"]))
        log = TransparencyLog(db)
        if checkpoint.size > log.size() or log.root(checkpoint.size) != checkpoint.root:
            raise CheckpointError(Message("our log never had this root at size %(size)s",
                                          size=checkpoint.size))
    except CheckpointError as exc:
        raise PeerRefused([Message("the peer's cosignature of our checkpoint is refused: "
                                   "%(why)s", why=exc.message)]) from None
    return {"size": checkpoint.size, "root": b64(checkpoint.root), "cosigned": note,
            "cosigned_at": clock.stamp(datetime.fromtimestamp(timestamp, clock.now().tzinfo))}
