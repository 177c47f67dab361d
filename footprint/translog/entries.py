"""The bytes of log entries: what each kind of leaf holds.

- ``issue``: the label's COSE_Sign1 bytes, exactly as encoded in the QR (the caller passes them).
- ``supersede``: ``{"type": "supersede", "label": OLD_ID, "by": NEW_ID, "at": TIME}``
- ``revoke``: ``{"type": "revoke", "label": LABEL_ID, "reason": PUBLIC_REASON, "at": TIME}``
- ``record``: ``{"type": "record", "of": WHAT, "id": ID, "sha256": HEX, "at": TIME}``: a
  decision that is not a label (WHAT is one of RECORDS, e.g. a loan pricing), filed under no
  label; HEX is the SHA-256 of the signed document that states it, so whoever holds the
  document can prove it was logged and not changed since.

The last two are CBOR maps in deterministic encoding (RFC 8949 section 4.2.1: definite lengths,
shortest forms, keys sorted bytewise), all values text strings, TIME an RFC 3339 UTC instant
to the second (``2025-03-01T08:00:00Z``). docs/transparency-log.md is the reference.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from datetime import datetime, timezone

import cbor2

from footprint.errors import FootprintError, Message

KINDS = ("issue", "supersede", "revoke", "record")
FIELDS = {"supersede": ("type", "label", "by", "at"),
          "revoke": ("type", "label", "reason", "at"),
          "record": ("type", "of", "id", "sha256", "at")}
# what a record leaf may record: one word per kind of decision, added with the feature
RECORDS = ("loan-pricing", "grade-bands", "finding")
COSE_SIGN1_TAG = 18


class EntryError(FootprintError):
    """Entry bytes that are not a well-formed entry of their kind."""


def format_time(at) -> str:
    """An aware datetime or an ISO 8601 string with an offset -> ``YYYY-MM-DDTHH:MM:SSZ``."""
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            raise EntryError(Message("not an ISO 8601 time: %(at)s", at=repr(at))) from None
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise EntryError(Message("a time with a UTC offset is required, not %(at)s",
                                 at=repr(at)))
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EntryError(f"{what} must be a non-empty string")
    return value


def _encode(fields: dict) -> bytes:
    return cbor2.dumps(fields, canonical=True)


def supersede_entry(old_id: str, new_id: str, at) -> bytes:
    """The entry recording that label ``old_id`` is replaced by label ``new_id``."""
    if _text(old_id, "the superseded label id") == _text(new_id, "the new label id"):
        raise EntryError("a label cannot supersede itself")
    return _encode({"type": "supersede", "label": old_id, "by": new_id, "at": format_time(at)})


def revoke_entry(label_id: str, reason: str, at) -> bytes:
    """The entry recording that ``label_id`` is revoked, with the public reason."""
    return _encode({"type": "revoke", "label": _text(label_id, "the label id"),
                    "reason": _text(reason, "the revocation reason"), "at": format_time(at)})


def record_entry(of: str, record_id: str, document: bytes, at) -> bytes:
    """The entry recording decision ``record_id`` of kind ``of``, stated by the signed
    ``document`` (its exact bytes are hashed)."""
    if of not in RECORDS:
        raise EntryError(f"unknown record {of!r}; records are {', '.join(RECORDS)}")
    if not isinstance(document, (bytes, bytearray)) or not document:
        raise EntryError("a record is logged with the bytes of its signed document")
    return _encode({"type": "record", "of": of, "id": _text(record_id, "the record id"),
                    "sha256": hashlib.sha256(bytes(document)).hexdigest(),
                    "at": format_time(at)})


def _decode_one(entry: bytes):
    stream = io.BytesIO(bytes(entry))
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:  # noqa: BLE001 - cbor2 raises several types for bad input
        raise EntryError(Message("not CBOR: %(reason)s", reason=str(exc))) from None
    if stream.tell() != len(entry):
        raise EntryError(Message("%(count)s bytes after the CBOR item",
                                 count=len(entry) - stream.tell()))
    return value


def _check_cose_sign1(value) -> None:
    """The shape of RFC 9052 COSE_Sign1 (tagged 18 or not); the signature is checked by the
    label verifier, not here."""
    if isinstance(value, cbor2.CBORTag):
        if value.tag != COSE_SIGN1_TAG:
            raise EntryError(Message("CBOR tag %(tag)s, not COSE_Sign1 (%(expected)s)",
                                     tag=value.tag, expected=COSE_SIGN1_TAG))
        value = value.value
    # cbor2 may decode arrays as tuples and maps as its frozendict: check shapes, not classes
    if not (isinstance(value, (list, tuple)) and len(value) == 4
            and isinstance(value[0], bytes) and isinstance(value[1], Mapping)
            and (value[2] is None or isinstance(value[2], bytes))
            and isinstance(value[3], bytes)):
        raise EntryError(Message("not a COSE_Sign1 structure [protected, unprotected, "
                                 "payload, signature]"))


def decode_entry(kind: str, entry: bytes) -> dict:
    """Check that ``entry`` is a well-formed entry of ``kind`` and return its fields (for
    ``issue``: ``{"type": "issue"}``; the label format owns the rest)."""
    if kind not in KINDS:
        raise EntryError(f"unknown entry kind {kind!r}; kinds are {', '.join(KINDS)}")
    if not isinstance(entry, (bytes, bytearray)) or not entry:
        raise EntryError(Message("an entry is non-empty bytes"))
    value = _decode_one(entry)
    if kind == "issue":
        _check_cose_sign1(value)
        return {"type": "issue"}
    if not isinstance(value, dict) or set(value) != set(FIELDS[kind]):
        raise EntryError(Message("a %(kind)s entry is a map of exactly %(fields)s", kind=kind,
                                 fields=", ".join(FIELDS[kind])))
    if not all(isinstance(v, str) and v for v in value.values()):
        raise EntryError(Message("the fields of a %(kind)s entry are non-empty text",
                                 kind=kind))
    if value["type"] != kind:
        raise EntryError(Message("a %(type)s entry stored as %(kind)s",
                                 type=repr(value["type"]), kind=repr(kind)))
    if format_time(value["at"].replace("Z", "+00:00")) != value["at"]:
        raise EntryError(Message("time %(at)s is not in the form YYYY-MM-DDTHH:MM:SSZ",
                                 at=repr(value["at"])))
    if kind == "record" and value["of"] not in RECORDS:
        raise EntryError(Message("unknown record %(of)s", of=repr(value["of"])))
    if kind == "record" and not _is_sha256_hex(value["sha256"]):
        raise EntryError(Message("a record's sha256 is 64 lower-case hex digits"))
    if _encode(value) != bytes(entry):
        raise EntryError(Message("the %(kind)s entry is not in deterministic CBOR encoding",
                                 kind=kind))
    return dict(value)


def _is_sha256_hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def entry_label(kind: str, entry: bytes) -> str | None:
    """The label id a supersede or revoke entry names (None for issue and record entries)."""
    return None if kind in ("issue", "record") else decode_entry(kind, entry)["label"]
