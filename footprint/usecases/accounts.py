"""Organisations, users, argon2id passwords and API tokens: the rules of accounts.

A role implies the kind of its organisation; an organisation's region is one the registry
knows; a new username is 3 to 64 ASCII letters, digits, dots, underscores or hyphens,
unique whatever the case of its letters; passwords have a minimum length and are stored
only as argon2id hashes; API tokens are shown once and stored as their SHA-256, listed with
their last use and revoked by number, user and label; a user makes their own (the password
asked again, at most MAX_ACTIVE_TOKENS active) and revokes only their own; a unified social
credit code is checked and unique. An organisation is found as people name it
(find_organisation: its number, credit code, name, or the Chinese or the English part of a
bilingual name), never made unasked, and corrected (name, region, credit code) only by an
administrator, a security event. Only an administrator (or the operator at the command
line) (de)activates users, and never their own account. Logging in and presenting a bearer
token are throttled, and a new password or a deactivation ends the user's sessions
(footprint.usecases.security); deactivations and tokens made and revoked are security
events.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .. import clock
from ..engine.regions import region_code, unknown_region
from ..errors import (Conflict, Forbidden, InvalidInput, Message, Named, NotFound, Problem, Text,
                      Word)
from ..identifiers import credit_code
from ..store import accounts as stored
from ..store.db import database_errors, transaction, transaction_if_free
from ..suggest import CJK, unknown
from ..text import checked
from ..workflow import ORG_KINDS, ROLE_ORG_KIND, ROLES
from . import security
from .security import ACCOUNT, ADDRESS, TOKEN_ADDRESS

log = logging.getLogger("footprint.accounts")
# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()
MIN_PASSWORD = 10
TOKEN_PREFIX = "fpt_"
# how old a token's recorded last use may grow before a request records it again: a person
# reading "last used" to find stale or leaked tokens needs no finer time, and a write on
# every request would cost the API's every call a commit (an fsync)
TOKEN_USE_RECORDED_EVERY = timedelta(hours=1)
# one token a system a user connects (an ERP, a MES, a bank's scoring), with room to spare;
# each active token is one more secret to leak and to audit, so a user past it revokes one
MAX_ACTIVE_TOKENS = 10
MAX_TOKEN_LABEL = 100  # a system's name and what for: "ERP 金蝶 K/3 nightly upload"
# ASCII only: a Cyrillic "а" in "аdmin" would read as the administrator in every list and log
USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
# a page says "region" of a BOM as its region of production: an organisation's is its own
ORG_REGION = (Text("机构所在地区", "organisation's region"),)
# who acts when no user does: the operator at the command line
OPERATOR = "the operator at the command line"

# what the pages read, as the store gives it
organisation = stored.organisation
organisation_numbered = stored.organisation_numbered
active_user = stored.active_user
list_organisations = stored.organisations


def name_parts(name: str) -> tuple[str, str]:
    """A bilingual name's Chinese part and its English part ("蒲江县柑橘专业合作社 Pujiang
    Citrus Co-operative" -> ("蒲江县柑橘专业合作社", "Pujiang Citrus Co-operative")); a part the
    name lacks is "". Words with a Chinese character are the Chinese part."""
    words = str(name or "").split()
    return (" ".join(w for w in words if CJK.search(w)),
            " ".join(w for w in words if not CJK.search(w)))


def _folded(text: str) -> str:
    """Text as a name is compared: NFC, spaces collapsed, Latin letters in any case."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def _calls(org: dict, folded: str) -> bool:
    """Whether ``folded`` is the organisation's stored name, its Chinese or its English part."""
    return folded in {_folded(n) for n in (org["name"], *name_parts(org["name"])) if n}


def _named(org: dict) -> Named:
    """An organisation as a message names it: by the part of its name in the reader's
    language (the whole name where it has only one)."""
    zh, en = name_parts(org["name"])
    return Named(org["name"], zh or org["name"], en or org["name"])


