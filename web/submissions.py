"""Blueprint: the one page every role sees for a submission, and the actions taken on it.

Who may see or do what is decided by the core (footprint.workflow, applied by
footprint.usecases): the page asks the core which actions this user could take now and shows
only those forms; the POST handlers call the use cases and let their errors become 404, 403,
409 or (shown on the page) 400.
"""
from __future__ import annotations

import io
import json

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from footprint import InvalidInput, NotFound, bomexport
from footprint.engine.scopes import mixed_scopes_note
from footprint import resultnames
from footprint.parameters import describe_parameters
from footprint.resultnames import ResultNames
from footprint.usecases import actions, batterypass, organisations, review
from footprint.usecases import labels as label_records
from footprint.usecases import submissions as subs
from footprint.usecases.actions import VERIFY_CHECKLIST
from footprint.usecases.revoking import MAX_REASON as MAX_REVOKE_REASON
from footprint.usecases.revoking import revoke
from footprint.workflow import (ACTIONS, MAX_REASON, allowed_actions, may_edit, may_revoke,
                                sent_away_from, takes_part)

from . import worksheet
from .bom.options import stored_line_label
from .db import get_db, get_engine
from .forms import Field, Form, errors_at
from .i18n import localised
from .problems import said_result, text
from .labels import (NoIssuerKey, issued_message, issuing, label_issuer, no_key_problem,
                     page_label, revoked_message)
from .vocabulary import (ACTION_DONE, CHECKLIST, CONFIDENCE, GAS_SYMBOLS, in_language, language,
                         word)

bp = Blueprint("submissions", __name__, url_prefix="/submissions")


def page_links(endpoint: str, page, cursor: str = "before", anchor: str | None = None) -> dict:
    """The links of a list's page (templates/_pages.html): on to the next page while there is
    one (``page``: a footprint.paging.Page), back to the first once past it. The list's
    cursor is the query parameter ``cursor``; the page's other parameters stay, so a page
    with two lists (a producer's products and submissions, a body's queue and what it
    handled) keeps the other list's page. ``anchor``: the list's place on the page."""
    kept = {name: value for name, value in request.args.items() if name != cursor}
    return {"next_url": url_for(endpoint, **kept, **{cursor: page.next_before},
                                _anchor=anchor) if page.next_before else None,
            "first_url": url_for(endpoint, **kept, _anchor=anchor)
            if request.args.get(cursor) else None}


def decision(events: list[dict], actions: tuple[str, ...], from_status: str | None = None,
             by_org: int | None = None):
    """The latest audit event among ``actions`` (optionally leaving ``from_status``, or
    taken by a user of the organisation ``by_org``)."""
    for event in reversed(events):
        if event["action"] in actions and (from_status is None or
                                           event["from_status"] == from_status) and \
                (by_org is None or event["actor_org_id"] == by_org):
            return event
    return None


# -- the page --------------------------------------------------------------------------------

def _changes(db, user, submission: dict, result: dict | None, described: list[dict]):
    """What the producer changed since the revision last returned, with the totals before and
    after; None unless a returned submission came back revised."""
    returned = subs.returned_revision(db, user, submission["id"])
    if returned is None:
        return None
    before = returned.result["total_kg_co2e"]
    after = result["total_kg_co2e"] if result else None
    return {"revision": returned.number, "event": returned.event, "before": before,
            "after": after, "delta": None if after is None else after - before,
            "ratio": (after - before) / before if after is not None and before else None,
            "items": worksheet.bom_changes(returned.bom, submission["bom"], described,
                                           get_engine().registry)}


# The comment form: its fields' labels, the ones its problems are shown by (web.forms).
COMMENT_FORM = Form(Field("body", _l("Comment")), Field("line", _l("About line"), blank=None))


