"""Signing and verifying labels: COSE_Sign1 (RFC 9052) with Ed25519 (EdDSA, alg -8).

A label is the tagged COSE_Sign1 ``18([protected, {}, payload, signature])`` where
``protected`` is the CBOR of ``{1: -8, 4: kid}`` and ``payload`` the CBOR claims map. The
signature covers ``["Signature1", protected, h'', payload]``. The outer structure must be
encoded deterministically, so one label has exactly one byte string (and one QR text, up to
case): any change to the bytes is rejected, not only changes to what is signed.

``verify`` checks, in order: well-formed CBOR/COSE, an empty unprotected header, alg -8, a
kid in the trust list, the signature, the claims, the issue time inside the key's window,
not issued in the future, not expired. The signer's trust-list entry is the label's issuer.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.errors import Message

from . import times
from .claims import NAMES, build_claims, encode_claims, parse_claims
from .errors import KeyStoreError, LabelInvalid
from .trust import TrustEntry, load_trust_list

COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
HEADER_ALG = 1
HEADER_KID = 4
CLOCK_SKEW = 300  # seconds a label's issue time may lie ahead of the verifier's clock


@dataclass(frozen=True)
class Verified:
    """A label that verified: its readable claims and the trust entry of its signer."""

    claims: dict
    issuer: TrustEntry
    cose: bytes

    @property
    def label_id(self) -> str:
        return self.claims["id"]


def sign(claims: dict, issuer_key) -> bytes:
    """COSE_Sign1 bytes of ``claims`` (a map from build_claims, or a readable record) signed
    by ``issuer_key`` (footprint.labels.keys.IssuerKey). Refuses a readable record whose
    ids are another issuer's, and claims issued outside the key's window: they would not
    verify."""
    entry = issuer_key.entry
    if claims and all(isinstance(k, str) for k in claims):
        if claims.get("issuer") != entry.id:
            raise KeyStoreError(Message("the label names issuer %(named)s, the key is "
                                        "%(issuer)s's", named=str(claims.get("issuer")),
                                        issuer=entry.id))
        claims = build_claims(claims)
    parse_claims(claims, entry.id)  # never sign what a verifier would refuse
    issued = claims[NAMES["issued_at"]]
    if not entry.covers(issued):
        raise KeyStoreError(Message("key %(kid)s may sign from %(start)s to %(end)s; the label "
                                    "is issued %(issued)s", kid=entry.kid.hex(),
                                    start=times.text(entry.valid_from),
                                    end=times.text(entry.valid_to), issued=times.text(issued)))
    return sign1(encode_claims(claims), issuer_key)


def sign1(payload: bytes, issuer_key) -> bytes:
    """The tagged, deterministically encoded COSE_Sign1 of ``payload`` by ``issuer_key``,
    made by pycose (imported here: verifying, the common case, does not need it)."""
    # pycose loads only to sign: verifying, the common case, checks the signature directly
    from pycose import algorithms, headers, keys, messages

    entry = issuer_key.entry
    message = messages.Sign1Message(
        phdr={headers.Algorithm: algorithms.EdDSA, headers.KID: entry.kid}, uhdr={},
        payload=payload)
    message.key = keys.OKPKey(crv=keys.curves.Ed25519, d=issuer_key.private_bytes(),
                              x=entry.public_key)
    # pycose's map order may differ from the deterministic one: encode it canonically
    encoded = cbor2.dumps(cbor2.loads(message.encode(tag=True)), canonical=True)
    _parse_outer(encoded)  # what we emit must be what we accept
    return encoded


def signature_ok(protected: bytes, payload: bytes, signature: bytes, public_key: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of RFC 9052's Sig_structure
    ``["Signature1", protected, h'', payload]`` by ``public_key`` (32 raw bytes). The
    structure is this one array; checking it with cryptography directly keeps verifying
    free of pycose's import."""
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, to_be_signed)
    except (InvalidSignature, ValueError):
        return False
    return True


def _loads_exact(data: bytes):
    """One CBOR item that is all of ``data``: no trailing bytes, no duplicate map keys."""
    stream = io.BytesIO(data)
    item = cbor2.CBORDecoder(stream, allow_duplicate_keys=False).decode()
    if stream.tell() != len(data):
        raise ValueError(f"{len(data) - stream.tell()} byte(s) after the CBOR item")
    return item


