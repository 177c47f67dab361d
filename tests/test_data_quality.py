"""Data quality on every line (docs/data-quality.md): each line's three ratings against its
BOM, the result's contribution-weighted dqi and primary data share, worked out by hand.

Factors used below, as the results cite them:
  electricity, Sichuan 2022, location (MEE):              0.1404 kg CO2/kWh
  electricity, Southwest grid 2022, location (MEE):       0.2268 kg CO2/kWh (Tibet's stand-in)
  diesel combustion (IPCC 2006, global):                  3.1863 kg CO2/kg (74.1 x 43.0 / 1000)
  road freight (US EPA 2024, "US (proxy for CN)"):        0.116 kg CO2/tkm
  materials/pp (DESNZ 2025, "UK factor set"):             2.57757 kg CO2e/kg
  oranges/fertiliser/urea_n (Chen et al. 2015, CN)

Ratings (technological, geographical, temporal), each by the tables of docs/data-quality.md:
  secondary factors are 3 technologically (an average technology, confidence high or medium);
  the area under study is the BOM's region (an electricity line's own region if it has one),
  the year under study the BOM's factor_year.
"""
from __future__ import annotations

import html
import re

import pytest

from footprint.bom import parse_bom
from footprint.bomfiles import read_bom_bytes
from footprint.dataquality import (Rated, geography_code, level, overall, reference_year,
                                   technological_rating, temporal_rating, weighted)
from footprint.engine.supplier import SupplierLabel
from footprint.errors import InvalidInput
from footprint.labels import to_b32
from footprint.usecases.labels import for_submission

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL


def calc(engine, make_bom, lines, **overrides):
    return engine.calculate(parse_bom(make_bom(lines=lines, **overrides)))


def kwh(amount, **extra):
    return {"input": "electricity", "amount": amount, "unit": "kWh", "stage": "production",
            **extra}


def line(input_, amount, unit="kg", stage="raw_materials", **extra):
    return {"input": input_, "amount": amount, "unit": unit, "stage": stage, **extra}


def dqr(result, number):
    entry = next(e for e in result["by_input"] if e["line"] == number)
    return (entry["dqr"]["technological"], entry["dqr"]["geographical"],
            entry["dqr"]["temporal"])


def dqi(result):
    d = result["dqi"]
    return (d["technological"], d["geographical"], d["temporal"])


# -- the rules alone ---------------------------------------------------------------------------

def test_the_temporal_steps_of_the_pedigree_matrix():
    # fewer than 3 years apart 1, fewer than 6 2, fewer than 10 3, fewer than 15 4, else 5
    assert [temporal_rating(2022, y) for y in (2022, 2024, 2025, 2027, 2031, 2036, 2037)] == \
        [1, 1, 2, 2, 3, 4, 5]
    assert temporal_rating(2025, 2022) == 2  # a newer factor differs too: 3 years
    assert temporal_rating(None, 2022) == 5 and temporal_rating(2022, None) == 5


def test_technology_and_confidence():
    assert technological_rating("", "high (seen)") == 3  # an average: secondary data's best
    assert technological_rating("related", "medium") == 4
    assert technological_rating("average", "low (indicative)") == 4  # low: one worse
    assert technological_rating("related", "low (indicative; proxy)") == 5
    assert technological_rating("average", "unidentified: no study found") == 5


def test_geographies_as_manifests_write_them():
    assert geography_code("CN") == "CN" and geography_code("CN-SC") == "CN-SC"
    assert geography_code("UK factor set (proxy for China where no Chinese factor was "
                          "found)") == "GB"
    assert geography_code("Europe (proxy for China)") == "EU"
    assert geography_code("US-based synthesis (proxy for CN)") == "US"
    assert geography_code("World (reporting companies; 56 % of output)") == "GLO"
    assert geography_code("Global default") == "GLO"
    assert geography_code("South Africa (proxy for Panzhihua, China)") == "ZA"
    assert geography_code("any") == "ANY"
    assert geography_code("") == "" and geography_code("somewhere") == ""
    assert reference_year(2019) == 2019 and reference_year("2021") == 2021
    assert reference_year("ICE v2.0") is None and reference_year(True) is None


