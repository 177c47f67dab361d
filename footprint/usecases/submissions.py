"""Creating, revising and reading submissions, each for one acting ``user``.

A producer's BOM is calculated by the engine first (bad input raises before anything is
written); then, in one transaction, the store keeps the BOM, its full result, the
submission's current footprint, the data version used and the keyed rows a recalculation
will reuse, with an audit event. Reads check what the user may see (footprint.workflow): a
submission of another organisation is NotFound.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from ..bom import Bom, parse_bom
from ..errors import Forbidden, InvalidInput, Message, Problem
from ..paging import MAX_ID, PAGE_SIZE, Page, cut
from ..recalc.keyed import keep, keyed_bom
from ..store import audit, results
from ..store import footprints as store_footprints
from ..store import submissions as stored
from ..store.db import transaction
from ..store.submissions import Listed, StoredProducts, Submission
from ..workflow import (BODY_DECISIONS, PLATFORM_DECIDES_ON, PLATFORM_DECISIONS, READ_ALL,
                        assigned_to, check_edit, check_visible)
from .supplier import LabelInputs, label_inputs, record_label_inputs


@dataclass(frozen=True)
class Calculated:
    """A BOM as the engine resolved and calculated it, with the registry it used."""

    resolved: object  # footprint.engine.resolve.ResolvedBom
    result: dict
    registry: object

    @property
    def bom(self) -> Bom:
        return self.resolved.bom


def _calculated(db, engine, user: dict, bom_dict: dict, method: str | None = None,
                home=None, sealed: bool = True) -> Calculated:
    # keep_going: the shape's problems and the resolution's are reported in one round;
    # suppliers' labels are checked against this platform's trust list and log (``home``:
    # the platform's FOOTPRINT_HOME, by default the engine's)
    resolved = engine.resolve(parse_bom(bom_dict, keep_going=True),
                              StoredProducts(db, user["org_id"]),
                              LabelInputs(db, home or engine.home, org_id=user["org_id"]))
    return Calculated(resolved, engine.calculate_resolved(resolved, method, sealed=sealed),
                      engine.registry)


def calculate(db, engine, user: dict, bom_dict: dict, method: str | None = None, home=None):
    """(validated Bom, result) for a BOM given by ``user`` (a preview: nothing is stored,
    so the result has no reproducibility hash); raises InvalidInput."""
    calculated = _calculated(db, engine, user, bom_dict, method, home, sealed=False)
    return calculated.bom, calculated.result


def record_result(db, submission_id: int, revision: int, result: dict, region: str) -> None:
    """A full result of a revision, which also becomes the submission's current footprint."""
    results.insert(db, submission_id, revision, result)
    store_footprints.store_footprint(db, submission_id, revision, region, result)


def _record_calculated(db, submission_id: int, revision: int, calculated: Calculated) -> None:
    """The result, the data version it used, and the rows a recalculation will reuse."""
    record_result(db, submission_id, revision, calculated.result, calculated.bom.region)
    store_footprints.record_data_version(db, calculated.registry.data_version_record())
    keep(db, [(submission_id, revision, calculated.registry.resolution_fingerprint,
               keyed_bom(calculated.resolved, calculated.result, calculated.registry))])
    record_label_inputs(db, submission_id, revision, label_inputs(calculated.resolved))


def product_for(db, org_id: int, product: dict) -> int:
    """The organisation's product a BOM's product fields name, created on first use.

    A GTIN identifies the trade item, so it is matched first: the organisation's product
    with that GTIN, whatever its name. Without one of that GTIN, the organisation's product
    of this name and category: one that has no GTIN yet records the BOM's (so /01/<gtin>
    finds it), one with another GTIN is another trade item and a new product is made. A
    GTIN another organisation's product already has is refused: it is that brand owner's.
    Runs inside the caller's transaction (BEGIN IMMEDIATE: no other writer between the
    look-up and the insert)."""
    gtin = product.get("gtin")
    if gtin:
        owner = stored.product_with_gtin(db, gtin, org_id)
        if owner is not None and owner["org_id"] != org_id:
            raise InvalidInput([Problem("product.gtin", Message(
                "GTIN %(gtin)s already belongs to a product of another organisation on this "
                "platform; a GTIN names one trade item of one brand owner: check the number, "
                "or leave it out", gtin=gtin))])
        if owner is not None:
            return owner["id"]
    named = stored.products_named(db, org_id, product["name"], product["category"])
    if not gtin:
        if named:
            return named[0]["id"]
    else:
        for row in named:
            if not row["gtin"]:
                stored.set_gtin(db, row["id"], gtin)
                return row["id"]
    return stored.insert_product(db, org_id, product)


