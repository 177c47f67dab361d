"""The made-tea category (茶叶) as a third-party plugin: installed with pip, found through its
entry point, calculated end to end, with no change to footprint's core.

tests/example_tea is a distribution of its own (footprint-tea). The module fixture installs it
for real into a temporary directory with pip, puts that directory on sys.path, and builds a
plugin manager that loads only the entry points ``electricity_cn`` and ``tea``.

Factors used below (sources in tests/example_tea/footprint_tea/data/manifest.json and
lca_data/manifest.json):
  Sichuan grid 2022     0.1404 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  Zhejiang grid 2022    0.5153 kg CO2/kWh    MEE announcement 2024 No. 33 (2022 data)
  diesel combustion     3.1863 kg CO2/kg     IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t)
  road freight          0.116 kg CO2/tkm     US EPA GHG Emission Factors Hub
  fuelwood (biogenic)   1.7472 kg CO2/kg     IPCC 2006 Vol. 2 Ch. 1: 112,000 kg CO2/TJ (Table 1.4)
                                             x 15.6 TJ/Gg (Table 1.2) = 1.7472
  EF1 direct N2O        0.01 kg N2O-N/kg N   IPCC 2019 Refinement Vol. 4 Ch. 11 (aggregated);
                        0.016                synthetic N, wet climates
  N2O GWP100 (AR6)      273, so 1 kg N2O-N = 44/28 x 273 = 429 kg CO2e
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

try:
    import setuptools
except ImportError:  # then pip builds the example in an isolated environment of its own
    setuptools = None

from footprint import Catalog, InvalidInput
from footprint.bom import parse_bom
from footprint.parameters import describe_parameters
from footprint.engine import Engine
from footprint.plugins import get_plugin_manager

EXAMPLE = Path(__file__).resolve().parent / "example_tea"
SAMPLE = EXAMPLE / "sample_tea_sichuan.json"
PLUGINS = {"electricity_cn", "tea"}
REL = 1e-6  # Brightway keeps amounts as float32: ~1e-7 relative from the cited values

# The held-out tea used below, per kg of made tea:
#   fresh leaf 4.5 kg; electricity withering 1.2 + rolling 0.8 + drying 2.0 = 4.0 kWh;
#   fuelwood 1.5 kg; field diesel 0.05 kg; synthetic N 0.04 kg N per kg fresh leaf
TEA = {"fresh_leaf_kg": 4.5, "withering_kwh": 1.2, "rolling_kwh": 0.8, "drying_kwh": 2.0,
       "fuelwood_kg": 1.5, "field_diesel_kg": 0.05, "synthetic_n_kg_per_kg_fresh_leaf": 0.04}
# direct N2O: 4.5 kg leaf x 0.04 = 0.18 kg N x 0.01 = 0.0018 kg N2O-N x 44/28 = 0.00282857 kg N2O
#             x 273 = 0.0018 x 429 = 0.7722 kg CO2e
N2O_KG = 0.0018 * 44 / 28
N2O_CO2E = 0.7722
DIESEL = 0.159315         # 0.05 kg x 3.1863
SC_ELECTRICITY = 0.5616   # 4.0 kWh x 0.1404
ZJ_ELECTRICITY = 2.0612   # 4.0 kWh x 0.5153
SC_TOTAL = 1.493115       # 0.5616 + 0.159315 + 0.7722
ZJ_TOTAL = 2.992715       # 2.0612 + 0.159315 + 0.7722
BIOGENIC = 2.6208         # 1.5 kg fuelwood x 1.7472 kg CO2/kg, not in the total


# -- installing the example for real ----------------------------------------------------------

def _pip_args() -> list[str]:
    """--no-build-isolation (no download) when this environment can build the wheel itself:
    setuptools >= 61 for [project] metadata, plus wheel when setuptools is older than 70.1."""
    if setuptools is None:
        return []
    try:
        version = tuple(int(p) for p in setuptools.__version__.split(".")[:2])
    except ValueError:
        return []
    if version < (61, 0):
        return []
    if version < (70, 1) and importlib.util.find_spec("wheel") is None:
        return []
    return ["--no-build-isolation"]


@pytest.fixture(scope="module")
def tea_site(tmp_path_factory):
    """footprint-tea installed by pip into a directory of its own, on sys.path for this module.

    pip builds from a copy so that no build/ or *.egg-info lands in the source tree."""
    base = tmp_path_factory.mktemp("tea-install")
    source = base / "src"
    shutil.copytree(EXAMPLE, source,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", *_pip_args(), "--target", str(target),
                    str(source)], check=True, capture_output=True, text=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(target))
        yield target
    for name in [m for m in sys.modules if m == "footprint_tea" or m.startswith("footprint_tea.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(scope="module")
def tea_home(tmp_path_factory):
    """One footprint home for the module, shared with the CLI so Brightway builds once."""
    return tmp_path_factory.mktemp("tea-home")


@pytest.fixture(scope="module")
def tea_pm(tea_site):
    return get_plugin_manager(load=PLUGINS)


@pytest.fixture(scope="module")
def tea_engine(tea_pm, tea_home):
    return Engine(home=tea_home, plugin_manager=tea_pm)


def tea_bom(region="CN-SC", lines=(), **parameters):
    return {"product": {"name": "green tea", "category": "tea"},
            "declared_unit": {"amount": 1, "unit": "kg"},
            "region": region, "factor_year": 2022, "lines": list(lines),
            "parameters": {**TEA, **parameters}}


def calc(engine, bom):
    return engine.calculate(parse_bom(bom))


# -- found through its entry point, nothing in the core ---------------------------------------

def test_the_installed_distribution_is_what_loads(tea_site, tea_pm):
    spec = importlib.util.find_spec("footprint_tea")
    assert Path(spec.origin).is_relative_to(tea_site)  # the pip-installed copy, not the source
    info = {i.name: i for i in tea_pm.describe()}
    assert info["tea"].origin == "entry point (footprint-tea)"
    assert info["tea"].version == "0.1.0" and info["tea"].error == ""
    assert {"register_categories", "register_background", "expand_bom",
            "label_extensions"} <= set(info["tea"].hooks)
    assert tea_pm.failures == []
    assert set(info) == {"footprint.defaults", "electricity_cn", "tea"}


def test_the_category_and_its_data_come_only_from_the_plugin(tea_site, tea_engine, tea_home):
    registry = tea_engine.registry
    tea = registry.categories["tea"]
    assert tea.plugin == "tea" and tea.declared_units == ("kg",)
    assert tea.grading.provisional and "EXAMPLE ONLY" in tea.grading.rationale
    fuelwood = registry.processes["tea_fuelwood_combustion"]
    assert fuelwood.plugin == "tea" and fuelwood.source.dataset == "tea_fuelwood_ipcc2006"
    assert fuelwood.emissions == (("CO2_biogenic", 1.7472),)
    # without the plugin the core knows no tea: the same core, one entry point fewer
    bare = Engine(home=tea_home, plugin_manager=get_plugin_manager(load={"electricity_cn"}))
    assert "tea" not in bare.registry.categories
    with pytest.raises(InvalidInput, match="category"):
        bare.resolve(parse_bom(tea_bom()))


def test_the_plugin_data_counts_in_the_data_version(tea_site, tea_engine, tea_home):
    # the catalog the plugin registers is part of what the registry hashes and records: the
    # same core without the plugin neither records tea data nor shares the hash
    record = tea_engine.registry.data_version_record()
    assert record["datasets"]["tea_fuelwood_ipcc2006"] == "IPCC-2006"
    assert record["datasets"]["tea_n2o_ef1_ipcc2019"] == "IPCC-2019"
    assert record["name"] == "MEE-2023"
    bare = Engine(home=tea_home, plugin_manager=get_plugin_manager(load={"electricity_cn"}))
    assert "tea_fuelwood_ipcc2006" not in bare.registry.data_version_record()["datasets"]
    assert bare.registry.data_version != tea_engine.registry.data_version


def test_the_plugin_data_is_hashed_and_cites_its_arithmetic(tea_site):
    catalog = Catalog("footprint_tea.data")
    assert catalog.verify() == []
    fuelwood = catalog.dataset("tea_fuelwood_ipcc2006")
    # 112,000 kg CO2/TJ x 15.6 TJ/Gg = 112,000 x 0.0156 kg CO2/kg = 1.7472
    assert float(fuelwood.rows()[0]["amount"]) == pytest.approx(112_000 * 15.6 / 1e6, rel=1e-12)
    assert "Table 1.4" in fuelwood.entry["source"] and "112,000" in fuelwood.entry["source"]
    assert fuelwood.entry["confidence"].startswith("medium")
    rows = catalog.dataset("tea_n2o_ef1_ipcc2019").rows()
    ef1 = {r["parameter"]: float(r["value"]) for r in rows}
    assert ef1 == {"EF1_aggregated": 0.01, "EF1_synthetic_wet": 0.016}


def test_parameters_are_described_for_forms(tea_site, tea_engine):
    described = {p["name"]: p for p in describe_parameters(tea_engine.registry.categories["tea"])}
    assert set(described) == {"quantities_per", "made_tea_kg_per_batch", "fresh_leaf_kg",
                              "withering_kwh", "rolling_kwh", "drying_kwh", "fuelwood_kg",
                              "field_diesel_kg", "synthetic_n_kg_per_kg_fresh_leaf", "n2o_ef1"}
    assert all(p["help_en"] and p["help_zh"] for p in described.values())
    assert described["fresh_leaf_kg"]["required"] and described["fresh_leaf_kg"]["unit"] == "kg"
    assert described["drying_kwh"] == {**described["drying_kwh"], "unit": "kWh", "default": 0.0,
                                       "min": 0.0, "help_zh": "杀青/干燥用电"}
    assert described["synthetic_n_kg_per_kg_fresh_leaf"]["max"] == 0.5
    assert described["quantities_per"]["choices"] == ["kg_made_tea", "batch"]
    assert described["n2o_ef1"]["choices"] == ["aggregated", "wet_climate_synthetic"]


# -- calculated end to end, by hand ------------------------------------------------------------

def test_sichuan_tea_by_hand(tea_engine):
    result = calc(tea_engine, tea_bom("CN-SC"))
    assert result["total_kg_co2e"] == pytest.approx(SC_TOTAL, rel=REL)
    # tea garden: diesel 0.159315 + N2O 0.7722 = 0.931515; processing: electricity 0.5616
    assert result["by_stage"]["raw_materials"] == pytest.approx(0.931515, rel=REL)
    assert result["by_stage"]["production"] == pytest.approx(SC_ELECTRICITY, rel=REL)
    assert result["by_gas_mass_kg"]["N2O"] == pytest.approx(N2O_KG, rel=REL)
    assert result["by_gas"]["N2O"] == pytest.approx(N2O_CO2E, rel=REL)
    # fossil CO2: 0.5616 + 0.159315 = 0.720915
    assert result["by_gas"]["CO2_fossil"] == pytest.approx(0.720915, rel=REL)
    lines = {e["note"].split(":")[0].split(" ")[0]: e for e in result["by_input"]}
    assert lines["withering"]["kg_co2e"] == pytest.approx(1.2 * 0.1404, rel=REL)
    assert lines["drying"]["kg_co2e"] == pytest.approx(2.0 * 0.1404, rel=REL)
    assert all(e["model"] == "tea" for e in result["by_input"])
    assert "x EF1 0.01" in next(e["note"] for e in result["by_input"] if "N2O" in e["input"])


def test_zhejiang_changes_only_the_electricity(tea_engine):
    sc = calc(tea_engine, tea_bom("CN-SC"))
    zj = calc(tea_engine, tea_bom("CN-ZJ"))
    assert zj["total_kg_co2e"] == pytest.approx(ZJ_TOTAL, rel=REL)
    assert zj["by_stage"]["production"] == pytest.approx(ZJ_ELECTRICITY, rel=REL)
    # 4.0 kWh x (0.5153 - 0.1404) = 1.4996; the tea garden stage is the same
    assert zj["total_kg_co2e"] - sc["total_kg_co2e"] == pytest.approx(1.4996, rel=REL)
    assert zj["by_stage"]["raw_materials"] == pytest.approx(sc["by_stage"]["raw_materials"],
                                                            rel=REL)
    assert "electricity/location/CN-ZJ/2022" in {f["process"] for f in zj["factors"]}


def test_biogenic_co2_is_reported_beside_the_total(tea_engine):
    with_wood = calc(tea_engine, tea_bom("CN-SC"))
    without = calc(tea_engine, tea_bom("CN-SC", fuelwood_kg=0))
    assert with_wood["biogenic_co2_kg"] == pytest.approx(BIOGENIC, rel=REL)
    assert with_wood["by_gas_mass_kg"]["CO2_biogenic"] == pytest.approx(BIOGENIC, rel=REL)
    assert "CO2_biogenic" not in with_wood["by_gas"]  # counted 0 in CO2e
    assert with_wood["total_kg_co2e"] == pytest.approx(without["total_kg_co2e"], rel=REL)
    assert without["biogenic_co2_kg"] == 0
    cited = {f["process"]: f for f in with_wood["factors"]}["tea_fuelwood_combustion"]
    assert cited["plugin"] == "tea" and cited["source"]["dataset"] == "tea_fuelwood_ipcc2006"


def test_per_batch_is_the_same_tea(tea_engine):
    # a 50 kg batch: 225 kg leaf, 60 + 40 + 100 = 200 kWh, 75 kg wood, 2.5 kg diesel
    # = per kg: 4.5 kg, 1.2 + 0.8 + 2.0 kWh, 1.5 kg, 0.05 kg: the Sichuan tea above
    batch = tea_bom("CN-SC", quantities_per="batch", made_tea_kg_per_batch=50,
                    fresh_leaf_kg=225, withering_kwh=60, rolling_kwh=40, drying_kwh=100,
                    fuelwood_kg=75, field_diesel_kg=2.5)
    result = calc(tea_engine, batch)
    assert result["total_kg_co2e"] == pytest.approx(SC_TOTAL, rel=REL)
    assert result["biogenic_co2_kg"] == pytest.approx(BIOGENIC, rel=REL)
    extension = result["extensions"]["tea"]
    # 1.493115 kg CO2e/kg x 50 kg per batch = 74.65575
    assert extension["per_batch_kg_co2e"] == pytest.approx(74.65575, rel=REL)
    assert extension["fresh_leaf_kg_per_kg_made_tea"] == pytest.approx(4.5)


def test_wet_climate_ef1_switch(tea_engine):
    # 0.18 kg N x 0.016 x 429 = 1.23552 kg CO2e instead of 0.7722: + 0.46332
    aggregated = calc(tea_engine, tea_bom("CN-SC"))
    wet = calc(tea_engine, tea_bom("CN-SC", n2o_ef1="wet_climate_synthetic"))
    assert wet["by_gas"]["N2O"] == pytest.approx(1.23552, rel=REL)
    assert wet["total_kg_co2e"] - aggregated["total_kg_co2e"] == pytest.approx(0.46332, rel=REL)
    assert wet["extensions"]["tea"]["n2o_ef1"] == 0.016


def test_grade_and_label_extension(tea_engine):
    sc = calc(tea_engine, tea_bom("CN-SC"))      # 1.493115 <= 2 -> A
    zj = calc(tea_engine, tea_bom("CN-ZJ"))      # 2.992715 <= 5 -> B
    # heavy N: 4.5 x 0.3 = 1.35 kg N x 0.01 x 429 = 5.7915; + 0.5616 + 0.159315 = 6.512415 -> C
    heavy = calc(tea_engine, tea_bom("CN-SC", synthetic_n_kg_per_kg_fresh_leaf=0.3))
    assert heavy["total_kg_co2e"] == pytest.approx(6.512415, rel=REL)
    assert [r["grade"]["grade"] for r in (sc, zj, heavy)] == ["A", "B", "C"]
    grade = sc["grade"]
    assert grade["provisional"] is True and grade["unit"] == "kg CO2e/kg made tea"
    assert grade["unit_zh"] == "kg CO2e/kg made tea"  # the example gives no Chinese unit
    assert grade["bands"] == [["A", 2.0], ["B", 5.0], ["C", 10.0], ["D", None]]
    assert "示例" in grade["label_zh"]
    extension = sc["extensions"]["tea"]
    assert extension["example"] is True
    assert extension["biogenic_co2_kg_per_kg"] == pytest.approx(BIOGENIC, rel=REL)
    assert extension["n2o_ef1"] == 0.01
    assert "per_batch_kg_co2e" not in extension
    assert sc["category"]["plugin"] == "tea"
    assert sc["category"]["stage_names"]["raw_materials"] == {"zh": "茶园种植", "en": "tea garden"}


def test_parameters_and_an_ordinary_line_together(tea_engine):
    # the model's 1.493115 + the producer's own line 0.015 tkm x 0.116 = 0.00174 -> 1.494855
    bom = tea_bom("CN-SC", lines=[{"input": "road_freight", "amount": 0.015, "unit": "tkm",
                                   "stage": "distribution"}])
    result = calc(tea_engine, bom)
    assert result["total_kg_co2e"] == pytest.approx(1.494855, rel=REL)
    assert "model" not in result["by_input"][0]


# -- the producer's mistakes are located and explained -----------------------------------------

def problems_of(engine, bom) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        engine.resolve(parse_bom(bom))
    return {p.where: p.message for p in caught.value.problems}


def test_bad_parameters_name_the_field_with_help(tea_engine):
    bom = tea_bom(withering_kwh=-1, n2o_ef1="dry", synthetic_n_kg_per_kg_fresh_leaf=2)
    del bom["parameters"]["fresh_leaf_kg"]
    bom["declared_unit"]["unit"] = "piece"
    found = problems_of(tea_engine, bom)
    assert "withering" in found["parameters.withering_kwh"]
    assert "萎凋用电" in found["parameters.withering_kwh"]
    assert "kWh" in found["parameters.withering_kwh"]
    assert "required" in found["parameters.fresh_leaf_kg"]
    assert "鲜叶" in found["parameters.fresh_leaf_kg"]
    assert "at most 0.5" in found["parameters.synthetic_n_kg_per_kg_fresh_leaf"]
    assert "wet_climate_synthetic" in found["parameters.n2o_ef1"]
    assert "declared_unit.unit" in found


def test_batch_quantities_need_the_batch_output(tea_engine):
    found = problems_of(tea_engine, tea_bom(quantities_per="batch"))
    assert "每批成品茶产量" in found["parameters.made_tea_kg_per_batch"]
    found = problems_of(tea_engine, tea_bom(made_tea_kg_per_batch=50))
    assert "only with quantities_per" in found["parameters.made_tea_kg_per_batch"]
    found = problems_of(tea_engine, tea_bom(quantities_per="batch", made_tea_kg_per_batch=50,
                                            fresh_leaf_kg=40))
    assert "dried fresh leaf" in found["parameters.fresh_leaf_kg"]


# -- the command line makes its own manager ----------------------------------------------------

@pytest.fixture
def tea_cli_env(tea_site, tea_home, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_LOAD_PLUGINS", "electricity_cn,tea")
    monkeypatch.setenv("FOOTPRINT_HOME", str(tea_home))
    # imported here, not at the top: importing it loads the plugins, which must follow
    # conftest's FOOTPRINT_LOAD_PLUGINS, set when the session starts (after collection)
    from cli.main import cli
    return cli


def test_footprint_calc_on_a_tea_bom(tea_cli_env, write_bom):
    path = write_bom(tea_bom("CN-ZJ"), "tea_zj.json")
    runner = CliRunner()
    result = runner.invoke(tea_cli_env, ["calc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_kg_co2e"] == pytest.approx(ZJ_TOTAL, rel=REL)
    assert data["biogenic_co2_kg"] == pytest.approx(BIOGENIC, rel=REL)
    assert data["grade"]["grade"] == "B"
    text = runner.invoke(tea_cli_env, ["calc", str(SAMPLE)])
    assert text.exit_code == 0, text.output
    assert "category: Made tea" in text.stdout and "biogenic CO2" in text.stdout
    text = runner.invoke(tea_cli_env, ["calc", str(SAMPLE)], env={"FOOTPRINT_LANG": "zh"})
    assert "产品类别：茶叶(成品茶)" in text.stdout and "生物源 CO2" in text.stdout
    plugins = runner.invoke(tea_cli_env, ["plugins"])
    assert "entry point (footprint-tea)" in plugins.stdout


def test_a_plugin_without_chinese_description_is_read_in_english(tea_cli_env):
    """footprint-tea predates description_zh: its English is shown in Chinese too, and the
    API's description_zh holds it."""
    english = ("Made tea (green, black, oolong ...) at the factory gate: tea garden N2O and "
               "field diesel, processing electricity and fuelwood. Example third-party "
               "category (footprint-tea).")
    listed = CliRunner().invoke(tea_cli_env, ["categories"], env={"FOOTPRINT_LANG": "zh"})
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[lines.index("tea  茶叶(成品茶)  [tea]") + 1] == f"  {english}"
    data = json.loads(CliRunner().invoke(tea_cli_env, ["categories", "--json"]).stdout)
    tea = next(c for c in data if c["id"] == "tea")
    assert tea["description"] == tea["description_zh"] == english


def test_footprint_calc_without_the_plugin_refuses_tea(tea_cli_env, write_bom, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_LOAD_PLUGINS", "electricity_cn")
    result = CliRunner().invoke(tea_cli_env, ["calc", str(write_bom(tea_bom()))])
    assert result.exit_code == 2
    assert "category" in result.stderr


def test_the_shipped_sample_is_in_the_published_range(tea_engine):
    # batch sample = the Sichuan tea per kg (1.493115) + 0.015 tkm x 0.116 = 0.00174 -> 1.494855;
    # published cradle-to-gate made tea about 1.2 (Kenya, Azapagic et al. 2016) to about 14.9
    # (Shaanxi smallholders, He et al. 2023): the model leaves out fertiliser manufacture and
    # packaging, so it sits at the low end.
    result = calc(tea_engine, json.loads(SAMPLE.read_text(encoding="utf-8")))
    assert result["total_kg_co2e"] == pytest.approx(1.494855, rel=REL)
    assert 1.2 <= result["total_kg_co2e"] <= 14.9
