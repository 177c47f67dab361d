"""Blueprint: api (being built)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api" if "api" not in ("api",) else "/api/v1")
