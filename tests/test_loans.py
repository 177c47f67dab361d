"""Footprint-linked loan pricing: the rules worked by hand from the published terms
(../shared/reference/LOANS.md), bad terms refused where they are wrong, and a priced decision
stored, signed and logged so that it verifies from docs/loans.md's steps."""
from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from pathlib import Path

import cbor2
import pytest

from footprint import display
from footprint.engine import Engine
from footprint.errors import InvalidInput, NotFound
from footprint.loanrules import Evidence, bands_from_text, check_principal, check_terms, price
from footprint.usecases import consents, loans
from footprint.usecases.users import seed_user
from tests.conftest import app_on, log_in, seeded_demo

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

TARGET_60 = {"kind": "target", "target_pct": 10, "cut_bp": 60}
COUPON = {"kind": "subsidy", "bp": 50, "cap_yuan": 50000}


def places(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.where for p in exc.value.problems]


@pytest.mark.parametrize("typed", [
    "3-5: 10\n10-: 60",             # as the form's hint writes it
    "3-5：10，10-：60",              # a Chinese keyboard's full-width colon and comma
    "３－５：１０\n１０－：６０",      # full-width digits and dash
    "3～5：10、10-：60",             # 3～5 for "3 to 5", bands in a list with 、
    "3至5：10；10-：60",             # 至, and a semicolon between bands
    "3–5: 10, 10-: 60",            # an en dash
])
def test_a_threshold_table_as_a_chinese_keyboard_types_it(typed):
    assert bands_from_text(typed) == ([
        {"from_pct": "3", "to_pct": "5", "cut_bp": "10"},
        {"from_pct": "10", "to_pct": None, "cut_bp": "60"}], [])


def test_terms_and_a_principal_typed_full_width():
    # ３．４５ % and 1.5 亿元 as a Chinese keyboard in full-width mode types them
    terms = check_terms("３．４５", "2025-11-20", [{"kind": "target", "target_pct": "１０",
                                                   "cut_bp": "６０"}])
    assert terms.base_rate_bp == 345 and terms.rules[0]["target_pct"] == Decimal("10")
    assert check_principal("１．５亿元") == Decimal("150000000")
    assert check_principal("１，０００万") == Decimal("10000000")


def test_a_band_that_is_no_band_is_still_refused_at_its_place():
    bands, problems = bands_from_text("3-5：10\n10 以上：60")
    assert bands == [{"from_pct": "3", "to_pct": "5", "cut_bp": "10"}]
    assert [p.where for p in problems] == ["bands[1]"]


# -- the hand-worked cases -----------------------------------------------------------------------

def test_the_target_met_with_a_60_bp_cut_saves_60000_yuan_a_year():
    # Chengdu Rural Commercial Bank and the Pujiang co-operative (000 L709-747):
    # 10,000,000 x 0.0060 = 60,000 yuan a year; LPR 3.00 % = 300 bp -> 300 - 60 = 240 bp
    terms = check_terms("3.00", "2025-11-20", [TARGET_60])
    priced = price(terms, Evidence(Decimal("12.5")), Decimal("10000000"))
    assert (priced.base_rate_bp, priced.cut_bp, priced.rate_bp) == (300, 60, 240)
    assert priced.interest_saved == Decimal("60000.00")
    assert priced.total_benefit == Decimal("60000.00")


def test_the_target_missed_earns_nothing():
    # 9.99 % < the 10 % target: no cut, the base rate stands
    terms = check_terms("3.00", "2025-11-20", [TARGET_60])
    priced = price(terms, Evidence(Decimal("9.99")), Decimal("10000000"))
    assert (priced.cut_bp, priced.rate_bp, priced.interest_saved) == (0, 300, Decimal("0.00"))


def test_with_the_zero_carbon_coupon_the_first_year_is_worth_110000_yuan():
    # LOANS.md's hand-worked case: 60,000 saved + a coupon capped at 50,000 = 110,000;
    # the coupon as 50 bp of 10,000,000 = 50,000, exactly the cap
    terms = check_terms("3.00", "2025-11-20", [TARGET_60, COUPON])
    priced = price(terms, Evidence(Decimal("10")), Decimal("10000000"))
    assert priced.subsidy == Decimal("50000.00")
    assert priced.total_benefit == Decimal("110000.00")


