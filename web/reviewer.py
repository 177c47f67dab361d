"""Blueprint: reviewer pages (being built)."""
from flask import Blueprint, render_template_string

from .security import role_required

bp = Blueprint("reviewer", __name__, url_prefix="/reviewer")


@bp.route("/")
@role_required("reviewer")
def index():
    return render_template_string("{% extends 'layout.html' %}")
