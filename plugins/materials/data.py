"""The starter material library's data, read only through the manifest (lca_data/materials/).

Every number lives in a CSV file with its publication, table and confidence, transcribed as the
source states it (``value`` in ``source_unit``). This module only converts units, each
conversion written down in ``CONVERSIONS`` and repeated in the process's citation:

- per tonne -> per kg: / 1000 (kg CO2e/t -> kg CO2e/kg; kg CH4/t -> kg CH4/kg);
- t per t -> kg per kg: x 1 (t CO2/t = kg CO2/kg);
- per TJ -> per GJ: / 1000 (kg CO2/TJ -> kg CO2/GJ); t CO2/TJ = kg CO2/GJ (x 1);
- t CO2/GJ -> kg CO2/GJ: x 1000;
- tap water, kg CO2e/t -> kg CO2e/m³: 1 t of water taken as 1 m³ (``WATER_T_PER_M3``).

Fuels are offered per GJ of fuel on a net calorific value basis, as the sources give them: no
net calorific value is applied, because none was read in a source that can be shipped (the
Chinese default NCVs of MATERIALS.md are marked unverified).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from footprint import (Catalog, DataError, Process, Source, geography_code, published_range,
                       reference_year)

CATALOG = Catalog("lca_data", "materials")  # registered by the plugin: see register_datasets
PREFIX = "materials/"

# source unit -> (the process's unit, factor from the source's number to kg per process unit,
# the conversion as written in citations)
CONVERSIONS: dict[str, tuple[str, float, str]] = {
    "kg CO2e/t": ("kg", 1e-3, "/ 1000 (per t to per kg)"),
    "kg CH4/t methanol": ("kg", 1e-3, "/ 1000 (per t to per kg)"),
    "kg CO2e/kg": ("kg", 1.0, ""),
    "kg CO2/kg": ("kg", 1.0, ""),
    "kg CO2e/kg H2": ("kg", 1.0, ""),
    "t CO2/t clinker": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "t CO2/t methanol": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "t CO2/t carbide": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "t CO2/t soda ash": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "t CO2/t crude steel cast": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "t CO2e/t Al": ("kg", 1.0, "x 1 (t/t = kg/kg)"),
    "kg CO2e/m³": ("m3", 1.0, ""),
    "kg CO2e/litre": ("L", 1.0, ""),
    "kg CO2e/tkm": ("tkm", 1.0, ""),
    "kg CO2/TJ (NCV)": ("GJ", 1e-3, "/ 1000 (per TJ to per GJ, net calorific basis)"),
    "kg CO2/TJ": ("GJ", 1e-3, "/ 1000 (per TJ to per GJ, net calorific basis)"),
    "t CO2/TJ": ("GJ", 1.0, "x 1 (t/TJ = kg/GJ, net calorific basis)"),
    "t CO2/GJ": ("GJ", 1e3, "x 1000 (t to kg)"),
}
WATER_T_PER_M3 = 1.0  # tap water is shipped per m³: 1 t of water taken as 1 m³
BY_VOLUME = {"tap_water"}  # keys whose per-tonne factor is shipped per m³ that way

GAS = {"CO2e_aggregated": "CO2e", "CO2_fossil": "CO2", "CH4_fossil": "CH4"}
LEVEL = {"seen": "high", "secondary": "medium"}  # MATERIALS.md's marks as the worksheet's levels
SHIPPABLE = set(LEVEL)  # "unverified" rows are never shipped
RANGE = re.compile(r"^\s*([\d ]+(?:\.\d+)?)\s*[–-]\s*([\d ]+(?:\.\d+)?)\s*$")

GROUPS = {  # group -> (zh, en), in the order docs list them
    "metals": ("金属", "Metals"),
    "plastics": ("塑料和橡胶", "Plastics and rubber"),
    "minerals": ("水泥、玻璃和建材", "Cement, glass and minerals"),
    "paper": ("纸和纸板", "Paper and board"),
    "chemicals": ("化学品", "Chemicals"),
    "fuels": ("燃料（燃烧和上游）", "Fuels (combustion and upstream)"),
    "utilities": ("水、污水和热力", "Water, wastewater and heat"),
    "transport": ("运输", "Transport"),
}


@dataclass(frozen=True)
class Emission:
    """One emission of an entry, as the source states it and as shipped."""

    flow: str
    value: float  # as the source states it
    value_text: str  # the cell as transcribed, e.g. "3863.90"
    source_unit: str  # e.g. "kg CO2e/t"
    amount: float  # kg of flow per unit of the process
    conversion: str
    gas_scope: str
    range_text: str  # e.g. "94 600–101 000" ("" where the source gives none)
    range: tuple[float, float] | None  # converted like the value

    def arithmetic(self, unit: str) -> str:
        step = f" {self.conversion}" if self.conversion else ""
        return (f"{self.value_text} {self.source_unit}{step} = {self.amount:.6g} kg "
                f"{GAS[self.flow]}/{unit}")


@dataclass(frozen=True)
class Entry:
    """One material, energy carrier or service of the library."""

    key: str
    md_id: str  # the row of MATERIALS.md it is transcribed from
    group: str
    dataset: str
    name_zh: str
    name_en: str
    unit: str
    emissions: tuple[Emission, ...]
    boundary: str
    geography: str
    ref_year: str
    reference: str  # publication with table, page or factor id
    confidence: str  # MATERIALS.md's mark: seen or secondary
    note: str

    @property
    def process_id(self) -> str:
        return PREFIX + self.key


def _number(text: str) -> float:
    return float(text.replace(" ", ""))


def _range(text: str, factor: float) -> tuple[float, float] | None:
    if not text.strip():
        return None
    found = RANGE.match(text)
    if not found:
        raise DataError(f"range {text!r} is not 'low–high'")
    return (_number(found.group(1)) * factor, _number(found.group(2)) * factor)


def _emission(row: dict) -> tuple[str, Emission]:
    unit, factor, conversion = CONVERSIONS[row["source_unit"]]
    if row["key"] in BY_VOLUME:
        unit, factor = "m3", factor * 1000 * WATER_T_PER_M3
        conversion = "x 1 (1 t of water taken as 1 m³)"
    value = _number(row["value"])
    return unit, Emission(row["flow"], value, row["value"], row["source_unit"], value * factor,
                          conversion, row["gas_scope"], row["range"], _range(row["range"], factor))


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every entry of the library, in manifest and file order."""
    out: dict[str, Entry] = {}
    for dataset_id in CATALOG.entries:
        for row in CATALOG.dataset(dataset_id).rows():
            if row["confidence"] not in SHIPPABLE:
                raise DataError(f"{dataset_id}: {row['key']} is {row['confidence']!r}; only "
                                 f"{', '.join(sorted(SHIPPABLE))} values are shipped")
            unit, emission = _emission(row)
            if row["key"] in out:  # a further gas of the same entry
                entry = out[row["key"]]
                if entry.unit != unit:
                    raise DataError(f"{row['key']}: gases in different units")
                out[row["key"]] = Entry(**{**entry.__dict__,
                                           "emissions": entry.emissions + (emission,)})
                continue
            out[row["key"]] = Entry(row["key"], row["md_id"], row["group"], dataset_id,
                                    row["name_zh"], row["name_en"], unit, (emission,),
                                    row["boundary"], row["geography"], row["ref_year"],
                                    row["reference"], row["confidence"], row["note"])
    return tuple(out.values())


