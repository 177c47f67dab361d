"""The label status list a static host publishes: two bits per leaf of the log, by leaf index.

A label is found by the index of its issue leaf; the two bits there say what later leaves
recorded about it (docs/static-verification.md)::

    bit 0x1  superseded (a supersede leaf names the label)
    bit 0x2  revoked    (a revoke leaf names the label; revocation says most)

Leaf ``i`` is byte ``i // 4``, bits from the most significant end: its value is
``(byte >> (6 - 2 * (i % 4))) & 3`` (W3C Bitstring Status List reads bits in the same order).
Bytes past the last leaf are zero. The list is gzip-compressed and base64-encoded, and the
platform signs it, with the tree size and root it describes, as a ``label-status-list``
document (footprint.labels.documents): a browser checks it with the trust list alone.
"""
from __future__ import annotations

import base64
import gzip

KIND = "label-status-list"
SUPERSEDED = 0x1
REVOKED = 0x2
BITS = 2
CODES = {"supersede": SUPERSEDED, "revoke": REVOKED}


def encode(size: int, changes) -> str:
    """The gzip+base64 list for a log of ``size`` leaves; ``changes`` are (kind, issue leaf
    index) pairs, kind "supersede" or "revoke"; indices outside the log are ignored."""
    bits = bytearray((size * BITS + 7) // 8)
    for kind, index in changes:
        if index is not None and 0 <= index < size:
            bits[index // 4] |= CODES[kind] << (6 - 2 * (index % 4))
    # mtime 0: the same states give the same bytes, whenever they are published
    return base64.b64encode(gzip.compress(bytes(bits), mtime=0)).decode("ascii")


def state_at(encoded: str, index: int) -> int:
    """The two bits of leaf ``index`` in an encoded list (0 past its end)."""
    bits = gzip.decompress(base64.b64decode(encoded))
    if not 0 <= index < len(bits) * 4:
        return 0
    return (bits[index // 4] >> (6 - 2 * (index % 4))) & 3
