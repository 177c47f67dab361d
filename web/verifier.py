"""Blueprint: the accounting body's queue: submissions assigned to it awaiting verification,
and the ones it has handled (verified or returned), with who decided."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from footprint.usecases import submissions as subs

from .db import get_db
from .security import role_required
from .submissions import decision

bp = Blueprint("verifier", __name__, url_prefix="/verifier")

HANDLED_SHOWN = 50


def decisions_of(db, user, rows, actions, from_status) -> dict:
    """Submission id -> the latest audit event among ``actions`` leaving ``from_status``."""
    found = {}
    for row in rows:
        event = decision(subs.audit_trail(db, user, row["id"]), actions, from_status)
        if event:
            found[row["id"]] = event
    return found


@bp.route("/")
@role_required("verifier")
def index():
    db = get_db()
    rows = subs.visible(db, current_user)  # the core: only what is assigned to this body
    queue = [r for r in rows if r["status"] == "submitted"]
    handled = [r for r in rows if r["status"] != "submitted"][:HANDLED_SHOWN]
    return render_template(
        "verifier/index.html", queue=queue, handled=handled,
        decisions=decisions_of(db, current_user, handled, ("verify", "return"), "submitted"))
