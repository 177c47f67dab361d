"""A supplier's carbon label as a BOM input (``label:<id>``, ``label:<base32>`` or the QR URL).

Two platforms, Sichuan (CN-SC, the buyer's) and Chongqing (CN-CQ, another recognised
platform), as in tests/test_cross_region.py. Hand-calculated values (MEE 2022 grid factors):

  Chongqing supplier: 100 kWh x 0.5227 kg CO2/kWh = 52.27 kg CO2e per 1 kg -> signed 52.3
  Sichuan supplier:   100 kWh x 0.1404 = 14.04 -> signed 14.0 per 1 kg
                      200 kWh x 0.1404 = 28.08 -> signed 28.1 (the superseding label)
  buyer's own line:   10 kWh x 0.1404 kg CO2/kWh = 1.404 kg CO2e
"""
from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner

from footprint import clock
from footprint.engine.supplier import SupplierLabel
from footprint.errors import InvalidInput
from footprint.labels import generate, label_url, sign, to_b32, trust_add
from footprint.labels import claims as label_claims
from footprint.usecases import submissions as subs
from footprint.usecases.labels import current_for_submission, find, status
from footprint.usecases.recalculation import follow_supersessions
from footprint.usecases.revoking import revoke
from footprint.usecases.supplier import LabelInputs
from tests.test_cross_region import PLATFORMS, exchange, issue, make_platform

TOL = 1e-6


@pytest.fixture
def platforms(tmp_path, engine):
    urls = {region: spec["url"] for region, spec in PLATFORMS.items()}
    sc = make_platform(tmp_path, engine, "CN-SC", urls)
    cq = make_platform(tmp_path, engine, "CN-CQ", urls)
    exchange(sc, cq)
    yield sc, cq
    sc.db.close()
    cq.db.close()


def buyer_bom(ref: str, amount=2, unit="kg") -> dict:
    return {"product": {"name": "buyer's pickled mustard", "category": "generic"},
            "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC",
            "factor_year": 2022,
            "lines": [{"input": ref, "amount": amount, "unit": unit, "stage": "raw_materials"},
                      {"input": "electricity", "amount": 10, "unit": "kWh",
                       "stage": "production"}]}


def create(platform, bom: dict):
    engine = platform.app.extensions["footprint_engine"]
    return subs.create_submission(platform.db, engine, platform.people["producer"], bom,
                                  home=platform.home)[0]


def refusal(platform, bom: dict) -> str:
    with pytest.raises(InvalidInput) as caught:
        create(platform, bom)
    [problem] = caught.value.problems
    assert problem.where == "lines[0].input"
    return str(problem.message)


def url_of(label) -> str:
    return label_url("cq.footprint.example.cn", bytes(label["cose"]))


def test_another_platforms_label_by_url_computes(platforms):
    sc, cq = platforms
    supplier = issue(cq, kwh=100)  # 52.27 -> signed 52.3 kg CO2e per 1 kg
    sub = create(sc, buyer_bom(url_of(supplier)))
    result = subs.latest_result(sc.db, sub)
    # 2 kg x 52.3 kg CO2e/kg = 104.6; + 10 kWh x 0.1404 = 1.404 -> 106.004
    assert result["total_kg_co2e"] == pytest.approx(106.004, rel=TOL)
    line = result["by_input"][0]
    assert line["kg_co2e"] == pytest.approx(104.6, rel=TOL)
    assert line["data"] == "supplier-primary"
    signed = line["supplier_label"]
    assert signed["id"] == supplier["id"] and signed["id"].startswith("CN-CQ-")
    assert signed["issuer"] == "CN-CQ"
    assert signed["verifier"] == "No. 2"  # the Chongqing verifier's organisation number
    assert signed["status"] == "kept-by-issuer" and signed["own"] is False
    assert signed["data_quality"] == "verified"
    assert signed["value"] == pytest.approx(52.3) and signed["declared_unit"] == "kg"
    assert any(f"status of label {supplier['id']} is kept by its issuing platform CN-CQ" in n
               for n in result["notes"])
    assert result["supplier_kg_co2e"] == pytest.approx(104.6, rel=TOL)


