"""The batteries plugin's datasets, read only through the hash-checked catalog.

Every number the model uses comes from a file in ``lca_data/batteries/`` listed in that folder's
``manifest.json`` with its source (and, for computed values, the arithmetic).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from footprint import Catalog, GradeBand, Grading, processes_from_csv

CATALOG = Catalog("lca_data", "batteries")  # registered by the plugin: see register_datasets

CHEMISTRIES = ("LFP", "NMC")
COMPONENT_DATASETS = ("batteries_lfp_components_lin2024", "batteries_nmc_components_hao2017")
PROCESS_DATASETS = COMPONENT_DATASETS + ("batteries_natural_gas_ipcc2006",
                                         "batteries_primary_passthrough")
# How a line's note cites each component study, in Chinese and English.
STUDIES = {"batteries_lfp_components_lin2024": ("Lin 等 2024", "Lin et al. 2024"),
           "batteries_nmc_components_hao2017": ("Hao 等 2017", "Hao et al. 2017")}
# What each study's own total covers and what the defaults leave out of it, as a line's note
# says it (English, Chinese); the numbers beside them are the manifest's (study_total_kg_co2e,
# study_electricity_share).
STUDY_SCOPE = {
    "batteries_lfp_components_lin2024": {
        "covers": ("is per kWh stored and delivered by a storage system, incl. installation and "
                   "end of life net of recycling credits, read here per kWh of capacity, cradle "
                   "to gate",
                   "是储能系统每储存并输出 1 千瓦时电量的排放，含安装及扣除回收抵减后的报废处理，"
                   "此处按每千瓦时容量、从摇篮到大门使用"),
        "removed": ("its electricity in manufacture and installation",
                    "其制造与安装环节的用电"),
    },
    "batteries_nmc_components_hao2017": {
        "covers": ("is for a 28 kWh EV pack, cradle to gate per kWh of capacity (China, 2016), "
                   "as here",
                   "是 28 千瓦时电动汽车电池包每千瓦时容量从摇篮到大门的排放（中国，2016 年），"
                   "与此处口径相同"),
        "removed": ("its whole electricity use, incl. electricity embodied in materials",
                    "其全部用电、包括材料生产中隐含的电力"),
    },
}
CELL_ENERGY = "batteries_cell_energy_degen2023"
BANDS = "batteries_performance_bands"

NATURAL_GAS = "batteries_natural_gas_combustion"
PRIMARY = "batteries_primary_co2e"

# The inputs the producer may replace with primary data (kg CO2e per kWh of capacity, from the
# supplier's verified footprint), with their names for people.
COMPONENTS = {
    "cathode_active_material": ("cathode active material", "正极活性材料"),
    "anode_graphite": ("anode graphite", "负极石墨"),
    "electrolyte": ("electrolyte", "电解液"),
    "separator": ("separator", "隔膜"),
    "copper_foil": ("copper foil", "铜箔"),
    "aluminium_foil": ("aluminium foil", "铝箔"),
    "casing": ("casing (cell, module and pack housings)", "壳体"),
    "bms": ("battery management system (BMS)", "电池管理系统"),
}


@dataclass(frozen=True)
class DefaultGroup:
    """One default line of a chemistry: a process per kWh of capacity covering some inputs."""

    process: str
    name_en: str
    chemistry: str
    component: str
    stage: str
    covers: tuple[str, ...]
    kg_co2e: float
    dataset: str


@lru_cache(maxsize=None)
def default_groups() -> dict[str, tuple[DefaultGroup, ...]]:
    """chemistry -> its default component groups, from the component datasets."""
    groups: dict[str, list[DefaultGroup]] = {c: [] for c in CHEMISTRIES}
    for dataset_id in COMPONENT_DATASETS:
        for row in CATALOG.dataset(dataset_id).rows():
            covers = tuple(row["covers"].split())
            unknown = [c for c in covers if c not in COMPONENTS]
            if unknown or row["chemistry"] not in groups:
                raise ValueError(f"{dataset_id}: bad row {row['process']}: {unknown or row['chemistry']}")
            groups[row["chemistry"]].append(DefaultGroup(
                row["process"], row["name_en"], row["chemistry"], row["component"], row["stage"],
                covers, float(row["amount"]), dataset_id))
    for chemistry, found in groups.items():
        covered = sorted(c for g in found for c in g.covers)
        if covered != sorted(COMPONENTS):
            raise ValueError(f"default groups of {chemistry} do not cover every component once")
    return {c: tuple(g) for c, g in groups.items()}


@dataclass(frozen=True)
class StudyBasis:
    """A component study's own total beside what the defaults keep of it (kg CO2e per kWh)."""

    dataset: str
    total: float  # the study's total, per its own functional unit
    electricity_share: float  # the share of it the defaults leave out, as the study gives it
    kept: float  # the sum of the study's default groups

    @property
    def removed(self) -> float:
        return self.total - self.kept

    @property
    def below(self) -> float:
        """How far the defaults fall below the study's total, as a fraction of it."""
        return self.removed / self.total


