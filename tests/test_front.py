"""The public answers given before Flask (web/front.py): kept scan pages, the trust list and
the checkpoint, the same answer the views give, byte for byte and header for header, and
every request the front must not answer left to Flask."""
from __future__ import annotations

import sqlite3

import pytest
from flask import request_started
from werkzeug.test import Client

from footprint.usecases.revoking import revoke

from .test_web_scan import approve, scan_url, tea_bom, verdict

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def label(service, issuer, make_bom):
    return approve(service, issuer, tea_bom(make_bom))


@pytest.fixture
def flask_requests(service):
    """The requests Flask itself handled (its request_started signal), as paths."""
    seen = []

    def started(sender, **extra):
        from flask import request
        seen.append(request.path)
    request_started.connect(started, service.app)
    yield seen
    request_started.disconnect(started, service.app)


def answer(response, but=()) -> tuple:
    return (response.status, sorted(h for h in response.headers.items() if h[0] not in but),
            response.get_data())


# Flask's answers say Vary: Cookie because flask-login looked at the session after the view;
# the trust list and the checkpoint are the same whoever asks, and the front never answers
# a request that holds a session, so it leaves that out: a proxy keeps one copy for everyone
ANYONE = ("Vary",)


def test_a_kept_page_is_answered_as_the_view_answers_it(service, label, flask_requests):
    app = service.app
    front = Client(app)                     # the app as served: the kept scans in front
    view = Client(app.wsgi_app.wsgi_app)    # the same app without them: Flask's own answer
    url = scan_url(label)
    made = front.get(url, headers=GZIP)     # the first scan: Flask renders and keeps it
    assert made.status_code == 200 and flask_requests == [url]
    flask_requests.clear()
    etag = made.headers["ETag"]
    for headers, cookie, scheme in [
            (GZIP, None, "http"), ({}, None, "http"),                    # gzip, or inflated
            ({**GZIP, "If-None-Match": etag}, None, "http"),             # 304
            ({**GZIP, "If-None-Match": f'"other", {etag}'}, None, "http"),
            ({**GZIP, "Accept-Language": "en-GB,en;q=0.9"}, None, "http"),  # another language
            (GZIP, "en", "http"),                                        # the switch's choice
            ({**GZIP, "Accept-Language": "zh"}, "en", "http"),
            ({**GZIP, "Accept-Language": "fr"}, None, "http"),           # Chinese by default
            (GZIP, None, "https")]:                                      # with HSTS
        front, view = Client(app), Client(app.wsgi_app.wsgi_app)
        for client in (front, view):
            if cookie:
                client.set_cookie("lang", cookie)
        # each asked twice through the front: the first may be Flask's (a page not kept yet
        # in that language), the second is the kept one
        front.get(url, headers=headers, base_url=f"{scheme}://localhost")
        flask_requests.clear()
        fast = front.get(url, headers=headers, base_url=f"{scheme}://localhost")
        assert flask_requests == [], (headers, cookie, scheme)  # answered before Flask
        slow = view.get(url, headers=headers, base_url=f"{scheme}://localhost")
        assert answer(fast) == answer(slow), (headers, cookie, scheme)
        flask_requests.clear()
    english = Client(app)
    english.set_cookie("lang", "en")
    assert 'lang="en"' in english.get(url).get_data(as_text=True)
    english = front.get(url, headers={"Accept-Language": "en"})
    assert verdict(english.get_data(as_text=True)) == "valid" and \
        "Valid" in english.get_data(as_text=True)
    assert front.get(url, headers={"Accept-Language": "en", "If-None-Match": etag}).status_code \
        == 200  # another language's page has an ETag of its own
    https = front.get(url, headers=GZIP, base_url="https://localhost")
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in front.get(url, headers=GZIP).headers


