"""Organisations, users, argon2id passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import Forbidden, InvalidInput, NotFound, Problem
from .db import transaction
from .migrations import ORG_KINDS, ROLES, now

# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()
ROLE_ORG_KIND = {"producer": "enterprise", "verifier": "accounting_body",
                 "reviewer": "platform", "admin": "platform"}
MIN_PASSWORD = 10
TOKEN_PREFIX = "fpt_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def get_or_create_org(db, name: str, kind: str, region: str | None = None) -> dict:
    if kind not in ORG_KINDS:
        raise InvalidInput([Problem("kind", f"organisation kind must be one of {ORG_KINDS}")])
    rows = list(db.query("SELECT * FROM organisations WHERE name = ?", [name]))
    if rows:
        if rows[0]["kind"] != kind:
            raise InvalidInput([Problem("org", f'organisation "{name}" is a {rows[0]["kind"]}, '
                                               f"not a {kind}")])
        return rows[0]
    with transaction(db):
        org_id = db["organisations"].insert({"name": name, "kind": kind, "region": region,
                                             "created_at": now()}).last_pk
    return db["organisations"].get(org_id)


def create_user(db, username: str, role: str, org_name: str, password: str,
                display_name: str | None = None, region: str | None = None) -> dict:
    """A user in ``org_name``, creating the organisation with the kind the role implies."""
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", f'role "{role}" unknown; one of {", ".join(ROLES)}'))
    if len(password) < MIN_PASSWORD:
        problems.append(Problem("password", f"at least {MIN_PASSWORD} characters"))
    if not username or len(username) > 64:
        problems.append(Problem("username", "1 to 64 characters"))
    elif list(db.query("SELECT 1 FROM users WHERE username = ?", [username])):
        problems.append(Problem("username", f'"{username}" is taken'))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org = get_or_create_org(db, org_name, ROLE_ORG_KIND[role], region)
        user_id = db["users"].insert({
            "username": username, "display_name": display_name or username, "role": role,
            "org_id": org["id"], "password_hash": hash_password(password), "active": 1,
            "created_at": now()}).last_pk
    return db["users"].get(user_id)


def authenticate(db, username: str, password: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ? AND active = 1", [username]))
    if not rows:
        _hasher.hash(password)  # spend the same time as a real check: no user enumeration
        return None
    user = rows[0]
    if not check_password(user["password_hash"], password):
        return None
    if _hasher.check_needs_rehash(user["password_hash"]):
        with transaction(db):
            db["users"].update(user["id"], {"password_hash": hash_password(password)})
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db, username: str, name: str = "cli") -> str:
    """A new bearer token for ``username``; only its SHA-256 is stored, so show it once."""
    rows = list(db.query("SELECT id FROM users WHERE username = ? AND active = 1", [username]))
    if not rows:
        raise InvalidInput([Problem("username", f'no active user "{username}"')])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        db["api_tokens"].insert({"user_id": rows[0]["id"], "name": name,
                                 "token_sha256": _token_digest(token), "created_at": now()})
    return token


def revoke_token(db, token: str) -> bool:
    """Revoke a bearer token; False if no such active token exists."""
    digest = _token_digest(token)
    rows = list(db.query("SELECT id FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                         [digest]))
    if not rows:
        return False
    with transaction(db):
        db["api_tokens"].update(rows[0]["id"], {"revoked_at": now()})
    return True


def user_for_token(db, token: str) -> dict | None:
    rows = list(db.query(
        "SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
        "WHERE api_tokens.token_sha256 = ? AND api_tokens.revoked_at IS NULL "
        "AND users.active = 1", [_token_digest(token)]))
    return rows[0] if rows else None


def active_user(db, user_id: int) -> dict | None:
    """An active user with the name and kind of their organisation (for sessions)."""
    for row in db.query(
            "SELECT u.*, o.name AS org_name, o.kind AS org_kind FROM users u "
            "JOIN organisations o ON o.id = u.org_id WHERE u.id = ? AND u.active = 1", [user_id]):
        return row
    return None


def organisation(db, org_id: int) -> dict:
    return db["organisations"].get(org_id)


# -- administration ---------------------------------------------------------------------------

def list_organisations(db, kind: str | None = None) -> list[dict]:
    """Organisations by name, optionally of one kind, with how many users each has."""
    sql = ("SELECT o.*, (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS users "
           "FROM organisations o")
    params = []
    if kind is not None:
        sql += " WHERE o.kind = ?"
        params.append(kind)
    return list(db.query(sql + " ORDER BY o.name", params))


def list_users(db) -> list[dict]:
    """Every user with their organisation; never the password hash."""
    return list(db.query(
        "SELECT u.id, u.username, u.display_name, u.role, u.org_id, u.active, u.created_at, "
        "o.name AS org_name, o.kind AS org_kind FROM users u "
        "JOIN organisations o ON o.id = u.org_id ORDER BY o.name, u.username"))


def create_organisation(db, name: str, kind: str, region: str | None = None,
                        credit_code: str | None = None) -> dict:
    """A new organisation; unlike get_or_create_org, an existing name is an error. The
    unified social credit code is optional; labels sign it to name the producer and the
    verifier, and sign the platform's organisation number when it is missing."""
    name = (name or "").strip()
    region = (region or "").strip() or None
    problems = []
    if not name or len(name) > 200:
        problems.append(Problem("name", "1 to 200 characters"))
    elif list(db.query("SELECT 1 FROM organisations WHERE name = ?", [name])):
        problems.append(Problem("name", f'an organisation "{name}" exists already'))
    if kind not in ORG_KINDS:
        problems.append(Problem("kind", f"organisation kind must be one of {', '.join(ORG_KINDS)}"))
    if region is not None and len(region) > 50:
        problems.append(Problem("region", "at most 50 characters"))
    try:
        credit_code = checked_credit_code(db, credit_code)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org = get_or_create_org(db, name, kind, region)
        if credit_code:
            db["organisations"].update(org["id"], {"credit_code": credit_code})
    return db["organisations"].get(org["id"])


