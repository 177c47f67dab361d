"""The range of a footprint: lognormal Monte Carlo over its lines' factors and amounts, with
sigmas from the ecoinvent pedigree approach (footprint.engine.uncertainty; the figures below
are the v3 pedigree factors and basic uncertainties of ../shared/reference/QUALITY.md §3.2-3.5).
"""
from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from footprint.bom import parse_bom
from footprint.display import footprint
from footprint.engine.uncertainty import sigma, summarise
from footprint.labels import cose

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

Z95 = 1.6448536269514722  # the standard normal's 95th percentile


def test_sigma_is_the_pedigree_worked_example():
    # QUALITY.md §3.4: basic 1.05 with scores (2,2,2,2,2): U = 1.05, 1.02, 1.03, 1.01, 1.05;
    # sigma = sqrt(ln(1.05)^2 x 3 + ln(1.02)^2 + ln(1.03)^2 + ln(1.01)^2) / 2 = 0.0461,
    # GSD^2 = exp(2 sigma) = 1.097
    found = sigma(1.05, {"reliability": 2, "completeness": 2, "temporal": 2,
                         "geographical": 2, "technological": 2})
    assert found == pytest.approx(0.0461, abs=5e-5)
    assert math.exp(2 * found) == pytest.approx(1.097, abs=5e-4)


def one_line(make_bom):
    return parse_bom(make_bom(lines=[{"input": "electricity", "amount": 100, "unit": "kWh",
                                      "stage": "production"}]))


def test_a_one_line_bom_has_its_lognormal_quantiles(engine, make_bom):
    result = engine.calculate(one_line(make_bom))
    # 100 kWh of Sichuan 2022 grid electricity (MEE 2022: 0.1404 kg CO2/kWh) = 14.04 kg CO2e;
    # its ratings in a Sichuan 2022 BOM: technological 3, geographical 1, temporal 1; its
    # source's confidence words "2021 medium ...; 2022 and 2023 high" read medium (3).
    # factor: basic CO2 1.05, reliability 3 (1.10), completeness 3 (1.05), temporal 1,
    #   geographical 1, technological 3 (1.20):
    #   sigma_f = sqrt(ln1.05^2 + ln1.10^2 + ln1.05^2 + ln1.20^2) / 2
    #           = sqrt(0.0023805 + 0.0090840 + 0.0023805 + 0.0332412) / 2 = 0.108497
    # amount: basic 1.05, reliability 3 (not primary): sqrt(0.0023805 + 0.0090840) / 2 = 0.053536
    # the product of two lognormals: sigma = sqrt(0.108497^2 + 0.053536^2) = 0.120988
    # P5 = 14.04 x exp(-1.64485 x 0.120988) = 11.507; P95 = 14.04 x exp(+...) = 17.131
    assert [line["dqr"] for line in result["by_input"]] == [
        {"technological": 3, "geographical": 1, "temporal": 1}]
    total_sigma = math.sqrt(0.108497 ** 2 + 0.053536 ** 2)
    draws = 20_000
    (spread,) = summarise([result], engine.registry, draws=draws)
    # the Monte Carlo error of a 5 % quantile in log space: sqrt(0.05 x 0.95 / n) / phi(1.645)
    # x sigma = sqrt(0.0475 / 20000) / 0.10314 x 0.121 = 0.0018; allowed: 4 of them
    error = math.sqrt(0.05 * 0.95 / draws) / 0.10314 * total_sigma * 4
    assert math.log(spread["p5"] / (14.04 * math.exp(-Z95 * total_sigma))) == \
        pytest.approx(0, abs=error)
    assert math.log(spread["p95"] / (14.04 * math.exp(Z95 * total_sigma))) == \
        pytest.approx(0, abs=error)
    assert math.log(spread["p50"] / 14.04) == pytest.approx(0, abs=error)


