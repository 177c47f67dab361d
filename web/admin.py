"""Blueprint: admin pages (being built)."""
from flask import Blueprint, render_template_string

from .security import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def index():
    return render_template_string("{% extends 'layout.html' %}")
