"""The ``log_entries`` table of the transparency log, and what ``log_checkpoints_seen`` held.

``log_nodes`` holds the hash of each perfect subtree above the leaves (migration 21), so
roots and proofs read O(log n) hashes.

Rows are leaves: ``idx`` from 0 without gaps, ``kind``, ``label_id``, ``entry`` (the leaf's
bytes), ``leaf_hash``, ``at``; triggers refuse UPDATE and DELETE (migration 2), and indexes on
``label_id`` and ``kind`` (migration 6) find a label's few leaves, or every revocation,
without reading the log. What a leaf may hold and how the tree is built are
footprint.translog's.

``log_checkpoints_seen`` is where the monitor kept the checkpoints it had seen until it
moved that record out of the database it checks (footprint.translog.seen); nothing writes
the table any more, and the monitor reads what it holds as checkpoints seen before the
upgrade.
"""
from __future__ import annotations

from .. import clock

_COLUMNS = "idx, kind, label_id, entry, leaf_hash, at"


def size(db) -> int:
    row = db.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries").fetchone()
    return int(row[0])


def insert_leaf(db, index: int, kind: str, label_id: str, entry: bytes, leaf_hash: bytes,
                at: str | None = None) -> None:
    db.execute("INSERT INTO log_entries (idx, kind, label_id, entry, leaf_hash, at) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [index, kind, label_id, entry, leaf_hash, at or clock.stamp()])


def insert_nodes(db, nodes) -> None:
    """Store (height, i, hash) of perfect subtrees closed by an append (log_nodes)."""
    if nodes:  # half the appends close none
        db.conn.executemany("INSERT INTO log_nodes (height, i, hash) VALUES (?, ?, ?)",
                            nodes)


def node(db, height: int, i: int) -> bytes | None:
    """The hash of the i-th perfect subtree of 2**height leaves (height 0: the leaf hash)."""
    row = db.execute("SELECT leaf_hash FROM log_entries WHERE idx = ?", [i]).fetchone() \
        if height == 0 else \
        db.execute("SELECT hash FROM log_nodes WHERE height = ? AND i = ?", [height, i]).fetchone()
    return None if row is None else bytes(row[0])


def nodes_many(db, wanted) -> dict[tuple[int, int], bytes]:
    """(height, i) -> hash for the wanted perfect subtrees that are stored (height 0: leaf
    hashes): one indexed query per height."""
    by_height: dict[int, list[int]] = {}
    for height, i in wanted:
        by_height.setdefault(height, []).append(i)
    found = {}
    for height, indices in by_height.items():
        marks = ", ".join("?" * len(indices))
        rows = db.execute(f"SELECT idx, leaf_hash FROM log_entries WHERE idx IN ({marks})",
                          indices) if height == 0 else \
            db.execute(f"SELECT i, hash FROM log_nodes WHERE height = ? AND i IN ({marks})",
                       [height, *indices])
        found.update(((height, i), bytes(h)) for i, h in rows)
    return found


def nodes_at(db, height: int, first: int, count: int) -> list[bytes]:
    """The hashes of perfect subtrees first .. first + count - 1 of a height, those stored."""
    if height == 0:
        sql = "SELECT leaf_hash FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx"
        return [bytes(row[0]) for row in db.execute(sql, [first, first + count])]
    return [bytes(row[0]) for row in db.execute(
        "SELECT hash FROM log_nodes WHERE height = ? AND i >= ? AND i < ? ORDER BY i",
        [height, first, first + count])]


def nodes(db):
    """(height, i, hash) of every stored perfect subtree above the leaves."""
    for height, i, stored in db.execute("SELECT height, i, hash FROM log_nodes "
                                        "ORDER BY height, i"):
        yield height, i, bytes(stored)


def entries_from(db, first: int, count: int) -> list[bytes]:
    """The bytes of leaves first .. first + count - 1, in order."""
    return [bytes(row[0]) for row in db.execute(
        "SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
        [first, first + count])]


def leaf_hashes(db, below: int):
    """(idx, leaf hash) of the leaves with an index below ``below``, in order."""
    return ((idx, bytes(leaf)) for idx, leaf in db.execute(
        "SELECT idx, leaf_hash FROM log_entries WHERE idx < ? ORDER BY idx", [below]))


def leaves(db):
    """(idx, kind, label id, entry, leaf hash) of every stored leaf, in order."""
    for idx, kind, label_id, entry, stored in db.execute(
            "SELECT idx, kind, label_id, entry, leaf_hash FROM log_entries ORDER BY idx"):
        yield idx, kind, label_id, bytes(entry), bytes(stored)


def _entry(row) -> dict:
    return {"index": row[0], "kind": row[1], "label_id": row[2], "entry": bytes(row[3]),
            "leaf_hash": bytes(row[4]), "at": row[5]}


def entry(db, index: int) -> dict | None:
    """One stored leaf: ``{"index", "kind", "label_id", "entry", "leaf_hash", "at"}``."""
    row = db.execute(f"SELECT {_COLUMNS} FROM log_entries WHERE idx = ?",
                     [index]).fetchone()
    return None if row is None else _entry(row)


def entries_of(db, label_id: str) -> list[dict]:
    """The leaves filed under ``label_id`` (its issuance, supersession, revocation), in log
    order, in one indexed query."""
    return [_entry(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM log_entries WHERE label_id = ? ORDER BY idx", [label_id])]


def entries_of_labels(db, label_ids) -> dict[str, list[dict]]:
    """label id -> its leaves in log order, for a few labels at once (one query)."""
    ids = list(dict.fromkeys(label_ids))
    out: dict[str, list[dict]] = {label_id: [] for label_id in ids}
    if ids:
        marks = ", ".join("?" * len(ids))
        for row in db.execute(f"SELECT {_COLUMNS} FROM log_entries WHERE label_id IN "
                              f"({marks}) ORDER BY idx", ids):
            out[row[2]].append(_entry(row))
    return out


def entries_of_kind(db, kind: str) -> list[dict]:
    """Every leaf of one kind (e.g. each revocation), in log order."""
    return [_entry(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM log_entries WHERE kind = ? ORDER BY idx", [kind])]


# -- checkpoints the monitor saw before its record moved out of the database ------------------

def seen_before_upgrade(db) -> list[dict]:
    """What ``log_checkpoints_seen`` holds (size, root, note, seen_at), smallest size first;
    nothing if the table is gone."""
    if "log_checkpoints_seen" not in db.table_names():
        return []
    return [{"size": row[0], "root": bytes(row[1]), "note": row[2], "seen_at": row[3]}
            for row in db.execute("SELECT size, root, note, seen_at FROM log_checkpoints_seen "
                                  "ORDER BY size")]


# -- what `footprint publish` reads: leaves in index ranges, and every state change ----------

def kinds_from(db, first: int, below: int):
    """(idx, kind, leaf hash) of leaves first .. below - 1, in order: which leaves a static
    host's label index must add since the last publication."""
    return ((idx, kind, bytes(leaf)) for idx, kind, leaf in db.execute(
        "SELECT idx, kind, leaf_hash FROM log_entries WHERE idx >= ? AND idx < ? "
        "ORDER BY idx", [first, below]))


def state_changes(db, below: int) -> list[tuple[str, str, int | None]]:
    """(kind, label id, index of the label's issue leaf) of every supersede and revoke leaf
    below ``below``, in log order (the issue leaf found by the label_id index; None when the
    log holds no issue leaf for the label below ``below``)."""
    return [(kind, label_id, issued) for kind, label_id, issued in db.execute(
        "SELECT e.kind, e.label_id, (SELECT MIN(i.idx) FROM log_entries i "
        "WHERE i.label_id = e.label_id AND i.kind = 'issue' AND i.idx < ?) "
        "FROM log_entries e WHERE e.kind IN ('supersede', 'revoke') AND e.idx < ? "
        "ORDER BY e.idx", [below, below])]
