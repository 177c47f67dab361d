"""Blueprint: producer pages (being built)."""
from flask import Blueprint, render_template_string

from .security import role_required

bp = Blueprint("producer", __name__, url_prefix="/producer")


@bp.route("/")
@role_required("producer")
def index():
    return render_template_string("{% extends 'layout.html' %}")
