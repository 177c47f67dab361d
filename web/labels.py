"""Carbon labels as the web service sees them: the issuer it signs as, the public host of
label URLs, and how a stored label is shown (its API answer, its links, the submission page's
label section).

    actions.act(db, user, id, "approve", issuer=label_issuer())   # inside issuing()

``label_issuer()`` is the platform's Issuer: FOOTPRINT_HOME holds the keys, and
app.config["FOOTPRINT_ISSUER"] names the issuer when the platform has several (one issuer,
the usual case, needs no setting). ``issuing()`` turns a missing or unusable issuer key into
a Conflict (409) that tells the operator what to run; the approval's transaction has rolled
back by then, so nothing changed.

The host in label URLs (``HTTPS://<HOST>/L/<B32>``) is app.config["FOOTPRINT_PUBLIC_HOST"],
else the environment's FOOTPRINT_PUBLIC_HOST, else the host of the request. Set it in
production: a label printed on a package must name the public host, whatever host the
reviewer reached the service by. What a machine client is given to keep or follow (the PACT
API's footprints, links and discovery document) never names the request's host, which the
client writes itself: ``served_host()`` is FOOTPRINT_PUBLIC_HOST, else the address
``footprint serve`` listens on (FOOTPRINT_SERVED_ADDRESS), else "localhost".

Everything here reads labels through footprint.usecases.labels: no rules of its own, no SQL.
A label's status, supersession and revocation shown here are therefore the transparency
log's, and ``log_differs`` lists where the labels table says otherwise.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _

from footprint.errors import Conflict, Message, Problem
from footprint.labels import KeyStoreError, LabelInvalid, verify
from footprint.labels.claims import jsonable
from footprint.labels.encoding import label_url, normal_host, to_b32
from footprint.labels.keys import trust_list
from footprint.usecases import labels as label_records
from footprint.usecases import transparency
from footprint.usecases.issuing import Issuer

from . import problems

PUBLIC_HOST = "FOOTPRINT_PUBLIC_HOST"
SERVED_ADDRESS = "FOOTPRINT_SERVED_ADDRESS"  # set by `footprint serve` (cli.commands.service)
ISSUER = "FOOTPRINT_ISSUER"


class NoIssuerKey(Conflict):
    """Approval cannot issue the label: the platform has no usable issuer key."""


def home() -> Path:
    return Path(current_app.config["FOOTPRINT_HOME"])


def label_issuer() -> Issuer:
    """The issuer the current app signs labels as."""
    return Issuer(home(), current_app.config.get(ISSUER))


def no_key_message(exc: KeyStoreError) -> Message:
    issuer = current_app.config.get(ISSUER) or "CN-SC"
    return Message("the carbon label cannot be issued, so nothing was approved: %(why)s. An "
                   "operator of the platform runs `footprint keys generate --issuer %(issuer)s "
                   "--name \"<the platform's name>\"` on the server (once), then the reviewer "
                   "approves again.", why=exc.message, issuer=issuer)


@contextmanager
def issuing():
    """Around an approval: a missing or unusable issuer key becomes a clear 409."""
    try:
        yield
    except KeyStoreError as exc:
        raise NoIssuerKey(no_key_message(exc)) from None


def issued_message(label_id: str) -> str:
    return _("Approved: carbon label %(id)s is issued.", id=label_id)


def revoked_message() -> str:
    return _("The label is revoked; the public list of revoked labels shows it.")


def no_key_problem(exc: NoIssuerKey) -> Problem:
    """The missing key, for the submission page (in the user's language, then the detail)."""
    text = _("The label cannot be issued without an issuer key; nothing was approved.")
    return Problem(_("issuer key"), f"{text} {problems.text(exc.message)}")


def configured_host() -> str | None:
    """FOOTPRINT_PUBLIC_HOST: the app's config, then the environment (None: not set)."""
    return current_app.config.get(PUBLIC_HOST) or os.environ.get(PUBLIC_HOST) or None


def served_host() -> str:
    """The platform's host where the request's Host header must not decide it: a header
    the client writes would otherwise name any host in what the platform states (a PACT
    footprint's comment, the OAuth issuer, pagination links). FOOTPRINT_PUBLIC_HOST, else
    the address the operator had `footprint serve` listen on, else "localhost"."""
    return configured_host() or os.environ.get(SERVED_ADDRESS) or "localhost"


def public_host() -> str:
    """FOOTPRINT_PUBLIC_HOST (config, then environment), else the request's host. A
    request host a label URL cannot carry (an IPv6 literal, a malformed Host header) gives
    "localhost" rather than an error: the label inside the URL verifies whatever its host."""
    configured = configured_host()
    if configured:
        return configured
    try:
        return normal_host(request.host)
    except ValueError:
        current_app.logger.warning("request host %r cannot be a label URL's host; set %s",
                                   request.host, PUBLIC_HOST)
        return "localhost"


def public_base() -> str:
    """The public origin of absolute links (GS1 Digital Link anchors, link sets):
    https://<FOOTPRINT_PUBLIC_HOST> when it is set, else the request's own scheme and host."""
    configured = configured_host()
    if configured:
        return f"https://{configured}"
    return request.host_url.rstrip("/")


# -- a stored label, read ---------------------------------------------------------------------

def url_of(label: dict) -> str:
    """The label URL its QR code holds: HTTPS://<HOST>/L/<B32>."""
    return label_url(public_host(), bytes(label["cose"]))


def scan_path(label: dict) -> str:
    """The scan page of the label on this service (relative, so it opens on any host)."""
    return f"/L/{to_b32(bytes(label['cose']))}"


def issuer_entry(label: dict, trust=None):
    """The trust-list entry of the key that signed the label, or None if it is not listed."""
    trust = trust if trust is not None else trust_list(home())
    return trust.get(bytes(label["kid"]))


def verification(label: dict, trust=None) -> dict:
    """The label's signature and validity against this platform's trust list."""
    trust = trust if trust is not None else trust_list(home())
    try:
        verify(bytes(label["cose"]), trust)
    except LabelInvalid as exc:
        return {"valid": False, "reason": exc.reason, "detail": exc.detail}
    return {"valid": True, "reason": None, "detail": None}


def links(label_id: str) -> dict:
    """Where the label's public resources are (paths on this service)."""
    def to(endpoint):
        return url_for(f"api.labels.{endpoint}", label_id=label_id)
    return {"self": to("get_label"), "proof": to("proof"), "qr_png": to("qr_png"),
            "qr_svg": to("qr_svg"), "label_png": to("label_png"), "label_svg": to("label_svg"),
            "label_pdf": to("label_pdf"), "revoke": to("revoke")}


def public_view(db, label: dict) -> dict:
    """Everything public about a label: what GET /api/v1/labels/<id> answers."""
    trust = trust_list(home())
    entry = issuer_entry(label, trust)
    return {
        "id": label["id"], "status": label_records.status(label),
        "issuer": {"id": label["issuer"], "name": entry.name if entry else None,
                   "region": entry.region if entry else None,
                   "kid": entry.as_dict()["kid"] if entry else None},
        "claims": jsonable(label_records.claims(label)), "names": label_records.names(label),
        "grade_bands": label_records.grade_bands(label),
        "url": url_of(label), "scan_path": scan_path(label),
        "issued_at": label["issued_at"], "expires_at": label["expires_at"],
        "supersedes": label["supersedes"], "superseded_by": label["superseded_by"],
        "revoked_at": label["revoked_at"], "revocation_reason": label["revocation_reason"],
        "log_index": label["log_index"],
        "log_entries": [{"index": e["index"], "kind": e["kind"], "at": e["at"]}
                        for e in transparency.entries_for(db, label["id"])],
        "verification": verification(label, trust),
        "links": links(label["id"]),
    }


def submission_label(db, submission_id: int) -> dict | None:
    """The label of a submission as its API answer and page show it, or None."""
    label = label_records.for_submission(db, submission_id)
    if label is None:
        return None
    return {"id": label["id"], "status": label_records.status(label), "url": url_of(label),
            "issued_at": label["issued_at"], "expires_at": label["expires_at"],
            "superseded_by": label["superseded_by"],
            "revocation_reason": label["revocation_reason"],
            "log_index": label["log_index"], "links": links(label["id"])}


def page_label(db, submission_id: int) -> dict | None:
    """What the submission page's label section shows."""
    label = label_records.for_submission(db, submission_id)
    if label is None:
        return None
    claims = label_records.shown(label)
    entry = issuer_entry(label)
    return {"id": label["id"], "status": label_records.status(label), "claims": claims,
            "value": claims["value"], "unit": claims["declared_unit"], "grade": claims["grade"],
            "provisional": claims["provisional"], "issuer_name": entry.name if entry else None,
            "url": url_of(label), "scan_path": scan_path(label),
            "issued_at": label["issued_at"], "expires_at": label["expires_at"],
            "supersedes": label["supersedes"], "superseded_by": label["superseded_by"],
            "revoked_at": label["revoked_at"], "revocation_reason": label["revocation_reason"],
            "log_index": label["log_index"], "log_differs": label["log_differs"],
            "links": links(label["id"])}
