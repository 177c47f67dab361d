"""The ``organisations``, ``users`` and ``api_tokens`` tables.

Passwords arrive here already hashed and tokens as their SHA-256; the rules (credit codes; roles,
password length, who may deactivate whom; tokens' labels and limits) are those of
footprint.usecases.organisations, users and tokens.
"""
from __future__ import annotations

from .. import clock

# -- organisations -----------------------------------------------------------------------------


def organisation(db, org_id: int) -> dict:
    return db["organisations"].get(org_id)


def organisation_numbered(db, org_id: int) -> dict | None:
    return next(db.query("SELECT * FROM organisations WHERE id = ?", [org_id]), None)


def organisation_named(db, name: str) -> dict | None:
    return next(db.query("SELECT * FROM organisations WHERE name = ?", [name]), None)


def organisation_with_code(db, code: str, other_than: int | None = None) -> dict | None:
    """The organisation (other than ``other_than``) holding a unified social credit code."""
    return next(db.query("SELECT * FROM organisations WHERE credit_code = ? "
                         "AND id IS DISTINCT FROM ?",
                         [code, other_than]), None)


def insert_organisation(db, name: str, kind: str, region: str | None = None,
                        credit_code: str | None = None) -> int:
    return db["organisations"].insert({"name": name, "kind": kind, "region": region,
                                       "credit_code": credit_code,
                                       "created_at": clock.stamp()}).last_pk


def set_credit_code(db, org_id: int, credit_code: str | None) -> None:
    db["organisations"].update(org_id, {"credit_code": credit_code})


def update_organisation(db, org_id: int, changes: dict) -> None:
    """Set the columns ``changes`` names (name, region, credit_code) of one organisation."""
    if set(changes) - {"name", "region", "credit_code"}:
        raise ValueError(f"not an organisation's editable column: {sorted(changes)}")
    db["organisations"].update(org_id, changes)


def organisations(db, kind: str | None = None) -> list[dict]:
    """Organisations by name, optionally of one kind, with how many users each has."""
    sql = ("SELECT o.*, (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS users "
           "FROM organisations o")
    params = []
    if kind is not None:
        sql += " WHERE o.kind = ?"
        params.append(kind)
    return list(db.query(sql + " ORDER BY o.name", params))


def organisations_page(db, kind: str, after: int | None, size: int) -> list[dict]:
    """Up to ``size`` organisations of ``kind`` by name (names are unique), those after the
    organisation numbered ``after`` (the last of the page before; None: from the first);
    read along the index on name."""
    sql, params = "SELECT o.* FROM organisations o WHERE o.kind = ?", [kind]
    if after is not None:
        sql += " AND o.name > (SELECT name FROM organisations WHERE id = ?)"
        params.append(after)
    return list(db.query(sql + " ORDER BY o.name LIMIT ?", [*params, size]))


def counted_by_kind(db) -> dict[str, int]:
    """How many organisations there are of each kind."""
    return {row["kind"]: row["n"] for row in db.query(
        "SELECT kind, COUNT(*) AS n FROM organisations GROUP BY kind")}


def any_organisation(db) -> bool:
    return next(db.query("SELECT 1 FROM organisations LIMIT 1"), None) is not None


# -- users -------------------------------------------------------------------------------------

def user(db, user_id: int) -> dict | None:
    return next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)


def user_named(db, username: str, active_only: bool = False) -> dict | None:
    sql = "SELECT * FROM users WHERE username = ?" + (" AND active = 1" if active_only else "")
    return next(db.query(sql, [username]), None)


def user_named_in_any_case(db, username: str) -> dict | None:
    """A user whose name is ``username`` but for the case of its ASCII letters."""
    return next(db.query("SELECT * FROM users WHERE lower(username) = lower(?) ORDER BY id",
                         [username]), None)


def insert_user(db, username: str, display_name: str, role: str, org_id: int,
                password_hash: str) -> int:
    return db["users"].insert({"username": username, "display_name": display_name,
                               "role": role, "org_id": org_id, "password_hash": password_hash,
                               "active": 1, "created_at": clock.stamp()}).last_pk


