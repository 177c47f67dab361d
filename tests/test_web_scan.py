"""Public verification through the Flask test client: the trust list, the signed checkpoint,
the consumer scan page /L/<code> for every status in Chinese and English, GS1 Digital Link and
the public list of revoked labels.

Hand-calculated values (factors cited from the results' own sources):
  100 kWh x 0.1404 kg CO2/kWh (MEE announcement 2024 No. 33, Sichuan 2022) = 14.04 kg CO2e,
    signed to 3 significant figures as 14.0; all of it in production: 1000 per mille.
  Oranges, 600 kWh/ha irrigation on 30000 kg/ha: 600 / 30000 x 0.1404 = 0.002808 kg CO2e/kg
    (production) plus 0.01 kg diesel x 3.1863 kg CO2/kg (IPCC 2006: 74.1 kg CO2/GJ x 43.0 GJ/t)
    = 0.031863 (distribution): total 0.034671, signed as 0.0347 kg CO2e per kg. Shares
    2.808 / 34.671 = 80.99 per mille -> 81, 31.863 / 34.671 = 919.01 -> 919 (largest
    remainder). Provisional bands A <= 0.12 < B <= 0.22 < ...: 0.0347 is grade A.
  The same as grid electricity: 0.0347 / 0.5777 kg CO2e/kWh (China's 2024 electricity carbon
    footprint factor, MEE announcement of 2025-10-23) = 0.0601 kWh -> 0.060 to 2 figures.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from footprint import clock
from footprint.display import CHINA
from footprint.gs1 import check_digit
from footprint.labels import export_trust_list, generate, sign, to_b32, trust_add
from footprint.labels.keys import current_key
from footprint.usecases.issuing import Issuer
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke
from footprint.labels.revocations import parse_revocations
from footprint.store import transaction
from footprint.translog import CheckpointError, TransparencyLog, verify_checkpoint
from footprint.translog.monitor import LogRewritten
from footprint.usecases import transparency
from tests.conftest import approved

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

ROOT = Path(__file__).resolve().parent.parent
SC_NAME = "四川省碳足迹平台 Sichuan carbon footprint platform"
GTIN13 = "690123456789" + str(check_digit("690123456789"))  # 6901234567892


def approve(service, issuer, bom):
    """The label of ``bom`` approved (tests/conftest.py's ``approved``) with ``issuer``."""
    engine = service.app.extensions["footprint_engine"]
    final = approved(service.db, engine, service.people, bom, issuer)
    return for_submission(service.db, final["id"])


def tea_bom(make_bom, kwh=100, **product):
    return make_bom(product={"name": "Mengding green tea", "name_zh": "蒙顶绿茶",
                             "category": "generic", **product},
                    lines=[{"input": "electricity", "amount": kwh, "unit": "kWh",
                            "stage": "production"}])


def scan_url(label) -> str:
    return f"/L/{to_b32(label['cose'])}"


def page(client, url, lang=None):
    if lang:
        client.set_cookie("lang", lang)
    response = client.get(url)
    return response, html.unescape(response.get_data(as_text=True))


def verdict(text: str) -> str:
    return re.search(r'<article class="scan(?: void)?" id="scan" data-verdict="([a-z-]+)">',
                     text).group(1)


def banner(text: str) -> str:
    """The text of the verdict box, tags stripped."""
    box = re.search(r'<section id="verdict"(.*?)</section>', text, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", box).split())


def no_inline_style_or_script(text: str) -> None:
    assert "style=" not in text and "<style" not in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)


# -- the trust list and the checkpoint -------------------------------------------------------

def test_trust_list_has_exactly_the_published_fields(service, client, tmp_path):
    assert client.get("/.well-known/footprint/trust-list.json").get_json() == {"issuers": []}
    key = generate(service.home, "CN-SC", SC_NAME, "CN-SC",
                   valid_from="2026-01-01T00:00:00Z", valid_to="2031-01-01T00:00:00Z")
    other = tmp_path / "cq"
    generate(other, "CN-CQ", "重庆市碳足迹平台", "CN-CQ")
    trust_add(service.home, export_trust_list(other))

    response = client.get("/.well-known/footprint/trust-list.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert list(body) == ["issuers"]
    assert [e["id"] for e in body["issuers"]] == ["CN-SC", "CN-CQ"]  # own first, then others
    for entry in body["issuers"]:
        assert set(entry) == {"id", "name", "region", "kid", "public_key", "valid_from",
                              "valid_to"}
        public_key = base64.b64decode(entry["public_key"], validate=True)
        assert len(public_key) == 32
        assert base64.b64decode(entry["kid"]) == hashlib.sha256(public_key).digest()[:8]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["valid_from"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["valid_to"])
    sc = body["issuers"][0]
    assert sc == {"id": "CN-SC", "name": SC_NAME, "region": "CN-SC",
                  "kid": base64.b64encode(key.entry.kid).decode(),
                  "public_key": base64.b64encode(key.entry.public_key).decode(),
                  "valid_from": "2026-01-01T00:00:00Z", "valid_to": "2031-01-01T00:00:00Z"}
    assert "四川省" in response.get_data(as_text=True)  # UTF-8, not \u escapes


def test_checkpoint_needs_a_key_then_verifies_against_the_trust_list(service, client,
                                                                    make_bom):
    response = client.get("/log/checkpoint")
    assert response.status_code == 503 and response.mimetype == "text/plain"
    assert "footprint keys generate" in response.get_data(as_text=True)

    issuer = Issuer(service.home, "CN-SC")
    generate(service.home, "CN-SC", SC_NAME, "CN-SC")
    approve(service, issuer, tea_bom(make_bom))
    approve(service, issuer, tea_bom(make_bom, kwh=90))  # issue, issue, supersede: 3 leaves
    response = client.get("/log/checkpoint")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    note = response.get_data(as_text=True)
    entry = client.get("/.well-known/footprint/trust-list.json").get_json()["issuers"][0]
    public_key = base64.b64decode(entry["public_key"])
    size, root = verify_checkpoint(note, entry["id"], public_key, origin="CN-SC")
    log = TransparencyLog(service.db)
    assert (size, root) == (3, log.root()) and log.size() == 3
    assert note.startswith(f"CN-SC\n3\n{base64.b64encode(root).decode()}\n\n\u2014 CN-SC ")

    forged = note.replace("\n3\n", "\n2\n", 1)
    with pytest.raises(CheckpointError):
        verify_checkpoint(forged, entry["id"], public_key)
    other = generate(service.home / "elsewhere", "CN-XX", "someone else")
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, "CN-SC", other.entry.public_key)


# -- the scan page ---------------------------------------------------------------------------

def test_valid_label_in_chinese_and_english(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom))
    response, text = page(client, scan_url(label))
    assert response.status_code == 200
    assert verdict(text) == "valid"
    assert '<section id="verdict" class="verdict tone-good"' in text
    assert "有效" in banner(text) and "此碳标签真实有效" in banner(text)
    # Chinese name first, the English one below it
    assert text.index("蒙顶绿茶") < text.index("Mengding green tea")
    assert re.search(r'id="value">14\.0 <span class="unit">kg CO₂e</span>\s*<small>每 1 kg',
                     text)
    stage = re.search(r'<tr data-stage="production">(.*?)</tr>', text, re.S).group(1)
    assert 'class="bar w100"' in stage and "100.0 %" in stage
    assert re.search(r'<tr data-stage="distribution">.*?class="bar w0".*?0\.0 %', text, re.S)
    assert re.search(r'id="producer">Pujiang Orchard Co-op<', text)
    assert re.search(r'id="verifier">Sichuan Carbon Verification<', text)
    assert f'id="issuer">{SC_NAME} (CN-SC)<' in text
    assert "四川" in re.search(r'id="region">(.*?)</dd>', text).group(1)
    # dates are the day in China (UTC+8), as every page shows times
    issued = datetime.fromisoformat(label["issued_at"]).astimezone(CHINA)
    assert f'id="issued">{issued.date().isoformat()}<' in text
    assert f'id="expires">{(issued + timedelta(days=365)).date().isoformat()}<' in text
    assert f"<code>{label['id']}</code>" in text
    # the inclusion proof, checked against the current root, is said plainly
    log = TransparencyLog(service.db)
    check_log = re.search(r'<li class="ok" id="check-log">(.*?)</li>', text, re.S).group(1)
    assert "为第 0 号叶子（日志共 1 个叶子）" in check_log  # the log's own index, from 0
    assert "leaf_index 0 · tree_size 1" in check_log
    assert base64.b64encode(log.root()).decode() in check_log
    assert 'id="check-signature"' in text
    # the data version and the reproducibility hash are machine text, shown as code (a hash
    # is no English word on a Chinese page)
    assert re.search(r'数据版本 <code class="hash">[^<&]+</code> · 可复现哈希 '
                     r'<code class="hash">[0-9a-f]{16,}</code>', text)
    no_inline_style_or_script(text)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]

    response, english = page(client, scan_url(label), lang="en")
    assert verdict(english) == "valid"
    assert "This carbon label is genuine and currently valid." in banner(english)
    assert "per 1 kg" in english and "Where the emissions arise" in english
    assert ("as leaf 0 (log size 1); its inclusion proof checks against the log's root at that "
            "size") in english

    for url in (f"/L/{to_b32(label['cose']).lower()}", scan_url(label).lower()):
        lower = client.get(url)
        assert lower.status_code == 200 and verdict(lower.get_data(as_text=True)) == "valid"


