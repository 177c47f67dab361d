"""One instance per marshmallow schema class (and options), made on first use, and loads of
the same JSON text done once.

Making a schema binds its fields and builds its nested schemas: done on every call it was a
quarter of a BOM preview's time. marshmallow keeps nothing of a load or a dump in the
instance, so one instance serves every call, in every thread. A category's parameters and
the lines its model makes are loaded again and again with the same values (every preview
while a producer edits the lines): ``load`` validates each distinct text once and hands out
a fresh copy each time.
"""
from __future__ import annotations

import json
from functools import cache, lru_cache, wraps

import orjson

# A value's key is its JSON text, keys sorted. orjson writes it ten times as fast as the
# standard library; what it would write as something else (a date, a dataclass, a str
# subclass) it refuses here, so such data is computed every time, as is NaN, which it
# would write as null.
_KEY = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


@cache
def schema(schema_class, many: bool = False):
    """The shared instance of ``schema_class`` (treat it as read-only)."""
    return schema_class(many=many)


def once_per_value(function):
    """``function(schema_class, data)`` computed once per distinct JSON value of ``data``
    (data that is not plain JSON is computed every time; an exception is raised every time,
    never kept), each caller getting lists and dicts of its own."""
    @lru_cache(maxsize=4096)
    def kept(schema_class, text: bytes):
        return function(schema_class, orjson.loads(text))

    @wraps(function)
    def once(schema_class, data):
        try:
            text = orjson.dumps(data, option=_KEY)
        except TypeError:
            return function(schema_class, data)
        if b"null" in text and _has_nan(data):
            return function(schema_class, data)
        return _fresh(kept(schema_class, text))
    return once


@once_per_value
def load(schema_class, data):
    """``schema(schema_class).load(data)``, once per distinct value (raises
    marshmallow.ValidationError as the schema does)."""
    return schema(schema_class).load(data)


def _has_nan(data) -> bool:
    try:
        json.dumps(data, allow_nan=False)
    except ValueError:
        return True
    return False


def _fresh(value):
    """A copy of a kept value whose lists and dicts the caller may change (what they hold
    besides is immutable: strings, numbers, None)."""
    if type(value) is dict:
        return {key: _fresh(item) if type(item) in _CONTAINERS else item
                for key, item in value.items()}
    if type(value) is list:
        return [_fresh(item) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = (dict, list)
