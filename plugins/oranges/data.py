"""The oranges category's data, read only through the manifest (lca_data/oranges/).

Every number lives in a CSV or JSON file with its citation; this module only converts units
(t CE -> kg CO2e with 44/12, N2O-N -> N2O with 44/28, per t -> per kg) and names processes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from footprint import (Catalog, GradeBand, Grading, Process, Source, product_range,
                       published_range)

CATALOG = Catalog("lca_data", "oranges")  # registered by the plugin: see register_datasets

FIELD = "oranges_field_n2o_ipcc2019"
FERTILISER = "oranges_fertiliser_chen2015"
PRODUCTS = "oranges_fertiliser_products"
PESTICIDES = "oranges_pesticides_lal2004"
BOARD = "oranges_corrugated_board_fefco"
GRADING = "oranges_grading_provisional"

# Molar-mass ratios (stoichiometry, not emission factors).
CO2_PER_C = 44 / 12
N2O_PER_N2O_N = 44 / 28

PREFIX = "oranges/"
FERTILISER_PREFIX = PREFIX + "fertiliser/"
FIELD_PREFIX = PREFIX + "field_n2o/"
PESTICIDE_PREFIX = PREFIX + "pesticide/"
UREA_CO2 = PREFIX + "urea_co2"
BOARD_PROCESS = PREFIX + "corrugated_board"
LEACHING = FIELD_PREFIX + "leaching"

# Which IPCC parameter each switch value selects (the values themselves are in the CSV).
EF1_KEYS = {"aggregated": {"synthetic": "EF1", "organic": "EF1"},
            "wet_climate": {"synthetic": "EF1_FSN_wet", "organic": "EF1_FON_wet"}}
EF4_KEYS = {"aggregated": "EF4", "wet_climate": "EF4_wet", "dry_climate": "EF4_dry"}
FRAC_GAS_KEYS = {"synthetic": "FracGASF", "organic": "FracGASM"}
# One climate drives both factors that IPCC 2019 disaggregates by climate (Table 11.1 EF1,
# Table 11.3 EF4): (EF1 switch, EF4 switch). No dry climate: the shipped data has no
# dry-climate EF1, and a dry EF4 beside a wet or aggregated EF1 would pair climates again.
CLIMATE_KEYS = {"wet": ("wet_climate", "wet_climate"), "aggregated": ("aggregated", "aggregated")}


def field_switches(parameters: dict) -> tuple[str, str]:
    """(EF1 switch, EF4 switch): the climate's, unless ``ef1`` or ``ef4`` is set by hand."""
    ef1, ef4 = CLIMATE_KEYS[parameters["climate"]]
    return parameters.get("ef1") or ef1, parameters.get("ef4") or ef4


def same_climate(ef1: str, ef4: str) -> bool:
    return (ef1, ef4) in CLIMATE_KEYS.values()

NUTRIENT_FIELDS = {"N": "n_pct", "P2O5": "p2o5_pct", "K2O": "k2o_pct"}  # parameter names
ABSENT = "-"  # in fertiliser_products.csv: the product carries none of this nutrient


def direct_process(source: str, ef1: str) -> str:
    return f"{FIELD_PREFIX}direct_{source}/{ef1}"


def volatilisation_process(source: str, ef4: str) -> str:
    return f"{FIELD_PREFIX}volatilisation_{source}/{ef4}"


@dataclass(frozen=True)
class Parameter:
    key: str
    value: float
    unit: str
    reference: str
    confidence: str
    low: float | None = None  # the published uncertainty range, where one is shipped
    high: float | None = None

    def cite(self) -> str:
        return f"{self.key} = {self.value:g} {self.unit} (IPCC {self.reference})"


@dataclass(frozen=True)
class Product:
    id: str
    name_en: str
    name_zh: str
    contents: dict  # nutrient -> cited default %, None (must be stated) or ABSENT
    manufacture: dict  # nutrient -> fertiliser key of Chen et al. 2015 ("" = none)
    urea: bool
    content_source: str


@lru_cache(maxsize=1)
def field_parameters() -> dict[str, Parameter]:
    return {row["parameter"]: Parameter(row["parameter"], float(row["value"]), row["unit"],
                                        row["ipcc_reference"], row["confidence"],
                                        _bound(row["low"]), _bound(row["high"]))
            for row in CATALOG.dataset(FIELD).rows()}


def _bound(cell: str) -> float | None:
    return float(cell) if cell.strip() else None


