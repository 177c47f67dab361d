"""Suppliers' carbon labels as BOM inputs: the resolver the use cases hand the engine.

A line may name a supplier's label as ``label:<label id>``, ``label:<base32>`` or the label's
QR URL (``HTTPS://host/L/<base32>``, which carries the signed bytes). Before the engine uses
the label's signed value, ``LabelInputs`` checks, as a scan does (usecases.scanning):

- the signature against the trust list (this platform's keys and the other platforms it
  recognises); a forged label or one of an unknown issuer is refused;
- this platform's own label: that it holds exactly those bytes and its log says it is issued
  and neither revoked nor superseded (by id, the stored bytes are used);
- another platform's label given by id only: refused, this platform cannot verify it (the
  QR URL carries the signed bytes); given by URL: a genuine signature is accepted and the
  result says its status is kept by the issuing platform;
- that it has not expired.

Every refusal is a LookupError with a Message, which the engine reports at the line
(``lines[0].input``). With ``follow_supersessions`` (a recalculation), a superseded label of
this platform is replaced by the current label at the end of its chain, which is recorded.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from .. import clock
from ..bom import PACT_PREFIX, Line
from ..engine.supplier import SupplierLabel
from ..errors import Message
from ..labels import LabelInvalid, export_trust_list, extract, to_b32, verify
from ..labels.claims import party_text
from ..labels.keys import own_entries
from ..labels.trust import parse_trust_list
from ..store import label_inputs as stored_inputs
from ..store.db import database_path
from .database import open_database
from .labels import current_of, find, names, status
from .pactinputs import supplier_footprint


class LabelInputs:
    """A LabelResolver (footprint.engine.supplier) over this platform's records and trust
    list, at ``moment`` (default: now)."""

    def __init__(self, db, home, moment: datetime | None = None,
                 follow_supersessions: bool = False, org_id: int | None = None):
        self._db, self.home = db, home
        self.org_id = org_id  # whose imported PACT footprints a line may use (None: any)
        self.moment = moment or clock.now()
        self.follow = follow_supersessions
        self._trust = None
        self._own = None

    @property
    def db(self):
        """This platform's database: opened when first needed if none was given (a command
        calculating a file; None if the home has no database)."""
        if self._db is None and database_path(self.home).exists():
            self._db = self._opened = open_database(self.home)
        return self._db

    def close(self) -> None:
        if getattr(self, "_opened", None) is not None:
            self._opened.close()
            self._db = self._opened = None

    @property
    def trust(self):
        if self._trust is None:
            self._trust = parse_trust_list(export_trust_list(self.home))
            self._own = {e.kid for e in own_entries(self.home)}
        return self._trust

    def __call__(self, ref: str, line: Line) -> SupplierLabel:
        if ref.startswith(PACT_PREFIX):
            return supplier_footprint(self.db, ref, self.org_id)
        cose = self._bytes(ref)
        trust = self.trust
        try:
            verified = verify(cose, trust, now=self.moment)
        except LabelInvalid as exc:
            raise LookupError(_refusal(ref, exc)) from None
        claims, issuer = verified.claims, verified.issuer
        own = issuer.kid in self._own
        replaces = None
        label_status = "kept-by-issuer"
        product = f"{issuer.id} product No. {claims['product']}"
        if own:
            record = find(self.db, claims["id"]) if self.db is not None else None
            if record is None or bytes(record["cose"]) != cose:
                raise LookupError(Message("label %(label)s is signed with this platform's key "
                                          "but not recorded here", label=claims["id"]))
            state = status(record, at=self.moment)
            if state == "superseded" and self.follow:
                current = current_of(self.db, record)
                replaces, record = record["id"], current
                state = status(record, at=self.moment)
                cose = bytes(record["cose"])
                claims = verify(cose, trust, now=self.moment).claims
            if state != "valid":
                raise LookupError(_status_refusal(record, state))
            label_status = "valid"
            product = names(record).get("product_name_en") or product
        return SupplierLabel(
            id=claims["id"], issuer=issuer.id, issuer_name=issuer.name,
            verifier=party_text(claims["verifier"]), value=float(claims["value"]),
            declared_amount=float(claims["declared_unit"]["amount"]),
            declared_unit=claims["declared_unit"]["unit"], product=product, own=own,
            status=label_status,
            data_quality="provisional" if claims.get("provisional") else "verified",
            b32=to_b32(cose), replaces=replaces)

    def _bytes(self, ref: str) -> bytes:
        """The signed bytes a reference gives: decoded from a URL or base32, or this
        platform's stored bytes of a label id."""
        if "/" in ref or "-" not in ref:  # a URL or base32 text, never a printed label id
            try:
                return extract(ref)
            except LabelInvalid as exc:
                raise LookupError(Message("%(ref)s is neither a label id nor a label's URL "
                                          "(%(detail)s)", ref=ref, detail=exc.detail)) from None
        record = find(self.db, ref.upper()) if self.db is not None else None
        if record is None:
            raise LookupError(Message("label %(label)s is not one this platform issued, so "
                                      "it cannot be verified here: give the label's QR URL "
                                      "(HTTPS://host/L/...), which carries its signature",
                                      label=ref))
        return bytes(record["cose"])


def _refusal(ref: str, exc: LabelInvalid) -> Message:
    label = exc.claims["id"] if exc.claims else _short(ref)
    if exc.reason == "expired":
        return Message("label %(label)s expired on %(date)s", label=label,
                       date=exc.claims["expires_at"])
    if exc.reason == "unknown-issuer":
        return Message("label %(label)s is signed by an issuer this platform does not "
                       "recognise (not in its trust list)", label=label)
    return Message("label %(label)s is not genuine: %(detail)s", label=label,
                   detail=exc.detail)


def _status_refusal(record: dict, state: str) -> Message:
    if state == "revoked":
        return Message("label %(label)s was revoked: %(reason)s", label=record["id"],
                       reason=record["revocation_reason"] or "")
    if state == "superseded":
        return Message("label %(label)s is superseded by %(current)s; use the current label",
                       label=record["id"], current=record["superseded_by"])
    return Message("label %(label)s expired on %(date)s", label=record["id"],
                   date=record["expires_at"])


def _short(ref: str) -> str:
    return ref if len(ref) <= 40 else ref[:37] + "..."


@contextmanager
def home_labels(home):
    """LabelInputs for a command: this platform's database is opened only if a line names
    one of its labels, and closed after."""
    inputs = LabelInputs(None, home)
    try:
        yield inputs
    finally:
        inputs.close()


def label_inputs(resolved) -> list[tuple[int, str, str, bool]]:
    """(top-level line, label id, issuer, own) of every supplier's label a resolved BOM
    uses, sub-assemblies' counted at the line that names them."""
    out = []

    def walk(lines, top=None):
        for rl in lines:
            line = rl.line.index if top is None else top
            if rl.label is not None:
                out.append((line, rl.label.id, rl.label.issuer, rl.label.own))
            if rl.sub is not None:
                walk(rl.sub.lines, line)
    walk(resolved.lines)
    return out


def record_label_inputs(db, submission_id: int, revision: int, rows) -> None:
    stored_inputs.record(db, submission_id, revision, rows)


def superseded_inputs(db) -> dict[int, list[str]]:
    """Submission id -> this platform's labels its current revision uses that the log now
    says are superseded."""
    out: dict[int, list[str]] = {}
    for row in stored_inputs.own_dependents(db):
        label = find(db, row["label_id"])
        if label is not None and label["superseded_by"]:
            out.setdefault(row["submission_id"], []).append(row["label_id"])
    return out
