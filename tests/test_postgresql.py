"""What only the PostgreSQL engine has to show: its URL selects it, the store's SQL reaches it
with psycopg's placeholders, the migrations build what SQLite's build, and concurrent
writers on separate connections queue as SQLite's do (one log, no gap, no fork).

The store, log, label, workflow and registry tests run on both engines (their `db`,
`store_db` and `service` fixtures); this file holds what has no SQLite twin."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from footprint.store import connect, transaction
from footprint.store.db import (DATABASE_URL, POSTGRESQL, SQLITE, database_location, dialect)
from footprint.store.migrations import MIGRATIONS, migrate, pending
from footprint.store.postgres import placeholders
from footprint.translog import TransparencyLog, merkle
from footprint.usecases.database import open_database
from tests.test_translog import _parents, add_label


def test_placeholders_outside_quotes_become_psycopgs_and_percent_signs_stay_literal():
    # by hand: the two bare ? become %s; the ? inside '...' and "..." stay; % doubles (also
    # inside the literal, which psycopg reads back as one %)
    sql = """SELECT '?', "a?" FROM t WHERE x = ? AND y LIKE '%a' AND z = ?"""
    assert placeholders(sql) == \
        """SELECT '?', "a?" FROM t WHERE x = %s AND y LIKE '%%a' AND z = %s"""


def test_the_url_selects_postgresql_and_the_home_file_stays_the_default(
        tmp_path, monkeypatch, pg_url):
    monkeypatch.delenv(DATABASE_URL, raising=False)
    assert database_location(tmp_path) == tmp_path / "footprint.db"
    monkeypatch.setenv(DATABASE_URL, "mysql://someone@somewhere/footprint")
    with pytest.raises(ValueError, match="postgresql://"):
        database_location(tmp_path)
    monkeypatch.setenv(DATABASE_URL, pg_url)
    db = open_database(tmp_path)  # migrated: opens without Conflict
    try:
        assert dialect(db) == POSTGRESQL
        assert not (tmp_path / "footprint.db").exists()  # no SQLite file beside it
    finally:
        db.close()


def test_the_migrations_build_the_same_tables_on_both_engines(tmp_path, pg_url):
    sqlite = connect(tmp_path / "footprint.db")
    migrate(sqlite)
    postgresql = connect(pg_url)
    try:
        assert dialect(sqlite) == SQLITE and pending(postgresql) == []
        assert len({v for v, _, _ in MIGRATIONS}) == 24  # 24: bodies a submission left
        # SQLite's FTS5 index is a virtual table with shadow tables (registry_search_data
        # ...); PostgreSQL's registry_search is one plain table with a trigram index
        shadows = {t for t in sqlite.table_names() if t.startswith("registry_search_")}
        assert set(sqlite.table_names()) - shadows == set(postgresql.table_names())
        columns = {row[0] for row in postgresql.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'labels'")}
        assert "rowid" in columns  # SQLite's implicit issuance order, a column here
    finally:
        sqlite.close()
        postgresql.close()


def test_writers_on_separate_connections_append_one_log_without_gap_or_fork(pg_url):
    """Four connections (four application hosts) each issue ten labels at once: every
    append is acknowledged, the indices are 0..39 each once, and the stored subtrees give
    the root the leaves give."""
    setup = connect(pg_url)
    _parents(setup)
    threads, errors, indices = 4, [], []
    per_thread = 10

    def issue_labels(n: int) -> None:
        db = connect(pg_url)
        try:
            log = TransparencyLog(db)
            for k in range(per_thread):
                label_id = f"H{n}-{k}"
                with transaction(db):
                    cose = add_label(db, label_id, log.size())
                    indices.append(log.append("issue", label_id, cose))
        except Exception as exc:  # what a host would answer with a 500
            errors.append(exc)
        finally:
            db.close()

    workers = [threading.Thread(target=issue_labels, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    try:
        assert errors == []
        assert sorted(indices) == list(range(threads * per_thread))  # 4 x 10 = 40
        log = TransparencyLog(setup)
        assert log.size() == 40
        leaves = log.leaf_hashes(40)  # checks 0..39 without a gap
        assert log.root() == merkle.root(leaves)
        # every label's row names the leaf that issued it
        assert setup.execute("SELECT COUNT(*) FROM labels l JOIN log_entries e "
                             "ON e.idx = l.log_index AND e.label_id = l.id").fetchone()[0] == 40
    finally:
        setup.close()


def test_a_failed_transaction_leaves_nothing_and_the_connection_usable(pg_url):
    db = connect(pg_url)
    try:
        with pytest.raises(RuntimeError):
            with transaction(db):
                db["organisations"].insert({"name": "x", "kind": "enterprise",
                                            "created_at": "t"})
                raise RuntimeError("boom")
        assert not db.conn.in_transaction
        with transaction(db):
            org = db["organisations"].insert({"name": "y", "kind": "enterprise",
                                              "created_at": "t"}).last_pk
        assert [r["name"] for r in db.query("SELECT name FROM organisations")] == ["y"]
        assert db["organisations"].get(org)["name"] == "y"
    finally:
        db.close()


def test_the_cluster_runs_as_an_unprivileged_user(pg_cluster):
    db = connect(pg_cluster.url())
    try:
        directory = Path(db.execute("SHOW data_directory").fetchone()[0])
    finally:
        db.close()
    import os
    owner = directory.stat().st_uid
    assert owner != 0  # PostgreSQL refuses root; as root the tests run it as `postgres`
    assert owner == os.geteuid() or os.geteuid() == 0


@pytest.mark.parametrize("error, expected", [
    ("DiskFull", (507, "full")),                  # SQLSTATE 53100: as SQLITE_FULL
    ("SerializationFailure", (503, "busy")),      # 40001
    ("DeadlockDetected", (503, "busy")),          # 40P01
    ("AdminShutdown", (503, "unavailable")),      # 57P01: the server went away
    ("LockNotAvailable", (503, "busy")),          # 55P03: lock_timeout passed
    ("ReadOnlySqlTransaction", (503, "unavailable")),  # 25006: as SQLITE_READONLY
    ("UniqueViolation", None),                    # the program's fault: a 500, not a 503
    ("UndefinedTable", None),
])
def test_postgresqls_faults_answer_as_sqlites_do(error, expected):
    import psycopg.errors

    from web import security

    answer = security.fault(getattr(psycopg.errors, error)("as the server said"))
    names = {security.STORAGE_FULL: "full", security.BUSY: "busy",
             security.UNAVAILABLE: "unavailable"}
    assert (None if answer is None else (answer[0], names[answer[1]])) == expected


def test_two_hosts_on_one_database_lose_and_duplicate_nothing_under_worker_kills(pg_url):
    """benchmarks/crash.py --workflow with two `footprint serve` (two workers each, each with
    its own FOOTPRINT_HOME, the keys in one shared FOOTPRINT_KEYS_DIR) on one PostgreSQL
    database: 24 submissions from 8 clients, each created, submitted, verified, approved
    (its label signed and logged), every third revoked (24 / 3 = 8 revocations) and scanned,
    every step on the next host, while a random worker of either host is killed every
    ~0.5 s. Every acknowledged submission is stored once; the log is one sequence holding
    24 issuances and 8 revocations, each once; each host's signed checkpoint has the log's
    root; every label verifies against the trust list both hosts publish."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "crash.py"
    done = subprocess.run([sys.executable, str(script), "--database-url", pg_url, "--hosts",
                           "2", "--workers", "2", "--requests", "24", "--deadline", "6",
                           "--workflow"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "requests 24," in done.stdout and "lost 0, duplicated 0" in done.stdout
    assert "workflow: 24 labels issued through 2 host(s), 8 revoked, 24 scanned" in done.stdout
    assert "log checked: OK" in done.stdout
    assert "OK: nothing acknowledged was lost, nothing duplicated" in done.stdout


def test_a_host_on_an_unmigrated_database_refuses_to_serve(pg_cluster, tmp_path):
    from web import create_app
    from web.db import DatabaseBehind

    admin = connect(pg_cluster.url())
    admin.execute("CREATE DATABASE unmigrated")  # empty: no migration applied
    try:
        with pytest.raises(DatabaseBehind, match=r"needs migrations \[1, 2, 3"):
            create_app({"TESTING": True, "FOOTPRINT_HOME": str(tmp_path),
                        "FOOTPRINT_DATABASE_URL": pg_cluster.url("unmigrated")})
    finally:
        admin.execute("DROP DATABASE unmigrated WITH (FORCE)")
        admin.close()
