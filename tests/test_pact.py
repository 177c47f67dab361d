"""The PACT v3 host in process (docs/pact.md): clients and tokens, the mapping of a label to
a ProductFootprint, per-client authorisation, throttling, the CLI. The conformance cases
#1-#40 against a real HTTPS server are tests/test_pact_conformance.py."""
from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest

from tests import pact_world

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

HTTPS = "https://pact.example.cn"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pact_service(tmp_path_factory, engine, service_template):
    service = pact_world.make_service(tmp_path_factory.mktemp("pact") / "home", engine,
                                      service_template)
    service.app.config["FOOTPRINT_PUBLIC_HOST"] = "pact.example.cn"  # the host HTTPS names
    return service


@pytest.fixture(scope="module")
def validator():
    return pact_world.schemas()


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(app, which, world):
    client_id, secret = world.clients[which]
    response = app.test_client().post(f"{HTTPS}/auth/token",
                                      data={"grant_type": "client_credentials"},
                                      headers={"Authorization": basic(client_id, secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def get(app, path, token, **kwargs):
    return app.test_client().get(f"{HTTPS}{path}",
                                 headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_a_label_is_a_footprint_with_every_shall_field(pact_service, validator):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    answer = get(app, f"/3/footprints/{world.pf['current']}", token)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    fp = body["data"]
    validator("ProductFootprint").validate(fp)
    assert fp["id"] == world.pf["current"] and fp["status"] == "Active"
    assert fp["specVersion"] == "3.0.0"
    assert fp["precedingPfIds"] == [world.pf["old"]]
    assert f"urn:gtin:{pact_world.GTIN_ORANGES}" in fp["productIds"]
    assert any(p.startswith("urn:footprint:cn-sc:product:") for p in fp["productIds"])
    assert fp["companyIds"][0] == f"urn:uscc:{pact_world.USCC}"
    assert fp["companyName"] == "Pujiang Orchard Co-op"
    assert fp["productNameCompany"] == "脐橙(包装)"
    assert "Navel oranges, packed" in fp["productDescription"]
    pcf = fp["pcf"]
    assert pcf["declaredUnitOfMeasurement"] == "kilogram"
    assert pcf["declaredUnitAmount"] == "1" and pcf["productMassPerDeclaredUnit"] == "1"
    assert pcf["geographyCountrySubdivision"] == "CN-SC" and "geographyCountry" not in pcf
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert "ISO14067" in pcf["crossSectoralStandards"]
    assert "GB/T 24067-2024" in pcf["crossSectoralStandards"]
    # the 2025 season's BOM (reference_year 2025; its factor_year 2022 is the factors')
    assert pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
    assert pcf["referencePeriodEnd"] == "2026-01-01T00:00:00Z"
    assert float(pcf["pcfExcludingBiogenicUptake"]) > 0
    assert pcf["verification"]["providerName"] == "Sichuan Carbon Verification"
    assert set(pcf["dqi"]) == {"technologicalDQR", "geographicalDQR", "temporalDQR"}
    assert pcf["secondaryEmissionFactorSources"]
    assert pcf["packagingEmissionsIncluded"] is False and "packagingGhgEmissions" not in pcf


def test_a_superseded_label_is_deprecated_and_a_revoked_one_too(pact_service, validator):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    old = get(app, f"/3/footprints/{world.pf['old']}", token).get_json()["data"]
    validator("ProductFootprint").validate(old)
    # the earlier season's BOM (reference_year 2024): its own year, not its successor's
    assert (old["pcf"]["referencePeriodStart"], old["pcf"]["referencePeriodEnd"]) == \
        ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
    assert old["status"] == "Deprecated" and "precedingPfIds" not in old
    assert world.pf["current"] in old["comment"]
    juice = get(app, f"/3/footprints/{world.pf['juice']}", token).get_json()["data"]
    assert juice["status"] == "Deprecated" and "REVOKED" in juice["comment"]
    assert "wrong electricity" in juice["comment"]
    assert juice["pcf"]["declaredUnitOfMeasurement"] == "liter"
    active = get(app, "/3/footprints?status=Active", token).get_json()["data"]
    assert {fp["id"] for fp in active} == {world.pf["current"], world.pf["battery"]}


def test_the_battery_carries_its_passport_as_an_extension(pact_service, validator):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    fp = get(app, f"/3/footprints/{world.pf['battery']}", token).get_json()["data"]
    validator("ProductFootprint").validate(fp)
    assert fp["pcf"]["declaredUnitOfMeasurement"] == "kilowatt hour"
    assert fp["pcf"]["productMassPerDeclaredUnit"] == "0"
    assert fp["pcf"]["geographyCountrySubdivision"] == "CN-SD"
    steelworks = pact_service.people["steelworks"]["org_id"]
    assert fp["companyIds"] == [f"urn:footprint:cn-sc:org:{steelworks}"]
    (extension,) = fp["extensions"]
    data = extension["data"]
    assert data["performance_class"]["class"]
    assert data["art7_unit"]["kwh_delivered_per_kwh_capacity"]
    schema = app.test_client().get(extension["dataSchema"].replace("https://localhost", HTTPS))
    assert schema.status_code == 200 and schema.get_json()["type"] == "object"


def test_no_url_or_text_follows_the_host_header_the_client_sends(pact_service, monkeypatch):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    evil = app.test_client()

    def answers(path):
        return evil.get(path, base_url="https://evil.example",
                        headers={"Authorization": f"Bearer {token}"})

    def everything_said():
        page = answers("/3/footprints?limit=1")
        battery = answers(f"/3/footprints/{world.pf['battery']}").get_json()["data"]
        discovery = answers("/.well-known/openid-configuration").get_json()
        return (page.headers["Link"], page.get_json()["data"][0]["comment"],
                battery["extensions"][0]["dataSchema"], discovery["issuer"],
                discovery["token_endpoint"])

    link, comment, schema, issuer, token_endpoint = everything_said()
    assert link == '<https://pact.example.cn/3/footprints?limit=1&offset=1>; rel="next"'
    label = comment.split()[2]
    assert comment.startswith(
        f"Carbon label {label} issued by CN-SC at pact.example.cn; its signed bytes and "
        f"transparency-log proof are at https://pact.example.cn/api/v1/labels/{label}.")
    assert schema == "https://pact.example.cn/3/extensions/batteries/1.0.0/schema.json"
    assert (issuer, token_endpoint) == ("https://pact.example.cn",
                                        "https://pact.example.cn/auth/token")
    # no public host configured: the address `footprint serve` was told to listen on
    monkeypatch.delitem(app.config, "FOOTPRINT_PUBLIC_HOST")
    monkeypatch.delenv("FOOTPRINT_PUBLIC_HOST", raising=False)
    monkeypatch.setenv("FOOTPRINT_SERVED_ADDRESS", "10.0.0.5:8443")
    said = everything_said()
    assert said[0] == '<https://10.0.0.5:8443/3/footprints?limit=1&offset=1>; rel="next"'
    assert "issued by CN-SC at 10.0.0.5:8443; " in said[1]
    assert said[3] == "https://10.0.0.5:8443"
    assert not any("evil.example" in text for text in said)
    # nor that (the app run some other way): localhost, never the header
    monkeypatch.delenv("FOOTPRINT_SERVED_ADDRESS")
    said = everything_said()
    assert said[0] == '<https://localhost/3/footprints?limit=1&offset=1>; rel="next"'
    assert said[3:] == ("https://localhost", "https://localhost/auth/token")
    assert not any("evil.example" in text for text in said)


@pytest.mark.parametrize("bound, named", [
    (("127.0.0.1", 8443), "127.0.0.1:8443"), (("0.0.0.0", 443), "localhost:443"),
    (("::", 8000), "localhost:8000"), (("::1", 8443), "[::1]:8443"),
    (("carbon.example.cn", 443), "carbon.example.cn:443")])
def test_serve_names_the_address_it_listens_on(bound, named):
    from cli.commands.service import served_address

    assert served_address(*bound) == named


def test_only_an_extension_a_plugin_adds_has_a_schema(pact_service):
    http = pact_service.app.test_client()
    for name in ("batteries", "oranges", "steel_vanadium"):
        found = http.get(f"{HTTPS}/3/extensions/{name}/1.0.0/schema.json")
        assert found.status_code == 200 and found.get_json()["$id"] == \
            f"https://pact.example.cn/3/extensions/{name}/1.0.0/schema.json"
    for name in ("nope", "generic"):  # no such category; a category adding nothing
        missing = http.get(f"{HTTPS}/3/extensions/{name}/1.0.0/schema.json")
        assert missing.status_code == 404 and missing.get_json() == {
            "code": "NotFound", "message": "No such extension"}, name
    assert http.get(f"{HTTPS}/3/extensions/batteries/2.0.0/schema.json").status_code == 404


def test_a_client_limited_to_an_organisation_sees_only_its_labels(pact_service):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "orchard", world)
    listed = get(app, "/3/footprints", token).get_json()["data"]
    assert {fp["id"] for fp in listed} == {world.pf["old"], world.pf["current"],
                                          world.pf["juice"]}
    hidden = get(app, f"/3/footprints/{world.pf['battery']}", token)
    assert hidden.status_code == 403 and hidden.get_json()["code"] == "AccessDenied"
    assert "data" not in hidden.get_json()


def test_a_revoked_client_gets_no_token_and_its_tokens_stop(pact_service):
    from footprint.usecases import pactclients

    app, db, world = pact_service.app, pact_service.db, pact_service.world
    client_id, secret = world.clients["revoked"]
    refused = app.test_client().post(f"{HTTPS}/auth/token",
                                     data={"grant_type": "client_credentials"},
                                     headers={"Authorization": basic(client_id, secret)})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    client, secret = pactclients.create_client(db, "short-lived")
    token = pactclients.issue_token(db, client["client_id"], secret, "192.0.2.1",
                                    "client_credentials")["access_token"]
    assert get(app, "/3/footprints", token).status_code == 200
    assert pactclients.revoke_client(db, client["client_id"])
    gone = get(app, "/3/footprints", token)
    assert gone.status_code == 401 and "invalid_token" in gone.headers["WWW-Authenticate"]
    stored = [r["token_sha256"] for r in db.query("SELECT token_sha256 FROM pact_tokens")]
    assert token not in stored and all(len(s) == 64 for s in stored)
    (row,) = db.query("SELECT secret_hash FROM pact_clients WHERE client_id = ?",
                      [client["client_id"]])
    assert row["secret_hash"].startswith("$argon2id$")


def test_an_expired_token_says_so(pact_service, monkeypatch):
    from datetime import timedelta

    from footprint import clock

    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    later = clock.now() + timedelta(seconds=3601)
    monkeypatch.setattr(clock, "now", lambda: later)
    answer = get(app, "/3/footprints", token)
    assert answer.status_code == 401 and answer.get_json()["code"] == "TokenExpired"
    assert "WWW-Authenticate" in answer.headers


def test_failed_token_requests_are_throttled_per_client(pact_service, monkeypatch):
    from footprint import clock
    from footprint.usecases import pactclients

    app, db = pact_service.app, pact_service.db
    client, secret = pactclients.create_client(db, "guessed")
    http = app.test_client()
    held = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: held[0])

    def attempt(with_secret="wrong"):
        # from an address of its own: the failures counted against it would otherwise make
        # the module's later token requests from the test client's address wait
        return http.post(f"{HTTPS}/auth/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": basic(client["client_id"], with_secret)},
                         environ_base={"REMOTE_ADDR": "203.0.113.7"})

    # as log-ins count (tests/test_security.py): five free failures, and the sixth is
    # answered too; it makes the next attempt wait 1 s
    assert [attempt().status_code for _ in range(6)] == [401] * 6
    blocked = attempt(secret)  # the right secret, not even checked
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    held[0] += timedelta(seconds=1)
    assert attempt().status_code == 401  # the seventh failure: the next waits 2 s
    assert attempt(secret).headers["Retry-After"] == "2"
    held[0] += timedelta(seconds=2)
    assert attempt(secret).status_code == 200


def test_the_documented_throttling_is_the_policy():
    from footprint.usecases.pactclients import CLIENT, CLIENT_ADDRESS

    documented = " ".join((ROOT / "docs" / "pact.md").read_text(encoding="utf-8").split())
    assert (f"The first {CLIENT.free} failures for a client id "
            f"({CLIENT_ADDRESS.free} for an address) are free") in documented
    assert (f"the {CLIENT.free + 1}th failure makes the next attempt wait "
            f"{CLIENT.first_wait:g} s, the {CLIENT.free + 2}th "
            f"{2 * CLIENT.first_wait:g} s") in documented


def test_plain_http_is_refused_without_data_or_token(pact_service):
    app, world = pact_service.app, pact_service.world
    client_id, secret = world.clients["all"]
    http = app.test_client()
    token = http.post("http://pact.example.cn/auth/token",
                      data={"grant_type": "client_credentials"},
                      headers={"Authorization": basic(client_id, secret)})
    assert token.status_code == 403 and "access_token" not in token.get_json()
    listed = http.get("http://pact.example.cn/3/footprints")
    assert listed.status_code == 403 and "data" not in listed.get_json()


def test_filters_or_within_and_across(pact_service):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)

    def ids(query):
        answer = get(app, f"/3/footprints?{query}", token)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return {fp["id"] for fp in answer.get_json()["data"]}

    pf = world.pf
    assert ids(f"productId=urn:gtin:{pact_world.GTIN_ORANGES}") == {pf["old"], pf["current"]}
    assert ids(f"productid=URN:GTIN:{pact_world.GTIN_JUICE}&productId=urn:gtin:"
               f"{pact_world.GTIN_BATTERY}") == {pf["juice"], pf["battery"]}
    assert ids(f"productId=urn:gtin:{pact_world.GTIN_ORANGES}&status=Active") == {pf["current"]}
    # a GTIN-13 finds the GTIN-14 the footprints carry
    assert ids(f"productId=urn:gtin:{pact_world.GTIN_ORANGES[1:]}") == {pf["old"], pf["current"]}
    assert ids("geography=CN-SD") == {pf["battery"]}
    assert ids("geography=cn") == set(pf.values())
    assert ids("geography=Eastern Asia") == set(pf.values())
    assert ids("classification=urn:footprint:category:batteries") == {pf["battery"]}
    assert ids(f"companyId=urn:uscc:{pact_world.USCC}") == {pf["old"], pf["current"],
                                                            pf["juice"]}
    assert ids("validOn=1900-01-01T00:00:00Z") == set()
    assert ids("validBefore=2099-01-01T00:00:00Z") == set(pf.values())
    assert ids("validAfter=2000-01-01T00:00:00Z&status=deprecated") == {pf["old"], pf["juice"]}
    # the platform's own URNs, in any case; an id of a scheme not used here matches nothing
    battery = get(app, f"/3/footprints/{pf['battery']}", token).get_json()["data"]
    own_product = next(i for i in battery["productIds"] if i.startswith("urn:footprint:"))
    own_company = next(i for i in battery["companyIds"] if i.startswith("urn:footprint:"))
    assert ids(f"productId={own_product.upper()}") == {pf["battery"]}
    assert ids(f"companyId={own_company}&productId=urn:gtin:{pact_world.GTIN_ORANGES}") == set()
    assert ids(f"companyId={own_company}") == {pf["battery"]}
    assert ids("productId=urn:ean:123&classification=urn:unspsc:10") == set()


