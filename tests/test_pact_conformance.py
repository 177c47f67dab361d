"""The WBCSD PACT conformance suite's documented V3 cases #1-#40
(../shared/reference/pact/v3-test-cases-expected-results.md), ported to pytest and run against
a real server: `footprint serve --certfile --keyfile` (gunicorn, HTTPS with a self-signed
certificate made as the demo makes one), on a database holding issued labels
(tests/pact_world.py). Every answer with a body is validated against the schemas of the
PACT v3 OpenAPI document (openapi_v3_0.yaml).

Where a case names example data (urn:gtin:1234567890123, companyId urn:uuid:abc..., geography
DE), the positive cases use this platform's own identifiers of the same kind, since they must
match something served; the negative cases use the documented values unchanged. The callback
cases (#13, #14.B) run a small HTTPS receiver that the RequestCreatedEvent names as its
``source``: like the conformance service it takes events only with a bearer token it issued,
which the server gets with the credentials configured for that host
(FOOTPRINT_PACT_CALLBACK_CREDENTIALS); the server trusts its certificate through
SSL_CERT_FILE.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from tests import pact_world
from tests.conftest import free_port, stop_server


# -- the receiver of callbacks ----------------------------------------------------------------

RECIPIENT_CLIENT = ("footprint-at-the-recipient", "recipient-issued secret")
RECIPIENT_TOKEN = "recipient-token-1"


class Receiver(BaseHTTPRequestHandler):
    """The data recipient's side, as the conformance service plays it: OpenID Connect
    discovery, a token endpoint taking the client credentials it issued to the platform, and
    /3/events taking only its own bearer token."""

    def _answer(self, status: int, body: dict | None = None):
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/.well-known/openid-configuration":
            base = f"https://127.0.0.1:{self.server.server_port}"
            return self._answer(200, {"issuer": base, "token_endpoint": f"{base}/auth/token"})
        return self._answer(404)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/auth/token":
            expected = "Basic " + base64.b64encode(
                ":".join(urllib.parse.quote_plus(p) for p in RECIPIENT_CLIENT).encode()).decode()
            if self.headers.get("Authorization") != expected or \
                    body != b"grant_type=client_credentials":
                return self._answer(401, {"error": "invalid_client"})
            return self._answer(200, {"access_token": RECIPIENT_TOKEN, "token_type": "Bearer",
                                      "expires_in": 3600})
        if self.headers.get("Authorization") != f"Bearer {RECIPIENT_TOKEN}":
            self.server.refused.append(self.path)
            return self._answer(401, {"code": "BadRequest", "message": "Invalid token"})
        event = json.loads(body)
        request_id = event.get("data", {}).get("requestEventId")
        if request_id in self.server.fail_once:  # down for a moment (tests of the outbox)
            self.server.fail_once.discard(request_id)
            self.server.failed.append(event)
            return self._answer(503, {"code": "InternalError", "message": "down"})
        self.server.events.put({"path": self.path, "headers": dict(self.headers),
                                "body": event})
        return self._answer(200)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def host(tmp_path_factory, engine, service_template):
    """The server on 127.0.0.1 over HTTPS, the receiver, the world and the validators."""
    from footprint.usecases.demotls import demo_certificate

    home = tmp_path_factory.mktemp("pact-conformance") / "home"
    service = pact_world.make_service(home, engine, service_template)
    service.db.close()
    tls = demo_certificate(home, [])
    context = ssl.create_default_context(cafile=str(tls.cert_path))

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    receiver.events, receiver.refused = queue.Queue(), []
    receiver.fail_once, receiver.failed = set(), []
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(tls.cert_path, tls.key_path)
    receiver.socket = server_side.wrap_socket(receiver.socket, server_side=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    credentials = home / "pact-recipients.json"
    credentials.write_text(json.dumps({"127.0.0.1": {"client_id": RECIPIENT_CLIENT[0],
                                                     "client_secret": RECIPIENT_CLIENT[1]}}))
    credentials.chmod(0o600)
    port = free_port()
    # the receiver listens on this machine: a host the operator must name for answers to go
    # there (footprint.outbound)
    env = {**os.environ, "FOOTPRINT_HOME": str(home), "SSL_CERT_FILE": str(tls.cert_path),
           "FOOTPRINT_PACT_CALLBACK_CREDENTIALS": str(credentials),
           "FOOTPRINT_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
    env.pop("FOOTPRINT_PROXIES", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import cli; cli()", "serve", "--host",
         "127.0.0.1", "--port", str(port), "--workers", "1", "--certfile",
         str(tls.cert_path), "--keyfile", str(tls.key_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            try:
                urllib.request.urlopen(f"{base}/.well-known/openid-configuration",
                                       context=context, timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        yield SimpleNamespace(base=base, port=port, home=home, context=context, world=service.world,
                              receiver=receiver,
                              receiver_url=f"https://127.0.0.1:{receiver.server_port}",
                              validator=pact_world.schemas())
    finally:
        receiver.shutdown()
        receiver.server_close()
        stop_server(server)


def call(host, method, path, *, headers=None, data=None, base=None):
    """(status, headers, JSON body or None) of a request to the server."""
    url = (base or host.base) + path
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, context=host.context, timeout=30) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, answer_headers, raw = exc.code, exc.headers, exc.read()
    return status, answer_headers, json.loads(raw) if raw.strip() else None


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GRANT = b"grant_type=client_credentials"


@pytest.fixture(scope="module")
def token(host):
    client_id, secret = host.world.clients["all"]
    status, _, body = call(host, "POST", "/auth/token", data=GRANT,
                           headers={**FORM, "Authorization": basic(client_id, secret)})
    assert status == 200, body
    return body["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def listed(host, token, query):
    """The footprints of ListFootprints?query, each validated; 200 expected."""
    status, headers, body = call(host, "GET", f"/3/footprints?{query}", headers=bearer(token))
    assert status == 200, body
    assert isinstance(body["data"], list)
    for footprint in body["data"]:
        host.validator("ProductFootprint").validate(footprint)
    return body["data"]


def ids(footprints):
    return {fp["id"] for fp in footprints}


def error_body(host, body):
    host.validator("Error").validate(body)


# -- authentication ---------------------------------------------------------------------------

def test_case_01_token_with_valid_credentials(host):
    """#1: POST /auth/token, Basic credentials, grant_type=client_credentials -> 200
    {access_token, token_type Bearer, expires_in}."""
    client_id, secret = host.world.clients["all"]
    status, headers, body = call(host, "POST", "/auth/token", data=GRANT,
                                 headers={**FORM, "Authorization": basic(client_id, secret)})
    assert status == 200
    assert body["token_type"] == "Bearer" and body["access_token"]
    assert body["expires_in"] == 3600
    assert headers["Cache-Control"] == "no-store"


def test_case_02_token_with_invalid_credentials(host):
    """#2: invalid Basic credentials -> 400 or 401, {"error": "invalid_client", ...}."""
    client_id, _ = host.world.clients["all"]
    for wrong in (basic(client_id, "not-the-secret"), basic("pact-unknown", "x"),
                  "Basic bm90LWJhc2U2NA=="):
        status, _, body = call(host, "POST", "/auth/token", data=GRANT,
                               headers={**FORM, "Authorization": wrong})
        assert status in (400, 401)
        assert body["error"] == "invalid_client" and body["error_description"]
        assert "access_token" not in body


