"""The transparency log in the database, its entries, signed checkpoints and the monitor."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import cbor2
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cli.language import said
from footprint import InvalidInput, NotFound
from footprint.store import connect, database_path, transaction
from footprint.store.db import POSTGRESQL, database_errors, defer_foreign_keys, dialect
from footprint.store.migrations import migrate
from footprint.translog import merkle
from footprint.translog.checkpoint import (CheckpointError, checkpoint_text, key_id, open_note,
                                           parse_checkpoint, sign_checkpoint, sign_note,
                                           verifier_key, verify_checkpoint)
from footprint.translog.entries import (EntryError, decode_entry, revoke_entry,
                                        supersede_entry)
from footprint.translog.log import LogError, TransparencyLog
from footprint.translog.monitor import LogRewritten, verify_log
from footprint.translog.seen import SeenRecord

AT = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)


# -- a migrated database with just enough rows for labels' foreign keys ----------------------

@pytest.fixture
def db(store_db):
    """Each test of the log in the database runs on SQLite and on PostgreSQL."""
    _parents(store_db)
    return store_db


def _parents(db):
    with transaction(db):
        db.execute("INSERT INTO organisations (id, name, kind, created_at) "
                   "VALUES (1, 'Pujiang Orchard Co-op', 'enterprise', 't')")
        db.execute("INSERT INTO users (id, username, display_name, role, org_id, password_hash,"
                   " created_at) VALUES (1, 'orchard', 'Orchard', 'producer', 1, 'x', 't')")
        db.execute("INSERT INTO products (id, org_id, name, category, created_at) "
                   "VALUES (1, 1, 'oranges', 'generic', 't')")


def fake_cose(label_id: str) -> bytes:
    """COSE_Sign1-shaped bytes (the log checks the shape; the label format owns the rest)."""
    return cbor2.dumps(cbor2.CBORTag(18, [b"\xa2\x01\x27\x04\x41\x01", {},
                                          cbor2.dumps({"id": label_id}), bytes(64)]))


def add_label(db, label_id: str, log_index: int) -> bytes:
    """A labels row (and its submission) for ``label_id``; returns its COSE bytes."""
    submission = db.execute(
        "INSERT INTO submissions (product_id, org_id, status, bom_json, created_by, created_at,"
        " updated_at) VALUES (1, 1, 'issued', '{}', 1, 't', 't') RETURNING id").fetchone()[0]
    cose = fake_cose(label_id)
    db.execute("INSERT INTO labels (id, submission_id, product_id, issuer, kid, cose, "
               "claims_json, issued_at, expires_at, log_index) "
               "VALUES (?, ?, 1, 'CN-SC', ?, ?, '{}', 't', 't', ?)",
               [label_id, submission, b"kid", cose, log_index])
    return cose


def issue(db, label_id: str) -> int:
    """What issuing does: the label row and its leaf in one transaction."""
    log = TransparencyLog(db)
    with transaction(db):
        cose = add_label(db, label_id, log.size())
        return log.append("issue", label_id, cose)


def grow(db, count: int, start: int = 0) -> list[str]:
    ids = [f"L{start + i}" for i in range(count)]
    for label_id in ids:
        issue(db, label_id)
    return ids


def restack_subtrees(db):
    """What a thorough forger does after changing leaves: store the subtrees they make."""
    db.execute("DELETE FROM log_nodes")
    leaves = [bytes(r[0]) for r in db.execute("SELECT leaf_hash FROM log_entries ORDER BY idx")]
    db.conn.executemany("INSERT INTO log_nodes (height, i, hash) VALUES (?, ?, ?)",
                        list(merkle.perfect_subtrees(leaves)))


def foreign_keys(db, on: bool) -> None:
    """Foreign keys checked or not, for this connection (PostgreSQL: a replica's session,
    which checks none and runs no trigger)."""
    if dialect(db) == POSTGRESQL:
        db.execute(f"SET session_replication_role = {'origin' if on else 'replica'}")
    else:
        db.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def drop_triggers(db):
    for table in ("log_entries", "log_nodes"):
        if dialect(db) == POSTGRESQL:
            db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            continue
        db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_update")
        db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")


# -- entries ---------------------------------------------------------------------------------

def test_supersede_and_revoke_entries_are_deterministic_cbor():
    entry = supersede_entry("SC-OLD", "SC-NEW", AT)
    assert cbor2.loads(entry) == {"type": "supersede", "label": "SC-OLD", "by": "SC-NEW",
                                  "at": "2025-03-01T08:00:00Z"}
    # keys in deterministic order (shorter first, then bytewise): at, by, type, label
    assert entry.hex() == (
        "a4" "626174" "74" + b"2025-03-01T08:00:00Z".hex() + "626279" "66" + b"SC-NEW".hex()
        + "6474797065" "69" + b"supersede".hex() + "656c6162656c" "66" + b"SC-OLD".hex())
    revoke = revoke_entry("SC-OLD", "数据造假 falsified meter readings",
                          "2025-03-01T16:00:00+08:00")
    assert cbor2.loads(revoke) == {"type": "revoke", "label": "SC-OLD",
                                   "at": "2025-03-01T08:00:00Z",
                                   "reason": "数据造假 falsified meter readings"}
    assert revoke == revoke_entry("SC-OLD", "数据造假 falsified meter readings", AT)
    assert decode_entry("revoke", revoke)["reason"].startswith("数据造假")


def test_malformed_entries_are_refused():
    with pytest.raises(EntryError):
        revoke_entry("L1", "   ", AT)  # a public reason is required
    with pytest.raises(EntryError):
        revoke_entry("L1", "reason", datetime(2025, 3, 1))  # naive time: ambiguous
    with pytest.raises(EntryError):
        supersede_entry("L1", "L1", AT)
    not_canonical = cbor2.dumps({"type": "revoke", "label": "L1", "reason": "r",
                                 "at": "2025-03-01T08:00:00Z"})  # insertion order, not sorted
    with pytest.raises(EntryError, match="deterministic"):
        decode_entry("revoke", not_canonical)
    with pytest.raises(EntryError, match="stored as"):
        decode_entry("supersede", cbor2.dumps(
            {"type": "revoke", "label": "L1", "by": "L2", "at": "2025-03-01T08:00:00Z"},
            canonical=True))
    with pytest.raises(EntryError, match="after the CBOR item"):
        decode_entry("issue", fake_cose("L1") + b"\x00")
    with pytest.raises(EntryError, match="COSE_Sign1"):
        decode_entry("issue", cbor2.dumps(["not", "a", "cose"]))
    assert decode_entry("issue", fake_cose("L1")) == {"type": "issue"}


# -- the log in the database -----------------------------------------------------------------

def test_append_joins_the_callers_transaction_and_rolls_back_with_it(db):
    log = TransparencyLog(db)
    grow(db, 2)
    before = log.root()
    with pytest.raises(RuntimeError):
        with transaction(db):
            cose = add_label(db, "L-doomed", log.size())
            assert log.append("issue", "L-doomed", cose) == 2
            assert log.size() == 3  # visible inside the transaction
            raise RuntimeError("the approval failed after the leaf was written")
    assert log.size() == 2 and log.root() == before
    assert db.execute("SELECT COUNT(*) FROM labels").fetchone()[0] == 2
    assert issue(db, "L-next") == 2  # no gap where the rolled-back leaf was


def test_a_log_without_a_stored_subtree_says_which_in_both_languages(db):
    grow(db, 4)  # leaves 0-3: the one subtree of 2^2 leaves is stored
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_nodes WHERE height = 2 AND i = 0")
    with pytest.raises(LogError) as caught:
        TransparencyLog(db).root(4)
    assert str(caught.value) == "the log's subtree 0 of 2^2 leaves is not stored"
    assert said(caught.value.message, "zh") == "日志中由 2^2 个叶子组成的第 0 号子树未存储"


def test_append_outside_a_transaction_is_refused(db):
    log = TransparencyLog(db)
    with transaction(db):
        add_label(db, "L0", 0)
    with pytest.raises(LogError, match="inside the caller's transaction"):
        log.append("issue", "L0", fake_cose("L0"))
    assert log.size() == 0


def test_indices_are_contiguous_and_entries_are_stored_exactly(db):
    log = TransparencyLog(db)
    assert log.size() == 0 and log.root() == hashlib.sha256(b"").digest()
    assert grow(db, 4) == ["L0", "L1", "L2", "L3"]
    with transaction(db):
        assert log.append("supersede", "L0", supersede_entry("L0", "L3", AT)) == 4
        assert log.append("revoke", "L1", revoke_entry("L1", "forged invoice", AT)) == 5
    assert [r[0] for r in db.execute("SELECT idx FROM log_entries ORDER BY idx")] == \
        list(range(6))
    entry = log.entry(5)
    assert entry["kind"] == "revoke" and entry["label_id"] == "L1"
    assert entry["entry"] == revoke_entry("L1", "forged invoice", AT)
    assert entry["leaf_hash"] == hashlib.sha256(b"\x00" + entry["entry"]).digest()
    assert log.entry(0)["entry"] == fake_cose("L0")
    assert [e["kind"] for e in log.entries_for("L0")] == ["issue", "supersede"]
    with pytest.raises(NotFound):
        log.entry(6)


def test_append_checks_the_entry_against_its_kind_and_label(db):
    log = TransparencyLog(db)
    grow(db, 2)
    with transaction(db):
        with pytest.raises(LogError, match="names label 'L0', not 'L1'"):
            log.append("revoke", "L1", revoke_entry("L0", "reason", AT))
        with pytest.raises(EntryError):
            log.append("revoke", "L1", b"not cbor at all \xff")
        with pytest.raises(LogError, match="unknown entry kind"):
            log.append("delete", "L1", fake_cose("L1"))
    assert log.size() == 2


def test_the_triggers_refuse_update_and_delete(db):
    grow(db, 2)
    with pytest.raises(database_errors(), match="append-only"):
        with transaction(db):
            db.execute("UPDATE log_entries SET entry = ? WHERE idx = 0", [b"other"])
    with pytest.raises(database_errors(), match="append-only"):
        with transaction(db):
            db.execute("DELETE FROM log_entries WHERE idx = 1")
    assert TransparencyLog(db).entry(0)["entry"] == fake_cose("L0")
    assert TransparencyLog(db).size() == 2


def test_proofs_from_the_database_agree_with_the_pure_functions(db):
    log = TransparencyLog(db)
    grow(db, 11)
    leaves = [merkle.leaf_hash(fake_cose(f"L{i}")) for i in range(11)]
    assert log.leaf_hashes() == leaves
    for size in range(1, 12):
        top = merkle.root(leaves[:size])
        assert log.root(size) == top
        for index in range(size):
            proof = log.inclusion(index, size)
            assert proof == {"leaf_index": index, "tree_size": size, "leaf_hash": leaves[index],
                             "root": top, "proof": merkle.inclusion_proof(index, leaves[:size])}
            assert merkle.verify_inclusion(index, size, proof["leaf_hash"], proof["proof"], top)
        for old in range(1, size + 1):
            cproof = log.consistency(old, size)
            assert cproof == merkle.consistency_proof(old, leaves[:size])
            assert merkle.verify_consistency(old, size, log.root(old), top, cproof)
    body = log.inclusion_json(3)  # what GET /api/v1/labels/<id>/proof returns
    assert set(body) == {"leaf_index", "tree_size", "leaf_hash", "root", "proof"}
    assert merkle.verify_inclusion(body["leaf_index"], body["tree_size"],
                                   base64.b64decode(body["leaf_hash"]),
                                   [base64.b64decode(p) for p in body["proof"]],
                                   base64.b64decode(body["root"]))
    consistency = log.consistency_json(4)
    assert merkle.verify_consistency(4, 11, base64.b64decode(consistency["old_root"]),
                                     base64.b64decode(consistency["new_root"]),
                                     [base64.b64decode(p) for p in consistency["proof"]])


def test_proof_requests_out_of_range(db):
    log = TransparencyLog(db)
    grow(db, 3)
    with pytest.raises(NotFound):
        log.inclusion(3)
    with pytest.raises(InvalidInput):
        log.inclusion(0, 4)  # beyond the log
    with pytest.raises(InvalidInput):
        log.consistency(0)  # from the empty tree
    with pytest.raises(InvalidInput):
        log.consistency(3, 2)


# -- checkpoints -----------------------------------------------------------------------------

# golang.org/x/mod/sumdb/note's example key and note: an independent implementation's output
GO_SKEY_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUg"
                     "YN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def raw_public(private_key) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_key_id_is_the_signed_note_derivation(key):
    expected = hashlib.sha256("footprint.example/CN-SC".encode() + bytes([0x0A, 0x01])
                              + raw_public(key)).digest()[:4]
    assert key_id("footprint.example/CN-SC", key.public_key()) == expected
    assert key_id("footprint.example/CN-SC", raw_public(key)) == expected
    assert key_id("footprint.example/CN-CQ", key.public_key()) != expected
    go_key = Ed25519PrivateKey.from_private_bytes(GO_SKEY_SEED)
    assert key_id("PeterNeumann", go_key.public_key()).hex() == "c74f20a3"
    assert verifier_key("PeterNeumann", go_key.public_key()) == GO_VKEY


def test_notes_match_go_sumdb_note_byte_for_byte():
    go_key = Ed25519PrivateKey.from_private_bytes(GO_SKEY_SEED)
    assert sign_note(GO_TEXT, "PeterNeumann", go_key) == GO_NOTE  # Ed25519 is deterministic
    assert open_note(GO_NOTE, "PeterNeumann", go_key.public_key()) == GO_TEXT
    with pytest.raises(CheckpointError, match="does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), "PeterNeumann",
                  go_key.public_key())


def test_a_checkpoint_by_hand(key):
    root = hashlib.sha256(b"").digest()
    text = b"example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    blob = base64.b64encode(key_id("example.org/log", key) + key.sign(text))
    handmade = ("example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n"
                f"\u2014 example.org/log {blob.decode()}\n")
    assert sign_checkpoint("example.org/log", 0, root, "example.org/log", key) == handmade
    assert verify_checkpoint(handmade, "example.org/log", key.public_key()) == (0, root)
    parsed = parse_checkpoint(handmade)
    assert (parsed.origin, parsed.size, parsed.root, parsed.extensions) == \
        ("example.org/log", 0, root, ())
    assert parsed.signatures[0].key_id == key_id("example.org/log", key)


def test_checkpoint_tampering_and_malformation_are_rejected(key):
    root = merkle.root([merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")])
    note = sign_checkpoint("footprint.example/CN-SC", 2, root, "CN-SC", key)
    public = key.public_key()
    assert verify_checkpoint(note, "CN-SC", public, origin="footprint.example/CN-SC") == (2, root)
    text, signature_line = note.split("\n\n")
    cases = {
        "the size changed": note.replace("\n2\n", "\n3\n"),
        "the root changed": note.replace(base64.b64encode(root).decode(),
                                         base64.b64encode(bytes(32)).decode()),
        "the origin changed": note.replace("CN-SC\n", "CN-CQ\n", 1),
        "no signature": text + "\n",
        "no blank line": text + "\n" + signature_line,
        "a hyphen for the em dash": note.replace("\u2014", "-"),
        "a leading-zero size": sign_note("footprint.example/CN-SC\n02\n"
                                         + base64.b64encode(root).decode() + "\n", "CN-SC", key),
        "a 31-byte root": sign_note("footprint.example/CN-SC\n2\n"
                                    + base64.b64encode(root[:31]).decode() + "\n", "CN-SC", key),
        "two lines only": sign_note("footprint.example/CN-SC\n2\n", "CN-SC", key),
        "a control character": note.replace("CN-SC\n", "CN-SC\r\n", 1),
        "no final newline": note[:-1],
        "base64 padding dropped": note.replace("=\n", "\n"),
        "a truncated signature": note[:-20] + "\n",
        "a bit flipped in the signature": note[:-6] + ("A" if note[-6] != "A" else "B") + note[-5:],
    }
    for what, bad in cases.items():
        with pytest.raises(CheckpointError):
            verify_checkpoint(bad, "CN-SC", public)
            pytest.fail(what)
    with pytest.raises(CheckpointError, match="from log 'footprint.example/CN-SC'"):
        verify_checkpoint(note, "CN-SC", public, origin="footprint.example/CN-CQ")
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    with pytest.raises(CheckpointError, match="unknown key"):
        verify_checkpoint(note, "CN-SC", other.public_key())  # same name, another key ID
    with pytest.raises(CheckpointError, match="not signed by CN-CQ"):
        verify_checkpoint(note, "CN-CQ", public)


def test_other_signatures_are_ignored_but_a_bad_known_one_rejects(key):
    root = merkle.leaf_hash(b"a")
    note = sign_checkpoint("footprint.example/CN-SC", 1, root, "CN-SC", key)
    witness = Ed25519PrivateKey.from_private_bytes(bytes(32))
    cosigned = note + sign_note(checkpoint_text("footprint.example/CN-SC", 1, root),
                                "witness.example", witness).split("\n\n")[1]
    assert verify_checkpoint(cosigned, "CN-SC", key.public_key()) == (1, root)
    assert verify_checkpoint(cosigned, "witness.example", witness.public_key()) == (1, root)
    kid = key_id("CN-SC", key)
    forged = cosigned + f"\u2014 CN-SC {base64.b64encode(kid + bytes(64)).decode()}\n"
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(forged, "CN-SC", key.public_key())


def test_the_roots_at_many_sizes_come_from_one_pass():
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(70)]
    roots = merkle.roots_at(leaves, [*range(71), 71, -1, True, 3])
    assert sorted(roots) == list(range(71))  # sizes the leaves cannot have are left out
    assert all(roots[n] == merkle.root(leaves[:n]) for n in range(71))
    assert roots[0] == merkle.EMPTY_ROOT and merkle.roots_at(leaves, []) == {}


# -- the monitor -----------------------------------------------------------------------------

@pytest.fixture
def record(tmp_path):
    """The monitor's record of checkpoints seen, outside the database."""
    return SeenRecord(tmp_path / "home" / "log" / "checkpoints-seen", create_folder=True)


