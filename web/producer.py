"""Blueprint: producer pages. Products and submissions, the BOM editor with a live preview,
BOM files (JSON, CSV, XLSX), evidence files, and revising a draft or returned submission.

Views stay thin: every rule and every write is footprint.usecases' (and so
footprint.workflow's); this module turns forms and files into BOM dicts (web.bom) and the
core's problems back into messages next to the fields.
"""
from __future__ import annotations

import mimetypes

from flask import (Blueprint, flash, jsonify, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from footprint.errors import InvalidInput, Problem
from footprint.parameters import describe_parameters
from footprint.usecases import review
from footprint.usecases import submissions as subs
from footprint.workflow import EDITABLE, check_edit

from .bom.editor import apply_row_action, attach_problems, editor_from_values
from .bom.form import FormBom, bom_from_form, field_name, values_from_bom
from .bom.options import choices, line_label
from .bom.upload import read_upload
from .db import get_db, get_engine
from .formatting import footprint, per_amount, percent, quantity
from .i18n import localised, problem_text
from .security import role_required
from .vocabulary import CO2E, STAGES, in_language, language, word

bp = Blueprint("producer", __name__, url_prefix="/producer")

HOTSPOTS = 5


def _registry():
    return get_engine().registry


def detail_url(submission_id: int) -> str:
    return url_for("submissions.detail", id=submission_id)


# -- products and submissions -----------------------------------------------------------------

def _org_products(rows) -> list[tuple[int, str]]:
    seen = {}
    for row in rows:
        seen.setdefault(row["product_id"], row["product_name_zh"] if language() == "zh" and
                        row["product_name_zh"] else row["product_name"])
    return sorted(seen.items())


@bp.route("/")
@role_required("producer")
def index():
    registry = _registry()
    rows = subs.visible(get_db(), current_user)
    submissions, products = [], {}
    for row in rows:  # newest first
        category = registry.categories.get(row["category"])
        item = {**row,
                "name": (row["product_name_zh"] if language() == "zh" and row["product_name_zh"]
                         else row["product_name"]),
                "category_label": in_language(category.name_zh, category.name_en)
                if category else row["category"],
                "editable": row["status"] in EDITABLE}
        submissions.append(item)
        product = products.setdefault(row["product_id"], {"latest": item, "count": 0})
        product["count"] += 1
    return render_template("producer/index.html", submissions=submissions,
                           products=list(products.values()), upload=_upload_context())


# -- the BOM editor ---------------------------------------------------------------------------

def _render_editor(editor, submission=None, status=200, evidence_errors=None):
    registry, lang = _registry(), language()
    category = registry.categories.get(editor.value("product-category") or "generic")
    db = get_db()
    context = {"editor": editor, "submission": submission, "lang": lang,
               "opts": choices(registry, lang, _org_products(subs.visible(db, current_user))),
               "category": category,
               "category_label": in_language(category.name_zh, category.name_en)
               if category else "",
               "params": describe_parameters(category) if category else [],
               "declared_units": list(category.declared_units) if category else [],
               "evidence": [], "comments": [],
               "stored_lines": [], "line_evidence": {}, "evidence_errors": evidence_errors or {},
               "upload": _upload_context()}
    if submission is not None:
        stored = submission["bom"]
        context["stored_lines"] = [
            (n, line_label({"input": line.get("input") or
                            "emission:" + line.get("emission", "")}, registry, lang))
            for n, line in enumerate(stored.get("lines") or [], 1)]
        context["evidence"] = review.evidence_list(db, current_user, submission["id"])
        context["comments"] = review.comments(db, current_user, submission["id"])
        for item in context["evidence"]:
            if item["line"]:
                context["line_evidence"].setdefault(item["line"], []).append(item)
        context["return_reason"] = next(
            (a["reason"] for a in reversed(subs.audit_trail(db, current_user, submission["id"]))
             if a["action"] == "return"), None) if submission["status"] == "returned" else None
    return render_template("producer/editor.html", **context), status


def _form_values(form) -> dict:
    return {k: v for k, v in form.items() if k not in ("csrf_token", "action")}


def _post_editor(submission=None):
    registry, form = _registry(), request.form
    editor = editor_from_values(_form_values(form), registry, new_rows=0)
    action = form.get("action", "save")
    if action != "save":  # add or remove a row, or show another category's parameters
        apply_row_action(editor, action)
        return _render_editor(editor, submission)
    form_bom = bom_from_form(form, registry)
    db, engine = get_db(), get_engine()
    try:
        if submission is None:
            saved, _created = subs.create_submission(db, engine, current_user, form_bom.bom)
            flash(_("Draft saved. Check the calculation, attach evidence, then submit it."))
        else:
            saved = subs.revise(db, engine, current_user, submission["id"], form_bom.bom)
            flash(_("Revision %(revision)s saved.", revision=saved["revision"]))
    except InvalidInput as exc:
        attach_problems(editor, exc.problems, form_bom)
        return _render_editor(editor, submission, 400)
    return redirect(detail_url(saved["id"]))


@bp.route("/submissions/new", methods=["GET", "POST"])
@role_required("producer")
def new():
    if request.method == "POST":
        return _post_editor()
    registry = _registry()
    category = request.args.get("category", "generic")
    if category not in registry.categories:
        category = "generic"
    values = {"product-category": category, "declared_unit-amount": "1"}
    units = registry.categories[category].declared_units
    if len(units) == 1:
        values["declared_unit-unit"] = units[0]
    return _render_editor(editor_from_values(values, registry))


def _editable(submission_id: int) -> dict:
    """The submission if this user may change it: 404 if not theirs to see, the core's
    Conflict (409) with its message once it is submitted."""
    submission = subs.get(get_db(), current_user, submission_id)
    check_edit(current_user, submission)
    return submission


@bp.route("/submissions/<int:id>/edit", methods=["GET", "POST"])
@role_required("producer")
def edit(id):
    submission = _editable(id)
    if request.method == "POST":
        return _post_editor(submission)
    values = values_from_bom(submission["bom"])
    return _render_editor(editor_from_values(values, _registry()), submission)


# -- live preview -----------------------------------------------------------------------------

def _problem_json(problem: Problem, form_bom: FormBom | None) -> dict:
    return {"where": problem.where, "human_where": problem.human_where,
            "message": problem_text(problem),
            "field": form_bom.field_for(problem.where) if form_bom else
            field_name(problem.where)}


def preview_summary(result: dict, registry, lang: str) -> dict:
    """What the editor shows while one types: total, stages, hotspots, grade, notes. The
    numbers come with their text (``*_text``), written by the rule every page uses, so the
    preview shows the figure the saved submission and its label will."""
    total = result["total_kg_co2e"]
    largest = max([abs(v) for v in result["by_stage"].values()] + [0.0])
    stages = [{"stage": stage, "label": word(STAGES, stage), "kg_co2e": value,
               "kg_text": footprint(value), "share": value / total if total else 0.0,
               "bar": abs(value) / largest if largest else 0.0}
              for stage, value in result["by_stage"].items()]
    entries = sorted((e for e in result["by_input"] if e.get("in_boundary", True)),
                     key=lambda e: -abs(e["kg_co2e"]))[:HOTSPOTS]
    hotspots = [{"line": e["line"], "label": line_label(e, registry, lang),
                 "amount": e["amount"], "unit": e["unit"], "stage": e["stage"],
                 "stage_label": word(STAGES, e["stage"]),
                 "kg_co2e": e["kg_co2e"], "kg_text": footprint(e["kg_co2e"]),
                 "share": e.get("share", 0.0), "share_text": percent(e.get("share", 0.0)),
                 "modelled": bool(e.get("model"))} for e in entries]
    declared = result["declared_unit"]
    grade = result.get("grade")
    return {"ok": True, "total_kg_co2e": total, "total_text": footprint(total),
            "co2e": CO2E, "unit_text": f"{CO2E} {per_amount(declared)}",
            "per": f"{quantity(declared['amount'])} {declared['unit']}",
            "declared_unit": declared, "stages": stages, "hotspots": hotspots,
            "grade": {"grade": grade["grade"],
                      "label": in_language(grade.get("label_zh"), grade.get("label_en"),
                                           lang),
                      "provisional": grade.get("provisional", False)} if grade else None,
            "notes": result.get("notes", []),
            "biogenic_co2_kg": result.get("biogenic_co2_kg", 0.0)}


@bp.route("/preview", methods=["POST"])
@role_required("producer")
def preview():
    """A JSON BOM (or the editor's form fields) in; the footprint or the problems out."""
    registry, form_bom = _registry(), None
    if request.is_json:
        bom = request.get_json(silent=True)
        if bom is None:
            return jsonify(ok=False, problems=[_problem_json(
                Problem("(top level)", "the body is not valid JSON"), None)]), 400
    else:
        form_bom = bom_from_form(request.form, registry)
        bom = form_bom.bom
    try:
        _bom, result = subs.calculate(get_db(), get_engine(), current_user, bom)
    except InvalidInput as exc:
        return jsonify(ok=False, problems=[_problem_json(p, form_bom)
                                           for p in exc.problems]), 400
    return jsonify(preview_summary(result, registry, language()))


# -- BOM files --------------------------------------------------------------------------------

def _upload_context(values=None, errors=None, problems=None) -> dict:
    return {"entered": values or {"declared_unit-amount": "1"}, "errors": errors or {},
            "problems": problems or [], "opts": choices(_registry(), language())}


@bp.route("/upload", methods=["POST"])
@role_required("producer")
def upload():
    file = request.files.get("file")
    values = _form_values(request.form)
    filename = file.filename if file else ""
    content = file.read() if file else b""
    try:
        bom_file = read_upload(filename, content, request.form)
    except InvalidInput as exc:
        return _upload_failed(values, exc.problems, {})
    try:
        saved, _created = subs.create_submission(get_db(), get_engine(), current_user,
                                                 bom_file.bom)
    except InvalidInput as exc:
        problems = [bom_file.locate(p) for p in exc.problems]
        inline = {} if bom_file.kind == "json" else {
            field_name(p.where): [problem_text(p)] for p in exc.problems
            if not p.where.startswith("lines") and p.where != "(top level)"}
        return _upload_failed(values, problems, inline)
    flash(_("%(file)s read: %(lines)s line(s). Draft saved.", file=filename,
            lines=len(bom_file.bom.get("lines") or [])))
    return redirect(detail_url(saved["id"]))


def _upload_failed(values, problems, inline):
    errors, problems = dict(inline), localised(problems)
    for problem in problems:
        if problem.where == "file":
            errors.setdefault("file", []).append(problem.message)
    return render_template("producer/upload.html", upload=_upload_context(
        values, errors, [{"human_where": p.human_where, "message": p.message}
                         for p in problems])), 400


# -- evidence ---------------------------------------------------------------------------------

def _content_type(file) -> str:
    declared = (file.mimetype or "").lower()
    if declared in ("", "application/octet-stream"):
        guessed, _encoding = mimetypes.guess_type(file.filename or "")
        return guessed or declared or "application/octet-stream"
    return declared


@bp.route("/submissions/<int:id>/evidence", methods=["POST"])
@role_required("producer")
def add_evidence(id):
    submission = _editable(id)
    db = get_db()
    file = request.files.get("file")
    line_text = (request.form.get("line") or "").strip() or None
    problems = review.line_problems(submission, line_text)
    line = int(line_text) if line_text and not problems else None
    if file is None or not file.filename:
        problems.append(Problem("file", "choose a file to attach"))
    try:
        if problems:
            raise InvalidInput(problems)
        content = file.read(review.MAX_EVIDENCE_BYTES + 1)
        review.add_evidence(db, current_user, id, file.filename, _content_type(file), content,
                            line)
    except InvalidInput as exc:
        errors = {}
        for problem in exc.problems:
            errors.setdefault(problem.where, []).append(problem_text(problem))
        values = values_from_bom(submission["bom"])
        return _render_editor(editor_from_values(values, _registry()), submission, 400,
                              evidence_errors=errors)
    flash(_("%(file)s attached.", file=file.filename))
    return redirect(url_for("producer.edit", id=id) + "#evidence")


@bp.app_template_filter("producer_pairs")
def _pairs(items):
    """[a, b] -> [(a, a), (b, b)]: options whose value is also their label."""
    return [(str(item), str(item)) for item in items]