def _page(submission_id: int, problems=None, form=None, status: int = 200):
    db, user = get_db(), current_user
    # a checklist item not confirmed is said at its checkbox, in the reader's language
    unconfirmed = {p.where.partition(".")[2] for p in problems or []
                   if p.where.startswith("checklist.")}
    problems = [p for p in problems or [] if not p.where.startswith("checklist.")]
    shown = COMMENT_FORM.shown(problems, form) if form and "comment" in form else \
        localised(problems)
    submission = subs.get(db, user, submission_id)
    bom = submission["bom"]
    registry = get_engine().registry
    result = subs.latest_result(db, submission)
    result_names = ResultNames.of(result, registry) if result else None
    result = said_result(result, names=result_names)  # its notes in the reader's language
    events = subs.audit_trail(db, user, submission_id)
    evidence = review.evidence_list(db, user, submission_id)
    notes = review.comments(db, user, submission_id)
    lines = bom.get("lines") or []
    by_line = {n: {"evidence": [], "comments": []} for n in range(1, len(lines) + 1)}
    general = {"evidence": [], "comments": []}
    for kind, rows in (("evidence", evidence), ("comments", notes)):
        for row in rows:
            by_line.get(row["line"], general)[kind].append(row)
    category = registry.categories.get(bom["product"].get("category") or "generic")
    described = describe_parameters(category) if category is not None else []
    ranked = worksheet.ranked_lines(result, bom, registry, by_line, result_names) \
        if result else []
    actions = allowed_actions(user, submission)
    bodies = organisations.list_organisations(db, kind="accounting_body") \
        if "submit" in actions else []
    verifier_org = organisations.organisation(db, submission["verifier_org_id"]) \
        if submission["verifier_org_id"] else None
    verified = decision(events, ("verify",)) if submission["verified_by"] else None
    approved = decision(events, ("approve",)) if submission["approved_by"] else None
    editable = may_edit(user, submission)
    rerouted = subs.reroutings(events, submission["verifier_org_id"])
    # the bodies by name: those that decided (the trail says) and the one assigned now
    body_names = {e["actor_org_id"]: e["org_name"] for e in events if e["actor_org_id"]}
    if verifier_org:
        body_names[verifier_org["id"]] = verifier_org["name"]
    return render_template(
        "submissions/detail.html", submission=submission, bom=bom, lines=lines,
        line_names=[stored_line_label(line, registry, language()) for line in lines],
        parameters=worksheet.parameter_table(described, bom.get("parameters") or {}),
        by_line=by_line, general=general, result=result,
        stages=worksheet.stage_rows(result) if result else [], inputs=ranked,
        top=worksheet.contributors(ranked),
        general_notes=worksheet.general_notes(result) if result else [],
        scope_note=text(mixed_scopes_note(result["scopes"])) if result and result.get("scopes")
        and len(result["scopes"]) > 1 else None,
        battery=batterypass.figures(result),  # a battery's Art. 7 figures, as stored
        changes=_changes(db, user, submission, result, described),
        region=registry.regions.get(bom.get("region")), regions=registry.regions,
        processes=registry.processes, events=events,
        producer_org=organisations.organisation(db, submission["org_id"]),
        verifier_org=verifier_org, verified=verified, approved=approved,
        rerouted=rerouted, body_names=body_names,
        rerouted_at={r.event["id"]: r for r in rerouted},
        # an accounting body the producer sent the submission away from: it reads only
        former_body=sent_away_from(user, submission),
        last_return=decision(events, ("return",)) if submission["status"] == "returned"
        else None,
        actions=actions, bodies=bodies, problems=shown, errors=errors_at(shown),
        comment_form=COMMENT_FORM, form=form or {},
        checklist=[(item, word(CHECKLIST, item)) for item in VERIFY_CHECKLIST],
        unconfirmed=unconfirmed,
        # a primary line asks for evidence: without any, the page says so (no refusal)
        primary_without_evidence=bool(result) and not evidence and any(
            e.get("primary") for e in result.get("by_input") or []),
        confidence=CONFIDENCE, symbols=GAS_SYMBOLS,
        levels=resultnames.confidence_levels(result) if result else {},
        cited=resultnames.cited_datasets(result, result_names) if result else {},
        edit_url=url_for("producer.edit", id=submission_id) if editable else None,
        # next year's declaration, or a variant, begins from this one's BOM
        copy_url=url_for("producer.new", **{"from": submission_id})
        if user["role"] == "producer" else None,
        evidence_url=url_for("producer.add_evidence", id=submission_id) if editable else None,
        label=page_label(db, submission_id),
        may_revoke=may_revoke(user), may_comment=takes_part(user, submission),
        max_reason=MAX_REASON, max_comment=review.MAX_COMMENT,
        max_revoke_reason=MAX_REVOKE_REASON,
        # after a POST (a refused form), the language switch leads back to the page itself
        language_next=url_for(".detail", id=submission_id),
    ), status


