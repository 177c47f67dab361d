"""Blueprint: enterprise carbon accounts (企业碳账户, docs/carbon-accounts.md). The producer's
"my carbon account" page with its trend and stage charts (SVG drawn here, no JavaScript),
the declared-production and baseline forms, and the account statement as CSV, PDF and a
signed document.

``render_account(org_id)`` renders any organisation's account page for a reader the caller
has already let in (a consenting bank's view uses it); the routes here let in whom
``carbonaccounts.may_read`` does, and everyone else gets 404.
"""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from footprint.errors import InvalidInput
from footprint.usecases import accountdeclarations, accountstatement, carbonaccounts

from . import charts
from .db import get_db, get_engine
from .i18n import problem_text
from .labels import home
from .security import role_required
from .vocabulary import CO2E, STAGES, UNITS, in_language, word

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

def colour_word(colour: str) -> str:
    names = {"dark_green": _("dark green"), "light_green": _("light green"),
             "yellow": _("yellow"), "red": _("red")}
    return names[colour]


def _unit(unit: str | None) -> str:
    return word(UNITS, unit) if unit else ""


def _charts(account) -> dict:
    unit = _("kg CO₂e per unit produced")
    points = [(y.year, y.intensity, y.intensity_current) for y in account.years]
    trend = charts.trend(points, _("Carbon intensity per year"), _("as verified then"),
                         _("under the current data"), unit) if points else None
    latest = account.latest
    stage_chart = None
    if latest is not None and latest.by_stage:
        bars = [(word(STAGES, stage), value) for stage, value in latest.by_stage.items()
                if value]
        stage_chart = charts.stages(bars, _("Emissions by stage, %(year)s", year=latest.year),
                                    CO2E)
    return {"trend": trend, "stages": stage_chart}


def _product_rows(account) -> list[dict]:
    rows = []
    for product in account.products:
        name = in_language(product.name_zh, product.name)
        for f in reversed(product.footprints):  # newest first
            made = product.production.get(f.year)
            rows.append({"product": name, "footprint": f, "production": made,
                         "unit": _unit(product.unit), "declared_unit": f.declared_unit})
    return rows


def render_account(org_id: int, account=None, *, editable: bool = False, errors=None,
                   values=None, status: int = 200):
    """The account page of ``org_id`` (the reader already let in); ``editable`` shows the
    producer's forms."""
    account = account or carbonaccounts.account(get_db(), get_engine(), org_id)
    return render_template(
        "accounts/account.html", account=account, charts=_charts(account),
        rows=_product_rows(account), editable=editable, errors=errors or {},
        values=values or {}, colour_word=colour_word,
        products=[(p.product_id, in_language(p.name_zh, p.name), _unit(p.unit))
                  for p in account.products],
        unit_word=_unit), status


def _readable(org_id: int):
    """The account if the logged-in user may read it (else NotFound, a 404)."""
    return carbonaccounts.account_for(get_db(), get_engine(), current_user, org_id)


@bp.route("/")
@role_required("producer")
def mine():
    return redirect(url_for("accounts.show", org_id=current_user["org_id"]))


@bp.route("/<int:org_id>")
@login_required
def show(org_id: int):
    account = _readable(org_id)
    return render_account(org_id, account, editable=_own(org_id))


def _own(org_id: int) -> bool:
    return current_user.role == "producer" and current_user["org_id"] == org_id


def _refused(org_id: int, exc: InvalidInput, values: dict):
    errors = {}
    for problem in exc.problems:
        errors.setdefault(problem.where, []).append(problem_text(problem))
    return render_account(org_id, _readable(org_id), editable=_own(org_id), errors=errors,
                          values=values, status=400)


@bp.route("/<int:org_id>/production", methods=["POST"])
@role_required("producer")
def declare(org_id: int):
    _readable(org_id)
    form = request.form
    try:
        product_id = int(form.get("product", ""))
    except ValueError:
        product_id = None
    try:
        accountdeclarations.declare_production(get_db(), current_user, product_id,
                                               form.get("year"), form.get("amount"))
    except InvalidInput as exc:
        return _refused(org_id, exc, dict(form))
    return redirect(url_for("accounts.show", org_id=org_id) + "#production")


@bp.route("/<int:org_id>/baseline", methods=["POST"])
@role_required("producer")
def baseline(org_id: int):
    _readable(org_id)  # another organisation's: 404
    try:
        accountdeclarations.set_baseline_year(get_db(), current_user,
                                              request.form.get("baseline_year") or None)
    except InvalidInput as exc:
        return _refused(org_id, exc, dict(request.form))
    return redirect(url_for("accounts.show", org_id=org_id) + "#baseline")


def _download(content, mimetype: str, org_id: int, suffix: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="carbon-account-{org_id}.{suffix}"'})


@bp.route("/<int:org_id>/statement.csv")
@login_required
def statement_csv(org_id: int):
    # a BOM first, as spreadsheet programs need to read UTF-8 Chinese; Flask adds the
    # charset to a text/* mimetype itself
    return _download("\ufeff" + accountstatement.as_csv(_readable(org_id)), "text/csv",
                     org_id, "csv")


@bp.route("/<int:org_id>/statement.pdf")
@login_required
def statement_pdf(org_id: int):
    return _download(accountstatement.as_pdf(_readable(org_id)), "application/pdf", org_id,
                     "pdf")


@bp.route("/<int:org_id>/statement.cose")
@login_required
def statement_signed(org_id: int):
    return _download(accountstatement.signed(_readable(org_id), home()),
                     "application/cose", org_id, "cose")
