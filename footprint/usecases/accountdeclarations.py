"""What a producer declares for its carbon account (docs/carbon-accounts.md): how much of a
product it made in a year, and the account's baseline year; each an audited change in the
account's events."""
from __future__ import annotations

import math

from .. import clock
from ..bom import FIRST_REFERENCE_YEAR
from ..errors import Forbidden, InvalidInput, Message, NotFound, Problem
from ..store import carbonaccounts as stored
from ..store.db import transaction
from .accountfootprints import footprints


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
