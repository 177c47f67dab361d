"""The oranges (柑橘) category: orchard parameters -> lines, checked against hand calculation.

Every expected value below is written as the arithmetic on the published factors (Chen, Lu,
Wang 2015 in t CE x 44/12; IPCC 2019 Refinement Tables 11.1 and 11.3; Lal 2004; FEFCO 2021;
MEE 2022 grid factors; IPCC AR6 GWP100 N2O 273), never copied from the program's output.
Brightway stores factors as float32, hence rel=1e-6.

The engine here loads only the plugins this category needs (the grid factors and oranges), so
another category's work in progress cannot break these tests; tests/test_reference.py runs the
samples with every built-in plugin.
"""
from __future__ import annotations

import copy
import math
import json
import re

import pytest

from footprint import Catalog, DataError, InvalidInput
from footprint.bom import parse_bom, read_bom_file
from footprint.parameters import describe_parameters
from footprint.engine import Engine
from footprint.plugins import get_plugin_manager

from .conftest import SAMPLES, find_shared, require_shared

ORANGES = Catalog("lca_data", "oranges")  # the data the plugin reads and registers

N2O_AR6 = 273
N2O_AR5 = 265
C_TO_CO2 = 44 / 12
N_TO_N2O = 44 / 28
# MEE/NBS 2022 grid factors, kg CO2/kWh (announcement 2024 No. 33)
GRID_2022 = {"CN-SC": 0.1404, "CN-JX": 0.5752, "CN-CQ": 0.5227}
REFERENCE = find_shared("reference", "FACTORS.md")
ORANGE_SAMPLES = sorted(SAMPLES.glob("oranges_*.json"))


@pytest.fixture(scope="module")
def engine(footprint_home):
    pm = get_plugin_manager(load={"electricity_cn", "electricity_intl", "oranges"})
    return Engine(home=footprint_home, plugin_manager=pm)


def orange_bom(region="CN-SC", lines=None, **parameters):
    params = {"yield_kg_per_ha": 30000}
    params.update(parameters)
    return {"product": {"name": "test oranges", "category": "oranges"},
            "declared_unit": {"amount": 1, "unit": "kg"},
            "region": region, "factor_year": 2022, "parameters": params,
            "lines": lines or []}


def calc(engine, bom, method=None):
    return engine.calculate(parse_bom(bom), method)


def by_factor(result) -> dict[str, dict]:
    """Modelled lines of a result keyed by their factor (process id)."""
    out = {}
    for entry in result["by_input"]:
        if entry.get("model"):
            assert entry["factor"] not in out, entry["factor"]
            out[entry["factor"]] = entry
    return out


def problems(engine, bom) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        engine.resolve(parse_bom(bom))
    return {p.where: p.message for p in caught.value.problems}


# -- each formula on its own ------------------------------------------------------------------

def test_urea_manufacture_field_n2o_and_urea_co2(engine):
    result = calc(engine, orange_bom(fertilisers=[{"product": "urea", "kg_per_ha": 300}]))
    lines = by_factor(result)
    # 300 kg urea/ha x 0.46 kg N/kg = 138 kg N/ha; / 30000 kg fruit/ha = 0.0046 kg N per kg fruit
    n = 300 * 0.46 / 30000
    assert n == pytest.approx(0.0046)
    # manufacture: 0.0046 kg N x 2.041 t CE/t N x 44/12 = 0.0046 x 7.48367 = 0.0344249 kg CO2e
    manufacture = 0.0046 * 2.041 * C_TO_CO2
    # direct (wet climate, the default): 0.0046 x EF1 0.016 x 44/28 = 1.156571e-4 kg N2O
    # x 273 = 0.0315744 kg CO2e
    direct = 0.0046 * 0.016 * N_TO_N2O * N2O_AR6
    # volatilisation: 0.0046 x FracGASF 0.11 x EF4 (wet, default) 0.014 x 44/28 x 273 = 0.0030390
    volatilised = 0.0046 * 0.11 * 0.014 * N_TO_N2O * N2O_AR6
    # leaching: 0.0046 x FracLEACH 0.24 x EF5 0.011 x 44/28 x 273 = 0.0052098
    leached = 0.0046 * 0.24 * 0.011 * N_TO_N2O * N2O_AR6
    # urea CO2: 300 / 30000 = 0.01 kg urea x 0.20 t C/t x 44/12 = 0.0073333 kg CO2
    urea_co2 = 0.01 * 0.20 * C_TO_CO2
    expected = {
        "oranges/fertiliser/urea_n": (n, manufacture, "raw_materials"),
        "oranges/field_n2o/direct_synthetic/wet_climate": (n, direct, "production"),
        "oranges/field_n2o/volatilisation_synthetic/wet_climate": (n, volatilised, "production"),
        "oranges/field_n2o/leaching": (n, leached, "production"),
        "oranges/urea_co2": (0.01, urea_co2, "production"),
    }
    assert set(lines) == set(expected)
    for factor, (amount, co2e, stage) in expected.items():
        assert lines[factor]["amount"] == pytest.approx(amount, rel=1e-9), factor
        assert lines[factor]["kg_co2e"] == pytest.approx(co2e, rel=1e-6), factor
        assert lines[factor]["stage"] == stage
    assert result["total_kg_co2e"] == pytest.approx(
        manufacture + direct + volatilised + leached + urea_co2, rel=1e-6)
    # N2O mass: 0.0046 x (0.016 + 0.11 x 0.014 + 0.24 x 0.011) x 44/28 = 1.45815e-4 kg
    assert result["by_gas_mass_kg"]["N2O"] == pytest.approx(
        0.0046 * (0.016 + 0.11 * 0.014 + 0.24 * 0.011) * N_TO_N2O, rel=1e-6)
    assert "300 kg urea/ha" in lines["oranges/urea_co2"]["note"]


