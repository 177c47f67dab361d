"""Consent: a producer lets a named bank read its carbon account and can revoke it; a bank
sees only consenting organisations, on every page and endpoint (404 otherwise, nothing
changed after a refusal); grants and revocations are audit events; decisions are seen by
their bank and their borrower only."""
from __future__ import annotations

import itertools

import pytest

from footprint.engine import Engine
from footprint.usecases import consents, loans
from footprint.usecases.tokens import create_token
from footprint.usecases.users import seed_user
from tests.conftest import PASSWORD, log_in_with_token
from tests.test_loans import cable, counts

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

TARGET_60 = {"kind": "target", "target_pct": 10, "cut_bp": 60}


@pytest.fixture(scope="module")
def engine_2022(footprint_home):
    return Engine(footprint_home, data_version="MEE-2022")


@pytest.fixture
def world(service, approve, issuer, engine_2022, login):
    """Two banks (each with a user, a token and a loan product) and two producers: the
    co-operative with two years of verified footprints, the steelworks with none."""
    db = service.db
    banks = {}
    for username, name in (("bank_a", "Bank A"), ("bank_b", "Bank B")):
        user = seed_user(db, username, "bank", name, PASSWORD)
        product = loans.create_product(db, user["org_id"], "linked", "LPR", "3.0",
                                       "2025-11-20", [TARGET_60])
        banks[username] = {"org": user["org_id"], "user": user, "product": product["id"],
                           "token": create_token(db, username, "test"),
                           "client": login(service.app.test_client(), username)}
    approve(cable(2025, 100), issuer, engine_2022)
    approve(cable(2026, 85), issuer)
    orgs = {"orchard": service.people["orchard"]["org_id"],
            "steelworks": service.people["steelworks"]["org_id"]}
    return banks, orgs


def bank_answers(service, bank: dict, org: int) -> dict:
    """What every bank page and endpoint about ``org`` answers the bank (status codes)."""
    client, auth = bank["client"], {"Authorization": f"Bearer {bank['token']}"}
    api = service.app.test_client()
    body = {"loan_product": bank["product"], "borrower": org, "principal": 10000000,
            "year": 2026}
    return {
        "account page": client.get(f"/bank/accounts/{org}").status_code,
        "account statement": client.get(f"/accounts/{org}/statement.csv").status_code,
        "price page": client.post("/bank/price", data={**body, "product": ""}).status_code,
        "borrower API": api.get(f"/api/v1/borrowers/{org}", headers=auth).status_code,
        "price API": api.post("/api/v1/loan-decisions", json=body,
                              headers=auth).status_code,
    }


def listed(service, bank: dict, org: int) -> bool:
    """Whether the bank's listings (page and API) name the organisation."""
    api = service.app.test_client().get(
        "/api/v1/borrowers", headers={"Authorization": f"Bearer {bank['token']}"}).get_json()
    in_api = org in [b["id"] for b in api["borrowers"]]
    in_page = f"/bank/accounts/{org}\"" in bank["client"].get("/bank/").get_data(as_text=True)
    assert in_api == in_page
    return in_api


CONSENTED = {"account page": 200, "account statement": 200, "price page": 302,
             "borrower API": 200, "price API": 201}
REFUSED = dict.fromkeys(CONSENTED, 404)


@pytest.mark.parametrize("state", ["never", "granted", "revoked"])
def test_the_consent_matrix(service, world, state):
    banks, orgs = world
    db = service.db
    if state in ("granted", "revoked"):
        consents.grant(db, orgs["orchard"], banks["bank_a"]["org"])
    if state == "revoked":
        consents.revoke(db, orgs["orchard"], banks["bank_a"]["org"])
    for (bank_name, bank), (org_name, org) in itertools.product(banks.items(), orgs.items()):
        allowed = state == "granted" and (bank_name, org_name) == ("bank_a", "orchard")
        before = counts(db)
        answers = bank_answers(service, bank, org)
        if allowed:
            assert answers == CONSENTED
            # two decisions (page and API), each a record leaf
            after = counts(db)
            assert after["loan_decisions"] - before["loan_decisions"] == 2
            assert after["log_entries"] - before["log_entries"] == 2
        else:
            assert answers == REFUSED, (bank_name, org_name)
            assert counts(db) == before, (bank_name, org_name)  # nothing changed
        assert listed(service, bank, org) == allowed


def test_an_unknown_organisation_answers_as_one_that_does_not_consent(service, world):
    banks, _ = world
    before = counts(service.db)
    assert bank_answers(service, banks["bank_a"], 987654) == REFUSED
    assert counts(service.db) == before


