"""A monitor over the local store (``footprint log verify``): re-derive the log from its
entries, hold the labels table to it, and hold it to every checkpoint seen before.

Checks, in order:

1. the leaves: indices run from 0 without gaps; every stored leaf hash is SHA-256(0x00 ||
   entry) of the stored bytes; every entry is well-formed for its kind and names its row's
   label; the stored perfect subtrees (log_nodes, what roots and proofs are served from) are
   exactly those the leaves make;
2. the leaves against the labels: an issue entry is byte-identical to the label's stored
   COSE_Sign1 and every label has one; every leaf names a stored label, and so does the
   ``by`` of a supersede entry; no label is issued, superseded or revoked twice;
3. the labels' columns against the leaves (translog.state): ``superseded_by``,
   ``revoked_at``, ``revocation_reason`` and ``log_index`` say what the log says, so a
   revocation cleared by hand is caught;
4. the checkpoints seen, in the records kept outside the database (translog.seen: the
   home's file and any witness) and in the table the monitor used before
   (``log_checkpoints_seen``): the tree at each seen size still has the seen root (fewer
   entries than a seen size means entries were removed), and an RFC 9162 consistency proof
   from the largest seen to the current tree verifies.

On success the new checkpoint is added to every record, together with any checkpoint seen
that a record lacks: the table's rows move into the files on the first run after the
upgrade, and a new witness starts with all that was seen.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store import labels as stored_labels
from ..store import log as stored
from ..store.db import snapshot
from . import merkle
from .checkpoint import checkpoint_text, sign_checkpoint
from .entries import EntryError, decode_entry, entry_label
from .log import LogError, b64
from .seen import Seen, SeenRecord, SeenRecordError, now_seen
from .state import LoggedState, differences

MAX_REPORTED = 20
UNSIGNED_ORIGIN = "unsigned"
TABLE = "the database's table log_checkpoints_seen"


class LogRewritten(LogError):
    """The stored log is not an append-only extension of what was seen before, or the labels
    table says something else than the log."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        extra = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"the transparency log failed verification "
                         f"({len(self.problems)} problem(s)):\n{shown}{extra}")


@dataclass
class RecordReport:
    """What one record of checkpoints seen held before this run, and what was added."""

    path: str
    size_before: int | None  # the largest size it held; None when it held nothing
    added: int = 0


