"""Blueprint: producer pages. Products and submissions, the BOM editor with a live preview,
BOM files (JSON, CSV, XLSX), evidence files, and revising a draft or returned submission.

Views stay thin: every rule and every write is footprint.usecases' (and so
footprint.workflow's); this module turns forms and files into BOM dicts (web.bom) and the
core's problems back into messages next to the fields.
"""
from __future__ import annotations

import mimetypes

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from footprint.errors import InvalidInput, Message, Problem
from footprint.parameters import describe_parameters
from footprint.resultnames import ResultNames, names_datasets
from footprint.usecases import organisations, pactinputs, review
from footprint.usecases import submissions as subs
from footprint.workflow import EDITABLE, check_edit

from .bom.editor import (apply_row_action, attach_problems, editor_from_values, is_missing,
                         with_category_defaults)
from .bom.form import FormBom, bom_from_form, field_name, values_from_bom
from .bom.options import (GENERIC, choices, line_label, parameter_choices,
                          stored_line_label)
from .bom.upload import read_upload
from .db import get_db, get_engine
from .formatting import footprint, per_amount, percent, quantity
from .i18n import localised, problem_text
from .labels import home  # suppliers' labels are checked against this platform's keys
from .problems import place, said_result
from .security import role_required
from .submissions import page_links
from .vocabulary import (BELOW_PUBLISHED_RANGE, CO2E, STAGES, UNITS, in_language, language,
                         word)

bp = Blueprint("producer", __name__, url_prefix="/producer")

HOTSPOTS = 5


def _registry():
    return get_engine().registry


def detail_url(submission_id: int) -> str:
    return url_for("submissions.detail", id=submission_id)


# -- products and submissions -----------------------------------------------------------------

def _org_products(rows) -> list[tuple[int, str, str]]:
    """(id, name, declared unit) of each of the organisation's products, as its newest
    submission (rows: subs.products, one a product) names it."""
    seen = {}
    for row in rows:
        declared = (row.get("bom") or {}).get("declared_unit") or {}
        seen.setdefault(row["product_id"], (
            row["product_name_zh"] if language() == "zh" and row["product_name_zh"]
            else row["product_name"], declared.get("unit") or ""))
    return [(pid, name, unit) for pid, (name, unit) in sorted(seen.items())]


def _shown(row: dict) -> dict:
    """A listed submission with its product's and category's names in the reader's
    language."""
    category = _registry().categories.get(row["category"])
    return {**row,
            "name": (row["product_name_zh"] if language() == "zh" and row["product_name_zh"]
                     else row["product_name"]),
            "category_label": in_language(category.name_zh, category.name_en)
            if category else row["category"],
            "editable": row["status"] in EDITABLE}


@bp.route("/")
@role_required("producer")
def index():
    """The organisation's submissions a page at a time (?before= the next), newest first,
    and its products a page at a time (?products_before=), the most recently updated first,
    each with its newest submission."""
    db = get_db()
    page = subs.page(db, current_user, before=request.args.get("before"))
    products = subs.products_page(db, current_user,
                                  before=request.args.get("products_before"))
    # a new BOM's defaults follow the most recently updated product, which only the first
    # page of products begins with
    newest = subs.products(db, current_user, 1) if request.args.get("products_before") \
        else products.rows
    return render_template(
        "producer/index.html", submissions=[_shown(row) for row in page.rows],
        products=[{"latest": _shown(row), "count": row["submissions"]}
                  for row in products.rows],
        product_pages=page_links("producer.index", products, "products_before"),
        submission_count=subs.counted(db, current_user),
        product_count=subs.product_count(db, current_user),
        upload=_upload_context(_new_values(newest)), **page_links("producer.index", page))


# -- the BOM editor ---------------------------------------------------------------------------

def _unit_factors() -> dict[str, float]:
    """kg CO2e per unit of each process under the default method, from the engine's unit
    inventory: what tells apart inputs whose names read alike."""
    engine = get_engine()
    inventory = engine.inventory
    per_unit = inventory.per_unit @ inventory.factors[engine.method_id(None)]
    return dict(zip(inventory.process_ids, per_unit.tolist()))


