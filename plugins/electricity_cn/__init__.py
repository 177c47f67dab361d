"""China's grid electricity: national, the regional grids and the provinces (MEE/NBS).

Location-based factors are CO2-only consumption-side factors for data years 2021-2023; the
market-based basis uses the national factor excluding market-traded non-fossil power (for
buyers whose green power is accounted separately); the life-cycle basis uses the national
electricity carbon-footprint factor (CO2e). Tibet has no published factor: its regional grid
(Southwest) stands in, and every result that uses it says so.

The MEE table is versioned (MEE-2021, MEE-2022, MEE-2023: the table as it stood after each
announcement); the selected data version decides which release is read, and so which data
years exist.
"""
from __future__ import annotations

from footprint import Catalog, ElectricityFactor, Message, Region, Text, hookimpl

# lca_data/electricity/ is shared with electricity_intl: each registers the datasets it reads
CATALOG = Catalog("lca_data", "electricity",
                  datasets=("cn_grid_co2_mee", "cn_electricity_footprint"))

GRIDS = {  # name in the MEE table -> (code, Chinese name, English name)
    "华北": ("CN-GRID-NORTH", "华北电网", "North China grid"),
    "东北": ("CN-GRID-NORTHEAST", "东北电网", "Northeast grid"),
    "华东": ("CN-GRID-EAST", "华东电网", "East China grid"),
    "华中": ("CN-GRID-CENTRAL", "华中电网", "Central China grid"),
    "西北": ("CN-GRID-NORTHWEST", "西北电网", "Northwest grid"),
    "南方": ("CN-GRID-SOUTH", "南方电网", "South grid"),
    "西南": ("CN-GRID-SOUTHWEST", "西南电网", "Southwest grid"),
}
ANNOUNCEMENTS = {
    2021: "MEE announcement 2024 No. 12 (2024-04-12), 2021 data",
    2022: "MEE announcement 2024 No. 33 (2024-12-20), 2022 data",
    2023: "MEE announcement 2025 No. 47 (2025-12-31), 2023 data",
}
LEVEL_BASIS = {"national": "location", "national_excl_market_nonfossil": "market",
               "region": "location", "province": "location"}


def _grid_codes(grid_zh: str) -> tuple[str, ...]:
    return tuple(GRIDS[name][0] for name in grid_zh.split("/") if name)


def _table():
    return CATALOG.dataset("cn_grid_co2_mee")


@hookimpl(trylast=True)
def register_datasets(registry):
    return [CATALOG]


@hookimpl(trylast=True)
def register_regions(registry):
    regions = [Region("CN", "中国", "China", "country", country="CN")]
    for code, name_zh, name_en in GRIDS.values():
        regions.append(Region(code, name_zh, name_en, "grid", country="CN", fallback=("CN",)))
    for row in _table().rows():
        if row["level"] != "province":
            continue
        grids = _grid_codes(row["grid_zh"])
        # An earlier release of the table lacks the later years' columns (footprint.data).
        published = any(row.get(f"ef_{year}") for year in ANNOUNCEMENTS)
        note = "" if published else Message(
            "MEE publishes no grid factor for %(region)s; the factor of its regional grid "
            "(%(grid)s) stands in", zh="生态环境部未发布%(region)s的电网排放因子，以其所属"
            "区域电网（%(grid)s）的因子代替", region=Text(row["name_zh"], row["name_en"]),
            grid=Text(GRIDS[row["grid_zh"]][1], GRIDS[row["grid_zh"]][2]))
        regions.append(Region(row["iso_3166_2"], row["name_zh"], row["name_en"], "province",
                              country="CN", grids=grids, fallback=grids + ("CN",),
                              fallback_note=note))
    return regions


@hookimpl(trylast=True)
def register_electricity_factors(registry):
    table = _table()
    factors = []
    for row in table.rows():
        basis = LEVEL_BASIS.get(row["level"])
        if basis is None:
            continue  # the national fossil-only factor is not an electricity purchase basis
        code = row["iso_3166_2"] or GRIDS[row["name_zh"]][0]
        for year, announcement in ANNOUNCEMENTS.items():
            value = row.get(f"ef_{year}")
            if value:
                factors.append(ElectricityFactor(code, year, basis, float(value), "CO2_fossil",
                                                 table.source(announcement)))
    footprint = CATALOG.dataset("cn_electricity_footprint")
    for row in footprint.rows():
        factors.append(ElectricityFactor("CN", int(row["year"]), "lifecycle",
                                         float(row["kg_co2e_per_kwh"]), "CO2e_aggregated",
                                         footprint.source(row["announcement"])))
    return factors
