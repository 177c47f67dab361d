"""Data-quality ratings of a resolved BOM's lines, against that BOM (footprint.dataquality).

What a factor represents is read in one place, here: the Source's own geography, year and
technology where its plugin filled them, else its dataset's manifest entry (geography and
year as the manifest states them, in the version the registry selected). Electricity factors
carry their region and data year themselves.

The area under study is the line's region for electricity (where it is consumed), else the
BOM's region; the year under study is the BOM's factor_year, else the data year its own
region's electricity would be taken from (so a result does not change with the clock).
A sub-assembly line is rated as its own BOM is, its lines weighted by their contributions.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dataquality import (ANY, BEST, CRITERIA, DEFAULT_TECHNOLOGY, EU, EU_MEMBERS, GEOGRAPHY,
                           GLOBAL, LABEL_TECHNOLOGY, PRIMARY_TECHNOLOGY,
                           STATED_EMISSION_TECHNOLOGY, WORST, Rated, geography_code,
                           reference_year, technological_rating, temporal_rating, weighted)
from ..model import Source
from .compiled import CompiledBatch
from .resolve import ResolvedBom, ResolvedLine, electricity_factor
from .scoring import score_rows


@dataclass(frozen=True)
class FactorMeta:
    """What a factor represents, as its ratings need it."""

    geography: str  # a region code, GLO, ANY, or "" when not known
    year: int | None
    technology: str
    confidence: str


def _lookups(registry) -> dict:
    """What rating needs of a registry alone, worked out once and kept on it: a registry does
    not change once built (engine/registry.py), and a batch rates thousands of results."""
    kept = vars(registry).get("_data_quality_lookups")
    if kept is None:
        kept = vars(registry).setdefault("_data_quality_lookups", {
            "meta": {}, "factor lines": {},
            "with_factors": frozenset(region for (region, _, _) in registry.electricity)})
    return kept


class Rater:
    """Rates the lines of BOMs under one registry."""

    def __init__(self, registry, inventory=None, cf=None):
        self.registry = registry
        self.inventory, self.cf = inventory, cf  # to weigh a sub-assembly's own lines
        lookups = _lookups(registry)
        self._meta: dict[Source, FactorMeta] = lookups["meta"]
        self._with_factors = lookups["with_factors"]
        self._factor_lines: dict[tuple, dict] = lookups["factor lines"]

    # -- what a factor represents ------------------------------------------------------
    def factor_meta(self, source: Source) -> FactorMeta:
        if source not in self._meta:
            entry = self.registry.manifest_entry(source.dataset)
            self._meta[source] = FactorMeta(
                source.geography or geography_code(entry.get("geography")),
                source.year or reference_year(entry.get("year")),
                source.technology or entry.get("technology") or DEFAULT_TECHNOLOGY,
                source.confidence)
        return self._meta[source]

    # -- what the BOM studies -------------------------------------------------------------
    def study_year(self, bom) -> int | None:
        if bom.factor_year is not None:
            return bom.factor_year
        try:
            factor, _ = electricity_factor(self.registry, bom.region, None,
                                           bom.electricity_basis or "location")
            return factor.year
        except (LookupError, KeyError):
            years = [year for (_, year, _) in self.registry.electricity]
            return max(years) if years else None

    def geography(self, area: str | None, geo: str, stand_in: bool = False) -> int:
        """The geographical rating of a factor of area ``geo`` used for ``area``."""
        if not geo or not area:
            return GEOGRAPHY["unknown"]
        if geo in (area, ANY):
            return GEOGRAPHY["same"]
        if stand_in:
            return GEOGRAPHY["stand-in"]
        if geo == GLOBAL:
            return GEOGRAPHY["global"]
        country = self._country(area)
        containers = {country}
        region = self.registry.regions.get(area)
        if region is not None:
            containers.update(region.grids)
        if country in EU_MEMBERS:
            containers.add(EU)
        if geo in containers:
            return GEOGRAPHY["larger"]
        return GEOGRAPHY["domestic" if self._country(geo) == country else "foreign"]

    def _country(self, code: str) -> str:
        region = self.registry.regions.get(code)
        return region.country if region is not None and region.country else code.split("-")[0]

    # -- lines ----------------------------------------------------------------------------
    def rate(self, resolved: ResolvedBom, kg_by_line) -> list[Rated]:
        """Each line's ratings and primary share, with its kg CO2e inside the boundary."""
        bom = resolved.bom
        year = self.study_year(bom)
        inside = bom.boundary_stages
        return [Rated(kg if rl.line.stage in inside else 0.0, *self._line(rl, bom, year))
                for rl, kg in zip(resolved.lines, kg_by_line)]

    def _line(self, rl: ResolvedLine, bom, year) -> tuple[dict, float]:
        primary = rl.line.primary
        if rl.label is not None and rl.label.dqr:  # a PACT footprint rates itself
            return dict(rl.label.dqr), 1.0
        if rl.label is not None:  # a supplier's signed label: its own product, place and time
            technology = LABEL_TECHNOLOGY.get(rl.label.data_quality, 2)
            return _ratings(technology, BEST, BEST), 1.0
        if rl.sub is not None:
            return self._sub_assembly(rl.sub)
        if rl.flow is not None:  # the producer's own emission, at its place and time
            technology = PRIMARY_TECHNOLOGY if primary else STATED_EMISSION_TECHNOLOGY
            return _ratings(technology, BEST, BEST), float(primary)
        # a factor's line is rated by what it draws on, where and when: worked out once
        area = (rl.line.region or bom.region) if rl.factor is not None else bom.region
        described = (rl.factor or rl.process_id, area, primary, year)
        if described not in self._factor_lines:
            self._factor_lines[described] = self._factor_line(rl, area, primary, year)
        return dict(self._factor_lines[described]), float(primary)

    def _factor_line(self, rl: ResolvedLine, area: str, primary: bool, year) -> dict:
        if rl.factor is not None:
            factor = rl.factor
            stand_in = factor.region != area and area not in self._with_factors
            meta = self.factor_meta(factor.source)
            geography = self.geography(area, factor.region, stand_in)
            factor_year = factor.year
        else:
            meta = self.factor_meta(self.registry.processes[rl.process_id].source)
            geography = self.geography(area, meta.geography)
            factor_year = meta.year
        # a measured amount is primary data; the factor it is multiplied by still stands for
        # its own place and time, so only the technological rating is the primary one
        technology = PRIMARY_TECHNOLOGY if primary else \
            technological_rating(meta.technology, meta.confidence)
        return _ratings(technology, geography, temporal_rating(factor_year, year))

    def _sub_assembly(self, sub: ResolvedBom) -> tuple[dict, float]:
        kg = score_rows(CompiledBatch.from_boms([sub], self.inventory), self.inventory,
                        self.cf).by_line[0].tolist()
        summary = weighted(self.rate(sub, kg))
        if summary["dqi"] is None:
            return _ratings(WORST, WORST, WORST), 0.0
        return dict(summary["dqi"]), summary["primary_data_share"] / 100


def _ratings(technological, geographical, temporal) -> dict:
    return dict(zip(CRITERIA, (technological, geographical, temporal)))


def line_quality(resolved: ResolvedBom, kg_by_line, registry, inventory, cf):
    """(per line: {"dqr": ..., "primary": ...}, the result's dqi and primary_data_share)."""
    rated = Rater(registry, inventory, cf).rate(resolved, kg_by_line)
    lines = []
    for line in rated:
        entry = {"dqr": line.dqr, "primary": line.primary >= 1.0}
        if 0.0 < line.primary < 1.0:  # a sub-assembly partly of primary data
            entry["primary_data_share"] = round(100 * line.primary, 1)
        lines.append(entry)
    return lines, weighted(rated)
