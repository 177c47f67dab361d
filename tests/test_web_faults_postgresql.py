"""Storage faults on PostgreSQL answer as SQLite's do (tests/test_web_faults.py): a write that
waits for the lock past lock_timeout 503 busy, a read-only database and a server that went
away 503 unavailable, a full disk 507; each as the documented JSON, nothing stored, and the
same running app writes again once the fault is gone.

The errors are real ones, made by the test cluster on the app's own connection (a lock held
by another connection, the database set read-only, the app's backend terminated) or on its
disk (the tables a submission writes in a tablespace on a small tmpfs, filled; as root, as
SQLite's full-disk test); the full-disk page raises the server's error (SQLSTATE 53100)
where the use case would meet it."""
from __future__ import annotations

import pwd
import shutil
import subprocess
import uuid

import psycopg.errors
import pytest

from footprint.store import connect
from footprint.store.db import WRITE_LOCK
from web.db import get_db

from .conftest import editor_form
from .test_web_faults import (BROKEN, BUSY, FULL, assert_error_shape, mount_small_tmpfs,
                              raising)

pytestmark = pytest.mark.parametrize("service", ["postgresql"], indirect=True)

TABLES = ("products", "submissions", "results", "audit_events")


def counts(url: str) -> dict:
    """Row counts read on a connection of their own (the app's may be the one faulted)."""
    db = connect(url)
    try:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        db.close()


def on_apps_connection(service, sql: str, params=()):
    """Run ``sql`` on the connection the app's requests use (the test client's requests run
    in this thread, which keeps one connection)."""
    with service.app.app_context():
        return get_db().execute(sql, list(params)).fetchone()


@pytest.fixture
def url(service):
    return service.db.url


def assert_fault(response, fault):
    body = assert_error_shape(response, fault.status)
    assert body["error"].startswith(fault.words)
    assert "Nothing was saved." in body["error"]
    assert response.headers["Retry-After"] == fault.retry_after
    assert "psycopg" not in response.get_data(as_text=True)


def test_a_write_waiting_for_the_lock_past_lock_timeout_is_503_busy(service, api, url,
                                                                   make_bom):
    before = counts(url)
    on_apps_connection(service, "SELECT set_config('lock_timeout', '150ms', false)")
    holder = connect(url)  # another host's writer, in the middle of a long transaction
    holder.execute("BEGIN")
    holder.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
    try:
        assert_fault(api("orchard", "POST", "/submissions", json=make_bom()), BUSY)
        assert counts(url) == before
        # reads take no write lock: served meanwhile
        assert api("orchard", "GET", "/submissions").status_code == 200
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert api("orchard", "POST", "/submissions", json=make_bom()).status_code == 201


def test_a_read_only_database_is_503_unavailable_and_reads_go_on(service, api, url, make_bom):
    """As a host pointed at a standby, or a database an operator set read-only."""
    before = counts(url)
    on_apps_connection(service, "SELECT set_config('default_transaction_read_only', 'on', "
                                "false)")
    assert_fault(api("orchard", "POST", "/submissions", json=make_bom()), BROKEN)
    assert counts(url) == before
    assert api("orchard", "GET", "/submissions").status_code == 200
    on_apps_connection(service, "SELECT set_config('default_transaction_read_only', 'off', "
                                "false)")
    assert api("orchard", "POST", "/submissions", json=make_bom()).status_code == 201


def test_a_server_gone_is_503_unavailable_and_the_next_request_connects_again(
        service, api, url, make_bom):
    """The app's backend terminated (a server restarted, a failover): the request that meets
    the dead connection answers 503 and stores nothing; the next opens a new connection."""
    before = counts(url)
    pid = on_apps_connection(service, "SELECT pg_backend_pid()")[0]
    admin = connect(url)
    try:
        assert admin.execute("SELECT pg_terminate_backend(?)", [pid]).fetchone()[0] is True
    finally:
        admin.close()
    assert_fault(api("orchard", "POST", "/submissions", json=make_bom()), BROKEN)
    assert counts(url) == before
    created = api("orchard", "POST", "/submissions", json=make_bom())
    assert created.status_code == 201
    assert on_apps_connection(service, "SELECT pg_backend_pid()")[0] != pid


