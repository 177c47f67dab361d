"""What an API request carries: its JSON body (within the size limit), its query, and its
Idempotency-Key header, each checked with every problem located; and what a request is told
when its bearer token or its size stops it before it is read."""
from __future__ import annotations

import json
import re

from flask import current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from footprint.errors import Figure, InvalidInput, Message, Problem
from footprint.schemacache import schema as built
from footprint.schemaerrors import flatten_errors, json_reason

MAX_JSON_BYTES = 1024 * 1024  # app.config["API_MAX_JSON_BYTES"] overrides
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


TOKEN_REQUIRED = Message('a bearer token is required: send the header "Authorization: '
                         'Bearer <token>" (footprint tokens create USER)')
TOKEN_INVALID = Message("the bearer token is not valid (unknown, revoked, or its user is "
                        "deactivated)")


def too_many_tokens(retry_after: int) -> Message:
    return Message("too many invalid tokens from this address: try again in %(seconds)s s",
                   seconds=retry_after)


class BadBody(Exception):
    """The body cannot be read as JSON at all (before any field is looked at); its argument
    is a Message."""


def max_json_bytes() -> int:
    return current_app.config.get("API_MAX_JSON_BYTES", MAX_JSON_BYTES)


def over_the_limit() -> Message:
    """What a body over the limit is told: the limit in bytes, and in MB."""
    limit = max_json_bytes()
    return Message("the body is over the limit of %(limit)s bytes (%(megabytes)s MB)",
                   limit=Figure(limit), megabytes=Figure(round(limit / 1024 / 1024, 2)))


def _reject_constant(name):
    raise ValueError(Message("%(name)s is not a JSON number", name=name))


def json_body(optional: bool = False):
    """The decoded JSON body; an empty body is {} when ``optional``."""
    raw = request.get_data(cache=True)
    if len(raw) > max_json_bytes():
        raise RequestEntityTooLarge()  # a streamed body (the others are refused earlier)
    if not raw.strip():
        if request.content_length is None and "chunked" in \
                request.headers.get("Transfer-Encoding", "").lower():
            # unless the server terminates such streams, Werkzeug reads them as empty
            raise BadBody(Message("send the body with a Content-Length header; chunked bodies "
                                  "are not read"))
        if optional:
            return {}
        raise BadBody(Message("the body is empty: send a JSON object with Content-Type: "
                              "application/json"))
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise BadBody(Message('the body must be JSON sent with Content-Type: '
                              'application/json, not "%(type)s"', type=mimetype or "(none)"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # counted from 1, as a file's first wrong byte is (footprint.schemaerrors.not_utf8)
        raise BadBody(Message("the body is not UTF-8: byte %(byte)s (0x%(value)s) does not "
                              "belong in UTF-8", byte=exc.start + 1,
                              value=f"{exc.object[exc.start]:02x}")) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BadBody(Message("the body is not valid JSON: %(reason)s at line %(line)s, "
                              "column %(column)s", reason=json_reason(exc.msg),
                              line=exc.lineno, column=exc.colno)) from None
    except ValueError as exc:
        raise BadBody(Message("the body is not valid JSON: %(reason)s",
                              reason=exc.args[0])) from None
    except RecursionError:
        raise BadBody(Message("the body is not valid JSON: nested too deeply")) from None


BODY, QUERY = Message("the body"), Message("the query")


def json_object():
    """The decoded JSON body, which must be an object: [] or null is refused at ``body`` (the
    body as a whole, as docs/api.md names it)."""
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput([Problem("body", Message("%(what)s must be a JSON object",
                                                    what=BODY))])
    return data


def load(schema_class, data, what: Message = BODY):
    """``data`` validated by a request schema; every problem located, unknown fields named
    (with the nearest valid name)."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem("body", Message("%(what)s must be a JSON object",
                                                    what=what))])
    schema = built(schema_class)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput(flatten_errors(exc.messages, "",
                                          lambda parent: schema.fields)) from None


def query(schema_class):
    return load(schema_class, request.args.to_dict(flat=True), QUERY)


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput([Problem("Idempotency-Key", Message(
            "1 to 200 printable ASCII characters, no spaces (a UUID is a good key)"))])
    return key
