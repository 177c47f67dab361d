"""Blueprint: peer platforms (docs/peers.md).

Public, for the other platforms (no login, like the trust list):

- ``/.well-known/footprint/witness.json``: this platform's witness key (name, key, vkey);
- ``/.well-known/footprint/witness/cosignatures/<origin>``: the newest checkpoint of that
  peer's log this platform accepted, with its cosignature/v1 line appended;
- ``/.well-known/footprint/trust-list.note``: the announcement of this platform's own
  trust-list entries, signed by each key of its issuer it holds.

For administrators, ``/admin/peers``: every peer, its state, last sync, checkpoint size,
revocations and findings held, and its problems; and the cosignatures of this platform's
checkpoints that peers made. Syncing is `footprint peers sync` (cron or a systemd timer).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

from footprint.errors import NotFound
from footprint.usecases import peers, peersync, witnessing
from footprint.usecases.database import database_errors

from .db import get_db
from .problems import api_language, text
from .security import role_required

bp = Blueprint("peers", __name__)
PEER_CHECK_SECONDS = 60


@bp.before_app_request
def peers_due():
    """Now and then (at most once a minute in each worker, on any request), sync the peers
    that are due in the background (footprint.usecases.peersync.sync_due_in_background), so
    the service watches its peers without a cron line."""
    app = current_app._get_current_object()
    if not peers_check_due(app):
        return None
    app.extensions["peers_checked"] = (os.getpid(), time.monotonic())
    try:
        peersync.sync_due_in_background(get_db(), _home())
    except database_errors() as exc:  # never the request's failure
        current_app.logger.error("peers: %s", exc)
    return None


def peers_check_due(app) -> bool:
    """Whether this worker's next request is to sync the peers that are due (``peers_due``;
    never for an app whose peers are synced by hand only: tests choose the moment): a kept
    public answer given before Flask (web.front) leaves that request to Flask."""
    if not app.config.get("FOOTPRINT_SYNC_PEERS", True):
        return False
    checked = app.extensions.get("peers_checked")
    return not (checked and checked[0] == os.getpid() and
                time.monotonic() - checked[1] < PEER_CHECK_SECONDS)


def _home() -> Path:
    return Path(current_app.config["FOOTPRINT_HOME"])


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # other verifiers fetch these
    return response


def _missing(exc: NotFound) -> Response:
    """A 404 a peer's program reads: plain text saying what is missing, as the notes these
    endpoints serve are plain text (never the HTML page a person gets); in English to a
    program that asks for no language, in Chinese to a reader who asks for it."""
    return _public(Response(f"{text(exc.message, api_language())}\n", status=404,
                            mimetype="text/plain"))


@bp.route("/.well-known/footprint/witness.json")
def witness_key():
    body = json.dumps(witnessing.published_witness(_home()), indent=2) + "\n"
    return _public(Response(body, mimetype="application/json"))


@bp.route("/.well-known/footprint/witness/cosignatures/<origin>")
def cosignatures(origin: str):
    try:
        note = witnessing.cosigned(get_db(), origin)
    except NotFound as exc:
        return _missing(exc)
    return _public(Response(note, mimetype="text/plain"))


@bp.route("/.well-known/footprint/trust-list.note")
def trust_list_note():
    try:
        note = witnessing.trust_list_note(_home())
    except NotFound as exc:
        return _missing(exc)
    return _public(Response(note, mimetype="text/plain"))


@bp.route("/admin/peers")
@role_required("admin")
def index():
    db = get_db()
    rows = [dict(row, problems=[text(p) for p in row["problems"]])
            for row in peers.listing(db)]
    return render_template("peers/index.html", peers=rows, witnessed=peers.witnessed(db),
                           witness=witnessing.published_witness(_home()))