def _render_editor(editor, submission=None, status=200, evidence_errors=None, products=None,
                   source=None):
    registry, lang = _registry(), language()
    chosen = editor.value("product-category")
    category = registry.categories.get(chosen or GENERIC)
    db = get_db()
    products = subs.products(db, current_user) if products is None else products
    context = {"editor": editor, "submission": submission, "lang": lang,
               "opts": choices(registry, lang, _org_products(products), chosen or None,
                               _unit_factors()),
               "category": category,
               "category_label": in_language(category.name_zh, category.name_en)
               if category else "",
               "params": describe_parameters(category) if category else [],
               "declared_units": list(category.declared_units) if category else [],
               "evidence": [], "comments": [],
               "stored_lines": [], "line_evidence": {}, "evidence_errors": evidence_errors or {},
               "upload": _upload_context(_new_values(products)), "source": source}
    if submission is not None:
        stored = submission["bom"]
        context["stored_lines"] = [(n, stored_line_label(line, registry, lang))
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
    if action == "refresh":  # another category: its parameters, inputs and declared unit
        editor.values = with_category_defaults(
            editor.values, registry.categories.get(editor.value("product-category")))
        return _render_editor(editor, submission)
    if action != "save":  # add or remove a row
        apply_row_action(editor, action)
        return _render_editor(editor, submission)
    form_bom = bom_from_form(form, registry)
    db, engine = get_db(), get_engine()
    try:
        if submission is None:
            saved, _created = subs.create_submission(db, engine, current_user, form_bom.bom,
                                                     home=home())
            flash(_("Draft saved. Check the calculation, attach evidence, then submit it."))
        else:
            saved = subs.revise(db, engine, current_user, submission["id"], form_bom.bom,
                                home=home())
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
    products = subs.products(get_db(), current_user)
    if "from" in request.args:  # next year's declaration, a variant: from one of the org's
        source = _source(request.args["from"])
        values = {k: v for k, v in values_from_bom(source["bom"]).items() if k not in FRESH}
        return _render_editor(editor_from_values(values, _registry()), products=products,
                              source=source)
    values = _new_values(products, request.args.get("category"))
    return _render_editor(editor_from_values(values, _registry()), products=products)


# what a submission started from another one leaves blank: the year it describes and its lot
# are the new declaration's own
FRESH = ("reference_year", "product-lot")


def _source(given: str) -> dict:
    """The submission a new one starts from, if this producer may see it (404 if not)."""
    if not given.isdigit():
        abort(404)
    return subs.get(get_db(), current_user, int(given))


def _new_values(products, category: str | None = None) -> dict:
    """A new BOM's fields as the organisation most likely fills them: its region, the
    category of its most recently updated submission (``products`` come with their newest
    submission, the most recently updated first; or ``category`` if asked for; none to go
    by: the producer chooses) and that category's declared unit."""
    registry = _registry()
    newest = products[0] if products else None
    category = category or (newest["category"] if newest else "")
    if category not in registry.categories:
        category = ""
    region = organisations.organisation(get_db(), current_user["org_id"]).get("region") or ""
    values = {"product-category": category, "declared_unit-amount": "1",
              "region": region if region in registry.regions else ""}
    return with_category_defaults(values, registry.categories.get(category))


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

def _problem_json(problem: Problem, form_bom: FormBom | None, missing: bool = False) -> dict:
    return {"where": problem.where, "human_where": place(problem),
            "message": problem_text(problem),
            "field": form_bom.field_for(problem.where) if form_bom else
            field_name(problem.where), "missing": missing}


def incomplete_text(count: int) -> str:
    if count == 1:
        return _("Incomplete: 1 required field to fill")
    return _("Incomplete: %(count)s required fields to fill", count=count)


def _incomplete(problems: list[dict]) -> dict:
    """The preview's answer while required data is missing: how much, and no footprint or
    grade (an incomplete BOM adds up to too little, and its grade would flatter it)."""
    missing = sum(1 for p in problems if p["missing"])
    return {"ok": False, "incomplete": missing > 0, "missing": missing,
            "incomplete_text": incomplete_text(missing) if missing else "",
            "problems": problems}


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
                      "provisional": grade.get("provisional", False),
                      "warning": str(BELOW_PUBLISHED_RANGE)
                      if grade.get("below_published_range") else ""} if grade else None,
            # the datasets a note names by their titles (names taken only then: a preview is
            # asked at each keystroke)
            "notes": said_result(result, lang, ResultNames.of(result, registry)
                                 if names_datasets(result) else None)["notes"]
            if result.get("notes") else [],
            "biogenic_co2_kg": result.get("biogenic_co2_kg", 0.0)}