def test_compound_fertiliser_uses_the_composite_rows_and_kcl(engine):
    result = calc(engine, orange_bom(yield_kg_per_ha=25000, fertilisers=[
        {"product": "compound", "kg_per_ha": 1000, "n_pct": 15, "p2o5_pct": 15, "k2o_pct": 15}]))
    lines = by_factor(result)
    # 1000 kg x 15 % = 150 kg of each nutrient /ha; / 25000 kg fruit/ha = 0.006 kg per kg fruit
    # N: 0.006 x 2.116 (N-fertiliser composite) x 44/12 = 0.0465520
    assert lines["oranges/fertiliser/n_fertiliser_composite"]["kg_co2e"] == pytest.approx(
        0.006 * 2.116 * C_TO_CO2, rel=1e-6)
    # P2O5: 0.006 x 0.636 (P-fertiliser composite) x 44/12 = 0.0139920
    assert lines["oranges/fertiliser/p_fertiliser_composite"]["kg_co2e"] == pytest.approx(
        0.006 * 0.636 * C_TO_CO2, rel=1e-6)
    # K2O: 0.006 x 0.168 (KCl) x 44/12 = 0.0036960
    assert lines["oranges/fertiliser/kcl_k2o"]["kg_co2e"] == pytest.approx(
        0.006 * 0.168 * C_TO_CO2, rel=1e-6)
    assert lines["oranges/field_n2o/direct_synthetic/wet_climate"]["amount"] == pytest.approx(0.006)
    assert "oranges/urea_co2" not in lines  # no urea in a compound fertiliser's stated grade


def test_dap_nitrogen_counts_in_the_field_not_in_manufacture(engine):
    result = calc(engine, orange_bom(yield_kg_per_ha=20000,
                                     fertilisers=[{"product": "dap", "kg_per_ha": 200}]))
    lines = by_factor(result)
    # DAP 18-46-0: 200 x 0.46 = 92 kg P2O5/ha / 20000 = 0.0046 x 1.109 x 44/12 = 0.0187049
    assert lines["oranges/fertiliser/dap_p2o5"]["kg_co2e"] == pytest.approx(
        0.0046 * 1.109 * C_TO_CO2, rel=1e-6)
    # 200 x 0.18 = 36 kg N/ha / 20000 = 0.0018 kg N to the soil; Chen's DAP row is per P2O5
    # of the whole product, so no separate N manufacture line
    assert lines["oranges/field_n2o/direct_synthetic/wet_climate"]["amount"] == pytest.approx(0.0018)
    assert not [f for f in lines if f.startswith("oranges/fertiliser/") and f.endswith("_n")]
    assert "oranges/fertiliser/n_fertiliser_composite" not in lines


def test_map_k2so4_and_a_stated_content(engine):
    result = calc(engine, orange_bom(yield_kg_per_ha=20000, fertilisers=[
        {"product": "map", "kg_per_ha": 100},
        {"product": "k2so4", "kg_per_ha": 100},
        {"product": "urea", "kg_per_ha": 100, "n_pct": 45}]))
    lines = by_factor(result)
    # MAP 11-52-0: 100 x 0.52 = 52 kg P2O5 / 20000 = 0.0026 x 0.740 x 44/12
    assert lines["oranges/fertiliser/map_p2o5"]["kg_co2e"] == pytest.approx(
        0.0026 * 0.740 * C_TO_CO2, rel=1e-6)
    # K2SO4 50 % K2O: 100 x 0.50 = 50 kg / 20000 = 0.0025 x 0.409 x 44/12
    assert lines["oranges/fertiliser/k2so4_k2o"]["kg_co2e"] == pytest.approx(
        0.0025 * 0.409 * C_TO_CO2, rel=1e-6)
    # urea as stated, 45 % N: 100 x 0.45 = 45 kg N / 20000 = 0.00225 x 2.041 x 44/12
    assert lines["oranges/fertiliser/urea_n"]["kg_co2e"] == pytest.approx(
        0.00225 * 2.041 * C_TO_CO2, rel=1e-6)
    # soil N: MAP 100 x 0.11 = 11 + urea 45 = 56 kg N/ha / 20000 = 0.0028 kg N
    assert lines["oranges/field_n2o/direct_synthetic/wet_climate"]["amount"] == pytest.approx(0.0028)


def test_manure_nitrogen_uses_the_organic_factors(engine):
    result = calc(engine, orange_bom(manure_n_kg_per_ha=90))
    lines = by_factor(result)
    # 90 kg N/ha / 30000 = 0.003 kg organic N per kg fruit; no manufacture for manure
    # direct (wet climate, organic N) 0.003 x 0.006 x 44/28 x 273; volatilisation 0.003 x
    # FracGASM 0.21 x 0.014 x 44/28 x 273; leaching 0.003 x 0.24 x 0.011 x 44/28 x 273
    direct = 0.003 * 0.006 * N_TO_N2O * N2O_AR6
    volatilised = 0.003 * 0.21 * 0.014 * N_TO_N2O * N2O_AR6
    leached = 0.003 * 0.24 * 0.011 * N_TO_N2O * N2O_AR6
    assert lines["oranges/field_n2o/direct_organic/wet_climate"]["kg_co2e"] == pytest.approx(
        direct, rel=1e-6)
    assert lines["oranges/field_n2o/volatilisation_organic/wet_climate"]["kg_co2e"] == \
        pytest.approx(volatilised, rel=1e-6)
    assert lines["oranges/field_n2o/leaching"]["kg_co2e"] == pytest.approx(leached, rel=1e-6)
    assert result["total_kg_co2e"] == pytest.approx(direct + volatilised + leached, rel=1e-6)


