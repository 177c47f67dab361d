"""The producer's pages through the Flask test client: the BOM editor (plain form, category
parameters, add/remove rows), BOM files (JSON, CSV, XLSX), the live preview, evidence,
revising, and who may do what.

Hand-calculated values (factors as cited in the results' own sources):
  100 kWh x 0.1404 kg CO2/kWh (MEE announcement 2024 No. 33, Sichuan 2022) = 14.04 kg CO2e
  200 kWh x 0.1404 = 28.08
  3 kg diesel x 3.1863 kg CO2/kg (IPCC 2006: 74.1 kg CO2/GJ x 43.0 GJ/t / 1000) = 9.5589
  12 tkm road freight x 0.116 kg CO2e/tkm = 1.392
  lca_data/samples/sichuan_machined_part.json: 14.04 + 9.5589 + 1.392 = 24.9909
  oranges, yield 1000 kg/ha, irrigation 100 kWh/ha, nothing else: 100 / 1000 = 0.1 kWh per
    kg fruit x 0.1404 = 0.01404 kg CO2e/kg (no fertiliser, so no field N2O)
"""
from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from footprint.usecases import actions
from footprint.usecases import review
from footprint.bom import parse_bom
from footprint.usecases import submissions as subs
from tests.conftest import editor_form, error_slot, log_in_with_token, text_of

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "lca_data" / "samples"
TABLES = ("products", "submissions", "results", "evidence", "audit_events")
PDF = b"%PDF-1.4 electricity invoice, March: 100 kWh"


def counts(db) -> dict:
    return {table: db[table].count for table in TABLES}


def in_english(client):
    """The client reads pages in English: these tests quote the core's English messages (a
    Chinese page says them in Chinese: tests/test_problems_in_chinese.py)."""
    client.set_cookie("lang", "en")
    return client


def electricity_bom(make_bom, kwh=100):
    return make_bom(lines=[{"input": "electricity", "amount": kwh, "unit": "kWh",
                            "stage": "production", "note": "metered"}])


def stored(service, submission_id: int) -> tuple[dict, dict]:
    """(the stored BOM, its latest result) of a submission, read through the core."""
    user = service.people["orchard"]
    submission = subs.get(service.db, user, submission_id)
    return submission["bom"], subs.latest_result(service.db, submission)


def create(service, bom) -> dict:
    engine = service.app.extensions["footprint_engine"]
    return subs.create_submission(service.db, engine, service.people["orchard"], bom)[0]


def submission_id_from(response) -> int:
    assert response.status_code == 302, text_of(response)[:2000]
    return int(re.search(r"/submissions/(\d+)$", response.headers["Location"]).group(1))


