"""Enterprise carbon accounts and like-for-like reductions (docs/carbon-accounts.md).

Factors (lca_data/electricity/cn_grid_co2_mee.csv, MEE announcements 2024 No. 33 and 2025
No. 47): Shandong (CN-SD) 0.6410 kg CO2/kWh for 2022 (the newest year of MEE-2022) and 0.6191
for 2023 (the newest of MEE-2023, the current data); Sichuan (CN-SC) 0.1404 for 2022. A BOM
without ``factor_year`` takes the newest year of the data version it is calculated under.
"""
import pytest

from footprint.engine import Engine
from footprint.errors import InvalidInput, NotFound
from footprint.usecases import carbonaccounts as accounts
from footprint.usecases import reductions, revoking
from footprint.usecases.accountdeclarations import declare_production
from footprint.usecases.validlabels import valid_label_on
from tests.conftest import seeded_demo

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL


def electricity(kwh):
    return {"input": "electricity", "amount": kwh, "unit": "kWh", "stage": "production"}


def bom(name, year, kwh, region="CN-SD", unit=None, **extra):
    return {"product": {"name": name, "category": "generic"},
            "declared_unit": unit or {"amount": 1, "unit": "kg"}, "region": region,
            "reference_year": year, "lines": [electricity(kwh)], **extra}


@pytest.fixture(scope="session")
def engine_2022(footprint_home):
    return Engine(footprint_home, data_version="MEE-2022")


@pytest.fixture
def orchard(service):
    return service.people["orchard"]["org_id"]


# -- the reduction API ---------------------------------------------------------------------------

def test_a_reduction_from_new_grid_factors_alone_earns_nothing(service, approve, issuer,
                                                               engine_2022, engine, orchard):
    # the same 100 kWh in Shandong both years; only the data version changed
    old = approve(bom("cable", 2025, 100), issuer, engine_2022)  # 100 x 0.6410 = 64.10
    new = approve(bom("cable", 2026, 100), issuer)               # 100 x 0.6191 = 61.91
    found = reductions.reduction(service.db, engine, orchard, 2026)
    assert found.base_year == 2025 and found.product_id is None
    # as verified then: (64.10 - 61.91) / 64.10 x 100 = 2.19 / 64.10 x 100 = 3.4165 %
    assert found.as_verified_pct == pytest.approx(3.4165, abs=1e-3)
    # both under MEE-2023: 61.91 and 61.91, nothing fell
    assert found.intensity_before == pytest.approx(61.91, rel=1e-6)
    assert found.intensity_after == pytest.approx(61.91, rel=1e-6)
    assert found.like_for_like_pct == pytest.approx(0.0, abs=1e-9)
    assert found.data_version == engine.registry.data_version
    assert found.data_version_name == "MEE-2023"
    assert [(f[0], f[3]) for f in found.footprints] == [(old["id"], 2025), (new["id"], 2026)]
    assert all(f[2].startswith("CN-SC") for f in found.footprints)


def test_a_real_reduction_counts_under_the_current_data(service, approve, issuer, engine_2022,
                                                        engine, orchard):
    approve(bom("cable", 2025, 100), issuer, engine_2022)  # 100 x 0.6410 = 64.10
    approve(bom("cable", 2026, 90), issuer)                # 90 x 0.6191 = 55.719
    found = reductions.reduction(service.db, engine, orchard, 2026, base_year=2025)
    # like for like: 100 x 0.6191 = 61.91 before; (61.91 - 55.719) / 61.91 = 10 %
    assert found.intensity_before == pytest.approx(61.91, rel=1e-6)
    assert found.intensity_after == pytest.approx(55.719, rel=1e-6)
    assert found.like_for_like_pct == pytest.approx(10.0, rel=1e-6)
    # as verified then: (64.10 - 55.719) / 64.10 = 8.381 / 64.10 = 13.075 %
    assert found.as_verified_pct == pytest.approx(13.075, abs=1e-3)


def test_a_year_without_verified_footprints_is_refused(service, approve, issuer, engine,
                                                       orchard):
    approve(bom("cable", 2026, 90), issuer)
    with pytest.raises(InvalidInput) as raised:
        reductions.reduction(service.db, engine, orchard, 2026)
    assert [p.where for p in raised.value.problems] == ["base_year"]
    assert "2025" in str(raised.value.problems[0].message)
    with pytest.raises(InvalidInput) as raised:
        reductions.reduction(service.db, engine, orchard, 2027, base_year=2026)
    assert [p.where for p in raised.value.problems] == ["year"]


