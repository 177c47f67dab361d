"""A supplier's PACT v3 footprint as a BOM input: imported by a producer, named pact:<id> in a
line, calculated as the footprint states and marked as supplier data."""
from __future__ import annotations

import copy
import json

import pytest

from footprint.errors import InvalidInput
from footprint.pactinput import read_footprint
from footprint.usecases import pactinputs
from footprint.usecases import submissions as subs

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

FOOTPRINT_ID = "3f1b7c9e-2a4d-4e8f-9b6a-1c2d3e4f5a6b"
SUPPLIER = {  # a ProductFootprint as the PACT v3 OpenAPI document describes one
    "id": FOOTPRINT_ID,
    "specVersion": "3.0.0",
    "created": "2026-10-01T00:00:00Z",
    "status": "Active",
    "companyName": "Chengdu Packaging Ltd",
    "companyIds": ["urn:uscc:91510100MA6CGUDD1X"],
    "productDescription": "Corrugated carton, 5-ply",
    "productIds": ["urn:gtin:06901234567892"],
    "productNameCompany": "Carton 5-ply",
    "pcf": {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1.0",
        "productMassPerDeclaredUnit": "1.0",
        "pcfExcludingBiogenicUptake": "0.85",
        "pcfIncludingBiogenicUptake": "-0.35",
        "primaryDataShare": "62.5",
        "dqi": {"technologicalDQR": "1.5", "geographicalDQR": "1.0", "temporalDQR": "2.0"},
        "verification": {"coverage": "product level", "providerName": "TÜV Chengdu"},
    },
}


def supplier(**changes) -> dict:
    data = copy.deepcopy(SUPPLIER)
    for path, value in changes.items():
        *parents, last = path.split("__")
        place = data
        for step in parents:
            place = place[step]
        if value is None:
            del place[last]
        else:
            place[last] = value
    return data


def problems(content) -> dict[str, str]:
    with pytest.raises(InvalidInput) as found:
        read_footprint(json.dumps(content))
    return {p.where: str(p.message) for p in found.value.problems}


def test_a_footprint_is_read_with_what_a_line_needs():
    footprint = read_footprint(json.dumps({"data": SUPPLIER}))  # a host's response, or bare
    assert (footprint.id, footprint.declared_unit, footprint.value) == (FOOTPRINT_ID, "kg", 0.85)
    assert footprint.verifier == "TÜV Chengdu"
    assert footprint.dqr == {"technological": 1.5, "geographical": 1.0, "temporal": 2.0}
    assert footprint.company_ids == ("urn:uscc:91510100MA6CGUDD1X",)


def test_bad_footprints_are_refused_at_their_paths():
    assert problems(supplier(status="Deprecated")) == {"status": (
        f"footprint {FOOTPRINT_ID} is Deprecated: ask the supplier for the footprint that "
        "replaces it (its precedingPfIds name this one)")}
    found = problems(supplier(pcf__declaredUnitOfMeasurement="gallon",
                              pcf__pcfExcludingBiogenicUptake="0,85", specVersion="2.2.0",
                              companyIds=["91510100MA6CGUDD1X"], productNameCompany=None))
    assert found["pcf.declaredUnitOfMeasurement"].startswith(
        '"gallon" is not a declared unit a BOM line can use: liter, kilogram')
    assert found["pcf.pcfExcludingBiogenicUptake"] == '"0,85" is not a decimal number'
    assert found["specVersion"] == ("version 2.2.0: only PACT v3 footprints are read (v2 is "
                                    "deprecated)")
    assert found["companyIds"] == "must be a non-empty list of URNs (urn:...)"
    assert found["productNameCompany"] == "missing: a PACT v3 ProductFootprint must have it"
    assert problems(supplier(pcf__dqi__temporalDQR="7"))["pcf.dqi.temporalDQR"] == \
        "7.0 is not a rating from 1 to 5"


def carton_bom(make_bom, amount=200, unit="kg"):
    return make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": f"pact:{FOOTPRINT_ID.upper()}", "amount": amount, "unit": unit,
         "stage": "packaging"}])


def test_an_imported_footprint_is_a_bom_input_marked_as_supplier_data(service, engine,
                                                                      make_bom):
    orchard = service.people["orchard"]
    pactinputs.import_footprint(service.db, orchard, json.dumps(SUPPLIER), "carton.json")
    _, result = subs.calculate(service.db, engine, orchard, carton_bom(make_bom),
                               home=service.home)
    # 100 kWh x 0.1404 (Sichuan 2022, MEE) = 14.04; 200 kg of carton x 0.85 kg CO2e/kg = 170
    # total 184.04 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(184.04, rel=1e-6)
    line = result["by_input"][1]
    assert line["kg_co2e"] == pytest.approx(170.0, rel=1e-9)
    assert line["data"] == "supplier-primary"
    assert line["supplier_label"]["id"] == f"pact:{FOOTPRINT_ID}"
    assert line["supplier_label"]["issuer_name"] == "Chengdu Packaging Ltd"
    assert line["supplier_label"]["verifier"] == "TÜV Chengdu"
    assert line["supplier_label"]["company_ids"] == ["urn:uscc:91510100MA6CGUDD1X"]
    # the footprint's own ratings are the line's
    assert line["dqr"] == {"technological": 1.5, "geographical": 1.0, "temporal": 2.0}
    assert pactinputs.footprints(service.db, orchard)[0]["origin"] == "carton.json"


