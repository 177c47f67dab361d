"""The shared submission page and the verifier, reviewer and admin pages, through the Flask
test client: the whole flow, the full denial matrix (role x action x state), administration,
and the page in Chinese and English.

Hand-calculated values (factors cited from the result's own sources):
  100 kWh x 0.1404 kg CO2/kWh (MEE announcement 2024 No. 33, Sichuan 2022) = 14.04 kg CO2e
  10 kg diesel x 3.1863 kg CO2/kg (IPCC 2006: 74.1 kg CO2/GJ x 43.0 GJ/t / 1000) = 31.863
  12 kg diesel x 3.1863 = 38.2356
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po

from footprint.errors import InvalidInput
from footprint.usecases import actions
from footprint.usecases import review, security
from footprint.labels import generate
from footprint.usecases import submissions as subs
from footprint.usecases.tokens import create_token
from footprint.usecases.revoking import MAX_REASON as MAX_REVOKE_REASON
from footprint.workflow import MAX_REASON
from web.i18n import page_to_come_back_to
from tests.conftest import (ENGINES, PASSWORD, PEOPLE, app_on, csrf_token, log_in_with_token,
                            log_in, pg_copy, qualify_everywhere, text_of)

ROOT = Path(__file__).resolve().parent.parent
SICHUAN_BODY = "Sichuan Carbon Verification"
EVIDENCE = b"%PDF-1.4 meter reading, March: 100 kWh"

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL


def workflow_bom(make_bom, diesel_kg=10.0):
    return make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production",
         "note": "metered"},
        {"input": "diesel", "amount": diesel_kg, "unit": "kg", "stage": "distribution"}])


def engine_of(service):
    return service.app.extensions["footprint_engine"]


def body_id(db, name=SICHUAN_BODY) -> int:
    return next(db.query("SELECT id FROM organisations WHERE name = ?", [name]))["id"]


def table_rows(page: str, table_id: str) -> list[str]:
    """The text of each body row of <table id=table_id>, tags stripped."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def line_blocks(page: str) -> list[tuple[int, str]]:
    """(line number, text) of each line of the ranked lines table, in the page's order."""
    return [(int(number), " ".join(re.sub(r"<[^>]+>", " ", body).split()))
            for number, body in re.findall(r'<tbody id="line-(\d+)"[^>]*>(.*?)</tbody>', page,
                                           re.S)]


def stage_row(page: str, stage: str) -> str:
    return re.search(rf'<tr data-stage="{stage}">(.*?)</tr>', page, re.S).group(1)


def offered_actions(page: str, submission_id: int) -> set[str]:
    return {a for a in ("submit", "verify", "approve", "return")
            if f'action="/submissions/{submission_id}/{a}"' in page}


def snapshot(db, submission_id: int) -> tuple:
    """Everything a denied request must leave alone."""
    return (next(db.query("SELECT * FROM submissions WHERE id = ?", [submission_id])),
            list(db.query("SELECT * FROM audit_events WHERE submission_id = ? ORDER BY id",
                          [submission_id])),
            list(db.query("SELECT * FROM comments WHERE submission_id = ? ORDER BY id",
                          [submission_id])),
            list(db.query("SELECT id, sha256 FROM evidence WHERE submission_id = ?",
                          [submission_id])))


def issuer_key(home) -> None:
    """The platform's issuer key: approval issues a signed label (tests/test_web_labels.py)."""
    generate(home, "CN-SC", "Sichuan platform", "CN-SC")


# -- the whole flow --------------------------------------------------------------------------

