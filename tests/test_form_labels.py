"""The forms around loans and supervision say each problem by the field's own label in the
page's language, beside the field and linked from the list, with choices by their names and a
blank field told it is wanted: no path ("rules[0].cut_bp", "base_year"), no code
("falsified_data, unqualified_verification"), no blank quoted ("而不是 "), no English on a
Chinese page ("物料行号: a line number") (web/forms.py)."""
from __future__ import annotations

import html
import re

import pytest

from footprint.usecases import consents, loans
from footprint.usecases.users import seed_user

from .conftest import PASSWORD

TARGET_60 = {"kind": "target", "target_pct": 10, "cut_bp": 60}
CODES = re.compile(r"rules\[|\w+\.\w+|\b[a-z]+_[a-z_]+\b")  # paths and snake_case codes


def listed(page: str) -> list[tuple[str, str, str]]:
    """The problems' list: (the field it links to, the place said, the message)."""
    found = []
    for item in re.findall(r"<li>(.*?)</li>", page, re.S):
        # the place, then the colon of the page's language (：; ": " in English)
        link = re.search(r'<a href="#f-([\w-]+)" title="[^"]*">(.*?)</a>(?:：|: )(.*)', item,
                         re.S)
        if link:
            found.append(tuple(html.unescape(" ".join(p.split())) for p in link.groups()))
    return found


def beside(page: str, field: str) -> str | None:
    """The messages in the slot beside ``field``, which the field points to."""
    slot = re.search(rf'<span class="error field-error" id="err-{field}" role="status">'
                     rf'(.*?)</span>', page)
    if slot is None:
        return None
    assert re.search(rf'id="f-{field}" aria-describedby="err-{field}" aria-invalid="true"',
                     page), field
    return html.unescape(slot.group(1))


@pytest.fixture
def bank(service, login):
    user = seed_user(service.db, "ruralbank", "bank", "Chengdu Rural Commercial Bank",
                     PASSWORD)
    client = login(service.app.test_client(), "ruralbank")
    client.set_cookie("lang", "zh")
    return {"user": user, "client": client}


# -- a loan product ------------------------------------------------------------------------------

