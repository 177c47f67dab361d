"""Footprints worked out by hand from the cited factors.

Factors (lca_data/manifest.json): MEE/NBS grid CO2 factors (kg CO2/kWh), MEE national
footprint factor (kg CO2e/kWh), Ember 2023 (g CO2e/kWh, life cycle), IPCC 2006 diesel 3.1863 kg CO2/kg,
US EPA road freight 0.116 kg CO2/tkm, rail 0.049 kg CO2e/tkm; GWP100 AR6 CH4 fossil 29.8,
non-fossil 27.0, N2O 273; AR5 30, 28, 265. Brightway stores amounts as float32, hence rel=1e-6.
"""
import json

import pytest

from footprint.bom import parse_bom, read_bom_file

REL = 1e-6


def total(engine, bom, method=None):
    return engine.calculate(parse_bom(bom), method=method)["total_kg_co2e"]


def elec(amount=100, unit="kWh", **extra):
    return {"input": "electricity", "amount": amount, "unit": unit, "stage": "production", **extra}


@pytest.mark.parametrize("region, year, expected", [
    ("CN-SC", 2022, 14.04),   # 100 kWh x 0.1404 (Sichuan 2022, MEE 2024 No. 33)
    ("CN-SC", 2021, 12.55),   # 100 x 0.1255 (Sichuan 2021, MEE 2024 No. 12)
    ("CN-SC", 2023, 15.64),   # 100 x 0.1564 (Sichuan 2023, MEE 2025 No. 47)
    ("CN-SD", 2021, 68.38),   # 100 x 0.6838 (Shandong 2021)
    ("CN-SD", 2023, 61.91),   # 100 x 0.6191 (Shandong 2023)
    ("CN-CQ", 2022, 52.27),   # 100 x 0.5227 (Chongqing 2022)
    ("CN-GS", 2023, 44.71),   # 100 x 0.4471 (Gansu 2023)
    ("CN-QH", 2022, 15.67),   # 100 x 0.1567 (Qinghai 2022)
    ("CN", 2023, 53.06),      # 100 x 0.5306 (national average 2023)
    ("CN-GRID-SOUTHWEST", 2021, 21.13),  # 100 x 0.2113 (Southwest grid 2021)
    ("DE", 2023, 38.10),      # 100 x 381.0 g / 1000 (Ember 2023, Germany)
    ("NO", 2023, 3.01),       # 100 x 30.1 g / 1000 (Ember 2023, Norway)
])
def test_location_based_electricity(engine, make_bom, region, year, expected):
    assert total(engine, make_bom(region=region, factor_year=year)) == pytest.approx(expected, rel=REL)


def test_latest_year_when_none_given(engine, make_bom):
    # no factor_year: Sichuan's latest published year is 2023 -> 100 x 0.1564 = 15.64
    result = engine.calculate(parse_bom(make_bom(factor_year=None)))
    assert result["total_kg_co2e"] == pytest.approx(15.64, rel=REL)
    assert result["factors"][0]["year"] == 2023


def test_market_vs_location_based(engine, make_bom):
    # location: 100 x 0.1404 = 14.04; market (national excl. market-traded non-fossil, 2022):
    # 100 x 0.5856 = 58.56, the same for every province
    assert total(engine, make_bom()) == pytest.approx(14.04, rel=REL)
    market = engine.calculate(parse_bom(make_bom(electricity_basis="market")))
    assert market["total_kg_co2e"] == pytest.approx(58.56, rel=REL)
    assert "CN" in market["notes"][0] and "market" in market["notes"][0]
    assert total(engine, make_bom(region="CN-SD", electricity_basis="market")) == \
        pytest.approx(58.56, rel=REL)