def test_a_factor_with_a_published_range_is_drawn_from_that_range(tmp_path):
    from footprint.bom import parse_bom as parse
    from footprint.engine import Engine
    from footprint.usecases import libraries
    home = tmp_path / "platform"
    table = ("编号,中文名称,英文名称,单位,数值,气体,GWP,系统边界,地理范围,年份,来源,可信度,下限,上限\n"
             "al-sheet,铝板(川),\"Aluminium sheet, Sichuan\",kg,8.6,CO2e,AR6,cradle-to-gate,"
             "CN-SC,2023,\"Sichuan aluminium study 2024, Table 3\",中,7.9,9.4\n")
    libraries.import_library(home, "f.csv", table.encode(), "shop", "1", by="test")
    engine = Engine(home=home)
    result = engine.calculate(parse({
        "product": {"name": "sheet", "category": "generic"}, "factor_year": 2023,
        "declared_unit": {"amount": 1, "unit": "piece"}, "region": "CN-SC",
        "lines": [{"input": "library/shop/al-sheet", "amount": 2, "unit": "kg",
                   "stage": "raw_materials"}]}))
    # 2 kg x 8.6 = 17.2 kg CO2e; the source's range 7.9-9.4 is 0.918605-1.093023 of 8.6
    assert result["total_kg_co2e"] == pytest.approx(17.2, rel=1e-6)
    (factor,) = result["factors"]
    assert factor["source"]["range"] == pytest.approx([7.9 / 8.6, 9.4 / 8.6])
    # ratings in a Sichuan 2023 BOM: technological 3 (an average, medium confidence),
    # geographical 1, temporal 1
    assert result["by_input"][0]["dqr"] == {"technological": 3, "geographical": 1,
                                            "temporal": 1}
    # the range read as a 95 % interval: ln(9.4 / 7.9) / (2 x 1.959964) = 0.173847 / 3.919928
    #   = 0.044350; with the pedigree term of technological 3: ln(1.20) / 2 = 0.091161;
    #   sigma_f = sqrt(0.044350^2 + 0.091161^2) = 0.101376 (no basic 1.05, reliability or
    #   completeness terms: the published range speaks for them)
    # amount as before: 0.053536; total sigma = sqrt(0.101376^2 + 0.053536^2) = 0.114644
    total_sigma = 0.114644
    draws = 20_000
    (spread,) = summarise([result], engine.registry, draws=draws)
    error = math.sqrt(0.05 * 0.95 / draws) / 0.10314 * total_sigma * 4
    assert math.log(spread["p5"] / (17.2 * math.exp(-Z95 * total_sigma))) == \
        pytest.approx(0, abs=error)
    assert math.log(spread["p95"] / (17.2 * math.exp(Z95 * total_sigma))) == \
        pytest.approx(0, abs=error)


def test_the_ipcc_range_of_a_library_fuel_replaces_its_basic_uncertainty(engine, make_bom):
    from footprint.engine.uncertainty import lines_of
    result = engine.calculate(parse_bom(make_bom(factor_year=2023, lines=[
        {"input": "materials/diesel_combustion", "amount": 10, "unit": "GJ",
         "stage": "production"}])))
    # IPCC 2006 Vol. 2 Table 1.4: diesel 74,100 kg CO2/TJ, 95 % interval 72,600-74,800
    # (MATERIALS.md, as the material library ships it) -> 0.979757-1.009447 of the value
    (factor,) = result["factors"]
    assert factor["source"]["range"] == pytest.approx([72600 / 74100, 74800 / 74100])
    # its ratings in a Sichuan 2023 BOM: technological 3 (an average), geographical 3 (a world
    # default), temporal 5 (2006, 17 years before)
    assert result["by_input"][0]["dqr"] == {"technological": 3, "geographical": 3,
                                            "temporal": 5}
    # range: ln(74800 / 72600) / 3.919928 = 0.0298530 / 3.919928 = 0.0076157
    # pedigree: ln(1.50), ln(1.02), ln(1.20) = 0.405465, 0.019803, 0.182322;
    #   sqrt(0.164402 + 0.000392 + 0.033241) / 2 = 0.222506
    # sigma_f = sqrt(0.0076157^2 + 0.222506^2) = 0.222636
    (line,) = lines_of(result, engine.registry)
    assert line.sigma_factor == pytest.approx(0.222636, abs=2e-6)


