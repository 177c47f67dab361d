"""The JSON API's schemas of enterprise carbon accounts (web/api/accounts.py): the account as
its statement's body (docs/carbon-accounts.md, Statement) and a like-for-like reduction."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.schemafields import StrictSchema

from .base import MAX_INTEGER, _Response

YEAR = validate.Range(min=2000, max=9999)


class ReductionQuerySchema(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR, metadata={
        "description": "The year whose reduction is asked, e.g. 2026."})
    base_year = fields.Integer(validate=YEAR, metadata={
        "description": "The year compared with (before ``year``); default: the year before."})
    product_id = fields.Integer(validate=validate.Range(min=1, max=MAX_INTEGER), metadata={
        "description": "One product of the organisation; default: the whole account."})


class UsedFootprintSchema(_Response):
    submission = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "The label id."})
    year = fields.Integer(required=True, metadata={"description": "Its reference year."})


class ReductionSchema(_Response):
    year = fields.Integer(required=True)
    base_year = fields.Integer(required=True)
    intensity_before = fields.Float(required=True, metadata={
        "description": "kg CO2e per unit in base_year, under the current data version."})
    intensity_after = fields.Float(required=True, metadata={
        "description": "kg CO2e per unit in year, under the current data version."})
    like_for_like_pct = fields.Float(required=True, metadata={
        "description": "(before - after) / before x 100 under one data version; positive: "
                       "the intensity fell. What pricing uses."})
    as_verified_pct = fields.Float(required=True, metadata={
        "description": "The same from the footprints as their labels signed them, each "
                       "under the data version of its day."})
    as_verified_before = fields.Float(allow_none=True)
    as_verified_after = fields.Float(allow_none=True)
    data_version = fields.String(required=True, metadata={
        "description": "The current data version (SHA-256) both years were calculated "
                       "under."})
    data_version_name = fields.String(allow_none=True, metadata={"description": "e.g. MEE-2023"})
    footprints = fields.List(fields.Nested(UsedFootprintSchema), required=True)


class AccountDeclaredUnitSchema(_Response):
    amount = fields.Float(required=True)
    unit = fields.String(required=True)


class AccountFootprintSchema(_Response):
    submission = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    year = fields.Integer(required=True, metadata={"description": "The reference year."})
    label = fields.String(required=True)
    issued_at = fields.String(required=True)
    data_version = fields.String(required=True)
    data_version_name = fields.String(allow_none=True)
    kg_co2e = fields.Float(required=True, metadata={
        "description": "kg CO2e per declared_unit, as verified."})
    declared_unit = fields.Nested(AccountDeclaredUnitSchema, required=True)


class AccountProductionSchema(_Response):
    year = fields.Integer(required=True)
    amount = fields.Float(required=True)
    unit = fields.String(required=True)


class AccountProductSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_zh = fields.String(allow_none=True)
    category = fields.String(required=True)
    unit = fields.String(allow_none=True, metadata={
        "description": "The unit production and intensity are counted in."})
    footprints = fields.List(fields.Nested(AccountFootprintSchema), required=True)
    production = fields.List(fields.Nested(AccountProductionSchema), required=True)


class AccountYearSchema(_Response):
    year = fields.Integer(required=True)
    total_kg_co2e = fields.Float(allow_none=True, metadata={
        "description": "Sum of production x footprint, as verified."})
    intensity = fields.Float(allow_none=True, metadata={
        "description": "kg CO2e per unit produced, weighted by declared production."})
    intensity_current = fields.Float(allow_none=True, metadata={
        "description": "The same with every footprint under the current data version."})
    missing_production = fields.List(fields.Integer(), required=True)


class AccountRatingSchema(_Response):
    year = fields.Integer(required=True)
    colour = fields.String(required=True, validate=validate.OneOf(
        ["dark_green", "light_green", "yellow", "red"]))
    points = fields.Integer(required=True)
    advancement_points = fields.Integer(required=True)
    band_position = fields.Float(allow_none=True)
    history_points = fields.Integer(required=True)
    like_for_like_pct = fields.Float(allow_none=True)


class AccountOrganisationSchema(_Response):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AccountSchema(_Response):
    organisation = fields.Nested(AccountOrganisationSchema, required=True)
    data_version = fields.String(required=True)
    data_version_name = fields.String(allow_none=True)
    baseline_year = fields.Integer(allow_none=True)
    baseline_chosen = fields.Boolean(required=True)
    products = fields.List(fields.Nested(AccountProductSchema), required=True)
    years = fields.List(fields.Nested(AccountYearSchema), required=True)
    since_baseline = fields.Nested(ReductionSchema, allow_none=True)
    since_last_year = fields.Nested(ReductionSchema, allow_none=True)
    rating = fields.Nested(AccountRatingSchema, allow_none=True)
