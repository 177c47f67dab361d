"""Blueprint: submissions (being built)."""
from flask import Blueprint

bp = Blueprint("submissions", __name__, url_prefix="/submissions" if "submissions" not in ("api",) else "/api/v1")
