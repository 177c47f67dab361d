"""Blueprint api.labels (/api/v1): carbon labels and the transparency log in the JSON API.

    GET  /api/v1/labels/<id>                    the label: claims, status, URL, log index
    GET  /api/v1/labels/<id>/proof[?tree_size=N] inclusion proof of its issuance (base64)
    GET  /api/v1/labels/<id>/qr.png | qr.svg     the QR code holding the label URL
    GET  /api/v1/labels/<id>/label.png | label.svg | label.pdf   the printable label
    GET  /api/v1/labels/<id>/battery-pass        a battery label's Battery Pass record
    POST /api/v1/labels/<id>/revoke {"reason"}   reviewers and administrators (bearer token)
    GET  /api/v1/labels/revoked                  the public list of revoked labels
    GET  /api/v1/log/consistency?from=M[&to=N]   consistency proof between two tree sizes

Only revoking needs a token. Everything else is public on purpose: a label is a public
credential (its QR code on the package carries every signed claim, and the scan page shows
it to anyone), so its JSON, its images, its proof and the revocation list add nothing a
token could protect, and verifiers, monitors and other regions' platforms must reach them
without an account. Label ids carry 64 random bits, so labels cannot be listed by guessing.

The views are thin: footprint.usecases owns reading, revoking and the proofs of labels,
footprint.labels the images; web.labels shapes what a label's JSON shows.
"""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from footprint.errors import InvalidInput, Message, Problem
from footprint.labels import printed, qr
from footprint.labels.revocations import revocation_list
from footprint.schemacache import schema as built
from footprint.usecases import batterypass
from footprint.usecases import labels as label_records
from footprint.usecases import transparency
from footprint.usecases.revoking import revoke as revoke_label

from ..db import get_db
from ..labels import issuer_entry, public_view, url_of
from ..vocabulary import BOUNDARIES, DATA_QUALITY_LEVELS, word
from .body import json_body, load, query
from .openapi import operation
from .schemas.batterypass import BatteryPassSchema
from .schemas.labels import LabelSchema, RevokedListSchema, RevokeRequestSchema
from .schemas.proofs import (ConsistencyProofSchema, ConsistencyQuerySchema,
                             InclusionProofSchema, ProofQuerySchema)

# the parent's token check passes the public views; revoking needs a token
bp = Blueprint("labels", __name__)

IMAGE_CACHE = "public, max-age=86400"  # a label's bytes never change; its status may
LABEL_ID_PARAMETER = {"name": "label_id", "in": "path", "required": True,
                      "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
                      "description": "The signed label id, e.g. CN-SC-K5QX7M2ZP4H6A."}
DOWNLOAD_PARAMETER = {"name": "download", "in": "query", "required": False,
                      "schema": {"type": "string", "enum": ["1"]},
                      "description": "1: Content-Disposition attachment (save the file) "
                                     "instead of inline."}
PUBLIC = ("Public: no token needed (a label is public; see the description of the label "
          "endpoints).")


@bp.after_request
def caching(response):
    if response.mimetype == "application/json":
        response.headers["Cache-Control"] = "no-cache"  # status and the log move on
    return response


def _label(label_id: str) -> dict:
    return label_records.get(get_db(), label_id)


def _json(schema_class, data):
    return jsonify(built(schema_class).dump(data))


# -- the label and its proof -----------------------------------------------------------------

@bp.get("/labels/revoked")
@operation("The public list of revoked labels", public=True,
           responses={200: (RevokedListSchema, "Every revoked label, oldest revocation "
                                               "first, in the format `footprint verify "
                                               "--revocations FILE` reads.")},
           description=f"{PUBLIC} Save it and give it to `footprint verify --revocations` to "
                       "have an offline verifier report revoked labels.")
def revoked():
    return _json(RevokedListSchema, revocation_list(label_records.revoked(get_db())))


@bp.get("/labels/<label_id>")
@operation("A carbon label: its signed claims, status, URL and place in the log",
           public=True, responses={200: (LabelSchema, "The label.")}, errors=(404,),
           parameters=[LABEL_ID_PARAMETER],
           description=f"{PUBLIC} status is valid, superseded (superseded_by names the "
                       "current label), revoked (with the public revocation_reason) or "
                       "expired. claims are what the label signs (docs/label-format.md); "
                       "verification is the signature checked against this platform's "
                       "trust list.")
