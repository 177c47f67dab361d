"""Marshmallow schemas of the JSON API: what requests may carry and what responses hold.

Request schemas refuse unknown fields (marshmallow RAISE), so a misspelt field is an error
that names it; the BOM itself is footprint.bom.BomSchema. Response schemas are used to dump
every answer, so the OpenAPI document generated from them (openapi.py) is what the API sends.
Field names here are the API's contract: add fields, never rename them.
"""
from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

from footprint.bom import (BomSchema, DeclaredUnitSchema, FreeText, LineSchema,
                           ProductSchema)
from footprint.model import ELECTRICITY_BASES
from footprint.paging import PAGE_SIZE
from footprint.supervision import SEVERITIES, SUBJECT_KINDS
from footprint.supervision import TYPES as FINDING_TYPES
from footprint.usecases.batterypass import LIFECYCLE_STAGES
from footprint.usecases.labels import STATUSES as LABEL_STATUSES
from footprint.usecases.revoking import MAX_REASON as MAX_REVOKE_REASON
from footprint.workflow import MAX_REASON, STATUSES

__all__ = ["BomSchema", "DeclaredUnitSchema", "LineSchema", "ProductSchema"]

MAX_INTEGER = 2 ** 63 - 1  # SQLite's largest: a larger size is refused, not an OverflowError
MAX_LIMIT = 200  # submissions in one page of the list


class _Request(Schema):
    class Meta:
        unknown = RAISE


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


# -- requests --------------------------------------------------------------------------------

class SubmitRequestSchema(_Request):
    verifier_org = OrgReference(metadata={
        "description": "The accounting body that verifies the submission, by name or id. "
                       "Optional when the platform has a single accounting body, and on a "
                       "resubmission (it goes back to the body that returned it).",
        "example": "Sichuan Carbon Verification"})


# a note or reason: the length the use case holds every caller to (footprint.workflow)
REASON_LENGTH = validate.Length(min=1, max=MAX_REASON)


class NoteRequestSchema(_Request):
    note = FreeText(validate=REASON_LENGTH, metadata={
        "description": "Optional; recorded with the action in the audit trail.",
        "example": "meter readings match the invoices"})


class ReturnRequestSchema(_Request):
    reason = FreeText(required=True, validate=REASON_LENGTH,
                      metadata={"description": "Why the submission is returned; shown to the "
                                               "producer and kept in the audit trail.",
                                "example": "attach the electricity meter readings"})


class RevokeRequestSchema(_Request):
    reason = FreeText(
        required=True, validate=validate.Length(min=1, max=MAX_REVOKE_REASON), metadata={
            "description": "Why the label is revoked. Public: it is published with the "
                           "label, in the list of revoked labels and in the transparency "
                           "log."})


def _size(**kwargs):
    return validate.Range(min=1, max=MAX_INTEGER, **kwargs)


class ProofQuerySchema(_Request):
    tree_size = fields.Integer(validate=_size(), metadata={
        "description": "Prove inclusion in the tree of this many leaves (a checkpoint's "
                       "size, more than the label's leaf index and at most the log's size); "
                       "default: the whole log now."})


class ConsistencyQuerySchema(_Request):
    from_ = fields.Integer(data_key="from", required=True, validate=_size(),
                           metadata={"description": "The older tree size (at least 1)."})
    to = fields.Integer(validate=_size(), metadata={
        "description": "The newer tree size (from <= to <= the log's size); default: the "
                       "log's size now."})


class SubmissionsQuerySchema(_Request):
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "Only submissions in this status."})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT), metadata={
        "description": f"Submissions a page (default {PAGE_SIZE}, at most {MAX_LIMIT})."})
    before = fields.String(validate=validate.Length(min=1, max=120), metadata={
        "description": "The next page: the `next_before` of the page before (opaque)."})


class FactorsQuerySchema(_Request):
    region = fields.String(metadata={"description": "Only this region code, e.g. CN-SC."})
    year = fields.Integer(metadata={"description": "Only this data year, e.g. 2022."})
    basis = fields.String(validate=validate.OneOf(ELECTRICITY_BASES),
                          metadata={"description": "Only this accounting basis."})