class FormFields(HTMLParser):
    """The fields a browser would send for <form id=form_id> (inputs, selected options)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.in_template = form_id, False, 0
        self.fields, self.select, self.first_option = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "input" and a.get("type") == "checkbox" and "checked" not in a:
            return  # a browser sends a checkbox only when it is ticked
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select, self.first_option = a["name"], None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
                self.fields.setdefault(self.select, self.first_option)
            if "selected" in a:
                self.fields[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "template" and self.in_template:
            self.in_template -= 1
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside and not self.in_template:
            self.inside = False


def form_fields(page: str, form_id="bom-editor") -> dict:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


# -- products and submissions -------------------------------------------------------------------

def test_index_lists_products_and_submissions(service, clients, make_bom):
    first = create(service, electricity_bom(make_bom))
    second = create(service, electricity_bom(make_bom, kwh=200))
    page = text_of(clients["orchard"].get("/producer/"))
    assert "test product" in page
    assert f'id="submission-{first["id"]}"' in page and f'id="submission-{second["id"]}"' in page
    # 14.04 and 28.08 kg CO2e to 3 significant figures: 14.0 and 28.1, per 1 kg (每 1 kg)
    assert "14.0 kg CO₂e 每 1 kg" in page and "28.1 kg CO₂e 每 1 kg" in page
    assert "草稿" in page  # status "draft" in Chinese
    assert f'/producer/submissions/{first["id"]}/edit' in page
    # the other enterprise sees none of it
    assert "test product" not in text_of(clients["steelworks"].get("/producer/"))


# -- the editor, as a plain form ---------------------------------------------------------------

def test_create_through_the_form(service, clients):
    before = counts(service.db)
    response = clients["orchard"].post("/producer/submissions/new",
                                       data=editor_form(**{"lines-0-note": "meter 7"}))
    submission_id = submission_id_from(response)
    bom, result = stored(service, submission_id)
    # 100 kWh x 0.1404 kg CO2/kWh (Sichuan 2022) = 14.04 kg CO2e
    assert result["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)
    assert bom["lines"] == [{"input": "electricity", "amount": 100.0, "unit": "kWh",
                             "stage": "production", "note": "meter 7"}]
    assert bom["product"]["name"] == "Gear blank" and bom["factor_year"] == 2022
    after = counts(service.db)
    assert after["submissions"] == before["submissions"] + 1
    assert after["results"] == before["results"] + 1


def test_every_kind_of_line_through_the_form(service, clients):
    form = editor_form(**{
        "lines-1-input": "diesel", "lines-1-amount": "3", "lines-1-unit": "kg",
        "lines-1-stage": "production",
        "lines-2-input": "road_freight", "lines-2-amount": "12", "lines-2-unit": "tkm",
        "lines-2-stage": "distribution",
        "lines-3-input": "emission:CO2_fossil", "lines-3-amount": "2", "lines-3-unit": "kg",
        "lines-3-stage": "production",
        # a blank row (added but not filled) is skipped
        "lines-4-input": "", "lines-4-amount": "", "lines-4-stage": ""})
    submission_id = submission_id_from(clients["orchard"].post("/producer/submissions/new",
                                                               data=form))
    bom, result = stored(service, submission_id)
    assert len(bom["lines"]) == 4 and bom["lines"][3] == {
        "emission": "CO2_fossil", "amount": 2.0, "unit": "kg", "stage": "production"}
    # 14.04 + 9.5589 + 1.392 + 2 kg fossil CO2 x GWP 1 = 26.9909
    assert result["total_kg_co2e"] == pytest.approx(26.9909, rel=1e-6)


def test_electricity_line_region_year_and_basis(service, clients, engine):
    form = editor_form(**{"lines-0-region": "CN-CQ", "lines-0-year": "2021",
                          "lines-0-basis": "location"})
    submission_id = submission_id_from(clients["orchard"].post("/producer/submissions/new",
                                                               data=form))
    bom, result = stored(service, submission_id)
    assert bom["lines"][0]["region"] == "CN-CQ" and bom["lines"][0]["year"] == 2021
    assert result["factors"][0]["process"] == "electricity/location/CN-CQ/2021"
    factor = result["factors"][0]["value"]
    assert result["total_kg_co2e"] == pytest.approx(100 * factor, rel=1e-6)
    assert engine.registry.electricity[("CN-CQ", 2021, "location")].value == factor


def test_add_line_rerenders_with_one_more_row_and_stores_nothing(service, clients):
    before = counts(service.db)
    response = clients["orchard"].post("/producer/submissions/new",
                                       data=editor_form(action="add:lines"))
    assert response.status_code == 200
    page = text_of(response)
    fields = form_fields(page)
    assert fields["lines-0-amount"] == "100" and fields["lines-0-input"] == "electricity"
    assert fields["lines-1-amount"] == "" and "lines-2-amount" not in fields
    assert fields["product-name"] == "Gear blank" and fields["region"] == "CN-SC"
    assert counts(service.db) == before


def test_remove_line_rerenders_without_it(clients):
    form = editor_form(**{"lines-1-input": "diesel", "lines-1-amount": "3",
                          "lines-1-unit": "kg", "lines-1-stage": "production",
                          "action": "remove:lines-0"})
    fields = form_fields(text_of(clients["orchard"].post("/producer/submissions/new",
                                                         data=form)))
    assert "lines-0-amount" not in fields
    assert fields["lines-1-input"] == "diesel" and fields["lines-1-amount"] == "3"


def test_rows_with_gaps_keep_problems_on_their_own_row(clients):
    """Rows 0 and 1 removed in the browser: BOM line 1 is form row 5."""
    form = editor_form(**{"lines-0-input": None, "lines-0-amount": None, "lines-0-unit": None,
                          "lines-0-stage": None, "lines-5-input": "electricity",
                          "lines-5-amount": "100", "lines-5-unit": "kwh",
                          "lines-5-stage": "production"})
    response = in_english(clients["orchard"]).post("/producer/submissions/new", data=form)
    assert response.status_code == 400
    page = text_of(response)
    assert error_slot(page, "lines-5-unit") == 'unit "kwh" unknown, did you mean "kWh"?'
    assert form_fields(page)["lines-5-unit"] == "kwh"  # kept as entered


BAD_FORMS = [
    # (overrides, field the message sits next to, part of the message)
    ({"lines-0-unit": "kwh"}, "lines-0-unit", 'did you mean "kWh"?'),
    ({"lines-0-amount": "abc"}, "lines-0-amount", 'must be a number, not "abc"'),
    ({"lines-0-amount": "-5"}, "lines-0-amount", "greater than or equal to 0"),
    ({"lines-0-amount": ""}, "lines-0-amount", "Missing data"),
    ({"lines-0-stage": "prodution"}, "lines-0-stage", 'did you mean "production"?'),
    ({"product-name": ""}, "product-name", "Missing data"),
    ({"declared_unit-amount": "0"}, "declared_unit-amount", "greater than 0"),
    ({"lines-0-amount": "1e308"}, "lines-0-amount",
     "1\u00a0×\u00a010³⁰⁸ exceeds the limit of 1,000,000,000"),
    ({"region": "CN-SCC"}, "region", 'did you mean "CN-SC"?'),
    ({"factor_year": "2019"}, "factor_year", "line 1: no location-based electricity factor "
                                             "for CN-SC in 2019; published years: 2021"),
    ({"factor_year": "1800"}, "factor_year", "the data year of the factors must be from 1990"),
    ({"factor_year": "twenty"}, "factor_year", "Not a valid integer"),
    ({"lines-0-input": "disel", "lines-0-unit": "kg"}, "lines-0-input",
     'did you mean "Diesel, burned in machinery or a boiler"?'),
    ({"lines-0-input": "diesel"}, "lines-0-unit", '"kg" (mass) is needed'),
    ({"lines-0-input": "emission:CH4"}, "lines-0-input", 'emission "CH4" unknown'),
    ({"lines-0-input": "", "lines-0-note": "forgot the input"}, "lines-0-input",
     'exactly one of "input" or "emission"'),
    ({"lines-1-input": "diesel", "lines-1-amount": "3", "lines-1-unit": "kg",
      "lines-1-stage": "production", "lines-1-region": "CN-SC"}, "lines-1-region",
     "only electricity lines take this field"),
    ({"lines-0-input": "", "lines-0-amount": "", "lines-0-unit": "", "lines-0-stage": ""},
     "lines", "at least one line"),
    ({"product-category": "oranges", "declared_unit-unit": "piece"}, "declared_unit-unit",
     'declared unit for category oranges "piece" unknown; valid: kg'),
    ({"product-category": "oranges", "declared_unit-unit": "kg",
      "parameters-yield_kg_per_ha": "-1"}, "parameters-yield_kg_per_ha", "must be > 0"),
    ({"product-category": "oranges", "declared_unit-unit": "kg",
      "parameters-irrigation_kwh_per_ha": "600"}, "parameters-yield_kg_per_ha",
     "required: marketable fruit harvested"),
    ({"product-category": "oranges", "declared_unit-unit": "kg",
      "parameters-yield_kg_per_ha": "30000", "parameters-fertilisers-0-product": "ure",
      "parameters-fertilisers-0-kg_per_ha": "x"}, "parameters-fertilisers-0-product",
     "must be one of urea"),
    ({"product-gtin": "6901234567893"}, "product-gtin", "check digit should be 2, not 3"),
    ({"product-lot": "LOT 1"}, "product-lot", "character 4 (U+0020) is not allowed in a batch"),
]


@pytest.mark.parametrize("overrides, field, message", BAD_FORMS,
                         ids=[f"{i}-{case[1]}" for i, case in enumerate(BAD_FORMS)])
def test_bad_forms_are_refused_next_to_the_field(service, clients, overrides, field, message):
    before = counts(service.db)
    response = in_english(clients["orchard"]).post("/producer/submissions/new",
                                       data=editor_form(**overrides))
    assert response.status_code == 400
    page = text_of(response)
    assert message in error_slot(page, field)
    assert message in page.split('id="problems"')[1].split("</div>")[0]  # and in the summary
    fields = form_fields(page)
    for name, value in overrides.items():  # every value kept as entered
        if name in fields:
            assert fields[name] == value, name
    assert counts(service.db) == before


def test_parameter_problem_in_a_list_row_lands_on_that_row(clients):
    form = editor_form(**{"product-category": "oranges", "declared_unit-unit": "kg",
                          "parameters-yield_kg_per_ha": "30000",
                          "parameters-fertilisers-3-product": "urea",
                          "parameters-fertilisers-3-kg_per_ha": "abc",
                          "lines-0-input": "", "lines-0-amount": "", "lines-0-unit": "",
                          "lines-0-stage": ""})
    page = text_of(in_english(clients["orchard"]).post("/producer/submissions/new", data=form))
    assert "must be a JSON number" in error_slot(page, "parameters-fertilisers-3-kg_per_ha")
    assert form_fields(page)["parameters-fertilisers-3-kg_per_ha"] == "abc"


# -- category parameters -----------------------------------------------------------------------

ORANGES_FORM = {
    "product-name": "Citrus, Pujiang orchard, at the farm gate", "product-category": "oranges",
    "declared_unit-amount": "1", "declared_unit-unit": "kg", "region": "CN-SC",
    "factor_year": "2022", "parameters-yield_kg_per_ha": "30000",
    "parameters-fertilisers-0-product": "compound", "parameters-fertilisers-0-kg_per_ha": "1200",
    "parameters-fertilisers-0-n_pct": "15", "parameters-fertilisers-0-p2o5_pct": "15",
    "parameters-fertilisers-0-k2o_pct": "15",
    "parameters-fertilisers-1-product": "urea", "parameters-fertilisers-1-kg_per_ha": "250",
    "parameters-fertilisers-2-product": "kcl", "parameters-fertilisers-2-kg_per_ha": "150",
    "parameters-manure_n_kg_per_ha": "120", "parameters-herbicide_kg_ai_per_ha": "1.5",
    "parameters-insecticide_kg_ai_per_ha": "3", "parameters-fungicide_kg_ai_per_ha": "4",
    "parameters-diesel_kg_per_ha": "60", "parameters-irrigation_kwh_per_ha": "600",
    "parameters-ef1": "", "parameters-gate": "",  # blank selects: the defaults
    "lines-0-input": "", "lines-0-amount": "", "lines-0-unit": "", "lines-0-stage": "",
    "action": "save"}


def test_oranges_parameters_through_the_form_match_the_engine(service, clients, engine):
    sample = json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text("utf-8"))
    submission_id = submission_id_from(clients["orchard"].post("/producer/submissions/new",
                                                               data=ORANGES_FORM))
    bom, result = stored(service, submission_id)
    assert bom["parameters"] == sample["parameters"]
    assert bom["lines"] == []
    expected = engine.calculate(parse_bom(sample))
    assert result["total_kg_co2e"] == pytest.approx(expected["total_kg_co2e"], rel=1e-6)
    assert result["by_stage"] == pytest.approx(expected["by_stage"], rel=1e-6)


def test_oranges_small_case_by_hand(service, clients):
    form = {**ORANGES_FORM, **{k: "" for k in ORANGES_FORM if k.startswith("parameters-")}}
    form.update({"parameters-yield_kg_per_ha": "1000",
                 "parameters-irrigation_kwh_per_ha": "100"})
    bom, result = stored(service, submission_id_from(
        clients["orchard"].post("/producer/submissions/new", data=form)))
    assert bom["parameters"] == {"yield_kg_per_ha": 1000.0, "irrigation_kwh_per_ha": 100.0}
    # 100 kWh/ha / 1000 kg/ha = 0.1 kWh per kg x 0.1404 kg CO2/kWh = 0.01404 kg CO2e per kg
    assert result["total_kg_co2e"] == pytest.approx(0.01404, rel=1e-6)


def test_editor_is_generated_from_the_category_schema(clients):
    page = text_of(clients["orchard"].get("/producer/submissions/new?category=oranges"))
    assert 'name="parameters-yield_kg_per_ha"' in page
    assert "每公顷年产量（商品果）" in page  # help_zh of yield_kg_per_ha
    assert 'id="tmpl-parameters-fertilisers"' in page  # a list: rows added from a template
    assert 'name="parameters-fertilisers-__i__-product"' in page
    # a choice by the name its plugin gives it, in the page's language
    assert '<option value="compound">复合肥</option>' in page
    # adding a fertiliser row without JavaScript
    response = clients["orchard"].post("/producer/submissions/new", data={
        **ORANGES_FORM, "action": "add:parameters-fertilisers"})
    fields = form_fields(text_of(response))
    assert fields["parameters-fertilisers-3-product"] == ""
    assert fields["parameters-fertilisers-2-product"] == "kcl"
    # nested parameters (batteries: primary_components)
    page = text_of(clients["orchard"].get("/producer/submissions/new?category=batteries"))
    assert 'name="parameters-primary_components-cathode_active_material"' in page
    # changing the category re-renders with the new category's fields, values kept
    response = clients["orchard"].post("/producer/submissions/new", data=editor_form(
        **{"product-category": "steel_vanadium", "action": "refresh"}))
    page = text_of(response)
    assert 'name="parameters-allocation"' in page and "parameters-yield_kg_per_ha" not in page
    assert form_fields(page)["lines-0-amount"] == "100"


BATTERY_NESTED_FORM = {
    "product-name": "LFP pack", "product-category": "batteries", "declared_unit-amount": "1",
    "declared_unit-unit": "kWh", "region": "CN-SD", "factor_year": "2022",
    "parameters-chemistry": "LFP", "parameters-battery_category": "stationary",
    "parameters-primary_components-cathode_active_material": "20",
    "parameters-expected_lifetime_cycles": "6000", "parameters-distribution_km": "",
    "action": "save"}


def test_nested_parameters_through_the_form_match_the_engine(service, clients, engine):
    submission_id = submission_id_from(clients["orchard"].post("/producer/submissions/new",
                                                               data=BATTERY_NESTED_FORM))
    bom, result = stored(service, submission_id)
    assert bom["parameters"] == {"chemistry": "LFP", "battery_category": "stationary",
                                 "primary_components": {"cathode_active_material": 20.0},
                                 "expected_lifetime_cycles": 6000.0}
    expected = engine.calculate(parse_bom(bom))
    assert result["total_kg_co2e"] == pytest.approx(expected["total_kg_co2e"], rel=1e-6)


ROUND_TRIP = ["sichuan_machined_part.json", "oranges_pujiang_packed.json",
              "batteries_lfp_pack_sichuan.json", "steel_vanadium_panzhihua_v2o5.json",
              "hungary_module_assembly_market.json"]


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_stored_bom_shows_in_the_editor_and_saves_back_unchanged(service, clients, name):
    sample = json.loads((SAMPLES / name).read_text("utf-8"))
    submission = create(service, sample)
    page = text_of(clients["orchard"].get(f"/producer/submissions/{submission['id']}/edit"))
    fields = form_fields(page)
    assert fields["product-name"] == sample["product"]["name"]
    response = clients["orchard"].post(f"/producer/submissions/{submission['id']}/edit",
                                       data={**fields, "action": "save"})
    assert submission_id_from(response) == submission["id"]
    first = submission["bom"]
    bom, result = stored(service, submission["id"])
    assert bom == first
    assert subs.get(service.db, service.people["orchard"], submission["id"])["revision"] == 2
    assert result["total_kg_co2e"] == pytest.approx(
        subs.latest_result(service.db, submission)["total_kg_co2e"], rel=1e-9)


# -- BOM files ---------------------------------------------------------------------------------

UPLOAD_HEADER = {"product-name": "Gear blank", "product-category": "generic",
                 "declared_unit-amount": "1", "declared_unit-unit": "piece",
                 "region": "CN-SC", "factor_year": "2022"}
CSV_GOOD = ("input,amount,unit,stage,region,year,basis,note\n"
            "electricity,100,kWh,production,,,,metered\n"
            "diesel,3,kg,production,,,,forklifts\n")


def upload(client, filename, content, **form):
    return client.post("/producer/upload", data={
        **UPLOAD_HEADER, **form, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


def xlsx(rows) -> bytes:
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_upload_json(service, clients):
    content = (SAMPLES / "sichuan_machined_part.json").read_bytes()
    submission_id = submission_id_from(upload(clients["orchard"], "part.json", content,
                                              **{"product-name": "ignored for JSON"}))
    bom, result = stored(service, submission_id)
    # 14.04 + 9.5589 + 1.392 = 24.9909
    assert result["total_kg_co2e"] == pytest.approx(24.9909, rel=1e-6)
    assert bom["product"]["name"].startswith("Gear blank machining")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_upload_csv(service, clients, delimiter):
    submission_id = submission_id_from(upload(clients["orchard"], "bom.csv",
                                              CSV_GOOD.replace(",", delimiter).encode()))
    bom, result = stored(service, submission_id)
    assert [line["input"] for line in bom["lines"]] == ["electricity", "diesel"]
    assert bom["lines"][0]["note"] == "metered" and bom["product"]["name"] == "Gear blank"
    # 14.04 + 9.5589 = 23.5989
    assert result["total_kg_co2e"] == pytest.approx(23.5989, rel=1e-6)


def test_upload_csv_with_chinese_headings_in_gb18030(service, clients):
    content = ("投入,数量,单位,阶段,备注\nelectricity,100,kWh,production,\n"
               "emission:CO2_fossil,2,kg,production,工艺排放\n").encode("gb18030")
    submission_id = submission_id_from(upload(clients["orchard"], "bom.csv", content))
    bom, result = stored(service, submission_id)
    assert bom["lines"][1] == {"emission": "CO2_fossil", "amount": 2.0, "unit": "kg",
                               "stage": "production", "note": "工艺排放"}
    # 14.04 + 2 kg fossil CO2 = 16.04
    assert result["total_kg_co2e"] == pytest.approx(16.04, rel=1e-6)


def test_upload_xlsx(service, clients):
    content = xlsx([["input", "amount", "unit", "stage", "region", "year", "basis", "note"],
                    ["electricity", 100, "kWh", "production", "CN-SC", 2022, "location", None],
                    [None, None, None, None, None, None, None, None],
                    ["road_freight", 12, "tkm", "distribution", None, None, None, "60 km"]])
    submission_id = submission_id_from(upload(clients["orchard"], "bom.xlsx", content))
    bom, result = stored(service, submission_id)
    assert bom["lines"][0]["year"] == 2022 and bom["lines"][1]["note"] == "60 km"
    # 14.04 + 1.392 = 15.432
    assert result["total_kg_co2e"] == pytest.approx(15.432, rel=1e-6)


def test_upload_csv_with_a_header_block_as_the_command_line_reads_it(service, clients,
                                                                    tmp_path):
    """One file, two readers: the web's upload and `footprint calc` give the same BOM."""
    content = ("产品名称,齿轮毛坯\n声明单位,1,piece\n地区,CN-SC\n因子年份,2022\n\n"
               + CSV_GOOD).encode("gb18030")
    submission_id = submission_id_from(upload(clients["orchard"], "gear.csv", content,
                                              **{"product-name": "the form's name",
                                                 "region": "CN-CQ"}))
    bom, result = stored(service, submission_id)
    # the file's header block wins over the form's fields
    assert (bom["product"]["name"], bom["region"]) == ("齿轮毛坯", "CN-SC")
    # 14.04 + 9.5589 = 23.5989
    assert result["total_kg_co2e"] == pytest.approx(23.5989, rel=1e-6)

    from click.testing import CliRunner

    from cli.main import cli
    path = tmp_path / "gear.csv"
    path.write_bytes(content)
    calculated = CliRunner().invoke(cli, ["calc", str(path), "--json"])
    assert calculated.exit_code == 0, calculated.output
    assert json.loads(calculated.stdout)["total_kg_co2e"] == pytest.approx(
        result["total_kg_co2e"], rel=1e-12)