def test_the_subsidy_is_capped_at_50000_yuan():
    # 50 bp of 30,000,000 = 150,000 yuan, more than the cap: 50,000 is paid;
    # a subsidy of 80,000 yuan as a sum is capped the same way
    terms = check_terms("3.00", "2025-11-20", [COUPON])
    assert price(terms, Evidence(Decimal(0)), Decimal("30000000")).subsidy == Decimal("50000.00")
    terms = check_terms("3.00", "2025-11-20",
                        [{"kind": "subsidy", "yuan": 80000, "cap_yuan": 50000}])
    assert price(terms, Evidence(None), Decimal("1000000")).subsidy == Decimal("50000.00")
    # below the cap the subsidy is what it says: 25 bp of 10,000,000 = 25,000 (004 L73)
    terms = check_terms("3.00", "2025-11-20",
                        [{"kind": "subsidy", "bp": 25, "cap_yuan": 50000}])
    assert price(terms, Evidence(None), Decimal("10000000")).subsidy == Decimal("25000.00")


def test_a_subsidy_that_needs_a_reduction_waits_for_it():
    rule = {"kind": "subsidy", "bp": 50, "cap_yuan": 50000, "min_reduction_pct": 10}
    terms = check_terms("3.00", "2025-11-20", [rule])
    assert price(terms, Evidence(Decimal("9")), Decimal("10000000")).subsidy == 0
    assert price(terms, Evidence(Decimal("10")), Decimal("10000000")).subsidy == 50000


def test_a_verified_reduction_of_5_percent_under_the_minus_10_bp_rule():
    # Industrial Bank, Huangshi: 3.2 % in the first year, -10 bp when the annual reduction is
    # at least 5 %: 320 - 10 = 310 bp; on 10,000,000: 10,000,000 x 0.0010 = 10,000 a year
    terms = check_terms("3.2", "2025-01-01", [{"kind": "reduction", "min_pct": 5,
                                                "cut_bp": 10}])
    at_five = price(terms, Evidence(Decimal("5")), Decimal("10000000"))
    assert (at_five.cut_bp, at_five.rate_bp, at_five.interest_saved) == \
        (10, 310, Decimal("10000.00"))
    below = price(terms, Evidence(Decimal("4.99")), Decimal("10000000"))
    assert (below.cut_bp, below.rate_bp) == (0, 320)


def test_lpr_minus_89_bp_while_the_product_holds_a_valid_label():
    # CCB Hulunbuir: 1-year LPR - 89 bp; with a 3.0 % LPR: 3.00 % - 0.89 % = 2.11 % (211 bp);
    # on the CNY 150 M loan: 150,000,000 x 0.0089 = 1,335,000 yuan a year, as reported
    terms = check_terms("3.0", "2025-09-22", [{"kind": "label", "cut_bp": 89}])
    labelled = price(terms, Evidence(Decimal(0), "CN-SC-K5QX7M2ZP4H6A"), Decimal("150000000"))
    assert (labelled.cut_bp, labelled.rate_bp) == (89, 211)
    assert labelled.interest_saved == Decimal("1335000.00")
    unlabelled = price(terms, Evidence(Decimal(0), None), Decimal("150000000"))
    assert (unlabelled.cut_bp, unlabelled.rate_bp) == (0, 300)


def test_the_banks_own_threshold_table():
    # bands 3-5 % -> 10 bp, 5-10 % -> 30 bp, 10 % and more -> 60 bp, on 1,000,000 yuan:
    # 7 % is in the second band: 1,000,000 x 0.0030 = 3,000; 2 % is in none: 0
    bands = [{"from_pct": 3, "to_pct": 5, "cut_bp": 10},
             {"from_pct": 5, "to_pct": 10, "cut_bp": 30},
             {"from_pct": 10, "to_pct": None, "cut_bp": 60}]
    terms = check_terms("3.45", "2025-11-20", [{"kind": "table", "bands": bands}])
    assert price(terms, Evidence(Decimal(7)), Decimal(1000000)).interest_saved == 3000
    assert price(terms, Evidence(Decimal(5)), Decimal(1000000)).cut_bp == 30
    assert price(terms, Evidence(Decimal(25)), Decimal(1000000)).cut_bp == 60
    assert price(terms, Evidence(Decimal(2)), Decimal(1000000)).cut_bp == 0


