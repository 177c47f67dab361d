"""Credit supervision: a regulator reads everything and decides nothing of the workflow;
findings go draft -> notified -> final (or corrected), every step audited; only final public
findings are published; a final finding of falsified data revokes the labels it names through
the revocation use case, so the log holds the revoke leaves and the signed finding's record."""
from __future__ import annotations

import hashlib
import html

import cbor2
import pytest

from footprint import Conflict, Forbidden, InvalidInput, NotFound
from footprint.labels import to_b32
from footprint.labels.documents import verify_document
from footprint.labels.keys import trust_list
from footprint.translog import TransparencyLog
from footprint.usecases import actions, findings, revoking
from footprint.usecases import labels as label_records
from footprint.usecases import submissions as subs
from footprint.usecases.users import seed_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

REGULATOR_ORG = "四川省市场监督管理局 Sichuan Market Regulation"
ORCHARD = "Pujiang Orchard Co-op"


@pytest.fixture
def inspector(service):
    return seed_user(service.db, "inspector", "regulator", REGULATOR_ORG, PASSWORD)


def org_id(db, name):
    return next(db.query("SELECT id FROM organisations WHERE name = ?", [name]))["id"]


def in_state(service, make_bom, state):
    """A submission of orchard's, taken to ``state`` by the people whose job it is."""
    db, people = service.db, service.people
    engine = service.app.extensions["footprint_engine"]
    sub, _ = subs.create_submission(db, engine, people["orchard"], make_bom())
    steps = {"submitted": ["submit"], "verified": ["submit", "verify"]}[state] \
        if state != "draft" else []
    for step in steps:
        who = people["orchard"] if step == "submit" else people["auditor"]
        actions.act(db, who, sub["id"], step, verifier_org="Sichuan Carbon Verification"
                    if step == "submit" else None,
                    checklist=actions.VERIFY_CHECKLIST if step == "verify" else ())
    return sub["id"]


def snapshot(db):
    """What a refused action must leave as it was (each table in its key's order)."""
    return {table: list(db.query(f"SELECT * FROM {table} ORDER BY {key}"))
            for table, key in (("submissions", "id"), ("audit_events", "id"),
                               ("labels", "issued_at, id"), ("log_entries", "idx"),
                               ("findings", "id"), ("supervision_events", "id"),
                               ("finding_files", "id"), ("comments", "id"))}


# -- a regulator reads, never acts --------------------------------------------------------------

@pytest.mark.parametrize("state, action", [("draft", "submit"), ("submitted", "verify"),
                                           ("submitted", "return"), ("verified", "approve"),
                                           ("verified", "return")])
def test_a_regulator_cannot_submit_verify_approve_or_return(service, make_bom, inspector,
                                                            issuer, state, action):
    sid = in_state(service, make_bom, state)
    assert subs.get(service.db, inspector, sid)["status"] == state  # reads it, drafts too
    before = snapshot(service.db)
    with pytest.raises(Forbidden):
        actions.act(service.db, inspector, sid, action, reason="seen on site",
                    verifier_org="Sichuan Carbon Verification", issuer=issuer,
                    checklist=actions.VERIFY_CHECKLIST if action == "verify" else ())
    assert snapshot(service.db) == before


def test_a_regulator_cannot_revoke_directly(service, make_bom, inspector, issuer, approve):
    issued = approve(make_bom(), issuer)
    label = label_records.for_submission(service.db, issued["id"])
    before = snapshot(service.db)
    with pytest.raises(Forbidden):
        revoking.revoke(service.db, inspector, label["id"], "falsified")
    assert snapshot(service.db) == before


def test_a_regulator_reads_every_submission(service, make_bom, inspector):
    ids = {in_state(service, make_bom, s) for s in ("draft", "submitted", "verified")}
    assert ids <= {s["id"] for s in subs.visible(service.db, inspector)}
    assert subs.audit_trail(service.db, inspector, min(ids))[0]["action"] == "create"


