"""Text forms of a label: RFC 4648 base32 and the URL a QR code holds.

``HTTPS://<HOST>/L/<B32>`` is all uppercase so that QR alphanumeric mode (0-9 A-Z space
$ % * + - . / :) packs it at 5.5 bits a character; any phone camera still opens it, since
scheme and host are case-insensitive and the server accepts either case of the path.
"""
from __future__ import annotations

import base64
import re

from .errors import LabelInvalid

_B32 = re.compile(r"[A-Z2-7]+")
_HOST = re.compile(r"[A-Z0-9]([A-Z0-9.-]*[A-Z0-9])?(:[0-9]{1,5})?")
_URL = re.compile(r"HTTPS?://([^/\s]+)((?:/[^/\s]+)*?)/L/([A-Za-z2-7]+)/?", re.IGNORECASE)


def to_b32(data: bytes) -> str:
    """RFC 4648 base32, uppercase, without '=' padding."""
    return base64.b32encode(bytes(data)).decode("ascii").rstrip("=")


def from_b32(text: str) -> bytes:
    """Inverse of to_b32; lowercase is accepted. Raises LabelInvalid("malformed") for other
    characters, padding, an impossible length or non-zero trailing bits, so each byte
    string has exactly one text form (up to case)."""
    if not isinstance(text, str):
        raise LabelInvalid("malformed", "base32 text expected")
    upper = text.upper()
    if not _B32.fullmatch(upper):
        raise LabelInvalid("malformed", "not base32 (A-Z and 2-7, no padding)")
    if len(upper) % 8 in (1, 3, 6):
        raise LabelInvalid("malformed", f"{len(upper)} is not a possible length of base32")
    data = base64.b32decode(upper + "=" * (-len(upper) % 8))
    if to_b32(data) != upper:
        raise LabelInvalid("malformed", "base32 with non-zero trailing bits")
    return data


def normal_host(host: str) -> str:
    """The host part of a label URL, uppercased: a name or address with an optional port."""
    upper = (host or "").strip().upper()
    for prefix in ("HTTPS://", "HTTP://"):
        if upper.startswith(prefix):
            upper = upper[len(prefix):]
    upper = upper.rstrip("/")
    if not _HOST.fullmatch(upper):
        raise ValueError(f"{host!r} is not a host name (e.g. footprint.example.cn[:port])")
    return upper


def label_url(host: str, cose_bytes: bytes) -> str:
    """HTTPS://<HOST>/L/<B32>, all uppercase."""
    return f"HTTPS://{normal_host(host)}/L/{to_b32(cose_bytes)}"


def extract(text: str) -> bytes:
    """The COSE_Sign1 bytes in a label URL (either case, http or https, any host, the label
    path last) or in bare base32 text. Raises LabelInvalid("malformed") otherwise."""
    if not isinstance(text, str):
        raise LabelInvalid("malformed", "text expected")
    text = text.strip()
    match = _URL.fullmatch(text)
    if match:
        return from_b32(match.group(3))
    if re.fullmatch(r"[A-Za-z2-7]+", text):
        return from_b32(text)
    raise LabelInvalid("malformed", "not a label URL (HTTPS://<host>/L/<base32>) or base32 text")
