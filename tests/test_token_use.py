"""When each API token was last used: recorded when the token authenticates a request (a read
too), again only once the recorded use is over an hour old (TOKEN_USE_RECORDED_EVERY), so
the API's calls pay no write each; skipped, not waited for, while another writer holds the
database. The administration page shows it and revokes a token by its number; `footprint
tokens list` shows it too (tests/test_cli_operator.py)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from footprint import clock
from footprint.store import transaction
from footprint.store.db import BUSY_TIMEOUT_MS
from footprint.usecases import security
from footprint.usecases.tokens import (TOKEN_USE_RECORDED_EVERY, create_token, user_for_bearer,
                                       user_for_token)

both_engines = pytest.mark.both_engines  # the service on SQLite, then on PostgreSQL

FIRST_USE = datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc)  # 16:00 in Beijing


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def read(service, token: str) -> int:
    return service.app.test_client().get(
        "/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code


def last_used(service, token_id: int) -> str | None:
    return next(service.db.query("SELECT last_used_at FROM api_tokens WHERE id = ?",
                                 [token_id]))["last_used_at"]


@both_engines
def test_a_token_s_use_is_recorded_when_it_is_an_hour_old(service, monkeypatch):
    assert TOKEN_USE_RECORDED_EVERY == timedelta(hours=1)
    at(monkeypatch, FIRST_USE - timedelta(days=2))
    token = create_token(service.db, "orchard", "erp")
    assert last_used(service, 1) is None

    at(monkeypatch, FIRST_USE)
    assert read(service, token) == 200
    assert last_used(service, 1) == "2026-03-01T08:00:00+00:00"

    for later in (timedelta(minutes=59, seconds=59), timedelta(hours=1)):  # not older yet
        at(monkeypatch, FIRST_USE + later)
        assert read(service, token) == 200
        assert last_used(service, 1) == "2026-03-01T08:00:00+00:00"

    at(monkeypatch, FIRST_USE + timedelta(hours=1, seconds=1))
    answer = service.app.test_client().post(  # a refused write authenticated all the same
        "/api/v1/submissions", data="{", content_type="application/json",
        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    assert last_used(service, 1) == "2026-03-01T09:00:01+00:00"


@both_engines
def test_only_the_token_that_was_presented_is_recorded(service, monkeypatch):
    at(monkeypatch, FIRST_USE)
    erp = create_token(service.db, "orchard", "erp")
    create_token(service.db, "orchard", "mes")
    create_token(service.db, "steelworks", "erp")
    assert read(service, erp) == 200
    assert read(service, "fpt_not-a-token") == 401
    assert [(r["id"], r["last_used_at"]) for r in service.db.query(
        "SELECT id, last_used_at FROM api_tokens ORDER BY id")] == [
        (1, "2026-03-01T08:00:00+00:00"), (2, None), (3, None)]


@both_engines
def test_a_use_while_another_writer_holds_the_database_is_answered_without_waiting(
        service, monkeypatch):
    at(monkeypatch, FIRST_USE)
    token = create_token(service.db, "orchard", "erp")
    with transaction(service.db):  # another process writing: the write lock is taken
        started = time.monotonic()
        assert read(service, token) == 200
        waited = time.monotonic() - started
    assert waited < BUSY_TIMEOUT_MS / 1000 / 5  # the busy timeout (5 s) was not waited out
    assert last_used(service, 1) is None  # skipped: the next request records it
    at(monkeypatch, FIRST_USE + timedelta(seconds=30))
    assert read(service, token) == 200
    assert last_used(service, 1) == "2026-03-01T08:00:30+00:00"


@both_engines
def test_a_token_checked_outside_a_request_is_not_recorded_as_used(service, monkeypatch):
    at(monkeypatch, FIRST_USE)
    token = create_token(service.db, "orchard", "erp")
    assert user_for_token(service.db, token)["username"] == "orchard"
    assert last_used(service, 1) is None


# -- statements: within the hour, authentication writes nothing ---------------------------------

# (SQLite's own trace of statements; the service is on SQLite unless a test is marked)
def test_within_the_hour_a_request_s_authentication_only_reads(service, monkeypatch):
    at(monkeypatch, FIRST_USE)
    token = create_token(service.db, "orchard", "erp")
    said: list[str] = []
    service.db.conn.set_trace_callback(said.append)
    try:
        user_for_bearer(service.db, token, "192.0.2.7")
        first = [s.split()[0] for s in said]
        said.clear()
        at(monkeypatch, FIRST_USE + timedelta(minutes=30))
        user_for_bearer(service.db, token, "192.0.2.7")
        again = [s.split()[0] for s in said]
    finally:
        service.db.conn.set_trace_callback(None)
    assert [s for s in first if s not in ("SELECT", "PRAGMA")] == ["BEGIN", "UPDATE", "COMMIT"]
    assert set(again) == {"SELECT"}  # the throttle and the token: no BEGIN, no UPDATE
    assert last_used(service, 1) == "2026-03-01T08:00:00+00:00"


# -- the administration page -------------------------------------------------------------------

@both_engines
def test_the_administration_page_shows_when_each_token_was_last_used(service, clients,
                                                                    monkeypatch):
    at(monkeypatch, FIRST_USE)
    used = create_token(service.db, "orchard", "erp")
    create_token(service.db, "steelworks", "mes")
    assert read(service, used) == 200
    admin = clients["admin"]
    zh = admin.get("/admin/").get_data(as_text=True)
    assert '<td data-label="最近使用" class="last-used">2026-03-01 16:00（北京时间）</td>' in zh
    assert '<td data-label="最近使用" class="last-used">从未使用</td>' in zh
    admin.set_cookie("lang", "en")
    en = admin.get("/admin/").get_data(as_text=True)
    assert '<td data-label="Last used" class="last-used">2026-03-01 16:00 (UTC+8)</td>' in en
    assert '<td data-label="Last used" class="last-used">never used</td>' in en
    assert "<th>Last used</th>" in en and "<h2>API tokens</h2>" in en


@both_engines
def test_an_administrator_revokes_a_token_from_the_page_and_no_one_else_may(service, clients,
                                                                          monkeypatch):
    at(monkeypatch, FIRST_USE)
    token = create_token(service.db, "orchard", "erp")
    refused = clients["orchard"].post("/admin/api-tokens/1/revoke")
    assert refused.status_code == 403
    assert read(service, token) == 200
    revoked = clients["admin"].post("/admin/api-tokens/1/revoke")
    assert revoked.status_code == 302
    assert revoked.headers["Location"].endswith("/admin/#api-tokens")
    assert read(service, token) == 401
    [event] = [e for e in security.events(service.db) if e["kind"] == "token-revoked"]
    assert (event["username"], event["detail"]) == ("orchard", 'token 1 labelled "erp" by admin')
    page = clients["admin"].get("/admin/").get_data(as_text=True)
    assert "已吊销 orchard 的令牌 1：凭它的 API 调用将被拒绝。" in page
    assert 'action="/admin/api-tokens/1/revoke"' not in page
    again = clients["admin"].post("/admin/api-tokens/1/revoke", follow_redirects=True)
    assert "没有该令牌，或它已被吊销。" in again.get_data(as_text=True)
