"""Blueprint: the platform's review queue: verified submissions awaiting approval, and recent
decisions (approved, or returned after verification) with who decided and why."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from footprint.usecases import submissions as subs

from .db import get_db
from .security import role_required
from .submissions import page_links
from .verifier import decisions_of

bp = Blueprint("reviewer", __name__, url_prefix="/reviewer")

RECENT_SHOWN = 50
IN_VERIFICATION_SHOWN = 50


@bp.route("/")
@role_required("reviewer")
def index():
    """What awaits review a page at a time (?before= the next), first come first served
    (the longest waiting on top); the recent decisions; the newest submissions still in
    verification, with how many there are."""
    db = get_db()
    queue = subs.page(db, current_user, ("verified",), request.args.get("before"),
                      oldest_first=True)
    candidates = subs.page(db, current_user, ("approved", "issued", "superseded", "revoked",
                                              "returned"), size=RECENT_SHOWN * 2).rows
    decisions = decisions_of(db, current_user, candidates, ("approve", "return"), "verified")
    # a submission returned by its accounting body was never the platform's decision
    recent = [r for r in candidates if r["id"] in decisions][:RECENT_SHOWN]
    in_verification = subs.page(db, current_user, ("submitted",), size=IN_VERIFICATION_SHOWN)
    return render_template(
        "reviewer/index.html", queue=queue.rows,
        waiting=subs.counted(db, current_user, ("verified",)),
        **page_links("reviewer.index", queue),
        recent=recent, decisions=decisions, in_verification=in_verification.rows,
        verifying=subs.counted(db, current_user, ("submitted",)))