def test_cuts_of_several_rules_add_up():
    # target met (60) and labelled (89): 149 bp off 345 = 196 bp
    terms = check_terms("3.45", "2025-11-20", [TARGET_60, {"kind": "label", "cut_bp": 89}])
    priced = price(terms, Evidence(Decimal(10), "CN-SC-X"), Decimal(1000000))
    assert (priced.cut_bp, priced.rate_bp) == (149, 196)


def test_a_reduction_only_from_new_grid_factors_earns_nothing():
    # the same BOM in both years: under one data version the intensity did not move (0 %),
    # while "as verified then" it fell because the grid factor was republished lower;
    # pricing takes the like-for-like figure, so no cut
    terms = check_terms("3.00", "2025-11-20", [TARGET_60])
    assert price(terms, Evidence(Decimal(0)), Decimal(10000000)).cut_bp == 0


# -- bad terms: refused where they are wrong ----------------------------------------------------

def test_a_missing_or_negative_base_rate_is_refused():
    with pytest.raises(InvalidInput) as missing:
        check_terms(None, "2025-11-20", [TARGET_60])
    assert places(missing) == ["base_rate_pct"]
    with pytest.raises(InvalidInput) as negative:
        check_terms("-0.5", "2025-11-20", [TARGET_60])
    assert places(negative) == ["base_rate_pct"]
    with pytest.raises(InvalidInput) as no_date:
        check_terms("3.0", "20/11/2025", [TARGET_60])
    assert places(no_date) == ["base_rate_date"]


def test_a_cut_larger_than_the_rate_is_refused():
    # 0.50 % = 50 bp, and the target cut alone is 60 bp
    with pytest.raises(InvalidInput) as exc:
        check_terms("0.50", "2025-11-20", [TARGET_60])
    assert places(exc) == ["rules"]
    assert exc.value.problems[0].params == {"cut": 60, "rate": 50}


def test_a_step_cut_outside_the_published_30_to_65_bp_is_refused():
    with pytest.raises(InvalidInput) as exc:
        check_terms("3.0", "2025-11-20", [{**TARGET_60, "cut_bp": 70},
                                          {**TARGET_60, "cut_bp": 29}])
    assert places(exc) == ["rules[0].cut_bp", "rules[1].cut_bp"]


def test_overlapping_or_unordered_thresholds_are_refused():
    overlapping = [{"from_pct": 3, "to_pct": 6, "cut_bp": 10},
                   {"from_pct": 5, "to_pct": 10, "cut_bp": 30}]
    with pytest.raises(InvalidInput) as exc:
        check_terms("3.0", "2025-11-20", [{"kind": "table", "bands": overlapping}])
    assert places(exc) == ["rules[0].bands[1].from_pct"]
    unordered = [{"from_pct": 5, "to_pct": 10, "cut_bp": 30},
                 {"from_pct": 3, "to_pct": 5, "cut_bp": 10}]
    with pytest.raises(InvalidInput) as exc:
        check_terms("3.0", "2025-11-20", [TARGET_60, {"kind": "table", "bands": unordered}])
    assert places(exc) == ["rules[1].bands[1].from_pct"]
    open_early = [{"from_pct": 3, "to_pct": None, "cut_bp": 10},
                  {"from_pct": 5, "to_pct": 10, "cut_bp": 30}]
    with pytest.raises(InvalidInput) as exc:
        check_terms("3.0", "2025-11-20", [{"kind": "table", "bands": open_early}])
    assert places(exc) == ["rules[0].bands[0].to_pct", "rules[0].bands[1].from_pct"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidInput) as exc:
        check_terms("", "", [{"kind": "bonus"}, {"kind": "subsidy", "bp": 10, "yuan": 5,
                                                  "cap_yuan": 1}])
    assert places(exc) == ["base_rate_pct", "base_rate_date", "rules[0].kind", "rules[1]"]


