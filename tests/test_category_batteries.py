"""Batteries (电池): every formula checked against hand calculation from the cited figures.

Figures used by hand below (sources in lca_data/batteries/manifest.json):
- Lin et al. 2024 (LFP): 90.8 kg CO2e/kWh; electricity 39.71 %, cathode 27.85 %, anode 18.36 %.
- Hao et al. 2017 (NMC): 2912 kg CO2e / 28 kWh = 104.0; around 40 % electricity.
- Degen et al. 2023: cell-making energy LFP 37.5, NMC (NMC900) 20.3 kWh per kWh of cell.
- IPCC 2006: natural gas 56,100 kg CO2/TJ x 3.6e-6 TJ/kWh = 0.20196 kg CO2/kWh.
- MEE 2022 grid factors: CN-SC 0.1404, CN-SD 0.6410, CN-JS 0.5978, CN-FJ 0.4092; 2023 CN-SD 0.6191;
  the highest shipped factor, CN-HE 2021, 0.7901.
- Core: road freight 0.116 kg CO2/tkm, diesel 3.1863 kg CO2/kg.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from footprint import InvalidInput
from footprint.bom import parse_bom, read_bom_file
from footprint.parameters import describe_parameters
from footprint.data import Catalog

from plugins.batteries.data import study_basis
from plugins.batteries.parameters import BatteryParameters

from .conftest import SAMPLES
from .test_data import _factors_md, _section

ROOT = Path(__file__).resolve().parent.parent
BATTERIES = Catalog("lca_data", "batteries")  # the data the plugin reads and registers

# LFP defaults, by hand: 90.8 x 0.2785 = 25.2878; 90.8 x 0.1836 = 16.67088;
# 90.8 x (1 - 0.3971 - 0.2785 - 0.1836) = 90.8 x 0.1408 = 12.78464
LFP_CATHODE, LFP_ANODE, LFP_OTHER = 25.2878, 16.67088, 12.78464
LFP_MATERIALS = 54.74332  # 25.2878 + 16.67088 + 12.78464
NMC_MATERIALS = 62.4  # 2912 / 28 = 104.0; 104.0 x (1 - 0.40) = 62.4
NATURAL_GAS = 0.20196  # 56,100 kg/TJ x 3.6e-6 TJ/kWh


def battery_bom(region="CN-SC", year=2022, lines=None, **parameters):
    params = {"chemistry": "LFP", "battery_category": "industrial",
              "expected_lifetime_cycles": 4000, "depth_of_discharge": 0.8}
    params.update(parameters)
    return {"product": {"name": "test battery", "category": "batteries"},
            "declared_unit": {"amount": 1, "unit": "kWh"},
            "region": region, "factor_year": year, "lines": lines or [], "parameters": params}


def ext(result):
    return result["extensions"]["batteries"]


def problems(engine, bom):
    with pytest.raises(InvalidInput) as caught:
        engine.resolve(parse_bom(bom))
    return {p.where: p.message for p in caught.value.problems}


# -- the shipped factors are the manifest's arithmetic ----------------------------------------

def test_component_defaults_equal_the_cited_arithmetic(registry):
    rows = {r["process"]: float(r["amount"]) for r in
            BATTERIES.dataset("batteries_lfp_components_lin2024").rows()}
    assert rows["batteries_lfp_cathode_active_material"] == pytest.approx(90.8 * 0.2785, rel=1e-12)
    assert rows["batteries_lfp_anode_graphite"] == pytest.approx(90.8 * 0.1836, rel=1e-12)
    assert rows["batteries_lfp_other_components"] == pytest.approx(
        90.8 * (1 - 0.3971 - 0.2785 - 0.1836), rel=1e-9)
    nmc = BATTERIES.dataset("batteries_nmc_components_hao2017").rows()[0]
    assert float(nmc["amount"]) == pytest.approx(2912 / 28 * (1 - 0.40), rel=1e-12)
    gas = registry.processes["batteries_natural_gas_combustion"]
    assert gas.emissions == (("CO2_fossil", pytest.approx(56100 * 3.6e-6, rel=1e-12)),)
    assert registry.processes["batteries_primary_co2e"].emissions == (("CO2e_aggregated", 1.0),)
    energy = {r["chemistry"]: float(r["kwh_energy_per_kwh_cell"]) for r in
              BATTERIES.dataset("batteries_cell_energy_degen2023").rows()}
    assert energy == {"LFP": 37.5, "NMC": 20.3}


def test_study_basis_and_the_gap_by_hand(registry):
    """What the defaults keep of each study's total (docs: "Basis and known gap")."""
    lin = BATTERIES.dataset("batteries_lfp_components_lin2024").entry
    hao = BATTERIES.dataset("batteries_nmc_components_hao2017").entry
    assert (lin["study_total_kg_co2e"], lin["study_electricity_share"]) == (90.8, 0.3971)
    assert hao["study_total_kg_co2e"] == 2912 / 28 and hao["study_electricity_share"] == 0.40
    # a storage system per kWh delivered standing in for a pack per kWh of capacity: related (4)
    assert (lin["technology"], hao["technology"]) == ("related", "average")
    basis = study_basis()
    # Lin: removed 90.8 x 0.3971 = 36.05668; kept 25.2878 + 16.67088 + 12.78464 = 54.74332
    lfp = basis["batteries_lfp_components_lin2024"]
    assert lfp.kept == pytest.approx(LFP_MATERIALS, rel=1e-12)
    assert lfp.removed == pytest.approx(36.05668, rel=1e-9)
    assert lfp.below == pytest.approx(0.3971, rel=1e-9)  # 36.05668 / 90.8
    # Hao: 2912 / 28 = 104.0; removed 104.0 x 0.40 = 41.6; kept 62.4
    nmc = basis["batteries_nmc_components_hao2017"]
    assert (nmc.kept, nmc.removed) == (pytest.approx(62.4), pytest.approx(41.6))
    assert nmc.below == pytest.approx(0.40, rel=1e-9)
    # the grid factor at which the default cell energy would put the removed share back:
    # LFP 36.05668 / 37.5 = 0.961511; NMC 41.6 / 20.3 = 2.049261; the highest shipped factor
    # (Hebei 2021) is 0.7901, so no region reaches the study's total with the defaults
    highest = max(f.value for f in registry.electricity.values())
    assert highest == pytest.approx(0.7901)
    assert highest < 36.05668 / 37.5 < 41.6 / 20.3