def test_a_loan_product_s_problems_are_said_by_the_form_s_labels(bank):
    # the target is not ticked: the reduction rule is rules[0] and the subsidy rules[1], so a
    # path would have named the wrong box
    response = bank["client"].post("/bank/products/new", data={
        "name": "", "base_rate_name": "LPR", "base_rate_pct": "3.0",
        "base_rate_date": "2025-11-20", "use_reduction": "1", "reduction_min_pct": "5",
        "reduction_cut_bp": "abc", "use_subsidy": "1", "subsidy_amount": "50",
        "subsidy_unit": "bp", "subsidy_cap_yuan": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert sorted(listed(page)) == [
        ("name", "贷款产品名称", "请填写"),
        ("reduction_cut_bp", "经核查的减排达到一定比例 · 下调（基点）", "须为数字，而不是 abc"),
        ("subsidy_cap_yuan", "贴息（零碳券） · 上限（元）", "请填写")]
    assert beside(page, "reduction_cut_bp") == "须为数字，而不是 abc"
    assert beside(page, "subsidy_cap_yuan") == "请填写"
    assert beside(page, "target_cut_bp") is None


def test_a_step_cut_outside_the_published_terms_is_said_at_its_box(bank):
    response = bank["client"].post("/bank/products/new", data={
        "name": "碳减排挂钩贷", "base_rate_name": "LPR", "base_rate_pct": "3.0",
        "base_rate_date": "2025-11-20", "use_target": "1", "target_pct": "10",
        "target_cut_bp": "70"})
    assert listed(response.get_data(as_text=True)) == [
        ("target_cut_bp", "完成年度减排目标：利率下调（30-65 个基点） · 下调（基点）",
         "须为 30 至 65 的整数基点，而不是 70")]


def test_a_band_of_the_bank_s_table_is_said_by_its_number_with_every_other_problem(bank):
    # a band that cannot be read used to stop the form there: the blank name and the label
    # rule's cut went unsaid until it was put right
    response = bank["client"].post("/bank/products/new", data={
        "name": "", "base_rate_name": "LPR", "base_rate_pct": "3.0",
        "base_rate_date": "2025-11-20", "use_label": "1", "label_cut_bp": "0",
        "use_table": "1", "table_bands": "3-5: 10\n5 to 10: 30"})
    assert sorted(listed(response.get_data(as_text=True))) == [
        ("label_cut_bp", "产品持有有效碳标签期间 · 下调（基点）", "须为 1 至 10000 的整数基点，而不是 0"),
        ("name", "贷款产品名称", "请填写"),
        ("table_bands", "本行自定的减排分档表 · 每行一档，格式为 起-止: 基点（最后一档可不设上限：10-: 60） "
                        "· 第 2 档", "每一档写作“起-止: 基点”（3-5: 10）或“起-: 基点”（10-: 60），"
                                    "而不是“5 to 10: 30”")]


def test_a_table_alone_that_cannot_be_read_is_not_told_to_add_a_rule(bank):
    response = bank["client"].post("/bank/products/new", data={
        "name": "分档贷", "base_rate_name": "LPR", "base_rate_pct": "3.0",
        "base_rate_date": "2025-11-20", "use_table": "1", "table_bands": "10 or more: 60"})
    assert [p[0] for p in listed(response.get_data(as_text=True))] == ["table_bands"]


def test_a_product_without_rules_is_told_at_the_rules(bank):
    response = bank["client"].post("/bank/products/new", data={
        "name": "空贷", "base_rate_name": "LPR", "base_rate_pct": "3.0",
        "base_rate_date": "2025-11-20"})
    assert listed(response.get_data(as_text=True)) == [("rules", "规则", "至少需要一条规则")]


def test_the_english_page_says_the_english_labels(bank):
    client = bank["client"]
    client.set_cookie("lang", "en")
    response = client.post("/bank/products/new", data={
        "name": "x", "base_rate_name": "LPR", "base_rate_pct": "", "base_rate_date": "",
        "use_target": "1", "target_pct": "101", "target_cut_bp": "60"})
    assert sorted(listed(response.get_data(as_text=True))) == [
        ("base_rate_date", "Published on", "enter a value"),
        ("base_rate_pct", "Base rate (% a year)", "enter a value"),
        ("target_pct", "Annual reduction target met: step cut (30-65 bp) · Target "
                       "reduction (%)", "a percentage from 0 to 100, not 101")]


# -- pricing a loan ------------------------------------------------------------------------------

@pytest.fixture
def priced_on(service, bank):
    """The co-operative consents to the bank, which has a loan product: the form shows."""
    orchard = service.people["orchard"]["org_id"]
    consents.grant(service.db, orchard, "Chengdu Rural Commercial Bank")
    product = loans.create_product(service.db, bank["user"]["org_id"], "碳减排挂钩贷", "LPR",
                                   "3.0", "2025-11-20", [TARGET_60])
    return {"borrower": str(orchard), "loan_product": str(product["id"]), "product": ""}


def test_a_blank_year_is_told_it_is_wanted_not_quoted(bank, priced_on):
    response = bank["client"].post("/bank/price", data={**priced_on, "principal": "",
                                                         "year": ""})
    page = response.get_data(as_text=True)
    assert sorted(listed(page)) == [("principal", "本金（元）", "请填写"),
                                    ("year", "定价年份", "请填写")]
    assert "而不是 " not in page


def test_the_base_year_is_said_at_the_year_priced_on(bank, priced_on):
    # no verified footprints in 2025 nor in 2024, the year before: both are the year's field
    response = bank["client"].post("/bank/price", data={**priced_on, "principal": "1000000",
                                                         "year": "2025"})
    assert response.status_code == 400
    assert listed(response.get_data(as_text=True)) == [
        ("year", "定价年份", "2025 年没有经核查并已发放标签的碳足迹：计算减排需要两个年份都有经核查、"
                         "已发放标签的碳足迹"),
        ("year", "定价年份", "2024 年没有经核查并已发放标签的碳足迹：计算减排需要两个年份都有经核查、"
                         "已发放标签的碳足迹")]


# -- qualifications and findings -----------------------------------------------------------------

def test_a_qualification_s_problems_are_said_by_the_form_s_labels(clients):
    admin = clients["admin"]
    admin.set_cookie("lang", "zh")
    response = admin.post("/supervision/qualifications", data={
        "org": "", "number": "", "valid_from": "", "valid_until": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert sorted(listed(page)) == [
        ("categories", "可核查的产品类别", "请至少勾选一项"), ("number", "资质编号", "请填写"),
        ("org", "核算机构", "请选择"), ("valid_from", "有效期起", "请填写"),
        ("valid_until", "有效期至（含当日）", "请填写")]
    later = admin.post("/supervision/qualifications", data={
        "org": "Chongqing Carbon Audit", "number": "渝碳核-7", "categories": ["generic"],
        "valid_from": "2026-01-01", "valid_until": "2025-12-31"})
    assert listed(later.get_data(as_text=True)) == [
        ("valid_until", "有效期至（含当日）", "截止日期不能早于起始日期")]


def test_a_finding_s_problems_are_said_by_the_form_s_labels_and_choices_by_name(service,
                                                                              login):
    seed_user(service.db, "inspector", "regulator", "Sichuan Market Regulation", PASSWORD)
    regulator = login(service.app.test_client(), "inspector")
    regulator.set_cookie("lang", "zh")
    blank = regulator.post("/supervision/findings/new", data={
        "subject": "", "type": "", "severity": "", "summary": "", "evidence": ""})
    assert blank.status_code == 400
    assert sorted(listed(blank.get_data(as_text=True))) == [
        ("evidence", "证据（监管机构、平台管理员和被认定单位可见）", "请填写"),
        ("severity", "严重程度", "请选择"), ("subject", "被认定单位（企业或核算机构）", "请选择"),
        ("summary", "摘要（认定公开时对外发布）", "请填写"), ("type", "类型", "请选择")]
    orchard = service.people["orchard"]["org_id"]
    wrong = regulator.post("/supervision/findings/new", data={
        "subject": str(orchard), "type": "fraud", "severity": "grave", "summary": "s",
        "evidence": "e", "labels": "CN-SC-NOSUCHLABEL"})
    assert sorted(listed(wrong.get_data(as_text=True))) == [
        ("labels", "涉及的标签（标签编号，以空格分隔）", "没有标签“CN-SC-NOSUCHLABEL”"),
        ("severity", "严重程度", "“grave”不在可选范围内：一般、较重、严重"),
        ("type", "类型", "“fraud”不在可选范围内：数据造假、无资质核查、虚假宣传、其他")]


def test_a_comment_about_a_line_that_is_not_one_is_said_in_chinese(clients, service, make_bom):
    from footprint.usecases import submissions as subs
    made, _ = subs.create_submission(service.db, service.app.extensions["footprint_engine"],
                                     service.people["orchard"], make_bom())
    orchard = clients["orchard"]
    orchard.set_cookie("lang", "zh")
    response = orchard.post(f"/submissions/{made['id']}/comments",
                            data={"body": "电表读数?", "line": "abc"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert listed(page) == [("line", "针对行", "须为第 1 至 1 行之一")]
    assert beside(page, "line") == "须为第 1 至 1 行之一"


@pytest.mark.parametrize("path, data", [
    ("/bank/products/new", {"name": "", "use_target": "1", "target_cut_bp": "99"}),
    ("/bank/price", {"principal": "", "year": "x"}),
])
def test_no_path_or_code_is_shown_for_a_bank_s_problems(bank, priced_on, path, data):
    page = bank["client"].post(path, data={**priced_on, **data}).get_data(as_text=True)
    shown = listed(page)
    assert shown
    assert [p for p in shown if CODES.search(p[1] + " " + p[2])] == []


def test_a_step_s_problem_is_said_by_that_step_s_label(service, clients):
    from footprint.usecases import findings
    inspector = seed_user(service.db, "inspector", "regulator", "Sichuan Market Regulation",
                          PASSWORD)
    made = findings.record(service.db, inspector, "Pujiang Orchard Co-op", "misleading_claim",
                           "general", "“零碳橙”没有依据。", "Photos.", True)
    findings.act(service.db, inspector, made["id"], "notify")
    orchard = clients["orchard"]  # the subject answers; its answer needs a text
    orchard.set_cookie("lang", "zh")
    response = orchard.post(f"/supervision/findings/{made['id']}/respond", data={"text": " "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert listed(page) == [("text", "内容（必填）", "请填写")]
    assert beside(page, "text") == "请填写"
    assert page.count('id="f-text"') == 1  # the form that was sent, not the appeal's beside it
