"""Organisations as people name them, and corrected by an administrator.

Every command that takes an organisation finds it by its number, its unified social credit
code, its stored name, or the Chinese or the English part of a bilingual name (Latin letters in
any case); a name that finds none is refused with the candidates, one that finds several with
those it finds, in English and Chinese, exit 2, nothing stored. `users add` adds to the
organisation a name finds and makes one only with --new-org. An administrator (the page, or
the operator's `footprint orgs edit`) corrects a name, region or credit code: a security event;
labels issued before keep what they signed, labels issued after sign the new values."""
from __future__ import annotations

import json
import re

import pytest

from footprint import InvalidInput
from footprint.usecases import security
from footprint.usecases.labels import for_submission
from footprint.usecases.organisations import create_organisation, find_organisation
from footprint.usecases.users import create_user

from .conftest import PASSWORD, csrf_token, log_in_with_token
from .test_cli_operator import operator, refused  # noqa: F401 -- the fixture, and its check

COOP = "蒲江县柑橘专业合作社 Pujiang Citrus Co-operative"
COOP_CODE = "93510131MA6CP0001H"
BANK = "成都农村商业银行 Chengdu Rural Commercial Bank"
BODY = "四川碳核查中心 Sichuan Carbon Verification Centre"
NEW_CODE = "91510400MA62PK0043"  # a valid code no organisation holds


@pytest.fixture
def orgs(service):
    """The service's organisations and three with bilingual names: a co-operative with a
    credit code, a bank and an accounting body; name -> id."""
    registry = service.app.extensions["footprint_engine"].registry
    create_organisation(service.db, COOP, "enterprise", "CN-SC", COOP_CODE, registry)
    create_organisation(service.db, BANK, "bank", "CN-SC", None, registry)
    create_organisation(service.db, BODY, "accounting_body", "CN-SC", None, registry)
    return {row["name"]: row["id"] for row in service.db.query(
        "SELECT id, name FROM organisations")}


def counts(db) -> tuple[int, int]:
    return (db.execute("SELECT count(*) FROM organisations").fetchone()[0],
            db.execute("SELECT count(*) FROM users").fetchone()[0])


# -- one resolver -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "{id}", COOP_CODE, COOP_CODE.lower(), COOP, "蒲江县柑橘专业合作社",
    "Pujiang Citrus Co-operative", "pujiang citrus co-operative",
    "  PUJIANG   Citrus Co-operative ",
])
def test_an_organisation_is_found_by_each_name_people_give_it(service, orgs, name):
    found = find_organisation(service.db, name.format(id=orgs[COOP]))
    assert (found["id"], found["name"]) == (orgs[COOP], COOP)


def test_a_name_that_finds_several_is_refused_listing_them(service, orgs):
    # made before names were checked against each other's parts: both English parts alike
    for name in ("甲公司 Alpha Trading", "乙公司 Alpha Trading"):
        service.db["organisations"].insert({"name": name, "kind": "enterprise",
                                            "created_at": "2026-01-01T00:00:00Z"})
    ids = {r["name"]: r["id"] for r in service.db.query(
        "SELECT id, name FROM organisations WHERE name LIKE '%Alpha%'")}
    with pytest.raises(InvalidInput) as several:
        find_organisation(service.db, "alpha trading")
    [problem] = several.value.problems
    assert problem.where == "org"
    assert str(problem.message) == (
        f'"alpha trading" names several organisations: {ids["甲公司 Alpha Trading"]} "甲公司 '
        f'Alpha Trading", {ids["乙公司 Alpha Trading"]} "乙公司 Alpha Trading"; write the full '
        "name, the credit code or the number")
    # each one's own part still finds it alone
    assert find_organisation(service.db, "乙公司")["id"] == ids["乙公司 Alpha Trading"]