def last_seen(record):
    return max(record.read(), key=lambda seen: seen.size)


def test_the_monitor_passes_on_honest_growth_and_remembers(db, key, record):
    first = verify_log(db, seen=[record])
    assert first.size == 0 and first.previous is None and first.recorded
    grow(db, 3)
    second = verify_log(db, signer=("CN-SC", key), origin="footprint.example/CN-SC",
                        seen=[record])
    assert second.size == 3 and second.previous["size"] == 0 and second.kinds == {"issue": 3}
    assert verify_checkpoint(second.note, "CN-SC", key.public_key()) == \
        (3, TransparencyLog(db).root())
    grow(db, 4, start=3)
    with transaction(db):  # what revoking does: the row's columns and the leaf together
        db.execute("UPDATE labels SET revoked_at = ?, revocation_reason = ? WHERE id = 'L2'",
                   [AT.isoformat(), "double counting"])
        TransparencyLog(db).append("revoke", "L2", revoke_entry("L2", "double counting", AT))
    third = verify_log(db, seen=[record])
    assert third.size == 8 and third.previous["size"] == 3
    assert third.kinds == {"issue": 7, "revoke": 1}
    assert [seen.size for seen in record.read()] == [0, 3, 8]
    assert last_seen(record).root == TransparencyLog(db).root()
    again = verify_log(db, record=False, seen=[record])
    assert again.previous["size"] == 8 and not again.recorded


