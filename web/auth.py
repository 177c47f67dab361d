"""Logging in and out, changing one's password, and choosing the language.

A log-in starts a session the server keeps (footprint.usecases.security); logging out and a
new password end it. Failed log-ins are throttled per account name and per address: while
one must wait, the answer is 429 with Retry-After, and the password is not checked.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from footprint.errors import InvalidInput, Problem, Throttled
from footprint.usecases.security import end_session, session_user, start_session
from footprint.usecases.users import MIN_PASSWORD, change_password, log_in

from .db import get_db
from .i18n import LANGUAGES
from .security import User, client_address

bp = Blueprint("auth", __name__)

HOME_OF_ROLE = {"producer": "producer.index", "verifier": "verifier.index",
                "reviewer": "reviewer.index", "admin": "admin.index", "bank": "banks.index",
                "regulator": "supervision.index"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a login to another host."""
    if target and target.startswith("/") and not target.startswith("//") and \
            not urlsplit(target).netloc:
        return target
    return None


def home_url() -> str:
    return url_for(HOME_OF_ROLE[current_user.role])


def _start_session(user_id: int) -> None:
    db = get_db()
    token = start_session(db, user_id)
    login_user(User(session_user(db, token), token))


def throttled_message(exc: Throttled) -> str:
    minutes = (exc.retry_after + 59) // 60
    return _("Too many failed attempts. Try again in %(minutes)s minute(s).", minutes=minutes)


def throttled_page(exc: Throttled, template: str, **context):
    response = make_response(render_template(template, error=throttled_message(exc),
                                             **context), 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    error = None
    if request.method == "POST":
        try:
            user = log_in(get_db(), request.form.get("username", "").strip(),
                          request.form.get("password", ""), client_address())
        except Throttled as exc:
            return throttled_page(exc, "auth/login.html")
        if user is None:
            error = _("Wrong username or password.")
        else:
            _start_session(user["id"])
            return redirect(_safe_next(request.args.get("next")) or home_url())
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_session(get_db(), current_user.session_token)
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """A new password, given the current one. Every session of the user ends (on other
    devices too); this browser goes on in a new one."""
    problems = []
    if request.method == "POST":
        new = request.form.get("new_password", "")
        try:
            if new != request.form.get("repeat_password", ""):
                raise InvalidInput([Problem("repeat_password", _("the two new passwords differ"))])
            change_password(get_db(), current_user, request.form.get("current_password", ""),
                            new)
        except InvalidInput as exc:
            problems = [_password_problem(p) for p in exc.problems]
        else:
            _start_session(current_user["id"])
            flash(_("Your password is changed; every other session of yours has ended."))
            return redirect(home_url())
    return render_template("auth/password.html", min_password=MIN_PASSWORD,
                           errors={p.where: p.message for p in problems}), \
        (400 if problems else 200)


def _password_problem(problem: Problem) -> Problem:
    """The core's problem with a password, in the reader's language, on its field."""
    messages = {"current_password": _("The current password is not right."),
                "password": _("The new password needs at least %(count)s characters.",
                              count=MIN_PASSWORD),
                "repeat_password": _("The two new passwords differ.")}
    where = "new_password" if problem.where == "password" else problem.where
    return Problem(where, messages.get(problem.where, problem.message))


def _gettable(target: str | None) -> str | None:
    """``target`` unless only a POST answers it (a link made on a refused form's page
    would lead to 405)."""
    if target is None:
        return None
    try:
        current_app.url_map.bind("").match(urlsplit(target).path, method="GET")
    except MethodNotAllowed:
        return None
    except HTTPException:  # no such page, or one a slash away: its own answer, as asked
        pass
    return target


@bp.route("/lang/<code>")
def language(code):
    response = make_response(redirect(_gettable(_safe_next(request.args.get("next"))) or
                                      url_for("public.index")))
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response
