"""The baseline for benchmarks/web_load.py: the least a Flask app under the same gunicorn can do.

``/`` answers "hello" (the framework's ceiling for a GET); ``/insert`` stores one row in
SQLite with the service's own connection settings (WAL, synchronous=FULL) and answers 201
(the ceiling for a write that is acknowledged only once it is durable).
"""
from __future__ import annotations

import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)
DATABASE = os.environ.get("HELLO_DATABASE", "/tmp/hello-benchmark.db")


_connection: tuple[int, sqlite3.Connection] | None = None


def _db() -> sqlite3.Connection:
    """One connection per worker process, opened after the fork."""
    global _connection
    if _connection is None or _connection[0] != os.getpid():
        db = sqlite3.connect(DATABASE, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body BLOB)")
        _connection = (os.getpid(), db)
    return _connection[1]


@app.get("/")
def hello():
    return "hello"


@app.post("/insert")
def insert():
    _db().execute("INSERT INTO rows (body) VALUES (?)", [request.get_data()])
    return {"ok": True}, 201