def test_commands_find_organisations_by_chinese_name_and_credit_code(service, orgs, operator,
                                                                     issuer):
    shown = operator("accounts", "show", "蒲江县柑橘专业合作社")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith(f"{COOP}: carbon account")
    assert operator("accounts", "show", COOP_CODE).stdout == shown.stdout
    granted = operator("consents", "grant", "--org", "pujiang citrus co-operative",
                        "--bank", "成都农村商业银行")
    assert granted.stdout == f"{BANK} may now read the carbon account of {COOP}\n"
    listed = operator("consents", "list", "--org", COOP_CODE, "--json")
    assert [(r["id"], r["granted_at"] is not None) for r in json.loads(listed.stdout)] == [
        (orgs[BANK], True)]
    assert operator("loans", "decisions", "--bank", "Chengdu Rural Commercial Bank"
                     ).stdout == "no loans priced\n"
    qualified = operator("bodies", "qualify", "四川碳核查中心", "--number", "川碳核资〔2025〕057号",
                          "--categories", "oranges", "--from", "2025-12-05", "--until",
                          "2028-12-04")
    # the category by its name (the oranges plugin's English name), not its code
    assert qualified.stdout == (f"qualification 3: {BODY} 川碳核资〔2025〕057号 for Oranges "
                                "(citrus fruit), 2025-12-05 to 2028-12-04\n")
    recalculated = operator("recalc", "--dry-run", "--no-progress", "--org", "蒲江县柑橘专业合作社")
    assert recalculated.exit_code == 0, recalculated.stderr
    assert "selected 0" in recalculated.stdout
    users = operator("users", "list", "--org", "Sichuan Platform", "--json")
    assert [u["username"] for u in json.loads(users.stdout)] == ["admin", "reviewer",
                                                                 "reviewer2"]


def test_a_name_that_finds_none_is_refused_with_the_candidates(service, orgs, operator):
    refused(operator("accounts", "show", "蒲江柑橘合作社"),
            'error: ORG: organisation "蒲江柑橘合作社" unknown, did you mean '
            '"Pujiang Citrus Co-operative"?',
            "错误：ORG：未知的机构“蒲江柑橘合作社”，您是否要填“蒲江县柑橘专业合作社”？")
    refused(operator("consents", "list", "--bank", "蒲江县柑橘专业合作社"),
            'error: bank: no bank "蒲江县柑橘专业合作社"; one of: "Chengdu Rural Commercial Bank"',
            "错误：银行：没有银行“蒲江县柑橘专业合作社”；可选：“成都农村商业银行”")
    before = service.db.execute("SELECT count(*) FROM qualifications").fetchone()[0]
    refused(operator("bodies", "qualify", "成都农村商业银行", "--number", "N1", "--categories",
                      "oranges", "--from", "2025-12-05", "--until", "2028-12-04"),
            'error: org: no accounting body "成都农村商业银行"; one of: "Chongqing Carbon Audit", '
            '"Sichuan Carbon Verification", "Sichuan Carbon Verification Centre"',
            "错误：机构：没有核算机构“成都农村商业银行”；可选：“Chongqing Carbon Audit”、"
            "“Sichuan Carbon Verification”、“四川碳核查中心”")
    assert service.db.execute("SELECT count(*) FROM qualifications").fetchone()[0] == before


# -- users add --------------------------------------------------------------------------------

def test_users_add_joins_the_organisation_its_chinese_name_finds(service, orgs, operator):
    before = counts(service.db)
    added = operator("users", "add", "x1y", "--role", "producer", "--org", "蒲江县柑橘专业合作社",
                      input="a long enough password\n")
    assert (added.exit_code, added.stdout) == (0, f"added x1y (producer) to {COOP}\n")
    assert counts(service.db) == (before[0], before[1] + 1)  # no organisation made
    user = next(service.db.query("SELECT org_id FROM users WHERE username = 'x1y'"))
    assert user["org_id"] == orgs[COOP]


def test_users_add_makes_no_organisation_unasked(service, orgs, operator):
    before = counts(service.db)
    refused(operator("users", "add", "x1y", "--role", "producer", "--org", "Pujiang Orchard",
                      input="a long enough password\n"),
            'error: org: organisation "Pujiang Orchard" unknown, did you mean '
            '"Pujiang Orchard Co-op"?',
            "错误：机构：未知的机构“Pujiang Orchard”，您是否要填“Pujiang Orchard Co-op”？")
    refused(operator("users", "add", "x1y", "--role", "producer", "--org", "New Orchard",
                      "--region", "CN-SC", "--credit-code", NEW_CODE,
                      input="a long enough password\n"),
            "error: --region, --credit-code: only with --new-org, for a new organisation (to "
            "correct an existing one: footprint orgs edit)",
            "错误：--region、--credit-code：仅与 --new-org 一起用于新建机构（修改已有机构："
            "footprint orgs edit）")
    # a new organisation's name may not be another's name or part of it
    refused(operator("users", "add", "x1y", "--role", "producer", "--org", "蒲江县柑橘专业合作社",
                      "--new-org", input="a long enough password\n"),
            f'error: org: an organisation "{COOP}" exists already',
            f"错误：机构：机构“{COOP}”已存在")
    with pytest.raises(InvalidInput) as core:
        create_user(service.db, "x1y", "producer", "Nowhere Orchard", PASSWORD)
    assert [p.where for p in core.value.problems] == ["org"]
    assert counts(service.db) == before


