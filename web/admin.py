"""Blueprint: administration: organisations, users, their API tokens (when each was last
used; revoked by number), the platform's factor libraries and the PACT clients of buyers'
systems (docs/pact.md).

The rules live in footprint.usecases.organisations (unique names, regions, credit codes),
footprint.usecases.users (a role implies the kind of its organisation, the minimum password
length, and that an administrator cannot deactivate themselves) and footprint.usecases.tokens.
Names people read elsewhere (organisation names are published beside signed labels) are checked
here first by footprint.text's rule: NFC, no invisible control characters.
"""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from footprint import InvalidInput
from footprint.errors import Conflict, NotFound, Problem
from footprint.factortable import CHINESE_HEADINGS
from footprint.text import checked
from footprint.settings import benchmark_threshold
from footprint.usecases import benchmarks, organisations, tokens, users
from footprint.usecases import libraries as factor_libraries
from footprint.usecases import pactclients, qualifications
from footprint.workflow import ORG_KINDS, ROLE_ORG_KIND, ROLES

from .db import get_db, get_engine
from .forms import Field, Form, errors_at
from .i18n import localised
from .problems import text
from .security import client_address, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
# what an administrator corrects of an organisation (its kind is not edited)
ORGANISATION_FORM = Form(
    Field("name", _l("Name")),
    Field("region", _l("Region (a code such as CN-SC, or a name such as 四川; blank for none)"),
          blank=None),
    Field("credit_code", _l("Unified social credit code (blank for none)"), blank=None),
)


def _page(problems=None, form=None, which=None, status=200, new_client=None):
    db = get_db()
    return render_template(
        "admin/index.html", organisations=organisations.list_organisations(db),
        users=users.list_users(db), api_tokens=tokens.list_tokens(db), roles=ROLES,
        kinds=ORG_KINDS,
        role_kind=ROLE_ORG_KIND, min_password=users.MIN_PASSWORD,
        libraries=factor_libraries.libraries(_home()),
        library_columns=list(CHINESE_HEADINGS.items()),
        pact_clients=pactclients.list_clients(db), new_client=new_client,
        benchmarks=benchmarks.distributions(db), benchmark_threshold=benchmark_threshold(),
        category_of=get_engine().registry.categories.get,
        attention=qualifications.needing_attention(db),
        categories=get_engine().registry.categories,
        problems=localised(problems), form=form or {}, which=which,
        # after a POST (a refused form), the language switch leads back to this page
        language_next=url_for("admin.index")), status


def _home() -> Path:
    return Path(current_app.config["FOOTPRINT_HOME"])


def _names(form: dict, *keys: str) -> dict:
    """``form`` with the names among ``keys`` NFC-normalised; InvalidInput locating any that
    holds an invisible control character (before anything is created)."""
    problems: list[Problem] = []
    clean = dict(form, **{k: checked(form[k], k, problems) for k in keys})
    if problems:
        raise InvalidInput(problems)
    return clean


@bp.route("/")
@role_required("admin")
def index():
    return _page()


@bp.route("/organisations", methods=["POST"])
@role_required("admin")
def create_organisation():
    form = {k: request.form.get(k, "") for k in ("name", "kind", "region", "credit_code")}
    try:
        clean = _names(form, "name", "region")
        org = organisations.create_organisation(get_db(), clean["name"], clean["kind"],
                                                clean["region"], clean["credit_code"],
                                                get_engine().registry)
    except InvalidInput as exc:
        return _page(exc.problems, form, "organisation", 400)
    flash(_("Organisation %(name)s created.", name=org["name"]))
    return redirect(url_for(".index"))


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@role_required("admin")
def organisation(org_id):
    """Correct an organisation's name, region or unified social credit code; labels issued
    before keep what they signed (the page says so)."""
    db = get_db()
    org = organisations.organisation_numbered(db, org_id)
    if org is None:
        abort(404)
    if request.method == "GET":
        return _organisation_page(org)
    form = {k: request.form.get(k, "") for k in ("name", "region", "credit_code")}
    try:
        edited = organisations.edit_organisation(
            db, current_user, org["id"], name=form["name"], region=form["region"],
            credit_code=form["credit_code"], registry=get_engine().registry,
            address=client_address())
    except InvalidInput as exc:
        return _organisation_page(org, exc.problems, form, 400)
    flash(_("Organisation %(name)s saved.", name=edited["name"]) if edited != org else
          _("Organisation %(name)s: nothing changed.", name=edited["name"]))
    return redirect(url_for(".index") + "#organisations")


def _organisation_page(org: dict, problems=None, form=None, status=200):
    form = form or {k: org[k] or "" for k in ORGANISATION_FORM.by_name}
    shown = ORGANISATION_FORM.shown(problems, form)
    return render_template(
        "admin/organisation.html", org=org, problems=shown, errors=errors_at(shown),
        fields=ORGANISATION_FORM, form=form,
        language_next=url_for("admin.organisation", org_id=org["id"])), status


