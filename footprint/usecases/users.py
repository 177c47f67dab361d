"""Users and their argon2id passwords: the rules of making them, logging in and
(de)activating them.

A role implies the kind of its organisation (footprint.usecases.organisations finds or makes
it); a new username is 3 to 64 ASCII letters, digits, dots, underscores or hyphens, unique
whatever the case of its letters; passwords have a minimum length and are stored only as
argon2id hashes. Only an administrator (or the operator at the command line) (de)activates
users, and never their own account. Logging in is throttled, and a new password or a
deactivation ends the user's sessions (footprint.usecases.security); deactivations are
security events. Their API tokens are footprint.usecases.tokens'.
"""
from __future__ import annotations

import re
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import Forbidden, InvalidInput, Message, NotFound, Problem, Word
from ..store import accounts as stored
from ..store.db import transaction
from ..text import checked
from ..workflow import ROLE_ORG_KIND, ROLES
from . import security
from .organisations import NewOrganisation, checked_new_organisation, find_organisation
from .security import ACCOUNT, ADDRESS

# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()
MIN_PASSWORD = 10
# ASCII only: a Cyrillic "а" in "аdmin" would read as the administrator in every list and log
USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")

# what the pages read, as the store gives it
active_user = stored.active_user


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def checked_username(db, username: str, problems: list[Problem]) -> None:
    """A new user's name: the pattern, and no user's name, whatever its case (users made
    before this rule keep theirs)."""
    if not USERNAME.fullmatch(username or ""):
        problems.append(Problem("username", Message(
            "3 to 64 letters, digits, dots, underscores or hyphens")))
        return
    holder = stored.user_named_in_any_case(db, username)
    if holder is None:
        return
    if holder["username"] == username:
        problems.append(Problem("username", Message('"%(name)s" is taken', name=username)))
    else:
        problems.append(Problem("username", Message(
            '"%(name)s" is taken: "%(existing)s" differs only in case', name=username,
            existing=holder["username"])))


def list_users(db, role: str | None = None, org=None) -> list[dict]:
    """Users with their organisation (of ``role``; of the organisation ``org`` names, as
    find_organisation reads it); never a password hash."""
    org_id = find_organisation(db, org)["id"] if org is not None else None
    return stored.users(db, role, org_id)


def create_user(db, username: str, role: str, org, password: str,
                display_name: str | None = None, *, new_org: NewOrganisation | None = None,
                registry=None) -> dict:
    """A user in the organisation ``org`` names (find_organisation: its number, credit code,
    name or a part of it), which is of the kind the role implies; never a new organisation
    unasked. With ``new_org``, a new organisation named ``org`` (checked as
    create_organisation checks one; its region one of ``registry``'s) made in the same
    transaction. Anything refused stores nothing."""
    problems: list[Problem] = []
    username, display_name = _new_user(db, username, display_name, role, password, problems)
    wanted = ROLE_ORG_KIND.get(role)
    if new_org is None:
        try:
            found = find_organisation(db, org)
        except InvalidInput as exc:
            problems += exc.problems
        else:
            if wanted is not None and found["kind"] != wanted:
                problems.append(Problem("org", Message(
                    'organisation "%(name)s" is of kind %(kind)s, not %(wanted)s',
                    name=found["name"], kind=Word("org_kind", found["kind"]),
                    wanted=Word("org_kind", wanted))))
    else:
        kind = new_org.kind or wanted
        if wanted is not None and kind != wanted:
            problems.append(Problem("kind", Message(
                "a user of role %(role)s belongs to an organisation of kind %(wanted)s, "
                "not %(kind)s", role=Word("role", role), wanted=Word("org_kind", wanted),
                kind=Word("org_kind", kind))))
        made = checked_new_organisation(db, org, kind, new_org.region, new_org.credit_code,
                                        registry, problems, where="org")
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org_id = found["id"] if new_org is None else stored.insert_organisation(db, *made)
        user_id = stored.insert_user(db, username, display_name or username, role, org_id,
                                     hash_password(password))
    return stored.user(db, user_id)


def seed_user(db, username: str, role: str, org_name: str, password: str,
              display_name: str | None = None, region: str | None = None,
              registry=None) -> dict:
    """A user in the organisation whose stored name is exactly ``org_name``, made with the
    kind the role implies (and ``region``) when there is none: how the demo, tests and
    benchmarks seed their accounts in one call. An operator's command and the
    administration page use create_user, which makes no organisation unasked."""
    existing = stored.organisation_named(db, unicodedata.normalize("NFC", org_name or ""))
    if existing is None:
        return create_user(db, username, role, org_name, password, display_name,
                           new_org=NewOrganisation(region=region), registry=registry)
    return create_user(db, username, role, existing["id"], password, display_name)


def _new_user(db, username: str, display_name: str | None, role: str, password: str,
              problems: list[Problem]) -> tuple[str, str | None]:
    """A new user's name and display name as stored (NFC), each problem added to
    ``problems``: the name's form and uniqueness, the role, the password's length."""
    username = checked(username, "username", problems)
    display_name = checked(display_name, "display_name", problems)
    if role not in ROLES:
        problems.append(Problem("role", Message('role "%(role)s" unknown; one of %(roles)s',
                                                role=role,
                                                roles=[Word("role", r) for r in ROLES])))
    try:
        check_new_password(password)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    checked_username(db, username, problems)
    return username, display_name


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
    user = user_named(db, username)
    check_new_password(password)
    with transaction(db):
        stored.set_password_hash(db, user["id"], hash_password(password))
        security.end_sessions_of(db, user["id"])
    security.event(db, "password-changed", username)
    return stored.user(db, user["id"])


def active_user_named(db, username: str) -> dict:
    """The active user ``username`` (a command acting for them); raises InvalidInput."""
    user = stored.user_named(db, username, active_only=True)
    if user is None:
        raise InvalidInput([Problem("username", Message('no active user "%(name)s"',
                                                        name=username))])
    return user


def user_named(db, username: str) -> dict:
    """The user ``username``, active or not; raises InvalidInput."""
    user = stored.user_named(db, username)
    if user is None:
        raise InvalidInput([Problem("username", Message('no user "%(name)s"', name=username))])
    return user


def set_user_active(db, actor: dict | None, user_id: int, active: bool,
                    address: str | None = None) -> dict:
    """Deactivate (or reactivate) a user: an admin, never their own account, or ``actor``
    None, the operator at the command line. A deactivated user cannot log in, their sessions
    end and their API tokens stop working (until reactivated). A security event either way,
    with the address the admin acted from."""
    if actor is not None and actor["role"] != "admin":
        raise Forbidden(Message("only an administrator deactivates users"))
    user = stored.user(db, user_id)
    if user is None:
        raise NotFound(Message("no such user"))
    if actor is not None and user["id"] == actor["id"] and not active:
        raise Forbidden(Message("an administrator cannot deactivate their own account"))
    with transaction(db):
        stored.set_active(db, user_id, active)
        if not active:
            security.end_sessions_of(db, user_id)
    security.event(db, "user-reactivated" if active else "user-deactivated",
                   user["username"], address,
                   f"by {security.acted_by(actor)}")
    return stored.user(db, user_id)