def test_users_add_new_org_is_made_as_the_administration_page_makes_one(service, orgs,
                                                                        operator):
    before = counts(service.db)
    refused(operator("users", "add", "x1y", "--role", "producer", "--org", "新果园 New Orchard",
                      "--new-org", "--kind", "bank", "--region", "CN-XX", "--credit-code",
                      COOP_CODE, input="a long enough password\n"),
            "error: 3 problem(s) in the input",
            "  - kind: a user of role producer belongs to an organisation of kind enterprise, "
            "not bank",
            '  - region: region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", "CN-NX", '
            '"CN-SX", "CN-XJ", ...?',
            f'  - credit_code: {COOP_CODE} is the code of "{COOP}" already',
            "错误：输入有 3 个问题",
            "  - 机构类型：生产企业用户须属于企业类机构，而不是银行",
            "  - 地区：未知的地区“CN-XX”；您是否要填以下之一：“CN-GX”、“CN-JX”、“CN-NX”、"
            "“CN-SX”、“CN-XJ”、...？",
            f"  - 统一社会信用代码：{COOP_CODE} 已是“{COOP}”的代码")
    assert counts(service.db) == before
    added = operator("users", "add", "x1y", "--role", "producer", "--org", "新果园 New Orchard",
                      "--new-org", "--kind", "enterprise", "--region", "四川", "--credit-code",
                      NEW_CODE.lower(), input="a long enough password\n")
    assert added.stdout == "added x1y (producer) to 新果园 New Orchard (a new organisation)\n"
    made = find_organisation(service.db, "新果园")
    assert (made["kind"], made["region"], made["credit_code"]) == ("enterprise", "CN-SC",
                                                                  NEW_CODE)
    assert counts(service.db) == (before[0] + 1, before[1] + 1)


# -- corrections --------------------------------------------------------------------------------

def test_the_operator_corrects_an_organisation_and_it_is_recorded(service, orgs, operator):
    refused(operator("orgs", "edit", "蒲江县柑橘专业合作社", "--credit-code", "93510131MA6CP0001X"),
            "error: credit_code: '93510131MA6CP0001X' is not a unified social credit code: "
            "the number's checksum or check digit is invalid",
            "错误：统一社会信用代码：'93510131MA6CP0001X' 不是有效的统一社会信用代码：校验码不正确")
    refused(operator("orgs", "edit", COOP_CODE, "--name", "Chengdu Rural Commercial Bank"),
            f'error: name: an organisation "{BANK}" exists already',
            f"错误：名称：机构“{BANK}”已存在")
    assert find_organisation(service.db, orgs[COOP])["name"] == COOP
    edited = operator("orgs", "edit", "pujiang citrus co-operative", "--name",
                       "蒲江县柑橘合作社 Pujiang Citrus Co-op", "--region", "",
                       "--credit-code", NEW_CODE)
    assert edited.stdout == (f"organisation {orgs[COOP]}: 蒲江县柑橘合作社 Pujiang Citrus Co-op, "
                             f"region -, credit code {NEW_CODE}\n")
    [event] = [e for e in security.events(service.db) if e["kind"] == "organisation-edited"]
    assert (event["username"], event["detail"]) == (None, (
        f'organisation {orgs[COOP]}: name "{COOP}" -> "蒲江县柑橘合作社 Pujiang Citrus Co-op"; '
        f'region "CN-SC" -> none; credit code "{COOP_CODE}" -> "{NEW_CODE}"; '
        "by the operator at the command line"))
    listed = {o["id"]: o for o in json.loads(operator("orgs", "list", "--json").stdout)}
    assert (listed[orgs[COOP]]["name"], listed[orgs[COOP]]["region"],
            listed[orgs[COOP]]["credit_code"]) == ("蒲江县柑橘合作社 Pujiang Citrus Co-op", None,
                                                   NEW_CODE)
    assert find_organisation(service.db, NEW_CODE)["id"] == orgs[COOP]
    unchanged = operator("orgs", "edit", NEW_CODE, "--credit-code", NEW_CODE)
    assert unchanged.stdout == (f"organisation {orgs[COOP]} 蒲江县柑橘合作社 Pujiang Citrus "
                                "Co-op: unchanged\n")
    assert len([e for e in security.events(service.db)
                if e["kind"] == "organisation-edited"]) == 1