def test_graded_label_shows_the_provisional_benchmark(service, issuer, client):
    bom = {"product": {"name": "test oranges", "name_zh": "测试柑橘", "category": "oranges"},
           "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC", "factor_year": 2022,
           "parameters": {"yield_kg_per_ha": 30000, "irrigation_kwh_per_ha": 600},
           "lines": [{"input": "diesel", "amount": 0.01, "unit": "kg",
                      "stage": "distribution"}]}
    label = approve(service, issuer, bom)
    _, text = page(client, scan_url(label))
    assert re.search(r'id="value">0\.0347 <span', text)
    assert re.search(r'<span class="grade">A</span>', text)
    assert 'id="provisional"' in text and "暂定等级" in text
    bands = re.search(r'<ol class="bands" id="bands">(.*?)</ol>', text, re.S).group(1)
    assert re.findall(r'class="grade-letter">([A-E])<', bands) == list("ABCDE")
    assert re.search(r'class="band mine" aria-current="true">\s*<span class="grade-letter">A<',
                     bands)
    assert "基准（kg CO₂e 每 1 kg）" in text
    # the line of context: the band and the same greenhouse gas as grid electricity
    context = " ".join(re.sub(r"<[^>]+>", " ", re.search(
        r'<div id="context" class="context">(.*?)</div>', text, re.S).group(1)).split())
    assert "本品类共 5 个等级，本产品为 A 级：不超过 0.12 kg CO₂e 每 1 kg。" in context
    assert "相当于全国电网约 0.06 度电（kWh）" in context
    assert "按 2024 年全国电力碳足迹因子（全生命周期）每千瓦时 0.5777 kg CO₂e 计算" in context
    # the factor's source, cited by its dataset's Chinese title and publisher (lca_data/
    # electricity/manifest.json); the English citation only on hover
    assert context.endswith("计算： 中国全国电力碳足迹因子（全生命周期） · "
                            "中华人民共和国生态环境部；国家统计局；国家能源局")
    assert "MEE announcement" not in context and "Ministry" not in context
    assert re.search(r'<cite title="Ministry of Ecology and Environment of the PRC; [^"]*MEE '
                     r'announcement signed 2025-09-28', text)
    production = re.search(r'<tr data-stage="production">(.*?)</tr>', text, re.S).group(1)
    distribution = re.search(r'<tr data-stage="distribution">(.*?)</tr>', text, re.S).group(1)
    # 81 per mille = 8.1 %, bar 81/1000 x 20 = 1.62 -> 2 steps of 5 = w10;
    # 919 per mille = 91.9 %, 18.38 -> 18 steps = w90
    assert "8.1 %" in production and 'class="bar w10"' in production
    assert "91.9 %" in distribution and 'class="bar w90"' in distribution

    _, english = page(client, scan_url(label), lang="en")
    assert "Provisional grade" in english and "Benchmark for" in english
    assert "Grade A of 5 in this category: up to 0.12 kg CO₂e per 1 kg." in english
    assert "About as much greenhouse gas as 0.06 kWh of electricity from China's grid." \
        in english
    cited = " ".join(re.sub(r"<[^>]+>", " ", re.search(
        r'<p id="context-electricity">(.*?)</p>', english, re.S).group(1)).split())
    # in English: the dataset's English title, then the whole citation
    assert "life cycle: China national electricity carbon-footprint factor (life cycle) " \
        "Ministry of Ecology and Environment of the PRC; " in cited
    assert "MEE announcement signed 2025-09-28" in cited and "中华人民共和国" not in cited


