"""The starter material library (plugins/materials, lca_data/materials).

Every shipped number is checked against its transcription in the CSV (value and unit as the
source states them) and against the row of MATERIALS.md it was read from (the project's
reference list of published factors, in the shared reference folder); conversions are
re-derived here from the units' names, independently of the plugin's own table.
"""
from __future__ import annotations

import re

import pytest

from footprint.bom import parse_bom
from plugins.materials import data

from .conftest import SAMPLES, require_shared

ENTRIES = data.entries()
BY_KEY = {e.key: e for e in ENTRIES}
MATERIALS_COLUMNS = ("id", "name_zh", "name_en", "value", "unit", "boundary", "gas_scope",
                     "geography", "ref_year", "source", "confidence", "notes")


def materials_md() -> dict[str, dict]:
    """MATERIALS.md's factor rows by id (the tables with the twelve columns above)."""
    rows = {}
    text = require_shared("reference", "MATERIALS.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != len(MATERIALS_COLUMNS) or cells[0] in ("id", "---") \
                or set(cells[0]) <= set("-"):
            continue
        rows[cells[0]] = dict(zip(MATERIALS_COLUMNS, cells))
    return rows


def mentions(text: str, number: str) -> bool:
    """``number`` appears in ``text`` as a number of its own (not inside 72.590 or 172.59)."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", text) is not None


# kg per unit of each mass word, and what one unit of each denominator is in the process's
# unit (written out from the units' meaning, not copied from the plugin)
MASS = {"kg": 1.0, "t": 1000.0}
PER = {"t": ("kg", 1000.0), "kg": ("kg", 1.0), "TJ": ("GJ", 1000.0), "GJ": ("GJ", 1.0),
       "m³": ("m3", 1.0), "litre": ("L", 1.0), "tkm": ("tkm", 1.0)}


def expected_conversion(source_unit: str) -> tuple[str, float]:
    """(process unit, factor) for a unit such as 'kg CO2e/t' or 't CO2/t clinker'."""
    found = re.match(r"^(kg|t) (CO2e|CO2|CH4)/(t|kg|TJ|GJ|m³|litre|tkm)\b", source_unit)
    assert found, source_unit
    mass, _gas, per = found.groups()
    unit, size = PER[per]
    return unit, MASS[mass] / size


# -- the count and coverage the library promises -----------------------------------------------

def test_at_least_sixty_entries_in_every_group():
    assert len(ENTRIES) == 85
    counts = {g: sum(1 for e in ENTRIES if e.group == g) for g in data.GROUPS}
    assert counts == {"metals": 20, "plastics": 11, "minerals": 6, "paper": 3,
                      "chemicals": 5, "fuels": 21, "utilities": 4, "transport": 15}


@pytest.mark.parametrize("key", [
    "steel_bof", "steel_eaf", "aluminium_primary_cn", "aluminium_recycled", "copper", "zinc",
    "hdpe", "ldpe", "pp", "pet", "pvc", "abs", "ps", "rubber", "flat_glass", "glass", "cement",
    "clinker_calcination", "paper", "corrugated_board", "methanol_gas", "methanol_coal",
    "bituminous_coal_combustion", "natural_gas_combustion", "lpg_combustion",
    "gasoline_combustion", "diesel_combustion", "fuel_oil_combustion", "coal_upstream",
    "natural_gas_upstream", "lpg_upstream", "petrol_upstream", "diesel_upstream",
    "fuel_oil_upstream", "tap_water", "wastewater", "steam", "truck_light_2t",
    "truck_heavy_46t", "rail", "ship_dry_bulk_2500t", "container_ship",
    "air_freight_international"])
def test_the_brief_s_materials_are_there(key):
    assert key in BY_KEY


# -- every value against its transcription and MATERIALS.md ------------------------------------

@pytest.mark.parametrize("entry", ENTRIES, ids=[e.key for e in ENTRIES])
def test_each_value_is_its_source_s_converted(entry):
    md = materials_md()
    row = md[entry.md_id]
    assert row["confidence"] == entry.confidence
    assert entry.confidence in ("seen", "secondary")  # never "unverified"
    for emission in entry.emissions:
        unit, factor = expected_conversion(emission.source_unit)
        if entry.key == "tap_water":  # kg CO2e per t of water, shipped per m³ (1 t = 1 m³)
            unit, factor = "m3", factor * 1000
        assert entry.unit == unit
        assert emission.amount == pytest.approx(emission.value * factor, rel=1e-12)
        assert float(emission.value_text.replace(" ", "")) == emission.value
        if row["value"] == emission.value_text:
            # the row's own value: its unit must be the row's unit too
            assert row["unit"] == emission.source_unit
        else:
            # a figure the row gives elsewhere (a second gas, a second route, one fuel of a
            # list): it must be in the row, as a number of its own
            assert mentions(" ".join(row.values()), emission.value_text), (
                entry.key, emission.value_text)
            if emission.flow == "CH4_fossil":  # "CO2; CH4 2.3 kg/t separately"
                assert f"CH4 {emission.value_text} kg/t" in row["gas_scope"]
            else:
                assert row["unit"] == emission.source_unit
            if entry.md_id == "cn_gbt51366_fuel_ef":  # "diesel 72.59; gasoline 67.91; ..."
                fuel = entry.name_en.split(",")[0].lower()
                assert f"{fuel} {emission.value_text}" in row["value"].lower()
        if emission.range_text:
            assert emission.range_text in row["notes"]
            low, high = (float(x.replace(" ", "")) * factor
                         for x in re.split("[–-]", emission.range_text))
            assert emission.range == (pytest.approx(low), pytest.approx(high))
        # CO2-only factors are fossil CO2, CO2e factors the aggregated flow
        scope = emission.gas_scope
        if emission.flow == "CO2e_aggregated":
            assert scope.startswith("CO2e") and "CO2e" in emission.source_unit
        elif emission.flow == "CO2_fossil":
            assert scope.startswith("CO2") and not scope.startswith("CO2e")
            assert "CO2e" not in emission.source_unit
        else:
            assert emission.flow == "CH4_fossil" and "CH4" in emission.source_unit


def test_no_unverified_row_is_shipped():
    md = materials_md()
    unverified = {i for i, r in md.items() if r["confidence"] == "unverified"}
    assert unverified  # the Chinese default fuel parameters, in MATERIALS.md today
    assert not unverified & {e.md_id for e in ENTRIES}


# Hand-worked values: the source's figure and unit, the conversion, the shipped value.
@pytest.mark.parametrize("key, unit, flow, expected", [
    ("steel_bof", "kg", "CO2e_aggregated", 1.99),  # 1990 kg CO2e/t / 1000 (GB/T 51366 表D.0.1)
    ("aluminium_primary_cn", "kg", "CO2e_aggregated", 20.3),  # 20300 kg CO2e/t / 1000
    ("pp", "kg", "CO2e_aggregated", 2.57757),  # 2577.57 kg CO2e/t / 1000 (DESNZ 2025)
    ("steel_stainless", "kg", "CO2_fossil", 6.145),  # ICE v2.0, kg CO2/kg, CO2 only
    ("aluminium_primary_world", "kg", "CO2e_aggregated", 15.1),  # IAI 15.1 t/t = kg/kg
    ("diesel_combustion", "GJ", "CO2_fossil", 74.1),  # IPCC 74 100 kg CO2/TJ / 1000
    ("diesel_combustion_cn", "GJ", "CO2_fossil", 72.59),  # GB/T 51366 72.59 t CO2/TJ = kg/GJ
    ("steam", "GJ", "CO2_fossil", 110.0),  # 0.11 t CO2/GJ x 1000
    ("tap_water", "m3", "CO2e_aggregated", 0.168),  # 0.168 kg CO2e/t, 1 t water = 1 m³
    ("diesel_upstream", "L", "CO2e_aggregated", 0.62409),  # DESNZ WTT per litre
    ("lpg_upstream", "kg", "CO2e_aggregated", 0.34929),  # 349.29 kg CO2e/t / 1000
    ("truck_heavy_30t", "tkm", "CO2e_aggregated", 0.078),  # GB/T 51366 表E.0.1
    ("concrete_c30", "m3", "CO2e_aggregated", 295.0),  # 295 kg CO2e/m³
])
def test_hand_worked_values(registry, key, unit, flow, expected):
    process = registry.processes[f"materials/{key}"]
    assert process.unit == unit
    assert dict(process.emissions) == {flow: pytest.approx(expected, rel=1e-12)}
    assert process.plugin == "materials"


def test_methanol_by_gas_carries_its_methane(registry):
    # IPCC 2006 Vol. 3 Ch. 3: 0.67 t CO2/t = 0.67 kg/kg; CH4 2.3 kg/t / 1000 = 0.0023 kg/kg
    emissions = dict(registry.processes["materials/methanol_gas"].emissions)
    assert emissions == {"CO2_fossil": pytest.approx(0.67), "CH4_fossil": pytest.approx(0.0023)}


def test_a_range_where_the_source_gives_one():
    # IPCC Table 2.2 diesel 72 600–74 800 kg CO2/TJ / 1000 = 72.6–74.8 kg CO2/GJ
    diesel = BY_KEY["diesel_combustion"].emissions[0]
    assert diesel.range == (pytest.approx(72.6), pytest.approx(74.8))
    citation = data.citation(BY_KEY["diesel_combustion"])
    assert "range 72 600–74 800 kg CO2/TJ = 72.6–74.8 kg CO2/GJ" in citation


def test_every_process_cites_its_table_and_confidence(registry):
    for entry in ENTRIES:
        source = registry.processes[entry.process_id].source
        assert source.dataset == entry.dataset
        assert entry.reference in source.citation
        assert f"boundary: {entry.boundary}" in source.citation
        assert f"reference year: {entry.ref_year}" in source.citation
        level = {"seen": "high", "secondary": "medium"}[entry.confidence]
        assert source.confidence == f"{level} ({entry.confidence}, MATERIALS.md {entry.md_id})"


def test_names_are_unique_among_all_inputs(registry):
    processes = list(registry.processes.values())
    for entry in ENTRIES:
        assert [p.id for p in processes if p.name_zh == entry.name_zh] == [entry.process_id]
        assert [p.id for p in processes if p.name_en == entry.name_en] == [entry.process_id]


def test_a_bom_names_materials_in_chinese(engine, make_bom):
    bom = parse_bom(make_bom(lines=[
        {"input": "电解铝(全国平均电网电力)", "amount": 1, "unit": "千克", "stage": "raw_materials"},
        {"input": "重型柴油货车运输(载重30t)", "amount": 10, "unit": "吨公里",
         "stage": "distribution"}]))
    result = engine.calculate(bom)
    # 1 kg x 20.3 (GB/T 51366 表D.0.1) + 10 tkm x 0.078 (表E.0.1) = 20.3 + 0.78 = 21.08
    assert result["total_kg_co2e"] == pytest.approx(21.08, rel=1e-6)


# -- the acceptance BOM: a machined part with its materials ------------------------------------

MACHINED_PART = SAMPLES / "machined_part_materials.json"


@pytest.mark.parametrize("method", ["ar6", "ar5"])
def test_machined_part_agrees_with_the_hand_calculation(engine, method):
    from footprint.bom import read_bom_file
    result = engine.calculate(read_bom_file(MACHINED_PART), method)
    # steel bar      2.0 kg  x 2.34    (GB/T 51366 表D.0.1, 2340 kg CO2e/t)   =  4.68
    # Al housing     0.5 kg  x 20.3    (GB/T 51366 表D.0.1, 20300 kg CO2e/t)  = 10.15
    # PP cover       0.2 kg  x 2.57757 (DESNZ 2025 19_505_5144_15_1)           =  0.515514
    # electricity    10 kWh  x 0.1404  (MEE 2024 No. 33, Sichuan 2022, CO2)    =  1.404
    # corrugated box 0.3 kg  x 0.491   (FEFCO 2021, 491 kg CO2e/t)             =  0.1473
    # truck 18 t     1.5 tkm x 0.129   (GB/T 51366 表E.0.1)                    =  0.1935
    # total 4.68 + 10.15 + 0.515514 + 1.404 + 0.1473 + 0.1935                 = 17.090314
    # (CO2 and aggregated CO2e both weigh 1 in AR6 and AR5, so the methods agree; the
    # matrices hold single-precision floats, hence rel=1e-6)
    assert result["total_kg_co2e"] == pytest.approx(17.090314, rel=1e-6)
    lines = {line["input"]: line["kg_co2e"] for line in result["by_input"]}
    assert lines["materials/aluminium_primary_cn"] == pytest.approx(10.15, rel=1e-6)
    assert lines["materials/truck_heavy_18t"] == pytest.approx(0.1935, rel=1e-6)


# -- offered as generic inputs ------------------------------------------------------------------

def test_the_editor_offers_materials_to_every_category(service, registry):
    from web.bom.options import choices
    with service.app.test_request_context():
        for category in ("generic", "oranges", "batteries"):
            groups = choices(registry, "zh", category=category).inputs
            generic = {o.value for o in groups[0][1]}
            assert {e.process_id for e in ENTRIES} <= generic, category
        option = choices(registry, "zh").input_option("materials/pp")
        assert option.unit == "kg" and "聚丙烯" in option.search and "pp incl." in option.search


def test_docs_list_every_entry_as_generated():
    from plugins.materials.docs import render
    page = (SAMPLES.parent.parent / "docs" / "materials.md").read_text(encoding="utf-8")
    assert page == render(), "regenerate: python -m plugins.materials.docs > docs/materials.md"
    for entry in ENTRIES:
        assert f"`{entry.process_id}` | {entry.name_zh} |" in page
    assert "| `materials/steel_bof` | 转炉碳钢 | Carbon steel, BOF route (China) | " \
           "1990 kg CO2e/t | 1.99 kg CO2e/kg (`CO2e_aggregated`) |" in page


def test_the_library_takes_no_name_another_input_is_known_by(registry):
    # engine/names.py knows an input by its full names and by their heads (the part before a
    # bracket) where a name is one input's only: every name that named another input without
    # the library must name it still (柴油燃烧 stays the core's diesel, 瓦楞纸箱 the oranges')
    from footprint.engine.names import _index
    from footprint.text import name_key
    others = {pid: p for pid, p in registry.processes.items() if p.plugin != "materials"}
    before = _index(others)
    after = _index(registry.processes)
    assert before and {name: after.get(name) for name in before} == before
    assert after["柴油燃烧"] == "diesel"
    # and each library entry is known by its full Chinese name, as names compare (玻璃(原生，desnz)
    # is the key 玻璃(原生,desnz): full-width and half-width alike)
    for entry in ENTRIES:
        assert after[name_key(entry.name_zh)] == entry.process_id


def test_an_unverified_row_is_refused(monkeypatch):
    from footprint import DataError

    row = {**next(iter(data.CATALOG.dataset("materials_gbt51366").rows())),
           "confidence": "unverified"}

    class OneRow:
        entries = {"materials_gbt51366": {}}

        def dataset(self, dataset_id):
            return type("Rows", (), {"rows": lambda self: [row]})()

    monkeypatch.setattr(data, "CATALOG", OneRow())
    with pytest.raises(DataError, match="steel_bof is 'unverified'; only secondary, seen"):
        data.entries.__wrapped__()
