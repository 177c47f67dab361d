"""Two regional platforms, Sichuan (CN-SC) and Chongqing (CN-CQ), each with its own
FOOTPRINT_HOME, database, issuer key and web app. Each publishes its trust list, each
recognises the other's (``footprint keys trust add``), and then each one's scan page verifies
the other's labels as genuine while leaving their status to the issuing platform; a third,
unlisted issuer is rejected by both.

Hand-calculated values (MEE announcement 2024 No. 33, 2022 grid factors):
  Sichuan:   100 kWh x 0.1404 kg CO2/kWh = 14.04 kg CO2e -> signed as 14.0
  Chongqing: 100 kWh x 0.5227 kg CO2/kWh = 52.27 kg CO2e -> signed as 52.3
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from footprint.usecases import actions
from footprint.labels import generate, rotate, sign, to_b32, trust_add
from footprint.store import connect, database_path
from footprint.usecases import submissions as subs
from footprint.usecases.organisations import set_credit_code
from footprint.usecases.users import seed_user
from footprint.usecases.issuing import Issuer
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke
from footprint.store.migrations import migrate
from tests.conftest import PASSWORD, app_on, qualify_everywhere

PLATFORMS = {
    "CN-SC": {"name": "四川省产品碳足迹平台", "verifier": "Sichuan Carbon Verification",
              "producer": "Pujiang Orchard Co-op", "url": "https://sc.footprint.example.cn"},
    "CN-CQ": {"name": "重庆市产品碳足迹平台", "verifier": "Chongqing Carbon Audit",
              "producer": "Fuling Mustard Co.", "url": "https://cq.footprint.example.cn",
              "credit_code": "91500000MA60CQ002X"},  # made up; its check character is valid
}


def make_platform(root, engine, region: str, urls: dict) -> SimpleNamespace:
    home = root / region
    home.mkdir()
    db = connect(database_path(home))
    migrate(db)
    spec = PLATFORMS[region]
    people = {
        "producer": seed_user(db, f"producer-{region}", "producer", spec["producer"],
                              PASSWORD),
        "verifier": seed_user(db, f"verifier-{region}", "verifier", spec["verifier"],
                              PASSWORD),
        "reviewer": seed_user(db, f"reviewer-{region}", "reviewer", spec["name"],
                              PASSWORD, display_name=f"reviewer {region}"),
    }
    qualify_everywhere(db, engine.registry, spec["verifier"])
    if spec.get("credit_code"):
        set_credit_code(db, people["producer"]["org_id"], spec["credit_code"])
    # made a day ago: a key rotated in the second it was made would tie with its successor
    generate(home, region, spec["name"], region,
             valid_from=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1))
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False,
                 FOOTPRINT_PLATFORM_URLS=urls)
    return SimpleNamespace(region=region, home=home, db=db, people=people, app=app,
                           client=app.test_client(), issuer=Issuer(home, region))


@pytest.fixture
def platforms(tmp_path, engine):
    urls = {region: spec["url"] for region, spec in PLATFORMS.items()}
    sc = make_platform(tmp_path, engine, "CN-SC", urls)
    cq = make_platform(tmp_path, engine, "CN-CQ", urls)
    yield sc, cq
    sc.db.close()
    cq.db.close()


def issue(platform, kwh=100, name_zh="测试产品", verifier_org: str | None = None) -> dict:
    """A label of 100 kWh of the region's grid, through the whole workflow: the platform's
    producer submits to ``verifier_org`` (default: the region's body above), its verifier
    verifies, its reviewer approves."""
    engine = platform.app.extensions["footprint_engine"]
    bom = {"product": {"name": f"test product {platform.region}", "name_zh": name_zh,
                       "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "kg"}, "region": platform.region,
           "factor_year": 2022,
           "lines": [{"input": "electricity", "amount": kwh, "unit": "kWh",
                      "stage": "production"}]}
    people = platform.people
    sub, _ = subs.create_submission(platform.db, engine, people["producer"], bom)
    actions.act(platform.db, people["producer"], sub["id"], "submit",
                verifier_org=verifier_org or PLATFORMS[platform.region]["verifier"])
    actions.act(platform.db, people["verifier"], sub["id"], "verify",
                checklist=actions.VERIFY_CHECKLIST)
    final = actions.act(platform.db, people["reviewer"], sub["id"], "approve",
                        issuer=platform.issuer)
    assert final["status"] == "issued"
    return for_submission(platform.db, final["id"])


def scan(platform, cose: bytes, lang: str = "zh") -> tuple[str, str]:
    """(verdict, page text) of the platform's scan page for a label."""
    platform.client.set_cookie("lang", lang)
    response = platform.client.get(f"/L/{to_b32(bytes(cose))}")
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    return re.search(r'id="scan" data-verdict="([a-z-]+)"', text).group(1), text


def exchange(a, b) -> None:
    """Each platform fetches the other's published trust list and recognises it."""
    a_list = a.client.get("/.well-known/footprint/trust-list.json").get_json()
    b_list = b.client.get("/.well-known/footprint/trust-list.json").get_json()
    trust_add(a.home, b_list)
    trust_add(b.home, a_list)


def issuer_ids(platform) -> list[str]:
    body = platform.client.get("/.well-known/footprint/trust-list.json").get_json()
    return [entry["id"] for entry in body["issuers"]]


def test_each_platform_verifies_the_others_labels(platforms):
    sc, cq = platforms
    sc_label, cq_label = issue(sc, name_zh="蒲江柑橘"), issue(cq, name_zh="涪陵榨菜")
    assert issuer_ids(sc) == ["CN-SC"] and issuer_ids(cq) == ["CN-CQ"]

    # before they recognise each other, each rejects the other's label
    assert scan(sc, cq_label["cose"])[0] == "unknown-issuer"
    assert scan(cq, sc_label["cose"])[0] == "unknown-issuer"

    exchange(sc, cq)
    assert issuer_ids(sc) == ["CN-SC", "CN-CQ"] and issuer_ids(cq) == ["CN-CQ", "CN-SC"]

    # at home: valid, with the inclusion proof in the issuing platform's own log, and the
    # names the platform published beside the signed identifiers
    verdict, text = scan(cq, cq_label["cose"])
    assert verdict == "valid" and '<li class="ok" id="check-log">' in text
    assert "涪陵榨菜" in text and "Fuling Mustard Co." in text and "Chongqing Carbon Audit" in text

    # abroad: genuine signature, the status is the issuing platform's, with a link there
    verdict, text = scan(sc, cq_label["cose"])
    assert verdict == "remote" and "tone-good" in text
    assert "签名真实" in text and "重庆市产品碳足迹平台" in text
    assert f'href="https://cq.footprint.example.cn/L/{to_b32(cq_label["cose"])}"' in text
    # the names are Chongqing's record, not signed: Sichuan shows what the label signs
    assert "涪陵榨菜" not in text and re.search(r'id="value">52\.3 <', text)
    assert 'id="issuer">重庆市产品碳足迹平台 (CN-CQ)<' in text
    product = cq_label["product_id"]
    verifier = cq.db["submissions"].get(cq_label["submission_id"])["verifier_org_id"]
    assert f"本标签签署的是该产品在 CN-CQ 平台的编号 {product}" in text
    assert "统一社会信用代码 <code>91500000MA60CQ002X</code>" in text
    assert f'id="verifier"><span class="small">CN-CQ 平台编号 {verifier}</span>' in text
    assert '<li class="ok" id="check-log">' not in text  # no claim about a log it cannot see
    verdict, english = scan(sc, cq_label["cose"], lang="en")
    assert verdict == "remote"
    assert "The signature is genuine: this label was issued by 重庆市产品碳足迹平台" in english
    assert "Open the label on the issuing platform" in english

    verdict, text = scan(cq, sc_label["cose"])
    assert verdict == "remote" and re.search(r'id="value">14\.0 <', text)
    assert f'href="https://sc.footprint.example.cn/L/{to_b32(sc_label["cose"])}"' in text

    # a revocation in Chongqing is Chongqing's record: Sichuan still vouches only for the
    # signature and sends the reader to the issuer, which shows the revocation
    revoke(cq.db, cq.people["reviewer"], cq_label["id"], "falsified meter readings")
    assert scan(cq, cq_label["cose"])[0] == "revoked"
    verdict, text = scan(sc, cq_label["cose"])
    assert verdict == "remote" and "由签发平台记录" in text


def test_an_unlisted_issuer_is_rejected_by_both(platforms, tmp_path):
    sc, cq = platforms
    exchange(sc, cq)
    stranger = generate(tmp_path / "CN-XX", "CN-XX", "未登记的平台", "CN-XX")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    forged = sign({"id": "CN-XX-AAAAAAAAAAAAA", "issuer": "CN-XX", "issued_at": now,
                   "expires_at": now.replace(year=now.year + 1), "product": 1,
                   "producer": "91500000MA60CQ002X", "category": "counterfeit_goods",
                   "declared_unit": {"amount": 1, "unit": "kg"}, "value": 0.01,
                   "by_stage": {"production": 0.01}, "region": "CN-SC",
                   "data_version": "00" * 8, "reproducibility_hash": "11" * 16,
                   "verifier": 1, "reviewer": 1}, stranger)
    for platform in (sc, cq):
        verdict, text = scan(platform, forged)
        assert verdict == "unknown-issuer", platform.region
        assert 'class="verdict tone-danger" role="alert"' in text
        assert "警告：此标签并非由本平台认可的任何平台签发。" in text
        assert "counterfeit_goods" not in text and "91500000MA60CQ002X" not in text
        verdict, english = scan(platform, forged, lang="en")
        assert "Warning: this label was not issued by any platform this one recognises." \
            in english

    # a label about a Chongqing producer but signed with the stranger's key is refused too
    claims_cq = sign({"id": "CN-XX-BBBBBBBBBBBBA", "issuer": "CN-XX", "issued_at": now,
                      "expires_at": now.replace(year=now.year + 1), "product": 1,
                      "producer": PLATFORMS["CN-CQ"]["credit_code"], "category": "generic",
                      "declared_unit": {"amount": 1, "unit": "kg"}, "value": 0.01,
                      "by_stage": {"production": 0.01}, "region": "CN-CQ",
                      "data_version": "00" * 8, "reproducibility_hash": "11" * 16,
                      "verifier": 1, "reviewer": 1}, stranger)
    assert scan(sc, claims_cq)[0] == "unknown-issuer"


def test_a_rotated_key_keeps_verifying_abroad(platforms):
    sc, cq = platforms
    exchange(sc, cq)
    old = issue(cq, name_zh="旧密钥标签")
    rotate(cq.home, "CN-CQ")
    new = issue(cq, kwh=90, name_zh="新密钥标签")  # supersedes the old label in Chongqing
    assert new["kid"] != old["kid"]
    # Sichuan does not know the new key until it fetches Chongqing's list again
    assert scan(sc, new["cose"])[0] == "unknown-issuer"
    report = trust_add(sc.home, cq.client.get("/.well-known/footprint/trust-list.json")
                       .get_json())
    assert len(report["added"]) == 1 and len(report["updated"]) == 1  # old window closed
    assert scan(sc, new["cose"])[0] == "remote"
    assert scan(sc, old["cose"])[0] == "remote"  # signed inside the old key's window
    assert scan(cq, old["cose"])[0] == "superseded"
