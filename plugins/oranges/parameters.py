"""The producer's terms for an orange orchard (per hectare and year), as marshmallow schemas.

Every field carries ``unit``, ``help_zh`` and ``help_en`` in its metadata (a form is generated
from them), and every error message repeats the help text, so a producer reading
``parameters.yield_kg_per_ha: must be greater than 0 ...`` knows what was asked.

Nutrient contents of fertiliser products default to the cited values in
``lca_data/oranges/fertiliser_products.csv`` (read through the manifest); products without a
cited default (compound fertiliser, ammonium bicarbonate, single superphosphate) need the
grade the producer bought.
"""
from __future__ import annotations

import math

from footprint import ParameterSchema
from marshmallow import ValidationError, fields, validate, validates_schema

from . import data

EF1_CHOICES = ("aggregated", "wet_climate")
EF4_CHOICES = ("wet_climate", "aggregated", "dry_climate")
GATES = ("farm_gate", "packhouse_gate")


def _help(unit: str, help_en: str, help_zh: str) -> str:
    return f"{help_en} ({help_zh}), in {unit}" if unit else f"{help_en} ({help_zh})"


class StrictFloat(fields.Float):
    """A JSON number only: a string such as "100", a boolean, NaN or infinity is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if not math.isfinite(float(value)):
            raise self.make_error("invalid")
        return float(value)


def number(unit: str, help_en: str, help_zh: str, *, minimum: float = 0.0,
           min_inclusive: bool = True, maximum: float | None = None, **kwargs) -> StrictFloat:
    """A number field whose metadata and error messages carry its unit and help text."""
    text = _help(unit, help_en, help_zh)
    low = ">=" if min_inclusive else ">"
    limits = f"{low} {minimum:g}" + (f" and <= {maximum:g}" if maximum is not None else "")
    return StrictFloat(
        validate=validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive,
                                error=f"must be {limits} (got {{input}}): {text}"),
        metadata={"unit": unit, "help_zh": help_zh, "help_en": help_en},
        error_messages={"required": f"required: {text}",
                        "invalid": f"must be a JSON number: {text}",
                        "null": f"must be a number, not null: {text}"},
        **kwargs)


def choice(choices, default: str, help_en: str, help_zh: str) -> fields.String:
    text = _help("", help_en, help_zh)
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices, error=f"must be one of {', '.join(choices)} "
                                               f"(got {{input}}): {text}"),
        metadata={"unit": "", "help_zh": help_zh, "help_en": help_en},
        error_messages={"invalid": f"must be a string: {text}"})


class FertiliserParameters(ParameterSchema):
    product = fields.String(
        required=True,
        validate=validate.OneOf(
            data.PRODUCT_IDS,
            error="must be one of " + ", ".join(data.PRODUCT_IDS) + " (got {input}): fertiliser "
                  "product (化肥品种); compound = 复合肥 with its stated N-P2O5-K2O grade"),
        metadata={"unit": "", "help_zh": "化肥品种", "help_en": "fertiliser product"},
        error_messages={"required": "required: fertiliser product (化肥品种), one of "
                                    + ", ".join(data.PRODUCT_IDS)})
    kg_per_ha = number("kg/ha", "product applied per hectare and year, as bought (not as N)",
                       "每公顷每年施用的商品量(实物量)", required=True)
    n_pct = number("%", "N content of the product; default for urea 46, DAP 18, MAP 11",
                   "产品含氮量(N)", maximum=100, load_default=None, allow_none=True)
    p2o5_pct = number("%", "P2O5 content of the product; default for DAP 46, MAP 52",
                      "产品含磷量(P2O5)", maximum=100, load_default=None, allow_none=True)
    k2o_pct = number("%", "K2O content of the product; default for KCl 60, K2SO4 50",
                     "产品含钾量(K2O)", maximum=100, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def grade_is_known(self, values, **kwargs):
        """A content the product lacks is refused; a content without a cited default must be
        stated (the model uses the stated content, else the cited default)."""
        product = data.products()[values["product"]]
        errors = {}
        for nutrient, key in data.NUTRIENT_FIELDS.items():
            default = product.contents[nutrient]
            given = values.get(key)
            if default == data.ABSENT and given not in (None, 0):
                errors[key] = [f"{product.name_en} carries no {nutrient}; leave {key} out"]
            elif default is None and given is None:
                errors[key] = [f"required for {product.name_en}: state its {nutrient} content "
                               f"in % ({product.content_source})"]
        stated = sum(values.get(k) or 0 for k in data.NUTRIENT_FIELDS.values())
        if stated > 100:
            errors["n_pct"] = [f"n_pct + p2o5_pct + k2o_pct = {stated:g} % exceeds 100 %"]
        if errors:
            raise ValidationError(errors)


class OrangeParameters(ParameterSchema):
    """An orange orchard's inputs per hectare and year, and the gate of the product."""

    yield_kg_per_ha = number("kg/ha", "marketable fruit harvested per hectare and year",
                             "每公顷年产量(商品果)", min_inclusive=False, maximum=200000,
                             required=True)
    fertilisers = fields.List(
        fields.Nested(FertiliserParameters), load_default=list,
        metadata={"unit": "", "help_zh": "化肥施用(每种产品一行)",
                  "help_en": "synthetic fertilisers applied, one entry per product"},
        error_messages={"invalid": "must be a list of fertiliser entries: synthetic fertilisers "
                                   "applied (化肥施用)"})
    manure_n_kg_per_ha = number("kg N/ha", "nitrogen in manure, compost or other organic "
                                "fertiliser applied per hectare and year",
                                "每公顷每年有机肥(粪肥、堆肥)带入的氮", load_default=0.0)
    herbicide_kg_ai_per_ha = number("kg a.i./ha", "herbicide active ingredient per hectare and "
                                    "year", "除草剂有效成分用量", load_default=0.0)
    insecticide_kg_ai_per_ha = number("kg a.i./ha", "insecticide (and acaricide) active "
                                      "ingredient per hectare and year", "杀虫(螨)剂有效成分用量",
                                      load_default=0.0)
    fungicide_kg_ai_per_ha = number("kg a.i./ha", "fungicide active ingredient per hectare and "
                                    "year", "杀菌剂有效成分用量", load_default=0.0)
    diesel_kg_per_ha = number("kg/ha", "diesel burned in orchard machinery and pumps per hectare "
                              "and year", "每公顷每年农机和水泵柴油用量", load_default=0.0)
    irrigation_kwh_per_ha = number("kWh/ha", "grid electricity for irrigation per hectare and "
                                   "year (the BOM's region and factor year apply)",
                                   "每公顷每年灌溉用电", load_default=0.0)
    ef1 = choice(EF1_CHOICES, "aggregated", "direct N2O factor EF1: aggregated 0.010 for all N, "
                 "or the wet-climate values 0.016 (synthetic N) and 0.006 (organic N)",
                 "直接排放因子EF1: 默认综合值或湿润气候分解值")
    ef4 = choice(EF4_CHOICES, "wet_climate", "N2O factor for volatilised N, EF4: wet climate "
                 "0.014 (default), aggregated 0.010 or dry climate 0.005",
                 "挥发氮的N2O排放因子EF4: 湿润(默认)、综合或干旱气候")
    gate = choice(GATES, "farm_gate", "where the declared kg of fruit is delivered: farm_gate, "
                  "or packhouse_gate (adds corrugated board and transport to the packhouse)",
                  "产品交付点: 果园门口或包装厂门口(计入纸箱和运往包装厂的运输)")
    corrugated_board_kg_per_kg = number("kg/kg fruit", "corrugated board per kg of packed fruit "
                                        "(packhouse_gate only)", "每千克装箱果品的瓦楞纸箱重量",
                                        maximum=1, load_default=None, allow_none=True)
    packhouse_distance_km = number("km", "road distance from the orchard to the packhouse "
                                   "(packhouse_gate only)", "果园到包装厂的公路距离",
                                   maximum=5000, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def packing_fits_the_gate(self, values, **kwargs):
        packed = values["gate"] == "packhouse_gate"
        errors = {}
        for key in ("corrugated_board_kg_per_kg", "packhouse_distance_km"):
            if packed and values.get(key) is None:
                errors[key] = [f"required when gate is packhouse_gate: "
                               f"{self.fields[key].metadata['help_en']}"]
            elif not packed and values.get(key) is not None:
                errors[key] = ["only for gate packhouse_gate (a farm-gate product has no "
                               "packaging or transport to the packhouse)"]
        if errors:
            raise ValidationError(errors)


def load(raw: dict) -> dict:
    """Validated parameters with defaults filled (raises marshmallow.ValidationError)."""
    return OrangeParameters().load(raw)
