"""The transparency log over its stored leaves (footprint.store.log).

A leaf is an entry's bytes with ``leaf_hash`` = SHA-256(0x00 || entry), at an index from 0
without gaps. ``append`` runs inside the caller's transaction and never commits, so a label
and its leaf are written together or not at all.

Every proof is computed from all stored leaf hashes (O(n) per call, fine for tens of
thousands of entries); docs/transparency-log.md says what changes at millions.
"""
from __future__ import annotations

import base64

from ..errors import FootprintError, InvalidInput, Message, NotFound, Problem
from ..store import log as stored
from ..store.db import in_transaction
from . import merkle
from .entries import KINDS, decode_entry, entry_label


class LogError(FootprintError):
    """The stored log is not a well-formed append-only sequence (gaps, bad leaf hashes)."""


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class TransparencyLog:
    """The platform's append-only log of label issuances, supersessions and revocations."""

    def __init__(self, db):
        self.db = db

    # -- writing -----------------------------------------------------------------------------

    def append(self, kind: str, label_id: str | None, entry: bytes,
               at: str | None = None) -> int:
        """Add a leaf and return its index. Call inside ``transaction(db)``: this takes no
        transaction of its own and never commits; rolling back the caller's transaction
        removes the leaf. The entry must be well-formed for its kind (see entries.py) and a
        supersede or revoke entry must name ``label_id``; a record is filed under no label
        (``label_id`` None)."""
        if not in_transaction(self.db):
            raise LogError("TransparencyLog.append must run inside the caller's "
                           "transaction(db), so the leaf commits with the label it records")
        if kind not in KINDS:
            raise LogError(f"unknown entry kind {kind!r}; kinds are {', '.join(KINDS)}")
        entry = bytes(entry)
        decode_entry(kind, entry)
        named = entry_label(kind, entry)
        if named is not None and named != label_id:
            raise LogError(f"the {kind} entry names label {named!r}, not {label_id!r}")
        if (kind == "record") != (label_id is None):
            raise LogError("a record is filed under no label, every other entry under one")
        index = self.size()  # the caller's write transaction holds the lock: no race
        stored.insert_leaf(self.db, index, kind, label_id, entry, merkle.leaf_hash(entry), at)
        return index

    # -- reading -----------------------------------------------------------------------------

    def size(self) -> int:
        return stored.size(self.db)

    def _tree_size(self, size: int | None) -> int:
        current = self.size()
        if size is None:
            return current
        if isinstance(size, bool) or not isinstance(size, int) or size < 0 or size > current:
            raise InvalidInput([Problem("tree_size", Message(
                "must be between 0 and the log's size %(size)s, not %(given)s", size=current,
                given=size))])
        return size

    def leaf_hashes(self, size: int | None = None) -> list[bytes]:
        """The stored leaf hashes of the first ``size`` leaves (all by default), checking
        that the indices run from 0 without gaps."""
        size = self._tree_size(size)
        hashes = []
        for position, (idx, leaf) in enumerate(stored.leaf_hashes(self.db, size)):
            if idx != position:
                raise LogError(f"the log has a gap: leaf {position} is missing")
            hashes.append(leaf)
        if len(hashes) != size:
            raise LogError(f"the log has a gap: {size - len(hashes)} leaves are missing")
        return hashes

    def root(self, size: int | None = None) -> bytes:
        return merkle.root(self.leaf_hashes(size))

    def entry(self, index: int) -> dict:
        """One stored leaf: ``{"index", "kind", "label_id", "entry", "leaf_hash", "at"}``."""
        found = stored.entry(self.db, index)
        if found is None:
            raise NotFound(Message("no log entry %(index)s", index=index))
        return found

    def entries_for(self, label_id: str) -> list[dict]:
        """The leaves recording ``label_id`` (its issuance, supersession, revocation)."""
        return stored.entries_of(self.db, label_id)

    def inclusion(self, index: int, size: int | None = None) -> dict:
        """``{"leaf_index", "tree_size", "leaf_hash", "root", "proof"}`` (bytes) proving
        leaf ``index`` in the tree of ``size`` leaves (the current size by default)."""
        leaves = self.leaf_hashes(size)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(leaves):
            raise NotFound(Message("no leaf %(index)s in a tree of size %(size)s", index=index,
                                   size=len(leaves)))
        return {"leaf_index": index, "tree_size": len(leaves), "leaf_hash": leaves[index],
                "root": merkle.root(leaves), "proof": merkle.inclusion_proof(index, leaves)}

    def consistency(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The RFC 9162 consistency proof from ``old_size`` (>= 1) to ``new_size`` (the
        current size by default)."""
        leaves = self.leaf_hashes(new_size)
        if isinstance(old_size, bool) or not isinstance(old_size, int) \
                or not 1 <= old_size <= len(leaves):
            raise InvalidInput([Problem("old_size", Message(
                "must be between 1 and the new size %(size)s, not %(given)s", size=len(leaves),
                given=old_size))])
        return merkle.consistency_proof(old_size, leaves)

    # -- the shapes the HTTP endpoints return ------------------------------------------------

    def inclusion_json(self, index: int, size: int | None = None) -> dict:
        return inclusion_to_json(self.inclusion(index, size))

    def consistency_json(self, old_size: int, new_size: int | None = None) -> dict:
        leaves = self.leaf_hashes(new_size)
        proof = self.consistency(old_size, len(leaves))
        return {"old_size": old_size, "new_size": len(leaves),
                "old_root": b64(merkle.root(leaves[:old_size])),
                "new_root": b64(merkle.root(leaves)), "proof": [b64(p) for p in proof]}


def inclusion_to_json(proof: dict) -> dict:
    """Bytes -> base64 in an inclusion proof: the body of GET /api/v1/labels/<id>/proof."""
    return {"leaf_index": proof["leaf_index"], "tree_size": proof["tree_size"],
            "leaf_hash": b64(proof["leaf_hash"]), "root": b64(proof["root"]),
            "proof": [b64(p) for p in proof["proof"]]}
