"""What this platform publishes for its peers beside its trust list (docs/peers.md):

- its witness key (``/.well-known/footprint/witness.json``), made on first use;
- its cosignatures of each peer's newest accepted checkpoint
  (``/.well-known/footprint/witness/cosignatures/<origin>``): the peer's checkpoint note with
  our cosignature/v1 line appended;
- the announcement of its own trust-list entries
  (``/.well-known/footprint/trust-list.note``): a signed note naming the SHA-256 of the
  entries, signed by every key of the platform's issuer it still holds, rotated ones too, so
  a peer that pinned an older key accepts a rotated list.
"""
from __future__ import annotations

import base64
import hashlib
import json

from ..errors import Message, NotFound
from ..labels.keys import held_keys, own_entries, own_issuers
from ..settings import witness_name
from ..store import peers as stored
from ..translog.checkpoint import sign_note
from ..translog.witness import WitnessKey, witness_key

ANNOUNCEMENT = "footprint trust list v1"


def own_witness(home) -> WitnessKey:
    """The platform's witness key (made now if it has none)."""
    issuers = own_issuers(home)
    return witness_key(home, witness_name() or f"{issuers[0] if issuers else 'footprint'}"
                                               f"/witness")


def published_witness(home) -> dict:
    return own_witness(home).published()


def cosigned(db, origin: str) -> str:
    """The newest checkpoint of the peer whose log is ``origin``, with our cosignature."""
    row = stored.latest_cosigned(db, origin)
    if row is None:
        raise NotFound(Message("this platform has cosigned no checkpoint of %(origin)s",
                               origin=origin))
    return row["checkpoint"] + row["cosignature"]


def entries_digest(entries: list[dict]) -> str:
    """base64 SHA-256 of an issuer's trust-list entries as canonical JSON (sorted by kid,
    keys sorted, no spaces, UTF-8): what an announcement signs."""
    ordered = sorted(entries, key=lambda e: e["kid"])
    canonical = json.dumps(ordered, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(hashlib.sha256(canonical.encode("utf-8")).digest()).decode()


def announcement_text(origin: str, entries: list[dict]) -> str:
    return f"{ANNOUNCEMENT}\norigin {origin}\n{entries_digest(entries)}\n"


def trust_list_note(home) -> str:
    """The announcement of this platform's issuer keys, signed by each key it holds."""
    issuers = own_issuers(home)
    if not issuers:
        raise NotFound(Message("this platform has no issuer key"))
    origin = issuers[0]  # the checkpoint's key name (keys.checkpoint_signer)
    entries = own_entries(home, origin)
    text = announcement_text(origin, [e.as_dict() for e in entries])
    # each one-signature note is the text, the blank line and its line: keep the lines
    lines = [sign_note(text, origin, key.private_key)[len(text) + 1:]
             for key in held_keys(home, origin)]
    if not lines:
        raise NotFound(Message("no private key of this platform's issuer is at hand"))
    return text + "\n" + "".join(lines)