# -- responses -------------------------------------------------------------------------------

class _Response(Schema):
    """Documented with additionalProperties: true, so clients accept fields added later."""

    class Meta:
        unknown = INCLUDE


class ProblemSchema(_Response):
    where = fields.String(required=True, metadata={
        "description": 'Where the problem is: a JSON path in the body ("lines[0].unit"), a '
                       'query parameter, a header ("Idempotency-Key") or "body".'})
    place = fields.String(required=True, metadata={
        "description": "Where, as people say it, in the answer's language: "
                       '"第 1 行 · 计量单位" / "line 1 · unit"; a category '
                       "parameter by its own name."})
    message = fields.String(required=True, metadata={
        "description": "The problem in the answer's language: the language Accept-Language "
                       "asks for (zh or en), English when the request names none."})
    code = fields.String(required=True, metadata={
        "description": "The message's id, the same in every language: its English template, "
                       'e.g. "%(kind)s \"%(word)s\" unknown, did you mean \"%(guess)s\"?". '
                       "message is code, translated, with params filled in."})
    params = fields.Dict(required=True, metadata={
        "description": "The values in the message, by name (words in the answer's "
                       "language)."})


class ErrorSchema(_Response):
    error = fields.String(required=True, metadata={
        "description": "What went wrong, in the answer's language (as a problem's message)."})
    code = fields.String(required=True, metadata={
        "description": "The error's id, the same in every language: its English template "
                       '("invalid input", "not found", "the body is over the limit of '
                       '%(limit)s bytes (%(megabytes)s MB)").'})
    params = fields.Dict(required=True, metadata={
        "description": "The values in the error, by name."})
    problems = fields.List(fields.Nested(ProblemSchema), required=True, metadata={
        "description": "Every problem found, each located: the input's on 400, the body on "
                       "413, the Authorization header on 401; empty where the error is not "
                       "about a place in the request (403, 404, 409, 5xx)."})


class OrgRefSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


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


class LabelLinksSchema(_Response):
    self = fields.String(required=True, metadata={"description": "GET: the label's JSON."})
    proof = fields.String(required=True, metadata={"description": "GET: inclusion proof."})
    qr_png = fields.String(required=True)
    qr_svg = fields.String(required=True)
    label_png = fields.String(required=True)
    label_svg = fields.String(required=True)
    label_pdf = fields.String(required=True)
    revoke = fields.String(required=True, metadata={"description": "POST: revoke (reviewers "
                                                                   "and administrators)."})


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


class RegionSchema(_Response):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    level = fields.String(required=True, metadata={"description": "country, grid, province "
                                                                   "or union"})
    country = fields.String(required=True)
    grids = fields.List(fields.String(), required=True)
    fallback = fields.List(fields.String(), required=True, metadata={
        "description": "Regions whose factors stand in, in order, where this one has none."})
    fallback_note = fields.String(required=True, metadata={
        "description": "Why the first of them stands in, in English; empty: no reason given."})
    fallback_note_zh = fields.String(required=True, metadata={
        "description": "The same in Chinese (in English where the plugin gives no Chinese)."})
    factor_years = fields.List(fields.Integer(), required=True)
    plugin = fields.String(required=True)


class RegionListSchema(_Response):
    regions = fields.List(fields.Nested(RegionSchema), required=True)


class GradingSchema(_Response):
    unit = fields.String(required=True)
    provisional = fields.Boolean(required=True)
    bands = fields.List(fields.Dict(), required=True, metadata={
        "description": '[{"grade": "A", "up_to": 0.5}, ...]; the last band\'s up_to may be '
                       "null (no upper bound)."})


class CategorySchema(_Response):
    id = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    description = fields.String(required=True, metadata={
        "description": "What the category covers, in English."})
    description_zh = fields.String(required=True, metadata={
        "description": "The same in Chinese (in English where the plugin gives no Chinese)."})
    declared_units = fields.List(fields.String(), required=True, metadata={
        "description": "Units a BOM of this category may declare; empty: any."})
    plugin = fields.String(required=True)
    parameters = fields.List(fields.Dict(), required=True, metadata={
        "description": "The category's parameters (the BOM's `parameters` object): name, "
                       "type, required, unit, min, max, choices, default, help_zh, help_en, "
                       "and nested fields."})
    grading = fields.Nested(GradingSchema, allow_none=True, required=True)


