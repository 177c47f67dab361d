"""Blueprint: the accounting body's queue: submissions assigned to it awaiting verification,
and the ones it has handled (verified or returned), with who decided."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from footprint.usecases import submissions as subs
from footprint.workflow import STATUSES

from .db import get_db
from .security import role_required
from .submissions import decision, page_links

bp = Blueprint("verifier", __name__, url_prefix="/verifier")

HANDLED_SHOWN = 50
HANDLED = tuple(status for status in STATUSES if status != "submitted")


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
    """What awaits verification a page at a time (?before= the next), newest first, and
    the newest submissions the body handled."""
    db = get_db()
    # the core: only what is assigned to this body
    queue = subs.page(db, current_user, ("submitted",), request.args.get("before"))
    handled = subs.page(db, current_user, HANDLED, size=HANDLED_SHOWN).rows
    return render_template(
        "verifier/index.html", queue=queue.rows,
        waiting=subs.counted(db, current_user, ("submitted",)), handled=handled,
        **page_links("verifier.index", queue),
        decisions=decisions_of(db, current_user, handled, ("verify", "return"), "submitted"))
