"""Export markets: life-cycle carbon intensity 2023 of electricity generation in the EU-27,
the EU average, the UK, Norway and Switzerland (Ember), for producers who report against a
buyer's grid.

Ember's figures include upstream methane, supply chain and manufacturing, all gases as CO2e,
so they are booked as aggregated CO2e (a life-cycle scope, see footprint.engine.scopes), not
as fossil CO2: they are not like for like with China's grid factors of CO2 at the plant."""
from __future__ import annotations

from footprint import Catalog, ElectricityFactor, Region, hookimpl

DATASET = "ember_2023_europe"
YEAR = 2023
# lca_data/electricity/ is shared with electricity_cn: each registers the datasets it reads
CATALOG = Catalog("lca_data", "electricity", datasets=(DATASET,))


@hookimpl(trylast=True)
def register_datasets(registry):
    return [CATALOG]


@hookimpl(trylast=True)
def register_regions(registry):
    return [Region(row["iso_3166_1"], row["name_zh"], row["name_en"],
                   "union" if row["iso_3166_1"] == "EU" else "country",
                   country=row["iso_3166_1"])
            for row in CATALOG.dataset(DATASET).rows()]


@hookimpl(trylast=True)
def register_electricity_factors(registry):
    table = CATALOG.dataset(DATASET)
    return [ElectricityFactor(row["iso_3166_1"], YEAR, "location",
                              float(row["g_co2e_per_kwh"]) / 1000.0,  # g -> kg per kWh
                              "CO2e_aggregated", table.source())
            for row in table.rows()]
