"""Sessions, CSRF, security headers, roles, and how errors become HTTP answers.

Every error answers in one shape: on the API (and to clients that ask for JSON) ``{"error":
..., "code": ..., "params": {...}, "problems": [...]}`` (the error's message, its id and
parameters, and every problem located, each with its own message, id and parameters:
web.problems; the API speaks the Accept-Language's language, English to a client that names
none), on pages error.html in the reader's language, with the status that says what happened
(docs/api.md):

    InvalidInput 400, Forbidden 403, NotFound 404, Conflict 409, and werkzeug's own (405 with
    its Allow header, 413 ...)
    the disk is full (SQLITE_FULL, an I/O error with no space left, ENOSPC)      507
    the database is locked by another writer beyond the busy timeout             503, Retry-After
    the database cannot be used otherwise (corrupt, read-only, cannot open)      503, Retry-After
    anything unexpected                                                          500

and the same on PostgreSQL (docs/postgresql.md) by SQLSTATE: disk_full 507; serialization
failure, deadlock, lock not available 503 busy; the server gone or refusing 503.

Faults are logged with their traceback; the answer never carries one. A fault of the database
answers for the request that met it only: a GET that merely reads still works while writes
fail for lack of space (web.db keeps the WAL's index open for that).
"""
from __future__ import annotations

import errno
import os
import sqlite3
import sys
from functools import wraps

from flask import (Flask, abort, current_app, g, jsonify, render_template, request)
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from footprint import Conflict, Forbidden, InvalidInput, NotFound

from footprint.usecases.database import database_errors
from footprint.usecases.security import session_user
from footprint.usecases.users import active_user

from .db import get_db
from .i18n import N_, localised
from .problems import api_language, as_json, language, message_json, text

csrf = CSRFProtect()
login_manager = LoginManager()

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class User(UserMixin, dict):
    """The logged-in user: the users row, with the organisation's name and kind. A mapping,
    as the core reads users; attributes for Flask-Login and the templates. A web session's
    user carries the session's token: the session cookie holds it (``get_id``), and the
    server ends it on logout or a new password."""

    def __init__(self, row: dict, session_token: str | None = None):
        super().__init__(row)
        self.id = row["id"]
        self.session_token = session_token

    def get_id(self) -> str:
        return self.session_token

    @property
    def role(self) -> str:
        return self["role"]


def load_user_row(db, user_id) -> dict | None:
    return active_user(db, user_id)


@login_manager.user_loader
def _load_user(session_token):
    """The user of a session the server has not ended (a cookie from before a logout, a new
    password or a deactivation opens nothing)."""
    row = session_user(get_db(), session_token)
    return User(row, session_token) if row else None


def client_address() -> str | None:
    """The client's address, as the last trusted proxy saw it (FOOTPRINT_PROXIES)."""
    return request.remote_addr


def role_required(*roles):
    """Only these roles reach the view (others get 403; anonymous users go to log in)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# The statuses werkzeug raises, as said on a page and in the API's "error".
HTTP_MESSAGES = {400: N_("bad request"), 403: N_("not allowed"), 404: N_("not found"),
                 405: N_("method not allowed"), 413: N_("request too large")}


def _json_language() -> str:
    """The API speaks as its client asks (English by default); JSON for a page, as the page."""
    return api_language() if request.path.startswith("/api/") else language()


def error_answer(status: int, message: str, problems=None, headers=None, advice=(),
                 code: str | None = None):
    """The one error answer: JSON {"error", "code", "params", "problems"} or error.html;
    ``advice`` are further sentences a page shows (translated there), ``headers`` go on
    either. ``message`` is an English id (N_) or a core Message, said in the reader's
    language; ``code`` names it where ``message`` is a sentence already said (a fault's)."""
    if wants_json():
        lang = _json_language()
        body = {"error": text(message, lang), **message_json(message, lang),
                "problems": [as_json(p, lang) for p in problems or ()]}
        if code is not None:
            body["code"] = code
        response = jsonify(body)
    else:
        response = current_app.response_class(
            _error_page(status, text(message), localised(problems), advice),
            mimetype="text/html")
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _error_page(status: int, message: str, problems, advice) -> str:
    """error.html; if the page itself cannot be drawn (the layout asks the database who is
    logged in, and the database is the fault), drawn again for nobody, and at worst as plain
    HTML, so that a fault never becomes a bare 500."""
    context = {"status": status, "message": message, "problems": problems, "advice": advice}
    try:
        return render_template("error.html", **context)
    except Exception:
        current_app.logger.exception("the error page could not be drawn for status %s", status)
    try:
        g._login_user = AnonymousUserMixin()  # Flask-Login's per-request user: nobody
        return render_template("error.html", **context)
    except Exception:
        current_app.logger.exception("the error page could not be drawn for anyone")
    return f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(message)}</p>"


