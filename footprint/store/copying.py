"""The tables of one service database copied into another, across engines (``footprint db
copy``, footprint.usecases.dbcopy): which tables there are, in which order they can be
written, their rows read and written in batches, and PostgreSQL's identity columns moved
past the copied ids.

What is not copied row by row: ``schema_migrations`` (each side's own migrations write it)
and the public registry's read model (``registry_labels``, ``registry_search``), which the
triggers on ``labels`` fill as the labels are written, each engine in its own way
(docs/postgresql.md, What differs). Their row counts are compared all the same.

On PostgreSQL rows go in through COPY, on SQLite through executemany, ``BATCH`` rows at a
time; foreign keys are checked when the caller's transaction commits
(``defer_foreign_keys``), and tables are written referenced first all the same.
"""
from __future__ import annotations

from graphlib import TopologicalSorter

from .db import POSTGRESQL, dialect

BATCH = 5000
OWN = ("schema_migrations",)                    # written by each side's migrations
DERIVED = ("registry_labels", "registry_search")  # written by triggers on labels
# PostgreSQL keeps SQLite's implicit rowid of labels (issuance order) as a column
ROWID = "rowid"


def tables(db) -> list[str]:
    """The service's tables, sorted; SQLite's own tables and the shadow tables of its FTS5
    index left out (PRAGMA table_list says which are shadows)."""
    if dialect(db) == POSTGRESQL:
        return db.table_names()
    return sorted(row[1] for row in db.execute("PRAGMA table_list")
                  if row[0] == "main" and row[2] in ("table", "virtual")
                  and not row[1].startswith("sqlite_"))


def copied(names) -> list[str]:
    """Of ``names``, the tables whose rows are copied (see the module's docstring)."""
    return [name for name in names if name not in OWN + DERIVED]


def columns(db, table: str) -> list[str]:
    """The columns of ``table`` in their order."""
    if dialect(db) == POSTGRESQL:
        return [row[0] for row in db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? "
            "ORDER BY ordinal_position", [table])]
    return [row[1] for row in db.execute("SELECT * FROM pragma_table_info(?)", [table])]


def shared_columns(source, target, table: str) -> list[str]:
    """The columns copied from ``source``'s ``table`` into ``target``'s: all of them, with
    labels' ``rowid``, a column on PostgreSQL and SQLite's implicit one (which SQLite also
    reads and writes by that name). ValueError when the two tables differ otherwise."""
    found = {side: columns(side, table) for side in (source, target)}
    names = {side: set(names) for side, names in found.items()}
    postgresql = [side for side in (source, target) if dialect(side) == POSTGRESQL]
    widest = found[postgresql[0]] if postgresql else found[source]
    for side in (source, target):
        if dialect(side) != POSTGRESQL and ROWID in set(widest) - names[side]:
            names[side].add(ROWID)
    if names[source] != names[target]:
        raise ValueError(f"table {table} has columns {sorted(names[source])} in the source "
                         f"and {sorted(names[target])} in the target")
    return widest


def references(db) -> dict[str, set[str]]:
    """table -> the other tables its foreign keys reference."""
    if dialect(db) == POSTGRESQL:
        rows = db.execute("SELECT conrelid::regclass::text, confrelid::regclass::text "
                          "FROM pg_constraint WHERE contype = 'f' "
                          "AND connamespace = current_schema()::regnamespace").fetchall()
    else:
        rows = [(table, row[2]) for table in tables(db)
                for row in db.execute("SELECT * FROM pragma_foreign_key_list(?)", [table])]
    found: dict[str, set[str]] = {}
    for table, referenced in rows:
        if referenced != table:  # a label superseding a label: deferred, not an order
            found.setdefault(table, set()).add(referenced)
    return found


def dependency_order(db, names) -> list[str]:
    """``names`` with every table after the tables it references."""
    refs = references(db)
    graph = {name: refs.get(name, set()) & set(names) for name in sorted(names)}
    return list(TopologicalSorter(graph).static_order())


def row_counts(db, names) -> dict[str, int]:
    return {name: int(db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])
            for name in names}


def has_rows(db, names) -> list[str]:
    """Of ``names``, the tables holding at least one row."""
    return [name for name in names
            if db.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone() is not None]


def read_batches(db, table: str, names: list[str]):
    """The rows of ``table`` (the ``names`` columns, as tuples), ``BATCH`` at a time, inside
    the caller's snapshot."""
    sql = f"SELECT {', '.join(names)} FROM {table}"
    if dialect(db) == POSTGRESQL:
        yield from db.batches(sql, BATCH)
        return
    cursor = db.execute(sql)
    while batch := cursor.fetchmany(BATCH):
        yield batch


def write_batches(db, table: str, names: list[str], batches) -> int:
    """Write the rows of ``batches`` into ``table``; how many were written. Inside the
    caller's transaction: PostgreSQL's COPY, SQLite's executemany."""
    written = 0
    if dialect(db) == POSTGRESQL:
        for batch in batches:
            db.copy_rows(table, names, batch)
            written += len(batch)
        return written
    sql = (f"INSERT INTO {table} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    for batch in batches:
        db.conn.executemany(sql, batch)
        written += len(batch)
    return written


def identity_columns(db) -> list[tuple[str, str]]:
    """(table, column) of PostgreSQL's identity columns (SQLite's rowids number themselves
    from the largest one stored: none to name)."""
    if dialect(db) != POSTGRESQL:
        return []
    return [tuple(row) for row in db.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES' "
        "ORDER BY table_name, column_name")]


def continue_identities(db) -> None:
    """Move each identity column's sequence to just after the largest id stored (copied
    rows carry their ids, which leave the sequence where it was)."""
    for table, column in identity_columns(db):
        db.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), "
                   f"COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}",
                   [table, column])


def identities(db) -> list[tuple[str, str, int, int]]:
    """(table, column, the largest id stored or 0, the id the next insert gets) of each
    identity column."""
    found = []
    for table, column in identity_columns(db):
        sequence = db.execute("SELECT pg_get_serial_sequence(?, ?)",
                              [table, column]).fetchone()[0]
        # the name is the catalogue's, quoted by it where it needs quoting
        last, called = db.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()
        largest = db.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}").fetchone()[0]
        found.append((table, column, int(largest), int(last) + 1 if called else int(last)))
    return found