def test_the_monitor_detects_an_entry_changed_underneath(db, record):
    grow(db, 5)
    verify_log(db, seen=[record])
    drop_triggers(db)
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ? WHERE idx = 2", [fake_cose("L-forged")])
    with pytest.raises(LogRewritten) as caught:
        verify_log(db, seen=[record])
    message = str(caught.value)
    assert "entry 2 was rewritten" in message
    assert "differ from the label's stored COSE_Sign1" in message
    assert "history was rewritten (a fork)" in message
    # each problem a Message, said in Chinese too: 第 2 条被改写, on its own line
    chinese = said(caught.value.message, "zh").splitlines()
    assert chinese[0] == f"透明日志未通过核验（{len(caught.value.problems)} 个问题）："
    assert chinese[1].startswith("  - 第 2 条被改写：其内容的哈希为 ")
    assert last_seen(record).size == 5  # nothing recorded


def test_the_monitor_detects_a_rewrite_with_a_matching_leaf_hash(db, record):
    """The entry and its leaf hash changed together (and the label too): only the checkpoint
    seen before shows it."""
    grow(db, 4)
    verify_log(db, seen=[record])
    drop_triggers(db)
    forged = fake_cose("L-forged")
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 1",
                   [forged, merkle.leaf_hash(forged)])
        db.execute("UPDATE labels SET cose = ? WHERE id = 'L1'", [forged])
        restack_subtrees(db)
    with pytest.raises(LogRewritten) as caught:
        verify_log(db, seen=[record])
    assert caught.value.problems == [caught.value.problems[0]]
    assert "the first 4 entries no longer have the root" in caught.value.problems[0]


