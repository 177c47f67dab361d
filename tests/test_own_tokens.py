"""A user's own API tokens, on /account/tokens: made with a label and the password again
(shown on that one answer, only its SHA-256 kept), listed with their last use, revoked by
their holder only (another user's number is 404), at most MAX_ACTIVE_TOKENS active; each
made and revoked a security event naming who did it. In Chinese, and in English."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from cli.main import cli
from footprint import clock
from footprint.errors import Conflict, Forbidden, InvalidInput
from footprint.usecases import security
from footprint.usecases.tokens import MAX_ACTIVE_TOKENS, MAX_TOKEN_LABEL, create_token
from footprint.usecases.users import set_user_active

from .conftest import PASSWORD, csrf_token, log_in_with_token

FIRST_USE = datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc)  # 16:00 in Beijing
PAGE = "/account/tokens/"
TOKEN = re.compile(r'<code class="secret" id="new-token-text">(fpt_[A-Za-z0-9_-]{43})</code>')


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def read(service, token: str) -> int:
    return service.app.test_client().get(
        "/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code


def rows(service) -> list[tuple]:
    return [(r["id"], r["user_id"], r["name"], r["revoked_at"] is not None) for r in
            service.db.query("SELECT * FROM api_tokens ORDER BY id")]


def events(service, kind: str) -> list[tuple]:
    return [(e["username"], e["address"], e["detail"])
            for e in reversed(security.events(service.db, 1000)) if e["kind"] == kind]


def make(client, label: str, password: str = PASSWORD):
    return client.post(PAGE, data={"label": label, "password": password})


def english(client):
    client.set_cookie("lang", "en")
    return client


# -- made, shown once -------------------------------------------------------------------------

def test_a_new_token_is_shown_once_kept_as_its_digest_and_authenticates(service, clients,
                                                                         monkeypatch):
    at(monkeypatch, FIRST_USE)
    orchard = clients["orchard"]
    made = make(orchard, " ERP  金蝶 上传 ")
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    page = made.get_data(as_text=True)
    [token] = TOKEN.findall(page)
    assert "请立即复制此令牌：它不会再次显示，平台也不保存它。" in page
    [row] = service.db.query("SELECT * FROM api_tokens")
    assert row["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row)
    # the label as stored: spaces collapsed; listed with its number and when it was made
    assert (row["user_id"], row["name"]) == (service.people["orchard"]["id"], "ERP 金蝶 上传")
    assert '<td data-label="令牌标注" class="written">ERP 金蝶 上传</td>' in page
    assert '<td data-label="创建时间">2026-03-01 16:00（北京时间）</td>' in page
    assert '<td data-label="最近使用" class="last-used">从未使用</td>' in page
    assert "有效令牌 1 个，至多 10 个。" in page

    again = orchard.get(PAGE).get_data(as_text=True)
    assert token not in again and 'id="new-token"' not in again
    assert read(service, token) == 200
    assert events(service, "token-created") == [
        ("orchard", "127.0.0.1", 'token 1 labelled "ERP 金蝶 上传" by orchard')]


def test_the_page_is_linked_from_every_page_of_a_logged_in_user(service, clients):
    for who in ("orchard", "auditor", "reviewer", "admin"):
        home = clients[who].get(PAGE).get_data(as_text=True)
        assert '<a href="/account/tokens/">API 令牌</a>' in home
    en = english(clients["auditor"]).get(PAGE).get_data(as_text=True)
    assert '<a href="/account/tokens/">API tokens</a>' in en
    assert "Copy this token now" not in en and "No API tokens yet." in en
    assert 'The API\'s address: <code id="api-address">http://localhost/api/v1</code>' in en
    assert service.app.test_client().get(PAGE).status_code == 302  # to log in


def test_in_english_the_new_token_comes_with_its_warning(service, clients):
    made = make(english(clients["auditor"]), "verification tool")
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and len(TOKEN.findall(page)) == 1
    assert "Copy this token now: it is not shown again, and the platform does not keep it." \
        in page
    assert '<td data-label="Token label" class="written">verification tool</td>' in page
    assert "1 of at most 10 tokens active." in page


# -- the password, asked again ----------------------------------------------------------------

def test_a_wrong_password_makes_no_token_and_counts_as_a_failed_log_in(service, clients,
                                                                        monkeypatch):
    at(monkeypatch, FIRST_USE)
    orchard = clients["orchard"]
    wrong = make(orchard, "erp", "not my password")
    assert wrong.status_code == 400
    page = wrong.get_data(as_text=True)
    assert '<span class="error field-error" id="err-password" role="status">密码不正确</span>' \
        in page
    assert 'value="erp"' in page and not TOKEN.search(page)  # the label kept, no token
    en = make(english(clients["steelworks"]), "mes", "not my password").get_data(as_text=True)
    assert '<span class="error field-error" id="err-password" role="status">the password is ' \
        'not right</span>' in en
    assert rows(service) == []
    assert events(service, "token-create-refused") == [
        ("orchard", "127.0.0.1", "the password was not right"),
        ("steelworks", "127.0.0.1", "the password was not right")]
    # the log-in's throttle: 5 failures free, the 6th makes the account wait a second
    for _ in range(5):
        assert make(orchard, "erp", "not my password").status_code == 400
    blocked = make(orchard, "erp", PASSWORD)  # the right password, not even checked
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    assert "尝试失败次数过多，请 1 分钟后再试。" in blocked.get_data(as_text=True)
    assert service.app.test_client().post(  # and the log-in form is as throttled
        "/login", data={"username": "orchard", "password": PASSWORD}).status_code == 429
    assert rows(service) == []
    at(monkeypatch, FIRST_USE + timedelta(seconds=1))
    assert make(orchard, "erp").status_code == 200
    assert rows(service) == [(1, service.people["orchard"]["id"], "erp", False)]


# -- labels -----------------------------------------------------------------------------------

@pytest.mark.parametrize("label, zh, en", [
    ("   ", "请填写", "enter a value"),
    ("x" * (MAX_TOKEN_LABEL + 1), "须为 1 至 100 个字符", "1 to 100 characters"),
])
def test_a_label_empty_or_too_long_is_refused_at_its_field(service, clients, label, zh, en):
    assert MAX_TOKEN_LABEL == 100
    for client, said in ((clients["orchard"], zh), (english(clients["steelworks"]), en)):
        refused = make(client, label)
        assert refused.status_code == 400
        assert f'<span class="error field-error" id="err-label" role="status">{said}</span>' \
            in refused.get_data(as_text=True)
    assert rows(service) == [] and events(service, "token-created") == []
    assert make(clients["orchard"], "x" * MAX_TOKEN_LABEL).status_code == 200


def test_the_operator_s_labels_are_checked_too(service):
    with pytest.raises(InvalidInput) as refused:
        create_token(service.db, "orchard", "")
    [problem] = refused.value.problems
    assert (problem.where, str(problem.message)) == ("label", "1 to 100 characters")
    result = CliRunner().invoke(cli, ["tokens", "create", "orchard", "--label", "y" * 101],
                                env={"FOOTPRINT_HOME": str(service.home)})
    assert result.exit_code == 2
    assert result.output.splitlines() == ["error: label: 1 to 100 characters",
                                          "错误：标注：须为 1 至 100 个字符"]
    assert rows(service) == []


# -- how many -----------------------------------------------------------------------------------

def test_past_the_most_active_tokens_a_new_one_is_refused_until_one_is_revoked(service,
                                                                              clients):
    assert MAX_ACTIVE_TOKENS == 10
    for n in range(10):
        create_token(service.db, "orchard", f"system {n}")
    create_token(service.db, "steelworks", "mes")  # another user's count is their own
    orchard = clients["orchard"]
    refused = make(orchard, "one more")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert '<p class="error" role="alert" id="token-refused">orchard 已有 10 个有效令牌，已达' \
           '上限：请先吊销一个不再使用的令牌</p>' in page
    assert not TOKEN.search(page) and "有效令牌 10 个，至多 10 个。" in page
    en = make(english(clients["orchard"]), "one more").get_data(as_text=True)
    assert "orchard holds 10 active tokens, the most one may: revoke one no longer used " \
           "first" in en
    with pytest.raises(Conflict):  # the operator too
        create_token(service.db, "orchard", "one more")
    assert len(rows(service)) == 11

    assert orchard.post(f"{PAGE}3/revoke").status_code == 302
    assert make(orchard, "one more").status_code == 200
    assert rows(service)[-1] == (12, service.people["orchard"]["id"], "one more", False)


# -- revoked by their holder only -------------------------------------------------------------

def test_a_user_revokes_their_own_token_and_calls_with_it_are_refused(service, clients,
                                                                     monkeypatch):
    at(monkeypatch, FIRST_USE)
    orchard = clients["orchard"]
    token = TOKEN.search(make(orchard, "erp").get_data(as_text=True)).group(1)
    kept = create_token(service.db, "orchard", "mes")
    at(monkeypatch, FIRST_USE + timedelta(hours=2))
    revoked = orchard.post(f"{PAGE}1/revoke")
    assert revoked.status_code == 302 and revoked.headers["Location"] == PAGE
    assert read(service, token) == 401 and read(service, kept) == 200
    page = orchard.get(PAGE).get_data(as_text=True)
    assert "已吊销令牌 1（erp）：凭它的 API 调用将被拒绝。" in page
    assert 'action="/account/tokens/1/revoke"' not in page
    assert 'action="/account/tokens/2/revoke"' in page
    # the column says when the token was revoked, in the button's word (吊销), not in a label's (撤销)
    assert '<td data-label="吊销时间" class="revoked">2026-03-01 18:00（北京时间）</td>' in page
    assert "有效令牌 1 个，至多 10 个。" in page
    assert events(service, "token-revoked") == [
        ("orchard", "127.0.0.1", 'token 1 labelled "erp" by orchard')]
    again = orchard.post(f"{PAGE}1/revoke")
    assert again.status_code == 404
    en = english(orchard).post(f"{PAGE}2/revoke", follow_redirects=True)
    assert "Token 2 (mes) revoked: API calls with it are refused." in en.get_data(as_text=True)
    assert '<td data-label="Revoked at" class="revoked">2026-03-01 18:00 (UTC+8)</td>' \
        in en.get_data(as_text=True)


def test_another_user_s_token_is_not_found_and_nothing_changes(service, clients):
    theirs = create_token(service.db, "steelworks", "mes")
    admins = create_token(service.db, "admin", "monitoring")
    for who in ("orchard", "admin"):  # the page of one's own tokens acts on one's own only
        client = clients[who]
        for number in (1, 2, 99):
            if (who, number) == ("admin", 2):
                continue
            answer = client.post(f"{PAGE}{number}/revoke")
            assert answer.status_code == 404
            assert f"没有编号为 {number} 的有效令牌" in answer.get_data(as_text=True)
    assert read(service, theirs) == 200 and read(service, admins) == 200
    assert [r[3] for r in rows(service)] == [False, False]
    assert events(service, "token-revoked") == []
    listed = clients["orchard"].get(PAGE).get_data(as_text=True)
    assert "mes" not in listed and "monitoring" not in listed and "尚无 API 令牌。" in listed
    # the administrator keeps revoking anyone's on /admin/
    assert clients["admin"].post("/admin/api-tokens/1/revoke").status_code == 302
    assert read(service, theirs) == 401
    assert events(service, "token-revoked") == [
        ("steelworks", "127.0.0.1", 'token 1 labelled "mes" by admin')]


def test_a_user_makes_only_their_own_tokens(service):
    with pytest.raises(Forbidden):
        create_token(service.db, "steelworks", "mes", actor=service.people["orchard"])
    assert rows(service) == []


# -- last used, and a deactivated user --------------------------------------------------------

def test_the_page_shows_when_each_token_was_last_used(service, clients, monkeypatch):
    at(monkeypatch, FIRST_USE)
    orchard = clients["orchard"]
    used = TOKEN.search(make(orchard, "erp").get_data(as_text=True)).group(1)
    make(orchard, "mes")
    at(monkeypatch, FIRST_USE + timedelta(hours=3, minutes=25))
    assert read(service, used) == 200
    zh = orchard.get(PAGE).get_data(as_text=True)
    assert re.findall(r'<td data-label="最近使用" class="last-used">([^<]*)</td>', zh) == [
        "2026-03-01 19:25（北京时间）", "从未使用"]
    en = english(orchard).get(PAGE).get_data(as_text=True)
    assert re.findall(r'<td data-label="Last used" class="last-used">([^<]*)</td>', en) == [
        "2026-03-01 19:25 (UTC+8)", "never used"]


def test_a_deactivated_user_s_tokens_are_said_to_be_refused(service, clients):
    token = create_token(service.db, "orchard", "erp")
    set_user_active(service.db, None, service.people["orchard"]["id"], False)
    assert read(service, token) == 401
    admin = clients["admin"]
    cell = re.compile(r'<tr class="" id="api-token-1">.*?<td data-label="[^"]+" '
                      r'class="revoked">([^<]*)</td>', re.S)
    assert cell.search(admin.get("/admin/").get_data(as_text=True)).group(1) == \
        "否，但其用户已停用：凭它的调用一律被拒绝"
    assert cell.search(english(admin).get("/admin/").get_data(as_text=True)).group(1) == \
        "no, but its user is deactivated: calls with it are refused"
    listed = CliRunner().invoke(cli, ["tokens", "list"],
                                env={"FOOTPRINT_HOME": str(service.home)})
    assert listed.output.splitlines()[2].endswith("  user deactivated")

    set_user_active(service.db, None, service.people["orchard"]["id"], True)
    assert read(service, token) == 200
    assert cell.search(admin.get("/admin/").get_data(as_text=True)).group(1) == "no"
    listed = CliRunner().invoke(cli, ["tokens", "list"],
                                env={"FOOTPRINT_HOME": str(service.home)})
    assert listed.output.splitlines()[2].endswith("  active")


# -- CSRF -------------------------------------------------------------------------------------

def test_making_and_revoking_a_token_need_the_csrf_token(service, csrf_app):
    client = log_in_with_token(csrf_app.test_client(), "orchard")
    form = {"label": "erp", "password": PASSWORD}
    assert client.post(PAGE, data=form).status_code == 400
    assert rows(service) == []
    page = client.get(PAGE).get_data(as_text=True)
    made = client.post(PAGE, data={**form, "csrf_token": csrf_token(page)})
    assert made.status_code == 200 and TOKEN.search(made.get_data(as_text=True))
    assert client.post(f"{PAGE}1/revoke").status_code == 400
    assert rows(service) == [(1, service.people["orchard"]["id"], "erp", False)]
    assert client.post(f"{PAGE}1/revoke",
                       data={"csrf_token": csrf_token(page)}).status_code == 302
    assert rows(service)[0][3] is True
