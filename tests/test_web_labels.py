"""Labels in the web service: approval on the page and through the API issues a signed label,
which the label API serves (JSON, inclusion and consistency proofs, QR and printable images),
reviewers and administrators revoke (page and API), and a second approval of the same product
supersedes. Without an issuer key approval fails with a clear 409 and stores nothing.

Hand-calculated values (MEE announcement 2024 No. 33, Sichuan grid 2022: 0.1404 kg CO2/kWh,
lca_data/electricity/cn_grid_co2_mee.csv):
  100 kWh x 0.1404 = 14.04 kg CO2e -> signed as 14.0 (3 significant figures, half up)
   90 kWh x 0.1404 = 12.636 kg CO2e -> signed as 12.6
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from footprint.usecases import actions
from footprint.usecases import labels as label_records
from footprint.labels import export_trust_list, extract, generate, load_trust_list, verify
from footprint.labels.revocations import load_revocations
from footprint.usecases import submissions as subs
from footprint.translog import TransparencyLog, verify_consistency, verify_inclusion

from .conftest import json_schema, text_of
from .test_labels import decode_png

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

ROOT = Path(__file__).resolve().parent.parent
PLATFORM = "四川省产品碳足迹平台 Sichuan Product Carbon Footprint Platform"
BODY = "Sichuan Carbon Verification"
SICHUAN_100_KWH = 100 * 0.1404  # = 14.04 kg CO2e
SICHUAN_90_KWH = 90 * 0.1404  # = 12.636 kg CO2e
TABLES = ("submissions", "audit_events", "labels", "log_entries")


@pytest.fixture
def issuer(service):
    return generate(service.home, "CN-SC", PLATFORM, "CN-SC")


def verified(service, bom) -> int:
    """A submission of orchard's, submitted to BODY and verified by auditor."""
    engine, db, people = service.app.extensions["footprint_engine"], service.db, service.people
    sub, _ = subs.create_submission(db, engine, people["orchard"], bom)
    actions.act(db, people["orchard"], sub["id"], "submit", verifier_org=BODY)
    actions.act(db, people["auditor"], sub["id"], "verify", checklist=actions.VERIFY_CHECKLIST)
    return sub["id"]


def status_of(db, submission_id) -> str:
    return db.execute("SELECT status FROM submissions WHERE id = ?",
                      [submission_id]).fetchone()[0]


def counts(db) -> dict:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def check_proof(body: dict, entry: bytes) -> bool:
    """The inclusion proof of an API answer, checked by the log's verifier."""
    assert b64(body["leaf_hash"]) == hashlib.sha256(b"\x00" + entry).digest()
    return verify_inclusion(body["leaf_index"], body["tree_size"], b64(body["leaf_hash"]),
                            [b64(p) for p in body["proof"]], b64(body["root"]))


# -- issuing ---------------------------------------------------------------------------------

