"""Writing many rows at once: what a recalculation chunk (tens of thousands of products) writes.

    insert_rows(db, "recalc_staged", STAGED, rows)
    upsert_rows(db, "compiled_boms", COMPILED, ("submission_id", "revision", "fingerprint"),
                rows)

SQLite takes them by ``executemany`` of one prepared INSERT (in process, no parsing per
row). PostgreSQL would parse, plan and answer each row of an ``executemany`` over the
socket; it takes ``COPY_FROM`` rows or more by one binary COPY instead
(footprint.store.postgres ``copy_rows``).
COPY only inserts, so an upsert copies into a temporary table first and moves the rows with
one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``.

Call these inside the caller's transaction, so that a chunk is written whole or not at all.
"""
from __future__ import annotations

from .db import POSTGRESQL, dialect, upsert_sql

UPSERT_STAGE = "bulk_upsert"  # the temporary table an upsert is copied into (PostgreSQL)
# rows from which PostgreSQL takes them by COPY: fewer (a submission keeps one revision's
# rows) go by one pipelined executemany, as a COPY's column lookup and an upsert's temporary
# table would add round trips and catalog writes to every request for nothing
COPY_FROM = 100


def _by_copy(db, rows) -> tuple[list, bool]:
    rows = rows if isinstance(rows, list) else list(rows)
    return rows, dialect(db) == POSTGRESQL and len(rows) >= COPY_FROM


def insert_rows(db, table: str, columns: tuple[str, ...], rows) -> None:
    """``rows`` (tuples of ``columns``) inserted into ``table``."""
    rows, by_copy = _by_copy(db, rows)
    if by_copy:
        db.copy_rows(table, columns, rows)
        return
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})", rows)


def upsert_rows(db, table: str, columns: tuple[str, ...], key: tuple[str, ...], rows) -> None:
    """``rows`` into ``table``, each replacing the values of a row with the same ``key``
    (``store.db.upsert_sql``). No two of ``rows`` may share a key (PostgreSQL refuses to
    change one row twice in one statement)."""
    rows, by_copy = _by_copy(db, rows)
    if not by_copy:
        db.conn.executemany(upsert_sql(table, columns, key), rows)
        return
    names = ", ".join(columns)
    db.execute(f"DROP TABLE IF EXISTS {UPSERT_STAGE}")
    db.execute(f"CREATE TEMP TABLE {UPSERT_STAGE} AS SELECT {names} FROM {table} WITH NO DATA")
    db.copy_rows(UPSERT_STAGE, columns, rows)
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    db.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {UPSERT_STAGE} "
               f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")
    db.execute(f"DROP TABLE {UPSERT_STAGE}")
