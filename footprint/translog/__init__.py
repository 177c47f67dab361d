"""The transparency log of labels: RFC 6962 Merkle tree, entries, checkpoints, a monitor.

- ``merkle``: hashing, proofs and their verification (pure functions).
- ``entries``: the bytes of issue, supersede and revoke leaves.
- ``log``: ``TransparencyLog`` over the ``log_entries`` table.
- ``checkpoint``: C2SP signed-note checkpoints, signed with an Ed25519 issuer key.
- ``state``: a label's state as its leaves say, and where a labels row says otherwise.
- ``seen``: the monitor's record of checkpoints seen, in files outside the database.
- ``monitor``: re-derive the stored log, hold the labels table to it and the log to every
  checkpoint seen.

docs/transparency-log.md describes the formats for people who build verifiers.
"""
from .checkpoint import (Checkpoint, CheckpointError, key_id, parse_checkpoint, sign_checkpoint,
                         verify_checkpoint)
from .entries import EntryError, revoke_entry, supersede_entry
from .log import LogError, TransparencyLog, inclusion_to_json
from .merkle import (ProofError, consistency_proof, inclusion_proof, leaf_hash, root,
                     verify_consistency, verify_inclusion)

__all__ = [
    "Checkpoint", "CheckpointError", "EntryError", "LogError", "ProofError",
    "TransparencyLog", "consistency_proof", "inclusion_proof", "inclusion_to_json", "key_id",
    "leaf_hash", "parse_checkpoint", "revoke_entry", "root", "sign_checkpoint",
    "supersede_entry", "verify_checkpoint", "verify_consistency", "verify_inclusion",
]