def test_labels_are_read_a_batch_at_a_time_in_issue_order(pact_service):
    from footprint.store import pact as stored

    db = pact_service.db
    whole = [row["id"] for row in stored.label_rows(db, batch=1000)]
    assert len(whole) == len(pact_service.world.pf) >= 4
    assert [row["id"] for row in stored.label_rows(db, batch=1)] == whole
    assert [row["id"] for row in stored.label_rows(db, batch=3)] == whole
    issued = [row["issued_at"] for row in stored.label_rows(db)]
    assert issued == sorted(issued)


def test_bad_queries_name_what_is_wrong(pact_service):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    for query, words in (("$filter=created ge '2023-01-15T10:15:30Z'", "$filter"),
                         ("validOn=yesterday", "validOn"), ("limit=-1", "limit"),
                         ("limit=ten", "limit"), ("limit=0", "limit")):
        answer = get(app, f"/3/footprints?{query}", token)
        assert answer.status_code == 400, query
        assert answer.get_json()["code"] == "BadRequest" and words in answer.get_json()["message"]
    assert get(app, "/3/footprints?x-acme-invoice=1", token).status_code == 200


def test_a_limit_that_is_no_number_is_told_the_least_one_taken(pact_service):
    """"limit: 'abc' is not a whole number from 0" invited a 0 that is refused in turn."""
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    said = {query: get(app, f"/3/footprints?{query}", token).get_json()["message"]
            for query in ("limit=abc", "limit=0", "offset=abc")}
    assert said == {
        "limit=abc": "limit: 'abc' is not a whole number from 1 (a page holds at most 1000)",
        "limit=0": "limit: 0 asks for no footprints; give 1 or more (at most 1000 a page)",
        "offset=abc": "offset: 'abc' is not a whole number from 0"}


