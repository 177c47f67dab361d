"""The backup of a platform on PostgreSQL: pg_dump of one snapshot in the same archive as the
keys (tests/test_backup.py is the SQLite platform's), restored with pg_restore into an empty
database and checked as a SQLite backup is; a restore that fails its checks leaves the
database as empty as it found it. The demo is made on the test cluster as an operator makes
one: `footprint demo --no-serve` with FOOTPRINT_DATABASE_URL set."""
from __future__ import annotations

import shutil
import tarfile
import uuid

import pytest
from click.testing import CliRunner

from cli.main import cli
from footprint.labels.keys import own_entries
from footprint.archive import BackupError
from footprint.store import connect, database_path, pgdump
from footprint.store.db import DATABASE_URL
from footprint.store.migrations import migrate
from footprint.translog import TransparencyLog
from footprint.translog.checkpoint import verify_checkpoint
from footprint.usecases import backup, restore
from footprint.usecases.tokens import create_token
from footprint.usecases.demo import ISSUER_ID
from tests.conftest import app_on, pg_copy
from tests.test_backup import PASSPHRASE, _leftovers, _scan_all, serving

ENV = {"FOOTPRINT_BACKUP_PASSPHRASE": PASSPHRASE}
DEMO_LABELS = 6  # the demo's: three valid, two superseded, one revoked (tests/test_backup.py)


@pytest.fixture(scope="module")
def pg_demo(pg_cluster, tmp_path_factory):
    """The demo made on PostgreSQL: its home (keys) and the database it wrote, kept as a
    template each test copies."""
    admin = connect(pg_cluster.url())
    admin.execute("CREATE DATABASE demo_template")
    admin.close()
    home = tmp_path_factory.mktemp("pg-demo") / "home"
    made = CliRunner().invoke(cli, ["demo", "--no-serve"], env={
        "FOOTPRINT_HOME": str(home), DATABASE_URL: pg_cluster.url("demo_template")})
    assert made.exit_code == 0, made.output
    return home, "demo_template"


@pytest.fixture
def platform(pg_demo, pg_cluster, tmp_path, monkeypatch):
    """A copy of the demo: its home in the test's folder, its database a new one; the
    variable names it, as on the platform's hosts."""
    template_home, template = pg_demo
    home = tmp_path / "platform"
    shutil.copytree(template_home, home, ignore=shutil.ignore_patterns(*backup.DERIVED))
    copies = pg_copy(pg_cluster, template)
    url = next(copies)
    monkeypatch.setenv(DATABASE_URL, url)
    yield home, url
    next(copies, None)


@pytest.fixture
def empty_database(pg_cluster):
    """A database as `createdb` makes it: nothing in it."""
    admin = connect(pg_cluster.url())
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")
    yield pg_cluster.url(name)
    admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def _query(url: str, sql: str) -> list[tuple]:
    db = connect(url)
    try:
        return [tuple(row) for row in db.execute(sql).fetchall()]
    finally:
        db.close()


def _labels(url: str) -> dict[str, bytes]:
    return {row[0]: bytes(row[1]) for row in _query(url, "SELECT id, cose FROM labels")}


def _objects(url: str) -> list:
    db = connect(url)
    try:
        return pgdump.objects(db)
    finally:
        db.close()


def _cli(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env={**ENV, **(env or {})})


# -- the drill -------------------------------------------------------------------------------

