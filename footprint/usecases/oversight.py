"""What a regulator (or an administrator) reads of the whole platform, to read only: every
submission a page at a time, newest first, by status and by organisation; every producer,
accounting body and bank, each kind a page at a time by name, with its region and how many
submissions, labels or consents it has. Anyone else is refused (Forbidden): these lists cross every organisation.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import Forbidden, InvalidInput, Message, Problem, Word
from ..paging import MAX_ID, PAGE_SIZE, Page, cut
from ..store import accounts as store_accounts
from ..store import consents as store_consents
from ..store import labels as store_labels
from ..store import submissions as stored
from ..supervision import SUBJECT_KINDS
from ..workflow import READ_ALL, STATUSES
from .submissions import NOT_A_CURSOR, cursor_of, parse_before

# the organisations the list shows, in its order: producers, accounting bodies, banks
LISTED_KINDS = ("enterprise", "accounting_body", "bank")
# the organisations a list of submissions is narrowed to, and the column that names them
FILTERED_BY = {"enterprise": "org_id", "accounting_body": "verifier_org_id"}


def check_reader(user: dict) -> None:
    if user["role"] not in READ_ALL:
        raise Forbidden(Message("only regulators and administrators read the platform's "
                                "lists"))


def _status(args: Mapping, problems: list[Problem]) -> tuple[str, ...]:
    status = (args.get("status") or "").strip()
    if not status:
        return ()
    if status not in STATUSES:
        problems.append(Problem("status", Message(
            "must be one of %(choices)s", choices=[Word("status", s) for s in STATUSES])))
        return ()
    return (status,)


def _organisation(db, args: Mapping, problems: list[Problem]) -> dict | None:
    """The producer or accounting body ``org`` names by its number, if any."""
    raw = (args.get("org") or "").strip()
    if not raw:
        return None
    found = store_accounts.organisation_numbered(db, int(raw)) \
        if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None
    if found is None or found["kind"] not in FILTERED_BY:
        problems.append(Problem("org", Message('no enterprise or accounting body "%(name)s"',
                                               name=raw)))
        return None
    return found


@dataclass(frozen=True)
class Listing:
    """A page of the platform's submissions, how many the filters hold in all, and the
    organisation they are narrowed to (None: every one)."""

    page: Page
    count: int
    org: dict | None


def submissions(db, user: dict, args: Mapping, size: int = PAGE_SIZE) -> Listing:
    """One page of the platform's submissions as a request's ``args`` ask: ``status``,
    ``org`` (a producer's own, or those assigned to an accounting body), newest first by
    (updated_at, id), after the cursor ``before`` a page of this list gave; InvalidInput
    names every problem."""
    check_reader(user)
    problems: list[Problem] = []
    statuses = _status(args, problems)
    org = _organisation(db, args, problems)
    if problems:
        raise InvalidInput(problems)
    after = parse_before(args.get("before"))
    chosen = stored.Filters(statuses=statuses,
                            **({FILTERED_BY[org["kind"]]: org["id"]} if org else {}))
    return Listing(cut(stored.page(db, chosen, after, size + 1), size, cursor_of),
                   stored.count(db, chosen), org)


def filterable(db, user: dict) -> list[dict]:
    """The organisations a list of submissions may be narrowed to: producers, then
    accounting bodies, each by name."""
    check_reader(user)
    return [org for kind in FILTERED_BY for org in store_accounts.organisations(db, kind)]


# each kind's list pages on its own cursor (the query parameter naming the last organisation
# of the page before), so turning one list's page keeps the others'
CURSORS = {"enterprise": "before", "accounting_body": "bodies_before",
           "bank": "banks_before"}


@dataclass(frozen=True)
class Organisations:
    """A page of one kind's organisations and how many of that kind there are in all."""

    page: Page
    count: int


def _after(db, kind: str, args: Mapping, problems: list[Problem]) -> int | None:
    """The organisation of ``kind`` the list's cursor names, if any: a number a page of this
    list gave."""
    where = CURSORS[kind]
    raw = (args.get(where) or "").strip()
    if not raw:
        return None
    found = store_accounts.organisation_numbered(db, int(raw)) \
        if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None
    if found is None or found["kind"] != kind:
        problems.append(Problem(where, NOT_A_CURSOR))
        return None
    return found["id"]


def organisations(db, user: dict, args: Mapping | None = None,
                  size: int = PAGE_SIZE) -> dict[str, Organisations]:
    """Producers, accounting bodies and banks (kind -> a page of them by name, after the
    cursor ``args`` gives that kind, CURSORS), each with ``submissions`` (a producer's own,
    those assigned to a body), ``labels`` (issued for a producer's products, on the
    submissions a body verified), ``consents`` (a bank's, open now) and ``finding_subject``
    (a regulator's finding may concern it); InvalidInput names every cursor no page gave."""
    check_reader(user)
    problems: list[Problem] = []
    after = {kind: _after(db, kind, args or {}, problems) for kind in LISTED_KINDS}
    if problems:
        raise InvalidInput(problems)
    submitted = stored.counted_by_organisation(db)
    labelled = store_labels.counted_by_organisation(db)
    consenting = store_consents.counted_by_bank(db)
    counts = {"enterprise": (submitted["produced"], labelled["produced"]),
              "accounting_body": (submitted["assigned"], labelled["verified"]),
              "bank": ({}, {})}
    in_all = store_accounts.counted_by_kind(db)
    listed = {}
    for kind in LISTED_KINDS:
        page = cut(store_accounts.organisations_page(db, kind, after[kind], size + 1), size,
                   lambda org: org["id"])
        listed[kind] = Organisations(Page(
            [{**org, "submissions": counts[kind][0].get(org["id"], 0),
              "labels": counts[kind][1].get(org["id"], 0),
              "consents": consenting.get(org["id"], 0),
              "finding_subject": kind in SUBJECT_KINDS} for org in page.rows],
            page.next_before), in_all.get(kind, 0))
    return listed