def test_defaults_agree_with_the_reference_figures():
    section = _section(_factors_md(), 8)
    assert "LFP ~109, NMC ~104" in section and "90.8" in section
    # the abstract's two-decimal shares round to FACTORS.md's one-decimal ones
    assert (round(39.71, 1), round(27.85, 1), round(18.36, 1)) == (39.7, 27.9, 18.4)
    assert re.search(r"electricity 39\.7 %,\s+cathode 27\.9 %, anode 18\.4 %", section)
    assert "20.3-37.5 kWh" in section
    assert round(2912 / 28) == 104 and round(3061 / 28) == 109


# -- held-out BOMs, end to end ----------------------------------------------------------------

def test_lfp_defaults_in_sichuan(engine):
    # 54.74332 materials + 37.5 kWh x 0.1404 = 5.265 -> 60.00832 kg CO2e per kWh of capacity
    result = engine.calculate(parse_bom(battery_bom()))
    assert result["total_kg_co2e"] == pytest.approx(60.00832, rel=1e-6)
    assert result["by_stage"]["raw_materials"] == pytest.approx(LFP_MATERIALS, rel=1e-6)
    assert result["by_stage"]["production"] == pytest.approx(5.265, rel=1e-6)
    # 60.00832 > 60 -> provisional grade B (A <= 60 < B <= 80)
    assert result["grade"]["grade"] == "B" and result["grade"]["provisional"] is True
    e = ext(result)
    # Art. 7: 0.8 DoD x 4000 cycles x 1.0 = 3200 kWh delivered; 60.00832 / 3200 = 0.0187526
    assert e["art7_unit"]["kwh_delivered_per_kwh_capacity"] == pytest.approx(3200)
    cf = e["CarbonFootprintForBatteries"]
    assert cf["batteryCarbonFootprint"] == pytest.approx(60.00832 / 3200, rel=1e-6)
    assert cf["carbonFootprintPerformanceClass"] == "A"  # 0.01875 <= 0.03
    assert e["performance_class"]["provisional"] is True
    assert cf["batteryCategory"] == "industrial"
    assert cf["manufacturingPlace"]["region"] == "CN-SC"
    assert cf["manufacturingPlace"]["name_en"] == "Sichuan"
    assert e["primary_data"]["share_of_co2e"] == 0.0
    assert set(e["primary_data"]["default_inputs"]) == {
        "cathode_active_material", "anode_graphite", "other_components", "cell_electricity"}


