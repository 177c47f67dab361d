"""Signed documents: what the platform states outside a label (a loan pricing decision, an
account statement, an open-data manifest, grade bands, a finding), signed with the same issuer
key as its labels, so anyone holding the platform's trust list can check it.

A signed document is a tagged COSE_Sign1 ``18([protected, {}, payload, signature])`` exactly
as a label (docs/label-format.md: protected header ``{1: -8, 4: kid}``, Ed25519 over
``["Signature1", protected, h'', payload]``, deterministic encoding), but its payload is a
JSON object in UTF-8 with sorted keys and no spaces, holding at least

    {"type": KIND, "issuer": ISSUER_ID, "signed_at": "YYYY-MM-DDTHH:MM:SSZ", ...}

A label's payload is CBOR, so neither can pass for the other. docs/signed-documents.md shows
how to check one with any COSE library.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from footprint.errors import Message

from . import times
from .cose import _parse_outer, sign1, signature_ok
from .errors import KeyStoreError, LabelInvalid
from .trust import TrustEntry, load_trust_list

RESERVED = ("type", "issuer", "signed_at")


@dataclass(frozen=True)
class SignedDocument:
    kind: str
    body: dict          # every field, the reserved ones included
    issuer: TrustEntry
    signed: bytes       # the COSE_Sign1 bytes as checked

    @property
    def signed_at(self) -> str:
        return self.body["signed_at"]


def canonical_json(value) -> bytes:
    """The one JSON encoding of ``value``: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign_document(kind: str, body: dict, issuer_key, now=None) -> bytes:
    """COSE_Sign1 bytes of ``body`` as a document of ``kind``, signed by ``issuer_key``
    (footprint.labels.keys.IssuerKey) at ``now`` (default: the clock)."""
    clash = sorted(set(body) & set(RESERVED))
    if clash:
        raise ValueError(f"{', '.join(clash)}: set by the signer, not by the document")
    entry = issuer_key.entry
    moment = times.now() if now is None else times.epoch(now)
    if not entry.covers(moment):
        raise KeyStoreError(Message("key %(kid)s may sign from %(start)s to %(end)s, not at "
                                    "%(moment)s", kid=entry.kid.hex(),
                                    start=times.text(entry.valid_from),
                                    end=times.text(entry.valid_to), moment=times.text(moment)))
    payload = canonical_json({**body, "type": kind, "issuer": entry.id,
                              "signed_at": times.text(moment)})
    return sign1(payload, issuer_key)


def verify_document(signed: bytes, trust_list, kind: str | None = None) -> SignedDocument:
    """Check a signed document against a trust list (TrustList, dict or path) and, when
    ``kind`` is given, that it is a document of that kind. Raises LabelInvalid(reason)."""
    trust = load_trust_list(trust_list)
    protected, header, payload, signature = _parse_outer(signed)
    entry = trust.get(header[4])
    if entry is None:
        raise LabelInvalid("unknown-issuer", f"key id {header[4].hex()} is not in the trust list")
    if not signature_ok(protected, payload, signature, entry.public_key):
        raise LabelInvalid("bad-signature", f"the signature does not verify with {entry.id}'s "
                                            f"key {entry.kid.hex()}")
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LabelInvalid("malformed", f"the payload is not JSON: {exc}") from None
    if not isinstance(body, dict) or any(not isinstance(body.get(k), str) for k in RESERVED):
        raise LabelInvalid("malformed", "a signed document is a JSON object with type, "
                                        "issuer and signed_at")
    if canonical_json(body) != payload:
        raise LabelInvalid("malformed", "the payload is not in the canonical JSON encoding")
    if body["issuer"] != entry.id:
        raise LabelInvalid("malformed", f"the document names issuer {body['issuer']}, the key "
                                        f"is {entry.id}'s")
    if not entry.covers(times.epoch(body["signed_at"])):
        raise LabelInvalid("key-window", f"signed {body['signed_at']}, outside the window of "
                                         f"key {entry.kid.hex()}")
    if kind is not None and body["type"] != kind:
        raise LabelInvalid("malformed", f"a {body['type']!r} document, not {kind!r}")
    return SignedDocument(body["type"], body, entry, bytes(signed))