# -- the method switches change the result exactly as the formulas say -----------------------

MIXED = {"fertilisers": [{"product": "urea", "kg_per_ha": 300}], "manure_n_kg_per_ha": 90}


def test_one_climate_sets_ef1_and_ef4(engine):
    wet = calc(engine, orange_bom(**MIXED))  # the default climate
    aggregated = calc(engine, orange_bom(climate="aggregated", **MIXED))
    # wet: EF1 0.016 (synthetic) and 0.006 (organic), EF4 0.014; aggregated: 0.010 for all
    # direct: 0.0046 kg N x (0.010 - 0.016) + 0.003 kg N x (0.010 - 0.006) = -1.56e-5
    # volatilised: (0.0046 x 0.11 + 0.003 x 0.21) = 0.001136 kg N x (0.010 - 0.014) = -4.544e-6
    # x 44/28 x 273: (-1.56e-5 - 4.544e-6) x 429 = -0.0086418 kg CO2e
    delta = ((0.0046 * (0.010 - 0.016) + 0.003 * (0.010 - 0.006))
             + (0.0046 * 0.11 + 0.003 * 0.21) * (0.010 - 0.014)) * N_TO_N2O * N2O_AR6
    assert aggregated["total_kg_co2e"] - wet["total_kg_co2e"] == pytest.approx(delta, rel=1e-5)
    lines = by_factor(wet)
    assert lines["oranges/field_n2o/direct_synthetic/wet_climate"]["kg_co2e"] == pytest.approx(
        0.0046 * 0.016 * N_TO_N2O * N2O_AR6, rel=1e-6)
    assert lines["oranges/field_n2o/direct_organic/wet_climate"]["kg_co2e"] == pytest.approx(
        0.003 * 0.006 * N_TO_N2O * N2O_AR6, rel=1e-6)
    assert "oranges/field_n2o/volatilisation_synthetic/wet_climate" in lines
    assert {"oranges/field_n2o/direct_synthetic/aggregated",
            "oranges/field_n2o/volatilisation_synthetic/aggregated"} <= set(by_factor(aggregated))
    assert wet["extensions"]["oranges"]["climate"] == "wet"
    assert "climate_note" not in wet["extensions"]["oranges"]


def test_ef1_set_by_hand_is_said_to_pair_another_climate(engine):
    # EF1 aggregated by hand beside the wet climate's EF4: the pairing the climate replaces
    mixed = calc(engine, orange_bom(ef1="aggregated", **MIXED))
    assert "oranges/field_n2o/direct_synthetic/aggregated" in by_factor(mixed)
    assert "oranges/field_n2o/volatilisation_synthetic/wet_climate" in by_factor(mixed)
    assert "different climates" in mixed["extensions"]["oranges"]["climate_note"]


@pytest.mark.parametrize("ef4, value", [("aggregated", 0.010), ("dry_climate", 0.005)])
def test_ef4_switch(engine, ef4, value):
    wet = calc(engine, orange_bom(**MIXED))["total_kg_co2e"]
    other = calc(engine, orange_bom(ef4=ef4, **MIXED))
    # volatilised N: 0.0046 x 0.11 + 0.003 x 0.21 = 0.001136 kg N; x (EF4 - 0.014) x 44/28 x 273
    delta = (0.0046 * 0.11 + 0.003 * 0.21) * (value - 0.014) * N_TO_N2O * N2O_AR6
    assert other["total_kg_co2e"] - wet == pytest.approx(delta, rel=1e-5)
    assert f"oranges/field_n2o/volatilisation_synthetic/{ef4}" in by_factor(other)


def test_gwp_method_switch_scales_only_n2o(engine):
    bom = orange_bom(**MIXED)
    ar6 = calc(engine, bom)
    ar5 = calc(engine, bom, "ar5")
    # N2O mass (wet climate): 0.0046 x (0.016 + 0.11 x 0.014 + 0.24 x 0.011) + 0.003 x
    # (0.006 + 0.21 x 0.014 + 0.24 x 0.011), x 44/28; AR5 counts it at 265 instead of 273
    n2o = (0.0046 * (0.016 + 0.11 * 0.014 + 0.24 * 0.011)
           + 0.003 * (0.006 + 0.21 * 0.014 + 0.24 * 0.011)) * N_TO_N2O
    assert ar6["total_kg_co2e"] - ar5["total_kg_co2e"] == pytest.approx(
        n2o * (N2O_AR6 - N2O_AR5), rel=1e-5)


