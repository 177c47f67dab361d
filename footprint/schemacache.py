"""One instance per marshmallow schema class (and options), made on first use.

Making a schema binds its fields and builds its nested schemas: done on every call it was a
quarter of a BOM preview's time. marshmallow keeps nothing of a load or a dump in the
instance, so one instance serves every call, in every thread.
"""
from __future__ import annotations

from functools import cache


@cache
def schema(schema_class, many: bool = False):
    """The shared instance of ``schema_class`` (treat it as read-only)."""
    return schema_class(many=many)
