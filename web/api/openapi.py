"""The OpenAPI 3 document of the JSON API, generated with apispec from the marshmallow schemas.

Each view of the api blueprint and its children carries its description (``@operation(...)``) next to its
code; ``build_spec`` walks the app's URL map, so a route without a description fails to
build instead of going undocumented.

The document says exactly what the server accepts and answers: the schemas carry every rule a
field can say (lengths, patterns, enums, bounds; ``json_schema`` on a marshmallow schema adds
what spans fields), path ids carry the bounds of the URL converter, and every status an
operation can answer is listed with its Error body: 401 and 429 where a token is checked, 400
and 413 with a body, 503 wherever the database is read, 507 wherever it is written.
tests/test_openapi_conformance.py runs schemathesis against a live server to hold it so.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from footprint.bom import BomSchema, DeclaredUnitSchema, LineSchema, ProductSchema

from .schemas.errors import ErrorSchema

OPENAPI_VERSION = "3.0.3"
SECURITY_SCHEME = "bearerAuth"

RETRY_AFTER = {"description": "Seconds to wait before trying again.", "required": True,
               "schema": {"type": "integer", "minimum": 0}}

# Shared error responses, referenced by status code: (name, description, headers).
ERRORS = {
    400: ("BadRequest", "The input is wrong: not JSON, malformed JSON, an unknown field, or a "
                        "value that fails validation; `problems` locates each.", {}),
    401: ("Unauthorized", "No bearer token, or one that is unknown or revoked.",
          {"WWW-Authenticate": {
              "description": 'Bearer realm="footprint" (with error="invalid_token" when the '
                             "token given is not valid)",
              "required": True, "schema": {"type": "string"}}}),
    403: ("Forbidden", "The user may see the object but their role may not do this to it.",
          {}),
    404: ("NotFound", "No such object, or one of another organisation.", {}),
    405: ("MethodNotAllowed", "The path exists but not with this method; Allow lists the "
                              "methods it has. Answered by every path of the API to a method "
                              "it does not list.",
          {"Allow": {"description": "The methods of this path, e.g. GET, HEAD, OPTIONS, PUT",
                     "required": True, "schema": {"type": "string"}}}),
    409: ("Conflict", "The submission or label is not in a state that allows this action "
                      "(approving a draft, revoking a revoked label), or the platform cannot "
                      "do it yet (approving without an issuer key: the message says what the "
                      "operator runs).", {}),
    413: ("TooLarge", "The body is over the size limit (1 MB for JSON).", {}),
    429: ("TooManyRequests", "Too many failed attempts with bearer tokens from this address "
                             "or for this account; nothing was done. Wait Retry-After "
                             "seconds.", {"Retry-After": RETRY_AFTER}),
    503: ("Unavailable", "The database is busy (another writer held it past the wait) or "
                         "cannot be used; nothing was saved. Try again after Retry-After "
                         "seconds.", {"Retry-After": RETRY_AFTER}),
    507: ("StorageFull", "The platform's storage is full; nothing was saved. Reads still "
                         "work. Try again after Retry-After seconds.",
          {"Retry-After": RETRY_AFTER}),
}
WRITES = ("post", "put", "patch", "delete")


def operation(summary: str, *, responses: dict, errors=(), body=None, body_required=True,
              query=None, parameters=(), public=False, database=True, description: str = ""):
    """Describe a view for the OpenAPI document. ``responses``: {status: (schema, text)}, or
    (schema, text, media type) for an answer that is not JSON (an image, a PDF), or
    (schema, text, media type, headers); ``errors``: statuses answered with an Error body
    (added: 401 and 429 unless ``public``, 400 and 413 with a body, 503 unless the view
    never touches the ``database``, 507 on a method that writes). A path parameter
    described in ``parameters`` replaces the bare one taken from the route."""
    def decorate(view):
        view.openapi = {"summary": summary, "responses": responses, "errors": tuple(errors),
                        "body": body, "body_required": body_required, "query": query,
                        "parameters": list(parameters), "public": public,
                        "database": database,
                        "description": description or (view.__doc__ or "").strip()}
        return view
    return decorate


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": "integer", "float": "number"}


def openapi_path(rule: str, converters=None) -> tuple[str, list[dict]]:
    """Flask's "/x/<int:id>" -> ("/x/{id}", [the path parameter]); ``converters`` (the
    app's url_map.converters) give the bounds of an integer (web.RowId)."""
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema = {"type": _TYPES.get(converter or "", "string")}
        known = (converters or {}).get(converter or "")
        for bound in ("minimum", "maximum"):
            if getattr(known, bound, None) is not None:
                schema[bound] = getattr(known, bound)
        if schema["type"] == "integer" and "maximum" in schema:
            schema["format"] = "int64"
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule), parameters