def test_a_serving_platform_on_postgresql_backed_up_and_restored_serves_the_same_labels(
        platform, empty_database, tmp_path, engine):
    home, url = platform
    app = app_on(home, engine, TESTING=True, FOOTPRINT_DATABASE_URL=url)
    labels = _labels(url)
    assert len(labels) == DEMO_LABELS
    before = _scan_all(app.test_client(), labels)
    assert sorted(v for _, v in before.values()) == ["revoked", "superseded", "superseded",
                                                      "valid", "valid", "valid"]
    submissions_before = _query(url, "SELECT COUNT(*) FROM submissions")[0][0]

    # the platform keeps serving (scans, API submissions, another thread) while pg_dump runs
    db = connect(url)
    token = create_token(db, "orchard", "drill")
    db.close()
    archive = tmp_path / "platform.tar"
    with serving(app, token, labels) as answers:
        during = len(answers)
        made = _cli("backup", "create", archive, "--passphrase-env",
                    "FOOTPRINT_BACKUP_PASSPHRASE", env={"FOOTPRINT_HOME": str(home)})
    assert made.exit_code == 0, made.output
    assert set(answers) <= {200, 201} and 201 in answers[during:]  # it served throughout
    assert "footprint.pgdump" in made.output
    submissions_after = _query(url, "SELECT COUNT(*) FROM submissions")[0][0]
    assert submissions_after > submissions_before
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        dump = tar.extractfile("footprint.pgdump").read()
    assert names[:3] == ["manifest.json", "manifest.mac", "footprint.pgdump"]
    assert "footprint.db" not in names
    assert dump[:5] == b"PGDMP"  # pg_dump's custom format

    restored = tmp_path / "restored"
    result = _cli("backup", "restore", archive, "--home", restored, "--passphrase-env",
                  "FOOTPRINT_BACKUP_PASSPHRASE", env={DATABASE_URL: empty_database})
    assert result.exit_code == 0, result.output
    assert "ok    pg_restore into an empty database (one transaction): ok" in result.output
    assert f"labels verified {DEMO_LABELS} of {DEMO_LABELS}" in result.output
    assert "footprint log verify: ok" in result.output
    assert not (restored / "footprint.pgdump").exists()  # the dump went into the database
    assert not (restored / "footprint.db").exists()
    # one snapshot of the serving database: what was there before, none made after
    restored_count = _query(empty_database, "SELECT COUNT(*) FROM submissions")[0][0]
    assert submissions_before < restored_count <= submissions_after

    # the log's root at the restored size is the serving platform's at that size, and the
    # restored key signs a checkpoint of it the published key verifies
    restored_db = connect(empty_database)
    size = TransparencyLog(restored_db).size()
    restored_db.close()
    served = connect(url)
    assert f"log size {size}, root " in result.output
    root_then = TransparencyLog(served).root(size)
    served.close()
    assert _labels(empty_database) == labels
    restored_app = app_on(restored, engine, TESTING=True, FOOTPRINT_DATABASE_URL=empty_database)
    assert _scan_all(restored_app.test_client(), labels) == before
    note = restored_app.test_client().get("/log/checkpoint").get_data(as_text=True)
    entry = own_entries(restored, ISSUER_ID)[0]
    assert verify_checkpoint(note, ISSUER_ID, entry.public_key) == (size, root_then)
    assert _leftovers(tmp_path) == []


# -- what a restore refuses, and what it leaves behind ----------------------------------------

@pytest.fixture
def archive(platform, tmp_path):
    home, _ = platform
    path = tmp_path / "platform.tar"
    summary = backup.create(home, path, PASSPHRASE)
    assert summary.members[0].name == "footprint.pgdump"
    return path


def test_a_restore_into_a_database_that_is_not_empty_is_refused(archive, platform, tmp_path,
                                                                monkeypatch):
    _, url = platform  # the serving platform's own database
    before = _objects(url)
    result = _cli("backup", "restore", archive, "--home", tmp_path / "new-home",
                  "--passphrase-env", "FOOTPRINT_BACKUP_PASSPHRASE", env={DATABASE_URL: url})
    assert result.exit_code == 1
    assert "is not empty" in result.output and "restored only into an empty database" \
        in result.output
    assert _objects(url) == before and len(_labels(url)) == DEMO_LABELS
    assert not (tmp_path / "new-home").exists() and _leftovers(tmp_path) == []


def test_a_restore_that_fails_its_checks_leaves_the_database_empty(platform, empty_database,
                                                                  tmp_path):
    """A platform whose stored label was altered backs up (the archive is intact), but what
    it holds does not verify: the restore says which label, keeps no home, and drops what
    pg_restore made."""
    home, url = platform
    db = connect(url)
    label_id, cose = db.execute("SELECT id, cose FROM labels ORDER BY id LIMIT 1").fetchone()
    forged = bytearray(cose)
    forged[-1] ^= 0x01  # the last byte of the signature
    db.execute("UPDATE labels SET cose = ? WHERE id = ?", [bytes(forged), label_id])
    db.close()
    archive = tmp_path / "b.tar"
    backup.create(home, archive, PASSPHRASE)
    assert _objects(empty_database) == []
    target = tmp_path / "new-home"
    result = _cli("backup", "restore", archive, "--home", target, "--passphrase-env",
                  "FOOTPRINT_BACKUP_PASSPHRASE", env={DATABASE_URL: empty_database})
    assert result.exit_code == 1
    assert f"FAIL  label {label_id} does not verify against the restored trust list: " \
           "bad-signature" in result.output
    assert "nothing was restored" in result.output
    assert _objects(empty_database) == []  # as empty as before
    assert not target.exists() and _leftovers(tmp_path) == []