BAD_UPLOADS = [
    ("bom.csv", (CSV_GOOD + "electricity,5,kwh,production,,,,\n").encode(), {},
     'row 4, column unit: unit "kwh" unknown, did you mean "kWh"?'),
    ("bom.csv", "input,amount,unit,stage\ndiesel,3 kg,kg,production\n".encode(), {},
     'row 2, column amount: must be a number, not "3 kg"'),
    ("bom.csv", "input,amount,unit,stage\ndisel,3,kg,production\n".encode(), {},
     'row 2, column input: input "disel" unknown, did you mean "Diesel, burned in machinery '
     'or a boiler"?'),
    ("bom.csv", "input,amount,unit,stage,region\ndiesel,3,kg,production,CN-SC\n".encode(), {},
     "row 2, column region: only electricity lines take this field"),
    ("bom.csv", "input,amout,unit,stage\ndiesel,3,kg,production\n".encode(), {},
     'row 1, column amout: column "amout" unknown, did you mean "amount"?'),
    ("bom.csv", "input,unit,stage\ndiesel,kg,production\n".encode(), {},
     "row 1: the header row lacks the column(s) amount"),
    ("bom.csv", "input,amount,unit,stage\n".encode(), {},
     "file: the file has a header row but no BOM lines"),
    ("bom.csv", CSV_GOOD.encode(), {"product-name": ""},
     "product name: Missing data for required field."),
    ("bom.csv", CSV_GOOD.encode(), {"region": "CN-XX"},
     'region of production: region "CN-XX" unknown'),
    ("bom.xlsx", xlsx([["input", "amount", "unit", "stage"], ["electricity", 100, "kWh",
                       "production"], ["electricity", 1, "kwh", "packaging"],
                       ["electricity", 1, "kWh", "packagin"]]), {},
     'row 3, column unit: unit "kwh" unknown, did you mean "kWh"?'),
    ("bom.xlsx", xlsx([["input", "amount", "unit", "stage", "year"],
                       ["electricity", 100, "kWh", "production", 2019]]), {},
     "row 2, column year: no location-based electricity factor for CN-SC in 2019"),
    ("bom.xlsx", xlsx([["input", "amount", "unit", "stage"],
                       ["electricity", 1e308, "kWh", "production"]]), {},
     "row 2, column amount: 1 × 10³⁰⁸ exceeds the limit of 1,000,000,000"),
    ("bom.csv", "input,amount,unit,stage\ndiesel,3,kg,production\ndiesel,2e9,kg,production\n"
     .encode(), {}, "row 3, column amount: 2,000,000,000 exceeds the limit of 1,000,000,000"),
    ("bom.xlsx", b"PK\x03\x04 not really a workbook", {},
     "file: not an XLSX workbook: an XLSX file is a ZIP archive, and this file is none or a "
     "damaged one"),
    ("bom.json", b'{"product": {"name": "x"},\n "lines": [}', {},
     "line 2, column 12 of the file: invalid JSON"),
    ("bom.json", json.dumps({"product": {"name": "x"}, "declared_unit": {"amount": 1,
                             "unit": "kg"}, "region": "CN-SC", "lines": [
        {"input": "electricity", "amount": 1, "unit": "kwh", "stage": "production"}]}).encode(),
     {}, 'line 1 · unit: unit "kwh" unknown, did you mean "kWh"?'),
    ("bom.txt", b"electricity 100 kWh", {}, 'file: "bom.txt" is not a JSON, CSV or XLSX file'),
    ("bom.csv", b"", {}, "file: choose a JSON, CSV or XLSX file to upload"),
]


