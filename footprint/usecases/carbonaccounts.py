"""Enterprise carbon accounts (企业碳账户): an organisation's verified footprints over the years,
its declared production, what they add up to, and like-for-like reductions (docs/carbon-accounts.md).

What counts: a submission with a label this platform issued whose newest label is not revoked
(as the transparency log says; a label superseded by a later year's label still counts for its
own year). Its value "as verified then" is the result its first label signed. Its year is the
BOM's ``reference_year``, else the year the submission was made. Where a product has several
counted footprints for one year, the one verified last stands for that year.

Like for like: a reduction counts only when both years are calculated under the same data
version. ``reduction`` gives both views: the footprints as verified then (each under the data
version of its day) and both years' BOMs calculated under the engine's current data version
(through the engine, as ``footprint recalc`` moves a footprint), and pricing reads the latter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from ..errors import InvalidInput, Message, NotFound, Problem
from ..store import carbonaccounts as stored
from ..store import results as store_results
from ..units import UnitError, convert
from . import labels as label_states
from .submissions import calculate

# Who may read any organisation's account: the platform's own people and the regulator.
READERS_OF_EVERY_ACCOUNT = ("admin", "reviewer", "regulator")


@dataclass(frozen=True)
class Footprint:
    """One verified, issued footprint of a product, as the account uses it."""

    submission_id: int
    revision: int
    product_id: int
    year: int                   # the reference year the footprint describes
    label_id: str               # the submission's newest label (not revoked)
    first_label_id: str         # the label issued when it was verified
    issued_at: str              # when it was verified and first issued
    data_version: str           # as verified then
    data_version_name: str | None
    kg_co2e: float              # per declared unit, as verified then
    declared_unit: dict         # {"amount": 1, "unit": "kg"}
    by_stage: dict
    bom: dict = field(repr=False, compare=False)

    def per_unit(self, unit: str, kg_co2e: float | None = None) -> float:
        """kg CO2e per one ``unit`` of the product (``kg_co2e`` per declared unit, default
        the value as verified)."""
        value = self.kg_co2e if kg_co2e is None else kg_co2e
        return value / convert(self.declared_unit["amount"], self.declared_unit["unit"], unit)


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


# -- which footprints count -----------------------------------------------------------------------

def _year_of(row: dict) -> int:
    year = row["bom"].get("reference_year")
    return int(year) if year else datetime.fromisoformat(row["created_at"]).year


def footprints(db, org_id: int) -> list[Footprint]:
    """Every footprint of the organisation that counts (module docstring), oldest first."""
    rows = stored.labelled_submissions(db, org_id)
    labels = label_states.many_as_logged(db, [i for row in rows for i in row["label_ids"]])
    out = []
    for row in rows:
        own = sorted((labels[i] for i in row["label_ids"] if i in labels),
                     key=lambda label: (label["issued_at"], label["log_index"]))
        if not own or own[-1]["revoked_at"]:
            continue
        first = own[0]
        result = store_results.signed(db, row["id"], str(
            first["record"].get("reproducibility_hash") or "")) or {}
        out.append(Footprint(
            submission_id=row["id"], revision=row["revision"], product_id=row["product_id"],
            year=_year_of(row), label_id=own[-1]["id"], first_label_id=first["id"],
            issued_at=first["issued_at"],
            data_version=result.get("data_version") or first["record"].get("data_version"),
            data_version_name=result.get("data_version_name"),
            kg_co2e=float(result.get("total_kg_co2e", first["record"]["value"])),
            declared_unit=result.get("declared_unit") or first["record"]["declared_unit"],
            by_stage=result.get("by_stage") or first["record"].get("by_stage") or {},
            bom=row["bom"]))
    return sorted(out, key=lambda f: (f.issued_at, f.submission_id))


def standing(found: list[Footprint]) -> dict[tuple[int, int], Footprint]:
    """(product_id, year) -> the footprint verified last for that year."""
    out = {}
    for footprint in found:  # oldest first: the later one stands
        out[(footprint.product_id, footprint.year)] = footprint
    return out


# -- under the current data version -----------------------------------------------------------

def under_current_data(db, engine, org_id: int, footprint: Footprint) -> float:
    """kg CO2e per declared unit of the footprint's BOM under the engine's data version: the
    stored value when it was verified under it, else the BOM calculated again by the engine
    (the way ``footprint recalc`` moves a footprint: the same BOM, the same resolution)."""
    if footprint.data_version == engine.registry.data_version:
        return footprint.kg_co2e
    _, result = calculate(db, engine, {"org_id": org_id, "role": "producer"}, footprint.bom)
    return float(result["total_kg_co2e"])


# -- production ------------------------------------------------------------------------------------

def _production_in(row: dict | None, unit: str) -> float | None:
    if row is None:
        return None
    try:
        return convert(row["amount"], row["unit"], unit)
    except UnitError:  # the product's declared unit changed dimension: not comparable
        return None


def product_unit(found: list[Footprint], product_id: int) -> str | None:
    """The unit a product's production and intensity are counted in: the unit of the
    declared unit of its newest footprint."""
    units = [f.declared_unit["unit"] for f in found if f.product_id == product_id]
    return units[-1] if units else None


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
    base_year = year - 1 if base_year is None else base_year
    if base_year >= year:
        raise InvalidInput([Problem("base_year", Message(
            "the base year (%(base)s) must be before the year (%(year)s)",
            base=base_year, year=year))])
    if product_id is not None:
        product = stored.product(db, product_id)
        if product is None or product["org_id"] != org_id:
            raise NotFound(Message("no such product"))
    found = footprints(db, org_id)
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
            current[(pid, y)] = under_current_data(db, engine, org_id, footprint)

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
        amount = _production_in(stored.production_of(db, pid, year), unit)
        if amount is None:
            amount = _production_in(stored.production_of(db, pid, base_year), unit)
        (missing if amount is None else out).append((pid, amount, unit))
    if not out or len(products) == 1:
        return [(pid, 1.0, product_unit(found, pid)) for pid in products]
    return [(pid, amount, unit) for pid, amount, unit in out if amount > 0] or \
        [(pid, 1.0, product_unit(found, pid)) for pid in products]


# -- labels valid on a day ------------------------------------------------------------------------

def _day(text: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise InvalidInput([Problem("day", Message(
            "a day is written YYYY-MM-DD, e.g. 2026-03-01"))]) from None


def valid_label_on(db, org_id: int, product_id: int, day: str) -> str | None:
    """The id of the product's label that was valid at the end of ``day`` (UTC, YYYY-MM-DD):
    issued by then, and by then neither expired, revoked nor superseded (as the transparency
    log says); None if none was, or the product is not the organisation's."""
    end = datetime.combine(_day(day), time(23, 59, 59), tzinfo=timezone.utc)
    product = stored.product(db, product_id)
    if product is None or product["org_id"] != org_id:
        return None
    labels = label_states.of_product(db, product_id)
    issued = {label["id"]: datetime.fromisoformat(label["issued_at"]) for label in labels}
    for label in sorted(labels, key=lambda label: label["issued_at"], reverse=True):
        if issued[label["id"]] > end:
            continue
        ended = [datetime.fromisoformat(label["expires_at"])]
        if label["revoked_at"]:
            ended.append(datetime.fromisoformat(label["revoked_at"]))
        if label["superseded_by"] in issued:
            ended.append(issued[label["superseded_by"]])
        if min(ended) > end:
            return label["id"]
    return None
