"""Sessions, CSRF, security headers, roles, and how core errors become HTTP answers."""
from __future__ import annotations

import os
from functools import wraps

from flask import Flask, abort, jsonify, render_template, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from footprint import Conflict, Forbidden, InvalidInput, NotFound

from footprint.usecases.accounts import active_user
from footprint.usecases.security import session_user

from .db import get_db
from .i18n import N_

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


def _error(status: int, message: str, problems=None):
    if wants_json():
        body = {"error": message}
        if problems:
            body["problems"] = [{"where": p.where, "message": p.message} for p in problems]
        return jsonify(body), status
    return render_template("error.html", status=status, message=message,
                           problems=problems or []), status


def init_app(app: Flask) -> None:
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
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    app.register_error_handler(NotFound, lambda e: _error(404, str(e)))
    app.register_error_handler(Forbidden, lambda e: _error(403, str(e)))
    app.register_error_handler(Conflict, lambda e: _error(409, str(e)))
    app.register_error_handler(InvalidInput,
                               lambda e: _error(400, N_("invalid input"), e.problems))
    for status, message in ((400, N_("bad request")), (403, N_("not allowed")),
                            (404, N_("not found")), (405, N_("method not allowed")),
                            (413, N_("request too large"))):
        app.register_error_handler(status, lambda e, s=status, m=message: _error(s, m))
