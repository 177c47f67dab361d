"""API tokens: the rules of making, listing, presenting and revoking them.

A token is shown once and stored as its SHA-256, listed with its last use and revoked by
number, user and label; a user makes their own (the password asked again, at most
MAX_ACTIVE_TOKENS active) and revokes only their own, an administrator (or the operator at the
command line) anyone's. Presenting a bearer token is throttled
(footprint.usecases.security); tokens made and revoked are security events.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from .. import clock
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotFound, Problem
from ..store import accounts as stored
from ..store.db import database_errors, transaction, transaction_if_free
from ..text import checked
from . import security
from .security import ACCOUNT, ADDRESS, TOKEN_ADDRESS
from .users import active_user_named, authenticate, user_named

# the logger of accounts, as before tokens had a module of their own: what operators filter by
log = logging.getLogger("footprint.accounts")
TOKEN_PREFIX = "fpt_"
# how old a token's recorded last use may grow before a request records it again: a person
# reading "last used" to find stale or leaked tokens needs no finer time, and a write on
# every request would cost the API's every call a commit (an fsync)
TOKEN_USE_RECORDED_EVERY = timedelta(hours=1)
# one token a system a user connects (an ERP, a MES, a bank's scoring), with room to spare;
# each active token is one more secret to leak and to audit, so a user past it revokes one
MAX_ACTIVE_TOKENS = 10
MAX_TOKEN_LABEL = 100  # a system's name and what for: "ERP 金蝶 K/3 nightly upload"


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
        token_id = stored.insert_token(db, user["id"], name, security.digest(token))
    security.event(db, "token-created", user["username"], address,
                   f'token {token_id} labelled "{name}" by {security.acted_by(actor)}')
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
        token_id = stored.active_token_id(db, security.digest(token))
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
                       f'token {row["id"]} labelled "{row["name"]}" by {security.acted_by(actor)}')


def _no_active_token(token_id: int | None, username: str | None, label: str | None) -> Message:
    if token_id is not None:
        return Message("no active token numbered %(id)s", id=token_id)
    if label is not None:
        return Message('user "%(name)s" has no active token labelled "%(label)s"',
                       name=username, label=label)
    return Message('user "%(name)s" has no active token', name=username)


def user_for_token(db, token: str) -> dict | None:
    return stored.user_for_token(db, security.digest(token))


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