@pytest.mark.parametrize("filename, content, form, message", BAD_UPLOADS,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(BAD_UPLOADS)])
def test_bad_uploads_name_the_row_and_column_and_store_nothing(service, clients, filename,
                                                                content, form, message):
    before = counts(service.db)
    response = upload(in_english(clients["orchard"]), filename, content, **form)
    assert response.status_code == 400
    page = text_of(response)
    assert message in " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert counts(service.db) == before
    if "product-name" in form:  # a form field's problem sits next to it, its value kept
        assert "Missing data" in error_slot(page, "product-name")
    assert form_fields(page, "upload-form")["region"] == form.get("region", "CN-SC")


def test_upload_reports_every_bad_row(clients):
    content = ("input,amount,unit,stage\nelectricity,1,kwh,production\n"
               "diesel,x,kg,production\nrail_freight,1,tkm,prodution\n").encode()
    page = " ".join(re.sub(r"<[^>]+>", "", text_of(upload(in_english(clients["orchard"]), "b.csv",
                                                            content))).split())
    assert 'row 2, column unit: unit "kwh" unknown' in page
    assert 'row 3, column amount: must be a number, not "x"' in page
    assert 'row 4, column stage: stage "prodution" unknown' in page


@pytest.mark.parametrize("filename", ["bom.csv", "bom.xlsx"])
def test_an_uploads_problems_are_listed_row_by_row(clients, filename):
    """Unknown inputs (rows 8 and 10) are found after the stage, amount and unit of rows 9 and
    11; the page lists them as the file has them (tests/test_bom_files.py ROWS_8_TO_11)."""
    from tests.test_bom_files import IN_ROW_ORDER, ROWS_8_TO_11, rows_file

    response = upload(in_english(clients["orchard"]), filename, rows_file(filename,
                                                                          ROWS_8_TO_11))
    assert response.status_code == 400
    listed = re.search(r'id="problems"[^>]*>(.*?)</(?:div|section)>', text_of(response), re.S)
    assert re.findall(r'<code title="([^"]*)"', listed.group(1)) == IN_ROW_ORDER


