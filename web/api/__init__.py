"""The JSON API under /api/v1, for machines (a bank's or an ERP's systems).

    __init__.py     the parent blueprint ``api``: bearer tokens, body limits, JSON errors,
                    and the OpenAPI document (/api/v1/openapi.json)
    submissions.py  child ``api.submissions``: submissions, their workflow actions, and the
                    reference data a BOM names (regions, categories, factors)
    labels.py       child ``api.labels``: carbon labels, their images and proofs, the
                    public list of revoked labels, the transparency log's consistency proofs
    loans.py        child ``api.loans``: banks' access to carbon accounts (consents), loan
                    products, priced loans with their signed documents and proofs
    body.py         reading request bodies, queries and the Idempotency-Key header
    schemas/        request and response shapes (marshmallow), a module for each resource
    openapi.py      the OpenAPI 3 document built from the schemas and each view's @operation

Bearer tokens only (``Authorization: Bearer <token>``, made by ``footprint tokens create``):
a session cookie never authenticates an API call, so CSRF does not apply here. A view marked
``@operation(public=True)`` needs no token. The views are thin: every rule and every write
goes through footprint.usecases, whose errors become HTTP answers in web.security (NotFound
404, Forbidden 403, Conflict 409, InvalidInput 400 with located problems). docs/api.md shows
every call with curl.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from footprint.errors import Message, Problem, Throttled
from footprint.usecases.tokens import user_for_bearer

from ..db import get_db
from ..security import User, client_address, csrf, error_answer, load_user_row
from . import accounts, findings, labels, loans, submissions
from .body import (TOKEN_INVALID, TOKEN_REQUIRED, BadBody, max_json_bytes, over_the_limit,
                   too_many_tokens)
from .openapi import build_spec, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_blueprint(submissions.bp)
bp.register_blueprint(labels.bp)
bp.register_blueprint(findings.bp)
bp.register_blueprint(accounts.bp)
bp.register_blueprint(loans.bp)
for exempt in (bp, submissions.bp, labels.bp, findings.bp, accounts.bp, loans.bp):
    csrf.exempt(exempt)  # no cookies authenticate here, so there is nothing to forge

MAX_TOKEN_CHARS = 200
REALM = 'Bearer realm="footprint"'


def _unauthorized(message: Message, invalid_token: bool):
    response = error_answer(401, message, [Problem("Authorization", message)])
    response.headers["WWW-Authenticate"] = REALM + (', error="invalid_token"'
                                                    if invalid_token else "")
    return response


@bp.before_request
def limit_and_authenticate():
    limit = max_json_bytes()
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()  # before anything reads the body
    # A streamed body (no Content-Length) is read up to one byte past the limit, so
    # json_body can tell "over the limit" from "exactly at it".
    request.max_content_length = limit + 1
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "openapi", {}).get("public"):
        return None
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized(TOKEN_REQUIRED, invalid_token=bool(token))
    try:
        # an overlong token is checked as its first MAX_TOKEN_CHARS + 1 characters: it cannot
        # match a real token, and like any wrong token it counts towards throttling
        row = user_for_bearer(get_db(), token[:MAX_TOKEN_CHARS + 1], client_address())
    except Throttled as exc:
        return error_answer(429, too_many_tokens(exc.retry_after),
                            headers={"Retry-After": str(exc.retry_after)})
    user_row = load_user_row(get_db(), row["id"]) if row else None
    if user_row is None:
        return _unauthorized(TOKEN_INVALID, invalid_token=True)
    g.api_user = User(user_row)
    return None


@bp.after_request
def no_store(response):
    # a child may allow more (labels: revalidate; label images: a day); the rest is private
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    message = over_the_limit()
    return error_answer(413, message, [Problem("body", message)])


@bp.errorhandler(BadBody)
def bad_body(exc):
    return error_answer(400, exc.args[0], [Problem("body", exc.args[0])])


@bp.get("/openapi.json")
@operation("This OpenAPI 3 document", public=True, database=False,
           responses={200: (None, "The OpenAPI document (no token needed).")})
def openapi():
    spec = current_app.extensions.get("footprint_openapi")
    if spec is None:
        spec = current_app.extensions["footprint_openapi"] = build_spec(current_app)
    return jsonify(spec)
