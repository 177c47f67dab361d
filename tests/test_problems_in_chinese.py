"""Problems in the reader's language: a Chinese page says every problem in Chinese (the form's,
an upload's, the API's, a missing page's, evidence's), the API answers each problem's id
(``code``) and its text in the Accept-Language's language, places read as people say them
with the technical path kept for experts; Chinese values are read where the form shows them;
suggestions rank what fits the line first; times are in the platform's time zone."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from footprint import clock, display
from footprint.bom import parse_bom
from cli.language import said as said_in
from footprint.errors import InvalidInput, Message, Named
from footprint.usecases import submissions as subs
from footprint.usecases.tokens import create_token
from footprint.usecases.users import seed_user

from . import conftest
from .conftest import SAMPLES, error_slot, text_of

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

CJK = re.compile(r"[\u4e00-\u9fff]")
# What a producer typed, or a code, is quoted ("kwh", “kwh”): quotes are no sentence.
QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
# Three Latin words in a row is an English sentence (or a piece of one); a code
# (steel_vanadium.v2o5, CN-SC, kWh) is one word.
ENGLISH = re.compile(r"(?<![\w.])[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}(?![\w.])")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", text))


def said(page: str) -> list[str]:
    """Every problem a page says: the messages beside fields, the problems' list, the error
    page's heading and its list; tags stripped (a title attribute goes with its tag)."""
    parts = re.findall(r'<span class="error" id="err-[^"]*"[^>]*>(.*?)</span>', page, re.S)
    for block in re.findall(r'id="(?:problems|error)"[^>]*>(.*?)</(?:div|section)>', page, re.S):
        parts += re.findall(r"<(?:li|h1|h2)[^>]*>(.*?)</(?:li|h1|h2)>", block, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", p).split()) for p in parts if p.strip()]


def assert_chinese(texts: list[str]) -> None:
    assert texts, "no problem shown"
    for text in texts:
        assert CJK.search(text), text
        assert english_in(text) == [], text


def in_chinese(client):
    client.set_cookie("lang", "zh")
    return client


def editor_form(**fields) -> dict:
    """The shared editor form with its product named in Chinese: these pages are read for
    English, and the name is shown back."""
    return conftest.editor_form(**{"product-name": "齿轮毛坯", **fields})


ORANGES = {"product-category": "oranges", "declared_unit-unit": "kg",
           "parameters-yield_kg_per_ha": "30000", "lines-0-input": "", "lines-0-amount": "",
           "lines-0-unit": "", "lines-0-stage": ""}

BAD_FORMS = [
    # (overrides, the field whose message is checked, Chinese it says)
    ({"lines-0-unit": "kwh"}, "lines-0-unit", "您是否要填“kWh”"),
    ({"lines-0-amount": "5,5"}, "lines-0-amount", "须为数字"),
    ({"lines-0-amount": ""}, "lines-0-amount", "缺少必填项"),
    ({"lines-0-amount": "1e308"}, "lines-0-amount", "1\u00a0×\u00a010³⁰⁸ 超出上限 1,000,000,000"),
    ({**ORANGES, "parameters-diesel_kg_per_ha": "5e20"}, "parameters-diesel_kg_per_ha",
     "5\u00a0×\u00a010²⁰ 超出上限 1,000,000,000"),
    ({"lines-0-stage": "prodution"}, "lines-0-stage", "您是否要填“生产”"),
    ({"product-name": ""}, "product-name", "缺少必填项"),
    ({"region": "CN-SCH"}, "region", "您是否要填“CN-SC”"),
    ({"factor_year": "1800"}, "factor_year", "因子的数据年份须在 1990 至"),
    ({"factor_year": "2019"}, "factor_year", "2019"),
    ({"lines-0-year": "1800"}, "lines-0-year", "因子的数据年份须在 1990 至"),
    ({"factor_year": "twenty"}, "factor_year", "整数"),
    ({"lines-0-input": "disel", "lines-0-unit": "kg"}, "lines-0-input", "您是否要填“柴油燃烧”"),
    ({"lines-0-input": "diesel"}, "lines-0-unit", "质量"),
    ({"lines-0-input": "", "lines-0-note": "忘了填投入"}, "lines-0-input", "input"),
    ({"product-category": "oranges", "declared_unit-unit": "piece"}, "declared_unit-unit",
     "柑橘"),
    ({**ORANGES, "parameters-yield_kg_per_ha": "-1"}, "parameters-yield_kg_per_ha", "须"),
    ({**ORANGES, "parameters-ef1": "wet"}, "parameters-ef1", "湿润气候分解值"),
    ({**ORANGES, "parameters-fertilisers-0-product": "ure",
      "parameters-fertilisers-0-kg_per_ha": "x"}, "parameters-fertilisers-0-product", "尿素"),
]


@pytest.mark.parametrize("overrides, field, chinese", BAD_FORMS,
                         ids=[f"{i}-{case[1]}" for i, case in enumerate(BAD_FORMS)])
def test_a_chinese_form_says_every_problem_in_chinese(clients, overrides, field, chinese):
    response = in_chinese(clients["orchard"]).post("/producer/submissions/new",
                                                   data=editor_form(**overrides))
    assert response.status_code == 400
    page = text_of(response)
    assert chinese in error_slot(page, field)
    assert_chinese(said(page))


def test_numbers_typed_full_width_are_numbers(service, clients):
    # a Chinese keyboard in full-width mode: １００ kWh, a year ２０２２, ３．５ kg of diesel,
    # the GTIN under the barcode
    response = clients["orchard"].post("/producer/submissions/new", data=editor_form(**{
        "declared_unit-amount": "１", "factor_year": "２０２２",
        "product-gtin": "０６９０１２３４５６７８９２",
        "lines-0-amount": "１００", "lines-1-input": "diesel", "lines-1-amount": "３．５",
        "lines-1-unit": "kg", "lines-1-stage": "production"}))
    assert response.status_code == 302, text_of(response)[:2000]
    submission_id = int(re.search(r"/submissions/(\d+)$", response.headers["Location"])[1])
    bom = subs.get(service.db, service.people["orchard"], submission_id)["bom"]
    assert bom["declared_unit"]["amount"] == 1 and bom["factor_year"] == 2022
    assert bom["product"]["gtin"] == "06901234567892"
    assert [line["amount"] for line in bom["lines"]] == [100, 3.5]
    # 100 kWh x 0.1404 + 3.5 kg x 3.1863 = 14.04 + 11.15205
    result = subs.latest_result(service.db, subs.get(service.db, service.people["orchard"],
                                                     submission_id))
    assert result["total_kg_co2e"] == pytest.approx(25.19205, rel=1e-6)


def test_a_year_without_factors_is_said_in_chinese_with_its_place(clients):
    page = text_of(in_chinese(clients["orchard"]).post(
        "/producer/submissions/new", data=editor_form(factor_year="2019")))
    # "no location-based electricity factor for CN-SC in 2019" in Chinese, the basis by its
    # word, at the factor year the producer changes, naming the line that used it, with the
    # path as the title for experts
    assert error_slot(page, "factor_year") == (
        "第 1 行：CN-SC 没有 2019 年的基于位置（电网平均）电力排放因子；已发布年份：2021、2022、"
        "2023")
    assert '<code title="factor_year">因子年份</code>' in page
    assert "第 1 行 · 投入" not in page


def test_a_factor_year_out_of_range_is_said_at_the_year_in_the_editor_and_a_file(clients):
    last = clock.now().year + 1
    said = f"因子的数据年份须在 1990 至 {last} 之间"
    page = text_of(in_chinese(clients["orchard"]).post(
        "/producer/submissions/new", data=editor_form(factor_year="1800")))
    assert error_slot(page, "factor_year") == said
    assert '<code title="factor_year">因子年份</code>' in page and "第 1 行" not in page
    content = ("产品名称,齿轮毛坯\n声明单位,1,piece\n地区,四川\n因子年份,1800\n"
               "投入,数量,单位,阶段\n电力,100,千瓦时,生产\n").encode()
    page = text_of(upload(clients["orchard"], "bom.csv", content, factor_year=""))
    assert f"<code title=\"row 4 (因子年份)\">第 4 行（因子年份）</code>：{said}" in \
        " ".join(page.split())
    assert "第 5 行" not in page and "第 6 行" not in page


def test_a_category_parameter_is_placed_by_its_own_names(clients):
    page = text_of(in_chinese(clients["orchard"]).post("/producer/submissions/new", data=editor_form(
        **ORANGES, **{"parameters-fertilisers-0-product": "urea",
                      "parameters-fertilisers-0-kg_per_ha": "x"})))
    assert '<code title="parameters.fertilisers[0].kg_per_ha">参数 · 化肥 1 · 施用量</code>' in page
    clients["orchard"].set_cookie("lang", "en")
    english = text_of(clients["orchard"].post(
        "/producer/submissions/new", data=editor_form(
            **ORANGES, **{"parameters-fertilisers-0-product": "urea",
                          "parameters-fertilisers-0-kg_per_ha": "x"})))
    assert '<code title="parameters.fertilisers[0].kg_per_ha">parameters · fertiliser 1 · ' \
        "amount applied</code>" in english


# -- uploads ----------------------------------------------------------------------------------

UPLOAD_HEADER = {"product-name": "齿轮毛坯", "product-category": "generic",
                 "declared_unit-amount": "1", "declared_unit-unit": "piece",
                 "region": "CN-SC", "factor_year": "2022"}


def upload(client, filename, content, **form):
    return client.post("/producer/upload", data={
        **UPLOAD_HEADER, **form, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


@pytest.mark.parametrize("filename, content, place", [
    ("bom.csv", "input,amount,unit,stage\nelectricity,1,kwh,production\ndiesel,x,kg,production\n"
                "rail_freight,1,tkm,prodution\n", "第 2 行 · unit 列"),
    ("bom.csv", "投入,数量,单位,阶段,颜色\nelectricity,1,千瓦时,生产,红\n", "第 1 行 · 颜色 列"),
    ("bom.csv", "投入,单位\nelectricity,千瓦时\n", "第 1 行"),
    ("bom.csv", "input,amount,unit,stage\n", "文件"),
    ("bom.txt", "electricity 100 kWh", "文件"),
    ("bom.json", '{"product": ', "文件第 1 行第 13 列"),
    # a quotation mark never closed: the rest of the file, 6,000 x 25 characters, runs into
    # one cell longer than the 131,072 Python's csv module reads
    ("bom.csv", 'input,amount,unit,stage,note\nelectricity,1,kWh,production,"open\n'
                + "diesel,1,kg,production,x\n" * 6000, "文件第 2 行"),
    ("bom.json", json.dumps({"product": {"name": "x"}, "declared_unit": {"amount": 1,
                             "unit": "kg"}, "region": "CN-SCH", "lines": [
        {"input": "steel", "amount": 1, "unit": "kg", "stage": "production"}]}),
     "第 1 行 · 投入"),
])
def test_a_bad_upload_is_said_in_chinese(clients, filename, content, place):
    response = upload(in_chinese(clients["orchard"]), filename, content.encode())
    assert response.status_code == 400
    page = text_of(response)
    assert f">{place}</code>" in page
    assert_chinese(said(page))


def test_a_damaged_workbook_upload_is_refused_in_chinese(service, clients):
    from openpyxl import Workbook
    workbook = Workbook()
    workbook.active.append(["input", "amount", "unit", "stage"])
    workbook.active.append(["electricity", 100, "kWh", "production"])
    saved = io.BytesIO()
    workbook.save(saved)
    # its sheet cut in half inside an archive that is whole
    members = zipfile.ZipFile(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged_archive:
        for name in members.namelist():
            data = members.read(name)
            damaged_archive.writestr(name, data[:len(data) // 2] if "worksheets/" in name
                                     else data)
    damaged = out.getvalue()
    before = service.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    response = upload(in_chinese(clients["orchard"]), "bom.xlsx", damaged)
    assert response.status_code == 400
    chinese = said(text_of(response))
    assert_chinese(chinese)
    assert any("请用 Excel 或 WPS" in text for text in chinese), chinese
    assert service.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == before


def test_a_json_upload_that_is_not_utf8_is_said_in_each_language(clients):
    latin1 = '{"product": {"name": "Äpfel"}}'.encode("latin-1")  # Ä: 0xc4, the 23rd byte
    response = upload(in_chinese(clients["orchard"]), "bom.json", latin1)
    assert response.status_code == 400
    chinese = said(text_of(response))
    assert "不是 UTF-8 文本：第 23 个字节（0xc4）不属于 UTF-8 编码；请将文件另存为 UTF-8" in \
        " ".join(chinese)
    assert_chinese(chinese)
    clients["orchard"].set_cookie("lang", "en")
    english = text_of(upload(clients["orchard"], "bom.json", latin1))
    assert "not UTF-8 text: byte 23 (0xc4) does not belong in UTF-8; save the file as UTF-8" \
        in english


def test_chinese_values_in_a_csv_upload_are_read_as_codes(service, clients):
    content = ("地区,四川\n"
               "投入,数量,单位,阶段,地区\n"
               "electricity,100,千瓦时,生产,\n"
               "electricity,50,度,生产,山东\n"
               "road_freight,12,吨公里,分销,\n").encode()
    response = upload(clients["orchard"], "bom.csv", content, region="")
    assert response.status_code == 302, text_of(response)[:3000]
    submission_id = int(re.search(r"/submissions/(\d+)$", response.headers["Location"]).group(1))
    bom = subs.get(service.db, service.people["orchard"], submission_id)["bom"]
    assert bom["region"] == "CN-SC"
    assert [(line["unit"], line["stage"], line.get("region")) for line in bom["lines"]] == [
        ("kWh", "production", None), ("kWh", "production", "CN-SD"),
        ("tkm", "distribution", None)]


def test_a_file_reports_shape_and_names_in_one_round(clients):
    """A bad unit (shape) and an unknown input (a name the plugins know) in one answer."""
    content = "投入,数量,单位,阶段\nelectricity,1,kwh,生产\nsteel,2,kg,生产\n".encode()
    page = text_of(upload(in_chinese(clients["orchard"]), "bom.csv", content))
    assert "第 2 行 · 单位 列" in page and "第 3 行 · 投入 列" in page


# A Chinese co-operative's file: a misspelt carton, a stage the platform does not have, and
# an input nothing is called. What the answer suggests is what the file may say instead.
ORANGE_FILE = ("产品名称,脐橙\n产品类别,柑橘\n声明单位,1,kg\n地区,四川\n因子年份,2022\n"
               "参数.yield_kg_per_ha,30000\n投入,数量,单位,阶段\n电力,1,千瓦时,生产\n"
               "{carton},0.05,kg,包装\n电力,1,千瓦时,{stage}\n{pump},1,千瓦时,生产\n")


def listed_problems(page: str) -> dict[str, str]:
    """The problems' list: the place as said (第 9 行 · 投入 列) -> the message."""
    block = re.search(r'id="problems"[^>]*>(.*?)</div>', page, re.S).group(1)
    return {place: " ".join(message.split()) for place, message in
            re.findall(r"<li><code[^>]*>([^<]*)</code>：(.*?)</li>", block, re.S)}


def test_a_chinese_file_is_told_the_chinese_names_it_may_write(service, clients):
    client = in_chinese(clients["orchard"])
    page = text_of(upload(client, "bom.csv", ORANGE_FILE.format(
        carton="纸箱", stage="制造", pump="灌溉泵").encode()))
    assert listed_problems(page) == {
        # 瓦楞纸箱(欧洲平均): the name of oranges/corrugated_board, as the form lists it
        "第 9 行 · 投入 列": "未知的投入“纸箱”，您是否要填“瓦楞纸箱(欧洲平均)”？",
        "第 10 行 · 阶段 列": "未知的阶段“制造”；可填：“原材料获取”、“生产”、“分销”、“包装”、"
                            "“废弃处置”",
        # nothing is called 灌溉泵: a line in kWh is most often electricity, offered first
        "第 11 行 · 投入 列": listed_problems(page)["第 11 行 · 投入 列"]}
    assert listed_problems(page)["第 11 行 · 投入 列"].startswith(
        "未知的投入“灌溉泵”；可填：“电力”、“")
    assert "oranges/" not in page.split('id="problems"')[1].split("</div>")[0]
    # the names suggested are names the file may hold: written so, the same file is read
    response = upload(client, "bom.csv", ORANGE_FILE.format(
        carton="瓦楞纸箱(欧洲平均)", stage="生产", pump="电力").encode())
    submission_id = int(re.search(r"/submissions/(\d+)$", response.headers["Location"])[1])
    bom = subs.get(service.db, service.people["orchard"], submission_id)["bom"]
    assert [(line["input"], line["stage"]) for line in bom["lines"]] == [
        ("electricity", "production"), ("oranges/corrugated_board", "packaging"),
        ("electricity", "production"), ("electricity", "production")]


def test_the_editor_suggests_the_names_its_list_shows(clients):
    page = text_of(in_chinese(clients["orchard"]).post(
        "/producer/submissions/new", data=editor_form(**{"lines-0-input": "铜线",
                                                         "lines-0-unit": "kg"})))
    assert error_slot(page, "lines-0-input") == (
        "未知的投入“铜线”；您是否要填以下之一：“铜(ICE欧盟管材和板材)”、“线性低密度聚乙烯”？")
    # the names of materials/copper and materials/lldpe in the editor's list of inputs
    assert ">铜(ICE欧盟管材和板材) (kg)</option>" in page
    assert ">线性低密度聚乙烯 (kg)</option>" in page


def test_the_api_suggests_codes_which_a_json_body_holds(service, token, make_bom):
    bom = make_bom(lines=[{"input": "铜线", "amount": 1, "unit": "kg", "stage": "生产"},
                          {"input": "电力", "amount": 1, "unit": "千瓦时", "stage": "制造"}])
    for language, guesses, stages in [
            ("zh-CN", "“materials/copper”、“materials/lldpe”",
             "“raw_materials”、“production”、“distribution”、“packaging”、“end_of_life”"),
            (None, '"materials/copper", "materials/lldpe"',
             '"raw_materials", "production", "distribution", "packaging", "end_of_life"')]:
        answer = api_post(service, token, bom, language).get_json()
        problems = {p["where"]: p for p in answer["problems"]}
        assert guesses in problems["lines[0].input"]["message"]
        assert problems["lines[1].stage"]["message"].endswith(stages)
        assert "铜(" not in json.dumps(answer, ensure_ascii=False)


def test_the_line_pickers_name_the_lines(service, clients, make_bom):
    """Evidence and comments are attached to a line chosen by its name, not its code."""
    engine = service.app.extensions["footprint_engine"]
    submission = subs.create_submission(service.db, engine, service.people["orchard"], make_bom(
        lines=[{"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
               {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"},
               {"emission": "N2O", "amount": 1, "unit": "kg", "stage": "production"}]))[0]
    client = in_chinese(clients["orchard"])
    pickers = [text_of(client.get(f"/producer/submissions/{submission['id']}/edit")),
               text_of(client.get(f"/submissions/{submission['id']}"))]
    for page in pickers:
        for said_so in ('<option value="1">第 1 行：电力（电网，千瓦时）</option>',
                        '<option value="2">第 2 行：柴油燃烧</option>',
                        '<option value="3">第 3 行：直接排放：氧化亚氮</option>'):
            assert said_so in page, said_so
        assert ": electricity<" not in page and ": diesel<" not in page


# -- evidence and missing pages ---------------------------------------------------------------

def test_evidence_problems_are_said_in_chinese(service, clients, make_bom):
    engine = service.app.extensions["footprint_engine"]
    submission = subs.create_submission(service.db, engine, service.people["orchard"],
                                        make_bom())[0]
    client = in_chinese(clients["orchard"])
    for data in ({"line": "7", "file": (io.BytesIO(b"MZ"), "tool.exe",
                                          "application/x-msdownload")},
                 {"line": ""}):
        response = client.post(f"/producer/submissions/{submission['id']}/evidence",
                               data=data, content_type="multipart/form-data")
        assert response.status_code == 400
        slots = re.findall(r'<span class="error" id="err-evidence-[^"]*"[^>]*>(.*?)</span>',
                           text_of(response), re.S) or said(text_of(response))
        messages = [m for m in slots if m.strip()]
        assert_chinese(messages)


@pytest.mark.parametrize("path", ["/producer/submissions/999999/edit", "/no/such/page",
                                  "/submissions/999999"])
def test_a_missing_page_is_said_in_chinese(clients, path):
    response = in_chinese(clients["orchard"]).get(path)
    assert response.status_code == 404
    assert_chinese(said(text_of(response)))


# -- the API ----------------------------------------------------------------------------------

@pytest.fixture
def token(service):
    return create_token(service.db, "orchard", "test")


def api_post(service, token, bom, language=None):
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    return service.app.test_client().post("/api/v1/submissions", json=bom, headers=headers)


def test_the_api_answers_the_code_and_the_text_in_the_asked_language(service, token,
                                                                     make_bom):
    bom = make_bom(lines=[{"input": "electricity", "amount": "5,5", "unit": "kwh",
                           "stage": "production"}])
    chinese = api_post(service, token, bom, "zh-CN,zh;q=0.9").get_json()
    english = api_post(service, token, bom, "en").get_json()
    default = api_post(service, token, bom).get_json()
    assert english == default  # a program that asks for no language reads English
    assert chinese["error"] == "输入有误" and english["error"] == "invalid input"
    zh = {p["where"]: p for p in chinese["problems"]}
    en = {p["where"]: p for p in english["problems"]}
    assert set(zh) == set(en) == {"lines[0].amount", "lines[0].unit"}
    unit_code = '%(kind)s "%(word)s" unknown, did you mean "%(guess)s"?'
    assert en["lines[0].unit"] == {
        "where": "lines[0].unit", "place": "line 1 · unit", "code": unit_code,
        "message": 'unit "kwh" unknown, did you mean "kWh"?',
        "params": {"kind": "unit", "word": "kwh", "guess": "kWh"}}
    assert zh["lines[0].unit"] == {
        "where": "lines[0].unit", "place": "第 1 行 · 计量单位", "code": unit_code,
        "message": "未知的计量单位“kwh”，您是否要填“kWh”？",
        "params": {"kind": "计量单位", "word": "kwh", "guess": "kWh"}}
    assert zh["lines[0].amount"]["code"] == en["lines[0].amount"]["code"] == \
        "must be a number, not %(value)s"
    assert en["lines[0].amount"]["message"] == 'must be a number, not "5,5"'
    assert_chinese([p["message"] for p in chinese["problems"]])


def test_the_api_says_a_missing_submission_in_chinese(service, token):
    response = service.app.test_client().get(
        "/api/v1/submissions/999999",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh"})
    assert response.status_code == 404
    # the documented shape, as every error has it: its id and values, no place to name
    assert response.get_json() == {"error": "没有这份申报", "code": "no such submission",
                                   "params": {}, "problems": []}


ZH = {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize("authorization, said, code", [
    (None, "需要持有者令牌：请发送请求头“Authorization: Bearer <令牌>”（令牌由 footprint tokens "
           "create USER 生成）", 'a bearer token is required: send the header "Authorization: '
                               'Bearer <token>" (footprint tokens create USER)'),
    ("Bearer fpt_not-a-real-token", "持有者令牌无效（未知、已吊销，或其用户已停用）",
     "the bearer token is not valid (unknown, revoked, or its user is deactivated)"),
], ids=["no token", "a wrong token"])
def test_a_refused_token_is_said_in_chinese_at_the_authorization_header(service, authorization,
                                                                        said, code):
    headers = {**ZH, **({"Authorization": authorization} if authorization else {})}
    response = service.app.test_client().get("/api/v1/submissions", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {
        "error": said, "code": code, "params": {},
        "problems": [{"where": "Authorization", "place": "请求头 Authorization",
                      "message": said, "code": code, "params": {}}]}


def test_a_body_over_the_limit_is_said_in_chinese_with_its_place(service, token, make_bom):
    big = make_bom()
    big["lines"][0]["note"] = "x" * (1024 * 1024)
    response = service.app.test_client().post(
        "/api/v1/submissions", json=big, headers={**ZH, "Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    answer = response.get_json()
    assert answer["error"] == "请求正文超出上限 1,048,576 字节（1 MB）"
    assert answer["params"] == {"limit": 1048576, "megabytes": 1.0}
    assert [(p["where"], p["place"], p["message"]) for p in answer["problems"]] == [
        ("body", "请求正文", "请求正文超出上限 1,048,576 字节（1 MB）")]


@pytest.mark.parametrize("body, where, chinese, english", [
    ('{"region": "CN-SC",}', "body",
     "请求正文不是有效的 JSON：第 1 行第 20 列，此处应为用双引号括起的字段名",
     "the body is not valid JSON: Expecting property name enclosed in double quotes at line "
     "1, column 20"),
    ('{"region" "CN-SC"}', "body", "请求正文不是有效的 JSON：第 1 行第 11 列，此处缺少冒号“:”",
     "the body is not valid JSON: Expecting ':' delimiter at line 1, column 11"),
    ("[]", "body", "请求正文必须是 JSON 对象", "the body must be a JSON object"),
    ("null", "body", "请求正文必须是 JSON 对象", "the body must be a JSON object"),
], ids=["trailing comma", "no colon", "an array", "null"])
def test_a_body_that_is_no_json_object_is_said_in_the_asked_language(service, token, body,
                                                                     where, chinese, english):
    said = {}
    for language in ("zh-CN", "en"):
        response = service.app.test_client().post(
            "/api/v1/submissions", data=body, headers={
                "Content-Type": "application/json", "Accept-Language": language,
                "Authorization": f"Bearer {token}"})
        assert response.status_code == 400
        said[language] = [(p["where"], p["message"]) for p in response.get_json()["problems"]]
    assert said == {"zh-CN": [(where, chinese)], "en": [(where, english)]}
    assert english_in(QUOTED.sub("", chinese)) == []  # no parser's English in the Chinese


def test_a_factor_year_without_factors_is_the_factor_year_s_problem_in_the_api(service, token):
    bom = json.loads((SAMPLES / "sichuan_machined_part.json").read_text("utf-8"))
    bom["factor_year"] = 1990
    answer = api_post(service, token, bom, "zh-CN").get_json()
    assert [(p["where"], p["place"], p["message"]) for p in answer["problems"]] == [
        ("factor_year", "因子年份", "第 1 行：CN-SC 没有 1990 年的基于位置（电网平均）电力排放因子；"
                                 "已发布年份：2021、2022、2023")]


def test_a_producer_asking_for_loan_products_is_told_about_loan_products(service, token):
    client = service.app.test_client()
    headers = {**ZH, "Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/loan-products", headers=headers)
    priced = client.post("/api/v1/loan-decisions", json={}, headers=headers)
    borrowers = client.get("/api/v1/borrowers", headers=headers)
    assert [(r.status_code, r.get_json()["error"]) for r in (listed, priced, borrowers)] == [
        (403, "只有银行用户可以查看和设立贷款产品"), (403, "只有银行用户可以为贷款定价"),
        (403, "只有银行用户可以查看授权的碳账户")]


def test_a_bound_is_a_plain_number_with_thousands_separators(service):
    seed_user(service.db, "ruralbank", "bank", "Chengdu Rural Commercial Bank", "x" * 12)
    bank_token = create_token(service.db, "ruralbank", "test")
    body = {"loan_product": 1, "borrower": 1, "principal": 1e14, "year": 2025}
    answers = {language: service.app.test_client().post(
        "/api/v1/loan-decisions", json=body, headers={
            "Accept-Language": language, "Authorization": f"Bearer {bank_token}"}).get_json()
        for language in ("zh", "en")}
    assert [(p["where"], p["message"], p["params"]) for p in answers["zh"]["problems"]] == [
        ("principal", "须在 0.01 至 10,000,000,000,000 之间。", {"min": 0.01, "max": 1e13})]
    assert answers["en"]["problems"][0]["message"] == (
        "Must be greater than or equal to 0.01 and less than or equal to 10,000,000,000,000.")


# -- the core: names people use, and suggestions ----------------------------------------------

def problems_of(engine, bom) -> dict[str, Message]:
    with pytest.raises(InvalidInput) as raised:
        engine.resolve(parse_bom(bom, keep_going=True))
    return {p.where: p.message for p in raised.value.problems}


def offered(message: Message) -> list[str]:
    """The codes a message offers, in its order: the one it suggests, the ones it asks
    between, or the valid ones it lists (each said by its name: tests below)."""
    params = message.params
    items = [params["guess"]] if "guess" in params else \
        params.get("guesses") or params.get("valid") or []
    items = [i.params["name"] if isinstance(i, Message) else i for i in items if i != "..."]
    return [getattr(i, "code", str(i).strip('"')) for i in items]


def test_cn_sch_suggests_sichuan_not_shanghai(engine, make_bom):
    found = problems_of(engine, make_bom(region="CN-SCH", lines=[
        {"input": "electricity", "amount": 1, "unit": "kWh", "stage": "production",
         "region": "CN-SCH"}]))
    assert found == {"region": 'region "CN-SCH" unknown, did you mean "CN-SC"?',
                     "lines[0].region": 'region "CN-SCH" unknown, did you mean "CN-SC"?'}


def test_an_unknown_input_offers_inputs_of_its_dimension_and_category_first(engine, make_bom):
    # a generic product: nothing is called gizmo; the mass inputs of generic products lead
    generic = problems_of(engine, make_bom(lines=[
        {"input": "gizmo", "amount": 1, "unit": "kg", "stage": "production"}]))
    message = generic["lines[0].input"]
    assert message.id == '%(kind)s "%(word)s" unknown; valid: %(valid)s%(more)s'
    assert offered(message)[0] == "diesel"
    # said by their names, which the form shows and a file may hold
    assert message.startswith('input "gizmo" unknown; valid: "Diesel, burned in machinery or '
                              'a boiler", ')
    assert said_in(message, "zh").startswith("未知的投入“gizmo”；可填：“柴油燃烧”、")
    # a steel product: its category's own mass inputs lead, then the generic ones (the core's
    # diesel, the material library's materials/...), each group in alphabetical order
    steel = problems_of(engine, make_bom(product={"name": "钒钢", "category": "steel_vanadium"},
                                         declared_unit={"amount": 1, "unit": "t"}, lines=[
        {"input": "gizmo", "amount": 1, "unit": "t", "stage": "production"}]))
    listed = offered(steel["lines[0].input"])
    assert listed[:2] == ["steel_vanadium.ferrosilicon", "steel_vanadium.purchased_coke"]
    own = [name for name in listed if name.startswith("steel_vanadium.")]
    assert listed[:len(own)] == own and listed[len(own)] == "diesel"
    assert listed[len(own) + 1].startswith("materials/")
    assert not any(name.startswith(("batteries", "oranges")) for name in listed)
    # a line in kWh is most often electricity: offered first, as 电力
    energy = problems_of(engine, make_bom(lines=[
        {"input": "gizmo", "amount": 1, "unit": "kWh", "stage": "production"}]))
    assert offered(energy["lines[0].input"])[0] == "electricity"
    assert said_in(energy["lines[0].input"], "zh").startswith("未知的投入“gizmo”；可填：“电力”、")
    # a near miss of a category's process is still offered
    near = problems_of(engine, make_bom(lines=[
        {"input": "steel_vanadium.vanadium_slagg", "amount": 1, "unit": "kg",
         "stage": "production"}]))
    assert offered(near["lines[0].input"]) == ["steel_vanadium.vanadium_slag"]


def test_steel_in_either_language_offers_the_library_steels(engine, make_bom):
    """"steel" and 钢材 (steel products) name no input; the material library's steels are
    offered, not nothing and not copper (材 names no kind of material)."""
    found = problems_of(engine, make_bom(lines=[
        {"input": "steel", "amount": 2, "unit": "kg", "stage": "raw_materials"},
        {"input": "钢材", "amount": 2, "unit": "kg", "stage": "raw_materials"}]))
    for where in ("lines[0].input", "lines[1].input"):
        assert found[where].id.endswith("did you mean one of %(guesses)s?")
        codes = offered(found[where])
        assert any(name.startswith("materials/steel_") for name in codes), found[where]
        assert "materials/copper" not in codes
        # no category's own process is offered as steel for a generic product
        assert "steel_vanadium.purchased_coke" not in codes


def test_every_name_a_problem_suggests_is_read_back_as_its_code(registry, make_bom):
    """A suggestion is only of use if what it says can be written: each input's and
    category's name a problem says is read as that input or category again."""
    from footprint.engine.names import named_categories, named_inputs, with_codes

    named = named_inputs(registry)
    assert named["electricity"] == Named("electricity", "电力", "electricity")
    assert (named["diesel"].zh, named["diesel"].en) == (
        "柴油燃烧", "Diesel, burned in machinery or a boiler")
    # the field-N2O processes of each climate share their Chinese name: said by their codes
    assert named["oranges/field_n2o/direct_synthetic/wet_climate"].zh == ""
    written = [(n.code, name) for n in named.values() for name in (n.zh, n.en) if name]
    assert len(written) > 150
    bom = with_codes(parse_bom(make_bom(lines=[
        {"input": name, "amount": 1, "unit": "kg", "stage": "生产"} for _code, name in written])),
        registry)
    assert [line.input for line in bom.lines] == [code for code, _name in written]
    assert named_categories(registry)["oranges"] == Named("oranges", "柑橘（鲜果）",
                                                          "Oranges (citrus fruit)")
    for category in named_categories(registry).values():
        for name in (category.zh, category.en):
            found = with_codes(parse_bom(make_bom(product={"name": "x", "category": name})),
                               registry)
            assert found.product["category"] == category.code


def test_regions_units_stages_and_choices_by_their_chinese_names(engine, make_bom):
    bom = make_bom(region="四川省", lines=[
        {"input": "electricity", "amount": 1, "unit": "千瓦时", "stage": "生产",
         "region": "Shandong"},
        {"input": "road_freight", "amount": 1, "unit": "吨公里", "stage": "分销"}])
    resolved = engine.resolve(parse_bom(bom))
    assert resolved.bom.region == "CN-SC"
    assert [(rl.line.unit, rl.line.stage, rl.line.region) for rl in resolved.lines] == [
        ("kWh", "production", "CN-SD"), ("tkm", "distribution", None)]
    assert resolved.bom.canonical["region"] == "CN-SC"
    oranges = make_bom(product={"name": "脐橙", "category": "oranges"}, lines=[],
                       parameters={"yield_kg_per_ha": 30000, "ef1": "湿润气候分解值",
                                   "gate": "farm gate",
                                   "fertilisers": [{"product": "尿素", "kg_per_ha": 100}]})
    expanded = engine.resolve(parse_bom(oranges)).bom
    assert expanded.canonical["parameters"]["ef1"] == "wet_climate"
    assert expanded.canonical["parameters"]["gate"] == "farm_gate"
    assert expanded.canonical["parameters"]["fertilisers"][0]["product"] == "urea"



def test_categories_and_inputs_by_the_names_the_form_shows(engine, make_bom):
    bom = make_bom(product={"name": "脐橙", "category": "柑橘"}, lines=[
        {"input": "电力", "amount": 1, "unit": "千瓦时", "stage": "生产"},
        {"input": "柴油燃烧", "amount": 1, "unit": "千克", "stage": "分销"},
        {"input": "Rail freight, China", "amount": 1, "unit": "吨公里", "stage": "分销"},
        {"input": "尿素制造", "amount": 1, "unit": "kg", "stage": "生产"}],
        parameters={"yield_kg_per_ha": 30000})
    resolved = engine.resolve(parse_bom(bom))
    assert resolved.bom.product["category"] == "oranges"
    assert resolved.bom.canonical["product"]["category"] == "oranges"
    assert [raw["input"] for raw in resolved.bom.canonical["lines"]] == [
        "electricity", "diesel", "rail_freight", "oranges/fertiliser/urea_n"]
    # a name several inputs share names none of them: ten field-N2O processes read alike
    shared = make_bom(product={"name": "脐橙", "category": "柑橘(鲜果)"}, lines=[
        {"input": "化肥氮直接N2O排放(每千克氮)", "amount": 1, "unit": "kg", "stage": "生产"}],
        parameters={"yield_kg_per_ha": 30000})
    problems = problems_of(engine, shared)
    assert list(problems) == ["lines[0].input"]
    assert "化肥氮直接N2O排放(每千克氮)" in problems["lines[0].input"]


# -- times ------------------------------------------------------------------------------------

def test_times_are_shown_in_the_platforms_time_zone(service, monkeypatch):
    from flask import render_template_string
    stamp = "2026-03-01T20:30:00+00:00"
    monkeypatch.delenv("FOOTPRINT_TIME_ZONE", raising=False)
    assert display.zone_key() == "Asia/Shanghai"
    assert display.time_text(stamp) == "2026-03-02 04:30"  # UTC+8
    template = "{{ stamp|china_time }}"
    with service.app.test_request_context(headers={"Accept-Language": "zh"}):
        assert render_template_string(template, stamp=stamp) == "2026-03-02 04:30（北京时间）"
    monkeypatch.setenv("FOOTPRINT_TIME_ZONE", "Asia/Urumqi")
    assert display.time_text(stamp) == "2026-03-02 02:30"  # UTC+6
    assert display.date_text("2026-03-01T17:30:00Z") == "2026-03-01"
    with service.app.test_request_context(headers={"Accept-Language": "zh"}):
        assert render_template_string(template, stamp=stamp) == "2026-03-02 02:30（乌鲁木齐时间）"
    with service.app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(template, stamp=stamp) == "2026-03-02 02:30 (Ürümqi Time)"


# -- a result's notes -------------------------------------------------------------------------

def test_a_results_notes_are_said_in_the_readers_language(service, clients, make_bom):
    """Tibet has no published factor: the note saying whose stands in is stored in English
    with its message, and a Chinese page says it in Chinese."""
    engine = service.app.extensions["footprint_engine"]
    bom = make_bom(lines=[{"input": "electricity", "amount": 10, "unit": "kWh",
                           "stage": "production", "region": "CN-XZ"}])
    submission, _created = subs.create_submission(service.db, engine,
                                                  service.people["orchard"], bom)
    result = subs.latest_result(service.db, submission)
    assert result["notes"][0].startswith(
        "line 1: Tibet (Xizang) (CN-XZ) has no location-based factor; that of Southwest grid")
    assert result["note_messages"][0]["message"] == "%(where)s: %(note)s"

    def notes(client):
        """The notes on data quality the page shows at their line (and the general ones)."""
        page = text_of(client.get(f"/submissions/{submission['id']}"))
        found = re.findall(r'<span class="line-detail quality">(.*?)</span>', page, re.S)
        block = re.search(r'<ul id="notes">(.*?)</ul>', page, re.S)
        found += re.findall(r"<li>(.*?)</li>", block.group(1), re.S) if block else []
        return [" ".join(re.sub(r"<[^>]+>", " ", n).split()) for n in found]

    chinese = notes(in_chinese(clients["orchard"]))
    assert chinese[0].startswith("第 1 行：西藏（CN-XZ）没有")
    assert "西南" in chinese[0] and "生态环境部未发布西藏的电网排放因子" in chinese[0]
    assert_chinese(chinese)
    clients["orchard"].set_cookie("lang", "en")
    assert notes(clients["orchard"]) == result["notes"]