@pytest.mark.parametrize("principal", [None, "", "0", "-5", "abc", "1.001", "NaN", "1e14"])
def test_a_principal_must_be_a_positive_sum_in_yuan(principal):
    with pytest.raises(InvalidInput) as exc:
        check_principal(principal)
    assert places(exc) == ["principal"]


@pytest.mark.parametrize("written, principal", [
    ("10,000,000", "10000000"), ("1000万", "10000000"), ("1.5亿", "150000000"),
    ("1,000万元", "10000000"), (" 250,000.50 ", "250000.50"), ("10000000", "10000000")])
def test_a_principal_may_be_written_as_a_loan_officer_writes_it(written, principal):
    assert check_principal(written) == Decimal(principal)


@pytest.mark.parametrize("written", ["1,00,000", "10,000,000.001", "万", "1.5亿亿", "0万",
                                     "10,000,", "-5万", "1e14"])
def test_a_principal_written_wrongly_is_refused_by_what_was_typed(written):
    with pytest.raises(InvalidInput) as exc:
        check_principal(written)
    assert places(exc) == ["principal"]
    assert written in str(exc.value.problems[0].message)  # named as typed


# -- a loan priced on the carbon account: stored, signed, logged ---------------------------------
# Factors (lca_data/electricity/cn_grid_co2_mee.csv): Shandong 0.6410 kg CO2/kWh for 2022 (the
# newest year of MEE-2022) and 0.6191 for 2023 (the newest of MEE-2023, the current data).

DOCS = Path(__file__).resolve().parent.parent / "docs" / "loans.md"
TABLES = ("loan_decisions", "log_entries", "loan_products", "consents", "consent_events")


def cable(year, kwh):
    return {"product": {"name": "cable", "category": "generic"},
            "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SD",
            "reference_year": year,
            "lines": [{"input": "electricity", "amount": kwh, "unit": "kWh",
                       "stage": "production"}]}


@pytest.fixture(scope="module")
def engine_2022(footprint_home):
    return Engine(footprint_home, data_version="MEE-2022")


@pytest.fixture
def bank(service):
    seed_user(service.db, "ruralbank", "bank", "Chengdu Rural Commercial Bank",
              "correct horse battery")
    return service.db.execute("SELECT org_id FROM users WHERE username = 'ruralbank'"
                              ).fetchone()[0]


@pytest.fixture
def orchard(service):
    return service.people["orchard"]["org_id"]


@pytest.fixture
def published(service, bank):
    """The Chengdu terms: LPR 3.0 %, 60 bp when the 10 % target is met, the coupon."""
    return loans.create_product(service.db, bank, "碳减排挂钩贷", "1-year LPR", "3.0",
                                "2025-11-20", [TARGET_60, COUPON])


def counts(db) -> dict:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_a_priced_loan_is_stored_signed_and_logged(service, approve, issuer, engine,
                                                   engine_2022, bank, orchard, published):
    approve(cable(2025, 100), issuer, engine_2022)  # as verified: 100 x 0.6410 = 64.10
    approve(cable(2026, 85), issuer)                # 85 x 0.6191 = 52.6235
    consents.grant(service.db, orchard, bank)
    decision = loans.price(service.db, engine, issuer, bank, published["id"], orchard,
                           "10000000", 2026)
    # like for like: 100 x 0.6191 = 61.91 before; (61.91 - 52.6235) / 61.91 = 15 % >= 10 %:
    # 60 bp off 300 = 240 bp; 10,000,000 x 0.0060 = 60,000 + coupon 50,000 = 110,000
    assert (decision["cut_bp"], decision["rate_bp"]) == (60, 240)
    assert (decision["interest_saved"], decision["subsidy"], decision["total_benefit"]) == \
        ("60000.00", "50000.00", "110000.00")
    signed = loans.document_for(service.db, service.people["orchard"], decision["id"])
    body = json.loads(cbor2.loads(signed).value[2])
    assert body["like_for_like_reduction_pct"] == "15.00"
    # as verified then: (64.10 - 52.6235) / 64.10 = 11.4765 / 64.10 = 17.90 %
    assert body["as_verified_reduction_pct"] == "17.90"
    assert [f["year"] for f in body["footprints"]] == [2025, 2026]
    assert all(f["label"].startswith("CN-SC") for f in body["footprints"])
    entry = service.db.execute("SELECT kind, label_id FROM log_entries WHERE idx = ?",
                               [decision["log_index"]]).fetchone()
    assert tuple(entry) == ("record", None)