def test_the_monitor_detects_a_forked_history(db, record):
    """Entries after the seen checkpoint's first two removed and replaced, the log grown past
    the checkpoint: every leaf hash is right, the history is not."""
    grow(db, 4)
    seen = verify_log(db, seen=[record])
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx >= 2")
        # and the stored subtrees over them: (i + 1) * 2**height leaves reach past leaf 1
        db.execute("DELETE FROM log_nodes WHERE (i + 1) << CAST(height AS INTEGER) > 2")
        log = TransparencyLog(db)
        log.append("revoke", "L0", revoke_entry("L0", "rewritten history", AT))
        log.append("issue", "L3", fake_cose("L3"))
        log.append("issue", "L2", fake_cose("L2"))
    with pytest.raises(LogRewritten) as caught:
        verify_log(db, seen=[record])
    problems = "\n".join(caught.value.problems)
    assert f"the first 4 entries no longer have the root " \
           f"{base64.b64encode(seen.root).decode()}" in problems


def test_the_monitor_detects_removed_entries_and_gaps(db, record):
    grow(db, 4)
    verify_log(db, seen=[record])
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx = 3")
        db.execute("DELETE FROM labels WHERE id = 'L3'")
    with pytest.raises(LogRewritten, match="the log has 3 entries but a checkpoint of size 4"):
        verify_log(db, seen=[record])
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx = 1")
    with pytest.raises(LogRewritten, match="leaf 1 is missing"):
        verify_log(db, seen=[record])


def test_the_monitor_detects_a_label_missing_from_the_log(db, record):
    grow(db, 2)
    with transaction(db):
        add_label(db, "L-unlogged", 2)
    with pytest.raises(LogRewritten, match="'L-unlogged' is stored but its issuance is not"):
        verify_log(db, seen=[record])


# -- the monitor holds the labels table to the log -------------------------------------------

def revoke_label(db, label_id: str, reason: str, at=AT) -> int:
    """What revoking does: the row's columns and the revoke leaf together."""
    with transaction(db):
        db.execute("UPDATE labels SET revoked_at = ?, revocation_reason = ? WHERE id = ?",
                   [at.isoformat(), reason, label_id])
        return TransparencyLog(db).append("revoke", label_id, revoke_entry(label_id, reason, at))


def supersede_label(db, old: str, new: str) -> int:
    """What a second approval does: the new label and its issue leaf, the old row pointed at
    it, the supersede leaf."""
    log = TransparencyLog(db)
    with transaction(db):
        defer_foreign_keys(db)
        db.execute("UPDATE labels SET superseded_by = ? WHERE id = ?", [new, old])
        cose = add_label(db, new, log.size())
        log.append("issue", new, cose)
        return log.append("supersede", old, supersede_entry(old, new, AT))


def problems_of(db, record) -> list[str]:
    with pytest.raises(LogRewritten) as caught:
        verify_log(db, seen=[record])
    return caught.value.problems