def _parse_outer(cose_bytes: bytes):
    """(protected bytes, protected map, payload, signature) or LabelInvalid."""
    if not isinstance(cose_bytes, (bytes, bytearray)):
        raise LabelInvalid("malformed", "a label is bytes")
    cose_bytes = bytes(cose_bytes)
    try:
        outer = _loads_exact(cose_bytes)
    except Exception as exc:  # noqa: BLE001 - hostile input may upset the decoder in any way
        raise LabelInvalid("malformed", f"not CBOR: {exc}") from None
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != COSE_SIGN1_TAG:
        raise LabelInvalid("malformed", "not a tagged COSE_Sign1 (tag 18)")
    parts = outer.value
    if not isinstance(parts, (list, tuple)) or len(parts) != 4:
        raise LabelInvalid("malformed", "COSE_Sign1 is an array of 4")
    protected, unprotected, payload, signature = parts
    if not isinstance(protected, bytes) or not isinstance(payload, bytes) \
            or not isinstance(signature, bytes) or not isinstance(unprotected, Mapping):
        raise LabelInvalid("malformed", "COSE_Sign1 is [bstr, map, bstr, bstr]")
    if unprotected:
        raise LabelInvalid("unprotected-header")
    if cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]),
                   canonical=True) != cose_bytes:
        raise LabelInvalid("malformed", "COSE_Sign1 is not deterministically encoded")
    if len(signature) != 64:
        raise LabelInvalid("malformed", "an Ed25519 signature is 64 bytes")
    try:
        header = _loads_exact(protected)
    except Exception as exc:  # noqa: BLE001
        raise LabelInvalid("malformed", f"protected header is not CBOR: {exc}") from None
    if not isinstance(header, Mapping) or not all(type(k) is int for k in header):
        raise LabelInvalid("malformed", "protected header is not a map with integer labels")
    alg = header.get(HEADER_ALG)
    if type(alg) is not int or alg != ALG_EDDSA:
        raise LabelInvalid("algorithm", f"alg is {alg!r}, not -8 (EdDSA)")
    kid = header.get(HEADER_KID)
    if not isinstance(kid, bytes):
        raise LabelInvalid("malformed", "protected header has no kid (bstr)")
    extra = sorted(map(repr, set(header) - {HEADER_ALG, HEADER_KID}))
    if extra:
        raise LabelInvalid("malformed", f"unexpected protected header parameter(s) "
                                        f"{', '.join(extra)}")
    return protected, header, payload, signature


def _now(now) -> int:
    return times.now() if now is None else times.epoch(now)


def verify(cose_bytes: bytes, trust_list, now=None) -> Verified:
    """Verify a label against a trust list (TrustList, dict or path); ``now`` (datetime,
    RFC 3339 text or epoch seconds) defaults to the clock. Returns Verified(claims, issuer)
    or raises LabelInvalid(reason)."""
    trust = load_trust_list(trust_list)
    protected, header, payload, signature = _parse_outer(cose_bytes)
    entry = trust.get(header[HEADER_KID])
    if entry is None:
        raise LabelInvalid("unknown-issuer",
                           f"key id {header[HEADER_KID].hex()} is not in the trust list")
    if not signature_ok(protected, payload, signature, entry.public_key):
        raise LabelInvalid("bad-signature", f"the signature does not verify with {entry.id}'s "
                                            f"key {entry.kid.hex()}")
    try:  # signed with the issuer's key, so whatever is wrong here is no damaged scan
        claims_map = _loads_exact(payload)
    except Exception as exc:  # noqa: BLE001
        raise LabelInvalid("malformed", f"the payload is not CBOR: {exc}",
                           issuer=entry) from None
    try:
        claims = parse_claims(claims_map, entry.id)
    except LabelInvalid as exc:
        raise LabelInvalid(exc.reason, exc.detail, issuer=entry) from None
    issued = claims_map[NAMES["issued_at"]]
    if not entry.covers(issued):
        raise LabelInvalid("key-window", f"issued {claims['issued_at']}, but key "
                                         f"{entry.kid.hex()} of {entry.id} may sign only from "
                                         f"{times.text(entry.valid_from)} to "
                                         f"{times.text(entry.valid_to)}",
                           claims=claims, issuer=entry)
    moment = _now(now)
    if issued > moment + CLOCK_SKEW:
        raise LabelInvalid("not-yet-valid", f"issued {claims['issued_at']}, after "
                                            f"{times.text(moment)}", claims=claims, issuer=entry)
    if claims_map[NAMES["expires_at"]] < moment:
        raise LabelInvalid("expired", f"expired {claims['expires_at']}",
                           claims=claims, issuer=entry)
    return Verified(claims, entry, bytes(cose_bytes))


def verify_held(cose_bytes: bytes, trust_list, now=None) -> tuple[dict, bool]:
    """(claims, expired) of a label a platform holds (a backup restored, a database copied),
    its signature verified against the trust list as ``verify`` does; a label that has only
    expired since is no fault there. LabelInvalid for every other reason."""
    try:
        return verify(cose_bytes, trust_list, now=now).claims, False
    except LabelInvalid as exc:
        if exc.reason != "expired":
            raise
        return exc.claims, True  # signed by a trusted key in its window; only out of date


def signed_claims(cose_bytes: bytes, issuer_id: str) -> dict:
    """The readable claims of a label this platform holds, without checking the signature
    (the label was verified when it was signed; for display only, never for trust)."""
    _protected, _header, payload, _signature = _parse_outer(cose_bytes)
    return parse_claims(_loads_exact(payload), issuer_id)
