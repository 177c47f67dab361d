"""Blueprint api.accounts (/api/v1): enterprise carbon accounts (docs/carbon-accounts.md).

    GET /api/v1/accounts/<org_id>                          the account (the statement's body)
    GET /api/v1/accounts/<org_id>/reduction?year=Y[&base_year=B][&product_id=P]

A bearer token is needed; an account its user may not read is 404, as if it did not exist.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from footprint.schemacache import schema as built
from footprint.usecases import accountstatement, carbonaccounts, reductions

from ..db import get_db, get_engine
from .body import query
from .openapi import operation
from .schemas.accounts import AccountSchema, ReductionQuerySchema, ReductionSchema

bp = Blueprint("accounts", __name__)

READERS = ("Readable by the organisation's own users, the platform's reviewers and "
           "administrators, and regulators; anyone else gets 404.")


@bp.get("/accounts/<int:org_id>")
@operation("An organisation's carbon account", errors=(404,),
           responses={200: (AccountSchema, "Its verified footprints per product and "
                                           "year, declared production, annual figures, "
                                           "reductions and rating.")},
           description=f"{READERS} Only footprints with an issued label that is not revoked "
                       "count; like_for_like_pct compares both years under the current data "
                       "version (docs/carbon-accounts.md).")
def get_account(org_id):
    account = carbonaccounts.account_for(get_db(), get_engine(), g.api_user, org_id)
    return jsonify(built(AccountSchema).dump(accountstatement.body(account)))


@bp.get("/accounts/<int:org_id>/reduction")
@operation("A like-for-like reduction of the account or one of its products",
           query=ReductionQuerySchema, errors=(400, 404),
           responses={200: (ReductionSchema, "Both years under the current data version, "
                                             "and as verified then.")},
           description=f"{READERS} 400 when either year has no verified footprints (located "
                       "at year or base_year) or base_year is not before year.")
def get_reduction(org_id):
    db, engine = get_db(), get_engine()
    carbonaccounts.check_readable(db, g.api_user, org_id)
    wanted = query(ReductionQuerySchema)
    found = reductions.reduction(db, engine, org_id, wanted["year"],
                                 product_id=wanted.get("product_id"),
                                 base_year=wanted.get("base_year"))
    return jsonify(built(ReductionSchema).dump(accountstatement.reduction_body(found)))
