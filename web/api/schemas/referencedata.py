"""The reference data a BOM names, in the JSON API (web/api/submissions.py): regions,
product categories with their grading, and emission factors with their sources."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.model import ELECTRICITY_BASES
from footprint.schemafields import StrictSchema

from .base import _Response


class FactorsQuerySchema(StrictSchema):
    region = fields.String(metadata={"description": "Only this region code, e.g. CN-SC."})
    year = fields.Integer(metadata={"description": "Only this data year, e.g. 2022."})
    basis = fields.String(validate=validate.OneOf(ELECTRICITY_BASES),
                          metadata={"description": "Only this accounting basis."})


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
    unit_zh = fields.String(required=True, metadata={
        "description": "the unit in Chinese (the English unit where the plugin gives none)"})
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
