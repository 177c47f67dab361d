"""GS1 Digital Link: one scan, several views.

/01/<gtin>[/10/<lot>] is a GS1-Conformant resolver for this platform's GTINs: 303 See Other
to the scan page of the label (the lot's own, else the product's current one, and then the
page says so), a Link header naming the RFC 9264 link set, the link set itself for
?linkType=linkset|all or Accept: application/linkset+json, ?linkType=gs1:<type> to that
link; a malformed lot (GS1 AI 10: 1 to 20 characters of character set 82) is refused. And a
BOM's GTIN is never dropped: products are matched on their GTIN first.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from footprint.errors import InvalidInput
from footprint.gs1 import check_digit, check_lot, link_type
from footprint.identifiers import pact_footprint_id
from footprint.labels import generate
from footprint.usecases import submissions as subs
from footprint.usecases.issuing import Issuer

from .test_web_scan import GTIN13, SC_NAME, approve, page, scan_url, tea_bom

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

GTIN14 = "0" + GTIN13
VOC = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"


@pytest.fixture
def issuer(service):
    generate(service.home, "CN-SC", SC_NAME, "CN-SC")
    return Issuer(service.home, "CN-SC")


def label_row(service, label_id):
    return service.db["labels"].get(label_id)


def product_rows(service):
    return list(service.db.query("SELECT id, org_id, name, category, gtin FROM products "
                                 "ORDER BY id"))


# -- the GS1 rules ----------------------------------------------------------------------------

def test_a_lot_is_1_to_20_characters_of_gs1_character_set_82():
    for lot in ("LOT-2026-03", "A", "x" * 20, "!\"%&'()*+,-./:;<=>?_", "ab/12"):
        assert check_lot(lot) == lot
    for bad, said in (("", "1 to 20"), ("x" * 21, "1 to 20"), ("LOT 1", "character 4 (U+0020)"),
                      ("批次1", "character 1 (U+6279)"), ("a#b", "character 2 (U+0023)"),
                      ("a~b", "U+007E"), ("a\u200bb", "U+200B")):
        with pytest.raises(ValueError) as caught:
            check_lot(bad)
        assert said in str(caught.value.args[0]) % caught.value.args[0].params, bad


def test_link_types_compact_or_full():
    assert link_type("gs1:pip") == VOC + "pip"
    assert link_type(VOC + "sustainabilityInfo") == VOC + "sustainabilityInfo"
    assert link_type("https://ref.gs1.org/voc/certificationInfo") == VOC + "certificationInfo"
    assert link_type("pip") is None and link_type("gs1:") is None


def test_a_bom_states_the_lot_it_covers(make_bom):
    from footprint.bom import parse_bom
    bom = parse_bom(make_bom(product={"name": "p", "gtin": GTIN13, "lot": "L-7"}))
    assert bom.product["lot"] == "L-7" and bom.canonical["product"]["lot"] == "L-7"
    with pytest.raises(InvalidInput) as caught:
        parse_bom(make_bom(product={"name": "p", "lot": "lot 7"}))
    assert caught.value.problems[0].where == "product.lot"
    assert "character 4 (U+0020)" in str(caught.value.problems[0])


# -- the GTIN is never dropped ----------------------------------------------------------------

def test_a_second_bom_reusing_name_and_category_gives_the_product_its_gtin(service, issuer,
                                                                           client, make_bom):
    """The bug: the product was matched by name and category only, so a later BOM's GTIN
    was dropped and /01/<gtin> answered 404 though a label had been issued for it."""
    approve(service, issuer, tea_bom(make_bom))  # the first BOM gave no GTIN
    second = approve(service, issuer, tea_bom(make_bom, kwh=90, gtin=GTIN13))
    assert [row["gtin"] for row in product_rows(service)] == [GTIN14]  # one product, its GTIN
    response = client.get(f"/01/{GTIN13}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(scan_url(second))


def test_products_are_matched_on_their_gtin_first(service, make_bom):
    db, engine = service.db, service.app.extensions["footprint_engine"]
    orchard = service.people["orchard"]
    first, _ = subs.create_submission(db, engine, orchard, tea_bom(make_bom, gtin=GTIN13))
    # renamed, same GTIN: the same trade item, the same product
    renamed, _ = subs.create_submission(db, engine, orchard, tea_bom(
        make_bom, gtin=GTIN13, name="Mengding green tea (new pack)"))
    assert renamed["product_id"] == first["product_id"]
    # the same name and category without a GTIN: the product that has one
    plain, _ = subs.create_submission(db, engine, orchard, tea_bom(make_bom))
    assert plain["product_id"] == first["product_id"]
    # the same name and category with another GTIN: another trade item, another product
    other_gtin = "690123456790" + str(check_digit("690123456790"))
    other, _ = subs.create_submission(db, engine, orchard, tea_bom(make_bom, gtin=other_gtin))
    assert other["product_id"] != first["product_id"]
    assert [row["gtin"] for row in product_rows(service)] == [GTIN14, "0" + other_gtin]


def test_a_gtin_of_another_organisations_product_is_refused(service, make_bom):
    db, engine = service.db, service.app.extensions["footprint_engine"]
    subs.create_submission(db, engine, service.people["orchard"], tea_bom(make_bom, gtin=GTIN13))
    before = product_rows(service)
    bom = make_bom(product={"name": "Vanadium steel", "category": "generic", "gtin": GTIN13})
    with pytest.raises(InvalidInput) as caught:
        subs.create_submission(db, engine, service.people["steelworks"], bom)
    problem = caught.value.problems[0]
    assert problem.where == "product.gtin"
    assert f"GTIN {GTIN14} already belongs to a product of another organisation" in str(problem)
    assert product_rows(service) == before  # nothing written
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1



def test_the_refusal_reads_in_chinese_and_english(service, make_bom):
    from web.problems import text
    db, engine = service.db, service.app.extensions["footprint_engine"]
    subs.create_submission(db, engine, service.people["orchard"], tea_bom(make_bom, gtin=GTIN13))
    with pytest.raises(InvalidInput) as caught:
        subs.create_submission(db, engine, service.people["steelworks"], make_bom(
            product={"name": "x", "category": "generic", "gtin": GTIN13}))
    message = caught.value.problems[0].message
    with service.app.test_request_context(headers={"Cookie": "lang=zh"}):
        zh = text(message)
    with service.app.test_request_context(headers={"Cookie": "lang=en"}):
        en = text(message)
    assert f"商品条码（GTIN）{GTIN14} 已属于本平台另一家机构的产品" in zh
    assert en.startswith(f"GTIN {GTIN14} already belongs to a product of another organisation")


# -- the resolver -----------------------------------------------------------------------------

def test_303_see_other_with_a_link_header_naming_the_linkset(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    response = client.get(f"/01/{GTIN13}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"http://localhost{scan_url(label)}"
    assert response.headers["Link"] == (f'<http://localhost/01/{GTIN14}?linkType=linkset>; '
                                        f'rel="linkset"; type="{LINKSET}"')
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "Link"
    assert response.headers["Cache-Control"] == "no-cache"  # the current label can change
    # a browser's Accept still gets the page
    browser = client.get(f"/01/{GTIN13}", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 303


def linkset_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == LINKSET
    body = response.get_json(force=True)
    assert list(body) == ["linkset"] and len(body["linkset"]) == 1
    return body["linkset"][0]


def test_the_linkset(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    by_query = linkset_of(client.get(f"/01/{GTIN13}?linkType=linkset"))
    assert linkset_of(client.get(f"/01/{GTIN13}?linkType=all")) == by_query
    assert linkset_of(client.get(f"/01/{GTIN13}", headers={"Accept": LINKSET})) == by_query

    context = by_query
    assert context["anchor"] == f"http://localhost/01/{GTIN14}"
    assert set(context) == {"anchor", VOC + "defaultLink", VOC + "sustainabilityInfo",
                            VOC + "certificationInfo", VOC + "pip"}
    page_href = f"http://localhost{scan_url(label)}"
    (default,) = context[VOC + "defaultLink"]
    assert default["href"] == page_href and default["type"] == "text/html"
    assert default["hreflang"] == ["zh", "en"]
    assert default["title"] == "碳标签：产品的碳足迹，经核验"
    assert default["title*"] == [
        {"value": "碳标签：产品的碳足迹，经核验", "language": "zh"},
        {"value": "Carbon label: the product's carbon footprint, checked", "language": "en"}]
    assert context[VOC + "pip"] == [default]

    page_link, pact = context[VOC + "sustainabilityInfo"]  # no battery pass: not a battery
    assert page_link == default
    assert pact["href"] == f"http://localhost/3/footprints/{pact_footprint_id(label['id'])}"
    assert pact["type"] == "application/json"
    assert "PACT v3 ProductFootprint" in pact["title*"][1]["value"]

    (record,) = context[VOC + "certificationInfo"]
    assert record["href"] == f"http://localhost/api/v1/labels/{label['id']}"
    assert record["type"] == "application/json"
    assert client.get(f"/api/v1/labels/{label['id']}").get_json()["id"] == label["id"]


def test_a_battery_label_links_its_battery_pass_record(service, issuer, client, make_bom):
    label = approve(service, issuer, make_bom(
        product={"name": "cells bought in", "category": "batteries", "gtin": GTIN13},
        declared_unit={"amount": 1, "unit": "kWh"},
        lines=[{"input": "electricity", "amount": 10, "unit": "kWh", "stage": "production"}]))
    context = linkset_of(client.get(f"/01/{GTIN13}?linkType=linkset"))
    battery = context[VOC + "sustainabilityInfo"][-1]
    assert battery["href"] == f"http://localhost/api/v1/labels/{label['id']}/battery-pass"
    assert battery["type"] == "application/json"
    assert "Battery Pass" in battery["title*"][1]["value"]
    assert battery["title"].startswith("电池的碳足迹")


def test_link_types_redirect_to_their_link(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    page_href = f"http://localhost{scan_url(label)}"
    json_href = f"http://localhost/api/v1/labels/{label['id']}"
    for asked, href in (("gs1:certificationInfo", json_href),
                        (VOC + "certificationInfo", json_href),
                        ("gs1:sustainabilityInfo", page_href), ("gs1:pip", page_href),
                        ("gs1:defaultLink", page_href),
                        ("gs1:recallStatus", page_href),  # none of that type: the default
                        ("nonsense", page_href)):
        response = client.get(f"/01/{GTIN13}", query_string={"linkType": asked})
        assert response.status_code == 303, asked
        assert response.headers["Location"] == href, asked
        assert 'rel="linkset"' in response.headers["Link"]
    # among a type's links, the one whose media type the client asks for
    response = client.get(f"/01/{GTIN13}?linkType=gs1:sustainabilityInfo",
                          headers={"Accept": "application/json"})
    assert response.headers["Location"] == \
        f"http://localhost/3/footprints/{pact_footprint_id(label['id'])}"


def test_the_public_host_names_the_links(service, issuer, client, make_bom):
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    service.app.config["FOOTPRINT_PUBLIC_HOST"] = "tan.example.cn"
    context = linkset_of(client.get(f"/01/{GTIN13}?linkType=linkset"))
    assert context["anchor"] == f"https://tan.example.cn/01/{GTIN14}"
    assert context[VOC + "pip"][0]["href"] == f"https://tan.example.cn{scan_url(label)}"


# -- lots -------------------------------------------------------------------------------------

def test_a_lot_resolves_to_the_label_issued_for_it(service, issuer, client, make_bom):
    march = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13, lot="2026-03"))
    april = approve(service, issuer, tea_bom(make_bom, kwh=90, gtin=GTIN13, lot="2026-04"))
    assert len(product_rows(service)) == 1  # a lot is not another product

    # a new lot's label leaves the earlier lot's valid: those goods are still on the shelves
    assert label_row(service, march["id"])["superseded_by"] is None
    assert label_row(service, april["id"])["supersedes"] is None
    response = client.get(f"/01/{GTIN13}/10/2026-03")
    assert response.status_code == 303
    assert response.headers["Location"] == f"http://localhost{scan_url(march)}"
    assert response.headers["Link"].startswith(
        f"<http://localhost/01/{GTIN14}/10/2026-03?linkType=linkset>")
    assert client.get(f"/01/{GTIN13}/10/2026-04").headers["Location"].endswith(
        scan_url(april))
    assert client.get(f"/01/{GTIN13}").headers["Location"].endswith(scan_url(april))

    context = linkset_of(client.get(f"/01/{GTIN13}/10/2026-03?linkType=linkset"))
    assert context["anchor"] == f"http://localhost/01/{GTIN14}/10/2026-03"
    certification = context[VOC + "certificationInfo"][0]
    assert certification["href"].endswith(f"/api/v1/labels/{march['id']}")
    assert certification["title*"][1]["value"].endswith("; Issued for batch/lot 2026-03")
    assert certification["title"].endswith("；为批次/批号 2026-03 签发")

    # the scan page names the lot it was issued for, and asks nothing more
    _, text = page(client, scan_url(march))
    assert re.search(r'<dd id="lot">2026-03</dd>', text)
    assert "superseded" not in text.lower() and "已被替代" not in text
    assert 'id="lot-note"' not in text


def test_a_new_label_of_a_lot_supersedes_that_lots_label_only(service, issuer, make_bom):
    march = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13, lot="2026-03"))
    april = approve(service, issuer, tea_bom(make_bom, kwh=90, gtin=GTIN13, lot="2026-04"))
    plain = approve(service, issuer, tea_bom(make_bom, kwh=95, gtin=GTIN13))
    march_again = approve(service, issuer, tea_bom(make_bom, kwh=80, gtin=GTIN13,
                                                   lot="2026-03"))
    assert label_row(service, march_again["id"])["supersedes"] == march["id"]
    assert label_row(service, march["id"])["superseded_by"] == march_again["id"]
    assert label_row(service, april["id"])["superseded_by"] is None
    assert label_row(service, plain["id"])["supersedes"] is None  # no lot: a chain of its own
    assert label_row(service, plain["id"])["superseded_by"] is None


def test_a_lot_without_a_label_falls_back_and_says_so(service, issuer, client, make_bom):
    current = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13, lot="2026-04"))
    response = client.get(f"/01/{GTIN13}/10/2026-05")
    assert response.status_code == 303
    assert response.headers["Location"] == \
        f"http://localhost{scan_url(current)}?lot=2026-05"

    context = linkset_of(client.get(f"/01/{GTIN13}/10/2026-05",
                                    headers={"Accept": LINKSET}))
    assert context["anchor"] == f"http://localhost/01/{GTIN14}/10/2026-05"
    (default,) = context[VOC + "defaultLink"]
    assert default["href"] == f"http://localhost{scan_url(current)}?lot=2026-05"
    assert default["title*"][1]["value"].endswith(
        "; No label was issued for batch/lot 2026-05: the product's current label")

    _, text = page(client, f"{scan_url(current)}?lot=2026-05")
    note = re.search(r'<p class="card lot-note" id="lot-note" role="note">(.*?)</p>', text,
                     re.S).group(1)
    assert "本平台没有为该批次签发标签" in note and "2026-05" in note
    assert "此标签是为批次/批号 2026-04 签发的。" in note
    _, english = page(client, f"{scan_url(current)}?lot=2026-05", lang="en")
    assert "No label was issued for batch/lot 2026-05, which the link you followed names. " \
           "This is the product's current label." in english
    assert "It was issued for batch/lot 2026-04." in english
    # the page says nothing of a lot the label covers, or of one that is not a lot
    for asked in ("2026-04", "not a lot"):
        _, text = page(client, f"{scan_url(current)}?" + f"lot={quote(asked)}")
        assert 'id="lot-note"' not in text


def test_lots_of_the_whole_character_set(service, issuer, client, make_bom):
    lot = "A/1+(x)%"
    label = approve(service, issuer, tea_bom(make_bom, gtin=GTIN13, lot=lot))
    encoded = quote(lot, safe="")
    response = client.get(f"/01/{GTIN13}/10/{encoded}")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        scan_url(label))
    assert f"/01/{GTIN14}/10/{encoded}?linkType=linkset>" in response.headers["Link"]


@pytest.mark.parametrize("bad, said", [
    ("x" * 21, "1 至 20 个字符"), ("LOT%201", "第 4 个字符（U+0020）"),
    ("%E6%89%B9%E6%AC%A1", "第 1 个字符（U+6279）")])
def test_a_malformed_lot_is_refused(service, issuer, client, make_bom, bad, said):
    approve(service, issuer, tea_bom(make_bom, gtin=GTIN13))
    response, text = page(client, f"/01/{GTIN13}/10/{bad}")
    assert response.status_code == 400 and 'data-kind="lot"' in text
    assert "批次/批号无效" in text and said in text
    assert f'href="/01/{GTIN14}"' in text  # to the product's current label
    response, english = page(client, f"/01/{GTIN13}/10/{bad}", lang="en")
    assert response.status_code == 400
    assert "Not a valid batch or lot number" in english
    assert "is not a valid batch or lot number (GS1 AI 10" in english


def test_a_gtin_without_a_label_is_still_404(service, client):
    response, text = page(client, f"/01/{GTIN13}/10/2026-03")
    assert response.status_code == 404 and 'data-kind="no-label"' in text
    assert client.get(f"/01/{GTIN13}?linkType=linkset").status_code == 404


# -- where a producer states them -------------------------------------------------------------

def test_the_editor_and_files_carry_the_gtin_and_the_lot():
    from footprint.bomfiles import read_bom_bytes
    from web.bom.form import header_from_form, values_from_bom

    product = header_from_form({"product-name": "tea", "product-gtin": GTIN13,
                                "product-lot": "2026-03"})["product"]
    assert (product["gtin"], product["lot"]) == (GTIN13, "2026-03")
    values = values_from_bom({"product": {"name": "tea", "gtin": GTIN14, "lot": "2026-03"}})
    assert (values["product-gtin"], values["product-lot"]) == (GTIN14, "2026-03")

    sheet = ("产品名称,蒙顶绿茶\n英文名称,Mengding green tea\n商品条码,6901234567892\n"
             "批次,2026-03\n声明单位,1,kg\n地区,CN-SC\n因子年份,2022\n\n"
             "输入,数量,单位,阶段\nelectricity,100,kWh,生产\n")
    found = read_bom_bytes("bom.csv", sheet.encode())
    assert found.bom["product"]["gtin"] == "6901234567892"
    assert found.bom["product"]["lot"] == "2026-03"


def test_the_editor_says_where_the_gtin_of_another_organisation_is(service, clients, make_bom):
    from .test_web_producer import counts, editor_form, error_slot, text_of

    db, engine = service.db, service.app.extensions["footprint_engine"]
    subs.create_submission(db, engine, service.people["orchard"], tea_bom(make_bom, gtin=GTIN13))
    before = counts(db)
    response = clients["steelworks"].post("/producer/submissions/new",
                                          data=editor_form(**{"product-gtin": GTIN13}))
    assert response.status_code == 400
    assert f"商品条码（GTIN）{GTIN14} 已属于本平台另一家机构的产品" in error_slot(
        text_of(response), "product-gtin")
    assert counts(db) == before


def test_the_resolver_describes_itself_at_the_well_known_place(service):
    """GS1-Conformant Resolver 1.2.0: a description file at /.well-known/gs1resolver with
    the fields of its schema (resolverRoot a URI, supportedPrimaryKeys of numeric AIs,
    supportedLinkType namespace and prefix with its colon, linkTypeDefaultCanBeLinkset)."""
    import re
    answer = service.app.test_client().get("/.well-known/gs1resolver",
                                           base_url="https://labels.example.cn")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["resolverRoot"] == "https://labels.example.cn"
    assert body["supportedPrimaryKeys"] == ["01"]
    assert body["supportedLinkType"] == [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}]
    assert re.match(r"^[a-zA-Z_][A-Za-z0-9_-]*?:$", body["supportedLinkType"][0]["prefix"])
    assert body["linkTypeDefaultCanBeLinkset"] is False
    assert "碳标签" in body["name"]