def test_a_draft_is_not_a_verified_footprint(service, approve, issuer, engine, orchard):
    from footprint.usecases import submissions as subs
    approve(bom("cable", 2026, 90), issuer)
    subs.create_submission(service.db, engine, service.people["orchard"],
                           bom("cable", 2025, 100))
    with pytest.raises(InvalidInput):
        reductions.reduction(service.db, engine, orchard, 2026)


def test_a_revoked_labels_footprint_is_excluded(service, approve, issuer, engine, orchard):
    approve(bom("cable", 2025, 100), issuer)  # 61.91
    approve(bom("cable", 2025, 95), issuer)   # 95 x 0.6191 = 58.8145, verified later
    approve(bom("cable", 2026, 90), issuer)   # 55.719
    # the later 2025 footprint stands: (58.8145 - 55.719) / 58.8145 = 3.0955 / 58.8145 = 5.263 %
    found = reductions.reduction(service.db, engine, orchard, 2026)
    assert found.like_for_like_pct == pytest.approx(5.2632, abs=1e-3)
    second_2025 = found.footprints[0]
    revoking.revoke(service.db, service.people["reviewer"], second_2025[2], "data error")
    # without it the first 2025 footprint stands: (61.91 - 55.719) / 61.91 = 10 %
    found = reductions.reduction(service.db, engine, orchard, 2026)
    assert found.like_for_like_pct == pytest.approx(10.0, rel=1e-6)
    assert second_2025[0] not in [f[0] for f in found.footprints]


def test_a_product_of_another_organisation_is_not_found(service, approve, issuer, engine):
    approve(bom("cable", 2025, 100), issuer)
    approve(bom("cable", 2026, 90), issuer)
    product = service.db.execute("SELECT id FROM products").fetchone()[0]
    steel = service.people["steelworks"]["org_id"]
    with pytest.raises(NotFound):
        reductions.reduction(service.db, engine, steel, 2026, product_id=product)
    assert valid_label_on(service.db, steel, product, "2026-06-01") is None


def test_the_base_year_comes_before_the_year(service, engine, orchard):
    with pytest.raises(InvalidInput) as raised:
        reductions.reduction(service.db, engine, orchard, 2026, base_year=2026)
    assert [p.where for p in raised.value.problems] == ["base_year"]


# -- labels valid on a day -----------------------------------------------------------------------

def test_the_label_valid_on_a_day(service, approve, issuer, orchard, monkeypatch):
    from datetime import datetime
    from footprint import clock
    from footprint.usecases.labels import for_submission

    def at(stamp):
        monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat(stamp))

    at("2027-02-01T09:00:00+00:00")  # after the issuer key was made (now)
    first = approve(bom("cable", 2025, 100), issuer)
    at("2027-05-01T09:00:00+00:00")
    second = approve(bom("cable", 2026, 90), issuer)  # supersedes the first label
    first_label = for_submission(service.db, first["id"])["id"]
    second_label = for_submission(service.db, second["id"])["id"]
    product = second["product_id"]
    at("2027-06-01T09:00:00+00:00")
    assert valid_label_on(service.db, orchard, product, "2027-01-31") is None
    assert valid_label_on(service.db, orchard, product, "2027-02-01") == first_label
    assert valid_label_on(service.db, orchard, product, "2027-04-30") == first_label
    assert valid_label_on(service.db, orchard, product, "2027-05-01") == second_label
    revoking.revoke(service.db, service.people["reviewer"], second_label, "withdrawn")
    # revoked on 2027-06-01: valid the day before, not at the end of that day
    assert valid_label_on(service.db, orchard, product, "2027-05-31") == second_label
    assert valid_label_on(service.db, orchard, product, "2027-06-01") is None
    with pytest.raises(InvalidInput) as raised:
        valid_label_on(service.db, orchard, product, "1 May")
    assert [p.where for p in raised.value.problems] == ["day"]


# -- the account: annual figures -------------------------------------------------------------------

