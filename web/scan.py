"""Blueprint: public verification. Anyone, without logging in, may

- fetch the trust list (``/.well-known/footprint/trust-list.json``): this platform's issuer
  keys and the other regions' platforms it recognises (``footprint keys trust add``);
- fetch the current signed checkpoint of the transparency log (``/log/checkpoint``);
- open a label from its QR code (``/L/<B32>``, either case): the signature is checked against
  the trust list and, for this platform's labels, the inclusion proof in the log against the
  current root; the page says plainly what was checked and what the label's status is;
- resolve a GS1 Digital Link (``/01/<GTIN>[/10/<lot>]``) to the product's current label;
- read the public list of revoked labels (``/labels/revoked``; the JSON form for offline
  verifiers is the API's ``/api/v1/labels/revoked``).

The rules live in footprint.labels (verification), footprint.translog (proofs) and
footprint.store.labels (status); this module only chooses what to show.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from footprint import NotFound
from footprint.gs1 import GTIN_LENGTHS, check_digit, normalise_gtin
from footprint.labels import LabelInvalid, export_trust_list, from_b32, to_b32, verify
from footprint.labels.claims import format_decimal
from footprint.labels.keys import checkpoint_signer, own_entries
from footprint.labels.trust import parse_trust_list
from footprint.store import labels as store_labels
from footprint.translog import TransparencyLog, leaf_hash, sign_checkpoint, verify_inclusion
from footprint.translog.log import b64

from .db import get_db, get_engine
from .submissions import STAGE_LABELS, width_class

bp = Blueprint("scan", __name__)

MAX_B32 = 4096  # characters; a label is a few hundred bytes, a QR at most ~4,300 characters

# Why a label failed verification, for the consumer (footprint.labels.errors.REASONS).
REASON_TEXT = {
    "malformed": _l("The code is not a well-formed carbon label."),
    "unprotected-header": _l("The label carries data outside its signature."),
    "algorithm": _l("The label is not signed with the required algorithm (Ed25519)."),
    "unknown-issuer": _l("The key that signed this label is not in this platform's trust "
                         "list: no platform this one recognises issued it."),
    "bad-signature": _l("The signature does not match the label's contents: the label was "
                        "altered or forged."),
    "key-window": _l("The label was signed outside the period in which the issuer's key was "
                     "valid."),
    "not-yet-valid": _l("The label's issue date lies in the future."),
}
STATUS_TEXT = {
    "valid": _l("Valid"), "superseded": _l("Superseded"), "revoked": _l("Revoked"),
    "expired": _l("Expired"), "remote": _l("Genuine signature"),
    "unknown-issuer": _l("Unknown issuer"), "forged": _l("Not genuine"),
    "unrecorded": _l("Not in this platform's records"),
}
TONES = {"valid": "good", "remote": "good", "superseded": "caution", "expired": "caution",
         "revoked": "danger", "unknown-issuer": "danger", "forged": "danger",
         "unrecorded": "danger"}


def clock() -> datetime:
    """The moment labels are checked at (tests replace it to look into the future)."""
    return datetime.now(timezone.utc)


def _home() -> Path:
    return Path(current_app.config["FOOTPRINT_HOME"])


# -- the trust list and the checkpoint -------------------------------------------------------

def _public(response: Response, max_age: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # other verifiers fetch these
    return response


@bp.route("/.well-known/footprint/trust-list.json")
def trust_list():
    body = json.dumps(export_trust_list(_home()), ensure_ascii=False, indent=2) + "\n"
    return _public(Response(body, mimetype="application/json"), 300)


@bp.route("/log/checkpoint")
def checkpoint():
    log = TransparencyLog(get_db())
    size = log.size()
    root = log.root(size)  # the first `size` leaves, even if one is appended meanwhile
    signer = checkpoint_signer(_home())
    if signer is None:
        body = ("This platform has no issuer key yet, so it cannot sign a checkpoint of its "
                "transparency log. An administrator runs `footprint keys generate` first.\n"
                f"(unsigned: tree size {size}, root {b64(root)})\n")
        response = Response(body, status=503, mimetype="text/plain")
        response.headers["Retry-After"] = "3600"
        return _public(response, 0)
    name, key = signer
    note = sign_checkpoint(name, size, root, name, key)  # origin = key name, as the CLI does
    return _public(Response(note, mimetype="text/plain"), 0)


# -- the scan page ---------------------------------------------------------------------------

@dataclass
class Scan:
    """What the scan page shows. ``verdict`` is one of STATUS_TEXT's keys."""

    verdict: str
    reason: str = ""             # for a label that failed verification
    detail: str = ""             # the verifier's technical detail
    claims: dict | None = None   # only when the signature verified
    issuer: object = None        # the TrustEntry of the signing key
    own: bool = False            # issued by this platform
    record: dict | None = None   # this platform's record of the label
    names: dict = field(default_factory=dict)  # names published beside the signed ids
    log: dict | None = None      # the inclusion check: index, size, root, ok
    current: dict | None = None  # the label that superseded this one: id, url


def _record(db, label_id: str, cose: bytes) -> dict | None:
    """This platform's record of the label, if it holds one with exactly these bytes."""
    try:
        record = store_labels.get(db, label_id)
    except NotFound:
        return None
    return record if bytes(record["cose"]) == cose else None


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