@bp.route("/<int:id>")
@login_required
def detail(id):
    return _page(id)


@bp.route("/<int:id>/<action>", methods=["POST"])
@login_required
def act(id, action):
    if action not in ACTIONS:
        raise NotFound(_("no such action: %(action)s", action=repr(action)))
    reason = request.form.get("reason", "")
    verifier_org = request.form.get("verifier_org", "").strip() or None
    checklist = request.form.getlist("checklist")
    form = {"action": action, "reason": reason, "checklist": checklist}
    try:
        with issuing():  # approval issues the carbon label in the same transaction
            actions.act(get_db(), current_user, id, action, reason=reason,
                        verifier_org=verifier_org, checklist=checklist,
                        issuer=label_issuer() if action == "approve" else None)
    except InvalidInput as exc:
        return _page(id, problems=exc.problems, form=form, status=400)
    except NoIssuerKey as exc:  # nothing was approved: say what the operator must do
        return _page(id, problems=[no_key_problem(exc)], form=form, status=409)
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
        raise NotFound(_("this submission has no label"))
    reason = request.form.get("reason", "")
    try:
        revoke(db, current_user, label["id"], reason)
    except InvalidInput as exc:
        return _page(id, problems=exc.problems, form={"revoke": reason}, status=400)
    flash(revoked_message())
    return redirect(url_for(".detail", id=id) + "#label")


def _line_number(text: str | None) -> int | None:
    """The line a comment is about, from the form's select: none for the whole submission;
    anything but a line's number is 0, which the use case refuses naming the lines there are
    (须为第 1 至 3 行之一)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else 0


@bp.route("/<int:id>/comments", methods=["POST"])
@login_required
def comment(id):
    body = request.form.get("body", "")
    try:
        review.comment(get_db(), current_user, id, body,
                       _line_number(request.form.get("line")))
    except InvalidInput as exc:
        subs.get(get_db(), current_user, id)  # an invisible submission stays a 404
        return _page(id, problems=exc.problems, form={
            "comment": body, "body": body, "line": request.form.get("line", "")}, status=400)
    flash(_("Comment added."))
    return redirect(url_for(".detail", id=id) + "#comments")


# a BOM as a file: the sheet a producer keeps (read back by an upload as the same BOM), or
# the canonical JSON
BOM_FILES = {"csv": ("text/csv", bomexport.csv_bytes),  # Flask adds its charset=utf-8
             "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      bomexport.xlsx_bytes),
             "json": ("application/json", None)}


@bp.route("/<int:id>/bom.<kind>")
@login_required
def bom_file(id, kind):
    if kind not in BOM_FILES:
        abort(404)
    submission = subs.get(get_db(), current_user, id)
    bom = submission["bom"]
    mimetype, write = BOM_FILES[kind]
    if write is None:
        content = json.dumps(bom, ensure_ascii=False, indent=2).encode()
    else:
        registry = get_engine().registry
        lang = language()
        names = {"region": {c: in_language(r.name_zh, r.name_en) for c, r in
                            registry.regions.items()},
                 "category": {c: in_language(x.name_zh, x.name_en) for c, x in
                              registry.categories.items()}} if lang == "zh" else None
        try:
            content = write(bomexport.sheet_rows(bom, lang, names))
        except bomexport.NotASheet:
            abort(404)  # a parameter a sheet cannot hold: the JSON is offered
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                         download_name=f"BOM-{id}-{submission['revision']}.{kind}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(id, evidence_id):
    row = review.evidence_file(get_db(), current_user, id, evidence_id)
    response = send_file(io.BytesIO(row["content"]), mimetype=row["content_type"],
                         as_attachment=True, download_name=row["filename"] or "evidence")
    response.headers["Cache-Control"] = "private, no-store"
    return response
