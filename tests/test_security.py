"""Guessing is slowed down and sessions end when they should: throttled log-ins and bearer
tokens (per account name and per address, in the database, so every worker and a restarted
service see the same counts), and sessions the server ends on logout, on a new password and
on deactivation."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from footprint import clock
from footprint.usecases import security
from footprint.usecases.tokens import create_token
from footprint.usecases.users import set_user_active

from .conftest import PASSWORD, app_on

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

START = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def moment(monkeypatch):
    """The core's clock, held still and moved by hand: ``moment.advance(seconds)``."""
    class Moment:
        now = START

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    held = Moment()
    monkeypatch.setattr(clock, "now", lambda: held.now)
    return held


def attempt(client, username="orchard", password="wrong password!", address="10.0.0.7",
            language="zh-CN"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address},
                       headers={"Accept-Language": language})


def events(service, kind=None) -> list[dict]:
    return [e for e in security.events(service.db, 1000) if kind is None or e["kind"] == kind]


# -- log-ins ------------------------------------------------------------------------------

def test_five_failures_are_free_then_the_wait_doubles(service, client, moment):
    for _ in range(5):
        assert attempt(client).status_code == 401
    # the sixth failure is counted and makes the next attempt wait 1 s (2 ** 0)
    assert attempt(client).status_code == 401
    blocked = attempt(client, password=PASSWORD)  # the right password, not even checked
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    assert "Too many failed attempts. Try again in 1 minute(s)." in \
        attempt(client, password=PASSWORD, language="en").get_data(as_text=True)
    moment.advance(1)
    assert attempt(client).status_code == 401  # the seventh failure: a 2 s wait (2 ** 1)
    assert attempt(client, password=PASSWORD).headers["Retry-After"] == "2"
    moment.advance(2)
    assert attempt(client, password=PASSWORD).status_code == 302  # logged in
    # a success clears the account's count: five free failures again
    other = service.app.test_client()
    for _ in range(5):
        assert attempt(other).status_code == 401


def test_forty_wrong_passwords_then_the_right_one_is_refused(service, client, moment):
    """The run that found no protection: each wrong guess as soon as it is allowed."""
    waited = 0
    for _ in range(40):
        response = attempt(client)
        while response.status_code == 429:
            seconds = int(response.headers["Retry-After"])
            moment.advance(seconds)
            waited += seconds
            response = attempt(client)
        assert response.status_code == 401
    final = attempt(client, password=PASSWORD)
    assert final.status_code == 429
    # failures 6..40 wait 1, 2, 4 ... s, capped at 15 minutes: 1 + 2 + ... + 512 = 1023 s for
    # the first ten, then 900 s for each of the other 25 (the 40th's wait is still ahead)
    assert waited == 1023 + 900 * 24
    assert final.headers["Retry-After"] == "900"
    assert len(events(service, "login-failed")) == 40


def test_the_answer_never_says_whether_the_account_exists(service, moment):
    pages = {}
    for name in ("orchard", "nobody-here"):
        client = service.app.test_client()
        statuses = [attempt(client, username=name, address=f"10.1.0.{len(pages)}").status_code
                    for _ in range(6)]
        blocked = attempt(client, username=name, address=f"10.1.0.{len(pages)}")
        pages[name] = (statuses, blocked.status_code, blocked.headers.get("Retry-After"),
                       re.sub(r'name="csrf_token" value="[^"]*"', "",
                              blocked.get_data(as_text=True)))
    assert pages["orchard"] == pages["nobody-here"]
    assert pages["orchard"][:3] == ([401] * 6, 429, "1")


def test_an_address_guessing_many_accounts_is_slowed_down(service, moment):
    client = service.app.test_client()
    for n in range(20):  # one guess at each of twenty names: no account reaches its limit
        assert attempt(client, username=f"user{n}").status_code == 401
    assert attempt(client, username="user20").status_code == 401  # the 21st: 1 s to wait
    blocked = attempt(client, username="orchard", password=PASSWORD)
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    # another address is not held up by it
    assert attempt(client, username="orchard", password=PASSWORD,
                   address="10.9.9.9").status_code == 302


def test_the_counts_hold_across_workers_and_restarts(service, moment):
    client = service.app.test_client()
    for _ in range(6):
        attempt(client)
    # another app on the same FOOTPRINT_HOME: another gunicorn worker, or the service
    # restarted; the counts are in the database
    restarted = app_on(service.home, service.app.extensions["footprint_engine"], TESTING=True,
                       WTF_CSRF_ENABLED=False)
    response = attempt(restarted.test_client(), password=PASSWORD)
    assert response.status_code == 429


def test_failures_and_refusals_are_security_events(service, client, moment):
    for _ in range(6):
        attempt(client, username="Orchard")
    attempt(client, username="orchard", password=PASSWORD)  # refused: the name's count
    kinds = [e["kind"] for e in reversed(events(service))]
    assert kinds == ["login-failed"] * 6 + ["login-blocked"]
    blocked = events(service, "login-blocked")[0]
    assert (blocked["username"], blocked["address"], blocked["detail"]) == \
        ("orchard", "10.0.0.7", "retry after 1 s")
    result = CliRunner().invoke(__import__("cli.main", fromlist=["cli"]).cli,
                                ["security", "events", "--json"],
                                env={"FOOTPRINT_HOME": str(service.home)})
    assert result.exit_code == 0, result.output
    assert [e["kind"] for e in json.loads(result.output)][0] == "login-blocked"