def combined_range(used: list[Parameter]) -> tuple[float, float] | None:
    """The range of a product of parameters, as multiples of its value (footprint's
    product_range); None when any lacks a range or reaches 0."""
    return product_range([published_range({"low": u.low, "value": u.value, "high": u.high})
                          if u.low is not None else None for u in used])


@lru_cache(maxsize=1)
def fertiliser_rows() -> dict[str, dict]:
    return {row["key"]: row for row in CATALOG.dataset(FERTILISER).rows()}


def _content(cell: str):
    cell = cell.strip()
    if cell == ABSENT:
        return ABSENT
    return float(cell) if cell else None


@lru_cache(maxsize=1)
def products() -> dict[str, Product]:
    out = {}
    for row in CATALOG.dataset(PRODUCTS).rows():
        out[row["product"]] = Product(
            row["product"], row["name_en"], row["name_zh"],
            {"N": _content(row["n_pct"]), "P2O5": _content(row["p2o5_pct"]),
             "K2O": _content(row["k2o_pct"])},
            {"N": row["n_manufacture"], "P2O5": row["p2o5_manufacture"],
             "K2O": row["k2o_manufacture"]},
            row["urea"] == "yes", row["content_source"])
    return out


PRODUCT_IDS = tuple(products())


# -- background processes -----------------------------------------------------------------

def _fertiliser_processes() -> list[Process]:
    dataset = CATALOG.dataset(FERTILISER)
    processes = []
    for row in dataset.rows():
        per_kg = float(row["t_ce_per_t_nutrient"]) * CO2_PER_C
        detail = (f"Chen, Lu, Wang (2015) Acta Ecologica Sinica 35(19):6371-6383, "
                  f"{row['chen_term']}: {row['t_ce_per_t_nutrient']} t CE/t {row['nutrient']} "
                  f"x 44/12 = {per_kg:.4f} kg CO2e/kg {row['nutrient']}")
        processes.append(Process(FERTILISER_PREFIX + row["key"], row["name_en"], row["name_zh"],
                                 "kg", (("CO2e_aggregated", per_kg),), dataset.source(detail)))
    return processes


def _field_processes() -> list[Process]:
    p = field_parameters()
    entry = CATALOG.dataset(FIELD).entry
    citation = f"{entry['publisher']}: 2019 Refinement to the 2006 IPCC Guidelines, Vol. 4, Ch. 11"

    def process(pid, name_en, name_zh, unit, flow, factors, keys):
        value = 1.0
        for factor in factors:
            value *= factor
        used = [p[k] for k in keys]
        arithmetic = " x ".join([f"{u.key} {u.value:g}" for u in used]
                                + (["44/28"] if flow == "N2O" else ["44/12"]))
        text = (f"{citation}: {arithmetic} = {value:.6g} kg {flow}/kg "
                f"{'urea' if flow == 'CO2_fossil' else 'N applied'}; "
                + "; ".join(f"{u.key}: {u.reference}" for u in used))
        confidence = min((u.confidence for u in used), key=_rank)
        return Process(pid, name_en, name_zh, unit, ((flow, value),),
                       Source(FIELD, text, confidence, range=combined_range(used)))

    processes = []
    for choice, keys in EF1_KEYS.items():
        for source in ("synthetic", "organic"):
            key = keys[source]
            processes.append(process(
                direct_process(source, choice),
                f"Direct soil N2O from {source} N ({choice.replace('_', ' ')} EF1), per kg N",
                f"{'化肥' if source == 'synthetic' else '有机肥'}氮直接N2O排放（每千克氮）", "kg", "N2O",
                (p[key].value, N2O_PER_N2O_N), (key,)))
    for choice, ef4 in EF4_KEYS.items():
        for source, frac in FRAC_GAS_KEYS.items():
            processes.append(process(
                volatilisation_process(source, choice),
                f"Indirect N2O from volatilised {source} N ({choice.replace('_', ' ')} EF4), "
                "per kg N applied",
                f"{'化肥' if source == 'synthetic' else '有机肥'}氮挥发间接N2O排放（每千克氮）", "kg",
                "N2O", (p[frac].value, p[ef4].value, N2O_PER_N2O_N), (frac, ef4)))
    processes.append(process(
        LEACHING, "Indirect N2O from leached and run-off N, per kg N applied",
        "氮淋溶径流间接N2O排放（每千克氮）", "kg", "N2O",
        (p["FracLEACH_H"].value, p["EF5"].value, N2O_PER_N2O_N), ("FracLEACH_H", "EF5")))
    processes.append(process(
        UREA_CO2, "CO2 from urea hydrolysis after application, per kg urea",
        "尿素施用后水解释放的CO2（每千克尿素）", "kg", "CO2_fossil",
        (p["EF_urea"].value, CO2_PER_C), ("EF_urea",)))
    return processes


