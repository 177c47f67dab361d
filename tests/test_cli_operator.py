"""The operator's commands on accounts and files: users and tokens listed, revoked and
(de)activated as the administration page does it, bad paths and unknown names refused before
any work, in English and Chinese, with exit 2 and nothing stored."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from datetime import datetime, timezone

import pytest

from cli.main import cli
from footprint import clock
from footprint.store import connect
from footprint.usecases import security
from footprint.usecases.tokens import create_token, user_for_token
from footprint.usecases.users import authenticate

from .conftest import PASSWORD, cli_runner


@pytest.fixture
def operator(service):
    """operator(*args, input=None) -> the result of `footprint ARGS` on the service's home."""
    runner = cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input,
                             env={"FOOTPRINT_HOME": str(service.home)})
    return invoke


def refused(result, *lines: str) -> None:
    """Exit 2, no traceback, and stderr exactly ``lines`` (English, then Chinese)."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == list(lines)


def events(service, kind: str) -> list[dict]:
    return [e for e in security.events(service.db, 1000) if e["kind"] == kind]


def bearer(service, token: str) -> int:
    return service.app.test_client().get(
        "/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code


# -- 1. tokens and users listed, revoked, deactivated --------------------------------------------

def test_tokens_are_listed_without_their_secret_and_revoked_by_number(service, operator):
    first = create_token(service.db, "orchard", "erp-test")
    second = create_token(service.db, "orchard", "erp-test")
    other = create_token(service.db, "steelworks", "mes")
    listed = operator("tokens", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["username"], r["name"], r["revoked_at"]) for r in rows] == [
        (1, "orchard", "erp-test", None), (2, "orchard", "erp-test", None),
        (3, "steelworks", "mes", None)]
    table = operator("tokens", "list", "--user", "steelworks")
    assert table.stdout.splitlines()[0].split() == ["id", "user", "label", "created",
                                                    "(Asia/Shanghai)", "last", "used",
                                                    "(Asia/Shanghai)", "state"]
    assert table.stdout.splitlines()[2].split()[:3] == ["3", "steelworks", "mes"]
    assert table.stdout.splitlines()[2].split()[-1] == "active"
    for text in (listed.stdout, table.stdout):
        assert not any(secret[4:12] in text for secret in (first, second, other))

    revoked = operator("tokens", "revoke", "--id", 2)
    assert revoked.exit_code == 0, revoked.stderr
    assert revoked.stdout == "revoked token 2 of orchard (label erp-test)\n"
    assert user_for_token(service.db, second) is None
    assert user_for_token(service.db, first)["username"] == "orchard"
    assert bearer(service, second) == 401 and bearer(service, first) == 200
    again = operator("tokens", "revoke", "--id", 2)
    assert again.exit_code == 2  # no such token (to revoke): cli/errors.py
    assert again.stderr.splitlines() == ["error: no active token numbered 2",
                                         "错误：没有编号为 2 的有效令牌"]
    [event] = events(service, "token-revoked")
    assert (event["username"], event["detail"]) == ("orchard", 'token 2 labelled "erp-test" by the operator at the command line')
    state = operator("tokens", "list", "--user", "orchard").stdout.splitlines()[3]
    assert state.split()[0] == "2" and "revoked 20" in state


def test_tokens_are_listed_with_when_each_was_last_used(service, operator, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc))
    used = create_token(service.db, "orchard", "erp")
    create_token(service.db, "orchard", "mes")
    assert bearer(service, used) == 200
    table = operator("tokens", "list", "--user", "orchard")
    assert table.exit_code == 0, table.stderr
    heading, _, *lines = table.stdout.splitlines()
    assert [re.split(r"\s{2,}", line) for line in [heading, *lines]] == [
        ["id", "user", "label", "created (Asia/Shanghai)", "last used (Asia/Shanghai)", "state"],
        ["1", "orchard", "erp", "2026-03-01 16:00", "2026-03-01 16:00", "active"],
        ["2", "orchard", "mes", "2026-03-01 16:00", "never", "active"]]
    rows = json.loads(operator("tokens", "list", "--json").stdout)
    assert [r["last_used_at"] for r in rows] == ["2026-03-01T08:00:00+00:00", None]


def test_a_user_s_tokens_are_revoked_by_label_or_all_at_once(service, operator):
    erp = [create_token(service.db, "orchard", "erp-test") for _ in range(2)]
    mes = create_token(service.db, "orchard", "mes")
    steel = create_token(service.db, "steelworks", "erp-test")
    by_label = operator("tokens", "revoke", "--user", "orchard", "--label", "erp-test")
    assert by_label.exit_code == 0, by_label.stderr
    assert by_label.stdout.splitlines() == ["revoked token 1 of orchard (label erp-test)",
                                            "revoked token 2 of orchard (label erp-test)"]
    assert [user_for_token(service.db, t) for t in erp] == [None, None]
    assert user_for_token(service.db, mes)["username"] == "orchard"
    assert user_for_token(service.db, steel)["username"] == "steelworks"
    none_left = operator("tokens", "revoke", "--user", "orchard", "--label", "erp-test")
    assert none_left.exit_code == 2
    assert none_left.stderr.splitlines() == [
        'error: user "orchard" has no active token labelled "erp-test"',
        "错误：用户“orchard”没有标注为“erp-test”的有效令牌"]
    every = operator("tokens", "revoke", "--user", "orchard")
    assert every.stdout == "revoked token 3 of orchard (label mes)\n"
    assert user_for_token(service.db, mes) is None
    assert user_for_token(service.db, steel)["username"] == "steelworks"


def test_a_label_given_as_the_token_says_how_to_revoke_by_label(service, operator):
    token = create_token(service.db, "orchard", "erp-test")
    result = operator("tokens", "revoke", "erp-test")
    refused(result,
            'error: "erp-test" is no token (a token begins fpt_): `footprint tokens list` '
            "shows each token's number, user and label; revoke by --id N or --user NAME "
            "--label LABEL",
            "错误：“erp-test”不是令牌（令牌以 fpt_ 开头）：`footprint tokens list` 列出各令牌的"
            "编号、用户和标注；请用 --id 编号 或 --user 用户名 --label 标注 吊销")
    assert user_for_token(service.db, token)["username"] == "orchard"
    refused(operator("tokens", "revoke", token, "--id", 1),
            "error: give one of TOKEN, --id N or --user NAME [--label L]",
            "错误：请给出以下之一：令牌、--id 编号、--user 用户名 [--label 标注]")
    refused(operator("tokens", "revoke", "--label", "erp-test"),
            "error: give one of TOKEN, --id N or --user NAME [--label L]",
            "错误：请给出以下之一：令牌、--id 编号、--user 用户名 [--label 标注]")
    refused(operator("tokens", "revoke", "--id", 1, "--label", "erp-test"),
            "error: --label goes with --user", "错误：--label 须与 --user 一起使用")
    refused(operator("tokens", "revoke", "--user", "nobody"),
            'error: username: no user "nobody"', "错误：用户名：没有用户“nobody”")
    assert user_for_token(service.db, token)["username"] == "orchard"
    assert operator("tokens", "revoke", token).stdout == \
        "revoked token 1 of orchard (label erp-test)\n"


def test_users_are_listed_by_role_and_organisation(service, operator):
    everyone = json.loads(operator("users", "list", "--json").stdout)
    assert sorted(u["username"] for u in everyone) == sorted(service.people)
    assert all("password_hash" not in u for u in everyone)
    reviewers = operator("users", "list", "--role", "reviewer")
    assert [line.split()[1] for line in reviewers.stdout.splitlines()[2:]] == \
        ["reviewer", "reviewer2"]
    platform = json.loads(operator("users", "list", "--org", "Sichuan Platform", "--json").stdout)
    assert [(u["username"], u["role"]) for u in platform] == [
        ("admin", "admin"), ("reviewer", "reviewer"), ("reviewer2", "reviewer")]
    org_id = platform[0]["org_id"]
    admins = json.loads(operator("users", "list", "--org", org_id, "--role", "admin",
                                 "--json").stdout)
    assert [u["username"] for u in admins] == ["admin"]
    refused(operator("users", "list", "--org", "Nowhere Ltd"),
            'error: org: organisation "Nowhere Ltd" unknown; valid: "Chongqing Carbon Audit", '
            '"Panzhihua Steel", "Pujiang Orchard Co-op", "Sichuan Carbon Verification", '
            '"Sichuan Platform"',
            "错误：机构：未知的机构“Nowhere Ltd”；可填：“Chongqing Carbon Audit”、“Panzhihua Steel”、"
            "“Pujiang Orchard Co-op”、“Sichuan Carbon Verification”、“Sichuan Platform”")


def test_deactivation_ends_sessions_and_stops_tokens_until_activated(service, operator, login):
    browser = login(service.app.test_client(), "steelworks")
    token = create_token(service.db, "steelworks", "mes")
    assert bearer(service, token) == 200
    done = operator("users", "deactivate", "steelworks")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ("steelworks deactivated: their sessions have ended and their API "
                           "tokens no longer work\n")
    assert browser.get("/producer/").status_code == 302  # sent to log in again
    assert bearer(service, token) == 401
    assert authenticate(service.db, "steelworks", PASSWORD) is None
    assert operator("users", "deactivate", "steelworks").stdout == \
        "steelworks is deactivated already\n"
    back = operator("users", "activate", "steelworks")
    assert back.stdout == ("steelworks activated: they may log in again, and their unrevoked "
                           "API tokens work again\n")
    assert bearer(service, token) == 200
    assert authenticate(service.db, "steelworks", PASSWORD)["username"] == "steelworks"
    assert [(e["username"], e["detail"]) for e in events(service, "user-deactivated")] == \
        [("steelworks", "by the operator at the command line")]
    assert len(events(service, "user-reactivated")) == 1
    refused(operator("users", "deactivate", "nobody"),
            'error: username: no user "nobody"', "错误：用户名：没有用户“nobody”")


# -- 2. a file that cannot be written is refused before any work --------------------------------

def test_db_backup_into_a_missing_folder_is_refused_in_one_line(service, operator, tmp_path):
    target = tmp_path / "missing" / "copy.db"
    refused(operator("db", "backup", target),
            f"error: PATH: {target.parent} is not a directory one may write in",
            f"错误：PATH：{target.parent} 不是可写入的目录")
    assert not target.parent.exists()


def test_recalc_with_a_report_that_cannot_be_written_does_nothing(service, operator, tmp_path):
    report = tmp_path / "missing" / "report.csv"
    for dry_run in (("--dry-run",), ()):
        refused(operator("recalc", *dry_run, "--no-progress", "--report", report),
                f"error: report: {report.parent} is not a directory one may write in",
                f"错误：report：{report.parent} 不是可写入的目录")
    assert service.db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 0


# -- 3. new users' names and organisations' regions ---------------------------------------------

def test_a_new_organisation_s_region_is_one_the_registry_knows(service, operator):
    result = operator("users", "add", "cq_maker", "--role", "producer", "--org", "CQ Maker",
                      "--new-org", "--region", "CN-XX", input="a long enough password\n")
    refused(result,
            'error: region: region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", '
            '"CN-NX", "CN-SX", "CN-XJ", ...?',
            "错误：地区：未知的地区“CN-XX”；您是否要填以下之一：“CN-GX”、“CN-JX”、“CN-NX”、"
            "“CN-SX”、“CN-XJ”、...？")
    refused(operator("users", "add", "cq_maker", "--role", "producer", "--org", "CQ Maker",
                     "--new-org", "--region", "cn-cq", input="a long enough password\n"),
            'error: region: region "cn-cq" unknown, did you mean "CN-CQ"?',
            "错误：地区：未知的地区“cn-cq”，您是否要填“CN-CQ”？")
    assert service.db.execute("SELECT count(*) FROM organisations WHERE name = 'CQ Maker'"
                              ).fetchone()[0] == 0
    added = operator("users", "add", "cq_maker", "--role", "producer", "--org", "CQ Maker",
                     "--new-org", "--region", "重庆", input="a long enough password\n")
    assert added.exit_code == 0, added.stderr
    assert next(service.db.query("SELECT region FROM organisations WHERE name = 'CQ Maker'")
                )["region"] == "CN-CQ"


@pytest.mark.parametrize("name, message, chinese", [
    ("bad name!", "3 to 64 letters, digits, dots, underscores or hyphens",
     "须为 3 至 64 个字母、数字、点、下划线或连字符"),
    ("ab", "3 to 64 letters, digits, dots, underscores or hyphens",
     "须为 3 至 64 个字母、数字、点、下划线或连字符"),
    ("x" * 65, "3 to 64 letters, digits, dots, underscores or hyphens",
     "须为 3 至 64 个字母、数字、点、下划线或连字符"),
    ("аdmin", "3 to 64 letters, digits, dots, underscores or hyphens",  # a Cyrillic а
     "须为 3 至 64 个字母、数字、点、下划线或连字符"),
    ("AUDITOR", '"AUDITOR" is taken: "auditor" differs only in case',
     "“AUDITOR”已被使用：与“auditor”仅大小写不同"),
    ("auditor", '"auditor" is taken', "“auditor”已被使用"),
])
def test_a_new_username_has_a_plain_form_and_is_unique_in_any_case(service, operator, name,
                                                                   message, chinese):
    users = service.db["users"].count
    refused(operator("users", "add", name, "--role", "verifier", "--org",
                     "Sichuan Carbon Verification", input="a long enough password\n"),
            f"error: username: {message}", f"错误：用户名：{chinese}")
    assert service.db["users"].count == users


def test_users_named_before_the_rule_keep_logging_in(service, operator):
    # a user added before usernames had a form: their name stays theirs
    service.db["users"].update(service.people["auditor"]["id"], {"username": "Chen Jing"})
    service.db.conn.commit()
    assert authenticate(service.db, "Chen Jing", PASSWORD)["role"] == "verifier"
    refused(operator("users", "add", "chen jing", "--role", "verifier", "--org",
                     "Sichuan Carbon Verification", input="a long enough password\n"),
            "error: username: 3 to 64 letters, digits, dots, underscores or hyphens",
            "错误：用户名：须为 3 至 64 个字母、数字、点、下划线或连字符")
    added = operator("users", "add", "chen.jing-2_b", "--role", "verifier", "--org",
                     "Sichuan Carbon Verification", input="a long enough password\n")
    assert added.exit_code == 0, added.stderr


# -- 4. a recalculation's selection names what exists ------------------------------------------

def test_recalc_refuses_unknown_regions_categories_and_organisations(service, operator):
    refused(operator("recalc", "--no-progress", "--region", "CN-XX"),
            'error: region: region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", '
            '"CN-NX", "CN-SX", "CN-XJ", ...?',
            "错误：地区：未知的地区“CN-XX”；您是否要填以下之一：“CN-GX”、“CN-JX”、“CN-NX”、"
            "“CN-SX”、“CN-XJ”、...？")
    refused(operator("recalc", "--no-progress", "--dry-run", "--category", "orange"),
            'error: category: category "orange" unknown, did you mean "oranges"?',
            "错误：品类：未知的品类“orange”，您是否要填“oranges”？")
    # the organisation is found as every command finds one, before the rest is checked
    refused(operator("recalc", "--no-progress", "--category", "bogus", "--org", 999),
            'error: org: organisation "999" unknown; valid: "Chongqing Carbon Audit", '
            '"Panzhihua Steel", "Pujiang Orchard Co-op", "Sichuan Carbon Verification", '
            '"Sichuan Platform"',
            "错误：机构：未知的机构“999”；可填：“Chongqing Carbon Audit”、“Panzhihua Steel”、"
            "“Pujiang Orchard Co-op”、“Sichuan Carbon Verification”、“Sichuan Platform”")
    refused(operator("recalc", "--no-progress", "--category", "bogus", "--region", "CN-XX",
                     "--org", "pujiang orchard co-op"),
            "error: 2 problem(s) in the input",
            '  - region: region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", '
            '"CN-NX", "CN-SX", "CN-XJ", ...?',
            "  - category: category \"bogus\" unknown; valid: batteries, generic, oranges, "
            "steel_vanadium",
            "错误：输入有 2 个问题",
            '  - 地区：未知的地区“CN-XX”；您是否要填以下之一：“CN-GX”、“CN-JX”、“CN-NX”、'
            '“CN-SX”、“CN-XJ”、...？',
            "  - 品类：未知的品类“bogus”；可填：batteries、generic、oranges、steel_vanadium")
    # refused before the run is recorded or the lease taken
    assert service.db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 0
    assert service.db.execute("SELECT count(*) FROM leases").fetchone()[0] == 0
    known = operator("recalc", "--no-progress", "--dry-run", "--region", "CN-SC",
                     "--category", "oranges")
    assert known.exit_code == 0, known.stderr
    assert "selected 0" in known.stdout


# -- 5. what `users add` says, and what it does not ------------------------------------------

def test_users_add_says_what_it_did_and_the_security_log_stays_off_the_terminal(tmp_path):
    """In a real process: under pytest, logging's last resort (which printed the security
    log's lines) never runs, since pytest's own handlers take every record."""
    home = tmp_path / "home"
    env = {**os.environ, "FOOTPRINT_HOME": str(home)}

    def footprint(*args, input=""):
        return subprocess.run([sys.executable, "-c", "from cli.main import cli; cli()", *args],
                              input=input, capture_output=True, text=True, env=env, timeout=300)
    assert footprint("db", "migrate").returncode == 0
    added = footprint("users", "add", "aud_u1", "--role", "verifier", "--org", "Audit Co",
                      "--new-org", input="a long enough password\n")
    assert (added.returncode, added.stdout, added.stderr) == (
        0, "added aud_u1 (verifier) to Audit Co (a new organisation)\n", "")
    reset = footprint("users", "password", "aud_u1", input="another long password\n")
    assert (reset.returncode, reset.stderr) == (0, "")
    mismatch = footprint("users", "add", "aud_u2", "--role", "producer", "--org", "Audit Co",
                         input="a long enough password\n")
    assert mismatch.returncode == 2
    assert mismatch.stderr.splitlines() == [
        'error: org: organisation "Audit Co" is of kind accounting_body, not enterprise',
        "错误：机构：机构“Audit Co”的类型是第三方核算机构，不是企业"]
    token = footprint("tokens", "create", "aud_u1", "--label", "erp")
    assert token.returncode == 0 and token.stderr == ""
    revoked = footprint("tokens", "revoke", "--user", "aud_u1")
    assert (revoked.returncode, revoked.stderr) == (0, "")
    kinds = [e["kind"] for e in security.events(connect(home / "footprint.db"), 10)]
    assert kinds == ["token-revoked", "token-created", "password-changed"]
