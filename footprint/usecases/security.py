"""Sessions held on the server, and throttling of failed log-ins and bearer tokens.

A web session is a random token in the signed session cookie; the server keeps its SHA-256
and ends it on logout, on a password change and when the user is deactivated, so a cookie
captured before then opens nothing afterwards.

Failed attempts are counted per account (the name as typed, whether or not it exists, so the
answer never tells) and per client address, in the database, so the count holds across
gunicorn workers and restarts. The first failures are free; after them each further failure
doubles how long the next attempt must wait (1 s, 2 s, 4 s ... at most 15 minutes), and while
it must wait the credentials are not even checked. A success clears the account's count; an
address's count only decays (an hour without failures), so logging into one's own account
does not reset a guessing run against others. Every failure and every refusal is a security
event; an event names who acted (acted_by: a user, or the operator at the command line).
"""
from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass

from .. import clock
from ..errors import Throttled
from ..store import accounts as store_accounts
from ..store import security as stored
from ..store.db import operational_errors, transaction

log = logging.getLogger("footprint.security")


@dataclass(frozen=True)
class Policy:
    """How a scope of attempts is throttled."""

    scope: str
    free: int  # failures allowed before any wait
    first_wait: float = 1.0  # seconds, doubled at each further failure
    longest_wait: float = 15 * 60
    forget_after: float = 60 * 60  # an idle hour forgets the failures


ACCOUNT = Policy("login-account", free=5)
ADDRESS = Policy("login-address", free=20)
TOKEN_ADDRESS = Policy("token-address", free=20)
# who acts when no user does: the operator at the command line
OPERATOR = "the operator at the command line"


def acted_by(actor: dict | None) -> str:
    """Who acted, as a security event names them: the user ``actor``, or with None the
    operator at the command line."""
    return actor["username"] if actor is not None else OPERATOR


def digest(token: str) -> str:
    """What the database keeps of a secret token (a session's, an API token, a PACT client's
    bearer token): its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> float:
    return clock.now().timestamp()


def _key(policy: Policy, key: str) -> str:
    return key.casefold() if policy is ACCOUNT else key


def wait_for(db, policy: Policy, key: str | None) -> float:
    """Seconds before ``key`` may try again under ``policy`` (0: it may now)."""
    if not key:
        return 0.0
    found = stored.throttle(db, policy.scope, _key(policy, key))
    return max(0.0, found["blocked_until"] - _now()) if found else 0.0


def check(db, attempts: list[tuple[Policy, str | None]], kind: str,
          username: str | None = None, address: str | None = None) -> None:
    """Throttled (with the longest wait) if any of ``attempts`` must wait; a security event."""
    wait = max((wait_for(db, policy, key) for policy, key in attempts), default=0.0)
    if wait > 0:
        event(db, f"{kind}-blocked", username, address, f"retry after {wait:.0f} s")
        raise Throttled(math.ceil(wait))


def failed(db, attempts: list[tuple[Policy, str | None]]) -> None:
    """Count a failure for each (policy, key); past the free failures the wait doubles. A
    count that cannot be written (the disk full) is logged, not raised: the answer to the
    attempt stays a refusal, not a storage fault."""
    try:
        _count(db, attempts)
    except operational_errors() as exc:
        log.error("a failed attempt could not be counted: %s", exc)


def _count(db, attempts: list[tuple[Policy, str | None]]) -> None:
    now = _now()
    with transaction(db):
        for policy, key in attempts:
            if not key:
                continue
            key = _key(policy, key)
            found = stored.throttle(db, policy.scope, key)
            failures = 1
            if found and now - found["last_failure"] < policy.forget_after:
                failures = found["failures"] + 1
            over = failures - policy.free
            wait = min(policy.first_wait * 2 ** (over - 1), policy.longest_wait) if over > 0 \
                else 0.0
            stored.set_throttle(db, policy.scope, key, failures, now + wait, now)


def succeeded(db, policy: Policy, key: str) -> None:
    with transaction(db):
        stored.clear_throttle(db, policy.scope, _key(policy, key))


def event(db, kind: str, username: str | None = None, address: str | None = None,
          detail: str | None = None) -> None:
    """A security event, in the database and in the log (logger footprint.security)."""
    log.warning("%s user=%r address=%s %s", kind, username, address, detail or "")
    try:
        with transaction(db):
            stored.record_event(db, kind, username, address, detail)
    except operational_errors() as exc:  # the disk full: the log above still has it
        log.error("security event %s could not be recorded: %s", kind, exc)


events = stored.events


# -- sessions ---------------------------------------------------------------------------------

def start_session(db, user_id: int) -> str:
    """A new session of ``user_id``; the token goes into the session cookie, its SHA-256
    into the database."""
    token = secrets.token_urlsafe(32)
    with transaction(db):
        stored.insert_session(db, digest(token), user_id)
    return token


def session_user(db, token: str) -> dict | None:
    """The active user of a session that has not ended, with their organisation."""
    user_id = stored.session_user(db, digest(token)) if token else None
    return store_accounts.active_user(db, user_id) if user_id is not None else None


def end_session(db, token: str) -> None:
    with transaction(db):
        stored.end_session(db, digest(token))


def end_sessions_of(db, user_id: int) -> int:
    """End every session of a user (password changed, deactivated); how many there were."""
    with transaction(db):
        return stored.end_sessions_of(db, user_id)
