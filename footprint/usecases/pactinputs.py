"""Suppliers' PACT v3 footprints as BOM inputs: import one (a file, or fetched from the
supplier's PACT host with client credentials), list them, and hand one to the engine.

A producer imports a footprint for its own organisation; a BOM line then names it
``pact:<footprint id>`` and is calculated as the footprint states, marked as supplier data
with its id, company, verification and data-quality ratings (engine.supplier.SupplierLabel).
"""
from __future__ import annotations

import http.client
import logging
import ssl
import urllib.error
import urllib.parse
import urllib.request

from .. import clock, outbound
from ..engine.supplier import SupplierLabel
from ..errors import Forbidden, InvalidInput, Message, Problem
from ..pactinput import PREFIX, PactFootprint, read_footprint
from ..store import pact_inputs as stored
from ..store.db import transaction
from .pactevents import client_token

TIMEOUT = 20  # seconds for each call to a supplier's PACT host
ISSUER = "PACT"  # what a line's supplier data says it came through
# Why a fetch failed stays in the log: the producer could otherwise learn from the words which
# hosts and ports the platform's network has (connection refused, a certificate for another
# name, a service that is not TLS ...).
NOT_FETCHED = Message("could not fetch from that host: check its address (https://host[:port] "
                      "of the supplier's PACT host) and try again later")

log = logging.getLogger("footprint.pact")


def import_footprint(db, user: dict, content: bytes | str, origin: str) -> PactFootprint:
    """Check and keep a supplier's footprint for ``user``'s organisation; raises InvalidInput
    naming every problem at its JSON path, and keeps nothing then."""
    if user["role"] != "producer":
        raise Forbidden(Message("only producers import their suppliers' footprints"))
    footprint = read_footprint(content, origin)
    with transaction(db):
        stored.keep(db, user["org_id"], footprint, user.get("id"), clock.stamp(), origin)
    return footprint


def fetch_footprint(db, user: dict, host: str, footprint_id: str, client_id: str,
                    client_secret: str, context: ssl.SSLContext | None = None,
                    opener=None) -> PactFootprint:
    """Fetch footprint ``footprint_id`` from a supplier's PACT v3 host (``https://...``) with
    OAuth 2 client credentials (the token got as this platform gets one from any PACT host:
    usecases.pactevents.client_token), then import it as ``import_footprint`` does. The host's
    certificate is checked against the system's CAs unless ``context`` says otherwise; only a
    public address is connected to, unless the operator names the host (footprint.outbound).
    A host that cannot be reached or does not answer as PACT does is one neutral problem at
    ``host``, the reason logged."""
    base = host.rstrip("/")
    if not base.lower().startswith("https://"):
        raise InvalidInput([Problem("host", Message("a PACT host is reached over HTTPS only: "
                                                    "%(host)s", host=host))])
    opener = opener or outbound.urlopen
    context = context or ssl.create_default_context()
    url = f"{base}/3/footprints/{urllib.parse.quote(footprint_id, safe='')}"
    try:
        try:
            token = client_token(url, {"client_id": client_id, "client_secret": client_secret},
                                 opener, context)
        except urllib.error.HTTPError as exc:
            raise InvalidInput([Problem("client", Message(
                "the PACT host refused the client credentials (HTTP %(status)s)",
                status=exc.code))]) from None
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with opener(request, timeout=TIMEOUT, context=context) as response:
                content = response.read()
        except urllib.error.HTTPError as exc:
            raise InvalidInput([Problem("id", Message(
                "the PACT host has no footprint %(id)s for this client (HTTP %(status)s)",
                id=footprint_id, status=exc.code))]) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError,
            KeyError) as exc:
        log.warning("PACT footprint %r not fetched from %r for organisation %s: %s: %s",
                    footprint_id, base, user.get("org_id"), type(exc).__name__,
                    getattr(exc, "reason", None) or exc)
        raise InvalidInput([Problem("host", NOT_FETCHED)]) from None
    return import_footprint(db, user, content, base)


def footprints(db, user: dict) -> list[dict]:
    """The footprints ``user``'s organisation imported, newest first."""
    return stored.of_org(db, user["org_id"])


def supplier_footprint(db, ref: str, org_id: int | None) -> SupplierLabel:
    """The imported footprint a line names (``pact:<id>``) as supplier data for the engine;
    raises LookupError(Message) when the organisation has not imported it, or it is
    Deprecated."""
    footprint_id = ref[len(PREFIX):]
    record = stored.find(db, footprint_id, org_id) if db is not None else None
    if record is None:
        raise LookupError(Message("PACT footprint %(id)s has not been imported by your "
                                  "organisation: import the supplier's footprint first",
                                  id=footprint_id))
    if record["status"] != "Active":
        raise LookupError(Message("PACT footprint %(id)s is %(status)s", id=footprint_id,
                                  status=record["status"]))
    return SupplierLabel(
        id=PREFIX + record["id"], issuer=ISSUER, issuer_name=record["company_name"],
        verifier=record["verifier"], value=record["value"],
        declared_amount=record["declared_amount"],
        declared_unit=record["declared_unit"], product=record["product_name"], own=False,
        status="imported", data_quality="verified" if record["verifier"] else "provisional",
        dqr=record["dqr"], company_ids=tuple(record["company_ids"]))