# -- GetFootprint, ListFootprints ---------------------------------------------------------------

def test_case_03_get_footprint(host, token):
    """#3: GET /3/footprints/{id} -> 200 {"data": ProductFootprint}."""
    pf_id = host.world.pf["current"]
    status, _, body = call(host, "GET", f"/3/footprints/{pf_id}", headers=bearer(token))
    assert status == 200
    host.validator("ProductFootprint").validate(body["data"])
    assert body["data"]["id"] == pf_id and body["data"]["status"] == "Active"


def test_case_04_list_footprints(host, token):
    """#4: GET /3/footprints -> 200 (or 202) {"data": [ProductFootprint, ...]}."""
    assert ids(listed(host, token, "")) == set(host.world.pf.values())


def test_case_05_pagination_link(host, token):
    """#5: with limit, a Link header rel="next" (RFC 8288): absolute, the request's host;
    following it gives the next page, never more than limit."""
    seen, path = [], "/3/footprints?limit=1"
    while path:
        status, headers, body = call(host, "GET", path, headers=bearer(token))
        assert status == 200 and len(body["data"]) <= 1
        for footprint in body["data"]:
            host.validator("ProductFootprint").validate(footprint)
        seen += ids(body["data"])
        link = headers.get("Link")
        path = None
        if link:
            target, rel = link.split(";", 1)
            assert rel.strip() == 'rel="next"'
            target = target.strip().strip("<>")
            parsed = urllib.parse.urlsplit(target)
            assert parsed.scheme == "https" and parsed.netloc == f"127.0.0.1:{host.port}"
            path = f"{parsed.path}?{parsed.query}"
    assert sorted(seen) == sorted(host.world.pf.values())
    # the documented request, ?offset=2: the page from the third footprint on
    assert len(listed(host, token, "offset=2")) == len(host.world.pf) - 2