def test_annual_intensity_and_totals_of_two_products(service, approve, issuer, engine,
                                                     orchard):
    producer = service.people["orchard"]
    # Sichuan, factor year 2022: 0.1404 kg CO2/kWh, both under the current data
    juice = approve(bom("juice", 2026, 100, region="CN-SC", factor_year=2022), issuer)
    # 100 kWh x 0.1404 = 14.04 kg CO2e per kg of juice
    crate = approve(bom("crate", 2026, 250, region="CN-SC", factor_year=2022,
                        unit={"amount": 10, "unit": "piece"}), issuer)
    # 250 kWh x 0.1404 = 35.1 kg CO2e per 10 crates = 3.51 per crate
    declare_production(service.db, producer, juice["product_id"], 2026, "1000")
    declare_production(service.db, producer, crate["product_id"], 2026, 2000)
    found = accounts.account(service.db, engine, orchard)
    year = found.year(2026)
    # 1,000 kg x 14.04 = 14,040; 2,000 crates x 3.51 = 7,020; total 21,060 kg CO2e
    assert year.total_kg_co2e == pytest.approx(21060, rel=1e-6)
    # 21,060 kg CO2e / (1,000 + 2,000 units) = 7.02 kg CO2e per unit
    assert year.intensity == pytest.approx(7.02, rel=1e-6)
    assert year.intensity_current == pytest.approx(7.02, rel=1e-6)
    assert year.by_stage["production"] == pytest.approx(21060, rel=1e-6)
    assert sum(year.by_stage.values()) == pytest.approx(21060, rel=1e-6)
    assert year.missing_production == ()
    assert found.baseline_year == 2026 and not found.baseline_chosen
    assert [(p.name, p.unit) for p in found.products] == [("juice", "kg"), ("crate", "piece")]
    assert found.since_last_year is None and found.since_baseline is None


def test_the_whole_accounts_reduction_weights_both_years_by_the_later_production(
        service, approve, issuer, engine, orchard):
    producer = service.people["orchard"]
    a = approve(bom("juice", 2025, 100, region="CN-SC", factor_year=2022), issuer)  # 14.04
    approve(bom("juice", 2026, 80, region="CN-SC", factor_year=2022), issuer)       # 11.232
    b = approve(bom("jam", 2025, 200, region="CN-SC", factor_year=2022), issuer)    # 28.08
    approve(bom("jam", 2026, 200, region="CN-SC", factor_year=2022), issuer)        # 28.08
    declare_production(service.db, producer, a["product_id"], 2026, 3000)
    declare_production(service.db, producer, b["product_id"], 2026, 1000)
    declare_production(service.db, producer, b["product_id"], 2025, 9000)  # not used
    found = reductions.reduction(service.db, engine, orchard, 2026)
    # before: (3,000 x 14.04 + 1,000 x 28.08) / 4,000 = (42,120 + 28,080) / 4,000 = 17.55
    # after:  (3,000 x 11.232 + 1,000 x 28.08) / 4,000 = (33,696 + 28,080) / 4,000 = 15.444
    assert found.intensity_before == pytest.approx(17.55, rel=1e-6)
    assert found.intensity_after == pytest.approx(15.444, rel=1e-6)
    # (17.55 - 15.444) / 17.55 = 2.106 / 17.55 = 12 %
    assert found.like_for_like_pct == pytest.approx(12.0, rel=1e-6)
    assert found.as_verified_pct == pytest.approx(12.0, rel=1e-6)
    # one product: its own intensity, 14.04 -> 11.232 is a 20 % fall
    alone = reductions.reduction(service.db, engine, orchard, 2026, product_id=a["product_id"])
    assert alone.like_for_like_pct == pytest.approx(20.0, rel=1e-6)
    assert alone.unit == "kg"


def test_declared_production_is_checked_audited_and_only_the_producers(service, approve,
                                                                       issuer, orchard):
    producer = service.people["orchard"]
    sub = approve(bom("juice", 2026, 100, region="CN-SC"), issuer)
    with pytest.raises(InvalidInput) as raised:
        declare_production(service.db, producer, sub["product_id"], 1999, "-5")
    assert [p.where for p in raised.value.problems] == ["year", "amount"]
    with pytest.raises(NotFound):
        declare_production(service.db, service.people["steelworks"],
                           sub["product_id"], 2026, 10)
    assert service.db.execute("SELECT count(*) FROM declared_production").fetchone()[0] == 0
    declare_production(service.db, producer, sub["product_id"], 2026, 10)
    declare_production(service.db, producer, sub["product_id"], 2026, 12)
    from footprint.store import carbonaccounts as stored
    trail = stored.events(service.db, orchard)
    assert [(e["action"], e["year"]) for e in trail] == [("declare-production", 2026)] * 2
    assert (trail[1]["before"], trail[1]["after"]) == ({"amount": 10, "unit": "kg"},
                                                       {"amount": 12, "unit": "kg"})


