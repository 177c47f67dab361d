"""A verification is the accounting body's statement that it checked the data: the verifier
confirms every item of the checklist (activity data against evidence, factors, boundary) or
nothing is verified. The core refuses it (located problems), so the page and the API both
answer 400 and nothing changes."""
from __future__ import annotations

import html
import re

import pytest

from footprint.errors import InvalidInput
from footprint.usecases import actions
from footprint.usecases import submissions as subs
from footprint.usecases.tokens import create_token

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

ITEMS = ["activity_data", "factors", "boundary"]
BODY = "Sichuan Carbon Verification"


@pytest.fixture
def submitted(service, make_bom):
    people, db = service.people, service.db
    sub, _ = subs.create_submission(db, service.app.extensions["footprint_engine"],
                                    people["orchard"], make_bom())
    actions.act(db, people["orchard"], sub["id"], "submit", verifier_org=BODY)
    return sub["id"]


def state(db, submission_id) -> tuple:
    """What a refused verification must leave alone: the status, who verified, the events."""
    row = db["submissions"].get(submission_id)
    events = db.execute("SELECT COUNT(*) FROM audit_events WHERE submission_id = ?",
                        [submission_id]).fetchone()[0]
    return row["status"], row["verified_by"], events


def test_the_checklist_has_three_items():
    assert list(actions.VERIFY_CHECKLIST) == ITEMS


@pytest.mark.parametrize("given, where", [
    ((), ["checklist.activity_data", "checklist.factors", "checklist.boundary"]),
    (("activity_data", "boundary"), ["checklist.factors"]),
    (("activity_data", "factors", "boundary", "vibes"), ["checklist[3]"]),
])
def test_the_core_refuses_a_verification_without_every_item(service, submitted, given, where):
    before = state(service.db, submitted)
    with pytest.raises(InvalidInput) as caught:
        actions.act(service.db, service.people["auditor"], submitted, "verify",
                    checklist=given)
    assert [p.where for p in caught.value.problems] == where
    assert state(service.db, submitted) == before
    done = actions.act(service.db, service.people["auditor"], submitted, "verify",
                       checklist=ITEMS)
    assert done["status"] == "verified"


def test_other_actions_take_no_checklist(service, submitted):
    with pytest.raises(InvalidInput) as caught:
        actions.act(service.db, service.people["auditor"], submitted, "return",
                    reason="meter readings missing", checklist=["factors"])
    assert [p.where for p in caught.value.problems] == ["checklist"]


def test_the_page_refuses_and_says_so_at_each_unconfirmed_item(service, clients, submitted):
    auditor = clients["auditor"]
    url = f"/submissions/{submitted}"
    form = html.unescape(auditor.get(url).get_data(as_text=True))
    form = form.split('id="verify-form"')[1].split("</form>")[0]
    # a checkbox per item, each required, in the page's language (Chinese by default)
    assert re.findall(r'name="checklist" value="(\w+)" required', form) == ITEMS
    assert "活动数据（数量和参数）与证明材料一致" in form

    before = state(service.db, submitted)
    response = auditor.post(f"{url}/verify", data={"checklist": ["factors"],
                                                   "reason": "meter log seen"})
    assert response.status_code == 400
    assert state(service.db, submitted) == before
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="unconfirmed-activity_data"' in page and 'id="unconfirmed-boundary"' in page
    assert 'id="unconfirmed-factors"' not in page
    assert "尚未确认" in page
    # what was ticked and written stays ticked and written
    assert re.search(r'value="factors" required checked', page)
    assert not re.search(r'value="boundary" required checked', page)
    assert ">meter log seen</textarea>" in page

    response = auditor.post(f"{url}/verify", data={"checklist": ITEMS})
    assert response.status_code == 302
    assert state(service.db, submitted)[:2] == ("verified", service.people["auditor"]["id"])
    record = html.unescape(auditor.get(url).get_data(as_text=True)).split('id="record"')[1]
    assert "已逐项确认" in record.split("</section>")[0]


@pytest.fixture
def api(service):
    client = service.app.test_client()
    token = create_token(service.db, "auditor", "test")

    def verify(submission_id, body=None):
        return client.post(f"/api/v1/submissions/{submission_id}/verify", json=body,
                           headers={"Authorization": f"Bearer {token}"})
    return verify


@pytest.mark.parametrize("body, where", [
    (None, "checklist"),
    ({}, "checklist"),
    ({"note": "fine"}, "checklist"),
    ({"checklist": ["activity_data", "factors"]}, "checklist"),
    ({"checklist": ["activity_data", "factors", "factors"]}, "checklist"),
    ({"checklist": ["activity_data", "factors", "scope"]}, "checklist[2]"),
    ({"checklist": "all"}, "checklist"),
])
def test_the_api_needs_the_checklist_too(service, submitted, api, body, where):
    before = state(service.db, submitted)
    response = api(submitted, body)
    assert response.status_code == 400, response.get_json()
    assert where in [p["where"] for p in response.get_json()["problems"]]
    assert state(service.db, submitted) == before


def test_the_api_verifies_with_every_item_confirmed(service, submitted, api):
    response = api(submitted, {"checklist": ["boundary", "activity_data", "factors"],
                               "note": "invoices match the meter"})
    assert response.status_code == 200 and response.get_json()["status"] == "verified"


def test_the_openapi_document_says_what_a_verification_sends(service):
    document = service.app.test_client().get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/submissions/{submission_id}/verify"]["post"][
        "requestBody"]
    assert body["required"] is True
    schema = document["components"]["schemas"]["VerifyRequest"]
    assert schema["required"] == ["checklist"]
    checklist = schema["properties"]["checklist"]
    # exactly the three items, each once: the only lists the server accepts
    assert checklist["items"]["enum"] == ITEMS
    assert (checklist["minItems"], checklist["maxItems"], checklist["uniqueItems"]) == \
        (3, 3, True)