def _quoted(orgs: list[dict]) -> list[Message] | Message:
    return [Message('"%(name)s"', name=_named(o)) for o in orgs] or Message("none")


def find_organisation(db, org, where: str = "org", kind: str | None = None) -> dict:
    """The organisation ``org`` names as people name it (of ``kind``, when given): its
    number, its unified social credit code, its stored name, or the Chinese or the English
    part of a bilingual name (Latin letters in any case). Else InvalidInput at ``where``
    listing the candidates, or the organisations it names when it names several: what every
    command and form that names an organisation reads it with."""
    text = " ".join(unicodedata.normalize("NFC", str(org if org is not None else "")).split())
    known = stored.organisations(db, kind)
    if not text:
        raise InvalidInput([Problem(where, _none_named(kind, known))])
    if text.isdigit() and int(text) < 2 ** 63:
        found = [o for o in known if o["id"] == int(text)]
    else:
        found = []
    if not found:
        try:
            code = credit_code(text)
        except ValueError:
            code = None
        found = [o for o in known if code is not None and o["credit_code"] == code]
    found = found or [o for o in known if o["name"] == text] or \
        [o for o in known if _calls(o, _folded(text))]
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidInput([Problem(where, Message(
            '"%(name)s" names several organisations: %(names)s; write the full name, the '
            "credit code or the number", name=text,
            names=[f'{o["id"]} "{o["name"]}"' for o in sorted(found, key=lambda o: o["id"])]
        ))])
    raise InvalidInput([Problem(where, _unknown(kind, text, known))])


def _none_named(kind: str | None, known: list[dict]) -> Message:
    if kind == "accounting_body":
        return Message("name an accounting body: one of %(names)s", names=_quoted(known))
    if kind == "bank":
        return Message("name a bank: one of %(names)s", names=_quoted(known))
    return Message("name an organisation: one of %(names)s", names=_quoted(known))


def _unknown(kind: str | None, text: str, known: list[dict]) -> Message:
    if kind == "accounting_body":
        return Message('no accounting body "%(name)s"; one of: %(names)s', name=text,
                       names=_quoted(known))
    if kind == "bank":
        return Message('no bank "%(name)s"; one of: %(names)s', name=text,
                       names=_quoted(known))
    if not known:
        return Message('organisation "%(name)s" unknown: none is recorded yet', name=text)
    return unknown(Message("organisation"), text, [o["name"] for o in known],
                   named={o["name"]: _named(o) for o in known})


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


def checked_region(region: str | None, registry, problems: list[Problem]) -> str | None:
    """An organisation's region as the code of one of ``registry``'s regions (四川 and
    Sichuan read as CN-SC); None for none; else a problem at "region" with the nearest
    regions (footprint.suggest) added to ``problems``."""
    known = len(problems)
    region = checked((region or "").strip(), "region", problems) or None
    if region is None or len(problems) > known:
        return None
    if registry is None:  # a caller's mistake, not the user's: nothing to check against
        raise ValueError("an organisation's region is checked against the registry's regions")
    code = region_code(registry, region)
    if code is None:
        problems.append(Problem("region", unknown_region(registry, region), ORG_REGION))
    return code


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


