"""The label extension: Art. 7 unit, Annex II stages, Battery Pass fields, primary-data share.

Regulation (EU) 2023/1542 Art. 7 declares the carbon footprint per kWh of the total energy a
battery delivers over its expected service life, over the Annex II life-cycle stages (raw
material acquisition and pre-processing; main product production; distribution; end of life
and recycling; the use stage excluded). Formula (draft delegated act on the calculation rules,
April 2024, as summarised in secondary sources; the delegated act is not adopted yet):

    E_delivered [kWh per kWh of capacity] = DoD x N_cycles x R
    N_cycles = cycles_per_year x service_life_years   (or the expected lifetime in cycles)

DoD turns the declared capacity into the usable energy per cycle; R (capacity retention,
default 1) is 1 in the draft method, which uses the initial usable energy.
"""
from __future__ import annotations

from .data import delivered_grading
from .model import plan
from .parameters import BATTERY_CATEGORIES, load

# our stage -> (Annex II stage name, Battery Pass lifecycleStage code)
ANNEX_II = {
    "raw_materials": ("raw material acquisition and pre-processing", "RawMaterialExtraction"),
    "production": ("main product production", "MainProduction"),
    "packaging": ("main product production", "MainProduction"),
    "distribution": ("distribution", "Distribution"),
    "end_of_life": ("end of life and recycling", "Recycling"),
}
ANNEX_II_ORDER = ("raw material acquisition and pre-processing", "main product production",
                  "distribution", "end of life and recycling")
STAGE_NAMES = {  # the Annex II stages
    "raw_materials": {"zh": "原材料获取与预处理", "en": "raw material acquisition and pre-processing"},
    "production": {"zh": "主产品生产", "en": "main product production"},
    "packaging": {"zh": "主产品生产：包装", "en": "main product production: packaging"},
    "distribution": {"zh": "分销", "en": "distribution"},
    "end_of_life": {"zh": "报废与回收", "en": "end of life and recycling"},
}
FORMULA = ("E_delivered = DoD x N_cycles x R kWh per kWh of capacity; N_cycles = cycles_per_year x "
           "service_life_years (or expected_lifetime_cycles); R = capacity retention (1 in the draft "
           "delegated act, which uses the initial usable energy)")
FORMULA_SOURCE = ("Regulation (EU) 2023/1542 Art. 7 and Annex II (functional unit: 1 kWh of the total "
                  "energy provided over the expected service life); formula of the Commission's draft "
                  "delegated act on the calculation rules for EV batteries (April 2024) as summarised in "
                  "secondary sources: usable energy at the start of use x cycles per year x years of "
                  "service life. Not adopted yet: provisional.")


def delivered_energy(p: dict) -> tuple[float, float]:
    """(N_cycles, kWh delivered over the service life per kWh of capacity)."""
    if p.get("expected_lifetime_cycles") is not None:
        cycles = p["expected_lifetime_cycles"]
    else:
        cycles = p["cycles_per_year"] * p["service_life_years"]
    return cycles, p["depth_of_discharge"] * cycles * p["capacity_retention"]


def _manufacturing_place(bom, registry, facility) -> dict:
    region = registry.regions.get(bom.region)
    place = {"region": bom.region, "name_en": getattr(region, "name_en", ""),
             "name_zh": getattr(region, "name_zh", ""),
             "country": getattr(region, "country", "") or bom.region.split("-")[0]}
    if facility:
        place["facility"] = facility
    return place


def _annex_ii(result: dict) -> dict[str, float]:
    """kg CO2e per declared unit by Annex II stage, over every calculated stage (end of life
    counts even where the BOM's own boundary is cradle-to-gate)."""
    stages = {name: 0.0 for name in ANNEX_II_ORDER}
    for part in (result["by_stage"], result.get("outside_boundary", {})):
        for stage, value in part.items():
            stages[ANNEX_II[stage][0]] += value
    return stages


def extension(result: dict, bom, registry) -> dict:
    per_unit = float(bom.declared_unit["amount"])  # kWh of capacity per declared unit
    stages = _annex_ii(result)
    total = sum(stages.values())
    codes = {name: code for name, code in ANNEX_II.values()}
    if bom.parameters is None:
        return {"declared_unit": f"{per_unit:g} kWh of capacity",
                "kg_co2e_per_kwh_capacity": total / per_unit,
                "manufacturingPlace": _manufacturing_place(bom, registry, None),
                "note": "no battery parameters: the Art. 7 figure per kWh delivered, the "
                        "performance class and the primary-data share need them"}
    p = load(bom.parameters)
    planned = plan(p)
    model_lines = bom.lines[len(bom.lines) - len(planned):]
    primary_lines = {line.index + 1 for line, item in zip(model_lines, planned) if item.primary}
    own_lines = {line.index + 1 for line in bom.lines if line.model is None}
    primary_kg = sum(e["kg_co2e"] for e in result["by_input"]
                     if e["line"] in primary_lines or e["line"] in own_lines)
    cycles, delivered = delivered_energy(p)
    per_delivered = total / delivered
    grading = delivered_grading()
    band = grading.grade(per_delivered)
    lifecycle = [{"lifecycleStage": name, "batteryPassCode": codes[name],
                  "carbonFootprint": value / delivered,
                  "kg_co2e_per_kwh_capacity": value}
                 for name, value in stages.items()]
    fields = {
        "batteryCarbonFootprint": per_delivered,
        "carbonFootprintPerLifecycleStage": lifecycle,
        "carbonFootprintPerformanceClass": band.grade,
        "carbonFootprintStudy": p.get("carbon_footprint_study"),
        "manufacturingPlace": _manufacturing_place(bom, registry, p.get("manufacturing_facility")),
        "batteryCategory": p["battery_category"],
    }
    if p.get("pack_capacity_kwh"):
        fields["absoluteCarbonFootprint"] = total * p["pack_capacity_kwh"]
    notes = ["use stage excluded (Annex II)"]
    if abs(total - result["total_kg_co2e"]) > 1e-9 * max(1.0, total):
        notes.append("end of life is counted in the Art. 7 figure although the BOM's boundary "
                     "(cradle-to-gate) leaves it out of the headline total")
    if p.get("end_of_life_kg_co2e_per_kwh") is None:
        notes.append("end of life and recycling not modelled: no default, no primary data given")
    return {
        "CarbonFootprintForBatteries": fields,
        "chemistry": p["chemistry"],
        "battery_category_name": BATTERY_CATEGORIES[p["battery_category"]],
        "declared_unit": "1 kWh of capacity",
        "kg_co2e_per_kwh_capacity": total,
        "art7_unit": {
            "unit": "kg CO2e per kWh of total energy delivered over the expected service life",
            "formula": FORMULA, "source": FORMULA_SOURCE,
            "depth_of_discharge": p["depth_of_discharge"], "cycles": cycles,
            "capacity_retention": p["capacity_retention"],
            "kwh_delivered_per_kwh_capacity": delivered,
        },
        "performance_class": {
            "class": band.grade, "label_zh": band.label_zh, "label_en": band.label_en,
            "provisional": grading.provisional, "unit": grading.unit,
            "bands": [[b.grade, b.up_to] for b in grading.bands],
            "rationale": grading.rationale, "source": grading.source.as_dict(),
        },
        "primary_data": {
            "share_of_co2e": primary_kg / total if total else 0.0,
            "kg_co2e": primary_kg,
            "primary_inputs": [i.input_name for i in planned if i.primary]
            + [f"line {n}" for n in sorted(own_lines)],
            "default_inputs": [i.input_name for i in planned if not i.primary],
        },
        "notes": notes,
    }