def test_pesticides_diesel_and_irrigation_electricity_by_region(engine):
    params = dict(herbicide_kg_ai_per_ha=1.5, insecticide_kg_ai_per_ha=3,
                  fungicide_kg_ai_per_ha=4, diesel_kg_per_ha=60, irrigation_kwh_per_ha=900)
    sichuan = calc(engine, orange_bom(**params))
    lines = by_factor(sichuan)
    # per kg fruit: 1.5/30000 = 5e-5 kg herbicide a.i. x 6.3 kg CE/kg x 44/12 = 0.001155
    assert lines["oranges/pesticide/herbicide"]["kg_co2e"] == pytest.approx(
        5e-5 * 6.3 * C_TO_CO2, rel=1e-6)
    # 3/30000 = 1e-4 kg insecticide x 5.1 x 44/12 = 0.00187
    assert lines["oranges/pesticide/insecticide"]["kg_co2e"] == pytest.approx(
        1e-4 * 5.1 * C_TO_CO2, rel=1e-6)
    # 4/30000 = 1.3333e-4 kg fungicide x 3.9 x 44/12 = 0.0019067
    assert lines["oranges/pesticide/fungicide"]["kg_co2e"] == pytest.approx(
        4 / 30000 * 3.9 * C_TO_CO2, rel=1e-6)
    # 60/30000 = 0.002 kg diesel x 3.1863 = 0.0063726
    assert lines["diesel"]["kg_co2e"] == pytest.approx(0.002 * 3.1863, rel=1e-6)
    # 900/30000 = 0.03 kWh x 0.1404 (Sichuan 2022) = 0.004212
    assert lines["electricity/location/CN-SC/2022"]["kg_co2e"] == pytest.approx(
        0.03 * 0.1404, rel=1e-6)
    assert all(lines[f]["stage"] == "raw_materials" for f in lines if "pesticide" in f)
    for region in ("CN-JX", "CN-CQ"):
        other = calc(engine, orange_bom(region=region, **params))
        # only the irrigation line moves: 0.03 kWh x (grid factor - 0.1404)
        assert other["total_kg_co2e"] - sichuan["total_kg_co2e"] == pytest.approx(
            0.03 * (GRID_2022[region] - GRID_2022["CN-SC"]), rel=1e-5)
        assert f"electricity/location/{region}/2022" in by_factor(other)


def test_packhouse_gate_adds_board_and_transport(engine):
    farm = calc(engine, orange_bom(manure_n_kg_per_ha=90))
    packed = calc(engine, orange_bom(manure_n_kg_per_ha=90, gate="packhouse_gate",
                                     corrugated_board_kg_per_kg=0.06, packhouse_distance_km=25))
    lines = by_factor(packed)
    # board: 0.06 kg per kg x 491 kg CO2e/t / 1000 = 0.02946
    board = 0.06 * 491 / 1000
    # transport: 1 kg = 0.001 t x 25 km = 0.025 tkm x 0.116 kg CO2/tkm = 0.0029
    transport = 0.001 * 25 * 0.116
    assert lines["oranges/corrugated_board"]["kg_co2e"] == pytest.approx(board, rel=1e-6)
    assert lines["oranges/corrugated_board"]["stage"] == "packaging"
    assert lines["road_freight"]["amount"] == pytest.approx(0.025)
    assert lines["road_freight"]["stage"] == "distribution"
    assert packed["by_stage"]["packaging"] == pytest.approx(board, rel=1e-6)
    assert packed["by_stage"]["distribution"] == pytest.approx(transport, rel=1e-6)
    assert packed["total_kg_co2e"] - farm["total_kg_co2e"] == pytest.approx(
        board + transport, rel=1e-5)
    assert farm["by_stage"]["packaging"] == 0


# -- held-out BOMs end to end -----------------------------------------------------------------

def test_held_out_chongqing_orchard_end_to_end(engine):
    """A Chongqing orchard (not a sample), every input at once, plus a producer's own line."""
    bom = orange_bom(
        region="CN-CQ", yield_kg_per_ha=40000, ef1="wet_climate", ef4="aggregated",
        fertilisers=[{"product": "compound", "kg_per_ha": 800, "n_pct": 20, "p2o5_pct": 10,
                      "k2o_pct": 10},
                     {"product": "urea", "kg_per_ha": 200},
                     {"product": "ssp", "kg_per_ha": 500, "p2o5_pct": 12},
                     {"product": "ammonium_bicarbonate", "kg_per_ha": 400, "n_pct": 17}],
        manure_n_kg_per_ha=200, herbicide_kg_ai_per_ha=2, fungicide_kg_ai_per_ha=6,
        diesel_kg_per_ha=100, irrigation_kwh_per_ha=2000, gate="packhouse_gate",
        corrugated_board_kg_per_kg=0.05, packhouse_distance_km=40,
        lines=[{"input": "electricity", "amount": 0.02, "unit": "kWh", "stage": "production",
                "note": "cold store"}])
    result = calc(engine, bom)
    y = 40000
    # manufacture, per kg fruit (x 44/12 throughout):
    #   compound N 800 x 0.20 = 160 kg x 2.116; P2O5 80 kg x 0.636; K2O 80 kg x 0.168
    #   urea 200 x 0.46 = 92 kg N x 2.041; SSP 500 x 0.12 = 60 kg P2O5 x 0.195
    #   ammonium bicarbonate 400 x 0.17 = 68 kg N x 1.928
    manufacture = (160 * 2.116 + 80 * 0.636 + 80 * 0.168 + 92 * 2.041 + 60 * 0.195
                   + 68 * 1.928) / y * C_TO_CO2
    # synthetic N 160 + 92 + 68 = 320 kg/ha; organic 200 kg/ha
    # direct (wet): 320 x 0.016 + 200 x 0.006 = 6.32 kg N2O-N/ha
    # volatilisation (EF4 aggregated 0.010): (320 x 0.11 + 200 x 0.21) x 0.010 = 0.772
    # leaching: 520 x 0.24 x 0.011 = 1.3728
    n2o = (320 * 0.016 + 200 * 0.006 + (320 * 0.11 + 200 * 0.21) * 0.010
           + 520 * 0.24 * 0.011) / y * N_TO_N2O
    urea_co2 = 200 / y * 0.20 * C_TO_CO2
    pesticides = (2 * 6.3 + 6 * 3.9) / y * C_TO_CO2
    diesel = 100 / y * 3.1863
    electricity = (2000 / y + 0.02) * GRID_2022["CN-CQ"]  # irrigation 0.05 kWh + cold store
    board = 0.05 * 0.491
    transport = 0.001 * 40 * 0.116
    expected = (manufacture + n2o * N2O_AR6 + urea_co2 + pesticides + diesel + electricity
                + board + transport)
    assert result["total_kg_co2e"] == pytest.approx(expected, rel=1e-6)
    assert result["by_gas_mass_kg"]["N2O"] == pytest.approx(n2o, rel=1e-6)
    assert result["by_stage"]["raw_materials"] == pytest.approx(manufacture + pesticides, rel=1e-6)
    own = [e for e in result["by_input"] if not e.get("model")]
    assert len(own) == 1 and own[0]["kg_co2e"] == pytest.approx(0.02 * 0.5227, rel=1e-6)
    assert result["grade"]["provisional"] is True
    assert result["grade"]["grade"] == _band(expected)