def test_approving_on_the_page_issues_a_verifiable_label(service, issuer, clients, make_bom):
    db = service.db
    sid = verified(service, make_bom())
    reviewer = clients["reviewer"]
    reviewer.get("/lang/en")
    response = reviewer.post(f"/submissions/{sid}/approve")
    assert response.status_code == 302
    assert status_of(db, sid) == "issued"
    label = label_records.for_submission(db, sid)
    assert label["issuer"] == "CN-SC" and label["id"].startswith("CN-SC-")

    # the label verifies offline with nothing but the exported trust list
    trust = load_trust_list(json.loads(json.dumps(export_trust_list(service.home))))
    checked = verify(label["cose"], trust)
    assert checked.label_id == label["id"] and checked.issuer.name == PLATFORM
    # 100 kWh x 0.1404 = 14.04 kg CO2e, signed to 3 significant figures: 14.0
    assert str(checked.claims["value"]) == "14.0"
    # identifiers are signed (no credit codes on record here: organisation numbers)
    submission = db["submissions"].get(sid)
    assert checked.claims["product"] == submission["product_id"]
    assert checked.claims["producer"] == submission["org_id"]
    assert checked.claims["verifier"] == submission["verifier_org_id"]
    reviewer_id = db.execute("SELECT id FROM users WHERE username = 'reviewer'").fetchone()[0]
    assert checked.claims["reviewer"] == reviewer_id
    assert label_records.names(label) == {
        "product_name_zh": None, "product_name_en": "test product",
        "producer_name": "Pujiang Orchard Co-op", "verifier_name": BODY,
        "reviewer_name": "reviewer"}

    page = text_of(reviewer.get(response.headers["Location"]))
    assert f"Approved: carbon label {label['id']} is issued." in page
    section = re.search(r'<section class="card label-card label-valid" id="label">(.*?)'
                        r"</section>", page, re.S).group(1)
    assert f'<code id="label-id">{label["id"]}</code>' in section
    assert 'class="status status-valid">valid<' in section
    assert re.search(r'<dd id="label-value"><strong class="label-value">14\.0</strong> '
                     r"kg CO₂e per 1 kg</dd>", section)  # the vocabulary's unit symbol
    assert f'src="/api/v1/labels/{label["id"]}/qr.svg"' in section
    for kind in ("label.png", "label.svg", "label.pdf", "qr.png", "qr.svg"):
        assert f'href="/api/v1/labels/{label["id"]}/{kind}?download=1" download' in section
    b32 = base64.b32encode(label["cose"]).decode().rstrip("=")
    assert f'id="label-scan" href="/L/{b32}"' in section
    assert f"HTTPS://LOCALHOST/L/{b32}" in section  # the URL the QR code holds
    assert 'action="/submissions/%d/label/revoke"' % sid in section  # reviewers revoke
    # the producer sees the label, without the revoke form
    own = text_of(clients["orchard"].get(f"/submissions/{sid}"))
    assert label["id"] in own and "/label/revoke" not in own
    # the audit trail records approval and issuance
    trail = [e["action"] for e in subs.audit_trail(db, service.people["orchard"], sid)]
    assert trail[-2:] == ["approve", "issue"]