def void_page(text: str) -> None:
    """A label whose figures no longer hold says so below the banner too: no green tick,
    no line of context, the figures marked."""
    assert '<article class="scan void"' in text
    assert 'id="void-note"' in text and 'id="context"' not in text
    assert 'class="ok"' not in text
    assert re.search(r'<li class="bad" id="check-status">', text)
    assert re.search(r'<li class="info" id="check-signature">', text)


def test_superseded_label_links_to_the_current_one(service, issuer, client, make_bom):
    first = approve(service, issuer, tea_bom(make_bom))
    approve(service, issuer, tea_bom(make_bom, kwh=90))
    third = approve(service, issuer, tea_bom(make_bom, kwh=80))
    _, text = page(client, scan_url(first))
    assert verdict(text) == "superseded"
    assert "tone-caution" in text and "已被同一产品的新标签取代" in banner(text)
    link = re.search(r'<a id="current-label" class="button" href="([^"]+)">', text).group(1)
    assert link == scan_url(third)  # the end of the chain, not the label in between
    assert third["id"] in banner(text)
    _, current = page(client, link)
    assert verdict(current) == "valid"
    _, english = page(client, scan_url(first), lang="en")
    assert "Superseded" in banner(english) and "See the current label" in banner(english)
    void_page(text)
    assert "已过时：以下数据已被新标签取代" in text