def test_lifecycle_basis_is_co2e_not_split_by_gas(engine, make_bom):
    # national electricity footprint 2023: 100 x 0.6205 = 62.05 kg CO2e; 2024: 57.77
    result = engine.calculate(parse_bom(make_bom(factor_year=2023, electricity_basis="lifecycle")))
    assert result["total_kg_co2e"] == pytest.approx(62.05, rel=REL)
    assert set(result["by_gas"]) == {"CO2e_aggregated"}
    assert result["unspecified_kg_co2e"] == pytest.approx(62.05, rel=REL)
    assert total(engine, make_bom(factor_year=2024, electricity_basis="lifecycle")) == \
        pytest.approx(57.77, rel=REL)


def test_electricity_line_overrides_region_year_basis(engine, make_bom):
    # 100 kWh CN-SC 2022 (14.04) + 10 MWh CN-SD 2022 = 10000 x 0.6410 = 6410
    # + 50 kWh CN-SC 2021 = 50 x 0.1255 = 6.275 + 20 kWh market 2023 = 20 x 0.6096 = 12.192
    bom = make_bom(lines=[elec(), elec(10, "MWh", region="CN-SD"), elec(50, year=2021),
                          elec(20, year=2023, basis="market")])
    assert total(engine, bom) == pytest.approx(14.04 + 6410 + 6.275 + 12.192, rel=REL)


def test_tibet_falls_back_to_southwest_grid_and_says_so(engine, make_bom):
    # no published Tibet factor: Southwest grid 2022, 100 x 0.2268 = 22.68
    result = engine.calculate(parse_bom(make_bom(region="CN-XZ")))
    assert result["total_kg_co2e"] == pytest.approx(22.68, rel=REL)
    assert any("CN-XZ" in n and "CN-GRID-SOUTHWEST" in n for n in result["notes"])
    assert "CN-GRID-SOUTHWEST" in result["factors"][0]["note"]


@pytest.mark.parametrize("method, expected", [
    # 1 kg CH4 fossil, 1 kg CH4 non-fossil, 0.1 kg N2O, 10 kg CO2 fossil, 5 kg CO2 biogenic
    ("ar6", 29.8 + 27.0 + 0.1 * 273 + 10),  # = 94.1; biogenic CO2 counts 0
    ("ar5", 30 + 28 + 0.1 * 265 + 10),      # = 94.5
])
def test_gwp_methods_and_gases(engine, make_bom, method, expected):
    lines = [{"emission": "CH4_fossil", "amount": 1, "unit": "kg", "stage": "production"},
             {"emission": "CH4_non_fossil", "amount": 1000, "unit": "g", "stage": "production"},
             {"emission": "N2O", "amount": 0.1, "unit": "kg", "stage": "production"},
             {"emission": "CO2_fossil", "amount": 10, "unit": "kg", "stage": "production"},
             {"emission": "CO2_biogenic", "amount": 5, "unit": "kg", "stage": "production"}]
    result = engine.calculate(parse_bom(make_bom(lines=lines)), method=method)
    assert result["total_kg_co2e"] == pytest.approx(expected, rel=REL)
    assert result["method"]["id"] == method
    assert result["biogenic_co2_kg"] == pytest.approx(5, rel=REL)
    assert "CO2_biogenic" not in result["by_gas"]
    cf_ch4 = 29.8 if method == "ar6" else 30
    cf_bio = 27.0 if method == "ar6" else 28
    cf_n2o = 273 if method == "ar6" else 265
    assert result["by_gas"]["CH4_fossil"] == pytest.approx(cf_ch4, rel=REL)
    assert result["by_gas"]["N2O"] == pytest.approx(0.1 * cf_n2o, rel=REL)
    # fossil = CO2 fossil + CH4 fossil; biogenic = CH4 non-fossil; other = N2O
    assert result["fossil_kg_co2e"] == pytest.approx(10 + cf_ch4, rel=REL)
    assert result["biogenic_kg_co2e"] == pytest.approx(cf_bio, rel=REL)
    assert result["other_kg_co2e"] == pytest.approx(0.1 * cf_n2o, rel=REL)