@pytest.mark.parametrize("query, names", [
    # a filter only the footprints answer: every label is read and matched
    ("limit=1&geography=CN", ("old", "current", "juice", "battery")),
    ("limit=1", ("old", "current", "juice", "battery")),  # none: pages skip in SQL
    (f"limit=1&companyId=urn:uscc:{pact_world.USCC}&companyId=urn:footprint:cn-sc:org:0"
     "&classification=urn:footprint:category:generic&classification="
     "urn:footprint:category:batteries", ("old", "current", "juice"))])
def test_pagination_follows_the_link(pact_service, query, names):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    expected = {world.pf[name] for name in names}
    seen, url = [], f"/3/footprints?{query}"
    while url:
        answer = get(app, url, token)
        page = answer.get_json()["data"]
        assert len(page) <= 1
        seen += [fp["id"] for fp in page]
        link = answer.headers.get("Link")
        url = None
        if link:
            target = link.split(">")[0].lstrip("<")
            assert target.startswith(HTTPS + "/3/footprints?") and 'rel="next"' in link
            url = target[len(HTTPS):]
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_the_cli_creates_lists_and_revokes_clients(pact_service, run, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_HOME", str(pact_service.home))
    made = run("pact", "clients", "create", "ERP of Chengdu Foods", "--org",
               "Pujiang Orchard Co-op")
    assert made.exit_code == 0, made.output
    client_id = made.stdout.split("client_id: ")[1].split()[0]
    assert "client_secret: " in made.stdout
    listed = run("pact", "clients", "list")
    assert client_id in listed.stdout and "Pujiang Orchard Co-op" in listed.stdout
    assert run("pact", "clients", "revoke", client_id).exit_code == 0
    assert run("pact", "clients", "revoke", client_id).exit_code == 2  # none such to revoke
    bad = run("pact", "clients", "create", "x", "--org", "No Such Org")
    assert bad.exit_code == 2 and "No Such Org" in bad.stderr


def test_a_request_is_answered_with_only_what_the_client_may_see(pact_service, validator):
    from footprint.usecases import pact, pactevents

    db, world = pact_service.db, pact_service.world
    orchard = pact.stored.client_by_client_id(db, world.clients["orchard"][0])
    event = {"specversion": "1.0", "id": "req-1", "source": "//buyer.example.cn",
             "time": "2026-01-01T00:00:00Z",
             "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
             "data": {"productId": [f"urn:gtin:{pact_world.GTIN_BATTERY}"]}}
    delivery = pactevents.accept_event(db, orchard, event, "pact.example.cn", HTTPS)
    assert delivery.url == "https://buyer.example.cn/3/events"
    validator("RequestRejectedEvent").validate(delivery.event)
    # another request is another event (a source and an id name one)
    event["id"], event["data"] = "req-2", {"productId": [f"urn:gtin:{pact_world.GTIN_ORANGES}"],
                                           "status": ["Active"]}
    delivery = pactevents.accept_event(db, orchard, event, "pact.example.cn", HTTPS)
    validator("RequestFulfilledEvent").validate(delivery.event)
    assert [fp["id"] for fp in delivery.event["data"]["pfs"]] == [world.pf["current"]]
    assert delivery.event["source"] == f"{HTTPS}/3/events"


def test_callback_addresses(monkeypatch):
    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_HOSTS", raising=False)
    from footprint.usecases import pact, pactevents

    assert pactevents.callback_url("https://buyer.example") == "https://buyer.example/3/events"
    assert pactevents.callback_url("https://buyer.example/pact/v3/events") == \
        "https://buyer.example/pact/v3/events"
    assert pactevents.callback_url("//api.example.com/3/events") == \
        "https://api.example.com/3/events"
    for refused in ("http://buyer.example", "/3/events", "urn:buyer", "ftp://x",
                    "http://127.0.0.1:8001"):
        with pytest.raises(pact.PactError) as caught:
            pactevents.callback_url(refused)
        assert caught.value.status == 400 and "source" in caught.value.message
    # a conformance run beside the service: plain http to this machine only, when asked
    monkeypatch.setenv("FOOTPRINT_PACT_LOOPBACK_HTTP_CALLBACKS", "1")
    assert pactevents.callback_url("http://127.0.0.1:8001") == "http://127.0.0.1:8001/3/events"
    assert pactevents.callback_url("http://localhost:8001/cb") == "http://localhost:8001/cb"
    for refused in ("http://buyer.example", "http://10.0.0.5:8001", "http://127.0.0.2"):
        with pytest.raises(pact.PactError):
            pactevents.callback_url(refused)


def test_the_operator_may_limit_where_answers_go(monkeypatch):
    from footprint.usecases import pact, pactevents

    monkeypatch.setenv("FOOTPRINT_PACT_CALLBACK_HOSTS", "erp.buyer.example, pact.other.example")
    assert pactevents.callback_url("https://ERP.buyer.example/3/events")
    with pytest.raises(pact.PactError) as caught:
        pactevents.callback_url("https://169.254.169.254/latest")
    assert "FOOTPRINT_PACT_CALLBACK_HOSTS" in caught.value.message


def test_a_callback_is_retried_and_then_given_up():
    from footprint.usecases import pactevents

    calls = []

    class Answer:
        status = 204

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def flaky(request, timeout, context):
        calls.append((request.full_url, request.headers["Content-type"]))
        if len(calls) < 2:
            raise OSError("connection refused")
        return Answer()

    done = pactevents.deliver(pactevents.Delivery("https://buyer.example/3/events", {"id": "e"},
                                                  first_wait=0.01), opener=flaky)
    assert done.delivered and len(calls) == 2
    assert calls[0] == ("https://buyer.example/3/events",
                        "application/cloudevents+json; charset=UTF-8")

    def down(request, timeout, context):
        raise OSError("connection refused")

    failed = pactevents.deliver(pactevents.Delivery("https://buyer.example/3/events", {"id": "e"},
                                                    attempts=3, first_wait=0.01),
                                opener=down)
    assert not failed.delivered and len(failed.errors) == 3


def test_a_published_event_names_footprints_by_any_string(pact_service):
    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)

    def published(pf_ids):
        event = {"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                 "specversion": "1.0", "id": "123e4567-e89b-12d3-a456-426614174000",
                 "source": "https://webhook.example.com", "time": "2023-05-19T11:30:00Z",
                 "data": {"pfIds": pf_ids}}
        return app.test_client().post(f"{HTTPS}/3/events", json=event, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/cloudevents+json"})

    for documented in (["urn:gtin:4712345060507"], [world.pf["current"]], []):
        answer = published(documented)
        assert (answer.status_code, answer.get_data()) == (200, b""), documented
    for wrong in ([42], "urn:gtin:4712345060507", [None]):
        answer = published(wrong)
        assert answer.status_code == 400 and answer.get_json() == {
            "code": "BadRequest",
            "message": "data.pfIds is a list of footprint ids (strings)"}, wrong


def test_a_client_may_post_its_secret_in_the_form(pact_service):
    app, world = pact_service.app, pact_service.world
    client_id, secret = world.clients["all"]
    answer = app.test_client().post(f"{HTTPS}/auth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert answer.status_code == 200 and answer.get_json()["token_type"] == "Bearer"
    config = app.test_client().get(f"{HTTPS}/.well-known/openid-configuration").get_json()
    assert config["token_endpoint"] == f"{HTTPS}/auth/token"
    assert "client_secret_post" in config["token_endpoint_auth_methods_supported"]
    wrong_grant = app.test_client().post(f"{HTTPS}/auth/token", data={
        "grant_type": "password", "client_id": client_id, "client_secret": secret})
    assert wrong_grant.status_code == 400
    assert wrong_grant.get_json()["error"] == "unsupported_grant_type"


def test_an_administrator_creates_and_revokes_a_client_on_the_page(service, clients):
    admin = clients["admin"]
    page = admin.get("/admin/", headers={"Accept-Language": "zh"})
    assert "PACT 数据交换客户端" in page.get_data(as_text=True)
    org = service.db.execute("SELECT id FROM organisations WHERE name = ?",
                             ["Pujiang Orchard Co-op"]).fetchone()[0]
    made = admin.post("/admin/pact-clients", data={"name": "Chengdu Foods ERP",
                                                   "org": str(org)},
                      headers={"Accept-Language": "en"})
    text = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert "it is shown only once" in text
    client_id = text.split("Client ID: <code>")[1].split("<")[0]
    secret = text.split("Client secret: <code>")[1].split("<")[0]
    from footprint.usecases import pactclients
    assert pactclients.issue_token(service.db, client_id, secret, None, "client_credentials")
    again = admin.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client_id in again and secret not in again
    # the column says what it holds, as a heading: when the credential was revoked (吊销时间,
    # the revoke button's word), not a label's scan verdict "revoked" (已撤销)
    clients_table = again.split("Client ID</th>")[1].split("</tr>")[0]
    assert "<th>Revoked at</th>" in clients_table
    chinese = admin.get("/admin/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "<th>吊销时间</th>" in chinese.split("客户端 ID</th>")[1].split("</tr>")[0]
    revoked = admin.post(f"/admin/pact-clients/{client_id}/revoke", follow_redirects=True,
                         headers={"Accept-Language": "zh"})
    assert f"客户端 {client_id} 已吊销" in revoked.get_data(as_text=True)
    with pytest.raises(pactclients.InvalidClient):
        pactclients.issue_token(service.db, client_id, secret, None, "client_credentials")
    blank = admin.post("/admin/pact-clients", data={"name": "", "org": ""})
    assert blank.status_code == 400
    assert clients["orchard"].post("/admin/pact-clients", data={"name": "x"}).status_code \
        in (302, 403)


def test_packed_oranges_map_packaging_and_soil_n2o(engine, validator):
    """A result with packaging and N2O of soils (the oranges category), mapped directly."""
    from footprint.bom import read_bom_file
    from footprint.usecases import pactfootprint
    from tests.conftest import SAMPLES

    result = engine.calculate(read_bom_file(SAMPLES / "oranges_pujiang_packed.json"))
    row = {"id": "CN-SC-AAAAAAAAAAAAA", "issuer": "CN-SC", "product_id": 7, "org_id": 3,
           "gtin": None, "product_name": "Navel oranges", "product_name_zh": None,
           "category": "oranges", "org_name": "Pujiang Orchard Co-op", "credit_code": None,
           "issued_at": "2026-03-01T08:00:00+00:00", "expires_at": "2027-03-01T08:00:00+00:00",
           "submission_created_at": "2026-02-27T08:00:00+00:00", "verifier_name": None,
           "verified_at": None,
           "claims_json": '{"producer": 3, "reproducibility_hash": "%s"}'
                          % result["reproducibility_hash"]}
    state = {"superseded_by": None, "revoked_at": None}
    fp = pactfootprint.product_footprint(row, state, result, [], "pact.example.cn", HTTPS)
    validator("ProductFootprint").validate(fp)
    pcf = fp["pcf"]
    assert pcf["packagingEmissionsIncluded"] is True
    assert float(pcf["packagingGhgEmissions"]) == pytest.approx(result["by_stage"]["packaging"],
                                                                abs=1e-6)
    assert float(pcf["fossilGhgEmissions"]) == pytest.approx(
        result["total_kg_co2e"] - result["biogenic_kg_co2e"], abs=1e-5)
    assert "N2O" in fp["comment"] and "verification" not in pcf
    assert fp["productClassifications"] == ["urn:footprint:category:oranges"]
    assert fp["productIds"] == ["urn:footprint:cn-sc:product:7"]
    assert fp["companyIds"] == ["urn:footprint:cn-sc:org:3"]
    assert fp["productNameCompany"] == "Navel oranges"  # no Chinese name was published
    # the sample names no reference year (its factor_year 2022 is the factors' vintage, not
    # the activity data's): the twelve months before the submission was made
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == \
        ("2025-02-27T00:00:00Z", "2026-02-27T00:00:00Z")
    assert pactfootprint._period({}, "2026-02-27T09:30:00+08:00") == \
        ("2025-02-27T00:00:00Z", "2026-02-27T00:00:00Z")
    season = {**result, "bom": {"bom": {**result["bom"]["bom"], "reference_year": 2024}}}
    pcf = pactfootprint.product_footprint(row, state, season, [], "pact.example.cn",
                                          HTTPS)["pcf"]
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == \
        ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")


def test_a_page_builds_only_its_own_footprints(pact_service, monkeypatch):
    from footprint.usecases import pact

    app, world = pact_service.app, pact_service.world
    token = token_for(app, "all", world)
    built = []
    real = pact.product_footprint
    monkeypatch.setattr(pact, "product_footprint",
                        lambda *args: built.append(args[0]["id"]) or real(*args))
    page = get(app, "/3/footprints?limit=1&offset=1", token)
    assert len(page.get_json()["data"]) == 1 and len(built) == 1
    assert 'rel="next"' in page.headers["Link"]


def test_recipient_credentials_are_read_from_an_owner_only_file(tmp_path, monkeypatch):
    import json

    from footprint import DataError
    from footprint.settings import pact_callback_credentials

    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", raising=False)
    assert pact_callback_credentials() == {}
    path = tmp_path / "recipients.json"
    path.write_text(json.dumps({"ERP.Buyer.example": {"client_id": "us", "client_secret": "s"}}))
    monkeypatch.setenv("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", str(path))
    path.chmod(0o644)
    with pytest.raises(DataError, match="owner only"):
        pact_callback_credentials()
    path.chmod(0o600)
    assert pact_callback_credentials()["erp.buyer.example"]["client_id"] == "us"
    for broken in ('{"h": {"client_id": "us"}}', "[]", "{not json",
                   '{"h": {"client_id": "a", "client_secret": "b", "token_url": "http://x"}}'):
        path.write_text(broken)
        with pytest.raises(DataError):
            pact_callback_credentials()


def test_a_refused_recipient_token_is_asked_for_again(tmp_path, monkeypatch):
    import io
    import json
    import urllib.error

    from footprint.usecases import pactevents

    path = tmp_path / "recipients.json"
    path.write_text(json.dumps({"buyer.example": {
        "client_id": "us", "client_secret": "s", "token_url": "https://buyer.example/oauth"}}))
    path.chmod(0o600)
    monkeypatch.setenv("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", str(path))
    seen, tokens = [], iter(["t1", "t2"])

    class Answer:
        def __init__(self, status, body=b""):
            self.status, self._body = status, body

        def read(self):
            return self._body

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def opener(request, timeout, context):
        seen.append((request.full_url, request.headers.get("Authorization")))
        if request.full_url.endswith("/oauth"):
            return Answer(200, json.dumps({"access_token": next(tokens)}).encode())
        if request.headers.get("Authorization") == "Bearer t1":
            raise urllib.error.HTTPError(request.full_url, 401, "expired", {}, io.BytesIO())
        return Answer(200)

    done = pactevents.deliver(pactevents.Delivery("https://buyer.example/3/events", {"id": "e"},
                                                  first_wait=0.01), opener=opener)
    assert done.delivered
    assert [url for url, _ in seen] == ["https://buyer.example/oauth",
                                        "https://buyer.example/3/events",
                                        "https://buyer.example/oauth",
                                        "https://buyer.example/3/events"]
    assert seen[-1][1] == "Bearer t2"
