"""The PACT v3 API (docs/pact.md): a buyer's system reads this platform's issued labels as
ProductFootprints.

    POST /auth/token                         OAuth 2 client credentials (HTTP Basic)
    GET  /.well-known/openid-configuration   issuer and token_endpoint
    GET  /3/footprints                       ListFootprints: filters, limit, Link rel="next"
    GET  /3/footprints/<id>                  GetFootprint
    POST /3/events                           CloudEvents: RequestCreated (answered later by a
                                             RequestFulfilled or RequestRejected event sent
                                             to the requester from the outbox, where it is
                                             stored before the 200), Published, ...
    GET  /3/extensions/<name>/1.0.0/schema.json   the schema of a data model extension

HTTPS only: a request that did not come over TLS (directly, or as a trusted proxy says with
X-Forwarded-Proto, FOOTPRINT_PROXIES) is refused with 403 and no data, before any credential
is read. Errors are the spec's Error object ``{"code", "message"}``; the token endpoint's are
OAuth's ``{"error", "error_description"}``. The rules are footprint.usecases.pact's
(footprints), pactclients' (clients and tokens) and pactevents'.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
import urllib.parse

from flask import Blueprint, current_app, g, jsonify, request

from footprint.errors import Throttled
from footprint.usecases import pact, pactclients, pactevents, pactfootprint
from footprint.usecases.database import database_errors

from .db import get_db, get_engine
from .labels import served_host
from .security import client_address, csrf

bp = Blueprint("pact", __name__)
csrf.exempt(bp)  # no cookie authenticates here: nothing to forge

log = logging.getLogger("footprint.pact")

MAX_BODY = 4 * 1024 * 1024  # a RequestFulfilledEvent sent to us may carry many footprints
_OPEN = {"pact.openid_configuration", "pact.extension_schema"}


def _error(code: str, message: str, status: int, headers: dict | None = None):
    response = jsonify({"code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _base_url() -> str:
    """Never the request's Host header: the client writes it (web.labels.served_host)."""
    return f"https://{served_host()}"


OUTBOX_CHECK_SECONDS = 30


@bp.before_app_request
def outbox_due():
    """Now and then (at most every 30 s in each worker, on any request), wake the PACT
    courier if an answer in the outbox is due: a worker started again, or one whose courier
    ended, takes up what is left (docs/pact.md, Events)."""
    app = current_app._get_current_object()
    if not outbox_check_due(app):
        return None
    app.extensions["pact_outbox_checked"] = (os.getpid(), time.monotonic())
    try:
        if pactevents.has_due(get_db()):
            pactevents.wake_courier(get_db())
    except database_errors() as exc:  # never the request's failure
        log.error("PACT outbox not checked: %s", exc)
    return None


def outbox_check_due(app) -> bool:
    """Whether this worker's next request is to look at the outbox (``outbox_due``): a kept
    public answer given before Flask (web.front) leaves that request to Flask."""
    checked = app.extensions.get("pact_outbox_checked")
    return not (checked and checked[0] == os.getpid() and
                time.monotonic() - checked[1] < OUTBOX_CHECK_SECONDS)


@bp.before_request
def https_and_token():
    if not request.is_secure:
        return _error("AccessDenied", "The PACT API is served over HTTPS only", 403)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error("BadRequest", f"The body is over the limit of {MAX_BODY} bytes", 413)
    if request.endpoint in _OPEN or request.endpoint == "pact.token":
        return None
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error("BadRequest", 'An access token is required: "Authorization: Bearer '
                      '<token>" (POST /auth/token)', 401,
                      {"WWW-Authenticate": 'Bearer realm="pact"'})
    try:
        g.pact_client = pactclients.client_for_bearer(get_db(), token.strip(), client_address())
    except Throttled as exc:
        return _error("BadRequest", f"Too many invalid tokens from this address: try again "
                      f"in {exc.retry_after} s", 429, {"Retry-After": str(exc.retry_after)})
    except pact.PactError as exc:
        return _error(exc.code, exc.message, exc.status, {
            "WWW-Authenticate": 'Bearer realm="pact", error="invalid_token"'})
    return None


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(pact.PactError)
def pact_error(exc):
    return _error(exc.code, exc.message, exc.status)