def _band(value: float) -> str:
    """The provisional bands, as documented: A <= 0.12 < B <= 0.22 < C <= 0.39 < D <= 0.70 < E."""
    for grade, up_to in (("A", 0.12), ("B", 0.22), ("C", 0.39), ("D", 0.70)):
        if value <= up_to:
            return grade
    return "E"


def test_pujiang_sample_by_hand(engine):
    result = engine.calculate(read_bom_file(SAMPLES / "oranges_pujiang_farm_gate.json"))
    y = 30000
    # compound 15-15-15 1200 kg: 180 kg N (x 2.116), 180 kg P2O5 (x 0.636), 180 kg K2O (x 0.168)
    # urea 250 kg: 115 kg N (x 2.041); KCl 150 kg: 90 kg K2O (x 0.168)
    fertiliser = (180 * 2.116 + 180 * 0.636 + 180 * 0.168 + 115 * 2.041 + 90 * 0.168) / y * C_TO_CO2
    # synthetic N 295, organic 120 kg/ha; wet climate (the default): EF1 0.016 synthetic and
    # 0.006 organic, EF4 0.014; leaching 415 x 0.24 x 0.011
    # = (4.72 + 0.72 + 57.65 x 0.014 + 1.0956) / 30000 x 44/28 = 7.3427 / 30000 x 44/28
    n2o = (295 * 0.016 + 120 * 0.006 + (295 * 0.11 + 120 * 0.21) * 0.014
           + 415 * 0.24 * 0.011) / y * N_TO_N2O
    field = n2o * N2O_AR6
    urea_co2 = 250 / y * 0.20 * C_TO_CO2
    pesticides = (1.5 * 6.3 + 3 * 5.1 + 4 * 3.9) / y * C_TO_CO2
    rest = urea_co2 + pesticides + 60 / y * 3.1863 + 600 / y * GRID_2022["CN-SC"]
    assert result["total_kg_co2e"] == pytest.approx(fertiliser + field + rest, rel=1e-6)
    # = 0.09479 + 0.10500 + 0.02020 = 0.2200 kg CO2e/kg (field N2O 7.3427 / 30000 x 429 =
    # 0.104999): inside the published 0.07-0.7 and FACTORS.md's plausible Pujiang 0.1-0.5;
    # just under the B/C boundary 0.22, so still B
    assert 0.1 <= result["total_kg_co2e"] <= 0.5
    extension = result["extensions"]["oranges"]
    assert extension["breakdown_kg_co2e"]["fertiliser_manufacture"] == pytest.approx(
        fertiliser, rel=1e-6)
    assert extension["breakdown_kg_co2e"]["field_n2o"] == pytest.approx(field, rel=1e-6)
    assert result["grade"]["grade"] == "B"


# -- samples against the literature ------------------------------------------------------------

def literature_range() -> tuple[float, float]:
    """0.07-0.7 kg CO2e/kg from FACTORS.md section 7 (Yan et al. 2016), else the data file."""
    if REFERENCE is not None:
        section = REFERENCE.read_text(encoding="utf-8").split("\n## 7.", 1)[1].split("\n## ", 1)[0]
        low, high = re.search(r"\): (\d\.\d+)-(\d\.\d+) per kg", section).groups()
        return float(low), float(high)
    data = ORANGES.dataset("oranges_grading_provisional").json()["literature_range"]
    return data["low"], data["high"]


def test_literature_range_is_the_published_one():
    assert literature_range() == (0.07, 0.7)
    data = ORANGES.dataset("oranges_grading_provisional").json()["literature_range"]
    assert (data["low"], data["high"]) == literature_range()


def test_there_are_three_samples_in_two_regions():
    boms = [json.loads(p.read_text(encoding="utf-8")) for p in ORANGE_SAMPLES]
    assert len(boms) >= 3
    assert len({b["region"] for b in boms}) >= 2
    assert all(b["product"]["category"] == "oranges" and b["parameters"] for b in boms)
    assert any(b.get("lines") for b in boms)  # a producer's own line beside the parameters


@pytest.mark.parametrize("sample", [p.name for p in ORANGE_SAMPLES])
def test_samples_in_range_with_fertiliser_and_field_n2o_as_hotspots(engine, sample):
    result = engine.calculate(read_bom_file(SAMPLES / sample))
    low, high = literature_range()
    assert low <= result["total_kg_co2e"] <= high
    extension = result["extensions"]["oranges"]
    assert extension["within_literature_range"] is True
    ranked = list(extension["breakdown_kg_co2e"])
    assert set(ranked[:2]) == {"fertiliser_manufacture", "field_n2o"}
    breakdown = extension["breakdown_kg_co2e"]
    # Yan et al. 2016: synthetic N alone > 50 % of the total; here manufacture + field N2O
    assert (breakdown["fertiliser_manufacture"] + breakdown["field_n2o"]) / \
        result["total_kg_co2e"] > 0.5
    assert result["grade"]["grade"] == _band(result["total_kg_co2e"])


