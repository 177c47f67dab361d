"""`footprint db copy`: the demo platform moved from SQLite to PostgreSQL and back, each copy
verified; a tampered copy caught; the refusals, with nothing written.

The demo's figures (footprint/usecases/demo.py, held by tests/test_demo.py): 11 submissions
(one per story), 3 comments (two by the verifier, one by the orchard), 6 labels (one revoked:
cq-lfp; two superseded) and 10 leaves in the log: 6 issues, 2 supersessions, 1 revocation
and the bank's loan as a record, in this order (leaf 3 issues cq-lfp, leaf 4 revokes it,
leaf 9 is the record).
"""
from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3

import pytest

from footprint.errors import Conflict, InvalidInput
from footprint.store import connect, database_path
from footprint.translog.monitor import verify_log
from footprint.usecases import dbcopy
from tests.conftest import seeded_demo

SUBMISSIONS, COMMENTS, LABELS, LEAVES = 11, 3, 6, 10


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory, engine):
    """The demo seeded once on SQLite, with its issuer key, for every test to copy."""
    home = tmp_path_factory.mktemp("demo-platform")
    db, _ = seeded_demo(home, engine)
    db.close()
    return home


@pytest.fixture
def home(demo_home, tmp_path, monkeypatch):
    """This test's own copy of the demo platform (SQLite under FOOTPRINT_HOME)."""
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    monkeypatch.setenv("FOOTPRINT_HOME", str(copy))
    monkeypatch.delenv("FOOTPRINT_DATABASE_URL", raising=False)
    return copy


@pytest.fixture
def pg_new(pg_cluster):
    """A new PostgreSQL database with no tables at all (template1's copy, as CREATE DATABASE
    makes one), dropped after the test."""
    from tests.conftest import pg_copy
    yield from pg_copy(pg_cluster, "template1")


def sqlite_counts(path) -> dict[str, int]:
    """Rows per table of a SQLite file, read with nothing but sqlite3 (FTS5's shadow tables
    left out: PostgreSQL has none)."""
    conn = sqlite3.connect(path)
    names = [row[1] for row in conn.execute("PRAGMA table_list") if row[0] == "main"
             and row[2] in ("table", "virtual") and not row[1].startswith("sqlite_")]
    counts = {n: conn.execute(f"SELECT COUNT(*) FROM {n}").fetchone()[0] for n in names}
    conn.close()
    return counts


def pg_tables(url) -> list[str]:
    db = connect(url)
    try:
        return [r[0] for r in db.execute("SELECT tablename FROM pg_tables "
                                         "WHERE schemaname = 'public'")]
    finally:
        db.close()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checks(verification) -> dict[str, list]:
    return {str(check.name): [str(p) for p in check.problems] for check in verification.checks}


def test_the_demo_moves_up_to_postgresql_and_verifies(home, pg_new):
    source = database_path(home)
    before, counts = digest(source), sqlite_counts(source)
    assert (counts["submissions"], counts["comments"], counts["labels"],
            counts["log_entries"]) == (SUBMISSIONS, COMMENTS, LABELS, LEAVES)

    report = dbcopy.copy_platform(home, pg_new)

    assert report.migrated  # the database had no tables: migrated in the copy's transaction
    assert report.manifest.counts == counts
    assert report.manifest.size == LEAVES
    # every table's rows but the migrations' own and the registry's (its triggers' rows)
    assert report.written == {t: counts[t] for t in report.written}
    assert set(report.written) == set(counts) - {"schema_migrations", "registry_labels",
                                                 "registry_search"}
    # referenced tables first: users after organisations, labels after submissions, the
    # log after the labels
    order = list(report.written)
    assert order.index("organisations") < order.index("users") < order.index("submissions") \
        < order.index("labels") < order.index("log_entries")

    verification = dbcopy.verify_copy_at(home, pg_new, report.manifest)
    assert checks(verification) == {"row counts": [], "migrations": [],
                                    "transparency log": [], "labels": [], "identities": []}
    assert verification.ok
    assert [(t, s) for t, s, c in verification.counts if s != c] == []
    # issuance order (SQLite's rowid) kept as PostgreSQL's rowid column
    conn = sqlite3.connect(source)
    order = [r[0] for r in conn.execute("SELECT id FROM labels ORDER BY rowid")]
    conn.close()
    copy = connect(pg_new)
    assert [r[0] for r in copy.execute("SELECT id FROM labels ORDER BY rowid")] == order
    assert verify_log(copy, record=False).size == LEAVES
    copy.close()
    assert digest(source) == before  # the source was only read


