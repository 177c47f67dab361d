"""The baseline for benchmarks/web_load.py: the least a Flask app under the same gunicorn can do.

``/`` answers "hello" (the framework's ceiling for a GET); ``/insert`` stores one row in
SQLite with the service's own connection settings (WAL, synchronous=FULL) and answers 201
(the ceiling for a write that is acknowledged only once it is durable).
"""
from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
DATABASE = os.environ.get("HELLO_DATABASE", "/tmp/hello-benchmark.db")


_held = threading.local()


def _db() -> sqlite3.Connection:
    """One connection per worker thread (the service's own rule, web/db.py), opened after
    the fork."""
    held = getattr(_held, "connection", None)
    if held is None or held[0] != os.getpid():
        db = sqlite3.connect(DATABASE, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body BLOB)")
        held = _held.connection = (os.getpid(), db)
    return held[1]


@app.get("/")
def hello():
    return "hello"


@app.post("/insert")
def insert():
    _db().execute("INSERT INTO rows (body) VALUES (?)", [request.get_data()])
    return {"ok": True}, 201