def test_the_monitor_holds_the_labels_columns_to_the_log(db, record):
    grow(db, 3)                                              # leaves 0, 1, 2
    revoked = revoke_label(db, "L1", "double counting")      # leaf 3
    superseded = supersede_label(db, "L0", "L3")             # leaves 4 (issue L3), 5
    report = verify_log(db, seen=[record])
    assert report.size == 6 and report.labels == 4

    def tampered(sql: str, params: list, undo: str, undo_params: list) -> list[str]:
        with transaction(db):
            db.execute(sql, params)
        found = problems_of(db, record)
        with transaction(db):
            db.execute(undo, undo_params)
        assert verify_log(db, record=False, seen=[record]).size == 6  # the undo heals it
        return found

    # a revocation cleared by hand
    assert tampered("UPDATE labels SET revoked_at = NULL, revocation_reason = NULL "
                    "WHERE id = 'L1'", [],
                    "UPDATE labels SET revoked_at = ?, revocation_reason = ? WHERE id = 'L1'",
                    [AT.isoformat(), "double counting"]) == [
        f"label 'L1' disagrees with the log: revoked_at is empty but the log revoked it at "
        f"2025-03-01T08:00:00+00:00 (entry {revoked})",
        f"label 'L1' disagrees with the log: revocation_reason is None but the logged reason "
        f"is 'double counting' (entry {revoked})"]
    # a revocation the log does not have
    assert tampered("UPDATE labels SET revoked_at = ?, revocation_reason = 'made up' "
                    "WHERE id = 'L2'", [AT.isoformat()],
                    "UPDATE labels SET revoked_at = NULL, revocation_reason = NULL "
                    "WHERE id = 'L2'", []) == [
        "label 'L2' disagrees with the log: revoked_at is '2025-03-01T08:00:00+00:00' but the "
        "log has no revoke entry for it: the log says it is not revoked"]
    # another reason, another time
    assert tampered("UPDATE labels SET revocation_reason = 'clerical error', revoked_at = ? "
                    "WHERE id = 'L1'", ["2025-03-02T08:00:00+00:00"],
                    "UPDATE labels SET revoked_at = ?, revocation_reason = ? WHERE id = 'L1'",
                    [AT.isoformat(), "double counting"]) == [
        f"label 'L1' disagrees with the log: revoked_at is '2025-03-02T08:00:00+00:00' but "
        f"the log revoked it at 2025-03-01T08:00:00+00:00 (entry {revoked})",
        f"label 'L1' disagrees with the log: revocation_reason is 'clerical error' but the "
        f"logged reason is 'double counting' (entry {revoked})"]
    # a supersession cleared, or pointed elsewhere
    assert tampered("UPDATE labels SET superseded_by = NULL WHERE id = 'L0'", [],
                    "UPDATE labels SET superseded_by = 'L3' WHERE id = 'L0'", []) == [
        f"label 'L0' disagrees with the log: superseded_by is None but the log says "
        f"superseded by 'L3' (entry {superseded})"]
    assert tampered("UPDATE labels SET superseded_by = 'L2' WHERE id = 'L0'", [],
                    "UPDATE labels SET superseded_by = 'L3' WHERE id = 'L0'", []) == [
        f"label 'L0' disagrees with the log: superseded_by is 'L2' but the log says "
        f"superseded by 'L3' (entry {superseded})"]
    assert tampered("UPDATE labels SET superseded_by = 'L0' WHERE id = 'L3'", [],
                    "UPDATE labels SET superseded_by = NULL WHERE id = 'L3'", []) == [
        "label 'L3' disagrees with the log: superseded_by is 'L0' but the log has no "
        "supersede entry for it"]
    # the row's place in the log
    assert tampered("UPDATE labels SET log_index = 2 WHERE id = 'L1'", [],
                    "UPDATE labels SET log_index = 1 WHERE id = 'L1'", []) == [
        "label 'L1' disagrees with the log: log_index is 2 but its issue leaf is entry 1"]


def test_the_monitor_reports_leaves_of_labels_it_does_not_hold_and_repeats(db, record):
    grow(db, 2)
    foreign_keys(db, False)  # what someone editing the database by hand can do
    log = TransparencyLog(db)
    with transaction(db):
        log.append("revoke", "L-gone", revoke_entry("L-gone", "never issued", AT))      # 2
        log.append("supersede", "L0", supersede_entry("L0", "L-nowhere", AT))          # 3
        db.execute("UPDATE labels SET superseded_by = 'L1' WHERE id = 'L0'")
    revoke_label(db, "L1", "first")                                                   # 4
    with transaction(db):
        log.append("revoke", "L1", revoke_entry("L1", "second", AT))                  # 5
    foreign_keys(db, True)
    assert problems_of(db, record) == [
        "entry 2 (revoke) names label 'L-gone', which is not stored",
        "entry 3 says label 'L0' was superseded by 'L-nowhere', which is not stored",
        "label 'L0' disagrees with the log: superseded_by is 'L1' but the log says "
        "superseded by 'L-nowhere' (entry 3)",
        "label 'L1': entry 5 revokes it again (first at entry 4)"]


# -- the record of checkpoints seen lives outside the database --------------------------------

def test_deleting_the_last_leaf_and_the_table_of_checkpoints_seen_is_caught(db, record):
    grow(db, 3)
    seen = verify_log(db, seen=[record])
    assert record.path.is_file() and [s.size for s in record.read()] == [3]
    with transaction(db):  # what the monitor kept in the database before it moved out
        db.execute("INSERT INTO log_checkpoints_seen (size, root, note, seen_at) "
                   "VALUES (3, ?, ?, 't')", [seen.root, seen.note])
    drop_triggers(db)
    with transaction(db):  # the last label, its leaf and every trace of having seen it
        db.execute("DELETE FROM log_entries WHERE idx = 2")
        db.execute("DELETE FROM labels WHERE id = 'L2'")
        db.execute("DROP TABLE log_checkpoints_seen")
    problems = problems_of(db, record)
    assert problems == [
        f"the log has 2 entries but a checkpoint of size 3 was seen on "
        f"{record.read()[0].seen_at} (recorded in {record.path}): entries were removed"]
    assert verify_log(db, record=False).size == 2  # the database alone cannot tell


def test_a_witness_elsewhere_remembers_when_the_home_record_is_gone(db, record, tmp_path):
    elsewhere = tmp_path / "other-disk"
    elsewhere.mkdir()
    witness = SeenRecord.witness(elsewhere)  # a directory: the record is a file inside it
    assert witness.path == elsewhere / "checkpoints-seen"
    grow(db, 2)
    report = verify_log(db, seen=[record, witness])
    assert [(r.path, r.size_before, r.added) for r in report.records] == \
        [(str(record.path), None, 1), (str(witness.path), None, 1)]
    grow(db, 1, start=2)
    verify_log(db, seen=[record, witness])
    assert [s.size for s in witness.read()] == [2, 3] == [s.size for s in record.read()]
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx = 2")
        db.execute("DELETE FROM labels WHERE id = 'L2'")
    record.path.unlink()  # whoever could edit the database could delete this file too
    with pytest.raises(LogRewritten, match=rf"size 3 was seen on .* \(recorded in "
                                           rf"{re.escape(str(witness.path))}\): entries were "
                                           rf"removed"):
        verify_log(db, seen=[record, witness])
    assert not record.path.exists()  # nothing recorded on failure
    # a witness given as a file that does not exist yet starts a record there
    file_witness = SeenRecord.witness(elsewhere / "sc-log.seen")
    assert file_witness.path == elsewhere / "sc-log.seen" and file_witness.read() == []


