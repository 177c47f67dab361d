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
    anchors = data["anchors"]
    rationale = (
        "Provisional bands, no official Chinese benchmark for crude steel exists. Anchors "
        f"(FACTORS.md section 9): worldsteel global average {anchors['world_average_kg_co2_per_t']}"
        f" kg CO2/t crude steel (2021, 2022 data; seen), BF-BOF route about "
        f"{anchors['bf_bof_kg_co2_per_t']} and scrap EAF about "
        f"{anchors['scrap_eaf_kg_co2_per_t']} (recalled). A: at most about midway between "
        "scrap EAF and the world average; B: at most the world average; C: at most typical "
        "BF-BOF; D: above. Bands apply to crude steel only, not to vanadium products.")
    return Grading(bands, data["unit"], dataset.source(), rationale, provisional=True,
                   applies_when={"product": ("crude_steel",)})