def test_whole_flow_through_the_pages(service, clients, make_bom):
    issuer_key(service.home)
    db, people = service.db, service.people
    orchard, auditor, reviewer = clients["orchard"], clients["auditor"], clients["reviewer"]
    sub, _ = subs.create_submission(db, engine_of(service), people["orchard"],
                                    workflow_bom(make_bom, diesel_kg=12))
    sid = sub["id"]
    evidence_id = review.add_evidence(db, people["orchard"], sid, "meter-march.pdf",
                                      "application/pdf", EVIDENCE, line=1)
    url = f"/submissions/{sid}"
    orchard.get("/lang/en")
    auditor.get("/lang/en")
    reviewer.get("/lang/en")

    # draft: the producer sees the submit form with a choice of the two accounting bodies
    page = text_of(orchard.get(url))
    assert 'class="status status-draft"' in page and offered_actions(page, sid) == {"submit"}
    assert SICHUAN_BODY in page and "Chongqing Carbon Audit" in page
    assert "meter-march.pdf" in page
    # 100 kWh x 0.1404 = 14.04; 12 kg x 3.1863 = 38.2356; total 52.2756,
    # to 3 significant figures: 52.3
    assert "52.3" in re.search(r'<p class="headline" id="total">(.*?)</p>', page, re.S).group(1)

    # with two bodies and none named, the core refuses: 400 on the page, nothing changes
    before = snapshot(db, sid)
    response = orchard.post(f"{url}/submit")
    assert response.status_code == 400
    assert "verifier_org" in text_of(response)
    assert snapshot(db, sid) == before

    response = orchard.post(f"{url}/submit", data={"verifier_org": body_id(db)})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = text_of(orchard.get(url))
    assert "Submitted for verification." in page
    assert 'id="status"><span class="status status-submitted"' in page
    assert offered_actions(page, sid) == set()

    # the assigned body's queue lists it; the other body's does not
    queue = text_of(auditor.get("/verifier/"))
    assert f'href="/submissions/{sid}"' in queue.split('id="handled"')[0]
    assert f'href="/submissions/{sid}"' not in text_of(clients["auditor2"].get("/verifier/"))
    page = text_of(auditor.get(url))
    assert offered_actions(page, sid) == {"verify", "return"}

    # a return needs a reason: 400 shown on the page, nothing changes
    before = snapshot(db, sid)
    response = auditor.post(f"{url}/return", data={"reason": "  "})
    assert response.status_code == 400 and "reason" in text_of(response)
    assert snapshot(db, sid) == before
    response = auditor.post(f"{url}/return",
                            data={"reason": "diesel invoice for line 2 missing"})
    assert response.status_code == 302
    response = auditor.post(f"{url}/comments", data={"body": "12 kg looks high", "line": "2"})
    assert response.status_code == 302
    assert [(c["line"], c["body"]) for c in db["comments"].rows] == [(2, "12 kg looks high")]

    page = text_of(orchard.get(url))
    assert 'id="status"><span class="status status-returned"' in page
    assert "diesel invoice for line 2 missing" in page
    assert offered_actions(page, sid) == {"submit"}
    line_2 = page.split('id="line-2"')[1].split('id="line-3"')[0].split("</table>")[0]
    assert "12 kg looks high" in line_2

    # the producer revises (core) and resubmits; the core keeps the body that returned it
    subs.revise(db, engine_of(service), people["orchard"], sid, workflow_bom(make_bom))
    response = orchard.post(f"{url}/submit")
    assert response.status_code == 302
    assert db["submissions"].get(sid)["verifier_org_id"] == body_id(db)

    # the body sees what the revision changed against the revision it returned: the total
    # 52.2756 -> 14.04 + 31.863 = 45.903 (52.3 -> 45.9 shown), (45.903 - 52.2756) / 52.2756
    # = -12.2 %;
    # line 2's diesel 12 kg -> 10 kg; line 1 (unchanged) is not listed
    changes = text_of(auditor.get(url)).split('id="changes"')[1].split("</section>")[0]
    assert "Changes since revision 1" in changes
    total = " ".join(re.sub(r"<[^>]+>", " ", changes.split('id="change-total">')[1]
                            .split("</summary>")[0]).split())
    assert total.startswith("Total: 52.3 → 45.9") and "(-12.2 %)" in total
    assert "diesel invoice for line 2 missing" in changes
    listed = [" ".join(re.sub(r"<[^>]+>", " ", item).split())
              for item in re.findall(r'<li class="change-(?:\w+)">(.*?)</li>', changes, re.S)]
    assert len(listed) == 1, listed
    assert listed[0].startswith("Line 2 changed: Diesel, burned in machinery or a boiler")
    assert "12 kg" in listed[0].split("→")[0] and "10 kg" in listed[0].split("→")[1]

    response = auditor.post(f"{url}/verify", data={"reason": "invoices match the meter",
                                                   "checklist": list(actions.VERIFY_CHECKLIST)})
    assert response.status_code == 302
    page = text_of(auditor.get(url))
    assert 'id="status"><span class="status status-verified"' in page
    record = page.split('id="record"')[1].split("</section>")[0]
    assert "Verified by" in record and "auditor" in record and SICHUAN_BODY in record
    assert "invoices match the meter" in record

    # the reviewer's queue, then approval
    assert f'href="/submissions/{sid}"' in text_of(reviewer.get("/reviewer/")).split(
        'id="decided"')[0]
    assert offered_actions(text_of(reviewer.get(url)), sid) == {"approve", "return"}
    response = reviewer.post(f"{url}/approve")
    assert response.status_code == 302
    page = text_of(reviewer.get(url))
    assert 'id="status"><span class="status status-issued"' in page  # approval issued a label
    assert offered_actions(page, sid) == set()
    decided = text_of(reviewer.get("/reviewer/")).split('id="decided"')[1]
    assert f'href="/submissions/{sid}"' in decided and "approved" in decided

    # the audit trail: every transition with actor, from, to and reason, on the page and stored
    expected = [("create", "orchard", None, "draft", None),
                ("submit", "orchard", "draft", "submitted", None),
                ("return", "auditor", "submitted", "returned", "diesel invoice for line 2 missing"),
                ("revise", "orchard", "returned", "returned", "revision 2"),
                ("submit", "orchard", "returned", "submitted", None),
                ("verify", "auditor", "submitted", "verified", "invoices match the meter"),
                ("approve", "reviewer", "verified", "approved", None),
                ("issue", "reviewer", "approved", "issued",
                 f"label {next(db['labels'].rows)['id']}")]
    stored = [(e["action"], e["display_name"], e["from_status"], e["to_status"], e["reason"])
              for e in subs.audit_trail(db, people["admin"], sid)]
    assert stored == expected
    rows = table_rows(page, "audit-trail")
    assert len(rows) == len(expected)
    words = {"create": "created", "submit": "submitted", "return": "returned",
             "revise": "revised", "verify": "verified", "approve": "approved",
             "issue": "label issued"}
    for row, (action, who, from_status, to_status, reason) in zip(rows, expected):
        assert who in row and words[action] in row and to_status in row, row
        assert (from_status or "") in row and (reason or "") in row, row

    # the calculation of revision 2 on the page:
    # 100 kWh x 0.1404 = 14.04 (production); 10 kg x 3.1863 = 31.863 (distribution); 45.903 total
    result = subs.latest_result(db, db["submissions"].get(sid))
    assert result["total_kg_co2e"] == pytest.approx(14.04 + 31.863, rel=1e-6)
    # 45.903 to 3 significant figures: 45.9 (kg CO₂e: the unit symbol of the vocabulary)
    assert "45.9" in re.search(r'id="total">(.*?)</p>', page, re.S).group(1)
    assert "kg CO₂e per 1 kg" in page
    production, distribution = stage_row(page, "production"), stage_row(page, "distribution")
    # shares 14.04 / 45.903 = 30.6 % (bar 30.59 -> 30 %) and 31.863 / 45.903 = 69.4 % (-> 70 %)
    # to 3 significant figures: 14.04 -> 14.0; 10 kg x 3.1863 = 31.863 -> 31.9, as a label
    # would sign it
    assert "14.0" in production and "30.6 %" in production and "bar w30" in production
    assert "31.9" in distribution and "69.4 %" in distribution and "bar w70" in distribution
    assert "bar w0" in stage_row(page, "raw_materials")
    # the lines ranked by share, by their names: the diesel, 31.863 / (14.04 + 31.863) = 69.4 %,
    # before the electricity, 14.04 / 45.903 = 30.6 %, though the BOM lists it first
    lines = line_blocks(page)
    assert [number for number, _ in lines] == [2, 1]
    diesel, grid = lines[0][1], lines[1][1]
    assert "Diesel, burned in machinery or a boiler" in diesel
    assert "31.9" in diesel and "69.4 %" in diesel
    assert "Grid electricity, Sichuan" in grid and "14.0" in grid and "30.6 %" in grid
    assert any("carbon dioxide, fossil" in r and "45.9" in r
               for r in table_rows(page, "by-gas"))
    factors = table_rows(page, "factors")
    sichuan = next(r for r in factors if "electricity/location/CN-SC/2022" in r)
    assert "0.1404" in sichuan and "MEE announcement 2024 No. 33" in sichuan
    assert "electricity_cn" in sichuan
    diesel = next(r for r in factors if r.startswith("Diesel, burned"))
    assert "3.1863" in diesel and "IPCC 2006" in diesel and "footprint.defaults" in diesel

    # the evidence file, as stored
    response = reviewer.get(f"{url}/evidence/{evidence_id}")
    assert response.status_code == 200 and response.data == EVIDENCE
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "meter-march.pdf" in response.headers["Content-Disposition"]


def test_page_keeps_to_the_csp_and_has_no_inline_styles(service, clients, make_bom):
    sub, _ = subs.create_submission(service.db, engine_of(service), service.people["orchard"],
                                    workflow_bom(make_bom))
    for name, url in (("orchard", f"/submissions/{sub['id']}"), ("auditor", "/verifier/"),
                      ("reviewer", "/reviewer/"), ("admin", "/admin/")):
        page = clients[name].get(url).get_data(as_text=True)
        assert "style=" not in page and "<style" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert "workflow.css" in page
    css = (ROOT / "web" / "static" / "workflow.css").read_text()
    for width in range(0, 101, 5):
        assert re.search(rf"\.w{width} \{{ width: {width}%; \}}", css)


