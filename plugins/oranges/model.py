"""Orchard parameters (per hectare and year) -> BOM lines per kg of fruit.

Every line is an amount of a registered process (per kg of nutrient, N, active ingredient,
urea, board, tkm, kWh or diesel) divided by the yield, so the factor behind each line is
cited in the result like any other input. The line's note carries the arithmetic.
"""
from __future__ import annotations

from . import data

NOTE_LIMIT = 500  # a BOM line note holds at most 500 characters


def _g(value: float) -> str:
    return f"{value:.6g}"


def _note(text: str) -> str:
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 3] + "..."


def content(entry: dict, nutrient: str) -> float:
    """% of ``nutrient`` in a fertiliser entry: the stated content, else the cited default."""
    product = data.products()[entry["product"]]
    stated = entry.get(data.NUTRIENT_FIELDS[nutrient])
    if stated is not None:
        return stated
    default = product.contents[nutrient]
    return 0.0 if default in (None, data.ABSENT) else default


def nitrogen(parameters: dict) -> tuple[float, list[str]]:
    """Synthetic N applied (kg N/ha) and the terms it was summed from."""
    total, terms = 0.0, []
    for entry in parameters["fertilisers"]:
        pct = content(entry, "N")
        if pct and entry["kg_per_ha"]:
            kg_n = entry["kg_per_ha"] * pct / 100
            total += kg_n
            terms.append(f"{entry['product']} {_g(entry['kg_per_ha'])} kg x {_g(pct)} % = "
                         f"{_g(kg_n)}")
    return total, terms


def lines(parameters: dict) -> list[dict]:
    """BOM lines for the declared unit, 1 kg of fruit."""
    yield_kg = parameters["yield_kg_per_ha"]
    per = 1 / yield_kg  # hectare-years per kg of fruit
    per_text = f"/ {_g(yield_kg)} kg fruit/ha"
    out: list[dict] = []

    def add(input_id, amount, unit, stage, note):
        if amount > 0:
            out.append({"input": input_id, "amount": amount, "unit": unit, "stage": stage,
                        "note": _note(note)})

    # raw materials: fertiliser manufacture, per kg of nutrient (Chen, Lu, Wang 2015)
    rows = data.fertiliser_rows()
    for entry in parameters["fertilisers"]:
        product = data.products()[entry["product"]]
        for nutrient in ("N", "P2O5", "K2O"):
            key = product.manufacture[nutrient]
            pct = content(entry, nutrient)
            if not key or not pct:
                continue
            kg = entry["kg_per_ha"] * pct / 100
            row = rows[key]
            add(data.FERTILISER_PREFIX + key, kg * per, "kg", "raw_materials",
                f"{product.name_en}: {_g(entry['kg_per_ha'])} kg/ha x {_g(pct)} % {nutrient} = "
                f"{_g(kg)} kg {nutrient}/ha {per_text}; manufacture "
                f"{row['t_ce_per_t_nutrient']} t CE/t {nutrient} x 44/12 (Chen, Lu, Wang 2015: "
                f"{row['chen_term']})")

    # raw materials: pesticide manufacture, per kg active ingredient (Lal 2004)
    for kind in ("herbicide", "insecticide", "fungicide"):
        kg_ai = parameters[f"{kind}_kg_ai_per_ha"]
        add(data.PESTICIDE_PREFIX + kind, kg_ai * per, "kg", "raw_materials",
            f"{_g(kg_ai)} kg {kind} a.i./ha {per_text}; manufacture per Lal (2004)")

    # production: soil N2O, IPCC 2019 Refinement Tier 1, per kg N applied
    synthetic_n, terms = nitrogen(parameters)
    organic_n = parameters["manure_n_kg_per_ha"]
    p = data.field_parameters()
    ef1 = data.EF1_KEYS[parameters["ef1"]]
    ef4 = data.EF4_KEYS[parameters["ef4"]]
    synthetic_text = f"{_g(synthetic_n)} kg synthetic N/ha ({'; '.join(terms)})"
    organic_text = f"{_g(organic_n)} kg organic N/ha"
    add(data.direct_process("synthetic", parameters["ef1"]), synthetic_n * per, "kg",
        "production", f"direct N2O: {synthetic_text} {per_text}; x EF1 "
        f"{_g(p[ef1['synthetic']].value)} x 44/28 kg N2O/kg N (IPCC 2019 Table 11.1)")
    add(data.direct_process("organic", parameters["ef1"]), organic_n * per, "kg", "production",
        f"direct N2O: {organic_text} {per_text}; x EF1 {_g(p[ef1['organic']].value)} x 44/28 kg "
        "N2O/kg N (IPCC 2019 Table 11.1)")
    add(data.volatilisation_process("synthetic", parameters["ef4"]), synthetic_n * per, "kg",
        "production", f"indirect N2O, volatilisation: {_g(synthetic_n)} kg synthetic N/ha "
        f"{per_text}; x FracGASF {_g(p['FracGASF'].value)} x EF4 {_g(p[ef4].value)} x 44/28 "
        "(IPCC 2019 Table 11.3)")
    add(data.volatilisation_process("organic", parameters["ef4"]), organic_n * per, "kg",
        "production", f"indirect N2O, volatilisation: {organic_text} {per_text}; x FracGASM "
        f"{_g(p['FracGASM'].value)} x EF4 {_g(p[ef4].value)} x 44/28 (IPCC 2019 Table 11.3)")
    add(data.LEACHING, (synthetic_n + organic_n) * per, "kg", "production",
        f"indirect N2O, leaching: ({_g(synthetic_n)} synthetic + {_g(organic_n)} organic) kg N/ha "
        f"{per_text}; x FracLEACH-(H) {_g(p['FracLEACH_H'].value)} x EF5 {_g(p['EF5'].value)} "
        "x 44/28 (IPCC 2019 Table 11.3)")

    # production: CO2 from urea hydrolysis, per kg urea
    urea_kg = sum(e["kg_per_ha"] for e in parameters["fertilisers"]
                  if data.products()[e["product"]].urea)
    add(data.UREA_CO2, urea_kg * per, "kg", "production",
        f"{_g(urea_kg)} kg urea/ha {per_text}; x {_g(p['EF_urea'].value)} t C/t urea x 44/12 "
        "(IPCC 2006 Vol. 4 Eq. 11.13)")

    # production: orchard machinery and irrigation
    add("diesel", parameters["diesel_kg_per_ha"] * per, "kg", "production",
        f"{_g(parameters['diesel_kg_per_ha'])} kg diesel/ha {per_text}")
    add("electricity", parameters["irrigation_kwh_per_ha"] * per, "kWh", "production",
        f"irrigation {_g(parameters['irrigation_kwh_per_ha'])} kWh/ha {per_text}; grid factor of "
        "the BOM's region and factor year")

    # packhouse gate: corrugated board (packaging) and road transport to the packhouse
    if parameters["gate"] == "packhouse_gate":
        board = parameters["corrugated_board_kg_per_kg"]
        add(data.BOARD_PROCESS, board, "kg", "packaging",
            f"corrugated board {_g(board)} kg per kg packed fruit")
        km = parameters["packhouse_distance_km"]
        add("road_freight", km / 1000, "tkm", "distribution",
            f"orchard to packhouse: 1 kg fruit = 0.001 t x {_g(km)} km by road")
    return out