def test_weighting_by_the_absolute_total_with_a_credit():
    # +10 kg rated (1, 1, 1) and a -5 kg credit rated (4, 2, 5): weights 10/15 and 5/15
    # technological (10 x 1 + 5 x 4) / 15 = 2.0; geographical (10 + 10) / 15 = 1.33 -> 1.3;
    # temporal (10 + 25) / 15 = 2.33 -> 2.3; primary: the first line, 10 / 15 = 66.7 %
    lines = [Rated(10.0, {"technological": 1, "geographical": 1, "temporal": 1}, 1.0),
             Rated(-5.0, {"technological": 4, "geographical": 2, "temporal": 5}, 0.0)]
    assert weighted(lines) == {"dqi": {"technological": 2.0, "geographical": 1.3,
                                       "temporal": 2.3}, "primary_data_share": 66.7}
    assert weighted([]) == {"dqi": None, "primary_data_share": None}


def test_the_level_a_reader_sees():
    # the mean of three: (3 + 1 + 1) / 3 = 1.67 -> 1.7, very good (1.5 to 2.0)
    assert overall({"technological": 3, "geographical": 1, "temporal": 1}) == 1.7
    assert level({"technological": 3, "geographical": 1, "temporal": 1}) == "very good"
    assert level({"technological": 1, "geographical": 1, "temporal": 1}) == "excellent"
    assert level({"technological": 3, "geographical": 3, "temporal": 3}) == "good"
    assert level({"technological": 4, "geographical": 4, "temporal": 4.5}) == "poor"  # 4.2
    assert level(None) is None


# -- products, worked by hand ------------------------------------------------------------------

def test_sichuan_2022_grid_electricity_in_a_sichuan_2022_bom(engine, make_bom):
    # Sichuan's own 2022 factor for a Sichuan BOM of 2022: geographically 1 (the area itself),
    # temporally 1 (0 years); an average grid mix, secondary: technologically 3
    result = calc(engine, make_bom, [kwh(100)])
    assert dqr(result, 1) == (3, 1, 1)
    assert dqi(result) == (3.0, 1.0, 1.0)
    assert result["primary_data_share"] == 0.0
    assert result["by_input"][0]["primary"] is False


def test_tibet_with_the_southwest_grid_standing_in(engine, make_bom):
    # Tibet publishes no factor on any basis: the Southwest grid stands in, geographically 3.
    #   1 electricity 100 kWh x 0.2268 = 22.68 kg   (3, 3, 1)  the stand-in, 2022 for 2022
    #   2 diesel 10 kg x 3.1863        = 31.863 kg  (3, 3, 5)  global (3), 2006 for 2022: 16 y
    #   3 road freight 100 tkm x 0.116 = 11.6 kg    (3, 4, 1)  a US figure for China (4), 2024
    # total 66.143 kg; technological 3.0;
    # geographical (22.68 x 3 + 31.863 x 3 + 11.6 x 4) / 66.143 = 210.029 / 66.143 = 3.18 -> 3.2
    # temporal (22.68 x 1 + 31.863 x 5 + 11.6 x 1) / 66.143 = 193.595 / 66.143 = 2.93 -> 2.9
    result = calc(engine, make_bom, [kwh(100), line("diesel", 10, stage="production"),
                                     line("road_freight", 100, "tkm", "distribution")],
                  region="CN-XZ")
    assert [dqr(result, n) for n in (1, 2, 3)] == [(3, 3, 1), (3, 3, 5), (3, 4, 1)]
    assert dqi(result) == (3.0, 3.2, 2.9)
    assert result["factors"][1]["process"] == "electricity/location/CN-GRID-SOUTHWEST/2022"