class CategoryListSchema(_Response):
    categories = fields.List(fields.Nested(CategorySchema), required=True)


class SourceSchema(_Response):
    dataset = fields.String(required=True)
    citation = fields.String(required=True)
    confidence = fields.String(required=True)


class FactorSchema(_Response):
    region = fields.String(required=True)
    year = fields.Integer(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(ELECTRICITY_BASES))
    value = fields.Float(required=True)
    unit = fields.String(required=True, metadata={"description": 'e.g. "kg CO2_fossil/kWh"'})
    flow = fields.String(required=True)
    source = fields.Nested(SourceSchema, required=True)
    plugin = fields.String(required=True, metadata={"description": "The plugin that "
                                                                   "supplied the factor."})


class FallbackSchema(_Response):
    regions = fields.List(fields.String(), required=True)
    note = fields.String(required=True, metadata={"description": "Why, in English."})
    note_zh = fields.String(required=True, metadata={
        "description": "The same in Chinese (in English where the plugin gives no Chinese)."})


class FactorListSchema(_Response):
    factors = fields.List(fields.Nested(FactorSchema), required=True)
    fallback = fields.Nested(FallbackSchema, allow_none=True, required=True, metadata={
        "description": "With ?region=: the regions that stand in where it has no factor of a "
                       "basis; null otherwise."})


# -- labels and the transparency log ---------------------------------------------------------

class LabelIssuerSchema(_Response):
    id = fields.String(required=True, metadata={"description": "e.g. CN-SC"})
    name = fields.String(allow_none=True, required=True, metadata={
        "description": "From the trust list; null if the signing key is not listed."})
    region = fields.String(allow_none=True, required=True)
    kid = fields.String(allow_none=True, required=True, metadata={
        "description": "The signing key's id, base64 (as in the trust list)."})


class LabelDeclaredUnitSchema(_Response):
    amount = fields.Float(required=True)
    unit = fields.String(required=True)


def _party(who: str):
    return fields.Raw(required=True, metadata={
        "oneOf": [{"type": "string"}, {"type": "integer"}],
        "description": f"The {who}: its unified social credit code (18 characters), or the "
                       "issuer's organisation number when it has none."})


class LabelRangeSchema(_Response):
    low = fields.Float(required=True, metadata={
        "description": "P5 of the calculation's Monte Carlo draws, kg CO2e: as signed in "
                       "claim 20, to 3 significant figures as the value; a label issued "
                       "before claim 20 gives value x permille[0] / 1000"})
    high = fields.Float(required=True, metadata={
        "description": "P95, kg CO2e: as low (value x permille[1] / 1000 from claim 19)"})
    permille = fields.List(fields.Integer(), required=True, allow_none=True, metadata={
        "description": "null for a label that signs P5 and P95 themselves (claim 20). A label "
                       "issued before claim 20: [low, high] as it signed them (claim 19), P5 "
                       "and P95 in per mille of the signed value, rounded outward; "
                       "low <= 1000 <= high."})


class LabelClaimsSchema(_Response):
    id = fields.String(required=True)
    issuer = fields.String(required=True)
    issued_at = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    expires_at = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    product = fields.Integer(required=True, metadata={
        "description": "The issuer's product number."})
    gtin = fields.String(allow_none=True, required=True, metadata={"description": "GTIN-14"})
    producer = _party("producer")
    category = fields.String(required=True)
    declared_unit = fields.Nested(LabelDeclaredUnitSchema, required=True)
    value = fields.Float(required=True, metadata={
        "description": "kg CO2e per declared unit as signed: 3 significant figures "
                       "(docs/label-format.md)."})
    stage_permille = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                                 metadata={"description": "Each stage's share in per mille "
                                                          "(sums to 1000)."})
    grade = fields.String(allow_none=True, required=True)
    provisional = fields.Boolean(allow_none=True, required=True)
    region = fields.String(required=True)
    data_version = fields.String(required=True, metadata={"description": "hex, 8 bytes"})
    reproducibility_hash = fields.String(required=True, metadata={"description": "hex, 16 "
                                                                                  "bytes"})
    verifier = _party("accounting body that verified the data")
    reviewer = fields.Integer(required=True, metadata={
        "description": "The issuer's user number of the reviewer who approved it."})
    supersedes = fields.String(allow_none=True, required=True)
    range = fields.Nested(LabelRangeSchema, allow_none=True, required=True, metadata={
        "description": "The footprint's range (P5-P95) as signed; null for a label issued "
                       "before labels signed it (docs/label-format.md, \"Range\")."})


