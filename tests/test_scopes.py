"""Declared scopes: every factor states its gas scope, every result the share of its total in
each scope and the standard it follows, and a note when it mixes scopes; Ember's factors are
life-cycle CO2e; the diesel factor's arithmetic; the electricity basis against the platform's.

Factors used by hand (sources in the manifests):
  diesel                 74.1 kg CO2/GJ x 43.0 GJ/t / 1000 = 3.1863 kg CO2/kg (IPCC 2006)
  Sichuan grid 2022      0.1404 kg CO2/kWh (MEE 2024 No. 33; CO2 only)
  China market 2022      0.5856 kg CO2/kWh (MEE, national excl. market non-fossil; CO2 only)
  Hungary 2023           204.2 g CO2e/kWh (Ember 2023, life-cycle CO2e: FACTORS.md section 3)
  road freight           0.116 kg CO2/tkm (US EPA, tank-to-wheel CO2)
  N2O GWP100             273 (IPCC AR6 Table 7.15)
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from footprint import DataError, Source
from footprint.bom import parse_bom
from footprint.engine.scopes import STANDARD, classify

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
REL = 1e-6  # Brightway keeps amounts as float32


def calc(engine, bom: dict) -> dict:
    return engine.calculate(parse_bom(bom))


def test_diesel_is_74_1_times_43_0_over_1000(registry):
    # 74.1 kg CO2/GJ x 43.0 GJ/t = 3186.3 kg CO2/t = 3.1863 kg CO2/kg, not 3.185
    diesel = registry.processes["diesel"]
    assert diesel.emissions == (("CO2_fossil", 3.1863),)
    assert "74.1 x 43.0 / 1000 = 3.1863 kg CO2/kg" in diesel.source.citation


def test_ember_is_booked_as_life_cycle_co2e(registry):
    factor = registry.electricity[("HU", 2023, "location")] \
        if ("HU", 2023, "location") in registry.electricity else \
        next(f for f in registry.electricity.values() if f.region == "HU")
    # 204.2 g CO2e/kWh / 1000 = 0.2042 kg CO2e/kWh, as aggregated CO2e (not fossil CO2)
    assert factor.value == pytest.approx(0.2042)
    assert factor.flow == "CO2e_aggregated"
    catalog = next(c for c in registry.catalogs if "ember_2023_europe" in c.entries)
    entry = catalog.entries["ember_2023_europe"]
    assert entry["unit"] == "g CO2e/kWh" and entry["gas_scope"].startswith("life-cycle CO2e")
    assert "upstream" in entry["source"]


def test_the_eu_sample_shows_its_gas_split_as_co2e_and_its_scopes(engine):
    result = calc(engine, json.loads((SAMPLES / "hungary_module_assembly_market.json")
                                     .read_text(encoding="utf-8")))
    # line 1: 80 kWh x 0.2042 (Hungary, Ember, life-cycle CO2e) = 16.336
    # line 2: 20 kWh x 0.5856 (China's market factor stands in for Sichuan; CO2) = 11.712
    # line 3: 5 tkm x 0.116 (CO2) = 0.58;   total 16.336 + 11.712 + 0.58 = 28.628
    assert result["total_kg_co2e"] == pytest.approx(28.628, rel=REL)
    assert result["by_gas"] == pytest.approx({"CO2e_aggregated": 16.336,
                                              "CO2_fossil": 11.712 + 0.58}, rel=REL)
    # fossil CO2 12.292 is the Chinese electricity and the truck only; the EU line is CO2e
    assert result["fossil_kg_co2e"] == pytest.approx(12.292, rel=REL)
    assert result["unspecified_kg_co2e"] == pytest.approx(16.336, rel=REL)
    # scopes: life-cycle CO2e 16.336 / 28.628 = 57.06 %; CO2 only 12.292 / 28.628 = 42.94 %
    scopes = result["scopes"]
    assert list(scopes) == ["co2_only", "lifecycle_co2e"]
    assert scopes["lifecycle_co2e"]["kg_co2e"] == pytest.approx(16.336, rel=REL)
    assert scopes["lifecycle_co2e"]["share"] == pytest.approx(16.336 / 28.628, rel=REL)
    assert scopes["co2_only"]["kg_co2e"] == pytest.approx(12.292, rel=REL)
    assert scopes["co2_only"]["share"] == pytest.approx(12.292 / 28.628, rel=REL)
    assert result["standard"] == "GB/T 24067-2024 / ISO 14067:2018" == STANDARD
    assert any("different gas scopes" in n for n in result["notes"])
    cited = {f["process"]: f["scope"] for f in result["factors"]}
    assert cited == {"electricity/location/HU/2023": "lifecycle_co2e",
                     "electricity/market/CN/2022": "co2_only", "road_freight": "co2_only"}


def test_one_scope_needs_no_note(engine, make_bom):
    # 100 kWh x 0.1404 + 3 kg x 3.1863 = 14.04 + 9.5589 = 23.5989, all CO2 at the source
    result = calc(engine, make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"}]))
    assert result["total_kg_co2e"] == pytest.approx(23.5989, rel=REL)
    assert result["scopes"] == {"co2_only": {"kg_co2e": pytest.approx(23.5989, rel=REL),
                                             "share": pytest.approx(1.0)}}
    assert not any("gas scopes" in n for n in result["notes"])


def test_modelled_gases_are_co2e_under_the_method_and_life_cycle_grid_is_life_cycle(
        engine, make_bom):
    # 0.01 kg N2O x 273 (AR6) = 2.73, CO2e under the AR6 GWP set;
    # 10 kWh x 0.5777 (China's life-cycle footprint factor, 2024) = 5.777, life-cycle CO2e;
    # 10 kWh x 0.1404 (Sichuan, location) = 1.404, CO2 only; total 9.911
    result = calc(engine, make_bom(factor_year=None, lines=[
        {"emission": "N2O", "amount": 0.01, "unit": "kg", "stage": "production"},
        {"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production",
         "region": "CN", "basis": "lifecycle", "year": 2024},
        {"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production",
         "year": 2022}]))
    assert result["total_kg_co2e"] == pytest.approx(9.911, rel=REL)
    scopes = result["scopes"]
    assert scopes["co2e"]["kg_co2e"] == pytest.approx(2.73, rel=REL)
    assert scopes["co2e"]["gwp"] == [result["method"]["name"]]
    assert scopes["lifecycle_co2e"]["kg_co2e"] == pytest.approx(5.777, rel=REL)
    assert scopes["co2_only"]["kg_co2e"] == pytest.approx(1.404, rel=REL)
    assert sum(s["share"] for s in scopes.values()) == pytest.approx(1.0)


def test_a_sub_assembly_adds_its_own_scopes(engine, make_bom, write_bom):
    # part: 1 kg, 10 kWh Hungary (Ember, life-cycle) = 2.042 per kg
    # product: 2 kg of the part = 4.084 (life-cycle) + 1 kg diesel 3.1863 (CO2 only) = 7.2703
    write_bom(make_bom(product={"name": "part", "id": "part-1"}, region="HU", factor_year=None,
                       lines=[{"input": "electricity", "amount": 10, "unit": "kWh",
                               "stage": "production"}]), "part.json")
    product = write_bom(make_bom(lines=[
        {"input": "product:part-1", "amount": 2, "unit": "kg", "stage": "raw_materials"},
        {"input": "diesel", "amount": 1, "unit": "kg", "stage": "production"}]), "product.json")
    from footprint.bom import read_bom_file
    result = engine.calculate(read_bom_file(product))
    assert result["total_kg_co2e"] == pytest.approx(7.2703, rel=REL)
    assert result["scopes"]["lifecycle_co2e"]["kg_co2e"] == pytest.approx(4.084, rel=REL)
    assert result["scopes"]["co2_only"]["kg_co2e"] == pytest.approx(3.1863, rel=REL)


def test_a_plugin_may_state_a_scope_and_the_data_decides_otherwise(registry):
    stated = Source("any_dataset", "a study", scope="lifecycle_co2e")
    assert classify({"CO2_fossil"}, stated, registry) == "lifecycle_co2e"
    # derived: CO2 alone is CO2 only; an aggregated CO2e is life cycle only where its data
    # says so (the MEE footprint factor: "CO2e, life cycle"), else CO2e as published
    assert classify({"CO2_fossil"}, Source("x", "y"), registry) == "co2_only"
    assert classify({"CO2e_aggregated"}, Source("cn_electricity_footprint", "MEE"),
                    registry) == "lifecycle_co2e"
    assert classify({"CO2e_aggregated"}, Source("rail_freight_cn", "indicative"),
                    registry) == "co2e"
    assert classify({"N2O"}, None, registry) == "co2e"
    with pytest.raises(ValueError):
        Source("x", "y", scope="direct")


# -- the electricity basis -------------------------------------------------------------------

def test_each_electricity_line_names_its_basis_and_a_choice_other_than_the_platform_s(
        engine, make_bom):
    result = calc(engine, json.loads((SAMPLES / "hungary_module_assembly_market.json")
                                     .read_text(encoding="utf-8")))
    bases = {e["line"]: e.get("electricity_basis") for e in result["by_input"]}
    assert bases == {1: "location", 2: "market", 3: None}
    assert result["electricity_basis"] == {"platform_default": "location", "bom": "location"}
    assert "electricity on the market basis (line 2), not the platform's default location " \
           "basis" in result["notes"]


def test_the_platform_chooses_the_default_basis(engine, make_bom, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_ELECTRICITY_BASIS", "market")
    # no basis named: the platform's market basis; Sichuan has none, China's 0.5856 stands in:
    # 100 kWh x 0.5856 = 58.56
    result = calc(engine, make_bom())
    assert result["total_kg_co2e"] == pytest.approx(58.56, rel=REL)
    assert result["bom"]["bom"]["electricity_basis"] == "market"  # written as used
    assert result["electricity_basis"] == {"platform_default": "market", "bom": "market"}
    assert not any("not the platform's default" in n for n in result["notes"])
    # a BOM choosing location: 100 x 0.1404 = 14.04, and the note says it left the default
    chosen = calc(engine, make_bom(electricity_basis="location"))
    assert chosen["total_kg_co2e"] == pytest.approx(14.04, rel=REL)
    assert any("location basis (line 1), not the platform's default market basis" in n
               for n in chosen["notes"])


def test_an_unknown_platform_basis_is_refused(monkeypatch, make_bom):
    monkeypatch.setenv("FOOTPRINT_ELECTRICITY_BASIS", "residual")
    with pytest.raises(DataError, match="FOOTPRINT_ELECTRICITY_BASIS"):
        parse_bom(make_bom())


# -- the pages -------------------------------------------------------------------------------

def test_submission_and_scan_pages_show_the_scopes_and_the_note(service, clients, issuer,
                                                                 approve):
    from footprint.labels import to_b32
    from footprint.usecases.labels import for_submission

    bom = json.loads((SAMPLES / "hungary_module_assembly_market.json").read_text("utf-8"))
    final = approve(bom, issuer)
    label = for_submission(service.db, final["id"])
    url = f"/submissions/{final['id']}"
    for lang, scope_word, note, share in (
            ("zh", "全生命周期 CO2e（含上游）", "口径不一致", "57.1 %"),
            ("en", "life-cycle CO2e with upstream", "not like for like", "57.1 %")):
        for client, address in ((clients["orchard"], url), (service.app.test_client(),
                                                            f"/L/{to_b32(label['cose'])}")):
            client.set_cookie("lang", lang)
            page = client.get(address).get_data(as_text=True)
            block = re.search(r'<div class="scopes" id="scopes">(.*?)</div>', page, re.S)
            assert block, address
            text = " ".join(re.sub(r"<[^>]+>", " ", block.group(1)).split())
            # 16.336 / 28.628 = 57.06 % life-cycle CO2e; 12.292 / 28.628 = 42.94 % CO2 only
            assert scope_word in text and share in text and "42.9 %" in text, text
            assert note in text and "GB/T 24067-2024 / ISO 14067:2018" in text, text
