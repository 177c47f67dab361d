"""Opening the service database: WAL, a busy timeout, foreign keys, one way to transact.

Two engines, one store: SQLite (the file FOOTPRINT_HOME/footprint.db, through sqlite-utils)
unless FOOTPRINT_DATABASE_URL names a PostgreSQL database (footprint.store.postgres answers
the same calls). ``dialect(db)`` says which a connection is; docs/postgresql.md says what
differs.

Durability: every connection commits with ``synchronous=FULL`` (WAL mode), which syncs the
write-ahead log before COMMIT returns, so nothing the service acknowledges (a draft, a
verification, a label, a revocation, a logout) is lost to a power loss, and no leaf a
published checkpoint covers can vanish. NORMAL would sync only at checkpoints and could roll
the last commits back. FULL costs one fsync per commit: benchmarks/durability.py measured
+0.3 to +4 ms a commit on this development machine's shared disk (docs/architecture.md,
State), small beside a request's own work.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

from ..errors import Message

# sqlite-utils imports pandas when it is installed (Brightway brings it) only to map
# pandas.Timestamp to a column type, which we never store; that import was 150 ms of every
# command that opens the database. Hidden for the moment of the import (an import of a name
# that sys.modules holds as None raises ImportError), unless something imported it already.
_HIDE_PANDAS = "pandas" not in sys.modules
if _HIDE_PANDAS:
    sys.modules["pandas"] = None
try:
    import sqlite_utils
    from sqlite_utils.utils import dedupe_keys
finally:
    if _HIDE_PANDAS:
        del sys.modules["pandas"]

BUSY_TIMEOUT_MS = 5000
NORMAL, FULL = 1, 2  # PRAGMA synchronous levels
DATABASE_URL = "FOOTPRINT_DATABASE_URL"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
URL_SCHEMES = ("postgresql://", "postgres://")
# PostgreSQL: the advisory lock every write transaction takes first, so that writers queue
# one at a time as SQLite's BEGIN IMMEDIATE makes them (the transparency log's appends among
# them: one sequence of leaves, no gap, no fork), on every application host at once
WRITE_LOCK = 0x666F6F74  # "foot"


def is_postgresql_url(location) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def _postgres():
    """footprint.store.postgres, imported when a postgresql:// URL is first opened: it brings
    psycopg (77 ms at best here, docs/postgresql.md), which a command on SQLite never needs."""
    # not at the top: see the docstring
    from . import postgres
    return postgres


def database_errors() -> tuple[type[BaseException], ...]:
    """What either engine raises for a statement it refuses or cannot carry out, for an
    ``except database_errors():`` (evaluated when an exception reaches it). psycopg's errors
    are among them once a PostgreSQL connection was opened: before that, none can be raised."""
    postgres = sys.modules.get(f"{__package__}.postgres")
    return (sqlite3.Error,) if postgres is None else (sqlite3.Error, postgres.Error)


def operational_errors() -> tuple[type[BaseException], ...]:
    """Of database_errors, what the database's state raises rather than the statement (busy,
    disk full, server gone)."""
    postgres = sys.modules.get(f"{__package__}.postgres")
    return (sqlite3.OperationalError,) if postgres is None else \
        (sqlite3.OperationalError, postgres.OperationalError)


def database_path(home: Path) -> Path:
    return Path(home) / "footprint.db"


def database_location(home: Path) -> Path | str:
    """Where the service's database is: FOOTPRINT_DATABASE_URL (postgresql://...) when set,
    else the SQLite file in FOOTPRINT_HOME."""
    url = os.environ.get(DATABASE_URL, "").strip()
    if url:
        if not is_postgresql_url(url):
            raise ValueError(f"{DATABASE_URL} must be a postgresql:// URL, not {url[:40]!r}")
        return url
    return database_path(home)


def dialect(db) -> str:
    return getattr(db, "dialect", SQLITE)


_PLAIN = (str, int, float, bytes, type(None))


class _Table(sqlite_utils.db.Table):
    """A table whose ``insert`` of one row of plain values, inside a transaction, is the one
    INSERT it stands for; sqlite-utils' own (any option, a value it must convert, no
    transaction open) does more: checks the table exists, wraps a savepoint, creates or
    alters the table. The store's tables exist (migrations made them) and it writes
    in transactions, so the hot path of every request took the extra statements for
    nothing."""

    def insert(self, record, **options):
        if (options or not isinstance(record, dict) or not record
                or not self.db.conn.in_transaction
                or not all(isinstance(v, _PLAIN) for v in record.values())):
            return super().insert(record, **options)
        columns = ", ".join(f'"{column}"' for column in record)
        cursor = self.db.conn.execute(
            f'INSERT INTO "{self.name}" ({columns}) VALUES ({", ".join("?" * len(record))})',
            list(record.values()))
        self.last_rowid = cursor.lastrowid
        key = self.db.key_besides_rowid(self.name)
        self.last_pk = self.last_rowid if key is None else record.get(key)
        return self

    @property
    def pks(self) -> list[str]:
        """sqlite-utils' primary-key columns (``get``, ``update`` ... ask on every call),
        kept with the schema version instead of read from PRAGMA table_info each time."""
        return list(self.db.primary_keys(self.name)) or ["rowid"]


class _Database(sqlite_utils.Database):
    """sqlite-utils' Database without three costs every request paid: ``db[table]`` and each
    insert read the names of every table and view from sqlite_master (three scans an
    insert), now kept until SQLite's schema_version says the schema changed; each
    ``query`` ran inside a savepoint, a guard for statements that may write (INSERT ...
    RETURNING), which a SELECT cannot; and an insert is one statement (``_Table``).
    Together more than half of a submission's statements."""

    _names: tuple[int, list[str], list[str]] | None = None
    _keys: tuple[int, dict[str, tuple[tuple[str, str], ...]]] | None = None

    def table(self, table_name: str, **kwargs) -> _Table:
        plain = super().table(table_name, **kwargs)  # refuses a view's name
        return _Table(self, table_name, **plain._defaults)

    def key_besides_rowid(self, table_name: str) -> str | None:
        """The table's one primary-key column other than its rowid (an INTEGER PRIMARY KEY
        is the rowid), else None."""
        named = self._primary_keys(table_name)
        return named[0][0] if len(named) == 1 and named[0][1] != "INTEGER" else None

    def primary_keys(self, table_name: str) -> tuple[str, ...]:
        """The table's primary-key columns in the order its PRIMARY KEY declares them (as
        sqlite-utils names them); empty for a table keyed by its rowid alone."""
        return tuple(name for name, _ in self._primary_keys(table_name))

    def _primary_keys(self, table_name: str) -> tuple[tuple[str, str], ...]:
        version = self._schema_names()[0]
        if self._keys is None or self._keys[0] != version:
            self._keys = (version, {})
        keys = self._keys[1]
        if table_name not in keys:
            columns = self.conn.execute(f'PRAGMA table_info("{table_name}")').fetchall()
            keys[table_name] = tuple((c[1], c[2].upper())  # c[5]: place in the key, from 1
                                     for c in sorted(columns, key=lambda c: c[5]) if c[5])
        return keys[table_name]

    def _schema_names(self) -> tuple[int, list[str], list[str]]:
        version = self.conn.execute("PRAGMA schema_version").fetchone()[0]
        if self._names is None or self._names[0] != version:
            rows = self.conn.execute("SELECT type, name FROM sqlite_master "
                                     "WHERE type IN ('table', 'view')").fetchall()
            self._names = (version, [n for t, n in rows if t == "table"],
                           [n for t, n in rows if t == "view"])
        return self._names

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        if fts4 or fts5:
            return super().table_names(fts4, fts5)
        return list(self._schema_names()[1])

    def view_names(self) -> list[str]:
        return list(self._schema_names()[2])

    def query(self, sql, params=None):
        if sql.lstrip()[:6].upper() != "SELECT":
            return super().query(sql, params)
        cursor = self.conn.execute(sql, () if params is None else params)
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)