def create_submission(db, engine, user: dict, bom_dict: dict,
                      idempotency_key: str | None = None,
                      home=None) -> tuple[Submission, bool]:
    """A new draft with its calculated result; (submission, created). The same idempotency
    key from the same user returns the first submission instead of a second."""
    if user["role"] != "producer":
        raise Forbidden(Message("only producers create submissions"))
    if idempotency_key:
        existing = stored.by_idempotency_key(db, user["id"], idempotency_key)
        if existing:
            return existing, False
    calculated = _calculated(db, engine, user, bom_dict, home=home)
    bom = calculated.bom
    with transaction(db):
        if idempotency_key:  # another request with the key may have won the race
            existing = stored.by_idempotency_key(db, user["id"], idempotency_key)
            if existing:
                return existing, False
        product_id = product_for(db, user["org_id"], bom.product)
        submission_id = stored.insert(db, product_id, user["org_id"], bom.canonical,
                                      user["id"], idempotency_key)
        _record_calculated(db, submission_id, 1, calculated)
        audit.record(db, submission_id, user["id"], "create", None, "draft")
    return get(db, user, submission_id), True


def revise(db, engine, user: dict, submission_id: int, bom_dict: dict,
           home=None) -> Submission:
    """Replace the BOM of a draft or returned submission and recalculate."""
    submission = get(db, user, submission_id)
    check_edit(user, submission)
    calculated = _calculated(db, engine, user, bom_dict, home=home)
    bom = calculated.bom
    with transaction(db):
        revision = submission["revision"] + 1
        stored.revise(db, submission_id, product_for(db, user["org_id"], bom.product),
                      bom.canonical, revision)
        _record_calculated(db, submission_id, revision, calculated)
        audit.record(db, submission_id, user["id"], "revise", submission["status"],
                     submission["status"], f"revision {revision}")
    return get(db, user, submission_id)


# -- reading -----------------------------------------------------------------------------------

def _with_deciders(db, user: dict, submission: dict | None) -> dict | None:
    """The submission, and for an accounting body it is not assigned to, the bodies that
    decided on it (the audit trail): what footprint.workflow's rules read to let a body that
    verified or returned it keep reading it."""
    if submission is None or user["role"] != "verifier" or assigned_to(user, submission):
        return submission
    return {**submission, "deciding_bodies": audit.deciding_bodies(db, submission["id"])}


def get(db, user: dict, submission_id: int) -> Submission:
    """The submission if ``user`` may see it; NotFound otherwise."""
    return check_visible(user, _with_deciders(db, user, stored.get(db, submission_id)))


def ensure_visible(db, user: dict, submission_id: int) -> None:
    """NotFound unless ``user`` may see the submission (what ``get`` checks, without reading
    the BOM: for what is read about a submission beside it)."""
    check_visible(user, _with_deciders(db, user, stored.access(db, submission_id)))


def _filters(user: dict, statuses: tuple[str, ...] = ()) -> stored.Filters | None:
    """The submissions ``user`` may see, in ``statuses`` if any; None: none at all."""
    role = user["role"]
    if role == "producer":
        return stored.Filters(org_id=user["org_id"], statuses=statuses)
    if role == "verifier":
        return stored.Filters(verifier_org_id=user["org_id"], statuses=statuses)
    if role == "reviewer":
        return stored.Filters(statuses=statuses, exclude_status="draft")
    if role in READ_ALL:  # administrators, and regulators read only
        return stored.Filters(statuses=statuses)
    return None