def test_a_witness_whose_folder_is_missing_is_refused(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        SeenRecord.witness(tmp_path / "not-mounted" / "checkpoints-seen")
    assert caught.value.problems[0].where == "--witness"
    assert "not-mounted is not a directory" in caught.value.problems[0].message
    assert said(caught.value.problems[0].message, "zh") == (
        f"{tmp_path / 'not-mounted'} 不是目录：请给出已有目录中的文件，或一个目录（磁盘是否已挂载？）")
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-folder" / "checkpoints-seen").mkdir()
    with pytest.raises(InvalidInput, match="is not a file") as caught:
        SeenRecord.witness(tmp_path / "a-folder")
    assert said(caught.value.problems[0].message, "zh") == \
        f"{tmp_path / 'a-folder' / 'checkpoints-seen'} 不是文件"


def test_the_record_of_checkpoints_seen_only_grows_and_says_where_it_is_broken(db, record):
    grow(db, 2)
    verify_log(db, seen=[record])
    grow(db, 1, start=2)
    verify_log(db, seen=[record])
    text = record.path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# checkpoints of the transparency log seen by")
    first, second = (json.loads(line) for line in lines[1:])
    assert (first["size"], second["size"]) == (2, 3)
    assert base64.b64decode(second["root"]) == TransparencyLog(db).root()
    assert second["checkpoint"] == checkpoint_text("unsigned", 3, TransparencyLog(db).root())
    grow(db, 1, start=3)
    verify_log(db, seen=[record])
    assert record.path.read_text(encoding="utf-8").startswith(text)  # appended, not rewritten
    assert sorted(p.name for p in record.path.parent.iterdir()) == \
        [".checkpoints-seen.lock", "checkpoints-seen"]  # no temporary file left behind

    good = record.path.read_text(encoding="utf-8")
    record.path.write_text(good + '{"size": 9, "root": "not base64"}\n', encoding="utf-8")
    problems = problems_of(db, record)
    assert problems == [f"the record of checkpoints seen cannot be read: {record.path} line 5: "
                        f"a checkpoint seen is an object of exactly size, root, seen_at and "
                        f"checkpoint"]
    record.path.write_text(good[:-10], encoding="utf-8")
    assert "line 4: not a JSON object" in problems_of(db, record)[0]
    record.path.write_text(good, encoding="utf-8")
    assert verify_log(db, seen=[record]).size == 4


def test_an_upgrade_moves_the_checkpoints_seen_out_of_the_database(tmp_path, monkeypatch):
    """A database the monitor used before: migrations 1 to 5, checkpoints seen in its table."""
    from footprint.store import migrations
    database = connect(tmp_path / "old.db")
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
    migrate(database)
    monkeypatch.undo()
    _parents(database)
    # leaves as the code of then appended them: before migration 21 no subtrees were stored
    monkeypatch.setattr(TransparencyLog, "_closed_by", lambda self, index, leaf: [])
    monkeypatch.setattr(TransparencyLog, "root",
                        lambda self, size=None: merkle.root(self.leaf_hashes(size)))
    grow(database, 2)
    log = TransparencyLog(database)
    with transaction(database):
        for size in (0, 2):
            database.execute("INSERT INTO log_checkpoints_seen (size, root, note, seen_at) "
                             "VALUES (?, ?, ?, ?)",
                             [size, log.root(size), checkpoint_text("unsigned", size,
                                                                    log.root(size)),
                              f"2025-03-0{size + 1}T08:00:00+00:00"])
    grow(database, 2, start=2)
    monkeypatch.undo()
    assert migrate(database)[:2] == [(6, "log lookups by label"), (7, "supplier label inputs")]
    indexes = {row[0] for row in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"log_entries_label", "log_entries_kind", "labels_of_submission"} <= indexes

    record = SeenRecord.in_home(tmp_path / "home")
    assert not record.path.parent.exists()
    report = verify_log(database, seen=[record])  # the first run after the upgrade
    assert report.previous == {"size": 2, "root": log.root(2),
                               "seen_at": "2025-03-03T08:00:00+00:00"}
    assert [(s.size, s.seen_at) for s in record.read()][:2] == \
        [(0, "2025-03-01T08:00:00+00:00"), (2, "2025-03-03T08:00:00+00:00")]
    assert [s.size for s in record.read()] == [0, 2, 4]
    again = verify_log(database, seen=[record])
    assert again.records[0].added == 0  # imported once: nothing is added twice

    drop_triggers(database)
    with transaction(database):
        database.execute("DELETE FROM log_entries WHERE idx >= 1")
        database.execute("DELETE FROM labels WHERE id IN ('L1', 'L2', 'L3')")
        database.execute("DELETE FROM log_checkpoints_seen")
    with pytest.raises(LogRewritten, match=r"the log has 1 entries but a checkpoint of size 4"):
        verify_log(database, seen=[record])


# -- the command line ------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    database = connect(database_path(home))
    migrate(database)
    _parents(database)
    return home, database


@pytest.fixture
def commands():
    """Where the log's commands find the issuer key that signs checkpoints."""
    from footprint.usecases import transparency
    return transparency


def run(*args):
    from cli.main import cli
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, ["log", *args])