def test_the_regulator_sees_pages_of_submissions_but_no_action(service, make_bom, inspector,
                                                              login):
    sid = in_state(service, make_bom, "verified")
    client = login(service.app.test_client(), "inspector")
    client.get("/lang/en")
    page = client.get(f"/submissions/{sid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'action="/submissions/{sid}/approve"' not in text
    assert f'action="/submissions/{sid}/comments"' not in text
    before = snapshot(service.db)
    assert client.post(f"/submissions/{sid}/approve").status_code == 403
    assert client.post(f"/submissions/{sid}/comments",
                       data={"body": "A regulator's remark."}).status_code == 403
    assert snapshot(service.db) == before
    assert service.db["submissions"].get(sid)["status"] == "verified"


# -- findings ---------------------------------------------------------------------------------

def draft(service, inspector, **changes):
    given = dict(subject=ORCHARD, type_="misleading_claim", severity="general",
                 summary="包装上“零碳橙”的说法没有依据。 'Zero-carbon' on the box is unfounded.",
                 evidence="Photos of the packaging, 2026-11-02.", public=True)
    given.update(changes)
    return findings.record(service.db, inspector, **given)


def steps(db, finding_id):
    return [(e["action"], e["from_state"], e["to_state"])
            for e in db.query("SELECT * FROM supervision_events WHERE finding_id = ? "
                              "ORDER BY id", [finding_id])]


def test_the_workflow_is_audited_and_only_final_public_findings_are_published(
        service, inspector, issuer):
    db, people = service.db, service.people
    orchard, steel = people["orchard"], people["steelworks"]
    made = draft(service, inspector, files=[("photo.jpg", "image/jpeg", b"\xff\xd8 jpeg")])
    fid = made["id"]
    assert made["state"] == "draft"
    with pytest.raises(NotFound):  # a draft is the regulator's alone
        findings.get(db, orchard, fid)
    findings.act(db, inspector, fid, "notify")
    assert findings.get(db, orchard, fid)["state"] == "notified"
    with pytest.raises(NotFound):  # not published: another firm does not see it
        findings.get(db, steel, fid)
    assert findings.public_findings(db) == []
    findings.act(db, orchard, fid, "respond", text="The claim refers to offsets we bought.")
    findings.act(db, orchard, fid, "appeal", text="Offsets were certified (CCER).")
    before = snapshot(db)
    with pytest.raises(Conflict):
        findings.act(db, orchard, fid, "appeal", text="again")
    with pytest.raises(Forbidden):
        findings.act(db, orchard, fid, "finalise", issuer=issuer)
    with pytest.raises(Forbidden):  # the subject's answers are the subject's
        findings.act(db, inspector, fid, "respond", text="x")
    assert snapshot(db) == before
    final = findings.act(db, inspector, fid, "finalise", issuer=issuer)
    assert final["state"] == "final" and final["response"].startswith("The claim")
    assert steps(db, fid) == [("create", None, "draft"), ("notify", "draft", "notified"),
                              ("respond", "notified", "notified"),
                              ("appeal", "notified", "notified"),
                              ("finalise", "notified", "final")]
    [published] = findings.public_findings(db)
    assert (published["id"], published["subject"]["name"], published["type"]) == \
        (fid, ORCHARD, "misleading_claim")
    assert "evidence" not in published and "response" not in published
    assert findings.public_findings(db, org_id(db, "Panzhihua Steel")) == []
    assert findings.get(db, steel, fid)["id"] == fid  # public now
    assert findings.get(db, None, fid)["id"] == fid


def test_a_producer_cannot_see_unpublished_findings_about_others(service, inspector, issuer,
                                                                 clients):
    db = service.db
    hidden = draft(service, inspector, public=False)
    findings.act(db, inspector, hidden["id"], "notify")
    findings.act(db, inspector, hidden["id"], "finalise", issuer=issuer)
    with pytest.raises(NotFound):
        findings.get(db, service.people["steelworks"], hidden["id"])
    assert findings.public_findings(db) == []
    assert clients["steelworks"].get(f"/supervision/findings/{hidden['id']}").status_code == 404
    assert clients["orchard"].get(f"/supervision/findings/{hidden['id']}").status_code == 200


def test_a_final_falsification_revokes_the_named_labels_and_is_logged(
        service, make_bom, inspector, issuer, approve):
    db = service.db
    first = label_records.for_submission(db, approve(make_bom(), issuer)["id"])
    other = make_bom(product={"name": "second product", "category": "generic"})
    second = label_records.for_submission(db, approve(other, issuer)["id"])
    spared = label_records.for_submission(
        db, approve(make_bom(product={"name": "third", "category": "generic"}), issuer)["id"])
    made = draft(service, inspector, type_="falsified_data", severity="severe",
                 labels=[first["id"], second["id"]],
                 summary="电表读数与申报用电不符。 Meter readings contradict the declared power.")
    findings.act(db, inspector, made["id"], "notify")
    size = TransparencyLog(db).size()
    final = findings.act(db, inspector, made["id"], "finalise", issuer=issuer)

    log = TransparencyLog(db)
    # two revoke leaves (one per named label) and one record leaf: 3 more leaves
    assert log.size() == size + 3
    leaves = [log.entry(i) for i in range(size, size + 3)]
    record = next(leaf for leaf in leaves if leaf["kind"] == "record")
    fields = cbor2.loads(record["entry"])
    assert (fields["of"], fields["id"]) == ("finding", str(made["id"]))
    assert fields["sha256"] == hashlib.sha256(final["document"]).hexdigest()
    revoked = sorted(leaf["label_id"] for leaf in leaves if leaf["kind"] == "revoke")
    assert revoked == sorted([first["id"], second["id"]])
    for label in (first, second):
        now = label_records.get(db, label["id"])
        assert label_records.status(now) == "revoked"
        assert f"Supervision finding {made['id']}: falsified data" in now["revocation_reason"]
    assert label_records.status(label_records.get(db, spared["id"])) == "valid"
    document = verify_document(final["document"], trust_list(service.home), "finding")
    assert document.body["finding_type"] == "falsified_data"
    assert document.body["labels"] == [first["id"], second["id"]]
    assert document.body["state"] == "final"


def test_labels_named_must_concern_the_subject(service, make_bom, inspector, issuer,
                                               approve):
    db = service.db
    label = label_records.for_submission(db, approve(make_bom(), issuer)["id"])
    before = snapshot(db)
    with pytest.raises(InvalidInput) as refused:
        draft(service, inspector, subject="Panzhihua Steel", labels=[label["id"], "NOPE"])
    assert [p.where for p in refused.value.problems] == ["labels[0]", "labels[1]"]
    # the accounting body that verified it is a subject the label concerns
    draft(service, inspector, subject="Sichuan Carbon Verification",
          type_="unqualified_verification", labels=[label["id"]])
    assert len(snapshot(db)["findings"]) == len(before["findings"]) + 1


def test_refused_input_and_an_unsigned_finalisation_change_nothing(service, inspector,
                                                                    make_bom, approve):
    db = service.db
    before = snapshot(db)
    with pytest.raises(InvalidInput) as refused:
        findings.record(db, inspector, "Nobody", "fraud", "awful", "", "", True)
    assert [p.where for p in refused.value.problems] == ["subject", "type", "severity",
                                                         "summary", "evidence"]
    with pytest.raises(Forbidden):
        draft(service, service.people["reviewer"])
    assert snapshot(db) == before
    made = draft(service, inspector, type_="falsified_data")
    with pytest.raises(Conflict):  # a draft is notified first
        findings.act(db, inspector, made["id"], "finalise")
    findings.act(db, inspector, made["id"], "notify")
    before = snapshot(db)
    with pytest.raises(Conflict):  # no issuer key in this home: nothing is signed
        findings.act(db, inspector, made["id"], "finalise",
                     issuer=findings.Issuer(service.home, "CN-SC"))
    assert snapshot(db) == before


def test_a_correction_amends_with_reasons_and_unpublishes(service, inspector, issuer):
    db = service.db
    made = draft(service, inspector)
    findings.act(db, inspector, made["id"], "notify")
    with pytest.raises(InvalidInput):  # a correction says why
        findings.act(db, inspector, made["id"], "correct", amend={"severity": "serious"})
    findings.act(db, inspector, made["id"], "finalise", issuer=issuer)
    size = TransparencyLog(db).size()
    corrected = findings.act(db, inspector, made["id"], "correct", issuer=issuer,
                             text="The offsets were certified after all.",
                             amend={"severity": "general", "public": False})
    assert (corrected["state"], corrected["public"]) == ("corrected", False)
    assert findings.public_findings(db) == []
    # the withdrawal of a published finding is itself signed and logged: one record leaf
    assert TransparencyLog(db).size() == size + 1
    assert steps(db, made["id"])[-1] == ("correct", "final", "corrected")
    with pytest.raises(NotFound):
        findings.get(db, service.people["steelworks"], made["id"])


# -- the pages and the API ----------------------------------------------------------------------

def test_exposure_page_and_api_list_only_final_public_findings(service, inspector, issuer,
                                                              client):
    db = service.db
    shown = draft(service, inspector, summary="虚标“零碳”。 A false zero-carbon claim.")
    hidden = draft(service, inspector, summary="Not for the public.", public=False)
    pending = draft(service, inspector, summary="Still notified only.")
    for made in (shown, hidden, pending):
        findings.act(db, inspector, made["id"], "notify")
    for made in (shown, hidden):
        findings.act(db, inspector, made["id"], "finalise", issuer=issuer)
    page = client.get("/exposure").get_data(as_text=True)  # no login; Chinese by default
    assert "曝光台" in page and "虚标“零碳”" in page and "虚假宣传" in page
    assert "Not for the public." not in page and "Still notified only." not in page
    assert "Photos of the packaging" not in page  # the evidence is not published
    answer = client.get("/api/v1/findings")
    assert answer.status_code == 200
    [listed] = answer.get_json()["findings"]
    assert (listed["id"], listed["severity"], listed["subject"]["name"]) == \
        (shown["id"], "general", ORCHARD)
    signed = __import__("base64").urlsafe_b64decode(listed["document"] + "==")
    body = verify_document(signed, trust_list(service.home), "finding").body
    assert (body["finding"], body["state"]) == (shown["id"], "final")
    # the anonymous reader sees the public one, not the others (404)
    assert client.get(f"/supervision/findings/{shown['id']}").status_code == 200
    assert client.get(f"/supervision/findings/{hidden['id']}").status_code == 404
    assert client.get(f"/supervision/findings/{pending['id']}").status_code == 404


def test_every_page_names_a_log_leaf_by_the_logs_own_index(service, inspector, issuer,
                                                           approve, make_bom, clients, client):
    """The same leaf on every page, counted from 0 as the log counts (RFC 6962, C2SP): two
    labels issued are leaves 0 and 1, a finding made final is leaf 2 (its record leaf; it
    names no label, so nothing is revoked before it)."""
    db = service.db
    approve(make_bom(), issuer)
    second = approve(make_bom(product={"name": "second product", "category": "generic"}),
                     issuer)
    label = label_records.for_submission(db, second["id"])
    assert label["log_index"] == 1
    made = draft(service, inspector, summary="虚标“零碳”。 A false zero-carbon claim.")
    findings.act(db, inspector, made["id"], "notify")
    findings.act(db, inspector, made["id"], "finalise", issuer=issuer)
    assert findings.get(db, None, made["id"])["log_index"] == 2
    assert TransparencyLog(db).size() == 3

    def text(reader, url, lang):
        reader.set_cookie("lang", lang)
        answer = reader.get(url)
        assert answer.status_code == 200, url
        return " ".join(html.unescape(answer.get_data(as_text=True)).split())

    for lang, one, two, scanned, recorded, final_at in (
            ("zh", "第 1 号叶子", "第 2 号叶子", "为第 1 号叶子（日志共 3 个叶子）",
             "已签名并记入透明日志（第 2 号叶子）", "透明日志第 2 号叶子"),
            ("en", "leaf 1", "leaf 2", "as leaf 1 (log size 3)",
             "signed and recorded in the transparency log (leaf 2)",
             "transparency log, leaf 2")):
        submission = text(clients["orchard"], f"/submissions/{second['id']}", lang)
        assert one in submission and "第 2 条" not in submission and "entry" not in submission
        scan = text(client, f"/L/{to_b32(bytes(label['cose']))}", lang)
        assert scanned in scan and "leaf_index 1 · tree_size 3" in scan
        assert recorded in text(client, "/exposure", lang)
        assert final_at in text(client, f"/supervision/findings/{made['id']}", lang)
        assert two not in submission


def test_findings_on_pages_from_draft_to_final(service, inspector, issuer, login, clients):
    db = service.db
    regulator = login(service.app.test_client(), "inspector")
    orchard_id = org_id(db, ORCHARD)
    bad = regulator.post("/supervision/findings/new", data={
        "subject": str(orchard_id), "type": "fraud", "severity": "general", "summary": "",
        "evidence": "e"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    # a blank summary is told to be filled in, an unknown type the types by their names
    assert '<span class="error field-error" id="err-summary" role="status">请填写</span>' \
        in page
    assert "“fraud”不在可选范围内：数据造假、无资质核查、虚假宣传、其他" in page
    assert db["findings"].count == 0
    made = regulator.post("/supervision/findings/new", data={
        "subject": str(orchard_id), "type": "misleading_claim", "severity": "serious",
        "summary": "Zero-carbon claim.", "evidence": "Photos.", "public": "1",
        "files": [(__import__("io").BytesIO(b"%PDF-1.4 report"), "report.pdf")]},
        content_type="multipart/form-data")
    assert made.status_code == 302
    fid = next(db.query("SELECT id FROM findings"))["id"]
    assert clients["orchard"].get(f"/supervision/findings/{fid}").status_code == 404  # draft
    assert regulator.post(f"/supervision/findings/{fid}/notify").status_code == 302
    page = clients["orchard"].get(f"/supervision/findings/{fid}").get_data(as_text=True)
    assert "report.pdf" in page and 'action="/supervision/findings/%s/respond"' % fid in page
    [evidence] = findings.files(db, inspector, fid)
    download = clients["orchard"].get(f"/supervision/findings/{fid}/files/{evidence['id']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 report"
    assert clients["steelworks"].get(
        f"/supervision/findings/{fid}/files/{evidence['id']}").status_code == 404
    assert clients["orchard"].post(f"/supervision/findings/{fid}/respond",
                                   data={"text": ""}).status_code == 400
    assert clients["orchard"].post(f"/supervision/findings/{fid}/respond",
                                   data={"text": "We withdraw the claim."}).status_code == 302
    assert clients["orchard"].post(f"/supervision/findings/{fid}/finalise").status_code == 403
    assert regulator.post(f"/supervision/findings/{fid}/finalise").status_code == 302
    assert findings.get(db, None, fid)["state"] == "final"
    mine = clients["orchard"].get("/supervision/findings").get_data(as_text=True)
    assert "Zero-carbon claim." not in mine and f"认定 {fid}" in mine
    assert f"认定 {fid}" not in clients["steelworks"].get("/supervision/findings") \
        .get_data(as_text=True)


def test_the_administrator_records_qualifications_and_sees_what_lapses(service, clients,
                                                                        monkeypatch):
    from datetime import datetime
    from footprint import clock
    monkeypatch.setattr(clock, "now",
                        lambda: datetime.fromisoformat("2026-06-15T04:00:00+00:00"))
    admin, db = clients["admin"], service.db
    body = org_id(db, "Chongqing Carbon Audit")
    count = db["qualifications"].count
    bad = admin.post("/supervision/qualifications", data={
        "org": str(body), "number": "渝碳核-7", "valid_from": "2026-01-01",
        "valid_until": "2025-12-31"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert '<span class="error field-error" id="err-categories" role="status">请至少勾选一项' \
        '</span>' in text
    assert '<span class="error field-error" id="err-valid_until" role="status">截止日期不能早于起始日期' \
        in text
    assert db["qualifications"].count == count
    # lapses 2026-07-10: 25 days after 2026-06-15, inside the 30-day notice
    good = admin.post("/supervision/qualifications", data={
        "org": str(body), "number": "渝碳核-7", "categories": ["batteries", "generic"],
        "valid_from": "2026-01-01", "valid_until": "2026-07-10"})
    assert good.status_code == 302
    # the template qualified this body for every category until 2099: a renewal covers it
    assert "需要关注的资质" not in admin.get("/admin/").get_data(as_text=True)
    db.execute("UPDATE qualifications SET valid_until = '2026-06-30' WHERE number = ?",
               ["TEST-Chongqing Carbon Audit"])
    page = admin.get("/admin/").get_data(as_text=True)
    assert "需要关注的资质" in page and "渝碳核-7" in page and "30 天内到期" in page
    assert clients["orchard"].get("/supervision/qualifications").status_code == 403


def test_a_regulator_reads_the_qualifications_and_records_none(service, inspector, login):
    """Who may verify what is the regulator's to see (the table, in the navigation), the
    administrator's to record: a regulator's record is refused and changes nothing."""
    client = login(service.app.test_client(), "inspector")
    page = client.get("/supervision/qualifications")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # tests/conftest.py qualifies each accounting body as TEST-<its name>
    assert "TEST-Sichuan Carbon Verification" in text
    assert 'id="new-qualification"' not in text  # no form to record one
    assert 'href="/supervision/qualifications"' in text  # in the navigation
    count = service.db["qualifications"].count
    body = next(service.db.query("SELECT id FROM organisations WHERE name = ?",
                                 ["Sichuan Carbon Verification"]))["id"]
    refused = client.post("/supervision/qualifications", data={
        "org": str(body), "number": "川碳核-9", "categories": ["generic"],
        "valid_from": "2026-01-01", "valid_until": "2027-01-01"})
    assert refused.status_code == 403
    assert service.db["qualifications"].count == count


def test_an_organisations_public_findings_on_its_registry_page(service, inspector, issuer,
                                                               client):
    """The registry's organisation page shows that organisation's final public findings
    only (public_findings(db, org_id) and supervision/_findings.html)."""
    db = service.db
    about_orchard = draft(service, inspector, summary="About the co-op.")
    about_steel = draft(service, inspector, subject="Panzhihua Steel", summary="About steel.")
    for made in (about_orchard, about_steel):
        findings.act(db, inspector, made["id"], "notify")
        findings.act(db, inspector, made["id"], "finalise", issuer=issuer)
    listed = findings.public_findings(db, org_id(db, ORCHARD))
    assert [f["id"] for f in listed] == [about_orchard["id"]]
    client.set_cookie("lang", "en")
    html = client.get(f"/registry/organisations/{org_id(db, ORCHARD)}").get_data(as_text=True)
    assert "About the co-op." in html and "About steel." not in html
    assert "misleading claim" in html and f"Finding {about_orchard['id']}" in html
    steel = client.get(f"/registry/organisations/{org_id(db, 'Panzhihua Steel')}")
    assert "About steel." in steel.get_data(as_text=True)