def test_new_grid_factors_alone_earn_no_cut(service, approve, issuer, engine, engine_2022,
                                            bank, orchard):
    # the same 100 kWh both years: as verified 64.10 -> 61.91 is (64.10 - 61.91) / 64.10 =
    # 3.42 %, which a "3 % -> 10 bp" rule would pay; like for like it is 0 %: nothing
    approve(cable(2025, 100), issuer, engine_2022)
    approve(cable(2026, 100), issuer)
    consents.grant(service.db, orchard, bank)
    product = loans.create_product(service.db, bank, "3 %", "LPR", "3.0", "2025-11-20",
                                   [{"kind": "reduction", "min_pct": 3, "cut_bp": 10}])
    decision = loans.price(service.db, engine, issuer, bank, product["id"], orchard,
                           "10000000", 2026)
    assert (decision["cut_bp"], decision["rate_bp"], decision["interest_saved"]) == \
        (0, 300, "0.00")


def test_bad_pricing_input_is_refused_and_nothing_is_stored(service, approve, issuer, engine,
                                                            bank, orchard, published):
    approve(cable(2026, 85), issuer)  # 2026 only: no base year
    before = counts(service.db)
    with pytest.raises(NotFound):  # no consent yet
        loans.price(service.db, engine, issuer, bank, published["id"], orchard, "1000", 2026)
    consents.grant(service.db, orchard, bank)
    before = counts(service.db)
    with pytest.raises(InvalidInput) as exc:
        loans.price(service.db, engine, issuer, bank, published["id"], orchard, "-5", "20x6")
    assert places(exc) == ["principal", "year"]
    with pytest.raises(InvalidInput) as exc:  # 2025 has no verified footprint
        loans.price(service.db, engine, issuer, bank, published["id"], orchard, "1000", 2026)
    assert places(exc) == ["base_year"]
    with pytest.raises(NotFound):  # an organisation that does not exist
        loans.price(service.db, engine, issuer, bank, published["id"], 999999, "1000", 2026)
    with pytest.raises(InvalidInput) as exc:
        loans.create_product(service.db, bank, "碳减排挂钩贷", "LPR", "0.5", "2025-11-20",
                             [TARGET_60])
    assert places(exc) == ["rules", "name"]  # 60 bp > 50 bp, and the name is taken
    assert counts(service.db) == before


def test_a_decision_verifies_from_the_docs_steps(service, approve, issuer, engine,
                                                 engine_2022, bank, orchard, published,
                                                 clients):
    approve(cable(2025, 100), issuer, engine_2022)
    approve(cable(2026, 85), issuer)
    consents.grant(service.db, orchard, bank)
    decision = loans.price(service.db, engine, issuer, bank, published["id"], orchard,
                           "10000000", 2026)
    client = clients["orchard"]  # the borrower downloads what the bank priced
    document = client.get(f"/loans/decisions/{decision['id']}/document").data
    proof = client.get(f"/loans/decisions/{decision['id']}/proof").get_json()
    trust_list = client.get("/.well-known/footprint/trust-list.json").get_json()
    steps = re.search(r"```python\n(.*?)```", DOCS.read_text("utf-8"), re.S).group(1)
    exec(steps, {"document": document, "proof": proof, "trust_list": trust_list})
    # and a changed document does not: one byte of the payload altered
    forged = bytearray(document)
    forged[-80] ^= 1
    with pytest.raises(Exception):
        exec(steps, {"document": bytes(forged), "proof": proof, "trust_list": trust_list})
    assert base64.b64decode(proof["root"])


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli_home(service, monkeypatch, bank):
    monkeypatch.setenv("FOOTPRINT_HOME", str(service.home))
    return service.home


