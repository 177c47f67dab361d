"""Blueprint api.loans (/api/v1): banks' access to carbon accounts, loan products and
footprint-linked loan pricing (docs/loans.md).

    GET    /api/v1/consents                      a producer: every bank, with its access
    POST   /api/v1/consents/<bank_id>            a producer grants a bank access
    DELETE /api/v1/consents/<bank_id>            ... and revokes it
    GET    /api/v1/borrowers                     a bank: the organisations that consent
    GET    /api/v1/borrowers/<org_id>            one of them (404 without consent)
    GET    /api/v1/loan-products                 a bank's loan products
    POST   /api/v1/loan-products                 a new one: base rate and rules
    POST   /api/v1/loan-decisions                price a loan: signed and logged
    GET    /api/v1/loan-decisions                the bank's, or those about the producer
    GET    /api/v1/loan-decisions/<id>           one decision
    GET    /api/v1/loan-decisions/<id>/document  its signed document (COSE_Sign1)
    GET    /api/v1/loan-decisions/<id>/proof     its inclusion proof in the log

Every call needs a bearer token; the use cases decide who sees what (footprint.usecases
.consents and .loans): an organisation that does not consent is 404 for a bank.
"""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from footprint.errors import from_data
from footprint.schemacache import schema as built
from footprint.usecases import consents, loans

from ..db import get_db, get_engine
from ..labels import label_issuer
from ..problems import api_language, text
from .body import json_body, load, query
from .openapi import operation
from .schemas.loans import (BorrowerListSchema, BorrowerSchema, ConsentListSchema,
                            DecisionListSchema, DecisionSchema, LoanProductListSchema,
                            LoanProductRequestSchema, LoanProductSchema, PriceRequestSchema,
                            RecordProofSchema)
from .schemas.proofs import ProofQuerySchema

bp = Blueprint("loans", __name__)

BANK_ONLY = "Bank users only (403 for other roles)."
PRODUCER_ONLY = "Producers only (403 for other roles)."
DECISION_READERS = ("The bank that priced it and the borrower; anyone else gets 404. "
                    "A bank keeps its decisions after the borrower revokes its consent.")


# -- representations -------------------------------------------------------------------------

def _product(row: dict) -> dict:
    return {"id": row["id"], "name": row["name"], "base_rate_name": row["base_rate_name"],
            **row["terms"], "created_at": row["created_at"]}


def _decision(row: dict) -> dict:
    lang = api_language()
    return {**row, "bank": {"id": row["bank_org_id"], "name": row["bank_name"]},
            "borrower": {"id": row["borrower_org_id"], "name": row["borrower_name"]},
            "loan_product": {"id": row["loan_product_id"], "name": row["loan_product_name"]},
            "product": row["product_id"],
            "explanation": [text(from_data(m), lang) for m in row["explanation"]]}


def _json(schema_class, data, status: int = 200):
    response = jsonify(built(schema_class).dump(data))
    response.status_code = status
    return response


# -- consents --------------------------------------------------------------------------------

@bp.get("/consents")
@operation("Every bank, with the access this producer gave it", errors=(403,),
           responses={200: (ConsentListSchema, "The banks.")}, description=PRODUCER_ONLY)
def list_consents():
    return _consent_answer(consents.producer_org(g.api_user), 200)


def _consent_answer(org: int, status: int):
    return _json(ConsentListSchema, {"banks": [
        {"bank": {"id": b["id"], "name": b["name"]}, "granted_at": b["granted_at"]}
        for b in consents.banks(get_db(), org)]}, status)


@bp.post("/consents/<int:bank_id>")
@operation("Let a bank read this producer's carbon account", errors=(400, 403, 404, 409),
           responses={201: (ConsentListSchema, "Granted; every bank with its access.")},
           description=f"{PRODUCER_ONLY} 409 if the bank has access already; 400 if "
                       "bank_id is not a bank. An audit event is recorded.")
def grant_consent(bank_id):
    org = consents.producer_org(g.api_user)
    consents.grant(get_db(), org, bank_id, g.api_user["id"])
    return _consent_answer(org, 201)


@bp.delete("/consents/<int:bank_id>")
@operation("End a bank's access to this producer's carbon account",
           errors=(400, 403, 404, 409),
           responses={200: (ConsentListSchema, "Revoked; every bank with its access.")},
           description=f"{PRODUCER_ONLY} 409 if the bank has no access. The bank keeps the "
                       "loans it priced; it can no longer see the account or price new ones.")
def revoke_consent(bank_id):
    org = consents.producer_org(g.api_user)
    consents.revoke(get_db(), org, bank_id, g.api_user["id"])
    return _consent_answer(org, 200)


@bp.get("/borrowers")
@operation("The organisations that let this bank read their carbon account", errors=(403,),
           responses={200: (BorrowerListSchema, "The consenting organisations.")},
           description=BANK_ONLY)