def test_the_grid_changes_the_same_pack_exactly(engine):
    # same LFP pack in Shandong: 37.5 kWh x 0.6410 = 24.0375 -> 54.74332 + 24.0375 = 78.78082;
    # difference 37.5 x (0.6410 - 0.1404) = 18.7725
    sc = engine.calculate(parse_bom(battery_bom("CN-SC")))
    sd = engine.calculate(parse_bom(battery_bom("CN-SD")))
    assert sd["total_kg_co2e"] == pytest.approx(78.78082, rel=1e-6)
    assert sd["total_kg_co2e"] - sc["total_kg_co2e"] == pytest.approx(18.7725, rel=1e-6)
    assert ext(sd)["CarbonFootprintForBatteries"]["manufacturingPlace"]["region"] == "CN-SD"
    # the factor year is a switch too: 2023 Shandong 0.6191 -> 37.5 x 0.6191 = 23.21625
    sd23 = engine.calculate(parse_bom(battery_bom("CN-SD", 2023)))
    assert sd23["total_kg_co2e"] == pytest.approx(LFP_MATERIALS + 23.21625, rel=1e-6)


def test_nmc_all_primary_cradle_to_grave(engine):
    primary = {"cathode_active_material": 30, "anode_graphite": 6, "electrolyte": 2,
               "separator": 1, "copper_foil": 3, "aluminium_foil": 2.5, "casing": 4, "bms": 1.5}
    bom = battery_bom("CN-JS", chemistry="NMC", battery_category="ev",
                      primary_components=primary, cell_electricity_kwh_per_kwh=15,
                      cell_heat_kwh_per_kwh=5, pack_assembly_electricity_kwh_per_kwh=2,
                      distribution_km=800, pack_mass_kg_per_kwh=5.5,
                      end_of_life_kg_co2e_per_kwh=3.0, expected_lifetime_cycles=None,
                      cycles_per_year=300, service_life_years=10, depth_of_discharge=0.9,
                      capacity_retention=0.85, pack_capacity_kwh=60,
                      carbon_footprint_study="https://example.org/cf-study.pdf")
    del bom["parameters"]["expected_lifetime_cycles"]
    bom["system_boundary"] = "cradle_to_grave"
    result = engine.calculate(parse_bom(bom))
    # components 30+6+2+1+3+2.5+4+1.5 = 50.0 (the NMC default group is fully replaced)
    # electricity 15 x 0.5978 = 8.967; gas 5 x 0.20196 = 1.0098; assembly 2 x 0.5978 = 1.1956
    # distribution 800 km x 5.5 kg / 1000 = 4.4 tkm x 0.116 = 0.5104; end of life 3.0
    # total 50 + 8.967 + 1.0098 + 1.1956 + 0.5104 + 3.0 = 64.6828
    assert result["total_kg_co2e"] == pytest.approx(64.6828, rel=1e-6)
    assert "batteries_nmc_materials" not in {e["input"] for e in result["by_input"]}
    e = ext(result)
    assert e["primary_data"]["share_of_co2e"] == pytest.approx(1.0, rel=1e-9)
    assert e["primary_data"]["default_inputs"] == []
    # Art. 7: 300 x 10 = 3000 cycles; 0.9 x 3000 x 0.85 = 2295 kWh; 64.6828 / 2295 = 0.0281842
    assert e["art7_unit"]["cycles"] == 3000
    assert e["art7_unit"]["kwh_delivered_per_kwh_capacity"] == pytest.approx(2295)
    cf = e["CarbonFootprintForBatteries"]
    assert cf["batteryCarbonFootprint"] == pytest.approx(64.6828 / 2295, rel=1e-6)
    assert cf["carbonFootprintPerformanceClass"] == "A"  # 0.02818 <= 0.03
    stages = {s["lifecycleStage"]: s["carbonFootprint"] for s in cf["carbonFootprintPerLifecycleStage"]}
    assert list(stages) == ["raw material acquisition and pre-processing", "main product production",
                            "distribution", "end of life and recycling"]
    assert stages["raw material acquisition and pre-processing"] == pytest.approx(50 / 2295, rel=1e-6)
    # production 8.967 + 1.0098 + 1.1956 = 11.1724
    assert stages["main product production"] == pytest.approx(11.1724 / 2295, rel=1e-6)
    assert stages["distribution"] == pytest.approx(0.5104 / 2295, rel=1e-6)
    assert stages["end of life and recycling"] == pytest.approx(3.0 / 2295, rel=1e-6)
    codes = [s["batteryPassCode"] for s in cf["carbonFootprintPerLifecycleStage"]]
    assert codes == ["RawMaterialExtraction", "MainProduction", "Distribution", "Recycling"]
    assert cf["absoluteCarbonFootprint"] == pytest.approx(64.6828 * 60, rel=1e-6)
    assert cf["carbonFootprintStudy"] == "https://example.org/cf-study.pdf"
    assert cf["batteryCategory"] == "ev"


