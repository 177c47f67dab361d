"""What every schema of the JSON API derives from, and what several resources share.

Request schemas refuse unknown fields (marshmallow RAISE), so a misspelt field is an error
that names it. Response schemas are used to dump every answer, so the OpenAPI document
generated from them (web/api/openapi.py) is what the API sends.
"""
from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields

MAX_INTEGER = 2 ** 63 - 1  # SQLite's largest: a larger size is refused, not an OverflowError


class _Request(Schema):
    class Meta:
        unknown = RAISE


class _Response(Schema):
    """Documented with additionalProperties: true, so clients accept fields added later."""

    class Meta:
        unknown = INCLUDE


class OrgRefSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
