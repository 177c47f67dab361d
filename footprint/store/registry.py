"""The public registry's tables (migration 17): ``registry_labels``, one row per issued label
kept by triggers on ``labels``, and ``registry_search``, the trigram index of its text.

Every filter is a bound parameter on an indexed column; pages are keyset pages on ``seq``
(issuance order, newest first), so a page costs the same at the end of 100,000 labels as at
the start and a label issued meanwhile never shifts the pages a reader walks.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .db import POSTGRESQL, database_file, dialect

# the trigram index finds patterns of three characters or more; a shorter term (橙, 柑橘)
# is compared row by row (SQLite 3.40's trigram index answers nothing for it)
TRIGRAM = 3


@dataclass(frozen=True)
class Filters:
    terms: tuple[str, ...] = ()
    # per term, the categories whose names or search words hold it: their labels match too
    term_categories: tuple[tuple[str, ...], ...] = ()
    region: str | None = None
    category: str | None = None
    org_id: int | None = None
    verifier_org_id: int | None = None
    product_id: int | None = None
    grade: str | None = None
    state: str | None = None   # valid, superseded, revoked, expired


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _state(state: str, now: str) -> tuple[str, list]:
    """The state as usecases.labels.status says it: revoked wins, then superseded, then
    expired (expires_at before now)."""
    if state in ("revoked", "superseded"):
        return "r.ended = ?", [state]
    if state == "expired":
        return "r.ended IS NULL AND r.expires_at < ?", [now]
    return "r.ended IS NULL AND r.expires_at >= ?", [now]


def _where(filters: Filters, now: str, sqlite: bool) -> tuple[list[str], list]:
    """The WHERE clauses; ``sqlite``: with the "+" that keeps SQLite's planner off the
    trigram index where it cannot help (PostgreSQL's planner weighs that itself), and
    PostgreSQL's ILIKE for SQLite's LIKE, which ignores case."""
    plus = "+" if sqlite else ""
    like = "LIKE" if sqlite else "ILIKE"  # SQLite's LIKE ignores case (ASCII's)
    clauses, params = [], []
    for column in ("region", "category", "org_id", "verifier_org_id", "product_id", "grade"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"r.{column} = ?")  # names from this list only
            params.append(value)
    if filters.state is not None:
        clause, values = _state(filters.state, now)
        clauses.append(clause)
        params.extend(values)
    for term, categories in zip(filters.terms, filters.term_categories or
                                ((),) * len(filters.terms)):
        if any(c in term for c in "%_\\"):  # a wildcard searched for: row by row (the
            clause = f"{plus}s.text {like} ? ESCAPE '\\'"  # trigram index takes no ESCAPE)
            params.append(_like(term))
        else:  # "+": a short term is compared by SQLite itself, row by row
            clause = f"{'' if len(term) >= TRIGRAM else plus}s.text {like} ?"
            params.append(f"%{term}%")
        if categories:
            clause = f"({clause} OR r.category IN ({', '.join('?' * len(categories))}))"
            params.extend(categories)
        clauses.append(clause)
    return clauses, params


def page(db, filters: Filters, now: str, before: int | None, size: int) -> list[dict]:
    """Up to ``size`` rows matching ``filters``, newest first, issued before ``seq``
    ``before`` (None: from the newest).

    A search walks the trigram index newest first (FTS5 gives rowids in descending order)
    and looks each match's row up; CROSS JOIN keeps that order of the loops, since a
    filter's index as the outer loop would ask the search index once per row. (PostgreSQL:
    registry_search is a table with a trigram index, joined as its planner sees fit.)"""
    sqlite = dialect(db) != POSTGRESQL
    clauses, params = _where(filters, now, sqlite)
    order = "r.seq"
    tables = "registry_labels r"
    if filters.terms:
        order = "s.rowid"
        tables = (f"registry_search s {'CROSS JOIN' if sqlite else 'JOIN'} registry_labels r "
                  "ON r.seq = s.rowid")
    if before is not None:
        clauses.append(f"{order} < ?")
        params.append(before)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(db.query(f"SELECT r.* FROM {tables} {where} ORDER BY {order} DESC LIMIT ?",
                         [*params, size]))


# What a label's signed result says of its value, read in one go as a JSON array (one parse
# of the result's JSON a row): system boundary, the GWP method's name, the data-quality
# ratings, the primary data share (per cent) and the gas scopes
_BASIS_SQLITE = ("json_extract(s.result_json, '$.system_boundary', '$.method.name', '$.dqi', "
                 "'$.primary_data_share', '$.scopes')")
_BASIS_POSTGRESQL = ("(SELECT jsonb_build_array(j->'system_boundary', j#>'{method,name}', "
                     "j->'dqi', j->'primary_data_share', j->'scopes')::text "
                     "FROM (SELECT s.result_json::jsonb AS j) AS parsed)")


def rows(db) -> Iterator[dict]:
    """Every row, oldest first (the open data's order), with its producer's credit code and,
    from the result the label signs (the full hash its record keeps), ``data_version_name``
    and ``basis`` (the JSON array above; None where the result is not held)."""
    if dialect(db) == POSTGRESQL:
        basis, signed = _BASIS_POSTGRESQL, "(l.claims_json::jsonb)->>'reproducibility_hash'"
    else:
        basis, signed = _BASIS_SQLITE, "json_extract(l.claims_json, '$.reproducibility_hash')"
    return db.query(f"SELECT r.*, o.credit_code, s.data_version_name, {basis} AS basis "
                    "FROM registry_labels r LEFT JOIN organisations o ON o.id = r.org_id "
                    "LEFT JOIN labels l ON l.id = r.label_id "
                    "LEFT JOIN results s ON s.id = (SELECT max(id) FROM results "
                    f"WHERE submission_id = l.submission_id AND reproducibility_hash = {signed}) "
                    "ORDER BY r.seq")


def organisation(db, org_id: int) -> dict | None:
    """The organisation, if any label names it as producer or accounting body."""
    return next(db.query(
        "SELECT id, name, kind, region, credit_code FROM organisations WHERE id = ? AND "
        "(EXISTS (SELECT 1 FROM registry_labels WHERE org_id = ?) OR "
        "EXISTS (SELECT 1 FROM registry_labels WHERE verifier_org_id = ?))",
        [org_id, org_id, org_id]), None)


def product(db, product_id: int) -> dict | None:
    """The product, if a label was issued for it."""
    return next(db.query(
        "SELECT p.id, p.name, p.name_zh, p.category, p.gtin, p.org_id FROM products p "
        "WHERE p.id = ? AND EXISTS (SELECT 1 FROM registry_labels WHERE product_id = ?)",
        [product_id, product_id]), None)


def _indexed_by(db) -> str:
    """SQLite names the covering index; PostgreSQL's planner finds it by itself."""
    return "" if dialect(db) == POSTGRESQL else "INDEXED BY registry_current"


def current_values(db, now: str) -> Iterator[tuple[str, str, float]]:
    """(category, declared unit, kg CO2e per declared unit) of every valid label (neither
    superseded, revoked nor expired), ordered so, read from one covering index (named: the
    planner would otherwise take the index by state and sort)."""
    return db.execute(
        f"SELECT category, declared_unit, per_unit FROM registry_labels {_indexed_by(db)} "
        "WHERE ended IS NULL AND per_unit IS NOT NULL AND "
        "expires_at >= ? ORDER BY category, declared_unit, per_unit", [now])


def current_values_of(db, category: str, declared_unit: str, now: str) -> list[float]:
    """kg CO2e per declared unit of every valid label of one category and unit, ascending."""
    return [row[0] for row in db.execute(
        f"SELECT per_unit FROM registry_labels {_indexed_by(db)} "
        "WHERE ended IS NULL AND category = ? AND "
        "declared_unit = ? AND per_unit IS NOT NULL AND expires_at >= ? ORDER BY per_unit",
        [category, declared_unit, now])]


def fingerprint(db) -> tuple:
    """What changes whenever a label is issued, superseded or revoked: the database's file,
    the newest label and how many have ended (two index lookups)."""
    newest, ended = db.execute(
        "SELECT (SELECT max(seq) FROM registry_labels), "
        "(SELECT count(*) FROM registry_labels WHERE ended IS NOT NULL)").fetchone()
    return database_file(db), newest, ended
