"""Blueprint api.findings (/api/v1): the public findings of credit supervision.

    GET /api/v1/findings          every final public finding, newest first, each with its
                                  signed document (what other platforms fetch and check)

Public on purpose, like the exposure page: a final public finding is published. Nothing
else of a finding (drafts, evidence, the subject's response) is served here.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from footprint.schemacache import schema as built
from footprint.usecases import findings

from ..db import get_db
from .openapi import operation
from .schemas.findings import FindingListSchema

bp = Blueprint("findings", __name__)


@bp.get("/findings")
@operation("The public findings of credit supervision", public=True,
           responses={200: (FindingListSchema, "Every final public finding, newest "
                                               "first.")},
           description="Public: no token needed. Each finding carries its signed document "
                       "(kind \"finding\", checked against the platform's trust list as in "
                       "docs/signed-documents.md) and the index of its record leaf in the "
                       "transparency log.")
def public():
    return jsonify(built(FindingListSchema).dump({"findings":
                                              findings.public_findings(get_db())}))
