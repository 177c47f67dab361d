"""Opening the service database: WAL, a busy timeout, foreign keys, one way to transact."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 5000


def database_path(home: Path) -> Path:
    return Path(home) / "footprint.db"


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection for one thread (one web request, one CLI command)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoint, never corrupt
    return db


def in_transaction(db: sqlite_utils.Database) -> bool:
    return db.conn.in_transaction


def database_file(db: sqlite_utils.Database) -> str:
    """The file of a connection's main database (another thread opens its own on it)."""
    return next(row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main")


@contextmanager
def snapshot(db: sqlite_utils.Database):
    """One read transaction, so every read inside sees one state of the database (WAL);
    inside a caller's transaction, that transaction is the snapshot."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")  # read only: ends the snapshot


@contextmanager
def transaction(db: sqlite_utils.Database):
    """All or nothing. The outermost block takes the write lock at once (BEGIN IMMEDIATE) so
    two writers queue on the busy timeout instead of failing mid-way; inner blocks nest as
    savepoints (sqlite-utils' own writes nest the same way)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
