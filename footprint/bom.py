"""The bill-of-materials format and its validation (marshmallow).

``parse_bom`` checks the shape of a BOM: fields, types, units, stages. Names that depend on
the installed plugins (inputs, regions, factor years) are checked by ``resolve.resolve_bom``.
Both report every problem at once, each naming the line and field; with ``keep_going`` the
shape's problems wait in the Bom for ``resolve_bom``, which checks the lines whose shape is
fine and reports everything in one round.

Units and stages may be written as the pages show them: in Chinese (千瓦时, 生产) or, for
stages, in English words (raw materials); the BOM keeps the codes (kWh, production).
marshmallow's own messages ("Missing data for required field.") become Messages too, so
every problem of a BOM can be read in Chinese.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from . import clock
from .errors import InvalidInput, Message, Named, Problem
from .schemacache import load, schema
from .schemaerrors import flatten_errors, json_reason, not_utf8
from .schemafields import (Choice, FreeText, Limit, Name, StrictBoolean, StrictNumber,
                           StrictSchema)
from .gs1 import GTIN_LENGTHS, check_lot, normalise_gtin
from .model import ELECTRICITY_BASES, STAGES
from .settings import electricity_basis as default_electricity_basis
from .sheets import at_file_position
from .suggest import unknown
from .units import UNIT_NAMES, UNITS, of_dimension

BOUNDARIES = ("cradle_to_gate", "cradle_to_grave")
PRODUCT_PREFIX = "product:"
PACT_PREFIX = "pact:"  # a supplier's PACT v3 footprint the producer imported: pact:<its id>
LABEL_PREFIX = "label:"  # a supplier's carbon label: label:<label id or base32>, or its URL
ELECTRICITY = "electricity"  # the input measured in energy, with a region, year and basis

# The stages as the pages name them (web/vocabulary.py, and in Chinese vocabulary.po; a test
# holds the two together): a BOM written from what a page shows is read as the codes.
STAGE_NAMES = {
    "原材料获取": "raw_materials", "生产": "production", "分销": "distribution",
    "包装": "packaging", "废弃处置": "end_of_life",
    "raw materials": "raw_materials", "end of life": "end_of_life",
}
# Each stage as a problem suggests it: by the name the reader may write (生产, raw materials).
NAMED_STAGES = {code: Named(code, next(n for n, c in STAGE_NAMES.items() if c == code),
                            code.replace("_", " ")) for code in STAGES}


# The most of any unit an amount may give per declared unit, and the least a declared unit
# may be. Generous on purpose: a billion kWh, kg or tkm for one declared unit is beyond any
# real product (a large power plant makes some 1e10 kWh a year), so a larger number is a
# slip or a probe. Without a bound, 1e308 kWh was accepted and stored: its footprint
# (1.404e307 kg) left the Monte Carlo's draws no room (P5-P95 overflowed to nothing) and
# its page 7,483 px wide. With it, a line (1e9 of its unit, 1e15 kWh for GWh, times a
# factor of some 1e4 kg CO2e at most) stays twenty powers of ten below the float32 the
# Monte Carlo draws in (3.4e38), and a declared amount of at least 1e-9 keeps a
# sub-assembly's share of a line from growing without end (docs/bom.md).
MAX_AMOUNT = 1e9
MIN_DECLARED_AMOUNT = 1e-9
AMOUNT_LIMIT = Limit(min=-MAX_AMOUNT, max=MAX_AMOUNT)  # a category parameter may be negative


def _line_dimension(line: dict) -> list[str]:
    """Units to suggest first on a line: energy for electricity, mass for an emission."""
    if line.get("input") == ELECTRICITY:
        return of_dimension("energy")
    return of_dimension("mass") if "emission" in line else []


def _lot(value: str) -> None:
    try:
        check_lot(value)
    except ValueError as exc:
        raise ValidationError(exc.args[0]) from None


GTIN_PATTERN = "^(?:" + "|".join(f"[0-9]{{{n}}}" for n in GTIN_LENGTHS) + ")$"


class ProductSchema(StrictSchema):
    name = Name(required=True, validate=validate.Length(min=1, max=200))
    name_zh = Name(validate=validate.Length(max=200))
    id = fields.String(validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        error=Message("must be letters, digits, '.', '_' or '-'")))
    category = fields.String(load_default="generic", validate=validate.Length(min=1), metadata={
        "description": "A category id of GET /api/v1/categories."})
    # GS1 trade item number; stored as GTIN-14. The pattern is checked first (so the document
    # can say it), the check digit after it.
    gtin = fields.String(validate=validate.Regexp(GTIN_PATTERN, error=Message(
                             "a GTIN has 8, 12, 13 or 14 digits")),
                         metadata={"description": "GTIN-8, -12, -13 or -14 with its GS1 check "
                                                  "digit; answered as the GTIN-14."})
    # the batch or lot this submission covers (GS1 AI 10): a Digital Link naming it
    # (/01/<gtin>/10/<lot>) resolves to the label issued for it
    lot = fields.String(validate=_lot, metadata={
        "description": "The batch or lot number the submission covers (GS1 AI 10): 1 to 20 "
                       "characters of GS1's character set 82 (letters, digits and "
                       "!\"%&'()*+,-./:;<=>?_). /01/<gtin>/10/<lot> resolves to the label "
                       "issued for that lot."})

    @post_load
    def gtin_14(self, data, **kwargs):
        if "gtin" in data:
            try:
                data["gtin"] = normalise_gtin(data["gtin"])
            except ValueError as exc:
                raise ValidationError(exc.args[0], "gtin") from None
        return data


FINITE = "A finite JSON number."


class DeclaredUnitSchema(StrictSchema):
    amount = StrictNumber(required=True, validate=Limit(
        min=MIN_DECLARED_AMOUNT, max=MAX_AMOUNT, positive=True), metadata={
            "description": f"{FINITE} From {MIN_DECLARED_AMOUNT:g} to {MAX_AMOUNT:g} of its "
                           "unit (docs/bom.md)."})
    unit = Choice(Message("unit"), UNITS, UNIT_NAMES, required=True)


# Electricity factors are published for past years, the newest for last year or the year
# before (China's MEE grid factors begin with 2021's data); 1990, the base year of the
# national inventories, lies before any a plugin could bring. A year outside the range is a
# typing mistake, said at the year itself rather than as a missing factor of a line.
FIRST_FACTOR_YEAR = 1990
FACTOR_YEARS = f"from {FIRST_FACTOR_YEAR} to next year"


def _factor_year(value: int) -> None:
    """A data year of electricity factors: one that has been, or next year's."""
    last = clock.now().year + 1
    if not FIRST_FACTOR_YEAR <= value <= last:
        raise ValidationError(Message(
            "the data year of the factors must be from %(first)s to %(last)s",
            first=FIRST_FACTOR_YEAR, last=last))