def test_a_national_factor_for_a_province_and_for_tibet(engine, make_bom):
    # China's life-cycle factor (2023) for Sichuan, which has factors of its own on another
    # basis: a larger area that includes it, 2; for Tibet, which has none: a stand-in, 3
    sichuan = calc(engine, make_bom, [kwh(100)], electricity_basis="lifecycle", factor_year=2023)
    tibet = calc(engine, make_bom, [kwh(100)], region="CN-XZ", electricity_basis="lifecycle",
                 factor_year=2023)
    assert dqr(sichuan, 1) == (3, 2, 1) and dqr(tibet, 1) == (3, 3, 1)


def test_a_uk_proxy_from_the_material_library(engine, make_bom):
    # polypropylene, DESNZ 2025 "UK factor set" (the row's own geography and year): another
    # country's figure for China, 4; 2025 for 2022, 3 years apart, 2; medium confidence, 3
    result = calc(engine, make_bom, [line("materials/pp", 10)])
    assert dqr(result, 1) == (3, 4, 2)
    assert dqi(result) == (3.0, 4.0, 2.0)
    source = result["factors"][0]["source"]
    assert source["geography"] == "GB" and source["year"] == 2025


def test_the_2015_fertiliser_factor_in_a_2023_orange_bom(engine, make_bom):
    # urea, Chen et al. 2015 (China, its manifest's year 2015): a national factor for Sichuan,
    # 2; 2023 - 2015 = 8 years, fewer than 10: 3; high confidence, an average: 3
    result = calc(engine, make_bom, [line("oranges/fertiliser/urea_n", 1)], factor_year=2023)
    assert dqr(result, 1) == (3, 2, 3)


def test_a_primary_line(engine, make_bom):
    # The producer metered the electricity: technologically 1, and primary; Sichuan's own 2022
    # factor keeps geographical 1 and temporal 1. The diesel is an estimate: (3, 3, 5).
    #   1 electricity 100 kWh x 0.1404 = 14.04 kg  (1, 1, 1) primary
    #   2 diesel 10 kg x 3.1863        = 31.863 kg  (3, 3, 5)
    # total 45.903 kg; technological = geographical = (14.04 + 31.863 x 3) / 45.903
    #   = 109.629 / 45.903 = 2.39 -> 2.4; temporal (14.04 + 31.863 x 5) / 45.903 = 3.78 -> 3.8;
    # primary data share 14.04 / 45.903 = 30.6 %
    result = calc(engine, make_bom, [kwh(100, primary=True),
                                     line("diesel", 10, stage="production")])
    assert dqr(result, 1) == (1, 1, 1) and dqr(result, 2) == (3, 3, 5)
    assert [e["primary"] for e in result["by_input"]] == [True, False]
    assert dqi(result) == (2.4, 2.4, 3.8)
    assert result["primary_data_share"] == 30.6
    # a measured amount times a stand-in factor is still rated for the factor's place
    tibet = calc(engine, make_bom, [kwh(100, primary=True)], region="CN-XZ")
    assert dqr(tibet, 1) == (1, 3, 1) and tibet["primary_data_share"] == 100.0


def test_a_supplier_label_line(engine, make_bom):
    # A verified supplier label of 2 kg CO2e per kg: the supplier's own product, place and
    # time, (1, 1, 1), all primary.
    #   1 label 5 kg x 2.0            = 10.0 kg   (1, 1, 1) primary
    #   2 electricity 100 kWh x 0.1404 = 14.04 kg (3, 1, 1)
    # total 24.04 kg; technological (10 + 14.04 x 3) / 24.04 = 52.12 / 24.04 = 2.17 -> 2.2;
    # primary data share 10 / 24.04 = 41.6 %
    label = SupplierLabel("CN-SC-TESTLABEL", "CN-SC", "Sichuan platform", "No. 1", 2.0, 1.0,
                          "kg", "cast housing", True, "valid", "verified")
    bom = parse_bom(make_bom(lines=[line("label:CN-SC-TESTLABEL", 5), kwh(100)]))
    result = engine.calculate(bom, labels=lambda ref, line: label)
    assert result["by_input"][0]["data"] == "supplier-primary"
    assert dqr(result, 1) == (1, 1, 1) and dqr(result, 2) == (3, 1, 1)
    assert dqi(result) == (2.2, 1.0, 1.0)
    assert result["primary_data_share"] == 41.6
    provisional = SupplierLabel(**{**label.__dict__, "data_quality": "provisional"})
    result = engine.calculate(bom, labels=lambda ref, line: provisional)
    assert dqr(result, 1) == (2, 1, 1)


