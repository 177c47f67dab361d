"""The bill-of-materials format and its validation (marshmallow).

``parse_bom`` checks the shape of a BOM: fields, types, units, stages. Names that depend on
the installed plugins (inputs, regions, factor years) are checked by ``resolve.resolve_bom``.
Both report every problem at once, each naming the line and field.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from marshmallow import (RAISE, Schema, ValidationError, fields, post_load, validate,
                         validates_schema)

from . import text
from .errors import InvalidInput, Problem
from .gs1 import GTIN_LENGTHS, normalise_gtin
from .model import ELECTRICITY_BASES, STAGES
from .suggest import unknown
from .units import UNITS

BOUNDARIES = ("cradle_to_gate", "cradle_to_grave")
PRODUCT_PREFIX = "product:"


class StrictNumber(fields.Number):
    """A JSON number only: "100" (a string), true (a boolean), NaN and infinity are refused."""

    num_type = float

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(f"must be a number, not {json.dumps(value, ensure_ascii=False)}")
        try:
            number = float(value)  # a JSON integer too large for a float overflows here
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ValidationError("must be a finite number")
        return number


def _one_of(kind: str, choices):
    def check(value):
        if value not in choices:
            raise ValidationError(unknown(kind, value, choices))
    return check


def _choice(kind: str, choices, **kwargs) -> fields.String:
    """A string that must be one of ``choices``; a near miss gets "did you mean", and the
    OpenAPI document lists them (enum)."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["enum"] = list(choices)
    return fields.String(validate=_one_of(kind, choices), metadata=metadata, **kwargs)


class Name(fields.String):
    """Text people read (footprint.text): NFC-normalised, and refused with the character and
    its place when it holds an invisible control. The OpenAPI document carries the rule as a
    pattern, so the document admits exactly what is accepted."""

    lines = False  # names are one line; FreeText keeps line breaks and tabs

    def __init__(self, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.setdefault("pattern", text.TEXT_PATTERN if self.lines else text.NAME_PATTERN)
        rule = ("NFC-normalised; no invisible control characters (C0 and C1 controls other "
                "than line breaks and tabs, bidirectional controls), no unpaired surrogates"
                if self.lines else
                "NFC-normalised; no invisible control characters (C0 and C1 controls, "
                "bidirectional controls), no unpaired surrogates")
        metadata["description"] = " ".join(filter(None, (metadata.get("description"), rule)))
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return text.clean(value, self.lines)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class FreeText(Name):
    """Comments, notes and reasons: a Name that may have several lines."""

    lines = True


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


GTIN_PATTERN = "^(?:" + "|".join(f"[0-9]{{{n}}}" for n in GTIN_LENGTHS) + ")$"


class ProductSchema(StrictSchema):
    name = Name(required=True, validate=validate.Length(min=1, max=200))
    name_zh = Name(validate=validate.Length(max=200))
    id = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
                                                error="must be letters, digits, '.', '_' or '-'"))
    category = fields.String(load_default="generic", validate=validate.Length(min=1), metadata={
        "description": "A category id of GET /api/v1/categories."})
    # GS1 trade item number; stored as GTIN-14. The pattern is checked first (so the document
    # can say it), the check digit after it.
    gtin = fields.String(validate=validate.Regexp(GTIN_PATTERN, error="a GTIN has 8, 12, 13 "
                                                                      "or 14 digits"),
                         metadata={"description": "GTIN-8, -12, -13 or -14 with its GS1 check "
                                                  "digit; answered as the GTIN-14."})

    @post_load
    def gtin_14(self, data, **kwargs):
        if "gtin" in data:
            try:
                data["gtin"] = normalise_gtin(data["gtin"])
            except ValueError as exc:
                raise ValidationError(str(exc), "gtin") from None
        return data


FINITE = "A finite JSON number."


class DeclaredUnitSchema(StrictSchema):
    # apispec writes min_inclusive=False as a bare minimum: exclusiveMinimum says it
    amount = StrictNumber(required=True, validate=validate.Range(min=0, min_inclusive=False),
                          metadata={"exclusiveMinimum": True,
                                    "description": f"{FINITE} More than 0."})
    unit = _choice("unit", UNITS, required=True)