def get_label(label_id):
    return _json(LabelSchema, public_view(get_db(), _label(label_id)))


@bp.get("/labels/<label_id>/proof")
@operation("Inclusion proof of the label's issuance in the transparency log", public=True,
           query=ProofQuerySchema, parameters=[LABEL_ID_PARAMETER], errors=(400, 404),
           responses={200: (InclusionProofSchema, "RFC 9162 inclusion proof; hashes in "
                                                  "base64.")},
           description=f"{PUBLIC} leaf_hash is SHA-256(0x00 || the label's COSE_Sign1 bytes); "
                       "the proof leads from it to root, the root of the first tree_size "
                       "leaves. Give tree_size (that of a checkpoint from GET "
                       "/log/checkpoint) to check the proof against a signed checkpoint.")
def proof(label_id):
    label = _label(label_id)
    wanted = query(ProofQuerySchema)
    size = wanted.get("tree_size")
    if size is not None and size <= label["log_index"]:
        raise InvalidInput([Problem("tree_size", f"the label is leaf {label['log_index']}: "
                                                 f"tree_size must be more than that")])
    return _json(InclusionProofSchema,
                 transparency.inclusion(get_db(), label["log_index"], size))


# the log's names of the sizes -> the query's, so that a refusal names what the caller sent
SIZES_ASKED = {"old_size": "from", "tree_size": "to"}


@bp.get("/log/consistency")
@operation("Consistency proof between two sizes of the transparency log", public=True,
           query=ConsistencyQuerySchema, errors=(400,),
           responses={200: (ConsistencyProofSchema, "RFC 9162 consistency proof; hashes "
                                                    "in base64.")},
           description=f"{PUBLIC} Proves that the tree of `to` leaves (default: the whole "
                       "log now) extends the tree of `from` leaves: nothing logged before "
                       "was changed or removed. 1 <= from <= to <= the log's size.")
def consistency():
    wanted = query(ConsistencyQuerySchema)
    return _json(ConsistencyProofSchema,
                 transparency.consistency(get_db(), wanted["from_"], wanted.get("to"),
                                          named=SIZES_ASKED))


# -- images ----------------------------------------------------------------------------------

def _download() -> bool:
    """?download=1 saves the file; no other value means anything (it is refused, as the
    document says)."""
    value = request.args.get("download")
    if value not in (None, "1"):
        raise InvalidInput([Problem("download", Message(
            '"1" saves the file; leave it out to show the image'))])
    return value == "1"


