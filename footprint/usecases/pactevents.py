"""PACT v3 events: a CloudEvent sent to /3/events checked, a RequestCreatedEvent answered
through the outbox, and the outbox delivered (docs/pact.md). The footprints an answer holds
are usecases.pact's.

A RequestCreatedEvent's answer is committed to the outbox (footprint.store.pact_outbox)
before the request is acknowledged, then posted by ``deliver_due``: once a claim, again
after 1 s, 2 s, 4 s ... (at most 1 h apart), given up 72 hours after it was queued. Each
process's courier thread (``wake_courier``) and ``footprint pact deliver`` call it.
``client_token`` gets a token from another PACT host: a recipient of our answers, or a
supplier a producer fetches a footprint from (usecases.pactinputs).
"""
from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import clock, outbound
from ..errors import DataError
from ..settings import (LOOPBACK_HOSTS, pact_callback_credentials, pact_callback_hosts,
                        pact_loopback_http_callbacks)
from ..store import pact_outbox as outbox
from ..store.db import connect, database_errors, database_file, transaction
from . import security
from .pact import _instant, bad_request, filters_of_request, find_footprints

log = logging.getLogger("footprint.pact")

EVENT_TYPES = {
    "created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
    "fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
    "rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
}

@dataclass
class Delivery:
    """A CloudEvent to POST to a data recipient's event endpoint: ``attempts`` tries, 1, 2,
    4 s apart. An answer to a request is kept in the outbox first (``outbox_id``), and
    ``deliver_due`` posts it once a claim."""

    url: str
    event: dict
    attempts: int = 4
    first_wait: float = 1.0
    delivered: bool = False
    errors: list[str] = field(default_factory=list)
    outbox_id: int | None = None


def callback_url(source: str) -> str:
    """The requester's event endpoint from the event's ``source``: an absolute https URL (a
    scheme-relative //host/... is read as https); a URL without a path gets /3/events."""
    url = source.strip()
    if url.startswith("//"):
        url = "https:" + url
    parsed = urllib.parse.urlsplit(url)
    loopback_http = parsed.scheme.lower() == "http" and pact_loopback_http_callbacks() and \
        (parsed.hostname or "").lower() in LOOPBACK_HOSTS
    if (parsed.scheme.lower() != "https" and not loopback_http) or not parsed.hostname:
        raise bad_request(f"source: {source!r} is not an https URL of the requester's "
                          "events endpoint, so the answer could not be sent")
    allowed = pact_callback_hosts()
    if allowed is not None and parsed.hostname.lower() not in allowed:
        raise bad_request(f"source: {parsed.hostname!r} is not among the hosts this platform "
                          "answers (FOOTPRINT_PACT_CALLBACK_HOSTS)")
    if outbound.literal_refused(parsed.hostname, outbound.allowed_hosts(_callback_hosts())):
        raise bad_request(f"source: {parsed.hostname!r} is not a public address; this "
                          "platform posts answers to public hosts only")
    if parsed.path in ("", "/"):
        url = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, "/3/events", "", ""))
    return url


def _callback_hosts() -> frozenset[str]:
    """The hosts answers may be posted to on any address, beside those the operator lets
    every connection reach (footprint.outbound): the ones FOOTPRINT_PACT_CALLBACK_HOSTS names,
    and this machine's loopback for a conformance run (FOOTPRINT_PACT_LOOPBACK_HTTP_CALLBACKS)."""
    named = pact_callback_hosts() or frozenset()
    return named | LOOPBACK_HOSTS if pact_loopback_http_callbacks() else named


def _post(request, timeout, context):
    """Open ``request`` by footprint.outbound's rule for answers: the recipient's address is
    checked when connected to (a name may resolve anywhere by then)."""
    return outbound.urlopen(request, timeout, context, also=_callback_hosts(),
                            plain_http=pact_loopback_http_callbacks())


def _event(kind: str, data: dict, own_source: str) -> dict:
    return {"type": EVENT_TYPES[kind], "specversion": "1.0", "id": str(uuid.uuid4()),
            "source": own_source,
            "time": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}


