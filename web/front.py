"""The WSGI layer in front of Flask: the public answers that need none of it.

Scans are the traffic that grows without bound, and nearly all of them are an anonymous
visitor's GET of a label whose page is kept (web.pagecache) and still true; verifiers fetch
the trust list and the signed checkpoint as often. None of these needs a request context,
a session, the hooks or a view: half the time Flask spent on a kept scan was its own
machinery. So ``Front`` answers them from the WSGI environ with what the views in
web/scan.py answer (the same body, 304 for an ETag the client holds, gzip or not, the same
headers: tests/test_front.py compares the two), and hands every other request to Flask
unchanged:

- ``GET /L/<b32>`` (or ``/l/``) whose page is kept and still true: the label's basis now
  (footprint.usecases.scanning.still: its state, place in the log, the trust list, the year)
  is the one the page was made on; a page not kept, too old or no longer true goes to
  Flask, which renders and keeps it;
- ``GET /.well-known/footprint/trust-list.json`` and ``GET /log/checkpoint`` (a checkpoint
  this platform can sign: one without an issuer key is Flask's 503);
- never a request with a query (``?lot=`` included), nor HEAD, nor one with a session or
  remember-me cookie (a logged-in visitor's page is their own, and Flask renews their
  session), nor one that arrives when this worker's background checks are due (the PACT
  outbox, the peers: web.pact, web.peers run them on a request), nor when the database
  cannot be read (Flask answers with its error page).

The language is the reader's by the rule every page uses (web.i18n.reader_language).
"""
from __future__ import annotations

import re
from pathlib import Path

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.utils import get_content_type

from footprint import clock
from footprint.labels.keys import published_trust_list
from footprint.usecases import scanning, transparency
from footprint.usecases.database import database_errors

from .db import app_db
from .i18n import reader_language
from .pact import outbox_check_due
from .pagecache import VARY, kept_answer, text_answer
from .peers import peers_check_due
from .scan import (MAX_B32, SCAN_CACHE_CONTROL, TRUST_LIST_MAX_AGE, kept_pages,
                   logged_in_cookies, page_key, public_headers)
from .security import CSP, protective_headers

SCAN_PATH = re.compile(r"/[Ll]/([^/]+)")  # the scan view's routes, /L/<b32> and /l/<b32>
TRUST_LIST_PATH = "/.well-known/footprint/trust-list.json"
CHECKPOINT_PATH = "/log/checkpoint"


class Front:
    """WSGI middleware: the answers above given here, the rest by ``wsgi_app`` (the app's own
    WSGI callable, inside any proxy fix, so that the scheme is the client's)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.home = Path(app.config["FOOTPRINT_HOME"])

    def __call__(self, environ, start_response):
        answer = self._answered(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answered(self, environ) -> tuple | None:
        path = environ.get("PATH_INFO", "")
        scan = SCAN_PATH.fullmatch(path)
        if scan is None and path not in (TRUST_LIST_PATH, CHECKPOINT_PATH) or \
                environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE"))
        if logged_in_cookies(self.app, cookies) or outbox_check_due(self.app) or \
                peers_check_due(self.app):
            return None
        try:
            if scan is not None:
                return self._scan(environ, scan.group(1), cookies)
            if path == TRUST_LIST_PATH:
                return _plain(environ, published_trust_list(self.home), "application/json",
                              public_headers(TRUST_LIST_MAX_AGE))
            current = transparency.checkpoint(app_db(self.app), self.home)
            if current.note is None:
                return None
            return _plain(environ, current.note, "text/plain", public_headers(0))
        except database_errors():
            return None

    def _scan(self, environ, b32: str, cookies) -> tuple | None:
        """A kept scan page, as web.pagecache.respond answers it, if still true."""
        if len(b32) > MAX_B32:
            return None
        language = reader_language(cookies.get("lang"), parse_accept_header(
            environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept))
        # PATH_INFO holds the path's bytes as latin-1 (PEP 3333): the label's text as Flask
        # reads it (a base32 label is ASCII; anything else is no kept page's key)
        b32 = b32.encode("latin-1").decode("utf-8", "replace")
        kept = kept_pages(self.app).get(page_key(b32, language, None))
        if kept is None or not kept.made_on(
                scanning.still(app_db(self.app), self.home, kept.subject, clock.now())):
            return None
        takes_gzip = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))["gzip"]
        answer = kept_answer(kept.page, environ.get("HTTP_IF_NONE_MATCH"), bool(takes_gzip))
        return _wsgi(answer, kept.page.mimetype, [("Cache-Control", SCAN_CACHE_CONTROL),
                                                  ("Vary", VARY), *_protective(environ)])


def _plain(environ, text: str, mimetype: str, public: list) -> tuple:
    """A text with its ETag, or 304 (web.pagecache.conditional), and its public headers."""
    return _wsgi(text_answer(text, environ.get("HTTP_IF_NONE_MATCH")), mimetype,
                 [*public, *_protective(environ)])


def _wsgi(answer: tuple, mimetype: str, headers: list) -> tuple:
    """web.pagecache's (status, body, own headers) as WSGI's status line, headers and bytes,
    with what Flask adds: the content's type (text in UTF-8) and length, none for a 304."""
    status, body, own = answer
    if status == 304:
        return "304 NOT MODIFIED", [*own, *headers], b""
    body = body.encode() if isinstance(body, str) else body
    return "200 OK", [("Content-Type", get_content_type(mimetype, "utf-8")),
                      ("Content-Length", str(len(body))), *own, *headers], body


def _protective(environ) -> list:
    """The headers every answer of the service carries (web.security)."""
    return [("Content-Security-Policy", CSP),
            *protective_headers(environ.get("wsgi.url_scheme") == "https")]


def init_app(app) -> None:
    """Put the front before the app's WSGI callable, before a proxy fix wraps it
    (web.security), so that it sees the client's scheme."""
    app.wsgi_app = Front(app, app.wsgi_app)
