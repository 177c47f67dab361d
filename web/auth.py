"""Logging in and out, and choosing the language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from footprint.usecases.accounts import authenticate

from .db import get_db
from .i18n import LANGUAGES
from .security import User, load_user_row

bp = Blueprint("auth", __name__)

HOME_OF_ROLE = {"producer": "producer.index", "verifier": "verifier.index",
                "reviewer": "reviewer.index", "admin": "admin.index"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a login to another host."""
    if target and target.startswith("/") and not target.startswith("//") and \
            not urlsplit(target).netloc:
        return target
    return None


def home_url() -> str:
    return url_for(HOME_OF_ROLE[current_user.role])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    error = None
    if request.method == "POST":
        row = authenticate(get_db(), request.form.get("username", "").strip(),
                           request.form.get("password", ""))
        if row is None:
            error = _("Wrong username or password.")
        else:
            login_user(User(load_user_row(get_db(), row["id"])))
            return redirect(_safe_next(request.args.get("next")) or home_url())
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("public.index"))


@bp.route("/lang/<code>")
def language(code):
    response = make_response(redirect(_safe_next(request.args.get("next")) or
                                      url_for("public.index")))
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response
