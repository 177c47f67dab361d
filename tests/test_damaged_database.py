"""A database an operator's command cannot use (another file in its place, a damaged page) is
said in English and Chinese with what to do, exit 1, and the file left as it was: no
traceback, nothing written over it."""
from __future__ import annotations

import os
import sqlite3

import pytest

from cli.errors import failed_database
from footprint.store import connect
from footprint.store.migrations import migrate

from .conftest import cli_runner, free_port

PAGE = 4096  # SQLite's default page size, the store's too


@pytest.fixture
def footprint(tmp_path):
    """footprint(*args) -> the result of `footprint ARGS` on a home of its own."""
    runner = cli_runner()

    def invoke(*args):
        from cli.main import cli
        return runner.invoke(cli, [str(a) for a in args], env={
            "FOOTPRINT_HOME": str(tmp_path),
            "FOOTPRINT_DATABASE_URL": os.environ.get("FOOTPRINT_DATABASE_URL")})
    return invoke


def test_a_file_that_is_no_database(footprint, tmp_path):
    path = tmp_path / "footprint.db"
    path.write_bytes(os.urandom(3 * PAGE))
    before = path.read_bytes()
    for args in (("users", "list"), ("db", "migrate"), ("db", "backup", tmp_path / "copy.db")):
        result = footprint(*args)
        assert result.exit_code == 1, args
        assert result.stderr.splitlines() == [
            f"error: cannot use the database {path}: the file is not an SQLite database "
            "(damaged, or another file in its place); restore it from a backup "
            "(`footprint backup restore`)",
            f"错误：无法使用数据库 {path}：该文件不是 SQLite 数据库（已损坏，或被别的文件替换）；"
            "请从备份恢复（`footprint backup restore`）"], args
    assert path.read_bytes() == before
    assert not (tmp_path / "copy.db").exists()


def test_a_damaged_page(footprint, tmp_path):
    path = tmp_path / "footprint.db"
    db = connect(path)
    migrate(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    db.close()
    content = bytearray(path.read_bytes())
    content[(root - 1) * PAGE:root * PAGE] = b"\xff" * PAGE  # the users table's first page
    path.write_bytes(bytes(content))
    result = footprint("users", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"错误：无法使用数据库 {path}：数据库文件已损坏；请从备份恢复（`footprint backup restore`）")
    assert path.read_bytes() == bytes(content)


def test_only_the_database_s_own_failures_are_said_so():
    damaged = failed_database(sqlite3.DatabaseError("database disk image is malformed"))
    assert "the database file is damaged" in str(damaged)
    full = failed_database(sqlite3.OperationalError("database or disk is full"))
    assert "the disk is full" in str(full) and "restore" not in str(full)
    # a refused statement is a bug of ours: it stays a traceback for whoever mends it
    assert failed_database(sqlite3.IntegrityError("UNIQUE constraint failed: users.name")) \
        is None
    assert failed_database(ValueError("file is not a database")) is None


def test_a_postgresql_server_that_refuses(footprint, monkeypatch):
    # nothing listens on a port just freed: libpq's "Connection refused", and never the URL
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL",
                       f"postgresql://footprint:secret@127.0.0.1:{free_port()}/footprint")
    result = footprint("users", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: cannot use the database named by FOOTPRINT_DATABASE_URL: the server refuses "
        "connections (is it running, on that host and port?)",
        "错误：无法使用 FOOTPRINT_DATABASE_URL 所指的数据库：服务器拒绝连接（是否在运行，主机和端口是否正确？）"]
    assert "secret" not in result.stderr