def test_the_command_line_defines_products_grants_and_prices(service, run, cli_home, approve,
                                                             issuer, engine_2022, orchard):
    approve(cable(2025, 100), issuer, engine_2022)
    approve(cable(2026, 85), issuer)
    bank_name = "Chengdu Rural Commercial Bank"
    made = run("loans", "products", "create", "--bank", bank_name, "--name", "linked",
               "--base-rate", "3.0", "--base-rate-date", "2025-11-20", "--preset", "target",
               "--preset", "coupon")
    assert made.exit_code == 0, made.stderr
    # no consent yet: the borrower is not there for the bank (exit 2, nothing stored)
    before = counts(service.db)
    refused = run("loans", "price", "--bank", bank_name, "--borrower", "Pujiang Orchard Co-op",
                  "--product", "linked", "--principal", "10000000", "--year", "2026")
    assert refused.exit_code == 2 and "no such organisation" in refused.stderr
    assert counts(service.db) == before
    granted = run("consents", "grant", "--org", "Pujiang Orchard Co-op", "--bank", bank_name)
    assert granted.exit_code == 0, granted.stderr
    listed = run("consents", "list", "--bank", bank_name)
    assert "Pujiang Orchard Co-op" in listed.stdout
    priced = run("loans", "price", "--bank", bank_name, "--borrower", "Pujiang Orchard Co-op",
                 "--product", "linked", "--principal", "10000000", "--year", "2026")
    assert priced.exit_code == 0, priced.stderr
    # 15 % >= 10 %: 300 - 60 = 240 bp; 10,000,000 x 0.0060 = 60,000; + 50,000 coupon
    assert "2.40 % (3.00 % less 60 bp)" in priced.stdout
    assert "total benefit 110,000.00 yuan" in priced.stdout
    revoked = run("consents", "revoke", "--org", "Pujiang Orchard Co-op", "--bank", bank_name)
    assert revoked.exit_code == 0
    assert run("consents", "revoke", "--org", "Pujiang Orchard Co-op",
               "--bank", bank_name).exit_code == 1  # nothing to revoke: a conflict


@pytest.mark.parametrize("args, where", [
    (["--base-rate", "-1", "--preset", "target"], "base_rate_pct"),
    (["--base-rate", "0.5", "--preset", "target"], "rules"),
    (["--base-rate", "3", "--rule", '{"kind": "table", "bands": [{"from_pct": 5, "to_pct": 10, '
      '"cut_bp": 30}, {"from_pct": 3, "to_pct": 5, "cut_bp": 10}]}'],
     "rules[0].bands[1].from_pct"),
])
def test_the_command_line_refuses_bad_terms(service, run, cli_home, args, where):
    before = counts(service.db)
    result = run("loans", "products", "create", "--bank", "Chengdu Rural Commercial Bank",
                 "--name", "bad", "--base-rate-date", "2025-11-20", *args)
    assert result.exit_code == 2 and where in result.stderr
    assert counts(service.db) == before


def test_the_command_line_refuses_an_unknown_bank_or_borrower(service, run, cli_home):
    before = counts(service.db)
    unknown_bank = run("consents", "grant", "--org", "Pujiang Orchard Co-op", "--bank", "Nobody")
    assert unknown_bank.exit_code == 2 and 'no bank "Nobody"' in unknown_bank.stderr
    unknown_org = run("loans", "price", "--bank", "Chengdu Rural Commercial Bank",
                      "--borrower", "Nobody", "--product", "x", "--principal", "1",
                      "--year", "2026")
    assert unknown_org.exit_code == 2 and \
        'error: borrower: organisation "Nobody" unknown; valid: "Chengdu Rural Commercial ' \
        in unknown_org.stderr
    assert counts(service.db) == before


# -- the demo, as a new user tries it -----------------------------------------------------------

