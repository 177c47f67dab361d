"""Blueprint: the platform's review queue: verified submissions awaiting approval, and recent
decisions (approved, or returned after verification) with who decided and why."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from footprint.usecases import submissions as subs

from .db import get_db
from .security import role_required
from .verifier import decisions_of

bp = Blueprint("reviewer", __name__, url_prefix="/reviewer")

RECENT_SHOWN = 50


@bp.route("/")
@role_required("reviewer")
def index():
    db = get_db()
    queue = subs.visible(db, current_user, ("verified",))
    candidates = subs.visible(db, current_user, ("approved", "issued", "superseded", "revoked",
                                                 "returned"))[:RECENT_SHOWN * 2]
    decisions = decisions_of(db, current_user, candidates, ("approve", "return"), "verified")
    # a submission returned by its accounting body was never the platform's decision
    recent = [r for r in candidates if r["id"] in decisions][:RECENT_SHOWN]
    in_verification = subs.visible(db, current_user, ("submitted",))
    return render_template("reviewer/index.html", queue=queue, recent=recent,
                           decisions=decisions, in_verification=in_verification)
