"""PACT clients and their OAuth 2 tokens (docs/pact.md): who may read this platform's labels as
ProductFootprints.

Clients are made by the operator (``footprint pact clients create``): a client id, a secret
shown once and kept as its argon2id hash (as passwords are, footprint.usecases.users),
and optionally the one organisation whose labels the client sees. A token is random, kept as
its SHA-256, and expires after an hour; revoking a client ends its tokens. Failed token
requests are throttled per client id and per address, like log-ins
(footprint.usecases.security).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from .. import clock
from ..errors import InvalidInput, Message, NotFound, Problem
from ..store import pact as stored
from ..store.db import transaction
from ..text import checked
from . import security
from .organisations import find_organisation
from .pact import PactError
from .security import Policy
from .users import check_password, hash_password

TOKEN_SECONDS = 3600
CLIENT_PREFIX = "pact-"
TOKEN_PREFIX = "fpp_"
MAX_TOKEN_CHARS = 200

# failed token requests: per client id (5 free) and per address (20 free), then doubling
CLIENT = Policy("pact-client", free=5)
CLIENT_ADDRESS = Policy("pact-address", free=20)
BEARER_ADDRESS = Policy("pact-bearer-address", free=20)


class InvalidClient(Exception):
    """The token endpoint's OAuth error (RFC 6749 5.2): ``error`` and its description."""

    def __init__(self, error: str, description: str, status: int = 401):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


# -- clients ----------------------------------------------------------------------------------

def _organisation(db, org: str | None) -> dict | None:
    if org is None or not str(org).strip():
        return None
    return find_organisation(db, org)


def create_client(db, name: str, org: str | None = None) -> tuple[dict, str]:
    """A new client and its secret (shown once: only its argon2id hash is kept). ``org``
    (a name or number) limits it to that organisation's labels; None: every label."""
    problems = []
    name = checked((name or "").strip(), "name", problems)
    if not name or len(name) > 200:
        problems.append(Problem("name", Message("1 to 200 characters")))
    if problems:
        raise InvalidInput(problems)
    organisation = _organisation(db, org)
    client_id = CLIENT_PREFIX + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with transaction(db):
        stored.insert_client(db, client_id, hash_password(secret), name,
                             organisation["id"] if organisation else None)
    return stored.client_by_client_id(db, client_id), secret


def list_clients(db) -> list[dict]:
    return stored.clients(db)


def revoke_client(db, client_id: str) -> bool:
    """Revoke a client: its tokens stop working at once. False if there is no such client
    that is not revoked already."""
    with transaction(db):
        done = stored.revoke_client(db, client_id.strip())
    if done:
        security.event(db, "pact-client-revoked", client_id)
    return done


def no_client_to_revoke(client_id: str) -> NotFound:
    """What revoking a client that is not there, or is revoked already, is told."""
    return NotFound(Message("no PACT client %(client)s that is not revoked already",
                            client=client_id))


# -- tokens -----------------------------------------------------------------------------------

def issue_token(db, client_id: str | None, secret: str | None, address: str | None,
                grant_type: str | None) -> dict:
    """OAuth 2 client credentials (RFC 6749 4.4): the token response, or InvalidClient.
    Throttled (the secret unchecked) while the client id or the address must wait."""
    if not client_id or secret is None:
        raise InvalidClient("invalid_client", "Client authentication failed: send the client "
                            "id and secret with HTTP Basic authentication")
    # bounded: no real id or secret is this long, so a cut one still fails, at a known cost
    client_id, secret = client_id[:100], secret[:256]
    attempts = [(CLIENT, client_id), (CLIENT_ADDRESS, address)]
    security.check(db, attempts, "pact-token", client_id, address)
    client = stored.client_by_client_id(db, client_id)
    good = client is not None and client["revoked_at"] is None and \
        check_password(client["secret_hash"], secret)
    if client is None:
        hash_password(secret)  # the time of a real check: no client enumeration
    if not good:
        security.failed(db, attempts)
        security.event(db, "pact-token-failed", client_id, address)
        raise InvalidClient("invalid_client", "Client authentication failed")
    if grant_type != "client_credentials":
        raise InvalidClient("unsupported_grant_type",
                            'grant_type must be "client_credentials"', 400)
    security.succeeded(db, CLIENT, client_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    issued = clock.now()
    with transaction(db):
        stored.delete_expired_tokens(db, clock.stamp(issued))
        stored.insert_token(db, security.digest(token), client["id"], clock.stamp(issued),
                            clock.stamp(issued + timedelta(seconds=TOKEN_SECONDS)))
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}


def client_for_bearer(db, token: str, address: str | None) -> dict:
    """The client of a bearer token; PactError otherwise (401: invalid, TokenExpired).
    Throttled while the address must wait after too many invalid tokens."""
    attempts = [(BEARER_ADDRESS, address)]
    security.check(db, attempts, "pact-bearer", None, address)
    found = stored.token(db, security.digest(token[:MAX_TOKEN_CHARS + 1])) if token else None
    if found is None:
        security.failed(db, attempts)
        security.event(db, "pact-bearer-failed", None, address)
        raise PactError("BadRequest", "Invalid token provided", 401)
    if datetime.fromisoformat(found["expires_at"]) <= clock.now():
        raise PactError("TokenExpired", "The access token has expired: request a new one "
                        "at /auth/token", 401)
    return found
