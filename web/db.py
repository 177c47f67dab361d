"""One database connection per worker thread, and the engine shared by the whole app."""
from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from pathlib import Path

from flask import Flask, current_app, g

from footprint.engine import Engine
from footprint.usecases.database import (connect, database_errors, database_location,
                                         database_path, pending)
from footprint.usecases.hosts import HostRefused, check_host
from footprint.usecases.libraries import imports_stamp


class DatabaseBehind(RuntimeError):
    pass


class HostMismatch(RuntimeError):
    """This host's keys or secret key are not the platform's (footprint.usecases.hosts)."""


# database file or URL -> (process, the file's inode, its connection), per thread
_threads = threading.local()


def get_db():
    if "db" not in g:
        g.db = app_db(current_app._get_current_object())
    return g.db


def app_db(app: Flask):
    """The thread's connection to ``app``'s database (``get_db`` inside a request; the
    public answers given before Flask, web.front, read with it outside one)."""
    location, sqlite_file = _location(app)
    if sqlite_file:  # (PostgreSQL: a URL)
        _hold_wal_index(app)
    return _thread_connection(location, sqlite_file)


def _thread_connection(location: str, sqlite_file: bool):
    """The thread's connection to ``location``, opened once and kept: opening one with its
    settings was a tenth of a scan's time. A new one after a fork (a connection never crosses
    one), when SQLite's file was replaced (another inode) or PostgreSQL's connection broke."""
    held = getattr(_threads, "connections", None)
    if held is None:
        held = _threads.connections = {}
    inode = _inode(location) if sqlite_file else None
    kept = held.get(location)
    if kept is not None and kept[:2] == (os.getpid(), inode) and _usable(kept[2]):
        return kept[2]
    db = connect(location)
    held[location] = (os.getpid(), _inode(location) if sqlite_file else None, db)
    return db


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def _usable(db) -> bool:
    raw = getattr(db, "raw", None)  # PostgreSQL's psycopg connection
    return raw is None or not (raw.closed or raw.broken)


def _location(app: Flask) -> tuple[str, bool]:
    """(the app's database, whether it is SQLite's file): the PostgreSQL URL an app may name
    in its config (tests run two at once) or FOOTPRINT_DATABASE_URL, else SQLite's file in
    FOOTPRINT_HOME."""
    found = app.extensions.get("footprint_database_location")
    if found is None:
        location = app.config.get("FOOTPRINT_DATABASE_URL") or database_location(
            Path(app.config["FOOTPRINT_HOME"]))
        found = app.extensions["footprint_database_location"] = (
            str(location), isinstance(location, Path))
    return found


def _hold_wal_index(app: Flask) -> None:
    """One idle connection per process, for the app's life. SQLite deletes the WAL and its
    index (footprint.db-shm) when the last connection closes, and the next connection makes
    them again, which fails on a full disk ("disk I/O error"), reads included. Held open,
    they stay, so pages and GETs go on reading while writes answer 507 (web.security)."""
    held = app.extensions.get("footprint_wal_holder")
    if held is not None and held[0] == os.getpid():
        return
    # A worker forked from a process that holds one opens its own: a connection never
    # crosses a fork. Any thread may close it when the app goes (it is never used).
    holder = sqlite3.connect(database_path(Path(app.config["FOOTPRINT_HOME"])),
                             check_same_thread=False)
    holder.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens WAL and index
    app.extensions["footprint_wal_holder"] = (os.getpid(), holder)
    weakref.finalize(app, holder.close)


def get_engine() -> Engine:
    """The app's engine; built again when a factor library or an LCI database was imported
    (by any process: a catalog changed), so every worker calculates with the same data."""
    if "footprint_engine" in g:  # looked at once a request (a preview asks twice)
        return g.footprint_engine
    home = Path(current_app.config["FOOTPRINT_HOME"])
    stamp = imports_stamp(home)
    engine = current_app.extensions.get("footprint_engine")
    seen = current_app.extensions.setdefault("footprint_engine_stamp", stamp)
    if engine is None or seen != stamp:
        engine = Engine(home=home)
        current_app.extensions["footprint_engine"] = engine
        current_app.extensions["footprint_engine_stamp"] = stamp
    g.footprint_engine = engine
    return engine


def end_request(exception=None) -> None:
    """The connection stays open for the thread's next request, with nothing left pending:
    a transaction a failed request left open is rolled back (a connection that cannot is
    dropped, and the next request opens another)."""
    db = g.pop("db", None)
    if db is None or not _usable(db) or not db.conn.in_transaction:
        return
    try:
        db.conn.rollback()
    except database_errors():
        held = getattr(_threads, "connections", {})
        for location, kept in list(held.items()):
            if kept[2] is db:
                del held[location]


def init_app(app: Flask) -> None:
    app.teardown_appcontext(end_request)
    # the imports as the app starts: an engine set on the app now (tests share one) is
    # built again once something is imported
    app.extensions["footprint_engine_stamp"] = imports_stamp(Path(app.config["FOOTPRINT_HOME"]))
    with app.app_context():
        db = get_db()  # and the held connection (_hold_wal_index)
        behind = pending(db)
        if behind:
            raise DatabaseBehind(
                f"the database in {app.config['FOOTPRINT_HOME']} needs migrations "
                f"{[v for v, _ in behind]}: run `footprint db migrate`")
        try:  # the first host to serve records its keys; a host with others refuses
            check_host(db, Path(app.config["FOOTPRINT_HOME"]), app.config["SECRET_KEY"])
        except HostRefused as exc:
            raise HostMismatch(exc.both()) from None
