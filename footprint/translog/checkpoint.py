"""Checkpoints: C2SP signed notes (https://c2sp.org/signed-note) whose text is a
tlog-checkpoint (https://c2sp.org/tlog-checkpoint)::

    <origin>\\n<tree size>\\n<base64 root>\\n
    \\n
    — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>\\n

The signature covers the note text (through its final newline, not the blank line). The key
ID is SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]. A verifier ignores
signature lines of other keys (same name but another key ID, or another name), fails the note
if the known key's signature does not verify, and fails it if no line is by the known key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from footprint.errors import FootprintError, Message

from .merkle import HASH_SIZE

ED25519 = 0x01  # the signed-note signature type of Ed25519
DASH = "\u2014 "  # em dash and a space start every signature line
MAX_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20
_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
# said to a reader of a note at two places each
TOO_LARGE = Message("the note is too large")
CONTROL_CHARACTERS = Message("a note contains no control characters other than newline")


class CheckpointError(FootprintError):
    """A checkpoint or note that is malformed, unsigned by the expected key, or forged."""


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    text: str  # the signed note text
    signatures: tuple[NoteSignature, ...]


# -- keys ------------------------------------------------------------------------------------

def raw_public_key(public_key) -> bytes:
    if isinstance(public_key, Ed25519PrivateKey):
        public_key = public_key.public_key()
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if isinstance(public_key, (bytes, bytearray)) and len(public_key) == 32:
        return bytes(public_key)
    raise CheckpointError("an Ed25519 public key (a cryptography object or 32 raw bytes) "
                          "is required")


def check_key_name(name: str) -> str:
    if not isinstance(name, str) or not name or "+" in name \
            or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise CheckpointError(Message("key name %(name)s must be non-empty, without spaces or "
                                      "'+'", name=repr(name)))
    return name


def key_id(name: str, public_key) -> bytes:
    """The 4-byte signed-note key ID of an Ed25519 key."""
    return hashlib.sha256(check_key_name(name).encode("utf-8") + b"\n" + bytes([ED25519])
                          + raw_public_key(public_key)).digest()[:4]


def verifier_key(name: str, public_key) -> str:
    """The text form Go's sumdb/note and other tools take: ``name+hex(key ID)+base64(0x01 ||
    public key)``."""
    return (f"{check_key_name(name)}+{key_id(name, public_key).hex()}+"
            f"{base64.b64encode(bytes([ED25519]) + raw_public_key(public_key)).decode()}")


# -- notes -----------------------------------------------------------------------------------

def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.endswith("\n"):
        raise CheckpointError("a note text ends with a newline")
    if _CONTROL.search(text):
        raise CheckpointError("a note contains no control characters other than newline")


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign ``text`` with ``private_key`` under key ``name``: a one-signature note."""
    _check_text(text)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise CheckpointError("an Ed25519PrivateKey is required to sign")
    signature = private_key.sign(text.encode("utf-8"))
    blob = base64.b64encode(key_id(name, private_key) + signature).decode("ascii")
    return f"{text}\n{DASH}{name} {blob}\n"


def _b64(value: str, what: Message) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError(Message("%(what)s is not base64", what=what)) from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise CheckpointError(Message("%(what)s is not canonical base64", what=what))
    return raw


def parse_note(note) -> tuple[str, tuple[NoteSignature, ...]]:
    """Split a signed note into its text and its signature lines, checking the syntax only."""
    if isinstance(note, (bytes, bytearray)):
        if len(note) > MAX_NOTE_BYTES:
            raise CheckpointError(TOO_LARGE)
        try:
            note = bytes(note).decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError(Message("a note is UTF-8")) from None
    if not isinstance(note, str):
        raise CheckpointError(Message("a note is text"))
    if len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise CheckpointError(TOO_LARGE)
    if _CONTROL.search(note):
        raise CheckpointError(CONTROL_CHARACTERS)
    if not note.endswith("\n"):
        raise CheckpointError(Message("a note ends with a newline"))
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError(Message("no blank line before the signatures: the note is not "
                                      "signed"))
    text, lines = note[:split + 1], note[split + 2:]
    if not lines:
        raise CheckpointError(Message("the note has no signature lines"))
    signatures = []
    for line in lines[:-1].split("\n"):
        if not line.startswith(DASH):
            raise CheckpointError(Message("malformed signature line %(line)s: it starts with "
                                          "an em dash and a space", line=repr(line[:40])))
        name, space, blob = line[len(DASH):].partition(" ")
        if not space or " " in blob:
            raise CheckpointError(Message("malformed signature line %(line)s: '— <name> "
                                          "<base64>' expected", line=repr(line[:40])))
        check_key_name(name)
        raw = _b64(blob, Message("the signature of %(name)s", name=name))
        if len(raw) < 5:
            raise CheckpointError(Message("the signature of %(name)s is too short", name=name))
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
        if len(signatures) > MAX_SIGNATURES:
            raise CheckpointError(Message("more than %(most)s signatures",
                                          most=MAX_SIGNATURES))
    return text, tuple(signatures)


