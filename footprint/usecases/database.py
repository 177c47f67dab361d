"""The service database as an operator handles it: open, migrate, back up."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import Conflict
from ..store.db import connect, database_path
from ..store.migrations import migrate, pending

__all__ = ["backup", "connect", "database_path", "migrate", "open_database", "pending"]


def open_database(home: Path, migrated: bool = True):
    """A connection to FOOTPRINT_HOME's database; with ``migrated``, Conflict if migrations
    are pending (the service and most commands must not run on an old schema)."""
    db = connect(database_path(home))
    behind = pending(db) if migrated else []
    if behind:
        db.close()
        raise Conflict(f"the database in {home} needs migrations {[v for v, _ in behind]}: "
                       "run `footprint db migrate`")
    return db


def backup(home: Path, path: Path) -> None:
    """Copy the live database to ``path`` (SQLite's online backup: a consistent snapshot,
    safe while the service runs)."""
    source = sqlite3.connect(str(database_path(home)))
    target = sqlite3.connect(str(path))
    with target:
        source.backup(target)
    target.close()
    source.close()