class LineSchema(StrictSchema):
    input = fields.String(validate=validate.Length(min=1), metadata={
        "description": "An input of the installed plugins (electricity, diesel, ...), or "
                       "product:<id> for a sub-assembly, or label:<label id> (or the "
                       "label's QR URL) for a supplier's carbon label, or pact:<footprint id> "
                       "for a supplier's PACT v3 footprint the producer imported. Exactly one "
                       "of input or emission."})
    emission = fields.String(validate=validate.Length(min=1), metadata={
        "description": "A flow emitted directly (CO2_fossil, CH4_fossil, N2O, ...)."})
    amount = StrictNumber(required=True, validate=[validate.Range(min=0),
                                                   Limit(max=MAX_AMOUNT)], metadata={
        "description": f"{FINITE} Per declared unit, from 0 to {MAX_AMOUNT:g} of its unit "
                       "(docs/bom.md)."})
    unit = Choice(Message("unit"), UNITS, UNIT_NAMES, _line_dimension, required=True, metadata={
        "description": "Of the dimension the input or emission is measured in; a symbol "
                       "(kWh) or its Chinese name (千瓦时), stored as the symbol."})
    stage = Choice(Message("stage"), STAGES, STAGE_NAMES, named=NAMED_STAGES, required=True,
                   metadata={
        "description": "A stage code, or its name as the pages show it (生产, raw "
                       "materials), stored as the code."})
    region = fields.String(validate=validate.Length(min=1), metadata={
        "description": "Electricity only: a region of GET /api/v1/regions, by its code or "
                       "its name (四川, 四川省, Sichuan), stored as the code."})
    year = fields.Integer(strict=True, validate=_factor_year, metadata={
        "description": f"Electricity only: a data year published for the region "
                       f"({FACTOR_YEARS})."})
    basis = Choice(Message("electricity basis"), ELECTRICITY_BASES, metadata={
        "description": "Electricity only."})
    note = FreeText(validate=validate.Length(max=500))
    primary = StrictBoolean(metadata={
        "description": "The amount was measured by the producer (primary data); its evidence "
                       "is attached to the submission. Rated as primary data in the result's "
                       "data quality (docs/data-quality.md)."})

    # What a field alone cannot say: exactly one of input and emission (one_kind below).
    json_schema = {"oneOf": [{"required": ["input"]}, {"required": ["emission"]}]}

    # Checked on the line as written, and even when other fields of the line are wrong, so
    # that a line with neither (or both) is reported together with its other problems.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def one_kind(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return  # "Invalid input type." is reported already
        if ("input" in original_data) == ("emission" in original_data):
            raise ValidationError(Message('give exactly one of "input" or "emission"'), "input")