def test_partial_primary_data_and_metered_heat(engine):
    # LFP, Sichuan: cathode from the supplier 20 (replaces 25.2878), anode and other defaults;
    # 10 kWh metered gas, so default electricity = 37.5 - 10 = 27.5 kWh x 0.1404 = 3.861;
    # gas 10 x 0.20196 = 2.0196; total 20 + 16.67088 + 12.78464 + 3.861 + 2.0196 = 55.33612
    bom = battery_bom(primary_components={"cathode_active_material": 20}, cell_heat_kwh_per_kwh=10)
    result = engine.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(55.33612, rel=1e-6)
    electricity = next(e for e in result["by_input"] if e["input"] == "electricity")
    assert electricity["amount"] == pytest.approx(27.5)
    # primary: 20 + 2.0196 = 22.0196 of 55.33612 = 0.397924
    share = ext(result)["primary_data"]
    assert share["share_of_co2e"] == pytest.approx(22.0196 / 55.33612, rel=1e-6)
    assert set(share["primary_inputs"]) == {"cathode_active_material", "cell_heat"}
    assert result["grade"]["grade"] == "A"  # 55.34 <= 60


def test_producer_line_counts_as_primary_and_cradle_to_gate_note(engine):
    # LFP Shandong + own line 0.5 kg diesel (0.5 x 3.1863 = 1.59315) + end of life 2.0 outside the
    # cradle-to-gate boundary: headline 78.78082 + 1.59315 = 80.37397; Art. 7 adds 2.0 -> 82.37397
    bom = battery_bom("CN-SD", lines=[{"input": "diesel", "amount": 0.5, "unit": "kg",
                                       "stage": "production"}], end_of_life_kg_co2e_per_kwh=2.0)
    result = engine.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(80.37397, rel=1e-6)
    assert result["grade"]["grade"] == "C"  # 80 < 80.37397 <= 100
    e = ext(result)
    assert e["kg_co2e_per_kwh_capacity"] == pytest.approx(82.37397, rel=1e-6)
    assert e["primary_data"]["share_of_co2e"] == pytest.approx((1.59315 + 2.0) / 82.37397, rel=1e-6)
    assert "line 1" in e["primary_data"]["primary_inputs"]
    assert any("cradle-to-gate" in n for n in e["notes"])


def test_nmc_default_energy(engine):
    # NMC defaults in Fujian: 62.4 + 20.3 kWh x 0.4092 = 8.30676 -> 70.70676
    bom = battery_bom("CN-FJ", chemistry="NMC")
    assert engine.calculate(parse_bom(bom))["total_kg_co2e"] == pytest.approx(70.70676, rel=1e-6)


