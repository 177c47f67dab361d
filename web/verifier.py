"""Blueprint: verifier pages (being built)."""
from flask import Blueprint, render_template_string

from .security import role_required

bp = Blueprint("verifier", __name__, url_prefix="/verifier")


@bp.route("/")
@role_required("verifier")
def index():
    return render_template_string("{% extends 'layout.html' %}")