def test_the_same_seed_gives_the_same_range_in_any_batch(engine, make_bom):
    one = engine.calculate(one_line(make_bom))
    other = engine.calculate(parse_bom(make_bom(lines=[
        {"input": "electricity", "amount": 50, "unit": "kWh", "stage": "production"},
        {"input": "diesel", "amount": 3, "unit": "kg", "stage": "production"}])))
    alone = summarise([one], engine.registry)[0]
    assert summarise([other, one], engine.registry)[1] == alone
    assert summarise([one], engine.registry, seed=7)[0] != alone
    # a shared factor is drawn once: both products' electricity draws move together, so the
    # ratio of the one-line product's range to its total is the same however it is batched
    assert alone["p5"] < one["total_kg_co2e"] < alone["p95"]


def test_every_result_carries_its_range(engine, make_bom):
    result = engine.calculate(one_line(make_bom))
    spread = result["uncertainty"]
    assert (spread["draws"], spread["seed"]) == (1000, 20261204)
    assert spread["p5"] < result["total_kg_co2e"] < spread["p95"]
    # in the reproducibility hash: the same BOM, the same range, in any batch
    again = engine.calculate_many([engine.resolve(parse_bom(make_bom())),
                                   engine.resolve(one_line(make_bom))])[1]
    assert again["uncertainty"] == spread
    assert again["reproducibility_hash"] == result["reproducibility_hash"]


def test_the_command_line_prints_the_range(run, write_bom, make_bom):
    path = write_bom(make_bom())
    shown = run("calc", path, "--draws", "2000")
    assert shown.exit_code == 0, shown.stderr
    assert "range (P5-P95): " in shown.stdout and "2,000 draws, seed 20261204" in shown.stdout
    result = json.loads(run("calc", path, "--json").stdout)
    spread = result["uncertainty"]
    assert spread["p5"] < result["total_kg_co2e"] < spread["p95"]
    assert spread["draws"] == 1000
    other = json.loads(run("calc", path, "--json", "--seed", "7").stdout)["uncertainty"]
    assert other["seed"] == 7 and other["p5"] != spread["p5"]