def test_revoked_label_shows_the_public_reason_and_is_listed(service, issuer, client,
                                                             make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    _, before = page(client, "/labels/revoked")
    assert "尚无标签被撤销" in before
    reason = "电表读数造假 <meter readings were falsified>"
    revoke(service.db, service.people["reviewer"], label["id"], reason)

    response, text = page(client, scan_url(label))
    assert response.status_code == 200 and verdict(text) == "revoked"
    assert 'class="verdict tone-danger" role="alert"' in text
    assert "此标签已被平台撤销" in banner(text)
    # shown as text (escaped on the wire)
    assert f'<q class="reason written">{reason}</q>' in text
    assert "&lt;meter readings were falsified&gt;" in response.get_data(as_text=True)
    _, english = page(client, scan_url(label), lang="en")
    assert "This label has been revoked by the platform." in banner(english)
    assert "Public reason:" in banner(english) and "电表读数造假" in banner(english)
    void_page(text)
    assert "已撤销：平台不再为以下数据担保" in text and "状态：已于" in text
    void_page(english)
    assert "Revoked: the platform no longer vouches for these figures." in english

    _, listing = page(client, "/labels/revoked")
    item = re.search(rf'<li class="card" data-label="{label["id"]}">(.*?)</li>', listing,
                     re.S).group(1)
    assert reason in item and f'href="{scan_url(label)}"' in item
    assert 'href="/api/v1/labels/revoked"' in listing  # the JSON list for offline verifiers
    body = client.get("/api/v1/labels/revoked").get_json()
    from footprint.labels.revocations import parse_revocations
    assert parse_revocations(body)[label["id"]]["reason"] == reason
    # the GS1 link of a product whose label is revoked still leads to the (revoked) label
    assert client.get(f"/01/0{GTIN13}").headers["Location"].endswith(scan_url(label))


def test_expired_label(service, client, make_bom, monkeypatch):
    generate(service.home, "CN-SC", SC_NAME, "CN-SC")
    label = approve(service, Issuer(service.home, "CN-SC", validity_days=30),
                    tea_bom(make_bom))
    _, text = page(client, scan_url(label))
    assert verdict(text) == "valid"

    expires = datetime.fromisoformat(label["expires_at"])
    monkeypatch.setattr(clock, "now", lambda: expires + timedelta(days=1))
    _, text = page(client, scan_url(label))
    assert verdict(text) == "expired" and "tone-caution" in text
    expires = expires.astimezone(CHINA)  # the day in China (UTC+8), as pages show it
    assert f"已于 {expires.date().isoformat()} 过期" in banner(text)
    assert "蒙顶绿茶" in text  # the genuine contents are still shown, as out of date
    _, english = page(client, scan_url(label), lang="en")
    assert f"expired on {expires.date().isoformat()}" in banner(english)
    void_page(text)
    assert f"状态：已于 {expires.date().isoformat()} 过期" in text


def test_forged_label_is_an_unmistakable_warning(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom))
    forged = bytearray(label["cose"])
    forged[-1] ^= 0x01  # the last byte of the Ed25519 signature
    response, text = page(client, f"/L/{to_b32(bytes(forged))}")
    assert response.status_code == 200 and verdict(text) == "forged"
    assert 'class="verdict tone-danger" role="alert"' in text
    assert "警告：此标签不是真实标签。" in banner(text)
    assert "签名与标签内容不符" in banner(text)
    assert "蒙顶绿茶" not in text and "14.0" not in text  # nothing of the forgery is vouched for
    _, english = page(client, f"/L/{to_b32(bytes(forged))}", lang="en")
    assert "Warning: this label is not genuine." in banner(english)
    assert "bad-signature" in banner(english)

    # a changed claim (re-encoded without re-signing) is just as forged
    tampered = bytes(label["cose"]).replace(b"generic", b"genetic")
    assert tampered != bytes(label["cose"])
    _, text = page(client, f"/L/{to_b32(tampered)}")
    assert verdict(text) == "forged" and "genetic" not in text