def test_postgresqls_disk_full_is_507_and_stores_nothing(service, api, url, make_bom,
                                                         monkeypatch):
    import web.api.submissions as views
    before = counts(url)
    monkeypatch.setattr(views.subs, "create_submission", raising(psycopg.errors.DiskFull(
        'could not extend file "base/16384/16522": No space left on device')))
    assert_fault(api("orchard", "POST", "/submissions", json=make_bom()), FULL)
    assert counts(url) == before


def test_a_full_disk_page_on_postgresql_is_the_same_page(service, clients, monkeypatch):
    import web.producer as producer
    monkeypatch.setattr(producer.subs, "create_submission", raising(psycopg.errors.DiskFull(
        "could not extend file")))
    response = clients["orchard"].post("/producer/submissions/new", data=editor_form(),
                                       headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 507 and response.headers["Retry-After"] == "300"
    page = response.get_data(as_text=True)
    assert "<h1>平台的存储空间已满。</h1>" in page and "本次操作没有保存任何内容。" in page


# -- a real full disk ------------------------------------------------------------------------

MOVED = ("products", "submissions", "results", "audit_events")


@pytest.fixture
def small_tablespace(service, pg_cluster):
    """A tablespace on a 6 MB tmpfs, holding the tables a submission writes (fillfactor 10
    on submissions: a new row goes to a new page, so a write needs the disk, as a busy
    platform's do). Needs root, as SQLite's full-disk test does: skipped with the reason
    elsewhere, a failure in CI. The tables go back to the default tablespace afterwards."""
    # inside the cluster's own folder: the server's user reaches it (not pytest's, 0700)
    name = f"small_{uuid.uuid4().hex[:12]}"
    folder = pg_cluster.root / name
    folder.mkdir()
    mount_small_tmpfs(folder)
    url = service.db.url
    admin = connect(pg_cluster.url())
    try:
        if pg_cluster.as_user:
            account = pwd.getpwnam(pg_cluster.as_user)
            shutil.chown(folder, account.pw_uid, account.pw_gid)
        admin.execute(f"CREATE TABLESPACE {name} LOCATION '{folder}'")
        db = connect(url)
        for table in MOVED:
            db.execute(f"ALTER TABLE {table} SET TABLESPACE {name}")
        db.execute("ALTER TABLE submissions SET (fillfactor = 10)")
        db.execute(f"CREATE TABLE filler (b BYTEA) TABLESPACE {name}")
        db.execute("ALTER TABLE filler ALTER COLUMN b SET STORAGE EXTERNAL")  # uncompressed
        db.close()
        yield url
    finally:
        db = connect(url)
        db.execute("DROP TABLE IF EXISTS filler")
        for table in MOVED:
            db.execute(f"ALTER TABLE {table} SET TABLESPACE pg_default")
        db.close()
        admin.execute(f"DROP TABLESPACE IF EXISTS {name}")
        admin.close()
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()


def fill(url: str) -> int:
    """Rows into the filler table until the tablespace refuses even a small one; bytes
    written."""
    db = connect(url)
    written = 0
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9):
            while True:
                try:
                    db.execute("INSERT INTO filler VALUES (?)", [bytes(size)])
                except psycopg.errors.DiskFull:
                    break
                written += size
    finally:
        db.close()
    return written


def test_a_really_full_disk_refuses_writes_with_507_and_goes_on_reading(
        service, api, make_bom, small_tablespace):
    url = small_tablespace
    first = [api("orchard", "POST", "/submissions", json=make_bom()) for _ in range(3)]
    assert [r.status_code for r in first] == [201, 201, 201]
    sid = first[-1].get_json()["id"]
    assert fill(url) > 0
    before = counts(url)
    response = api("orchard", "POST", "/submissions", json=make_bom())
    body = assert_error_shape(response, 507)
    assert body["error"] == ("The platform's storage is full. Nothing was saved. "
                             "Please try again later.")
    assert counts(url) == before
    # reads: served
    assert api("orchard", "GET", f"/submissions/{sid}").status_code == 200
    listed = api("orchard", "GET", "/submissions").get_json()["submissions"]
    assert len(listed) == 3
    # space again: the same running app writes, no restart
    db = connect(url)
    db.execute("DROP TABLE filler")  # (TRUNCATE would need a new file: no room for it)
    db.close()
    again = api("orchard", "POST", "/submissions", json=make_bom())
    assert again.status_code == 201