def test_backup_check_restores_into_a_scratch_database_and_empties_it(archive,
                                                                     empty_database):
    result = _cli("backup", "check", archive, "--passphrase-env",
                  "FOOTPRINT_BACKUP_PASSPHRASE", env={DATABASE_URL: empty_database})
    assert result.exit_code == 0, result.output
    assert f"labels verified {DEMO_LABELS} of {DEMO_LABELS}" in result.output
    assert _objects(empty_database) == []


def test_the_archive_and_the_target_must_be_the_same_engine(archive, tmp_path, monkeypatch,
                                                           empty_database):
    monkeypatch.delenv(DATABASE_URL)
    with pytest.raises(BackupError, match="holds a PostgreSQL database .pg_dump.: set "
                                          "FOOTPRINT_DATABASE_URL to an empty database"):
        restore.restore(archive, tmp_path / "a", PASSPHRASE)
    # a SQLite platform's archive, with the variable naming a PostgreSQL database
    sqlite_home = tmp_path / "sqlite-home"
    sqlite_home.mkdir()
    db = connect(database_path(sqlite_home))
    migrate(db)
    db.close()
    backup.create(sqlite_home, tmp_path / "sqlite.tar", PASSPHRASE)
    monkeypatch.setenv(DATABASE_URL, empty_database)
    with pytest.raises(BackupError, match="holds a SQLite database, and FOOTPRINT_DATABASE_URL "
                                          "names a PostgreSQL one"):
        restore.restore(tmp_path / "sqlite.tar", tmp_path / "b", PASSPHRASE)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert _objects(empty_database) == [] and _leftovers(tmp_path) == []


def test_a_missing_pg_dump_is_said_and_nothing_is_written(platform, tmp_path, monkeypatch):
    home, _ = platform
    monkeypatch.setenv(pgdump.PG_BIN, str(tmp_path))  # a folder without the tools
    result = _cli("backup", "create", tmp_path / "b.tar", "--passphrase-env",
                  "FOOTPRINT_BACKUP_PASSPHRASE", env={"FOOTPRINT_HOME": str(home)})
    assert result.exit_code == 1
    assert f"FOOTPRINT_PG_BIN={tmp_path} holds no pg_dump" in result.output
    assert not (tmp_path / "b.tar").exists() and _leftovers(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.tar")] == []


# -- the database alone --------------------------------------------------------------------

def test_db_backup_on_postgresql_is_a_pg_dump_that_pg_restore_reads(platform, tmp_path,
                                                                     empty_database):
    home, _ = platform
    copy = tmp_path / "only.dump"
    result = _cli("db", "backup", copy, env={"FOOTPRINT_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert "pg_dump's custom format" in result.output
    assert copy.read_bytes()[:5] == b"PGDMP"
    pgdump.restore(empty_database, copy)
    assert len(_labels(empty_database)) == DEMO_LABELS


def test_dropping_what_a_restore_made_empties_a_migrated_database(pg_url):
    """The clean-up of a failed restore, on a migrated database: tables, the log's trigger
    functions, the json_extract function, identity sequences and pg_trgm all go."""
    db = connect(pg_url)
    try:
        kinds = {kind for kind, _, _ in pgdump.objects(db)}
        assert {"table", "function", "extension", "sequence"} <= kinds
        pgdump.drop_objects(db)
        assert pgdump.objects(db) == []
        assert not db.conn.in_transaction
    finally:
        db.close()


def test_a_database_owner_who_is_not_a_superuser_restores_it(archive, pg_cluster, tmp_path):
    """As an operator restores: into a database `createdb --owner` made for the platform's
    role, which may create pg_trgm (a trusted extension) and owns all it restores."""
    role = f"platform_{uuid.uuid4().hex[:8]}"
    admin = connect(pg_cluster.url())
    admin.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    admin.execute(f"CREATE DATABASE {role} OWNER {role}")
    url = pg_cluster.url(role).replace("footprint@", f"{role}@")
    try:
        result = _cli("backup", "restore", archive, "--home", tmp_path / "restored",
                      "--passphrase-env", "FOOTPRINT_BACKUP_PASSPHRASE",
                      env={DATABASE_URL: url})
        assert result.exit_code == 0, result.output
        assert f"labels verified {DEMO_LABELS} of {DEMO_LABELS}" in result.output
        owners = _query(url, "SELECT DISTINCT tableowner FROM pg_tables "
                             "WHERE schemaname = 'public'")
        assert owners == [(role,)]
    finally:
        admin.execute(f"DROP DATABASE {role} WITH (FORCE)")
        admin.execute(f"DROP ROLE {role}")
        admin.close()
