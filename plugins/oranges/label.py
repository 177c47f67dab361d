"""Label fields for an orange footprint: hotspots by group, the literature range, the model.

The groups follow the literature's breakdown of orchard footprints (fertiliser manufacture and
field N2O dominate, Yan et al. 2016), so a label can show which inputs to cut first.
"""
from __future__ import annotations

from marshmallow import ValidationError

from . import data, parameters as params
from .model import nitrogen

GROUPS = ("fertiliser_manufacture", "field_n2o", "urea_co2", "pesticides", "diesel",
          "electricity", "packaging", "transport", "other")


def group_of(entry: dict) -> str:
    """The hotspot group of a line of ``result["by_input"]``."""
    key = entry.get("factor") or entry["input"]
    if key.startswith(data.FERTILISER_PREFIX):
        return "fertiliser_manufacture"
    if key.startswith(data.FIELD_PREFIX):
        return "field_n2o"
    if key == data.UREA_CO2:
        return "urea_co2"
    if key.startswith(data.PESTICIDE_PREFIX):
        return "pesticides"
    if key == "diesel":
        return "diesel"
    if key.startswith("electricity/"):
        return "electricity"
    if key == data.BOARD_PROCESS:
        return "packaging"
    if key in ("road_freight", "rail_freight"):
        return "transport"
    return "other"


def extensions(result: dict, bom) -> dict:
    total = result["total_kg_co2e"]
    groups = {g: 0.0 for g in GROUPS}
    for entry in result["by_input"]:
        if entry["in_boundary"]:
            groups[group_of(entry)] += entry["kg_co2e"]
    groups = {g: v for g, v in groups.items() if v}
    ranked = sorted(groups.items(), key=lambda item: -item[1])
    share = {g: (v / total if total else 0.0) for g, v in groups.items()}
    per_kg = total / bom.declared_unit["amount"]  # the category declares kg only
    literature = data.grading_data()["literature_range"]
    out = {
        "kg_co2e_per_kg_fruit": per_kg,
        "hotspots": ", ".join(f"{g} {share[g]:.1%}" for g, _ in ranked),
        "breakdown_kg_co2e": dict(ranked),
        "literature_range_kg_co2e_per_kg": [literature["low"], literature["high"]],
        "within_literature_range": literature["low"] <= per_kg <= literature["high"],
        "literature_source": literature["source"],
    }
    if bom.parameters:
        try:
            values = params.load(bom.parameters)
        except ValidationError:  # cannot happen after expand; never break a result for it
            return out
        p = data.field_parameters()
        ef1_switch, ef4_switch = data.field_switches(values)
        ef1 = data.EF1_KEYS[ef1_switch]
        synthetic_n, _ = nitrogen(values)
        out.update({
            "gate": values["gate"],
            "yield_kg_per_ha": values["yield_kg_per_ha"],
            "kg_co2e_per_ha": per_kg * values["yield_kg_per_ha"],
            "synthetic_n_kg_per_ha": synthetic_n,
            "organic_n_kg_per_ha": values["manure_n_kg_per_ha"],
            "field_model": (
                f"IPCC 2019 Refinement Tier 1, {values['climate']} climate: EF1 {ef1_switch} "
                f"(synthetic {p[ef1['synthetic']].value:g}, organic "
                f"{p[ef1['organic']].value:g}), EF4 {ef4_switch} "
                f"{p[data.EF4_KEYS[ef4_switch]].value:g}, FracGASF "
                f"{p['FracGASF'].value:g}, FracGASM {p['FracGASM'].value:g}, FracLEACH-(H) "
                f"{p['FracLEACH_H'].value:g}, EF5 {p['EF5'].value:g}"),
            "climate": values["climate"],
        })
        if not data.same_climate(ef1_switch, ef4_switch):  # set by hand, one way each
            out["climate_note"] = (f"EF1 {ef1_switch} and EF4 {ef4_switch} follow different "
                                   "climates (set by ef1 or ef4 instead of the climate)")
    return out
