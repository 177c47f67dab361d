"""Enterprise carbon accounts (企业碳账户): an organisation's verified footprints over the years,
its declared production, what they add up to, and like-for-like reductions, read as one
account, and who may read it (docs/carbon-accounts.md).

Which footprints count is usecases.accountfootprints'; the reductions usecases.reductions';
what a producer declares (production, the baseline year) usecases.accountdeclarations'.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import InvalidInput, Message, NotFound
from ..store import carbonaccounts as stored
from ..units import convert
from . import consents
from .accountfootprints import (Footprint, footprints, product_unit, production_in, standing,
                                under_current_data)
from .accountrating import rate
from .reductions import Reduction, reduction_from

# Who may read any organisation's account: the platform's own people and the regulator.
READERS_OF_EVERY_ACCOUNT = ("admin", "reviewer", "regulator")


# -- the account -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductYear:
    """One product in one year: the footprint that stands for it and what it adds up to."""

    product_id: int
    footprint: Footprint
    unit: str                   # the product's production unit
    per_unit: float             # kg CO2e per one unit, as verified then
    per_unit_current: float     # the same under the current data version
    production: float | None    # declared, in ``unit``
    kg_co2e: float | None       # production x per_unit
    grade: str | None           # as the label graded it
    band_position: float | None  # 0 for the category's best band .. 1 for its worst


@dataclass(frozen=True)
class YearFigures:
    year: int
    products: tuple             # ProductYear, by product id
    total_kg_co2e: float | None  # sum of production x footprint (as verified)
    intensity: float | None     # total / production: kg CO2e per unit, production-weighted
    #                             (no production declared that year: each product once)
    intensity_current: float | None  # the same with every footprint under the current data
    by_stage: dict              # kg CO2e per stage of the total (as verified)
    missing_production: tuple   # product ids with a footprint but no declared production


@dataclass(frozen=True)
class ProductLine:
    product_id: int
    name: str
    name_zh: str | None
    category: str
    unit: str | None
    footprints: tuple           # every counted Footprint, oldest first
    production: dict            # year -> {"amount", "unit", "declared_at"}


@dataclass(frozen=True)
class Account:
    org_id: int
    org_name: str
    products: tuple             # ProductLine
    years: tuple                # YearFigures, oldest first
    baseline_year: int | None
    baseline_chosen: bool       # the producer chose it (else: the first verified year)
    since_baseline: Reduction | None
    since_last_year: Reduction | None
    data_version: str
    data_version_name: str | None
    rating: object = None       # footprint.usecases.accountrating.Rating
    events: tuple = ()

    @property
    def latest(self) -> YearFigures | None:
        return self.years[-1] if self.years else None

    def year(self, year: int) -> YearFigures | None:
        return next((y for y in self.years if y.year == year), None)


def _band_position(result_grade: dict | None) -> float | None:
    if not result_grade or not result_grade.get("bands"):
        return None
    names = [band[0] for band in result_grade["bands"]]
    if result_grade.get("grade") not in names or len(names) < 2:
        return None
    return names.index(result_grade["grade"]) / (len(names) - 1)


def _year_figures(db, engine, org_id: int, year: int, by_year: dict, found: list[Footprint],
                  production: dict, memo: dict) -> YearFigures:
    rows = []
    for (pid, y), footprint in sorted(by_year.items()):
        if y != year:
            continue
        unit = product_unit(found, pid)
        amount = production_in(production.get((pid, year)), unit)
        per_unit = footprint.per_unit(unit)
        current = footprint.per_unit(unit, under_current_data(db, engine, org_id, footprint,
                                                              memo))
        rows.append(ProductYear(pid, footprint, unit, per_unit, current, amount,
                                None if amount is None else amount * per_unit,
                                footprint.grade.get("grade"), _band_position(footprint.grade)))
    counted = [r for r in rows if r.production is not None]
    produced = sum(r.production for r in counted)
    total = sum(r.kg_co2e for r in counted) if counted else None
    stages: dict = {}
    for r in counted:
        scale = r.production / convert(r.footprint.declared_unit["amount"],
                                       r.footprint.declared_unit["unit"], r.unit)
        for stage, value in r.footprint.by_stage.items():
            stages[stage] = stages.get(stage, 0.0) + value * scale
    if counted and produced:
        intensity = total / produced
        current = sum(r.production * r.per_unit_current for r in counted) / produced
    else:  # nothing declared that year: each product counts once, as in a reduction
        intensity = sum(r.per_unit for r in rows) / len(rows) if rows else None
        current = sum(r.per_unit_current for r in rows) / len(rows) if rows else None
    return YearFigures(
        year=year, products=tuple(rows), total_kg_co2e=total,
        intensity=intensity, intensity_current=current,
        by_stage=stages,
        missing_production=tuple(r.product_id for r in rows if r.production is None))


def _refused_as_none(compute):
    try:
        return compute()
    except InvalidInput:
        return None


def account(db, engine, org_id: int) -> Account:
    """The organisation's carbon account (no permission check: see ``account_for``)."""
    from_store = stored.organisation(db, org_id)
    if from_store is None:
        raise NotFound(Message("no such organisation"))
    found = footprints(db, org_id)
    by_year = standing(found)
    declared = stored.production(db, org_id)
    production = {(row["product_id"], row["year"]): row for row in declared}
    memo: dict = {}
    years = tuple(_year_figures(db, engine, org_id, year, by_year, found, production, memo)
                  for year in sorted({y for _, y in by_year}))
    chosen = stored.baseline_year(db, org_id)
    baseline = chosen if chosen is not None else (years[0].year if years else None)
    latest = years[-1].year if years else None
    since_baseline = _refused_as_none(lambda: reduction_from(
        db, engine, org_id, latest, None, baseline, found, memo)) \
        if latest is not None and baseline is not None and baseline < latest else None
    since_last_year = _refused_as_none(lambda: reduction_from(
        db, engine, org_id, latest, None, latest - 1, found, memo)) \
        if latest is not None else None
    products = tuple(
        ProductLine(p["id"], p["name"], p["name_zh"], p["category"],
                    product_unit(found, p["id"]),
                    tuple(f for f in found if f.product_id == p["id"]),
                    {row["year"]: row for row in declared if row["product_id"] == p["id"]})
        for p in stored.products_of(db, org_id))
    account_ = Account(
        org_id=org_id, org_name=from_store["name"],
        products=tuple(p for p in products if p.footprints or p.production),
        years=years, baseline_year=baseline, baseline_chosen=chosen is not None,
        since_baseline=since_baseline, since_last_year=since_last_year,
        data_version=engine.registry.data_version,
        data_version_name=engine.registry.data_version_name,
        events=tuple(stored.events(db, org_id)))
    return replace(account_, rating=rate(account_))


# -- who may read an account, and what a producer declares --------------------------------------

def may_read(user: dict, org_id: int) -> bool:
    """The organisation's own people, and the platform's and the regulator's."""
    return user["org_id"] == org_id or user["role"] in READERS_OF_EVERY_ACCOUNT


def check_readable(db, user: dict, org_id: int) -> None:
    """NotFound unless the organisation exists and ``user`` may read its account (``may_read``,
    or a bank the organisation consents to: footprint.usecases.consents)."""
    readable = may_read(user, org_id) or consents.lets_read(db, user, org_id)
    if not readable or stored.organisation(db, org_id) is None:
        raise NotFound(Message("no such organisation"))


def account_for(db, engine, user: dict, org_id: int) -> Account:
    """The account if ``user`` may read it; NotFound otherwise (as if it did not exist)."""
    check_readable(db, user, org_id)
    return account(db, engine, org_id)
