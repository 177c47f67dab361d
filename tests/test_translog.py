"""The transparency log in the database, its entries, signed checkpoints and the monitor."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import cbor2
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from footprint import InvalidInput, NotFound
from footprint.store import connect, database_path, transaction
from footprint.store.migrations import migrate
from footprint.translog import merkle
from footprint.translog.checkpoint import (CheckpointError, checkpoint_text, key_id, open_note,
                                           parse_checkpoint, sign_checkpoint, sign_note,
                                           verifier_key, verify_checkpoint)
from footprint.translog.entries import (EntryError, decode_entry, revoke_entry,
                                        supersede_entry)
from footprint.translog.log import LogError, TransparencyLog
from footprint.translog.monitor import LogRewritten, last_seen, verify_log

AT = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)


# -- a migrated database with just enough rows for labels' foreign keys ----------------------

@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "log.db")
    migrate(database)
    _parents(database)
    return database


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
        " updated_at) VALUES (1, 1, 'issued', '{}', 1, 't', 't')").lastrowid
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


def drop_triggers(db):
    db.execute("DROP TRIGGER log_entries_append_only_update")
    db.execute("DROP TRIGGER log_entries_append_only_delete")


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
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        with transaction(db):
            db.execute("UPDATE log_entries SET entry = ? WHERE idx = 0", [b"other"])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
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


# -- the monitor -----------------------------------------------------------------------------

def test_the_monitor_passes_on_honest_growth_and_remembers(db, key):
    first = verify_log(db)
    assert first.size == 0 and first.previous is None and first.recorded
    grow(db, 3)
    second = verify_log(db, signer=("CN-SC", key), origin="footprint.example/CN-SC")
    assert second.size == 3 and second.previous["size"] == 0 and second.kinds == {"issue": 3}
    assert verify_checkpoint(second.note, "CN-SC", key.public_key()) == \
        (3, TransparencyLog(db).root())
    grow(db, 4, start=3)
    with transaction(db):
        TransparencyLog(db).append("revoke", "L2", revoke_entry("L2", "double counting", AT))
    third = verify_log(db)
    assert third.size == 8 and third.previous["size"] == 3
    assert third.kinds == {"issue": 7, "revoke": 1}
    assert [r[0] for r in db.execute("SELECT size FROM log_checkpoints_seen ORDER BY size")] \
        == [0, 3, 8]
    assert last_seen(db)["root"] == TransparencyLog(db).root()
    again = verify_log(db, record=False)
    assert again.previous["size"] == 8 and not again.recorded


def test_the_monitor_detects_an_entry_changed_underneath(db):
    grow(db, 5)
    verify_log(db)
    drop_triggers(db)
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ? WHERE idx = 2", [fake_cose("L-forged")])
    with pytest.raises(LogRewritten) as caught:
        verify_log(db)
    message = str(caught.value)
    assert "entry 2 was rewritten" in message
    assert "differ from the label's stored COSE_Sign1" in message
    assert "history was rewritten (a fork)" in message
    assert last_seen(db)["size"] == 5  # nothing recorded


def test_the_monitor_detects_a_rewrite_with_a_matching_leaf_hash(db):
    """The entry and its leaf hash changed together (and the label too): only the checkpoint
    seen before shows it."""
    grow(db, 4)
    verify_log(db)
    drop_triggers(db)
    forged = fake_cose("L-forged")
    with transaction(db):
        db.execute("UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 1",
                   [forged, merkle.leaf_hash(forged)])
        db.execute("UPDATE labels SET cose = ? WHERE id = 'L1'", [forged])
    with pytest.raises(LogRewritten) as caught:
        verify_log(db)
    assert caught.value.problems == [caught.value.problems[0]]
    assert "the first 4 entries no longer have the root" in caught.value.problems[0]


def test_the_monitor_detects_a_forked_history(db):
    """Entries after the seen checkpoint's first two removed and replaced, the log grown past
    the checkpoint: every leaf hash is right, the history is not."""
    grow(db, 4)
    seen = verify_log(db)
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx >= 2")
        log = TransparencyLog(db)
        log.append("revoke", "L0", revoke_entry("L0", "rewritten history", AT))
        log.append("issue", "L3", fake_cose("L3"))
        log.append("issue", "L2", fake_cose("L2"))
    with pytest.raises(LogRewritten) as caught:
        verify_log(db)
    problems = "\n".join(caught.value.problems)
    assert f"the first 4 entries no longer have the root " \
           f"{base64.b64encode(seen.root).decode()}" in problems


def test_the_monitor_detects_removed_entries_and_gaps(db):
    grow(db, 4)
    verify_log(db)
    drop_triggers(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx = 3")
        db.execute("DELETE FROM labels WHERE id = 'L3'")
    with pytest.raises(LogRewritten, match="the log has 3 entries but a checkpoint of size 4"):
        verify_log(db)
    with transaction(db):
        db.execute("DELETE FROM log_entries WHERE idx = 1")
    with pytest.raises(LogRewritten, match="leaf 1 is missing"):
        verify_log(db)


def test_the_monitor_detects_a_label_missing_from_the_log(db):
    grow(db, 2)
    with transaction(db):
        add_label(db, "L-unlogged", 2)
    with pytest.raises(LogRewritten, match="'L-unlogged' is stored but its issuance is not"):
        verify_log(db)


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
    assert run("proof", "5").exit_code == 1
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