def test_cli_log_verify(home, monkeypatch, commands):
    monkeypatch.setattr(commands, "checkpoint_signer", lambda home: None)
    _, database = home
    grow(database, 3)
    result = run("verify")
    assert result.exit_code == 0, result.stderr
    assert "log verified: 3 entries (3 issue)" in result.stdout
    assert "no checkpoint seen before" in result.stdout
    assert "checkpoint not signed" in result.stdout
    grow(database, 2, start=3)
    result = run("verify", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tree_size"] == 5 and report["previous"]["size"] == 3
    drop_triggers(database)
    with transaction(database):
        database.execute("UPDATE log_entries SET entry = ? WHERE idx = 4", [fake_cose("X")])
    result = run("verify")
    assert result.exit_code == 1
    assert "entry 4 was rewritten" in result.stderr


def test_cli_log_verify_remembers_outside_the_database_and_in_a_witness(home, monkeypatch,
                                                                       commands, tmp_path):
    monkeypatch.setattr(commands, "checkpoint_signer", lambda home: None)
    folder, database = home
    mount = tmp_path / "mnt" / "footprint-witness"
    mount.mkdir(parents=True)
    grow(database, 3)
    result = run("verify", "--witness", str(mount))
    assert result.exit_code == 0, result.stderr
    assert f"checkpoints seen in {folder / 'log' / 'checkpoints-seen'}: nothing yet, " \
           f"1 checkpoint(s) added" in result.stdout
    assert f"checkpoints seen in {mount / 'checkpoints-seen'}: nothing yet, 1 checkpoint(s) " \
           f"added" in result.stdout
    assert "labels: 3, each row as its leaves say (superseded, revoked)" in result.stdout
    grow(database, 1, start=3)
    report = json.loads(run("verify", "--json").stdout)  # the witness was not given this time
    assert report["previous"]["size"] == 3 and report["labels"] == 4
    assert report["records"] == [{"path": str(folder / "log" / "checkpoints-seen"),
                                  "size_before": 3, "added": 1}]
    result = run("verify", "--witness", str(mount), "--no-record")
    assert result.exit_code == 0, result.stderr
    assert f"{mount / 'checkpoints-seen'}: up to size 3" in result.stdout
    result = run("verify", "--witness", str(mount))  # the witness learns the last one
    assert f"{mount / 'checkpoints-seen'}: up to size 3, 1 checkpoint(s) added" in result.stdout

    drop_triggers(database)
    with transaction(database):  # the last label and its leaf, gone
        database.execute("DELETE FROM log_entries WHERE idx = 3")
        database.execute("DELETE FROM labels WHERE id = 'L3'")
        restack_subtrees(database)
    result = run("verify")
    assert result.exit_code == 1 and result.stdout == ""
    assert "the log has 3 entries but a checkpoint of size 4 was seen" in result.stderr
    (folder / "log" / "checkpoints-seen").unlink()  # and the home's record with it
    assert run("verify", "--no-record").exit_code == 0  # the home alone no longer knows
    result = run("verify", "--witness", str(mount))
    assert result.exit_code == 1, result.stdout
    assert "a checkpoint of size 4 was seen on" in result.stderr
    assert f"(recorded in {mount / 'checkpoints-seen'}): entries were removed" in result.stderr
    result = run("verify", "--witness", str(tmp_path / "unmounted" / "seen"))
    assert result.exit_code == 2
    assert "--witness" in result.stderr and "is not a directory" in result.stderr


def test_cli_log_checkpoint_signs_with_the_issuer_key(home, monkeypatch, key, commands):
    _, database = home
    grow(database, 2)
    monkeypatch.setattr(commands, "checkpoint_signer", lambda home: ("CN-SC", key))
    result = run("checkpoint", "--origin", "footprint.example/CN-SC")
    assert result.exit_code == 0, result.stderr
    size, root = verify_checkpoint(result.stdout, "CN-SC", key.public_key(),
                                   origin="footprint.example/CN-SC")
    assert (size, root) == (2, TransparencyLog(database).root())
    monkeypatch.setattr(commands, "checkpoint_signer", lambda home: None)
    result = run("checkpoint")
    assert result.exit_code == 1 and result.stdout == ""
    assert "cannot sign a checkpoint" in result.stderr and "tree size 2" in result.stderr


def test_cli_log_proofs(home):
    _, database = home
    grow(database, 5)
    result = run("proof", "3")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body == TransparencyLog(database).inclusion_json(3)
    assert run("proof", "5").exit_code == 2  # no leaf 5: bad input
    result = run("consistency", "2", "5")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert merkle.verify_consistency(2, 5, base64.b64decode(body["old_root"]),
                                     base64.b64decode(body["new_root"]),
                                     [base64.b64decode(p) for p in body["proof"]])
    assert run("consistency", "0").exit_code == 2


# -- docs/transparency-log.md: its examples are real ----------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "transparency-log.md"


def test_the_documented_examples_verify():
    text = DOC.read_text(encoding="utf-8")
    note = re.search(r"```checkpoint\n(.*?)```", text, re.S).group(1)
    public = base64.b64decode(re.search(r"Public key \(raw, base64\): `([^`]+)`", text).group(1))
    size, root = verify_checkpoint(note, "footprint.example/CN-SC", public,
                                   origin="footprint.example/CN-SC")
    assert size == 8 and root.hex().startswith("5dc9da79")
    assert Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw) == public
    inclusion, consistency = [json.loads(block) for block in
                              re.findall(r"```json\n(.*?)```", text, re.S)]
    d = base64.b64decode
    assert d(inclusion["root"]) == root == d(consistency["new_root"])
    assert merkle.verify_inclusion(inclusion["leaf_index"], inclusion["tree_size"],
                                   d(inclusion["leaf_hash"]),
                                   [d(p) for p in inclusion["proof"]], root)
    assert merkle.verify_consistency(consistency["old_size"], consistency["new_size"],
                                     d(consistency["old_root"]), root,
                                     [d(p) for p in consistency["proof"]])
    entries = re.findall(r"\n(\w+_entry\(.*?\))\n(a4.*?)(?=\n\n|\n```)", text, re.S)
    assert len(entries) == 2
    calls = {"supersede_entry": lambda *a: supersede_entry(*a, AT),
             "revoke_entry": lambda *a: revoke_entry(*a, AT)}
    for call, hex_text in entries:
        name, args = call.split("(", 1)
        arguments = [a.strip().strip('"') for a in args.rstrip(")").split(",")[:-1]]
        assert calls[name](*arguments).hex() == "".join(hex_text.split()), call


# -- records: decisions that are not labels ---------------------------------------------------

def test_a_record_entry_by_hand():
    from footprint.translog.entries import record_entry
    document = b'{"decision": "LP-1"}'
    entry = record_entry("loan-pricing", "LP-1", document, AT)
    # the map as deterministic CBOR: keys by their encoded bytes (length first, then bytes):
    # "at" (62 6174), "id" (62 6964), "of" (62 6f66), "type" (64 74797065),
    # "sha256" (66 736861323536)
    digest = hashlib.sha256(document).hexdigest()
    expected = (bytes.fromhex("a5") + bytes.fromhex("626174") + bytes([0x74]) +
                b"2025-03-01T08:00:00Z" + bytes.fromhex("626964") + bytes([0x64]) + b"LP-1"
                + bytes.fromhex("626f66") + bytes([0x6c]) + b"loan-pricing"
                + bytes.fromhex("6474797065") + bytes([0x66]) + b"record"
                + bytes.fromhex("66736861323536") + bytes.fromhex("7840") + digest.encode())
    assert entry == expected
    assert decode_entry("record", entry)["sha256"] == digest
    with pytest.raises(EntryError, match="unknown record"):
        record_entry("horoscope", "X", document, AT)
    with pytest.raises(EntryError, match="signed document"):
        record_entry("loan-pricing", "LP-1", b"", AT)


