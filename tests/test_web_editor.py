"""The BOM editor as a co-operative's bookkeeper meets it: a clean first page, the inputs of
its category and the generic ones, units of the chosen input's dimension, defaults from its
organisation, and a preview that says what is missing instead of showing a grade.

Hand-worked values:
  field N2O (IPCC 2019 Refinement, Vol. 4 Ch. 11, Table 11.1), per kg N applied, AR6 GWP100
  of N2O 273:
    aggregated EF1 0.010 kg N2O-N x 44/28 = 0.015714 kg N2O x 273 = 4.29 kg CO2e
    wet-climate EF1 for synthetic N 0.016 x 44/28 = 0.025143 kg N2O x 273 = 6.86 kg CO2e
  energy units in footprint/units.py: Wh, kWh, MWh, GWh, MJ, GJ; mass: g, kg, t;
  transport: kgkm, tkm
  oranges, yield 30000 kg/ha, diesel 60 kg/ha: 60 / 30000 = 0.002 kg diesel per kg fruit
    x 3.1863 kg CO2/kg (IPCC 2006: 74.1 kg CO2/GJ x 43.0 GJ/t / 1000) = 0.0063726 kg CO2e/kg,
    below the first band's 0.12: grade A
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from footprint.usecases import submissions as subs
from tests.test_web_producer import form_fields, text_of

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

SAMPLES = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
NEW = "/producer/submissions/new"


class Selects(HTMLParser):
    """Each <select>'s options outside <template>: name -> [(value, label, attributes,
    group)]; and the <template id="unit-options"> groups: dimension -> unit values."""

    def __init__(self):
        super().__init__()
        self.selects, self.unit_groups = {}, {}
        self.select = self.option = self.group = self.template = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self.template = a.get("id")
        elif tag == "optgroup":
            self.group = a.get("label")
            if self.template == "unit-options":
                self.unit_groups[a["data-dimension"]] = []
                self.dimension = a["data-dimension"]
        elif tag == "select" and not self.template:
            self.select = a["name"]
            self.selects[self.select] = []
        elif tag == "option":
            if self.template == "unit-options":
                self.unit_groups[self.dimension].append(a["value"])
            elif self.select:
                self.option = [a.get("value", ""), "", a, self.group]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            self.selects[self.select].append(tuple(self.option))
            self.option = None
        elif tag == "optgroup":
            self.group = None
        elif tag == "select":
            self.select = None
        elif tag == "template":
            self.template = None


def selects(page: str) -> Selects:
    parser = Selects()
    parser.feed(page)
    return parser


def values(page: str, name: str) -> list[str]:
    return [value for value, *_rest in selects(page).selects[name] if value]


def set_region(service, username: str, region: str | None) -> None:
    org_id = service.people[username]["org_id"]
    service.db["organisations"].update(org_id, {"region": region})


def create(service, username: str, bom: dict) -> dict:
    engine = service.app.extensions["footprint_engine"]
    return subs.create_submission(service.db, engine, service.people[username], bom)[0]


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text("utf-8"))


# -- a clean first page -----------------------------------------------------------------------

def test_the_new_form_opens_without_a_single_error(clients):
    page = clients["orchard"].get(NEW).get_data(as_text=True)
    assert 'aria-invalid' not in page
    assert 'id="problems"' not in page
    slots = re.findall(r'<span class="error" id="err-[^"]+"[^>]*>(.*?)</span>', page, re.S)
    assert len(slots) > 10 and all(slot.strip() == "" for slot in slots)
    # the script marks fields red only once they are touched, or after a save (data-checked)
    assert "data-checked" not in page


def test_a_refused_save_marks_the_form_as_checked(clients):
    response = clients["orchard"].post(NEW, data={"product-name": "", "action": "save",
                                                  "declared_unit-amount": "1"})
    assert response.status_code == 400
    page = text_of(response)
    assert re.search(r'<form method="post" id="bom-editor"[^>]*\bdata-checked\b', page)
    assert 'aria-invalid="true"' in page


# -- the inputs of the category, and the generic ones ------------------------------------------

def test_an_orange_cooperative_sees_its_inputs_and_the_generic_ones(service, clients, registry):
    create(service, "orchard", sample("oranges_pujiang_farm_gate.json"))
    page = text_of(clients["orchard"].get(NEW))
    assert form_fields(page)["product-category"] == "oranges"  # from its latest submission
    offered = set(values(page, "lines-0-input"))
    for generic in ("electricity", "diesel", "road_freight", "rail_freight",
                    "emission:N2O", "emission:CO2_fossil"):
        assert generic in offered
    oranges = {p.id for p in registry.processes.values() if p.plugin == "oranges"}
    assert oranges and oranges <= offered
    others = {p.id for p in registry.processes.values()
              if p.plugin in ("batteries", "steel_vanadium")}
    assert others and not others & offered
    assert not any(v.startswith(("batteries", "steel_vanadium")) for v in offered)
    # its own product is offered as a sub-assembly
    assert any(v.startswith("product:") for v in offered)


def test_inputs_with_the_same_chinese_name_are_told_apart(service, clients):
    create(service, "orchard", sample("oranges_pujiang_farm_gate.json"))
    options = selects(text_of(clients["orchard"].get(NEW))).selects["lines-0-input"]
    labels = [label for value, label, _a, _g in options if value]
    assert len(labels) == len(set(labels))
    by_value = {value: label for value, label, _a, _g in options}
    # the footprint of one kg N: 4.29 (aggregated EF1) and 6.86 (wet climate) kg CO2e
    assert by_value["oranges/field_n2o/direct_synthetic/aggregated"] == \
        "化肥氮直接N2O排放（每千克氮） (kg) · 4.29 kg CO₂e/kg"
    assert by_value["oranges/field_n2o/direct_synthetic/wet_climate"] == \
        "化肥氮直接N2O排放（每千克氮） (kg) · 6.86 kg CO₂e/kg"
    assert by_value["diesel"] == "柴油燃烧 (kg)"  # a name of its own needs nothing more


def test_inputs_are_searchable_in_chinese_and_english(service, clients):
    options = {value: attrs for value, _l, attrs, _g in
               selects(text_of(clients["orchard"].get(NEW + "?category=oranges")))
               .selects["lines-0-input"]}
    wet = options["oranges/field_n2o/direct_synthetic/wet_climate"]["data-search"]
    assert "化肥氮直接n2o排放" in wet and "wet climate" in wet
    assert "电力" in options["electricity"]["data-search"]
    assert "electricity" in options["electricity"]["data-search"]
    assert "diesel" in options["diesel"]["data-search"] and \
        "柴油" in options["diesel"]["data-search"]
    page = clients["orchard"].get(NEW).get_data(as_text=True)
    # the filter is the script's: hidden without it, and it sends nothing with the form
    search = re.search(r'<input type="search"[^>]*id="q-lines-0-input"[^>]*>', page).group(0)
    assert " hidden" in search and "name=" not in search
    assert 'aria-controls="f-lines-0-input"' in search


def test_a_generic_product_may_use_every_category_s_inputs(clients, registry):
    offered = set(values(text_of(clients["orchard"].get(NEW + "?category=generic")),
                         "lines-0-input"))
    assert {p.id for p in registry.processes.values()} <= offered


def test_a_stored_line_outside_the_category_keeps_its_name(service, clients):
    """A BOM made as a generic product, opened after its category became oranges."""
    bom = sample("oranges_pujiang_farm_gate.json")
    bom["lines"] = [{"input": "batteries_natural_gas_combustion", "amount": 10, "unit": "kWh",
                     "stage": "production"}]
    submission = create(service, "orchard", bom)
    page = text_of(clients["orchard"].get(f"/producer/submissions/{submission['id']}/edit"))
    chosen = [(v, label) for v, label, attrs, _g in selects(page).selects["lines-0-input"]
              if "selected" in attrs]
    assert chosen == [("batteries_natural_gas_combustion",
                       "天然气燃烧供热(每千瓦时燃气低位热值) (kWh)")]


# -- units of the input's dimension ------------------------------------------------------------

ENERGY = ["Wh", "kWh", "MWh", "GWh", "MJ", "GJ"]


def test_a_line_offers_the_units_of_its_input_s_dimension(service, clients, make_bom):
    bom = make_bom(lines=[
        {"input": "electricity", "amount": 100, "unit": "kWh", "stage": "production"},
        {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"},
        {"input": "road_freight", "amount": 12, "unit": "tkm", "stage": "distribution"},
        {"emission": "N2O", "amount": 0.1, "unit": "kg", "stage": "production"}])
    submission = create(service, "orchard", bom)
    page = text_of(clients["orchard"].get(f"/producer/submissions/{submission['id']}/edit"))
    assert sorted(values(page, "lines-0-unit")) == sorted(ENERGY)  # never kg or piece
    assert sorted(values(page, "lines-1-unit")) == ["g", "kg", "t"]
    assert sorted(values(page, "lines-2-unit")) == ["kgkm", "tkm"]
    assert sorted(values(page, "lines-3-unit")) == ["g", "kg", "t"]
    # a new row, no input chosen yet: every unit
    assert len(values(page, "lines-0-unit")) < len(selects(text_of(clients["orchard"].get(
        NEW))).selects["lines-0-unit"]) - 1
    # what the script needs to do the same in the browser: each input's unit and dimension,
    # and every unit under its dimension
    options = {v: attrs for v, _l, attrs, _g in selects(page).selects["lines-0-input"]}
    assert (options["electricity"]["data-unit"], options["electricity"]["data-dimension"]) \
        == ("kWh", "energy")
    assert options["diesel"]["data-dimension"] == "mass"
    assert options["road_freight"]["data-dimension"] == "transport"
    assert options["emission:CO2e_aggregated"]["data-dimension"] == "mass"
    groups = selects(page).unit_groups
    assert sorted(groups["energy"]) == sorted(ENERGY) and groups["count"] == ["piece"]


def test_a_unit_of_another_dimension_stays_shown_with_its_problem(clients):
    from tests.test_web_producer import editor_form, error_slot
    response = clients["orchard"].post(NEW, data=editor_form(
        **{"lines-0-input": "diesel", "lines-0-unit": "kWh"}))
    page = text_of(response)
    assert form_fields(page)["lines-0-unit"] == "kWh"
    # the page's language, Chinese: "unit "kWh" is energy but "kg" (mass) is needed"
    assert "此处需要“kg”（质量）" in error_slot(page, "lines-0-unit")


# -- defaults from the organisation ------------------------------------------------------------

def test_region_from_the_organisation_and_a_category_to_choose(service, clients):
    set_region(service, "orchard", "CN-SC")
    page = text_of(clients["orchard"].get(NEW))
    fields = form_fields(page)
    assert fields["region"] == "CN-SC"
    assert fields["product-category"] == ""  # no submission yet: the producer chooses
    assert "— 请选择产品类别 —" in page


def test_category_and_declared_unit_from_the_latest_submission(service, clients):
    set_region(service, "steelworks", "CN-SC")
    create(service, "steelworks", sample("sichuan_machined_part.json"))
    create(service, "steelworks", sample("steel_vanadium_panzhihua_v2o5.json"))
    fields = form_fields(text_of(clients["steelworks"].get(NEW)))
    assert fields["product-category"] == "steel_vanadium"
    assert fields["declared_unit-unit"] == "t"  # the first the category declares (t, kg)
    assert fields["region"] == "CN-SC"
    # a category asked for in the address wins, with its declared unit
    fields = form_fields(text_of(clients["steelworks"].get(NEW + "?category=batteries")))
    assert fields["product-category"] == "batteries" and fields["declared_unit-unit"] == "kWh"


def test_the_upload_form_takes_the_same_defaults(service, clients):
    set_region(service, "orchard", "CN-SC")
    create(service, "orchard", sample("oranges_pujiang_farm_gate.json"))
    for page in ("/producer/", NEW):
        fields = form_fields(text_of(clients["orchard"].get(page)), "upload-form")
        assert (fields["product-category"], fields["declared_unit-unit"], fields["region"]) \
            == ("oranges", "kg", "CN-SC")


def test_an_organisation_without_a_region_gets_none_chosen(service, clients):
    set_region(service, "orchard", None)
    assert form_fields(text_of(clients["orchard"].get(NEW)))["region"] == ""


def test_choosing_another_category_sets_its_declared_unit(clients):
    page = text_of(clients["orchard"].post(NEW, data={
        "product-name": "Orange", "product-category": "oranges", "declared_unit-amount": "1",
        "declared_unit-unit": "piece", "action": "refresh"}))
    assert form_fields(page)["declared_unit-unit"] == "kg"
    assert "aria-invalid" not in page  # changing the category checks nothing yet
    # a unit the category allows is kept
    page = text_of(clients["orchard"].post(NEW, data={
        "product-name": "Slab", "product-category": "steel_vanadium",
        "declared_unit-amount": "1", "declared_unit-unit": "kg", "action": "refresh"}))
    assert form_fields(page)["declared_unit-unit"] == "kg"


# -- the preview while data is missing --------------------------------------------------------

def preview(client, form: dict, language: str = "zh"):
    client.set_cookie("lang", language)
    return client.post("/producer/preview", data=form)


def fresh_oranges_form(client) -> dict:
    """The fields a browser sends from the untouched new form of an oranges producer."""
    return form_fields(text_of(client.get(NEW + "?category=oranges")))


def test_the_untouched_form_is_incomplete_and_has_no_footprint(service, clients):
    set_region(service, "orchard", "CN-SC")
    client = clients["orchard"]
    response = preview(client, fresh_oranges_form(client))
    data = response.get_json()
    assert response.status_code == 400 and data["ok"] is False
    # the product's name, and a line or a parameter
    assert data["incomplete"] is True and data["missing"] == 2
    assert data["incomplete_text"] == "尚不完整：还有 2 个必填项"
    assert {p["field"] for p in data["problems"] if p["missing"]} == {"product-name", "lines"}
    assert "grade" not in data and "total_kg_co2e" not in data
    english = preview(client, fresh_oranges_form(client), "en").get_json()
    assert english["incomplete_text"] == "Incomplete: 2 required fields to fill"


def test_only_the_yield_gives_no_footprint_and_no_grade(service, clients):
    """Valid by the schema, but nothing in it adds to the footprint: 0 kg and grade A would
    flatter it."""
    set_region(service, "orchard", "CN-SC")
    client = clients["orchard"]
    form = {**fresh_oranges_form(client), "product-name": "脐橙",
            "parameters-yield_kg_per_ha": "30000"}
    response = preview(client, form)
    data = response.get_json()
    assert response.status_code == 200
    assert data["ok"] is False and data["incomplete"] is True and data["missing"] == 1
    assert data["incomplete_text"] == "尚不完整：还有 1 个必填项"
    assert data["problems"][0]["field"] == "lines"
    assert data["problems"][0]["message"] == "请至少填写一项投入或排放及其数量"
    assert "grade" not in data and "total_kg_co2e" not in data
    # with the diesel the footprint and its grade appear: 0.0063726 kg CO2e/kg (0.00637), grade A
    done = preview(client, {**form, "parameters-diesel_kg_per_ha": "60"}).get_json()
    assert done["ok"] is True and done["total_text"] == "0.00637"  # 3 significant figures
    assert done["grade"]["grade"] == "A"


def test_a_wrong_value_is_not_counted_as_missing(service, clients):
    set_region(service, "orchard", "CN-SC")
    client = clients["orchard"]
    form = {**fresh_oranges_form(client), "product-name": "脐橙",
            "lines-0-input": "diesel", "lines-0-amount": "3,5", "lines-0-unit": "kg"}
    data = preview(client, form).get_json()
    missing = {p["field"] for p in data["problems"] if p["missing"]}
    wrong = {p["field"] for p in data["problems"] if not p["missing"]}
    assert missing == {"lines-0-stage"} and data["missing"] == 1
    assert wrong == {"lines-0-amount"}


def test_a_json_preview_counts_what_is_missing_too(clients, make_bom):
    bom = make_bom(lines=[{"input": "electricity", "amount": 100, "stage": "production"}])
    del bom["region"]
    data = clients["orchard"].post("/producer/preview", json=bom).get_json()
    assert data["missing"] == 2
    assert {p["where"] for p in data["problems"] if p["missing"]} == {"region",
                                                                      "lines[0].unit"}


@pytest.mark.parametrize("language, words", [("zh", "实时碳足迹"), ("en", "Live footprint")])
def test_the_preview_sits_beside_the_form_and_can_fold_into_a_sheet(clients, language, words):
    client = clients["orchard"]
    client.set_cookie("lang", language)
    page = client.get(NEW).get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/producer.css">' in page
    layout = page.split('<div class="editor-layout">')[1]
    assert layout.index('id="bom-editor"') < layout.index('<aside class="card preview"')
    toggle = re.search(r'<button type="button" class="preview-bar"[^>]*>', page).group(0)
    assert 'aria-controls="preview-panel"' in toggle and 'aria-expanded="false"' in toggle
    assert words in page
    # the side column's save button sends the editor's form
    assert '<button type="submit" form="bom-editor" name="action" value="save">' in page
