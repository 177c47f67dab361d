"""The ``products`` and ``submissions`` tables.

A submission's BOM is stored as canonical JSON text (``bom_json``) and decoded here, once:
every record this module returns carries it as ``bom``, a dict. Who may read or change a
submission is not decided here (footprint.usecases applies footprint.workflow's rules).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypedDict

from .. import clock, jsontext
from ..bom import Bom, parse_bom
from ..workflow import STATUSES


class Submission(TypedDict):
    id: int
    product_id: int
    org_id: int
    status: str
    bom: dict  # the canonical BOM as stored
    revision: int
    verifier_org_id: int | None
    verified_by: int | None
    approved_by: int | None
    created_by: int
    idempotency_key: str | None
    created_at: str
    updated_at: str


class Listed(Submission):
    """A submission as lists show it: with its product, organisation and current total."""

    product_name: str
    product_name_zh: str | None
    category: str
    org_name: str
    verifier_org_name: str | None  # the accounting body it is assigned to, if any
    total_kg_co2e: float | None


def _bom_text(bom: dict) -> str:
    return json.dumps(bom, ensure_ascii=False)


def _bom_of(text: str) -> dict:
    """The one place a stored BOM is decoded."""
    return jsontext.loads(text)


def _record(row: dict | None):
    if row is None:
        return None
    record = {k: v for k, v in row.items() if k != "bom_json"}
    record["bom"] = _bom_of(row["bom_json"])
    return record


def get(db, submission_id: int) -> Submission | None:
    return _record(next(db.query("SELECT * FROM submissions WHERE id = ?", [submission_id]),
                        None))


def access(db, submission_id: int) -> dict | None:
    """What deciding who may see a submission reads (footprint.workflow.can_see), without
    its BOM."""
    return next(db.query("SELECT id, org_id, verifier_org_id, status FROM submissions "
                         "WHERE id = ?", [submission_id]), None)


def by_idempotency_key(db, user_id: int, key: str) -> Submission | None:
    return _record(next(db.query("SELECT * FROM submissions WHERE created_by = ? AND "
                                 "idempotency_key = ?", [user_id, key]), None))


def insert(db, product_id: int, org_id: int, bom: dict, created_by: int,
           idempotency_key: str | None) -> int:
    """A new draft at revision 1; returns its id."""
    stamp = clock.stamp()
    return db["submissions"].insert({
        "product_id": product_id, "org_id": org_id, "status": "draft",
        "bom_json": _bom_text(bom), "revision": 1, "created_by": created_by,
        "idempotency_key": idempotency_key, "created_at": stamp, "updated_at": stamp}).last_pk


def revise(db, submission_id: int, product_id: int, bom: dict, revision: int) -> None:
    db["submissions"].update(submission_id, {"bom_json": _bom_text(bom), "revision": revision,
                                             "product_id": product_id,
                                             "updated_at": clock.stamp()})


def update(db, submission_id: int, **changes) -> None:
    """Set workflow columns (status, verifier_org_id, verified_by, approved_by); updated_at
    is now unless given."""
    db["submissions"].update(submission_id, {"updated_at": clock.stamp(), **changes})


def set_status(db, submission_id: int, status: str) -> None:
    """A status reached by what happened to the submission's label (issued, superseded,
    revoked): the submission itself was not touched, so updated_at stays."""
    db["submissions"].update(submission_id, {"status": status})


@dataclass(frozen=True)
class Filters:
    """Which submissions a list holds: by the producing organisation, the assigned
    accounting body and the status (``statuses``: any of them; ``exclude_status``: not it)."""

    org_id: int | None = None
    verifier_org_id: int | None = None
    statuses: tuple[str, ...] = ()
    exclude_status: str | None = None


_LISTED = ("SELECT s.*, p.name AS product_name, p.name_zh AS product_name_zh, p.category, "
           "o.name AS org_name, v.name AS verifier_org_name, r.total_kg_co2e "
           "FROM submissions s "
           "JOIN products p ON p.id = s.product_id JOIN organisations o ON o.id = s.org_id "
           "LEFT JOIN organisations v ON v.id = s.verifier_org_id "
           "LEFT JOIN results r ON r.submission_id = s.id AND r.revision = s.revision")
NEWEST_FIRST = "ORDER BY s.updated_at DESC, s.id DESC"
OLDEST_FIRST = "ORDER BY s.updated_at, s.id"


def _where(filters: Filters) -> tuple[str, list]:
    where, params = [], []
    if filters.org_id is not None:
        where.append("s.org_id = ?"), params.append(filters.org_id)
    if filters.verifier_org_id is not None:
        where.append("s.verifier_org_id = ?"), params.append(filters.verifier_org_id)
    if filters.exclude_status is not None:
        where.append("s.status != ?"), params.append(filters.exclude_status)
    if filters.statuses:
        where.append(f"s.status IN ({', '.join('?' for _ in filters.statuses)})")
        params += list(filters.statuses)
    return " AND ".join(where) or "1 = 1", params


def listed(db, filters: Filters = Filters()) -> list[Listed]:
    """Every submission ``filters`` hold, newest first (a short list only: pages are
    ``page``'s)."""
    where, params = _where(filters)
    return [_record(row) for row in db.query(f"{_LISTED} WHERE {where} {NEWEST_FIRST}",
                                             params)]


def _after(before: tuple[str, int] | None, oldest_first: bool) -> tuple[str, list]:
    """The condition (and its parameters) of the rows after the cursor ``before`` in the
    list's order: updated_at <= ? (>= ?) is the range an index walks; the OR settles ties
    within a second by id."""
    if before is None:
        return "", []
    return ((" AND s.updated_at >= ? AND (s.updated_at > ? OR s.id > ?)" if oldest_first
             else " AND s.updated_at <= ? AND (s.updated_at < ? OR s.id < ?)"),
            [before[0], before[0], before[1]])


def page(db, filters: Filters, before: tuple[str, int] | None, size: int,
         oldest_first: bool = False) -> list[Listed]:
    """Up to ``size`` submissions ``filters`` hold, newest first by (updated_at, id) (or
    oldest first: a queue), those after ``before`` in that order (the updated_at and id of
    the last row of the page before; None: from the list's start).

    The ids are chosen first from an index alone (migration 23), ``size`` entries of it
    walked in the list's order (SQLite walks an index either way), and only their rows
    read: the page costs the same whatever the list's length."""
    where, params = _where(filters)
    order = OLDEST_FIRST if oldest_first else NEWEST_FIRST
    after, after_params = _after(before, oldest_first)
    chosen = f"SELECT s.id FROM submissions s WHERE {where}{after} {order} LIMIT ?"
    return [_record(row) for row in db.query(
        f"{_LISTED} WHERE s.id IN ({chosen}) {order}", [*params, *after_params, size])]


def handled_page(db, org_id: int, before: tuple[str, int] | None,
                 size: int) -> list[Listed]:
    """Up to ``size`` submissions the accounting body ``org_id`` handled, newest first by
    (updated_at, id), those after ``before``: what is assigned to it and no longer awaits
    its verification, and what it was sent away from after deciding on it
    (``former_bodies``), in whatever status, and is not assigned to it again."""
    handled = tuple(status for status in STATUSES if status != "submitted")
    return body_page(db, org_id, handled, (), before, size)


def body_page(db, org_id: int, statuses: tuple[str, ...],
              elsewhere_statuses: tuple[str, ...], before: tuple[str, int] | None,
              size: int) -> list[Listed]:
    """Up to ``size`` submissions of the accounting body ``org_id``, newest first by
    (updated_at, id), those after ``before``: what is assigned to it in ``statuses``, and
    what it was sent away from after deciding on it (``former_bodies``) and is not assigned
    to it again, in ``elsewhere_statuses`` (either empty: in any status).

    Two pages merged, each read as a queue's is: the first walks the index by body, status
    and update time (migration 23); the second reads the body's rows of former_bodies
    (migration 24), few beside its history."""
    after, after_params = _after(before, oldest_first=False)
    mine, mine_params = _where(Filters(verifier_org_id=org_id, statuses=statuses))
    gone_status = (f" AND s.status IN ({', '.join('?' for _ in elsewhere_statuses)})"
                   if elsewhere_statuses else "")
    assigned = (f"SELECT s.id, s.updated_at FROM submissions s WHERE {mine}{after} "
                f"{NEWEST_FIRST} LIMIT ?")
    elsewhere = ("SELECT s.id, s.updated_at FROM submissions s WHERE s.id IN (SELECT "
                 "f.submission_id FROM former_bodies f WHERE f.org_id = ?) AND "
                 f"s.verifier_org_id != ?{gone_status}{after} {NEWEST_FIRST} LIMIT ?")
    chosen = (f"SELECT h.id FROM (SELECT * FROM ({assigned}) mine UNION ALL "
              f"SELECT * FROM ({elsewhere}) gone) h "
              "ORDER BY h.updated_at DESC, h.id DESC LIMIT ?")
    params = [*mine_params, *after_params, size,
              org_id, org_id, *elsewhere_statuses, *after_params, size, size]
    return [_record(row) for row in db.query(
        f"{_LISTED} WHERE s.id IN ({chosen}) {NEWEST_FIRST}", params)]


def decided_page(db, actions: tuple[str, ...], from_status: str,
                 before: tuple[str, int] | None, size: int) -> list[Listed]:
    """Up to ``size`` submissions with an audit event among ``actions`` leaving
    ``from_status`` (the platform's decisions), newest first by (updated_at, id), those after
    ``before``. The index by update time is walked in the list's order, each submission's
    events found by the index by submission: a page reads about its own rows, whatever the
    history's length."""
    marks = ", ".join("?" for _ in actions)
    after, after_params = _after(before, oldest_first=False)
    chosen = ("SELECT s.id FROM submissions s WHERE EXISTS (SELECT 1 FROM audit_events a "
              f"WHERE a.submission_id = s.id AND a.action IN ({marks}) AND "
              f"a.from_status = ?){after} {NEWEST_FIRST} LIMIT ?")
    return [_record(row) for row in db.query(
        f"{_LISTED} WHERE s.id IN ({chosen}) {NEWEST_FIRST}",
        [*actions, from_status, *after_params, size])]


def record_former_bodies(db, submission_id: int, org_ids) -> None:
    """The accounting bodies ``org_ids`` decided on the submission, which now goes to
    another: each keeps it in its list of what it handled (``handled_page``)."""
    for org_id in org_ids:
        db.execute("INSERT INTO former_bodies (org_id, submission_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING", [org_id, submission_id])


def count(db, filters: Filters) -> int:
    """How many submissions ``filters`` hold (from an index, not their rows)."""
    where, params = _where(filters)
    return db.execute(f"SELECT COUNT(*) FROM submissions s WHERE {where}",
                      params).fetchone()[0]


def counted_by_organisation(db) -> dict[str, dict[int, int]]:
    """How many submissions each organisation produced (``produced``) and how many are
    assigned to each accounting body (``assigned``), by organisation id: counts of index
    entries (migration 23), no row read."""
    return {name: {row["org"]: row["n"] for row in db.query(
                f"SELECT {column} AS org, COUNT(*) AS n FROM submissions "
                f"WHERE {column} IS NOT NULL GROUP BY {column}")}
            for name, column in (("produced", "org_id"), ("assigned", "verifier_org_id"))}


def product_count(db, org_id: int) -> int:
    """How many of the organisation's products have a submission."""
    return db.execute("SELECT COUNT(DISTINCT product_id) FROM submissions WHERE org_id = ?",
                      [org_id]).fetchone()[0]


def products_listed(db, org_id: int, size: int | None = None,
                    before: tuple[str, int] | None = None) -> list[dict]:
    """The organisation's products with a submission, the most recently updated first by
    (their newest submission's updated_at, the product's id) (at most ``size``; None: all),
    those after ``before`` (that pair of the last product of the page before; None: from the
    newest): each its newest submission as lists show it, with ``submissions``, how many it
    has. Read from the index by product (migration 23): the count walks index entries only,
    and each newest submission is one lookup."""
    limit = "" if size is None else "LIMIT ?"
    after, params = "", [org_id]
    if before is not None:
        after = ("HAVING MAX(s.updated_at) < ? OR "
                 "(MAX(s.updated_at) = ? AND s.product_id < ?)")
        params += [before[0], before[0], before[1]]
    counted = list(db.query(
        "SELECT s.product_id, COUNT(*) AS submissions, MAX(s.updated_at) AS last "
        f"FROM submissions s WHERE s.org_id = ? GROUP BY s.product_id {after} "
        f"ORDER BY last DESC, s.product_id DESC {limit}",
        params + ([] if size is None else [size])))
    if not counted:
        return []
    ids = [row["product_id"] for row in counted]
    # every product of the organisation, or those counted (a bounded list of ids)
    which, params = ("p2.org_id = ?", [org_id]) if size is None else \
        (f"p2.id IN ({', '.join('?' for _ in ids)})", ids)
    newest = "SELECT n.id FROM submissions n WHERE n.org_id = ? AND n.product_id = p2.id " \
             "ORDER BY n.updated_at DESC, n.id DESC LIMIT 1"
    rows = {row["product_id"]: _record(row) for row in db.query(
        f"{_LISTED} WHERE s.id IN (SELECT ({newest}) FROM products p2 WHERE {which})",
        [org_id, *params])}
    return [{**rows[row["product_id"]], "submissions": row["submissions"]}
            for row in counted]


def bom(db, submission_id: int) -> dict:
    """The stored BOM of a submission."""
    (text,) = db.execute("SELECT bom_json FROM submissions WHERE id = ?",
                         [submission_id]).fetchone()
    return _bom_of(text)


# -- products ----------------------------------------------------------------------------------

def product_with_gtin(db, gtin: str, org_id: int) -> dict | None:
    """The product that has this GTIN-14: the organisation's own if it has one, else
    another organisation's; None if no product has it."""
    return next(db.query("SELECT * FROM products WHERE gtin = ? ORDER BY (org_id = ?) DESC, "
                         "id LIMIT 1", [gtin, org_id]), None)


def products_named(db, org_id: int, name: str, category: str) -> list[dict]:
    """The organisation's products of this name and category, oldest first."""
    return list(db.query("SELECT * FROM products WHERE org_id = ? AND name = ? AND "
                         "category = ? ORDER BY id", [org_id, name, category]))


def insert_product(db, org_id: int, product: dict) -> int:
    """A new product from a BOM's product fields; returns its id."""
    return db["products"].insert({
        "org_id": org_id, "name": product["name"], "name_zh": product.get("name_zh"),
        "category": product["category"], "gtin": product.get("gtin"),
        "created_at": clock.stamp()}).last_pk


def set_gtin(db, product_id: int, gtin: str) -> None:
    db["products"].update(product_id, {"gtin": gtin})


def get_product(db, product_id: int) -> dict:
    return db["products"].get(product_id)


class StoredProducts:
    """Sub-assemblies inside the service: ``product:<n>`` is product n of the same
    organisation, ``product:<id>`` the product whose BOM declares that product.id; either way
    its latest submission's BOM is used (a resolver for footprint.engine)."""

    def __init__(self, db, org_id: int):
        self.db, self.org_id = db, org_id

    def __call__(self, ref: str, parent: Bom) -> Bom:
        if ref.isdigit():
            rows = self.db.query(
                "SELECT bom_json FROM submissions WHERE org_id = ? AND product_id = ? "
                "ORDER BY id DESC LIMIT 1", [self.org_id, int(ref)])
        else:
            rows = self.db.query(
                "SELECT bom_json FROM submissions WHERE org_id = ? "
                "AND json_extract(bom_json, '$.product.id') = ? ORDER BY id DESC LIMIT 1",
                [self.org_id, ref])
        for row in rows:
            return parse_bom(_bom_of(row["bom_json"]), origin=f"product:{ref}")
        raise LookupError(f'no product "{ref}" in your organisation')