def test_records_are_filed_under_no_label_and_the_monitor_checks_them(db, record):
    from footprint.translog.entries import record_entry
    grow(db, 2)
    log = TransparencyLog(db)
    entry = record_entry("loan-pricing", "LP-1", b"signed decision", AT)
    with transaction(db):
        with pytest.raises(LogError, match="no label"):
            log.append("record", "L0", entry)
        index = log.append("record", None, entry)
    assert index == 2
    report = verify_log(db, seen=[record])
    assert report.kinds == {"issue": 2, "record": 1}
    drop_triggers(db)
    forged = record_entry("loan-pricing", "LP-1", b"another decision", AT)
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ? WHERE idx = 2", [forged])
    with pytest.raises(LogRewritten, match="entry 2 was rewritten"):
        verify_log(db, seen=[record])


# -- proofs from the stored subtrees ------------------------------------------------------------

def test_stored_subtrees_give_the_pure_functions_proofs_at_every_size(db):
    grow(db, 37)
    log = TransparencyLog(db)
    leaves = log.leaf_hashes()
    for size in range(1, 38):
        assert log.root(size) == merkle.root(leaves[:size])
        for index in range(size):
            assert log.inclusion(index, size)["proof"] == \
                merkle.inclusion_proof(index, leaves[:size])
        for old in range(1, size + 1):
            assert log.consistency(old, size) == merkle.consistency_proof(old, leaves[:size])


def test_a_proof_reads_logarithmically_many_hashes(db, monkeypatch):
    """The hashes read for an inclusion proof of the last leaf (the most ragged path) as the
    log doubles: at most a constant number more each time, never in proportion to n."""
    from footprint.store import log as stored
    reads = []
    real = stored.nodes_many

    def counted(database, wanted):
        wanted = list(wanted)
        reads.extend(wanted)
        return real(database, wanted)

    grown, counts = 0, {}
    for size in (16, 32, 64, 128, 256, 512, 1023):
        grow(db, size - grown, start=grown)
        grown = size
        monkeypatch.setattr(stored, "nodes_many", counted)
        reads.clear()
        log = TransparencyLog(db)
        proof = log.inclusion(size - 1, size)
        counts[size] = len(set(reads))
        monkeypatch.setattr(stored, "nodes_many", real)
        assert merkle.verify_inclusion(size - 1, size, proof["leaf_hash"], proof["proof"],
                                       proof["root"])
    # a perfect tree of 2**k leaves: the leaf, its k siblings and the root: k + 2 hashes
    assert counts[16] == 4 + 2 and counts[512] == 9 + 2
    # 1023 = 2**10 - 1 leaves, every level ragged: still under 4 log2(n)
    assert counts[1023] <= 4 * 10
    assert all(counts[b] - counts[a] <= 4 for a, b in zip(counts, list(counts)[1:]))


def test_the_monitor_detects_a_changed_or_missing_subtree(db, record):
    grow(db, 8)
    verify_log(db, seen=[record])
    drop_triggers(db)
    with transaction(db):
        db.execute("UPDATE log_nodes SET hash = ? WHERE height = 2 AND i = 1", [bytes(32)])
    with pytest.raises(LogRewritten, match="the stored subtree 1 of 2\\^2 leaves was changed"):
        verify_log(db, seen=[record])
    with transaction(db):
        db.execute("DELETE FROM log_nodes WHERE height = 2 AND i = 1")
    with pytest.raises(LogRewritten, match="1 of the log's 7 subtrees are not stored"):
        verify_log(db, seen=[record])


# -- tiles (C2SP tlog-tiles) -------------------------------------------------------------------

def test_tile_paths_are_c2sp_and_only_the_canonical_spelling_parses():
    from footprint.translog.tiles import TilePathError, parse_tile_path, tile_path
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"  # the spec's example
    assert tile_path(1, 0, 2) == "tile/1/000.p/2"
    assert tile_path("entries", 5, 9) == "tile/entries/005.p/9"
    assert parse_tile_path("tile/0/x001/x234/067") == (0, 1234067, 256)
    assert parse_tile_path("tile/entries/005.p/9") == (None, 5, 9)
    for bad in ("tile/0/1234067", "tile/0/x000/005", "tile/0/005.p/256", "tile/0/005.p/0",
                "tile/0/005.p/300", "tile/a/005", "tile/0/05", "../etc/passwd"):
        with pytest.raises(TilePathError):
            parse_tile_path(bad)


def test_tiles_hold_the_subtrees_the_leaves_make(tmp_path):
    from web import create_app
    home = tmp_path / "home"
    home.mkdir()
    db = connect(database_path(home))
    migrate(db)
    _parents(db)
    grow(db, 600)
    leaves = TransparencyLog(db).leaf_hashes()
    entries = [bytes(r[0]) for r in db.execute("SELECT entry FROM log_entries ORDER BY idx")]
    web = create_app({"TESTING": True, "FOOTPRINT_HOME": str(home)}).test_client()
    full = web.get("/log/tile/0/001")
    assert full.status_code == 200 and full.data == b"".join(leaves[256:512])
    assert full.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert web.get("/log/tile/0/002.p/88").data == b"".join(leaves[512:600])
    # level 1: the roots of the first two full level-0 tiles, 256 leaves each
    assert web.get("/log/tile/1/000.p/2").data == \
        merkle.root(leaves[:256]) + merkle.root(leaves[256:512])
    bundle = web.get("/log/tile/entries/002.p/88").data
    assert bundle[:2] == len(entries[512]).to_bytes(2, "big")
    assert bundle == b"".join(len(e).to_bytes(2, "big") + e for e in entries[512:600])
    # the log has not reached these yet; a path that is not a tile is a 400
    assert web.get("/log/tile/0/002").status_code == 404
    assert web.get("/log/tile/1/000.p/3").status_code == 404
    assert web.get("/log/tile/0/2").status_code == 400
