"""Blueprint api.submissions (/api/v1): submissions, their workflow actions, and the
reference data a BOM names (regions, categories, factors).

    POST /api/v1/submissions                      create a draft from a BOM (Idempotency-Key)
    GET  /api/v1/submissions[?status=S]           what this user may see, newest first
    GET  /api/v1/submissions/<id>                 one submission, everything the user may know
    PUT  /api/v1/submissions/<id>                 revise a draft or returned one
    POST /api/v1/submissions/<id>/submit | verify | approve | return
    GET  /api/v1/regions | categories | factors   the reference data
    GET  /api/v1/datasets                         the datasets the factors come from (public)

Every other call needs a bearer token (the parent blueprint, web.api, checks it).
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for

from footprint.bom import BomSchema
from footprint.data import SAID_IN_CHINESE
from footprint.errors import InvalidInput, Problem, said
from footprint.paging import PAGE_SIZE
from footprint.parameters import describe_parameters
from footprint.resultnames import named
from footprint.schemacache import schema as built
from footprint.suggest import unknown
from footprint.usecases import actions, datasources, review
from footprint.usecases import submissions as subs
from footprint.usecases.organisations import organisation
from footprint.workflow import check_action, check_edit, sent_away_from

from ..db import get_db, get_engine
from ..labels import home, issuing, label_issuer, submission_label
from .body import idempotency_key, json_body, json_object, load, query
from .openapi import operation
from .schemas.referencedata import (CategoryListSchema, DatasetListSchema, DatasetsQuerySchema,
                                    FactorListSchema, FactorsQuerySchema, RegionListSchema)
from .schemas.submissions import (NoteRequestSchema, ReturnRequestSchema, SubmissionListSchema,
                                  SubmissionSchema, SubmissionsQuerySchema, SubmitRequestSchema,
                                  VerifyRequestSchema)

bp = Blueprint("submissions", __name__)


# -- representations -------------------------------------------------------------------------

def _person(user_id, display_name, role, org_name) -> dict:
    return {"id": user_id, "display_name": display_name, "role": role,
            "organisation": org_name}


def _org_ref(db, org_id, cache: dict) -> dict | None:
    if org_id is None:
        return None
    if org_id not in cache:
        org = organisation(db, org_id)
        cache[org_id] = {"id": org["id"], "name": org["name"]}
    return cache[org_id]


def summary(db, row: dict, total, orgs: dict) -> dict:
    product = row["bom"]["product"]
    label = submission_label(db, row["id"])
    return {"id": row["id"], "status": row["status"], "revision": row["revision"],
            "product_id": row["product_id"], "product_name": product["name"],
            "product_name_zh": product.get("name_zh"),
            "category": product.get("category", "generic"),
            "organisation": _org_ref(db, row["org_id"], orgs),
            "verifier_org": _org_ref(db, row["verifier_org_id"], orgs),
            "sent_to_another_body": sent_away_from(g.api_user, row),
            "total_kg_co2e": total, "label_id": label and label["id"],
            "label_status": label and label["status"], "label": label,
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def detail(submission_id: int, row: dict | None = None) -> dict:
    """Everything the user may know about a submission, from the core's own accessors
    (``row``: the submission as the use case that wrote it just answered, not read again)."""
    db, user = get_db(), g.api_user
    row = row or subs.get(db, user, submission_id)
    result = subs.latest_result(db, row)
    trail = [{"action": e["action"], "from_status": e["from_status"],
              "to_status": e["to_status"], "reason": e["reason"], "at": e["at"],
              "actor": _person(e["actor_id"], e["display_name"], e["role"], e["org_name"])}
             for e in subs.audit_trail(db, user, submission_id)]

    def last_actor(action, user_id):
        for event in reversed(trail):
            if event["action"] == action and event["actor"]["id"] == user_id:
                return event["actor"]
        return None if user_id is None else _person(user_id, None, None, None)

    out = summary(db, row, result["total_kg_co2e"] if result else None, {})
    out.update(
        bom=row["bom"], result=result,
        verified_by=last_actor("verify", row["verified_by"]),
        approved_by=last_actor("approve", row["approved_by"]),
        audit_trail=trail,
        comments=[{"id": c["id"], "line": c["line"], "body": c["body"],
                   "created_at": c["created_at"],
                   "author": _person(c["user_id"], c["display_name"], c["role"], None)}
                  for c in review.comments(db, user, submission_id)],
        evidence=[dict(e) for e in review.evidence_list(db, user, submission_id)])
    return built(SubmissionSchema).dump(out)


def _submission_response(submission_id: int, status: int, row: dict | None = None):
    response = jsonify(detail(submission_id, row))
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for(".get_submission",
                                               submission_id=submission_id)
    return response


# -- submissions -----------------------------------------------------------------------------

IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Any unique string (a UUID). Sending the same key again (same user) "
                   "returns the submission the first request created, with 200, and creates "
                   "nothing, whatever the body."}
SUBMISSION = (SubmissionSchema, "The submission: status, BOM, latest result, verifier "
                                "organisation, audit trail, comments, evidence.")


@bp.post("/submissions")
@operation("Create a draft submission from a BOM and calculate it",
           body=BomSchema, parameters=[IDEMPOTENCY_PARAMETER], errors=(403,),
           responses={201: (SubmissionSchema, "Created, with the calculated result.",
                            "application/json", {"Location": {
                                "description": "The submission's URL.", "required": True,
                                "schema": {"type": "string"}}}),
                      200: (SubmissionSchema, "Idempotent replay: the submission first "
                                              "created with this Idempotency-Key.")},
           description="The body is a BOM as in docs/bom.md. Producers only. Every problem "
                       "of the BOM is reported at once, located by JSON path; nothing is "
                       "stored unless the BOM calculates.")
def create_submission():
    key = idempotency_key()
    bom = json_object()
    submission, created = subs.create_submission(get_db(), get_engine(), g.api_user, bom,
                                                  idempotency_key=key, home=home())
    return _submission_response(submission["id"], 201 if created else 200, submission)


@bp.get("/submissions")
@operation("List the submissions this user may see, newest first, a page at a time",
           query=SubmissionsQuerySchema, errors=(400,),
           responses={200: (SubmissionListSchema, "A page of the submissions.")},
           description="Producers see their organisation's, verifiers those assigned to "
                       "their body and those it verified or returned before the producer "
                       "sent them to another body (`sent_to_another_body`: read only), "
                       "reviewers every submitted one. Newest first by update "
                       "time, `limit` a page; `next_before` asks for the next page (a "
                       "submission updated meanwhile moves to the first page).")
def list_submissions():
    db, wanted = get_db(), query(SubmissionsQuerySchema)
    page = subs.readable(db, g.api_user, (wanted["status"],) if "status" in wanted else (),
                         wanted.get("before"), wanted.get("limit", PAGE_SIZE))
    orgs: dict = {}
    return jsonify(built(SubmissionListSchema).dump(
        {"submissions": [summary(db, row, row["total_kg_co2e"], orgs) for row in page.rows],
         "next_before": page.next_before}))


@bp.get("/submissions/<int:submission_id>")
@operation("Read a submission", responses={200: SUBMISSION}, errors=(404,))
def get_submission(submission_id):
    return _submission_response(submission_id, 200)


@bp.put("/submissions/<int:submission_id>")
@operation("Replace the BOM of a draft or returned submission and recalculate",
           body=BomSchema, responses={200: SUBMISSION}, errors=(403, 404, 409))
def revise_submission(submission_id):
    db, user = get_db(), g.api_user
    check_edit(user, subs.get(db, user, submission_id))  # 404/403/409 before the body
    revised = subs.revise(db, get_engine(), user, submission_id, json_object(), home=home())
    return _submission_response(submission_id, 200, revised)


def _act(submission_id: int, action: str, schema_class):
    db, user = get_db(), g.api_user
    check_action(user, subs.get(db, user, submission_id), action)  # 404/403/409 first
    data = load(schema_class, json_body(optional=True))
    with issuing():  # approval issues the label; without an issuer key: 409, nothing stored
        actions.act(db, user, submission_id, action,
                    reason=data.get("reason") or data.get("note"),
                    verifier_org=data.get("verifier_org"),
                    checklist=data.get("checklist", ()),
                    issuer=label_issuer() if action == "approve" else None)
    return _submission_response(submission_id, 200)


@bp.post("/submissions/<int:submission_id>/submit")
@operation("Submit a draft or returned submission for verification",
           body=SubmitRequestSchema, body_required=False, responses={200: SUBMISSION},
           errors=(403, 404, 409),
           description="The producing organisation only. Without verifier_org, a platform "
                       "with a single accounting body assigns it, and a resubmission goes "
                       "back to the body that returned it; otherwise 400 names the choices.")
def submit(submission_id):
    return _act(submission_id, "submit", SubmitRequestSchema)


@bp.post("/submissions/<int:submission_id>/verify")
@operation("Mark a submitted submission verified, its checklist confirmed",
           body=VerifyRequestSchema, responses={200: SUBMISSION},
           errors=(403, 404, 409),
           description="A verifier of the accounting body assigned to the submission, never "
                       "of the producing organisation, who confirms every item of the "
                       "checklist.")
def verify(submission_id):
    return _act(submission_id, "verify", VerifyRequestSchema)


@bp.post("/submissions/<int:submission_id>/approve")
@operation("Approve a verified submission",
           body=NoteRequestSchema, body_required=False,
         responses={200: (SubmissionSchema, "The submission, now issued: label_id and "
                                              "label (status, URL, links) name the carbon "
                                                "label signed on approval.")},
           errors=(403, 404, 409),
           description="A platform reviewer who did not verify it, of another organisation "
                       "than the producer. Approval signs the carbon label with the "
                       "platform's issuer key and records it in the transparency log, in "
                       "one transaction; if the product had a current label, the new one "
                       "supersedes it. Without an issuer key the answer is 409, naming the "
                       "command the operator runs, and nothing changes.")
def approve(submission_id):
    return _act(submission_id, "approve", NoteRequestSchema)


@bp.post("/submissions/<int:submission_id>/return")
@operation("Return a submitted or verified submission to the producer, with a reason",
           body=ReturnRequestSchema, responses={200: SUBMISSION}, errors=(403, 404, 409),
           description="The assigned accounting body returns a submitted one; a platform "
                       "reviewer a verified one.")
def return_(submission_id):
    return _act(submission_id, "return", ReturnRequestSchema)


# -- reference data --------------------------------------------------------------------------

@bp.get("/regions")
@operation("The regions a BOM may name, with the data years of their factors",
           responses={200: (RegionListSchema, "Every region.")})
def regions():
    registry = get_engine().registry
    years = registry.years_by_region()
    rows = sorted(registry.regions.values(),
                  key=lambda r: (r.country, r.level != "country", r.code))
    return jsonify(built(RegionListSchema).dump({"regions": [
        {"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
         "country": r.country, "grids": list(r.grids), "fallback": list(r.fallback),
         "fallback_note": str(r.fallback_note), "fallback_note_zh": said(r.fallback_note, "zh"),
         "factor_years": years.get(r.code, []),
         "plugin": r.plugin} for r in rows]}))


@bp.get("/categories")
@operation("Product categories with the parameters a producer gives for each",
           responses={200: (CategoryListSchema, "Every category.")})
def categories():
    registry = get_engine().registry
    return jsonify(built(CategoryListSchema).dump({"categories": [
        {"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en,
         "description": c.description, "description_zh": c.described("zh"),
         "declared_units": list(c.declared_units),
         "plugin": c.plugin, "parameters": describe_parameters(c),
         "grading": None if c.grading is None else {
             "unit": c.grading.unit, "unit_zh": c.grading.unit_text.said("zh"),
             "provisional": c.grading.provisional,
             "bands": [{"grade": b.grade, "up_to": b.up_to} for b in c.grading.bands]}}
        for c in registry.categories.values()]}))


@bp.get("/factors")
@operation("Electricity emission factors with their sources and plugins",
           query=FactorsQuerySchema, errors=(400,),
           responses={200: (FactorListSchema, "The factors, by region, basis and year.")})
def factors():
    registry = get_engine().registry
    wanted = query(FactorsQuerySchema)
    region = wanted.get("region")
    if region is not None and region not in registry.regions:
        raise InvalidInput([Problem("region", unknown("region", region, registry.regions))])
    chosen = sorted((f for f in registry.electricity.values()
                     if all(wanted.get(k) in (None, getattr(f, k))
                            for k in ("region", "year", "basis"))),
                    key=lambda f: (f.region, f.basis, f.year))
    fallback = None
    if region is not None and registry.regions[region].fallback:
        note = registry.regions[region].fallback_note
        fallback = {"regions": list(registry.regions[region].fallback), "note": str(note),
                    "note_zh": said(note, "zh")}
    return jsonify(built(FactorListSchema).dump({"factors": [
        {"region": f.region, "year": f.year, "basis": f.basis, "value": f.value,
         "unit": f"kg {f.flow}/kWh", "flow": f.flow, "source": f.source.as_dict(),
         "plugin": f.plugin} for f in chosen], "fallback": fallback}))


@bp.get("/datasets")
@operation("The datasets every footprint here is calculated from", public=True,
           query=DatasetsQuerySchema, errors=(400, 404),
           responses={200: (DatasetListSchema, "Every dataset, in the version calculations "
                                               "use now or of the data version asked.")},
           description="Public: no token needed. The list the public page /registry/data "
                       "shows: each dataset as its manifest describes it, in English and in "
                       "Chinese, with how many factors cite it, and the data versions.")
def datasets():
    sources = datasources.data_sources(get_engine(), query(DatasetsQuerySchema).get("version"))
    return jsonify(built(DatasetListSchema).dump({
        "data_version": sources.name, "data_version_hash": sources.hash,
        "current": sources.current,
        "versions": sources.versions,
        "datasets": [{**{key: entry.get(key) for key in (
            "id", "version", "year", "factors", "plugin", "source", "sha256")},
            "kind": entry.get("kind") or "",
            **{key: str(entry.get(key) or "") for key in SAID_IN_CHINESE},
            **{f"{key}_zh": named(entry, "zh", key) for key in SAID_IN_CHINESE}}
            for entry in sources.datasets]}))
