"""What a label's number means to someone holding the product: where it lies among its
category's grade bands, and the same greenhouse gas as electricity from China's grid, counted
in kWh (度电, the unit of every household electricity bill).

The comparison uses the national life-cycle electricity footprint factor, which is CO2e like
the label; the MEE grid factors are CO2 only and would turn the same footprint into more
electricity than it is. The newest factor published for a year up to the scan's is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..display import exact, significant
from ..model import ElectricityFactor, GradeBand, Grading

COMPARISON_REGION = "CN"
COMPARISON_BASIS = "lifecycle"
COMPARISON_FIGURES = 2  # a comparison is an order of magnitude, not a second footprint


@dataclass(frozen=True)
class Band:
    """The label's grade band with its lower bound (the band below's upper one)."""

    band: GradeBand
    lower: float | None  # None for the first band (from zero)
    count: int           # how many bands the category has


@dataclass(frozen=True)
class Electricity:
    """The footprint of one declared unit as kWh of grid electricity."""

    kwh: Decimal
    factor: ElectricityFactor


@dataclass(frozen=True)
class Context:
    band: Band | None
    electricity: Electricity | None


def per_declared_unit(claims: dict) -> Decimal:
    """The footprint of one declared unit (a label signs the value for its declared amount)."""
    amount = exact(claims["declared_unit"]["amount"])
    return exact(claims["value"]) / amount if amount else exact(claims["value"])


def band_of(grading: Grading | None, grade: str | None) -> Band | None:
    """The signed grade's band, as the category's grading defines it."""
    if grading is None or not grade:
        return None
    lower = None
    for band in grading.bands:
        if band.grade == grade:
            return Band(band, lower, len(grading.bands))
        lower = band.up_to
    return None


def as_electricity(factors: dict[int, ElectricityFactor], kg_co2e: Decimal,
                   moment: datetime) -> Electricity | None:
    """``kg_co2e`` as kWh at the newest factor of a year up to ``moment``'s."""
    years = [year for year in factors if year <= moment.year]
    if not years or kg_co2e <= 0:
        return None
    factor = factors[max(years)]
    return Electricity(significant(kg_co2e / exact(factor.value), COMPARISON_FIGURES), factor)


def context(registry, claims: dict, grading: Grading | None, moment: datetime) -> Context:
    """The scan page's line of context for a label's claims."""
    factors = registry.factors_for(COMPARISON_REGION, COMPARISON_BASIS)
    return Context(band_of(grading, claims.get("grade")),
                   as_electricity(factors, per_declared_unit(claims), moment))
