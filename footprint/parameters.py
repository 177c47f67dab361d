"""Category parameter schemas: the base class a category plugin derives its schema from, and
what a form, a listing or an error message needs to know of a schema.

A field's ``metadata`` says it for people, in both languages (docs/hooks.md):

    label_zh, label_en    its short name (含氮量 / N content): forms and error locations
    help_zh, help_en      what to enter, in a sentence
    unit                  its unit as a symbol (kg/ha); unit_zh, unit_en where it has words
                          (年 / years)
    choices               for a field with a OneOf validator: {value: (zh, en)}, each
                          choice's name; a BOM may give a choice by either name
    item_zh, item_en      for a list of entries: what one entry is (化肥 / fertiliser), so
                          the second reads 化肥 2 / fertiliser 2
"""
from __future__ import annotations

import math
import re

from marshmallow import RAISE, Schema
from marshmallow import fields as mfields
from marshmallow import validate

from .bom import AMOUNT_LIMIT
from .errors import Message, Problem, Text
from .schemacache import once_per_value
from .schemacache import schema as built
from .schemaerrors import as_message
from .text import name_key

PARAMETERS = Message("parameters")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[(\"[^\"]*\")\]")


class Number(mfields.Float):
    """A number as JSON writes one, as in BOM lines: a string such as "0.9", a boolean, NaN
    or infinity is refused with the field's "invalid" message, and one beyond a BOM's
    amounts (bom.MAX_AMOUNT either side of 0) with the limit. Every category's numbers are
    Numbers, so no category turns text into a number where another refuses it, nor takes
    a number no product has (1e308 kg of coke a tonne)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        try:
            number = float(value)
        except OverflowError:  # a JSON integer too large for a float: beyond the limit too
            return AMOUNT_LIMIT(value)
        if not math.isfinite(number):
            raise self.make_error("invalid")
        return AMOUNT_LIMIT(number)


class ParameterSchema(Schema):
    """Base of a category's parameter schema. Unknown names are refused, and the core's error
    for them suggests the nearest parameter of the schema (nested ones too), so a category
    needs no checking of its own."""

    class Meta:
        unknown = RAISE


def numbers_given_as_text(schema, data, path: str = "parameters") -> list[Problem]:
    """Every number field of ``schema`` (nested and listed ones too) that ``data`` gives as
    text, with the field's own "invalid" message: marshmallow's Float reads
    "0.9" as 0.9, so a plugin's schema built on plain fields would accept what every other
    category refuses. Number already refuses it (and says so itself)."""
    if not isinstance(data, dict):
        return []
    problems = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in data:
            continue
        problems += _text_for_number(field, data[key], f"{path}.{key}")
    return problems


@once_per_value
def numbers_given_as_text_in(schema_class, data) -> list[Problem]:
    """numbers_given_as_text of a schema class's instance, once per distinct ``data``."""
    return numbers_given_as_text(built(schema_class), data)


def _text_for_number(field, value, where: str) -> list[Problem]:
    if isinstance(field, mfields.Number):
        strict = isinstance(field, Number) or getattr(field, "strict", False)
        if not strict and isinstance(value, str):  # a bool marshmallow refuses itself
            return [Problem(where, as_message(field.error_messages["invalid"]))]
        return []
    if isinstance(field, mfields.List) and isinstance(value, list):
        return [p for i, item in enumerate(value)
                for p in _text_for_number(field.inner, item, f"{where}[{i}]")]
    nested = _nested(field) if isinstance(field, mfields.Nested) else None
    if nested is not None:
        return numbers_given_as_text(nested, value, where)
    return []


def _nested(field):
    nested = getattr(getattr(field, "inner", None), "nested", None) or \
        getattr(field, "nested", None)
    if nested is None:
        return None
    return nested() if isinstance(nested, type) else nested


def schema_fields(schema_class, parent: str):
    """Field names of the (possibly nested) parameter schema at ``parent``, e.g.
    "parameters.fertilisers[0]" -> the fields of one fertiliser."""
    schema = built(schema_class)
    for step in parent.split(".")[1:]:
        nested = _nested(schema.fields.get(step.partition("[")[0]))
        if nested is None:
            return schema.fields
        schema = nested
    return schema.fields


def label(field, name: str) -> Text:
    """A field's name for people: its label, else its help, else its name."""
    meta = field.metadata if field is not None else {}
    zh = meta.get("label_zh") or meta.get("help_zh") or name
    en = meta.get("label_en") or meta.get("help_en") or name
    return Text(zh, en)


def place_of(schema_class, where: str) -> tuple:
    """The steps of ``where`` ("parameters.fertilisers[0].n_pct") as people say them: the
    word "parameters", then each field's label, an entry of a list as its item name and
    number in place of the list's label (化肥 1 / fertiliser 1), else the list's label and
    "entry 1"; a name the schema does not know as it is."""
    steps: list = [PARAMETERS]
    schema, field = built(schema_class), None
    for match in _STEP.finditer(where[len("parameters"):]):
        name, index, quoted = match.groups()
        if index is not None:
            meta = field.metadata if field is not None else {}
            number = int(index) + 1
            if meta.get("item_zh") and meta.get("item_en"):  # 化肥 1 says the list too
                steps[-1] = Text(f"{meta['item_zh']} {number}", f"{meta['item_en']} {number}")
            else:
                steps.append(Message("entry %(number)s", number=number))
            continue
        name = name if name is not None else quoted
        field = schema.fields.get(name) if schema is not None else None
        steps.append(label(field, name) if field is not None else name)
        schema = _nested(field) if field is not None else None
    return tuple(steps)


@once_per_value  # every preview of a BOM being edited has the same parameters
def with_codes(schema_class, raw):
    """``raw`` parameters with each choice given by its Chinese or English name replaced by
    its value (湿润气候 -> wet_climate), in nested entries too; anything else unchanged."""
    if not isinstance(raw, dict):
        return raw
    schema, out = built(schema_class), dict(raw)
    for name, value in raw.items():
        field = schema.fields.get(name)
        if field is None:
            continue
        nested = _nested(field)
        if nested is not None and isinstance(value, list):
            out[name] = [with_codes(type(nested), v) for v in value]
        elif nested is not None:
            out[name] = with_codes(type(nested), value)
        elif isinstance(value, str):
            out[name] = _choice_names(field).get(name_key(value), value)
    return out


def _choice_names(field) -> dict[str, str]:
    names = {}
    for value, (zh, en) in (field.metadata.get("choices") or {}).items():
        names.setdefault(name_key(zh), value)
        names.setdefault(name_key(en), value)
    return names


def describe_parameters(category) -> list[dict]:
    """The category's parameters as plain data (name, label, type, unit, range, help texts,
    choices with their names, nested fields), from its marshmallow schema: what a form or a
    listing needs."""
    if category.parameters is None:
        return []
    return [_describe_field(name, f) for name, f in built(category.parameters).fields.items()]


def _describe_field(name, field) -> dict:
    names = label(field, name)
    out = {"name": name, "type": type(field).__name__, "required": field.required,
           **{k: v for k, v in field.metadata.items() if k != "choices"},
           "label_zh": names.zh, "label_en": names.en}
    if field.load_default is not None and not callable(field.load_default) and \
            field.load_default is not mfields.missing_:
        out["default"] = field.load_default
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            out["min"], out["max"] = validator.min, validator.max
        elif isinstance(validator, validate.OneOf):
            out["choices"] = list(validator.choices)
            named = field.metadata.get("choices") or {}
            out["options"] = [{"value": c, "label_zh": named.get(c, (c, c))[0],
                               "label_en": named.get(c, (c, c))[1]} for c in validator.choices]
    nested = _nested(field)
    if nested is not None:
        out["fields"] = [_describe_field(n, f) for n, f in nested.fields.items()]
    return out
