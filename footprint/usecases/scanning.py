"""Checking a scanned label: is it genuine, is it this platform's, is it in the log, and what
is its status now.

The signature is checked against the trust list (this platform's keys and the other regions'
platforms it recognises). For a label signed with this platform's own key, the platform must
hold exactly those bytes and the log must prove their inclusion against the current root:
a label signed with our key but neither stored nor logged is never trusted. Its status is
what the log's leaves for it say (usecases.labels), whatever the labels table says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..labels import LabelInvalid, to_b32, verify
from ..labels.keys import own_kids, trust_list, trust_list_generation
from ..translog import TransparencyLog, leaf_hash, verify_inclusion
from ..translog.log import b64
from ..engine.scopes import mixed_scopes_note
from ..store import labels as stored_labels
from ..store import results
from ..batteryfigures import figures as battery_figures
from .labels import calculation_basis, current_of, find, lot_of, names, status
from .peers import foreign_status

# What a scan can conclude: a label's status, or why it cannot be trusted.
VERDICTS = ("valid", "superseded", "revoked", "expired", "remote", "unknown-issuer", "forged",
            "unrecorded")


@dataclass
class Scan:
    """What a scan found. ``verdict`` is one of VERDICTS."""

    verdict: str
    reason: str = ""             # for a label that failed verification
    detail: str = ""             # the verifier's technical detail
    claims: dict | None = None   # only when the signature verified
    issuer: object = None        # the TrustEntry of the signing key
    own: bool = False            # issued by this platform
    record: dict | None = None   # this platform's record of the label, as the log says
    names: dict = field(default_factory=dict)  # names published beside the signed ids
    log: dict | None = None      # the inclusion check: index, size, root, ok
    current: dict | None = None  # the label that superseded this one: id, b32
    # the signed result's data quality (dqi, primary_data_share), for this platform's labels:
    # not signed in the label itself, read from the result whose hash the label signs
    quality: dict | None = None
    # the signed result's gas scopes, read the same way: scopes (per scope kg CO2e and
    # share), standard, and the note when they mix
    scopes: dict | None = None
    # the batch or lot (GS1 AI 10) the label's submission covers, for this platform's labels
    lot: str | None = None
    # a battery's Art. 7 figures (per kWh delivered, provisional class, Annex II stages),
    # read the same way (usecases.batterypass.figures)
    battery: dict | None = None
    # the signed result's system boundary and GWP method, read the same way
    # (usecases.labels.calculation_basis)
    calculation: dict | None = None
    # another platform's label whose issuer is a peer: its synced revocation list's word
    # (usecases.peers.foreign_status: name, state, synced_at, synced_minutes_ago, revoked)
    peer: dict | None = None

    @property
    def revocation(self) -> dict | None:
        """revoked_at and revocation_reason: this platform's record's, or the peer's list's."""
        if self.record is not None and self.record.get("revoked_at"):
            return self.record
        return self.peer["revoked"] if self.peer else None


def _scopes(result: dict | None) -> dict | None:
    if not result or "scopes" not in result:
        return None  # calculated before results named their scopes
    return {"scopes": result["scopes"], "standard": result.get("standard", ""),
            "note": mixed_scopes_note(result["scopes"])}


def _record(db, label_id: str, cose: bytes) -> dict | None:
    """This platform's record of the label, if it holds one with exactly these bytes; its
    state (and its place in the log) as its leaves say."""
    record = find(db, label_id)
    return record if record is not None and bytes(record["cose"]) == cose else None


def _inclusion(db, record: dict, cose: bytes) -> dict:
    """Check the label's own bytes against the log: the leaf hash is computed here from what
    was scanned, the proof from the stored leaves, the root is the current one."""
    log = TransparencyLog(db)
    size = log.size()
    index = record["log_index"]
    out = {"index": index, "size": size, "ok": False, "root": None}
    if index is None or not 0 <= index < size:
        return out
    proof = log.inclusion(index, size)
    out["root"] = b64(proof["root"])
    out["ok"] = log.entry(index)["kind"] == "issue" and verify_inclusion(
        index, size, leaf_hash(cose), proof["proof"], proof["root"])
    return out


def check(db, home: Path, cose: bytes, moment: datetime) -> Scan:
    """Verify a scanned label at ``moment`` and find its status. Raises LabelInvalid when the
    bytes cannot be read as a label at all (``unreadable``: a damaged or incomplete scan,
    which is not a verdict on any label)."""
    trust = trust_list(home)
    try:
        verified = verify(cose, trust, now=moment)
        claims, issuer, expired = verified.claims, verified.issuer, False
    except LabelInvalid as exc:
        if exc.unreadable:
            raise
        if exc.reason != "expired":
            verdict = "unknown-issuer" if exc.reason == "unknown-issuer" else "forged"
            return Scan(verdict, reason=exc.reason, detail=exc.detail)
        claims, issuer, expired = exc.claims, exc.issuer, True  # genuine, but out of date
    own = issuer.kid in own_kids(home)
    scan = Scan("remote", claims=claims, issuer=issuer, own=own)
    scan.record = _record(db, claims["id"], cose)
    if scan.record is None:
        if own:  # signed with our key, yet neither stored nor logged: never trust it
            scan.verdict = "unrecorded"
            return scan
        scan.peer = foreign_status(db, issuer.id, claims["id"], moment)
        if scan.peer and scan.peer["revoked"]:
            scan.verdict = "revoked"  # its platform's list, as last synced, says so
        elif expired:
            scan.verdict = "expired"
        return scan
    scan.names = names(scan.record)
    scan.lot = lot_of(db, scan.record)
    if own:
        scan.log = _inclusion(db, scan.record, cose)
        if not scan.log["ok"]:
            scan.verdict = "unrecorded"
            return scan
    signed_result = results.signed(db, scan.record["submission_id"],
                                   str(claims.get("reproducibility_hash") or ""))
    if signed_result is not None and signed_result.get("dqi"):
        scan.quality = {"dqi": signed_result["dqi"],
                        "primary_data_share": signed_result["primary_data_share"],
                        "range": signed_result.get("uncertainty")}
    scan.scopes = _scopes(signed_result)
    scan.battery = battery_figures(signed_result)
    scan.calculation = calculation_basis(signed_result)
    state = status(scan.record, at=moment)
    scan.verdict = "expired" if state == "valid" and expired else state
    if scan.record["superseded_by"]:
        current = current_of(db, scan.record)
        scan.current = {"id": current["id"], "b32": to_b32(bytes(current["cose"]))}
    return scan


def basis(db, home: Path, scan: Scan, moment: datetime) -> tuple | None:
    """What a scan of this platform's own, recorded label concluded from that can change
    (how the label ended or when it will, its place in the log, the trust list, the year): while ``still(...)``
    returns the same, a page made from the scan says the same. None for any other scan: a
    peer's label follows its peer's list, a forged one is never kept."""
    if not scan.own or scan.record is None or scan.verdict == "unrecorded":
        return None
    return still(db, home, scan.record["id"], moment)


def still(db, home: Path, label_id: str, moment: datetime) -> tuple | None:
    """The basis of a label now (see basis): one indexed read."""
    ending = stored_labels.ending(db, label_id)
    if ending is None:
        return None
    superseded_by, revoked_at, expires_at, log_index = ending
    return (label_id, superseded_by, revoked_at, datetime.fromisoformat(expires_at) < moment,
            log_index, trust_list_generation(home), moment.year)