def test_base32_form_and_unit_conversion(platforms):
    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    bom = buyer_bom("label:" + to_b32(bytes(supplier["cose"])), amount=500, unit="g")
    result = subs.latest_result(sc.db, create(sc, bom))
    # 500 g = 0.5 kg x 52.3 = 26.15; + 1.404 = 27.554
    assert result["total_kg_co2e"] == pytest.approx(27.554, rel=TOL)


def test_a_unit_of_another_dimension_is_refused(platforms):
    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    with pytest.raises(InvalidInput) as caught:
        create(sc, buyer_bom(url_of(supplier), amount=3, unit="kWh"))
    assert [p.where for p in caught.value.problems] == ["lines[0].unit"]


def test_own_label_by_id(platforms):
    sc, _ = platforms
    supplier = issue(sc, kwh=100)  # 14.04 -> signed 14.0
    result = subs.latest_result(sc.db, create(sc, buyer_bom(f"label:{supplier['id']}")))
    # 2 kg x 14.0 = 28.0; + 1.404 = 29.404
    assert result["total_kg_co2e"] == pytest.approx(29.404, rel=TOL)
    signed = result["by_input"][0]["supplier_label"]
    assert (signed["id"], signed["issuer"], signed["status"], signed["own"]) == \
        (supplier["id"], "CN-SC", "valid", True)


def test_another_platforms_label_by_id_asks_for_the_url(platforms):
    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    message = refusal(sc, buyer_bom(f"label:{supplier['id']}"))
    assert "cannot be verified here" in message and "QR URL" in message


def test_revoked_label_refused(platforms):
    sc, _ = platforms
    supplier = issue(sc, kwh=100)
    revoke(sc.db, sc.people["reviewer"], supplier["id"], "meter readings were wrong")
    message = refusal(sc, buyer_bom(f"label:{supplier['id']}"))
    assert message == f"label {supplier['id']} was revoked: meter readings were wrong"


def test_superseded_label_refused(platforms):
    sc, _ = platforms
    old = issue(sc, kwh=100)
    new = issue(sc, kwh=200)
    message = refusal(sc, buyer_bom(f"label:{old['id']}"))
    assert message == f"label {old['id']} is superseded by {new['id']}; use the current label"


def test_forged_label_refused(platforms):
    sc, cq = platforms
    cose = bytearray(bytes(issue(cq, kwh=100)["cose"]))
    cose[-1] ^= 0x01  # one bit of the signature flipped
    message = refusal(sc, buyer_bom(label_url("cq.example.cn", bytes(cose))))
    assert "is not genuine" in message


def test_unknown_issuer_refused(platforms, tmp_path):
    sc, _ = platforms
    third = tmp_path / "third"
    third.mkdir()
    key = generate(third, "CN-XZ", "Tibet platform",
                   valid_from=clock.now() - timedelta(days=1))
    claims = {"issuer": "CN-XZ", "id": label_claims.new_label_id("CN-XZ"),
              "issued_at": clock.now(), "expires_at": clock.now() + timedelta(days=365),
              "product": 1, "producer": 1, "category": "generic",
              "declared_unit": {"amount": 1, "unit": "kg"}, "value": 1.0,
              "stage_permille": {"production": 1000}, "region": "CN-XZ",
              "data_version": "0" * 16, "reproducibility_hash": "0" * 32, "verifier": 1,
              "reviewer": 1}
    cose = sign(claims, key)
    message = refusal(sc, buyer_bom(label_url("xz.example.cn", cose)))
    assert "does not recognise" in message


def test_expired_label_refused(platforms, engine):
    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    from footprint.bom import parse_bom
    later = clock.now() + timedelta(days=365 * 10)
    with pytest.raises(InvalidInput) as caught:
        engine.calculate(parse_bom(buyer_bom(url_of(supplier))),
                         labels=LabelInputs(sc.db, sc.home, moment=later))
    [problem] = caught.value.problems
    assert problem.where == "lines[0].input"
    assert str(problem.message).startswith(f"label {supplier['id']} expired on ")