def connect(path: Path | str):
    """A connection for one thread (one web request, one CLI command): to PostgreSQL for a
    postgresql:// URL, else to the SQLite file at ``path``."""
    if is_postgresql_url(path):
        return _postgres().connect(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = _Database(conn)
    try:  # the first statements read the file's header: a file that is no database fails here
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(f"PRAGMA synchronous={FULL}")  # see the module's docstring
    except BaseException:
        conn.close()  # SQLite's own error goes on: the web answers it 503, a command says it
        raise         # by ``failed``
    return db


# SQLite's own words for a database it cannot use (sqlite3.Error's text begins with them),
# said in the reader's language; anything else is given as SQLite says it
SQLITE_REASONS = {
    "file is not a database": Message(
        "the file is not an SQLite database (damaged, or another file in its place)"),
    "database disk image is malformed": Message("the database file is damaged"),
    "unable to open database file": Message(
        "the file cannot be opened (its folder is missing or not accessible)"),
    "attempt to write a readonly database": Message("the database file is read-only"),
    "database is locked": Message("another process holds the database locked"),
    "disk I/O error": Message("a disk read or write failed"),
    "database or disk is full": Message("the disk is full"),
}


def failed(where, exc: BaseException) -> Message:
    """What to say of the database ``where`` (its file) that failed with SQLite's ``exc``:
    SQLite's reasons in the reader's language, with what an operator does about the worst of
    them. A PostgreSQL database is named by its variable, never by its URL."""
    postgres = sys.modules.get(f"{__package__}.postgres")
    if postgres is not None and isinstance(exc, postgres.Error):
        return postgres.unreachable(exc)
    said = str(exc).strip()
    reason = next((m for text, m in SQLITE_REASONS.items() if said.startswith(text)), said)
    if said.startswith(("file is not a database", "database disk image is malformed")):
        return Message("cannot use the database %(path)s: %(reason)s; restore it from a "
                       "backup (`footprint backup restore`)", path=str(where), reason=reason)
    return Message("cannot use the database %(path)s: %(reason)s", path=str(where),
                   reason=reason)


def upsert_sql(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """INSERT of ``columns`` that replaces the values of a row with the same ``key``, in the
    SQL both engines speak (SQLite's INSERT OR REPLACE is SQLite's alone)."""
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")


def defer_foreign_keys(db) -> None:
    """Check the open transaction's foreign keys when it commits, not at each statement."""
    db.execute("SET CONSTRAINTS ALL DEFERRED" if dialect(db) == POSTGRESQL
               else "PRAGMA defer_foreign_keys = ON")


def in_transaction(db) -> bool:
    return db.conn.in_transaction


def database_file(db) -> str:
    """The file of a connection's main database, or its PostgreSQL URL (another thread
    opens its own connection on it)."""
    if dialect(db) == POSTGRESQL:
        return db.url
    return next(row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main")


def committed_state(db) -> tuple:
    """What names the database's committed state as this connection sees it: its file and
    SQLite's data_version, which changes whenever another connection commits (this
    connection's own writes change what they change, not the version). PostgreSQL has no
    such cheap counter (other hosts commit too): there, no two states are named alike."""
    if dialect(db) == POSTGRESQL:
        return database_file(db), object()
    return database_file(db), db.execute("PRAGMA data_version").fetchone()[0]


@contextmanager
def snapshot(db):
    """One read transaction, so every read inside sees one state of the database (WAL;
    REPEATABLE READ on PostgreSQL); inside a caller's transaction, that transaction is the
    snapshot."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if dialect(db) == POSTGRESQL
               else "BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")  # read only: ends the snapshot


@contextmanager
def transaction(db):
    """All or nothing. The outermost block takes the write lock at once (BEGIN IMMEDIATE;
    on PostgreSQL the advisory WRITE_LOCK, held to COMMIT) so two writers queue instead of
    failing mid-way or deciding on what the other is changing; inner blocks nest as
    savepoints (sqlite-utils' own writes nest the same way)."""
    postgresql = dialect(db) == POSTGRESQL
    if db.conn.in_transaction:
        if postgresql:  # inside a snapshot: write under the lock all the same
            db.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
        with db.atomic():
            yield db
        return
    db.execute("BEGIN" if postgresql else "BEGIN IMMEDIATE")
    with _committed(db):
        if postgresql:
            db.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
        yield db


@contextmanager
def _committed(db):
    """The open transaction committed after the block, rolled back if the block raises."""
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:  # a failed COMMIT (disk full) may leave it open
            db.rollback()
        raise


@contextmanager
def transaction_if_free(db):
    """``transaction``'s outermost block when the write lock is free this moment, yielding
    True; else no transaction, yielding False at once (no busy wait: SQLite's busy timeout
    is 0 for the BEGIN, PostgreSQL's lock is only tried). For a write worth skipping rather
    than waiting for; inside a caller's transaction, nothing is tried (False)."""
    if db.conn.in_transaction:
        yield False
        return
    if dialect(db) == POSTGRESQL:
        db.execute("BEGIN")
        free = False
        try:
            free = db.execute("SELECT pg_try_advisory_xact_lock(?)",
                              [WRITE_LOCK]).fetchone()[0]
        finally:
            if not free:  # another writer holds the lock (or the query failed)
                db.rollback()
    else:
        db.execute("PRAGMA busy_timeout = 0")
        try:
            db.execute("BEGIN IMMEDIATE")
            free = True
        except sqlite3.OperationalError:  # another writer holds the lock
            free = False
        finally:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not free:
        yield False
        return
    with _committed(db):
        yield True


def synchronous(db: sqlite_utils.Database) -> int:
    """The connection's PRAGMA synchronous level now (1 NORMAL, 2 FULL)."""
    return db.execute("PRAGMA synchronous").fetchone()[0]


def copy_database(source: Path | str, target: Path | str) -> None:
    """Copy a live database to ``target`` with SQLite's online backup API: one consistent
    state, taken while the service keeps reading and writing (WAL). ``target`` ends up a
    self-contained file (rollback journal, no -wal beside it); opening it with ``connect``
    turns WAL on again. A copy that fails leaves no file behind that it made."""
    made = not Path(target).exists()
    source_conn = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    target_conn = sqlite3.connect(str(target))
    try:
        source_conn.backup(target_conn)
        target_conn.execute("PRAGMA journal_mode=DELETE")
        target_conn.commit()
    except BaseException:
        target_conn.close()
        if made:  # half a copy must not pass for a backup
            Path(target).unlink(missing_ok=True)
        raise
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
