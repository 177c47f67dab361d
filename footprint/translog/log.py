"""The transparency log over its stored leaves (footprint.store.log).

A leaf is an entry's bytes with ``leaf_hash`` = SHA-256(0x00 || entry), at an index from 0
without gaps. ``append`` runs inside the caller's transaction and never commits, so a label
and its leaf are written together or not at all.

Appending also stores the perfect subtrees the leaf completes (log_nodes), so a root or a
proof of any size reads O(log n) stored hashes (merkle.subtree_root), whatever the log's
length. The monitor still recomputes everything from the leaves.
"""
from __future__ import annotations

import base64

from ..errors import FootprintError, InvalidInput, Message, NotFound, Problem
from ..store import log as stored
from ..store.db import in_transaction
from . import merkle, tiles
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
        leaf = merkle.leaf_hash(entry)
        stored.insert_leaf(self.db, index, kind, label_id, entry, leaf, at)
        stored.insert_nodes(self.db, self._closed_by(index, leaf))
        return index

    def _closed_by(self, index: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """The perfect subtrees leaf ``index`` completes: one per trailing 1 bit of index."""
        closed, height, node, i = [], 0, leaf, index
        while i & 1:
            node = merkle.node_hash(self._node(height, i - 1), node)
            height, i = height + 1, i >> 1
            closed.append((height, i, node))
        return closed

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
                raise LogError(_missing(0, position))
            hashes.append(leaf)
        if len(hashes) != size:
            raise LogError(Message("the log has a gap: %(count)s leaves are missing",
                                   count=size - len(hashes)))
        return hashes

    def _node(self, height: int, i: int) -> bytes:
        found = stored.node(self.db, height, i)
        if found is None:
            raise LogError(_missing(height, i))
        return found

    def _answer(self, query: str, *args: int):
        """merkle.answer(query, ...) over the stored perfect subtrees it needs (O(log n) of
        them), read in one go first."""
        needed = merkle.subtrees_needed(query, *args)
        nodes = stored.nodes_many(self.db, needed)
        missing = sorted(needed - set(nodes))
        if missing:
            height, i = missing[0]
            raise LogError(_missing(height, i))
        return merkle.answer(query, nodes, *args)

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves: O(log n) stored hashes."""
        n = self._tree_size(size)
        return self._answer("root", n)

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
        n = self._tree_size(size)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise NotFound(Message("no leaf %(index)s in a tree of size %(size)s", index=index,
                                   size=n))
        leaf, root, path = self._answer("inclusion", index, n)
        return {"leaf_index": index, "tree_size": n, "leaf_hash": leaf, "root": root,
                "proof": path}

    def consistency(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The RFC 9162 consistency proof from ``old_size`` (>= 1) to ``new_size`` (the
        current size by default)."""
        return self._consistency(old_size, new_size)[3]

    def _consistency(self, old_size: int, new_size: int | None) -> tuple:
        """(new size, old root, new root, proof), the sizes checked."""
        n = self._tree_size(new_size)
        if isinstance(old_size, bool) or not isinstance(old_size, int) \
                or not 1 <= old_size <= n:
            raise InvalidInput([Problem("old_size", Message(
                "must be between 1 and the new size %(size)s, not %(given)s", size=n,
                given=old_size))])
        return (n, *self._answer("consistency", old_size, n))

    # -- tiles (C2SP tlog-tiles, footprint/translog/tiles.py) ---------------------------------

    def tile(self, level: int, n: int, width: int = tiles.TILE_WIDTH) -> bytes:
        """The hashes of tile ``level``/``n`` of ``width``; NotFound until the log has grown
        over all of them."""
        hashes = stored.nodes_at(self.db, tiles.TILE_HEIGHT * level, n * tiles.TILE_WIDTH,
                                 width)
        if len(hashes) < width:
            raise NotFound(Message("no tile %(path)s yet", path=tiles.tile_path(level, n,
                                                                                 width)))
        return b"".join(hashes)

    def entry_bundle(self, n: int, width: int = tiles.TILE_WIDTH) -> bytes:
        entries = stored.entries_from(self.db, n * tiles.TILE_WIDTH, width)
        if len(entries) < width:
            raise NotFound(Message("no tile %(path)s yet", path=tiles.tile_path(
                "entries", n, width)))
        return tiles.entry_bundle(entries)

    # -- the shapes the HTTP endpoints return ------------------------------------------------

    def inclusion_json(self, index: int, size: int | None = None) -> dict:
        return inclusion_to_json(self.inclusion(index, size))

    def consistency_json(self, old_size: int, new_size: int | None = None) -> dict:
        n, old_root, new_root, proof = self._consistency(old_size, new_size)
        return {"old_size": old_size, "new_size": n, "old_root": b64(old_root),
                "new_root": b64(new_root), "proof": [b64(p) for p in proof]}


def inclusion_to_json(proof: dict) -> dict:
    """Bytes -> base64 in an inclusion proof: the body of GET /api/v1/labels/<id>/proof."""
    return {"leaf_index": proof["leaf_index"], "tree_size": proof["tree_size"],
            "leaf_hash": b64(proof["leaf_hash"]), "root": b64(proof["root"]),
            "proof": [b64(p) for p in proof["proof"]]}


def _missing(height: int, i: int) -> Message:
    """What a log without its leaf ``i`` (height 0) or its stored subtree ``i`` of 2^height
    leaves says: the operator reads it in their language."""
    if height == 0:
        return Message("the log has a gap: leaf %(index)s is missing", index=i)
    return Message("the log's subtree %(index)s of 2^%(height)s leaves is not stored",
                   index=i, height=height)
