"""The demo (`footprint demo`, `make demo`): seeded through the workflow, once, and printed.

Factors used below (see lca_data/manifest.json for the sources):
  Sichuan grid 2022      0.1404 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  Chongqing grid 2022    0.5227 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  diesel combustion      3.185 kg CO2/kg      IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t)
  road freight           0.116 kg CO2/tkm     US EPA GHG Emission Factors Hub
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from footprint import Conflict
from footprint.bom import read_bom_file
from footprint.store import connect, database_path
from footprint.store import submissions as subs
from footprint.store.accounts import authenticate, create_user
from footprint.store.demo import DEMO_PASSWORD, PEOPLE, demo_state, seed
from footprint.store.migrations import migrate

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
REL = 1e-6  # Brightway keeps amounts as float32: ~1e-7 relative from the cited values
TABLES = ("organisations", "users", "products", "submissions", "results", "comments",
          "evidence", "audit_events", "api_tokens")

COOP = "蒲江县柑橘专业合作社 Pujiang Citrus Co-operative"
CQ = "重庆储能电池有限公司 Chongqing Storage Battery Co."
SD = "枣庄锂电科技有限公司 Zaozhuang Lithium Battery Co."
STEEL = "攀枝花钒钛钢铁有限公司 Panzhihua V-Ti Steel Works"
BODY = "四川碳核查中心 Sichuan Carbon Verification Centre"
PLATFORM = "四川绿色金融平台 Sichuan Green Finance Platform"

# product id (from the BOM) -> (organisation, category, status, region of the BOM)
EXPECTED = {
    "oranges-pujiang-farm-gate": (COOP, "oranges", "approved", "CN-SC"),
    "oranges-pujiang-packed": (COOP, "oranges", "returned", "CN-SC"),
    "lfp-pack-280ah-cq": (CQ, "batteries", "approved", "CN-CQ"),
    "nmc-ev-pack-cq": (CQ, "batteries", "verified", "CN-CQ"),
    "lfp-pack-280ah-sd": (SD, "batteries", "submitted", "CN-SD"),
    "nmc-ev-pack-sd": (SD, "batteries", "draft", "CN-SD"),
    "pzh-crude-steel-2022": (STEEL, "steel_vanadium", "approved", "CN-SC"),
    "pzh-v2o5-flake": (STEEL, "steel_vanadium", "returned", "CN-SC"),
    "gear-blank-machining-sc": (STEEL, "generic", "approved", "CN-SC"),
}

# product id -> every audit event: (action, from, to, who)
TRAILS = {
    "oranges-pujiang-farm-gate": [
        ("create", None, "draft", "orchard"), ("submit", "draft", "submitted", "orchard"),
        ("return", "submitted", "returned", "verifier"),
        ("revise", "returned", "returned", "orchard"),
        ("submit", "returned", "submitted", "orchard"),
        ("verify", "submitted", "verified", "verifier"),
        ("approve", "verified", "approved", "reviewer")],
    "oranges-pujiang-packed": [
        ("create", None, "draft", "orchard"), ("submit", "draft", "submitted", "orchard"),
        ("return", "submitted", "returned", "verifier")],
    "lfp-pack-280ah-cq": [
        ("create", None, "draft", "cqbattery"), ("submit", "draft", "submitted", "cqbattery"),
        ("verify", "submitted", "verified", "verifier"),
        ("approve", "verified", "approved", "reviewer")],
    "nmc-ev-pack-cq": [
        ("create", None, "draft", "cqbattery"), ("submit", "draft", "submitted", "cqbattery"),
        ("verify", "submitted", "verified", "verifier")],
    "lfp-pack-280ah-sd": [
        ("create", None, "draft", "sdbattery"), ("submit", "draft", "submitted", "sdbattery")],
    "nmc-ev-pack-sd": [("create", None, "draft", "sdbattery")],
    "pzh-crude-steel-2022": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"),
        ("approve", "verified", "approved", "reviewer")],
    "pzh-v2o5-flake": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"),
        ("return", "verified", "returned", "reviewer")],
    "gear-blank-machining-sc": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"),
        ("approve", "verified", "approved", "reviewer")],
}


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "demo.db")
    migrate(database)
    return database


@pytest.fixture
def seeded(db, engine):
    return seed(db, engine)


def _user(db, username):
    return next(iter(db.query("SELECT * FROM users WHERE username = ?", [username])))


def _by_product(db):
    """product id of the stored BOM -> the submission as the admin sees it."""
    return {json.loads(s["bom_json"])["product"]["id"]: s
            for s in subs.visible(db, _user(db, "admin"))}


def _counts(db):
    return {t: db[t].count for t in TABLES}


def test_seeding_creates_the_organisations_and_users(db, seeded):
    assert seeded.created
    orgs = {o["name"]: (o["kind"], o["region"]) for o in db["organisations"].rows}
    assert orgs == {COOP: ("enterprise", "CN-SC"), CQ: ("enterprise", "CN-CQ"),
                    SD: ("enterprise", "CN-SD"), STEEL: ("enterprise", "CN-SC"),
                    BODY: ("accounting_body", "CN-SC"), PLATFORM: ("platform", "CN-SC")}
    users = {u["username"]: (u["role"], u["org_name"]) for u in db.query(
        "SELECT u.username, u.role, o.name AS org_name FROM users u "
        "JOIN organisations o ON o.id = u.org_id")}
    assert users == {"orchard": ("producer", COOP), "cqbattery": ("producer", CQ),
                     "sdbattery": ("producer", SD), "steelworks": ("producer", STEEL),
                     "verifier": ("verifier", BODY), "reviewer": ("reviewer", PLATFORM),
                     "admin": ("admin", PLATFORM)}
    # the printed demo password logs in; it is stored as argon2id like any other
    assert authenticate(db, "verifier", DEMO_PASSWORD)["username"] == "verifier"
    assert _user(db, "verifier")["password_hash"].startswith("$argon2id$")


def test_submissions_in_every_state_with_their_audit_trails(db, seeded):
    by_product = _by_product(db)
    assert {p: (s["org_name"], s["category"], s["status"], json.loads(s["bom_json"])["region"])
            for p, s in by_product.items()} == EXPECTED
    assert {s["status"] for s in by_product.values()} == \
        {"draft", "submitted", "returned", "verified", "approved"}
    assert {s["category"] for s in by_product.values() if s["status"] == "approved"} == \
        {"oranges", "batteries", "steel_vanadium", "generic"}
    names = {u["id"]: u["username"] for u in db["users"].rows}
    admin, body = _user(db, "admin"), _user(db, "verifier")["org_id"]
    for product, submission in by_product.items():
        trail = subs.audit_trail(db, admin, submission["id"])
        assert [(a["action"], a["from_status"], a["to_status"], names[a["actor_id"]])
                for a in trail] == TRAILS[product], product
        for event in trail:  # a return always says why
            assert (event["reason"] or "").strip() if event["action"] == "return" else True
        if submission["status"] != "draft":
            assert submission["verifier_org_id"] == body
        assert subs.latest_result(db, submission) is not None
    farm_gate = by_product["oranges-pujiang-farm-gate"]
    assert farm_gate["revision"] == 2
    assert farm_gate["verified_by"] == _user(db, "verifier")["id"]
    assert farm_gate["approved_by"] == _user(db, "reviewer")["id"]
    packed = by_product["oranges-pujiang-packed"]
    assert [c["line"] for c in subs.comments(db, admin, packed["id"])] == [1]
    # the returned submission is the co-operative's to revise; the reviewer's queue holds
    # the verified one, the verifier's the submitted one
    reviewer_queue = subs.visible(db, _user(db, "reviewer"), ("verified",))
    assert [json.loads(s["bom_json"])["product"]["id"] for s in reviewer_queue] == \
        ["nmc-ev-pack-cq"]
    verifier_queue = subs.visible(db, _user(db, "verifier"), ("submitted",))
    assert [json.loads(s["bom_json"])["product"]["id"] for s in verifier_queue] == \
        ["lfp-pack-280ah-sd"]


def test_a_second_seeding_adds_nothing(db, engine, seeded):
    before = _counts(db)
    assert before["submissions"] == 9 and before["users"] == 7
    again = seed(db, engine)
    assert not again.created and again.submissions == {}
    assert _counts(db) == before
    assert demo_state(db) == "seeded"


def test_a_database_with_other_accounts_is_refused(db, engine):
    create_user(db, "alice", "producer", "Acme", "correct horse battery")
    before = _counts(db)
    with pytest.raises(Conflict):
        seed(db, engine)
    assert _counts(db) == before
    assert authenticate(db, "admin", DEMO_PASSWORD) is None


def test_approved_oranges_total_is_the_engines_on_the_sample(db, engine, seeded):
    submission = _by_product(db)["oranges-pujiang-farm-gate"]
    stored = subs.latest_result(db, submission)
    direct = engine.calculate(read_bom_file(SAMPLES / "oranges_pujiang_farm_gate.json"))
    assert submission["status"] == "approved"
    assert submission["total_kg_co2e"] == pytest.approx(direct["total_kg_co2e"], rel=1e-9)
    assert stored["reproducibility_hash"] == direct["reproducibility_hash"]
    # revision 1, returned for the missing irrigation, was lower: 600 kWh/ha x 0.1404 /
    # 30000 kg/ha = 0.002808 kg CO2e per kg more in revision 2
    first = next(iter(db.query("SELECT total_kg_co2e FROM results WHERE submission_id = ? "
                               "AND revision = 1", [submission["id"]])))["total_kg_co2e"]
    assert direct["total_kg_co2e"] - first == pytest.approx(0.002808, rel=REL)


def test_battery_makers_use_their_own_grid(db, engine, seeded):
    by_product = _by_product(db)
    chongqing = subs.latest_result(db, by_product["lfp-pack-280ah-cq"])
    sichuan = engine.calculate(read_bom_file(SAMPLES / "batteries_lfp_pack_sichuan.json"))
    electricity = [i for i in chongqing["by_input"] if i["input"] == "electricity"]
    assert [i["factor"] for i in electricity] == ["electricity/location/CN-CQ/2022"]
    # default LFP cell making 37.5 kWh per kWh x 0.5227 (Chongqing 2022) = 19.60125
    assert electricity[0]["kg_co2e"] == pytest.approx(19.60125, rel=REL)
    # the rest of the sample is unchanged: 37.5 x (0.5227 - 0.1404) = 14.33625 more
    assert chongqing["total_kg_co2e"] - sichuan["total_kg_co2e"] == \
        pytest.approx(14.33625, rel=REL)
    shandong = subs.latest_result(db, by_product["lfp-pack-280ah-sd"])
    assert shandong["region"] == "CN-SD"


def test_approved_generic_part_as_calculated_by_hand(db, seeded):
    # 100 kWh x 0.1404 = 14.04; 3 kg diesel x 3.185 = 9.555; 12 tkm road x 0.116 = 1.392
    # total 14.04 + 9.555 + 1.392 = 24.987 kg CO2e per piece
    part = _by_product(db)["gear-blank-machining-sc"]
    assert part["status"] == "approved"
    assert part["total_kg_co2e"] == pytest.approx(24.987, rel=REL)


# -- the command ---------------------------------------------------------------------------

@pytest.fixture
def demo_home(tmp_path, monkeypatch):
    home = tmp_path / "demo-home"
    home.mkdir()
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    # set, then removed: so monkeypatch restores the original (unset) state afterwards, even
    # when the command under test sets it for its server
    monkeypatch.setenv("FOOTPRINT_INSECURE_COOKIES", "unset by the test")
    monkeypatch.delenv("FOOTPRINT_INSECURE_COOKIES")
    return home


def test_demo_command_seeds_once_and_prints_the_logins(demo_home):
    from cli.main import cli

    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "http://127.0.0.1:8000/login" in out
    assert "9 submissions" in out
    for person in PEOPLE:
        row = next(line for line in out.splitlines() if line.startswith(person.username + " "))
        assert person.password in row and person.org.name in row and person.role in row
    assert "管理员 admin" in out and "核查机构 verifier" in out
    assert "demonstration only" in out and "仅供演示" in out
    assert "FOOTPRINT_INSECURE_COOKIES" not in os.environ  # never outside the demo server
    db = connect(database_path(demo_home))
    assert db["submissions"].count == 9

    again = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "nothing added" in again.output and "footprint-demo" in again.output
    assert db["submissions"].count == 9 and db["users"].count == 7


def test_demo_command_serves_through_serve_with_demo_cookies(demo_home, monkeypatch):
    from cli import demo_command
    from cli.main import cli

    calls = []

    @click.command()
    @click.option("--host")
    @click.option("--port", type=int)
    @click.option("--workers", default=2, type=int)
    def fake_serve(host, port, workers):
        calls.append((host, port, workers, os.environ.get("FOOTPRINT_INSECURE_COOKIES")))

    monkeypatch.setattr(demo_command, "serve", fake_serve)
    result = CliRunner().invoke(cli, ["demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 8123, 2, "1")]
    assert "http://127.0.0.1:8123/login" in result.output
    assert "local demo setting" in result.output


def test_demo_command_refuses_a_database_with_other_accounts(demo_home, monkeypatch):
    from cli import demo_command
    from cli.main import cli

    db = connect(database_path(demo_home))
    migrate(db)
    create_user(db, "alice", "producer", "Acme", "correct horse battery")
    monkeypatch.setattr(demo_command, "serve", None)  # must never get that far
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "not the demo's" in result.output
    assert db["users"].count == 1 and db["submissions"].count == 0
