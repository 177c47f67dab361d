"""A monitor over the local store: re-derive the log from its entries and hold it to the last
checkpoint seen (``footprint log verify``).

Checks, in order: leaf indices run from 0 without gaps; every stored leaf hash is
SHA-256(0x00 || entry) of the stored bytes; every entry is well-formed for its kind and names
its row's label; an issue entry is byte-identical to the label's stored COSE_Sign1 and every
label has one; the tree at the size of the last checkpoint seen still has that checkpoint's
root, and an RFC 9162 consistency proof from it to the current tree verifies. On success the
new (size, root, note) is recorded in ``log_checkpoints_seen``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..store import labels as stored_labels
from ..store import log as stored
from ..store.db import snapshot, transaction
from ..store.log import last_seen
from . import merkle
from .checkpoint import checkpoint_text, sign_checkpoint
from .entries import EntryError, decode_entry, entry_label
from .log import LogError, b64

MAX_REPORTED = 20
UNSIGNED_ORIGIN = "unsigned"


class LogRewritten(LogError):
    """The stored log is not an append-only extension of what was seen before."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        extra = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"the transparency log failed verification "
                         f"({len(self.problems)} problem(s)):\n{shown}{extra}")


@dataclass
class MonitorReport:
    size: int
    root: bytes
    kinds: dict[str, int]
    previous: dict | None  # the checkpoint seen before: size, root, seen_at
    note: str  # the checkpoint recorded (signed, or its bare text when no signer)
    signed: bool
    recorded: bool
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        previous = self.previous and {**self.previous, "root": b64(self.previous["root"])}
        return {"ok": True, "tree_size": self.size, "root": b64(self.root),
                "kinds": self.kinds, "previous": previous, "checkpoint": self.note,
                "signed": self.signed, "recorded": self.recorded}


def _check_entries(db, problems: list[str]) -> tuple[list[bytes], Counter]:
    leaves: list[bytes] = []
    kinds: Counter = Counter()
    issued: set[str] = set()
    covers = stored_labels.covers(db)
    for position, (idx, kind, label_id, entry, leaf) in enumerate(stored.leaves(db)):
        if idx != position:
            problems.append(f"leaf {position} is missing (the next stored index is {idx}): "
                            f"entries were removed")
            break  # every later index is shifted; a root over them means nothing
        recomputed = merkle.leaf_hash(entry)
        if leaf != recomputed:
            problems.append(f"entry {idx} was rewritten: its bytes hash to "
                            f"{b64(recomputed)}, the stored leaf hash is {b64(leaf)}")
        leaves.append(recomputed)  # the tree over what is stored now
        kinds[kind] += 1
        try:
            decode_entry(kind, entry)
            named = entry_label(kind, entry)
        except EntryError as exc:
            problems.append(f"entry {idx} is not a well-formed {kind} entry: {exc}")
            continue
        if named is not None and named != label_id:
            problems.append(f"entry {idx} names label {named!r} but is filed under "
                            f"{label_id!r}")
        if kind == "issue":
            issued.add(label_id)
            if label_id in covers and covers[label_id] != entry:
                problems.append(f"entry {idx} issues label {label_id!r} with bytes that differ "
                                f"from the label's stored COSE_Sign1")
    for label_id in sorted(set(covers) - issued):
        problems.append(f"label {label_id!r} is stored but its issuance is not in the log")
    return leaves, kinds


def _check_against_seen(seen, leaves: list[bytes], new_root: bytes,
                        problems: list[str]) -> None:
    size, old_root = seen["size"], seen["root"]
    n = len(leaves)
    if size > n:
        problems.append(f"the log has {n} entries but a checkpoint of size {size} was seen "
                        f"on {seen['seen_at']}: entries were removed")
        return
    if size == 0:
        if old_root != merkle.EMPTY_ROOT:
            problems.append("the checkpoint seen at size 0 does not have the empty root")
        return
    if merkle.root(leaves[:size]) != old_root:
        problems.append(f"the first {size} entries no longer have the root "
                        f"{b64(old_root)} of the checkpoint seen on {seen['seen_at']}: "
                        f"history was rewritten (a fork)")
        return
    try:  # what a remote monitor does with the log's proof
        merkle.check_consistency(size, n, old_root, new_root,
                                 merkle.consistency_proof(size, leaves))
    except merkle.ProofError as exc:
        problems.append(f"the log at size {n} is not consistent with the checkpoint seen at "
                        f"size {size}: {exc}")


def verify_log(db, signer: tuple | None = None, origin: str | None = None,
               record: bool = True) -> MonitorReport:
    """Verify the stored log (see the module's docstring); raise LogRewritten with every
    problem found, or return a report and (if ``record``) remember the checkpoint.
    ``signer`` is ``(key name, Ed25519PrivateKey)`` or None; ``origin`` defaults to the key
    name."""
    problems: list[str] = []
    with snapshot(db):
        leaves, kinds = _check_entries(db, problems)
        new_root = merkle.root(leaves)
        seen = last_seen(db)
    if seen is not None:
        _check_against_seen(seen, leaves, new_root, problems)
    if problems:
        raise LogRewritten(problems)
    n = len(leaves)
    if signer is not None:
        name, key = signer
        note = sign_checkpoint(origin or name, n, new_root, name, key)
    else:
        note = checkpoint_text(origin or UNSIGNED_ORIGIN, n, new_root)
    recorded = False
    if record and (seen is None or seen["size"] < n):
        with transaction(db):
            stored.record_seen(db, n, new_root, note)
        recorded = True
    previous = seen and {k: seen[k] for k in ("size", "root", "seen_at")}
    return MonitorReport(n, new_root, dict(sorted(kinds.items())), previous, note,
                         signer is not None, recorded)
