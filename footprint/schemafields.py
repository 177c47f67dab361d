"""The strict marshmallow fields the platform's schemas share (the BOM's, the API's, category
parameters'): JSON numbers and booleans only, choices read by their names too with "did you
mean", text people read checked as footprint.text says, bounds said with their numbers, and a
schema that refuses fields it does not know. Each carries its rule into the OpenAPI document,
so the document admits exactly what is accepted.
"""
from __future__ import annotations

import json
import math

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from . import text
from .errors import Figure, Message
from .suggest import unknown


class Limit(validate.Range):
    """An amount's bound, said with the value and the limit as people read numbers
    ("1 × 10³⁰⁸ exceeds the limit of 1,000,000,000"); the OpenAPI document reads it as the
    field's minimum and maximum, as any Range. With ``positive``, a number not above 0 is
    told that first (marshmallow's own words), not that it is below a tiny limit."""

    def __init__(self, min=None, max=None, positive: bool = False):  # noqa: A002 (Range's)
        super().__init__(min=min, max=max)
        self.positive = positive

    def __call__(self, value):
        if self.positive and value <= 0:
            raise ValidationError(Message("Must be greater than %(min)s.", min=Figure(0)))
        if self.max is not None and value > self.max:
            raise ValidationError(Message("%(value)s exceeds the limit of %(limit)s",
                                          value=Figure(value), limit=Figure(self.max)))
        if self.min is not None and value < self.min:
            raise ValidationError(Message("%(value)s is below the limit of %(limit)s",
                                          value=Figure(value), limit=Figure(self.min)))
        return value


class StrictNumber(fields.Number):
    """A JSON number only: "100" (a string), true (a boolean), NaN and infinity are refused."""

    num_type = float

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(Message("must be a number, not %(value)s",
                                          value=json.dumps(value, ensure_ascii=False)))
        try:
            number = float(value)  # a JSON integer too large for a float overflows here
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ValidationError(Message("must be a finite number"))
        return number


class StrictBoolean(fields.Boolean):
    """A JSON boolean only: "true", 1 and "是" are refused, as strings for numbers are."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(Message("must be true or false, not %(value)s",
                                          value=json.dumps(value, ensure_ascii=False)))
        return value


class Choice(fields.String):
    """A string that must be one of ``choices``, or one of their ``names`` (read as the code
    it names); a near miss gets "did you mean", ranked first among ``prefer(the object being
    read)`` (the units of an electricity line's dimension), and the OpenAPI document lists
    every accepted spelling (enum), so it admits exactly what is accepted."""

    def __init__(self, kind: Message, choices, names=None, prefer=None, named=None, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        self.kind, self.choices, self.names = kind, tuple(choices), dict(names or {})
        self.prefer, self.named = prefer, named  # named: as a near miss suggests a choice
        metadata["enum"] = [*self.choices, *self.names]
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value in self.choices:
            return value
        if value in self.names:
            return self.names[value]
        prefer = self.prefer(data) if self.prefer and isinstance(data, dict) else ()
        raise ValidationError(unknown(self.kind, value, self.choices, prefer,
                                      named=self.named))


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
            raise ValidationError(exc.args[0]) from None


class FreeText(Name):
    """Comments, notes and reasons: a Name that may have several lines."""

    lines = True


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