def test_what_a_kept_page_must_not_answer_is_left_to_flask(service, label, flask_requests,
                                                           login):
    app = service.app
    front = Client(app)
    url = scan_url(label)
    front.get(url)  # kept
    flask_requests.clear()
    for method, path, cookie in [
            ("HEAD", url, None),
            ("GET", url + "?lot=2026-01", None),                 # a lot: the page says it
            ("GET", url + "?utm_source=poster", None),
            ("GET", url, ("session", "anything")),               # maybe someone logged in
            ("GET", url, ("remember_token", "anything")),
            ("GET", url + "A", None),                            # not a kept page
            ("GET", url + "/more", None)]:
        client = Client(app)
        if cookie:
            client.set_cookie(*cookie)
        client.open(path, method=method)
        assert flask_requests == [path.split("?")[0]], (method, path, cookie)
        flask_requests.clear()
    # lowercase, as some apps send it: the same label, the same kept page
    front.get(url.replace("/L/", "/l/").lower())
    assert flask_requests == []


def test_a_kept_page_no_longer_true_is_made_again_by_flask(service, label, flask_requests):
    front = Client(service.app)
    url = scan_url(label)
    etag = front.get(url).headers["ETag"]
    assert front.get(url, headers={"If-None-Match": etag}).status_code == 304
    revoke(service.db, service.people["reviewer"], label["id"], "测试撤销 test revocation")
    flask_requests.clear()
    after = front.get(url, headers={"If-None-Match": etag})
    assert flask_requests == [url]  # its basis changed: Flask made the page again
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert verdict(after.get_data(as_text=True)) == "revoked"
    flask_requests.clear()
    assert front.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304
    assert flask_requests == []  # and kept again


def test_due_background_checks_take_the_request_through_flask(service, label, flask_requests):
    """The PACT outbox and the peers are looked at on a request (web.pact, web.peers): when a
    worker's look is due, the scan goes through Flask, which looks."""
    app = service.app
    app.config["FOOTPRINT_SYNC_PEERS"] = True
    front = Client(app)
    url = scan_url(label)
    front.get(url)  # kept, and both looked at now
    flask_requests.clear()
    front.get(url)
    assert flask_requests == []
    for looked in ("pact_outbox_checked", "peers_checked"):
        pid, at = app.extensions[looked]
        app.extensions[looked] = (pid, at - 3600)  # an hour ago
        front.get(url)
        assert flask_requests == [url], looked
        assert app.extensions[looked][1] > at  # Flask looked again
        flask_requests.clear()


def test_a_database_that_cannot_be_read_leaves_the_scan_to_flask(service, label,
                                                                 flask_requests, monkeypatch):
    from web import front as front_layer
    front = Client(service.app)
    url = scan_url(label)
    front.get(url)
    flask_requests.clear()

    def unreadable(app):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(front_layer, "app_db", unreadable)
    assert front.get(url).status_code == 200 and flask_requests == [url]
    flask_requests.clear()
    assert front.get("/log/checkpoint").status_code == 200
    assert flask_requests == ["/log/checkpoint"]


def test_the_trust_list_and_the_checkpoint_are_answered_as_their_views_answer_them(
        service, label, flask_requests):
    app = service.app
    front, view = Client(app), Client(app.wsgi_app.wsgi_app)
    front.get("/")  # a first request: this worker's background checks done
    for path in ("/.well-known/footprint/trust-list.json", "/log/checkpoint"):
        flask_requests.clear()
        fast = front.get(path)
        assert flask_requests == [] and fast.status_code == 200, path
        assert answer(fast) == answer(view.get(path), but=ANYONE), path
        assert "Vary" not in fast.headers
        etag = fast.headers["ETag"]
        flask_requests.clear()
        held = front.get(path, headers={"If-None-Match": etag})
        assert held.status_code == 304 and flask_requests == [], path
        assert answer(held) == answer(view.get(path, headers={"If-None-Match": etag}),
                                      but=ANYONE), path
        flask_requests.clear()
        https = front.get(path, base_url="https://localhost")
        assert flask_requests == [], path
        assert answer(https) == answer(view.get(path, base_url="https://localhost"),
                                       but=ANYONE), path
    assert front.get("/log/checkpoint").get_data(as_text=True).startswith("CN-SC\n")
    assert front.get("/.well-known/footprint/trust-list.json").headers[
        "Access-Control-Allow-Origin"] == "*"


def test_a_checkpoint_without_an_issuer_key_is_flask_s_503(service, flask_requests):
    front = Client(service.app)
    front.get("/")
    flask_requests.clear()
    unsigned = front.get("/log/checkpoint")
    assert unsigned.status_code == 503 and flask_requests == ["/log/checkpoint"]