# 250 kWh of Sichuan 2022 grid electricity: 250 x 0.1404 = 35.1 kg CO2e, signed as 35.1. Its
# seeded draws (the BOM's own stream) give P5 29.1151 and P95 42.4485: the submission page and
# `footprint calc` show 29.1-42.4. Claim 19 signed the range as per mille of the signed value:
# floor(29115.1 / 35.1) = floor(829.49) = 829 and ceil(42448.5 / 35.1) = ceil(1209.36) = 1210,
# read 35.1 x 0.829 = 29.0979 -> 29.1 and 35.1 x 1.210 = 42.471 -> 42.5, a last digit apart.
# Claim 20 signs 29.1 and 42.4 themselves.
RANGED_BOM = {"product": {"name": "Ranged part", "category": "generic"},
              "lines": [{"input": "electricity", "amount": 250, "unit": "kWh",
                         "stage": "production"}]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_reader_of_the_label_shows_the_submission_pages_range(
        service, clients, approve, issuer, make_bom, run, tmp_path, lang):
    from footprint.labels import export_trust_list
    from footprint.labels.encoding import label_url, to_b32
    from footprint.usecases.labels import for_submission
    final = approve(make_bom(**RANGED_BOM), issuer)
    stored = service.app.extensions["footprint_engine"].calculate(parse_bom(make_bom(
        **RANGED_BOM)))
    assert stored["total_kg_co2e"] == pytest.approx(35.1)
    assert (stored["uncertainty"]["p5"], stored["uncertainty"]["p95"]) == (29.1151, 42.4485)
    # what claim 19 would have signed, and read: the last digit of P95 differs
    permille = [math.floor(Decimal("29115.1") / Decimal("35.1")),
                math.ceil(Decimal("42448.5") / Decimal("35.1"))]
    assert permille == [829, 1210]
    assert [footprint(Decimal("35.1") * p / 1000) for p in permille] == ["29.1", "42.5"]

    said = {"zh": "不确定性范围（P5–P95）：29.1–42.4 kg CO₂e",
            "en": "Range P5–P95: 29.1–42.4 kg CO₂e"}[lang]
    producer = clients["orchard"]
    producer.set_cookie("lang", lang)
    assert said in producer.get(f"/submissions/{final['id']}").get_data(as_text=True)
    label = for_submission(service.db, final["id"])
    signed = cose.signed_claims(label["cose"], label["issuer"])
    assert signed["value"] == Decimal("35.1")
    assert signed["range"] == {"permille": None, "low": Decimal("29.1"),
                               "high": Decimal("42.4")}
    scanner = service.app.test_client()
    scanner.set_cookie("lang", lang)
    scanned = scanner.get(f"/L/{to_b32(label['cose'])}").get_data(as_text=True)
    assert said in scanned
    assert {"zh": "即计算中 1,000 次蒙特卡洛抽样的 P5 与 P95，已签入标签。",
            "en": "P5 and P95 of 1,000 Monte Carlo draws of the calculation, signed in the "
                  "label."}[lang] in scanned
    # the printed label, the API's label and `footprint verify`
    public = service.app.test_client()
    svg = public.get(f"/api/v1/labels/{label['id']}/label.svg").get_data(as_text=True)
    assert "(29.1–42.4) kg CO₂e / 1 kg" in svg
    claims = public.get(f"/api/v1/labels/{label['id']}").get_json()["claims"]
    assert claims["range"] == {"permille": None, "low": 29.1, "high": 42.4}
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(export_trust_list(service.home)), encoding="utf-8")
    verified = run("verify", label_url("footprint.sc.cn", bytes(label["cose"])),
                   "--trust-list", trust, "--offline")
    assert verified.exit_code == 3, verified.stderr  # valid, revocation not checked
    assert "35.1 (29.1-42.4) kg CO2e per 1 kg" in verified.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_submission_scan_and_bank_pages_write_one_range_and_grade(
        service, clients, login, approve, issuer, make_bom, lang):
    """One label, three readers: the producer's submission page, the public scan page and the
    page of the producer's account a consenting bank reads write its P5-P95 range and its
    data quality in the same words from the same markup (web/templates/_evidence.html):
    P5 29.1151 and P95 42.4485 of the stored result, to 3 figures 29.1-42.4, the range the
    label signs; one electricity line, rated as the Sichuan 2022 grid factor is for it:
    technology 3, geography 1 (Sichuan's own), time 1 (the factor's year, 2022)."""
    import re

    from footprint.labels.encoding import to_b32
    from footprint.usecases import consents
    from footprint.usecases.labels import for_submission
    from footprint.usecases.users import seed_user

    from .conftest import PASSWORD
    final = approve(make_bom(**RANGED_BOM), issuer)
    orchard = service.people["orchard"]["org_id"]
    seed_user(service.db, "ruralbank", "bank", "Chengdu Rural Commercial Bank", PASSWORD)
    consents.grant(service.db, orchard, "Chengdu Rural Commercial Bank")
    label = for_submission(service.db, final["id"])
    readers = {"submission": (clients["orchard"], f"/submissions/{final['id']}"),
               "scan": (service.app.test_client(), f"/L/{to_b32(label['cose'])}"),
               "bank": (login(service.app.test_client(), "ruralbank"),
                        f"/bank/accounts/{orchard}")}
    ranges, qualities = {}, {}
    for reader, (client, path) in readers.items():
        client.set_cookie("lang", lang)
        page = client.get(path)
        assert page.status_code == 200, reader
        text = page.get_data(as_text=True)
        ranges[reader] = re.findall(r'<span class="range">([^<]*)</span>', text)
        qualities[reader] = re.findall(r'<span class="dq">([^<]*)</span>', text)
    said = {"zh": "不确定性范围（P5–P95）：29.1–42.4 kg CO₂e",
            "en": "Range P5–P95: 29.1–42.4 kg CO₂e"}[lang]
    assert ranges == {"submission": [said], "scan": [said], "bank": [said]}
    # (3 + 1 + 1) / 3 = 1.7, very good (<= 2.0); no line is primary data: 0.0 %; the bank's
    # page leaves out the primary data share the other two add
    overall = {"zh": "数据质量 很好（1.7）", "en": "Data quality very good (1.7)"}[lang]
    primary = {"zh": "· 一手数据 0.0 %", "en": " · primary data 0.0 %"}[lang]
    assert qualities == {"submission": [overall + primary], "scan": [overall + primary],
                         "bank": [overall]}


