"""Carbon labels in the JSON API (web/api/labels.py): a label with its signed claims, names,
grade bands, log entries and verification, its links, revoking one, and the list of revoked
labels."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.schemafields import FreeText, StrictSchema
from footprint.usecases.labels import STATUSES as LABEL_STATUSES
from footprint.usecases.revoking import MAX_REASON as MAX_REVOKE_REASON

from .base import _Response


class RevokeRequestSchema(StrictSchema):
    reason = FreeText(
        required=True, validate=validate.Length(min=1, max=MAX_REVOKE_REASON), metadata={
            "description": "Why the label is revoked. Public: it is published with the "
                           "label, in the list of revoked labels and in the transparency "
                           "log."})


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
