"""What the store's SQLite connection spares a request (footprint/store/db.py): one INSERT for
an insert, no savepoint around a SELECT, no read of sqlite_master until the schema changes;
and what stays true of a result stored as orjson writes it (footprint/jsontext.py)."""
from __future__ import annotations

import pytest

from footprint import jsontext
from footprint.engine.result import canonical_json, seal
from footprint.store import connect, transaction
from footprint.store.migrations import migrate


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "footprint.db")
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def statements(db):
    said: list[str] = []
    db.conn.set_trace_callback(said.append)
    yield said
    db.conn.set_trace_callback(None)


def _organisation(name: str) -> dict:
    return {"name": name, "kind": "enterprise", "region": "CN-SC", "created_at": "2026-12-05"}


def test_an_insert_in_a_transaction_is_one_insert(db, statements):
    with transaction(db):  # the table's primary key is read once (PRAGMA table_info)
        db["organisations"].insert(_organisation("Pujiang Orchard Co-op"))
    statements.clear()
    with transaction(db):
        db["organisations"].insert(_organisation("Panzhihua Steel"))
    writes = [s for s in statements if not s.startswith("PRAGMA schema_version")]
    # BEGIN IMMEDIATE, the INSERT, COMMIT: no savepoint, no scan of sqlite_master
    assert [s.split()[0] for s in writes] == ["BEGIN", "INSERT", "COMMIT"]
    assert not any("sqlite_master" in s or "SAVEPOINT" in s for s in statements)


def test_last_pk_is_the_new_id_or_the_given_key(db):
    with transaction(db):
        first = db["organisations"].insert(_organisation("Pujiang Orchard Co-op")).last_pk
        second = db["organisations"].insert(_organisation("Panzhihua Steel")).last_pk
        user = db["users"].insert({"username": "orchard", "display_name": "Orchard",
                                   "role": "producer", "org_id": first,
                                   "password_hash": "x", "active": 1,
                                   "created_at": "2026-12-05"}).last_pk
        # sessions are keyed by the SHA-256 of their token, a TEXT primary key
        session = db["sessions"].insert({"id": "ab" * 32, "user_id": user,
                                         "created_at": "2026-12-05"}).last_pk
    assert (first, second) == (1, 2)  # a fresh table numbers its rows from 1
    assert session == "ab" * 32
    assert db.execute("SELECT name FROM organisations WHERE id = 2").fetchone()[0] == \
        "Panzhihua Steel"


def test_an_insert_outside_a_transaction_is_still_committed(db, tmp_path):
    db["organisations"].insert(_organisation("Pujiang Orchard Co-op"))
    other = connect(tmp_path / "footprint.db")
    assert other.execute("SELECT count(*) FROM organisations").fetchone()[0] == 1
    other.close()


def test_a_select_runs_without_a_savepoint_and_names_its_columns(db, statements):
    with transaction(db):
        db["organisations"].insert(_organisation("Pujiang Orchard Co-op"))
    statements.clear()
    rows = list(db.query("SELECT o.id, o.name, p.id FROM organisations o "
                         "LEFT JOIN organisations p ON p.id = o.id"))
    assert statements == ["SELECT o.id, o.name, p.id FROM organisations o "
                          "LEFT JOIN organisations p ON p.id = o.id"]
    # two columns named id: the second is id_2, as sqlite-utils names them
    assert rows == [{"id": 1, "name": "Pujiang Orchard Co-op", "id_2": 1}]


def test_a_table_made_by_another_connection_is_seen(db, tmp_path):
    assert "later" not in db.table_names()
    other = connect(tmp_path / "footprint.db")
    other.execute("CREATE TABLE later (id INTEGER PRIMARY KEY, word TEXT)")
    other.close()
    assert "later" in db.table_names()  # schema_version moved: the names are read again
    with transaction(db):
        assert db["later"].insert({"word": "橙"}).last_pk == 1


def test_a_stored_result_hashes_as_it_was_sealed():
    """orjson spells 5e-05 as 0.00005; read back, the values are the same floats, so the
    canonical JSON (the standard library's) and the hash are the same."""
    result = seal({"total_kg_co2e": 0.31, "by_input": [{"amount": 5e-05, "kg_co2e": 1e-07}],
                   "product": {"name": "脐橙"}, "big": 1e16})
    stored = jsontext.dumps(result)
    assert "0.00005" in stored and "5e-05" not in stored
    back = jsontext.loads(stored)
    assert back == result
    assert canonical_json(back) == canonical_json(result)
    assert seal(dict(back))["reproducibility_hash"] == result["reproducibility_hash"]


def test_a_row_read_by_its_key_is_one_select_and_keys_follow_the_schema(db, statements):
    with transaction(db):
        db["organisations"].insert(_organisation("Pujiang Orchard Co-op"))
    assert db["organisations"].get(1)["name"] == "Pujiang Orchard Co-op"  # keys read once
    statements.clear()
    assert db["organisations"].get(1)["name"] == "Pujiang Orchard Co-op"
    reads = [s for s in statements if not s.startswith("PRAGMA schema_version")]
    assert len(reads) == 1 and reads[0].startswith("select * from")  # no PRAGMA table_info
    # a table made afterwards (the schema changed): its keys, in the order PRIMARY KEY gives
    # them, not its columns' (as sqlite-utils' own Table.pks says them)
    db.execute("CREATE TABLE pairs (b TEXT, a TEXT, n INTEGER, PRIMARY KEY (a, b))")
    assert db["pairs"].pks == ["a", "b"]
    assert db["organisations"].pks == ["id"]
    db.execute("CREATE TABLE plain (x TEXT)")
    assert db["plain"].pks == ["rowid"]  # no key of its own: its rowid, as sqlite-utils says