def test_grade_shown_with_provisional(service, clients):
    bom = json.loads((ROOT / "lca_data" / "samples" / "oranges_pujiang_packed.json")
                     .read_text(encoding="utf-8"))
    sub, _ = subs.create_submission(service.db, engine_of(service), service.people["orchard"],
                                    bom)
    result = subs.latest_result(service.db, sub)
    assert result["grade"]["provisional"] is True
    client = clients["orchard"]
    page = text_of(client.get(f"/submissions/{sub['id']}"))
    grade = re.search(r'<p id="grade">(.*?)</p>', page, re.S).group(1)
    assert f'<span class="grade">{result["grade"]["grade"]}</span>' in grade
    assert "暂行" in grade and result["grade"]["label_zh"] in grade
    client.get("/lang/en")
    grade = re.search(r'<p id="grade">(.*?)</p>',
                      text_of(client.get(f"/submissions/{sub['id']}")), re.S).group(1)
    assert "provisional" in grade and result["grade"]["label_en"] in grade
    # the category's modelled lines show their formula, and its parameters their labels
    page = text_of(client.get(f"/submissions/{sub['id']}"))
    assert "Formula: irrigation 600 kWh/ha / 30000 kg fruit/ha" in page
    yield_row = re.search(r'<div class="parameter" data-parameter="yield_kg_per_ha">(.*?)</div>',
                          page, re.S).group(1)
    assert "marketable yield" in yield_row  # the label its plugin gives it
    assert "30,000 kg/ha" in yield_row


def test_detail_in_chinese_and_english(service, clients, make_bom):
    sub, _ = subs.create_submission(service.db, engine_of(service), service.people["orchard"],
                                    workflow_bom(make_bom))
    client = clients["orchard"]
    url = f"/submissions/{sub['id']}"
    zh = text_of(client.get(url))  # Chinese is the default
    for text in ("审计轨迹", "核算结果", "按生命周期阶段", "排放因子及来源", "物料清单",
                 "提交核查", "草稿", "生产"):
        assert text in zh, text
    for text in ("Audit trail", "Calculation", "By stage", "Submit for verification"):
        assert text not in zh, text
    client.get("/lang/en")
    en = text_of(client.get(url))
    for text in ("Audit trail", "Calculation", "By stage", "Factors and their sources",
                 "Bill of materials", "Submit for verification", "draft"):
        assert text in en, text
    for text in ("审计轨迹", "核算结果", "提交核查"):
        assert text not in en, text
    assert "14.0" in zh and "14.0" in en  # 14.04 kg CO2e to 3 significant figures


def test_every_message_has_its_chinese():
    """Each _("...") in this part's code and templates has a msgstr in workflow.po or in the
    catalogues every part shares (core.po, vocabulary.po)."""
    catalogue = {}
    for name in ("workflow", "core", "vocabulary"):
        with open(ROOT / "web" / "translations" / "zh" / "LC_MESSAGES" / f"{name}.po",
                  "rb") as f:
            catalogue.update({m.id: m.string for m in read_po(f) if m.id})
    sources = [ROOT / "web" / f"{name}.py"
               for name in ("submissions", "verifier", "reviewer", "admin")]
    for part in ("submissions", "verifier", "reviewer", "admin"):
        sources += sorted((ROOT / "web" / "templates" / part).glob("*.html"))
    found = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        found |= set(re.findall(r'\b_l?\(\s*"((?:[^"\\]|\\.)+)"', text))
    assert len(found) > 100
    missing = sorted(m for m in found if not catalogue.get(m))
    assert missing == []


# -- the denial matrix -----------------------------------------------------------------------

STATES = ("draft", "submitted", "verified", "approved", "returned")
ACTORS = {"owner": "orchard", "other_producer": "steelworks", "verifier": "auditor",
          "other_verifier": "auditor2", "reviewer": "reviewer", "admin": "admin",
          "anonymous": None}
LOGIN = "login"  # 302 to the log-in page
OK = "ok"        # allowed: the request does what it says
# expected outcome per (actor, action), one per state in STATES order
MATRIX = {
    "view": {
        "owner": [OK] * 5, "other_producer": [404] * 5,
        "verifier": [404, OK, OK, OK, OK], "other_verifier": [404] * 5,
        "reviewer": [404, OK, OK, OK, OK], "admin": [OK] * 5, "anonymous": [LOGIN] * 5},
    "submit": {
        "owner": [OK, 409, 409, 409, OK], "other_producer": [404] * 5,
        "verifier": [404, 403, 403, 403, 403], "other_verifier": [404] * 5,
        "reviewer": [404, 403, 403, 403, 403], "admin": [403] * 5, "anonymous": [LOGIN] * 5},
    "verify": {
        "owner": [403] * 5, "other_producer": [404] * 5,
        "verifier": [404, OK, 409, 409, 409], "other_verifier": [404] * 5,
        "reviewer": [404, 403, 403, 403, 403], "admin": [403] * 5, "anonymous": [LOGIN] * 5},
    "approve": {  # verifier x verified: the verifier of a submission cannot approve it
        "owner": [403] * 5, "other_producer": [404] * 5,
        "verifier": [404, 403, 403, 403, 403], "other_verifier": [404] * 5,
        "reviewer": [404, 409, OK, 409, 409], "admin": [403] * 5, "anonymous": [LOGIN] * 5},
    "return": {
        "owner": [403] * 5, "other_producer": [404] * 5,
        "verifier": [404, OK, 403, 403, 403], "other_verifier": [404] * 5,
        "reviewer": [404, 403, OK, 409, 409], "admin": [403] * 5, "anonymous": [LOGIN] * 5},
}
MATRIX["comment"] = MATRIX["view"]   # anyone who may see a submission may comment on it
MATRIX["evidence"] = MATRIX["view"]
WORKFLOW = ("submit", "verify", "approve", "return")
TARGET = {"submit": "submitted", "verify": "verified", "approve": "approved",
          "return": "returned"}


@pytest.fixture(scope="module", params=ENGINES)
def world(request, tmp_path_factory, engine):
    """One database, app and logged-in client per person for the whole matrix (log-ins cost
    an argon2 hash each); every case makes its own submission, so cases cannot interfere.
    Once on SQLite, once on PostgreSQL (the app told its database in its config)."""
    from footprint.store import connect, database_path
    from footprint.store.migrations import migrate
    from footprint.usecases.users import seed_user

    home = tmp_path_factory.mktemp("workflow-matrix")
    config = {}
    if request.param == "postgresql":
        copies = pg_copy(request.getfixturevalue("pg_cluster"),
                         request.getfixturevalue("pg_template"))
        config["FOOTPRINT_DATABASE_URL"] = next(copies)
        request.addfinalizer(lambda: next(copies, None))
        db = connect(config["FOOTPRINT_DATABASE_URL"])
        request.addfinalizer(db.close)
    else:
        db = connect(database_path(home))
        migrate(db)
    people = {name: seed_user(db, name, role, org, PASSWORD)
              for name, (role, org) in PEOPLE.items()}
    qualify_everywhere(db, engine.registry, *{org for role, org in PEOPLE.values()
                                              if role == "verifier"})
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False, **config)
    issuer_key(home)
    clients = {None: app.test_client()}
    clients.update({name: log_in(app.test_client(), name) for name in PEOPLE})
    return SimpleNamespace(db=db, people=people, clients=clients, engine=engine, home=home,
                           config=config)