class LabelNamesSchema(_Response):
    """Names the platform publishes beside the signed identifiers (not signed)."""
    product_name_zh = fields.String(allow_none=True, required=True)
    product_name_en = fields.String(allow_none=True, required=True)
    producer_name = fields.String(allow_none=True, required=True)
    verifier_name = fields.String(allow_none=True, required=True)
    reviewer_name = fields.String(allow_none=True, required=True)


class LogEntryRefSchema(_Response):
    index = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("issue", "supersede",
                                                                 "revoke")))
    at = fields.String(required=True)


class VerificationSchema(_Response):
    valid = fields.Boolean(required=True, metadata={
        "description": "The signature verifies with a key of this platform's trust list, "
                       "inside the key's window, and the label has not expired."})
    reason = fields.String(allow_none=True, required=True, metadata={
        "description": "Why not: malformed, unknown-issuer, bad-signature, key-window, "
                       "expired ... (docs/label-format.md)."})
    detail = fields.String(allow_none=True, required=True)


class GradeBandsSchema(_Response):
    basis = fields.String(required=True, validate=validate.OneOf(("benchmark", "category")),
                          metadata={"description": "benchmark: bands the platform adopted "
                                    "from its benchmark of verified products; category: the "
                                    "category's own bands."})
    id = fields.Integer(metadata={"description": "The adopted version's number here "
                                                 "(/registry/benchmarks)."})
    version = fields.Integer(metadata={"description": "Its version for the category and "
                                                      "declared unit, from 1."})
    n = fields.Integer(metadata={"description": "Verified products the benchmark counted."})
    as_of = fields.String(metadata={"description": "The benchmark's day, YYYY-MM-DD (UTC)."})


class LabelSchema(_Response):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(LABEL_STATUSES))
    issuer = fields.Nested(LabelIssuerSchema, required=True)
    claims = fields.Nested(LabelClaimsSchema, required=True, metadata={
        "description": "What the label signs, readable (docs/label-format.md)."})
    names = fields.Nested(LabelNamesSchema, required=True, metadata={
        "description": "The names of the signed product and parties, as this platform "
                       "published them when it issued the label."})
    grade_bands = fields.Nested(GradeBandsSchema, allow_none=True, required=True, metadata={
        "description": "Which grade bands graded it (not signed: the platform's record); "
                       "null when it has no grade."})
    url = fields.String(required=True, metadata={
        "description": "The URL its QR code holds: HTTPS://<HOST>/L/<base32>."})
    scan_path = fields.String(required=True, metadata={
        "description": "The consumer scan page on this service: /L/<base32>."})
    issued_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    supersedes = fields.String(allow_none=True, required=True)
    superseded_by = fields.String(allow_none=True, required=True, metadata={
        "description": "The label that replaced it (status superseded)."})
    revoked_at = fields.String(allow_none=True, required=True)
    revocation_reason = fields.String(allow_none=True, required=True, metadata={
        "description": "The public reason (status revoked)."})
    log_index = fields.Integer(required=True, metadata={
        "description": "The leaf recording its issuance."})
    log_entries = fields.List(fields.Nested(LogEntryRefSchema), required=True, metadata={
        "description": "Every leaf about this label: its issuance, then its supersession or "
                       "revocation."})
    verification = fields.Nested(VerificationSchema, required=True)
    links = fields.Nested(LabelLinksSchema, required=True)


class InclusionProofSchema(_Response):
    leaf_index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata={"description": "base64"})
    root = fields.String(required=True, metadata={"description": "base64"})
    proof = fields.List(fields.String(), required=True, metadata={
        "description": "base64 hashes, from the leaf up (RFC 9162 2.1.3)."})