def _rank(confidence: str) -> int:
    """Order confidences so a derived factor carries its weakest input's mark."""
    for rank, word in enumerate(("low", "medium", "high")):
        if confidence.startswith(word):
            return rank
    return 0


def _pesticide_processes() -> list[Process]:
    dataset = CATALOG.dataset(PESTICIDES)
    processes = []
    for row in dataset.rows():
        per_kg = float(row["kg_ce_per_kg_ai"]) * CO2_PER_C
        detail = (f"Lal (2004) Environment International 30:981-990: {row['key']}s "
                  f"{row['kg_ce_per_kg_ai']} kg CE/kg a.i. x 44/12 = {per_kg:.4g} kg CO2e/kg a.i.")
        # a US synthesis study standing in for Chinese production: a related technology
        source = replace(dataset.source(detail), geography="US", technology="related")
        processes.append(Process(PESTICIDE_PREFIX + row["key"], row["name_en"], row["name_zh"],
                                 "kg", (("CO2e_aggregated", per_kg),), source))
    return processes


def _board_processes() -> list[Process]:
    dataset = CATALOG.dataset(BOARD)
    processes = []
    for row in dataset.rows():
        per_kg = float(row["kg_co2e_per_t"]) / 1000
        detail = (f"FEFCO/Cepi ContainerBoard European Database for Corrugated Board Life Cycle "
                  f"Studies 2021 (2020 data): {row['kg_co2e_per_t']} kg CO2e/t / 1000 = "
                  f"{per_kg:g} kg CO2e/kg (European average as a proxy)")
        source = replace(dataset.source(detail), geography="EU", year=2020)  # 2020 data
        processes.append(Process(PREFIX + row["key"], row["name_en"], row["name_zh"], "kg",
                                 (("CO2e_aggregated", per_kg),), source))
    return processes


def processes() -> list[Process]:
    return (_fertiliser_processes() + _field_processes() + _pesticide_processes()
            + _board_processes())


# -- grading ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def grading_data() -> dict:
    return CATALOG.dataset(GRADING).json()


# The study the bands are built on, as a reader is told it (its full reference, and how the
# bands were derived from its range, are in the dataset's manifest and its "rationale").
YAN_2016 = ("Yan et al. 2016, Farm and product carbon footprints of China's fruit production",
            "Yan 等 2016 年对中国五种主要水果代表性果园的生命周期研究")


# the grading's unit (grading_provisional.json's "kg CO2e/kg fruit") in Chinese
UNIT_ZH = "kg CO2e/kg 鲜果"


def grading() -> Grading:
    dataset = CATALOG.dataset(GRADING)
    raw = dataset.json()
    bands = tuple(GradeBand(b["grade"], b["up_to"], b["label_zh"], b["label_en"])
                  for b in raw["bands"])
    low, high = raw["literature_range"]["low"], raw["literature_range"]["high"]
    steps = [b for b in bands if b.up_to is not None]
    last = bands[-1].grade
    en = ("No official grading of citrus carbon footprints exists yet, so these bands are "
          "provisional. They are built on the range of product footprints published for "
          f"Chinese orchards, {low:g} to {high:g} kg CO2e per kg of fruit at the farm gate "
          f"({YAN_2016[0]}), divided into steps that each grow by the same factor: " + ", ".join(f"{b.grade} up to {b.up_to:.2f}" for b in steps) +
          f" kg CO2e per kg; {last} is above the published range, and a footprint below "
          f"{low:g} is marked as below it: inputs may be missing. They will be replaced when a "
          "platform or a standard publishes bands for citrus.")
    zh = ("柑橘碳足迹尚无官方分级，以下分级为暂行。分级以已发表的中国果园产品碳足迹范围为"
          f"依据：每千克鲜果（出园）{low:g}–{high:g} kg CO2e（{YAN_2016[1]}），按等比分档：" + "，".join(f"{b.grade} 不超过 {b.up_to:.2f}" for b in steps) +
          f" kg CO2e/kg；{last} 高于文献范围；低于 {low:g} 的碳足迹标注为低于文献范围，可能缺少投入。"
          "待有平台或标准发布柑橘分级后替换。")
    return Grading(bands, raw["unit"], dataset.source(), en, provisional=raw["provisional"],
                   rationale_zh=zh, published_range=(low, high), unit_zh=UNIT_ZH)
