"""Durability on PostgreSQL (tests/test_durability.py is SQLite's): the service leaves the
server's durability as it is (fsync, synchronous_commit on: COMMIT returns once the WAL is
flushed), and nothing it acknowledged is lost when the PostgreSQL server is killed with
SIGKILL in the middle of a load and started again.

The test cluster of the other tests runs with fsync off; this one starts its own, with
PostgreSQL's defaults, and is the only one it kills. The workers killed under load (of the
application, not the database) are tests/test_postgresql.py's two-host test."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from footprint.store import connect
from footprint.store.migrations import migrate
from footprint.usecases.tokens import create_token
from footprint.usecases.users import seed_user
from tests.conftest import app_on, started_cluster

CLIENTS = 4
PER_CLIENT = 12   # 4 x 12 = 48 submissions, each acknowledged once
CRASH_AFTER = 12  # acknowledged submissions before the server is killed
DEADLINE = 120    # seconds for the whole load, the outage included


@pytest.fixture(scope="module")
def durable_cluster():
    """A cluster of this module's own, with fsync on; removed afterwards."""
    cluster = started_cluster(durable=True)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def durable_url(durable_cluster):
    admin = connect(durable_cluster.url())
    admin.execute("CREATE DATABASE durable")
    admin.close()
    url = durable_cluster.url("durable")
    db = connect(url)
    migrate(db)
    seed_user(db, "orchard", "producer", "Pujiang Orchard Co-op", "correct horse battery")
    db.close()
    return url


def _post(url: str, body: dict, headers: dict) -> tuple[int, object] | None:
    """(status, decoded body) of a POST; None when no answer came (the connection failed)."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError):
        return None


def _settings(url: str, *names: str) -> list[str]:
    db = connect(url)
    try:
        return [db.execute(f"SHOW {name}").fetchone()[0] for name in names]
    finally:
        db.close()


@pytest.fixture(scope="module")
def durable_home(tmp_path_factory):
    """One platform home for the module's database: a host with another secret key would
    be refused (footprint.usecases.hosts)."""
    return tmp_path_factory.mktemp("durable-home")


def test_the_service_commits_with_the_servers_durability(durable_url, durable_home, engine):
    """What SQLite's synchronous=FULL is to the file, PostgreSQL's fsync and synchronous
    commit are to the server: on in the dedicated cluster, and the service's own connections
    leave them so (none turns synchronous_commit off for speed)."""
    assert _settings(durable_url, "fsync", "synchronous_commit", "full_page_writes") == \
        ["on", "on", "on"]
    app = app_on(durable_home, engine, TESTING=True, FOOTPRINT_DATABASE_URL=durable_url)
    from web.db import get_db
    with app.app_context():
        assert get_db().execute("SHOW synchronous_commit").fetchone()[0] == "on"


@pytest.fixture
def live(durable_url, durable_home, engine):
    """The service on a loopback port, on the dedicated cluster; (base URL, token)."""
    from werkzeug.serving import make_server

    app = app_on(durable_home, engine, TESTING=True, FOOTPRINT_DATABASE_URL=durable_url)
    db = connect(durable_url)
    token = create_token(db, "orchard", "durability")
    db.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=5)


def test_nothing_acknowledged_is_lost_when_the_server_is_killed_mid_load(
        live, durable_cluster, durable_url, make_bom):
    """Four clients send 48 submissions, each with its Idempotency-Key, retrying the same
    key on any answer but 200/201 (a 503 while the server is down) until acknowledged.
    After the 12th acknowledgement the postmaster and all its processes get SIGKILL, and
    the server is started again (crash recovery from the WAL). Every acknowledged
    submission is there, once; none is there twice."""
    base, token = live
    acknowledged: dict[str, int] = {}  # Idempotency-Key -> submission id
    answers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    enough = threading.Event()
    deadline = time.monotonic() + DEADLINE

    def client(n: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            for k in range(PER_CLIENT):
                key = str(uuid.uuid4())
                bom = make_bom(product={"name": f"Part {n}-{k}", "category": "generic"})
                while time.monotonic() < deadline:
                    answer = _post(f"{base}/api/v1/submissions", bom,
                                   {**headers, "Idempotency-Key": key})
                    if answer is None:
                        continue
                    status, body = answer
                    with lock:
                        answers.append(status)
                    if status in (200, 201):
                        with lock:
                            acknowledged[key] = body["id"]
                            if len(acknowledged) >= CRASH_AFTER:
                                enough.set()
                        break
                    assert status == 503, body  # the server down
                    time.sleep(0.05)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    assert enough.wait(DEADLINE)
    durable_cluster.crash()
    time.sleep(0.3)  # requests meet the server gone meanwhile
    durable_cluster.serve()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(acknowledged) == CLIENTS * PER_CLIENT  # 4 x 12 = 48, all acknowledged
    db = connect(durable_url)
    try:
        rows = db.execute("SELECT id, idempotency_key FROM submissions").fetchall()
    finally:
        db.close()
    stored = {key: sid for sid, key in rows}
    lost = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
    assert lost == {}
    assert len(rows) == len(stored) == 48  # nothing stored twice, nothing unacknowledged
    assert 503 in answers  # the kill was met, not slipped between requests
