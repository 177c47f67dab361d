"""Pages anyone may open: the landing page (label scanning arrives with the label issue)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        from .auth import home_url
        return redirect(home_url())
    return render_template("public/index.html")
