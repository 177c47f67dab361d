"""The category's datasets, read only through its own catalog (lca_data/steel_vanadium/, a
hash-checked manifest), which the plugin registers."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from footprint import Catalog, GradeBand, Grading, processes_from_csv

CATALOG = Catalog("lca_data", "steel_vanadium")

CARBON_CONTENTS = "steel_vanadium_carbon_contents"
UPSTREAM = "steel_vanadium_tier1_upstream"
FERROALLOYS = "steel_vanadium_tier1_ferroalloys"
VANADIUM = "steel_vanadium_vanadium_indicative"
GRADING = "steel_vanadium_grading"
PROCESS_DATASETS = (UPSTREAM, FERROALLOYS, VANADIUM)

# process ids (rows of the process CSVs)
PURCHASED_COKE = "steel_vanadium.purchased_coke"
PURCHASED_SINTER = "steel_vanadium.purchased_sinter"
PURCHASED_PELLET = "steel_vanadium.purchased_pellet"
FERROSILICON = "steel_vanadium.ferrosilicon"
SILICOMANGANESE = "steel_vanadium.silicomanganese"
VANADIUM_SLAG = "steel_vanadium.vanadium_slag"
SLAG_CREDIT = "steel_vanadium.vanadium_slag_credit"
V2O5 = "steel_vanadium.v2o5"
ELECTROLYTE = "steel_vanadium.vanadium_electrolyte"


@lru_cache(maxsize=1)
def carbon_contents() -> dict[str, float]:
    """kg C per kg of each material of the carbon balance (IPCC 2006 Vol. 3 Table 4.3)."""
    return {row["material"]: float(row["kg_c_per_kg"])
            for row in CATALOG.dataset(CARBON_CONTENTS).rows()}


# Datasets whose processes stand in for the supplier's own route (their manifests say "proxy"):
# a related technology, for the lines' data quality
PROXY_DATASETS = (UPSTREAM, VANADIUM)


def processes() -> list:
    return [replace(process, source=replace(process.source, technology="related"))
            if dataset_id in PROXY_DATASETS else process
            for dataset_id in PROCESS_DATASETS
            for process in processes_from_csv(CATALOG.dataset(dataset_id))]


@lru_cache(maxsize=1)
def process_factors() -> dict[str, float]:
    """Each process's single emission amount (kg of its flow per kg), for notes and labels."""
    factors = {}
    for process in processes():
        (_flow, amount), = process.emissions
        factors[process.id] = amount
    return factors


@lru_cache(maxsize=1)
def process_confidence() -> dict[str, str]:
    return {process.id: process.source.confidence for process in processes()}


def grading() -> Grading:
    dataset = CATALOG.dataset(GRADING)
    data = dataset.json()
    bands = tuple(GradeBand(b["grade"], b["up_to"], b["label_zh"], b["label_en"])
                  for b in data["bands"])
    # The anchors as a reader is told them; which were read in worldsteel's figures and which
    # are remembered route figures is in the dataset's manifest (source, confidence).
    anchors = {"world": data["anchors"]["world_average_kg_co2_per_t"],
               "bf_bof": data["anchors"]["bf_bof_kg_co2_per_t"],
               "eaf": data["anchors"]["scrap_eaf_kg_co2_per_t"]}
    (a, a_up), (b, b_up), (c, c_up), (d, _) = ((band.grade, band.up_to) for band in bands)
    limits = dict(a=a, b=b, c=c, d=d, a_up=a_up, b_up=b_up, c_up=c_up, **anchors)
    rationale = (
        "No official Chinese benchmark for crude steel exists, so these bands are provisional. "
        "They are anchored on the World Steel Association's global average of {world:,} kg CO2 "
        "per t of crude steel (2021 and 2022 data) and on typical figures for the two main "
        "routes: about {bf_bof:,} kg for the blast furnace and basic oxygen furnace and about "
        "{eaf:,} kg for scrap melted in an electric arc furnace. {a} up to {a_up:,} kg CO2e per "
        "t (about midway between scrap steel and the world average), {b} up to {b_up:,} (the "
        "world average), {c} up to {c_up:,} (the blast furnace route), {d} above; a footprint "
        "below the scrap route's {eaf:,} kg is marked as below the published range: inputs may "
        "be missing. The bands are for crude steel only, not for vanadium products."
    ).format(**limits)
    rationale_zh = (
        "粗钢尚无官方的中国基准，以下分级为暂行。分级以世界钢铁协会公布的全球平均值每吨粗钢 "
        "{world} kg CO2（2021 与 2022 年数据）及两种主要工艺的典型值为依据：高炉—转炉长流程约 "
        "{bf_bof} kg，废钢电炉短流程约 {eaf} kg。{a} 不超过每吨 {a_up} kg CO2e（约为废钢电炉与"
        "全球平均值的中点），{b} 不超过 {b_up}（全球平均值），{c} 不超过 {c_up}（高炉—转炉流程），"
        "{d} 高于此；低于废钢电炉流程 {eaf} kg 的碳足迹标注为低于文献范围，可能缺少投入。分级仅适用"
        "于粗钢，不适用于钒产品。").format(**limits)
    # the routes' range: scrap in an electric arc furnace to the blast furnace
    return Grading(bands, data["unit"], dataset.source(), rationale, provisional=True,
                   applies_when={"product": ("crude_steel",)}, rationale_zh=rationale_zh,
                   published_range=(anchors["eaf"], anchors["bf_bof"]),
                   unit_zh="kg CO2e/t 粗钢")  # grading_bands.json's "kg CO2e/t crude steel"
