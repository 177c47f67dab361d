"""Durability: every write commits under synchronous=FULL (WAL mode), so nothing the service
acknowledges is lost to a power loss (footprint.store.db; figures from
benchmarks/durability.py); a failed COMMIT leaves nothing half done."""
from __future__ import annotations

import sqlite3

import pytest

from footprint.store import db as store_db
from footprint.store.db import FULL, connect, synchronous, transaction
from footprint.usecases import issuing, revoking, security
from footprint.usecases import submissions as subs
from footprint.usecases.labels import for_submission


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "durable.db")
    database.execute("CREATE TABLE t (x INTEGER)")
    yield database
    database.close()


def test_every_connection_commits_under_full(db):
    assert synchronous(db) == FULL == 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with transaction(db):
        assert synchronous(db) == FULL
        db.execute("INSERT INTO t VALUES (1)")
    assert [r[0] for r in db.execute("SELECT x FROM t")] == [1]


def test_a_failed_commit_rolls_back(db, monkeypatch):
    class FailingCommit:
        """The connection, but COMMIT fails as on a full disk."""

        def __init__(self, real):
            self.real = real

        def execute(self, sql, *args):
            if sql == "COMMIT":
                raise sqlite3.OperationalError("database or disk is full")
            return self.real.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.real, name)

    failing = FailingCommit(db)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        with transaction(failing):
            db.execute("INSERT INTO t VALUES (1)")
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def _recording(monkeypatch, module, name, seen: list):
    original = getattr(module, name)

    def record(db, *args, **kwargs):
        seen.append((name, store_db.synchronous(db)))
        return original(db, *args, **kwargs)
    monkeypatch.setattr(module, name, record)


def test_creating_issuing_superseding_revoking_and_logging_out_commit_under_full(
        service, approve, issuer, make_bom, monkeypatch):
    seen: list = []
    _recording(monkeypatch, subs.stored, "insert", seen)
    _recording(monkeypatch, issuing.store_labels, "insert", seen)
    _recording(monkeypatch, issuing.store_labels, "mark_superseded", seen)
    _recording(monkeypatch, revoking.store_labels, "mark_revoked", seen)
    _recording(monkeypatch, security.stored, "end_session", seen)
    first = approve(make_bom(), issuer)
    second = approve(make_bom(lines=[
        {"input": "electricity", "amount": 90, "unit": "kWh", "stage": "production"}]), issuer)
    revoking.revoke(service.db, service.people["reviewer"],
                    for_submission(service.db, second["id"])["id"], "meter readings falsified")
    token = security.start_session(service.db, service.people["orchard"]["id"])
    security.end_session(service.db, token)
    assert first["status"] == "issued"
    assert sorted(set(seen)) == [("end_session", FULL), ("insert", FULL),
                                 ("mark_revoked", FULL), ("mark_superseded", FULL)]
    assert len([s for s in seen if s[0] == "insert"]) == 4  # two submissions, two labels
