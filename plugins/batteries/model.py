"""Validated parameters -> BOM lines per kWh of battery capacity.

Each line is either a study default or the producer's primary data; ``plan`` keeps that
mark beside the line so the label can report which inputs were primary and their CO2e share.
A line's note says where its number comes from, in English (``note``) and Chinese
(``note_zh``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import (COMPONENTS, NATURAL_GAS, PRIMARY, STUDIES, STUDY_SCOPE, cell_energy,
                   default_groups, processes, study_basis)


@dataclass(frozen=True)
class Planned:
    line: dict  # a BOM line dict, per 1 kWh of capacity
    input_name: str  # what it stands for, e.g. "cathode_active_material", "cell_electricity"
    primary: bool  # the producer's own data (True) or a study default (False)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


@lru_cache(maxsize=None)
def _name_zh(process_id: str) -> str:
    """A default group's name in Chinese: its process's, without the bracketed detail at its
    end (三元(NMC)电池材料与部件(正极、…) -> 三元(NMC)电池材料与部件)."""
    names = {p.id: p.name_zh for p in processes()}
    name = names.get(process_id, process_id)
    return name.rsplit("(", 1)[0] if name.endswith(")") else name


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4g}"


def basis_notes(dataset_id: str) -> tuple[str, str]:
    """What a study's total covers and how far its defaults fall below it (English, Chinese)."""
    b = study_basis()[dataset_id]
    (covers_en, covers_zh), (removed_en, removed_zh) = (STUDY_SCOPE[dataset_id]["covers"],
                                                        STUDY_SCOPE[dataset_id]["removed"])
    en = (f"The study's {_fmt(b.total)} kg CO2e {covers_en}. The defaults leave out {removed_en} "
          f"({_pct(b.electricity_share)} % = {_fmt(b.removed)} kg): they total {_fmt(b.kept)} kg, "
          f"{_pct(b.below)} % below {_fmt(b.total)}; only cell-plant energy is added back, on the "
          "BOM region's grid.")
    zh = (f"口径：该研究的 {_fmt(b.total)} kg CO2e {covers_zh}。默认值未计入{removed_zh}"
          f"（{_pct(b.electricity_share)}%，{_fmt(b.removed)} kg），合计 {_fmt(b.kept)} kg，"
          f"比 {_fmt(b.total)} 低 {_pct(b.below)}%；模型只把电芯工厂的能耗作为用电行，"
          "按物料清单所在地区的电网因子加回。")
    return en, zh


def _name_en(name: str) -> str:
    """A default group's name in a note: without its bracketed list of what it covers (the
    dataset names it) and "per kWh of capacity (default)", which the note says itself."""
    return name.replace(", per kWh of capacity", "").replace(" (default)", "").split(" (")[0]