@dataclass
class MonitorReport:
    size: int
    root: bytes
    kinds: dict[str, int]
    previous: dict | None  # the largest checkpoint seen before: size, root, seen_at
    note: str  # the checkpoint recorded (signed, or its bare text when no signer)
    signed: bool
    recorded: bool  # the new checkpoint was added to a record
    labels: int = 0  # stored labels, each held to its leaves
    records: list[RecordReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        previous = self.previous and {**self.previous, "root": b64(self.previous["root"])}
        return {"ok": True, "tree_size": self.size, "root": b64(self.root),
                "kinds": self.kinds, "previous": previous, "checkpoint": self.note,
                "signed": self.signed, "recorded": self.recorded, "labels": self.labels,
                "records": [{"path": r.path, "size_before": r.size_before, "added": r.added}
                            for r in self.records]}


# -- 1 and 2: the leaves, and the labels they name --------------------------------------------

def _check_entries(db, labels: dict[str, dict], problems: list[str]
                   ) -> tuple[list[bytes], Counter, dict[str, LoggedState]]:
    leaves: list[bytes] = []
    kinds: Counter = Counter()
    states: dict[str, LoggedState] = {}
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
            fields = decode_entry(kind, entry)
            named = entry_label(kind, entry)
        except EntryError as exc:
            problems.append(f"entry {idx} is not a well-formed {kind} entry: {exc}")
            continue
        if named is not None and named != label_id:
            problems.append(f"entry {idx} names label {named!r} but is filed under "
                            f"{label_id!r}")
            continue
        if kind == "record":
            if label_id is not None:
                problems.append(f"entry {idx} is a record filed under label {label_id!r}")
            continue  # a record names no label: what it proves is checked by its document
        if label_id not in labels:
            problems.append(f"entry {idx} ({kind}) names label {label_id!r}, which is not "
                            f"stored")
        elif kind == "issue" and labels[label_id]["cose"] != entry:
            problems.append(f"entry {idx} issues label {label_id!r} with bytes that differ "
                            f"from the label's stored COSE_Sign1")
        if kind == "supersede" and fields["by"] not in labels:
            problems.append(f"entry {idx} says label {label_id!r} was superseded by "
                            f"{fields['by']!r}, which is not stored")
        states.setdefault(label_id, LoggedState(label_id)).add(idx, kind, entry)
    return leaves, kinds, states


# -- 3: the labels' columns against the leaves ------------------------------------------------

def _check_labels(labels: dict[str, dict], states: dict[str, LoggedState],
                  problems: list[str]) -> None:
    for label_id in sorted(set(labels) | set(states)):
        state = states.get(label_id) or LoggedState(label_id)
        for extra in state.extra:
            problems.append(f"label {label_id!r}: {extra}")
        if label_id not in labels:
            continue  # reported with its leaves
        if state.issued is None:
            problems.append(f"label {label_id!r} is stored but its issuance is not in the log")
        for difference in differences(labels[label_id], state):
            if state.issued is None and difference.column == "log_index":
                continue  # said just above
            problems.append(f"label {label_id!r} disagrees with the log: {difference}")


# -- 4: the checkpoints seen ------------------------------------------------------------------

def _gather_seen(before_upgrade: list[dict], records: Sequence[SeenRecord],
                 problems: list[str]) -> tuple[dict[tuple, tuple[Seen, list[str]]],
                                                list[RecordReport], dict[str, set]]:
    """(size, root) -> (the first sighting, every place that remembers it); what each record
    held; the (size, root) keys each record holds."""
    sightings: dict[tuple, tuple[Seen, list[str]]] = {}
    reports, held = [], {}

    def note(seen: Seen, place: str) -> None:
        key = (seen.size, seen.root)
        if key not in sightings:
            sightings[key] = (seen, [])
        if place not in sightings[key][1]:
            sightings[key][1].append(place)

    for row in before_upgrade:
        note(Seen(row["size"], row["root"], row["seen_at"], row["note"]), TABLE)
    for record in records:
        try:
            seen = record.read()
        except SeenRecordError as exc:
            problems.append(f"the record of checkpoints seen cannot be read: {exc}")
            seen = []
        for item in seen:
            note(item, str(record))
        held[str(record)] = {(s.size, s.root) for s in seen}
        reports.append(RecordReport(str(record), max((s.size for s in seen), default=None)))
    return sightings, reports, held


def _check_seen(sightings: dict[tuple, tuple[Seen, list[str]]], leaves: list[bytes],
                new_root: bytes, problems: list[str]) -> None:
    n = len(leaves)
    removed = [key for key in sightings if key[0] > n]
    if removed:
        seen, places = sightings[max(removed)]
        problems.append(f"the log has {n} entries but a checkpoint of size {seen.size} was "
                        f"seen on {seen.seen_at} (recorded in {', '.join(places)}): entries "
                        f"were removed")
    roots = merkle.roots_at(leaves, [size for size, _ in sightings])
    forked = sorted(key for key in sightings if key[0] <= n and roots[key[0]] != key[1])
    if forked:
        seen, places = sightings[forked[0]]
        later = len(forked) - 1
        also = f"; {later} later checkpoint(s) seen no longer match either" if later else ""
        problems.append(f"the first {seen.size} entries no longer have the root "
                        f"{b64(seen.root)} of the checkpoint seen on {seen.seen_at} "
                        f"(recorded in {', '.join(places)}): history was rewritten "
                        f"(a fork){also}")
        return
    largest = max((key for key in sightings if key[0] <= n), default=None)
    if largest is None or largest[0] == 0:
        return
    size, old_root = largest
    try:  # what a remote monitor does with the log's proof
        merkle.check_consistency(size, n, old_root, new_root,
                                 merkle.consistency_proof(size, leaves))
    except merkle.ProofError as exc:
        problems.append(f"the log at size {n} is not consistent with the checkpoint seen at "
                        f"size {size}: {exc}")


def _check_subtrees(stored_nodes, leaves: list[bytes], problems: list[str]) -> None:
    """The stored perfect subtrees (what roots and proofs are served from) against those the
    leaves make: none changed, none missing, none extra."""
    expected = {(h, i): node for h, i, node in merkle.perfect_subtrees(leaves)}
    found = 0
    for height, i, node in stored_nodes:
        want = expected.get((height, i))
        if want is None:
            problems.append(f"a subtree {i} of 2^{height} leaves is stored that the "
                            f"{len(leaves)} leaves do not make")
        elif want != node:
            problems.append(f"the stored subtree {i} of 2^{height} leaves was changed: the "
                            f"leaves make {b64(want)}, {b64(node)} is stored")
        found += want is not None
    if found < len(expected):
        problems.append(f"{len(expected) - found} of the log's {len(expected)} subtrees are "
                        "not stored: proofs cannot be served")


def verify_log(db, signer: tuple | None = None, origin: str | None = None,
               record: bool = True, seen: Sequence[SeenRecord] = ()) -> MonitorReport:
    """Verify the stored log (see the module's docstring); raise LogRewritten with every
    problem found, or return a report and (if ``record``) add the checkpoint to every record
    in ``seen``. ``signer`` is ``(key name, Ed25519PrivateKey)`` or None; ``origin`` defaults
    to the key name. Without records, only the database's old table says what was seen."""
    problems: list[str] = []
    with snapshot(db):
        labels = stored_labels.index(db)
        leaves, kinds, states = _check_entries(db, labels, problems)
        _check_subtrees(stored.nodes(db), leaves, problems)
        before_upgrade = stored.seen_before_upgrade(db)
    _check_labels(labels, states, problems)
    new_root = merkle.root(leaves)
    sightings, reports, held = _gather_seen(before_upgrade, seen, problems)
    _check_seen(sightings, leaves, new_root, problems)
    if problems:
        raise LogRewritten(problems)
    n = len(leaves)
    if signer is not None:
        name, key = signer
        note = sign_checkpoint(origin or name, n, new_root, name, key)
    else:
        note = checkpoint_text(origin or UNSIGNED_ORIGIN, n, new_root)
    recorded = False
    if record:
        current = now_seen(n, new_root, note)
        everything = [s for s, _ in sorted(sightings.values(), key=lambda v: v[0].size)]
        for where, report in zip(seen, reports):
            missing = [s for s in [*everything, current]
                       if (s.size, s.root) not in held[str(where)]]
            report.added = len(where.add(missing))
            recorded |= (n, new_root) not in held[str(where)] and report.added > 0
    previous = None
    if sightings:
        first, _ = sightings[max(sightings)]
        previous = {"size": first.size, "root": first.root, "seen_at": first.seen_at}
    return MonitorReport(n, new_root, dict(sorted(kinds.items())), previous, note,
                         signer is not None, recorded, len(labels), reports)
