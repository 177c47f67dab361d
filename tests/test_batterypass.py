"""A battery label's Battery Pass record (GET /api/v1/labels/<id>/battery-pass) and its
Art. 7 figures on the submission page, the scan page and the printed label.

The record is CarbonFootprintForBatteries of the Battery Pass Data Model 1.2.0, checked against
the published OpenAPI document of that aspect, vendored in
footprint/schemas/batterypass/ (batterypass/BatteryPassDataModel, commit 20e69d3f).

Hand-worked values (figures in tests/test_category_batteries.py's docstring):

1. The documented sample (docs/categories/batteries.md): LFP defaults in Sichuan 2022,
   54.74332 + 37.5 kWh x 0.1404 = 54.74332 + 5.265 = 60.00832 kg CO2e per kWh of capacity;
   DoD 0.8 x 4,000 cycles x R 1 = 3,200 kWh delivered per kWh of capacity;
   60.00832 / 3200 = 0.0187526 kg CO2e per kWh delivered -> "0.0188"; class A (<= 0.03).

2. Our own case: the same LFP pack in Shandong 2022 (grid 0.6410 kg CO2/kWh), 300 cycles a
   year for 10 years at DoD 0.8, a 50 kWh pack:
     per kWh of capacity:  raw materials 54.74332 (Lin et al. defaults)
                           production    37.5 x 0.6410 = 24.0375
                           total         78.78082
     delivered:            0.8 x (300 x 10) x 1 = 2,400 kWh per kWh of capacity
     per kWh delivered:    78.78082 / 2400 = 0.0328253 -> "0.0328", class B (0.03 < x <= 0.04)
     Annex II stages:      RawMaterialExtraction 54.74332 / 2400 = 0.0228097
                           MainProduction        24.0375 / 2400 = 0.0100156
                           Distribution 0, Recycling 0 (nothing modelled)
     absolute:             78.78082 x 50 kWh = 3,939.041 kg CO2e per pack
   Its printed line: "每千瓦时交付 0.0328 kg CO₂e · 等级 B（暂定）".
"""
from __future__ import annotations

import html
import json

import jsonschema
import pytest

from footprint.bom import parse_bom
from footprint.labels import printed
from footprint.labels.encoding import to_b32
from footprint.usecases import batterypass
from footprint.usecases import labels as label_records
from footprint.usecases.revoking import revoke
from web.api.labels import _basis_line

from .conftest import text_of


pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

SHANDONG_TOTAL = 54.74332 + 37.5 * 0.6410  # = 78.78082
SHANDONG_DELIVERED = 0.8 * 300 * 10  # = 2400
SHANDONG_PER_DELIVERED = SHANDONG_TOTAL / SHANDONG_DELIVERED  # = 0.0328253
SICHUAN_PER_DELIVERED = 60.00832 / 3200  # = 0.0187526
LINE_ZH = "每千瓦时交付 0.0328 kg CO₂e · 等级 B（暂定）"
LINE_EN = "Per kWh delivered 0.0328 kg CO₂e · class B (provisional)"


def shandong_bom(**parameters):
    params = {"chemistry": "LFP", "battery_category": "industrial", "depth_of_discharge": 0.8,
              "cycles_per_year": 300, "service_life_years": 10, "pack_capacity_kwh": 50}
    params.update(parameters)
    return {"product": {"name": "储能电池包 storage pack", "category": "batteries"},
            "declared_unit": {"amount": 1, "unit": "kWh"},
            "region": "CN-SD", "factor_year": 2022, "lines": [], "parameters": params}


def sichuan_bom():
    return {"product": {"name": "test battery", "category": "batteries"},
            "declared_unit": {"amount": 1, "unit": "kWh"}, "region": "CN-SC",
            "factor_year": 2022, "lines": [],
            "parameters": {"chemistry": "LFP", "battery_category": "industrial",
                           "expected_lifetime_cycles": 4000, "depth_of_discharge": 0.8}}