def test_a_reference_year_out_of_range_is_a_located_error(make_bom):
    from footprint.bom import parse_bom
    with pytest.raises(InvalidInput) as raised:
        parse_bom(make_bom(reference_year=1999))
    assert [p.where for p in raised.value.problems] == ["reference_year"]
    assert "reference_year" not in parse_bom(make_bom()).canonical


# -- the pages ------------------------------------------------------------------------------------

def two_years(service, approve, issuer, engine_2022):
    """Orchard's cable: 2025 under MEE-2022 (64.10), 2026 under MEE-2023 (55.719), with
    declared production of 1,000 kg in 2026."""
    approve(bom("cable", 2025, 100), issuer, engine_2022)
    sub = approve(bom("cable", 2026, 90), issuer)
    declare_production(service.db, service.people["orchard"], sub["product_id"],
                       2026, 1000)
    return sub


def test_the_producer_sees_its_account_and_another_organisation_gets_404(
        service, clients, approve, issuer, engine_2022, orchard):
    two_years(service, approve, issuer, engine_2022)
    page = clients["orchard"].get(f"/accounts/{orchard}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "我的碳账户" in text
    # like for like (61.91 -> 55.719): 10.0 %; as verified (64.10 -> 55.719): 13.1 %
    assert "10.0 %" in text and "13.1 %" in text
    # 1,000 kg x 55.719 = 55,719 kg CO2e, shown to 3 significant figures
    assert "55,700" in text
    assert clients["orchard"].get("/accounts/").headers["Location"].endswith(
        f"/accounts/{orchard}")
    for path in ("", "/statement.csv", "/statement.pdf", "/statement.cose"):
        assert clients["steelworks"].get(f"/accounts/{orchard}{path}").status_code == 404
    refused = clients["steelworks"].post(f"/accounts/{orchard}/production",
                                         data={"product": "1", "year": "2026", "amount": "5"})
    assert refused.status_code == 404
    assert service.db.execute("SELECT amount FROM declared_production").fetchall() == [(1000,)]


def test_the_production_form_refuses_bad_input_with_located_errors(
        service, clients, approve, issuer, orchard):
    sub = approve(bom("cable", 2026, 90), issuer)
    page = clients["orchard"].post(f"/accounts/{orchard}/production", data={
        "product": str(sub["product_id"]), "year": "1990", "amount": "lots"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="err-year"' in text and "应为 2000 至" in text
    assert "产量应为不小于 0 的数字" in text
    assert service.db.execute("SELECT count(*) FROM declared_production").fetchone()[0] == 0
    done = clients["orchard"].post(f"/accounts/{orchard}/production", data={
        "product": str(sub["product_id"]), "year": "2026", "amount": "1,200"})
    assert done.status_code == 302
    assert service.db.execute("SELECT amount, unit FROM declared_production").fetchall() == \
        [(1200, "kg")]


def test_the_charts_are_well_formed_svg_with_their_values(service, clients, approve, issuer,
                                                          engine_2022, orchard):
    import re
    import xml.etree.ElementTree as ET
    two_years(service, approve, issuer, engine_2022)
    text = clients["orchard"].get(f"/accounts/{orchard}").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", text, re.S)
    assert len(svgs) == 2
    ns = "{http://www.w3.org/2000/svg}"
    trend, stages = (ET.fromstring(svg) for svg in svgs)
    words = [t.text for t in trend.iter(f"{ns}text")]
    # 2025 (no production declared: the one product's intensity): 64.10 as verified under
    # MEE-2022, 61.91 under the current data; 2026: 55.719 under both, written once where
    # the two points coincide
    assert words.count("2025") == 1 and words.count("2026") == 1
    assert "64.1" in words and "61.9" in words and words.count("55.7") == 1
    assert len(trend.findall(f".//{ns}circle")) == 4  # both series keep their points
    assert trend.find(f"{ns}title").text == "历年碳排放强度"
    stage_words = [t.text for t in stages.iter(f"{ns}text")]
    # all 55,719 kg CO2e of 2026 are production (生产)
    assert "生产" in stage_words and "55,700" in stage_words


def test_the_signed_statement_verifies_and_the_csv_and_pdf_say_the_same(
        service, clients, approve, issuer, engine_2022, orchard):
    import csv
    import io
    from footprint.labels import export_trust_list
    from footprint.labels.documents import verify_document
    two_years(service, approve, issuer, engine_2022)
    signed = clients["orchard"].get(f"/accounts/{orchard}/statement.cose")
    assert signed.status_code == 200
    document = verify_document(signed.data, export_trust_list(service.home),
                               "account-statement")
    body = document.body
    assert body["organisation"] == {"id": orchard, "name": "Pujiang Orchard Co-op"}
    assert body["data_version_name"] == "MEE-2023"
    # 1,000 kg x 90 kWh x 0.6191 = 55,719 kg CO2e in 2026
    assert body["years"][-1]["total_kg_co2e"] == pytest.approx(55719, rel=1e-6)
    assert body["since_last_year"]["like_for_like_pct"] == pytest.approx(10.0, rel=1e-6)
    tampered = bytearray(signed.data)
    tampered[-70] ^= 1
    with pytest.raises(Exception):
        verify_document(bytes(tampered), export_trust_list(service.home))
    table = list(csv.reader(io.StringIO(
        clients["orchard"].get(f"/accounts/{orchard}/statement.csv").data.decode("utf-8-sig"))))
    years = {row[0]: row for row in table if row and row[0] in ("2025", "2026")}
    # rounded as the page rounds them (3 significant figures): 55,719 kg CO2e in 2026 for
    # 1,000 kg, 55.719 a kg; 2025 has no declared production, so no total, and its intensity
    # is the one product's: 100 x 0.6410 = 64.10 as verified, 100 x 0.6191 = 61.91 now
    assert years["2026"][1:] == ["55,700", "55.7", "55.7"]
    assert years["2025"][1:] == ["", "64.1", "61.9"]
    footprints = [row for row in table if row and row[0] == "cable"]
    # as verified: 100 x 0.6410 = 64.10 (2025), 90 x 0.6191 = 55.719 (2026) a kg; the
    # 1,000 kg declared for 2026 without its ".0"
    assert [(row[1], row[6], row[8]) for row in footprints] == \
        [("2025", "64.1", ""), ("2026", "55.7", "1,000")]
    # like for like 61.91 -> 55.719: 10.0 %; as verified 64.10 -> 55.719: 13.1 %
    last_year = next(row for row in table if row and row[0] == "较上年 since last year")
    assert last_year[1:] == ["2025", "2026", "10.0 %", "13.1 %"]
    # the rating in words, never its code (the signed body keeps the code)
    colour = body["rating"]["colour"]
    words = {"dark_green": "深绿 dark green", "light_green": "浅绿 light green",
             "yellow": "黄 yellow", "red": "红 red"}[colour]
    rating = table[table.index(next(r for r in table if r and r[0] == "评级 rating")) + 1]
    assert rating[1:3] == [str(body["rating"]["year"]), words]
    assert "_green" not in "".join(cell for row in table for cell in row)
    pdf = clients["orchard"].get(f"/accounts/{orchard}/statement.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


# -- the command line -----------------------------------------------------------------------------

@pytest.fixture
def cli_home(service, engine, monkeypatch):
    """The CLI on the service's home, calculating with the session's engine (no second
    Brightway build)."""
    import cli.commands.accounts as command_module
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    monkeypatch.setattr(command_module, "Engine", lambda home: engine)
    return service.home


def test_accounts_show_and_production_on_the_command_line(service, run, cli_home, approve,
                                                          issuer, engine_2022):
    import json
    sub = two_years(service, approve, issuer, engine_2022)
    shown = run("accounts", "show", "Pujiang Orchard Co-op", "--year", "2026")
    assert shown.exit_code == 0, shown.output
    # like for like 10.0 % (61.91 -> 55.719), as verified 13.1 % (64.10 -> 55.719)
    assert "like for like (MEE-2023) 10.0 %" in shown.output
    assert "13.1 %" in shown.output
    declared = run("accounts", "production", "Pujiang Orchard Co-op", "--product",
                   sub["product_id"], "--year", 2025, "--amount", 800)
    assert declared.exit_code == 0, declared.output
    body = json.loads(run("accounts", "show", service.people["orchard"]["org_id"],
                          "--json").output)
    # 2025: 800 kg x 64.10 = 51,280 kg CO2e as verified
    assert body["years"][0]["total_kg_co2e"] == pytest.approx(51280, rel=1e-6)
    events = [e for e in service.db.query("SELECT actor_id, year FROM carbon_account_events")]
    assert events[-1] == {"actor_id": None, "year": 2025}


def test_bad_input_on_the_command_line_exits_2_and_stores_nothing(service, run, cli_home,
                                                                   approve, issuer):
    sub = approve(bom("cable", 2026, 90), issuer)
    for args in (["show", "No Such Org"], ["show", "Pujiang Orchard Co-op", "--year", 2026],
                 ["production", "Pujiang Orchard Co-op", "--product", sub["product_id"],
                  "--year", 2026, "--amount", "-1"],
                 ["production", "Panzhihua Steel", "--product", sub["product_id"],
                  "--year", 2026, "--amount", "1"]):
        result = run("accounts", *args)
        assert result.exit_code == 2, (args, result.output)
    assert service.db.execute("SELECT count(*) FROM declared_production").fetchone()[0] == 0


# -- the rating ------------------------------------------------------------------------------------

def _account(products, since_last_year_pct):
    from types import SimpleNamespace
    latest = SimpleNamespace(year=2026, products=[
        SimpleNamespace(band_position=position, production=made) for position, made in products])
    since = None if since_last_year_pct is None else \
        SimpleNamespace(like_for_like_pct=since_last_year_pct)
    return SimpleNamespace(latest=latest, since_last_year=since)


@pytest.mark.parametrize("products, pct, colour, points", [
    # band A of A..E is position 0 (best third: 2 points); a 5 % fall scores 2: 深绿
    ([(0.0, 100)], 5.0, "dark_green", 4),
    # 4.9 % is a fall short of the 5 % target: 1 point; 2 + 1 = 3: 浅绿
    ([(0.0, 100)], 4.9, "light_green", 3),
    # weighted: (3 x 0.25 + 1 x 1.0) / 4 = 0.4375, the middle third: 1; no year before: 1
    ([(0.25, 3), (1.0, 1)], None, "yellow", 2),
    # the worst band (0) and a rise (0): 红
    ([(1.0, 10)], -2.0, "red", 0),
    # nothing graded (1) and no fall (0): 1 point, 红
    ([(None, 10)], 0.0, "red", 1),
])
def test_the_rating_rules(products, pct, colour, points):
    from footprint.usecases.accountrating import rate
    rating = rate(_account(products, pct))
    assert (rating.colour, rating.points) == (colour, points)


def test_the_demo_co_operatives_account(engine, tmp_path):
    """The demo's oranges: 2025 with 400 kg urea per ha, 2026 with 250, both verified under
    MEE-2022; declared 1,500 t and 1,650 t."""
    db, _ = seeded_demo(tmp_path, engine)
    org = db.execute("SELECT org_id FROM users WHERE username = 'orchard'").fetchone()[0]
    found = accounts.account(db, engine, org)
    assert [y.year for y in found.years] == [2025, 2026]
    y2025, y2026 = found.years
    # total = production x footprint: 1,500,000 kg and 1,650,000 kg
    assert y2025.total_kg_co2e == pytest.approx(1_500_000 * y2025.intensity, rel=1e-9)
    assert y2026.total_kg_co2e == pytest.approx(1_650_000 * y2026.intensity, rel=1e-9)
    # the reason is the urea: CO2 from its hydrolysis is urea kg/ha / 30,000 kg/ha x 0.20
    # t C/t x 44/12: 400 / 30,000 x 0.20 x 44/12 = 0.0097778 in 2025, 250 -> 0.0061111 in 2026
    import json
    urea_co2 = []
    for y in (y2025, y2026):
        [row] = y.products
        result = json.loads(db.execute(
            "SELECT result_json FROM results WHERE submission_id = ? ORDER BY id LIMIT 1 "
            "OFFSET (SELECT count(*) - 1 FROM results WHERE submission_id = ?)",
            [row.footprint.submission_id, row.footprint.submission_id]).fetchone()[0])
        urea_co2 += [i["kg_co2e"] for i in result["by_input"] if i["input"] == "oranges/urea_co2"]
    assert urea_co2 == [pytest.approx(0.0097778, rel=1e-4), pytest.approx(0.0061111, rel=1e-4)]
    # less urea, same data: the intensity fell, under both views
    assert found.since_last_year.like_for_like_pct > 5
    assert found.since_last_year.as_verified_pct > 5
    assert found.baseline_year == 2025 and found.rating is not None


def test_the_reference_year_from_the_editor_and_a_bom_file(service, clients, write_bom):
    from footprint.bomfiles import read_bom_path
    from web.bom.form import header_from_form, values_from_bom
    form = {"product-name": "juice", "declared_unit-amount": "1", "declared_unit-unit": "kg",
            "region": "CN-SC", "reference_year": "2025"}
    assert header_from_form(form)["reference_year"] == 2025
    assert values_from_bom({"reference_year": 2025})["reference_year"] == "2025"
    path = write_bom("产品名称,橙汁\n声明单位,1 kg\n地区,四川\n参考年份,2025\n\n"
                     "投入,数量,单位,阶段\nelectricity,10,kWh,生产\n", "bom.csv")
    assert read_bom_path(path).bom["reference_year"] == 2025
    assert 'name="reference_year"' in clients["orchard"].get("/producer/submissions/new").get_data(
        as_text=True)


# -- the JSON API ----------------------------------------------------------------------------------

def test_the_account_and_its_reduction_in_the_api(service, approve, issuer, engine_2022,
                                                  orchard):
    from footprint.usecases.tokens import create_token
    two_years(service, approve, issuer, engine_2022)
    client = service.app.test_client()

    def get(user, path):
        token = create_token(service.db, user)
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    account = get("orchard", f"/api/v1/accounts/{orchard}")
    assert account.status_code == 200
    # 1,000 kg x 90 kWh x 0.6191 = 55,719 kg CO2e in 2026
    assert account.json["years"][-1]["total_kg_co2e"] == pytest.approx(55719, rel=1e-6)
    reduction = get("orchard", f"/api/v1/accounts/{orchard}/reduction?year=2026")
    # like for like 61.91 -> 55.719: 10 %; as verified 64.10 -> 55.719: 13.075 %
    assert reduction.json["like_for_like_pct"] == pytest.approx(10.0, rel=1e-6)
    assert reduction.json["as_verified_pct"] == pytest.approx(13.075, abs=1e-3)
    refused = get("orchard", f"/api/v1/accounts/{orchard}/reduction?year=2025")
    assert refused.status_code == 400
    assert [p["where"] for p in refused.json["problems"]] == ["base_year"]
    for path in (f"/api/v1/accounts/{orchard}",
                 f"/api/v1/accounts/{orchard}/reduction?year=2026"):
        assert get("steelworks", path).status_code == 404
    assert get("reviewer", f"/api/v1/accounts/{orchard}").status_code == 200


def test_the_baseline_year_is_the_producers_choice_checked_and_audited(
        service, clients, approve, issuer, engine, orchard):
    approve(bom("cable", 2024, 110), issuer)  # 110 x 0.6191 = 68.101
    approve(bom("cable", 2025, 100), issuer)  # 61.91
    approve(bom("cable", 2026, 90), issuer)   # 55.719
    found = accounts.account(service.db, engine, orchard)
    # the first verified year: (68.101 - 55.719) / 68.101 = 12.382 / 68.101 = 18.18 %
    assert found.baseline_year == 2024 and not found.baseline_chosen
    assert found.since_baseline.like_for_like_pct == pytest.approx(18.182, abs=1e-3)
    refused = clients["orchard"].post(f"/accounts/{orchard}/baseline",
                                      data={"baseline_year": "2023"})
    assert refused.status_code == 400 and 'id="err-baseline_year"' in refused.get_data(
        as_text=True)
    assert clients["orchard"].post(f"/accounts/{orchard}/baseline",
                                   data={"baseline_year": "2025"}).status_code == 302
    found = accounts.account(service.db, engine, orchard)
    # (61.91 - 55.719) / 61.91 = 10 %
    assert found.baseline_year == 2025 and found.baseline_chosen
    assert found.since_baseline.like_for_like_pct == pytest.approx(10.0, rel=1e-6)
    assert [(e["action"], e["before"], e["after"]) for e in found.events] == \
        [("set-baseline", None, 2025)]
    assert clients["steelworks"].post(f"/accounts/{orchard}/baseline",
                                      data={"baseline_year": ""}).status_code == 404
