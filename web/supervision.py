"""Blueprint: credit supervision and qualified accounting bodies (docs/supervision.md).

    /exposure                                   曝光台: final public findings, no login
    /supervision/findings                       a regulator's (or administrator's) findings;
                                                another organisation's findings about itself
    /supervision/findings/new                   a regulator records a draft finding
    /supervision/findings/<id>                  a finding, its trail and the steps one may take
    /supervision/findings/<id>/<step>           notify, respond, appeal, finalise, correct
    /supervision/findings/<id>/files/<file>     an evidence file (its parties only)
    /supervision/qualifications                 administrators: accounting bodies'
                                                qualifications, expiring ones flagged

Every rule is footprint.usecases.findings' and .qualifications': a finding one may not see is
404 and a refused step 403 or 409, whichever page asked. The finding's words (types,
severities, states, steps) are this part's own. ``_findings.html`` lists an organisation's
public findings on another page (the registry's: ``public_findings(db, org_id)``).
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from footprint import InvalidInput
from footprint.supervision import (SEVERITIES, STEPS, TYPES, allowed_steps, is_public,
                                   sees_inside)
from footprint.usecases import findings, qualifications

from . import vocabulary
from .db import get_db, get_engine
from .forms import CHOOSE, TICK, Field, Form, errors_at
from .i18n import localised
from .labels import label_issuer
from .security import role_required

bp = Blueprint("supervision", __name__)

STATE_WORDS = {"draft": _l("drafted, not notified"), "notified": _l("notified, awaiting response"),
               "final": _l("final"), "corrected": _l("corrected")}
STEP_WORDS = {"create": _l("drafted"), "notify": _l("notify the subject"),
              "respond": _l("respond"), "appeal": _l("appeal"),
              "finalise": _l("make final"), "correct": _l("correct")}
STEP_DONE = {"notify": _l("The subject is notified and may respond."),
             "respond": _l("Response recorded."), "appeal": _l("Appeal recorded."),
             "finalise": _l("The finding is final, signed and logged."),
             "correct": _l("The finding is corrected.")}
STANDING_WORDS = vocabulary.STANDINGS
WORDS = {"finding_type": vocabulary.FINDING_TYPES, "severity": vocabulary.SEVERITIES,
         "finding_state": STATE_WORDS, "finding_step": STEP_WORDS, "standing": STANDING_WORDS}


# The forms: each field's label, the one its problems are shown by (web.forms).
FINDING_FORM = Form(
    Field("subject", _l("Subject (firm or accounting body)"), blank=CHOOSE),
    Field("type", _l("Type"), blank=CHOOSE),
    Field("severity", _l("Severity"), blank=CHOOSE),
    Field("summary", _l("Summary (published if the finding is public)")),
    Field("evidence", _l("Evidence (seen by the regulator, the administrators and the "
                         "subject)")),
    Field("files", _l("Evidence files (optional)"), blank=None),
    Field("labels", _l("Labels concerned (ids, separated by spaces)"), blank=None),
    Field("public", _l("Publish on the exposure page once final"), blank=None),
)
QUALIFICATION_FORM = Form(
    Field("org", _l("Accounting body"), blank=CHOOSE),
    Field("number", _l("Accreditation number")),
    Field("categories", _l("Categories it may verify"), blank=TICK),
    Field("valid_from", _l("Valid from")),
    Field("valid_until", _l("Valid until (inclusive)")),
)
# a step's form: its text is a response or an appeal, a correction's reasons, else a note;
# a correction leaves blank what it does not amend
STEP_TEXT = {"respond": _l("Your text (required)"), "appeal": _l("Your text (required)"),
             "correct": _l("Reasons for the correction (required)")}
STEP_FORMS = {step: Form(Field("text", STEP_TEXT.get(step, _l("Note (optional)"))),
                         Field("type", _l("Type"), blank=None),
                         Field("severity", _l("Severity"), blank=None),
                         Field("summary", _l("Summary"), blank=None),
                         Field("public", _l("Public"), blank=None))
              for step in STEPS}


@bp.app_template_filter("supervision_word")
def supervision_word(key, table: str) -> str:
    return str(WORDS[table].get(key, key))


def _user():
    return current_user if current_user.is_authenticated else None


# -- public -------------------------------------------------------------------------------------

@bp.route("/exposure")
def exposure():
    """曝光台: every final public finding, newest first; no login."""
    return render_template("supervision/exposure.html",
                           findings=findings.public_findings(get_db()))


# -- findings -----------------------------------------------------------------------------------

@bp.route("/supervision/findings")
@login_required
def index():
    return render_template("supervision/index.html",
                           findings=findings.visible(get_db(), current_user),
                           may_record=current_user.role == "regulator")


def _new_page(problems=None, form=None, status=200):
    shown = FINDING_FORM.shown(problems, form or {})
    return render_template("supervision/new.html", problems=shown, errors=errors_at(shown),
                           fields=FINDING_FORM, form=form or {}, types=TYPES,
                           severities=SEVERITIES, subjects=findings.subjects(get_db())), status


@bp.route("/supervision/findings/new", methods=["GET", "POST"])
@role_required("regulator")
def new():
    if request.method == "GET":
        return _new_page(form={"subject": request.args.get("subject", "")})
    form = {k: request.form.get(k, "") for k in ("subject", "type", "severity", "summary",
                                                 "evidence", "labels")}
    form["public"] = bool(request.form.get("public"))
    uploads = [(f.filename, f.mimetype, f.read(findings.MAX_FILE_BYTES + 1))
               for f in request.files.getlist("files") if f and f.filename]
    try:
        made = findings.record(get_db(), current_user, form["subject"], form["type"],
                               form["severity"], form["summary"], form["evidence"],
                               form["public"], form["labels"].replace(",", " ").split(),
                               uploads)
    except InvalidInput as exc:
        return _new_page(exc.problems, form, 400)
    flash(_l("Finding %(id)s drafted.", id=made["id"]))
    return redirect(url_for(".detail", id=made["id"]))


def _detail_page(id, problems=None, form=None, status=200):
    db, user = get_db(), _user()
    finding = findings.get(db, user, id)
    party = user is not None and sees_inside(user, finding)
    step = (form or {}).get("step")
    shown = STEP_FORMS[step].shown(problems, form) if step in STEP_FORMS else \
        localised(problems)
    return render_template(
        "supervision/detail.html", finding=finding, party=party,
        trail=findings.trail(db, user, id) if party else [],
        files=findings.files(db, user, id) if party else [],
        steps=allowed_steps(user, finding) if user else [], published=is_public(finding),
        types=TYPES, severities=SEVERITIES, problems=shown, errors=errors_at(shown),
        step_forms=STEP_FORMS, form=form or {}), status


@bp.route("/supervision/findings/<int:id>")
def detail(id):
    """A finding: public once final and public; otherwise its parties' only (404)."""
    return _detail_page(id)