def citation(entry: Entry) -> str:
    parts = [f"{entry.reference}: "
             + "; ".join(e.arithmetic(entry.unit) for e in entry.emissions),
             f"boundary: {entry.boundary}",
             "gas scope: " + "; ".join(e.gas_scope for e in entry.emissions),
             f"geography: {entry.geography}", f"reference year: {entry.ref_year}"]
    for e in entry.emissions:
        if e.range:
            parts.append(f"range {e.range_text} {e.source_unit} = {e.range[0]:.6g}–"
                         f"{e.range[1]:.6g} kg {GAS[e.flow]}/{entry.unit}")
    if entry.note:
        parts.append(entry.note)
    return "; ".join(parts)


def source(entry: Entry) -> Source:
    dataset = CATALOG.dataset(entry.dataset)
    publisher = dataset.entry["publisher"]
    # the row's own geography and year, more precise than its dataset's (data quality)
    return Source(entry.dataset, f"{publisher}: {citation(entry)}",
                  f"{LEVEL[entry.confidence]} ({entry.confidence}, MATERIALS.md {entry.md_id})",
                  geography=geography_code(entry.geography), year=reference_year(entry.ref_year),
                  range=_published_range(entry))


def _published_range(entry: Entry) -> tuple[float, float] | None:
    """The source's range of a one-gas entry, for its uncertainty (engine/uncertainty.py)."""
    if len(entry.emissions) != 1 or entry.emissions[0].range is None:
        return None
    emission = entry.emissions[0]
    low, high = emission.range
    return published_range({"low": low, "value": emission.amount, "high": high})


def processes() -> list[Process]:
    return [Process(e.process_id, e.name_en, e.name_zh, e.unit,
                    tuple((em.flow, em.amount) for em in e.emissions), source(e))
            for e in entries()]
