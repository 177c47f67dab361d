"""marshmallow's and the JSON parser's own messages read as Messages, so a reader of Chinese
reads them in Chinese.

marshmallow says its fields' and validators' defaults in English ("Missing data for required
field.", "Must be greater than or equal to 0."); ``as_message`` turns such a text back into
the Message with the same English, its values as parameters, which the web's catalogue
translates (缺少必填项。). Messages the core and plugins give marshmallow stay themselves.
The bounds in them are Figures, said as people read numbers: marshmallow writes a float's
repr ("须在 0.01 至 10000000000000.0 之间"), a page says 10,000,000,000,000.

``json_reason`` does the same for why Python's JSON parser refused a text ("Expecting
property name enclosed in double quotes" -> 缺少用双引号括起的字段名), so a Chinese sentence
about a malformed body or file does not carry an English reason in it; ``not_utf8`` says
where a file that is not UTF-8 text stops being it, instead of Python's "'utf-8' codec can't
decode byte 0xc4 in position 13".

``flatten_errors`` turns a schema's nested errors into problems located by their JSON path
(``lines[0].unit``), each message read so, an unknown field with "did you mean" among the
schema's own: the BOM's, a category's parameters', an API request's.
"""
from __future__ import annotations

import json
import re

from .errors import Figure, Message, Problem, Text
from .suggest import unknown

# marshmallow's own messages (its fields' and validators' defaults), as Messages with the same
# English: most specific first, so "greater than or equal to 0" is not read as "greater than".
_MARSHMALLOW = (
    Message("Missing data for required field."),
    Message("Field may not be null."),
    Message("Invalid value."),
    Message("Not a valid number."),
    Message("Not a valid integer."),
    Message("Not a valid string."),
    Message("Not a valid list."),
    Message("Not a valid mapping type."),
    Message("Not a valid boolean."),
    Message("Not a valid URL."),
    Message("Not a valid email address."),
    Message("Not a valid tuple."),
    Message("Not a valid datetime."),
    Message("Not a valid date."),
    Message("Not a valid UUID."),
    Message("Number too large."),
    Message("Special numeric values (nan or infinity) are not permitted."),
    Message("Invalid input type."),
    Message("Invalid type."),
    Message("Invalid input."),
    Message("String does not match expected pattern."),
    Message("Must be one of: %(choices)s."),
    Message("Must be equal to %(other)s."),
    Message("Length must be between %(min)s and %(max)s."),
    Message("Length must be %(equal)s."),
    Message("Longer than maximum length %(max)s."),
    Message("Shorter than minimum length %(min)s."),
    Message("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    Message("Must be greater than or equal to %(min)s and less than %(max)s."),
    Message("Must be greater than %(min)s and less than or equal to %(max)s."),
    Message("Must be greater than %(min)s and less than %(max)s."),
    Message("Must be greater than or equal to %(min)s."),
    Message("Must be greater than %(min)s."),
    Message("Must be less than or equal to %(max)s."),
    Message("Must be less than %(max)s."),
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern:
    parts, end = [], 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        parts += [re.escape(template[end:match.start()]),
                  f"(?P<{name}>.+)" if name == "choices" else f"(?P<{name}>\\S+)"]
        end = match.end()
    return re.compile("".join(parts) + re.escape(template[end:]) + "$")


_MARSHMALLOW_PATTERNS = [(m.id, _pattern(m.id)) for m in _MARSHMALLOW]
_BOUNDS = ("min", "max", "equal")  # the parameters that are numbers when a Range says them
_NUMBER = re.compile(r"^-?(\d+)(\.\d+)?(e[-+]?\d+)?$", re.IGNORECASE)


def _bound(name: str, value: str):
    """A bound of marshmallow's message as a Figure ("10000000000000.0" -> 10,000,000,000,000);
    a length's bound is one too, anything else stays text."""
    found = _NUMBER.match(value) if name in _BOUNDS else None
    if found is None:
        return value
    return Figure(int(value) if not (found.group(2) or found.group(3)) else float(value))


def as_message(text) -> str:
    """A message from a schema as a Message: itself if it is one, marshmallow's own with its
    values as parameters, else the text as it is."""
    if isinstance(text, Message):
        return text
    for template, pattern in _MARSHMALLOW_PATTERNS:
        match = pattern.match(str(text))
        if match:
            return Message(template, **{name: _bound(name, value)
                                        for name, value in match.groupdict().items()})
    return str(text)


# Python's JSON parser's reasons (json.decoder's C scanner), as Messages with the same English.
_JSON_REASONS = {m.id: m for m in (
    Message("Expecting value"),
    Message("Expecting property name enclosed in double quotes"),
    Message("Expecting ':' delimiter"),
    Message("Expecting ',' delimiter"),
    Message("Unterminated string starting at"),
    Message("Invalid control character at"),
    Message("Invalid \\escape"),
    Message("Invalid \\uXXXX escape"),
    Message("Extra data"),
    Message("Illegal trailing comma before end of object"),
    Message("Illegal trailing comma before end of array"),
)}
# the pure-Python parser names the character: "Invalid control character '\\n' at"
_JSON_REASON_STARTS = (("Invalid control character ", "Invalid control character at"),
                       ("Invalid \\escape: ", "Invalid \\escape"))
UNREADABLE_JSON = "语法错误"  # "syntax error": for a reason this module does not know


def json_reason(reason: str):
    """Why the JSON parser refused a text (JSONDecodeError.msg), as a Message that a reader
    of Chinese reads in Chinese; a reason of another Python is its English, 语法错误 in
    Chinese."""
    if reason in _JSON_REASONS:
        return _JSON_REASONS[reason]
    for start, known in _JSON_REASON_STARTS:
        if reason.startswith(start):
            return _JSON_REASONS[known]
    return Text(UNREADABLE_JSON, reason)


def not_utf8(error: UnicodeDecodeError) -> Message:
    """Why a file is not UTF-8 text: the first byte that is not (counted from 1, as a reader
    counts) and its value, which a hex editor finds."""
    return Message("not UTF-8 text: byte %(byte)s (0x%(value)s) does not belong in UTF-8; "
                   "save the file as UTF-8", byte=error.start + 1,
                   value=f"{error.object[error.start]:02x}")


# -- a schema's errors as located problems -------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _child(path: str, key) -> str:
    """JSON path of ``key`` under ``path``; a key that is not a plain name is quoted
    (``["a.b"]``), so an odd unknown field cannot pass for another place (``lines[0]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def flatten_errors(messages, path: str, fields_under, key=None, parent="") -> list[Problem]:
    """marshmallow's nested error dict -> a flat list of located problems (under ``path``, ""
    for the top level); marshmallow's bare 'Unknown field.' becomes a message with the
    nearest of ``fields_under(parent path)``."""
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
        message = as_message(messages)
        if message == "Unknown field." and isinstance(key, str):
            message = unknown(Message("field"), key, fields_under(parent))
        problems.append(Problem(path or "(top level)", message))
    return problems
