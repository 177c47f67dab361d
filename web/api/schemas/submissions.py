"""Submissions in the JSON API (web/api/submissions.py): the workflow's requests, the list's
query, and a submission with its audit trail, comments, evidence and label."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from footprint.bom import BomSchema
from footprint.paging import PAGE_SIZE
from footprint.schemafields import FreeText, StrictSchema
from footprint.usecases import actions
from footprint.usecases.labels import STATUSES as LABEL_STATUSES
from footprint.workflow import MAX_REASON, STATUSES

from .base import OrgRefSchema, _Response
from .labels import LabelLinksSchema

MAX_LIMIT = 200  # submissions in one page of the list


class OrgReference(fields.Field):
    """An accounting body by name (a string) or by id (an integer)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("oneOf", [{"type": "string", "minLength": 1},
                                                {"type": "integer"}])
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("an accounting body's name (a string) or id (an integer)")
        if isinstance(value, str) and not value.strip():
            raise ValidationError("must not be empty")
        return value.strip() if isinstance(value, str) else value


class SubmitRequestSchema(StrictSchema):
    verifier_org = OrgReference(metadata={
        "description": "The accounting body that verifies the submission, by name or id. "
                       "Optional when the platform has a single accounting body, and on a "
                       "resubmission (it goes back to the body that returned it).",
        "example": "Sichuan Carbon Verification"})


# a note or reason: the length the use case holds every caller to (footprint.workflow)
REASON_LENGTH = validate.Length(min=1, max=MAX_REASON)


class NoteRequestSchema(StrictSchema):
    note = FreeText(validate=REASON_LENGTH, metadata={
        "description": "Optional; recorded with the action in the audit trail.",
        "example": "meter readings match the invoices"})


def _each_once(items: list) -> None:
    if len(set(items)) != len(items):
        raise ValidationError("name each item once")


class VerifyRequestSchema(NoteRequestSchema):
    """A verification: the accounting body confirms every item of the checklist."""

    checklist = fields.List(
        fields.String(validate=validate.OneOf(tuple(actions.VERIFY_CHECKLIST))),
        required=True, validate=[validate.Length(equal=len(actions.VERIFY_CHECKLIST)),
                                 _each_once],
        metadata={"uniqueItems": True, "example": list(actions.VERIFY_CHECKLIST),
                  "description": "The verifier confirms every item, each once: " + "; ".join(
                      f"{item}: {text}" for item, text in actions.VERIFY_CHECKLIST.items())
                  + ". Without all of them nothing is verified (400)."})


class ReturnRequestSchema(StrictSchema):
    reason = FreeText(required=True, validate=REASON_LENGTH,
                      metadata={"description": "Why the submission is returned; shown to the "
                                               "producer and kept in the audit trail.",
                                "example": "attach the electricity meter readings"})


class SubmissionsQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "Only submissions in this status."})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT), metadata={
        "description": f"Submissions a page (default {PAGE_SIZE}, at most {MAX_LIMIT})."})
    before = fields.String(validate=validate.Length(min=1, max=120), metadata={
        "description": "The next page: the `next_before` of the page before (opaque)."})


class PersonSchema(_Response):
    id = fields.Integer(allow_none=True)
    display_name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)


class AuditEventSchema(_Response):
    action = fields.String(required=True, metadata={
        "description": "create, revise, submit, verify, approve or return"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    actor = fields.Nested(PersonSchema, required=True)


class CommentSchema(_Response):
    id = fields.Integer(required=True)
    line = fields.Integer(allow_none=True, metadata={"description": "BOM line, from 1"})
    body = fields.String(required=True)
    created_at = fields.String(required=True)
    author = fields.Nested(PersonSchema, required=True)


class EvidenceSchema(_Response):
    id = fields.Integer(required=True)
    line = fields.Integer(allow_none=True, metadata={"description": "BOM line, from 1"})
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = fields.String(required=True)


class SubmissionSummarySchema(_Response):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    revision = fields.Integer(required=True, metadata={
        "description": "Starts at 1; each revision of the BOM adds one."})
    product_id = fields.Integer(required=True)
    product_name = fields.String(required=True)
    product_name_zh = fields.String(allow_none=True)
    category = fields.String(required=True)
    organisation = fields.Nested(OrgRefSchema, required=True,
                                 metadata={"description": "The producing enterprise."})
    verifier_org = fields.Nested(OrgRefSchema, allow_none=True, required=True, metadata={
        "description": "The accounting body assigned on submission; null before."})
    sent_to_another_body = fields.Boolean(required=True, metadata={
        "description": "True when the caller's accounting body verified or returned the "
                       "submission and the producer has since sent it to another body "
                       "(`verifier_org`): the body reads it, and takes no further part "
                       "(no action, no comment)."})
    total_kg_co2e = fields.Float(allow_none=True, required=True, metadata={
        "description": "kg CO2e per declared unit of the latest revision."})
    label_id = fields.String(allow_none=True, required=True, metadata={
        "description": "The id of the carbon label issued when the submission was approved "
                       "(e.g. CN-SC-K5QX7M2ZP4H6A); null before. GET /labels/{label_id} "
                       "reads it."})
    label_status = fields.String(
        allow_none=True, required=True,
        validate=validate.OneOf(LABEL_STATUSES), metadata={
            "description": "valid, superseded, revoked or expired; null without a label."})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class SubmissionLabelSchema(_Response):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(LABEL_STATUSES))
    url = fields.String(required=True, metadata={
        "description": "The URL the label's QR code holds: HTTPS://<HOST>/L/<base32 of the "
                       "signed label>."})
    issued_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    superseded_by = fields.String(allow_none=True, required=True)
    revocation_reason = fields.String(allow_none=True, required=True)
    log_index = fields.Integer(required=True, metadata={
        "description": "The leaf of the transparency log that records its issuance."})
    links = fields.Nested(LabelLinksSchema, required=True)


class SubmissionSchema(SubmissionSummarySchema):
    label = fields.Nested(SubmissionLabelSchema, allow_none=True, required=True, metadata={
        "description": "The carbon label issued on approval; null before."})
    bom = fields.Nested(BomSchema, required=True, metadata={
        "description": "The latest BOM, validated, with defaults filled in."})
    result = fields.Dict(allow_none=True, required=True, metadata={
        "description": "The calculated result of the latest revision: total_kg_co2e, "
                       "by_stage, by_input, by_gas, factors (with source and plugin), "
                       "notes, data_version, reproducibility_hash ... as `footprint calc "
                       "--json` prints it."})
    verified_by = fields.Nested(PersonSchema, allow_none=True, required=True)
    approved_by = fields.Nested(PersonSchema, allow_none=True, required=True)
    audit_trail = fields.List(fields.Nested(AuditEventSchema), required=True,
                              metadata={"description": "Every transition, oldest first."})
    comments = fields.List(fields.Nested(CommentSchema), required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, metadata={
        "description": "Evidence files (metadata only; download them on the web)."})


class SubmissionListSchema(_Response):
    submissions = fields.List(fields.Nested(SubmissionSummarySchema), required=True, metadata={
        "description": "A page of them, newest first by update time (then id)."})
    next_before = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as `before` for the next page; null on the last."})
