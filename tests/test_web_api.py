"""The JSON API (/api/v1): bearer tokens, the whole disclosure flow, idempotency, bad input
with nothing stored, size limits, permissions (401/403/404/409), reference data, and the
OpenAPI document.

Hand-calculated values (MEE/NBS location-based factors, lca_data/electricity/cn_grid_co2_mee.csv):
  100 kWh x 0.1404 kg CO2/kWh (Sichuan, 2022) = 14.04 kg CO2e
  10 MWh = 10000 kWh x 0.6410 kg CO2/kWh (Shandong, 2022) = 6410 kg CO2e
"""
from __future__ import annotations

import io
import json
import re

import pytest

from footprint.usecases import review
from footprint.labels import generate

from .conftest import SAMPLES, json_schema

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

SICHUAN_100_KWH = 100 * 0.1404  # = 14.04
SHANDONG_10_MWH = 10000 * 0.6410  # = 6410
TABLES = ("products", "submissions", "results", "audit_events", "comments", "evidence")
BODY_A = "Sichuan Carbon Verification"  # auditor's accounting body
BODY_B = "Chongqing Carbon Audit"  # auditor2's
CONFIRMED = {"checklist": ["activity_data", "factors", "boundary"]}  # what a verifier confirms


@pytest.fixture
def issuer_key(service):
    """The platform's issuer key: approval issues a signed label (tests/test_web_labels.py)."""
    return generate(service.home, "CN-SC", "Sichuan platform", "CN-SC")


def counts(db) -> dict:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def status_in_db(db, submission_id) -> str:
    return db.execute("SELECT status FROM submissions WHERE id = ?",
                      [submission_id]).fetchone()[0]


def shandong_bom(make_bom):
    return make_bom(region="CN-SD", product={"name": "gearbox housing", "category": "generic"},
                    lines=[{"input": "electricity", "amount": 10, "unit": "MWh",
                            "stage": "production"}])


@pytest.fixture
def created(api, make_bom):
    """A draft of orchard's: 100 kWh in Sichuan, 2022."""
    response = api("orchard", "POST", "/submissions", json=make_bom())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def submitted(api, created):
    response = api("orchard", "POST", f"/submissions/{created}/submit",
                   json={"verifier_org": BODY_A})
    assert response.status_code == 200, response.get_json()
    return created


@pytest.fixture
def verified(api, submitted):
    assert api("auditor", "POST", f"/submissions/{submitted}/verify",
               json=CONFIRMED).status_code == 200
    return submitted


# -- the whole flow --------------------------------------------------------------------------