def make_in_state(world, state: str, bom: dict) -> tuple[int, int]:
    """(submission id, evidence id) of a fresh submission brought to ``state`` by the core."""
    p = world.people
    sub, _ = subs.create_submission(world.db, world.engine, p["orchard"], bom)
    evidence_id = review.add_evidence(world.db, p["orchard"], sub["id"], "invoice.pdf",
                                      "application/pdf", EVIDENCE, line=1)
    path = {"draft": [], "submitted": ["submit"], "verified": ["submit", "verify"],
            "approved": ["submit", "verify", "approve"], "returned": ["submit", "return"]}
    actor = {"submit": "orchard", "verify": "auditor", "approve": "reviewer",
             "return": "auditor"}
    for action in path[state]:
        actions.act(world.db, p[actor[action]], sub["id"], action, reason="checked",
                    verifier_org=SICHUAN_BODY if action == "submit" else None,
                    checklist=actions.VERIFY_CHECKLIST if action == "verify" else ())
    return sub["id"], evidence_id


def request_for(client, action: str, sid: int, evidence_id: int, sichuan: int):
    base = f"/submissions/{sid}"
    if action == "view":
        return client.get(base)
    if action == "evidence":
        return client.get(f"{base}/evidence/{evidence_id}")
    if action == "comment":
        return client.post(f"{base}/comments", data={"body": "please check line 1", "line": "1"})
    data = {"submit": {"verifier_org": sichuan}, "return": {"reason": "line 1 unclear"},
            "verify": {"checklist": list(actions.VERIFY_CHECKLIST)}}
    return client.post(f"{base}/{action}", data=data.get(action, {}))


CASES = [(action, actor, state, MATRIX[action][actor][i])
         for action in MATRIX for actor in ACTORS for i, state in enumerate(STATES)]


@pytest.mark.parametrize("action,actor,state,expected", CASES,
                         ids=[f"{a}-{who}-{s}-{e}" for a, who, s, e in CASES])
def test_role_action_state_matrix(world, make_bom, action, actor, state, expected):
    sid, evidence_id = make_in_state(world, state, workflow_bom(make_bom))
    username = ACTORS[actor]
    before = snapshot(world.db, sid)
    response = request_for(world.clients[username], action, sid, evidence_id,
                           body_id(world.db))
    after = snapshot(world.db, sid)

    if expected == LOGIN:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert after == before
        return
    if expected != OK:
        assert response.status_code == expected
        assert after == before
        assert EVIDENCE not in response.data
        if expected == 404:  # invisible: nothing of the submission leaks
            assert "invoice.pdf" not in text_of(response)
        return

    if action == "view":
        assert response.status_code == 200
        page = text_of(response)
        assert "invoice.pdf" in page and "14.0" in page  # 14.04 to 3 significant figures
        # the page offers exactly the actions the core allows this user now
        i = STATES.index(state)
        assert offered_actions(page, sid) == {a for a in WORKFLOW if MATRIX[a][actor][i] == OK}
        assert after == before
    elif action == "evidence":
        assert response.status_code == 200 and response.data == EVIDENCE
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert after == before
    elif action == "comment":
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/submissions/{sid}#comments")
        assert after[:2] == before[:2]
        assert [(c["user_id"], c["line"], c["body"]) for c in after[2]] == \
            [(world.people[username]["id"], 1, "please check line 1")]
    else:
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/submissions/{sid}")
        new_events = after[1][len(before[1]):]
        actor_id = world.people[username]["id"]
        expected_events = [(actor_id, action, state, TARGET[action])]
        if action == "approve":  # approval issues the label in the same transaction
            expected_events.append((actor_id, "issue", "approved", "issued"))
        assert after[0]["status"] == expected_events[-1][3]
        assert [(e["actor_id"], e["action"], e["from_status"], e["to_status"])
                for e in new_events] == expected_events


def test_matrix_covers_every_role_action_and_state():
    assert len(CASES) == 7 * 7 * 5
    assert all(len(row) == len(STATES) for table in MATRIX.values() for row in table.values())


def test_verifier_turned_reviewer_cannot_approve_what_they_verified(world, make_bom):
    """The core's rule: the user who verified a submission never approves it, whatever their
    role now (here a verifier who moved to the platform)."""
    sid, _ = make_in_state(world, "verified", workflow_bom(make_bom))
    reviewer = world.people["reviewer2"]
    world.db["submissions"].update(sid, {"verified_by": reviewer["id"]})  # as if they verified
    client = world.clients["reviewer2"]
    # neither approve nor return is offered, and both are refused
    assert offered_actions(text_of(client.get(f"/submissions/{sid}")), sid) == set()
    before = snapshot(world.db, sid)
    assert client.post(f"/submissions/{sid}/approve").status_code == 403
    assert client.post(f"/submissions/{sid}/return", data={"reason": "x"}).status_code == 403
    assert snapshot(world.db, sid) == before
    # another reviewer may
    assert world.clients["reviewer"].post(f"/submissions/{sid}/approve").status_code == 302


def test_unknown_action_and_foreign_evidence_are_not_found(world, make_bom):
    sid, evidence_id = make_in_state(world, "submitted", workflow_bom(make_bom))
    other, other_evidence = make_in_state(world, "submitted", workflow_bom(make_bom))
    client = world.clients["auditor"]
    before = snapshot(world.db, sid)
    assert client.post(f"/submissions/{sid}/delete").status_code == 404
    assert client.get(f"/submissions/{sid}/evidence/{other_evidence}").status_code == 404
    assert client.get(f"/submissions/{sid}/evidence/999999").status_code == 404
    assert client.get("/submissions/999999").status_code == 404
    assert client.post(f"/submissions/{sid}/comments", data={"body": ""}).status_code == 400
    response = client.post(f"/submissions/{sid}/comments", data={"body": "x", "line": "9"})
    assert response.status_code == 400  # shown at the comment form, the text kept
    comments = text_of(response).split('id="comments"')[1]
    # the core's "a line between 1 and 2", as the (Chinese) page says it
    assert "须为第 1 至 2 行之一" in comments and ">x</textarea>" in comments
    assert client.post(f"/submissions/{sid}/comments",
                       data={"body": "x", "line": "one"}).status_code == 400
    assert snapshot(world.db, sid) == before
    # an invisible submission stays a 404 even with a bad comment
    assert world.clients["steelworks"].post(f"/submissions/{sid}/comments",
                                            data={"body": ""}).status_code == 404


NEXT_PAGE = re.compile(r'id="next-page" rel="next" href="([^"]+)"')


def queue_pages(client, url: str) -> str:
    """The queue (section id="queue") on every page of a work queue, followed to its end:
    the matrix's submissions fill more than one, and the newest come last."""
    queues = []
    while url:
        queue = text_of(client.get(url)).split('id="queue"')[1].split("</section>")[0]
        queues.append(queue)
        found = NEXT_PAGE.search(queue)
        url = found.group(1) if found else None
    return "".join(queues)


