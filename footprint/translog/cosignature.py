"""Witness cosignatures of checkpoints: C2SP tlog-cosignature, cosignature/v1 with Ed25519
(https://c2sp.org/tlog-cosignature).

A cosignature is a signed-note signature line added to a checkpoint::

    — <witness name> base64(key ID || timestamp || signature)

- key ID: SHA-256(<witness name> || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]
  (0x04 is the cosignature/v1 signature type; a log's own key uses 0x01);
- timestamp: 8 bytes, big-endian, the POSIX seconds at which the witness cosigned;
- signature: Ed25519 over ``cosignature/v1\\ntime <timestamp>\\n`` followed by the
  checkpoint's note text (its lines through the final newline, no signature lines).

It states: as of that time, this is the largest consistent tree the witness has seen of the
log named by the origin line.
"""
from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from footprint.errors import Message

from .checkpoint import DASH, CheckpointError, check_key_name, parse_note, raw_public_key

COSIGNATURE_V1 = 0x04  # the signature type of an Ed25519 cosignature/v1
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2 ** 63 - 1


@dataclass(frozen=True)
class Cosignature:
    name: str
    timestamp: int
    line: str  # the signature line, "— name base64\n"


def witness_key_id(name: str, public_key) -> bytes:
    return hashlib.sha256(check_key_name(name).encode("utf-8") + b"\n"
                          + bytes([COSIGNATURE_V1]) + raw_public_key(public_key)).digest()[:4]


def witness_vkey(name: str, public_key) -> str:
    """The verifier key text (c2sp.org/signed-note): name+hex(key ID)+base64(0x04 || key)."""
    return (f"{check_key_name(name)}+{witness_key_id(name, public_key).hex()}+"
            f"{base64.b64encode(bytes([COSIGNATURE_V1]) + raw_public_key(public_key)).decode()}")


def signed_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header, the time line, the checkpoint's note text."""
    return f"{HEADER}time {timestamp}\n{text}".encode("utf-8")


def cosign(checkpoint_note: str, name: str, private_key: Ed25519PrivateKey,
           timestamp: int) -> Cosignature:
    """Our cosignature line of a (verified) checkpoint note."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) \
            or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CheckpointError("a cosignature's timestamp is a POSIX time of at most 2^63 - 1")
    text, _ = parse_note(checkpoint_note)
    signature = private_key.sign(signed_message(text, timestamp))
    blob = witness_key_id(name, private_key) + struct.pack(">Q", timestamp) + signature
    return Cosignature(name, timestamp,
                       f"{DASH}{check_key_name(name)} {base64.b64encode(blob).decode()}\n")


def add_cosignature(checkpoint_note: str, cosignature: Cosignature) -> str:
    """The checkpoint note with the cosignature line appended after its signatures."""
    parse_note(checkpoint_note)
    return checkpoint_note + cosignature.line


def verify_cosignature(note: str, name: str, public_key) -> int:
    """The timestamp of the witness's cosignature/v1 in ``note`` (a checkpoint carrying it);
    CheckpointError if no line is by that witness key or one does not verify."""
    text, signatures = parse_note(note)
    expected = witness_key_id(name, public_key)
    mine = [s for s in signatures if s.name == name and s.key_id == expected]
    if not mine:
        names = ", ".join(sorted({s.name for s in signatures}))
        raise CheckpointError(Message("the checkpoint carries no cosignature by witness "
                                      "%(name)s (signed by: %(names)s)", name=name,
                                      names=names))
    verifier = Ed25519PublicKey.from_public_bytes(raw_public_key(public_key))
    timestamps = []
    for signature in mine:
        if len(signature.signature) != 8 + 64:
            raise CheckpointError(Message("the cosignature by %(name)s is not 8 + 64 bytes",
                                          name=name))
        timestamp = struct.unpack(">Q", signature.signature[:8])[0]
        if timestamp > MAX_TIMESTAMP:
            raise CheckpointError(Message("the cosignature by %(name)s has a timestamp above "
                                          "2^63 - 1", name=name))
        try:
            verifier.verify(signature.signature[8:], signed_message(text, timestamp))
        except InvalidSignature:
            raise CheckpointError(Message("the cosignature by %(name)s does not verify: the "
                                          "checkpoint was altered or the cosignature forged",
                                          name=name)) from None
        timestamps.append(timestamp)
    return max(timestamps)