def test_labels_keep_what_they_signed_and_new_labels_sign_the_correction(
        service, approve, issuer, make_bom, operator):
    first = for_submission(service.db, approve(make_bom(), issuer)["id"])
    orchard = service.people["orchard"]["org_id"]
    assert (first["record"]["producer"], first["record"]["producer_name"]) == (
        orchard, "Pujiang Orchard Co-op")
    edited = operator("orgs", "edit", "Pujiang Orchard Co-op", "--name",
                       "蒲江果园合作社 Pujiang Orchard Co-op", "--credit-code", NEW_CODE)
    assert edited.exit_code == 0, edited.stderr
    second = for_submission(service.db, approve(
        make_bom(product={"name": "second product", "category": "generic"}), issuer)["id"])
    assert (second["record"]["producer"], second["record"]["producer_name"]) == (
        NEW_CODE, "蒲江果园合作社 Pujiang Orchard Co-op")
    again = for_submission(service.db, first["submission_id"])
    assert (again["id"], again["record"]["producer"], again["record"]["producer_name"]) == (
        first["id"], orchard, "Pujiang Orchard Co-op")


def test_an_administrator_corrects_an_organisation_on_the_page(service, orgs, login):
    admin = login(service.app.test_client(), "admin")
    index = admin.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/organisations/{orgs[COOP]}"' in index
    page = admin.get(f"/admin/organisations/{orgs[COOP]}", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "已签发的标签保留签发时签入的名称和统一社会信用代码；此后签发的标签签入更正后的信息。" in text
    assert f'value="{COOP_CODE}"' in text and 'value="CN-SC"' in text
    bad = admin.post(f"/admin/organisations/{orgs[COOP]}",
                     data={"name": COOP, "region": "CN-XX", "credit_code": "12345"})
    assert bad.status_code == 400
    said = bad.get_data(as_text=True)
    assert 'id="f-region" aria-describedby="err-region" aria-invalid="true"' in said
    assert 'id="f-credit_code" aria-describedby="err-credit_code" aria-invalid="true"' in said
    assert find_organisation(service.db, orgs[COOP])["region"] == "CN-SC"
    saved = admin.post(f"/admin/organisations/{orgs[COOP]}",
                       data={"name": COOP, "region": "重庆", "credit_code": NEW_CODE})
    assert saved.status_code == 302 and saved.location.endswith("/admin/#organisations")
    now = find_organisation(service.db, orgs[COOP])
    assert (now["name"], now["region"], now["credit_code"]) == (COOP, "CN-CQ", NEW_CODE)
    [event] = [e for e in security.events(service.db) if e["kind"] == "organisation-edited"]
    assert (event["username"], event["address"], event["detail"]) == (
        "admin", "127.0.0.1", f'organisation {orgs[COOP]}: region "CN-SC" -> "CN-CQ"; '
        f'credit code "{COOP_CODE}" -> "{NEW_CODE}"; by admin')
    row = re.search(rf"<tr><td[^>]*><a [^>]*>{re.escape(COOP)}</a></td>.*?</tr>",
                    admin.get("/admin/").get_data(as_text=True)).group(0)
    assert "CN-CQ" in row and NEW_CODE in row


def test_only_an_administrator_corrects_an_organisation(service, orgs, login):
    for username in ("orchard", "reviewer"):
        client = login(service.app.test_client(), username)
        assert client.get(f"/admin/organisations/{orgs[COOP]}").status_code == 403
        assert client.post(f"/admin/organisations/{orgs[COOP]}",
                           data={"name": "Taken Over", "region": "", "credit_code": ""}
                           ).status_code == 403
    assert find_organisation(service.db, orgs[COOP])["name"] == COOP
    assert login(service.app.test_client(), "admin").get(
        "/admin/organisations/999999").status_code == 404


def test_correcting_an_organisation_needs_the_csrf_token(service, orgs, csrf_app):
    client = log_in_with_token(csrf_app.test_client(), "admin")
    page = client.get(f"/admin/organisations/{orgs[COOP]}").get_data(as_text=True)
    token = csrf_token(page)
    form = {"name": "Taken Over", "region": "", "credit_code": ""}
    assert client.post(f"/admin/organisations/{orgs[COOP]}", data=form).status_code == 400
    assert find_organisation(service.db, orgs[COOP])["name"] == COOP
    assert client.post(f"/admin/organisations/{orgs[COOP]}",
                       data={**form, "csrf_token": token}).status_code == 302
    assert find_organisation(service.db, orgs[COOP])["name"] == "Taken Over"


def test_a_platform_with_no_organisation_says_so_rather_than_list_nothing(store_db):
    with pytest.raises(InvalidInput) as refused_here:
        find_organisation(store_db, "Crash Test Works")
    [problem] = refused_here.value.problems
    assert (problem.where, str(problem.message)) == (
        "org", 'organisation "Crash Test Works" unknown: none is recorded yet')