def _operation(view, method: str, path_parameters: list[dict]) -> dict:
    doc = view.openapi
    described = {(p["name"], p["in"]) for p in doc["parameters"]}
    op = {"operationId": view.__name__, "summary": doc["summary"],
          "parameters": [p for p in path_parameters if (p["name"], p["in"]) not in described]
          + doc["parameters"], "responses": {}}
    if doc["description"]:
        op["description"] = doc["description"]
    if doc["query"] is not None:
        op["parameters"].append({"in": "query", "schema": doc["query"]})
    for status, (schema, text, *more) in doc["responses"].items():
        media_type = more[0] if more else "application/json"
        if schema is None:
            schema = {"type": "object"} if media_type == "application/json" else \
                {"type": "string"} if media_type.endswith("+xml") else \
                {"type": "string", "format": "binary"}
        op["responses"][str(status)] = {"description": text,
                                        "content": {media_type: {"schema": schema}}}
        if len(more) > 1:
            op["responses"][str(status)]["headers"] = more[1]
    errors = set(doc["errors"])
    if not doc["public"]:
        errors |= {401, 429}
        op["security"] = [{SECURITY_SCHEME: []}]
    else:
        op["security"] = []
    if doc["body"] is not None and method in ("post", "put", "patch"):
        op["requestBody"] = {"required": doc["body_required"],
                             "content": {"application/json": {"schema": doc["body"]}}}
        errors |= {400, 413}
    if doc["database"]:
        errors.add(503)
        if method in WRITES:
            errors.add(507)
    for status in sorted(errors):
        op["responses"][str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    return op


BLUEPRINTS = ("api",)  # the blueprint under /api/v1 (its children's endpoints: api.<child>.*)


def build_spec(app: Flask, blueprints=BLUEPRINTS) -> dict:
    spec = APISpec(
        title="footprint API", version="1", openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": "Product carbon footprints: producers submit bills of materials, "
                             "third-party accounting bodies verify, platform reviewers "
                             "approve, and approval issues a signed carbon label. "
                             "Authenticate with `Authorization: Bearer <token>` "
                             "(`footprint tokens create USER`). Labels, their images, "
                             "proofs and the transparency log are public (no token): a "
                             "label's QR code already carries everything it signs. Every "
                             "error, 5xx included, is an Error object; a method a path does "
                             "not list answers 405 with Allow, an unknown path or id 404."},
        security=[{SECURITY_SCHEME: []}])
    spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "A token from `footprint tokens create USER`; it acts as that user."})
    spec.components.schema("Error", schema=ErrorSchema)
    # The BOM's parts by name, each with what spans its fields (json_schema), before the
    # schemas that nest them
    for name, schema in (("Product", ProductSchema), ("DeclaredUnit", DeclaredUnitSchema),
                         ("Line", LineSchema), ("Bom", BomSchema)):
        spec.components.schema(name, getattr(schema, "json_schema", None), schema=schema)
    for status, (name, text, headers) in ERRORS.items():
        response = {"description": text,
                    "content": {"application/json": {"schema": "Error"}}}
        if headers:
            response["headers"] = headers
        spec.components.response(name, response)

    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.partition(".")[0] not in blueprints:
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "openapi"):
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no @operation description")
        path, path_parameters = openapi_path(rule.rule, app.url_map.converters)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower(),
                                                                     path_parameters)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