def test_the_whole_flow_through_the_api(api, service, make_bom, issuer_key):
    db = service.db
    response = api("orchard", "POST", "/submissions", json=make_bom())
    assert response.status_code == 201
    body = response.get_json()
    sid = body["id"]
    assert response.headers["Location"].endswith(f"/api/v1/submissions/{sid}")
    assert body["status"] == "draft" and body["revision"] == 1
    # 100 kWh x 0.1404 kg CO2/kWh (Sichuan, 2022) = 14.04
    assert body["total_kg_co2e"] == pytest.approx(SICHUAN_100_KWH, rel=1e-6)
    assert body["result"]["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)
    [factor] = body["result"]["factors"]
    assert factor["process"] == "electricity/location/CN-SC/2022"
    assert factor["plugin"] == "electricity_cn" and factor["value"] == pytest.approx(0.1404)
    assert body["organisation"]["name"] == "Pujiang Orchard Co-op"
    assert body["verifier_org"] is None and body["label_id"] is None
    assert body["bom"]["region"] == "CN-SC" and body["bom"]["lines"][0]["amount"] == 100
    assert [e["action"] for e in body["audit_trail"]] == ["create"]
    assert status_in_db(db, sid) == "draft"

    # Two accounting bodies exist, so submitting without naming one is refused, naming both.
    response = api("orchard", "POST", f"/submissions/{sid}/submit")
    assert response.status_code == 400
    problem = response.get_json()["problems"][0]
    assert problem["where"] == "verifier_org"
    assert BODY_A in problem["message"] and BODY_B in problem["message"]
    assert status_in_db(db, sid) == "draft"

    response = api("orchard", "POST", f"/submissions/{sid}/submit", json={"verifier_org": BODY_A})
    assert response.status_code == 200
    assert response.get_json()["status"] == "submitted"
    assert response.get_json()["verifier_org"]["name"] == BODY_A

    response = api("auditor", "POST", f"/submissions/{sid}/return",
                   json={"reason": "attach the meter readings"})
    assert response.status_code == 200 and response.get_json()["status"] == "returned"

    # The producer revises: 10 MWh in Shandong, 2022 = 10000 kWh x 0.6410 = 6410 kg CO2e
    response = api("orchard", "PUT", f"/submissions/{sid}", json=shandong_bom(make_bom))
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"] == 2 and body["status"] == "returned"
    assert body["total_kg_co2e"] == pytest.approx(SHANDONG_10_MWH, rel=1e-6)
    assert body["product_name"] == "gearbox housing"

    # A resubmission goes back to the body that returned it: no verifier_org needed.
    response = api("orchard", "POST", f"/submissions/{sid}/submit")
    assert response.status_code == 200
    assert response.get_json()["verifier_org"]["name"] == BODY_A
    response = api("auditor", "POST", f"/submissions/{sid}/verify",
                   json={"note": "meter readings match", **CONFIRMED})
    assert response.status_code == 200 and response.get_json()["status"] == "verified"
    assert response.get_json()["verified_by"]["display_name"] == "auditor"

    response = api("reviewer", "POST", f"/submissions/{sid}/return",
                   json={"reason": "state the data year on the invoice"})
    assert response.status_code == 200 and response.get_json()["status"] == "returned"
    assert api("orchard", "POST", f"/submissions/{sid}/submit").status_code == 200
    assert api("auditor", "POST", f"/submissions/{sid}/verify",
               json=CONFIRMED).status_code == 200
    response = api("reviewer", "POST", f"/submissions/{sid}/approve")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "issued"  # approval issued the carbon label
    assert body["label_id"].startswith("CN-SC-") and body["label"]["status"] == "valid"
    assert body["approved_by"]["display_name"] == "reviewer"
    assert body["total_kg_co2e"] == pytest.approx(6410, rel=1e-6)
    assert status_in_db(db, sid) == "issued"

    trail = body["audit_trail"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in trail] == [
        ("create", None, "draft"), ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"), ("revise", "returned", "returned"),
        ("submit", "returned", "submitted"), ("verify", "submitted", "verified"),
        ("return", "verified", "returned"), ("submit", "returned", "submitted"),
        ("verify", "submitted", "verified"), ("approve", "verified", "approved"),
        ("issue", "approved", "issued")]
    assert trail[2]["reason"] == "attach the meter readings"
    assert trail[2]["actor"]["organisation"] == BODY_A
    assert trail[5]["reason"] == "meter readings match"
    assert trail[6]["actor"]["role"] == "reviewer"

    # Everyone in the flow reads the same submission.
    for user in ("orchard", "auditor", "reviewer", "admin"):
        response = api(user, "GET", f"/submissions/{sid}")
        assert response.status_code == 200 and response.get_json()["status"] == "issued"


def test_list_shows_what_the_user_may_see(api, submitted, make_bom):
    api("orchard", "POST", "/submissions", json=make_bom(product={"name": "second"}))
    mine = api("orchard", "GET", "/submissions").get_json()["submissions"]
    assert len(mine) == 2
    drafts = api("orchard", "GET", "/submissions?status=draft").get_json()["submissions"]
    assert [s["product_name"] for s in drafts] == ["second"]
    assert drafts[0]["total_kg_co2e"] == pytest.approx(SICHUAN_100_KWH, rel=1e-6)
    assert [s["id"] for s in api("auditor", "GET", "/submissions").get_json()
            ["submissions"]] == [submitted]
    assert api("auditor2", "GET", "/submissions").get_json()["submissions"] == []
    assert api("steelworks", "GET", "/submissions").get_json()["submissions"] == []
    response = api("orchard", "GET", "/submissions?status=drafty")
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["where"] == "status"


# -- idempotency -----------------------------------------------------------------------------

def test_idempotency_key_returns_the_first_submission(api, service, make_bom):
    key = {"Idempotency-Key": "9f1c2a70-5a9e-4d1b-bb54-1b2f6c1e0001"}
    first = api("orchard", "POST", "/submissions", json=make_bom(), headers=key)
    assert first.status_code == 201
    before = counts(service.db)
    again = api("orchard", "POST", "/submissions", json=make_bom(), headers=key)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert counts(service.db) == before  # nothing created
    rows = service.db.execute("SELECT COUNT(*) FROM submissions WHERE idempotency_key = ?",
                              [key["Idempotency-Key"]]).fetchone()[0]
    assert rows == 1
    # Another user's same key is another submission; another key of the same user too.
    assert api("steelworks", "POST", "/submissions", json=make_bom(),
               headers=key).status_code == 201
    assert api("orchard", "POST", "/submissions", json=make_bom(),
               headers={"Idempotency-Key": "another"}).status_code == 201
    assert counts(service.db)["submissions"] == before["submissions"] + 2


def test_bad_idempotency_keys_are_refused(api, service, make_bom):
    before = counts(service.db)
    for key in ["has space", "x" * 201, "ключ", ""]:
        response = api("orchard", "POST", "/submissions", json=make_bom(),
                       headers={"Idempotency-Key": key.encode().decode("latin-1")})
        assert response.status_code == 400, key
        assert response.get_json()["problems"][0]["where"] == "Idempotency-Key"
    assert counts(service.db) == before


# -- bad input -------------------------------------------------------------------------------

def _bom(make_bom, **changes):
    bom = make_bom()
    for path, value in changes.items():
        target = bom
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is ...:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return json.dumps(bom)


BAD_BOMS = [  # (id, body text or a change to the good BOM, content type, where, message part)
    ("malformed JSON", '{"product": {"name": "x"', "application/json", "body",
     "not valid JSON"),
    ("trailing comma", '{"region": "CN-SC",}', "application/json", "body", "not valid JSON"),
    ("NaN literal", '{"amount": NaN}', "application/json", "body", "NaN"),
    # \xff is the 13th byte: {"region": " is 12
    ("not UTF-8", b'{"region": "\xff\xfe"}', "application/json", "body",
     "not UTF-8: byte 13 (0xff) does not belong in UTF-8"),
    ("empty body", "", "application/json", "body", "empty"),
    ("form, not JSON", "region=CN-SC", "application/x-www-form-urlencoded", "body",
     "Content-Type: application/json"),
    ("no content type", '{"region": "CN-SC"}', None, "body", "Content-Type"),
    ("an array", "[1, 2]", "application/json", "body", "the body must be a JSON object"),
    ("null", "null", "application/json", "body", "the body must be a JSON object"),
    ("an empty array", "[]", "application/json", "body", "the body must be a JSON object"),
    ("no product", {"product": ...}, "application/json", "product", "required"),
    ("unknown top-level field", {"regoin": "CN-SC"}, "application/json", "regoin",
     'did you mean "region"'),
    ("unknown product field", {"product__categry": "generic"}, "application/json",
     "product.categry", 'did you mean "category"'),
    ("amount as text", {"lines__0__amount": "100"}, "application/json", "lines[0].amount",
     "must be a number"),
    ("negative amount", {"lines__0__amount": -5}, "application/json", "lines[0].amount", ""),
    ("an absurd amount", {"lines__0__amount": 1e308}, "application/json", "lines[0].amount",
     "1\u00a0×\u00a010³⁰⁸ exceeds the limit of 1,000,000,000"),
    ("a declared amount too small", {"declared_unit__amount": 1e-300}, "application/json",
     "declared_unit.amount", "1\u00a0×\u00a010⁻³⁰⁰ is below the limit of 1\u00a0×\u00a010⁻⁹"),
    ("unit case", {"lines__0__unit": "kwh"}, "application/json", "lines[0].unit",
     'did you mean "kWh"'),
    ("unknown stage", {"lines__0__stage": "prodution"}, "application/json", "lines[0].stage",
     'did you mean "production"'),
    ("no lines", {"lines": []}, "application/json", "lines", "at least one line"),
    ("year as text", {"factor_year": "2022"}, "application/json", "factor_year", ""),
    ("unknown input", {"lines": [{"input": "disel", "amount": 3, "unit": "kg",
                                  "stage": "production"}]},
     "application/json", "lines[0].input", 'did you mean "diesel"'),
    ("wrong dimension", {"lines": [{"input": "diesel", "amount": 3, "unit": "kWh",
                                    "stage": "production"}]},
     "application/json", "lines[0].unit", "mass"),
    ("unknown region", {"region": "CN-SCC"}, "application/json", "region",
     'did you mean "CN-SC"'),
    ("unpublished year", {"lines__0__year": 2019}, "application/json", "lines[0].year",
     "published years: 2021, 2022, 2023"),
    ("unknown category", {"product__category": "bananas"}, "application/json",
     "product.category", "bananas"),
    ("unknown sub-assembly", {"lines__0__input": "product:nope"}, "application/json",
     "lines[0].input", "no product"),
]


def test_bad_boms_are_refused_and_nothing_is_stored(api, service, make_bom):
    before = counts(service.db)
    for name, body, content_type, where, message in BAD_BOMS:
        if isinstance(body, dict):
            body = _bom(make_bom, **body)
        headers = {"Content-Type": content_type} if content_type else {}
        response = api("orchard", "POST", "/submissions", data=body, headers=headers)
        assert response.status_code == 400, (name, response.get_json())
        answer = response.get_json()
        assert answer["error"], name
        problems = {p["where"]: p["message"] for p in answer["problems"]}
        assert where in problems, (name, problems)
        assert message in problems[where], (name, problems)
        assert counts(service.db) == before, name


def test_an_absurd_amount_is_refused_in_chinese_with_the_number_and_the_limit(api, service):
    """1e308 kWh a piece used to be stored: a total of 1.404e307 kg with an empty range."""
    bom = json.loads((SAMPLES / "sichuan_machined_part.json").read_text("utf-8"))
    bom["lines"][0]["amount"] = 1e308
    before = counts(service.db)
    response = api("orchard", "POST", "/submissions", json=bom,
                   headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert response.get_json()["problems"] == [{
        "where": "lines[0].amount", "place": "第 1 行 · 数量",
        "message": "1\u00a0×\u00a010³⁰⁸ 超出上限 1,000,000,000",
        "code": "%(value)s exceeds the limit of %(limit)s",
        "params": {"value": 1e308, "limit": 1e9}}]
    assert counts(service.db) == before


def test_every_problem_of_a_bom_is_reported_at_once(api, service, make_bom):
    bom = make_bom(lines=[{"input": "electricity", "amount": "100", "unit": "kwh",
                           "stage": "prodution"}], product={"name": "x", "categry": "generic"})
    before = counts(service.db)
    response = api("orchard", "POST", "/submissions", json=bom)
    assert response.status_code == 400
    assert sorted(p["where"] for p in response.get_json()["problems"]) == [
        "lines[0].amount", "lines[0].stage", "lines[0].unit", "product.categry"]
    assert counts(service.db) == before


def test_a_bad_revision_changes_nothing(api, service, created):
    before = counts(service.db)
    response = api("orchard", "PUT", f"/submissions/{created}",
                   json={"product": {"name": "x"}, "declared_unit": {"amount": 1, "unit": "kg"},
                         "region": "CN-SC", "lines": [{"input": "electricity", "amount": 1,
                                                       "unit": "kWh", "stage": "nowhere"}]})
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["where"] == "lines[0].stage"
    assert counts(service.db) == before
    assert api("orchard", "GET", f"/submissions/{created}").get_json()["revision"] == 1


BAD_ACTION_BODIES = [
    ("return", {}, "reason", "required"),
    ("return", {"reason": ""}, "reason", ""),
    ("return", {"reasn": "no meter readings"}, "reasn", 'did you mean "reason"'),
    ("verify", {"not": "x"}, "not", "unknown"),
    ("verify", [1], "body", "the body must be a JSON object"),
]


def test_bad_action_bodies(api, service, submitted):
    before = counts(service.db)
    for path, body, where, message in BAD_ACTION_BODIES:
        response = api("auditor", "POST", f"/submissions/{submitted}/{path}", json=body)
        assert response.status_code == 400, (path, body)
        problems = {p["where"]: p["message"] for p in response.get_json()["problems"]}
        assert where in problems and message in problems[where], (path, body, problems)
    assert counts(service.db) == before and status_in_db(service.db, submitted) == "submitted"


def test_bad_submit_bodies(api, service, created):
    for body, message in [({"verifier_org": "Nobody Verifies"}, BODY_A),
                          ({"verifier_org": True}, "name (a string) or id"),
                          ({"verifier_org": ""}, "empty"),
                          ({"verfier_org": BODY_A}, 'did you mean "verifier_org"')]:
        response = api("orchard", "POST", f"/submissions/{created}/submit", json=body)
        assert response.status_code == 400, body
        assert message in " ".join(p["message"] for p in response.get_json()["problems"]), body
    assert status_in_db(service.db, created) == "draft"


def test_evidence_and_comments_are_listed(api, service, created):
    from footprint.usecases import submissions as store
    orchard = service.db["users"].get(service.people["orchard"]["id"])
    review.add_evidence(service.db, orchard, created, "meter.csv", "text/csv",
                        b"date,kWh\n2024-05,100\n", line=1)
    review.comment(service.db, orchard, created, "metered monthly")
    body = api("orchard", "GET", f"/submissions/{created}").get_json()
    [evidence] = body["evidence"]
    # 21 bytes: "date,kWh\n" (9) + "2024-05,100\n" (12)
    assert (evidence["filename"], evidence["line"], evidence["size"]) == ("meter.csv", 1, 21)
    assert len(evidence["sha256"]) == 64 and "content" not in evidence
    assert [c["body"] for c in body["comments"]] == ["metered monthly"]


def test_submit_names_the_body_by_id(api, service, created):
    body_b = service.people["auditor2"]["org_id"]
    response = api("orchard", "POST", f"/submissions/{created}/submit",
                   json={"verifier_org": body_b})
    assert response.status_code == 200
    assert response.get_json()["verifier_org"] == {"id": body_b, "name": BODY_B}


def test_action_body_that_is_not_json(api, service, submitted):
    response = api("auditor", "POST", f"/submissions/{submitted}/verify", data="ok",
                   headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert "application/json" in response.get_json()["error"]
    assert status_in_db(service.db, submitted) == "submitted"


def test_single_accounting_body_is_assigned_without_naming_it(service, api, created):
    auditor2 = service.people["auditor2"]
    db, org = service.db, auditor2["org_id"]
    db.execute("DELETE FROM api_tokens WHERE user_id = ?", [auditor2["id"]])
    db.execute("DELETE FROM users WHERE id = ?", [auditor2["id"]])
    # the template qualified it (conftest)
    db.execute("DELETE FROM supervision_events WHERE qualification_id IN "
               "(SELECT id FROM qualifications WHERE org_id = ?)", [org])
    db.execute("DELETE FROM qualifications WHERE org_id = ?", [org])
    db.execute("DELETE FROM organisations WHERE id = ?", [org])
    response = api("orchard", "POST", f"/submissions/{created}/submit")
    assert response.status_code == 200
    assert response.get_json()["verifier_org"]["name"] == BODY_A


# -- size limit ------------------------------------------------------------------------------

def test_bodies_over_the_limit_get_413_before_parsing(api, service, make_bom):
    before = counts(service.db)
    big = make_bom()
    big["lines"][0]["note"] = "x" * (1024 * 1024)  # a valid BOM but for its size
    response = api("orchard", "POST", "/submissions", json=big)
    assert response.status_code == 413
    said = "the body is over the limit of 1,048,576 bytes (1 MB)"
    assert response.get_json() == {
        "error": said, "code": "the body is over the limit of %(limit)s bytes (%(megabytes)s MB)",
        "params": {"limit": 1048576, "megabytes": 1.0},
        "problems": [{"where": "body", "place": "request body", "message": said,
                      "code": "the body is over the limit of %(limit)s bytes (%(megabytes)s MB)",
                      "params": {"limit": 1048576, "megabytes": 1.0}}]}
    not_json = "{" * (1024 * 1024 + 1)  # would be a 400 if it were parsed
    response = api("orchard", "POST", "/submissions", data=not_json,
                   headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert counts(service.db) == before


def test_streamed_bodies(api, service, make_bom):
    """Without Content-Length: a server that terminates the stream (gunicorn) gets the limit
    applied while reading; one that does not is told to send a Content-Length."""
    before = counts(service.db)
    big = make_bom()
    big["lines"][0]["note"] = "x" * (1024 * 1024)
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    terminated = {"wsgi.input_terminated": True}
    response = api("orchard", "POST", "/submissions", headers=headers,
                   environ_overrides=terminated,
                   input_stream=io.BytesIO(json.dumps(big).encode()))
    assert response.status_code == 413, response.get_json()
    response = api("orchard", "POST", "/submissions", headers=headers,
                   input_stream=io.BytesIO(json.dumps(make_bom()).encode()))
    assert response.status_code == 400
    assert "Content-Length" in response.get_json()["error"]
    assert counts(service.db) == before
    response = api("orchard", "POST", "/submissions", headers=headers,
                   environ_overrides=terminated,
                   input_stream=io.BytesIO(json.dumps(make_bom()).encode()))
    assert response.status_code == 201


def test_a_body_just_under_the_limit_is_read(api, service, make_bom):
    bom = json.dumps(make_bom())
    body = bom[:-1] + " " * (1024 * 1024 - len(bom)) + "}"
    assert len(body) == 1024 * 1024
    response = api("orchard", "POST", "/submissions", data=body,
                   headers={"Content-Type": "application/json"})
    assert response.status_code == 201


# -- authentication --------------------------------------------------------------------------

def test_missing_or_bad_tokens_get_401(service, make_bom):
    client = service.app.test_client()
    before = counts(service.db)
    for authorization, invalid in [
            (None, False),
            ("Bearer", False),
            ("Bearer fpt_not-a-real-token", True),
            ("Basic b3JjaGFyZDpjb3JyZWN0IGhvcnNlIGJhdHRlcnk=", True),
            ("Bearer " + "x" * 5000, True)]:
        headers = {"Authorization": authorization} if authorization else {}
        for method, path, body in (("GET", "/api/v1/submissions", None),
                                   ("GET", "/api/v1/regions", None),
                                   ("POST", "/api/v1/submissions", make_bom())):
            response = client.open(path, method=method, headers=headers, json=body)
            assert response.status_code == 401, (authorization, path)
            challenge = response.headers["WWW-Authenticate"]
            assert challenge.startswith('Bearer realm="footprint"')
            assert ('error="invalid_token"' in challenge) == invalid, authorization
            assert "bearer token" in response.get_json()["error"]
    assert counts(service.db) == before


def test_revoked_token_and_deactivated_user_get_401(service, api, tokens):
    assert api("orchard", "GET", "/submissions").status_code == 200
    service.db.execute("UPDATE api_tokens SET revoked_at = '2025-01-01T00:00:00+00:00' "
                       "WHERE user_id = ?", [service.people["orchard"]["id"]])
    service.db.conn.commit()
    response = api("orchard", "GET", "/submissions")
    assert response.status_code == 401 and "invalid_token" in response.headers["WWW-Authenticate"]
    assert api("steelworks", "GET", "/submissions").status_code == 200
    service.db["users"].update(service.people["steelworks"]["id"], {"active": 0})
    assert api("steelworks", "GET", "/submissions").status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(clients, service, make_bom, tokens):
    browser = clients["orchard"]  # logged in on the web
    before = counts(service.db)
    assert browser.get("/api/v1/submissions").status_code == 401
    assert browser.post("/api/v1/submissions", json=make_bom()).status_code == 401
    assert counts(service.db) == before
    # The token works from the same client, and acts as the token's user.
    response = browser.get("/api/v1/submissions",
                           headers={"Authorization": f"Bearer {tokens['orchard']}"})
    assert response.status_code == 200


def test_csrf_does_not_apply_to_the_api(csrf_app, tokens, make_bom):
    client = csrf_app.test_client()
    assert client.post("/login", data={"username": "orchard",
                                       "password": "x"}).status_code == 400  # CSRF is on
    response = client.post("/api/v1/submissions", json=make_bom(),
                           headers={"Authorization": f"Bearer {tokens['orchard']}"})
    assert response.status_code == 201, response.get_json()


def test_responses_are_not_cached(api):
    assert api("orchard", "GET", "/regions").headers["Cache-Control"] == "no-store"


# -- permissions -----------------------------------------------------------------------------

def test_other_organisations_get_404(api, service, submitted, make_bom):
    # a draft of steelworks', which no reviewer or verifier may see either
    draft = api("steelworks", "POST", "/submissions", json=make_bom()).get_json()["id"]
    before = counts(service.db)
    denied = [
        ("steelworks", "GET", f"/submissions/{submitted}", None),
        ("steelworks", "PUT", f"/submissions/{submitted}", make_bom()),
        ("steelworks", "POST", f"/submissions/{submitted}/submit", {}),
        ("auditor2", "GET", f"/submissions/{submitted}", None),
        ("auditor2", "POST", f"/submissions/{submitted}/verify", {}),
        ("auditor2", "POST", f"/submissions/{submitted}/return", {"reason": "x"}),
        ("orchard", "GET", f"/submissions/{draft}", None),
        ("orchard", "POST", f"/submissions/{draft}/submit", {"verifier_org": BODY_A}),
        ("auditor", "GET", f"/submissions/{draft}", None),
        ("reviewer", "GET", f"/submissions/{draft}", None),
        ("reviewer", "POST", f"/submissions/{draft}/approve", {}),
        ("orchard", "GET", "/submissions/99999", None),
    ]
    for user, method, path, body in denied:
        response = api(user, method, path, json=body)
        assert response.status_code == 404, (user, method, path, response.get_json())
        assert response.get_json()["error"]
    assert counts(service.db) == before
    assert status_in_db(service.db, submitted) == "submitted"
    assert status_in_db(service.db, draft) == "draft"


def test_role_denials_get_403(api, service, submitted, created, make_bom):
    before = counts(service.db)
    for user, action, body in [
            ("orchard", "verify", {}),  # a producer never verifies ...
            ("orchard", "approve", {}),  # ... nor approves
            ("orchard", "return", {"reason": "x"}),
            ("reviewer", "verify", {}),  # only the assigned body verifies
            ("reviewer", "return", {"reason": "x"}),  # a submitted one is the verifier's
            ("admin", "verify", {}),
            ("auditor", "submit", {})]:  # only the producer submits
        response = api(user, "POST", f"/submissions/{submitted}/{action}", json=body)
        assert response.status_code == 403, (user, action, response.get_json())
        assert response.get_json()["error"]
    assert counts(service.db) == before
    assert status_in_db(service.db, submitted) == "submitted"
    # (created is the submission now submitted) an administrator sees it but never edits
    assert api("admin", "PUT", f"/submissions/{created}", json=make_bom()).status_code == 403

    assert api("auditor", "POST", f"/submissions/{submitted}/verify",
               json=CONFIRMED).status_code == 200
    for user, action, body in [
            ("auditor", "approve", {}),  # the verifier cannot approve
            ("auditor", "return", {"reason": "x"}),  # a verified one is the reviewer's
            ("orchard", "approve", {}),
            ("admin", "approve", {})]:
        response = api(user, "POST", f"/submissions/{submitted}/{action}", json=body)
        assert response.status_code == 403, (user, action, response.get_json())
    assert status_in_db(service.db, submitted) == "verified"
    for user in ("auditor", "reviewer", "admin"):  # only producers create submissions
        assert api(user, "POST", "/submissions", json=make_bom()).status_code == 403, user
    assert counts(service.db)["submissions"] == before["submissions"]


def test_wrong_state_gets_409(api, service, verified, make_bom, issuer_key):
    before = counts(service.db)
    for user, method, path, body in [
        ("orchard", "POST", "submit", {}),  # already verified
        ("orchard", "PUT", "", make_bom()),  # not editable once submitted
        ("auditor", "POST", "verify", {}),  # verified already
    ]:
        response = api(user, method, f"/submissions/{verified}{'/' if path else ''}{path}",
                       json=body)
        assert response.status_code == 409, (user, path, response.get_json())
        assert "cannot" in response.get_json()["error"]
    assert api("reviewer", "POST", f"/submissions/{verified}/approve").status_code == 200
    response = api("reviewer", "POST", f"/submissions/{verified}/return", json={"reason": "x"})
    assert response.status_code == 409  # approved and issued: too late to return
    assert status_in_db(service.db, verified) == "issued"
    assert counts(service.db)["audit_events"] == before["audit_events"] + 2  # approve, issue


def test_approving_a_submitted_one_gets_409(api, service, submitted):
    response = api("reviewer", "POST", f"/submissions/{submitted}/approve")
    assert response.status_code == 409
    assert status_in_db(service.db, submitted) == "submitted"


def test_permission_comes_before_the_body(api, submitted):
    # another body with a bad body still learns nothing but 404
    response = api("auditor2", "POST", f"/submissions/{submitted}/return", json={})
    assert response.status_code == 404


# -- reference data --------------------------------------------------------------------------

def test_regions(api):
    regions = {r["code"]: r for r in api("orchard", "GET", "/regions").get_json()["regions"]}
    assert regions["CN-SC"]["name_en"] == "Sichuan"
    assert regions["CN-SC"]["factor_years"] == [2021, 2022, 2023]
    assert regions["CN-XZ"]["factor_years"] == []  # MEE publishes none for Tibet ...
    assert regions["CN-XZ"]["fallback"][0] == "CN-GRID-SOUTHWEST"  # ... its grid stands in
    assert regions["CN-XZ"]["fallback_note"] == "MEE publishes no grid factor for Tibet " \
        "(Xizang); the factor of its regional grid (Southwest grid) stands in"
    assert regions["CN-XZ"]["fallback_note_zh"] == \
        "生态环境部未发布西藏的电网排放因子，以其所属区域电网（西南电网）的因子代替"
    assert regions["CN-SC"]["fallback_note"] == regions["CN-SC"]["fallback_note_zh"] == ""
    assert regions["CN-SC"]["plugin"] == "electricity_cn"
    assert "DE" in regions


def test_categories_with_their_parameters(api, engine):
    from footprint.parameters import describe_parameters

    listing = {c["id"]: c for c in api("orchard", "GET", "/categories").get_json()["categories"]}
    assert {"generic", "oranges", "batteries", "steel_vanadium"} <= set(listing)
    oranges = engine.registry.categories["oranges"]
    assert listing["oranges"]["parameters"] == json.loads(
        json.dumps(describe_parameters(oranges)))
    assert listing["oranges"]["parameters"]  # a form can be built from them
    assert listing["oranges"]["plugin"] == "oranges"
    assert listing["oranges"]["grading"]["bands"][0]["grade"]
    # the grading's unit in both languages, as the oranges plugin writes it
    assert listing["oranges"]["grading"]["unit"] == "kg CO2e/kg fruit"
    assert listing["oranges"]["grading"]["unit_zh"] == "kg CO2e/kg 鲜果"
    assert listing["generic"]["parameters"] == []
    assert listing["generic"]["description"] == \
        "Any product described directly by its bill of materials (no category model)."
    assert listing["generic"]["description_zh"] == "任何直接以物料清单描述的产品（不使用类别模型）。"


def test_factors(api):
    answer = api("orchard", "GET", "/factors?region=CN-SC&year=2022").get_json()
    location = [f for f in answer["factors"] if f["basis"] == "location"]
    assert len(location) == 1
    factor = location[0]
    assert factor["value"] == pytest.approx(0.1404)  # MEE/NBS, Sichuan, 2022
    assert factor["plugin"] == "electricity_cn"
    assert factor["source"]["dataset"] == "cn_grid_co2_mee" and factor["source"]["citation"]
    assert factor["unit"] == "kg CO2_fossil/kWh"
    assert answer["fallback"]["regions"][-1] == "CN"
    tibet = api("orchard", "GET", "/factors?region=CN-XZ").get_json()["fallback"]
    assert tibet["note_zh"] == "生态环境部未发布西藏的电网排放因子，以其所属区域电网（西南电网）的因子代替"
    assert tibet["note"].startswith("MEE publishes no grid factor for Tibet (Xizang)")
    everything = api("orchard", "GET", "/factors").get_json()
    assert everything["fallback"] is None
    assert {f["region"] for f in everything["factors"]} >= {"CN-SC", "CN-SD", "DE"}
    market = api("orchard", "GET", "/factors?region=CN&basis=market").get_json()["factors"]
    assert market and {f["basis"] for f in market} == {"market"}
    shandong = api("orchard", "GET", "/factors?region=CN-SD&year=2022&basis=location")
    assert shandong.get_json()["factors"][0]["value"] == pytest.approx(0.6410)


def test_bad_factor_queries(api):
    for query, where, message in [("region=CN-SCC", "region", 'did you mean "CN-SC"'),
                                  ("year=last", "year", "integer"),
                                  ("basis=average", "basis", "location"),
                                  ("regoin=CN-SC", "regoin", 'did you mean "region"')]:
        response = api("orchard", "GET", f"/factors?{query}")
        assert response.status_code == 400, query
        problems = {p["where"]: p["message"] for p in response.get_json()["problems"]}
        assert where in problems and message in problems[where], (query, problems)


# -- the OpenAPI document --------------------------------------------------------------------

def _document(service):
    response = service.app.test_client().get("/api/v1/openapi.json")  # no token needed
    assert response.status_code == 200
    return response.get_json()


# labels, the log, published findings and the datasets are public reads
PUBLIC_PATHS = ("/openapi.json", "/labels/", "/log/", "/findings", "/datasets")


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower()


def test_every_api_route_is_in_the_document(service):
    document = _document(service)
    routes = set(_api_routes(service.app))
    assert len(routes) >= 11
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes == documented
    for path, method in routes:
        op = document["paths"][path][method]
        assert op["summary"] and op["responses"]
        assert any(code.startswith("2") for code in op["responses"])
        if path.endswith("/openapi.json") or (method == "get" and any(
                part in path for part in PUBLIC_PATHS)):
            assert op["security"] == []
        else:
            assert op["security"] == [{"bearerAuth": []}]
            assert op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
        if "{submission_id}" in path:  # a row id, as the URL converter takes it
            assert {"name": "submission_id", "in": "path", "required": True,
                    "schema": {"type": "integer", "format": "int64", "minimum": 1,
                               "maximum": 2 ** 63 - 1}} in op["parameters"]


def test_document_details(service):
    document = _document(service)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]}
    create = document["paths"]["/api/v1/submissions"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Bom"}
    assert {"201", "200", "400", "401", "403", "413"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in create["parameters"])
    bom = document["components"]["schemas"]["Bom"]
    assert bom["additionalProperties"] is False  # unknown fields are errors
    assert set(bom["required"]) == {"product", "declared_unit", "region"}
    assert document["components"]["schemas"]["Line"]["properties"]["amount"]["type"] == "number"
    ret = document["paths"]["/api/v1/submissions/{submission_id}/return"]["post"]
    assert ret["requestBody"]["required"] is True
    assert "reason" in document["components"]["schemas"]["ReturnRequest"]["required"]
    submission = document["components"]["schemas"]["Submission"]["properties"]
    assert {"id", "status", "result", "bom", "audit_trail", "verifier_org",
            "label_id"} <= set(submission)
    factors = document["paths"]["/api/v1/factors"]["get"]
    assert {p["name"] for p in factors["parameters"] if p["in"] == "query"} == {
        "region", "year", "basis"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_document_is_valid_openapi_3(service):
    document = _document(service)
    # The structure, checked by hand (always) ...
    assert re.match(r"^3\.\d+\.\d+$", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    for ops in document["paths"].values():
        for method, op in ops.items():
            assert method in {"get", "put", "post", "delete", "patch"}
            for response in op["responses"].values():
                assert "description" in response or "$ref" in response
    for ref in set(_refs(document)):  # every reference resolves inside the document
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    # ... and by openapi-spec-validator where it is installed.
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(document)


def test_responses_match_the_document(service, api, verified):
    """The answers conform to the schemas the document publishes (jsonschema, OpenAPI 3.0
    nullable and exclusiveMinimum translated)."""
    import jsonschema  # installed with openapi-spec-validator (the test extras)
    document = _document(service)

    from footprint.usecases import submissions as store
    auditor = service.db["users"].get(service.people["auditor"]["id"])
    review.comment(service.db, auditor, verified, "meter photo is readable", line=1)
    detail = api("reviewer", "GET", f"/submissions/{verified}")
    [comment] = detail.get_json()["comments"]
    assert comment["line"] == 1 and comment["author"]["display_name"] == "auditor"
    checks = [("Submission", detail),
              ("SubmissionList", api("orchard", "GET", "/submissions")),
              ("RegionList", api("orchard", "GET", "/regions")),
              ("CategoryList", api("orchard", "GET", "/categories")),
              ("FactorList", api("orchard", "GET", "/factors?region=CN-SC")),
              ("Error", api("orchard", "POST", f"/submissions/{verified}/approve"))]
    for name, response in checks:
        jsonschema.validate(response.get_json(), json_schema(document, name))
    # and a wrong answer would be caught
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "one"}, json_schema(document, "Submission"))


def test_every_answer_an_operation_can_give_is_documented(service):
    document = _document(service)
    shared = document["components"]["responses"]
    for name, header in (("Unauthorized", "WWW-Authenticate"), ("MethodNotAllowed", "Allow"),
                         ("TooManyRequests", "Retry-After"), ("Unavailable", "Retry-After"),
                         ("StorageFull", "Retry-After")):
        assert shared[name]["headers"][header]["required"] is True
        assert shared[name]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if op["security"]:  # a token is checked: a wrong one, or too many wrong ones
                assert {"401", "429"} <= codes, (method, path)
            else:
                assert not {"401", "429"} & codes, (method, path)
            if path.endswith("/openapi.json"):
                assert codes == {"200"}  # built from the code, never from the database
                continue
            assert "503" in codes, (method, path)  # every other one reads the database
            assert ("507" in codes) == (method in ("post", "put", "delete")), (method, path)
            if "requestBody" in op:
                assert {"400", "413"} <= codes, (method, path)
    create = document["paths"]["/api/v1/submissions"]["post"]
    assert create["responses"]["201"]["headers"]["Location"]["required"] is True


def test_the_bom_schema_says_what_the_server_accepts(service):
    """defect 8: the document admitted bodies the server refuses. Each rule a field can say
    is in the schema; what spans fields is anyOf/oneOf; the rest is in descriptions."""
    from footprint.bom import EXAMPLE
    from footprint.text import NAME_PATTERN, TEXT_PATTERN
    from footprint.bom import STAGE_NAMES
    from footprint.units import UNIT_NAMES, UNITS
    schemas = _document(service)["components"]["schemas"]
    product, unit = schemas["Product"]["properties"], schemas["DeclaredUnit"]["properties"]
    line, bom = schemas["Line"], schemas["Bom"]
    assert product["gtin"]["pattern"] == "^(?:[0-9]{8}|[0-9]{12}|[0-9]{13}|[0-9]{14})$"
    assert product["name"]["pattern"] == product["name_zh"]["pattern"] == NAME_PATTERN
    assert line["properties"]["note"]["pattern"] == TEXT_PATTERN
    assert unit["amount"] == {"type": "number", "minimum": 1e-9, "maximum": 1e9,
                              "description": "A finite JSON number. From 1e-09 to 1e+09 of "
                                             "its unit (docs/bom.md)."}
    assert line["properties"]["amount"] == {
        "type": "number", "minimum": 0, "maximum": 1e9, "description": "A finite JSON number. "
        "Per declared unit, from 0 to 1e+09 of its unit (docs/bom.md)."}
    # the codes, then the names a BOM may give instead (千瓦时, 生产), stored as the codes
    assert unit["unit"]["enum"] == line["properties"]["unit"]["enum"] == \
        [*UNITS, *UNIT_NAMES]
    assert "千瓦时" in UNIT_NAMES and "吨公里" in UNIT_NAMES
    assert line["properties"]["stage"]["enum"] == ["raw_materials", "production",
                                                   "distribution", "packaging", "end_of_life",
                                                   *STAGE_NAMES]
    assert line["oneOf"] == [{"required": ["input"]}, {"required": ["emission"]}]
    assert bom["anyOf"][0] == {"required": ["lines"], "properties": {"lines": {"minItems": 1}}}
    assert bom["example"] == EXAMPLE


@pytest.mark.parametrize("change", [
    {"product": {"name": "x", "gtin": ""}}, {"declared_unit": {"amount": 0, "unit": "kg"}},
    {"declared_unit": {"amount": 1, "unit": ""}}, {"lines": []},
    {"lines": [{"amount": 1, "unit": "kWh", "stage": "production"}]},
    {"lines": [{"input": "electricity", "emission": "N2O", "amount": 1, "unit": "kWh",
                "stage": "production"}]},
    {"product": {"name": "Gear\u202eblank"}}, {"region": ""},
    {"lines": [{"input": "electricity", "amount": 1, "unit": "kWh", "stage": "produce"}]},
    {"lines": [{"input": "electricity", "amount": 1e308, "unit": "kWh",
                "stage": "production"}]},
    {"declared_unit": {"amount": 1e-12, "unit": "kg"}},
], ids=["empty gtin", "zero amount", "empty unit", "no lines", "neither input nor emission",
        "both", "right-to-left override", "empty region", "unknown stage", "absurd amount",
        "tiny declared amount"])
def test_bodies_the_document_refuses_the_server_refuses(service, api, make_bom, change):
    import jsonschema
    schema = json_schema(_document(service), "Bom")
    body = make_bom(**change)
    assert not jsonschema.Draft202012Validator(schema).is_valid(body)
    before = counts(service.db)
    response = api("orchard", "POST", "/submissions", json=body)
    assert response.status_code == 400, response.get_json()
    assert counts(service.db) == before


def test_the_document_s_example_bom_is_accepted(service, api):
    import jsonschema
    document = _document(service)
    example = document["components"]["schemas"]["Bom"]["example"]
    jsonschema.validate(example, json_schema(document, "Bom"))
    response = api("orchard", "POST", "/submissions", json=example)
    assert response.status_code == 201
    # 100 kWh x 0.1404 (Sichuan 2022) + 3 kg diesel x 3.1863 = 14.04 + 9.5589
    assert response.get_json()["total_kg_co2e"] == pytest.approx(23.5989, rel=1e-6)