# -- authentication ---------------------------------------------------------------------------

def _oauth_error(error: str, description: str, status: int, headers: dict | None = None):
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _basic() -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic (RFC 6749 2.3.1: form-urlencoded, then base64)."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None, None
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


@bp.post("/auth/token")
def token():
    client_id, secret = _basic()
    if client_id is None and "Authorization" not in request.headers:
        # client_secret_post (RFC 6749 2.3.1), for systems that cannot send HTTP Basic
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    try:
        answer = pactclients.issue_token(get_db(), client_id, secret, client_address(),
                                  request.form.get("grant_type"))
    except Throttled as exc:
        return _oauth_error("invalid_client", f"Too many failed attempts: try again in "
                            f"{exc.retry_after} s", 429, {"Retry-After": str(exc.retry_after)})
    except pactclients.InvalidClient as exc:
        headers = {"WWW-Authenticate": 'Basic realm="pact"'} if exc.status == 401 else {}
        return _oauth_error(exc.error, exc.description, exc.status, headers)
    response = jsonify(answer)
    response.headers["Pragma"] = "no-cache"
    return response


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    base = _base_url()
    return jsonify({
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                  "client_secret_post"],
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["token"],
    })


# -- footprints -------------------------------------------------------------------------------

@bp.get("/3/footprints")
def list_footprints():
    pairs = list(request.args.items(multi=True))
    filters, offset, limit = pact.parse_query(pairs)
    page, more = pact.list_footprints(get_db(), g.pact_client, filters, offset, limit,
                                      served_host(), _base_url())
    response = jsonify({"data": page})
    if more:
        kept = [(k, v) for k, v in pairs if k.casefold() not in ("offset", "limit")]
        query = urllib.parse.urlencode([*kept, ("limit", str(limit)),
                                        ("offset", str(offset + limit))])
        response.headers["Link"] = f'<{_base_url()}/3/footprints?{query}>; rel="next"'
    return response


@bp.get("/3/footprints/<path:pf_id>")
def get_footprint(pf_id):
    return jsonify({"data": pact.get_footprint(get_db(), g.pact_client, pf_id, served_host(),
                                               _base_url())})


# -- events -----------------------------------------------------------------------------------

@bp.post("/3/events")
def events():
    mimetype = request.mimetype or ""
    if mimetype not in ("application/cloudevents+json", "application/json"):
        return _error("BadRequest", "Content-Type must be application/cloudevents+json "
                      f"(structured mode), not {mimetype or '(none)'!r}", 400)
    try:
        event = json.loads(request.get_data(as_text=False).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error("BadRequest", f"The body is not JSON: {exc}", 400)
    # a request's answer is in the outbox (committed) when this returns: only then the 200
    delivery = pactevents.accept_event(get_db(), g.pact_client, event, served_host(),
                                       _base_url())
    if delivery is not None:
        pactevents.wake_courier(get_db())  # posts it now, and again later while it fails
    return "", 200


@bp.get("/3/extensions/<name>/1.0.0/schema.json")
def extension_schema(name):
    """A data model extension's schema: the category's own data as its plugin writes it
    (docs/categories/<name>.md describes the fields); an extension no plugin adds has none."""
    if name not in pactfootprint.extension_names(get_engine().plugin_manager):
        return _error("NotFound", "No such extension", 404)
    return jsonify({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_base_url()}/3/extensions/{name}/1.0.0/schema.json",
        "title": f"footprint {name} extension 1.0.0",
        "description": f"Data the {name} category adds to a footprint; see the platform's "
                       f"docs/categories/{name}.md",
        "type": "object",
    })
