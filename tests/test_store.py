"""Storage and the workflow's rules, below the web layer."""
import json

import pytest

from footprint.usecases import actions
from footprint.usecases import review
from footprint import Conflict, Forbidden, InvalidInput, NotFound
from footprint.store import connect, transaction
from footprint.store.db import SQLITE, dialect
from footprint.usecases import submissions as subs
from footprint.usecases.tokens import create_token, user_for_token
from footprint.usecases.users import authenticate, seed_user
from tests.conftest import qualify_everywhere
from footprint.store.migrations import MIGRATIONS, migrate, pending


@pytest.fixture
def db(store_db):
    """Each test runs on SQLite and on PostgreSQL."""
    return store_db


@pytest.fixture
def people(db, registry):
    pw = "correct horse battery"
    made = {
        "producer": seed_user(db, "orchard", "producer", "Pujiang Orchard Co-op", pw),
        "other_producer": seed_user(db, "steelworks", "producer", "Panzhihua Steel", pw),
        "verifier": seed_user(db, "auditor", "verifier", "Sichuan Carbon Verification", pw),
        "reviewer": seed_user(db, "reviewer", "reviewer", "Sichuan Platform", pw),
        "reviewer2": seed_user(db, "reviewer2", "reviewer", "Sichuan Platform", pw),
        "admin": seed_user(db, "admin", "admin", "Sichuan Platform", pw),
    }
    qualify_everywhere(db, registry, "Sichuan Carbon Verification")
    return made


