"""The service database as an operator handles it: open, migrate, copy.

``copy`` is the database alone; a backup a platform can restore from (keys and secret key
included) is footprint.usecases.backup."""
from __future__ import annotations

from pathlib import Path

from ..errors import Conflict, Message
from ..files import check_writable
from ..store import pgdump
from ..store.db import (connect, copy_database, database_errors, database_location,
                        database_path, failed)
from ..store.migrations import migrate, pending

__all__ = ["connect", "database_errors", "copy", "database_location", "database_named", "failed",
           "database_path", "migrate", "open_database",
           "pending"]


def database_named(home: Path) -> str:
    """How messages name the database: its file, or the URL's variable (a URL may carry a
    password)."""
    location = database_location(home)
    return str(location) if isinstance(location, Path) else "named by FOOTPRINT_DATABASE_URL"


def open_database(home: Path, migrated: bool = True):
    """A connection to the service's database (FOOTPRINT_DATABASE_URL, else FOOTPRINT_HOME's
    file); with ``migrated``, Conflict if migrations are pending (the service and most
    commands must not run on an old schema)."""
    db = connect(database_location(home))
    behind = pending(db) if migrated else []
    if behind:
        db.close()
        raise Conflict(Message("the database in %(home)s needs migrations %(versions)s: run "
                               "`footprint db migrate`", home=str(home),
                               versions=[v for v, _ in behind]))
    return db


def copy(home: Path, path: Path) -> Message:
    """Copy the live database, and nothing else, to ``path``: SQLite's online backup, or on
    PostgreSQL pg_dump's custom format (pg_restore reads it); each one consistent snapshot,
    safe while the service runs. Without the issuer keys a platform restored from it
    verifies none of its labels and signs no checkpoint. Says which of the two it made;
    InvalidInput when ``path``'s folder is missing or cannot be written in."""
    path = Path(path)
    if path.exists():
        raise Conflict(Message("%(path)s exists; choose a new file", path=str(path)))
    check_writable(path, "PATH")
    location = database_location(home)
    if isinstance(location, Path):
        copy_database(location, path)
        return Message("a SQLite database file")
    try:
        pgdump.dump(location, path)
    except pgdump.ToolFailed as exc:
        path.unlink(missing_ok=True)
        raise Conflict(exc.message) from None
    return Message("pg_dump's custom format: `pg_restore --dbname URL FILE` restores it")