def set_credit_code(db, org_id: int, credit_code: str | None) -> dict:
    """Set (or with None clear) an organisation's unified social credit code. Labels issued
    before keep what they signed."""
    org = db["organisations"].get(org_id)
    code = checked_credit_code(db, credit_code, org_id)
    with transaction(db):
        db["organisations"].update(org["id"], {"credit_code": code})
    return db["organisations"].get(org["id"])


def checked_credit_code(db, value, org_id: int | None = None) -> str | None:
    """A unified social credit code, compacted, checked and not another organisation's."""
    from ..identifiers import credit_code
    value = (value or "").strip()
    if not value:
        return None
    try:
        code = credit_code(value)
    except ValueError as exc:
        raise InvalidInput([Problem("credit_code", str(exc))]) from None
    for row in db.query("SELECT name FROM organisations WHERE credit_code = ? AND id IS NOT ?",
                        [code, org_id]):
        raise InvalidInput([Problem("credit_code",
                                    f'{code} is the code of "{row["name"]}" already')])
    return code


def set_user_active(db, actor: dict, user_id: int, active: bool) -> dict:
    """Deactivate (or reactivate) a user: only an admin, and never their own account. A
    deactivated user cannot log in, their sessions end and their API tokens stop working."""
    if actor["role"] != "admin":
        raise Forbidden("only an administrator deactivates users")
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFound("no such user")
    if rows[0]["id"] == actor["id"] and not active:
        raise Forbidden("an administrator cannot deactivate their own account")
    with transaction(db):
        db["users"].update(user_id, {"active": 1 if active else 0})
    return db["users"].get(user_id)


def deactivate_user(db, actor: dict, user_id: int) -> dict:
    return set_user_active(db, actor, user_id, False)