def test_the_demo_bank_sees_the_co_operative_and_both_see_the_priced_loan(tmp_path, engine):
    from footprint.usecases import demo, reductions

    home = tmp_path / "demo"
    home.mkdir()
    db, _ = seeded_demo(home, engine)
    app = app_on(home, engine, TESTING=True, WTF_CSRF_ENABLED=False)

    bank, coop = (log_in(app.test_client(), name, demo.DEMO_PASSWORD)
                  for name in ("ruralbank", "orchard"))
    coop_id = db.execute("SELECT id FROM organisations WHERE name = ?",
                         [demo.COOP.name]).fetchone()[0]
    index = bank.get("/bank/").get_data(as_text=True)
    assert demo.COOP.name in index and demo.LOAN_PRODUCT in index
    assert bank.get(f"/bank/accounts/{coop_id}").status_code == 200
    decision = next(db.query("SELECT * FROM loan_decisions"))
    # the co-operative's reduction from 2025 to 2026, both under the current data, meets the
    # 10 % target, so the published terms apply: 60 bp off the 3.00 % LPR = 2.40 %;
    # 10,000,000 x 0.0060 = 60,000 a year; the coupon 50 bp x 10,000,000 = 50,000 (its cap);
    # 60,000 + 50,000 = 110,000 yuan in the first year
    assert reductions.reduction(db, engine, coop_id, 2026).like_for_like_pct >= 10
    assert (decision["principal"], decision["cut_bp"], decision["rate_bp"]) == \
        ("10000000.00", 60, 240)
    assert (decision["interest_saved"], decision["subsidy"], decision["total_benefit"]) == \
        ("60000.00", "50000.00", "110000.00")
    for client in (bank, coop):  # the same decision on both sides
        page = client.get(f"/loans/decisions/{decision['id']}").get_data(as_text=True)
        assert "2.40 %" in page and "110,000.00" in page
        # what to check it against, as links a bank officer can follow
        assert 'href="/.well-known/footprint/trust-list.json"' in page
        assert 'href="/log/checkpoint"' in page
        # the site serves no docs/: the check's steps are named as the source's document
        assert "<code>docs/loans.md</code>（该文件在源代码中，不是本网站的页面）" in page
    # what the 60 bp cut rests on, as the officer must weigh it, on the decision and on the
    # account: each year's label linked to its registry page, its accounting body and day of
    # verification, its P5-P95 range to 3 figures (0.236262-0.301564 -> 0.236-0.302;
    # 0.198964-0.258107 -> 0.199-0.258), grade, and data quality (2025: (3.0 + 2.6 + 2.5) / 3 = 2.7, good)
    labels = {row["year"]: row["label"]
              for row in loans.evidence_of(db, loans.decision_for(
                  db, {"role": "bank", "org_id": decision["bank_org_id"]}, decision["id"]))}
    verified = {year: display.date_text(next(db.query(
        "SELECT MAX(a.at) AS at FROM audit_events a JOIN labels l "
        "ON l.submission_id = a.submission_id WHERE l.id = ? AND a.action = 'verify'",
        [label]))["at"]) for year, label in labels.items()}
    bank.set_cookie("lang", "en")
    for path in (f"/loans/decisions/{decision['id']}", f"/bank/accounts/{coop_id}"):
        page = bank.get(path).get_data(as_text=True)
        for year, range_, grade in ((2025, "0.236–0.302", "C"), (2026, "0.199–0.258", "B")):
            row = page[page.index(f'<a href="/registry/labels/{labels[year]}">'):]
            row = row[:row.index("</tr>", row.index("</tr>") + 1)]  # and the row under it
            assert "Sichuan Carbon Verification Centre" in row
            assert f"Verified on {verified[year]}" in row
            assert f"Range P5–P95: {range_} kg CO₂e" in row
            assert f'<strong class="grade-letter">{grade}</strong>' in row
        assert "Data quality good (2.7)" in page
    # the form says which years can be priced: the co-operative has verified footprints in
    # 2025 and 2026, so 2026 only (2025 has no 2024 to fall from), and shows it as the example
    form = bank.get("/bank/price").get_data(as_text=True)
    assert 'placeholder="2026"' in form and 'placeholder="2025"' not in form
    assert f'<li data-org="{coop_id}">{demo.COOP.name}: 2026</li>' in form
    # the bank prices it again, as a new user would, from the form, writing the principal
    # the way it is said: 1000万 = 10,000,000 yuan
    again = bank.post("/bank/price", data={"borrower": coop_id, "loan_product": 1,
                                           "principal": "1000万", "year": "2026"})
    assert again.status_code == 302
    priced = next(db.query("SELECT principal FROM loan_decisions ORDER BY id DESC LIMIT 1"))
    assert priced["principal"] == "10000000.00"
