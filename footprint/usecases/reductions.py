"""Like-for-like reductions of an enterprise carbon account (docs/carbon-accounts.md): how far
a product's or the whole account's carbon intensity fell from a base year to a year.

A reduction counts only when both years are calculated under the same data version:
``reduction`` gives both views, the footprints as verified then (each under the data version
of its day) and both years' BOMs calculated under the engine's current data version (through
the engine, as ``footprint recalc`` moves a footprint); pricing reads the latter.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput, Message, NotFound, Problem
from ..store import carbonaccounts as stored
from .accountfootprints import (Footprint, footprints, product_unit, production_in, standing,
                                under_current_data)


@dataclass(frozen=True)
class Reduction:
    org_id: int
    year: int
    base_year: int
    product_id: int | None      # None: the whole account
    intensity_before: float     # base year, under the current data version
    intensity_after: float      # year, under the current data version
    like_for_like_pct: float    # (before - after) / before * 100; positive = fell
    as_verified_pct: float      # the same from the footprints as verified then
    data_version: str           # the current data version both were calculated under
    footprints: tuple           # (submission_id, revision, label_id, year) used
    data_version_name: str | None = None
    as_verified_before: float | None = None
    as_verified_after: float | None = None
    unit: str | None = None     # intensities are kg CO2e per one of this unit (one product)
    weights: tuple = ()         # (product_id, weight, unit) of a whole account's reduction


# -- the reduction ---------------------------------------------------------------------------------

def _pct(before: float, after: float) -> float:
    return (before - after) / before * 100.0 if before else 0.0


def _weighted(pairs: list[tuple[float, float]]) -> float:
    total = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / total


def reduction(db, engine, org_id: int, year: int, *, product_id: int | None = None,
              base_year: int | None = None) -> Reduction:
    """How far the carbon intensity fell from ``base_year`` (default the year before) to
    ``year``, of one product or of the whole account; refuses a year without verified
    footprints (InvalidInput located at ``year`` or ``base_year``)."""
    return reduction_from(db, engine, org_id, year, product_id, base_year,
                          footprints(db, org_id), {})


def reduction_from(db, engine, org_id: int, year: int, product_id: int | None,
                   base_year: int | None, found: list[Footprint], memo: dict) -> Reduction:
    """``reduction`` over the organisation's counted footprints ``found`` (as
    accountfootprints.footprints reads them), with ``memo`` as under_current_data keeps it:
    an account reads both once for its several reductions."""
    base_year = year - 1 if base_year is None else base_year
    if base_year >= year:
        raise InvalidInput([Problem("base_year", Message(
            "the base year (%(base)s) must be before the year (%(year)s)",
            base=base_year, year=year))])
    if product_id is not None:
        product = stored.product(db, product_id)
        if product is None or product["org_id"] != org_id:
            raise NotFound(Message("no such product"))
    by_year = standing(found)
    products = [product_id] if product_id is not None else \
        sorted({pid for pid, _ in by_year})
    problems = []
    for where, wanted in (("year", year), ("base_year", base_year)):
        if not any((pid, wanted) in by_year for pid in products):
            problems.append(Problem(where, Message(
                "no verified footprints for %(year)s: a reduction needs verified, issued "
                "footprints in both years", year=wanted)))
    if problems:
        raise InvalidInput(problems)
    both = [pid for pid in products if (pid, year) in by_year and (pid, base_year) in by_year]
    if not both:
        raise InvalidInput([Problem("base_year", Message(
            "no product has verified footprints in both %(base)s and %(year)s",
            base=base_year, year=year))])
    weights = _weights(db, found, both, year, base_year)
    current = {}
    for pid, _, _ in weights:
        for y in (base_year, year):
            footprint = by_year[(pid, y)]
            current[(pid, y)] = under_current_data(db, engine, org_id, footprint, memo)

    def intensity(y: int, verified: bool) -> float:
        return _weighted([
            (w, by_year[(pid, y)].per_unit(unit, None if verified else current[(pid, y)]))
            for pid, w, unit in weights])

    before, after = intensity(base_year, False), intensity(year, False)
    verified_before, verified_after = intensity(base_year, True), intensity(year, True)
    used = tuple((f.submission_id, f.revision, f.label_id, f.year)
                 for y in (base_year, year) for pid, _, _ in weights
                 for f in [by_year[(pid, y)]])
    return Reduction(
        org_id=org_id, year=year, base_year=base_year, product_id=product_id,
        intensity_before=before, intensity_after=after,
        like_for_like_pct=_pct(before, after),
        as_verified_pct=_pct(verified_before, verified_after),
        data_version=engine.registry.data_version,
        data_version_name=engine.registry.data_version_name,
        footprints=used, as_verified_before=verified_before,
        as_verified_after=verified_after,
        unit=weights[0][2] if len(weights) == 1 else None,
        weights=tuple(weights))


def _weights(db, found: list[Footprint], products: list[int], year: int,
             base_year: int) -> list[tuple[int, float, str]]:
    """(product_id, weight, unit) of each product both years are compared over.

    Both years are weighted alike, by the later year's declared production (else the base
    year's), so that a change of product mix is not counted as a reduction. A product
    without declared production in either year is left out, unless no product has any: then
    each counts once (one product's reduction is its own intensity's change)."""
    out, missing = [], []
    for pid in products:
        unit = product_unit(found, pid)
        amount = production_in(stored.production_of(db, pid, year), unit)
        if amount is None:
            amount = production_in(stored.production_of(db, pid, base_year), unit)
        (missing if amount is None else out).append((pid, amount, unit))
    if not out or len(products) == 1:
        return [(pid, 1.0, product_unit(found, pid)) for pid in products]
    return [(pid, amount, unit) for pid, amount, unit in out if amount > 0] or \
        [(pid, 1.0, product_unit(found, pid)) for pid in products]
