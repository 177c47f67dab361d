"""Several application hosts, one platform: keys from a shared folder, a host with other keys
or another secret key refusing to serve, one recalculation at a time on any host, and
psycopg left unimported on SQLite (docs/deployment.md)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from footprint import clock
from footprint.errors import Conflict
from footprint.labels import keys as issuer_keys
from footprint.recalc import lease
from footprint.settings import secret_key
from footprint.store import connect, database_path
from footprint.store import leases
from footprint.store.db import database_file, transaction
from footprint.store.migrations import migrate
from footprint.usecases import hosts

SC = "四川省碳足迹平台"
REPO = Path(__file__).resolve().parent.parent


def fingerprint_by_hand(secret: str) -> str:
    # HMAC-SHA256 (RFC 2104) keyed with the secret's UTF-8 bytes, over the fixed text the
    # module documents: recomputed here with hashlib's own primitives
    key = secret.encode("utf-8").ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key)
                           + b"footprint: the secret key's fingerprint").digest()
    return hashlib.sha256(bytes(b ^ 0x5C for b in key) + inner).hexdigest()


# -- 1. keys and the secret key from a shared location --------------------------------------

def test_keys_and_secret_live_in_the_shared_folder_when_one_is_configured(tmp_path,
                                                                        monkeypatch):
    shared, host_a, host_b = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(shared))
    monkeypatch.delenv("FOOTPRINT_SECRET_KEY", raising=False)
    made = issuer_keys.generate(host_a, "CN-SC", SC)
    assert made.path == shared / "own" / "CN-SC" / f"{made.entry.kid.hex()}.pem"
    assert not (host_a / "keys").exists()
    # the other host, with a home of its own, signs with the same key
    assert issuer_keys.current_key(host_b).entry.kid == made.entry.kid
    first = secret_key(host_a)
    assert (shared / "secret_key").read_text().strip() == first and len(first) == 64
    assert secret_key(host_b) == first and not (host_a / "secret_key").exists()
    monkeypatch.setenv("FOOTPRINT_SECRET_KEY", "from the environment")
    assert secret_key(host_a) == "from the environment"
    # without the variable, each home keeps its own keys, as before
    monkeypatch.delenv("FOOTPRINT_KEYS_DIR")
    assert issuer_keys.own_entries(host_b) == []


def test_a_rotation_on_one_host_is_what_the_other_signs_with_next(tmp_path, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "shared"))
    first = issuer_keys.generate(tmp_path / "a", "CN-SC", SC, now=1_700_000_000)
    assert issuer_keys.current_key(tmp_path / "b").entry.kid == first.entry.kid
    rotated = issuer_keys.rotate(tmp_path / "a", "CN-SC")
    # host b reads the shared folder again (its kept trust list is rechecked within a second)
    issuer_keys._KEPT.clear()
    assert issuer_keys.current_key(tmp_path / "b").entry.kid == rotated.entry.kid
    assert {e.kid for e in issuer_keys.trust_list(tmp_path / "b").entries} == \
        {first.entry.kid, rotated.entry.kid}


# -- 2. a host with other keys, or another secret, refuses ----------------------------------

def test_the_first_host_records_the_keys_and_the_secrets_fingerprint_only(store_db, tmp_path):
    made = issuer_keys.generate(tmp_path / "a", "CN-SC", SC)
    done = hosts.check_host(store_db, tmp_path / "a", "the platform's secret")
    assert done.keys == [made.entry.kid.hex()] and done.secret
    rows = list(store_db.query("SELECT kid, issuer, public_key FROM platform_keys"))
    assert rows == [{"kid": made.entry.kid.hex(), "issuer": "CN-SC",
                     "public_key": made.entry.public_key.hex()}]
    [secret] = list(store_db.query("SELECT name, fingerprint FROM platform_secrets"))
    assert secret == {"name": "secret_key",
                      "fingerprint": fingerprint_by_hand("the platform's secret")}
    # the same host again: nothing new to record, nothing refused
    again = hosts.check_host(store_db, tmp_path / "a", "the platform's secret")
    assert again.keys == [] and not again.secret


def test_a_host_with_another_key_or_secret_is_refused_in_both_languages(store_db, tmp_path):
    platform = issuer_keys.generate(tmp_path / "a", "CN-SC", SC)
    hosts.check_host(store_db, tmp_path / "a", "the platform's secret")
    stranger = issuer_keys.generate(tmp_path / "b", "CN-SC", SC)
    with pytest.raises(hosts.HostRefused) as refused:
        hosts.check_host(store_db, tmp_path / "b", "the platform's secret")
    text = refused.value.both()
    assert platform.entry.kid.hex() in text and stranger.entry.kid.hex() in text
    assert "this host's issuer keys are not the platform's" in text
    assert "本主机的签发密钥与平台不一致" in text
    # a host with no key at all is refused as well: it could not sign
    with pytest.raises(hosts.HostRefused) as refused:
        hosts.check_host(store_db, tmp_path / "empty", "the platform's secret")
    assert "are none." in refused.value.both() and "为 无。" in refused.value.both()
    # the right keys with another secret: sessions of the others would not be read
    with pytest.raises(hosts.HostRefused) as refused:
        hosts.check_host(store_db, tmp_path / "a", "another secret")
    assert "secret key is not the platform's" in refused.value.both()
    assert "会话密钥与平台不一致" in refused.value.both()
    # nothing was recorded by the refused hosts
    assert [r["kid"] for r in store_db.query("SELECT kid FROM platform_keys")] == \
        [platform.entry.kid.hex()]


def test_a_host_with_a_stale_copy_of_the_keys_is_refused_after_a_rotation(store_db, tmp_path,
                                                                          monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(shared))
    issuer_keys.generate(tmp_path / "a", "CN-SC", SC, now=1_700_000_000)
    hosts.check_host(store_db, tmp_path / "a", "s")
    stale = tmp_path / "stale-copy"
    shutil.copytree(shared, stale)
    rotated = issuer_keys.rotate(tmp_path / "a", "CN-SC")
    # the rotating host records the new key (as `footprint keys rotate` does)
    with transaction(store_db):
        from footprint.store import hosts as recorded
        recorded.record_key(store_db, rotated.entry.kid.hex(), "CN-SC",
                            rotated.entry.public_key.hex(), "host-a")
    hosts.check_host(store_db, tmp_path / "b", "s")  # shares the folder: serves
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(stale))
    with pytest.raises(hosts.HostRefused, match=rotated.entry.kid.hex()):
        hosts.check_host(store_db, tmp_path / "b", "s")


def _sqlite_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    migrate(connect(database_path(home)))
    return home


def test_the_app_factory_refuses_a_host_with_other_keys(tmp_path, monkeypatch):
    from web import create_app
    from web.db import HostMismatch

    home = _sqlite_home(tmp_path)
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "keys-a"))
    issuer_keys.generate(home, "CN-SC", SC)
    create_app({"TESTING": True, "FOOTPRINT_HOME": str(home)})  # records them
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "keys-b"))
    issuer_keys.generate(home, "CN-SC", SC)
    with pytest.raises(HostMismatch, match="本主机的签发密钥与平台不一致"):
        create_app({"TESTING": True, "FOOTPRINT_HOME": str(home)})
    # the secret: keys-b has a secret_key file of its own once the factory ran
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "keys-a"))
    monkeypatch.setenv("FOOTPRINT_SECRET_KEY", "not the one recorded")
    with pytest.raises(HostMismatch, match="secret key is not the platform's"):
        create_app({"TESTING": True, "FOOTPRINT_HOME": str(home)})


@pytest.fixture
def cli_home(tmp_path, monkeypatch, run):
    home = tmp_path / "home"
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "shared"))
    monkeypatch.delenv("FOOTPRINT_SECRET_KEY", raising=False)
    monkeypatch.delenv("FOOTPRINT_DATABASE_URL", raising=False)
    assert run("db", "migrate").exit_code == 0
    return home


def test_serve_refuses_with_other_keys_and_exits_non_zero(cli_home, tmp_path, monkeypatch,
                                                          run):
    import cli.commands.service as service

    def no_gunicorn(*args):  # a host that passed the check would exec gunicorn here
        raise SystemExit(99)
    monkeypatch.setattr(service.os, "execvp", no_gunicorn)
    generated = run("keys", "generate", "--issuer", "CN-SC", "--name", SC)
    assert generated.exit_code == 0 and "recorded key" in generated.stdout
    assert run("serve").exit_code == 99  # the platform's keys: it would serve
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "elsewhere"))
    stray = run("keys", "generate", "--issuer", "CN-SC", "--name", SC)
    assert stray.exit_code == 1 and "not recorded" in stray.stderr  # made, kept out
    refused = run("serve")
    assert refused.exit_code == 1
    assert "this host's issuer keys are not the platform's" in refused.stderr
    assert "本主机的签发密钥与平台不一致" in refused.stderr
    assert run("db", "migrate").exit_code == 1  # the keys are checked there too
    # the operator says this host's keys are the right ones: now the first host refuses
    recorded = run("keys", "record")
    assert recorded.exit_code == 0, recorded.stderr
    assert run("serve").exit_code == 99
    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "shared"))
    assert run("serve").exit_code == 1


def test_keys_rotated_by_the_command_are_recorded_and_the_sharing_host_serves(cli_home,
                                                                           monkeypatch, run):
    import cli.commands.service as service

    monkeypatch.setattr(service.os, "execvp", lambda *args: sys.exit(99))
    assert run("keys", "generate", "--issuer", "CN-SC", "--name", SC).exit_code == 0
    assert run("serve").exit_code == 99
    rotated = run("keys", "rotate", "--issuer", "CN-SC")
    assert rotated.exit_code == 0 and "recorded key" in rotated.stdout
    db = connect(database_path(cli_home))
    assert db.execute("SELECT count(*) FROM platform_keys").fetchone()[0] == 2
    db.close()
    issuer_keys._KEPT.clear()
    assert run("serve").exit_code == 99


def test_a_key_made_before_there_is_a_database_is_left_for_the_first_host_to_record(
        tmp_path, monkeypatch, run):
    home = tmp_path / "fresh"
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    monkeypatch.delenv("FOOTPRINT_DATABASE_URL", raising=False)
    monkeypatch.delenv("FOOTPRINT_KEYS_DIR", raising=False)
    made = run("keys", "generate", "--issuer", "CN-SC", "--name", SC)
    assert made.exit_code == 0 and "not recorded yet" in made.stderr
    assert not database_path(home).exists()  # no database made to record it in
    assert run("db", "migrate").exit_code == 0  # the first migration records it
    db = connect(database_path(home))
    assert [r["issuer"] for r in db.query("SELECT issuer FROM platform_keys")] == ["CN-SC"]
    db.close()


# -- 3. one recalculation at a time ---------------------------------------------------------

def _holder(db) -> dict:
    return leases.holder(db, lease.LEASE)


def test_a_second_run_is_refused_naming_the_holder_then_runs_once_it_is_released(store_db):
    other = connect(database_file(store_db))  # another host's connection
    with lease.exclusive(store_db, "footprint recalc to MEE-2023"):
        held = _holder(other)
        assert (held["what"], held["pid"]) == ("footprint recalc to MEE-2023", os.getpid())
        with pytest.raises(Conflict) as refused:
            with lease.exclusive(other, "footprint recalc to MEE-2024"):
                pass
        text = str(refused.value)
        assert "a recalculation is running already: footprint recalc to MEE-2023" in text
        assert f"(process {os.getpid()})" in text and held["host"] in text
        assert refused.value.args[0].said("zh").startswith("已有重算正在进行")
    assert _holder(other) is None  # released
    with lease.exclusive(other, "footprint recalc to MEE-2024"):
        assert _holder(store_db)["what"] == "footprint recalc to MEE-2024"
    other.close()


def test_a_lease_left_by_a_killed_run_frees_when_it_expires_or_its_process_is_gone(store_db):
    now = clock.now()
    with transaction(store_db):  # a run on another host, alive as far as anyone knows
        leases.take(store_db, lease.LEASE, "theirs", "other-host", 4242, "their run",
                    now - timedelta(seconds=10), now + timedelta(seconds=300))
    with pytest.raises(Conflict, match="other-host"):
        with lease.exclusive(store_db, "mine"):
            pass
    with transaction(store_db):  # the same lease, expired a second ago
        leases.take(store_db, lease.LEASE, "theirs", "other-host", 4242, "their run",
                    now - timedelta(seconds=700), now - timedelta(seconds=1))
    with lease.exclusive(store_db, "mine"):
        assert _holder(store_db)["what"] == "mine"
    # a run of this host whose process is gone: free at once, though unexpired
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with transaction(store_db):
        leases.take(store_db, lease.LEASE, "killed", __import__("socket").gethostname(),
                    int(dead.stdout), "killed run", now, now + timedelta(seconds=300))
    with lease.exclusive(store_db, "resumed"):
        assert _holder(store_db)["what"] == "resumed"


def test_a_run_whose_lease_was_taken_over_stops(store_db, monkeypatch):
    with lease.exclusive(store_db, "slow run") as held:
        with transaction(store_db):  # it expired unrenewed and another run took it
            now = clock.now()
            leases.take(store_db, lease.LEASE, "usurper", "other-host", 1, "their run", now,
                        now + timedelta(seconds=600))
        monkeypatch.setattr(lease, "RENEW_SECONDS", 0)
        with pytest.raises(Conflict, match="lease expired and another run took it"):
            held.keep(store_db)
    assert _holder(store_db)["token"] == "usurper"  # its lease is not released by the loser


def test_recalc_is_refused_while_another_run_holds_the_lease_and_a_dry_run_is_not(
        store_db, engine, footprint_home):
    from footprint.usecases.recalculation import Options, recalculate

    other = connect(database_file(store_db))
    with lease.exclusive(other, "footprint recalc on host b"):
        with pytest.raises(Conflict, match="footprint recalc on host b"):
            recalculate(store_db, Options(), footprint_home)
        assert recalculate(store_db, Options(dry_run=True), footprint_home).selected == 0
    summary = recalculate(store_db, Options(), footprint_home)
    assert summary.selected == 0 and summary.run_id is not None
    assert _holder(store_db) is None
    other.close()


def test_recalc_on_the_command_line_says_who_holds_the_lease(cli_home, run):
    db = connect(database_path(cli_home))
    now = clock.now()
    with transaction(db):
        leases.take(db, lease.LEASE, "theirs", "host-b.internal", 31337,
                    "footprint recalc to MEE-2023 --reissue", now, now + timedelta(seconds=600))
    refused = run("recalc", "--no-progress")
    assert refused.exit_code == 1
    assert "host-b.internal (process 31337)" in refused.stderr
    assert "footprint recalc to MEE-2023 --reissue" in refused.stderr
    db.close()


# -- 4. psycopg only for PostgreSQL ---------------------------------------------------------

def test_a_command_or_the_web_on_sqlite_never_imports_psycopg(tmp_path):
    script = ("import sys\n"
              "from cli.main import cli\n"
              "from footprint.usecases.database import connect, database_errors, migrate\n"
              f"db = connect({str(tmp_path / 'footprint.db')!r}); migrate(db)\n"
              "import sqlite3\n"
              "assert database_errors() == (sqlite3.Error,), database_errors()\n"
              "from web import create_app\n"
              f"create_app({{'TESTING': True, 'FOOTPRINT_HOME': {str(tmp_path)!r}}})\n"
              "print('psycopg' in sys.modules, 'footprint.store.postgres' in sys.modules)\n")
    env = {**os.environ, "FOOTPRINT_HOME": str(tmp_path)}
    env.pop("FOOTPRINT_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_database_errors_take_in_psycopgs_once_postgresql_is_opened(pg_url):
    import psycopg

    from footprint.store.db import database_errors, operational_errors

    db = connect(pg_url)
    assert psycopg.Error in database_errors()
    assert psycopg.OperationalError in operational_errors()
    try:
        db.execute("SELECT * FROM no_such_table")
    except database_errors() as exc:
        assert isinstance(exc, psycopg.Error)
    else:
        pytest.fail("no error")
    db.close()


# -- sessions and API tokens on any host ------------------------------------------------------

def test_a_session_and_a_token_made_on_one_host_work_on_the_other(pg_url, tmp_path,
                                                                  monkeypatch):
    """Two hosts (homes of their own, one shared keys folder) on one PostgreSQL database: a
    producer logged in on host a is logged in on host b with the same cookie, and an API
    token made through host a answers on host b; a logout on b ends the session on a."""
    from footprint.usecases.tokens import create_token
    from footprint.usecases.users import seed_user
    from web import create_app

    monkeypatch.setenv("FOOTPRINT_KEYS_DIR", str(tmp_path / "shared"))
    monkeypatch.delenv("FOOTPRINT_SECRET_KEY", raising=False)
    db = connect(pg_url)
    seed_user(db, "orchard", "producer", "Pujiang Orchard Co-op", "correct horse battery")
    token = create_token(db, "orchard", "two hosts")
    db.close()
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "FOOTPRINT_DATABASE_URL": pg_url}
    host_a = create_app({**config, "FOOTPRINT_HOME": str(tmp_path / "a")}).test_client()
    host_b = create_app({**config, "FOOTPRINT_HOME": str(tmp_path / "b")}).test_client()

    assert host_b.get("/producer/").status_code == 302  # not logged in there yet
    logged_in = host_a.post("/login", data={"username": "orchard",
                                            "password": "correct horse battery"})
    assert logged_in.status_code == 302
    cookie = host_a.get_cookie("session")
    host_b.set_cookie(cookie.key, cookie.value)
    assert host_b.get("/producer/").status_code == 200

    bearer = {"Authorization": f"Bearer {token}"}
    assert host_a.get("/api/v1/submissions", headers=bearer).status_code == 200
    assert host_b.get("/api/v1/submissions", headers=bearer).status_code == 200

    assert host_b.post("/logout").status_code == 302
    # the session row ended in the shared database: host a no longer honours the cookie
    assert host_a.get("/producer/").status_code == 302
