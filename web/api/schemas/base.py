"""What every response schema of the JSON API derives from, and what several resources share.

Response schemas are used to dump every answer, so the OpenAPI document generated from them
(web/api/openapi.py) is what the API sends. Request schemas are footprint.schemafields'
StrictSchema, as the BOM's are: they refuse unknown fields, so a misspelt field is an error
that names it.
"""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

MAX_INTEGER = 2 ** 63 - 1  # SQLite's largest: a larger size is refused, not an OverflowError


class _Response(Schema):
    """Documented with additionalProperties: true, so clients accept fields added later."""

    class Meta:
        unknown = INCLUDE


class OrgRefSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