def open_note(note, name: str, public_key) -> str:
    """Verify ``note`` against one known key and return its text. Lines by other keys are
    ignored; a line by this key that does not verify rejects the note."""
    text, signatures = parse_note(note)
    public = raw_public_key(public_key)
    expected = key_id(name, public)
    mine = [s for s in signatures if s.name == name and s.key_id == expected]
    if not mine:
        same_name = [s.key_id.hex() for s in signatures if s.name == name]
        if same_name:
            raise CheckpointError(Message(
                "unknown key: the note is signed by %(name)s with key ID %(found)s, the known "
                "key of %(name)s has key ID %(expected)s", name=name,
                found=", ".join(same_name), expected=expected.hex()))
        names = ", ".join(sorted({s.name for s in signatures}))
        raise CheckpointError(Message("the note is not signed by %(name)s (signed by: "
                                      "%(names)s)", name=name, names=names))
    verifier = Ed25519PublicKey.from_public_bytes(public)
    for signature in mine:
        try:
            verifier.verify(signature.signature, text.encode("utf-8"))
        except InvalidSignature:
            raise CheckpointError(Message("the signature by %(name)s does not verify: the "
                                          "note was altered or forged", name=name)) from None
    return text


# -- checkpoints -----------------------------------------------------------------------------

def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    """The note text of a checkpoint (no extension lines)."""
    if not isinstance(origin, str) or not origin or "\n" in origin or _CONTROL.search(origin):
        raise CheckpointError(f"origin {origin!r} must be one non-empty line")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointError(f"tree size {size!r} must be a non-negative integer")
    if not isinstance(root, (bytes, bytearray)) or len(root) != HASH_SIZE:
        raise CheckpointError(f"the root must be a {HASH_SIZE}-byte hash")
    return f"{origin}\n{size}\n{base64.b64encode(bytes(root)).decode('ascii')}\n"


def parse_checkpoint_text(text: str) -> tuple[str, int, bytes, tuple[str, ...]]:
    """origin, size, root and extension lines of a checkpoint's note text."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError(Message("a checkpoint has at least three lines: origin, size, "
                                      "root"))
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise CheckpointError(Message("the checkpoint's origin line is empty"))
    if not _SIZE.fullmatch(size):
        raise CheckpointError(Message("tree size %(size)s is not a decimal number without "
                                      "leading zeros", size=repr(size)))
    raw = _b64(root, Message("the checkpoint's root"))
    if len(raw) != HASH_SIZE:
        raise CheckpointError(Message("the checkpoint's root is %(found)s bytes, not "
                                      "%(expected)s", found=len(raw), expected=HASH_SIZE))
    if any(not line for line in extensions):
        raise CheckpointError(Message("a checkpoint's extension lines are non-empty"))
    return origin, int(size), raw, tuple(extensions)


def parse_checkpoint(note) -> Checkpoint:
    """Parse a signed checkpoint without verifying any signature."""
    text, signatures = parse_note(note)
    origin, size, root, extensions = parse_checkpoint_text(text)
    return Checkpoint(origin, size, root, extensions, text, signatures)


def sign_checkpoint(origin: str, size: int, root: bytes, name: str,
                    private_key: Ed25519PrivateKey) -> str:
    """The signed checkpoint for a tree of ``size`` leaves with ``root``. The key name should
    be the origin (tlog-checkpoint recommends it)."""
    return sign_note(checkpoint_text(origin, size, root), name, private_key)


def verify_checkpoint(note, name: str, public_key, origin: str | None = None
                      ) -> tuple[int, bytes]:
    """(size, root) of a checkpoint signed by key ``name``/``public_key``; raises
    CheckpointError if it is malformed, not signed by that key, forged, or (when ``origin``
    is given) from another log."""
    checkpoint = parse_checkpoint(note)
    open_note(note, name, public_key)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(Message("the checkpoint is from log %(found)s, not %(origin)s",
                                      found=repr(checkpoint.origin), origin=repr(origin)))
    return checkpoint.size, checkpoint.root