def test_a_producer_grants_and_revokes_with_audit_events(service, world, clients):
    banks, orgs = world
    client, bank = clients["orchard"], banks["bank_a"]["org"]
    assert client.post(f"/consents/{bank}/grant").status_code == 302
    assert client.post(f"/consents/{bank}/grant").status_code == 409  # already
    assert client.post(f"/consents/{bank}/revoke").status_code == 302
    assert client.post(f"/consents/{bank}/revoke").status_code == 409  # nothing to revoke
    events = service.db.execute("SELECT action, actor_id, bank_org_id FROM consent_events "
                                "WHERE org_id = ? ORDER BY id", [orgs["orchard"]]).fetchall()
    orchard_user = service.people["orchard"]["id"]
    assert [tuple(e) for e in events] == [("grant", orchard_user, bank),
                                          ("revoke", orchard_user, bank)]
    page = client.get("/consents").get_data(as_text=True)
    assert "Bank A" in page and "Bank B" in page
    # a bank id that is not a bank (the producer's own organisation) is bad input
    before = counts(service.db)
    assert client.post(f"/consents/{orgs['steelworks']}/grant").status_code == 400
    assert counts(service.db) == before


def test_only_a_producer_grants_and_only_a_bank_reads(service, world, clients):
    banks, orgs = world
    bank = banks["bank_a"]
    assert bank["client"].post(f"/consents/{bank['org']}/grant").status_code == 403
    assert clients["orchard"].get("/bank/").status_code == 403
    assert clients["reviewer"].get(f"/bank/accounts/{orgs['orchard']}").status_code == 403
    token = create_token(service.db, "orchard", "test")
    api = service.app.test_client()
    assert api.get("/api/v1/borrowers", headers={
        "Authorization": f"Bearer {token}"}).status_code == 403
    assert api.get("/api/v1/consents", headers={
        "Authorization": f"Bearer {bank['token']}"}).status_code == 403


def test_granting_needs_the_csrf_token(service, world, csrf_app):
    banks, _ = world
    client = log_in_with_token(csrf_app.test_client(), "orchard")
    before = counts(service.db)
    assert client.post(f"/consents/{banks['bank_a']['org']}/grant").status_code == 400
    assert counts(service.db) == before


def test_a_decision_is_seen_by_its_bank_and_its_borrower_only(service, world, clients, issuer):
    banks, orgs = world
    a, b = banks["bank_a"], banks["bank_b"]
    consents.grant(service.db, orgs["orchard"], a["org"])
    decision = loans.price_for(service.db, service.app.extensions["footprint_engine"], issuer,
                               a["user"], a["product"], orgs["orchard"], "10000000", 2026)
    paths = [f"/loans/decisions/{decision['id']}", f"/loans/decisions/{decision['id']}/document",
             f"/loans/decisions/{decision['id']}/proof"]
    api_paths = [f"/api/v1/loan-decisions/{decision['id']}",
                 f"/api/v1/loan-decisions/{decision['id']}/document",
                 f"/api/v1/loan-decisions/{decision['id']}/proof"]
    readers = {"bank_a": a["client"], "orchard": clients["orchard"], "bank_b": b["client"],
               "steelworks": clients["steelworks"]}
    for name, client in readers.items():
        expected = 200 if name in ("bank_a", "orchard") else 404
        assert [client.get(p).status_code for p in paths] == [expected] * 3, name
    api = service.app.test_client()
    tokens = {"bank_a": a["token"], "bank_b": b["token"],
              "orchard": create_token(service.db, "orchard", "t"),
              "steelworks": create_token(service.db, "steelworks", "t")}
    for name, token in tokens.items():
        expected = 200 if name in ("bank_a", "orchard") else 404
        answers = [api.get(p, headers={"Authorization": f"Bearer {token}"}).status_code
                   for p in api_paths]
        assert answers == [expected] * 3, name
    # both read the same figures: 15 % >= 10 %, 60 bp off 3.00 % = 2.40 %;
    # 10,000,000 x 0.0060 = 60,000.00 yuan a year
    for client in (a["client"], clients["orchard"]):
        page = client.get(paths[0]).get_data(as_text=True)
        assert "2.40 %" in page and "60,000.00" in page
    # after the consent ends the bank keeps its decision, and sees the account no more
    consents.revoke(service.db, orgs["orchard"], a["org"])
    assert a["client"].get(paths[0]).status_code == 200
    assert a["client"].get(f"/bank/accounts/{orgs['orchard']}").status_code == 404