def test_queues_show_only_what_the_core_lets_each_see(world, make_bom):
    submitted, _ = make_in_state(world, "submitted", workflow_bom(make_bom))
    verified, _ = make_in_state(world, "verified", workflow_bom(make_bom))
    draft, _ = make_in_state(world, "draft", workflow_bom(make_bom))
    queue = text_of(world.clients["auditor"].get("/verifier/"))
    handled = queue.split('id="handled"')[1]
    assert f'href="/submissions/{submitted}"' in queue_pages(world.clients["auditor"],
                                                             "/verifier/")
    assert f'href="/submissions/{verified}"' in handled and "auditor" in handled
    assert f'href="/submissions/{draft}"' not in queue
    other = text_of(world.clients["auditor2"].get("/verifier/"))
    assert not any(f'href="/submissions/{s}"' in other for s in (submitted, verified, draft))
    assert not any(f'href="/submissions/{s}"' in queue_pages(world.clients["auditor2"],
                                                             "/verifier/")
                   for s in (submitted, verified, draft))
    review = text_of(world.clients["reviewer"].get("/reviewer/"))
    assert f'href="/submissions/{verified}"' in queue_pages(world.clients["reviewer"],
                                                            "/reviewer/")
    assert f'href="/submissions/{draft}"' not in review
    for name, url in (("orchard", "/verifier/"), ("auditor", "/reviewer/"),
                      ("reviewer", "/verifier/"), ("orchard", "/admin/"),
                      ("reviewer", "/admin/")):
        assert world.clients[name].get(url).status_code == 403, (name, url)
    for url in ("/verifier/", "/reviewer/", "/admin/"):
        response = world.clients[None].get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_forms_carry_the_csrf_token(world, make_bom):
    """With CSRF on (as served), a decision without the page's token is refused and one
    posted with the token the page carries goes through."""
    sid, _ = make_in_state(world, "submitted", workflow_bom(make_bom))
    app = app_on(world.home, world.engine, **world.config)  # CSRF on: the world's app has it off
    client = log_in_with_token(app.test_client(), "auditor")
    before = snapshot(world.db, sid)
    confirmed = {"checklist": list(actions.VERIFY_CHECKLIST)}
    assert client.post(f"/submissions/{sid}/verify", data=confirmed).status_code == 400
    assert client.post(f"/submissions/{sid}/comments", data={"body": "x"}).status_code == 400
    assert snapshot(world.db, sid) == before
    page = client.get(f"/submissions/{sid}").get_data(as_text=True)
    forms = re.findall(r"<form [^>]*method=\"post\".*?</form>", page, re.S)
    assert len(forms) >= 4  # log out, verify, return, comment
    assert all('name="csrf_token"' in form for form in forms)
    response = client.post(f"/submissions/{sid}/verify",
                           data={**confirmed, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert world.db["submissions"].get(sid)["status"] == "verified"


def test_a_form_refused_for_its_token_says_what_happened_and_what_to_do(world, make_bom):
    """A form posted without its page's token, or with another session's, is 400 with the
    reason in the reader's language and the way on: go back, reload, try again."""
    sid, _ = make_in_state(world, "submitted", workflow_bom(make_bom))
    app = app_on(world.home, world.engine, **world.config)  # CSRF on: the world's app has it off
    client, elsewhere = (log_in_with_token(app.test_client(), "auditor") for _ in range(2))
    others = csrf_token(elsewhere.get(f"/submissions/{sid}").get_data(as_text=True))
    before = snapshot(world.db, sid)
    confirmed = {"checklist": list(actions.VERIFY_CHECKLIST)}
    came_from = {"Referer": f"http://localhost/submissions/{sid}"}
    for data in (confirmed, {**confirmed, "csrf_token": others}):
        refused = client.post(f"/submissions/{sid}/verify", data=data, headers=came_from)
        assert refused.status_code == 400
        text = text_of(refused)
        error = re.sub(r"<[^>]+>", " ", text.split('id="error">')[1].split("</section>")[0])
        assert error.split() == ["此表单已过期，或是在别处打开的",
                                 "未做任何处理：页面打开时间过长，或此后您在其他窗口登录或退出过。",
                                 "请返回上一页，刷新后重试。", "HTTP", "状态码", "400", "·", "首页"]
        # and its language switch leads to the page the form was on
        assert language_links(refused.get_data(as_text=True))["en"] == \
            f"/lang/en?next=/submissions/{sid}"
    english = text_of(client.post(f"/submissions/{sid}/verify", data=confirmed,
                                    headers={"Accept-Language": "en"}))
    for sentence in ("This form has expired or was opened elsewhere",
                     "Nothing was done: the page was open too long, or you logged in or out "
                     "in another window since.", "Go back, reload the page and try again."):
        assert sentence in english
    assert snapshot(world.db, sid) == before


def test_with_one_accounting_body_the_core_assigns_it(tmp_path, engine, make_bom):
    from footprint.store import connect, database_path
    from footprint.store.migrations import migrate
    from footprint.usecases.users import seed_user
    db = connect(database_path(tmp_path))
    migrate(db)
    producer = seed_user(db, "orchard", "producer", "Pujiang Orchard Co-op", PASSWORD)
    seed_user(db, "auditor", "verifier", SICHUAN_BODY, PASSWORD)
    qualify_everywhere(db, engine.registry, SICHUAN_BODY)
    client = log_in(app_on(tmp_path, engine, TESTING=True, WTF_CSRF_ENABLED=False).test_client(),
                    "orchard")
    client.get("/lang/en")
    sub, _ = subs.create_submission(db, engine, producer, workflow_bom(make_bom))
    page = text_of(client.get(f"/submissions/{sub['id']}"))
    assert f"It will be verified by {SICHUAN_BODY}." in page
    assert 'name="verifier_org"' not in page
    assert client.post(f"/submissions/{sub['id']}/submit").status_code == 302
    assert db["submissions"].get(sub["id"])["verifier_org_id"] == body_id(db)


# -- administration --------------------------------------------------------------------------

def test_admin_creates_organisations_and_users(service, clients, login):
    db, admin = service.db, clients["admin"]
    admin.get("/lang/en")
    page = text_of(admin.get("/admin/"))
    assert "Pujiang Orchard Co-op" in page and "accounting body" in page and "steelworks" in page
    assert "password_hash" not in page and "$argon2" not in page

    response = admin.post("/admin/organisations",
                          data={"name": "Chongqing Cells", "kind": "enterprise",
                                "region": "CN-CQ"})
    assert response.status_code == 302
    org = next(db.query("SELECT * FROM organisations WHERE name = 'Chongqing Cells'"))
    assert (org["kind"], org["region"]) == ("enterprise", "CN-CQ")
    orgs = db["organisations"].count
    response = admin.post("/admin/organisations",
                          data={"name": "Chongqing Cells", "kind": "enterprise"})
    assert response.status_code == 400 and "exists already" in text_of(response)
    response = admin.post("/admin/organisations", data={"name": "X", "kind": "shipyard"})
    assert response.status_code == 400 and "kind" in text_of(response)
    assert db["organisations"].count == orgs

    # a unified social credit code is checked: 18 characters, the last a check character
    # (GB 32100-2015; 91500000MA60CQ002X is made up, with a valid check character)
    response = admin.post("/admin/organisations", data={
        "name": "Fuling Mustard", "kind": "enterprise", "credit_code": "91500000MA60CQ0021"})
    assert response.status_code == 400
    assert "credit_code" in text_of(response) and "check digit" in text_of(response)
    assert db["organisations"].count == orgs
    response = admin.post("/admin/organisations", data={
        "name": "Fuling Mustard", "kind": "enterprise", "credit_code": "91500000MA60CQ002X"})
    assert response.status_code == 302
    assert next(db.query("SELECT credit_code FROM organisations WHERE name = 'Fuling Mustard'"))[
        "credit_code"] == "91500000MA60CQ002X"
    assert "91500000MA60CQ002X" in text_of(admin.get("/admin/"))
    response = admin.post("/admin/organisations", data={
        "name": "Fuling Copy", "kind": "enterprise", "credit_code": "91500000MA60CQ002X"})
    assert response.status_code == 400 and "Fuling Mustard" in text_of(response)
    orgs = db["organisations"].count

    users = db["users"].count
    bad = [({"password": "short"}, "password"),                 # below the core's minimum
           ({"role": "verifier"}, "is of kind enterprise"),    # role implies the org's kind
           ({"username": "orchard"}, "taken"),
           ({"org": "99999"}, "choose an organisation")]
    for change, message in bad:
        data = {"username": "cells", "display_name": "Cells Ltd", "role": "producer",
                "org": str(org["id"]), "password": "a long enough password", **change}
        response = admin.post("/admin/users", data=data)
        assert response.status_code == 400, change
        assert message in text_of(response), change
    assert db["users"].count == users

    response = admin.post("/admin/users", data={
        "username": "cells", "display_name": "Cells Ltd", "role": "producer",
        "org": str(org["id"]), "password": "a long enough password"})
    assert response.status_code == 302
    user = next(db.query("SELECT * FROM users WHERE username = 'cells'"))
    assert (user["role"], user["org_id"], user["active"]) == ("producer", org["id"], 1)
    assert "Cells Ltd" in text_of(admin.get("/admin/"))
    new = service.app.test_client()
    log_in(new, "cells", "a long enough password")


def test_the_admin_page_refuses_unknown_regions_and_usernames_of_another_form(service,
                                                                              clients):
    db, admin = service.db, clients["admin"]
    orgs, users = db["organisations"].count, db["users"].count
    cells = {"name": "Chongqing Cells", "kind": "enterprise", "region": "CN-XX"}
    for language, said in [
            ("en", 'region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", "CN-NX", '
                   '"CN-SX", "CN-XJ", ...?'),
            ("zh", "未知的地区“CN-XX”；您是否要填以下之一：“CN-GX”、“CN-JX”、“CN-NX”、“CN-SX”、"
                   "“CN-XJ”、...？")]:
        admin.set_cookie("lang", language)
        response = admin.post("/admin/organisations", data=cells)
        assert response.status_code == 400 and said in text_of(response)
        assert 'value="CN-XX"' in text_of(response)  # the form keeps what was typed
    assert db["organisations"].count == orgs
    assert admin.post("/admin/organisations",
                      data={**cells, "region": "四川省"}).status_code == 302
    assert next(db.query("SELECT region FROM organisations WHERE name = 'Chongqing Cells'")
                )["region"] == "CN-SC"

    org = str(next(db.query("SELECT id FROM organisations WHERE name = 'Chongqing Cells'"))["id"])
    admin.set_cookie("lang", "en")
    for username, said in [("bad name!", "3 to 64 letters, digits, dots, underscores or hyphens"),
                           ("ORCHARD", '"ORCHARD" is taken: "orchard" differs only in case')]:
        response = admin.post("/admin/users", data={
            "username": username, "role": "producer", "org": org,
            "password": "a long enough password"})
        assert response.status_code == 400 and said in text_of(response), username
    assert db["users"].count == users


def test_a_deactivation_on_the_admin_page_is_a_security_event(service, clients):
    steelworks = service.people["steelworks"]
    clients["admin"].post(f"/admin/users/{steelworks['id']}/deactivate")
    clients["admin"].post(f"/admin/users/{steelworks['id']}/reactivate")
    assert [(e["kind"], e["username"], e["address"], e["detail"])
            for e in security.events(service.db, 10)][:2] == [
        ("user-reactivated", "steelworks", "127.0.0.1", "by admin"),
        ("user-deactivated", "steelworks", "127.0.0.1", "by admin")]


def test_admin_deactivates_a_user_who_then_cannot_log_in(service, clients, login):
    db, admin = service.db, clients["admin"]
    steelworks = service.people["steelworks"]
    session = clients["steelworks"]
    assert session.get("/producer/").status_code == 200
    response = admin.post(f"/admin/users/{steelworks['id']}/deactivate")
    assert response.status_code == 302
    assert db["users"].get(steelworks["id"])["active"] == 0
    # the open session ends and a new log-in is refused
    assert session.get("/producer/").status_code == 302
    response = service.app.test_client().post(
        "/login", data={"username": "steelworks", "password": PASSWORD})
    assert response.status_code == 401
    page = text_of(admin.get("/admin/"))
    assert f'action="/admin/users/{steelworks["id"]}/reactivate"' in page
    assert admin.post(f"/admin/users/{steelworks['id']}/reactivate").status_code == 302
    login(service.app.test_client(), "steelworks")


def test_admin_cannot_deactivate_themselves(world):
    admin_row, client = world.people["admin"], world.clients["admin"]
    page = text_of(client.get("/admin/"))
    assert f'/admin/users/{admin_row["id"]}/deactivate' not in page  # not offered
    response = client.post(f"/admin/users/{admin_row['id']}/deactivate")
    assert response.status_code == 403
    assert world.db["users"].get(admin_row["id"])["active"] == 1
    assert client.post("/admin/users/99999/deactivate").status_code == 404


@pytest.mark.parametrize("name", ["orchard", "auditor", "reviewer", None])
def test_only_admins_administer(world, name):
    db, client = world.db, world.clients[name]
    target = world.people["steelworks"]["id"]
    before = (list(db["organisations"].rows), list(db["users"].rows))
    answers = [client.get("/admin/"),
               client.post("/admin/organisations", data={"name": "Mole Ltd",
                                                         "kind": "enterprise"}),
               client.post("/admin/users", data={"username": "mole", "role": "admin",
                                                 "org": "1", "password": "x" * 20}),
               client.post(f"/admin/users/{target}/deactivate"),
               client.post(f"/admin/users/{target}/reactivate")]
    for response in answers:
        if name is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
    assert (list(db["organisations"].rows), list(db["users"].rows)) == before


# -- reasons, bodies a submission was sent away from, pages after a refused form -------------

def submitted_to_sichuan(service, make_bom) -> int:
    """A fresh submission of orchard's, submitted to auditor's body (Sichuan)."""
    sub, _ = subs.create_submission(service.db, engine_of(service), service.people["orchard"],
                                    workflow_bom(make_bom))
    actions.act(service.db, service.people["orchard"], sub["id"], "submit",
                verifier_org=SICHUAN_BODY)
    return sub["id"]


def problems_shown(page: str) -> list[str]:
    """The located problems of a refused form, as the page lists them."""
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split())
            for item in re.findall(r"<li>(.*?)</li>", page.split('class="problems"')[1]
                                   .split("</ul>")[0], re.S)]


def test_a_reason_past_the_limit_is_refused_at_its_place_and_nothing_is_stored(
        service, clients, make_bom):
    """The API's limit (1 to 4000 characters) holds on the pages too: a 20,000-character
    return reason and 5,000-character verification and approval notes are 400, said at the
    reason in the reader's language, and nothing changes; 4,000 characters are taken."""
    issuer_key(service.home)
    db, auditor, reviewer = service.db, clients["auditor"], clients["reviewer"]
    sid = submitted_to_sichuan(service, make_bom)
    before = snapshot(db, sid)
    english = auditor.post(f"/submissions/{sid}/return", data={"reason": "x" * 20000},
                           headers={"Accept-Language": "en"})
    assert english.status_code == 400
    page = text_of(english)
    assert problems_shown(page) == ["reason : at most 4000 characters; this one has 20000"]
    assert ">" + "x" * 20000 + "</textarea>" in page  # kept, to be shortened
    chinese = auditor.post(f"/submissions/{sid}/return", data={"reason": "x" * 20000})
    assert chinese.status_code == 400
    assert problems_shown(text_of(chinese)) == ["原因 ：最多 4000 个字符，此处有 20000 个"]
    verify = auditor.post(f"/submissions/{sid}/verify",
                          data={"checklist": list(actions.VERIFY_CHECKLIST),
                                "reason": "n" * 5000}, headers={"Accept-Language": "en"})
    assert verify.status_code == 400
    assert problems_shown(text_of(verify)) == [
        "reason : at most 4000 characters; this one has 5000"]
    assert snapshot(db, sid) == before
    # the core itself holds every caller to it (the CLI's, the API's)
    with pytest.raises(InvalidInput) as refused:
        actions.act(db, service.people["auditor"], sid, "return", reason="x" * 4001)
    assert [p.where for p in refused.value.problems] == ["reason"]
    assert snapshot(db, sid) == before

    # 4,000 characters are a reason
    assert auditor.post(f"/submissions/{sid}/return",
                        data={"reason": "y" * 4000}).status_code == 302
    assert subs.audit_trail(db, service.people["auditor"], sid)[-1]["reason"] == "y" * 4000

    # an approval's note, and the other texts people write on the page: a comment, a
    # revocation's public reason
    other = submitted_to_sichuan(service, make_bom)
    actions.act(db, service.people["auditor"], other, "verify",
                checklist=actions.VERIFY_CHECKLIST)
    before = snapshot(db, other)
    approve = reviewer.post(f"/submissions/{other}/approve", data={"reason": "a" * 5000},
                            headers={"Accept-Language": "en"})
    assert approve.status_code == 400
    assert problems_shown(text_of(approve)) == [
        "reason : at most 4000 characters; this one has 5000"]
    comment = reviewer.post(f"/submissions/{other}/comments", data={"body": "c" * 4001},
                            headers={"Accept-Language": "en"})
    assert comment.status_code == 400
    assert problems_shown(text_of(comment)) == [
        "comment : a comment of 1 to 4000 characters"]
    assert snapshot(db, other) == before
    assert reviewer.post(f"/submissions/{other}/approve").status_code == 302
    revoke = reviewer.post(f"/submissions/{other}/label/revoke", data={"reason": "r" * 501},
                           headers={"Accept-Language": "en"})
    assert revoke.status_code == 400
    assert "a public reason of 1 to 500 characters" in text_of(revoke)
    assert db.execute("SELECT COUNT(*) FROM labels WHERE revoked_at IS NOT NULL"
                      ).fetchone()[0] == 0


def test_the_pages_and_the_api_say_one_limit_of_a_reason(service, clients, make_bom):
    schemas = service.app.test_client().get("/api/v1/openapi.json").get_json()[
        "components"]["schemas"]
    assert schemas["ReturnRequest"]["properties"]["reason"]["maxLength"] == MAX_REASON == 4000
    assert schemas["NoteRequest"]["properties"]["note"]["maxLength"] == MAX_REASON
    assert schemas["RevokeRequest"]["properties"]["reason"]["maxLength"] == \
        MAX_REVOKE_REASON == 500
    sid = submitted_to_sichuan(service, make_bom)
    page = text_of(clients["auditor"].get(f"/submissions/{sid}"))
    assert re.findall(r'<textarea name="reason" rows="\d" maxlength="(\d+)"', page) == \
        ["4000", "4000"]  # the verification's note and the return's reason


def test_a_body_that_decided_keeps_reading_a_submission_sent_to_another(
        service, clients, make_bom):
    """Returned by Sichuan's body, the submission goes to Chongqing's: Sichuan's verifier
    still reads it (its decision, the audit trail), takes no further part, and keeps it in
    its handled list; the re-routing is said on the page."""
    db, people = service.db, service.people
    orchard, auditor, auditor2 = clients["orchard"], clients["auditor"], clients["auditor2"]
    sid = submitted_to_sichuan(service, make_bom)
    url = f"/submissions/{sid}"
    english = {"Accept-Language": "en"}
    assert auditor.post(f"{url}/return", data={"reason": "meter readings missing"}
                        ).status_code == 302
    assert auditor2.get(url).status_code == 404  # Chongqing's body has no part in it yet
    chongqing = body_id(db, "Chongqing Carbon Audit")
    assert orchard.post(f"{url}/submit", data={"verifier_org": chongqing}).status_code == 302
    assert db["submissions"].get(sid)["verifier_org_id"] == chongqing

    response = auditor.get(url, headers=english)
    assert response.status_code == 200  # was 404: the decision it made vanished with it
    page = text_of(response)
    assert "This submission is now with Chongqing Carbon Audit" in page
    rerouted = re.search(r'<ul class="plain rerouted" id="rerouted">(.*?)</ul>', page, re.S)
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", rerouted.group(1))).strip()
    assert re.fullmatch(
        r"Re-routed on \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\): "
        f"{people['orchard']['display_name']} sent it to Chongqing Carbon Audit "
        rf"\(before: {SICHUAN_BODY}, returned\)\.", said), said
    trail = table_rows(page, "audit-trail")
    assert [row.split(" ")[-1] for row in trail if "missing" in row] == ["missing"]
    assert any(f"re-routed from {SICHUAN_BODY} to Chongqing Carbon Audit" in row
               for row in trail)
    assert offered_actions(page, sid) == set() and 'name="body"' not in page  # no comment
    before = snapshot(db, sid)
    assert auditor.post(f"{url}/verify", data={
        "checklist": list(actions.VERIFY_CHECKLIST)}).status_code == 403
    assert auditor.post(f"{url}/return", data={"reason": "again"}).status_code == 403
    assert auditor.post(f"{url}/comments", data={"body": "still here"}).status_code == 403
    assert snapshot(db, sid) == before
    handled = text_of(auditor.get("/verifier/")).split('id="handled"')[1]
    assert f'href="/submissions/{sid}"' in handled and "meter readings missing" in handled
    # the producer and the new body read the same note
    assert 'id="rerouted"' in text_of(orchard.get(url))
    assert 'id="former-body"' not in text_of(auditor2.get(url))

    # the new body verifies: Sichuan's list keeps its own decision, not Chongqing's
    assert auditor2.post(f"{url}/verify", data={
        "checklist": list(actions.VERIFY_CHECKLIST)}).status_code == 302
    handled = text_of(auditor.get("/verifier/")).split('id="handled"')[1]
    row = re.search(rf'<tr data-submission="{sid}">(.*?)</tr>', handled, re.S).group(1)
    assert 'class="status status-verified"' in row  # where it is now
    decided = re.search(r'<td class="small q-decision"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert re.sub(r"<[^>]+>", " ", decided).split() == [  # what Sichuan's body decided
        "已退回", "·", people["auditor"]["display_name"], "此后已改送其他核查机构", "meter",
        "readings", "missing"]
    assert auditor.get(url).status_code == 200
    # the API answers the same: read, marked as the page marks it, and no action
    token = {"Authorization": "Bearer " + create_token(db, "auditor", "test")}
    api = service.app.test_client()
    read = api.get(f"/api/v1/submissions/{sid}", headers=token)
    assert read.status_code == 200
    assert read.get_json()["sent_to_another_body"] is True
    assert read.get_json()["verifier_org"]["name"] == "Chongqing Carbon Audit"
    listed = api.get("/api/v1/submissions", headers=token).get_json()["submissions"]
    assert [(s["id"], s["sent_to_another_body"]) for s in listed] == [(sid, True)]
    before = snapshot(db, sid)
    assert api.post(f"/api/v1/submissions/{sid}/return", headers=token,
                    json={"reason": "again"}).status_code == 403
    assert snapshot(db, sid) == before
    theirs = {"Authorization": "Bearer " + create_token(db, "auditor2", "test")}
    assert api.get(f"/api/v1/submissions/{sid}", headers=theirs).get_json()[
        "sent_to_another_body"] is False