def list_borrowers():
    return _json(BorrowerListSchema, {"borrowers": consents.consenting(
        get_db(), consents.bank_org(g.api_user))})


@bp.get("/borrowers/<int:org_id>")
@operation("A consenting organisation", errors=(403, 404),
           responses={200: (BorrowerSchema, "The organisation.")},
           description=f"{BANK_ONLY} 404 when the organisation does not consent to the bank.")
def get_borrower(org_id):
    return _json(BorrowerSchema, consents.consented_org(
        get_db(), consents.bank_org(g.api_user), org_id))


# -- loan products ---------------------------------------------------------------------------

@bp.get("/loan-products")
@operation("The bank's loan products", errors=(403,),
           responses={200: (LoanProductListSchema, "Oldest first.")}, description=BANK_ONLY)
def list_loan_products():
    rows = loans.products(get_db(), consents.bank_org(g.api_user, loans.KEEPS_PRODUCTS))
    return _json(LoanProductListSchema, {"loan_products": [_product(r) for r in rows]})


@bp.post("/loan-products")
@operation("Define a loan product: base rate and rules", body=LoanProductRequestSchema,
           errors=(403,), responses={201: (LoanProductSchema, "Created.")},
           description=f"{BANK_ONLY} Refused with every problem located (nothing stored): "
                       "overlapping or unordered bands, a step cut outside 30-65 bp, a "
                       "subsidy with both or neither of bp and yuan, cuts that add up to "
                       "more than the base rate, a name the bank already uses.")
def create_loan_product():
    bank = consents.bank_org(g.api_user, loans.KEEPS_PRODUCTS)
    data = load(LoanProductRequestSchema, json_body())
    made = loans.create_product(get_db(), bank, data["name"], data["base_rate_name"],
                                str(data["base_rate_pct"]), data["base_rate_date"],
                                data["rules"], g.api_user["id"])
    return _json(LoanProductSchema, _product(made), 201)


# -- decisions -------------------------------------------------------------------------------

@bp.post("/loan-decisions")
@operation("Price a loan for a consenting organisation", body=PriceRequestSchema,
           errors=(403, 404, 409), responses={201: (DecisionSchema, "Priced, signed and "
                                                                     "logged.")},
           description=f"{BANK_ONLY} The rate follows the borrower's like-for-like "
                       "reduction from the year before (both years under the current data "
                       "version; only verified, issued footprints count). 404: a borrower "
                       "that does not consent, a loan product of another bank, a product "
                       "not the borrower's. 400: a year without verified footprints. 409: "
                       "the platform has no key to sign with.")
def price_loan():
    user = g.api_user
    consents.bank_org(user, loans.PRICES)  # before the body is read
    data = load(PriceRequestSchema, json_body())
    decision = loans.price_for(get_db(), get_engine(), label_issuer(), user,
                               data["loan_product"], data["borrower"], str(data["principal"]),
                               data["year"], data.get("product"))
    return _json(DecisionSchema, _decision(decision), 201)


@bp.get("/loan-decisions")
@operation("The loans this bank priced, or those priced on this producer's account",
           errors=(403,), responses={200: (DecisionListSchema, "Newest first.")},
           description="Banks and producers.")
def list_decisions():
    rows = loans.decisions_for(get_db(), g.api_user)
    return _json(DecisionListSchema, {"loan_decisions": [_decision(r) for r in rows]})


@bp.get("/loan-decisions/<int:decision_id>")
@operation("A priced loan", errors=(404,), responses={200: (DecisionSchema, "The decision.")},
           description=DECISION_READERS)
def get_decision(decision_id):
    return _json(DecisionSchema, _decision(loans.decision_for(get_db(), g.api_user,
                                                              decision_id)))


@bp.get("/loan-decisions/<int:decision_id>/document")
@operation("The decision's signed document", errors=(404,),
           responses={200: (None, "COSE_Sign1 bytes of the loan-pricing document "
                                  "(docs/signed-documents.md, docs/loans.md).",
                            "application/cose")},
           description=DECISION_READERS)
def get_document(decision_id):
    return Response(loans.document_for(get_db(), g.api_user, decision_id),
                    mimetype="application/cose")


@bp.get("/loan-decisions/<int:decision_id>/proof")
@operation("Inclusion proof of the decision's record in the transparency log",
           query=ProofQuerySchema, errors=(400, 404),
           responses={200: (RecordProofSchema, "RFC 9162 inclusion proof; hashes in "
                                                "base64, with the record entry.")},
           description=f"{DECISION_READERS} leaf_hash is SHA-256(0x00 || the record entry); "
                       "the record entry holds the SHA-256 of the signed document. Give "
                       "tree_size (that of a signed checkpoint) to check against it.")
def get_proof(decision_id):
    wanted = query(ProofQuerySchema)
    return _json(RecordProofSchema, loans.proof_for(get_db(), g.api_user, decision_id,
                                                         wanted.get("tree_size")))