def test_recalc_follows_a_superseded_label(platforms):
    sc, _ = platforms
    old = issue(sc, kwh=100)  # 14.0 per kg
    buyer = create(sc, buyer_bom(f"label:{old['id']}"))
    assert subs.latest_result(sc.db, buyer)["total_kg_co2e"] == pytest.approx(29.404, rel=TOL)
    new = issue(sc, kwh=200)  # supersedes the old one: 28.08 -> signed 28.1 per kg
    assert status(find(sc.db, old["id"])) == "superseded"
    engine = sc.app.extensions["footprint_engine"]
    moved = follow_supersessions(sc.db, engine, sc.home)
    # 2 kg x 28.1 = 56.2; + 1.404 = 57.604
    assert moved == [{"submission": buyer["id"], "replaced": [old["id"]], "now": [new["id"]],
                      "before": pytest.approx(29.404, rel=TOL),
                      "after": pytest.approx(57.604, rel=TOL), "reissued": None}]
    result = subs.latest_result(sc.db, buyer)
    assert result["total_kg_co2e"] == pytest.approx(57.604, rel=TOL)
    assert result["by_input"][0]["supplier_label"]["id"] == new["id"]
    assert result["by_input"][0]["supplier_label"]["replaces"] == old["id"]
    assert f"line 1: label {old['id']} was superseded; its successor {new['id']} is used" \
        in result["notes"]
    assert follow_supersessions(sc.db, engine, sc.home) == []  # nothing left to move


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli_home(platforms, footprint_home, monkeypatch):
    """`footprint` run as the Sichuan platform's operator (its home, with the session's
    background cache so that nothing is rebuilt)."""
    from cli.main import cli
    sc, cq = platforms
    shutil.copytree(footprint_home / "cache", sc.home / "cache", dirs_exist_ok=True)
    monkeypatch.setenv("FOOTPRINT_HOME", str(sc.home))
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return sc, cq, lambda *args: runner.invoke(cli, [str(a) for a in args])


def test_cli_calc_with_a_supplier_label(cli_home, tmp_path):
    sc, cq, run = cli_home
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(buyer_bom(url_of(issue(cq, kwh=100)))))
    out = run("calc", path, "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["total_kg_co2e"] == pytest.approx(106.004, rel=TOL)


def test_cli_calc_refuses_a_revoked_label(cli_home, tmp_path):
    sc, _, run = cli_home
    supplier = issue(sc, kwh=100)
    revoke(sc.db, sc.people["reviewer"], supplier["id"], "wrong meter")
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(buyer_bom(f"label:{supplier['id']}")))
    out = run("calc", path)
    assert out.exit_code == 2
    assert "lines[0].input" in out.stderr and "was revoked: wrong meter" in out.stderr


def test_cli_recalc_moves_the_buyer_with_the_supplier(cli_home):
    sc, _, run = cli_home
    old = issue(sc, kwh=100)
    buyer = create(sc, buyer_bom(f"label:{old['id']}"))
    new = issue(sc, kwh=200)
    out = run("recalc", "--no-progress")
    assert out.exit_code == 0, out.output
    assert f"#{buyer['id']}: supplier label {old['id']} superseded, now {new['id']}: " \
           "29.4 -> 57.6 kg CO2e" in out.stdout


def test_supplier_label_record_leaves_out_the_bytes():
    label = SupplierLabel("CN-SC-X", "CN-SC", "Sichuan", "No. 2", 14.0, 1.0, "kg", "p", True,
                          "valid", "verified", b32="AAAA")
    assert "b32" not in label.as_dict() and label.as_dict()["value"] == 14.0


def test_pages_show_a_submission_that_uses_a_supplier_label(platforms, login):
    """The submission page and the editor keep working with a label line; the page shows
    the footprint, 2 x 52.3 + 1.404 = 106.004 kg CO2e (3 significant figures: 106)."""
    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    sub = create(sc, buyer_bom(url_of(supplier)))
    client = login(sc.client, "producer-CN-SC")
    page = client.get(f"/submissions/{sub['id']}")
    assert page.status_code == 200
    assert "106" in page.get_data(as_text=True)
    editor = client.get(f"/producer/submissions/{sub['id']}/edit")
    assert editor.status_code == 200
    assert to_b32(bytes(supplier["cose"])) in editor.get_data(as_text=True)