@pytest.mark.parametrize("amount, unit, kwh", [
    (0.1, "MWh", 100), (100000, "Wh", 100), (0.36, "GJ", 100), (360, "MJ", 100),
    (0.0001, "GWh", 100)])
def test_energy_unit_conversion(engine, make_bom, amount, unit, kwh):
    # every row is 100 kWh (1 GJ = 277.78 kWh, 1 MJ = 1/3.6 kWh) x 0.1404 = 14.04
    assert total(engine, make_bom(lines=[elec(amount, unit)])) == pytest.approx(14.04, rel=REL)


def test_mass_and_transport_units(engine, make_bom):
    # diesel 2500 g = 2.5 kg x 3.1863 = 7.96575; 0.002 t = 2 kg x 3.1863 = 6.3726
    # road 3000 kgkm = 3 tkm x 0.116 = 0.348; rail 10 tkm x 0.049 = 0.49
    lines = [{"input": "diesel", "amount": 2500, "unit": "g", "stage": "production"},
             {"input": "diesel", "amount": 0.002, "unit": "t", "stage": "production"},
             {"input": "road_freight", "amount": 3000, "unit": "kgkm", "stage": "distribution"},
             {"input": "rail_freight", "amount": 10, "unit": "tkm", "stage": "raw_materials"}]
    result = engine.calculate(parse_bom(make_bom(lines=lines)))
    assert result["total_kg_co2e"] == pytest.approx(7.96575 + 6.3726 + 0.348 + 0.49, rel=REL)
    assert result["by_stage"] == pytest.approx(
        {"raw_materials": 0.49, "production": 7.96575 + 6.3726, "distribution": 0.348,
         "packaging": 0.0}, rel=REL)
    # rail is an indicative figure: the result says so
    assert any("rail_freight_cn" in n for n in result["notes"])