def plan(p: dict) -> list[Planned]:
    """Lines for 1 kWh of capacity from validated parameters ``p``."""
    chemistry = p["chemistry"]
    given = {k: v for k, v in (p.get("primary_components") or {}).items() if v is not None}
    out: list[Planned] = []
    for group in default_groups()[chemistry]:
        if all(c in given for c in group.covers):
            for component in group.covers:
                value = given[component]
                out.append(Planned({
                    "input": PRIMARY, "amount": value, "unit": "kg", "stage": group.stage,
                    "note": f"{COMPONENTS[component][0]}: primary data, supplier-declared "
                            f"{_fmt(value)} kg CO2e per kWh of capacity",
                    "note_zh": f"{COMPONENTS[component][1]}：初级数据，供应商声明每千瓦时容量 "
                               f"{_fmt(value)} kg CO2e"}, component, True))
        else:
            basis_en, basis_zh = basis_notes(group.dataset)
            out.append(Planned({
                "input": group.process, "amount": 1.0, "unit": "kWh", "stage": group.stage,
                "note": f"{_name_en(group.name_en)}: default {_fmt(group.kg_co2e)} kg CO2e per kWh "
                        f"({STUDIES[group.dataset][1]}). {basis_en}",
                "note_zh": f"{_name_zh(group.process)}：文献默认值每千瓦时 "
                           f"{_fmt(group.kg_co2e)} kg CO2e（{STUDIES[group.dataset][0]}）。{basis_zh}"},
                group.component, False))

    study_energy = cell_energy()[chemistry]
    heat = p.get("cell_heat_kwh_per_kwh")
    electricity = p.get("cell_electricity_kwh_per_kwh")
    if electricity is not None:
        out.append(Planned({"input": "electricity", "amount": electricity, "unit": "kWh",
                            "stage": "production",
                            "note": f"cell manufacturing electricity: primary data, metered "
                                    f"{_fmt(electricity)} kWh per kWh of capacity",
                            "note_zh": f"电芯制造用电：初级数据，实测每千瓦时容量 "
                                       f"{_fmt(electricity)} kWh"},
                           "cell_electricity", True))
    else:
        amount = max(0.0, study_energy - (heat or 0.0))
        formula = (f"{_fmt(study_energy)} kWh energy per kWh of cell ({chemistry}, Degen et al. 2023)"
                   + (f" - {_fmt(heat)} kWh metered natural gas" if heat else "")
                   + f" = {_fmt(amount)} kWh, counted as grid electricity")
        formula_zh = (f"每千瓦时电芯能耗 {_fmt(study_energy)} kWh（{chemistry}，Degen 等 2023）"
                      + (f" − 实测天然气 {_fmt(heat)} kWh" if heat else "")
                      + f" = {_fmt(amount)} kWh，按电网电力计")
        out.append(Planned({"input": "electricity", "amount": amount, "unit": "kWh",
                            "stage": "production", "note": f"cell manufacturing energy, default: {formula}",
                            "note_zh": f"电芯制造能耗，默认值：{formula_zh}"},
                           "cell_electricity", False))
    if heat:
        out.append(Planned({"input": NATURAL_GAS, "amount": heat, "unit": "kWh", "stage": "production",
                            "note": f"cell manufacturing heat: primary data, metered {_fmt(heat)} kWh "
                                    "natural gas (NCV) per kWh of capacity x 0.20196 kg CO2/kWh",
                            "note_zh": f"电芯制造用热：初级数据，实测每千瓦时容量天然气 {_fmt(heat)} "
                                       "kWh（低位热值）× 0.20196 kg CO2/kWh"},
                           "cell_heat", True))
    assembly = p.get("pack_assembly_electricity_kwh_per_kwh") or 0.0
    if assembly:
        out.append(Planned({"input": "electricity", "amount": assembly, "unit": "kWh",
                            "stage": "production",
                            "note": f"pack assembly electricity: primary data, metered {_fmt(assembly)} "
                                    "kWh per kWh of capacity",
                            "note_zh": f"电池包组装用电：初级数据，实测每千瓦时容量 {_fmt(assembly)} kWh"},
                           "pack_assembly", True))
    km = p.get("distribution_km") or 0.0
    if km:
        mass = p["pack_mass_kg_per_kwh"]
        tkm = km * mass / 1000
        out.append(Planned({"input": "road_freight", "amount": tkm, "unit": "tkm",
                            "stage": "distribution",
                            "note": f"distribution by road: {_fmt(km)} km x {_fmt(mass)} kg per kWh / "
                                    f"1000 = {_fmt(tkm)} tkm",
                            "note_zh": f"公路分销：{_fmt(km)} km × 每千瓦时 {_fmt(mass)} kg ÷ 1000 = "
                                       f"{_fmt(tkm)} 吨公里"}, "distribution", True))
    eol = p.get("end_of_life_kg_co2e_per_kwh")
    if eol is not None:
        out.append(Planned({"input": PRIMARY, "amount": eol, "unit": "kg", "stage": "end_of_life",
                            "note": f"end of life and recycling: primary data, recycler-declared "
                                    f"{_fmt(eol)} kg CO2e per kWh of capacity",
                            "note_zh": f"报废与回收：初级数据，回收商声明每千瓦时容量 {_fmt(eol)} kg CO2e"},
                           "end_of_life", True))
    for planned in out:  # the producer's own data is rated as primary data in the result
        if planned.primary:
            planned.line["primary"] = True
    return out