def test_a_direct_emission_and_a_line_outside_the_boundary(engine, make_bom):
    # A direct emission the producer states: its own place and time (1, 1) but, not marked
    # measured, technologically 2; marked, 1. End of life is outside cradle to gate: rated,
    # weighing nothing.
    result = calc(engine, make_bom, [
        {"emission": "CO2_fossil", "amount": 1, "unit": "kg", "stage": "production"},
        {"emission": "CO2_fossil", "amount": 1, "unit": "kg", "stage": "production",
         "primary": True},
        line("diesel", 100, stage="end_of_life")])
    assert [dqr(result, n) for n in (1, 2, 3)] == [(2, 1, 1), (1, 1, 1), (3, 3, 5)]
    # (1 x 2 + 1 x 1) / 2 = 1.5; the diesel outside the boundary counts for nothing
    assert dqi(result) == (1.5, 1.0, 1.0) and result["primary_data_share"] == 50.0


def test_a_sub_assembly_line_is_rated_as_its_own_bom(engine, make_bom, write_bom):
    # the part: Sichuan 2022, 100 kWh (3, 1, 1) and 10 kg diesel (3, 3, 5), as above:
    # technological 3.0, geographical (14.04 + 31.85 x 3) / 45.89 = 2.39 -> 2.4,
    # temporal 3.8. The assembly uses one part and nothing else: the same ratings.
    part = make_bom(product={"name": "part", "id": "part-1", "category": "generic"},
                    lines=[kwh(100), line("diesel", 10, stage="production")])
    write_bom(part, "part.json")
    assembly_path = write_bom(make_bom(lines=[line("product:part-1", 1, "kg")]), "assembly.json")
    from footprint.bom import read_bom_file
    result = engine.calculate(read_bom_file(assembly_path))
    assert dqr(result, 1) == (3.0, 2.4, 3.8)
    assert dqi(result) == (3.0, 2.4, 3.8)


def test_the_ratings_are_in_the_reproducibility_hash(engine, make_bom):
    plain = calc(engine, make_bom, [kwh(100)])
    primary = calc(engine, make_bom, [kwh(100, primary=True)])
    assert plain["total_kg_co2e"] == primary["total_kg_co2e"]
    assert plain["reproducibility_hash"] != primary["reproducibility_hash"]


def test_batteries_mark_the_producers_own_data_primary(engine):
    from footprint.bom import read_bom_file
    from pathlib import Path
    sample = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
    result = engine.calculate(read_bom_file(sample / "batteries_nmc_ev_pack_fujian.json"))
    metered = [e for e in result["by_input"] if e["primary"]]
    assert metered and all(e["dqr"]["technological"] == 1 for e in metered)
    assert 0 < result["primary_data_share"] < 100


# -- the BOM field -----------------------------------------------------------------------------

def test_the_bom_line_field_is_a_json_boolean(make_bom):
    bom = parse_bom(make_bom(lines=[kwh(100, primary=True), kwh(5, primary=False)]))
    assert [l.primary for l in bom.lines] == [True, False]
    assert bom.canonical["lines"][0]["primary"] is True
    assert parse_bom(make_bom()).lines[0].primary is False  # absent: not primary
    for wrong in ("true", 1, "是"):
        with pytest.raises(InvalidInput) as caught:
            parse_bom(make_bom(lines=[kwh(100, primary=wrong)]))
        assert caught.value.problems[0].where == "lines[0].primary"
        assert "must be true or false" in str(caught.value.problems[0].message)