def test_a_grade_whose_range_straddles_a_band_says_so(engine):
    from .conftest import SAMPLES
    sample = json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text("utf-8"))
    result = engine.calculate(parse_bom(sample))
    spread, grade = result["uncertainty"], result["grade"]
    # 0.21999938 kg CO2e per kg sits just under the B/C boundary at 0.22 (docs/categories/
    # oranges.md): B, with a range that reaches above the boundary into C
    assert grade["grade"] == "B" and result["total_kg_co2e"] < 0.22
    assert spread["p5"] <= 0.22 < spread["p95"] <= 0.39
    assert grade["range"] == ["B", "C"]
    assert "the footprint's range (P5-P95) spans grades B to C: its grade B is not certain" \
        in result["notes"]


def test_a_grade_well_inside_its_band_has_no_range_note(engine):
    from .conftest import SAMPLES
    sample = json.loads((SAMPLES / "oranges_pujiang_packed.json").read_text("utf-8"))
    result = engine.calculate(parse_bom(sample))
    # 0.2566 kg CO2e per kg: C (0.22 < x <= 0.39), its range well inside
    low, high = result["uncertainty"]["p5"], result["uncertainty"]["p95"]
    assert 0.22 < low < high <= 0.39
    assert result["grade"]["grade"] == "C" and "range" not in result["grade"]
    assert not any("spans grades" in note for note in result["notes"])