def validate(record: dict) -> None:
    """``record`` against CarbonFootprintForBatteries of the vendored document."""
    document = json.loads(batterypass.SCHEMA.read_text("utf-8"))
    schema = {"$ref": "#/components/schemas/CarbonFootprintForBatteries",
              "components": document["components"]}
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(record)


# -- the figures, read from the result --------------------------------------------------------

def test_the_documented_sample_per_kwh_delivered(engine):
    shown = batterypass.figures(engine.calculate(parse_bom(sichuan_bom())))
    assert shown["per_kwh_delivered"] == pytest.approx(SICHUAN_PER_DELIVERED, rel=1e-6)
    assert shown["kwh_delivered_per_kwh_capacity"] == pytest.approx(3200)
    assert shown["performance_class"] == "A" and shown["provisional"] is True
    assert printed.footprint(shown["per_kwh_delivered"]) == "0.0188"


def test_our_own_case_by_hand(engine):
    shown = batterypass.figures(engine.calculate(parse_bom(shandong_bom())))
    assert shown["kwh_delivered_per_kwh_capacity"] == pytest.approx(2400)
    assert (shown["depth_of_discharge"], shown["cycles"]) == (0.8, 3000)
    assert shown["per_kwh_delivered"] == pytest.approx(0.0328253, rel=1e-5)
    assert shown["per_kwh_delivered"] == pytest.approx(SHANDONG_PER_DELIVERED, rel=1e-6)
    assert shown["performance_class"] == "B" and shown["provisional"] is True
    stages = {s["code"]: s for s in shown["stages"]}
    assert list(stages) == list(batterypass.LIFECYCLE_STAGES)  # the model's enumeration
    assert stages["RawMaterialExtraction"]["per_kwh_delivered"] == pytest.approx(
        54.74332 / 2400, rel=1e-6)  # 0.0228097
    assert stages["MainProduction"]["per_kwh_delivered"] == pytest.approx(
        24.0375 / 2400, rel=1e-6)  # 0.0100156
    assert stages["Distribution"]["per_kwh_delivered"] == 0
    assert stages["Recycling"]["per_kwh_delivered"] == 0
    assert stages["MainProduction"]["per_kwh_capacity"] == pytest.approx(24.0375, rel=1e-6)
    assert shown["absolute"] == pytest.approx(78.78082 * 50, rel=1e-6)  # 3,939.041
    assert printed.battery_line(shown, cjk=True) == LINE_ZH
    assert printed.battery_line(shown, cjk=False) == LINE_EN


def test_no_figures_without_the_battery_parameters(engine, make_bom):
    assert batterypass.figures(engine.calculate(parse_bom(make_bom()))) is None
    bought = make_bom(product={"name": "cells bought in", "category": "batteries"},
                      declared_unit={"amount": 1, "unit": "kWh"})
    assert batterypass.figures(engine.calculate(parse_bom(bought))) is None
    assert batterypass.figures(None) is None


def test_the_schema_is_the_published_one_and_catches_a_wrong_record():
    document = json.loads(batterypass.SCHEMA.read_text("utf-8"))
    assert document["info"]["x-samm-aspect-model-urn"] == batterypass.DATA_MODEL
    schemas = document["components"]["schemas"]
    assert tuple(schemas["LifecycleStage"]["enum"]) == batterypass.LIFECYCLE_STAGES
    assert schemas["CarbonFootprintForBatteries"]["required"] == [
        "batteryCarbonFootprint", "carbonFootprintPerLifecycleStage",
        "carbonFootprintPerformanceClass", "carbonFootprintStudy"]
    good = {"batteryCarbonFootprint": 0.02, "carbonFootprintPerformanceClass": "A",
            "carbonFootprintStudy": "https://example.org/study",
            "carbonFootprintPerLifecycleStage": [{"lifecycleStage": "MainProduction",
                                                  "carbonFootprint": 0.02}]}
    validate(good)
    for wrong in ({**good, "carbonFootprintPerLifecycleStage": [
                      {"lifecycleStage": "main product production", "carbonFootprint": 0.02}]},
                  {k: v for k, v in good.items() if k != "carbonFootprintStudy"},
                  {**good, "batteryCarbonFootprint": "0.02"}):
        with pytest.raises(jsonschema.ValidationError):
            validate(wrong)
    notice = (batterypass.SCHEMA.parent / "NOTICE.md").read_text("utf-8")
    assert "CC BY 4.0" in notice and "20e69d3f4d2ce13e62afbd147cb8407ea213d52f" in notice