def _check_event(event) -> str:
    if not isinstance(event, dict):
        raise bad_request("the body is not a CloudEvent (a JSON object)")
    for name in ("specversion", "id", "source", "time", "type"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            raise bad_request(f"{name}: required, a non-empty string")
    if event["specversion"] != "1.0":
        raise bad_request(f"specversion: {event['specversion']!r}; CloudEvents 1.0 is "
                          "expected")
    _instant("time", event["time"])
    if not isinstance(event.get("data"), dict):
        raise bad_request("data: required, an object")
    kinds = {v: k for k, v in EVENT_TYPES.items()}
    if event["type"] not in kinds:
        raise bad_request(f"type: {event['type']!r} is not a PACT v3 event; one of "
                          f"{', '.join(EVENT_TYPES.values())}")
    return kinds[event["type"]]


def accept_event(db, client: dict, event, platform: str, base_url: str) -> Delivery | None:
    """Check a CloudEvent sent to /3/events (PactError 400 naming what is wrong). A
    RequestCreatedEvent is answered later: a RequestFulfilledEvent with the matching
    footprints the client may see, or a RequestRejectedEvent if none match, written to the
    outbox (committed) before this returns, so the 200 that follows is never for an answer
    that could be lost; ``deliver_due`` posts it. Returns its Delivery. Published, fulfilled
    and rejected events are accepted and logged."""
    kind = _check_event(event)
    data = event["data"]
    if kind == "published":
        # the OpenAPI document's type (an array of strings); its "format: uuid" is a JSON
        # Schema annotation, and conformance case #15 sends "urn:gtin:..." expecting a 200
        ids = data.get("pfIds", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise bad_request("data.pfIds is a list of footprint ids (strings)")
    if kind in ("fulfilled", "rejected") and not isinstance(data.get("requestEventId"), str):
        raise bad_request("data.requestEventId: required, a string")
    if kind != "created":
        log.info("PACT %s event %s from %s (client %s) accepted", kind, event["id"],
                 event["source"], client["client_id"])
        return None
    filters = filters_of_request(data)
    url = callback_url(event["source"])
    client_key = client.get("client") or client.get("id")
    # CloudEvents: a source and an id name one event, so a request sent again (a requester
    # retrying after a lost 200) is answered once, by the answer already queued
    queued = outbox.for_request(db, client_key, event["id"], url)
    if queued is not None:
        log.info("PACT request %s from %s was already answered (%s)", event["id"], url,
                 queued["event_id"])
        return Delivery(url, json.loads(queued["event_json"]), outbox_id=queued["id"])
    own_source = f"{base_url}/3/events"
    found = find_footprints(db, client, filters, platform, base_url)
    if found:
        answer = _event("fulfilled", {"requestEventId": event["id"], "pfs": found}, own_source)
    else:
        answer = _event("rejected", {"requestEventId": event["id"], "error": {
            "code": "NotFound",
            "message": "No footprint of this platform matches the request's criteria"}},
            own_source)
    with transaction(db):
        item_id = outbox.insert(db, answer["id"], event["id"], client_key, url,
                                json.dumps(answer, ensure_ascii=False), clock.stamp())
    log.info("PACT answer %s to request %s queued for %s", answer["id"], event["id"], url)
    return Delivery(url, answer, outbox_id=item_id)


def _origin(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def _json_of(opener, request, context) -> dict:
    with opener(request, timeout=10, context=context) as response:
        answer = json.loads(response.read().decode("utf-8"))
    if not isinstance(answer, dict):
        raise ValueError("not a JSON object")
    return answer


def client_token(url: str, credentials: dict, opener, context) -> str:
    """An access token of another PACT host's (a recipient of our answers, or a supplier we
    fetch from), by OAuth 2 client credentials with what it issued us; its token endpoint:
    as configured, else its OpenID Connect discovery, else <origin>/auth/token."""
    token_url = credentials.get("token_url")
    if not token_url:
        try:
            token_url = _json_of(opener, urllib.request.Request(
                f"{_origin(url)}/.well-known/openid-configuration"), context)["token_endpoint"]
        except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError):
            token_url = None
        if not (isinstance(token_url, str) and token_url.startswith("https://")):
            token_url = f"{_origin(url)}/auth/token"
    basic = base64.b64encode(
        f"{urllib.parse.quote_plus(credentials['client_id'])}:"
        f"{urllib.parse.quote_plus(credentials['client_secret'])}".encode()).decode()
    answer = _json_of(opener, urllib.request.Request(
        token_url, data=b"grant_type=client_credentials", method="POST", headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded"}), context)
    if not isinstance(answer.get("access_token"), str):
        raise ValueError(f"{token_url} gave no access_token")
    return answer["access_token"]


def deliver(delivery: Delivery, opener=None) -> Delivery:
    """POST the event (application/cloudevents+json); a failure is retried after 1, 2, 4 s.
    The certificate is checked against the system's CAs (SSL_CERT_FILE). Where the operator
    keeps credentials for the recipient's host (FOOTPRINT_PACT_CALLBACK_CREDENTIALS), the
    event carries a bearer token got from the recipient first. Only a public address is
    connected to, unless the operator names the host (footprint.outbound)."""
    opener = opener or _post
    body = json.dumps(delivery.event, ensure_ascii=False).encode()
    context = ssl.create_default_context()
    try:
        credentials = pact_callback_credentials().get(
            (urllib.parse.urlsplit(delivery.url).hostname or "").lower())
    except DataError as exc:
        credentials = None
        delivery.errors.append(str(exc))
        log.error("PACT answers go without authentication: %s", exc)
    token = None
    for attempt in range(delivery.attempts):
        headers = {"Content-Type": "application/cloudevents+json; charset=UTF-8",
                   "User-Agent": "footprint-pact/3"}
        try:
            if credentials and token is None:
                token = client_token(delivery.url, credentials, opener, context)
            if token:
                headers["Authorization"] = f"Bearer {token}"
            request = urllib.request.Request(delivery.url, data=body, method="POST",
                                             headers=headers)
            with opener(request, timeout=10, context=context) as response:
                if 200 <= response.status < 300:
                    delivery.delivered = True
                    log.info("PACT event %s delivered to %s", delivery.event["id"],
                             delivery.url)
                    return delivery
                delivery.errors.append(f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            delivery.errors.append(f"HTTP {exc.code} from {exc.url}")
            if exc.code == 401:
                token = None  # expired or refused: a new one on the next attempt
        except (urllib.error.URLError, OSError, ValueError) as exc:
            delivery.errors.append(str(exc))
        if attempt + 1 < delivery.attempts:
            time.sleep(delivery.first_wait * 2 ** attempt)
    log.warning("PACT event %s could not be delivered to %s: %s", delivery.event["id"],
                delivery.url, "; ".join(delivery.errors))
    return delivery


# -- the outbox: answers kept until delivered or given up -------------------------------------

GIVE_UP_SECONDS = 72 * 3600  # the spec: abandon sending an event after 72 hours
MAX_BACKOFF_SECONDS = 3600
CLAIM_SECONDS = 300  # a claim outlives one attempt (3 requests of at most 10 s each)
DUE_LIMIT = 20
# An answer delivered is kept a month (a request sent again within it is answered by the same
# event); one given up is kept three months for the operator to see; then both are deleted.
KEEP_DELIVERED = timedelta(days=30)
KEEP_GIVEN_UP = timedelta(days=90)
COURIER_MAX_SLEEP = 60


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 s, 2 s, 4 s ... at most 1 h."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def deliver_due(db, now: datetime | None = None, limit: int = DUE_LIMIT,
                opener=None) -> list[dict]:
    """Post the outbox's items that are due: each is claimed first (no other process posts
    it while the claim holds), tried once (``deliver``, the recipient's token included), then
    marked delivered, or due again after ``backoff``, or, 72 hours after it was queued, given
    up (a security event says so). Items delivered more than KEEP_DELIVERED ago and given up
    more than KEEP_GIVEN_UP ago are deleted first. What was done with each, as dicts."""
    moved = now is not None  # a caller's (a test's) time stands for the whole run
    now = now or clock.now()
    with transaction(db):
        outbox.prune(db, clock.stamp(now - KEEP_DELIVERED), clock.stamp(now - KEEP_GIVEN_UP))
        claimed = outbox.claim(db, clock.stamp(now),
                               clock.stamp(now + timedelta(seconds=CLAIM_SECONDS)), limit)
    done = []
    for item in claimed:
        delivery = Delivery(item["url"], json.loads(item["event_json"]), attempts=1,
                            outbox_id=item["id"])
        try:
            deliver(delivery, opener=opener)
        except Exception as exc:  # whatever it was, the attempt is counted (72 h hold)
            log.exception("PACT event %s: delivery failed", item["event_id"])
            delivery.errors.append(f"{type(exc).__name__}: {exc}")
        finished = now if moved else max(clock.now(), now)
        attempts = item["attempts"] + 1
        error = "; ".join(delivery.errors)[:1000] or None
        deadline = datetime.fromisoformat(item["created_at"]) + \
            timedelta(seconds=GIVE_UP_SECONDS)
        outcome = {"id": item["id"], "event_id": item["event_id"], "url": item["url"],
                   "attempts": attempts, "delivered": delivery.delivered, "error": error,
                   "next_attempt_at": None, "gave_up": False}
        if delivery.delivered:
            with transaction(db):
                outbox.delivered(db, item["id"], clock.stamp(finished))
        elif finished >= deadline:
            with transaction(db):
                outbox.failed(db, item["id"], error or "not delivered", None,
                              clock.stamp(finished))
            outcome["gave_up"] = True
            security.event(db, "pact-event-given-up", None, None,
                           f"event {item['event_id']} to {item['url']} after {attempts} "
                           f"attempts in 72 h: {error}")
        else:
            following = min(finished + backoff(attempts), deadline)
            with transaction(db):
                outbox.failed(db, item["id"], error or "not delivered",
                              clock.stamp(following), None)
            outcome["next_attempt_at"] = clock.stamp(following)
        done.append(outcome)
    return done


def outbox_items(db) -> dict[str, list[dict]]:
    """The outbox as the operator sees it: ``pending`` (still to deliver, the next due
    first) and ``failed`` (given up after 72 hours, the latest first)."""
    return {"pending": outbox.pending(db), "failed": outbox.given_up(db)}


# One courier thread per process posts what the outbox holds, with a connection of its own;
# it sleeps until the next item is due and ends when nothing is pending. Woken (or started)
# right after a request is queued, and by the web app now and then (a restarted worker picks
# up what an earlier one left); `footprint pact deliver` from cron does the same work, and
# the claims keep them from posting one event twice.
_courier_lock = threading.Lock()
_courier: dict = {}


def wake_courier(db) -> threading.Thread:
    """Wake this process's courier for the database of ``db``, starting it if none runs."""
    path = database_file(db)
    with _courier_lock:
        running = _courier.get(path)
        if running and running[0] == os.getpid() and running[1].is_alive():
            running[2].set()
            return running[1]
        wake = threading.Event()
        thread = threading.Thread(target=_courier_loop, args=(path, wake), daemon=True,
                                  name="pact-courier")
        _courier[path] = (os.getpid(), thread, wake)
        thread.start()
        return thread


def has_due(db) -> bool:
    """Whether an outbox item is due now (the web app's occasional check)."""
    due = outbox.next_due(db)
    return due is not None and due <= clock.stamp()


def _courier_loop(path: str, wake: threading.Event) -> None:
    db = connect(path)
    try:
        while True:
            wake.clear()
            try:
                deliver_due(db)
                due = outbox.next_due(db)
            except database_errors() as exc:  # busy, disk full: try again a little later
                log.error("PACT outbox: %s", exc)
                due = clock.stamp(clock.now() + timedelta(seconds=COURIER_MAX_SLEEP))
            if due is None:
                with _courier_lock:
                    if not wake.is_set():
                        _courier.pop(path, None)
                        return
                continue
            wait = (datetime.fromisoformat(due) - clock.now()).total_seconds()
            wake.wait(min(max(wait, 0.2), COURIER_MAX_SLEEP))
    finally:
        db.close()
