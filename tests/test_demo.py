"""The demo (`footprint demo`, `make demo`): seeded through the workflow, once, and printed;
its approvals issue signed labels (one revoked with a public reason, one superseded), with
the platform's issuer key generated once.

Factors used below (see lca_data/manifest.json for the sources):
  Sichuan grid 2022      0.1404 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  Chongqing grid 2022    0.5227 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  diesel combustion      3.1863 kg CO2/kg     IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t)
  road freight           0.116 kg CO2/tkm     US EPA GHG Emission Factors Hub
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from footprint.usecases import review
from footprint.usecases import labels as label_records
from footprint import Conflict
from footprint.bom import parse_bom, read_bom_file
from footprint.engine import Engine
from footprint.labels import export_trust_list, label_url, load_trust_list, qr_version, verify
from footprint.labels.keys import own_entries
from footprint.labels.revocations import load_revocations, revocation_list
from footprint.store import connect, database_path
from footprint.usecases import submissions as subs
from footprint.usecases.users import authenticate, seed_user
from footprint.usecases.demo import (DATA_VERSION, DEMO_PASSWORD, ISSUER_ID, ISSUER_NAME, PEOPLE,
                                  REVOCATION_REASON, demo_state, seed)
from footprint.store.migrations import migrate
from footprint.translog import TransparencyLog, verify_inclusion
from footprint.translog.monitor import verify_log

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
REL = 1e-6  # Brightway keeps amounts as float32: ~1e-7 relative from the cited values
TABLES = ("organisations", "users", "products", "submissions", "results", "comments",
          "evidence", "audit_events", "api_tokens", "labels", "log_entries")

COOP = "蒲江县柑橘专业合作社 Pujiang Citrus Co-operative"
CQ = "重庆储能电池有限公司 Chongqing Storage Battery Co."
SD = "枣庄锂电科技有限公司 Zaozhuang Lithium Battery Co."
STEEL = "攀枝花钒钛钢铁有限公司 Panzhihua V-Ti Steel Works"
BODY = "四川碳核查中心 Sichuan Carbon Verification Centre"
PLATFORM = "四川绿色金融平台 Sichuan Green Finance Platform"
BANK = "成都农村商业银行 Chengdu Rural Commercial Bank"

# demo key -> (product id of the BOM, organisation, category, status, region of the BOM)
EXPECTED = {
    "oranges-farm-gate-2025": ("oranges-pujiang-farm-gate", COOP, "oranges", "superseded",
                               "CN-SC"),
    "oranges-farm-gate": ("oranges-pujiang-farm-gate", COOP, "oranges", "issued", "CN-SC"),
    "oranges-packed": ("oranges-pujiang-packed", COOP, "oranges", "returned", "CN-SC"),
    "cq-lfp": ("lfp-pack-280ah-cq", CQ, "batteries", "revoked", "CN-CQ"),
    "cq-nmc": ("nmc-ev-pack-cq", CQ, "batteries", "verified", "CN-CQ"),
    "sd-lfp": ("lfp-pack-280ah-sd", SD, "batteries", "submitted", "CN-SD"),
    "sd-nmc": ("nmc-ev-pack-sd", SD, "batteries", "draft", "CN-SD"),
    "pzh-steel": ("pzh-crude-steel-2022", STEEL, "steel_vanadium", "issued", "CN-SC"),
    "pzh-v2o5": ("pzh-v2o5-flake", STEEL, "steel_vanadium", "returned", "CN-SC"),
    "machined-part": ("gear-blank-machining-sc", STEEL, "generic", "superseded", "CN-SC"),
    "machined-part-2": ("gear-blank-machining-sc", STEEL, "generic", "issued", "CN-SC"),
}
APPROVED = ("oranges-farm-gate-2025", "oranges-farm-gate", "cq-lfp", "pzh-steel", "machined-part", "machined-part-2")

# demo key -> every audit event: (action, from, to, who)
ISSUED = [("approve", "verified", "approved", "reviewer"),
          ("issue", "approved", "issued", "reviewer")]
TRAILS = {
    # superseded by the 2026 season's label: the status changes, no one acts on it
    "oranges-farm-gate-2025": [
        ("create", None, "draft", "orchard"), ("submit", "draft", "submitted", "orchard"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED],
    "oranges-farm-gate": [
        ("create", None, "draft", "orchard"), ("submit", "draft", "submitted", "orchard"),
        ("return", "submitted", "returned", "verifier"),
        ("revise", "returned", "returned", "orchard"),
        ("submit", "returned", "submitted", "orchard"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED],
    "oranges-packed": [
        ("create", None, "draft", "orchard"), ("submit", "draft", "submitted", "orchard"),
        ("return", "submitted", "returned", "verifier")],
    "cq-lfp": [
        ("create", None, "draft", "cqbattery"), ("submit", "draft", "submitted", "cqbattery"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED,
        ("revoke", "issued", "revoked", "reviewer")],
    "cq-nmc": [
        ("create", None, "draft", "cqbattery"), ("submit", "draft", "submitted", "cqbattery"),
        ("verify", "submitted", "verified", "verifier")],
    "sd-lfp": [
        ("create", None, "draft", "sdbattery"), ("submit", "draft", "submitted", "sdbattery")],
    "sd-nmc": [("create", None, "draft", "sdbattery")],
    "pzh-steel": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED],
    "pzh-v2o5": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"),
        ("return", "verified", "returned", "reviewer")],
    # superseded by machined-part-2's label: the status changes, no one acts on it
    "machined-part": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED],
    "machined-part-2": [
        ("create", None, "draft", "steelworks"),
        ("submit", "draft", "submitted", "steelworks"),
        ("verify", "submitted", "verified", "verifier"), *ISSUED],
}


@pytest.fixture
def db(store_db):
    """The demo seeded on SQLite, then on PostgreSQL."""
    return store_db


@pytest.fixture
def keys_home(tmp_path):
    """Where the demo's issuer key goes (not the session's shared FOOTPRINT_HOME)."""
    home = tmp_path / "keys-home"
    home.mkdir()
    return home


@pytest.fixture
def seeded(db, engine, keys_home):
    return seed(db, engine, home=keys_home)


def _user(db, username):
    return next(iter(db.query("SELECT * FROM users WHERE username = ?", [username])))


def _by_key(db, seeded):
    """demo key -> the submission as the admin sees it."""
    rows = {s["id"]: s for s in subs.visible(db, _user(db, "admin"))}
    assert set(rows) == set(seeded.submissions.values())
    return {key: rows[sid] for key, sid in seeded.submissions.items()}


def _counts(db):
    return {t: db[t].count for t in TABLES}


def test_seeding_creates_the_organisations_and_users(db, seeded):
    assert seeded.created
    orgs = {o["name"]: (o["kind"], o["region"]) for o in db["organisations"].rows}
    assert orgs == {COOP: ("enterprise", "CN-SC"), CQ: ("enterprise", "CN-CQ"),
                    SD: ("enterprise", "CN-SD"), STEEL: ("enterprise", "CN-SC"),
                    BODY: ("accounting_body", "CN-SC"), PLATFORM: ("platform", "CN-SC"),
                    BANK: ("bank", "CN-SC")}
    users = {u["username"]: (u["role"], u["org_name"]) for u in db.query(
        "SELECT u.username, u.role, o.name AS org_name FROM users u "
        "JOIN organisations o ON o.id = u.org_id")}
    assert users == {"orchard": ("producer", COOP), "cqbattery": ("producer", CQ),
                     "sdbattery": ("producer", SD), "steelworks": ("producer", STEEL),
                     "verifier": ("verifier", BODY), "reviewer": ("reviewer", PLATFORM),
                     "admin": ("admin", PLATFORM), "ruralbank": ("bank", BANK)}
    # the printed demo password logs in; it is stored as argon2id like any other
    assert authenticate(db, "verifier", DEMO_PASSWORD)["username"] == "verifier"
    assert _user(db, "verifier")["password_hash"].startswith("$argon2id$")


def test_submissions_in_every_state_with_their_audit_trails(db, seeded):
    by_product = _by_key(db, seeded)
    assert {key: (s["bom"]["product"]["id"], s["org_name"], s["category"],
                  s["status"], s["bom"]["region"])
            for key, s in by_product.items()} == EXPECTED
    assert {s["status"] for s in by_product.values()} == \
        {"draft", "submitted", "returned", "verified", "issued", "revoked", "superseded"}
    assert {by_product[key]["category"] for key in APPROVED} == \
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
    farm_gate = by_product["oranges-farm-gate"]
    assert farm_gate["revision"] == 2
    assert farm_gate["verified_by"] == _user(db, "verifier")["id"]
    assert farm_gate["approved_by"] == _user(db, "reviewer")["id"]
    packed = by_product["oranges-packed"]
    assert [c["line"] for c in review.comments(db, admin, packed["id"])] == [1]
    # the returned submission is the co-operative's to revise; the reviewer's queue holds
    # the verified one, the verifier's the submitted one
    reviewer_queue = subs.visible(db, _user(db, "reviewer"), ("verified",))
    assert [s["bom"]["product"]["id"] for s in reviewer_queue] == \
        ["nmc-ev-pack-cq"]
    verifier_queue = subs.visible(db, _user(db, "verifier"), ("submitted",))
    assert [s["bom"]["product"]["id"] for s in verifier_queue] == \
        ["lfp-pack-280ah-sd"]


def test_a_second_seeding_adds_nothing(db, engine, seeded, keys_home):
    before = _counts(db)
    assert before["submissions"] == 11 and before["users"] == 8 and before["labels"] == 6
    assert before["log_entries"] == 10  # 6 issued, 1 revoked, 2 superseded, 1 loan priced
    key = own_entries(keys_home, ISSUER_ID)
    again = seed(db, engine, home=keys_home)
    assert not again.created and again.submissions == {} and not again.key_generated
    assert _counts(db) == before
    assert own_entries(keys_home, ISSUER_ID) == key  # the key is made once
    assert demo_state(db) == "seeded"


def test_a_database_with_other_accounts_is_refused(db, engine):
    seed_user(db, "alice", "producer", "Acme", "correct horse battery")
    before = _counts(db)
    with pytest.raises(Conflict):
        seed(db, engine)
    assert _counts(db) == before
    assert authenticate(db, "admin", DEMO_PASSWORD) is None


def test_approved_oranges_total_is_the_engines_on_the_sample(db, engine, seeded):
    submission = _by_key(db, seeded)["oranges-farm-gate"]
    stored = subs.latest_result(db, submission)
    # the demo calculates under the MEE-2022 release with the factor year left to it, which
    # for this Sichuan sample (pinned to 2022) gives the same total
    sample = json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text(encoding="utf-8"))
    del sample["factor_year"]
    sample["reference_year"] = 2026  # the season it describes, for the carbon account
    direct = Engine(engine.home, data_version=DATA_VERSION).calculate(parse_bom(sample))
    pinned = engine.calculate(read_bom_file(SAMPLES / "oranges_pujiang_farm_gate.json"))
    assert direct["total_kg_co2e"] == pytest.approx(pinned["total_kg_co2e"], rel=1e-9)
    assert stored["data_version_name"] == "MEE-2022"
    assert submission["status"] == "issued"
    assert submission["total_kg_co2e"] == pytest.approx(direct["total_kg_co2e"], rel=1e-9)
    assert stored["reproducibility_hash"] == direct["reproducibility_hash"]
    # revision 1, returned for the missing irrigation, was lower: 600 kWh/ha x 0.1404 /
    # 30000 kg/ha = 0.002808 kg CO2e per kg more in revision 2
    first = next(iter(db.query("SELECT total_kg_co2e FROM results WHERE submission_id = ? "
                               "AND revision = 1", [submission["id"]])))["total_kg_co2e"]
    assert direct["total_kg_co2e"] - first == pytest.approx(0.002808, rel=REL)


def test_battery_makers_use_their_own_grid(db, engine, seeded):
    by_product = _by_key(db, seeded)
    chongqing = subs.latest_result(db, by_product["cq-lfp"])
    sichuan = engine.calculate(read_bom_file(SAMPLES / "batteries_lfp_pack_sichuan.json"))
    electricity = [i for i in chongqing["by_input"] if i["input"] == "electricity"]
    assert [i["factor"] for i in electricity] == ["electricity/location/CN-CQ/2022"]
    # default LFP cell making 37.5 kWh per kWh x 0.5227 (Chongqing 2022) = 19.60125
    assert electricity[0]["kg_co2e"] == pytest.approx(19.60125, rel=REL)
    # the rest of the sample is unchanged: 37.5 x (0.5227 - 0.1404) = 14.33625 more
    assert chongqing["total_kg_co2e"] - sichuan["total_kg_co2e"] == \
        pytest.approx(14.33625, rel=REL)
    shandong = subs.latest_result(db, by_product["sd-lfp"])
    assert shandong["region"] == "CN-SD"


def test_approved_generic_part_as_calculated_by_hand(db, seeded):
    # 100 kWh x 0.1404 = 14.04; 3 kg diesel x 3.1863 = 9.5589; 12 tkm road x 0.116 = 1.392
    # total 14.04 + 9.5589 + 1.392 = 24.9909 kg CO2e per piece
    by_key = _by_key(db, seeded)
    part = by_key["machined-part"]
    assert part["status"] == "superseded"
    assert part["total_kg_co2e"] == pytest.approx(24.9909, rel=REL)
    # with electric forklifts: 110 kWh x 0.1404 = 15.444; 1 kg diesel x 3.1863 = 3.1863;
    # 12 tkm x 0.116 = 1.392; total 15.444 + 3.1863 + 1.392 = 20.0223 kg CO2e per piece
    again = by_key["machined-part-2"]
    assert again["status"] == "issued" and again["product_id"] == part["product_id"]
    assert again["total_kg_co2e"] == pytest.approx(20.0223, rel=REL)


# -- labels ----------------------------------------------------------------------------------

def test_the_platform_key_is_generated_once(db, engine, seeded, keys_home):
    assert seeded.key_generated
    [entry] = own_entries(keys_home, ISSUER_ID)
    assert (entry.id, entry.name, entry.region) == ("CN-SC", ISSUER_NAME, "CN-SC")
    assert ISSUER_NAME == "四川省产品碳足迹平台 Sichuan Product Carbon Footprint Platform"
    # a home that has the key keeps it: a fresh database seeded there signs with it
    other = connect(keys_home / "other.db")
    migrate(other)
    result = seed(other, engine, home=keys_home)
    assert result.created and not result.key_generated
    assert own_entries(keys_home, ISSUER_ID) == [entry]
    label = label_records.get(other, result.labels["oranges-farm-gate"])
    assert label["kid"] == entry.kid


def test_approvals_issued_labels_one_revoked_one_superseded(db, seeded, keys_home):
    assert set(seeded.labels) == set(APPROVED)
    labels = {key: label_records.get(db, label_id) for key, label_id in seeded.labels.items()}
    assert {key: label_records.status(label) for key, label in labels.items()} == {
        "oranges-farm-gate-2025": "superseded", "oranges-farm-gate": "valid",
        "cq-lfp": "revoked", "pzh-steel": "valid",
        "machined-part": "superseded", "machined-part-2": "valid"}
    # every label verifies with nothing but the trust list the platform publishes
    trust = load_trust_list(json.loads(json.dumps(export_trust_list(keys_home))))
    claims = {key: verify(label["cose"], trust).claims for key, label in labels.items()}
    # 20.0223 kg CO2e (see above) signed to 3 significant figures: 20.0
    assert str(claims["machined-part-2"]["value"]) == "20.0"
    assert str(claims["machined-part"]["value"]) == "25.0"  # 24.9909 -> 25.0
    assert claims["machined-part-2"]["supersedes"] == labels["machined-part"]["id"]
    assert labels["machined-part"]["superseded_by"] == labels["machined-part-2"]["id"]
    # the label signs the producer's credit code; the platform publishes its name beside it
    assert claims["cq-lfp"]["region"] == "CN-CQ"
    assert claims["cq-lfp"]["producer"] == "91500000MA60CQ002X"
    assert label_records.names(labels["cq-lfp"])["producer_name"] == CQ
    # the crude steel's 85-character English name is published whole, not signed
    steel = label_records.names(labels["pzh-steel"])["product_name_en"]
    assert len(steel) == 85 and steel.startswith("Crude steel, V-Ti")
    # every demo label fits the design target: QR version 15 at level Q, even with a
    # 25-character host
    for label in labels.values():
        url = label_url("CARBON-LABEL.SCEEX.COM.CN", bytes(label["cose"]))
        assert qr_version(url, "Q") <= 15, label["id"]
    # the revocation is public, with its reason, in the offline verifier's format
    revoked = load_revocations(revocation_list(label_records.revoked(db)))
    assert set(revoked) == {labels["cq-lfp"]["id"]}
    assert revoked[labels["cq-lfp"]["id"]]["reason"] == REVOCATION_REASON
    # the log: each issuance, the revocation, the supersession; every proof holds
    log = TransparencyLog(db)
    assert [(log.entry(i)["kind"], log.entry(i)["label_id"]) for i in range(log.size())] == [
        ("issue", labels["oranges-farm-gate-2025"]["id"]),
        ("issue", labels["oranges-farm-gate"]["id"]),
        ("supersede", labels["oranges-farm-gate-2025"]["id"]), ("issue", labels["cq-lfp"]["id"]),
        ("revoke", labels["cq-lfp"]["id"]), ("issue", labels["pzh-steel"]["id"]),
        ("issue", labels["machined-part"]["id"]), ("issue", labels["machined-part-2"]["id"]),
        ("supersede", labels["machined-part"]["id"]),
        ("record", None)]  # the bank's loan, priced on the co-operative's two seasons
    for label in labels.values():
        proof = log.inclusion(label["log_index"])
        assert verify_inclusion(proof["leaf_index"], proof["tree_size"], proof["leaf_hash"],
                                proof["proof"], proof["root"])
        assert log.entry(label["log_index"])["entry"] == label["cose"]
    assert verify_log(db, record=False).size == 10  # the monitor finds nothing wrong


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
    assert "11 submissions" in out
    for person in PEOPLE:
        row = next(line for line in out.splitlines() if line.startswith(person.username + " "))
        assert person.password in row and person.org.name in row and person.role in row
    assert next(line for line in out.splitlines() if line.startswith("admin ")).split()[2] == \
        "administrator"
    assert "demonstration only" in out and "仅供演示" not in out  # English asked: English only
    assert "FOOTPRINT_INSECURE_COOKIES" not in os.environ  # never outside the demo server
    db = connect(database_path(demo_home))
    assert db["submissions"].count == 11 and db["labels"].count == 6
    assert [e.id for e in own_entries(demo_home, ISSUER_ID)] == ["CN-SC"]  # `make demo`'s key

    again = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "nothing added" in again.output and "footprint-demo" in again.output
    assert db["submissions"].count == 11 and db["users"].count == 8
    assert len(own_entries(demo_home, ISSUER_ID)) == 1


def test_demo_command_serves_through_serve_with_demo_cookies(demo_home, monkeypatch):
    from cli.commands import demo as demo_command
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
    from cli.commands import demo as demo_command
    from cli.main import cli

    db = connect(database_path(demo_home))
    migrate(db)
    seed_user(db, "alice", "producer", "Acme", "correct horse battery")
    monkeypatch.setattr(demo_command, "serve", None)  # must never get that far
    result = CliRunner().invoke(cli, ["demo", "--lang", "zh"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: this database already has accounts that are not the demo's; demo data (with "
        "its published passwords) goes only into an empty FOOTPRINT_HOME (make demo uses "
        ".footprint-home in the checkout)",
        "错误：此数据库中已有非演示用的账户；演示数据（及其公开的密码）只能写入空的 FOOTPRINT_HOME"
        "（make demo 使用检出目录中的 .footprint-home）"]
    assert db["users"].count == 1 and db["submissions"].count == 0