@bp.route("/preview", methods=["POST"])
@role_required("producer")
def preview():
    """A JSON BOM (or the editor's form fields) in; the footprint, or the problems and how
    many required fields are still blank, out."""
    registry, form_bom, form = _registry(), None, None
    if request.is_json:
        bom = request.get_json(silent=True)
        if bom is None:
            return jsonify(_incomplete([_problem_json(
                Problem("(top level)", _("the body is not valid JSON")), None)])), 400
    else:
        form = request.form
        form_bom = bom_from_form(form, registry)
        bom = form_bom.bom
    try:
        _bom, result = subs.calculate(get_db(), get_engine(), current_user, bom, home=home())
    except InvalidInput as exc:
        return jsonify(_incomplete([_problem_json(p, form_bom, is_missing(p, bom, form,
                                                                           form_bom))
                                    for p in exc.problems])), 400
    if not result["by_input"]:  # valid, but nothing in it adds to the footprint yet
        nothing = Problem("lines", _("add an input or emission with its amount"))
        return jsonify(_incomplete([_problem_json(nothing, form_bom, missing=True)]))
    return jsonify(preview_summary(result, registry, language()))


# -- BOM files --------------------------------------------------------------------------------

def _upload_context(values: dict, errors=None, problems=None) -> dict:
    return {"entered": values, "errors": errors or {},
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
                                                 bom_file.bom, home=home())
    except InvalidInput as exc:
        problems = bom_file.located_problems(exc.problems)
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
        values, errors, [{"where": p.where, "human_where": p.human_where, "message": p.message}
                         for p in problems])), 400


# -- suppliers' PACT footprints ---------------------------------------------------------------

def _render_suppliers(problems=None, fetch=None, status=200):
    shown = [{"where": p.where, "human_where": p.human_where, "message": p.message}
             for p in localised(problems)]
    return render_template("producer/suppliers.html", problems=shown, fetch=fetch or {},
                           footprints=pactinputs.footprints(get_db(), current_user)), status


@bp.route("/suppliers", methods=["GET"])
@role_required("producer")
def suppliers():
    return _render_suppliers()


@bp.route("/suppliers/import", methods=["POST"])
@role_required("producer")
def import_supplier_footprint():
    file = request.files.get("file")
    if file is None or not file.filename:
        return _render_suppliers([Problem("file", Message("choose a PACT footprint file "
                                                          "(JSON)"))], status=400)
    try:
        found = pactinputs.import_footprint(get_db(), current_user, file.read(), file.filename)
    except InvalidInput as exc:
        return _render_suppliers(exc.problems, status=400)
    flash(_("PACT footprint of %(company)s imported: use it in a BOM line as %(ref)s",
            company=found.company_name, ref="pact:" + found.id))
    return redirect(url_for("producer.suppliers"))


@bp.route("/suppliers/fetch", methods=["POST"])
@role_required("producer")
def fetch_supplier_footprint():
    form = {k: (request.form.get(k) or "").strip() for k in ("host", "id", "client_id")}
    try:
        found = pactinputs.fetch_footprint(get_db(), current_user, form["host"], form["id"],
                                           form["client_id"], request.form.get("secret") or "")
    except InvalidInput as exc:
        return _render_suppliers(exc.problems, fetch=form, status=400)
    flash(_("PACT footprint of %(company)s imported: use it in a BOM line as %(ref)s",
            company=found.company_name, ref="pact:" + found.id))
    return redirect(url_for("producer.suppliers"))


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
        problems.append(Problem("file", _("choose a file to attach")))
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


@bp.app_template_filter("producer_units")
def _units(units):
    """Declared units as options: the unit, and its word where it has one (piece: 件)."""
    return [(unit, word(UNITS, unit)) for unit in units]


@bp.app_template_filter("producer_choices")
def _choices(desc):
    """A parameter's choices as options, named in the reader's language where the plugin
    names them."""
    return parameter_choices(desc, language())


@bp.app_template_filter("producer_choice")
def _choice(desc, value):
    return dict(parameter_choices(desc, language())).get(value, str(value))