class ConsistencyProofSchema(_Response):
    old_size = fields.Integer(required=True)
    new_size = fields.Integer(required=True)
    old_root = fields.String(required=True, metadata={"description": "base64"})
    new_root = fields.String(required=True, metadata={"description": "base64"})
    proof = fields.List(fields.String(), required=True, metadata={
        "description": "base64 hashes (RFC 9162 2.1.4)."})


class RevokedLabelSchema(_Response):
    id = fields.String(required=True)
    reason = fields.String(required=True)
    revoked_at = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    firm = fields.String(allow_none=True, metadata={
        "description": "The producer whose label it was, as named beside the label."})
    accounting_body = fields.String(allow_none=True, metadata={
        "description": "The accounting body that verified it, as named beside the label."})


class RevokedListSchema(_Response):
    revoked = fields.List(fields.Nested(RevokedLabelSchema), required=True)


# -- the Battery Pass record of a battery label ------------------------------------------------

class BatteryLifecycleStageSchema(_Response):
    lifecycleStage = fields.String(required=True, validate=validate.OneOf(LIFECYCLE_STAGES),
                                   metadata={"description": "The Battery Pass LifecycleStage "
                                                            "code of an Annex II stage."})
    carbonFootprint = fields.Float(required=True, metadata={
        "description": "kg CO2e per kWh of total energy delivered over the expected service "
                       "life, from this stage."})


class CarbonFootprintForBatteriesSchema(_Response):
    """CarbonFootprintForBatteries of the Battery Pass Data Model 1.2.0
    (urn:samm:io.BatteryPass.CarbonFootprint:1.2.0)."""

    batteryCarbonFootprint = fields.Float(required=True, metadata={
        "description": "kg CO2e per kWh of total energy delivered over the expected service "
                       "life (Regulation (EU) 2023/1542 Art. 7), over the Annex II stages."})
    carbonFootprintPerLifecycleStage = fields.List(
        fields.Nested(BatteryLifecycleStageSchema), required=True,
        metadata={"description": "The Annex II stages, the use stage excluded."})
    carbonFootprintPerformanceClass = fields.String(required=True, metadata={
        "description": "A to E: this platform's provisional bands (see provisional)."})
    carbonFootprintStudy = fields.String(required=True, metadata={
        "description": "The producer's public study when the BOM names one, else the "
                       "label's scan page."})
    absoluteCarbonFootprint = fields.Float(metadata={
        "description": "kg CO2e per battery, when the BOM gives pack_capacity_kwh."})


class BatteryPassModelSchema(_Response):
    urn = fields.String(required=True)
    version = fields.String(required=True)
    source = fields.String(required=True)


class BatteryPassProvisionalSchema(_Response):
    performance_class = fields.Boolean(required=True)
    art7_formula = fields.Boolean(required=True)
    note = fields.String(required=True)


class BatteryPassSchema(_Response):
    label_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(LABEL_STATUSES), metadata={
        "description": "The label's status: a superseded or revoked label's record is not "
                       "vouched for any more."})
    superseded_by = fields.String(allow_none=True, required=True)
    current_label = fields.String(allow_none=True, required=True, metadata={
        "description": "The label at the end of the chain of supersessions (status "
                       "superseded): ask for its record instead."})
    revoked_at = fields.String(allow_none=True, required=True)
    revocation_reason = fields.String(allow_none=True, required=True)
    data_model = fields.Nested(BatteryPassModelSchema, required=True)
    CarbonFootprintForBatteries = fields.Nested(CarbonFootprintForBatteriesSchema,
                                                required=True)
    units = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    provisional = fields.Nested(BatteryPassProvisionalSchema, required=True)
    study_source = fields.String(required=True, validate=validate.OneOf(
        ("producer", "scan page")))
    scan_url = fields.String(required=True)
    reproducibility_hash = fields.String(allow_none=True, required=True, metadata={
        "description": "The hash of the stored result the label signs, which the values "
                       "are read from."})


# -- supervision findings (docs/supervision.md) -------------------------------------------------

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