# A form posted without its page's CSRF token, or with one past its time: the page was open
# too long, or the session it was made for ended (a log-in or log-out in another window).
FORM_EXPIRED = N_("This form has expired or was opened elsewhere")
FORM_EXPIRED_ADVICE = (N_("Nothing was done: the page was open too long, or you logged in or "
                          "out in another window since."),
                       N_("Go back, reload the page and try again."))


def _form_expired(exc: CSRFError):
    return error_answer(400, FORM_EXPIRED, advice=FORM_EXPIRED_ADVICE)


def _http_error(exc: HTTPException):
    """werkzeug's errors in the one shape, keeping the headers they carry (Allow on 405)."""
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    message = HTTP_MESSAGES.get(exc.code) or (exc.name or "error").lower()
    return error_answer(exc.code or 500, message, headers=headers)


# -- faults ------------------------------------------------------------------------------------

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL = 5, 6, 10, 13
BUSY_RETRY_AFTER = 2  # seconds: another writer holds the lock past the 5 s busy timeout
UNAVAILABLE_RETRY_AFTER = 30  # an operator has to look (corrupt, read-only, cannot open)
FULL_RETRY_AFTER = 300  # an operator has to free space
LOW_SPACE_BYTES = 16 * 1024 * 1024  # an I/O error with less than this free is the disk full

NOTHING_SAVED = N_("Nothing was saved.")
TRY_LATER = N_("Please try again later.")
TRY_SOON = N_("Please try again in a few seconds.")
STORAGE_FULL = N_("The platform's storage is full.")
BUSY = N_("The platform is busy.")
UNAVAILABLE = N_("The platform's database is unavailable.")
UNEXPECTED = N_("Something unexpected went wrong on the platform. It has been logged.")