def test_by_input_shares_and_factor_citations(engine, make_bom):
    # 14.04 (electricity) + 3 x 3.1863 = 9.5589 (diesel) = 23.5989
    lines = [elec(), {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"}]
    result = engine.calculate(parse_bom(make_bom(lines=lines)))
    shares = {e["input"]: e["share"] for e in result["by_input"]}
    assert shares["electricity"] == pytest.approx(14.04 / 23.5989, rel=REL)
    assert shares["diesel"] == pytest.approx(9.5589 / 23.5989, rel=REL)
    cited = {f["process"]: f for f in result["factors"]}
    assert cited["electricity/location/CN-SC/2022"]["plugin"] == "electricity_cn"
    assert "2024 No. 33" in cited["electricity/location/CN-SC/2022"]["source"]["citation"]
    assert cited["diesel"]["plugin"] == "footprint.defaults"
    assert cited["diesel"]["source"]["dataset"] == "diesel_ipcc2006"


def test_boundary_cradle_to_gate_excludes_end_of_life(engine, make_bom):
    # production 14.04 counts; end of life 10 kg diesel = 31.863 is reported but outside
    lines = [elec(), {"input": "diesel", "amount": 10, "unit": "kg", "stage": "end_of_life"}]
    gate = engine.calculate(parse_bom(make_bom(lines=lines)))
    assert gate["total_kg_co2e"] == pytest.approx(14.04, rel=REL)
    assert gate["outside_boundary"]["end_of_life"] == pytest.approx(31.863, rel=REL)
    grave = engine.calculate(parse_bom(make_bom(lines=lines, system_boundary="cradle_to_grave")))
    assert grave["total_kg_co2e"] == pytest.approx(14.04 + 31.863, rel=REL)


def test_declared_unit_other_than_one(engine, make_bom):
    # the lines are for the declared unit as given: 1000 kg needing 100 kWh -> 14.04 per 1000 kg
    result = engine.calculate(parse_bom(make_bom(declared_unit={"amount": 1000, "unit": "kg"})))
    assert result["total_kg_co2e"] == pytest.approx(14.04, rel=REL)
    assert result["declared_unit"] == {"amount": 1000, "unit": "kg"}


def test_sub_assemblies_nested(engine, make_bom, write_bom):
    # cell: 2 kg declared, 100 kWh CN-SC 2022 -> 14.04 per 2 kg = 7.02 per kg
    # module: 1 piece = 3000 g of cell (3 kg x 7.02 = 21.06) + 1 kg diesel (3.1863) = 24.2463
    # pack (CN-SD 2022): 4 modules (4 x 24.2463 = 96.9852) + 10 kWh x 0.6410 = 6.41 -> 103.3952
    write_bom(make_bom(product={"name": "cell", "id": "cell-1"},
                       declared_unit={"amount": 2, "unit": "kg"}), "cell.json")
    write_bom(make_bom(product={"name": "module", "id": "module-1"},
                       declared_unit={"amount": 1, "unit": "piece"},
                       lines=[{"input": "product:cell.json", "amount": 3000, "unit": "g",
                               "stage": "raw_materials"},
                              {"input": "diesel", "amount": 1, "unit": "kg",
                               "stage": "production"}]), "module.json")
    pack = write_bom(make_bom(product={"name": "pack"}, region="CN-SD",
                              declared_unit={"amount": 1, "unit": "piece"},
                              lines=[{"input": "product:module-1", "amount": 4, "unit": "piece",
                                      "stage": "raw_materials"}, elec(10)]), "pack.json")
    result = engine.calculate(read_bom_file(pack))
    assert result["total_kg_co2e"] == pytest.approx(96.9852 + 6.41, rel=REL)
    assert result["by_stage"]["raw_materials"] == pytest.approx(96.9852, rel=REL)
    assert result["by_input"][0]["sub_assembly"] == "module-1"
    # the sub-assemblies' BOMs are part of what the reproducibility hash covers
    assert "lines[0]" in result["bom"]["sub_assemblies"]
    # and the factors they used are cited in the parent's result
    cited = {f["process"] for f in result["factors"]}
    assert cited == {"electricity/location/CN-SC/2022", "diesel", "electricity/location/CN-SD/2022"}


def test_sub_assembly_fallback_notes_reach_the_parent(engine, make_bom, write_bom):
    # Tibet part: 100 kWh on the Southwest grid 2022 = 22.68; parent takes 2 of them = 45.36
    write_bom(make_bom(product={"name": "part", "id": "xz-part"}, region="CN-XZ",
                       declared_unit={"amount": 1, "unit": "piece"}), "part.json")
    parent = write_bom(make_bom(lines=[{"input": "product:xz-part", "amount": 2,
                                        "unit": "piece", "stage": "raw_materials"}]), "p.json")
    result = engine.calculate(read_bom_file(parent))
    assert result["total_kg_co2e"] == pytest.approx(45.36, rel=REL)
    assert any("xz-part" in n and "CN-GRID-SOUTHWEST" in n for n in result["notes"])


def test_reproducibility_hash(engine, make_bom):
    bom = make_bom()
    first = engine.calculate(parse_bom(bom))
    reordered = json.loads(json.dumps(dict(reversed(list(bom.items())))))
    assert engine.calculate(parse_bom(reordered))["reproducibility_hash"] == \
        first["reproducibility_hash"]
    changed = make_bom(lines=[elec(101)])
    assert engine.calculate(parse_bom(changed))["reproducibility_hash"] != \
        first["reproducibility_hash"]
    assert engine.calculate(parse_bom(bom), method="ar5")["reproducibility_hash"] != \
        first["reproducibility_hash"]
    for key in ("data_version", "libraries", "method", "factors", "bom"):
        assert key in first
    assert first["libraries"]["bw2data"].startswith("4.")


def test_duplicate_inputs_add_up(engine, make_bom):
    # two 50 kWh lines = 100 kWh -> 14.04, same as one 100 kWh line
    assert total(engine, make_bom(lines=[elec(50), elec(50)])) == pytest.approx(14.04, rel=REL)
