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

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone

from .. import clock
from ..bom import FIRST_REFERENCE_YEAR
from ..errors import Forbidden, InvalidInput, Message, NotFound, Problem
from ..store import carbonaccounts as stored
from ..store import results as store_results
from ..store.db import transaction
from ..units import UnitError, convert
from . import consents
from . import labels as label_states
from .accountrating import rate
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
    grade: dict = field(default_factory=dict, compare=False)  # as the result graded it
    # what a lender weighs beside the figure: who vouched for it, when, how sure it is
    verifier_org_id: int | None = None  # the accounting body, as its first label signs it
    verifier_name: str | None = None
    verified_at: str | None = None
    uncertainty: dict = field(default_factory=dict, compare=False)  # p5, p95 (and draws)
    dqi: dict = field(default_factory=dict, compare=False)  # criterion -> 1 (good) .. 5

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
            bom=row["bom"], grade=result.get("grade") or {},
            verifier_org_id=_org_number(first["record"].get("verifier")),
            verifier_name=first["record"].get("verifier_name"),
            verified_at=row["verified_at"],
            uncertainty=result.get("uncertainty") or first["record"].get("uncertainty") or {},
            dqi=result.get("dqi") or {}))
    return sorted(out, key=lambda f: (f.issued_at, f.submission_id))


def _org_number(verifier) -> int | None:
    """The verifier a label signs, when it is an organisation of this platform (a number)."""
    return verifier if isinstance(verifier, int) and not isinstance(verifier, bool) else None


def standing(found: list[Footprint]) -> dict[tuple[int, int], Footprint]:
    """(product_id, year) -> the footprint verified last for that year."""
    out = {}
    for footprint in found:  # oldest first: the later one stands
        out[(footprint.product_id, footprint.year)] = footprint
    return out


# -- under the current data version -----------------------------------------------------------

def under_current_data(db, engine, org_id: int, footprint: Footprint,
                       memo: dict | None = None) -> float:
    """kg CO2e per declared unit of the footprint's BOM under the engine's data version: the
    stored value when it was verified under it, else the BOM calculated again by the engine
    (the way ``footprint recalc`` moves a footprint: the same BOM, the same resolution).
    ``memo`` keeps what one reading of an account calculated."""
    if footprint.data_version == engine.registry.data_version:
        return footprint.kg_co2e
    memo = {} if memo is None else memo
    if footprint.submission_id not in memo:
        _, result = calculate(db, engine, {"org_id": org_id, "role": "producer"},
                              footprint.bom)
        memo[footprint.submission_id] = float(result["total_kg_co2e"])
    return memo[footprint.submission_id]


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
    return _reduction(db, engine, org_id, year, product_id, base_year,
                      footprints(db, org_id), {})


def _reduction(db, engine, org_id: int, year: int, product_id: int | None,
               base_year: int | None, found: list[Footprint], memo: dict) -> Reduction:
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
    log says); the newest such when several lots each have one; None if none was, or the
    product is not the organisation's."""
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
        amount = _production_in(production.get((pid, year)), unit)
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
    since_baseline = _refused_as_none(lambda: _reduction(
        db, engine, org_id, latest, None, baseline, found, memo)) \
        if latest is not None and baseline is not None and baseline < latest else None
    since_last_year = _refused_as_none(lambda: _reduction(
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


def _own_product(db, user: dict, product_id) -> dict:
    product = stored.product(db, product_id) if isinstance(product_id, int) else None
    if product is None or product["org_id"] != user["org_id"]:
        raise NotFound(Message("no such product"))
    if user["role"] != "producer":
        raise Forbidden(Message("only the producing organisation declares its production"))
    return product


def _year(value, where: str, problems: list) -> int | None:
    last = clock.now().year + 1
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_REFERENCE_YEAR <= year <= last:
        problems.append(Problem(where, Message("a year from %(first)s to %(last)s",
                                               first=FIRST_REFERENCE_YEAR, last=last)))
        return None
    return year


def _amount(value, problems: list) -> float | None:
    try:
        amount = float(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        amount = None
    if amount is None or not math.isfinite(amount) or amount < 0:
        problems.append(Problem("amount", Message(
            "the production is a number of 0 or more, in the product's declared unit")))
        return None
    return amount


def declare_production(db, user: dict, product_id: int, year, amount) -> dict:
    """The producer declares how much of its product it made (or plans to make) in ``year``,
    in the product's declared unit; an audited change. Returns the declaration."""
    product = _own_product(db, user, product_id)
    return _declare(db, user["org_id"], user["id"], product, year, amount)


def declare_production_for(db, org_id: int, product_id, year, amount) -> dict:
    """The platform's operator declares for the organisation (``footprint accounts
    production``): the same checks, and the account's history names no user."""
    product = stored.product(db, product_id) if isinstance(product_id, int) else None
    if product is None or product["org_id"] != org_id:
        raise InvalidInput([Problem("product", Message("no such product"))])
    return _declare(db, org_id, None, product, year, amount)


def _declare(db, org_id: int, actor_id: int | None, product: dict, year, amount) -> dict:
    problems: list[Problem] = []
    year, amount = _year(year, "year", problems), _amount(amount, problems)
    unit = (stored.declared_unit(db, product["id"]) or {}).get("unit")
    if unit is None:
        problems.append(Problem("product", Message("the product has no declared unit yet")))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        before = stored.production_of(db, product["id"], year)
        stored.declare_production(db, org_id, product["id"], year, amount, unit, actor_id)
        stored.record_event(
            db, org_id, actor_id, "declare-production", product_id=product["id"],
            year=year, before=None if before is None else
            {"amount": before["amount"], "unit": before["unit"]},
            after={"amount": amount, "unit": unit})
    return stored.production_of(db, product["id"], year)


def set_baseline_year(db, user: dict, year) -> int | None:
    """The producer chooses the account's baseline year (a year with verified footprints),
    or None to go back to the first such year; an audited change."""
    if user["role"] != "producer":
        raise Forbidden(Message("only the producing organisation sets its baseline year"))
    org_id = user["org_id"]
    chosen = None
    if year not in (None, ""):
        problems: list[Problem] = []
        chosen = _year(year, "baseline_year", problems)
        if chosen is not None and chosen not in {f.year for f in footprints(db, org_id)}:
            problems.append(Problem("baseline_year", Message(
                "no verified footprints for %(year)s: a reduction needs verified, issued "
                "footprints in both years", year=chosen)))
        if problems:
            raise InvalidInput(problems)
    with transaction(db):
        before = stored.baseline_year(db, org_id)
        stored.set_baseline_year(db, org_id, chosen, user["id"])
        stored.record_event(db, org_id, user["id"], "set-baseline", year=chosen,
                            before=before, after=chosen)
    return chosen