@bp.route("/users", methods=["POST"])
@role_required("admin")
def create_user():
    db = get_db()
    form = {k: request.form.get(k, "") for k in ("username", "display_name", "role", "org")}
    orgs = {str(o["id"]): o for o in organisations.list_organisations(db)}
    try:
        if form["org"] not in orgs:
            raise InvalidInput([Problem("org", _("choose an organisation"))])
        clean = _names(form, "username", "display_name")
        user = users.create_user(db, clean["username"].strip(), clean["role"],
                                 orgs[form["org"]]["id"], request.form.get("password", ""),
                                 display_name=clean["display_name"].strip() or None)
    except InvalidInput as exc:
        return _page(exc.problems, form, "user", 400)
    flash(_("User %(name)s created.", name=user["username"]))
    return redirect(url_for(".index"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required("admin")
def deactivate(user_id):
    user = users.set_user_active(get_db(), current_user, user_id, False,
                                 client_address())
    flash(_("User %(name)s deactivated.", name=user["username"]))
    return redirect(url_for(".index"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required("admin")
def reactivate(user_id):
    user = users.set_user_active(get_db(), current_user, user_id, True,
                                 client_address())
    flash(_("User %(name)s reactivated.", name=user["username"]))
    return redirect(url_for(".index"))


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_api_token(token_id):
    try:
        [token] = tokens.revoke_tokens(get_db(), token_id=token_id, actor=current_user,
                                       address=client_address())
    except NotFound:
        flash(_("No such token, or it is revoked already."))
    else:
        flash(_("Token %(id)s of %(name)s revoked: API calls with it are refused.",
                id=token["id"], name=token["username"]))
    return redirect(url_for(".index") + "#api-tokens")


@bp.route("/libraries", methods=["POST"])
@role_required("admin")
def import_library():
    """A factor table becomes a new version of a library; a file with any problem is
    refused whole, each problem at its row and column."""
    form = {k: request.form.get(k, "").strip() for k in ("name", "version", "title",
                                                          "publisher", "licence")}
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput([Problem("file", _("choose a CSV or XLSX file"))])
        content = upload.read(factor_libraries.MAX_BYTES + 1)
        found = factor_libraries.import_library(
            _home(), upload.filename, content, form["name"], form["version"],
            by=f"{current_user['display_name'] or current_user['username']} (administration page)",
            title=form["title"], publisher=form["publisher"], licence=form["licence"])
    except InvalidInput as exc:
        return _page(exc.problems, form, "library", 400)
    g.pop("footprint_engine", None)  # the engine this request saw is the one before the import
    get_engine().inventory  # the new data version's background, built now, not on a producer's request
    flash(_("Library %(name)s: version %(version)s imported with %(n)s factors.",
            name=found["name"], version=form["version"], n=found["versions"][-1]["factors"]))
    return redirect(url_for(".index") + "#libraries")


@bp.route("/pact-clients", methods=["POST"])
@role_required("admin")
def create_pact_client():
    """A buyer's system may read issued labels through the PACT API; its secret is shown on
    this one answer (never stored, never shown again)."""
    db = get_db()
    form = {k: request.form.get(k, "") for k in ("name", "org")}
    orgs = {str(o["id"]): o for o in organisations.list_organisations(db)}
    try:
        if form["org"] and form["org"] not in orgs:
            raise InvalidInput([Problem("org", _("choose an organisation"))])
        client, secret = pactclients.create_client(db, form["name"],
                                            orgs[form["org"]]["name"] if form["org"] else None)
    except InvalidInput as exc:
        return _page(exc.problems, form, "pact", 400)
    response = current_app.make_response(_page(new_client={**client, "secret": secret}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/pact-clients/<client_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_pact_client(client_id):
    if pactclients.revoke_client(get_db(), client_id):
        flash(_("Client %(id)s revoked: its tokens no longer work.", id=client_id))
    else:
        flash(_("No such client, or it is revoked already."))
    return redirect(url_for(".index") + "#pact-clients")


@bp.route("/grade-bands", methods=["POST"])
@role_required("admin")
def adopt_grade_bands():
    """Grade bands derived from a category's benchmark, from now on (docs/registry.md)."""
    try:
        version = benchmarks.adopt(get_db(), _home(), current_user, get_engine().registry,
                                   request.form.get("category", ""),
                                   request.form.get("unit", ""))
    except (InvalidInput, Conflict) as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else [exc.args[0]]
        for problem in problems:
            flash(text(getattr(problem, "message", problem)))
        return redirect(url_for(".index") + "#grade-bands")
    flash(_("Grade bands version %(version)s adopted: %(basis)s.", version=version["version"],
            basis=_("benchmark of %(n)s verified products, %(date)s", n=version["n"],
                    date=version["as_of"])))
    return redirect(url_for(".index") + "#grade-bands")