def test_the_csv_column_in_chinese():
    text = ("地区,四川\n因子年份,2022\n产品名称,测试\n声明单位,1,kg\n"
            "投入,数量,单位,阶段,一手数据\n"
            "electricity,100,千瓦时,生产,是\ndiesel,1,kg,生产,否\ndiesel,2,kg,生产,\n"
            "diesel,3,kg,生产,也许\n")
    found = read_bom_bytes("bom.csv", text.encode("utf-8"))
    assert [l.get("primary") for l in found.bom["lines"]] == [True, False, None, "也许"]
    with pytest.raises(InvalidInput) as caught, found.located():
        parse_bom(found.bom)
    (problem,) = caught.value.problems
    assert "一手数据" in str(problem.where) and "9" in str(problem.where)  # row 9


def test_the_editor_form_reads_the_checkbox():
    from web.bom.form import line_from_values, values_from_bom
    ticked = {"input": "electricity", "amount": "100", "unit": "kWh", "stage": "production",
              "primary": "true"}
    assert line_from_values(ticked.get)["primary"] is True
    assert "primary" not in line_from_values({**ticked, "primary": ""}.get)
    values = values_from_bom({"lines": [{"input": "electricity", "amount": 1, "unit": "kWh",
                                         "stage": "production", "primary": True}]})
    assert values["lines-0-primary"] == "true"


# -- the CLI and the pages ---------------------------------------------------------------------

def test_calc_prints_one_line_of_data_quality(run, write_bom, make_bom):
    path = write_bom(make_bom(lines=[kwh(100, primary=True),
                                     line("diesel", 10, stage="production")]))
    out = run("calc", str(path)).stdout
    # mean (2.4 + 2.4 + 3.8) / 3 = 2.87 -> 2.9: good
    assert ("data quality: good (2.9; technology 2.4, geography 2.4, time 3.8; "
            "1 = very good, 5 = very poor)   primary data 30.6 %") in out


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True)))
                    .split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_submission_and_scan_pages_show_them(service, clients, approve, issuer, make_bom,
                                                 lang):
    bom = make_bom(product={"name": "Metered part", "name_zh": "实测零件",
                            "category": "generic"},
                   lines=[kwh(100, primary=True), line("diesel", 10, stage="production")])
    final = approve(bom, issuer)
    producer = clients["orchard"]
    producer.set_cookie("lang", lang)
    page = _text(producer.get(f"/submissions/{final['id']}"))
    label = for_submission(service.db, final["id"])
    scan = service.app.test_client()
    scan.set_cookie("lang", lang)
    scanned = _text(scan.get(f"/L/{to_b32(label['cose'])}"))
    if lang == "zh":
        # the submission page writes the grade as the scan page does, then its ratings
        assert "数据质量 良好（2.9）· 一手数据 30.6 % · 技术 2.4 · 地理 2.4 · 时间 3.8" in page
        assert "1 = 很好 … 5 = 很差" in page  # the legend
        assert "有投入行标为一手数据，但本申报尚未附任何证明材料。" in page  # a note, no refusal
        assert "数据质量 1·1·1" in page and "一手数据" in page  # the metered line
        assert "数据质量 良好（2.9）· 一手数据 30.6 %" in scanned
    else:
        assert ("Data quality good (2.9) · primary data 30.6 % · technology 2.4 · "
                "geography 2.4 · time 3.8") in page
        assert "1 = very good … 5 = very poor" in page
        assert "Data quality 3·3·5" in page and "primary data" in page  # the diesel; the meter
        assert "Data quality good (2.9) · primary data 30.6 %" in scanned