def visible(db, user: dict, statuses: tuple[str, ...] = ()) -> list[Listed]:
    """Every submission ``user`` may see, newest first, optionally only in ``statuses``: for
    short lists (the demo's); pages and counts are ``page``'s and ``counted``'s."""
    filters = _filters(user, statuses)
    return [] if filters is None else stored.listed(db, filters)


def page(db, user: dict, statuses: tuple[str, ...] = (), before: str | None = None,
         size: int = PAGE_SIZE, oldest_first: bool = False) -> Page:
    """One page of the submissions ``user`` may see (in ``statuses`` if any), newest first
    by (updated_at, id), after the cursor ``before`` a page gave (None: the first page).
    ``oldest_first``: a work queue, first come first served, the longest waiting on top.

    A submission updated while someone pages moves to the list's newest end: on the first
    page when it is read again (the last, oldest first), and never twice in one walk; every
    other submission keeps its place, none skipped and none repeated."""
    after = parse_before(before)
    filters = _filters(user, statuses)
    if filters is None:
        return Page([], None)
    return cut(stored.page(db, filters, after, size + 1, oldest_first), size, cursor_of)


def handled(db, user: dict, before: str | None = None, size: int = PAGE_SIZE,
            where: str = "before") -> Page:
    """One page of what ``user``'s accounting body handled, newest first by (updated_at,
    id), after the cursor ``before`` (its problems located at ``where``, the page's own
    parameter): what is assigned to it and no longer awaits its verification, and what it
    verified or returned that the producer sent to another body since."""
    after = parse_before(before, where)
    if user["role"] != "verifier":
        return Page([], None)
    return cut(stored.handled_page(db, user["org_id"], after, size + 1), size, cursor_of)


def readable(db, user: dict, statuses: tuple[str, ...] = (), before: str | None = None,
             size: int = PAGE_SIZE) -> Page:
    """One page of every submission ``user`` may read (in ``statuses`` if any), newest first
    by (updated_at, id), after the cursor ``before``: ``page``'s, and for an accounting body
    also what it verified or returned before the producer sent it to another body (read
    only, as ``get`` lets it read it)."""
    if user["role"] != "verifier":
        return page(db, user, statuses, before, size)
    after = parse_before(before)
    return cut(stored.body_page(db, user["org_id"], statuses, statuses, after, size + 1),
               size, cursor_of)


def decided(db, user: dict, before: str | None = None, size: int = PAGE_SIZE,
            where: str = "before") -> Page:
    """One page of the submissions the platform's reviewers decided on (approved, or
    returned after verification: PLATFORM_DECISIONS), newest first by (updated_at, id),
    after the cursor ``before`` (its problems located at ``where``, the page's own
    parameter); for anyone but a reviewer, none."""
    after = parse_before(before, where)
    if user["role"] != "reviewer":
        return Page([], None)
    return cut(stored.decided_page(db, PLATFORM_DECISIONS, PLATFORM_DECIDES_ON, after,
                                   size + 1), size, cursor_of)


def counted(db, user: dict, statuses: tuple[str, ...] = ()) -> int:
    """How many submissions ``user`` may see, in ``statuses`` if any."""
    filters = _filters(user, statuses)
    return 0 if filters is None else stored.count(db, filters)


def products(db, user: dict, size: int | None = None) -> list[dict]:
    """A producer's products with a submission, the most recently updated first (at most
    ``size``; None: all), each as its newest submission shows it, with ``submissions``, how
    many it has; for anyone else, none."""
    if user["role"] != "producer":
        return []
    return stored.products_listed(db, user["org_id"], size)


def products_page(db, user: dict, before: str | None = None,
                  size: int = PAGE_SIZE) -> Page:
    """One page of a producer's products (as ``products`` gives them), the most recently
    updated first, after the cursor ``before`` a page of this list gave (InvalidInput at
    ``products_before`` for any other); for anyone else, none. A product updated while
    someone pages moves to the top, as a submission does (``page``)."""
    after = parse_before(before, "products_before")
    if user["role"] != "producer":
        return Page([], None)
    return cut(stored.products_listed(db, user["org_id"], size + 1, after), size,
               _product_cursor)


def product_count(db, user: dict) -> int:
    """How many products a producer has submitted."""
    return stored.product_count(db, user["org_id"]) if user["role"] == "producer" else 0


