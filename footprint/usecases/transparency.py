"""The transparency log as the platform serves it: signed checkpoints, proofs, and the
monitor that holds the stored log and the labels table to it, and the log to every checkpoint
it saw.

Checkpoints are signed with the platform's current issuer key (footprint.labels.keys); a
platform without one can still verify its log, but not sign a checkpoint. The monitor keeps
what it saw outside the database: in FOOTPRINT_HOME/log/checkpoints-seen and in any witness
the operator names (footprint.translog.seen).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InvalidInput, Message, Problem
from ..labels.keys import checkpoint_signer
from ..store.db import committed_state
from ..translog import TransparencyLog, sign_checkpoint
from ..translog.checkpoint import CheckpointError, verify_checkpoint
from ..translog.tiles import TilePathError, parse_tile_path
from ..translog.monitor import MonitorReport, verify_log
from ..translog.seen import SeenRecord

# why a checkpoint is not signed: said by `footprint log verify` and `log checkpoint`
NO_SIGNER = Message("no issuer key: run `footprint keys generate` first")


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: bytes
    note: str | None  # the signed note; None when the platform has no issuer key


# (origin, size, root, key name, key) -> the signed note: a checkpoint is asked for far more
# often than the log grows, and Ed25519 signs the same text the same way every time
_SIGNED: dict[tuple, str] = {}
SIGNED_KEPT = 16


# (database, its committed state, size) -> root: reading the stored subtrees is most of a
# checkpoint's time, and while no other connection commits, a size's root stays the same
_ROOT: dict[str, tuple] = {}


def _root(db, log: TransparencyLog, size: int) -> bytes:
    state = committed_state(db)
    kept = _ROOT.get(state[0])
    if kept is not None and kept[:2] == (state, size):
        return kept[2]
    root = log.root(size)
    _ROOT[state[0]] = (state, size, root)
    return root


def checkpoint(db, home: Path, origin: str | None = None) -> Checkpoint:
    """The current checkpoint, signed by the issuer key (origin: the key name by default)."""
    log = TransparencyLog(db)
    size = log.size()
    root = _root(db, log, size)  # the first `size` leaves, even if one is appended meanwhile
    signer = checkpoint_signer(home)
    if signer is None:
        return Checkpoint(size, root, None)
    name, key = signer
    said = (origin or name, size, root, name, key)
    note = _SIGNED.get(said)
    if note is None:
        if len(_SIGNED) >= SIGNED_KEPT:
            _SIGNED.clear()
        note = _SIGNED[said] = sign_checkpoint(origin or name, size, root, name, key)
    return Checkpoint(size, root, note)


def signed_by(note: str, entries) -> str | None:
    """The issuer id of the first of ``entries`` (trust-list entries: the platform's own
    keys) whose key signed the checkpoint ``note``; None when none did."""
    for entry in entries:
        try:
            verify_checkpoint(note, entry.id, entry.public_key)
            return entry.id
        except CheckpointError:
            continue
    return None


def seen_records(home: Path, witnesses=()) -> list[SeenRecord]:
    """Where the monitor remembers checkpoints: the home's record, then each witness (a file,
    or a directory to hold one; InvalidInput if its directory does not exist)."""
    records = {}
    for record in (SeenRecord.in_home(home), *(SeenRecord.witness(path) for path in witnesses)):
        records.setdefault(record.path.resolve(), record)  # a place named twice is read once
    return list(records.values())


def verify(db, home: Path, origin: str | None = None, record: bool = True,
           witnesses=()) -> MonitorReport:
    """Re-derive the stored log, hold the labels table to it and check it extends every
    checkpoint seen (raises LogRewritten with every problem); the checkpoint is signed when
    the platform has a key and added to the home's record and each witness."""
    return verify_log(db, signer=checkpoint_signer(home), origin=origin, record=record,
                      seen=seen_records(home, witnesses))


def inclusion(db, index: int, size: int | None = None) -> dict:
    """The inclusion proof of leaf ``index`` (base64 hashes)."""
    return TransparencyLog(db).inclusion_json(index, size)


def consistency(db, old_size: int, new_size: int | None = None, *,
                named: Mapping[str, str] | None = None) -> dict:
    """The consistency proof from ``old_size`` to ``new_size`` (base64 hashes). ``named``:
    the caller's own names of the sizes (the API's ``{"old_size": "from", "tree_size":
    "to"}``), which a refusal then names."""
    try:
        return TransparencyLog(db).consistency_json(old_size, new_size)
    except InvalidInput as exc:
        if not named:
            raise
        raise InvalidInput([replace(p, where=named.get(p.where, p.where))
                            for p in exc.problems]) from None


def tile(db, path: str) -> bytes:
    """The bytes of a C2SP tlog-tiles path (``tile/0/x001/234``, ``tile/entries/005.p/9``):
    InvalidInput for a path that is not one, NotFound for one the log has not reached."""
    try:
        level, n, width = parse_tile_path(path)
    except TilePathError as exc:
        raise InvalidInput([Problem("path", Message("not a tile path: %(path)s",
                                                    path=path))]) from exc
    log = TransparencyLog(db)
    return log.entry_bundle(n, width) if level is None else log.tile(level, n, width)


def entries_for(db, label_id: str) -> list[dict]:
    """The leaves recording a label: its issuance, supersession, revocation."""
    return TransparencyLog(db).entries_for(label_id)