@pytest.mark.parametrize("path", ["/3/footprints", "/3/footprints/{pf}"])
def test_cases_06_07_invalid_token(host, path):
    """#6 (ListFootprints), #7 (GetFootprint): Bearer invalid-access-token -> 400 or 401,
    recommended {"code": "BadRequest", "message": "Invalid token provided"}."""
    status, headers, body = call(host, "GET", path.format(pf=host.world.pf["current"]),
                                 headers=bearer("invalid-access-token"))
    assert status in (400, 401)
    assert body == {"code": "BadRequest", "message": "Invalid token provided"}
    assert "data" not in body
    assert headers["WWW-Authenticate"].startswith("Bearer")


def test_case_08_non_existent_footprint(host, token):
    """#8: GET /3/footprints/non-existent-id -> 400 or 404, an Error object."""
    for pf_id in ("non-existent-id", "00000000-0000-0000-0000-000000000000"):
        status, _, body = call(host, "GET", f"/3/footprints/{pf_id}", headers=bearer(token))
        assert status in (400, 404)
        error_body(host, body)
        assert body["code"] == "NotFound" and pf_id in body["message"]


# -- plain HTTP -------------------------------------------------------------------------------

def plain_http(host, method, path, headers, data=None):
    """A plain HTTP request to the HTTPS port: the connection fails, or the answer is
    returned (status, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return None, ""
    finally:
        connection.close()


def test_case_09_authentication_over_http(host):
    """#9: POST http://.../auth/token -> rejected, or no token in the answer."""
    client_id, secret = host.world.clients["all"]
    status, text = plain_http(host, "POST", "/auth/token",
                              {**FORM, "Authorization": basic(client_id, secret)}, GRANT)
    assert status is None or status >= 400
    assert "access_token" not in text


@pytest.mark.parametrize("case,path", [(10, "/3/footprints"), (11, "/3/footprints/{pf}")])
def test_cases_10_11_footprints_over_http(host, token, case, path):
    """#10 (ListFootprints), #11 (GetFootprint) over plain HTTP -> rejected, no data."""
    status, text = plain_http(host, "GET", path.format(pf=host.world.pf["current"]),
                              bearer(token))
    assert status is None or status >= 400
    assert '"data"' not in text


