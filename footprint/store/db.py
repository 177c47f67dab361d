"""Opening the service database: WAL, a busy timeout, foreign keys, one way to transact.

Durability per write path. In WAL mode ``synchronous=NORMAL`` (every connection's setting)
syncs the log only at checkpoints: a power loss can roll back the last commits, never
corrupt the file. That is the setting for drafts, comments, sessions and recalculation
chunks, which a user or a resumed run can redo. A transaction that writes the transparency
log (issuing, superseding, revoking a label) asks for ``transaction(db, durable=True)``:
``synchronous=FULL`` syncs the log file before COMMIT returns, so a label is acknowledged,
printed or scanned only once it survives a power loss, and a checkpoint the platform has
published never loses leaves it covered (a monitor would see a fork). FULL costs one fsync
per commit: benchmarks/durability.py measured 1.1x to 1.5x on approve-and-issue and 1.15x to
2.5x on a submission's creation (docs/architecture.md, State), so only the label paths pay it.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 5000
NORMAL, FULL = 1, 2  # PRAGMA synchronous levels


class DurabilityError(RuntimeError):
    """A durable transaction was asked for inside one that is not durable: SQLite fixes the
    level when the outermost transaction begins, so the outer block must ask for it."""


def database_path(home: Path) -> Path:
    return Path(home) / "footprint.db"


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection for one thread (one web request, one CLI command)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA synchronous={NORMAL}")  # see the module's docstring
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
def transaction(db: sqlite_utils.Database, durable: bool = False):
    """All or nothing. The outermost block takes the write lock at once (BEGIN IMMEDIATE) so
    two writers queue on the busy timeout instead of failing mid-way; inner blocks nest as
    savepoints (sqlite-utils' own writes nest the same way).

    ``durable``: COMMIT returns only once the commit survives a power loss (synchronous=FULL
    for this transaction, the connection's own level again after it). SQLite refuses to
    change the level inside a transaction, so a durable block nested in one that is not
    raises DurabilityError rather than quietly committing less safely than asked."""
    if db.conn.in_transaction:
        if durable and synchronous(db) < FULL:
            raise DurabilityError("a durable transaction cannot join an outer transaction "
                                  "that is not durable: ask for transaction(db, durable=True) "
                                  "where the outermost one begins")
        with db.atomic():
            yield db
        return
    before = synchronous(db) if durable else FULL
    if before < FULL:
        db.execute(f"PRAGMA synchronous={FULL}")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        try:
            db.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:  # a failed COMMIT (disk full) may leave it open
                db.rollback()
            raise
    finally:
        if before < FULL and not db.conn.in_transaction:
            db.execute(f"PRAGMA synchronous={before}")


def synchronous(db: sqlite_utils.Database) -> int:
    """The connection's PRAGMA synchronous level now (1 NORMAL, 2 FULL)."""
    return db.execute("PRAGMA synchronous").fetchone()[0]


def copy_database(source: Path | str, target: Path | str) -> None:
    """Copy a live database to ``target`` with SQLite's online backup API: one consistent
    state, taken while the service keeps reading and writing (WAL). ``target`` ends up a
    self-contained file (rollback journal, no -wal beside it); opening it with ``connect``
    turns WAL on again."""
    source_conn = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    target_conn = sqlite3.connect(str(target))
    try:
        source_conn.backup(target_conn)
        target_conn.execute("PRAGMA journal_mode=DELETE")
        target_conn.commit()
    finally:
        target_conn.close()
        source_conn.close()


def read_only(path: Path | str) -> sqlite_utils.Database:
    """A connection that cannot write, on a self-contained copy (``copy_database``)."""
    conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    return sqlite_utils.Database(conn)


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    """What SQLite's ``PRAGMA integrity_check`` finds wrong; empty when it says "ok"."""
    rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows
