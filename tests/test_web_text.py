"""Text people type and others read, through the API and the pages: NUL and U+202E (and the
other invisible controls) refused with the field and the character's place, in Chinese and
English on pages, nothing stored; names NFC-normalised; and what is already stored (a name
signed into an older label) never written raw into a page."""
from __future__ import annotations

import io
import json

import pytest

from footprint.labels import to_b32
from footprint.usecases import submissions as subs
from footprint.usecases.tokens import create_token
from footprint.usecases.labels import for_submission
from tests.conftest import editor_form, error_slot, text_of

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

TABLES = ("products", "submissions", "comments", "evidence", "audit_events", "organisations",
          "users")
RLO, NUL = "\u202e", "\u0000"


def counts(db) -> dict:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def token(service):
    return create_token(service.db, "orchard", "test")


def post_bom(service, token, bom):
    return service.app.test_client().post("/api/v1/submissions", json=bom,
                                          headers={"Authorization": f"Bearer {token}"})


# -- the API -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    (f"Gear{NUL}blank", "contains an invisible control character: U+0000 (NULL) at "
                        "character 5"),
    (f"Gear{RLO}knalb", "contains an invisible control character: U+202E (RIGHT-TO-LEFT "
                        "OVERRIDE) at character 5"),
])
def test_a_bom_over_the_api_with_nul_or_rlo_in_its_name_is_refused(service, token, make_bom,
                                                                   name, message):
    before = counts(service.db)
    response = post_bom(service, token, make_bom(product={"name": name, "category": "generic"}))
    assert response.status_code == 400
    character = message.partition(": ")[2]  # each problem also carries its message's id
    assert response.get_json() == {"error": "invalid input", "code": "invalid input",
                                   "params": {}, "problems": [
        {"where": "product.name", "place": "product name", "message": message,
         "code": "contains an invisible control character: %(listed)s",
         "params": {"listed": character}}]}
    assert counts(service.db) == before


def test_the_raw_json_escape_of_nul_is_refused_too(service, token, make_bom):
    body = json.dumps(make_bom(product={"name": "Gear blank", "name_zh": "齿轮毛坯",
                                        "category": "generic"}), ensure_ascii=False)
    body = body.replace("齿轮毛坯", "齿轮\\u0000毛坯\\u202e")
    response = service.app.test_client().post(
        "/api/v1/submissions", data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    [problem] = response.get_json()["problems"]
    assert problem["where"] == "product.name_zh"
    assert problem["message"] == ("contains 2 invisible control characters: U+0000 (NULL) at "
                                  "character 3, U+202E (RIGHT-TO-LEFT OVERRIDE) at character 6")


def test_a_name_is_stored_nfc(service, token, make_bom):
    response = post_bom(service, token, make_bom(
        product={"name": "Cre\u0300me bru\u0302le\u0301e", "category": "generic"}))
    assert response.status_code == 201
    assert response.get_json()["product_name"] == "Cr\u00e8me br\u00fbl\u00e9e"
    [stored] = [r["name"] for r in service.db.query("SELECT name FROM products")]
    assert stored == "Cr\u00e8me br\u00fbl\u00e9e"


def test_notes_and_reasons_over_the_api_refuse_controls_and_keep_lines(service, token,
                                                                        make_bom):
    client = service.app.test_client()
    sid = post_bom(service, token, make_bom()).get_json()["id"]
    auditor = {"Authorization": f"Bearer {create_token(service.db, 'auditor', 'test')}"}
    orchard = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=orchard,
                       json={"verifier_org": "Sichuan Carbon Verification"}).status_code == 200
    refused = client.post(f"/api/v1/submissions/{sid}/return", headers=auditor,
                          json={"reason": f"see{RLO} line 1"})
    assert refused.status_code == 400
    assert [{k: p[k] for k in ("where", "message")} for p in refused.get_json()["problems"]] \
        == [{"where": "reason", "message": ("contains an invisible control character: U+202E "
                                            "(RIGHT-TO-LEFT OVERRIDE) at character 4")}]
    returned = client.post(f"/api/v1/submissions/{sid}/return", headers=auditor,
                           json={"reason": "meter photo:\r\nunreadable"})
    assert returned.status_code == 200
    assert returned.get_json()["audit_trail"][-1]["reason"] == "meter photo:\r\nunreadable"


# -- pages -------------------------------------------------------------------------------------

def test_the_form_refuses_rlo_and_nul_in_chinese_and_english(service, clients):
    before = counts(service.db)
    client = clients["orchard"]
    client.set_cookie("lang", "zh")
    response = client.post("/producer/submissions/new",
                           data=editor_form(**{"product-name": f"ab{RLO}cd",
                                               "product-name_zh": f"齿轮{NUL}"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_slot(page, "product-name") == \
        "含有不可见的控制字符：第 3 个字符 U+202E（RIGHT-TO-LEFT OVERRIDE）"
    assert error_slot(page, "product-name_zh") == \
        "含有不可见的控制字符：第 3 个字符 U+0000（NULL）"
    assert RLO not in page and NUL not in page  # the value typed comes back visible
    assert 'value="ab\ufffdcd"' in page
    client.set_cookie("lang", "en")
    page = client.post("/producer/submissions/new", data=editor_form(
        **{"product-name": f"ab{RLO}c{RLO}d"})).get_data(as_text=True)
    assert error_slot(page, "product-name") == (
        "contains 2 invisible control characters: U+202E (RIGHT-TO-LEFT OVERRIDE) at "
        "character 3, U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5")
    assert counts(service.db) == before


def test_the_live_preview_says_it_in_the_reader_s_language(clients):
    client = clients["orchard"]
    client.set_cookie("lang", "zh")
    response = client.post("/producer/preview", data=editor_form(
        **{"product-name": f"ab{RLO}"}))
    assert response.status_code == 400
    [problem] = [p for p in response.get_json()["problems"] if p["where"] == "product.name"]
    assert problem["message"] == \
        "含有不可见的控制字符：第 3 个字符 U+202E（RIGHT-TO-LEFT OVERRIDE）"


def test_an_organisation_or_user_name_with_controls_is_refused_on_the_admin_page(
        service, clients):
    before = counts(service.db)
    admin = clients["admin"]
    admin.set_cookie("lang", "zh")
    response = admin.post("/admin/organisations", data={
        "name": f"Chengdu{NUL} Gears", "kind": "enterprise", "region": "", "credit_code": ""})
    assert response.status_code == 400
    page = text_of(response)
    assert "<code>名称</code>：含有不可见的控制字符：第 8 个字符 U+0000（NULL）" in page
    admin.set_cookie("lang", "en")
    response = admin.post("/admin/organisations", data={
        "name": f"Chengdu {RLO}sraeG", "kind": "enterprise", "region": "", "credit_code": ""})
    assert response.status_code == 400
    assert ("<code>name</code>: contains an invisible control character: U+202E "
            "(RIGHT-TO-LEFT OVERRIDE) at character 9") in text_of(response)
    orgs = {o["name"]: o["id"] for o in service.db.query("SELECT * FROM organisations")}
    response = admin.post("/admin/users", data={
        "username": "gears", "display_name": f"Wang{RLO}", "role": "producer",
        "org": str(orgs["Pujiang Orchard Co-op"]), "password": "a long enough password"})
    assert response.status_code == 400
    assert "<code>display name</code>: contains an invisible control character: U+202E" in \
        text_of(response)
    assert counts(service.db) == before
    created = admin.post("/admin/organisations", data={
        "name": "Chengdu Cafe\u0301 Gears", "kind": "enterprise", "region": "",
        "credit_code": ""})
    assert created.status_code == 302
    assert service.db.execute("SELECT COUNT(*) FROM organisations WHERE name = ?",
                              ["Chengdu Caf\u00e9 Gears"]).fetchone()[0] == 1


def test_comments_reasons_and_file_names_with_controls_are_refused(service, clients,
                                                                    make_bom):
    engine = service.app.extensions["footprint_engine"]
    sub, _ = subs.create_submission(service.db, engine, service.people["orchard"], make_bom())
    sid = sub["id"]
    before = counts(service.db)
    orchard = clients["orchard"]
    orchard.set_cookie("lang", "zh")
    response = orchard.post(f"/submissions/{sid}/comments", data={"body": f"ok{NUL}", "line": ""})
    assert response.status_code == 400
    assert "含有不可见的控制字符：第 3 个字符 U+0000（NULL）" in text_of(response)
    response = orchard.post(f"/producer/submissions/{sid}/evidence", data={
        "line": "", "file": (io.BytesIO(b"%PDF-1.4"), f"invoice{RLO}fdp.exe",
                             "application/pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "第 8 个字符 U+202E（RIGHT-TO-LEFT OVERRIDE）" in text_of(response)
    response = orchard.post(f"/submissions/{sid}/submit", data={
        "reason": f"please{RLO}", "verifier_org": "Sichuan Carbon Verification"})
    assert response.status_code == 400
    assert "第 7 个字符 U+202E（RIGHT-TO-LEFT OVERRIDE）" in text_of(response)
    assert counts(service.db) == before
    # line breaks are what a comment is made of
    assert orchard.post(f"/submissions/{sid}/comments",
                        data={"body": "line one\r\nline two", "line": ""}).status_code == 302


# -- what is already stored is never written raw ---------------------------------------------

def test_a_name_signed_into_an_older_label_is_shown_without_its_controls(service, client,
                                                                         issuer, approve,
                                                                         make_bom):
    db = service.db
    sub = approve(make_bom(product={"name": "Gear blank", "name_zh": "齿轮毛坯",
                                    "category": "generic"}), issuer)
    label = for_submission(db, sub["id"])
    # as a label issued before names were checked carries them
    claims = json.loads(db.execute("SELECT claims_json FROM labels WHERE id = ?",
                                   [label["id"]]).fetchone()[0])
    claims.update(product_name_zh=f"齿轮{RLO}坯毛", producer_name=f"Pujiang{NUL} Orchard")
    db.execute("UPDATE labels SET claims_json = ? WHERE id = ?",  # NUL as JSON's \u0000
               [json.dumps(claims, ensure_ascii=False), label["id"]])
    db.conn.commit()
    response = client.get(f"/L/{to_b32(label['cose'])}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert RLO not in page and NUL not in page
    assert "齿轮\ufffd坯毛" in page and "Pujiang\ufffd Orchard" in page