def test_a_primary_line_asks_for_evidence_without_refusing(service, clients, make_bom):
    from footprint.usecases import review
    from footprint.usecases import submissions as subs
    engine = service.app.extensions["footprint_engine"]
    orchard = service.people["orchard"]
    sub, _ = subs.create_submission(service.db, engine, orchard,
                                    make_bom(lines=[kwh(100, primary=True)]))
    url = f"/submissions/{sub['id']}"
    assert 'id="primary-no-evidence"' in clients["orchard"].get(url).get_data(as_text=True)
    review.add_evidence(service.db, orchard, sub["id"], "meter.pdf", "application/pdf",
                        b"%PDF-1.4", line=1)
    assert 'id="primary-no-evidence"' not in clients["orchard"].get(url).get_data(as_text=True)


def test_a_platform_library_factor_is_rated_by_its_own_geography_and_year(tmp_path):
    # a library of two factors: an aluminium sheet of Sichuan, 2023, medium confidence, and a
    # PP part of China, 2022, low confidence
    from footprint.engine import Engine
    from footprint.usecases import libraries
    rows = ("编号,中文名称,英文名称,单位,数值,气体,GWP,系统边界,地理范围,年份,来源,可信度\n"
            "al-sheet,铝板(川),Aluminium sheet,kg,8.6,CO2e,AR6,cradle-to-gate,CN-SC,2023,"
            "Sichuan aluminium study 2024 Table 3,medium\n"
            "pp-cover,聚丙烯注塑件,PP part,kg,2.1,CO2e,AR6,cradle-to-gate,CN,2022,"
            "Plastics report 2023 p. 12,low\n")
    home = tmp_path / "platform"
    libraries.import_library(home, "factors.csv", rows.encode("utf-8"), "shop", "1", by="test")
    bom = {"product": {"name": "housing", "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN-SC",
           "factor_year": 2023,
           "lines": [line("library/shop/al-sheet", 1), line("library/shop/pp-cover", 1)]}
    result = Engine(home=home).calculate(parse_bom(bom))
    # aluminium: Sichuan's own (1), 2023 for 2023 (1), an average, medium confidence (3)
    # PP: China's for Sichuan (2), 2022 for 2023 (1), low confidence: one worse (4)
    assert dqr(result, 1) == (3, 1, 1) and dqr(result, 2) == (4, 2, 1)
    # weights 8.6 and 2.1 of 10.7: technological (8.6 x 3 + 2.1 x 4) / 10.7 = 3.196 -> 3.2,
    # geographical (8.6 + 2.1 x 2) / 10.7 = 1.196 -> 1.2
    assert dqi(result) == (3.2, 1.2, 1.0)


def test_the_xlsx_column_takes_a_ticked_cell():
    import io
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    for row in (["地区", "四川"], ["产品名称", "测试"], ["声明单位", 1, "kg"],
                ["投入", "数量", "单位", "阶段", "一手数据"],
                ["electricity", 100, "kWh", "生产", True], ["diesel", 1, "kg", "生产", "否"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    found = read_bom_bytes("bom.xlsx", out.getvalue())
    assert [l.get("primary") for l in found.bom["lines"]] == [True, False]


def test_the_api_answers_the_ratings_in_the_result(service, make_bom):
    from footprint.usecases import tokens
    token = tokens.create_token(service.db, "orchard", "test")
    client = service.app.test_client()
    response = client.post("/api/v1/submissions", json=make_bom(lines=[kwh(100, primary=True)]),
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["dqi"] == {"technological": 1.0, "geographical": 1.0, "temporal": 1.0}
    assert result["primary_data_share"] == 100.0
    assert result["by_input"][0]["dqr"] == {"technological": 1, "geographical": 1,
                                            "temporal": 1}
    assert response.get_json()["bom"]["lines"][0]["primary"] is True


def test_a_line_newly_marked_primary_is_a_change_of_the_revision(registry, make_bom):
    from web.worksheet import bom_changes
    before = make_bom(lines=[kwh(100)])
    after = make_bom(lines=[kwh(100, primary=True)])
    (change,) = bom_changes(before, after, [], registry)
    assert change["kind"] == "line_changed" and change["fields"] == [("primary", None, True)]
    assert change["before"]["primary"] is False and change["after"]["primary"] is True