# -- live preview ------------------------------------------------------------------------------

def test_preview_of_a_good_json_bom(service, clients, make_bom):
    before = counts(service.db)
    bom = make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": "diesel", "amount": 3, "unit": "kg", "stage": "distribution"}])
    response = clients["orchard"].post("/producer/preview", json=bom)
    assert response.status_code == 200
    data = response.get_json()
    # 14.04 + 9.5589 = 23.5989
    assert data["ok"] and data["total_kg_co2e"] == pytest.approx(23.5989, rel=1e-6)
    stages = {s["stage"]: s for s in data["stages"]}
    assert stages["production"]["kg_co2e"] == pytest.approx(14.04, rel=1e-6)
    assert stages["distribution"]["kg_co2e"] == pytest.approx(9.5589, rel=1e-6)
    assert stages["production"]["bar"] == 1.0 and stages["production"]["label"] == "生产"
    assert [h["line"] for h in data["hotspots"]] == [1, 2]  # largest first
    assert data["hotspots"][0]["share"] == pytest.approx(14.04 / 23.5989, rel=1e-6)
    assert data["per"] == "1 kg"
    assert counts(service.db) == before  # a preview stores nothing


def test_preview_of_bad_boms(service, clients, make_bom):
    before = counts(service.db)
    bad = make_bom(lines=[{"input": "electricity", "amount": "100", "unit": "kwh",
                           "stage": "production"}])
    response = in_english(clients["orchard"]).post("/producer/preview", json=bad)
    assert response.status_code == 400
    problems = {p["where"]: p for p in response.get_json()["problems"]}
    assert problems["lines[0].unit"]["message"] == 'unit "kwh" unknown, did you mean "kWh"?'
    # the place as people say it; the path stays in "where"
    assert problems["lines[0].unit"]["human_where"] == "line 1 · unit"
    assert problems["lines[0].unit"]["field"] == "lines-0-unit"
    assert problems["lines[0].amount"]["message"] == 'must be a number, not "100"'
    not_json = in_english(clients["orchard"]).post("/producer/preview", data="{oops",
                                       content_type="application/json")
    assert not_json.status_code == 400 and not not_json.get_json()["ok"]
    not_object = in_english(clients["orchard"]).post("/producer/preview", json=[1, 2])
    assert not_object.status_code == 400
    assert not_object.get_json()["problems"][0]["message"] == "a BOM must be a JSON object"
    assert counts(service.db) == before