def set_password_hash(db, user_id: int, password_hash: str) -> None:
    db["users"].update(user_id, {"password_hash": password_hash})


def set_active(db, user_id: int, active: bool) -> None:
    db["users"].update(user_id, {"active": 1 if active else 0})


def active_user(db, user_id: int) -> dict | None:
    """An active user with the name and kind of their organisation (for sessions)."""
    return next(db.query(
        "SELECT u.*, o.name AS org_name, o.kind AS org_kind FROM users u "
        "JOIN organisations o ON o.id = u.org_id WHERE u.id = ? AND u.active = 1", [user_id]),
        None)


def users(db, role: str | None = None, org_id: int | None = None) -> list[dict]:
    """Every user (of ``role``, of organisation ``org_id``) with their organisation; never
    the password hash."""
    where, params = _matching({"u.role": role, "u.org_id": org_id})
    return list(db.query(
        "SELECT u.id, u.username, u.display_name, u.role, u.org_id, u.active, u.created_at, "
        "o.name AS org_name, o.kind AS org_kind FROM users u "
        f"JOIN organisations o ON o.id = u.org_id{where} ORDER BY o.name, u.username", params))


def _matching(wanted: dict, *conditions: str) -> tuple[str, list]:
    """A WHERE clause (or none) for the columns of ``wanted`` whose value is not None, each
    a bound parameter, and ``conditions`` as they are."""
    clauses = [*(f"{column} = ?" for column, value in wanted.items() if value is not None),
               *conditions]
    params = [value for value in wanted.values() if value is not None]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def usernames_with_organisations(db) -> dict[str, str]:
    """username -> organisation name, for every user."""
    return {r["username"]: r["org"] for r in db.query(
        "SELECT u.username, o.name AS org FROM users u JOIN organisations o ON o.id = u.org_id")}


def first_admin(db) -> dict | None:
    return next(db.query("SELECT * FROM users WHERE role = 'admin' ORDER BY id LIMIT 1"), None)


# -- API tokens ----------------------------------------------------------------------------------

def insert_token(db, user_id: int, name: str, digest: str) -> int:
    return db["api_tokens"].insert({"user_id": user_id, "name": name, "token_sha256": digest,
                                    "created_at": clock.stamp()}).last_pk


def active_token_id(db, digest: str) -> int | None:
    row = next(db.query("SELECT id FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                        [digest]), None)
    return row and row["id"]


def token_used(db, token_id: int, at: str, unless_since: str) -> None:
    """The token was used ``at``: recorded unless a use at ``unless_since`` or later is."""
    db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
               "AND (last_used_at IS NULL OR last_used_at < ?)", [at, token_id, unless_since])


def revoke_token(db, token_id: int) -> None:
    db["api_tokens"].update(token_id, {"revoked_at": clock.stamp()})


def tokens(db, user_id: int | None = None, token_id: int | None = None,
           name: str | None = None, active_only: bool = False) -> list[dict]:
    """API tokens (of ``user_id``, numbered ``token_id``, named ``name``) with their user's
    name and whether the user is active (a deactivated user's tokens do not work), oldest
    first; never the token's SHA-256."""
    where, params = _matching({"t.user_id": user_id, "t.id": token_id, "t.name": name},
                              *(["t.revoked_at IS NULL"] if active_only else []))
    return list(db.query(
        "SELECT t.id, t.user_id, u.username, u.active AS user_active, t.name, t.created_at, "
        f"t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id{where} "
        "ORDER BY t.id", params))


def user_for_token(db, digest: str) -> dict | None:
    """The active user of an unrevoked token with this SHA-256, with the token's number
    (``token_id``) and when it was last used (``token_last_used_at``)."""
    return next(db.query(
        "SELECT users.*, api_tokens.id AS token_id, "
        "api_tokens.last_used_at AS token_last_used_at "
        "FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
        "WHERE api_tokens.token_sha256 = ? AND api_tokens.revoked_at IS NULL "
        "AND users.active = 1", [digest]), None)