def test_default_notes_state_the_basis_and_the_gap_in_both_languages(engine):
    lfp = engine.calculate(parse_bom(battery_bom()))
    lines = [e for e in lfp["by_input"] if e["input"].startswith("batteries_lfp_")]
    assert len(lines) == 3
    for line in lines:
        en, zh = line["note"], line["note_zh"]
        assert "(Lin et al. 2024)" in en and "（Lin 等 2024）" in zh
        # what the study's figure covers, and how it is read here
        for said in ("90.8 kg CO2e is per kWh stored and delivered by a storage system",
                     "installation", "end of life net of recycling credits",
                     "read here per kWh of capacity, cradle to gate"):
            assert said in en, said
        for said in ("90.8 kg CO2e 是储能系统每储存并输出 1 千瓦时电量的排放", "含安装",
                     "扣除回收抵减后的报废处理", "按每千瓦时容量、从摇篮到大门使用"):
            assert said in zh, said
        # the gap: 90.8 x 0.3971 = 36.05668 left out; 90.8 - 36.05668 = 54.74332 kept,
        # 36.05668 / 90.8 = 39.71 % below
        assert "electricity in manufacture and installation (39.71 % = 36.0567 kg)" in en
        assert "they total 54.7433 kg, 39.71 % below 90.8" in en
        assert "制造与安装环节的用电（39.71%，36.0567 kg）" in zh
        assert "合计 54.7433 kg，比 90.8 低 39.71%" in zh
        assert "cell-plant energy is added back" in en and "电芯工厂的能耗" in zh
    nmc = engine.calculate(parse_bom(battery_bom("CN-FJ", chemistry="NMC")))
    (line,) = [e for e in nmc["by_input"] if e["input"] == "batteries_nmc_materials"]
    en, zh = line["note"], line["note_zh"]
    # 2912 / 28 = 104.0; 104.0 x 0.40 = 41.6 left out; 104.0 - 41.6 = 62.4 kept, 40 % below
    assert "104 kg CO2e is for a 28 kWh EV pack, cradle to gate per kWh of capacity" in en
    assert "whole electricity use, incl. electricity embodied in materials (40 % = 41.6 kg)" in en
    assert "they total 62.4 kg, 40 % below 104" in en
    assert zh.startswith("三元(NMC)电池材料与部件：")  # the name, not the bracket cut short
    assert "全部用电、包括材料生产中隐含的电力（40%，41.6 kg）" in zh
    assert "合计 62.4 kg，比 104 低 40%" in zh


# -- validation: every problem names its field, with the help text ---------------------------

def test_parameter_errors_name_the_field_with_help(engine):
    bom = battery_bom(chemistry="LFB", depth_of_discharge=1.5, chemestry="x", distribution_km=-1)
    found = problems(engine, bom)
    assert "must be one of LFP, NMC" in found["parameters.chemistry"]
    assert "cell chemistry" in found["parameters.chemistry"]
    assert "usable share of the declared capacity" in found["parameters.depth_of_discharge"]
    assert 'did you mean "chemistry"' in found["parameters.chemestry"]
    assert "road distance" in found["parameters.distribution_km"]


@pytest.mark.parametrize("value", ["0.9", True, float("nan")])
def test_numbers_are_json_numbers_as_in_every_category(engine, value):
    """"0.9" as text is refused, as the oranges and steel categories and BOM lines refuse it."""
    found = problems(engine, battery_bom(depth_of_discharge=value))
    assert list(found) == ["parameters.depth_of_discharge"]
    assert "must be a number" in found["parameters.depth_of_discharge"]

def test_cross_field_rules(engine):
    bom = battery_bom(distribution_km=100, expected_lifetime_cycles=None)
    del bom["parameters"]["expected_lifetime_cycles"]
    found = problems(engine, bom)
    assert "pack mass per kWh" in found["parameters.pack_mass_kg_per_kwh"]
    assert "Art. 7" in found["parameters.expected_lifetime_cycles"]
    found = problems(engine, battery_bom(cycles_per_year=250))
    assert "not both" in found["parameters.expected_lifetime_cycles"]
    bom = battery_bom(cycles_per_year=250)
    del bom["parameters"]["expected_lifetime_cycles"]
    assert "Art. 7" in problems(engine, bom)["parameters.service_life_years"]


