"""The Flask web service: producers submit, accounting bodies verify, reviewers approve.

    app = create_app()                        # FOOTPRINT_HOME from the environment
    app = create_app({"TESTING": True, "FOOTPRINT_HOME": tmp})

The factory never migrates the database: ``footprint db migrate`` (and ``footprint serve``,
which runs it first) do. A database that is behind refuses to serve.

Every ``<int:...>`` in a URL is a row id (``RowId``): 1 to 2^63 - 1 in ASCII digits, so any
other number is a 404 like an unknown id, never an overflow in SQLite. Every ``{{ ... }}`` of
every template shows invisible control characters as U+FFFD (footprint.text.visible): names
are refused with them now, but names signed into older labels, and other platforms' names,
are shown as they are stored.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from footprint import jsontext
from footprint.settings import footprint_home, secret_key
from footprint.text import visible

from . import (accounts, admin, api, auth, banks, db, formatting, front, i18n,
               oversight, pact, peers, producer, public, registry, reviewer, scan, security,
               submissions, supervision, tokens, verifier)

MAX_REQUEST_BYTES = 12 * 1024 * 1024  # evidence files up to 10 MB plus form overhead


def _up_to(limit: int) -> str:
    """A regular expression of the decimal numbers 1 to ``limit``, without leading zeros."""
    digits = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = [f"{digits[:i]}[{'1' if i == 0 else '0'}-{int(d) - 1}]"
                   f"[0-9]{{{len(digits) - i - 1}}}"
                   for i, d in enumerate(digits) if int(d) > (1 if i == 0 else 0)]
    return "(?:" + "|".join(shorter + same_length + [digits]) + ")"


class RowId(IntegerConverter):
    """``<int:...>``: a row id, 1 to 2^63 - 1 (SQLite's largest integer), in ASCII digits
    without leading zeros, as url_for writes it. Anything else does not match the route, so it
    answers 404 as an unknown id does, instead of an OverflowError when SQLite is asked for
    it. The bounds are in the regular expression, not only in to_python: werkzeug checks a
    route's methods before converting, so an id refused there would answer 405 to one method
    and 404 to another. ``minimum`` and ``maximum`` are what the OpenAPI document says."""

    minimum, maximum = 1, 2 ** 63 - 1
    regex = _up_to(maximum)  # and \d would take other scripts' digits ("١") as well

    def __init__(self, map, **kwargs):
        kwargs.setdefault("min", self.minimum)
        kwargs.setdefault("max", self.maximum)
        super().__init__(map, **kwargs)


class JSONAnswers(DefaultJSONProvider):
    """Flask's JSON through footprint.jsontext (orjson): an API answer about a submission
    carries its BOM and whole result, some 30 kB, and the standard library's encoder was a
    tenth of such a request. Keys stay sorted as Flask sorts them; text is UTF-8 rather than
    \\u escapes; dates, decimals and UUIDs are written as Flask writes them. Pretty-printed
    answers (debug mode) keep Flask's own encoder."""

    def dumps(self, obj, **kwargs) -> str:
        if "indent" in kwargs:
            return super().dumps(obj, **kwargs)
        return jsontext.dumps(obj, sort_keys=self.sort_keys,
                              default=kwargs.get("default", self.default))

    def loads(self, s, **kwargs):
        return jsontext.loads(s) if not kwargs else super().loads(s, **kwargs)


def _shown(value):
    """Jinja's finalize: what every ``{{ ... }}`` writes, before escaping."""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    return visible(value) if isinstance(value, str) else value


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json = JSONAnswers(app)
    app.url_map.converters["int"] = RowId  # before any blueprint adds its rules
    app.jinja_env.finalize = _shown
    config = dict(config or {})
    home = Path(config.get("FOOTPRINT_HOME") or footprint_home())
    home.mkdir(parents=True, exist_ok=True)
    app.config.update(
        FOOTPRINT_HOME=str(home),
        SECRET_KEY=secret_key(home),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("FOOTPRINT_INSECURE_COOKIES") != "1",
        REMEMBER_COOKIE_SECURE=os.environ.get("FOOTPRINT_INSECURE_COOKIES") != "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.config.update(config)

    db.init_app(app)
    i18n.init_app(app)
    front.init_app(app)  # before security's proxy fix wraps the app: see web/front.py
    security.init_app(app)
    formatting.init_app(app)
    for blueprint in (auth.bp, public.bp, producer.bp, submissions.bp, verifier.bp,
                      reviewer.bp, admin.bp, api.bp, scan.bp, pact.bp, peers.bp, registry.bp,
                      supervision.bp, oversight.bp, accounts.bp, banks.bp, tokens.bp):
        app.register_blueprint(blueprint)
    return app