@bp.route("/supervision/findings/<int:id>/<step>", methods=["POST"])
@login_required
def act(id, step):
    if step not in STEPS:
        findings.get(get_db(), current_user, id)  # an invisible finding stays a 404
        return _detail_page(id, status=404)
    form = {k: request.form.get(k, "") for k in ("text", "type", "severity", "summary")}
    amend = {k: form[k] for k in ("type", "severity", "summary") if form[k]}
    if request.form.get("public") in ("0", "1"):
        amend["public"] = request.form["public"] == "1"
    try:  # a final finding is signed with the platform's label key (no key: 409)
        findings.act(get_db(), current_user, id, step, text=form["text"],
                     issuer=label_issuer(), amend=amend)
    except InvalidInput as exc:
        return _detail_page(id, exc.problems, {**form, "step": step}, 400)
    flash(STEP_DONE[step])
    return redirect(url_for(".detail", id=id))


@bp.route("/supervision/findings/<int:id>/files/<int:file_id>")
@login_required
def evidence(id, file_id):
    row = findings.evidence_file(get_db(), current_user, id, file_id)
    return Response(bytes(row["content"]), mimetype="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=finding-{id}-{file_id}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


# -- qualifications -----------------------------------------------------------------------------

def _qualifications_page(problems=None, form=None, status=200):
    db = get_db()
    shown = QUALIFICATION_FORM.shown(problems, form or {})
    # ?org=<id>: one accounting body's (the organisations list links each body here)
    body, rows = qualifications.of_named_body(db, request.args["org"]) \
        if request.args.get("org") else (None, qualifications.listing(db))
    return render_template(
        "supervision/qualifications.html", rows=rows, body=body,
        attention=qualifications.needing_attention(db), bodies=qualifications.bodies(db),
        categories=get_engine().registry.categories, problems=shown,
        errors=errors_at(shown), fields=QUALIFICATION_FORM, form=form or {},
        language=str(get_locale())), status


@bp.route("/supervision/qualifications", methods=["GET", "POST"])
@role_required("admin", "regulator")
def qualifications_page():
    """Who may verify what: the administrator records qualifications, a regulator reads
    them (the use case refuses a regulator's record all the same)."""
    if request.method == "GET":
        return _qualifications_page()
    if current_user.role != "admin":
        abort(403)
    form = {k: request.form.get(k, "") for k in ("org", "number", "valid_from", "valid_until")}
    form["categories"] = request.form.getlist("categories")
    try:
        made = qualifications.qualify(get_db(), current_user, form["org"], form["number"],
                                      form["categories"], form["valid_from"],
                                      form["valid_until"], get_engine().registry.categories)
    except InvalidInput as exc:
        return _qualifications_page(exc.problems, form, 400)
    flash(_l("Qualification %(number)s of %(body)s recorded.", number=made["number"],
             body=made["org_name"]))
    return redirect(url_for(".qualifications_page"))
