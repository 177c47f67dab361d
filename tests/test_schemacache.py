"""Loads done once per distinct value (footprint.schemacache): the same answer as the schema's
own load, a copy of its own for each caller, and nothing kept that would answer another
value."""
from __future__ import annotations

import datetime
import math

import pytest
from marshmallow import Schema, ValidationError, fields

from footprint.schemacache import load


class Reading(Schema):
    amount = fields.Float(allow_none=True)
    unit = fields.String()
    items = fields.List(fields.Integer())
    on = fields.Raw()


def test_the_same_value_is_loaded_once_and_each_caller_gets_its_own_copy():
    first = load(Reading, {"amount": 2.5, "unit": "kg", "items": [1, 2]})
    first["items"].append(3)  # a caller changing its copy changes nobody else's
    again = load(Reading, {"unit": "kg", "items": [1, 2], "amount": 2.5})  # keys in any order
    assert again == {"amount": 2.5, "unit": "kg", "items": [1, 2]}
    assert again is not first


def test_nan_is_not_taken_for_null():
    # null is a valid amount (allow_none); NaN is refused by marshmallow's Float. Both spell
    # "null" in orjson's text: the NaN must still go through the schema and be refused.
    assert load(Reading, {"amount": None}) == {"amount": None}
    with pytest.raises(ValidationError) as raised:
        load(Reading, {"amount": math.nan})
    assert "amount" in raised.value.messages


def test_values_json_lacks_reach_the_schema_as_they_are():
    # a date is not JSON: it must reach the field itself, not as the text orjson would write
    day = datetime.date(2026, 12, 5)
    assert load(Reading, {"on": day}) == {"on": day}
    assert type(load(Reading, {"on": day})["on"]) is datetime.date


def test_one_and_true_and_one_point_zero_are_three_values():
    class Counted(Schema):
        n = fields.Raw()
    assert load(Counted, {"n": True})["n"] is True
    assert type(load(Counted, {"n": 1})["n"]) is int
    assert type(load(Counted, {"n": 1.0})["n"]) is float


def test_a_refusal_is_raised_every_time():
    for _ in range(2):
        with pytest.raises(ValidationError):
            load(Reading, {"items": ["x"]})