def test_a_default_group_is_replaced_only_whole(engine):
    bom = battery_bom(primary_components={"electrolyte": 1.0, "separator": 0.5})
    message = problems(engine, bom)["parameters.primary_components.electrolyte"]
    assert "copper_foil, aluminium_foil, casing, bms" in message
    bom = battery_bom(primary_components={"bmss": 1})
    assert 'did you mean "bms"' in problems(engine, bom)["parameters.primary_components.bmss"]


def test_declared_unit_must_be_one_kwh(engine):
    bom = battery_bom()
    bom["declared_unit"] = {"amount": 60, "unit": "kWh"}
    assert "1 kWh of capacity" in problems(engine, bom)["declared_unit.amount"]
    bom["declared_unit"] = {"amount": 1, "unit": "kg"}
    assert "declared_unit.unit" in problems(engine, bom)


def test_every_parameter_has_unit_and_help():
    class Category:
        parameters = BatteryParameters

    for field in describe_parameters(Category):
        assert field.get("help_en") and field.get("help_zh"), field["name"]
        assert "unit" in field, field["name"]


# -- category metadata, lines-only BOMs -------------------------------------------------------

def test_stage_names_are_the_annex_ii_stages(registry):
    names = registry.categories["batteries"].stage_names
    assert names["raw_materials"] == {"zh": "原材料获取与预处理",
                                      "en": "raw material acquisition and pre-processing"}
    assert names["production"]["en"] == "main product production"
    assert names["end_of_life"]["en"] == "end of life and recycling"
    assert registry.categories["batteries"].declared_units == ("kWh",)


def test_bom_without_parameters_gets_a_plain_extension(engine, make_bom):
    bom = make_bom(product={"name": "cells bought in", "category": "batteries"},
                   declared_unit={"amount": 1, "unit": "kWh"},
                   lines=[{"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production"}])
    result = engine.calculate(parse_bom(bom))
    assert ext(result)["kg_co2e_per_kwh_capacity"] == pytest.approx(1.404, rel=1e-6)
    assert "Art. 7" in ext(result)["note"]


# -- the samples --------------------------------------------------------------------------------

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("batteries_*.json"))


def test_three_samples_in_two_regions_one_with_an_own_line():
    boms = [json.loads((SAMPLES / name).read_text(encoding="utf-8")) for name in SAMPLE_FILES]
    assert len(boms) >= 3
    assert len({b["region"] for b in boms}) >= 2
    assert all(b.get("parameters") for b in boms)
    assert any(b.get("lines") for b in boms)
    assert {b["parameters"]["chemistry"] for b in boms} == {"LFP", "NMC"}


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_samples_lie_in_the_published_range(engine, name):
    total = engine.calculate(read_bom_file(SAMPLES / name))["total_kg_co2e"]
    assert 50 <= total <= 120  # FACTORS.md section 8: cradle-to-gate 41-109 kg CO2e/kWh


def test_sichuan_and_shandong_samples_show_the_grid(engine):
    sc = engine.calculate(read_bom_file(SAMPLES / "batteries_lfp_pack_sichuan.json"))
    sd = engine.calculate(read_bom_file(SAMPLES / "batteries_lfp_pack_shandong.json"))
    # 37.5 kWh x (0.6410 - 0.1404) = 18.7725; distribution 1500 x 6.25 / 1000 = 9.375 tkm x 0.116
    # = 1.0875 in both: SC 54.74332 + 5.265 + 1.0875 = 61.09582
    assert sc["total_kg_co2e"] == pytest.approx(61.09582, rel=1e-6)
    assert sd["total_kg_co2e"] - sc["total_kg_co2e"] == pytest.approx(18.7725, rel=1e-6)


