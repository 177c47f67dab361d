"""Organisations, users, argon2id passwords and API tokens: the rules of accounts.

A role implies the kind of its organisation; passwords have a minimum length and are stored
only as argon2id hashes; API tokens are shown once and stored as their SHA-256; a unified
social credit code is checked and unique; only an administrator (de)activates users, and
never their own account. Logging in and presenting a bearer token are throttled, and a new
password or a deactivation ends the user's sessions (footprint.usecases.security).
"""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import Forbidden, InvalidInput, Message, NotFound, Problem, Word
from ..identifiers import credit_code
from ..store import accounts as stored
from ..store.db import transaction
from ..text import checked
from ..workflow import ORG_KINDS, ROLE_ORG_KIND, ROLES
from . import security
from .security import ACCOUNT, ADDRESS, TOKEN_ADDRESS

# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()
MIN_PASSWORD = 10
TOKEN_PREFIX = "fpt_"

# what the pages read, as the store gives it
organisation = stored.organisation
active_user = stored.active_user
list_users = stored.users
list_organisations = stored.organisations


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _kinds() -> list[Word]:
    return [Word("org_kind", k) for k in ORG_KINDS]


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def get_or_create_org(db, name: str, kind: str, region: str | None = None) -> dict:
    if kind not in ORG_KINDS:
        raise InvalidInput([Problem("kind", Message("organisation kind must be one of "
                                                    "%(kinds)s", kinds=_kinds()))])
    existing = stored.organisation_named(db, name)
    if existing:
        if existing["kind"] != kind:
            raise InvalidInput([Problem("org", Message(
                'organisation "%(name)s" is a %(kind)s, not a %(wanted)s', name=name,
                kind=Word("org_kind", existing["kind"]), wanted=Word("org_kind", kind)))])
        return existing
    with transaction(db):
        org_id = stored.insert_organisation(db, name, kind, region)
    return stored.organisation(db, org_id)


def create_user(db, username: str, role: str, org_name: str, password: str,
                display_name: str | None = None, region: str | None = None) -> dict:
    """A user in ``org_name``, creating the organisation with the kind the role implies.
    Names are NFC and hold no invisible control characters (footprint.text)."""
    problems = []
    username = checked(username, "username", problems)
    display_name = checked(display_name, "display_name", problems)
    org_name = checked(org_name, "org", problems)
    if role not in ROLES:
        problems.append(Problem("role", Message('role "%(role)s" unknown; one of %(roles)s',
                                                role=role,
                                                roles=[Word("role", r) for r in ROLES])))
    if len(password) < MIN_PASSWORD:
        problems.append(Problem("password", Message("at least %(count)s characters",
                                                    count=MIN_PASSWORD)))
    if not username or len(username) > 64:
        problems.append(Problem("username", Message("1 to 64 characters")))
    elif stored.user_named(db, username) is not None:
        problems.append(Problem("username", Message('"%(name)s" is taken', name=username)))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org = get_or_create_org(db, org_name, ROLE_ORG_KIND[role], region)
        user_id = stored.insert_user(db, username, display_name or username, role, org["id"],
                                     hash_password(password))
    return stored.user(db, user_id)


def authenticate(db, username: str, password: str) -> dict | None:
    user = stored.user_named(db, username, active_only=True)
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check: no user enumeration
        return None
    if not check_password(user["password_hash"], password):
        return None
    if _hasher.check_needs_rehash(user["password_hash"]):
        with transaction(db):
            stored.set_password_hash(db, user["id"], hash_password(password))
    return user


def log_in(db, username: str, password: str, address: str | None) -> dict | None:
    """The user if the password is right; None if not. Throttled (the password unchecked)
    while the account name or the address must wait after too many failures."""
    attempts = [(ACCOUNT, username), (ADDRESS, address)]
    security.check(db, attempts, "login", username, address)
    user = authenticate(db, username, password)
    if user is None:
        security.failed(db, attempts)
        security.event(db, "login-failed", username, address)
        return None
    security.succeeded(db, ACCOUNT, username)
    security.event(db, "login", username, address)
    return user


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput([Problem("password", Message("at least %(count)s characters",
                                                        count=MIN_PASSWORD))])


def change_password(db, user: dict, current: str, new: str) -> None:
    """A user's own new password, given the current one; every session of the user ends."""
    stored_user = stored.user(db, user["id"])
    if stored_user is None or not check_password(stored_user["password_hash"], current):
        security.event(db, "password-change-refused", stored_user and stored_user["username"])
        raise InvalidInput([Problem("current_password",
                                    Message("the current password is not right"))])
    set_password(db, stored_user["username"], new)


