"""The public findings of credit supervision in the JSON API (web/api/findings.py;
docs/supervision.md)."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.supervision import SEVERITIES, SUBJECT_KINDS
from footprint.supervision import TYPES as FINDING_TYPES

from .base import _Response


class FindingSubjectSchema(_Response):
    id = fields.Integer(required=True, metadata={"description": "The organisation's number "
                                                                "on this platform."})
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    credit_code = fields.String(allow_none=True, metadata={
        "description": "Unified social credit code (统一社会信用代码), when on record."})
    region = fields.String(allow_none=True)


class PublicFindingSchema(_Response):
    id = fields.Integer(required=True)
    subject = fields.Nested(FindingSubjectSchema, required=True)
    type = fields.String(required=True, validate=validate.OneOf(FINDING_TYPES))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES), metadata={
        "description": "general 一般, serious 较重, severe 严重."})
    summary = fields.String(required=True)
    labels = fields.List(fields.String(), required=True, metadata={
        "description": "The labels the finding names (a final finding of falsified_data "
                       "revoked them)."})
    final_at = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    log_index = fields.Integer(required=True, metadata={
        "description": "The record leaf of the transparency log holding the SHA-256 of "
                       "document."})
    document = fields.String(required=True, metadata={
        "description": "The signed finding: COSE_Sign1 bytes, base64url without padding "
                       "(docs/signed-documents.md, kind \"finding\")."})


class FindingListSchema(_Response):
    findings = fields.List(fields.Nested(PublicFindingSchema), required=True)