def test_migrations_run_once(db):
    assert pending(db) == []
    assert migrate(db) == []
    assert {r["version"] for r in db.query("SELECT version FROM schema_migrations")} == \
        {v for v, _, _ in MIGRATIONS}
    if dialect(db) == SQLITE:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transaction_is_all_or_nothing(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            db["organisations"].insert({"name": "x", "kind": "enterprise", "created_at": "t"})
            raise RuntimeError("boom")
    assert db["organisations"].count == 0


def test_passwords_are_argon2id_and_tokens_hashed(db, people):
    user = db["users"].get(people["producer"]["id"])
    assert user["password_hash"].startswith("$argon2id$")
    assert authenticate(db, "orchard", "correct horse battery")["id"] == user["id"]
    assert authenticate(db, "orchard", "wrong password!") is None
    assert authenticate(db, "nobody", "correct horse battery") is None
    token = create_token(db, "orchard")
    assert user_for_token(db, token)["id"] == user["id"]
    assert token not in json.dumps(list(db["api_tokens"].rows))


def test_role_implies_organisation_kind(db, people):
    kinds = {o["name"]: o["kind"] for o in db["organisations"].rows}
    assert kinds == {"Pujiang Orchard Co-op": "enterprise", "Panzhihua Steel": "enterprise",
                     "Sichuan Carbon Verification": "accounting_body",
                     "Sichuan Platform": "platform"}
    with pytest.raises(InvalidInput):  # a verifier cannot join an enterprise
        seed_user(db, "mole", "verifier", "Pujiang Orchard Co-op", "correct horse battery")


def test_whole_flow_with_audit(db, engine, people, make_bom):
    p, v, r = people["producer"], people["verifier"], people["reviewer"]
    sub, created = subs.create_submission(db, engine, p, make_bom(), idempotency_key="k1")
    assert created and sub["status"] == "draft"
    # 100 kWh x 0.1404 (Sichuan 2022) = 14.04 kg CO2e
    assert subs.latest_result(db, sub)["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)
    again, created = subs.create_submission(db, engine, p, make_bom(), idempotency_key="k1")
    assert not created and again["id"] == sub["id"] and db["submissions"].count == 1
    actions.act(db, p, sub["id"], "submit")  # the only accounting body is assigned
    with pytest.raises(InvalidInput):
        actions.act(db, v, sub["id"], "return")  # a return needs a reason
    actions.act(db, v, sub["id"], "return", reason="meter reading for line 1 missing")
    subs.revise(db, engine, p, sub["id"], make_bom(lines=[
        {"input": "electricity", "amount": 120, "unit": "kWh", "stage": "production"}]))
    actions.act(db, p, sub["id"], "submit")
    actions.act(db, v, sub["id"], "verify", checklist=actions.VERIFY_CHECKLIST)
    with pytest.raises(Forbidden):
        actions.act(db, v, sub["id"], "approve")
    final = actions.act(db, r, sub["id"], "approve")
    assert final["status"] == "approved" and final["revision"] == 2
    # 120 x 0.1404 = 16.848
    assert subs.latest_result(db, final)["total_kg_co2e"] == pytest.approx(16.848, rel=1e-6)
    trail = [(e["action"], e["from_status"], e["to_status"]) for e in
             subs.audit_trail(db, p, sub["id"])]
    assert trail == [("create", None, "draft"), ("submit", "draft", "submitted"),
                     ("return", "submitted", "returned"), ("revise", "returned", "returned"),
                     ("submit", "returned", "submitted"), ("verify", "submitted", "verified"),
                     ("approve", "verified", "approved")]


def test_denials(db, engine, people, make_bom):
    p, other, v = people["producer"], people["other_producer"], people["verifier"]
    r, admin = people["reviewer"], people["admin"]
    sub, _ = subs.create_submission(db, engine, p, make_bom())
    with pytest.raises(NotFound):
        subs.get(db, other, sub["id"])  # another organisation's object is not there
    with pytest.raises(NotFound):
        subs.get(db, r, sub["id"])  # drafts are the producer's own business
    with pytest.raises(Forbidden):
        subs.create_submission(db, engine, v, make_bom())
    with pytest.raises(Forbidden):
        actions.act(db, admin, sub["id"], "verify")  # administrators run accounts, not audits
    actions.act(db, p, sub["id"], "submit")
    with pytest.raises(Conflict):
        actions.act(db, p, sub["id"], "submit")  # already submitted
    with pytest.raises(Forbidden):
        actions.act(db, p, sub["id"], "verify")  # a producer cannot verify
    with pytest.raises(Conflict):
        subs.revise(db, engine, p, sub["id"], make_bom())  # submitted: no more edits
    with pytest.raises(Conflict):
        actions.act(db, r, sub["id"], "approve")  # not verified yet
    actions.act(db, v, sub["id"], "verify", checklist=actions.VERIFY_CHECKLIST)
    with pytest.raises(Forbidden):
        actions.act(db, p, sub["id"], "approve")  # a producer cannot approve
    with pytest.raises(Forbidden):
        actions.act(db, admin, sub["id"], "approve")


def test_bad_bom_stores_nothing(db, engine, people, make_bom):
    with pytest.raises(InvalidInput):
        subs.create_submission(db, engine, people["producer"], make_bom(region="CN-SCC"))
    assert db["submissions"].count == 0 and db["products"].count == 0


def test_evidence_and_comments_name_real_lines(db, engine, people, make_bom):
    sub, _ = subs.create_submission(db, engine, people["producer"], make_bom())
    with pytest.raises(InvalidInput, match="between 1 and 1"):
        review.add_evidence(db, people["producer"], sub["id"], "meter.pdf", "application/pdf",
                            b"%PDF-1.4", line=2)
    with pytest.raises(InvalidInput, match="between 1 and 1"):
        review.comment(db, people["producer"], sub["id"], "see line 3", line=3)
    assert db["evidence"].count == 0 and db["comments"].count == 0
    review.add_evidence(db, people["producer"], sub["id"], "meter.pdf", "application/pdf",
                        b"%PDF-1.4", line=1)
    assert db["evidence"].count == 1


def test_secret_key_is_shared_and_private(tmp_path):
    import os
    import stat

    from footprint.settings import secret_key
    first, second = secret_key(tmp_path), secret_key(tmp_path)
    assert first == second and len(first) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_token_revocation(db, people):
    from footprint.usecases.tokens import revoke_token
    token = create_token(db, "orchard")
    assert revoke_token(db, token) and user_for_token(db, token) is None
    assert not revoke_token(db, token)  # already revoked


def test_cli_users_tokens_and_backup(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import cli
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "migrate"]).exit_code == 0
    added = runner.invoke(cli, ["users", "add", "chen", "--role", "verifier",
                                "--org", "Sichuan Carbon Verification", "--new-org"], input="")
    assert added.exit_code == 0 and "password: " in added.output
    password = added.output.split("password: ")[1].strip()
    db = connect(tmp_path / "footprint.db")
    assert authenticate(db, "chen", password)["role"] == "verifier"
    assert db["organisations"].get(1)["kind"] == "accounting_body"
    assert runner.invoke(cli, ["users", "add", "chen", "--role", "producer", "--org", "X"],
                         input="long enough password\n").exit_code == 2  # name taken
    token = runner.invoke(cli, ["tokens", "create", "chen"]).output.strip()
    assert user_for_token(db, token)["username"] == "chen"
    assert runner.invoke(cli, ["tokens", "revoke", token]).exit_code == 0
    assert user_for_token(db, token) is None
    assert runner.invoke(cli, ["tokens", "revoke", token]).exit_code == 2  # no such token
    backup = tmp_path / "backup.db"
    assert runner.invoke(cli, ["db", "backup", str(backup)]).exit_code == 0
    assert connect(backup)["users"].count == 1


def test_bank_and_regulator_roles_widen_the_checks_and_keep_every_row(tmp_path):
    from footprint.store.migrations import ROLES_OF_MIGRATION_13
    database = connect(tmp_path / "old.db")
    # a database as it stood before migration 13, with users that point at organisations
    database.execute("CREATE TABLE schema_migrations "
                     "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, apply in MIGRATIONS:
        if version < 13:
            with transaction(database):
                apply(database)
                database["schema_migrations"].insert({"version": version, "name": name,
                                                      "applied_at": "t"})
    pw = "correct horse battery"
    orchard = seed_user(database, "orchard", "producer", "Pujiang Orchard Co-op", pw)
    with pytest.raises(Exception):  # the old CHECK refuses a bank officer
        database["organisations"].insert({"name": "Bank", "kind": "bank", "created_at": "t"})
    assert [v for v, _ in migrate(database)][0] == 13
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert authenticate(database, "orchard", pw)["id"] == orchard["id"]
    assert ROLES_OF_MIGRATION_13[-2:] == ("bank", "regulator")
    officer = seed_user(database, "chengdu-bank", "bank", "Chengdu Rural Commercial Bank", pw)
    inspector = seed_user(database, "inspector", "regulator", "Sichuan Ecology Bureau", pw)
    kinds = {r["name"]: r["kind"] for r in database.query("SELECT name, kind FROM organisations")}
    assert kinds["Chengdu Rural Commercial Bank"] == "bank"
    assert kinds["Sichuan Ecology Bureau"] == "regulator"
    assert officer["role"] == "bank" and inspector["role"] == "regulator"
    with pytest.raises(Exception):  # still a CHECK, only wider
        database["users"].update(officer["id"], {"role": "banker"})
    # the unique credit code index came back with the table
    assert database.execute("SELECT 1 FROM sqlite_master WHERE name = "
                            "'organisations_credit_code'").fetchone()
