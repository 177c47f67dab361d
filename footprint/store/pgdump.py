"""A PostgreSQL database to a file and back, with the server's own tools: pg_dump's custom
format (one consistent snapshot, taken while the service keeps writing) and pg_restore into
an empty database.

    with exported_snapshot(db) as name:      # read what you need of the same state
        dump(url, path, snapshot=name)       # then dump exactly that state
    restore(url, path)                        # into a database holding nothing yet

The tools are PostgreSQL's client programs: FOOTPRINT_PG_BIN when set, else the newest
Debian puts beside its servers (/usr/lib/postgresql/<version>/bin: pg_dump must be as new
as the server it dumps), else whatever PATH finds. A password in the URL goes to them in
PGPASSWORD, never on their command line (which every user of the machine can read).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from ..errors import Message

PG_BIN = "FOOTPRINT_PG_BIN"
DEBIAN_SERVERS = Path("/usr/lib/postgresql")


class ToolFailed(RuntimeError):
    """pg_dump or pg_restore is missing or refused: ``message`` says which and why (the
    tool's own output as it wrote it)."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


def tool(name: str) -> Path:
    """The path of PostgreSQL client program ``name`` (pg_dump, pg_restore)."""
    configured = os.environ.get(PG_BIN, "").strip()
    if configured:
        candidate = Path(configured) / name
        if not os.access(candidate, os.X_OK):
            raise ToolFailed(Message("%(variable)s=%(folder)s holds no %(tool)s",
                                     variable=PG_BIN, folder=configured, tool=name))
        return candidate
    versions = sorted((p for p in DEBIAN_SERVERS.glob(f"*/bin/{name}")
                       if p.parent.parent.name.isdigit()),
                      key=lambda p: int(p.parent.parent.name))
    if versions:
        return versions[-1]
    found = shutil.which(name)
    if found is None:
        raise ToolFailed(Message("%(tool)s is not installed: install PostgreSQL's client "
                                 "programs (Debian: postgresql-client) or set %(variable)s to "
                                 "their folder", tool=name, variable=PG_BIN))
    return Path(found)


def _run(name: str, url: str, *args: str) -> None:
    """Run ``name`` on the database of ``url``."""
    # psycopg only where a PostgreSQL platform is dumped: a SQLite one never loads it
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    done = subprocess.run([str(tool(name)), f"--dbname={make_conninfo(**params)}", *args],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise ToolFailed(Message("%(tool)s failed (exit %(code)s): %(output)s", tool=name,
                                 code=done.returncode,
                                 output=(done.stderr or done.stdout).strip()))


@contextmanager
def exported_snapshot(db):
    """A REPEATABLE READ, READ ONLY transaction on ``db`` whose snapshot is exported: yields
    its name, which ``dump`` takes, so the dump and whatever ``db`` reads inside the block
    see one and the same state of the database."""
    db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        yield db.execute("SELECT pg_export_snapshot()").fetchone()[0]
    finally:
        db.execute("COMMIT")  # read only: ends the snapshot


def dump(url: str, path: Path, snapshot: str | None = None) -> None:
    """pg_dump of the database at ``url`` to the new file ``path``, custom format (compressed;
    pg_restore reads it), at ``snapshot`` when given (see ``exported_snapshot``)."""
    args = ["--format=custom", f"--file={path}"]
    if snapshot is not None:
        args.append(f"--snapshot={snapshot}")
    _run("pg_dump", url, *args)


def restore(url: str, path: Path) -> None:
    """pg_restore of the dump ``path`` into the database at ``url``, all or nothing (one
    transaction, stopping at the first error). Owners and grants are the restoring role's:
    the platform restored elsewhere need not have the old roles."""
    _run("pg_restore", url, "--single-transaction", "--exit-on-error", "--no-owner",
         "--no-privileges", str(path))


# -- what a database holds --------------------------------------------------------------------

_OBJECTS = """
SELECT 'extension' AS kind, extname AS name, NULL AS schema FROM pg_extension
 WHERE extname <> 'plpgsql'
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'S' THEN 'sequence' ELSE 'table' END, c.relname, n.nspname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'function', p.oid::regprocedure::text, n.nspname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                   AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 3, 2
"""


def objects(db) -> list[tuple[str, str, str | None]]:
    """(kind, name, schema) of every table, view, sequence, function and extension the
    database holds beyond PostgreSQL's own: empty for a database just made."""
    return [(row[0], row[1], row[2]) for row in db.execute(_OBJECTS).fetchall()]


def drop_objects(db) -> None:
    """Drop every object ``objects`` lists, in one transaction: a database that held none
    before a failed restore holds none again."""
    db.execute("BEGIN")
    try:
        for kind, name, schema in objects(db):
            if kind == "extension":
                db.execute(f'DROP EXTENSION IF EXISTS "{name}" CASCADE')
            elif kind == "function":  # regprocedure text: already quoted, with its arguments
                db.execute(f"DROP FUNCTION IF EXISTS {schema}.{name} CASCADE"
                           if "." not in name.split("(")[0] else
                           f"DROP FUNCTION IF EXISTS {name} CASCADE")
            elif kind != "sequence":
                db.execute(f'DROP {kind.upper()} IF EXISTS "{schema}"."{name}" CASCADE')
        for kind, name, schema in objects(db):  # what no table owned
            if kind == "sequence":
                db.execute(f'DROP SEQUENCE IF EXISTS "{schema}"."{name}" CASCADE')
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