def test_cases_09_10_11_17_refused_by_the_app_when_http_reaches_it(host, token):
    """Behind a proxy that ends TLS, or on a port without TLS, the PACT routes themselves
    refuse plain HTTP: 403 AccessDenied, no token, no data (web/pact.py)."""
    from web import create_app

    app = create_app({"TESTING": True, "FOOTPRINT_HOME": str(host.home)})
    http = app.test_client()
    client_id, secret = host.world.clients["all"]
    for method, path, kwargs in (
            ("POST", "/auth/token", {"data": {"grant_type": "client_credentials"},
                                     "headers": {"Authorization": basic(client_id, secret)}}),
            ("GET", "/3/footprints", {"headers": bearer(token)}),
            ("GET", f"/3/footprints/{host.world.pf['current']}", {"headers": bearer(token)}),
            ("POST", "/3/events", {"headers": bearer(token), "data": "{}",
                                   "content_type": "application/cloudevents+json"})):
        answer = http.open(f"http://localhost{path}", method=method, **kwargs)
        body = answer.get_json()
        assert answer.status_code == 403 and body["code"] == "AccessDenied"
        assert "data" not in body and "access_token" not in body


# -- events -----------------------------------------------------------------------------------

CLOUDEVENTS = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


def post_event(host, token, event):
    return call(host, "POST", "/3/events", headers={**CLOUDEVENTS, **bearer(token)},
                data=json.dumps(event).encode())


