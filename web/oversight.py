"""Blueprint: what a regulator (or an administrator) reads of the whole platform, to read only
(footprint.usecases.oversight decides who may):

    /supervision/submissions        every submission a page at a time, newest first, by
                                    status and organisation (?status= ?org= ?before=)
    /supervision/organisations      producers, accounting bodies and banks with their counts,
                                    each kind a page at a time by name on its own cursor
                                    (?before= ?bodies_before= ?banks_before=), links to
                                    their submissions, a body's qualifications and (for a
                                    regulator) to record a finding about it

Neither page has a form that writes: the filter is a GET, and each submission links to the
page every role sees, which offers a regulator no action.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from footprint.usecases import oversight
from footprint.workflow import STATUSES

from .db import get_db, get_engine
from .security import role_required
from .submissions import page_links

bp = Blueprint("oversight", __name__, url_prefix="/supervision")


@bp.route("/submissions")
@role_required("regulator", "admin")
def submissions():
    db = get_db()
    listing = oversight.submissions(db, current_user, request.args)
    return render_template(
        "oversight/submissions.html", rows=listing.page.rows, count=listing.count,
        org=listing.org, status=request.args.get("status", ""), statuses=STATUSES,
        organisations=oversight.filterable(db, current_user),
        **page_links("oversight.submissions", listing.page))


@bp.route("/organisations")
@role_required("regulator", "admin")
def organisations():
    groups = oversight.organisations(get_db(), current_user, request.args)
    return render_template(
        "oversight/organisations.html", groups=groups,
        links={kind: page_links("oversight.organisations", listed.page,
                                oversight.CURSORS[kind], anchor=kind)
               for kind, listed in groups.items()},
        region_of=get_engine().registry.regions.get)