# -- the web ----------------------------------------------------------------------------------

@pytest.fixture
def battery_label(service, issuer, approve):
    """The label issued for the Shandong pack: (label, submission id)."""
    submission = approve(shandong_bom(), issuer)
    return label_records.for_submission(service.db, submission["id"]), submission["id"]


def test_the_record_of_a_battery_label(service, api, battery_label):
    label, _sid = battery_label
    response = api(None, "GET", f"/labels/{label['id']}/battery-pass")  # public
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    record = body["CarbonFootprintForBatteries"]
    validate(record)
    assert record["batteryCarbonFootprint"] == pytest.approx(SHANDONG_PER_DELIVERED, rel=1e-6)
    assert record["carbonFootprintPerformanceClass"] == "B"
    assert [s["lifecycleStage"] for s in record["carbonFootprintPerLifecycleStage"]] == [
        "RawMaterialExtraction", "MainProduction", "Distribution", "Recycling"]
    assert record["carbonFootprintPerLifecycleStage"][1]["carbonFootprint"] == pytest.approx(
        24.0375 / 2400, rel=1e-6)
    assert record["absoluteCarbonFootprint"] == pytest.approx(3939.041, rel=1e-6)
    # no study named in the BOM: the label's own URL, which opens its scan page
    assert record["carbonFootprintStudy"].endswith("/L/" + to_b32(bytes(label["cose"])))
    assert body["study_source"] == "scan page"
    assert body["status"] == "valid" and body["superseded_by"] is None
    assert body["provisional"]["performance_class"] is True
    assert body["data_model"]["urn"] == batterypass.DATA_MODEL
    # every value is the stored result's: the one whose hash the label signs
    signed = batterypass.signed_result(service.db, label)
    assert body["reproducibility_hash"] == signed["reproducibility_hash"]
    assert record["batteryCarbonFootprint"] == signed["extensions"]["batteries"][
        "CarbonFootprintForBatteries"]["batteryCarbonFootprint"]


def test_a_producers_study_link_is_the_record_s_study(service, issuer, approve, api):
    study = "https://example.com/lfp-pack-cfp-study.pdf"
    submission = approve(shandong_bom(carbon_footprint_study=study), issuer)
    label = label_records.for_submission(service.db, submission["id"])
    body = api(None, "GET", f"/labels/{label['id']}/battery-pass").get_json()
    assert body["CarbonFootprintForBatteries"]["carbonFootprintStudy"] == study
    assert body["study_source"] == "producer"
    validate(body["CarbonFootprintForBatteries"])


def test_not_found_for_unknown_and_other_labels(service, issuer, approve, api, make_bom):
    response = api(None, "GET", "/labels/CN-SC-NOSUCHLABEL23/battery-pass")
    assert response.status_code == 404 and "no such label" in response.get_json()["error"]
    oranges = approve(make_bom(), issuer)
    other = label_records.for_submission(service.db, oranges["id"])
    response = api(None, "GET", f"/labels/{other['id']}/battery-pass")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert "not a battery label" in response.get_json()["error"]
    zh = api(None, "GET", f"/labels/{other['id']}/battery-pass",
             headers={"Accept-Language": "zh"}).get_json()["error"]
    assert "不是" in zh and "电池" in zh