def test_unknown_issuer_and_unrecorded_labels(service, issuer, client, make_bom, tmp_path):
    label = approve(service, issuer, tea_bom(make_bom))
    stranger = generate(tmp_path / "stranger", "CN-XX", "unlisted platform")
    record = {"id": "CN-XX-AAAAAAAAAAAAA", "issuer": "CN-XX",
              "issued_at": datetime.now(timezone.utc),  # inside both keys' windows
              "expires_at": datetime.now(timezone.utc) + timedelta(days=30),
              "product": 1, "producer": 1, "category": "counterfeit_tea",
              "declared_unit": {"amount": 1, "unit": "kg"}, "value": 0.001,
              "by_stage": {"production": 0.001}, "region": "CN-SC", "data_version": "ab" * 8,
              "reproducibility_hash": "cd" * 16, "verifier": 1, "reviewer": 1}
    response, text = page(client, f"/L/{to_b32(sign(record, stranger))}")
    assert response.status_code == 200 and verdict(text) == "unknown-issuer"
    assert 'class="verdict tone-danger" role="alert"' in text
    assert "未知签发方" in banner(text) and "不在本平台的信任列表中" in banner(text)
    assert "counterfeit_tea" not in text
    _, english = page(client, f"/L/{to_b32(sign(record, stranger))}", lang="en")
    assert "Unknown issuer" in banner(english)
    assert "not in this platform's trust list" in banner(english)

    # signed with this platform's own key but never stored or logged: never trusted
    ours = dict(record, id="CN-SC-AAAAAAAAAAAAA", issuer="CN-SC")
    _, text = page(client, f"/L/{to_b32(sign(ours, current_key(service.home, 'CN-SC')))}")
    assert verdict(text) == "unrecorded" and "tone-danger" in text
    assert "counterfeit_tea" not in text
    # the genuine label next to them is unaffected
    assert verdict(page(client, scan_url(label))[1]) == "valid"


def test_a_label_whose_log_proof_fails_is_not_trusted(service, issuer, client, make_bom):
    first = approve(service, issuer, tea_bom(make_bom))
    approve(service, issuer, tea_bom(make_bom, kwh=90, name="another product"))
    assert verdict(page(client, scan_url(first))[1]) == "valid"
    # point the stored label at another leaf (the log itself is append-only): the proof is
    # computed for the scanned bytes, so it no longer leads to the root
    service.db["labels"].update(first["id"], {"log_index": 1})
    _, text = page(client, scan_url(first))
    assert verdict(text) == "unrecorded" and 'role="alert"' in text
    assert "不在本平台的记录和公开日志中" in banner(text)


def test_a_label_cut_short_is_a_damaged_scan_not_a_forgery(service, issuer, client,
                                                          make_bom):
    """The audit's case: the label's URL with its last 10 characters cut; and the label cut
    1, 6 and 40 bytes short, which still reads as base32 but not as CBOR. Each is a scan to
    do again, said gently in the reader's language, as a code that is no label is; a
    signature that does not verify stays "not genuine" (the test above)."""
    from footprint.labels import LabelInvalid, from_b32
    from footprint.usecases import scanning

    label = approve(service, issuer, tea_bom(make_bom))
    cose = bytes(label["cose"])
    cut = [to_b32(cose)[:-10]] + [to_b32(cose[:-n]) for n in (1, 6, 40)]
    with pytest.raises(LabelInvalid) as unread:  # decoded from base32, then not CBOR
        scanning.check(service.db, service.home, from_b32(cut[2]), clock.now())
    assert unread.value.unreadable and unread.value.detail.startswith("not CBOR")
    for code in cut:
        for lang, gentle, alarm in (
                ("zh", "此网址不含碳标签代码。请重新扫描产品上的二维码，或按印制内容准确输入网址。",
                 ("非真实", "警告", "举报")),
                ("en", "Scan the QR code on the product again, or type the address exactly "
                       "as printed.", ("not genuine", "Warning", "report"))):
            response, text = page(client, f"/L/{code}", lang=lang)
            assert response.status_code == 404, code
            assert 'data-kind="label"' in text and gentle in text, (code, lang)
            assert not [w for w in alarm if w in text], (code, lang)
            assert "CBOR" not in text and "premature" not in text and "malformed" not in text


