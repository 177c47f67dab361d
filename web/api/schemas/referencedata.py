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


def _said(description: str) -> dict:
    return {"description": f"{description}, in English."}


def _said_zh(description: str) -> dict:
    return {"description": f"{description}, in Chinese (in English where the dataset's "
                           "manifest gives no Chinese)."}


class DatasetSchema(_Response):
    id = fields.String(required=True)
    title = fields.String(required=True, metadata=_said("What the dataset is"))
    title_zh = fields.String(required=True, metadata=_said_zh("What the dataset is"))
    publisher = fields.String(required=True, metadata=_said("Who published it"))
    publisher_zh = fields.String(required=True, metadata=_said_zh("Who published it"))
    version = fields.String(required=True, metadata={
        "description": 'The version calculations use now, e.g. "MEE-2023".'})
    year = fields.Raw(required=True, metadata={
        "description": "The year it was published: a number, or text saying why none is "
                       "given."})
    kind = fields.String(required=True, metadata={
        "description": "What it gives the engine: processes, electricity, method, "
                       "parameters, grading, flows, carbon_contents, background (an imported "
                       "LCI database); others from plugins."})
    factors = fields.Integer(required=True, metadata={
        "description": "How many of the registered factors cite it (0 for parameters, "
                       "grade bands and the like)."})
    plugin = fields.String(required=True, metadata={
        "description": "The plugin that registered it."})
    geography = fields.String(required=True, metadata=_said("The geography it covers"))
    geography_zh = fields.String(required=True, metadata=_said_zh("The geography it covers"))
    unit = fields.String(required=True, metadata=_said("The unit of its figures"))
    unit_zh = fields.String(required=True, metadata=_said_zh("The unit of its figures"))
    gas_scope = fields.String(required=True, metadata=_said("The greenhouse gases it covers"))
    gas_scope_zh = fields.String(required=True,
                                 metadata=_said_zh("The greenhouse gases it covers"))
    confidence = fields.String(required=True, metadata={
        "description": "How sure it is, beginning with high, medium or low, and how its "
                       "figures were read, in English."})
    confidence_zh = fields.String(required=True, metadata=_said_zh("The same"))
    licence = fields.String(required=True, metadata=_said("Its licence"))
    licence_zh = fields.String(required=True, metadata=_said_zh("Its licence"))
    source = fields.String(required=True, metadata={
        "description": "Its whole citation, as published (English)."})
    sha256 = fields.String(required=True, metadata={
        "description": "SHA-256 of its data file in this version."})


class DatasetsQuerySchema(StrictSchema):
    version = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "A data version a result or label names: its name (MEE-2022), or its "
                       "hash or the first 8 or more hex digits of it (a label signs 16). "
                       "Without it, the data version in effect. One this platform cannot "
                       "name is a 404."})


class DataVersionSchema(_Response):
    name = fields.String(required=True)
    published = fields.String(required=True, metadata={"description": "ISO date."})


class DatasetListSchema(_Response):
    data_version = fields.String(required=True, metadata={
        "description": 'The data version, e.g. "MEE-2023": the one calculations use now '
                       "unless ?version= named another; a result names the data version it "
                       "was calculated with."})
    current = fields.Boolean(required=True, metadata={
        "description": "Whether it is the data version calculations use now."})
    data_version_hash = fields.String(required=True, metadata={
        "description": "Its SHA-256 over every dataset's version and hash."})
    versions = fields.List(fields.Nested(DataVersionSchema), required=True, metadata={
        "description": "Every data version a calculation may name, oldest first."})
    datasets = fields.List(fields.Nested(DatasetSchema), required=True)
