"""Blueprint: a logged-in user's own API tokens (/account/tokens), for the systems it
connects (a producer's ERP, an accounting body's tools, a bank's scoring): listed with when
each was last used, made with a label and the user's password (the token shown on that one
answer, never again), revoked by number. An administrator revokes anyone's on /admin/.

The rules live in footprint.usecases.tokens: the label's length, how many active tokens a
user may hold, that a user revokes only their own (another user's number is 404), and why a
new token asks for the password again.
"""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from footprint.errors import Conflict, InvalidInput, Throttled
from footprint.usecases import tokens

from .auth import throttled_message
from .db import get_db
from .forms import Field, Form, errors_at
from .problems import text
from .security import client_address

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
TOKEN_FORM = Form(
    Field("label", _l("What the token is for (e.g. ERP upload)")),
    Field("password", _l("Your password, to confirm it is you")),
)


def _page(problems=None, form=None, *, refused: str | None = None,
          new_token: str | None = None, status: int = 200):
    """The page: the user's tokens, then the form (its problems beside its fields, a
    refusal of the whole form above it; the label as sent, never the password) or the
    token just made."""
    rows = tokens.list_tokens(get_db(), current_user["username"])
    form = form or {}
    label = form.get("label", "")
    shown = TOKEN_FORM.shown(problems, form)
    response = make_response(render_template(
        "auth/tokens.html", tokens=rows, fields=TOKEN_FORM, label=label, problems=shown,
        errors=errors_at(shown), refused=refused, new_token=new_token,
        active=sum(1 for r in rows if not r["revoked_at"]),
        most=tokens.MAX_ACTIVE_TOKENS, longest=tokens.MAX_TOKEN_LABEL,
        language_next=url_for("tokens.index")), status)
    # the token itself is on this answer only: no cache (nor the back button) keeps it
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def index():
    return _page()


@bp.route("/", methods=["POST"])
@login_required
def create():
    form = request.form
    try:
        token = tokens.create_own_token(get_db(), current_user, form.get("label", ""),
                                        form.get("password", ""), client_address())
    except InvalidInput as exc:
        return _page(exc.problems, form, status=400)
    except Conflict as exc:
        return _page(form=form, refused=text(exc.message), status=409)
    except Throttled as exc:
        response = _page(form=form, refused=throttled_message(exc), status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _page(new_token=token)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    # another user's number: NotFound, the 404 a number without a token gets
    token = tokens.revoke_own_token(get_db(), current_user, token_id, client_address())
    flash(_("Token %(id)s (%(label)s) revoked: API calls with it are refused.",
            id=token["id"], label=token["name"]))
    return redirect(url_for(".index"))
