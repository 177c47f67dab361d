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
from functools import cache, lru_cache


@cache
def schema(schema_class, many: bool = False):
    """The shared instance of ``schema_class`` (treat it as read-only)."""
    return schema_class(many=many)


def load(schema_class, data):
    """``schema(schema_class).load(data)``, done once per distinct JSON value (raises
    marshmallow.ValidationError as the schema does; data that is not plain JSON is loaded
    every time)."""
    try:
        text = json.dumps(data, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return schema(schema_class).load(data)
    return _fresh(_loaded(schema_class, text))


@lru_cache(maxsize=4096)
def _loaded(schema_class, text: str):
    return schema(schema_class).load(json.loads(text))


def _fresh(value):
    """A copy of a loaded value whose lists and dicts the caller may change."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value