def test_only_a_body_whose_users_decided_reads_it_after_it_left(service, clients, make_bom):
    """A body that was only named, never deciding, has no access once the submission is
    elsewhere; one whose verification a reviewer returned has."""
    db, people = service.db, service.people
    chongqing = "Chongqing Carbon Audit"
    # Chongqing's body returns it; the producer sends it to Chongqing again, then (returned
    # again) to Sichuan: Sichuan decided nothing before, Chongqing did
    sub, _ = subs.create_submission(db, engine_of(service), people["orchard"],
                                    workflow_bom(make_bom))
    sid = sub["id"]
    actions.act(db, people["orchard"], sid, "submit", verifier_org=chongqing)
    actions.act(db, people["auditor2"], sid, "return", reason="unclear")
    assert clients["auditor"].get(f"/submissions/{sid}").status_code == 404
    actions.act(db, people["orchard"], sid, "submit", verifier_org=SICHUAN_BODY)
    assert clients["auditor2"].get(f"/submissions/{sid}").status_code == 200
    assert clients["auditor"].get(f"/submissions/{sid}").status_code == 200  # assigned
    # verified by Sichuan, returned by the platform's reviewer, sent to Chongqing: Sichuan
    # verified it, and keeps reading it
    actions.act(db, people["auditor"], sid, "verify", checklist=actions.VERIFY_CHECKLIST)
    actions.act(db, people["reviewer"], sid, "return", reason="boundary")
    actions.act(db, people["orchard"], sid, "submit", verifier_org=chongqing)
    page = text_of(clients["auditor"].get(f"/submissions/{sid}",
                                            headers={"Accept-Language": "en"}))
    assert "This submission is now with Chongqing Carbon Audit" in page
    found = subs.reroutings(subs.audit_trail(db, people["orchard"], sid),
                            body_id(db, chongqing))
    # twice: to Sichuan after Chongqing returned it, to Chongqing after Sichuan verified it
    assert [(r.from_body, r.to_body, r.decision["action"]) for r in found] == [
        (body_id(db, chongqing), body_id(db), "return"),
        (body_id(db), body_id(db, chongqing), "verify")]
    # what another producer or the public never saw stays unseen
    assert clients["steelworks"].get(f"/submissions/{sid}").status_code == 404


def language_links(page: str) -> dict[str, str]:
    return {code: html.unescape(url) for url, code in
            re.findall(r'<a href="(/lang/(zh|en)\?next=[^"]*)"', page)}


def test_the_language_switch_after_a_refused_form_leads_to_a_page_one_can_get(
        service, clients, make_bom):
    """A refused form's page answers its POST's URL, which a GET would meet with 405: its
    language links lead to the submission's page (the admin page), and /lang never leads
    to a URL only a POST answers."""
    auditor = clients["auditor"]
    sid = submitted_to_sichuan(service, make_bom)
    refused = auditor.post(f"/submissions/{sid}/return", data={"reason": "x" * 20000})
    assert refused.status_code == 400
    links = language_links(refused.get_data(as_text=True))
    assert links == {"zh": f"/lang/zh?next=/submissions/{sid}",
                     "en": f"/lang/en?next=/submissions/{sid}"}
    switched = auditor.get(links["en"])
    assert switched.status_code == 302 and switched.headers["Location"] == f"/submissions/{sid}"
    assert auditor.get(switched.headers["Location"]).status_code == 200
    # a link made before this (a POST-only URL) goes home rather than to a 405
    old = auditor.get(f"/lang/en?next=/submissions/{sid}/return")
    assert old.status_code == 302 and old.headers["Location"] == "/"
    # a page one can get is where it was
    assert auditor.get("/lang/en?next=/verifier/?before=x").headers["Location"] == \
        "/verifier/?before=x"
    admin = clients["admin"]
    for url, data in (("/admin/organisations", {"name": "X", "kind": "shipyard"}),
                      ("/admin/users", {"username": "u", "role": "producer", "org": "99999",
                                        "password": "a long enough password"})):
        refused = admin.post(url, data=data)
        assert refused.status_code == 400, url
        assert language_links(refused.get_data(as_text=True))["en"] == "/lang/en?next=/admin/"


def test_after_any_other_post_the_switch_leads_to_the_page_the_form_was_on(service):
    app = service.app
    with app.test_request_context("/supervision/new", method="POST",
                                  headers={"Referer": "http://localhost/supervision/new?x=1"}):
        assert page_to_come_back_to() == "/supervision/new?x=1"
    for referer in ("https://evil.example/supervision/new", "http://localhost.evil/x", None):
        with app.test_request_context("/supervision/new", method="POST",
                                      headers={"Referer": referer} if referer else {}):
            assert page_to_come_back_to() == "/", referer
    with app.test_request_context("/registry?q=orange"):
        assert page_to_come_back_to() == "/registry?q=orange"