def test_a_submission_and_a_label_after_the_copy(home, pg_new, engine, make_bom, monkeypatch):
    from footprint.usecases import actions
    from footprint.usecases import submissions as subs
    from footprint.usecases.demo import BODY, ISSUER_ID
    from footprint.usecases.issuing import Issuer

    dbcopy.copy_platform(home, pg_new)
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", pg_new)
    db = connect(pg_new)
    people = {row["username"]: row for row in db.query("SELECT * FROM users")}
    sub, _ = subs.create_submission(db, engine, people["orchard"], make_bom())
    assert sub["id"] == SUBMISSIONS + 1  # the 11 copied ids, then the next
    actions.act(db, people["orchard"], sub["id"], "submit", verifier_org=BODY.name)
    actions.act(db, people["verifier"], sub["id"], "verify",
                checklist=actions.VERIFY_CHECKLIST)
    actions.act(db, people["reviewer"], sub["id"], "approve", issuer=Issuer(home, ISSUER_ID))
    label = next(db.query("SELECT * FROM labels WHERE submission_id = ?", [sub["id"]]))
    assert label["log_index"] == LEAVES  # the 11th leaf, after the 10 copied
    assert label["rowid"] == LABELS + 1
    assert verify_log(db, record=False).size == LEAVES + 1
    db.close()


