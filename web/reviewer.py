"""Blueprint: the platform's review queue: verified submissions awaiting approval, and the
platform's decisions (approved, or returned after verification) with who decided and why;
each list a page at a time, with its own cursor."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from footprint.usecases import submissions as subs
from footprint.workflow import PLATFORM_DECIDES_ON, PLATFORM_DECISIONS

from .db import get_db
from .security import role_required
from .submissions import page_links
from .verifier import decisions_of

bp = Blueprint("reviewer", __name__, url_prefix="/reviewer")

QUEUE_CURSOR, DECIDED_CURSOR = "before", "decided_before"
IN_VERIFICATION_SHOWN = 50


@bp.route("/")
@role_required("reviewer")
def index():
    """What awaits review a page at a time (?before= the next), first come first served
    (the longest waiting on top); the platform's decisions a page at a time
    (?decided_before=), newest first; the newest submissions still in verification, with
    how many there are."""
    db = get_db()
    queue = subs.page(db, current_user, ("verified",), request.args.get(QUEUE_CURSOR),
                      oldest_first=True)
    decided = subs.decided(db, current_user, request.args.get(DECIDED_CURSOR),
                           where=DECIDED_CURSOR)
    in_verification = subs.page(db, current_user, ("submitted",), size=IN_VERIFICATION_SHOWN)
    return render_template(
        "reviewer/index.html", queue=queue.rows,
        waiting=subs.counted(db, current_user, ("verified",)),
        **page_links("reviewer.index", queue, QUEUE_CURSOR),
        decided=decided.rows,
        decided_pages=page_links("reviewer.index", decided, DECIDED_CURSOR, anchor="decided"),
        decisions=decisions_of(db, current_user, decided.rows, PLATFORM_DECISIONS,
                               PLATFORM_DECIDES_ON),
        in_verification=in_verification.rows,
        verifying=subs.counted(db, current_user, ("submitted",)))
