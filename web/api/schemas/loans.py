"""Banks' access to carbon accounts, loan products and footprint-linked loan pricing in the
JSON API (web/api/loans.py; docs/loans.md): the requests that define a loan product and price
a loan, and consents, borrowers, loan products and priced loans with their proofs."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.loanrules import KINDS
from footprint.schemafields import StrictSchema
from footprint.usecases import loans

from .base import MAX_INTEGER, OrgRefSchema, _Response
from .proofs import InclusionProofSchema

PERCENT = validate.Range(min=0, max=100)
BP = validate.Range(min=1, max=10000)


class BandSchema(StrictSchema):
    from_pct = fields.Float(required=True, allow_nan=False, validate=PERCENT)
    to_pct = fields.Float(allow_none=True, allow_nan=False, validate=PERCENT, metadata={
        "description": "Exclusive; null (or left out) on the last band: open-ended."})
    cut_bp = fields.Integer(required=True, strict=True, validate=BP)


class RuleSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "target (target_pct, cut_bp of 30-65), reduction (min_pct, cut_bp), "
                       "label (cut_bp), subsidy (bp or yuan, cap_yuan, optional "
                       "min_reduction_pct), table (bands). docs/loans.md describes each."})
    target_pct = fields.Float(allow_nan=False, validate=PERCENT)
    min_pct = fields.Float(allow_nan=False, validate=PERCENT)
    cut_bp = fields.Integer(strict=True, validate=BP)
    bp = fields.Integer(strict=True, validate=BP)
    yuan = fields.Float(allow_nan=False, validate=validate.Range(min=0.01, max=1e13))
    cap_yuan = fields.Float(allow_nan=False, validate=validate.Range(min=0.01, max=1e13))
    min_reduction_pct = fields.Float(allow_none=True, allow_nan=False, validate=PERCENT)
    bands = fields.List(fields.Nested(BandSchema), validate=validate.Length(min=1, max=50))


class LoanProductRequestSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"example": "碳减排挂钩贷 Carbon-linked loan"})
    base_rate_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                   metadata={"example": "1年期LPR 1-year LPR"})
    base_rate_pct = fields.Float(required=True, allow_nan=False,
                                 validate=validate.Range(min=0.01, max=100), metadata={
                                     "description": "Per cent a year, at most 2 decimals.",
                                     "example": 3.0})
    base_rate_date = fields.Date(required=True, metadata={
        "description": "When the base rate was published.", "example": "2025-11-20"})
    rules = fields.List(fields.Nested(RuleSchema), required=True,
                        validate=validate.Length(min=1, max=20))


class PriceRequestSchema(StrictSchema):
    loan_product = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=1, max=MAX_INTEGER))
    borrower = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_INTEGER), metadata={
                                  "description": "The organisation's id; it must consent "
                                                 "to the bank (else 404)."})
    principal = fields.Float(required=True, allow_nan=False,
                             validate=validate.Range(min=0.01, max=1e13),
                             metadata={"description": "Yuan, at most 2 decimals.",
                                       "example": 10000000})
    year = fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=loans.YEARS[0], max=loans.YEARS[1]),
                          metadata={"description": "The year priced on; its reduction is "
                                                   "from the year before.", "example": 2025})
    product = fields.Integer(strict=True, allow_none=True,
                             validate=validate.Range(min=1, max=MAX_INTEGER), metadata={
                                 "description": "Optional: one product of the borrower "
                                                "(its reduction, and its label for the "
                                                "label rule)."})


class RecordProofSchema(InclusionProofSchema):
    entry = fields.String(required=True, metadata={
        "description": "The record entry (base64): deterministic CBOR {type, of, id, sha256, "
                       "at}; its sha256 is that of the signed document "
                       "(docs/transparency-log.md)."})


class BankConsentSchema(_Response):
    bank = fields.Nested(OrgRefSchema, required=True)
    granted_at = fields.String(allow_none=True, required=True, metadata={
        "description": "When the open consent was granted; null: no access."})


class ConsentListSchema(_Response):
    banks = fields.List(fields.Nested(BankConsentSchema), required=True)


class BorrowerSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    region = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True)
    granted_at = fields.String(allow_none=True)


class BorrowerListSchema(_Response):
    borrowers = fields.List(fields.Nested(BorrowerSchema), required=True)


class LoanProductSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    base_rate_name = fields.String(required=True)
    base_rate_bp = fields.Integer(required=True)
    base_rate_date = fields.String(required=True)
    rules = fields.List(fields.Dict(), required=True, metadata={
        "description": "The checked rules; decimals as text."})
    created_at = fields.String(required=True)


class LoanProductListSchema(_Response):
    loan_products = fields.List(fields.Nested(LoanProductSchema), required=True)


class DecisionSchema(_Response):
    id = fields.Integer(required=True)
    bank = fields.Nested(OrgRefSchema, required=True)
    borrower = fields.Nested(OrgRefSchema, required=True)
    loan_product = fields.Nested(OrgRefSchema, required=True, metadata={
        "description": "The loan product's id and name."})
    product = fields.Integer(allow_none=True, required=True)
    year = fields.Integer(required=True)
    principal = fields.String(required=True, metadata={"description": "Yuan, as text."})
    base_rate_bp = fields.Integer(required=True)
    cut_bp = fields.Integer(required=True)
    rate_bp = fields.Integer(required=True)
    interest_saved = fields.String(required=True, metadata={
        "description": "A year's interest on the principal the cut saves, yuan."})
    subsidy = fields.String(required=True)
    total_benefit = fields.String(required=True)
    explanation = fields.List(fields.String(), required=True, metadata={
        "description": "What was read and each rule's outcome, in the answer's language."})
    log_index = fields.Integer(required=True)
    priced_at = fields.String(required=True)


class DecisionListSchema(_Response):
    loan_decisions = fields.List(fields.Nested(DecisionSchema), required=True)