def test_a_revoked_or_superseded_label_says_so(service, issuer, approve, api, battery_label):
    label, _sid = battery_label
    revoke(service.db, service.people["reviewer"], label["id"], "wrong cycle count")
    body = api(None, "GET", f"/labels/{label['id']}/battery-pass").get_json()
    assert body["status"] == "revoked" and body["revocation_reason"] == "wrong cycle count"
    validate(body["CarbonFootprintForBatteries"])
    first = approve(shandong_bom(), issuer)
    old = label_records.for_submission(service.db, first["id"])
    second = approve(shandong_bom(depth_of_discharge=0.9), issuer)
    new = label_records.for_submission(service.db, second["id"])
    body = api(None, "GET", f"/labels/{old['id']}/battery-pass").get_json()
    assert body["status"] == "superseded" and body["current_label"] == new["id"]
    assert body["superseded_by"] == new["id"]


def test_the_route_is_in_the_openapi_document(service, api, battery_label):
    document = api(None, "GET", "/openapi.json").get_json()
    operation = document["paths"]["/api/v1/labels/{label_id}/battery-pass"]["get"]
    assert "404" in operation["responses"] and "security" in operation  # public: []
    assert "CarbonFootprintForBatteries" in document["components"]["schemas"]


# -- pages and the printed label --------------------------------------------------------------

def test_the_scan_page_shows_the_figures(service, battery_label):
    label, _sid = battery_label
    client = service.app.test_client()
    path = f"/L/{to_b32(bytes(label['cose']))}"
    zh = text_of(client.get(path, headers={"Accept-Language": "zh"}))
    assert 'id="battery"' in zh and "0.0328" in zh and "等级 B" in zh and "（暂定）" in zh
    assert "每千瓦时交付" in zh and "主产品生产" in zh and "0.0100" in zh  # 24.0375 / 2400
    assert "2,400" in zh  # kWh delivered per kWh of capacity
    en = text_of(client.get(path, headers={"Accept-Language": "en"}))
    assert "class B" in en and "(provisional)" in en and "Main product production" in en


def test_the_submission_page_shows_the_figures(service, clients, battery_label):
    _label, sid = battery_label
    page = text_of(clients["orchard"].get(f"/submissions/{sid}",
                                          headers={"Accept-Language": "zh"}))
    assert 'id="battery"' in page and "0.0328" in page and "（暂定）" in page
    assert 'data-code="RawMaterialExtraction"' in page and "0.0228" in page  # 54.74332 / 2400


def test_no_battery_block_for_other_products(service, issuer, approve, clients, make_bom):
    submission = approve(make_bom(), issuer)
    page = clients["orchard"].get(f"/submissions/{submission['id']}").get_data(as_text=True)
    assert 'id="battery"' not in page


def test_the_printed_label_carries_the_stored_figures(service, api, battery_label):
    label, _sid = battery_label
    svg = api(None, "GET", f"/labels/{label['id']}/label.svg").get_data(as_text=True)
    assert LINE_ZH in html.unescape(svg)
    assert 'width="100mm" height="60mm"' in svg  # the same 100 x 60 mm label
    png = api(None, "GET", f"/labels/{label['id']}/label.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    # the line fits the left column: every text stays inside the label
    # with the line on what it stands on below it (web.api.labels)
    assert "摇篮到大门 · IPCC AR6 GWP100 · 数据质量" in html.unescape(svg)
    with service.app.test_request_context():
        basis = _basis_line(label_records.calculation_basis(
            label_records.signed_result(service.db, label)))
    claims = {**label_records.shown(label), "basis": basis,
              "battery": batterypass.label_figures(service.db, label)}
    items = printed.layout(claims, "HTTPS://EXAMPLE.ORG/L/X", cjk=True)
    texts = [i for i in items if isinstance(i, printed.Text)]
    line = next(t for t in texts if t.text == LINE_ZH)
    assert line.x + printed.text_width(line.text, line.size) <= printed.COLUMN + 4.0
    assert all(0 < t.y < printed.HEIGHT for t in texts)
    per_unit = next(t for t in texts if "kg CO₂e / " in t.text)  # the value's own line
    footer = [t for t in texts if t.text.startswith(("每千瓦时", "摇篮到大门"))]
    assert len(footer) == 2 and all(t.y > per_unit.y for t in footer)