@lru_cache(maxsize=None)
def study_basis() -> dict[str, StudyBasis]:
    """dataset id -> its study's total and what the defaults keep (checked: the defaults are
    the total without its electricity share)."""
    kept: dict[str, float] = {}
    for found in default_groups().values():
        for group in found:
            kept[group.dataset] = kept.get(group.dataset, 0.0) + group.kg_co2e
    out = {}
    for dataset_id in COMPONENT_DATASETS:
        entry = CATALOG.dataset(dataset_id).entry
        basis = StudyBasis(dataset_id, float(entry["study_total_kg_co2e"]),
                           float(entry["study_electricity_share"]), kept[dataset_id])
        if abs(basis.removed - basis.total * basis.electricity_share) > 1e-6 * basis.total:
            raise ValueError(f"{dataset_id}: the defaults ({basis.kept}) are not the study's "
                             f"total ({basis.total}) without its electricity share")
        out[dataset_id] = basis
    return out


@lru_cache(maxsize=None)
def cell_energy() -> dict[str, float]:
    """chemistry -> kWh of energy to make 1 kWh of cells (Degen et al. 2023)."""
    return {row["chemistry"]: float(row["kwh_energy_per_kwh_cell"])
            for row in CATALOG.dataset(CELL_ENERGY).rows()}


def cell_energy_source() -> str:
    return CATALOG.dataset(CELL_ENERGY).entry["source"]


def processes():
    return [p for dataset_id in PROCESS_DATASETS
            for p in processes_from_csv(CATALOG.dataset(dataset_id))]


@lru_cache(maxsize=None)
def bands() -> dict:
    return CATALOG.dataset(BANDS).json()


# The published cradle-to-gate footprints of lithium-ion batteries the capacity bands are
# spread over, kg CO2e per kWh of capacity: about 50 to 120 (performance_bands.json's
# rationale: Xu et al. 2022 cells 41-89, Lin et al. 2024 90.8, Hao et al. 2017 packs 104-109).
PUBLISHED_RANGE = (50, 120)
# What the bands are, as a reader is told it (how they were set, and where the figures were
# read, is in the dataset's manifest and in performance_bands.json)
EU_CLASSES = (
    "Regulation (EU) 2023/1542 on batteries (Article 7) leaves the carbon footprint "
    "performance classes to a delegated act that has not been adopted yet, so these bands are "
    "the platform's own and provisional; they will be replaced by the EU classes.",
    "欧盟电池法规（(EU) 2023/1542 第7条）规定的碳足迹性能等级须由尚未通过的授权法案确定，"
    "故以下分级为平台自定的暂行分级，欧盟等级确定后替换。")
# Each grading's unit in Chinese (performance_bands.json gives it in English)
UNITS_ZH = {"per_kwh_capacity": "kg CO2e/kWh 电池容量（摇篮到大门）",
            "per_kwh_delivered": "kg CO2e/kWh 使用寿命内输出的总电量（第7条单位）"}
BASIS = {
    "per_kwh_capacity": (
        "They divide the published cradle-to-gate footprints of lithium-ion batteries, about "
        "{low} to {high} kg CO2e per kWh of capacity (Xu et al. 2022, cells 41-89; Lin et al. "
        "2024, an LFP storage system 90.8; Hao et al. 2017, electric-vehicle packs 104-109), "
        "in equal steps: {steps} kg CO2e per kWh of capacity; {last} is above. A footprint "
        "below {low} is marked as below the published range: inputs may be missing.",
        "分级以已发表的锂离子电池从摇篮到大门碳足迹为依据，约为每千瓦时容量 {low}–{high} "
        "kg CO2e（Xu 等 2022，电芯 41–89；Lin 等 2024，磷酸铁锂储能系统 90.8；Hao 等 2017，"
        "电动汽车电池包 104–109），等距分档：{steps} kg CO2e/kWh；{last} 高于此。低于 {low} 的"
        "碳足迹标注为低于文献范围，可能缺少投入。"),
    "per_kwh_delivered": (
        "They are the capacity bands divided by a reference lifetime of 2,000 kWh delivered per "
        "kWh of capacity (for example 250 full cycles a year for 8 years): {steps} kg CO2e per "
        "kWh delivered; {last} is above.",
        "分级为按容量分级的限值除以参考寿命内每千瓦时容量输出 2000 千瓦时（例如每年 250 次满充满放、"
        "使用 8 年）：{steps} kg CO2e/kWh（输出电量）；{last} 高于此。"),
}


def _grading(key: str) -> Grading:
    data, dataset = bands(), CATALOG.dataset(BANDS)
    part = data[key]
    graded = tuple(GradeBand(g, up_to, zh, en) for g, up_to, zh, en in part["bands"])
    steps = [b for b in graded if b.up_to is not None]
    said = {"low": PUBLISHED_RANGE[0], "high": PUBLISHED_RANGE[1], "last": graded[-1].grade}
    en, zh = BASIS[key]
    en = en.format(steps=", ".join(f"{b.grade} up to {b.up_to:g}" for b in steps), **said)
    zh = zh.format(steps="，".join(f"{b.grade} 不超过 {b.up_to:g}" for b in steps), **said)
    return Grading(graded, part["unit"], dataset.source(), f"{EU_CLASSES[0]} {en}",
                   provisional=bool(data["provisional"]), rationale_zh=EU_CLASSES[1] + zh,
                   published_range=PUBLISHED_RANGE if key == "per_kwh_capacity" else None,
                   unit_zh=UNITS_ZH[key])


def capacity_grading() -> Grading:
    """Grade of the footprint per kWh of capacity (the BOM's declared unit)."""
    return _grading("per_kwh_capacity")


def delivered_grading() -> Grading:
    """Performance class of the footprint per kWh delivered over the service life (Art. 7)."""
    return _grading("per_kwh_delivered")