# -- grading and label fields -----------------------------------------------------------------

def test_grade_bands_are_provisional_and_from_the_literature(engine):
    grading = engine.registry.categories["oranges"].grading
    assert [(b.grade, b.up_to) for b in grading.bands] == [
        ("A", 0.12), ("B", 0.22), ("C", 0.39), ("D", 0.70), ("E", None)]
    # the bounds are 0.07 x 10^(k/4), k = 1..4, rounded to two decimals
    assert [round(0.07 * 10 ** (k / 4), 2) for k in (1, 2, 3, 4)] == [0.12, 0.22, 0.39, 0.70]
    assert grading.provisional is True
    assert "0.07 to 0.7" in grading.rationale and "0.07–0.7" in grading.rationale_zh
    assert grading.unit == "kg CO2e/kg fruit"
    assert grading.source.dataset == "oranges_grading_provisional"


def test_heavy_orchard_is_graded_e_and_outside_the_range(engine):
    # 2000 kg urea on 15000 kg fruit: 920 kg N/ha / 15000 = 0.061333 kg N per kg fruit
    # manufacture 0.061333 x 2.041 x 44/12 = 0.45900; field N2O (wet climate) 0.061333 x
    # (0.016 + 0.11 x 0.014 + 0.24 x 0.011) x 44/28 x 273 = 0.061333 x 0.02018 x 429 = 0.53098;
    # urea CO2 2000/15000 x 0.20 x 44/12 = 0.09778
    result = calc(engine, orange_bom(yield_kg_per_ha=15000,
                                     fertilisers=[{"product": "urea", "kg_per_ha": 2000}]))
    n = 920 / 15000
    expected = (n * 2.041 * C_TO_CO2 + n * (0.016 + 0.11 * 0.014 + 0.24 * 0.011) * N_TO_N2O
                * N2O_AR6 + 2000 / 15000 * 0.20 * C_TO_CO2)
    assert result["total_kg_co2e"] == pytest.approx(expected, rel=1e-6)
    assert expected > 0.7
    assert result["grade"]["grade"] == "E"
    assert result["extensions"]["oranges"]["within_literature_range"] is False


def test_label_extensions(engine):
    bom = orange_bom(region="CN-JX", manure_n_kg_per_ha=90,
                     fertilisers=[{"product": "urea", "kg_per_ha": 300}],
                     irrigation_kwh_per_ha=900, ef1="wet_climate")
    result = calc(engine, bom)
    extension = result["extensions"]["oranges"]
    total = result["total_kg_co2e"]
    assert extension["kg_co2e_per_kg_fruit"] == total
    assert extension["kg_co2e_per_ha"] == pytest.approx(total * 30000, rel=1e-12)
    # 300 x 0.46 = 138 kg synthetic N; manure 90 kg organic N
    assert extension["synthetic_n_kg_per_ha"] == pytest.approx(138)
    assert extension["organic_n_kg_per_ha"] == 90
    assert extension["gate"] == "farm_gate"
    assert "EF1 wet_climate (synthetic 0.016, organic 0.006)" in extension["field_model"]
    assert "EF4 wet_climate 0.014" in extension["field_model"]
    # irrigation: 900/30000 = 0.03 kWh x 0.5752 (Jiangxi 2022) = 0.017256
    assert extension["breakdown_kg_co2e"]["electricity"] == pytest.approx(0.03 * 0.5752, rel=1e-6)
    assert sum(extension["breakdown_kg_co2e"].values()) == pytest.approx(total, rel=1e-9)
    first = max(extension["breakdown_kg_co2e"], key=extension["breakdown_kg_co2e"].get)
    assert extension["hotspots"].startswith(first + " ")
    assert extension["literature_range_kg_co2e_per_kg"] == [0.07, 0.7]
    assert "Yan" in extension["literature_source"]
    # the label fields are covered by the reproducibility hash
    other = calc(engine, orange_bom(region="CN-JX", manure_n_kg_per_ha=90,
                                    fertilisers=[{"product": "urea", "kg_per_ha": 300}],
                                    irrigation_kwh_per_ha=900))
    assert other["reproducibility_hash"] != result["reproducibility_hash"]


def test_lines_only_bom_of_the_category_gets_a_grade_and_breakdown(engine):
    bom = {"product": {"name": "oranges described by lines", "category": "oranges"},
           "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC", "factor_year": 2022,
           "lines": [{"input": "oranges/fertiliser/urea_n", "amount": 0.01, "unit": "kg",
                      "stage": "raw_materials"}]}
    result = calc(engine, bom)
    # 0.01 kg N x 2.041 x 44/12 = 0.0748367
    assert result["total_kg_co2e"] == pytest.approx(0.01 * 2.041 * C_TO_CO2, rel=1e-6)
    assert result["grade"]["grade"] == "A"
    extension = result["extensions"]["oranges"]
    assert list(extension["breakdown_kg_co2e"]) == ["fertiliser_manufacture"]
    assert "yield_kg_per_ha" not in extension


# -- parameter validation ---------------------------------------------------------------------

def test_bad_numbers_name_the_field_with_help(engine):
    found = problems(engine, orange_bom(yield_kg_per_ha=-5, diesel_kg_per_ha="60",
                                        ef1="wet", yeild_kg_per_ha=3))
    assert "marketable fruit harvested per hectare" in found["parameters.yield_kg_per_ha"]
    assert "must be > 0" in found["parameters.yield_kg_per_ha"]
    assert "must be a JSON number" in found["parameters.diesel_kg_per_ha"]
    assert "diesel burned" in found["parameters.diesel_kg_per_ha"]
    assert "must be one of aggregated, wet_climate" in found["parameters.ef1"]
    assert 'did you mean "yield_kg_per_ha"' in found["parameters.yeild_kg_per_ha"]


