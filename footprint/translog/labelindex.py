"""Where a label's issue leaf is, for a verifier without a server: a sharded index from the
leaf hash to the leaf index, published beside the tiles (docs/static-verification.md).

A label's leaf hash is SHA-256(0x00 || its COSE bytes), which the verifier computes from what
it scanned. The shard is the first SHARD_DIGITS hex digits of that hash
(``label-index/3fa.json``); a shard maps the first KEY_DIGITS hex digits of each leaf hash in
it to the leaf's index. The index is only a hint: the verifier then reads the leaf hash at
that index from the level-0 tile and proves it against the signed checkpoint, so a wrong or
forged index can make a label unfound, never make a label found that the log does not hold.
"""
from __future__ import annotations

import json

SHARD_DIGITS = 3   # 4,096 shards: ~250 labels each at a million, one small file per scan
KEY_DIGITS = 16    # 64 bits: two labels' keys collide with odds of about n^2 / 2^65


def shard_of(leaf: bytes) -> str:
    return leaf.hex()[:SHARD_DIGITS]


def key_of(leaf: bytes) -> str:
    return leaf.hex()[:KEY_DIGITS]


def shard_path(shard: str) -> str:
    return f"label-index/{shard}.json"


def group(leaves) -> dict[str, dict[str, int]]:
    """shard -> {key: leaf index} of (index, leaf hash) pairs."""
    shards: dict[str, dict[str, int]] = {}
    for index, leaf in leaves:
        shards.setdefault(shard_of(leaf), {})[key_of(leaf)] = index
    return shards


def merged(existing: bytes | None, added: dict[str, int]) -> bytes:
    """A shard's bytes with ``added`` merged into what it held (keys sorted, so a shard's
    bytes depend only on what it holds)."""
    held = json.loads(existing) if existing else {}
    held.update(added)
    return json.dumps(dict(sorted(held.items())), separators=(",", ":")).encode("ascii")