@dataclass(frozen=True)
class NewOrganisation:
    """What a user's new organisation is made with besides its name: its kind (by default
    the one the user's role implies), its region and unified social credit code."""

    kind: str | None = None
    region: str | None = None
    credit_code: str | None = None


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
        made = _new_organisation(db, org, kind, new_org.region, new_org.credit_code,
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
    if len(password) < MIN_PASSWORD:
        problems.append(Problem("password", Message("at least %(count)s characters",
                                                    count=MIN_PASSWORD)))
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


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


def create_token(db, username: str, name: str = "cli", *, actor: dict | None = None,
                 address: str | None = None) -> str:
    """A new bearer token for ``username`` labelled ``name`` (1 to MAX_TOKEN_LABEL
    characters, no invisible controls); only its SHA-256 is stored, so show it once.
    ``actor``: the user making it on the web, themselves (None: the operator at the command
    line). Refused (Conflict) while the user holds MAX_ACTIVE_TOKENS active tokens. A
    security event naming the token, its label and who made it."""
    user = active_user_named(db, username)
    if actor is not None and actor["id"] != user["id"]:
        raise Forbidden(Message("a user makes only their own tokens"))
    name = checked_token_label(name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(db):  # counted under the write lock: two requests cannot pass the limit
        if len(stored.tokens(db, user["id"], active_only=True)) >= MAX_ACTIVE_TOKENS:
            raise Conflict(Message(
                "%(name)s holds %(count)s active tokens, the most one may: revoke one no "
                "longer used first", name=user["username"], count=MAX_ACTIVE_TOKENS))
        token_id = stored.insert_token(db, user["id"], name, _token_digest(token))
    security.event(db, "token-created", user["username"], address,
                   f'token {token_id} labelled "{name}" by '
                   f'{actor["username"] if actor is not None else OPERATOR}')
    return token


def checked_token_label(label) -> str:
    """A token's label as stored (NFC, spaces collapsed); InvalidInput at "label" when it
    is empty, longer than MAX_TOKEN_LABEL or holds an invisible control character."""
    problems: list[Problem] = []
    label = checked(" ".join(str(label or "").split()), "label", problems)
    if not problems and not 1 <= len(label) <= MAX_TOKEN_LABEL:
        problems.append(Problem("label", Message("1 to %(count)s characters",
                                                 count=MAX_TOKEN_LABEL)))
    if problems:
        raise InvalidInput(problems)
    return label


def create_own_token(db, user: dict, label: str, password: str,
                     address: str | None = None) -> str:
    """A logged-in user's new token, given their password again. A token outlives the
    session (a new password or logging out ends sessions, not tokens), so whoever holds a
    stolen or unattended session could otherwise mint a credential that survives the
    victim's remedy; asking for the password, as GitHub does, closes that. The password is
    checked and throttled as a log-in is (the same counts: this form is no side door for
    guessing it); a wrong one is InvalidInput at "password"."""
    attempts = [(ACCOUNT, user["username"]), (ADDRESS, address)]
    security.check(db, attempts, "token-create", user["username"], address)
    if authenticate(db, user["username"], password) is None:
        security.failed(db, attempts)
        security.event(db, "token-create-refused", user["username"], address,
                       "the password was not right")
        raise InvalidInput([Problem("password", Message("the password is not right"))])
    security.succeeded(db, ACCOUNT, user["username"])
    return create_token(db, user["username"], label, actor=user, address=address)


def list_tokens(db, username: str | None = None) -> list[dict]:
    """Every API token (of ``username``): number, user, label, when made, last used and
    revoked; never the token, which is not kept."""
    user_id = user_named(db, username)["id"] if username is not None else None
    return stored.tokens(db, user_id)


def revoke_token(db, token: str) -> bool:
    """Revoke a bearer token; False if no such active token exists."""
    try:
        revoke_tokens(db, token=token)
    except NotFound:
        return False
    return True


def revoke_tokens(db, *, token: str | None = None, token_id: int | None = None,
                  username: str | None = None, label: str | None = None,
                  actor: dict | None = None, address: str | None = None) -> list[dict]:
    """Revoke the active token whose text is ``token``, or the one numbered ``token_id``, or
    every active token of ``username`` (labelled ``label``, when given): an operator who
    does not hold a leaked token's text revokes it by its number or its user. ``actor``: the
    administrator revoking it on the web (None: the operator at the command line, or the
    token's holder presenting its text). Returns the tokens revoked, each a security event
    naming who revoked it; NotFound when no active token matches."""
    if token is None and token_id is None and username is None:
        raise ValueError("revoke_tokens needs a token, its number or its user")
    if actor is not None and actor["role"] != "admin":
        raise Forbidden(Message("only an administrator revokes other users' tokens"))
    if token is not None:
        token_id = stored.active_token_id(db, _token_digest(token))
        if token_id is None:
            raise NotFound(Message("no such active token"))
    user = user_named(db, username) if token_id is None else None
    with transaction(db):  # read under the write lock: each token revoked once, and said once
        if token_id is not None:
            found = stored.tokens(db, token_id=token_id, active_only=True)
        else:
            found = stored.tokens(db, user["id"], name=label, active_only=True)
        if not found:
            raise NotFound(_no_active_token(token_id, username, label))
        _revoke(db, found)
    _said_revoked(db, found, actor, address)
    return found


def revoke_own_token(db, user: dict, token_id: int, address: str | None = None) -> dict:
    """Revoke ``user``'s own active token numbered ``token_id`` (an administrator's too: the
    page of one's own tokens acts on one's own). Another user's number is NotFound, said as
    a number with no active token is: the answer does not tell that it exists."""
    with transaction(db):
        found = stored.tokens(db, user["id"], token_id=token_id, active_only=True)
        if not found:
            raise NotFound(_no_active_token(token_id, None, None))
        _revoke(db, found)
    _said_revoked(db, found, user, address)
    return found[0]


def _revoke(db, found: list[dict]) -> None:
    for row in found:
        stored.revoke_token(db, row["id"])


def _said_revoked(db, found: list[dict], actor: dict | None, address: str | None) -> None:
    """Each revoked token a security event naming who revoked it."""
    for row in found:
        security.event(db, "token-revoked", row["username"], address,
                       f'token {row["id"]} labelled "{row["name"]}" by '
                       f'{actor["username"] if actor is not None else OPERATOR}')


def _no_active_token(token_id: int | None, username: str | None, label: str | None) -> Message:
    if token_id is not None:
        return Message("no active token numbered %(id)s", id=token_id)
    if label is not None:
        return Message('user "%(name)s" has no active token labelled "%(label)s"',
                       name=username, label=label)
    return Message('user "%(name)s" has no active token', name=username)


def user_for_token(db, token: str) -> dict | None:
    return stored.user_for_token(db, _token_digest(token))


def user_for_bearer(db, token: str, address: str | None) -> dict | None:
    """The active user of a bearer token presented by ``address``, the token's use recorded
    (at most once every TOKEN_USE_RECORDED_EVERY); None for a token that is not valid.
    Throttled while the address must wait after too many invalid tokens."""
    attempts = [(TOKEN_ADDRESS, address)]
    security.check(db, attempts, "token", None, address)
    user = user_for_token(db, token)
    if user is None:
        security.failed(db, attempts)
        security.event(db, "token-failed", None, address)
    else:
        _record_use(db, user["token_id"], user["token_last_used_at"])
    return user


def _record_use(db, token_id: int, last_used_at: str | None) -> None:
    """Record that the token was used now when its recorded use is older than
    TOKEN_USE_RECORDED_EVERY (or there is none), from what authentication read already.
    Skipped when another writer holds the database, and given up when the database refuses
    the write (read only, full): the request must not wait for that writer nor fail for a
    time that only people read, and a later request records it."""
    now = clock.now()
    unless_since = clock.stamp(now - TOKEN_USE_RECORDED_EVERY)
    if last_used_at is not None and last_used_at >= unless_since:  # stamps sort as time
        return
    try:
        with transaction_if_free(db) as free:
            if free:
                stored.token_used(db, token_id, clock.stamp(now), unless_since)
    except database_errors() as exc:  # read only, the disk full: the request goes on
        log.warning("token %s: its use could not be recorded: %s", token_id, exc)


# -- administration ---------------------------------------------------------------------------

def create_organisation(db, name: str, kind: str, region: str | None = None,
                        credit_code: str | None = None, registry=None) -> dict:
    """A new organisation, refused when its name (or its Chinese or English part) already
    names one. Its region, optional, is one of ``registry``'s (a code, or a name: 四川 is
    CN-SC). The unified social credit code is optional; labels sign it to name the producer,
    and sign the platform's organisation number when it is missing."""
    problems: list[Problem] = []
    made = _new_organisation(db, name, kind, region, credit_code, registry, problems)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org_id = stored.insert_organisation(db, *made)
    return stored.organisation(db, org_id)


def _new_organisation(db, name: str, kind: str, region: str | None, code: str | None,
                      registry, problems: list[Problem], where: str = "name"
                      ) -> tuple[str, str, str | None, str | None]:
    """A new organisation's name, kind, region and credit code as stored, each problem
    added to ``problems`` (the name's at ``where``)."""
    name = _checked_name(db, name, where, problems)
    region = checked_region(region, registry, problems)
    if kind not in ORG_KINDS:
        problems.append(Problem("kind", Message("organisation kind must be one of %(kinds)s",
                                                kinds=_kinds())))
    try:
        code = checked_credit_code(db, code)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    return name, kind, region, code


def _checked_name(db, name: str, where: str, problems: list[Problem],
                  other_than: int | None = None) -> str:
    """An organisation's name as stored (NFC, no invisible controls, 1 to 200 characters),
    unless it, its Chinese or its English part already names another organisation (than
    ``other_than``): two that one name finds could no longer be told apart."""
    known = len(problems)
    name = checked(" ".join(str(name or "").split()), where, problems)
    if len(problems) > known:
        return name
    if not name or len(name) > 200:
        problems.append(Problem(where, Message("1 to 200 characters")))
        return name
    for org in stored.organisations(db):
        if org["id"] != other_than and any(
                _calls(org, _folded(n)) for n in (name, *name_parts(name)) if n):
            problems.append(Problem(where, Message(
                'an organisation "%(name)s" exists already', name=org["name"])))
            break
    return name


def edit_organisation(db, actor: dict | None, org_id: int, *, name: str | None = None,
                      region: str | None = None, credit_code: str | None = None,
                      registry=None, address: str | None = None) -> dict:
    """Correct an organisation's name, region or unified social credit code (None leaves
    one as it is; "" clears the region or the code): an administrator, or ``actor`` None,
    the operator at the command line. Each is checked as a new organisation's is. Labels
    issued before keep the name and code they signed; labels issued after sign the new
    ones. A change is a security event naming what it was and what it is, with who made
    it and from where; a refusal changes nothing. Its kind is not edited: it fixes what
    its users' roles may be and what the records made by them mean."""
    if actor is not None and actor["role"] != "admin":
        raise Forbidden(Message("only an administrator edits organisations"))
    org = stored.organisation_numbered(db, org_id)
    if org is None:
        raise NotFound(Message("no such organisation"))
    problems: list[Problem] = []
    wanted = {}
    if name is not None:
        wanted["name"] = _checked_name(db, name, "name", problems, other_than=org["id"])
    if region is not None:
        wanted["region"] = checked_region(region, registry, problems)
    if credit_code is not None:
        try:
            wanted["credit_code"] = checked_credit_code(db, credit_code, org["id"])
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    changes = {k: v for k, v in wanted.items() if v != org[k]}
    if not changes:
        return org
    with transaction(db):
        stored.update_organisation(db, org["id"], changes)
    said = "; ".join(f'{k.replace("_", " ")} {_shown(org[k])} -> {_shown(v)}'
                     for k, v in changes.items())
    by = actor["username"] if actor is not None else OPERATOR
    security.event(db, "organisation-edited", actor["username"] if actor else None, address,
                   f"organisation {org['id']}: {said}; by {by}")
    return stored.organisation(db, org["id"])


def _shown(value) -> str:
    return f'"{value}"' if value else "none"


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
                   f"by {actor['username'] if actor is not None else OPERATOR}")
    return stored.user(db, user_id)


def deactivate_user(db, actor: dict, user_id: int) -> dict:
    return set_user_active(db, actor, user_id, False)