# -- bearer tokens -------------------------------------------------------------------------

def test_invalid_bearer_tokens_are_throttled_per_address(service, moment):
    client = service.app.test_client()
    good = create_token(service.db, "orchard")

    def call(token, address="10.0.0.8"):
        return client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                          environ_base={"REMOTE_ADDR": address})

    for n in range(21):
        assert call(f"fpt_guess{n}").status_code == 401
    refused = call(good)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.get_json()["error"].startswith("too many invalid tokens")
    assert call(good, address="10.0.0.9").status_code == 200
    moment.advance(1)
    assert call(good).status_code == 200
    assert len(events(service, "token-failed")) == 21


# -- sessions ------------------------------------------------------------------------------

def session_cookie(client) -> str:
    return client.get_cookie("session").value


def logged_in(client) -> bool:
    return client.get("/producer/").status_code == 200


def test_a_cookie_from_before_logout_opens_nothing(service, login):
    client = login(service.app.test_client(), "orchard")
    captured = session_cookie(client)
    assert logged_in(client)
    assert client.post("/logout").status_code == 302
    thief = service.app.test_client()
    thief.set_cookie("session", captured)
    assert not logged_in(thief)
    assert thief.get("/producer/").status_code == 302  # to the log-in page


def test_a_new_password_ends_every_other_session(service, login):
    laptop = login(service.app.test_client(), "orchard")
    phone = login(service.app.test_client(), "orchard")
    captured = session_cookie(laptop)
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a new passphrase 7",
        "repeat_password": "a new passphrase 7"})
    assert response.status_code == 302
    assert logged_in(laptop)  # the browser that changed it goes on, in a new session
    assert not logged_in(phone)
    old = service.app.test_client()
    old.set_cookie("session", captured)
    assert not logged_in(old)
    assert attempt(service.app.test_client(), password="a new passphrase 7").status_code == 302


def test_a_wrong_current_password_changes_nothing(service, login):
    client = login(service.app.test_client(), "orchard")
    response = client.post("/account/password", data={
        "current_password": "not the password", "new_password": "a new passphrase 7",
        "repeat_password": "a new passphrase 7"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The current password is not right." in response.get_data(as_text=True)
    short = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short",
        "repeat_password": "short"}, headers={"Accept-Language": "zh-CN"})
    assert short.status_code == 400
    assert logged_in(client)
    assert attempt(service.app.test_client(), password=PASSWORD).status_code == 302


def test_the_operator_s_password_reset_and_a_deactivation_end_sessions(service, login):
    client = login(service.app.test_client(), "orchard")
    result = CliRunner().invoke(__import__("cli.main", fromlist=["cli"]).cli,
                                ["users", "password", "orchard"], input="reset by admin 1\n",
                                env={"FOOTPRINT_HOME": str(service.home)})
    assert result.exit_code == 0, result.output
    assert not logged_in(client)
    steel = login(service.app.test_client(), "steelworks")
    set_user_active(service.db, service.people["admin"], service.people["steelworks"]["id"],
                    False)
    assert not logged_in(steel)


# -- names, reasons, and a full disk ---------------------------------------------------------

def test_accounts_made_anywhere_refuse_invisible_controls(service):
    from footprint import InvalidInput
    from footprint.usecases.organisations import create_organisation
    from footprint.usecases.users import seed_user
    with pytest.raises(InvalidInput) as user:
        seed_user(service.db, "mallory", "producer", "Evil\u202eoC", "long enough pw 1",
                  display_name="Mal\x00lory")
    assert {p.where for p in user.value.problems} == {"display_name", "org"}
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5" in str(user.value)
    with pytest.raises(InvalidInput) as org:
        create_organisation(service.db, "Shell\u2066Co", "enterprise")
    assert [p.where for p in org.value.problems] == ["name"]
    # NFC: the decomposed e + U+0301 is stored composed
    made = create_organisation(service.db, "Cafe\u0301 Co-op", "enterprise")
    assert made["name"] == "Caf\u00e9 Co-op"


def test_a_revocation_reason_with_an_invisible_control_is_refused(service, approve, issuer,
                                                                 make_bom):
    from footprint import InvalidInput
    from footprint.usecases.labels import for_submission
    from footprint.usecases.revoking import revoke
    label = for_submission(service.db, approve(make_bom(), issuer)["id"])
    with pytest.raises(InvalidInput) as refused:
        revoke(service.db, service.people["reviewer"], label["id"], "fraud\u202e found")
    assert [p.where for p in refused.value.problems] == ["reason"]
    assert for_submission(service.db, label["submission_id"])["revoked_at"] is None


def test_a_failure_that_cannot_be_counted_on_a_full_disk_is_still_a_refusal(
        service, monkeypatch, caplog):
    import sqlite3

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(security.stored, "set_throttle", full)
    monkeypatch.setattr(security.stored, "record_event", full)
    client = service.app.test_client()
    response = client.get("/api/v1/submissions", headers={"Authorization": "Bearer fpt_nope"},
                          environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert response.status_code == 401
    assert "a failed attempt could not be counted: database or disk is full" in caplog.text