def test_preview_of_the_editor_form(clients):
    data = clients["orchard"].post("/producer/preview", data=editor_form()).get_json()
    assert data["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)  # 100 x 0.1404
    bad = clients["orchard"].post("/producer/preview", data=editor_form(
        **{"lines-0-input": None, "lines-0-amount": None, "lines-0-unit": None,
           "lines-0-stage": None, "lines-3-input": "electricity", "lines-3-amount": "1",
           "lines-3-unit": "kwh", "lines-3-stage": "production"}))
    assert bad.status_code == 400
    assert bad.get_json()["problems"][0]["field"] == "lines-3-unit"
    oranges = clients["orchard"].post("/producer/preview", data=ORANGES_FORM).get_json()
    assert oranges["grade"]["grade"] and all(h["modelled"] for h in oranges["hotspots"])


def test_preview_needs_the_csrf_header_when_csrf_is_on(csrf_app):
    client = log_in_with_token(csrf_app.test_client(), "orchard")
    page = client.get("/producer/submissions/new").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    assert client.post("/producer/preview", data=editor_form()).status_code == 400
    response = client.post("/producer/preview", data=editor_form(),
                           headers={"X-CSRFToken": meta})
    assert response.status_code == 200
    assert response.get_json()["total_kg_co2e"] == pytest.approx(14.04, rel=1e-6)


def test_editor_page_loads_its_script_and_has_no_inline_code(clients):
    page = clients["orchard"].get("/producer/submissions/new").get_data(as_text=True)
    assert '<script src="/static/producer.js" defer></script>' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert ' style="' not in page and " onclick=" not in page
    assert 'data-preview-url="/producer/preview"' in page
    with clients["orchard"].get("/static/producer.js") as script:  # closes the file it sends
        assert script.status_code == 200


# -- evidence ----------------------------------------------------------------------------------

def test_evidence_attached_to_a_line_listed_and_downloaded(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    client = clients["orchard"]
    response = client.post(f"/producer/submissions/{submission['id']}/evidence",
                           data={"line": "1", "file": (io.BytesIO(PDF), "invoice.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/producer/submissions/{submission['id']}/edit#evidence")
    listed = review.evidence_list(service.db, service.people["orchard"], submission["id"])
    assert [(e["filename"], e["line"], e["content_type"], e["size"]) for e in listed] == \
        [("invoice.pdf", 1, "application/pdf", len(PDF))]
    whole = client.post(f"/producer/submissions/{submission['id']}/evidence",
                        data={"line": "", "file": (io.BytesIO(b"kWh,100\n"), "meter.csv")},
                        content_type="multipart/form-data")
    assert whole.status_code == 302
    page = text_of(client.get(f"/producer/submissions/{submission['id']}/edit"))
    link = f"/submissions/{submission['id']}/evidence/{listed[0]['id']}"
    assert f'href="{link}">invoice.pdf</a>' in page and "meter.csv" in page
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF


@pytest.mark.parametrize("filename, content_type, content, line, message", [
    ("tool.exe", "application/x-msdownload", b"MZ", "", 'type "application/x-msdownload" '
     "not accepted"),
    ("big.pdf", "application/pdf", b"%" * (10 * 1024 * 1024 + 1), "", "at most 10 MB"),
    ("empty.pdf", "application/pdf", b"", "", "the file is empty"),
    ("invoice.pdf", "application/pdf", PDF, "7", "a line between 1 and 1"),
    ("invoice.pdf", "application/pdf", PDF, "one", "a line between 1 and 1"),
])
def test_evidence_refused_by_type_size_or_line(service, clients, make_bom, filename,
                                               content_type, content, line, message):
    submission = create(service, electricity_bom(make_bom))
    before = counts(service.db)
    response = in_english(clients["orchard"]).post(
        f"/producer/submissions/{submission['id']}/evidence",
        data={"line": line, "file": (io.BytesIO(content), filename, content_type)},
        content_type="multipart/form-data")
    # the test client spools a body over 500 KB to a temporary file and leaves it open
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 400
    assert message in text_of(response)
    assert counts(service.db) == before


def test_evidence_without_a_file(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    response = clients["orchard"].post(f"/producer/submissions/{submission['id']}/evidence",
                                       data={"line": ""})
    assert response.status_code == 400 and "请选择要附上的文件" in text_of(response)
    english = in_english(clients["orchard"]).post(
        f"/producer/submissions/{submission['id']}/evidence", data={"line": ""})
    assert english.status_code == 400 and "choose a file to attach" in text_of(english)


# -- revising ----------------------------------------------------------------------------------

def test_edit_a_draft_prefilled_then_saved_as_a_new_revision(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    client = clients["orchard"]
    page = text_of(client.get(f"/producer/submissions/{submission['id']}/edit"))
    fields = form_fields(page)
    assert fields["lines-0-amount"] == "100" and fields["lines-0-input"] == "electricity"
    assert fields["region"] == "CN-SC" and fields["factor_year"] == "2022"
    assert fields["lines-0-note"] == "metered"
    response = client.post(f"/producer/submissions/{submission['id']}/edit",
                           data={**fields, "lines-0-amount": "200", "action": "save"})
    assert submission_id_from(response) == submission["id"]
    _bom, result = stored(service, submission["id"])
    assert result["total_kg_co2e"] == pytest.approx(28.08, rel=1e-6)  # 200 x 0.1404


def test_next_year_s_declaration_starts_from_an_issued_one(service, clients, make_bom):
    # last year's BOM: 100 kWh of Sichuan grid electricity for 2022 (14.04 kg CO2e), lot
    # L2025, describing 2025; submitted, so it can no longer be edited
    submission = create(service, make_bom(
        product={"name": "Gear blank", "category": "generic", "lot": "L2025"},
        reference_year=2025, lines=[{"input": "electricity", "amount": 100, "unit": "kWh",
                                     "stage": "production", "note": "metered"}]))
    actions.act(service.db, service.people["orchard"], submission["id"], "submit",
                verifier_org="Sichuan Carbon Verification")
    client = in_english(clients["orchard"])
    page = text_of(client.get(f"/submissions/{submission['id']}"))
    assert f'href="/producer/submissions/new?from={submission["id"]}"' in page
    started = text_of(client.get(f"/producer/submissions/new?from={submission['id']}"))
    assert f"Started from submission <a href=\"/submissions/{submission['id']}\">" in started
    fields = form_fields(started)
    assert (fields["product-name"], fields["lines-0-input"], fields["lines-0-amount"],
            fields["lines-0-note"], fields["factor_year"]) == (
        "Gear blank", "electricity", "100", "metered", "2022")
    assert fields["reference_year"] == "" and fields["product-lot"] == ""  # this year's own
    # this year: 120 kWh -> 120 x 0.1404 = 16.848 kg CO2e, a new draft of the same product
    response = client.post("/producer/submissions/new",
                           data={**fields, "lines-0-amount": "120", "product-lot": "L2026",
                                 "action": "save"})
    new_id = submission_id_from(response)
    assert new_id != submission["id"]
    bom, result = stored(service, new_id)
    assert result["total_kg_co2e"] == pytest.approx(16.848, rel=1e-6)
    assert bom["product"]["lot"] == "L2026" and "reference_year" not in bom
    new = subs.get(service.db, service.people["orchard"], new_id)
    assert new["status"] == "draft" and new["product_id"] == submission["product_id"]
    last_year, last_result = stored(service, submission["id"])
    assert last_year == submission["bom"] and last_result["total_kg_co2e"] == \
        pytest.approx(14.04, rel=1e-6)  # 100 x 0.1404, as it was


def test_only_the_organisation_s_producers_start_from_its_submissions(service, clients,
                                                                      make_bom):
    submission = create(service, electricity_bom(make_bom))
    other = clients["steelworks"].get(f"/producer/submissions/new?from={submission['id']}")
    assert other.status_code == 404  # another organisation's: not there, as everywhere
    for given in ("abc", "999999", "-1"):
        assert clients["orchard"].get(f"/producer/submissions/new?from={given}") \
            .status_code == 404
    auditor = text_of(clients["auditor"].get(f"/submissions/{submission['id']}"))
    assert "/producer/submissions/new?from=" not in auditor


def test_a_bad_revision_keeps_the_stored_one(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    before = counts(service.db)
    fields = form_fields(text_of(in_english(clients["orchard"]).get(
        f"/producer/submissions/{submission['id']}/edit")))
    response = in_english(clients["orchard"]).post(f"/producer/submissions/{submission['id']}/edit",
                                       data={**fields, "lines-0-unit": "kwh",
                                             "action": "save"})
    assert response.status_code == 400
    assert 'did you mean "kWh"?' in error_slot(text_of(response), "lines-0-unit")
    assert counts(service.db) == before
    assert subs.get(service.db, service.people["orchard"], submission["id"])["revision"] == 1


def test_editing_a_submitted_submission_is_refused(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    actions.act(service.db, service.people["orchard"], submission["id"], "submit",
                verifier_org="Sichuan Carbon Verification")
    before = counts(service.db)
    client = in_english(clients["orchard"])
    response = client.get(f"/producer/submissions/{submission['id']}/edit")
    assert response.status_code == 409
    assert "a submitted submission cannot be changed" in text_of(response)
    assert client.post(f"/producer/submissions/{submission['id']}/edit",
                       data=editor_form(**{"lines-0-amount": "5"})).status_code == 409
    evidence = client.post(f"/producer/submissions/{submission['id']}/evidence",
                           data={"file": (io.BytesIO(PDF), "late.pdf")},
                           content_type="multipart/form-data")
    assert evidence.status_code == 409
    assert counts(service.db) == before
    assert f"/producer/submissions/{submission['id']}/edit" not in text_of(
        client.get("/producer/"))  # no edit link for it either


def test_a_returned_submission_is_revised_and_shows_the_reason(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    actions.act(service.db, service.people["orchard"], submission["id"], "submit",
                verifier_org="Sichuan Carbon Verification")
    review.comment(service.db, service.people["auditor"], submission["id"],
                   "Attach the March meter reading.", line=1)
    actions.act(service.db, service.people["auditor"], submission["id"], "return",
                reason="The meter reading is missing.")
    client = clients["orchard"]
    page = text_of(client.get(f"/producer/submissions/{submission['id']}/edit"))
    assert "The meter reading is missing." in page
    assert "Attach the March meter reading." in page
    fields = form_fields(page)
    response = client.post(f"/producer/submissions/{submission['id']}/edit",
                           data={**fields, "lines-0-amount": "200", "action": "save"})
    assert submission_id_from(response) == submission["id"]
    again = subs.get(service.db, service.people["orchard"], submission["id"])
    assert again["status"] == "returned" and again["revision"] == 2
    assert client.post(f"/producer/submissions/{submission['id']}/evidence",
                       data={"line": "1", "file": (io.BytesIO(PDF), "meter.pdf")},
                       content_type="multipart/form-data").status_code == 302


# -- who may -----------------------------------------------------------------------------------

def test_another_organisations_submission_is_not_found(service, clients, make_bom):
    submission = create(service, electricity_bom(make_bom))
    review.add_evidence(service.db, service.people["orchard"], submission["id"], "a.pdf",
                        "application/pdf", PDF)
    before = counts(service.db)
    other = clients["steelworks"]
    assert other.get(f"/producer/submissions/{submission['id']}/edit").status_code == 404
    assert other.post(f"/producer/submissions/{submission['id']}/edit",
                      data=editor_form()).status_code == 404
    assert other.post(f"/producer/submissions/{submission['id']}/evidence",
                      data={"file": (io.BytesIO(PDF), "x.pdf")},
                      content_type="multipart/form-data").status_code == 404
    assert other.get("/producer/submissions/99999/edit").status_code == 404
    assert counts(service.db) == before


@pytest.mark.parametrize("username", ["auditor", "reviewer", "admin"])
def test_other_roles_are_forbidden(service, clients, make_bom, username):
    submission = create(service, electricity_bom(make_bom))
    before = counts(service.db)
    client = clients[username]
    sid = submission["id"]
    assert client.get("/producer/").status_code == 403
    assert client.get("/producer/submissions/new").status_code == 403
    assert client.post("/producer/submissions/new", data=editor_form()).status_code == 403
    assert client.get(f"/producer/submissions/{sid}/edit").status_code == 403
    assert client.post("/producer/preview", json=electricity_bom(make_bom)).status_code == 403
    assert upload(client, "bom.csv", CSV_GOOD.encode()).status_code == 403
    assert client.post(f"/producer/submissions/{sid}/evidence",
                       data={"file": (io.BytesIO(PDF), "x.pdf")},
                       content_type="multipart/form-data").status_code == 403
    assert counts(service.db) == before


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/producer/submissions/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- languages ---------------------------------------------------------------------------------

def test_editor_in_chinese_and_english(clients, service):
    client = clients["orchard"]
    zh = text_of(client.get("/producer/submissions/new?category=oranges"))
    assert "新建申报" in zh and "物料清单明细" in zh and "添加一行" in zh
    assert "四川 (CN-SC)" in zh and "Sichuan" not in zh and "每公顷年产量（商品果）" in zh
    assert "Add line" not in zh and "New submission" not in zh
    client.set_cookie("lang", "en")
    en = text_of(client.get("/producer/submissions/new?category=oranges"))
    assert "New submission" in en and "Bill of materials lines" in en and "Add line" in en
    assert "Sichuan (CN-SC)" in en and "marketable fruit harvested per hectare" in en
    assert "新建申报" not in en and "每公顷年产量" not in en
    index_en = text_of(client.get("/producer/"))
    assert "Upload a BOM file" in index_en


def test_every_producer_message_has_chinese():
    """Each _("...") in the producer's code and templates has a msgstr in the .po files."""
    from babel.messages.pofile import read_po
    catalogue = {}
    for po in (ROOT / "web" / "translations" / "zh" / "LC_MESSAGES").glob("*.po"):
        with open(po, "rb") as f:
            catalogue.update({m.id: m.string for m in read_po(f) if m.id})
    sources = [ROOT / "web" / "producer.py", *sorted((ROOT / "web" / "bom").glob("*.py"))]
    sources += sorted((ROOT / "web" / "templates" / "producer").glob("*.html"))
    msgids = set()
    for path in sources:
        text = path.read_text("utf-8")
        msgids |= set(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"', text))
        msgids |= set(re.findall(r"\b_\(\s*'((?:[^'\\]|\\.)*)'", text))
    assert len(msgids) > 80
    missing = sorted(m for m in msgids if not catalogue.get(m))
    assert missing == []
