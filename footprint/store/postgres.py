"""The service database on PostgreSQL (psycopg 3), answering the store's calls as the SQLite
side does through sqlite-utils, so that every store module has one code path.

What the store modules use of sqlite-utils is small, and this is all of it: ``execute`` and
``query`` with ``?`` placeholders, ``db[table].insert(...).last_pk``, ``.update``, ``.get``,
``.rows``, ``.count``, ``table_names``, ``atomic`` (a savepoint), ``conn.in_transaction`` and
``conn.executemany``; and, PostgreSQL's own, ``copy_rows`` (COPY, for footprint.store.bulk
and footprint.store.copying) and ``batches`` (a server-side cursor, for ``footprint db
copy``). The SQL itself is written once, in the dialect both engines speak
(``ON CONFLICT``, ``IS DISTINCT FROM``, ``TRUE``); where the engines differ (triggers,
full-text search, temporary tables) the store asks ``db.dialect``.

The connection runs in autocommit, as sqlite-utils' does between transactions; a
transaction is opened and closed by footprint.store.db (``transaction``, ``snapshot``).
"""
from __future__ import annotations

import functools
import json
from contextlib import contextmanager

import psycopg
from psycopg import pq
from psycopg.adapt import Loader
from psycopg.rows import dict_row
from sqlite_utils.db import NotFoundError

from ..errors import Message

DIALECT = "postgresql"  # store.db.POSTGRESQL (db imports this module, not the reverse)
Error, OperationalError = psycopg.Error, psycopg.OperationalError


@functools.lru_cache(maxsize=4096)
def placeholders(sql: str) -> str:
    """``sql`` with each ``?`` outside quotes as psycopg's ``%s`` and each ``%`` doubled (a
    literal percent sign, as in ``LIKE '%x'``, once psycopg reads the placeholders)."""
    out, quote = [], None
    for char in sql:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        if char == "%":
            out.append("%%")
            continue
        out.append(char)
    return "".join(out)


class _Numbers(Loader):
    """NUMERIC (what SUM and AVG of integers give) as int when whole, else float: SQLite
    answers those with int and float, and the code does arithmetic on them with floats."""

    def load(self, data):
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


class Table:
    """The part of a sqlite-utils Table the store uses."""

    def __init__(self, db: "PostgresDatabase", name: str):
        self.db, self.name = db, name

    def _key(self) -> str:
        return self.db.primary_key(self.name)

    def insert(self, record: dict) -> "Table":
        # sqlite-utils stores a dict, list or tuple value as its JSON text; so does this
        record = {k: json.dumps(v) if isinstance(v, (dict, list, tuple)) else v
                  for k, v in record.items()}
        columns = list(record)
        sql = (f"INSERT INTO {self.name} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' * len(columns))}) RETURNING {self._key()}")
        self.last_pk = self.db.execute(sql, list(record.values())).fetchone()[0]
        return self

    def get(self, pk) -> dict:
        row = next(self.db.query(f"SELECT * FROM {self.name} WHERE {self._key()} = ?", [pk]),
                   None)
        if row is None:
            raise NotFoundError(f"{self.name}: no row with {self._key()} = {pk!r}")
        return row

    def update(self, pk, updates: dict) -> "Table":
        sets = ", ".join(f"{column} = ?" for column in updates)
        done = self.db.execute(f"UPDATE {self.name} SET {sets} WHERE {self._key()} = ?",
                               [*updates.values(), pk])
        if done.rowcount == 0:
            raise NotFoundError(f"{self.name}: no row with {self._key()} = {pk!r}")
        return self

    @property
    def rows(self):
        return self.db.query(f"SELECT * FROM {self.name}")

    @property
    def count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM {self.name}").fetchone()[0]


# libpq's words for a server it cannot use, said in the reader's language
LIBPQ_REASONS = {
    "Connection refused": Message(
        "the server refuses connections (is it running, on that host and port?)"),
    "password authentication failed": Message("the password was refused"),
    "does not exist": Message("the database or its user does not exist on that server"),
}


def unreachable(exc: BaseException) -> Message:
    """What to say of the PostgreSQL database that failed with psycopg's ``exc`` (a server
    that cannot be reached, or that went away); never its URL, which may carry a password."""
    said = " ".join(str(exc).split())
    reason = next((m for text, m in LIBPQ_REASONS.items() if text in said), said)
    return Message("cannot use the database named by FOOTPRINT_DATABASE_URL: %(reason)s",
                   reason=reason)


class PostgresDatabase:
    """One connection (one thread: a web request, a CLI command), in autocommit."""

    dialect = DIALECT

    def __init__(self, url: str):
        self.url = url
        self.raw = psycopg.connect(url, autocommit=True)
        # no JIT compilation: the store's statements are short, and the few long ones (a
        # recalculation's chunk of 50,000 rows) spent a third of their time compiling
        self.raw.execute("SET jit = off")
        self.raw.adapters.register_loader("numeric", _Numbers)
        self._keys: dict[str, str] = {}
        self._savepoints = 0

    # sqlite-utils reaches the DB-API connection as db.conn; the store uses these of it
    @property
    def conn(self) -> "PostgresDatabase":
        return self

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params=()):
        return self.raw.execute(placeholders(sql), list(params or ()))

    def executemany(self, sql: str, rows) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(placeholders(sql), list(rows))

    def copy_rows(self, table: str, columns: tuple[str, ...], rows) -> None:
        """``rows`` (tuples of ``columns``) into ``table`` by one binary COPY: the server
        parses no SQL and no text per row, and the rows travel as one stream. The columns'
        types (oids) are read from the table, a temporary one too: binary COPY needs them."""
        types = dict(self.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped",
            [table]).fetchall())
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN "
                             "(FORMAT BINARY)") as copy:
                copy.set_types([types[column] for column in columns])
                for row in rows:
                    copy.write_row(row)

    def batches(self, sql: str, size: int):
        """The rows of ``sql`` (no parameters), ``size`` at a time, through a server-side
        cursor: a table of millions of rows is never all in memory. Inside a transaction
        (such a cursor lives in one)."""
        with self.raw.cursor(name="footprint_batches") as cursor:
            cursor.execute(sql)
            while batch := cursor.fetchmany(size):
                yield batch

    def query(self, sql: str, params=()):
        with self.raw.cursor(row_factory=dict_row) as cursor:
            cursor.execute(placeholders(sql), list(params or ()))
            rows = cursor.fetchall()
        yield from rows

    def __getitem__(self, name: str) -> Table:
        return Table(self, name)

    def table_names(self) -> list[str]:
        return [row[0] for row in self.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename")]

    def primary_key(self, table: str) -> str:
        """The single primary-key column of ``table`` (``id`` for most)."""
        if table not in self._keys:
            rows = self.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = ?::regclass AND i.indisprimary", [table]).fetchall()
            if len(rows) != 1:
                raise ValueError(f"{table} has no single-column primary key")
            self._keys[table] = rows[0][0]
        return self._keys[table]

    @contextmanager
    def atomic(self):
        """A savepoint inside the open transaction (sqlite-utils' nesting)."""
        self._savepoints += 1
        name = f"footprint_{self._savepoints}"
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        finally:
            self._savepoints -= 1
        self.execute(f"RELEASE SAVEPOINT {name}")

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __del__(self):
        # a connection dropped unclosed is closed, quietly, as sqlite3 closes its own
        raw = getattr(self, "raw", None)
        if raw is not None and not raw.closed:
            raw.close()


def connect(url: str) -> PostgresDatabase:
    return PostgresDatabase(url)