def test_approving_through_the_api_answers_the_label(service, issuer, api, make_bom):
    sid = verified(service, make_bom())
    response = api("reviewer", "POST", f"/submissions/{sid}/approve", json={"note": "ok"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    label = label_records.for_submission(service.db, sid)
    assert body["status"] == "issued"
    assert body["label_id"] == label["id"] and body["label_status"] == "valid"
    assert body["label"]["id"] == label["id"] and body["label"]["status"] == "valid"
    assert body["label"]["url"] == "HTTPS://LOCALHOST/L/" + \
        base64.b32encode(label["cose"]).decode().rstrip("=")
    assert extract(body["label"]["url"]) == label["cose"]
    assert body["label"]["log_index"] == 0
    assert body["label"]["links"]["qr_png"] == f"/api/v1/labels/{label['id']}/qr.png"

    # GET shows label id, status and URL; so does every role's list
    got = api("orchard", "GET", f"/submissions/{sid}").get_json()
    assert (got["label_id"], got["label"]["status"], got["label"]["url"]) == \
        (label["id"], "valid", body["label"]["url"])
    [row] = [r for r in api("orchard", "GET", "/submissions").get_json()["submissions"]
             if r["id"] == sid]
    assert (row["label_id"], row["label_status"]) == (label["id"], "valid")
    # a submission without a label says so
    other = api("orchard", "POST", "/submissions", json=make_bom()).get_json()
    assert other["label_id"] is None and other["label"] is None
    assert other["label_status"] is None


def test_the_public_host_names_the_label_url(service, issuer, api, make_bom, monkeypatch):
    sid = verified(service, make_bom())
    api("reviewer", "POST", f"/submissions/{sid}/approve")
    label_id = label_records.for_submission(service.db, sid)["id"]
    monkeypatch.setenv("FOOTPRINT_PUBLIC_HOST", "tan.example.cn")
    assert api(None, "GET", f"/labels/{label_id}").get_json()["url"].startswith(
        "HTTPS://TAN.EXAMPLE.CN/L/")
    service.app.config["FOOTPRINT_PUBLIC_HOST"] = "https://footprint.sc.example.cn"
    url = api(None, "GET", f"/labels/{label_id}").get_json()["url"]
    assert url.startswith("HTTPS://FOOTPRINT.SC.EXAMPLE.CN/L/")  # the config wins
    assert decode_png(api(None, "GET", f"/labels/{label_id}/qr.png").data) == [url]
    # without the setting, the request's host; one a URL cannot carry gives localhost
    del service.app.config["FOOTPRINT_PUBLIC_HOST"]
    monkeypatch.delenv("FOOTPRINT_PUBLIC_HOST")
    for host, expected in (("tan.example.cn:8443", "HTTPS://TAN.EXAMPLE.CN:8443/L/"),
                           ("[::1]:8000", "HTTPS://LOCALHOST/L/")):
        body = api(None, "GET", f"/labels/{label_id}", headers={"Host": host}).get_json()
        assert body["url"].startswith(expected), host


# -- no issuer key ---------------------------------------------------------------------------

def test_without_an_issuer_key_approving_changes_nothing(service, clients, api, make_bom):
    db = service.db
    sid = verified(service, make_bom())
    before = counts(db)
    reviewer = clients["reviewer"]
    reviewer.get("/lang/en")
    response = reviewer.post(f"/submissions/{sid}/approve", data={"reason": "fine"})
    assert response.status_code == 409
    page = text_of(response)
    assert "The label cannot be issued without an issuer key; nothing was approved." in page
    assert "footprint keys generate --issuer CN-SC" in page
    assert 'id="status"><span class="status status-verified"' in page
    assert counts(db) == before and status_of(db, sid) == "verified"

    response = api("reviewer", "POST", f"/submissions/{sid}/approve")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert "nothing was approved" in error and "footprint keys generate" in error
    assert counts(db) == before and status_of(db, sid) == "verified"

    # once the operator generates the key, the same approval goes through
    generate(service.home, "CN-SC", PLATFORM, "CN-SC")
    assert api("reviewer", "POST", f"/submissions/{sid}/approve").status_code == 200
    assert status_of(db, sid) == "issued"


def test_without_an_issuer_key_a_chinese_reviewer_reads_why_in_chinese(service, clients, api,
                                                                       make_bom):
    sid = verified(service, make_bom())
    reviewer = clients["reviewer"]
    reviewer.get("/lang/zh")
    response = reviewer.post(f"/submissions/{sid}/approve", data={"reason": "fine"})
    assert response.status_code == 409
    page = text_of(response)
    # the key store's reason and what the operator does, in Chinese (the page escapes quotes)
    assert "无法签发碳标签，本次批准未生效：没有签发密钥：请先运行 `footprint keys generate`。" \
        "请平台运维人员在服务器上运行一次 `footprint keys generate --issuer CN-SC --name " in page
    assert "has no key" not in page and "nothing was approved" not in page


# -- the label API ---------------------------------------------------------------------------

@pytest.fixture
def issued(service, issuer, api, make_bom):
    """The id of a label issued through the API for 100 kWh in Sichuan."""
    sid = verified(service, make_bom())
    response = api("reviewer", "POST", f"/submissions/{sid}/approve")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["label_id"]


def test_label_json_is_public_and_readable(service, api, issued):
    response = api(None, "GET", f"/labels/{issued}")  # no token: labels are public
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["id"] == issued and body["status"] == "valid"
    assert body["issuer"]["id"] == "CN-SC" and body["issuer"]["name"] == PLATFORM
    claims = body["claims"]
    assert claims["value"] == 14.0  # 100 kWh x 0.1404 = 14.04 -> 14.0
    assert claims["declared_unit"] == {"amount": 1, "unit": "kg"}
    # all of it is production; end of life lies outside the cradle-to-gate boundary
    assert claims["stage_permille"] == {"raw_materials": 0, "production": 1000,
                                        "distribution": 0, "packaging": 0}
    assert claims["region"] == "CN-SC" and claims["category"] == "generic"
    assert claims["id"] == issued and claims["product"] > 0
    assert body["names"]["product_name_en"] == "test product"
    assert body["superseded_by"] is None and body["revocation_reason"] is None
    assert body["log_index"] == 0
    assert body["log_entries"] == [{"index": 0, "kind": "issue",
                                    "at": body["log_entries"][0]["at"]}]
    assert body["verification"] == {"valid": True, "reason": None, "detail": None}
    assert extract(body["url"]) == label_records.get(service.db, issued)["cose"]
    assert body["scan_path"] == "/L/" + body["url"].rsplit("/", 1)[1]
    assert response.headers["Cache-Control"] == "no-cache"
    assert api(None, "GET", "/labels/CN-SC-NOSUCHLABEL23").status_code == 404


def test_inclusion_proof_verifies_against_the_root(service, api, issued, make_bom):
    label = label_records.get(service.db, issued)
    body = api(None, "GET", f"/labels/{issued}/proof").get_json()
    assert set(body) == {"leaf_index", "tree_size", "leaf_hash", "root", "proof"}
    assert (body["leaf_index"], body["tree_size"]) == (0, 1)
    assert check_proof(body, label["cose"])
    # a second label grows the log; the first one's proof still leads to the new root
    sid = verified(service, make_bom(product={"name": "second product",
                                              "category": "generic"}))
    api("reviewer", "POST", f"/submissions/{sid}/approve")
    body = api(None, "GET", f"/labels/{issued}/proof").get_json()
    assert body["tree_size"] == 2 and len(body["proof"]) == 1
    assert b64(body["root"]) == TransparencyLog(service.db).root()
    assert check_proof(body, label["cose"])
    tampered = dict(body, root=base64.b64encode(b"\x01" * 32).decode())
    assert not check_proof(tampered, label["cose"])  # the check can fail
    # against an older checkpoint's size
    old = api(None, "GET", f"/labels/{issued}/proof?tree_size=1").get_json()
    assert old["tree_size"] == 1 and b64(old["root"]) == TransparencyLog(service.db).root(1)
    assert check_proof(old, label["cose"])
    for bad in ("tree_size=0", "tree_size=3", "tree_size=x", "size=1"):
        assert api(None, "GET", f"/labels/{issued}/proof?{bad}").status_code == 400, bad


def test_images_have_their_content_types_and_the_qr_decodes(api, issued):
    url = api(None, "GET", f"/labels/{issued}").get_json()["url"]
    response = api(None, "GET", f"/labels/{issued}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_png(response.data) == [url]  # an independent reader gets the label URL
    assert response.headers["Content-Disposition"] == f'inline; filename="{issued}-qr.png"'
    response = api(None, "GET", f"/labels/{issued}/label.png")
    assert response.mimetype == "image/png" and decode_png(response.data) == [url]
    for kind, mimetype, start in (("qr.svg", "image/svg+xml", b"<svg"),
                                  ("label.svg", "image/svg+xml", b"<svg"),
                                  ("label.pdf", "application/pdf", b"%PDF-")):
        response = api(None, "GET", f"/labels/{issued}/{kind}")
        assert response.status_code == 200 and response.mimetype == mimetype, kind
        assert response.data.startswith(start), kind
    svg = api(None, "GET", f"/labels/{issued}/label.svg").get_data(as_text=True)
    assert "14.0" in svg and "test product" in svg and issued in svg
    response = api(None, "GET", f"/labels/{issued}/label.pdf?download=1")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="{issued}-label.pdf"'
    assert api(None, "GET", "/labels/CN-SC-NOSUCHLABEL23/qr.png").status_code == 404


def test_the_printed_label_and_the_scan_page_say_what_the_figure_stands_on(service, api, client,
                                                                          issued):
    """Boundary, GWP method and data quality beside the figure: on the printed label (in
    Chinese where it prints Chinese, in English where it cannot) and on the scan page. The
    BOM is cradle to gate (the default) under the default method, IPCC AR6 GWP100."""
    svg = html.unescape(api(None, "GET", f"/labels/{issued}/label.svg").get_data(as_text=True))
    (line,) = re.findall(r">(摇篮到大门 · IPCC AR6 GWP100 · 数据质量 [^<]+)</text>", svg)
    level, score = re.fullmatch(r".* · 数据质量 (\S+)（([\d.]+)）", line).groups()
    label = label_records.get(service.db, issued)
    scan = f"/L/{api(None, 'GET', f'/labels/{issued}').get_json()['scan_path'][3:]}"
    zh = html.unescape(client.get(scan, headers={"Accept-Language": "zh"}).get_data(as_text=True))
    assert "系统边界：摇篮到大门 · 方法：IPCC AR6 GWP100" in re.sub(r"\s+", " ", zh)
    assert f"数据质量 {level}（{score}）" in zh  # the label and the page say the same
    en = html.unescape(client.get(scan, headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "System boundary: cradle to gate · Method: IPCC AR6 GWP100 (default)" in \
        re.sub(r"\s+", " ", en)
    # a renderer without a CJK font prints the English line
    from footprint.labels import printed
    from web.api.labels import _basis_line
    with service.app.test_request_context():
        basis = _basis_line(label_records.calculation_basis(
            label_records.signed_result(service.db, label)))
        english = [t.text for t in printed.layout({**label_records.shown(label),
                                                   "basis": basis}, "HTTPS://X/L/Y", cjk=False)
                   if isinstance(t, printed.Text)]
    assert "cradle to gate · IPCC AR6 GWP100 · data quality" in " ".join(english)  # wrapped


# -- revocation ------------------------------------------------------------------------------

def test_revoking_through_the_api(service, api, issued):
    db = service.db
    before = counts(db)
    assert api(None, "POST", f"/labels/{issued}/revoke",
               json={"reason": "x"}).status_code == 401
    for user in ("orchard", "steelworks", "auditor"):  # producers and verifiers may not
        response = api(user, "POST", f"/labels/{issued}/revoke", json={"reason": "fraud"})
        assert response.status_code == 403, user
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "ok", "extra": 1}):
        response = api("reviewer", "POST", f"/labels/{issued}/revoke", json=body)
        assert response.status_code == 400, body
    assert api("reviewer", "POST", "/labels/CN-SC-NOSUCHLABEL23/revoke",
               json={"reason": "fraud"}).status_code == 404
    assert counts(db) == before

    reason = "电表读数造假 The meter readings were falsified"
    response = api("reviewer", "POST", f"/labels/{issued}/revoke", json={"reason": reason})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "revoked" and body["revocation_reason"] == reason
    assert [e["kind"] for e in body["log_entries"]] == ["issue", "revoke"]
    entry = TransparencyLog(db).entry(1)
    assert entry["kind"] == "revoke" and entry["label_id"] == issued
    assert reason.encode() in entry["entry"]
    submission = label_records.get(db, issued)["submission_id"]
    assert status_of(db, submission) == "revoked"

    # the public list, in the format the offline verifier reads
    listing = api(None, "GET", "/labels/revoked").get_json()
    assert [(r["id"], r["reason"]) for r in listing["revoked"]] == [(issued, reason)]
    assert set(load_revocations(listing)) == {issued}
    # the revocation is itself in the log: proof of its leaf against the root
    log = TransparencyLog(db)
    assert verify_inclusion(1, 2, entry["leaf_hash"], log.inclusion(1)["proof"], log.root())

    assert api("admin", "POST", f"/labels/{issued}/revoke",
               json={"reason": "again"}).status_code == 409
    assert api(None, "GET", f"/labels/{issued}").get_json()["status"] == "revoked"


def test_revoking_on_the_page(service, issuer, clients, make_bom):
    db = service.db
    sid = verified(service, make_bom())
    clients["reviewer"].post(f"/submissions/{sid}/approve")
    label_id = label_records.for_submission(db, sid)["id"]
    url = f"/submissions/{sid}/label/revoke"
    assert clients["orchard"].post(url, data={"reason": "mine"}).status_code == 403
    assert clients["steelworks"].post(url, data={"reason": "x"}).status_code == 404
    admin = clients["admin"]
    admin.get("/lang/en")
    response = admin.post(url, data={"reason": "   "})
    assert response.status_code == 400
    assert "a public reason of 1 to 500 characters" in text_of(response)
    assert label_records.get(db, label_id)["revoked_at"] is None

    response = admin.post(url, data={"reason": "falsified meter readings"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#label")
    page = text_of(admin.get(f"/submissions/{sid}"))
    assert "The label is revoked; the public list of revoked labels shows it." in page
    assert 'class="status status-revoked">revoked<' in page
    assert ('<dd id="label-revocation-reason" class="written">falsified meter readings</dd>'
            in page)
    assert "/label/revoke" not in page  # nothing more to revoke
    trail = re.search(r'<table id="audit-trail">(.*?)</table>', page, re.S).group(1)
    assert re.search(r'<tr data-action="revoke">.*?label revoked.*?falsified meter readings',
                     trail, re.S)
    assert label_records.status(label_records.get(db, label_id)) == "revoked"
    # the producer's list shows the label's fate
    orchard = clients["orchard"]
    orchard.get("/lang/en")
    row = re.search(rf'<tr id="submission-{sid}">(.*?)</tr>',
                    text_of(orchard.get("/producer/")), re.S).group(1)
    assert "status-revoked" in row


# -- supersession ----------------------------------------------------------------------------

def test_a_second_approval_of_the_product_supersedes_its_label(service, api, issued,
                                                                make_bom, clients):
    db = service.db
    second = verified(service, make_bom(lines=[
        {"input": "electricity", "amount": 90, "unit": "kWh", "stage": "production"}]))
    body = api("reviewer", "POST", f"/submissions/{second}/approve").get_json()
    new_id = body["label_id"]
    assert new_id != issued
    old = api(None, "GET", f"/labels/{issued}").get_json()
    assert old["status"] == "superseded" and old["superseded_by"] == new_id
    assert [e["kind"] for e in old["log_entries"]] == ["issue", "supersede"]
    new = api(None, "GET", f"/labels/{new_id}").get_json()
    assert new["status"] == "valid" and new["supersedes"] == issued
    assert new["claims"]["supersedes"] == issued  # signed into the new label
    assert new["claims"]["value"] == 12.6  # 90 kWh x 0.1404 = 12.636 -> 12.6
    first = label_records.get(db, issued)["submission_id"]
    assert status_of(db, first) == "superseded" and status_of(db, second) == "issued"
    page = text_of(clients["orchard"].get(f"/submissions/{first}"))
    assert f'<dd id="label-superseded-by"><code>{new_id}</code></dd>' in page

    # the log grew 1 -> 3 (issue, issue, supersede) and the history up to 1 is kept
    log = TransparencyLog(db)
    proof = api(None, "GET", "/log/consistency?from=1&to=3").get_json()
    assert (proof["old_size"], proof["new_size"]) == (1, 3)
    assert b64(proof["old_root"]) == log.root(1) and b64(proof["new_root"]) == log.root()
    assert verify_consistency(1, 3, log.root(1), log.root(), [b64(p) for p in proof["proof"]])
    assert not verify_consistency(1, 3, log.root(2), log.root(),
                                  [b64(p) for p in proof["proof"]])
    default = api(None, "GET", "/log/consistency?from=2").get_json()
    assert default["new_size"] == 3
    assert verify_consistency(2, 3, log.root(2), log.root(), [b64(p) for p in default["proof"]])
    for bad in ("", "from=0", "from=4", "from=2&to=1", "from=1&to=9", "from=a", "from=1&x=2"):
        response = api(None, "GET", f"/log/consistency?{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["problems"], bad
    # a size out of range is named as the caller sent it (the log has 3 leaves)
    for bad, named in (("from=4", "from"), ("from=2&to=1", "from"), ("from=1&to=9", "to")):
        problems = api(None, "GET", f"/log/consistency?{bad}").get_json()["problems"]
        assert [p["where"] for p in problems] == [named], bad


# -- the document, the pages -----------------------------------------------------------------

LABEL_PATHS = {
    "/api/v1/labels/{label_id}": ("get", "application/json"),
    "/api/v1/labels/{label_id}/proof": ("get", "application/json"),
    "/api/v1/labels/{label_id}/qr.png": ("get", "image/png"),
    "/api/v1/labels/{label_id}/qr.svg": ("get", "image/svg+xml"),
    "/api/v1/labels/{label_id}/label.png": ("get", "image/png"),
    "/api/v1/labels/{label_id}/label.svg": ("get", "image/svg+xml"),
    "/api/v1/labels/{label_id}/label.pdf": ("get", "application/pdf"),
    "/api/v1/labels/{label_id}/revoke": ("post", "application/json"),
    "/api/v1/labels/revoked": ("get", "application/json"),
    "/api/v1/log/consistency": ("get", "application/json"),
}


def test_the_label_endpoints_are_in_the_openapi_document(service):
    document = service.app.test_client().get("/api/v1/openapi.json").get_json()
    for path, (method, media_type) in LABEL_PATHS.items():
        op = document["paths"][path][method]
        assert media_type in op["responses"]["200"]["content"], path
        public = method == "get"
        assert op["security"] == ([] if public else [{"bearerAuth": []}]), path
        if "{label_id}" in path:
            [parameter] = [p for p in op["parameters"] if p["name"] == "label_id"]
            assert parameter["in"] == "path" and parameter["required"] is True
    consistency = document["paths"]["/api/v1/log/consistency"]["get"]
    assert {p["name"] for p in consistency["parameters"]} == {"from", "to"}
    revoke = document["paths"]["/api/v1/labels/{label_id}/revoke"]["post"]
    assert {"400", "401", "403", "404", "409"} <= set(revoke["responses"])
    submission = document["components"]["schemas"]["Submission"]["properties"]
    assert submission["label_id"]["type"] == "string" and "label" in submission
    from openapi_spec_validator import validate
    validate(document)


def test_label_responses_match_the_document(service, api, issued):
    import jsonschema  # installed with openapi-spec-validator (the test extras)
    document = service.app.test_client().get("/api/v1/openapi.json").get_json()
    for name, path in (("Label", f"/labels/{issued}"), ("InclusionProof",
                                                        f"/labels/{issued}/proof"),
                       ("RevokedList", "/labels/revoked")):
        jsonschema.validate(api(None, "GET", path).get_json(), json_schema(document, name))


def test_the_label_section_keeps_to_the_csp_and_speaks_chinese(service, issuer, clients,
                                                                make_bom):
    sid = verified(service, make_bom())
    clients["reviewer"].post(f"/submissions/{sid}/approve")
    page = clients["reviewer"].get(f"/submissions/{sid}").get_data(as_text=True)  # zh
    assert "style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "submission_label.css" in page
    for text in ("碳足迹标签", "标签状态", "有效", "撤销此标签", "下载可打印标签"):
        assert text in page, text
    assert 'name="csrf_token"' in re.search(r'<form[^>]*id="revoke-label"(.*?)</form>',
                                            page, re.S).group(1)


def test_every_label_message_has_its_chinese():
    """Each _("...") of the label parts of the service has a msgstr in labels_admin.po or in
    the catalogues every part shares (core.po, vocabulary.po)."""
    catalogue = {}
    for name in ("labels_admin", "core", "vocabulary"):
        with open(ROOT / "web" / "translations" / "zh" / "LC_MESSAGES" / f"{name}.po",
                  "rb") as f:
            catalogue.update({m.id: m.string for m in read_po(f) if m.id})
    sources = [ROOT / "web" / "labels.py", *sorted((ROOT / "web" / "api").glob("*.py")),
               *sorted((ROOT / "web" / "templates" / "labels_admin").glob("*.html"))]
    found = set()
    for source in sources:
        found |= set(re.findall(r'\b_l?\(\s*"((?:[^"\\]|\\.)+)"',
                                source.read_text(encoding="utf-8")))
        found |= set(re.findall(r"\b_l?\(\s*'((?:[^'\\]|\\.)+)'",
                                source.read_text(encoding="utf-8")))
    assert len(found) > 25
    missing = sorted(m for m in found if not catalogue.get(m))
    assert missing == []
