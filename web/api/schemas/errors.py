"""The Error body of every 4xx and 5xx answer of the JSON API, each problem located."""
from __future__ import annotations

from marshmallow import fields

from .base import _Response


class ProblemSchema(_Response):
    where = fields.String(required=True, metadata={
        "description": 'Where the problem is: a JSON path in the body ("lines[0].unit"), a '
                       'query parameter, a header ("Idempotency-Key") or "body".'})
    place = fields.String(required=True, metadata={
        "description": "Where, as people say it, in the answer's language: "
                       '"第 1 行 · 计量单位" / "line 1 · unit"; a category '
                       "parameter by its own name."})
    message = fields.String(required=True, metadata={
        "description": "The problem in the answer's language: the language Accept-Language "
                       "asks for (zh or en), English when the request names none."})
    code = fields.String(required=True, metadata={
        "description": "The message's id, the same in every language: its English template, "
                       'e.g. "%(kind)s \"%(word)s\" unknown, did you mean \"%(guess)s\"?". '
                       "message is code, translated, with params filled in."})
    params = fields.Dict(required=True, metadata={
        "description": "The values in the message, by name (words in the answer's "
                       "language)."})


class ErrorSchema(_Response):
    error = fields.String(required=True, metadata={
        "description": "What went wrong, in the answer's language (as a problem's message)."})
    code = fields.String(required=True, metadata={
        "description": "The error's id, the same in every language: its English template "
                       '("invalid input", "not found", "the body is over the limit of '
                       '%(limit)s bytes (%(megabytes)s MB)").'})
    params = fields.Dict(required=True, metadata={
        "description": "The values in the error, by name."})
    problems = fields.List(fields.Nested(ProblemSchema), required=True, metadata={
        "description": "Every problem found, each located: the input's on 400, the body on "
                       "413, the Authorization header on 401; empty where the error is not "
                       "about a place in the request (403, 404, 409, 5xx)."})
