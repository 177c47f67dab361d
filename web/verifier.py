"""Blueprint: the accounting body's queue: submissions assigned to it awaiting verification,
the longest waiting first, and the ones it has handled (verified or returned), newest first,
with its decision; each list a page at a time, with its own cursor."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from footprint.usecases import submissions as subs
from footprint.workflow import BODY_DECISIONS

from .db import get_db
from .security import role_required
from .submissions import decision, page_links

bp = Blueprint("verifier", __name__, url_prefix="/verifier")

QUEUE_CURSOR, HANDLED_CURSOR = "before", "handled_before"


def decisions_of(db, user, rows, actions, from_status, by_org: int | None = None) -> dict:
    """Submission id -> the latest audit event among ``actions`` leaving ``from_status``
    (taken by a user of ``by_org``, if given)."""
    found = {}
    for row in rows:
        event = decision(subs.audit_trail(db, user, row["id"]), actions, from_status, by_org)
        if event:
            found[row["id"]] = event
    return found


@bp.route("/")
@role_required("verifier")
def index():
    """What awaits verification a page at a time (?before= the next), first come first
    served; what the body handled a page at a time (?handled_before=), newest first, each
    with the body's own decision (a submission sent to another body since stays here)."""
    db = get_db()
    # the core: only what is assigned to this body, and what its users decided
    queue = subs.page(db, current_user, ("submitted",), request.args.get(QUEUE_CURSOR),
                      oldest_first=True)
    handled = subs.handled(db, current_user, request.args.get(HANDLED_CURSOR),
                           where=HANDLED_CURSOR)
    return render_template(
        "verifier/index.html", queue=queue.rows,
        waiting=subs.counted(db, current_user, ("submitted",)), handled=handled.rows,
        **page_links("verifier.index", queue, QUEUE_CURSOR),
        handled_pages=page_links("verifier.index", handled, HANDLED_CURSOR, anchor="handled"),
        decisions=decisions_of(db, current_user, handled.rows, BODY_DECISIONS, "submitted",
                               current_user["org_id"]))
