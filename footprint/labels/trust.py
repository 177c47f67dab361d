"""The trust list: which issuer keys this platform recognises, and when each may sign.

Published at /.well-known/footprint/trust-list.json::

    {"issuers": [{"id": "CN-SC", "name": "...", "region": "CN-SC",
                  "kid": "<base64 of 8 bytes>", "public_key": "<base64 of 32 bytes>",
                  "valid_from": "2026-01-01T00:00:00Z", "valid_to": "2031-01-01T00:00:00Z"}]}

One entry per key: an issuer that rotated its key appears once per key. ``kid`` is the first
8 bytes of SHA-256 of the raw 32-byte Ed25519 public key; a list whose kid does not match
its key is refused.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from footprint.errors import InvalidInput, Problem

from . import times
from .jsonfile import read_json
from .claims import ISSUER_ID

KID_BYTES = 8
FIELDS = ("id", "name", "region", "kid", "public_key", "valid_from", "valid_to")


def kid_of(public_key: bytes) -> bytes:
    """Key id: the first 8 bytes of SHA-256 of the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(bytes(public_key)).digest()[:KID_BYTES]


# Ed25519 (RFC 8032 section 5.1): the curve -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)
_P = 2 ** 255 - 19
_D = -121665 * pow(121666, -1, _P) % _P


def _edwards_add(a, b):
    (x1, y1), (x2, y2) = a, b
    t = _D * x1 * x2 * y1 * y2 % _P
    return ((x1 * y2 + y1 * x2) * pow(1 + t, -1, _P) % _P,
            (y1 * y2 + x1 * x2) * pow(1 - t, -1, _P) % _P)


def usable_public_key(raw: bytes) -> bool:
    """True if ``raw`` is the canonical encoding of a curve point of large order: the checks
    RFC 8032 section 5.1.3 makes when decoding, plus refusing the 8 small-order points (a
    "key" any signature might verify against). OpenSSL loads any 32 bytes as a key."""
    if len(raw) != 32:
        return False
    value = int.from_bytes(raw, "little")
    sign, y = value >> 255, value & ((1 << 255) - 1)
    if y >= _P:
        return False
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if v * x * x % _P == (-u) % _P:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    if v * x * x % _P != u:
        return False  # no square root: not on the curve
    if x == 0 and sign:
        return False
    if x & 1 != sign:
        x = _P - x
    point = (x, y)
    for _ in range(3):  # 8P is the identity exactly when P has small order
        point = _edwards_add(point, point)
    return point != (0, 1)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class TrustEntry:
    """One issuer key: who, which key, and the window in which it may sign labels."""

    id: str
    name: str
    region: str
    kid: bytes
    public_key: bytes          # raw 32 bytes
    valid_from: int            # seconds since the epoch, inclusive
    valid_to: int              # inclusive

    def covers(self, moment: int) -> bool:
        return self.valid_from <= moment <= self.valid_to

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "region": self.region, "kid": b64(self.kid),
                "public_key": b64(self.public_key), "valid_from": times.text(self.valid_from),
                "valid_to": times.text(self.valid_to)}

    def verifying_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)


class TrustList:
    """Trust entries by kid (each kid at most once)."""

    def __init__(self, entries=()):
        self.entries: list[TrustEntry] = []
        self._by_kid: dict[bytes, TrustEntry] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: TrustEntry) -> None:
        if entry.kid in self._by_kid:
            raise ValueError(f"kid {entry.kid.hex()} is listed twice")
        self._by_kid[entry.kid] = entry
        self.entries.append(entry)

    def get(self, kid: bytes) -> TrustEntry | None:
        return self._by_kid.get(bytes(kid))

    def __contains__(self, kid) -> bool:
        return bytes(kid) in self._by_kid

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def issuers(self) -> list[str]:
        return sorted({e.id for e in self.entries})

    def to_dict(self) -> dict:
        return {"issuers": [e.as_dict() for e in self.entries]}


def _decode_b64(text, size: int, where: str, problems: list) -> bytes | None:
    if not isinstance(text, str):
        problems.append(Problem(where, "must be base64 text"))
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        problems.append(Problem(where, "is not base64"))
        return None
    if len(raw) != size:
        problems.append(Problem(where, f"is {len(raw)} bytes, must be {size}"))
        return None
    return raw


def parse_entry(item, where: str, problems: list) -> TrustEntry | None:
    """One trust-list entry, every problem with it appended to ``problems``."""
    if not isinstance(item, dict):
        problems.append(Problem(where, "must be an object"))
        return None
    before = len(problems)
    missing = [f for f in FIELDS if f not in item]
    if missing:
        problems.append(Problem(where, f"missing {', '.join(missing)}"))
        return None
    for field in ("id", "name", "region"):
        if not isinstance(item[field], str) or not item[field].strip():
            problems.append(Problem(f"{where}.{field}", "must be non-empty text"))
    if isinstance(item["id"], str) and not ISSUER_ID.fullmatch(item["id"]):
        problems.append(Problem(f"{where}.id", "letters, digits, '.', '_' or '-' (at most 32)"))
    kid = _decode_b64(item["kid"], KID_BYTES, f"{where}.kid", problems)
    public_key = _decode_b64(item["public_key"], 32, f"{where}.public_key", problems)
    if public_key is not None and not usable_public_key(public_key):
        problems.append(Problem(f"{where}.public_key", "is not an Ed25519 public key (not a "
                                                       "curve point, or one of small order)"))
        public_key = None
    if kid is not None and public_key is not None and kid != kid_of(public_key):
        problems.append(Problem(f"{where}.kid", "is not the first 8 bytes of SHA-256 of the "
                                                "public key"))
    window = {}
    for field in ("valid_from", "valid_to"):
        try:
            window[field] = times.epoch(times.parse(item[field]))
        except (TypeError, ValueError):
            problems.append(Problem(f"{where}.{field}", "must be an RFC 3339 time with a time "
                                                        "zone, e.g. 2026-01-01T00:00:00Z"))
    if len(window) == 2 and window["valid_to"] < window["valid_from"]:
        problems.append(Problem(f"{where}.valid_to", "is before valid_from"))
    if len(problems) > before:
        return None
    return TrustEntry(item["id"], item["name"], item["region"], kid, public_key,
                      window["valid_from"], window["valid_to"])


def parse_trust_list(data, source: str = "trust list") -> TrustList:
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
        raise InvalidInput([Problem("issuers", 'expected {"issuers": [...]}')], source=source)
    entries = [parse_entry(item, f"issuers[{i}]", problems)
               for i, item in enumerate(data["issuers"])]
    trust = TrustList()
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        if entry.kid in trust:
            problems.append(Problem(f"issuers[{i}].kid", "is listed twice"))
            continue
        trust.add(entry)
    if problems:
        raise InvalidInput(problems, source=source)
    return trust


def load_trust_list(source) -> TrustList:
    """A TrustList from a TrustList, a dict in the published format, or a JSON file.
    Malformed lists raise InvalidInput naming every problem (issuers[2].public_key ...)."""
    if isinstance(source, TrustList):
        return source
    if isinstance(source, dict):
        return parse_trust_list(source)
    path = Path(source)
    data = read_json(path, "trust list")
    return parse_trust_list(data, source=str(path))