def test_missing_yield_is_required_with_help(engine):
    bom = orange_bom()
    del bom["parameters"]["yield_kg_per_ha"]
    bom["parameters"]["manure_n_kg_per_ha"] = 10
    found = problems(engine, bom)
    assert found["parameters.yield_kg_per_ha"].startswith("required: marketable fruit")


def test_fertiliser_entries_are_checked(engine):
    found = problems(engine, orange_bom(fertilisers=[
        {"product": "ureaa", "kg_per_ha": 3},
        {"product": "compound", "kg_per_ha": 100},
        {"product": "urea", "kg_per_ha": 100, "p2o5_pct": 10},
        {"product": "compound", "kg_per_ha": 100, "n_pct": 60, "p2o5_pct": 30, "k2o_pct": 20},
        {"product": "kcl", "kg_per_ha": -1, "colour": "red"}]))
    assert "urea, ammonium_bicarbonate, compound" in found["parameters.fertilisers[0].product"]
    for key in ("n_pct", "p2o5_pct", "k2o_pct"):
        assert "required for Compound fertiliser" in found[f"parameters.fertilisers[1].{key}"]
    assert "carries no P2O5" in found["parameters.fertilisers[2].p2o5_pct"]
    assert "exceeds 100 %" in found["parameters.fertilisers[3].n_pct"]
    assert "as bought" in found["parameters.fertilisers[4].kg_per_ha"]
    assert "unknown" in found["parameters.fertilisers[4].colour"]


def test_packing_parameters_fit_the_gate(engine):
    found = problems(engine, orange_bom(gate="packhouse_gate"))
    assert "required when gate is packhouse_gate" in found["parameters.corrugated_board_kg_per_kg"]
    assert "required when gate is packhouse_gate" in found["parameters.packhouse_distance_km"]
    found = problems(engine, orange_bom(packhouse_distance_km=20))
    assert "only for gate packhouse_gate" in found["parameters.packhouse_distance_km"]


def test_declared_unit_is_one_kg(engine):
    bom = orange_bom(manure_n_kg_per_ha=10)
    bom["declared_unit"] = {"amount": 1, "unit": "t"}
    assert "declared_unit.unit" in problems(engine, bom)
    bom["declared_unit"] = {"amount": 2, "unit": "kg"}
    assert "per 1 kg of fruit" in problems(engine, bom)["declared_unit.amount"]


def test_every_parameter_is_described_for_forms(engine):
    described = describe_parameters(engine.registry.categories["oranges"])
    names = {p["name"]: p for p in described}
    assert names["yield_kg_per_ha"]["unit"] == "kg/ha" and names["yield_kg_per_ha"]["required"]
    # one climate sets EF1 and EF4; either may still be set by hand (no default: the climate's)
    assert names["climate"]["default"] == "wet"
    assert names["climate"]["choices"] == ["wet", "aggregated"]
    assert [o["label_zh"] for o in names["climate"]["options"]][0].startswith("湿润气候")
    assert "default" not in names["ef4"] and "default" not in names["ef1"]
    assert names["ef1"]["choices"] == ["aggregated", "wet_climate"]
    nested = {p["name"]: p for p in names["fertilisers"]["fields"]}
    assert "compound" in nested["product"]["choices"]
    for entry in described + names["fertilisers"]["fields"]:
        assert entry["help_zh"] and entry["help_en"], entry["name"]
        assert "unit" in entry, entry["name"]


# -- the data behind it ------------------------------------------------------------------------

def _factors_section(number: int) -> str:
    text = require_shared("reference", "FACTORS.md").read_text(encoding="utf-8")
    return text.split(f"\n## {number}.", 1)[1].split("\n## ", 1)[0]


def test_chen_factors_equal_the_reference_and_reach_the_registry(engine):
    section = _factors_section(5)
    reference = {name: float(ce) for name, ce in
                 re.findall(r"^\| ([A-Za-z0-9 ]+?) \| t [A-Z0-9]+ \| (\d\.\d+) \|", section, re.M)}
    keys = {"urea": "urea_n", "ammonium bicarbonate": "ammonium_bicarbonate_n",
            "compound N": "n_fertiliser_composite", "DAP": "dap_p2o5", "MAP": "map_p2o5",
            "single superphosphate": "ssp_p2o5", "compound P": "p_fertiliser_composite",
            "KCl": "kcl_k2o", "K2SO4": "k2so4_k2o"}
    assert set(reference) == set(keys)
    shipped = {r["key"]: float(r["t_ce_per_t_nutrient"])
               for r in ORANGES.dataset("oranges_fertiliser_chen2015").rows()}
    assert {keys[name]: value for name, value in reference.items()} == shipped
    for key, ce in shipped.items():
        process = engine.registry.processes[f"oranges/fertiliser/{key}"]
        assert process.emissions == (("CO2e_aggregated", pytest.approx(ce * 44 / 12)),)
        assert process.source.dataset == "oranges_fertiliser_chen2015"