def test_sample_gaps_below_the_study_totals_as_documented(engine):
    totals = {name: engine.calculate(read_bom_file(SAMPLES / name))["total_kg_co2e"]
              for name in ("batteries_lfp_pack_sichuan.json", "batteries_lfp_pack_shandong.json",
                           "batteries_nmc_ev_pack_fujian.json")}
    # Sichuan 54.74332 + 5.265 + 1.0875 = 61.09582: (90.8 - 61.09582) / 90.8 = 0.327139
    # Shandong 54.74332 + 37.5 x 0.6410 (24.0375) + 1.0875 = 79.86832: 10.93168 / 90.8 = 0.120393
    # NMC Fujian 71.714946 (test_nmc_sample_by_hand): (104 - 71.714946) / 104 = 0.310433
    expected = {"batteries_lfp_pack_sichuan.json": (61.09582, 90.8, 0.327139, "32.7 %"),
                "batteries_lfp_pack_shandong.json": (79.86832, 90.8, 0.120393, "12.0 %"),
                "batteries_nmc_ev_pack_fujian.json": (71.714946, 104.0, 0.310433, "31.0 %")}
    doc = (ROOT / "docs" / "categories" / "batteries.md").read_text(encoding="utf-8")
    section = doc.split("## Basis and known gap\n", 1)[1].split("\n## ", 1)[0]
    for name, (total, study, below, written) in expected.items():
        assert totals[name] == pytest.approx(total, rel=1e-6)
        assert (study - totals[name]) / study == pytest.approx(below, abs=1e-6)
        assert f"| `{name}` |" in section and f"**{written}**" in section
    for said in ("36.05668", "54.74332", "0.961511", "41.6", "2.049261", "0.7901"):
        assert said in section, said


def test_lin_defaults_are_rated_a_related_technology(engine):
    result = engine.calculate(read_bom_file(SAMPLES / "batteries_lfp_pack_sichuan.json"))
    rated = {e["input"]: e["dqr"]["technological"] for e in result["by_input"]}
    assert [rated[f"batteries_lfp_{c}"] for c in
            ("cathode_active_material", "anode_graphite", "other_components")] == [4, 4, 4]
    assert rated["electricity"] == 3 and rated["road_freight"] == 1
    # (54.74332 x 4 + 5.265 x 3 + 1.0875 x 1) / 61.09582 = 235.85578 / 61.09582 = 3.86 -> 3.9
    assert result["dqi"]["technological"] == 3.9
    nmc = engine.calculate(parse_bom(battery_bom("CN-FJ", chemistry="NMC")))
    assert next(e for e in nmc["by_input"]
                if e["input"] == "batteries_nmc_materials")["dqr"]["technological"] == 3


def test_nmc_sample_by_hand(engine):
    result = engine.calculate(read_bom_file(SAMPLES / "batteries_nmc_ev_pack_fujian.json"))
    # 62.4 + 18.2 x 0.4092 (7.44744) + 6.5 x 0.20196 (1.31274) + 1.2 x 0.4092 (0.49104)
    # + own line 0.02 kg diesel x 3.1863 (0.063726) = 71.714946
    assert result["total_kg_co2e"] == pytest.approx(71.714946, rel=1e-6)
    e = ext(result)
    # primary: everything but the NMC materials default: 71.714946 - 62.4 = 9.314946
    assert e["primary_data"]["share_of_co2e"] == pytest.approx(9.314946 / 71.714946, rel=1e-6)
    # Art. 7: 0.95 x 250 x 8 = 1900 kWh; 71.714946 / 1900 = 0.0377447 -> class B (0.03 < x <= 0.04)
    cf = e["CarbonFootprintForBatteries"]
    assert cf["batteryCarbonFootprint"] == pytest.approx(71.714946 / 1900, rel=1e-6)
    assert cf["carbonFootprintPerformanceClass"] == "B"


def test_method_switch_leaves_co2_and_co2e_factors_alone(engine):
    # every battery factor is CO2 or an aggregated CO2e total, so AR5 and AR6 agree: 60.00832
    bom = parse_bom(battery_bom())
    assert engine.calculate(bom, method="ar5")["total_kg_co2e"] == pytest.approx(60.00832, rel=1e-6)