class LineSchema(StrictSchema):
    input = fields.String(validate=validate.Length(min=1), metadata={
        "description": "An input of the installed plugins (electricity, diesel, ...), or "
                       "product:<id> for a sub-assembly. Exactly one of input or emission."})
    emission = fields.String(validate=validate.Length(min=1), metadata={
        "description": "A flow emitted directly (CO2_fossil, CH4_fossil, N2O, ...)."})
    amount = StrictNumber(required=True, validate=validate.Range(min=0),
                          metadata={"description": FINITE})
    unit = _choice("unit", UNITS, required=True, metadata={
        "description": "Of the dimension the input or emission is measured in."})
    stage = _choice("stage", STAGES, required=True)
    region = fields.String(validate=validate.Length(min=1), metadata={
        "description": "Electricity only: a region code of GET /api/v1/regions."})
    year = fields.Integer(strict=True, metadata={
        "description": "Electricity only: a data year published for the region."})
    basis = _choice("electricity basis", ELECTRICITY_BASES, metadata={
        "description": "Electricity only."})
    note = FreeText(validate=validate.Length(max=500))

    # What a field alone cannot say: exactly one of input and emission (one_kind below).
    json_schema = {"oneOf": [{"required": ["input"]}, {"required": ["emission"]}]}

    # Checked on the line as written, and even when other fields of the line are wrong, so
    # that a line with neither (or both) is reported together with its other problems.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def one_kind(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return  # "Invalid input type." is reported already
        if ("input" in original_data) == ("emission" in original_data):
            raise ValidationError('give exactly one of "input" or "emission"', "input")