def test_the_command_speaks_chinese_or_english_as_asked(run, home, pg_new):
    result = run("db", "copy", "--to", pg_new, "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "副本核验通过" in result.stdout
    assert f"✓ 标签：{LABELS} 个标签重新核验通过" in result.stdout
    assert re.search(rf"^submissions +{SUBMISSIONS} +{SUBMISSIONS}$", result.stdout, re.M)
    result = run("db", "verify-copy", pg_new, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"✓ labels: {LABELS} labels re-verify" in result.stdout
    assert f"✓ transparency log: the root of the first {LEAVES} leaves" in result.stdout
    assert "the copy is verified" in result.stdout


def _tamper(url, *statements):
    db = connect(url)
    for sql, params in statements:
        db.execute(sql, params)
    db.close()


def test_a_changed_leaf_is_caught(home, pg_new):
    report = dbcopy.copy_platform(home, pg_new)
    db = connect(pg_new)
    entry = bytes(db.execute("SELECT entry FROM log_entries WHERE idx = 9").fetchone()[0])
    db.close()
    _tamper(pg_new, ("ALTER TABLE log_entries DISABLE TRIGGER log_entries_append_only", []),
            ("UPDATE log_entries SET entry = ? WHERE idx = 9", [entry[:-1] + b"\x00"]))

    verification = dbcopy.verify_copy_at(home, pg_new, report.manifest)

    assert not verification.ok
    found = checks(verification)
    assert found["row counts"] == found["labels"] == found["identities"] == []
    log = found["transparency log"]
    assert log[0].startswith("the root recomputed from the copy's entries is ")
    assert any(p.startswith("entry 9 was rewritten") for p in log)


def test_a_checkpoint_not_signed_by_the_platform_is_caught(home, pg_new):
    from dataclasses import replace

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from footprint.translog import sign_checkpoint
    from footprint.usecases.demo import ISSUER_ID

    report = dbcopy.copy_platform(home, pg_new)
    m = report.manifest
    forged = sign_checkpoint(ISSUER_ID, m.size, m.root, ISSUER_ID,
                             Ed25519PrivateKey.generate())  # the name, not the key
    found = checks(dbcopy.verify_copy_at(home, pg_new, replace(m, note=forged)))
    assert found["transparency log"] == ["the checkpoint does not verify with the platform's "
                                         "keys"]
    other_root = bytes(32)
    found = checks(dbcopy.verify_copy_at(home, pg_new, replace(m, root=other_root)))
    assert "the signed checkpoint says other than the source's log" in \
        found["transparency log"]


def test_a_deleted_row_a_cleared_revocation_and_a_sequence_set_back_are_caught(home, pg_new):
    report = dbcopy.copy_platform(home, pg_new)
    _tamper(pg_new,
            ("DELETE FROM comments WHERE id = (SELECT MIN(id) FROM comments)", []),
            ("UPDATE labels SET revoked_at = NULL, revocation_reason = NULL "
             "WHERE revoked_at IS NOT NULL", []),
            ("SELECT setval(pg_get_serial_sequence('submissions', 'id'), 1)", []))
    revoked = next(iter(l for l, s in report.manifest.labels.items() if s[0]))

    found = checks(dbcopy.verify_copy_at(home, pg_new, report.manifest))

    assert found["row counts"] == [
        f"table comments: {COMMENTS} rows in the source, {COMMENTS - 1} in the copy"]
    assert found["labels"] == [
        f"label {revoked}: revoked or superseded otherwise than in the source"]
    # setval(…, 1): the sequence handed out 1, so the next is 2, below the 11 copied
    assert found["identities"] == [
        f"submissions.id: the next id is 2, the largest copied {SUBMISSIONS}"]
    assert any("revoked_at" in p for p in found["transparency log"])  # the monitor's finding


def test_the_reverse_copy_makes_a_snapshot_file(home, pg_new, tmp_path, monkeypatch):
    counts = sqlite_counts(database_path(home))
    dbcopy.copy_platform(home, pg_new)
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", pg_new)
    snapshot = tmp_path / "snapshot" / "footprint.db"
    snapshot.parent.mkdir()

    report = dbcopy.copy_platform(home, f"sqlite:///{snapshot}")

    assert report.target == str(snapshot)
    verification = dbcopy.verify_copy_at(home, str(snapshot), report.manifest)
    assert verification.ok, checks(verification)
    assert sqlite_counts(snapshot) == counts  # SQLite, to PostgreSQL, back: the same rows
    conn = sqlite3.connect(database_path(home))
    order = [r[0] for r in conn.execute("SELECT id FROM labels ORDER BY rowid")]
    conn.close()
    conn = sqlite3.connect(snapshot)
    assert [r[0] for r in conn.execute("SELECT id FROM labels ORDER BY rowid")] == order
    conn.close()


# -- refusals: nothing written -----------------------------------------------------------------

@pytest.mark.parametrize("to", ["mysql://db.example/footprint", "footprint.sqlite",
                                "sqlite://relative.txt", ""])
def test_a_wrong_url_is_refused(run, home, to):
    result = run("db", "copy", "--to", to)
    assert result.exit_code == 2
    assert "须为 postgresql:// URL、sqlite:///路径 或以 .db 结尾的路径" in result.stderr


def test_a_password_in_a_refused_url_is_not_shown():
    with pytest.raises(InvalidInput) as caught:
        dbcopy.parse_target("postgres:/x:secret@db/footprint")
    assert "secret" not in str(caught.value)
    assert dbcopy.without_password("postgresql://app:secret@db/footprint") == \
        "postgresql://app:***@db/footprint"


def test_a_database_that_cannot_be_reached_is_refused(run, home, pg_cluster, monkeypatch):
    missing = pg_cluster.url("no_such_database")
    result = run("db", "copy", "--to", missing, "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the target postgresql://")
    assert "no_such_database" in result.stderr
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", missing)
    with pytest.raises(Conflict, match="cannot open the platform's database"):
        dbcopy.copy_platform(home, str(home / "snapshot.db"))
    assert not (home / "snapshot.db").exists()


def test_a_target_with_rows_is_refused(home, pg_new):
    dbcopy.copy_platform(home, pg_new)
    with pytest.raises(Conflict, match="is not empty: .*labels.* hold rows"):
        dbcopy.copy_platform(home, pg_new)
    db = connect(pg_new)
    assert db.execute("SELECT COUNT(*) FROM labels").fetchone()[0] == LABELS  # not twice
    db.close()


def test_a_migrated_empty_target_is_copied_into(home, pg_url):
    report = dbcopy.copy_platform(home, pg_url)
    assert not report.migrated
    assert dbcopy.verify_copy_at(home, pg_url, report.manifest).ok


def test_a_target_at_other_migrations_is_refused(home, pg_url):
    _tamper(pg_url, ("DELETE FROM schema_migrations WHERE version = 21", []))
    with pytest.raises(Conflict, match="stands at migrations"):
        dbcopy.copy_platform(home, pg_url)
    db = connect(pg_url)
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    db.close()


def test_a_source_not_fully_migrated_is_refused(home, pg_new):
    conn = sqlite3.connect(database_path(home))
    conn.execute("DELETE FROM schema_migrations WHERE version = 21")
    conn.commit()
    conn.close()
    with pytest.raises(Conflict, match=r"needs migrations 21: run `footprint db migrate`"):
        dbcopy.copy_platform(home, pg_new)
    assert pg_tables(pg_new) == []


def test_the_platform_itself_and_another_sqlite_file_are_refused(home, tmp_path):
    with pytest.raises(Conflict, match="the platform's own database"):
        dbcopy.copy_platform(home, str(database_path(home)))
    with pytest.raises(Conflict, match="both SQLite files"):
        dbcopy.copy_platform(home, str(tmp_path / "other.db"))
    assert not (tmp_path / "other.db").exists()


def test_a_snapshot_in_no_folder_or_over_a_platform_is_refused(home, pg_new, tmp_path,
                                                              monkeypatch):
    dbcopy.copy_platform(home, pg_new)
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", pg_new)
    with pytest.raises(InvalidInput, match="does not exist"):
        dbcopy.copy_platform(home, str(tmp_path / "no-such-folder" / "copy.db"))
    assert not (tmp_path / "no-such-folder").exists()
    snapshot = tmp_path / "snapshot.db"
    dbcopy.copy_platform(home, str(snapshot))
    before = digest(snapshot)
    with pytest.raises(Conflict, match="is not empty"):
        dbcopy.copy_platform(home, str(snapshot))
    assert digest(snapshot) == before


def _fail(*args):
    raise RuntimeError("the server went away")


def _disk_error(*args):
    raise sqlite3.OperationalError("disk I/O error")


def test_a_copy_to_postgresql_that_fails_half_way_leaves_nothing(home, pg_new, monkeypatch):
    from footprint.store import copying

    monkeypatch.setattr(copying, "continue_identities", _fail)  # after every row
    with pytest.raises(RuntimeError):
        dbcopy.copy_platform(home, pg_new)
    assert pg_tables(pg_new) == []  # the migrations too: one transaction


def test_a_snapshot_that_fails_half_way_leaves_no_file(home, pg_new, tmp_path, monkeypatch):
    from footprint.store import copying

    dbcopy.copy_platform(home, pg_new)
    monkeypatch.setenv("FOOTPRINT_DATABASE_URL", pg_new)
    monkeypatch.setattr(copying, "write_batches", _disk_error)
    with pytest.raises(Conflict, match="the copy failed and nothing of it was kept: "
                                       "disk I/O error"):
        dbcopy.copy_platform(home, str(tmp_path / "snapshot.db"))
    assert list(tmp_path.glob("snapshot.db*")) == []
