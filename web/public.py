"""Pages anyone may open: the landing page (labels are scanned in web.scan)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user

from .auth import home_url

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url())
    return render_template("public/index.html")