# A BOM as the OpenAPI document shows it: 100 kWh of Sichuan's grid and 3 kg of diesel.
EXAMPLE = {"product": {"name": "Gear blank machining", "name_zh": "齿轮毛坯机加工",
                       "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN-SC",
           "factor_year": 2022,
           "lines": [{"input": "electricity", "amount": 100, "unit": "kWh",
                      "stage": "production", "note": "metered, March"},
                     {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"}]}


class BomSchema(StrictSchema):
    product = fields.Nested(ProductSchema, required=True)
    declared_unit = fields.Nested(DeclaredUnitSchema, required=True)
    region = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "A region code of GET /api/v1/regions, e.g. CN-SC."})
    factor_year = fields.Integer(strict=True, load_default=None, metadata={
        "description": "The data year of electricity factors; default: the latest "
                       "published for each region."})
    electricity_basis = _choice("electricity basis", ELECTRICITY_BASES, load_default="location")
    system_boundary = _choice("system boundary", BOUNDARIES, load_default="cradle_to_gate")
    # Category parameters in the producer's terms; the category's plugin models them as lines.
    parameters = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "The category's parameters (GET /api/v1/categories), checked by the "
                       "category's own schema."})
    lines = fields.List(fields.Nested(LineSchema), load_default=list)

    # What a field alone cannot say: at least one line or a parameter
    # (something_to_calculate below); and a BOM to start from (docs/bom.md).
    json_schema = {"example": EXAMPLE, "anyOf": [
        {"required": ["lines"], "properties": {"lines": {"minItems": 1}}},
        {"required": ["parameters"],
         "properties": {"parameters": {"type": "object", "minProperties": 1}}}]}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def something_to_calculate(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return
        lines, parameters = original_data.get("lines"), original_data.get("parameters")
        if not isinstance(lines, list) and lines is not None:
            return  # "Not a valid list." is reported already
        if not lines and not parameters:
            raise ValidationError("a BOM needs at least one line or category parameters",
                                  "lines")

    @post_load
    def build(self, data, **kwargs):
        return data


@dataclass(frozen=True)
class Line:
    index: int  # position in "lines", from 0
    amount: float
    unit: str
    stage: str
    input: str | None = None
    emission: str | None = None
    region: str | None = None
    year: int | None = None
    basis: str | None = None
    note: str | None = None
    model: str | None = None  # the category plugin that generated this line from parameters

    @property
    def where(self) -> str:
        return f"lines[{self.index}]" if self.model is None else f"parameters (line {self.index + 1})"

    @property
    def product_ref(self) -> str | None:
        if self.input and self.input.startswith(PRODUCT_PREFIX):
            return self.input[len(PRODUCT_PREFIX):]
        return None


@dataclass(frozen=True)
class Bom:
    product: dict
    declared_unit: dict
    region: str
    factor_year: int | None
    electricity_basis: str
    system_boundary: str
    lines: tuple[Line, ...]
    canonical: dict  # the validated BOM with defaults filled in, for hashing and storage
    origin: str = ""  # where it was read from (a file path), for messages and sub-assemblies
    parameters: dict | None = None

    @property
    def boundary_stages(self) -> tuple[str, ...]:
        return STAGES if self.system_boundary == "cradle_to_grave" else STAGES[:4]


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _child(path: str, key) -> str:
    """JSON path of ``key`` under ``path``; a key that is not a plain name is quoted
    (``["a.b"]``), so an odd unknown field cannot pass for another place (``lines[0]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _bom_fields(parent: str):
    """Field names valid under ``parent`` in a BOM, for 'did you mean' on unknown fields."""
    schemas = {"": BomSchema, "product": ProductSchema, "declared_unit": DeclaredUnitSchema}
    schema = LineSchema if parent.startswith("lines[") else schemas.get(parent, BomSchema)
    return schema().fields


def flatten_errors(messages, path="", fields_under=_bom_fields, key=None,
                   parent="") -> list[Problem]:
    """marshmallow's nested error dict -> a flat list of located problems; marshmallow's bare
    'Unknown field.' becomes a message with the nearest of ``fields_under(parent path)``."""
    problems = []
    if isinstance(messages, dict):
        for k, value in messages.items():
            if k == "_schema":
                problems += flatten_errors(value, path, fields_under, key, parent)
            else:
                problems += flatten_errors(value, _child(path, k), fields_under, k, path)
    elif isinstance(messages, list):
        for message in messages:
            problems += flatten_errors(message, path, fields_under, key, parent)
    else:
        message = str(messages)
        if message == "Unknown field." and isinstance(key, str):
            message = unknown("field", key, fields_under(parent))
        problems.append(Problem(path or "(top level)", message))
    return problems


def parse_bom(data, origin: str = "") -> Bom:
    """Validate the shape of a BOM (a decoded JSON object) and return it typed."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem("(top level)", "a BOM must be a JSON object")], origin)
    try:
        loaded = BomSchema().load(data)
    except ValidationError as exc:
        raise InvalidInput(flatten_errors(exc.messages), origin) from None
    lines = tuple(Line(index=i, **line) for i, line in enumerate(loaded["lines"]))
    return Bom(loaded["product"], loaded["declared_unit"], loaded["region"], loaded["factor_year"],
               loaded["electricity_basis"], loaded["system_boundary"], lines, loaded, origin,
               loaded["parameters"])


def model_lines(bom: Bom, line_dicts: list, model: str) -> Bom:
    """``bom`` with lines generated by a category model appended (validated like any line).

    A generated line that fails validation is the model's bug, not the producer's: the
    problems are raised as ValueError for the caller to report against the plugin.
    """
    try:
        loaded = LineSchema(many=True).load(line_dicts)
    except ValidationError as exc:
        raise ValueError("; ".join(str(p) for p in flatten_errors(exc.messages, "lines"))) from None
    start = len(bom.lines)
    added = tuple(Line(index=start + i, model=model, **line) for i, line in enumerate(loaded))
    return dataclasses.replace(bom, lines=bom.lines + added)


def read_bom_file(path: str | Path) -> Bom:
    """Read and validate a BOM file; JSON syntax errors name the file's line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a leading byte-order mark is fine
    except FileNotFoundError:
        raise InvalidInput([Problem("(file)", f"no such file: {path}")], str(path)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem("(file)", f"not UTF-8 text: {exc}")], str(path)) from None
    except OSError as exc:  # a directory, no permission, ...
        raise InvalidInput([Problem("(file)", f"cannot read {path}: {exc.strerror or exc}")],
                           str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(f"line {exc.lineno}, column {exc.colno} of the file",
                                    f"invalid JSON: {exc.msg}")], str(path)) from None
    except RecursionError:
        raise InvalidInput([Problem("(file)", "JSON nested too deeply")], str(path)) from None
    return parse_bom(data, origin=str(path))