# A BOM as the OpenAPI document shows it: 100 kWh of Sichuan's grid and 3 kg of diesel.
EXAMPLE = {"product": {"name": "Gear blank machining", "name_zh": "齿轮毛坯机加工",
                       "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN-SC",
           "factor_year": 2022,
           "lines": [{"input": "electricity", "amount": 100, "unit": "kWh",
                      "stage": "production", "note": "metered, March"},
                     {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"}]}


FIRST_REFERENCE_YEAR = 2000


def _reference_year(value: int) -> None:
    """A footprint describes a year that has been or is about to be (next year's plan)."""
    last = clock.now().year + 1
    if not FIRST_REFERENCE_YEAR <= value <= last:
        raise ValidationError(Message(
            "the reference year must be from %(first)s to %(last)s",
            first=FIRST_REFERENCE_YEAR, last=last))


class BomSchema(StrictSchema):
    product = fields.Nested(ProductSchema, required=True)
    declared_unit = fields.Nested(DeclaredUnitSchema, required=True)
    region = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "A region of GET /api/v1/regions, by its code (CN-SC) or its name "
                       "(四川, 四川省, Sichuan), stored as the code."})
    factor_year = fields.Integer(strict=True, load_default=None, validate=_factor_year,
                                 metadata={
        "description": f"The data year of electricity factors ({FACTOR_YEARS}); default: "
                       "the latest published for each region."})
    # no default: a BOM without one keeps the canonical form (and hash) it always had; the
    # carbon account reads the year the submission was made instead
    reference_year = fields.Integer(strict=True, validate=_reference_year, metadata={
        "description": "The year whose production the footprint describes (the carbon "
                       "account files it under this year); from 2000 to next year. Default: "
                       "the year the submission is made."})
    # none named: the platform's default, written into the canonical BOM as used
    electricity_basis = Choice(Message("electricity basis"), ELECTRICITY_BASES,
                               load_default=default_electricity_basis)
    system_boundary = Choice(Message("system boundary"), BOUNDARIES,
                             load_default="cradle_to_gate")
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
            raise ValidationError(Message("a BOM needs at least one line or category "
                                          "parameters"), "lines")

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
    note_zh: str | None = None  # a modelled line's note in Chinese, from its plugin
    primary: bool = False  # measured by the producer (footprint.dataquality)

    @property
    def where(self) -> str:
        return f"lines[{self.index}]" if self.model is None else f"parameters (line {self.index + 1})"

    @property
    def product_ref(self) -> str | None:
        if self.input and self.input.startswith(PRODUCT_PREFIX):
            return self.input[len(PRODUCT_PREFIX):]
        return None

    @property
    def label_ref(self) -> str | None:
        """A supplier's label this line uses: the id or base32 after "label:", or the label's
        QR URL (HTTPS://host/L/<base32>) as written."""
        if not self.input:
            return None
        if self.input[:len(LABEL_PREFIX)].lower() == LABEL_PREFIX:
            return self.input[len(LABEL_PREFIX):].strip()
        if self.input[:len(PACT_PREFIX)].lower() == PACT_PREFIX:  # a supplier's PACT footprint
            return PACT_PREFIX + self.input[len(PACT_PREFIX):].strip().lower()
        if re.match(r"https?://[^/\s]+(/[^/\s]+)*?/L/", self.input, re.IGNORECASE):
            return self.input.strip()
        return None


@dataclass(frozen=True)
class Bom:
    """A validated BOM. One read with ``keep_going`` may carry the ``problems`` of its shape:
    then it holds only what is valid (the fields that are, None for those that are not, and
    the lines whose shape is fine, with their own indexes), for ``resolve_bom`` to check the
    rest and report everything together; nothing else may use such a Bom."""

    product: dict | None
    declared_unit: dict | None
    region: str | None
    factor_year: int | None
    electricity_basis: str | None
    system_boundary: str | None
    lines: tuple[Line, ...]
    canonical: dict  # the validated BOM with defaults filled in, for hashing and storage
    origin: str = ""  # where it was read from (a file path), for messages and sub-assemblies
    parameters: dict | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def boundary_stages(self) -> tuple[str, ...]:
        return STAGES if self.system_boundary == "cradle_to_grave" else STAGES[:4]


def _bom_fields(parent: str):
    """Field names valid under ``parent`` in a BOM, for 'did you mean' on unknown fields."""
    schemas = {"": BomSchema, "product": ProductSchema, "declared_unit": DeclaredUnitSchema}
    chosen = LineSchema if parent.startswith("lines[") else schemas.get(parent, BomSchema)
    return schema(chosen).fields


def parse_bom(data, origin: str = "", keep_going: bool = False) -> Bom:
    """Validate the shape of a BOM (a decoded JSON object) and return it typed. With
    ``keep_going``, a BOM whose shape is wrong is returned with its problems and its valid
    parts (see Bom) instead of raising, for ``resolve_bom`` to report in one round."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem("(top level)", Message("a BOM must be a JSON object"))],
                           origin)
    try:
        loaded = schema(BomSchema).load(data)
    except ValidationError as exc:
        problems = flatten_errors(exc.messages, "", _bom_fields)
        if not keep_going:
            raise InvalidInput(problems, origin) from None
        return _valid_parts(data, exc, problems, origin)
    lines = tuple(Line(index=i, **line) for i, line in enumerate(loaded["lines"]))
    return Bom(loaded["product"], loaded["declared_unit"], loaded["region"], loaded["factor_year"],
               loaded["electricity_basis"], loaded["system_boundary"], lines, loaded, origin,
               loaded["parameters"])


def _valid_parts(data: dict, exc: ValidationError, problems, origin: str) -> Bom:
    """What of ``data`` is valid, with the shape's ``problems``: the fields without errors
    and each line without errors, read again alone."""
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}

    def field(name):
        return None if name in errors else valid.get(name)

    lines = []
    raw = data.get("lines")
    line_errors = errors.get("lines")
    if isinstance(raw, list) and (line_errors is None or isinstance(line_errors, dict)):
        for index, line in enumerate(raw):
            if index not in (line_errors or {}):
                lines.append(Line(index=index, **schema(LineSchema).load(line)))
    parameters = field("parameters")
    return Bom(field("product"), field("declared_unit"), field("region"), field("factor_year"),
               field("electricity_basis"), field("system_boundary"), tuple(lines), {}, origin,
               parameters, tuple(problems))


def model_lines(bom: Bom, line_dicts: list, model: str) -> Bom:
    """``bom`` with lines generated by a category model appended (validated like any line;
    a line may carry its note in Chinese too, ``note_zh``).

    A generated line that fails validation is the model's bug, not the producer's: the
    problems are raised as ValueError for the caller to report against the plugin.
    """
    notes_zh, plain = [], []
    for line in line_dicts:
        line = dict(line) if isinstance(line, dict) else line
        notes_zh.append(line.pop("note_zh", None) if isinstance(line, dict) else None)
        plain.append(line)
    try:
        loaded = _modelled(plain)
        notes_zh = [None if n is None else _note_zh(n) if isinstance(n, str) else
                    _NOTE.deserialize(n) for n in notes_zh]
    except ValidationError as exc:
        problems = flatten_errors(exc.messages, "lines", _bom_fields)
        raise ValueError("; ".join(str(p) for p in problems)) from None
    start = len(bom.lines)
    added = tuple(Line(index=start + i, model=model, note_zh=zh, **line)
                  for i, (line, zh) in enumerate(zip(loaded, notes_zh)))
    return dataclasses.replace(bom, lines=bom.lines + added)


_NOTE = LineSchema().fields["note"]  # a modelled line's Chinese note is held to the same rule


@lru_cache(maxsize=4096)  # a model writes the same notes for every BOM it models
def _note_zh(note: str) -> str:
    return _NOTE.deserialize(note)


def _modelled(plain: list) -> list[dict]:
    """Generated lines validated as LineSchema would, each distinct line once (a model makes
    the same lines again and again; validating them was a fifth of a preview). On a problem
    the lines go through the schema as a whole, whose errors name each line's index."""
    try:
        return [load(LineSchema, line) for line in plain]
    except ValidationError:
        return schema(LineSchema, many=True).load(plain)


def file_bytes(path: Path) -> bytes:
    """The bytes of a BOM file; a file that cannot be read at all is an InvalidInput naming
    it (BOM files of every format, footprint.bomfiles, are read through here)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([Problem("(file)", Message("no such file: %(path)s", path=str(path)))],
                           str(path)) from None
    except OSError as exc:  # a directory, no permission, ...
        raise InvalidInput([Problem("(file)", Message("cannot read %(path)s: %(reason)s",
                                                      path=str(path),
                                                      reason=exc.strerror or str(exc)))],
                           str(path)) from None


def read_bom_file(path: str | Path, keep_going: bool = False) -> Bom:
    """Read and validate a BOM file; JSON syntax errors name the file's line and column.
    ``keep_going`` as for parse_bom."""
    path = Path(path)
    try:
        text = file_bytes(path).decode("utf-8-sig")  # -sig: a leading byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem("(file)", not_utf8(exc))], str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(at_file_position(exc.lineno, exc.colno),
                                    Message("invalid JSON: %(reason)s",
                                            reason=json_reason(exc.msg)))],
                           str(path)) from None
    except RecursionError:
        raise InvalidInput([Problem("(file)", Message("JSON nested too deeply"))],
                           str(path)) from None
    return parse_bom(data, origin=str(path), keep_going=keep_going)