def wait_for_event(host, request_id, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got = host.receiver.events.get(timeout=1)
        except queue.Empty:
            continue
        if got["body"].get("data", {}).get("requestEventId") == request_id:
            return got
    raise AssertionError(f"no answer to {request_id} within {seconds} s")


def test_cases_12_13_request_created_then_fulfilled(host, token):
    """#12: a RequestCreatedEvent -> 200, empty body. #13: the host then POSTs a
    RequestFulfilledEvent (application/cloudevents+json) with the matching footprints to
    the requester's events endpoint."""
    event = {"specversion": "1.0", "id": "test-run-id-12345-fulfil",
             "source": host.receiver_url, "time": "2023-05-19T10:30:00Z",
             "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
             "data": {"productId": [f"urn:gtin:{pact_world.GTIN_ORANGES}"],
                      "comment": "Please send PCF data for this year."}}
    status, _, body = post_event(host, token, event)
    assert status == 200 and body is None
    got = wait_for_event(host, event["id"])
    assert got["path"] == "/3/events"
    assert got["headers"]["Content-Type"].startswith("application/cloudevents+json")
    # authenticated as the recipient asks: its token, got with the credentials it issued
    assert got["headers"]["Authorization"] == f"Bearer {RECIPIENT_TOKEN}"
    assert host.receiver.refused == []
    answer = got["body"]
    host.validator("RequestFulfilledEvent").validate(answer)
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    assert answer["specversion"] == "1.0" and answer["id"] != event["id"]
    assert ids(answer["data"]["pfs"]) == {host.world.pf["old"], host.world.pf["current"]}


def test_cases_14a_14b_request_created_then_rejected(host, token):
    """#14.A: a RequestCreatedEvent for a product that does not exist (urn:null) -> 200.
    #14.B: the host then POSTs a RequestRejectedEvent with an Error."""
    event = {"specversion": "1.0", "id": "test-run-id-12345-reject",
             "source": host.receiver_url, "time": "2023-05-19T10:30:00Z",
             "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
             "data": {"productId": ["urn:null"],
                      "comment": "Please send PCF data for this year."}}
    status, _, body = post_event(host, token, event)
    assert status == 200 and body is None
    got = wait_for_event(host, event["id"])
    assert got["headers"]["Authorization"] == f"Bearer {RECIPIENT_TOKEN}"
    answer = got["body"]
    host.validator("RequestRejectedEvent").validate(answer)
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    assert answer["data"]["error"]["code"] == "NotFound"


def test_an_answer_refused_at_first_is_posted_again_from_the_outbox(host, token):
    """Not a documented case (docs/pact.md, Events): the recipient answers the first POST of
    the answer 503; the server's courier posts the same event again a second later, and the
    outbox records it delivered at the second attempt."""
    from footprint.store import connect, database_path

    event = {"specversion": "1.0", "id": "test-run-id-outbox-retry",
             "source": host.receiver_url, "time": "2023-05-19T10:30:00Z",
             "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
             "data": {"productId": [f"urn:gtin:{pact_world.GTIN_ORANGES}"]}}
    host.receiver.fail_once.add(event["id"])
    status, _, body = post_event(host, token, event)
    assert status == 200 and body is None
    got = wait_for_event(host, event["id"])
    [refused] = [e for e in host.receiver.failed
                 if e["data"]["requestEventId"] == event["id"]]
    assert got["body"] == refused  # the same event, id included
    db = connect(database_path(host.home))
    try:
        deadline = time.monotonic() + 10
        while True:
            [row] = db.query("SELECT * FROM pact_outbox WHERE request_event_id = ?",
                             [event["id"]])
            if row["delivered_at"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        db.close()
    assert row["delivered_at"] and row["attempts"] == 2 and row["event_id"] == refused["id"]


def test_case_15_published_event(host, token):
    """#15: a PublishedEvent -> 200, empty body."""
    status, _, body = post_event(host, token, {
        "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "specversion": "1.0",
        "id": "123e4567-e89b-12d3-a456-426614174000", "source": "https://webhook.example.com",
        "time": "2023-05-19T11:30:00Z", "data": {"pfIds": ["urn:gtin:4712345060507"]}})
    assert status == 200 and body is None


def test_case_16_events_with_invalid_token(host):
    """#16: POST /3/events with an invalid token -> 400 or 401."""
    status, _, body = post_event(host, "invalid-access-token", {
        "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "specversion": "1.0",
        "id": "test-run-id-12345", "source": "https://webhook.example.com",
        "time": "2023-05-19T12:30:00Z", "data": {}})
    assert status in (400, 401)
    assert body == {"code": "BadRequest", "message": "Invalid token provided"}


def test_case_17_events_over_http(host, token):
    """#17: POST http://.../3/events -> rejected, no data."""
    status, text = plain_http(host, "POST", "/3/events", {**CLOUDEVENTS, **bearer(token)},
                              json.dumps({"specversion": "1.0", "id": "test-run-id-12345",
                                          "source": "https://webhook.example.com",
                                          "time": "2023-05-19T13:30:00Z",
                                          "type": "org.wbcsd.pact.ProductFootprint"
                                                  ".PublishedEvent.3", "data": {}}))
    assert status is None or status >= 400
    assert '"data"' not in text


def test_malformed_events_are_400_naming_what_is_wrong(host, token):
    """Not a numbered case (the spec: "A host system MUST validate the event and return an
    HTTP 4xx status code if the event is invalid")."""
    good = {"specversion": "1.0", "id": "e-1", "source": host.receiver_url,
            "time": "2023-05-19T10:30:00Z",
            "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3", "data": {}}
    for broken, word in (({**good, "type": "Bogus"}, "type"),
                         ({**good, "time": "yesterday"}, "time"),
                         ({k: v for k, v in good.items() if k != "id"}, "id"),
                         ({**good, "data": []}, "data"),
                         ({**good, "source": "http://insecure.example.com"}, "source"),
                         ({**good, "data": {"productId": "urn:x", "validOn": 5}}, "validOn")):
        status, _, body = post_event(host, token, broken)
        assert status == 400, broken
        error_body(host, body)
        assert body["code"] == "BadRequest" and word in body["message"]
    status, _, body = call(host, "POST", "/3/events", data=b"{not json",
                           headers={**CLOUDEVENTS, **bearer(token)})
    assert status == 400 and body["code"] == "BadRequest"


# -- OpenID Connect ---------------------------------------------------------------------------

def test_cases_18_19_openid_connect(host):
    """#18: the token endpoint found by OpenID Connect discovery -> 200 with a token.
    #19: the same with wrong credentials -> 400 or 401 invalid_client."""
    status, _, config = call(host, "GET", "/.well-known/openid-configuration")
    assert status == 200 and config["issuer"] == host.base
    endpoint = config["token_endpoint"]
    assert endpoint == f"{host.base}/auth/token"
    client_id, secret = host.world.clients["all"]
    status, _, body = call(host, "POST", "", base=endpoint, data=GRANT,
                           headers={**FORM, "Authorization": basic(client_id, secret)})
    assert status == 200 and body["token_type"] == "Bearer" and body["access_token"]
    status, _, body = call(host, "POST", "", base=endpoint, data=GRANT,
                           headers={**FORM, "Authorization": basic(client_id, "wrong")})
    assert status in (400, 401) and body["error"] == "invalid_client"


# -- filters ----------------------------------------------------------------------------------

def now_text():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_case_20_filter_product_id(host, token):
    """#20: ?productId=urn:gtin:... -> the footprints of that product."""
    pf = host.world.pf
    assert ids(listed(host, token, f"productId=urn:gtin:{pact_world.GTIN_ORANGES}")) == \
        {pf["old"], pf["current"]}


def test_case_21_filter_company_id(host, token):
    """#21: ?companyId=<urn> -> the footprints of that company."""
    pf = host.world.pf
    assert ids(listed(host, token, f"companyId=urn:uscc:{pact_world.USCC}")) == \
        {pf["old"], pf["current"], pf["juice"]}


def test_case_22_filter_geography(host, token):
    """#22: ?geography=<code> -> the footprints of that geography (subdivision or country)."""
    pf = host.world.pf
    assert ids(listed(host, token, "geography=CN-SD")) == {pf["battery"]}
    assert ids(listed(host, token, "geography=CN")) == set(pf.values())


def test_case_23_filter_classification(host, token):
    """#23: ?classification=<urn> -> the footprints so classified."""
    assert ids(listed(host, token, "classification=urn:footprint:category:batteries")) == \
        {host.world.pf["battery"]}


def test_case_24_filter_valid_on(host, token):
    """#24: ?validOn=<date-time> -> start <= validOn <= end."""
    pf = host.world.pf
    found = ids(listed(host, token, f"validOn={now_text()}"))
    # the revoked label's validity ended when it was revoked (possibly this very second)
    assert {pf["old"], pf["current"], pf["battery"]} <= found


def test_case_25_filter_valid_after(host, token):
    """#25: ?validAfter=<date-time> -> validity start > validAfter."""
    assert ids(listed(host, token, "validAfter=2023-01-14T10:15:30Z")) == \
        set(host.world.pf.values())


def test_case_26_filter_valid_before(host, token):
    """#26: ?validBefore=<date-time> -> validity end < validBefore (labels here are valid
    a year from today, so the documented 2026-01-01 is moved to 2099)."""
    assert ids(listed(host, token, "validBefore=2099-01-01T00:00:00Z")) == \
        set(host.world.pf.values())


def test_case_27_filter_status(host, token):
    """#27: ?status=Active -> only Active footprints."""
    found = listed(host, token, "status=Active")
    assert ids(found) == {host.world.pf["current"], host.world.pf["battery"]}
    assert {fp["status"] for fp in found} == {"Active"}


def test_case_28_filter_status_and_product_id(host, token):
    """#28: ?status=Active&productId=... -> both criteria (AND)."""
    assert ids(listed(host, token, f"status=Active&productId=urn:gtin:"
                                   f"{pact_world.GTIN_ORANGES}")) == {host.world.pf["current"]}


def test_case_29_filter_company_ids_or(host, token):
    """#29: companyId three times -> any of them (OR)."""
    pf = host.world.pf
    query = (f"companyId=urn:uscc:{pact_world.USCC}&companyId=urn:uuid:other-company"
             "&companyId=urn:uuid:another-company")
    assert ids(listed(host, token, query)) == {pf["old"], pf["current"], pf["juice"]}


@pytest.mark.parametrize("case,query", [
    (30, "productId=urn:bogus:product:nonexistent123"),
    (31, "companyId=urn:bogus:company:nonexistent456"),
    (32, "geography=XX"),
    (33, "classification=urn:bogus:classification:nonexistent789"),
    (34, "validOn=1900-01-01T00:00:00Z"),
    (35, "validAfter=2099-12-31T23:59:59Z"),
    (36, "validBefore=1900-01-01T00:00:00Z"),
    (37, "status=BogusStatusValue"),
    (38, "companyId=urn:bogus:company:5FIi8zS3&productId=urn:bogus:product:nonexistent123"),
    (39, "companyId=urn:bogus:company:nonexistent1&companyId=urn:bogus:company:nonexistent2"
         "&companyId=urn:bogus:company:nonexistent3"),
])
def test_cases_30_to_39_negative_filters(host, token, case, query):
    """#30-#39: filters that match nothing -> 200 {"data": []} (an empty list, never
    null)."""
    status, _, body = call(host, "GET", f"/3/footprints?{query}", headers=bearer(token))
    assert status == 200 and body == {"data": []}, case


def test_case_40_odata_filter_is_refused(host, token):
    """#40: the v2 ?$filter=... -> 400 (v3 dropped the OData syntax)."""
    query = urllib.parse.quote("$filter=created ge '2023-01-15T10:15:30Z'", safe="=$")
    status, _, body = call(host, "GET", f"/3/footprints?{query}", headers=bearer(token))
    assert status == 400
    error_body(host, body)
    assert body["code"] == "BadRequest" and "$filter" in body["message"]


# -- PACT as input: a buyer's producer fetches a footprint from this host ---------------------

def test_a_buyer_fetches_a_footprint_and_uses_it_in_a_bom(host, service, engine, make_bom,
                                                         monkeypatch):
    """Another platform's producer (the ``service`` database) fetches the orchard's current
    oranges footprint from the host with the client credentials the orchard gave, and uses it
    in a BOM line. The host listens on this machine, which the operator names."""
    from footprint.usecases import pactinputs
    from footprint.usecases import submissions as subs

    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")

    client_id, secret = host.world.clients["orchard"]
    buyer = service.people["steelworks"]
    found = pactinputs.fetch_footprint(service.db, buyer, host.base,
                                       host.world.pf["current"], client_id, secret,
                                       context=host.context)  # its self-signed certificate
    assert found.id == host.world.pf["current"] and found.status == "Active"
    # the current oranges label: 80 kWh x 0.1404 kg CO2/kWh (Sichuan 2022) = 11.232 kg CO2e
    # per 1 kg; 3 kg of oranges as a raw material: 3 x 11.232 = 33.696 kg CO2e
    assert (found.declared_unit, found.declared_amount) == ("kg", 1.0)
    assert found.value == pytest.approx(11.232, rel=1e-6)
    _, result = subs.calculate(service.db, engine, buyer, make_bom(lines=[
        {"input": f"pact:{found.id}", "amount": 3, "unit": "kg", "stage": "raw_materials"}]),
        home=service.home)
    assert result["total_kg_co2e"] == pytest.approx(33.696, rel=1e-6)
    line = result["by_input"][0]
    assert line["supplier_label"]["issuer_name"] == "Pujiang Orchard Co-op"
    assert line["supplier_label"]["data_quality"] == "verified"
    # the superseded label's footprint is Deprecated: refused with its path
    from footprint.errors import InvalidInput
    with pytest.raises(InvalidInput) as refused:
        pactinputs.fetch_footprint(service.db, buyer, host.base, host.world.pf["old"],
                                   client_id, secret, context=host.context)
    assert [p.where for p in refused.value.problems] == ["status"]
