"""JSON text where only the values matter: what the store keeps and what the service answers.

orjson writes a full result (about 28 kB) in 0.012 ms where the standard library takes
0.18 ms, and reads it back three times as fast; a submission's answer and its stored result
each wrote one. Numbers may be spelt differently from the standard
library's (5e-05 is 0.00005 here): the same values.

The one JSON whose spelling matters, the canonical JSON a reproducibility hash is taken of
(footprint.engine.result), is spelt as the standard library spells it, with which every
stored hash was made: ``canonical``. orjson writes those bytes too, twelve times as fast,
except for numbers of magnitude 1e-9 to 1e-4 (0.00005 and 1e-6 where the standard library
writes 5e-05 and 1e-06), which are spelt again, and NaN and infinities, which it writes as
null (a result never holds them: its stored JSON, written by orjson, could not hold them
either). tests/test_jsontext.py holds the two spellings equal.
"""
from __future__ import annotations

import json
import re

import orjson

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(value, *, sort_keys: bool = False, default=None) -> str:
    """``default`` turns what JSON lacks into what it has; given, it decides dates and
    times too (orjson would write them in ISO 8601 itself)."""
    options = _OPTIONS | (orjson.OPT_SORT_KEYS if sort_keys else 0) | \
        (orjson.OPT_PASSTHROUGH_DATETIME if default is not None else 0)
    return orjson.dumps(value, default=default, option=options).decode()


def loads(text: str | bytes):
    return orjson.loads(text)


# A number orjson spells otherwise than the standard library, as a whole value (after a key,
# in a list) in orjson's compact text.
_RESPELT = re.compile(rb"-?(?:0\.0000[0-9]+|[0-9](?:\.[0-9]+)?e-[0-9])(?=[,\]}])")
_NUMBER_CHARACTERS = frozenset(b"-0123456789.e")
_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def canonical(value) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    if not isinstance(value, (dict, list)):
        return _standard(value)  # a number alone, or text: nothing to gain
    try:
        text = orjson.dumps(value, option=_CANONICAL)
    except TypeError:  # what orjson will not write (a str subclass, a huge int): as before
        return _standard(value)
    found = sorted(_respelt(text))
    if not found:
        return text.decode()
    if b"\\" in text:  # an escaped quote would make the count of quotes below lie
        return _standard(value)
    parts, at = [], 0
    for start, end in found:
        if text.count(b'"', 0, start) % 2:
            continue  # inside a string: text, not a number
        parts += [text[at:start], repr(float(text[start:end])).encode()]
        at = end
    return b"".join([*parts, text[at:]]).decode()


def _respelt(text: bytes) -> set[tuple[int, int]]:
    """(start, end) of each number of ``text`` orjson spells otherwise: found from the few
    places "0.0000" or "e-" occur (a search for the numbers over the whole text would take
    as long as the standard library's writing)."""
    found = set()
    for needle in (b"0.0000", b"e-"):
        at = text.find(needle)
        while at != -1:
            start = at
            while start and text[start - 1] in _NUMBER_CHARACTERS:
                start -= 1
            match = _RESPELT.match(text, start) if start and text[start - 1] in b":,[" else None
            if match:
                found.add(match.span())
            at = text.find(needle, at + len(needle))
    return found


def _standard(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
