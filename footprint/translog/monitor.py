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

from ..errors import Message, bulleted
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

    def __init__(self, problems: list[Message]):
        self.problems = list(problems)
        shown = self.problems[:MAX_REPORTED]
        more = len(self.problems) - MAX_REPORTED
        lines = bulleted(shown, Message("and %(count)s more", count=more) if more > 0 else None)
        super().__init__(Message("the transparency log failed verification (%(count)s "
                                 "problem(s)):%(problems)s", count=len(self.problems),
                                 problems=lines))


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
            problems.append(Message("leaf %(position)s is missing (the next stored index is "
                                    "%(index)s): entries were removed", position=position,
                                    index=idx))
            break  # every later index is shifted; a root over them means nothing
        recomputed = merkle.leaf_hash(entry)
        if leaf != recomputed:
            problems.append(Message("entry %(index)s was rewritten: its bytes hash to "
                                    "%(recomputed)s, the stored leaf hash is %(stored)s",
                                    index=idx, recomputed=b64(recomputed), stored=b64(leaf)))
        leaves.append(recomputed)  # the tree over what is stored now
        kinds[kind] += 1
        try:
            fields = decode_entry(kind, entry)
            named = entry_label(kind, entry)
        except EntryError as exc:
            problems.append(Message("entry %(index)s is not a well-formed %(kind)s entry: "
                                    "%(problem)s", index=idx, kind=kind, problem=str(exc)))
            continue
        if named is not None and named != label_id:
            problems.append(Message("entry %(index)s names label '%(named)s' but is filed "
                                    "under '%(label)s'", index=idx, named=named,
                                    label=label_id))
            continue
        if kind == "record":
            if label_id is not None:
                problems.append(Message("entry %(index)s is a record filed under label "
                                        "'%(label)s'", index=idx, label=label_id))
            continue  # a record names no label: what it proves is checked by its document
        if label_id not in labels:
            problems.append(Message("entry %(index)s (%(kind)s) names label '%(label)s', "
                                    "which is not stored", index=idx, kind=kind,
                                    label=label_id))
        elif kind == "issue" and labels[label_id]["cose"] != entry:
            problems.append(Message("entry %(index)s issues label '%(label)s' with bytes that "
                                    "differ from the label's stored COSE_Sign1", index=idx,
                                    label=label_id))
        if kind == "supersede" and fields["by"] not in labels:
            problems.append(Message("entry %(index)s says label '%(label)s' was superseded by "
                                    "'%(by)s', which is not stored", index=idx, label=label_id,
                                    by=fields["by"]))
        states.setdefault(label_id, LoggedState(label_id)).add(idx, kind, entry)
    return leaves, kinds, states


# -- 3: the labels' columns against the leaves ------------------------------------------------

def _check_labels(labels: dict[str, dict], states: dict[str, LoggedState],
                  problems: list[str]) -> None:
    for label_id in sorted(set(labels) | set(states)):
        state = states.get(label_id) or LoggedState(label_id)
        for extra in state.extra:
            problems.append(Message("label '%(label)s': %(problem)s", label=label_id,
                                    problem=extra))
        if label_id not in labels:
            continue  # reported with its leaves
        if state.issued is None:
            problems.append(Message("label '%(label)s' is stored but its issuance is not in "
                                    "the log", label=label_id))
        for difference in differences(labels[label_id], state):
            if state.issued is None and difference.column == "log_index":
                continue  # said just above
            problems.append(Message("label '%(label)s' disagrees with the log: %(difference)s",
                                    label=label_id, difference=str(difference)))


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
            problems.append(Message("the record of checkpoints seen cannot be read: "
                                    "%(problem)s", problem=exc.message))
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
        problems.append(Message("the log has %(count)s entries but a checkpoint of size "
                                "%(size)s was seen on %(at)s (recorded in %(places)s): entries "
                                "were removed", count=n, size=seen.size, at=seen.seen_at,
                                places=list(places)))
    roots = merkle.roots_at(leaves, [size for size, _ in sightings])
    forked = sorted(key for key in sightings if key[0] <= n and roots[key[0]] != key[1])
    if forked:
        seen, places = sightings[forked[0]]
        later = len(forked) - 1
        also = Message("; %(count)s later checkpoint(s) seen no longer match either",
                       count=later) if later else ""
        problems.append(Message("the first %(size)s entries no longer have the root %(root)s "
                                "of the checkpoint seen on %(at)s (recorded in %(places)s): "
                                "history was rewritten (a fork)%(also)s", size=seen.size,
                                root=b64(seen.root), at=seen.seen_at, places=list(places),
                                also=also))
        return
    largest = max((key for key in sightings if key[0] <= n), default=None)
    if largest is None or largest[0] == 0:
        return
    size, old_root = largest
    try:  # what a remote monitor does with the log's proof
        merkle.check_consistency(size, n, old_root, new_root,
                                 merkle.consistency_proof(size, leaves))
    except merkle.ProofError as exc:
        problems.append(Message("the log at size %(count)s is not consistent with the "
                                "checkpoint seen at size %(size)s: %(problem)s", count=n,
                                size=size, problem=str(exc)))


def _check_subtrees(stored_nodes, leaves: list[bytes], problems: list[str]) -> None:
    """The stored perfect subtrees (what roots and proofs are served from) against those the
    leaves make: none changed, none missing, none extra."""
    expected = {(h, i): node for h, i, node in merkle.perfect_subtrees(leaves)}
    found = 0
    for height, i, node in stored_nodes:
        want = expected.get((height, i))
        if want is None:
            problems.append(Message("a subtree %(index)s of 2^%(height)s leaves is stored that "
                                    "the %(count)s leaves do not make", index=i, height=height,
                                    count=len(leaves)))
        elif want != node:
            problems.append(Message("the stored subtree %(index)s of 2^%(height)s leaves was "
                                    "changed: the leaves make %(made)s, %(stored)s is stored",
                                    index=i, height=height, made=b64(want),
                                    stored=b64(node)))
        found += want is not None
    if found < len(expected):
        problems.append(Message("%(missing)s of the log's %(count)s subtrees are not stored: "
                                "proofs cannot be served", missing=len(expected) - found,
                                count=len(expected)))


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