def test_a_data_version_recalc_keeps_the_label_line_and_moves_the_rest(platforms,
                                                                       footprint_home):
    """The kept rows of a label line (key label|<id>) score 1 kg CO2e a unit under every
    data version: only the buyer's own electricity moves."""
    from footprint.engine import Engine
    from footprint.store.footprints import current_footprint
    from footprint.usecases.recalculation import Options, recalculate

    sc, cq = platforms
    supplier = issue(cq, kwh=100)
    bom = buyer_bom(url_of(supplier))
    del bom["factor_year"]  # the newest year of each data version
    engine_2022 = Engine(footprint_home, data_version="MEE-2022")
    buyer = subs.create_submission(sc.db, engine_2022, sc.people["producer"], bom,
                                   home=sc.home)[0]
    # 2 kg x 52.3 = 104.6; + 10 kWh x 0.1404 (2022) = 1.404 -> 106.004
    assert current_footprint(sc.db, buyer["id"])["total_kg_co2e"] == \
        pytest.approx(106.004, rel=TOL)
    summary = recalculate(sc.db, Options(to_version="MEE-2023"), footprint_home)
    assert (summary.as_dict()["changed"], summary.as_dict()["failed"]) == (1, 0)
    # 104.6 + 10 kWh x 0.1564 (2023) = 104.6 + 1.564 = 106.164
    after = current_footprint(sc.db, buyer["id"])
    assert after["total_kg_co2e"] == pytest.approx(106.164, rel=TOL)
    assert after["by_stage"]["raw_materials"] == pytest.approx(104.6, rel=TOL)


def test_recalc_leaves_a_footprint_whose_successor_label_is_revoked(platforms):
    sc, _ = platforms
    old = issue(sc, kwh=100)
    buyer = create(sc, buyer_bom(f"label:{old['id']}"))
    new = issue(sc, kwh=200)
    revoke(sc.db, sc.people["reviewer"], new["id"], "meter readings were wrong")
    engine = sc.app.extensions["footprint_engine"]
    [moved] = follow_supersessions(sc.db, engine, sc.home)
    assert moved == {"submission": buyer["id"], "replaced": [old["id"]],
                     "error": f"lines[0].input: label {new['id']} was revoked: "
                              "meter readings were wrong"}
    # 2 x 14.0 + 1.404 = 29.404, as before
    assert subs.latest_result(sc.db, buyer)["total_kg_co2e"] == pytest.approx(29.404, rel=TOL)


def test_recalc_reissues_the_buyers_label_with_the_new_supplier_value(platforms):
    from decimal import Decimal

    from footprint.usecases import actions
    from footprint.usecases.labels import claims as label_claims_of

    sc, _ = platforms
    old = issue(sc, kwh=100)  # 14.0 per kg
    people = sc.people
    buyer = create(sc, buyer_bom(f"label:{old['id']}"))
    actions.act(sc.db, people["producer"], buyer["id"], "submit",
                verifier_org=PLATFORMS["CN-SC"]["verifier"])
    actions.act(sc.db, people["verifier"], buyer["id"], "verify",
                checklist=actions.VERIFY_CHECKLIST)
    actions.act(sc.db, people["reviewer"], buyer["id"], "approve", issuer=sc.issuer)
    buyer_label = current_for_submission(sc.db, buyer["id"])
    # 2 x 14.0 + 1.404 = 29.404 -> signed 29.4
    assert label_claims_of(buyer_label)["value"] == Decimal("29.4")
    issue(sc, kwh=200)  # 28.1 per kg
    engine = sc.app.extensions["footprint_engine"]
    [moved] = follow_supersessions(sc.db, engine, sc.home, issuer=sc.issuer)
    new_buyer_label = current_for_submission(sc.db, buyer["id"])
    assert moved["reissued"] == new_buyer_label["id"] != buyer_label["id"]
    # 2 x 28.1 + 1.404 = 57.604 -> signed 57.6, superseding the buyer's old label
    assert label_claims_of(new_buyer_label)["value"] == Decimal("57.6")
    assert status(find(sc.db, buyer_label["id"])) == "superseded"
