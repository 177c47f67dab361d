"""Durability per write path: a label's issuance, supersession and revocation commit under
synchronous=FULL (they survive a power loss before they are acknowledged); other writes keep
the connection's NORMAL (footprint.store.db; figures from benchmarks/durability.py)."""
from __future__ import annotations

import pytest

from footprint.store import db as store_db
from footprint.store.db import (FULL, NORMAL, DurabilityError, connect, synchronous,
                                transaction)
from footprint.usecases import issuing, revoking
from footprint.usecases import submissions as subs
from footprint.usecases.labels import for_submission


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "durable.db")
    database.execute("CREATE TABLE t (x INTEGER)")
    yield database
    database.close()


def test_a_durable_transaction_commits_under_full_and_the_connection_keeps_normal(db):
    assert synchronous(db) == NORMAL == 1
    with transaction(db, durable=True):
        assert db.execute("PRAGMA synchronous").fetchone()[0] == FULL == 2
        db.execute("INSERT INTO t VALUES (1)")
        with transaction(db, durable=True):  # nested: a savepoint of the durable one
            assert synchronous(db) == FULL
            db.execute("INSERT INTO t VALUES (2)")
    assert synchronous(db) == NORMAL
    with transaction(db):
        assert synchronous(db) == NORMAL
    assert [r[0] for r in db.execute("SELECT x FROM t ORDER BY x")] == [1, 2]


def test_a_failed_durable_transaction_rolls_back_and_restores_the_level(db):
    with pytest.raises(ZeroDivisionError):
        with transaction(db, durable=True):
            db.execute("INSERT INTO t VALUES (1)")
            1 / 0
    assert synchronous(db) == NORMAL
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def test_a_durable_block_inside_one_that_is_not_is_refused_not_weakened(db):
    """SQLite fixes the level when the outermost transaction begins: a nested request for
    durability cannot be honoured, so it fails loudly and everything rolls back."""
    with pytest.raises(DurabilityError, match="outermost"):
        with transaction(db):
            db.execute("INSERT INTO t VALUES (1)")
            with transaction(db, durable=True):
                db.execute("INSERT INTO t VALUES (2)")
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert not db.conn.in_transaction and synchronous(db) == NORMAL


def _recording(monkeypatch, module, name, seen: list):
    original = getattr(module, name)

    def record(db, *args, **kwargs):
        seen.append((name, store_db.synchronous(db)))
        return original(db, *args, **kwargs)
    monkeypatch.setattr(module, name, record)


def test_issuing_superseding_and_revoking_commit_durably_creating_does_not(
        service, approve, issuer, make_bom, monkeypatch):
    seen: list = []
    _recording(monkeypatch, issuing.store_labels, "insert", seen)
    _recording(monkeypatch, issuing.store_labels, "mark_superseded", seen)
    _recording(monkeypatch, revoking.store_labels, "mark_revoked", seen)
    _recording(monkeypatch, subs.stored, "insert", seen)
    first = approve(make_bom(), issuer)
    second = approve(make_bom(lines=[
        {"input": "electricity", "amount": 90, "unit": "kWh", "stage": "production"}]), issuer)
    revoking.revoke(service.db, service.people["reviewer"],
                    for_submission(service.db, second["id"])["id"], "meter readings falsified")
    assert first["status"] == "issued"
    assert seen == [("insert", NORMAL),            # the first submission's draft
                    ("insert", FULL),              # its label
                    ("insert", NORMAL),            # the second draft
                    ("mark_superseded", FULL), ("insert", FULL),  # its label, superseding
                    ("mark_revoked", FULL)]
    assert synchronous(service.db) == NORMAL