def _image(label_id: str, kind: str, body, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"{label_id}-{kind}"
    disposition = "attachment" if _download() else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = IMAGE_CACHE
    return response


def _image_operation(summary: str, media_type: str, text: str):
    return operation(summary, public=True, parameters=[LABEL_ID_PARAMETER, DOWNLOAD_PARAMETER],
                     errors=(400, 404), responses={200: (None, text, media_type)},
                     description=PUBLIC)


def _printable(label_id: str):
    """What the printed label shows: the signed claims and the names beside them, and for a
    battery the Art. 7 figures of the stored result the label signs (read, not recomputed)."""
    label = _label(label_id)
    entry = issuer_entry(label)
    shown = label_records.shown(label)
    battery = batterypass.label_figures(get_db(), label)
    if battery is not None:
        shown["battery"] = battery
    basis = _basis_line(label_records.calculation_basis(
        label_records.signed_result(get_db(), label)))
    if basis is not None:
        shown["basis"] = basis
    return shown, url_of(label), entry.name if entry else None


def _basis_line(basis: dict | None) -> dict | None:
    """The printed label's line on what its figure stands on ("摇篮到大门 · IPCC AR6 GWP100 ·
    数据质量 良好 (2.7)"), in Chinese and in English: the label prints the one its fonts
    can draw. None when the signed result is not held."""
    if not basis or not basis["system_boundary"] or not basis["method"]:
        return None
    lines = {}
    for language in ("zh", "en"):
        with force_locale(language):
            boundary = word(BOUNDARIES, basis["system_boundary"])
            method = basis["method"].split(" (")[0]  # the standard's name, not its gloss
            if basis["dq_level"] is None:
                lines[language] = f"{boundary} · {method}"
            else:
                lines[language] = _(
                    "%(boundary)s · %(method)s · data quality %(level)s (%(score)s)",
                    boundary=boundary, method=method, score=basis["dq_overall"],
                    level=word(DATA_QUALITY_LEVELS, basis["dq_level"]))
    return lines


@bp.get("/labels/<label_id>/qr.png")
@_image_operation("The label's QR code as PNG", "image/png",
                  "Black on white, 8 pixels a module, with the quiet zone; it holds the "
                  "label URL HTTPS://<HOST>/L/<B32> at error correction level Q.")
def qr_png(label_id):
    return _image(label_id, "qr.png", qr.qr_png(url_of(_label(label_id))), "image/png")


@bp.get("/labels/<label_id>/qr.svg")
@_image_operation("The label's QR code as SVG", "image/svg+xml",
                  "One path of the dark modules, with the quiet zone.")
def qr_svg(label_id):
    return _image(label_id, "qr.svg", qr.qr_svg(url_of(_label(label_id))), "image/svg+xml")


@bp.get("/labels/<label_id>/label.png")
@_image_operation("The printable label (100 x 60 mm) as PNG", "image/png",
                  "About 300 dpi: value, unit, grade, what the value stands on (system "
                  "boundary, GWP method, data quality), product name, producer, issuer, "
                  "validity and the QR code.")
def label_png(label_id):
    return _image(label_id, "label.png", printed.label_png(*_printable(label_id)), "image/png")


@bp.get("/labels/<label_id>/label.svg")
@_image_operation("The printable label (100 x 60 mm) as SVG", "image/svg+xml",
                  "The same layout as the PNG, with Chinese text drawn by the viewer's fonts.")
def label_svg(label_id):
    return _image(label_id, "label.svg", printed.label_svg(*_printable(label_id)), "image/svg+xml")


@bp.get("/labels/<label_id>/label.pdf")
@_image_operation("The printable label (100 x 60 mm) as PDF", "application/pdf",
                  "One page, the QR code drawn as vectors, for printing.")
def label_pdf(label_id):
    return _image(label_id, "label.pdf", printed.label_pdf(*_printable(label_id)), "application/pdf")


# -- the Battery Pass record -----------------------------------------------------------------

@bp.get("/labels/<label_id>/battery-pass")
@operation("A battery label's carbon footprint as the Battery Pass data model records it",
           public=True, parameters=[LABEL_ID_PARAMETER], errors=(404,),
           responses={200: (BatteryPassSchema, "The record, with the label's status.")},
           description=f"{PUBLIC} CarbonFootprintForBatteries is the record of the Battery "
                       "Pass Data Model 1.2.0 (urn:samm:io.BatteryPass.CarbonFootprint:1.2.0, "
                       "Battery Pass consortium, CC BY 4.0): the footprint per kWh of total "
                       "energy delivered over the expected service life (Regulation (EU) "
                       "2023/1542 Art. 7), the Annex II stages by the model's LifecycleStage "
                       "codes, the performance class (provisional: this platform's own bands "
                       "until the delegated act sets them) and carbonFootprintStudy (the "
                       "producer's public study, else the label's URL). Every value is read "
                       "from the stored result the label signs. status says whether the "
                       "label still vouches for them (superseded: current_label is the one "
                       "to ask; revoked: revocation_reason). 404 for an unknown label and for "
                       "a label of another category (or a battery BOM without its "
                       "parameters).")
def battery_pass(label_id):
    label = _label(label_id)
    return _json(BatteryPassSchema, batterypass.record(get_db(), label_id, url_of(label)))


# -- revocation ------------------------------------------------------------------------------

@bp.post("/labels/<label_id>/revoke")
@operation("Revoke a label, with a public reason",
           body=RevokeRequestSchema, parameters=[LABEL_ID_PARAMETER],
           responses={200: (LabelSchema, "The revoked label.")}, errors=(403, 404, 409),
           description="Platform reviewers and administrators only (others get 403). The "
                       "reason is published with the label and in the revocation list; the "
                       "revocation is a leaf of the transparency log. Revoking a revoked "
                       "label is 409.")
def revoke(label_id):
    db = get_db()
    _label(label_id)  # 404 first
    data = load(RevokeRequestSchema, json_body())
    label = revoke_label(db, g.api_user, label_id, data["reason"])
    return _json(LabelSchema, public_view(db, label))