def test_ipcc_parameters_equal_the_reference():
    section = _factors_section(5)
    shipped = {r["parameter"]: float(r["value"])
               for r in ORANGES.dataset("oranges_field_n2o_ipcc2019").rows()}
    assert "EF1: 0.01 kg N2O-N per kg N" in section and shipped["EF1"] == 0.01
    assert "synthetic N in wet climates 0.016" in section and shipped["EF1_FSN_wet"] == 0.016
    assert "organic N in wet climates 0.006" in section and shipped["EF1_FON_wet"] == 0.006
    assert "EF4 (volatilised N) 0.014 wet / 0.005 dry" in section
    assert (shipped["EF4_wet"], shipped["EF4_dry"]) == (0.014, 0.005)
    assert "EF5 (leached N) 0.011" in section and shipped["EF5"] == 0.011
    assert "FracGASF (synthetic) 0.11, FracLEACH 0.24" in section
    assert (shipped["FracGASF"], shipped["FracLEACH_H"]) == (0.11, 0.24)
    assert "0.20 t C per t urea" in section and shipped["EF_urea"] == 0.20
    # not in FACTORS.md, cited to IPCC 2019 Table 11.3 in the data file
    assert (shipped["FracGASM"], shipped["EF4"]) == (0.21, 0.010)
    tables = {r["parameter"]: r["ipcc_reference"]
              for r in ORANGES.dataset("oranges_field_n2o_ipcc2019").rows()}
    assert all("Table 11.1" in tables[k] for k in ("EF1", "EF1_FSN_wet", "EF1_FON_wet"))
    assert all("Table 11.3" in tables[k]
               for k in ("EF4", "EF4_wet", "EF4_dry", "EF5", "FracGASF", "FracGASM",
                         "FracLEACH_H"))


def test_product_defaults_are_the_cited_contents():
    rows = {r["product"]: r for r in ORANGES.dataset("oranges_fertiliser_products").rows()}
    assert rows["urea"]["n_pct"] == "46"
    assert (rows["dap"]["n_pct"], rows["dap"]["p2o5_pct"]) == ("18", "46")
    assert (rows["map"]["n_pct"], rows["map"]["p2o5_pct"]) == ("11", "52")
    assert rows["kcl"]["k2o_pct"] == "60" and rows["k2so4"]["k2o_pct"] == "50"
    assert rows["compound"]["n_pct"] == rows["compound"]["p2o5_pct"] == ""  # stated by producer
    # compound N -> N composite, compound P2O5 -> P composite, compound K2O -> KCl
    assert (rows["compound"]["n_manufacture"], rows["compound"]["p2o5_manufacture"],
            rows["compound"]["k2o_manufacture"]) == ("n_fertiliser_composite",
                                                     "p_fertiliser_composite", "kcl_k2o")


def test_a_tampered_factor_file_is_refused(monkeypatch):
    original = Catalog._bytes

    def tampered(self, relative):
        raw = original(self, relative)
        if relative.endswith("fertiliser_manufacture_chen2015.csv"):
            return raw.replace(b"2.041", b"1.041")
        return raw

    monkeypatch.setattr(Catalog, "_bytes", tampered)
    with pytest.raises(DataError, match="does not match its manifest hash"):
        ORANGES.dataset("oranges_fertiliser_chen2015")


def test_sample_boms_are_not_mutated_by_expansion(engine):
    bom = orange_bom(fertilisers=[{"product": "urea", "kg_per_ha": 300}])
    before = copy.deepcopy(bom)
    calc(engine, bom)
    assert bom == before


def test_field_n2o_is_drawn_from_the_ipcc_ranges(engine):
    """IPCC 2019 Tables 11.1 and 11.3 ranges (QUALITY.md section 5.1) on the field N2O
    processes: one parameter's range as it is, a product of parameters' in quadrature."""
    from footprint.engine.uncertainty import lines_of
    processes = engine.registry.processes
    # EF1 wet, synthetic: 0.016 within 0.013-0.019 -> 0.8125-1.1875 of the value
    direct = processes["oranges/field_n2o/direct_synthetic/wet_climate"].source.range
    assert direct == pytest.approx((0.013 / 0.016, 0.019 / 0.016))
    # FracGASF 0.02-0.33 and EF4 wet 0.011-0.017, each a 95 % interval:
    #   ln(16.5) / 3.919928 = 2.803360 / 3.919928 = 0.715156;
    #   ln(17 / 11) / 3.919928 = 0.435318 / 3.919928 = 0.111053;
    #   sigma = sqrt(0.715156^2 + 0.111053^2) = 0.723727; exp(+-1.959964 x 0.723727)
    #   = exp(+-1.418479) = 0.242082-4.130833
    volatilised = processes["oranges/field_n2o/volatilisation_synthetic/wet_climate"]
    assert volatilised.source.range == pytest.approx((0.242082, 4.130833), rel=1e-6)
    # EF5 reaches 0 (0-0.02): no lognormal, left to the pedigree estimate
    assert processes["oranges/field_n2o/leaching"].source.range is None

    result = calc(engine, json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text()))
    line = next(i for i in result["by_input"]
                if i.get("factor") == "oranges/field_n2o/direct_synthetic/wet_climate")
    drawn = next(u for u in lines_of(result, engine.registry)
                 if u.factor == "oranges/field_n2o/direct_synthetic/wet_climate")
    # the range: ln(0.019 / 0.013) / 3.919928 = 0.379490 / 3.919928 = 0.096810, with the
    # pedigree terms of the line's own ratings (checked by value below)
    pedigree = {"technological": (1.00, 1.05, 1.20, 1.50, 2.00),
                "geographical": (1.00, 1.01, 1.02, 1.05, 1.10),
                "temporal": (1.00, 1.03, 1.10, 1.20, 1.50)}
    terms = [math.log(pedigree[k][line["dqr"][k] - 1]) / 2 for k in pedigree]
    assert drawn.sigma_factor == pytest.approx(
        math.sqrt(0.096810 ** 2 + sum(t * t for t in terms)), abs=2e-6)
