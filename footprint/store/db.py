"""Opening the service database: WAL, a busy timeout, foreign keys, one way to transact.

Durability: every connection commits with ``synchronous=FULL`` (WAL mode), which syncs the
write-ahead log before COMMIT returns, so nothing the service acknowledges (a draft, a
verification, a label, a revocation, a logout) is lost to a power loss, and no leaf a
published checkpoint covers can vanish. NORMAL would sync only at checkpoints and could roll
the last commits back. FULL costs one fsync per commit: benchmarks/durability.py measured
+0.3 to +4 ms a commit on this development machine's shared disk (docs/architecture.md,
State), small beside a request's own work.
"""
from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

# sqlite-utils imports pandas when it is installed (Brightway brings it) only to map
# pandas.Timestamp to a column type, which we never store; that import was 150 ms of every
# command that opens the database. Hidden for the moment of the import (an import of a name
# that sys.modules holds as None raises ImportError), unless something imported it already.
_HIDE_PANDAS = "pandas" not in sys.modules
if _HIDE_PANDAS:
    sys.modules["pandas"] = None
try:
    import sqlite_utils
finally:
    if _HIDE_PANDAS:
        del sys.modules["pandas"]

BUSY_TIMEOUT_MS = 5000
NORMAL, FULL = 1, 2  # PRAGMA synchronous levels


def database_path(home: Path) -> Path:
    return Path(home) / "footprint.db"


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection for one thread (one web request, one CLI command)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA synchronous={FULL}")  # see the module's docstring
    return db


def in_transaction(db: sqlite_utils.Database) -> bool:
    return db.conn.in_transaction


def database_file(db: sqlite_utils.Database) -> str:
    """The file of a connection's main database (another thread opens its own on it)."""
    return next(row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main")


def committed_state(db) -> tuple:
    """What names the database's committed state as this connection sees it: its file and
    SQLite's data_version, which changes whenever another connection commits (this
    connection's own writes change what they change, not the version)."""
    return database_file(db), db.execute("PRAGMA data_version").fetchone()[0]


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
    try:
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:  # a failed COMMIT (disk full) may leave it open
            db.rollback()
        raise


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
