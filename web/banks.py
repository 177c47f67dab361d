"""Blueprint: banks and the producers who let them in.

    /bank/                              a bank user: consenting organisations, loan products,
                                        the loans priced
    /bank/accounts/<org>                a consenting organisation's carbon account (404 if it
                                        does not consent)
    /bank/products/new                  a loan product: base rate and rules (presets)
    /bank/price                         price a loan for a consenting organisation
    /consents                           a producer: grant or revoke banks' access, the history
                                        of both, the loans banks priced on its account
    /loans/decisions/<id>               a priced loan, for its bank and its borrower
    /loans/decisions/<id>/document      the signed loan-pricing document (COSE_Sign1)
    /loans/decisions/<id>/proof         its inclusion proof in the transparency log (JSON)

Views are thin: who may see what and every write are footprint.usecases.consents' and
.loans' (an organisation that does not consent is 404 for a bank).
"""
from __future__ import annotations

from flask import (Blueprint, Response, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from footprint.errors import InvalidInput, from_data
from footprint.loanrules import PRESETS, bands_from_text
from footprint.usecases import consents, loans

from .accounts import render_account
from .db import get_db, get_engine
from .formatting import rate
from .forms import CHOOSE, Field, Form, errors_at
from .labels import label_issuer
from .problems import text
from .security import role_required

bp = Blueprint("banks", __name__)

LPR = "1年期LPR 1-year LPR"
COSE_TYPE = "application/cose; cose-type=\"cose-sign1\""


# -- the bank's pages ------------------------------------------------------------------------

@bp.route("/bank/")
@role_required("bank")
def index():
    db, bank = get_db(), consents.bank_org(current_user)
    return render_template("banks/index.html", borrowers=consents.consenting(db, bank),
                           products=loans.products(db, bank),
                           decisions=loans.decisions_for(db, current_user))


@bp.route("/bank/accounts/<int:org_id>")
@role_required("bank")
def account(org_id):
    org = consents.consented_org(get_db(), consents.bank_org(current_user), org_id)
    return render_account(org["id"])  # the account page, as the producer reads it


# The loan product's form: each field's label, and the paths the terms' problems name it by
# (a rule's, by its kind: the view says which kind rules[N] is, the ticked ones being listed).
PRODUCT_FORM = Form(
    Field("name", _l("Name of the loan product")),
    Field("base_rate_name", _l("Base rate")),
    Field("base_rate_pct", _l("Base rate (% a year)")),
    Field("base_rate_date", _l("Published on")),
    Field("rules", _l("Rules"), blank=None),
    Field("use_target", _l("Annual reduction target met: step cut (30-65 bp)"), "target",
          blank=None),
    Field("target_pct", _l("Target reduction (%)"), "target.target_pct", "use_target"),
    Field("target_cut_bp", _l("Cut (bp)"), "target.cut_bp", "use_target"),
    Field("use_reduction", _l("Verified reduction of at least a share"), "reduction",
          blank=None),
    Field("reduction_min_pct", _l("Reduction at least (%)"), "reduction.min_pct",
          "use_reduction"),
    Field("reduction_cut_bp", _l("Cut (bp)"), "reduction.cut_bp", "use_reduction"),
    Field("use_label", _l("While the product holds a valid carbon label"), "label",
          blank=None),
    Field("label_cut_bp", _l("Cut (bp)"), "label.cut_bp", "use_label"),
    Field("use_subsidy", _l("Interest subsidy (zero-carbon coupon)"), "subsidy", blank=None),
    Field("subsidy_amount", _l("Amount"), ("subsidy.bp", "subsidy.yuan"), "use_subsidy"),
    Field("subsidy_unit", _l("In"), within="use_subsidy", blank=CHOOSE),
    Field("subsidy_cap_yuan", _l("At most (yuan)"), "subsidy.cap_yuan", "use_subsidy"),
    Field("subsidy_min_pct", _l("Only from a reduction of (%, optional)"),
          "subsidy.min_reduction_pct", "use_subsidy"),
    Field("use_table", _l("The bank's own table of reduction bands"), "table", blank=None),
    Field("table_bands", _l("One band a line, from-to: bp (the last may be open: 10-: 60)"),
          "table.bands", "use_table", entry=_l("band %(number)s")),
)
PRICE_FORM = Form(
    Field("borrower", _l("Borrower"), blank=CHOOSE),
    Field("loan_product", _l("Loan product"), blank=CHOOSE),
    Field("principal", _l("Principal (yuan)")),
    # the year priced on; the year before it is the reduction's base
    Field("year", _l("Year priced on"), ("year", "base_year")),
    Field("product", _l("Priced on"), blank=None),
)


def _rules_from_form(form) -> tuple[list[dict], list]:
    """The presets ticked on the form, with the figures typed beside them, and the problems
    of a table whose bands could not all be read (the table is then left out of the rules,
    which are checked all the same)."""
    rules, problems = [], []
    if form.get("use_target"):
        rules.append({"kind": "target", "target_pct": form.get("target_pct"),
                      "cut_bp": form.get("target_cut_bp")})
    if form.get("use_reduction"):
        rules.append({"kind": "reduction", "min_pct": form.get("reduction_min_pct"),
                      "cut_bp": form.get("reduction_cut_bp")})
    if form.get("use_label"):
        rules.append({"kind": "label", "cut_bp": form.get("label_cut_bp")})
    if form.get("use_subsidy"):
        amount = {"yuan": form.get("subsidy_amount")} if form.get("subsidy_unit") == "yuan" \
            else {"bp": form.get("subsidy_amount")}
        rules.append({"kind": "subsidy", **amount, "cap_yuan": form.get("subsidy_cap_yuan"),
                      "min_reduction_pct": form.get("subsidy_min_pct") or None})
    if form.get("use_table"):
        bands, problems = bands_from_text(form.get("table_bands"), f"rules[{len(rules)}].bands")
        if not problems:  # else the bands read would be numbered apart from their lines
            rules.append({"kind": "table", "bands": bands})
    return rules, problems


def _rule_kinds(form) -> dict[str, str]:
    """Which rule rules[N] is, by its kind: _rules_from_form lists the ticked ones only, in
    this order."""
    ticked = [kind for kind in ("target", "reduction", "label", "subsidy", "table")
              if form.get(f"use_{kind}")]
    return {f"rules[{i}]": kind for i, kind in enumerate(ticked)}


def _product_form(values, problems=(), status=200):
    shown = PRODUCT_FORM.shown(problems, values, _rule_kinds(values))
    return render_template("banks/product.html", values=values, presets=PRESETS,
                           form=PRODUCT_FORM, problems=shown,
                           errors=errors_at(shown)), status


DEFAULTS = {"base_rate_name": LPR, "target_pct": 10, "target_cut_bp": 60,
            "reduction_min_pct": 5, "reduction_cut_bp": 10, "label_cut_bp": 89,
            "subsidy_amount": 50, "subsidy_unit": "bp", "subsidy_cap_yuan": 50000,
            "table_bands": "3-5: 10\n5-10: 30\n10-: 60"}


@bp.route("/bank/products/new", methods=["GET", "POST"])
@role_required("bank")
def new_product():
    if request.method == "GET":
        return _product_form(DEFAULTS)
    form = request.form
    rules, unread = _rules_from_form(form)
    try:
        made = loans.create_product(
            get_db(), consents.bank_org(current_user), form.get("name"),
            form.get("base_rate_name"), form.get("base_rate_pct"), form.get("base_rate_date"),
            rules, current_user["id"], unread)
    except InvalidInput as exc:
        return _product_form(form, exc.problems, 400)
    flash(_("Loan product %(name)s saved.", name=made["name"]))
    return redirect(url_for("banks.index"))


def _price_form(values, problems=(), status=200):
    db, bank = get_db(), consents.bank_org(current_user)
    shown = PRICE_FORM.shown(problems, values)
    return render_template("banks/price.html", values=values, problems=shown,
                           form=PRICE_FORM, errors=errors_at(shown),
                           borrowers=consents.consenting(db, bank),
                           products=loans.products(db, bank),
                           priced_on=loans.priced_products(db, bank)), status


@bp.route("/bank/price", methods=["GET", "POST"])
@role_required("bank")
def price():
    if request.method == "GET":
        return _price_form(request.args)
    form = request.form
    try:
        decision = loans.price_for(
            get_db(), get_engine(), label_issuer(), current_user,
            _row_id(form.get("loan_product")), _row_id(form.get("borrower")),
            form.get("principal"), form.get("year"), _row_id(form.get("product")))
    except InvalidInput as exc:
        return _price_form(form, exc.problems, 400)
    flash(_("Loan priced at %(rate)s; the decision is signed and logged.",
            rate=rate(decision["rate_bp"])))
    return redirect(url_for("banks.decision", decision_id=decision["id"]))


def _row_id(value) -> int | None:
    """A row id from a form's select (anything else: None, which the use case refuses or
    takes as "not given")."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2 ** 63 else None


# -- the producer's pages ------------------------------------------------------------------------

@bp.route("/consents")
@role_required("producer")
def consent_list():
    db, org = get_db(), consents.producer_org(current_user)
    return render_template("banks/consents.html", banks=consents.banks(db, org),
                           history=consents.history(db, org),
                           decisions=loans.decisions_for(db, current_user))


@bp.route("/consents/<int:bank_id>/grant", methods=["POST"])
@role_required("producer")
def grant(bank_id):
    bank = consents.grant(get_db(), consents.producer_org(current_user), bank_id,
                          current_user["id"])
    flash(_("%(bank)s may now read your carbon account.", bank=bank["name"]))
    return redirect(url_for("banks.consent_list"))


@bp.route("/consents/<int:bank_id>/revoke", methods=["POST"])
@role_required("producer")
def revoke(bank_id):
    bank = consents.revoke(get_db(), consents.producer_org(current_user), bank_id,
                           current_user["id"])
    flash(_("%(bank)s can no longer read your carbon account.", bank=bank["name"]))
    return redirect(url_for("banks.consent_list"))


# -- a decision, for its bank and its borrower ----------------------------------------------

@bp.route("/loans/decisions/<int:decision_id>")
@role_required("bank", "producer")
def decision(decision_id):
    db = get_db()
    found = loans.decision_for(db, current_user, decision_id)
    return render_template("banks/decision.html", decision=found,
                           evidence=loans.evidence_of(db, found),
                           explanation=[text(from_data(m)) for m in found["explanation"]])


@bp.route("/loans/decisions/<int:decision_id>/document")
@role_required("bank", "producer")
def document(decision_id):
    signed = loans.document_for(get_db(), current_user, decision_id)
    return Response(signed, mimetype="application/cose", headers={
        "Content-Disposition": f"attachment; filename=loan-pricing-{decision_id}.cose"})


@bp.route("/loans/decisions/<int:decision_id>/proof")
@role_required("bank", "producer")
def proof(decision_id):
    return jsonify(loans.proof_for(get_db(), current_user, decision_id))