def set_password(db, username: str, password: str) -> dict:
    """Set a user's password (an operator's reset, or the user's own change); every session
    of the user ends, so a cookie from before opens nothing."""
    user = stored.user_named(db, username)
    if user is None:
        raise InvalidInput([Problem("username", Message('no user "%(name)s"', name=username))])
    check_new_password(password)
    with transaction(db):
        stored.set_password_hash(db, user["id"], hash_password(password))
        security.end_sessions_of(db, user["id"])
    security.event(db, "password-changed", username)
    return stored.user(db, user["id"])


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_user_named(db, username: str) -> dict:
    """The active user ``username`` (a command acting for them); raises InvalidInput."""
    user = stored.user_named(db, username, active_only=True)
    if user is None:
        raise InvalidInput([Problem("username", Message('no active user "%(name)s"',
                                                        name=username))])
    return user


def create_token(db, username: str, name: str = "cli") -> str:
    """A new bearer token for ``username``; only its SHA-256 is stored, so show it once."""
    user = active_user_named(db, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        stored.insert_token(db, user["id"], name, _token_digest(token))
    return token


def revoke_token(db, token: str) -> bool:
    """Revoke a bearer token; False if no such active token exists."""
    token_id = stored.active_token_id(db, _token_digest(token))
    if token_id is None:
        return False
    with transaction(db):
        stored.revoke_token(db, token_id)
    return True


def user_for_token(db, token: str) -> dict | None:
    return stored.user_for_token(db, _token_digest(token))


def user_for_bearer(db, token: str, address: str | None) -> dict | None:
    """The active user of a bearer token presented by ``address``; None for a token that is
    not valid. Throttled while the address must wait after too many invalid tokens."""
    attempts = [(TOKEN_ADDRESS, address)]
    security.check(db, attempts, "token", None, address)
    user = user_for_token(db, token)
    if user is None:
        security.failed(db, attempts)
        security.event(db, "token-failed", None, address)
    return user


# -- administration ---------------------------------------------------------------------------

def find_organisation(db, org, where: str = "org") -> dict:
    """The organisation named ``org`` (its name, else its number); InvalidInput at ``where``
    if there is none."""
    org = str(org).strip()
    found = stored.organisation_named(db, org)
    if found is None and org.isdigit():
        found = stored.organisation(db, int(org)) if int(org) < 2 ** 63 else None
    if found is None:
        raise InvalidInput([Problem(where, Message('no organisation "%(name)s"', name=org))])
    return found


def create_organisation(db, name: str, kind: str, region: str | None = None,
                        credit_code: str | None = None) -> dict:
    """A new organisation; unlike get_or_create_org, an existing name is an error. The
    unified social credit code is optional; labels sign it to name the producer, and sign
    the platform's organisation number when it is missing."""
    problems = []
    name = checked((name or "").strip(), "name", problems)
    region = checked((region or "").strip(), "region", problems) or None
    if not name or len(name) > 200:
        problems.append(Problem("name", Message("1 to 200 characters")))
    elif stored.organisation_named(db, name) is not None:
        problems.append(Problem("name", Message('an organisation "%(name)s" exists already',
                                                name=name)))
    if kind not in ORG_KINDS:
        problems.append(Problem("kind", Message("organisation kind must be one of %(kinds)s",
                                                kinds=_kinds())))
    if region is not None and len(region) > 50:
        problems.append(Problem("region", Message("at most 50 characters")))
    try:
        credit_code = checked_credit_code(db, credit_code)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org_id = stored.insert_organisation(db, name, kind, region, credit_code)
    return stored.organisation(db, org_id)


def set_credit_code(db, org_id: int, code: str | None) -> dict:
    """Set (or with None clear) an organisation's unified social credit code. Labels issued
    before keep what they signed."""
    org = stored.organisation(db, org_id)
    code = checked_credit_code(db, code, org_id)
    with transaction(db):
        stored.set_credit_code(db, org["id"], code)
    return stored.organisation(db, org["id"])


def checked_credit_code(db, value, org_id: int | None = None) -> str | None:
    """A unified social credit code, compacted, checked and not another organisation's."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        code = credit_code(value)
    except ValueError as exc:
        raise InvalidInput([Problem("credit_code", exc.args[0])]) from None
    holder = stored.organisation_with_code(db, code, org_id)
    if holder is not None:
        raise InvalidInput([Problem("credit_code", Message(
            '%(code)s is the code of "%(name)s" already', code=code, name=holder["name"]))])
    return code


def set_user_active(db, actor: dict, user_id: int, active: bool) -> dict:
    """Deactivate (or reactivate) a user: only an admin, and never their own account. A
    deactivated user cannot log in, their sessions end and their API tokens stop working."""
    if actor["role"] != "admin":
        raise Forbidden(Message("only an administrator deactivates users"))
    user = stored.user(db, user_id)
    if user is None:
        raise NotFound(Message("no such user"))
    if user["id"] == actor["id"] and not active:
        raise Forbidden(Message("an administrator cannot deactivate their own account"))
    with transaction(db):
        stored.set_active(db, user_id, active)
        if not active:
            security.end_sessions_of(db, user_id)
    return stored.user(db, user_id)


def deactivate_user(db, actor: dict, user_id: int) -> dict:
    return set_user_active(db, actor, user_id, False)