@pytest.mark.parametrize("code", ["ABC1", "A", "ABCDEFGH=", "X" * 5000])
def test_malformed_code_is_404(client, code):
    response, text = page(client, f"/L/{code}")
    assert response.status_code == 404
    assert 'data-kind="label"' in text and "不是碳标签" in text


# -- the status is the log's, whatever the labels table says ---------------------------------

def edit_by_hand(db, sql: str, params: list) -> None:
    """What someone with the database file does (the labels table has no triggers)."""
    with transaction(db):
        db.execute(sql, params)


def problems_of_the_monitor(service) -> list[str]:
    with pytest.raises(LogRewritten) as caught:
        transparency.verify(service.db, service.home, record=False)
    return caught.value.problems


def test_a_revocation_cleared_in_the_database_still_shows(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    other = approve(service, issuer, tea_bom(make_bom, name="Ya'an black tea"))
    reason = "电表读数造假 falsified meter readings"
    revoke(service.db, service.people["reviewer"], label["id"], reason)
    leaf = TransparencyLog(service.db).entries_for(label["id"])[-1]
    assert leaf["kind"] == "revoke"
    edit_by_hand(service.db, "UPDATE labels SET revoked_at = NULL, revocation_reason = NULL, "
                             "revoked_by = NULL WHERE id = ?", [label["id"]])
    edit_by_hand(service.db, "UPDATE submissions SET status = 'issued' WHERE id = ?",
                 [label["submission_id"]])

    response, text = page(client, scan_url(label))
    assert response.status_code == 200 and verdict(text) == "revoked"
    assert 'class="verdict tone-danger" role="alert"' in text
    assert f'<q class="reason written">{reason}</q>' in text  # the logged reason
    revoked_on = datetime.fromisoformat(leaf["at"]).astimezone(CHINA).date().isoformat()
    assert f"撤销日期：{revoked_on}。公开理由：" in banner(text)  # the logged time
    assert 'id="check-records"' in text and "本平台数据库中关于此标签的记录与其透明日志不一致" in text
    _, english = page(client, scan_url(label), lang="en")
    assert "This label has been revoked by the platform." in banner(english)
    assert "does not agree with its transparency log about this label" in english

    body = client.get(f"/api/v1/labels/{label['id']}").get_json()
    assert (body["status"], body["revocation_reason"], body["revoked_at"]) == \
        ("revoked", reason, leaf["at"])
    assert parse_revocations(client.get("/api/v1/labels/revoked").get_json()) == {
        label["id"]: {"id": label["id"], "reason": reason,
                      "revoked_at": datetime.fromisoformat(leaf["at"]).strftime(
                          "%Y-%m-%dT%H:%M:%SZ")}}
    _, listing = page(client, "/labels/revoked")
    assert f'data-label="{label["id"]}"' in listing and reason in listing
    assert client.get(f"/01/0{GTIN13}").headers["Location"].endswith(scan_url(label))

    # and the reverse: a revocation written into the table that the log never had
    edit_by_hand(service.db, "UPDATE labels SET revoked_at = ?, revocation_reason = 'forged' "
                             "WHERE id = ?", [leaf["at"], other["id"]])
    _, text = page(client, scan_url(other))
    assert verdict(text) == "valid" and 'id="check-records"' in text
    assert client.get(f"/api/v1/labels/{other['id']}").get_json()["status"] == "valid"
    assert other["id"] not in parse_revocations(client.get("/api/v1/labels/revoked").get_json())

    problems = problems_of_the_monitor(service)
    assert f"label {label['id']!r} disagrees with the log: revoked_at is empty but the log " \
           f"revoked it at {leaf['at']} (entry {leaf['index']})" in problems
    assert f"label {other['id']!r} disagrees with the log: revoked_at is {leaf['at']!r} but " \
           f"the log has no revoke entry for it: the log says it is not revoked" in problems
    assert len(problems) == 3  # the reason cleared too


def test_a_supersession_cleared_in_the_database_still_shows(service, issuer, client, make_bom):
    first = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    second = approve(service, issuer, tea_bom(make_bom, kwh=90, gtin=GTIN13))
    # the old label made to look current, the current one made to look replaced by it
    edit_by_hand(service.db, "UPDATE labels SET superseded_by = NULL WHERE id = ?",
                 [first["id"]])
    edit_by_hand(service.db, "UPDATE labels SET superseded_by = ? WHERE id = ?",
                 [first["id"], second["id"]])

    _, text = page(client, scan_url(first))
    assert verdict(text) == "superseded" and 'id="check-records"' in text
    link = re.search(r'<a id="current-label" class="button" href="([^"]+)">', text).group(1)
    assert link == scan_url(second)
    _, text = page(client, scan_url(second))
    assert verdict(text) == "valid"
    body = client.get(f"/api/v1/labels/{first['id']}").get_json()
    assert (body["status"], body["superseded_by"]) == ("superseded", second["id"])
    assert client.get(f"/api/v1/labels/{second['id']}").get_json()["status"] == "valid"
    assert client.get(f"/01/0{GTIN13}").headers["Location"].endswith(scan_url(second))

    supersede = TransparencyLog(service.db).entries_for(first["id"])[-1]
    assert supersede["kind"] == "supersede"
    assert sorted(problems_of_the_monitor(service)) == sorted([
        f"label {first['id']!r} disagrees with the log: superseded_by is None but the log "
        f"says superseded by {second['id']!r} (entry {supersede['index']})",
        f"label {second['id']!r} disagrees with the log: superseded_by is {first['id']!r} "
        f"but the log has no supersede entry for it"])


# -- GS1 Digital Link ------------------------------------------------------------------------

def test_gs1_digital_link_redirects_to_the_current_label(service, issuer, client, make_bom):
    approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    current = approve(service, issuer, tea_bom(make_bom, kwh=90, gtin=GTIN13))
    for url in (f"/01/0{GTIN13}", f"/01/{GTIN13}"):
        response = client.get(url)
        assert response.status_code == 303, url  # See Other (tests/test_digital_link.py)
        assert response.headers["Location"].endswith(scan_url(current)), url
    # no label names that lot: the product's current label, told which lot was asked
    response = client.get(f"/01/0{GTIN13}/10/LOT-2026-03")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(scan_url(current) + "?lot=LOT-2026-03")

    bad = GTIN13[:-1] + str((int(GTIN13[-1]) + 1) % 10)
    response, text = page(client, f"/01/{bad}")
    assert response.status_code == 404 and 'data-kind="gtin"' in text
    assert f"{bad} 不是有效的 GTIN" in text
    assert f"校验码应为 {GTIN13[-1]}，而不是 {bad[-1]}" in text
    response, english = page(client, f"/01/{bad}", lang="en")
    assert f"{bad} is not a valid GTIN" in english
    assert f"The check digit should be {GTIN13[-1]}, not {bad[-1]}" in english
    response, text = page(client, "/01/12345")
    assert response.status_code == 404 and 'data-kind="gtin"' in text
    assert 'id="check-digit"' not in text  # too short: not a check digit problem

    unknown = "400638133393" + str(check_digit("400638133393"))
    response, text = page(client, f"/01/{unknown}")
    assert response.status_code == 404 and 'data-kind="no-label"' in text
    assert f"0{unknown}" in text


# -- translations ----------------------------------------------------------------------------

def test_every_message_of_the_scan_pages_has_chinese():
    messages = set()
    for template in (ROOT / "web" / "templates" / "scan").glob("*.html"):
        messages |= {m[1] for m in extract_from_file(
            "jinja2", str(template), options={"extensions": "jinja2.ext.i18n"})}
    messages |= {m[1] for m in extract_from_file("python", str(ROOT / "web" / "scan.py"),
                                                 keywords={"_l": None, "_": None})}
    assert len(messages) > 50
    catalogs = {}  # the scan page's own catalogue, and those every part shares
    for name in ("scan", "core", "vocabulary"):
        with open(ROOT / "web" / "translations" / "zh" / "LC_MESSAGES" / f"{name}.po",
                  "rb") as f:
            catalogs[name] = read_po(f, locale="zh")
    missing = sorted(m for m in messages
                     if not any(c.get(m) and c.get(m).string for c in catalogs.values()))
    assert missing == []
    for message in catalogs["scan"]:
        if message.id:  # placeholders survive translation
            assert sorted(re.findall(r"%\(\w+\)s", message.id)) == \
                sorted(re.findall(r"%\(\w+\)s", message.string)), message.id


# -- pages kept: ETags, 304, and what makes a kept page be made again ------------------------

def test_a_scan_page_is_kept_and_answers_304_until_the_label_changes(service, issuer, client,
                                                                     make_bom):
    label = approve(service, issuer, tea_bom(make_bom))
    first = client.get(scan_url(label), headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Cache-Control"] == "public, no-cache"  # a proxy asks each time
    assert "Accept-Language" in first.headers["Vary"] and "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]
    plain = client.get(scan_url(label))  # a client without gzip gets the same page inflated
    assert plain.headers.get("Content-Encoding") is None and plain.headers["ETag"] == etag
    assert verdict(html.unescape(plain.get_data(as_text=True))) == "valid"
    assert client.get(scan_url(label), headers={"If-None-Match": etag}).status_code == 304
    # another worker of the host serves the page one worker made, with the same ETag
    from web import create_app
    other = create_app({**client.application.config}).test_client()
    assert other.get(scan_url(label), headers={"If-None-Match": etag}).status_code == 304
    # another language is another page
    english = client.get(scan_url(label), headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != etag and "Valid" in english.get_data(as_text=True)
    # labels issued after it grow the log but leave its page as it was
    approve(service, issuer, tea_bom(make_bom, name="Another tea"))
    assert client.get(scan_url(label), headers={"If-None-Match": etag}).status_code == 304
    # revoked: the next scan shows it at once, with a new ETag
    revoke(service.db, service.people["reviewer"], label["id"], "测试撤销 test revocation")
    after = client.get(scan_url(label), headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert verdict(html.unescape(after.get_data(as_text=True))) == "revoked"
    pages = client.application.extensions["footprint_pages"]  # the host's, on disk
    assert pages.path == service.home / "cache" / "pages.db"
    kept = len(pages)
    forged = bytearray(label["cose"])
    forged[-1] ^= 1
    _, text = page(client, f"/L/{to_b32(bytes(forged))}")
    assert verdict(text) == "forged" and len(pages) == kept  # never kept


def test_a_page_kept_by_an_earlier_program_is_made_again(service, issuer, client, make_bom,
                                                         monkeypatch):
    """After an upgrade (another program on disk) a kept page is drawn again by the new one,
    not served as the old program drew it for up to a day."""
    from web import pagecache
    label = approve(service, issuer, tea_bom(make_bom))
    etag = client.get(scan_url(label)).headers["ETag"]
    assert client.get(scan_url(label), headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(pagecache, "_PROGRAM", [b"the next release"])
    again = client.get(scan_url(label), headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    # and is kept in turn, for the new program
    new = again.headers["ETag"]
    assert client.get(scan_url(label), headers={"If-None-Match": new}).status_code == 304


def test_a_logged_in_visitor_gets_a_page_of_their_own(service, issuer, client, make_bom,
                                                      login):
    label = approve(service, issuer, tea_bom(make_bom))
    assert "ETag" in client.get(scan_url(label)).headers
    login(client, "orchard")
    own = client.get(scan_url(label))
    assert "ETag" not in own.headers and own.headers["Cache-Control"] == "no-cache"
    assert service.people["orchard"]["display_name"] in own.get_data(as_text=True)


def test_the_trust_list_and_checkpoint_answer_304_while_unchanged(service, issuer, client,
                                                                  make_bom):
    for url in ("/.well-known/footprint/trust-list.json", "/log/checkpoint"):
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    checkpoint_etag = client.get("/log/checkpoint").headers["ETag"]
    approve(service, issuer, tea_bom(make_bom))  # the log grows: a new checkpoint
    assert client.get("/log/checkpoint",
                      headers={"If-None-Match": checkpoint_etag}).status_code == 200


def test_a_key_trusted_by_another_process_is_seen_within_a_second(service, issuer, client,
                                                                   tmp_path):
    import json
    from footprint.labels import keys
    url = "/.well-known/footprint/trust-list.json"
    other = tmp_path / "other"
    generate(other, "CN-CQ", "Chongqing platform", "CN-CQ")
    before = client.get(url).get_json()
    # written as `footprint keys trust add` in another process writes it: this process is not
    # told, so it answers from the list it keeps ...
    keys._trusted_path(service.home).write_text(json.dumps(keys.export_trust_list(other)))
    assert client.get(url).get_json() == before
    # ... until RECHECK_SECONDS have passed since it last looked at the files
    keys._KEPT[str(service.home)].checked -= keys.RECHECK_SECONDS
    after = client.get(url).get_json()
    assert len(after["issuers"]) == len(before["issuers"]) + 1
