"""Category parameter schemas: the base class a category plugin derives its schema from, and
what a form, a listing or an error message needs to know of a schema.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema
from marshmallow import fields as mfields
from marshmallow import validate


class ParameterSchema(Schema):
    """Base of a category's parameter schema. Unknown names are refused, and the core's error
    for them suggests the nearest parameter of the schema (nested ones too), so a category
    needs no checking of its own."""

    class Meta:
        unknown = RAISE


def schema_fields(schema_class, parent: str):
    """Field names of the (possibly nested) parameter schema at ``parent``, e.g.
    "parameters.fertilisers[0]" -> the fields of one fertiliser."""
    schema = schema_class()
    for step in parent.split(".")[1:]:
        name = step.partition("[")[0]
        field = schema.fields.get(name)
        nested = getattr(getattr(field, "inner", None), "nested", None) or \
            getattr(field, "nested", None)
        if nested is None:
            return schema.fields
        schema = nested() if isinstance(nested, type) else nested
    return schema.fields


def describe_parameters(category) -> list[dict]:
    """The category's parameters as plain data (name, type, unit, range, help texts, nested
    fields), from its marshmallow schema: what a form or a listing needs."""
    if category.parameters is None:
        return []
    return [_describe_field(name, f) for name, f in category.parameters().fields.items()]


def _describe_field(name, field) -> dict:
    out = {"name": name, "type": type(field).__name__, "required": field.required,
           **{k: v for k, v in field.metadata.items()}}
    if field.load_default is not None and not callable(field.load_default) and \
            field.load_default is not mfields.missing_:
        out["default"] = field.load_default
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            out["min"], out["max"] = validator.min, validator.max
        elif isinstance(validator, validate.OneOf):
            out["choices"] = list(validator.choices)
    inner = getattr(field, "inner", None) or getattr(field, "value_field", None)
    nested = getattr(inner, "nested", None) or getattr(field, "nested", None)
    if nested is not None:
        schema = nested() if isinstance(nested, type) else nested
        out["fields"] = [_describe_field(n, f) for n, f in schema.fields.items()]
    return out