def _space_left() -> int | None:
    try:
        stats = os.statvfs(current_app.config["FOOTPRINT_HOME"])
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    """The primary result code (SQLITE_IOERR_SHMSIZE is SQLITE_IOERR); from the message for
    an error raised without one."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    message = str(exc).lower()
    for words, found in (("disk is full", SQLITE_FULL), ("disk i/o error", SQLITE_IOERR),
                         ("database is locked", SQLITE_BUSY),
                         ("table is locked", SQLITE_LOCKED)):
        if words in message:
            return found
    return None


def fault(exc: BaseException) -> tuple[int, str, int] | None:
    """(status, message, Retry-After seconds) for a fault of the storage or the database;
    None for anything else (a bug: 500)."""
    full = (507, STORAGE_FULL, FULL_RETRY_AFTER)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return full
    psycopg = sys.modules.get("psycopg")  # loaded with a PostgreSQL connection, never before
    if psycopg is not None and isinstance(exc, psycopg.Error):
        return _postgresql_fault(exc, full, psycopg.OperationalError)
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError,
                        sqlite3.InterfaceError, sqlite3.DataError,
                        sqlite3.NotSupportedError)):
        return None  # the program asked something wrong: a bug, not a fault of the database
    if not isinstance(exc, sqlite3.Error):
        return None
    code = _sqlite_code(exc)
    if code == SQLITE_FULL:
        return full
    if code == SQLITE_IOERR:
        space = _space_left()
        if space is not None and space < LOW_SPACE_BYTES:
            return full  # SQLite says "disk I/O error" when it cannot grow the WAL's index
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return 503, BUSY, BUSY_RETRY_AFTER
    return 503, UNAVAILABLE, UNAVAILABLE_RETRY_AFTER


POSTGRESQL_FULL = "53100"                           # disk_full
POSTGRESQL_BUSY = ("40001", "40P01", "55P03")       # serialization, deadlock, lock wait
# read_only_sql_transaction: a database set read-only, or a host pointed at a standby; as
# SQLite's SQLITE_READONLY, an operator has to look
POSTGRESQL_READ_ONLY = "25006"


def _postgresql_fault(exc, full, operational) -> tuple[int, str, int] | None:
    if exc.sqlstate == POSTGRESQL_READ_ONLY:
        return 503, UNAVAILABLE, UNAVAILABLE_RETRY_AFTER
    if not isinstance(exc, operational):
        return None  # integrity, programming, data: the program asked something wrong
    if exc.sqlstate == POSTGRESQL_FULL:
        return full
    if exc.sqlstate in POSTGRESQL_BUSY:
        return 503, BUSY, BUSY_RETRY_AFTER
    return 503, UNAVAILABLE, UNAVAILABLE_RETRY_AFTER  # the server gone, refusing, shut down


def _fault_answer(status: int, message: str, retry_after: int):
    saving = request.method not in ("GET", "HEAD", "OPTIONS")
    advice = (NOTHING_SAVED,) if saving else ()
    advice += (TRY_SOON if status == 503 and retry_after <= 5 else TRY_LATER,)
    code = None
    if wants_json():  # one line for a program: what happened, that nothing was saved, when
        lang = _json_language()
        message, code = " ".join(text(m, lang) for m in (message, *advice)), message
        advice = ()
    return error_answer(status, message, headers={"Retry-After": str(retry_after)},
                        advice=advice, code=code)


def _storage_or_database_fault(exc: Exception):
    answer = fault(exc)
    if answer is None:
        raise exc  # not a fault of the storage: Flask answers 500 (and logs it)
    status, message, retry_after = answer
    current_app.logger.error("%s %s answered %s: %s", request.method, request.path, status,
                             exc, exc_info=exc)
    return _fault_answer(status, message, retry_after)


def _unexpected(exc: InternalServerError):
    """A bug, already logged by Flask with its traceback; the answer says only that."""
    original = getattr(exc, "original_exception", None)
    answer = fault(original) if original is not None else None
    if answer is not None:  # a fault that reached here unhandled (raised by a handler)
        return _fault_answer(*answer)
    return error_answer(500, UNEXPECTED, advice=(TRY_LATER,))


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer made once per secret key rather than
    on every request, a visitor without a session included (it was a tenth of a kept scan
    page's time)."""

    def get_signing_serializer(self, app: Flask):
        said = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("footprint_session_signer")
        if kept is None or kept[0] != said:
            kept = app.extensions["footprint_session_signer"] = (
                said, super().get_signing_serializer(app))
        return kept[1]


def protective_headers(secure: bool) -> list[tuple[str, str]]:
    """What every answer says to the browser beside the content security policy (CSP,
    which a view may set itself): no sniffing, no framing, no referrer to other sites, and
    over HTTPS to keep to it."""
    said = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin")]
    return said + [("Strict-Transport-Security", "max-age=31536000")] if secure else said


def init_app(app: Flask) -> None:
    app.session_interface = _Sessions()
    # Behind N reverse proxies (nginx, a load balancer), the client's address is in the
    # X-Forwarded-For they add; throttling counts failures per address, so it must be the
    # client's, not the proxy's. Without proxies the header is not trusted at all.
    proxies = int(app.config.get("FOOTPRINT_PROXIES") or os.environ.get("FOOTPRINT_PROXIES")
                  or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        for name, value in protective_headers(request.is_secure):
            response.headers[name] = value
        return response

    app.register_error_handler(NotFound, lambda e: error_answer(404, e.message))
    app.register_error_handler(Forbidden, lambda e: error_answer(403, e.message))
    app.register_error_handler(Conflict, lambda e: error_answer(409, e.message))
    app.register_error_handler(InvalidInput,
                               lambda e: error_answer(400, N_("invalid input"), e.problems))
    app.register_error_handler(CSRFError, _form_expired)  # a BadRequest, said better
    app.register_error_handler(HTTPException, _http_error)
    # SQLite's errors, and psycopg's when the app's database is PostgreSQL (web.db opened it
    # before this runs, which imported psycopg: footprint.store.db imports it for a URL only)
    for errors in database_errors():
        app.register_error_handler(errors, _storage_or_database_fault)
    app.register_error_handler(OSError, _storage_or_database_fault)
    app.register_error_handler(InternalServerError, _unexpected)