def test_the_lfp_defaults_are_drawn_from_lins_published_range(engine):
    from footprint.engine.uncertainty import lines_of

    from .conftest import SAMPLES
    result = engine.calculate(parse_bom(json.loads(
        (SAMPLES / "batteries_lfp_pack_sichuan.json").read_text())))
    cathode = next(line for line in lines_of(result, engine.registry)
                   if line.factor == "batteries_lfp_cathode_active_material")
    line = next(i for i in result["by_input"]
                if i.get("factor") == "batteries_lfp_cathode_active_material")
    # rated technological 4 (a storage system per kWh delivered standing in for a pack),
    # geographical 2 (China for Sichuan), temporal 1 (2024 against the BOM's 2023)
    assert line["dqr"] == {"technological": 4, "geographical": 2, "temporal": 1}
    # Lin et al. 2024: 90.8 within 85.4-92.3: ln(92.3 / 85.4) / 3.919928 = 0.0776980 /
    #   3.919928 = 0.019821; pedigree: sqrt(ln(1.50)^2 + ln(1.01)^2) / 2 = sqrt(0.164402 +
    #   0.000099) / 2 = 0.202794; sigma_f = sqrt(0.019821^2 + 0.202794^2) = 0.203760
    assert cathode.sigma_factor == pytest.approx(0.203760, abs=2e-6)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scan_page_says_when_the_signed_range_straddles_a_band(service, approve, issuer,
                                                                   lang):
    """The Pujiang farm-gate oranges: 0.21999938 kg CO2e per kg is signed as 0.220, grade B
    (up to 0.22). The signed range (claim 20) is its P5 and P95 to 3 significant figures:
    the low end is B (or lower), the high end above 0.22 is C. The scan page shows the signed
    range, notes that the grade B is not certain, and marks C as within the range."""
    import re

    from footprint.labels.encoding import to_b32
    from footprint.usecases.labels import for_submission

    from .conftest import SAMPLES
    sample = json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text("utf-8"))
    final = approve(sample, issuer)
    label = for_submission(service.db, final["id"])
    signed = cose.signed_claims(label["cose"], label["issuer"])
    assert signed["value"] == Decimal("0.220") and signed["grade"] == "B"
    assert signed["range"]["low"] <= Decimal("0.22") < signed["range"]["high"]
    scanner = service.app.test_client()
    scanner.set_cookie("lang", lang)
    page = scanner.get(f"/L/{to_b32(label['cose'])}").get_data(as_text=True)
    shown = f"{footprint(signed['range']['low'])}–{footprint(signed['range']['high'])}"
    assert {"zh": f"不确定性范围（P5–P95）：{shown}", "en": f"Range P5–P95: {shown}"}[lang] in page
    note = {"zh": "碳足迹的不确定性范围（P5–P95）跨越 B 至 C 级：其 B 级并不确定。",
            "en": "The footprint's range (P5–P95) spans grades B to C: its grade B is not "
                  "certain."}[lang]
    assert f'<p class="grade-range" id="grade-range">{note}</p>' in page
    marked = re.findall(r'<li class="band( mine| reach)?"[^>]*>\s*'
                        r'<span class="grade-letter">(\w)</span>', page)
    assert [(grade, css) for css, grade in marked] == [
        ("A", ""), ("B", " mine"), ("C", " reach"), ("D", ""), ("E", "")]


def test_the_scan_page_of_a_graded_label_well_inside_its_band_has_no_note(service, approve,
                                                                           issuer):
    from footprint.labels.encoding import to_b32
    from footprint.usecases.labels import for_submission

    from .conftest import SAMPLES
    sample = json.loads((SAMPLES / "oranges_pujiang_packed.json").read_text("utf-8"))
    label = for_submission(service.db, approve(sample, issuer)["id"])
    page = service.app.test_client().get(f"/L/{to_b32(label['cose'])}").get_data(as_text=True)
    assert 'id="range"' in page and 'id="grade-range"' not in page and " reach" not in page


def test_a_label_issued_before_labels_signed_the_range(service, approve, issuer, make_bom,
                                                       monkeypatch):
    """Such a label has no claim 19: it verifies, and its scan page shows the range of the
    stored result the label signs the hash of, saying that the label does not sign it."""
    from footprint.labels import build_claims
    from footprint.labels.encoding import to_b32
    from footprint.usecases import issuing
    from footprint.usecases.labels import for_submission
    monkeypatch.setattr(issuing, "build_claims", lambda record: build_claims(
        {k: v for k, v in record.items() if k != "uncertainty"}))
    final = approve(make_bom(product={"name": "Older part", "category": "generic"}), issuer)
    label = for_submission(service.db, final["id"])
    assert cose.signed_claims(label["cose"], label["issuer"])["range"] is None
    scanner = service.app.test_client()
    scanner.set_cookie("lang", "en")
    page = scanner.get(f"/L/{to_b32(label['cose'])}").get_data(as_text=True)
    assert "Range P5–P95: " in page and "this label was issued before labels signed their " \
        "range." in page and "signed in the label." not in page