# A cursor is a submission's updated_at and id (the last row of a page), in URL-safe base64:
# opaque enough that nobody builds one by hand, and checked whole when it comes back.
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,120}")
NOT_A_CURSOR = Message("must be the cursor a page of this list gave (follow its link to the "
                       "next page)")


def _encoded(stamp: str, number: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp} {number}".encode()).decode().rstrip("=")


def cursor_of(row: dict) -> str:
    """The cursor of the page after ``row`` in a list of submissions."""
    return _encoded(row["updated_at"], row["id"])


def _product_cursor(row: dict) -> str:
    """A product's place: its newest submission's updated_at (the product's latest) and the
    product's id."""
    return _encoded(row["updated_at"], row["product_id"])


def parse_before(cursor: str | None, where: str = "before") -> tuple[str, int] | None:
    """(updated_at, id) from a cursor; None for none (the first page); InvalidInput at
    ``where`` (the cursor's parameter) for anything a page did not give."""
    if not cursor:
        return None
    try:
        if not CURSOR.fullmatch(cursor):
            raise ValueError(cursor)
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, number = text.rpartition(" ")
        datetime.fromisoformat(stamp)  # a stored time, or not a cursor
        if not number.isdigit() or not 1 <= int(number) <= MAX_ID:
            raise ValueError(number)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput([Problem(where, NOT_A_CURSOR)]) from None
    return stamp, int(number)


def latest_result(db, submission: Submission) -> dict | None:
    """The newest full result of the submission's revision (a re-issued label's, if any)."""
    return results.latest(db, submission["id"], submission["revision"])


def audit_trail(db, user: dict, submission_id: int) -> list[dict]:
    ensure_visible(db, user, submission_id)
    return audit.trail(db, submission_id)


@dataclass(frozen=True)
class Rerouted:
    """A submission sent to another accounting body than the one that last verified or
    returned it: the submit's audit event, that body's last decision (its audit event), the
    body before and the body after (ids)."""

    event: dict
    decision: dict
    from_body: int
    to_body: int


def _body_decision(event: dict) -> bool:
    return event["action"] in BODY_DECISIONS and event["role"] == "verifier"


def reroutings(events: list[dict], assigned: int | None) -> list[Rerouted]:
    """Every time a submission's audit trail (``events``, oldest first, as ``audit_trail``
    gives it) shows it submitted to another body than the one that decided on it last;
    ``assigned``: the body it is assigned to now.

    The trail records a submit without its body, and a submission leaves a body only
    returned, which that body did itself or after verifying it: so the body a submit went
    to is the one whose decision comes next, or, after the last submit, the one assigned."""
    found, last = [], None
    for i, event in enumerate(events):
        if _body_decision(event):
            last = event
        elif event["action"] == "submit" and last is not None:
            after = next((e for e in events[i + 1:]
                          if _body_decision(e) or e["action"] == "submit"), None)
            to = assigned if after is None else \
                after["actor_org_id"] if _body_decision(after) else None
            if to is not None and to != last["actor_org_id"]:
                found.append(Rerouted(event, last, last["actor_org_id"], to))
    return found


@dataclass(frozen=True)
class Returned:
    """A revision as it was when it was returned: the BOM and result the returner judged."""

    number: int
    bom: dict
    result: dict
    event: dict  # the return's audit event (who, when, why)


def returned_revision(db, user: dict, submission_id: int) -> Returned | None:
    """The revision the latest return sent back, if the producer has revised the BOM since
    (what changed is measured from it); None if it was never returned or not revised since.

    Every new revision writes a "revise" event in its transaction, so the revision a return
    saw is one more than the revisions made before it."""
    submission = get(db, user, submission_id)
    number, returned = 1, None
    for event in audit.trail(db, submission_id):
        if event["action"] == "revise":
            number += 1
        elif event["action"] == "return":
            returned = (number, event)
    if returned is None or returned[0] == submission["revision"]:
        return None
    result = results.latest(db, submission_id, returned[0])
    if result is None:
        return None
    # the result holds the BOM it was calculated from (footprint.engine.result)
    return Returned(returned[0], result["bom"]["bom"], result, returned[1])