def test_a_line_in_another_unit_or_organisation_is_refused(service, engine, make_bom):
    orchard, steelworks = service.people["orchard"], service.people["steelworks"]
    pactinputs.import_footprint(service.db, orchard, json.dumps(SUPPLIER), "carton.json")
    with pytest.raises(InvalidInput) as found:
        subs.calculate(service.db, engine, orchard, carton_bom(make_bom, 5, "kWh"),
                       home=service.home)
    where = {p.where: str(p.message) for p in found.value.problems}
    assert "lines[1].unit" in where and f"pact:{FOOTPRINT_ID}" in where["lines[1].unit"]
    with pytest.raises(InvalidInput) as found:  # imported by the orchard, not the steelworks
        subs.calculate(service.db, engine, steelworks, carton_bom(make_bom), home=service.home)
    assert [str(p.message) for p in found.value.problems] == [
        f"PACT footprint {FOOTPRINT_ID} has not been imported by your organisation: import "
        "the supplier's footprint first"]


def test_only_a_producer_imports_and_a_bad_file_keeps_nothing(service):
    from footprint.errors import Forbidden
    with pytest.raises(Forbidden):
        pactinputs.import_footprint(service.db, service.people["auditor"],
                                    json.dumps(SUPPLIER), "carton.json")
    with pytest.raises(InvalidInput):
        pactinputs.import_footprint(service.db, service.people["orchard"],
                                    json.dumps(supplier(status="Deprecated")), "old.json")
    assert pactinputs.footprints(service.db, service.people["orchard"]) == []


def test_a_producer_imports_on_the_page_and_a_bad_file_is_said_in_chinese(service, clients):
    import io
    client = clients["orchard"]
    client.set_cookie("lang", "zh")
    bad = json.dumps(supplier(pcf__declaredUnitOfMeasurement="gallon")).encode()
    page = client.post("/producer/suppliers/import",
                       data={"file": (io.BytesIO(bad), "carton.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "pcf.declaredUnitOfMeasurement" in text
    assert "“gallon”不是物料清单行可用的声明单位" in text
    assert pactinputs.footprints(service.db, service.people["orchard"]) == []
    done = client.post("/producer/suppliers/import",
                       data={"file": (io.BytesIO(json.dumps(SUPPLIER).encode()), "carton.json")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    listed = client.get("/producer/suppliers").get_data(as_text=True)
    assert f"pact:{FOOTPRINT_ID}" in listed and "Chengdu Packaging Ltd" in listed
    assert "供应商 PACT 碳足迹" in listed
    # another producer's page does not list it
    other = clients["steelworks"].get("/producer/suppliers").get_data(as_text=True)
    assert FOOTPRINT_ID not in other
    # a verifier may not import
    assert clients["auditor"].post("/producer/suppliers/import").status_code in (302, 403)


def test_the_declared_unit_is_its_amount_times_its_unit(service, engine, make_bom):
    """PACT v3: "the 'declared unit' is the declaredUnitAmount times
    declaredUnitOfMeasurement" (a car door of 80 kg: 80, kilogram), and the PCF is per
    declared unit."""
    orchard = service.people["orchard"]
    door = supplier(pcf__declaredUnitAmount="80", pcf__pcfExcludingBiogenicUptake="400")
    pactinputs.import_footprint(service.db, orchard, json.dumps(door), "door.json")
    _, result = subs.calculate(service.db, engine, orchard, make_bom(lines=[
        {"input": f"pact:{FOOTPRINT_ID}", "amount": 160, "unit": "kg",
         "stage": "raw_materials"}]), home=service.home)
    # 160 kg is two doors of 80 kg: 160 / 80 x 400 = 800 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(800.0, rel=1e-9)
    assert problems(supplier(pcf__declaredUnitAmount="0")) == {
        "pcf.declaredUnitAmount": "0.0: the declared unit's amount is more than 0"}


def test_the_command_line_imports_and_refuses_with_exit_2(service, run, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    good, bad = tmp_path / "carton.json", tmp_path / "old.json"
    good.write_text(json.dumps(SUPPLIER))
    bad.write_text(json.dumps(supplier(status="Deprecated")))
    done = run("pact", "import", good, "--user", "orchard")
    assert done.exit_code == 0, done.output
    assert f"pact:{FOOTPRINT_ID}" in done.output
    assert "0.85 kg CO2e per 1 kg" in done.output
    refused = run("pact", "import", bad, "--user", "orchard")
    assert refused.exit_code == 2
    assert "status" in refused.stderr and "Deprecated" in refused.stderr
    assert run("pact", "import", good, "--user", "nobody").exit_code == 2