def _current(db, record: dict) -> dict:
    """The label at the end of the chain of supersessions."""
    seen = {record["id"]}
    current = record
    while current["superseded_by"] and current["superseded_by"] not in seen:
        current = store_labels.get(db, current["superseded_by"])
        seen.add(current["id"])
    return {"id": current["id"],
            "url": url_for("scan.label", b32=to_b32(bytes(current["cose"])))}


def check(db, home: Path, cose: bytes, moment: datetime) -> Scan:
    """Verify a scanned label and find its status."""
    trust = parse_trust_list(export_trust_list(home))
    try:
        verified = verify(cose, trust, now=moment)
        claims, issuer, expired = verified.claims, verified.issuer, False
    except LabelInvalid as exc:
        if exc.reason != "expired":
            verdict = "unknown-issuer" if exc.reason == "unknown-issuer" else "forged"
            return Scan(verdict, reason=exc.reason, detail=exc.detail)
        claims, issuer, expired = exc.claims, exc.issuer, True  # genuine, but out of date
    own = issuer.kid in {e.kid for e in own_entries(home)}
    scan = Scan("remote", claims=claims, issuer=issuer, own=own)
    scan.record = _record(db, claims["id"], cose)
    if scan.record is not None:
        scan.names = store_labels.names(scan.record)
    if scan.record is None:
        if own:  # signed with our key, yet neither stored nor logged: never trust it
            scan.verdict = "unrecorded"
        elif expired:
            scan.verdict = "expired"
        return scan
    if own:
        scan.log = _inclusion(db, scan.record, cose)
        if not scan.log["ok"]:
            scan.verdict = "unrecorded"
            return scan
    status = store_labels.status(scan.record, at=moment)
    scan.verdict = "expired" if status == "valid" and expired else status
    if scan.record["superseded_by"]:
        scan.current = _current(db, scan.record)
    return scan


def _benchmark(category_id: str, region: str):
    """(category, region) records of this platform's registry, None where unknown."""
    registry = get_engine().registry
    return registry.categories.get(category_id), registry.regions.get(region)


def _stages(claims: dict) -> list[dict]:
    return [{"stage": stage, "name": STAGE_LABELS.get(stage, stage), "permille": share,
             "percent": f"{share / 10:.1f}", "width": width_class(share, 1000)}
            for stage, share in claims["stage_permille"].items()]


def _issuer_url(scan: Scan, b32: str) -> str | None:
    """Where the issuing platform shows this label with its status: FOOTPRINT_PLATFORM_URLS
    maps issuer ids of recognised platforms to their base URLs (the trust list has no URLs)."""
    if scan.own or scan.issuer is None:
        return None
    base = (current_app.config.get("FOOTPRINT_PLATFORM_URLS") or {}).get(scan.issuer.id)
    return f"{base.rstrip('/')}/L/{b32}" if base else None


@bp.route("/L/<b32>")
@bp.route("/l/<b32>", endpoint="label_lowercase")  # for apps that lowercase URLs
def label(b32: str):
    if len(b32) > MAX_B32:
        return _not_found("label")
    try:
        cose = from_b32(b32)
    except LabelInvalid:
        return _not_found("label")
    moment = clock()
    db = get_db()
    scan = check(db, _home(), cose, moment)
    context = {"scan": scan, "status_text": STATUS_TEXT[scan.verdict],
               "reason_text": REASON_TEXT.get(scan.reason, ""), "tone": TONES[scan.verdict]}
    if scan.claims is not None:
        category, region = _benchmark(scan.claims["category"], scan.claims["region"])
        context.update(
            category=category, region=region, stages=_stages(scan.claims),
            value=format_decimal(scan.claims["value"]),
            amount=format_decimal(scan.claims["declared_unit"]["amount"]),
            grading=category.grading if category is not None else None,
            issuer_url=_issuer_url(scan, to_b32(cose)))
    response = Response(render_template("scan/label.html", **context))
    response.headers["Cache-Control"] = "no-cache"  # the status can change at any time
    return response


# -- GS1 Digital Link ------------------------------------------------------------------------

@bp.route("/01/<gtin>")
@bp.route("/01/<gtin>/10/<lot>")
def digital_link(gtin: str, lot: str | None = None):
    try:
        gtin14 = normalise_gtin(gtin)
    except ValueError:
        well_formed = gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS
        return _not_found("gtin", gtin=gtin,
                          expected=check_digit(gtin[:-1]) if well_formed else None,
                          actual=gtin[-1] if well_formed else None)
    found = store_labels.by_gtin(get_db(), gtin14)
    if found is None:
        return _not_found("no-label", gtin=gtin14)
    return redirect(url_for("scan.label", b32=to_b32(bytes(found["cose"]))), 302)


def _not_found(kind: str, **context):
    return render_template("scan/not_found.html", kind=kind, **context), 404


# -- the public list of revoked labels -------------------------------------------------------

@bp.route("/labels/revoked")
def revoked():
    db = get_db()
    rows = []
    for row in store_labels.revoked(db):
        label = store_labels.get(db, row["id"])
        rows.append(dict(row, url=url_for("scan.label", b32=to_b32(bytes(label["cose"])))))
    return render_template("scan/revoked.html", rows=rows)


@bp.app_template_filter("scan_date")
def _date(text) -> str:
    """2026-03-01T08:00:00Z (or +00:00) -> 2026-03-01."""
    return str(text or "")[:10]
