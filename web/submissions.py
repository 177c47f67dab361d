"""Blueprint: the one page every role sees for a submission, and the actions taken on it.

Who may see or do what is decided by the core (footprint.workflow, applied by
footprint.usecases): the page asks the core which actions this user could take now and shows
only those forms; the POST handlers call the use cases and let their errors become 404, 403,
409 or (shown on the page) 400.
"""
from __future__ import annotations

import io

from flask import (Blueprint, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from footprint import InvalidInput, NotFound
from footprint.errors import Problem
from footprint.usecases import accounts, actions, review
from footprint.usecases import labels as label_records
from footprint.usecases import submissions as subs
from footprint.usecases.revoking import revoke
from footprint.workflow import ACTIONS, allowed_actions, may_edit, may_revoke

from .db import get_db
from .formatting import width_class
from .i18n import localised
from .problems import said_result
from .labels import (NoIssuerKey, issued_message, issuing, label_issuer, no_key_problem,
                     page_label, revoked_message)
from .vocabulary import ACTION_DONE, word

bp = Blueprint("submissions", __name__, url_prefix="/submissions")


def decision(events: list[dict], actions: tuple[str, ...], from_status: str | None = None):
    """The latest audit event among ``actions`` (optionally leaving ``from_status``)."""
    for event in reversed(events):
        if event["action"] in actions and (from_status is None or
                                           event["from_status"] == from_status):
            return event
    return None


# -- the page --------------------------------------------------------------------------------

def _stage_rows(result: dict) -> list[dict]:
    stages = dict(result.get("by_stage") or {})
    whole = sum(abs(v) for v in stages.values())
    total = result.get("total_kg_co2e") or 0
    names = (result.get("category") or {}).get("stage_names") or {}
    return [{"stage": stage, "kg": kg, "share": (kg / total) if total else None,
             "width": width_class(kg, whole), "category_name": names.get(stage)}
            for stage, kg in stages.items()]


def _input_rows(result: dict) -> list[dict]:
    rows = list(result.get("by_input") or [])
    whole = sum(abs(r.get("kg_co2e") or 0) for r in rows)
    return [dict(r, width=width_class(r.get("kg_co2e") or 0, whole)) for r in rows]


def _page(submission_id: int, problems=None, form=None, status: int = 200):
    db, user = get_db(), current_user
    submission = subs.get(db, user, submission_id)
    bom = submission["bom"]
    result = said_result(subs.latest_result(db, submission))  # its notes in the reader's language
    events = subs.audit_trail(db, user, submission_id)
    evidence = review.evidence_list(db, user, submission_id)
    notes = review.comments(db, user, submission_id)
    lines = bom.get("lines") or []
    by_line = {n: {"evidence": [], "comments": []} for n in range(1, len(lines) + 1)}
    general = {"evidence": [], "comments": []}
    for kind, rows in (("evidence", evidence), ("comments", notes)):
        for row in rows:
            by_line.get(row["line"], general)[kind].append(row)
    actions = allowed_actions(user, submission)
    bodies = accounts.list_organisations(db, kind="accounting_body") \
        if "submit" in actions else []
    verifier_org = accounts.organisation(db, submission["verifier_org_id"]) \
        if submission["verifier_org_id"] else None
    verified = decision(events, ("verify",)) if submission["verified_by"] else None
    approved = decision(events, ("approve",)) if submission["approved_by"] else None
    editable = may_edit(user, submission)
    return render_template(
        "submissions/detail.html", submission=submission, bom=bom, lines=lines,
        parameters=bom.get("parameters") or {}, by_line=by_line, general=general,
        result=result, stages=_stage_rows(result) if result else [],
        inputs=_input_rows(result) if result else [], events=events,
        producer_org=accounts.organisation(db, submission["org_id"]),
        verifier_org=verifier_org, verified=verified, approved=approved,
        last_return=decision(events, ("return",)) if submission["status"] == "returned"
        else None,
        actions=actions, bodies=bodies, problems=localised(problems), form=form or {},
        edit_url=url_for("producer.edit", id=submission_id) if editable else None,
        evidence_url=url_for("producer.add_evidence", id=submission_id) if editable else None,
        label=page_label(db, submission_id),
        may_revoke=may_revoke(user),
    ), status


@bp.route("/<int:id>")
@login_required
def detail(id):
    return _page(id)


@bp.route("/<int:id>/<action>", methods=["POST"])
@login_required
def act(id, action):
    if action not in ACTIONS:
        raise NotFound(f"no action {action!r}")
    reason = request.form.get("reason", "")
    verifier_org = request.form.get("verifier_org", "").strip() or None
    try:
        with issuing():  # approval issues the carbon label in the same transaction
            actions.act(get_db(), current_user, id, action, reason=reason,
                        verifier_org=verifier_org,
                        issuer=label_issuer() if action == "approve" else None)
    except InvalidInput as exc:
        return _page(id, problems=exc.problems, form={"action": action, "reason": reason},
                     status=400)
    except NoIssuerKey as exc:  # nothing was approved: say what the operator must do
        return _page(id, problems=[no_key_problem(exc)],
                     form={"action": action, "reason": reason}, status=409)
    label = label_records.for_submission(get_db(), id) if action == "approve" else None
    flash(issued_message(label["id"]) if label else word(ACTION_DONE, action))
    return redirect(url_for(".detail", id=id))


@bp.route("/<int:id>/label/revoke", methods=["POST"])
@login_required
def revoke_label(id):
    """Revoke the submission's label with a public reason (reviewers and administrators;
    footprint.usecases.revoking decides)."""
    db = get_db()
    subs.get(db, current_user, id)  # an invisible submission stays a 404
    label = label_records.for_submission(db, id)
    if label is None:
        raise NotFound("this submission has no label")
    reason = request.form.get("reason", "")
    try:
        revoke(db, current_user, label["id"], reason)
    except InvalidInput as exc:
        return _page(id, problems=exc.problems, form={"revoke": reason}, status=400)
    flash(revoked_message())
    return redirect(url_for(".detail", id=id) + "#label")


def _line_number(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput([Problem("line", "a line number")])
    return int(text)


@bp.route("/<int:id>/comments", methods=["POST"])
@login_required
def comment(id):
    body = request.form.get("body", "")
    try:
        line = _line_number(request.form.get("line"))
        review.comment(get_db(), current_user, id, body, line)
    except InvalidInput as exc:
        subs.get(get_db(), current_user, id)  # an invisible submission stays a 404
        return _page(id, problems=exc.problems,
                     form={"comment": body, "line": request.form.get("line", "")}, status=400)
    flash(_("Comment added."))
    return redirect(url_for(".detail", id=id) + "#comments")


@bp.route("/<int:id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(id, evidence_id):
    row = review.evidence_file(get_db(), current_user, id, evidence_id)
    response = send_file(io.BytesIO(row["content"]), mimetype=row["content_type"],
                         as_attachment=True, download_name=row["filename"] or "evidence")
    response.headers["Cache-Control"] = "private, no-store"
    return response
