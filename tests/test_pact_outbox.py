"""The PACT outbox (docs/pact.md, Events): an acknowledged request's answer is stored before
the 200, posted by ``deliver_due`` with exponential backoff (1 s, 2 s, 4 s ... at most 1 h),
never twice by two processes at once, and given up 72 hours after it was queued. Time is
moved by hand (footprint.clock), never slept."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from footprint.store import transaction
from tests import pact_world
from tests.test_pact import HTTPS, token_for

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc)
REQUEST_CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"


@pytest.fixture(scope="module")
def pact_service(tmp_path_factory, engine, service_template):
    return pact_world.make_service(tmp_path_factory.mktemp("pact-outbox") / "home", engine,
                                   service_template)


@pytest.fixture(scope="module")
def validator():
    return pact_world.schemas()


@pytest.fixture
def outbox(pact_service, monkeypatch):
    """An empty outbox, no courier thread, no configured recipients, the clock at T0."""
    from footprint import clock
    from footprint.usecases import pactevents

    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_HOSTS", raising=False)
    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", raising=False)
    monkeypatch.setattr(pactevents, "wake_courier", lambda db: None)
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    pact_service.db.execute("DELETE FROM pact_outbox")
    pact_service.db.conn.commit()
    pact_service.moment = moment
    return pact_service


class Answer:
    def __init__(self, status=200):
        self.status = status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def request_event(event_id, source="https://buyer.example.cn/3/events"):
    return {"specversion": "1.0", "id": event_id, "source": source,
            "time": "2026-03-01T08:00:00Z", "type": REQUEST_CREATED,
            "data": {"productId": [f"urn:gtin:{pact_world.GTIN_ORANGES}"]}}


def queue(service, event_id, **kwargs):
    from footprint.usecases import pact, pactevents

    orchard = pact.stored.client_by_client_id(service.db, service.world.clients["orchard"][0])
    return pactevents.accept_event(service.db, orchard, request_event(event_id, **kwargs),
                                   "pact.example.cn", HTTPS)


def test_an_acknowledged_request_is_in_the_outbox_before_the_200(outbox, monkeypatch):
    from footprint.store import connect, database_path
    from footprint.usecases import pactevents

    seen = []

    def no_courier(db):  # the delivery thread does not run: only the outbox has the answer
        other = connect(database_path(outbox.home))  # another connection: committed rows
        seen.extend(other.query("SELECT * FROM pact_outbox"))
        other.close()

    monkeypatch.setattr(pactevents, "wake_courier", no_courier)
    token = token_for(outbox.app, "orchard", outbox.world)
    answer = outbox.app.test_client().post(
        f"{HTTPS}/3/events", data=json.dumps(request_event("req-durable")),
        headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/cloudevents+json"})
    assert answer.status_code == 200
    assert len(seen) == 1 and seen[0]["request_event_id"] == "req-durable"
    assert seen[0]["url"] == "https://buyer.example.cn/3/events"
    assert seen[0]["attempts"] == 0 and seen[0]["delivered_at"] is None
    assert seen[0]["next_attempt_at"] == T0.isoformat()
    stored = json.loads(seen[0]["event_json"])
    assert stored["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    assert stored["data"]["requestEventId"] == "req-durable"
    assert stored["id"] == seen[0]["event_id"]
    # a malformed event is refused and leaves nothing to send
    bad = outbox.app.test_client().post(
        f"{HTTPS}/3/events", data=json.dumps({**request_event("x"), "source": "http://a"}),
        headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/cloudevents+json"})
    assert bad.status_code == 400
    assert [r["request_event_id"] for r in pactevents.outbox_items(outbox.db)["pending"]] == \
        ["req-durable"]


def post_event(service, token, event):
    return service.app.test_client().post(
        f"{HTTPS}/3/events", data=json.dumps(event),
        headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/cloudevents+json"})


def test_an_answer_is_never_sent_to_this_machine_or_a_private_network(outbox, monkeypatch):
    """A request whose source is written as a loopback, link-local or private address, or
    as localhost, is refused (400) with nothing queued; a name that resolves there when the
    answer is posted is not connected to. The operator may name such a host."""
    import socket

    from tests.test_outbound import Listener
    from footprint.usecases import pactevents

    monkeypatch.delenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", raising=False)
    token = token_for(outbox.app, "orchard", outbox.world)
    for n, source in enumerate(["https://127.0.0.1:9/x", "https://[::1]/3/events",
                                "https://[::ffff:127.0.0.1]:8443", "https://localhost:8041",
                                "https://169.254.169.254/latest", "//10.0.0.5/3/events",
                                "https://192.168.1.20", "https://2130706433:9/x"]):
        answer = post_event(outbox, token, request_event(f"req-private-{n}", source))
        assert answer.status_code == 400, source
        assert answer.get_json()["code"] == "BadRequest"
        assert "is not a public address" in answer.get_json()["message"], source
    assert pactevents.outbox_items(outbox.db)["pending"] == []
    # the operator names the host the requester's answers go to: taken
    monkeypatch.setenv("FOOTPRINT_PACT_CALLBACK_HOSTS", "127.0.0.1")
    assert post_event(outbox, token, request_event("req-named", "https://127.0.0.1:9/x")) \
        .status_code == 200
    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_HOSTS")
    with transaction(outbox.db):
        outbox.db.execute("DELETE FROM pact_outbox")

    # a public-looking name that resolves to this machine when the answer is posted
    listener = Listener()
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: real(
        "127.0.0.1" if host == "erp.buyer.example" else host, port, *a, **k))
    try:
        delivery = queue(outbox, "req-rebound",
                         source=f"https://erp.buyer.example:{listener.port}/3/events")
        done = pactevents.deliver_due(outbox.db)  # the real opener
    finally:
        listener.close()
    assert [(d["event_id"], d["delivered"]) for d in done] == [(delivery.event["id"], False)]
    assert "erp.buyer.example resolves to 127.0.0.1" in done[0]["error"]
    assert listener.accepted == 0


def test_the_backoff_doubles_up_to_an_hour():
    from footprint.usecases import pactevents

    assert [pactevents.backoff(n).total_seconds() for n in (1, 2, 3, 4, 12, 13, 40)] == \
        [1, 2, 4, 8, 2048, 3600, 3600]


def test_a_recipient_down_at_first_gets_the_event_later(outbox, validator):
    from footprint.usecases import pactevents

    delivery = queue(outbox, "req-later")
    posted = []

    def recipient(request, timeout, context):
        posted.append((outbox.moment["now"], json.loads(request.data)))
        if len(posted) <= 3:
            raise OSError("connection refused")
        return Answer(204)

    def at(seconds):
        outbox.moment["now"] = T0 + timedelta(seconds=seconds)
        return pactevents.deliver_due(outbox.db, opener=recipient)

    item = lambda: pactevents.outbox.item(outbox.db, delivery.outbox_id)  # noqa: E731
    first = at(0)
    assert [(d["delivered"], d["attempts"]) for d in first] == [(False, 1)]
    assert first[0]["next_attempt_at"] == (T0 + timedelta(seconds=1)).isoformat()
    assert "connection refused" in item()["last_error"]
    assert at(0) == []  # not due again yet
    assert at(1)[0]["next_attempt_at"] == (T0 + timedelta(seconds=1 + 2)).isoformat()
    assert at(2) == []
    assert at(3)[0]["next_attempt_at"] == (T0 + timedelta(seconds=3 + 4)).isoformat()
    assert at(6) == []
    done = at(7)
    assert [(d["delivered"], d["attempts"]) for d in done] == [(True, 4)]
    assert [moment - T0 for moment, _ in posted] == \
        [timedelta(seconds=s) for s in (0, 1, 3, 7)]
    assert all(body == delivery.event for _, body in posted)  # the same event every time
    validator("RequestFulfilledEvent").validate(posted[-1][1])
    assert item()["delivered_at"] == (T0 + timedelta(seconds=7)).isoformat()
    assert item()["claimed_until"] is None and item()["last_error"] is None
    assert at(100) == [] and pactevents.outbox_items(outbox.db)["pending"] == []


def test_two_deliverers_at_once_never_send_an_event_twice(outbox):
    from footprint.store import connect, database_path
    from footprint.usecases import pactevents

    queued = {queue(outbox, f"req-race-{n}").event["id"] for n in range(6)}
    sent, lock = [], threading.Lock()
    start = threading.Barrier(2)

    def recipient(request, timeout, context):
        with lock:
            sent.append(json.loads(request.data)["id"])
        threading.Event().wait(0.02)  # slow enough that the two runs overlap
        return Answer(200)

    results = {}

    def run(name):
        db = connect(database_path(outbox.home))
        try:
            start.wait()
            results[name] = pactevents.deliver_due(db, opener=recipient)
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(sent) == sorted(queued)  # each once
    assert {d["event_id"] for r in results.values() for d in r} == queued
    assert pactevents.outbox_items(outbox.db)["pending"] == []

    # a claim holds against another process until it runs out
    from footprint import clock
    from footprint.store import pact_outbox

    again = queue(outbox, "req-claimed").outbox_id
    other = connect(database_path(outbox.home))
    try:
        now, later = clock.stamp(T0), clock.stamp(T0 + timedelta(seconds=300))
        assert [r["id"] for r in pact_outbox.claim(outbox.db, now, later, 10)] == [again]
        assert pact_outbox.claim(other, now, later, 10) == []
        assert pactevents.deliver_due(other, opener=recipient) == []
        expired = clock.stamp(T0 + timedelta(seconds=301))
        assert [r["id"] for r in pact_outbox.claim(other, expired, expired, 10)] == [again]
    finally:
        other.close()


def test_an_event_undelivered_for_72_hours_is_given_up(outbox, run, monkeypatch):
    from footprint.usecases import pactevents

    delivery = queue(outbox, "req-never")
    tried = []

    def down(request, timeout, context):
        tried.append(outbox.moment["now"])
        raise OSError("no route to host")

    for _ in range(200):
        row = pactevents.outbox.item(outbox.db, delivery.outbox_id)
        if row["gave_up_at"]:
            break
        outbox.moment["now"] = datetime.fromisoformat(row["next_attempt_at"])
        pactevents.deliver_due(outbox.db, opener=down)
    row = pactevents.outbox.item(outbox.db, delivery.outbox_id)
    deadline = T0 + timedelta(hours=72)
    assert row["gave_up_at"] == deadline.isoformat() and row["delivered_at"] is None
    assert row["attempts"] == len(tried) and tried[-1] == deadline
    waits = [(b - a).total_seconds() for a, b in zip(tried, tried[1:])]
    assert waits[:13] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600]
    assert max(waits) == 3600 and all(w > 0 for w in waits)
    # and nothing more is tried
    outbox.moment["now"] = deadline + timedelta(days=1)
    assert pactevents.deliver_due(outbox.db, opener=down) == []
    items = pactevents.outbox_items(outbox.db)
    assert items["pending"] == [] and [r["event_id"] for r in items["failed"]] == \
        [delivery.event["id"]]
    given_up = [e for e in pactevents.security.events(outbox.db)
                if e["kind"] == "pact-event-given-up"]
    assert given_up and delivery.event["id"] in given_up[0]["detail"]

    monkeypatch.setenv("FOOTPRINT_HOME", str(outbox.home))
    listed = run("pact", "outbox")
    assert listed.exit_code == 0, listed.output
    assert "failed: 1" in listed.stdout and delivery.event["id"] in listed.stdout
    assert "no route to host" in listed.stdout
    as_json = json.loads(run("pact", "outbox", "--json").stdout)
    assert as_json["failed"][0]["gave_up_at"] == deadline.isoformat()


def test_the_cli_delivers_what_is_due(outbox, run, monkeypatch):
    from footprint.usecases import pactevents

    # a recipient on this machine (named by the operator), where nothing listens on port 9
    monkeypatch.setenv("FOOTPRINT_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    delivery = queue(outbox, "req-cli", source="https://127.0.0.1:9/3/events")
    monkeypatch.setenv("FOOTPRINT_HOME", str(outbox.home))
    listed = run("pact", "outbox")
    assert "pending: 1" in listed.stdout and delivery.event["id"] in listed.stdout
    done = run("pact", "deliver")
    assert done.exit_code == 0, done.output
    # T0 + 1 s, in the platform's zone to the minute as every listing says times
    assert f"{delivery.event['id']} -> https://127.0.0.1:9/3/events: failed, next attempt " \
        "2026-03-01 16:00 (Asia/Shanghai)" in done.stdout
    assert "0 of 1 due events delivered" in done.stdout
    assert pactevents.outbox.item(outbox.db, delivery.outbox_id)["attempts"] == 1
    assert "0 of 0 due events delivered" in run("pact", "deliver").stdout  # not due yet


def test_a_worker_takes_up_what_is_due_on_a_request(outbox, monkeypatch):
    """A worker started again has no courier: a request (any, at most every 30 s) finds the
    due answer in the outbox and wakes one."""
    import web.pact
    from footprint.usecases import pactevents

    woken = []
    monkeypatch.setattr(pactevents, "wake_courier", lambda db: woken.append(db))
    page = lambda: outbox.app.test_client().get(  # noqa: E731
        f"{HTTPS}/.well-known/openid-configuration")
    outbox.app.extensions.pop("pact_outbox_checked", None)  # as a new worker
    assert page().status_code == 200 and woken == []  # nothing due
    queue(outbox, "req-restart")
    assert page().status_code == 200 and woken == []  # checked less than 30 s ago
    checked = outbox.app.extensions["pact_outbox_checked"]
    outbox.app.extensions["pact_outbox_checked"] = (
        checked[0], checked[1] - web.pact.OUTBOX_CHECK_SECONDS)
    assert page().status_code == 200 and len(woken) == 1


def test_the_courier_posts_and_ends_when_nothing_is_pending(outbox, monkeypatch):
    """The real courier thread, with a recipient that takes everything."""
    from footprint.usecases import pactevents

    monkeypatch.undo()  # the real wake_courier and the real clock
    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_HOSTS", raising=False)
    monkeypatch.delenv("FOOTPRINT_PACT_CALLBACK_CREDENTIALS", raising=False)
    posted = []
    real = pactevents.deliver
    monkeypatch.setattr(pactevents, "deliver", lambda delivery, opener=None: real(
        delivery, opener=lambda request, timeout, context: posted.append(request) or
        Answer(200)))
    delivery = queue(outbox, "req-courier")
    thread = pactevents.wake_courier(outbox.db)
    thread.join(20)
    assert not thread.is_alive()  # nothing pending: it ended
    assert [json.loads(r.data)["id"] for r in posted] == [delivery.event["id"]]
    assert pactevents.outbox.item(outbox.db, delivery.outbox_id)["delivered_at"]


def test_an_item_another_process_holds_is_due_when_its_claim_ends(outbox):
    from footprint import clock
    from footprint.store import pact_outbox

    queue(outbox, "req-held")
    assert pact_outbox.next_due(outbox.db) == clock.stamp(T0)
    until = clock.stamp(T0 + timedelta(seconds=300))
    assert len(pact_outbox.claim(outbox.db, clock.stamp(T0), until, 10)) == 1
    assert pact_outbox.next_due(outbox.db) == until  # the courier sleeps till then


def test_a_request_sent_again_is_answered_once(outbox):
    """A requester that lost our 200 sends the same event (same source, same id) again: the
    answer already queued stands, nothing is queued twice."""
    from footprint.usecases import pactevents

    first = queue(outbox, "req-twice")
    again = queue(outbox, "req-twice")
    assert again.outbox_id == first.outbox_id
    assert again.event["id"] == first.event["id"]
    pending = pactevents.outbox_items(outbox.db)["pending"]
    assert [r["request_event_id"] for r in pending] == ["req-twice"]
    # the same id from another source is another event
    other = queue(outbox, "req-twice", source="https://other-buyer.example.cn/3/events")
    assert other.outbox_id != first.outbox_id
    assert len(pactevents.outbox_items(outbox.db)["pending"]) == 2


def test_delivered_answers_go_after_30_days_and_given_up_ones_after_90(outbox):
    from footprint.usecases import pactevents

    delivered = queue(outbox, "req-delivered")
    failed = queue(outbox, "req-failed")
    pending = queue(outbox, "req-pending")
    rows = pactevents.outbox
    with transaction(outbox.db):
        rows.delivered(outbox.db, delivered.outbox_id, T0.isoformat())
        rows.failed(outbox.db, failed.outbox_id, "refused", None, T0.isoformat())
        # the pending one is due far in the future: the passes below do not post it
        rows.failed(outbox.db, pending.outbox_id, "down",
                    (T0 + timedelta(days=365)).isoformat(), None)

    def present():
        return {r["request_event_id"] for r in
                outbox.db.query("SELECT request_event_id FROM pact_outbox")}

    outbox.moment["now"] = T0 + timedelta(days=30)  # not more than 30 days: kept
    pactevents.deliver_due(outbox.db)
    assert present() == {"req-delivered", "req-failed", "req-pending"}
    outbox.moment["now"] = T0 + timedelta(days=30, seconds=1)
    pactevents.deliver_due(outbox.db)
    assert present() == {"req-failed", "req-pending"}
    outbox.moment["now"] = T0 + timedelta(days=90, seconds=1)
    pactevents.deliver_due(outbox.db)
    assert present() == {"req-pending"}  # never a pending one
