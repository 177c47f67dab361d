"""The public registry (公开目录): search (橙 finds the Pujiang orange), every filter, stable
keyset pages, the product and organisation pages, revoked labels with the firm, the
accounting body and the public reason, and the public revocation list that names them."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from footprint import clock
from footprint.errors import InvalidInput, NotFound
from footprint.usecases import organisations
from footprint.usecases import registry as public_registry
from footprint.usecases import submissions as subs
from footprint.usecases.labels import for_submission
from footprint.usecases.revoking import revoke

from .conftest import PEOPLE

ROOT = Path(__file__).resolve().parent.parent
PUJIANG = json.loads((ROOT / "lca_data/samples/oranges_pujiang_farm_gate.json")
                     .read_text(encoding="utf-8"))
COOP_CODE = "91500000MA60CQ002X"

pytestmark = pytest.mark.both_engines  # the registry on SQLite, then on PostgreSQL


@pytest.fixture
def issue(service, issuer, approve):
    """issue(bom, producer="orchard"): approved (conftest's approve); returns the label."""
    def issue(bom, producer="orchard"):
        return for_submission(service.db, approve(bom, issuer, producer=producer)["id"])
    return issue


def tea(make_bom, kwh=100, name="Mengding green tea", name_zh="蒙顶绿茶", region="CN-SC"):
    return make_bom(product={"name": name, "name_zh": name_zh, "category": "generic"},
                    region=region,
                    lines=[{"input": "electricity", "amount": kwh, "unit": "kWh",
                            "stage": "production"}])


@pytest.fixture
def world(service, issue, make_bom):
    """Four products, five labels: the Pujiang orange (oranges, CN-SC, orchard), green tea
    (generic, CN-SC, orchard) issued twice (the first superseded), Chongqing hotpot base
    (generic, CN-CQ, steelworks) revoked, and rails (generic, CN-SC, steelworks)."""
    orange = issue(PUJIANG)
    tea_old = issue(tea(make_bom))
    tea_new = issue(tea(make_bom, kwh=90))
    hotpot = issue(tea(make_bom, name="Hotpot base", name_zh="火锅底料", region="CN-CQ"),
                   producer="steelworks")
    rails = issue(tea(make_bom, name="Rails", name_zh="钢轨"), producer="steelworks")
    revoke(service.db, service.people["reviewer"], hotpot["id"],
           "虚报用电数据 Falsified electricity records")
    return {"orange": orange, "tea_old": tea_old, "tea_new": tea_new, "hotpot": hotpot,
            "rails": rails}


def ids(service, **args) -> list[str]:
    categories = service.app.extensions["footprint_engine"].registry.categories
    return [row["label_id"] for row in
            public_registry.search(service.db, args, categories).rows]


def test_searching_橙_finds_the_pujiang_orange(service, world, client):
    # its name is 蒲江柑橘（不知火/春见）: the oranges category's search words hold 橙
    assert ids(service, q="橙") == [world["orange"]["id"]]
    assert ids(service, q="蒲江") == [world["orange"]["id"]]      # two characters: no index
    assert ids(service, q="不知火") == [world["orange"]["id"]]    # three: the trigram index
    assert ids(service, q="pujiang FARM") == [world["orange"]["id"]]  # case; both words
    text = client.get("/registry?q=橙").get_data(as_text=True)
    assert "蒲江柑橘（不知火/春见），果园门口" in text
    assert f'data-label="{world["orange"]["id"]}"' in text


def test_search_by_organisation_gtin_and_label_id(service, world):
    steel = {world["rails"]["id"], world["hotpot"]["id"]}
    assert set(ids(service, q="Panzhihua")) == steel
    assert ids(service, q=world["rails"]["id"]) == [world["rails"]["id"]]
    assert ids(service, q="no such thing at all") == []
    # a % or _ is a character searched for, not a wildcard
    assert ids(service, q="%") == [] and ids(service, q="_") == []


def test_every_filter(service, world):
    w = {k: v["id"] for k, v in world.items()}
    assert ids(service, region="CN-CQ") == [w["hotpot"]]
    assert ids(service, category="oranges") == [w["orange"]]
    steel_org = service.people["steelworks"]["org_id"]
    assert ids(service, org=str(steel_org)) == [w["rails"], w["hotpot"]]  # newest first
    assert ids(service, state="revoked") == [w["hotpot"]]
    assert ids(service, state="superseded") == [w["tea_old"]]
    assert ids(service, state="valid") == [w["rails"], w["tea_new"], w["orange"]]
    assert ids(service, state="expired") == []
    orange_grade = world["orange"]["record"]["grade"]
    assert orange_grade and w["orange"] in ids(service, grade=orange_grade)
    assert ids(service, grade="Z") == []
    assert ids(service, q="蒙顶", state="valid") == [w["tea_new"]]  # filters combine


def test_expired_is_a_state_of_its_own(service, world, monkeypatch):
    later = clock.now() + timedelta(days=400)  # labels are valid for 365 days
    monkeypatch.setattr(clock, "now", lambda: later)
    w = {k: v["id"] for k, v in world.items()}
    assert ids(service, state="expired") == [w["rails"], w["tea_new"], w["orange"]]
    assert ids(service, state="valid") == []
    assert ids(service, state="revoked") == [w["hotpot"]]  # revoked stays revoked


def test_bad_filters_are_refused_with_their_place(service, client):
    with pytest.raises(InvalidInput) as refused:
        public_registry.search(service.db, {"state": "lost", "org": "x", "before": "0",
                                            "region": "CN SC", "q": "橙" * 101})
    assert {p.where for p in refused.value.problems} == {"state", "org", "before", "region",
                                                          "q"}
    response = client.get("/registry?state=lost")
    assert response.status_code == 400


def test_pages_are_stable_keyset_pages(service, world):
    every = ids(service)
    assert len(every) == 5
    seen, before = [], None
    while True:
        page = public_registry.search(service.db, {"before": str(before)} if before else {},
                                      size=2)
        seen += [row["label_id"] for row in page.rows]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == every  # 2 + 2 + 1, none twice, none left out, newest first


def test_a_label_issued_while_paging_shifts_nothing(service, world, issue, make_bom):
    first = public_registry.search(service.db, {}, size=2)
    issue(tea(make_bom, name="Late tea", name_zh="晚茶"))
    second = public_registry.search(service.db, {"before": str(first.next_before)}, size=2)
    assert [r["label_id"] for r in first.rows + second.rows] == ids(service)[1:5]


def test_revoked_label_shows_firm_accounting_body_and_reason(service, world, client):
    hotpot = world["hotpot"]["id"]
    text = client.get("/registry?state=revoked", headers={"Accept-Language": "en"}) \
        .get_data(as_text=True)
    row = re.search(rf'<tr class="revocation" data-revoked="{hotpot}">(.*?)</tr>', text,
                    re.S).group(1)
    assert "Firm:" in row and "Panzhihua Steel" in row
    assert "Accounting body:" in row and "Sichuan Carbon Verification" in row
    assert "Falsified electricity records" in row
    zh = client.get("/registry?state=revoked").get_data(as_text=True)
    assert "核算机构" in zh and "公开理由" in zh


def test_the_revocation_list_names_firm_and_accounting_body(service, world, client):
    listed = client.get("/api/v1/labels/revoked").get_json()["revoked"]
    assert listed == [{"id": world["hotpot"]["id"],
                       "reason": "虚报用电数据 Falsified electricity records",
                       "revoked_at": listed[0]["revoked_at"],
                       "firm": "Panzhihua Steel",
                       "accounting_body": "Sichuan Carbon Verification"}]
    page = client.get("/labels/revoked").get_data(as_text=True)
    assert "Panzhihua Steel" in page and "Sichuan Carbon Verification" in page


def test_product_page_lists_every_label_of_the_product(service, world, client):
    product_id = world["tea_new"]["product_id"]
    response = client.get(f"/registry/products/{product_id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "蒙顶绿茶" in text
    for key, state in (("tea_new", "valid"), ("tea_old", "superseded")):
        assert f'data-label="{world[key]["id"]}" data-state="{state}"' in text


def test_organisation_page_shows_its_credit_code(service, world, client):
    org_id = service.people["orchard"]["org_id"]
    organisations.set_credit_code(service.db, org_id, COOP_CODE)
    text = client.get(f"/registry/organisations/{org_id}").get_data(as_text=True)
    assert "Pujiang Orchard Co-op" in text and COOP_CODE in text
    assert "统一社会信用代码" in text
    body = service.people["auditor"]["org_id"]
    verified = client.get(f"/registry/organisations/{body}").get_data(as_text=True)
    assert world["orange"]["id"] in verified  # the labels it verified as accounting body
    # and what it may verify: its qualification (tests/conftest.py qualifies every body for
    # every category under the number TEST-<its name>), each category by its name
    assert "机构资质" in verified and f"TEST-{PEOPLE['auditor'][1]}" in verified
    assert "柑橘（鲜果）" in verified and ">有效<" in verified
    producer = client.get(f"/registry/organisations/{org_id}").get_data(as_text=True)
    assert "机构资质" not in producer  # a producer has none


def test_what_was_never_labelled_is_not_in_the_registry(service, world, client, make_bom):
    people = service.people
    engine = service.app.extensions["footprint_engine"]
    draft, _ = subs.create_submission(service.db, engine, people["orchard"],
                                      tea(make_bom, name="Secret draft", name_zh="草稿"))
    with pytest.raises(NotFound):
        public_registry.product(service.db, draft["product_id"])
    assert client.get(f"/registry/products/{draft['product_id']}").status_code == 404
    admin_org = people["admin"]["org_id"]  # the platform: no label names it
    assert client.get(f"/registry/organisations/{admin_org}").status_code == 404
    assert ids(service, q="Secret") == []


def test_a_registry_link_opens_the_label_scan_page(service, world, client):
    response = client.get(f"/registry/labels/{world['orange']['id']}")
    assert response.status_code == 302 and "/L/" in response.headers["Location"]
    assert client.get("/registry/labels/CN-SC-NOPE").status_code == 404


def test_the_registry_needs_no_login_and_is_linked_from_every_page(client, world):
    response = client.get("/registry")
    assert response.status_code == 200
    assert 'href="/registry"' in client.get("/").get_data(as_text=True)


def test_search_results_page_the_same_way(service, world):
    categories = service.app.extensions["footprint_engine"].registry.categories
    seen, before = [], None
    for _ in range(3):
        args = {"q": "Mengding", **({"before": str(before)} if before else {})}
        page = public_registry.search(service.db, args, categories, size=1)
        seen += [row["label_id"] for row in page.rows]
        before = page.next_before
        if before is None:
            break
    assert seen == [world["tea_new"]["id"], world["tea_old"]["id"]]  # newest first, once each
