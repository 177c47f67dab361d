"""The public registry (公开目录): every label this platform issued, current and past, found by
anyone without logging in: searched by product name (zh or en), organisation, GTIN or label
id, filtered by region, category, organisation, grade and state, a page per product and per
organisation. Only what a label already publishes is shown (the names beside its signed
identifiers, its figures, its state and a revocation's public reason), and a product or an
organisation without an issued label is not found.

A label's state here is the labels table's (superseded, revoked, and expiry by its date),
which the transparency log's monitor holds to the log; the label's own page (the scan page)
reads it from the log.
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import clock
from ..errors import InvalidInput, Message, NotFound, Problem
from ..paging import MAX_ID, PAGE_SIZE, Page, cut
from ..store import accounts as store_accounts
from ..store import registry as stored
from ..store.registry import Filters
from ..text import checked
from .findings import public_findings
from .labels import STATUSES

MAX_QUERY = 100      # characters of a search
MAX_TERMS = 5
MAX_CODE = 32        # a region, category or grade code


def state_of(row: dict, now: str | None = None) -> str:
    """valid, superseded, revoked or expired, as the registry's SQL says it."""
    if row["ended"]:
        return row["ended"]
    return "expired" if row["expires_at"] < (now or clock.stamp()) else "valid"


def _whole(args: Mapping, name: str, problems: list) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        problems.append(Problem(name, Message("must be a whole number from 1")))
        return None
    return int(raw)


def _code(args: Mapping, name: str, problems: list) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_CODE or not all(c.isalnum() or c in "-_." for c in raw):
        problems.append(Problem(name, Message("must be a code of letters, digits, - and _, "
                                              "at most %(n)s characters", n=MAX_CODE)))
        return None
    return raw


def categories_named(term: str, categories: Mapping) -> tuple[str, ...]:
    """The ids of the categories whose names (zh, en) or search words hold ``term``."""
    wanted = term.casefold()
    return tuple(sorted(
        category.id for category in categories.values()
        if any(wanted in (text or "").casefold()
               for text in (category.name_zh, category.name_en, *category.search_words))))


def parse(args: Mapping, categories: Mapping | None = None) -> tuple[Filters, str, int | None]:
    """Filters, the search text and the page cursor from a request's arguments (q, region,
    category, org, grade, state, before); InvalidInput names every problem. ``categories``
    (id -> ProductCategory): a term naming a category finds its labels too."""
    problems: list[Problem] = []
    query = checked((args.get("q") or "").strip(), "q", problems) or ""
    if len(query) > MAX_QUERY:
        problems.append(Problem("q", Message("at most %(n)s characters", n=MAX_QUERY)))
    terms = tuple(dict.fromkeys(query.split()))
    if len(terms) > MAX_TERMS:
        problems.append(Problem("q", Message("at most %(n)s words", n=MAX_TERMS)))
    state = (args.get("state") or "").strip() or None
    if state is not None and state not in STATUSES:
        problems.append(Problem("state", Message("must be one of %(choices)s",
                                                 choices=", ".join(STATUSES))))
    filters = Filters(terms=terms,
                      term_categories=tuple(categories_named(t, categories or {})
                                            for t in terms),
                      region=_code(args, "region", problems),
                      category=_code(args, "category", problems),
                      org_id=_whole(args, "org", problems),
                      grade=_code(args, "grade", problems), state=state)
    before = _whole(args, "before", problems)
    if problems:
        raise InvalidInput(problems)
    return filters, query, before


def search(db, args: Mapping, categories: Mapping | None = None,
           size: int = PAGE_SIZE) -> Page:
    """One page of the registry as ``args`` ask (see parse)."""
    filters, _query, before = parse(args, categories)
    return _page(db, filters, before, size)


def _page(db, filters: Filters, before: int | None, size: int) -> Page:
    now = clock.stamp()
    page = cut(stored.page(db, filters, now, before, size + 1), size, lambda row: row["seq"])
    return Page([{**row, "state": state_of(row, now)} for row in page.rows], page.next_before)


def product(db, product_id: int, before: int | None = None) -> tuple[dict, Page]:
    """A product with an issued label and its labels, newest first."""
    found = stored.product(db, product_id)
    if found is None:
        raise NotFound(Message("no such product in the registry"))
    return found, _page(db, Filters(product_id=product_id), before, PAGE_SIZE)


def organisation(db, org_id: int, args: Mapping | None = None) -> tuple[dict, Page, Page]:
    """An organisation a label names (producer or accounting body) or a final public finding
    concerns, the labels of its products and the labels it verified, newest first."""
    found = stored.organisation(db, org_id)
    if found is None and public_findings(db, org_id):
        found = {k: v for k, v in store_accounts.organisation(db, org_id).items()
                 if k in ("id", "name", "kind", "region", "credit_code")}
    if found is None:
        raise NotFound(Message("no such organisation in the registry"))
    problems: list[Problem] = []
    before = _whole(args or {}, "before", problems)
    if problems:
        raise InvalidInput(problems)
    produced = _page(db, Filters(org_id=org_id), before, PAGE_SIZE)
    verified = _page(db, Filters(verifier_org_id=org_id), None, PAGE_SIZE)
    return found, produced, verified
