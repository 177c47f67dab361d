"""Orchard parameters (per hectare and year) -> BOM lines per kg of fruit.

Every line is an amount of a registered process (per kg of nutrient, N, active ingredient,
urea, board, tkm, kWh or diesel) divided by the yield, so the factor behind each line is
cited in the result like any other input. The line's note carries the arithmetic, in English
(``note``) and in Chinese (``note_zh``).
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


def nitrogen(parameters: dict, chinese: bool = False) -> tuple[float, list[str]]:
    """Synthetic N applied (kg N/ha) and the terms it was summed from (``chinese``: each
    product by its Chinese name)."""
    total, terms = 0.0, []
    for entry in parameters["fertilisers"]:
        pct = content(entry, "N")
        if pct and entry["kg_per_ha"]:
            kg_n = entry["kg_per_ha"] * pct / 100
            total += kg_n
            name = data.products()[entry["product"]].name_zh if chinese else entry["product"]
            terms.append(f"{name} {_g(entry['kg_per_ha'])} kg x {_g(pct)} % = {_g(kg_n)}")
    return total, terms


def lines(parameters: dict) -> list[dict]:
    """BOM lines for the declared unit, 1 kg of fruit."""
    yield_kg = parameters["yield_kg_per_ha"]
    per = 1 / yield_kg  # hectare-years per kg of fruit
    per_text = f"/ {_g(yield_kg)} kg fruit/ha"
    per_zh = f"÷ 每公顷 {_g(yield_kg)} kg 果品"
    out: list[dict] = []

    def add(input_id, amount, unit, stage, note, note_zh):
        if amount > 0:
            out.append({"input": input_id, "amount": amount, "unit": unit, "stage": stage,
                        "note": _note(note), "note_zh": _note(note_zh)})

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
                f"{row['chen_term']})",
                f"{product.name_zh}：每公顷 {_g(entry['kg_per_ha'])} kg × {_g(pct)}% {nutrient} = "
                f"{_g(kg)} kg {nutrient} {per_zh}；生产排放 {row['t_ce_per_t_nutrient']} "
                f"t 碳当量/t {nutrient} × 44/12（陈舜 等，2015：{row['chen_term']}）")

    # raw materials: pesticide manufacture, per kg active ingredient (Lal 2004)
    for kind, kind_zh in (("herbicide", "除草剂"), ("insecticide", "杀虫剂"),
                          ("fungicide", "杀菌剂")):
        kg_ai = parameters[f"{kind}_kg_ai_per_ha"]
        add(data.PESTICIDE_PREFIX + kind, kg_ai * per, "kg", "raw_materials",
            f"{_g(kg_ai)} kg {kind} a.i./ha {per_text}; manufacture per Lal (2004)",
            f"每公顷{kind_zh}有效成分 {_g(kg_ai)} kg {per_zh}；生产排放按 Lal (2004)")

    # production: soil N2O, IPCC 2019 Refinement Tier 1, per kg N applied
    synthetic_n, terms = nitrogen(parameters)
    terms_zh = nitrogen(parameters, chinese=True)[1]
    organic_n = parameters["manure_n_kg_per_ha"]
    p = data.field_parameters()
    ef1_switch, ef4_switch = data.field_switches(parameters)
    ef1 = data.EF1_KEYS[ef1_switch]
    ef4 = data.EF4_KEYS[ef4_switch]
    synthetic_text = f"{_g(synthetic_n)} kg synthetic N/ha ({'; '.join(terms)})"
    synthetic_zh = f"每公顷化肥氮 {_g(synthetic_n)} kg（{'；'.join(terms_zh)}）"
    organic_text = f"{_g(organic_n)} kg organic N/ha"
    organic_zh = f"每公顷有机肥氮 {_g(organic_n)} kg"
    add(data.direct_process("synthetic", ef1_switch), synthetic_n * per, "kg",
        "production", f"direct N2O: {synthetic_text} {per_text}; x EF1 "
        f"{_g(p[ef1['synthetic']].value)} x 44/28 kg N2O/kg N (IPCC 2019 Table 11.1)",
        f"直接N2O：{synthetic_zh} {per_zh}；× EF1 {_g(p[ef1['synthetic']].value)} × 44/28 "
        "kg N2O/kg N（IPCC 2019 表11.1）")
    add(data.direct_process("organic", ef1_switch), organic_n * per, "kg", "production",
        f"direct N2O: {organic_text} {per_text}; x EF1 {_g(p[ef1['organic']].value)} x 44/28 kg "
        "N2O/kg N (IPCC 2019 Table 11.1)",
        f"直接N2O：{organic_zh} {per_zh}；× EF1 {_g(p[ef1['organic']].value)} × 44/28 "
        "kg N2O/kg N（IPCC 2019 表11.1）")
    add(data.volatilisation_process("synthetic", ef4_switch), synthetic_n * per, "kg",
        "production", f"indirect N2O, volatilisation: {_g(synthetic_n)} kg synthetic N/ha "
        f"{per_text}; x FracGASF {_g(p['FracGASF'].value)} x EF4 {_g(p[ef4].value)} x 44/28 "
        "(IPCC 2019 Table 11.3)",
        f"间接N2O（氨挥发）：每公顷化肥氮 {_g(synthetic_n)} kg {per_zh}；× FracGASF "
        f"{_g(p['FracGASF'].value)} × EF4 {_g(p[ef4].value)} × 44/28（IPCC 2019 表11.3）")
    add(data.volatilisation_process("organic", ef4_switch), organic_n * per, "kg",
        "production", f"indirect N2O, volatilisation: {organic_text} {per_text}; x FracGASM "
        f"{_g(p['FracGASM'].value)} x EF4 {_g(p[ef4].value)} x 44/28 (IPCC 2019 Table 11.3)",
        f"间接N2O（氨挥发）：{organic_zh} {per_zh}；× FracGASM {_g(p['FracGASM'].value)} × "
        f"EF4 {_g(p[ef4].value)} × 44/28（IPCC 2019 表11.3）")
    add(data.LEACHING, (synthetic_n + organic_n) * per, "kg", "production",
        f"indirect N2O, leaching: ({_g(synthetic_n)} synthetic + {_g(organic_n)} organic) kg N/ha "
        f"{per_text}; x FracLEACH-(H) {_g(p['FracLEACH_H'].value)} x EF5 {_g(p['EF5'].value)} "
        "x 44/28 (IPCC 2019 Table 11.3)",
        f"间接N2O（淋溶径流）：每公顷（化肥氮 {_g(synthetic_n)} + 有机肥氮 {_g(organic_n)}）kg "
        f"{per_zh}；× FracLEACH-(H) {_g(p['FracLEACH_H'].value)} × EF5 {_g(p['EF5'].value)} "
        "× 44/28（IPCC 2019 表11.3）")

    # production: CO2 from urea hydrolysis, per kg urea
    urea_kg = sum(e["kg_per_ha"] for e in parameters["fertilisers"]
                  if data.products()[e["product"]].urea)
    add(data.UREA_CO2, urea_kg * per, "kg", "production",
        f"{_g(urea_kg)} kg urea/ha {per_text}; x {_g(p['EF_urea'].value)} t C/t urea x 44/12 "
        "(IPCC 2006 Vol. 4 Eq. 11.13)",
        f"每公顷尿素 {_g(urea_kg)} kg {per_zh}；× {_g(p['EF_urea'].value)} t C/t 尿素 × 44/12"
        "（IPCC 2006 第4卷 式11.13）")

    # production: orchard machinery and irrigation
    add("diesel", parameters["diesel_kg_per_ha"] * per, "kg", "production",
        f"{_g(parameters['diesel_kg_per_ha'])} kg diesel/ha {per_text}",
        f"每公顷柴油 {_g(parameters['diesel_kg_per_ha'])} kg {per_zh}")
    add("electricity", parameters["irrigation_kwh_per_ha"] * per, "kWh", "production",
        f"irrigation {_g(parameters['irrigation_kwh_per_ha'])} kWh/ha {per_text}; grid factor of "
        "the BOM's region and factor year",
        f"每公顷灌溉用电 {_g(parameters['irrigation_kwh_per_ha'])} kWh {per_zh}；按物料清单所填"
        "地区和因子年份的电网排放因子")

    # packhouse gate: corrugated board (packaging) and road transport to the packhouse
    if parameters["gate"] == "packhouse_gate":
        board = parameters["corrugated_board_kg_per_kg"]
        add(data.BOARD_PROCESS, board, "kg", "packaging",
            f"corrugated board {_g(board)} kg per kg packed fruit",
            f"每千克装箱果品用瓦楞纸箱 {_g(board)} kg")
        km = parameters["packhouse_distance_km"]
        add("road_freight", km / 1000, "tkm", "distribution",
            f"orchard to packhouse: 1 kg fruit = 0.001 t x {_g(km)} km by road",
            f"果园运往包装厂：1 kg 果品 = 0.001 t × 公路 {_g(km)} km")
    return out
