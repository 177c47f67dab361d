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
from footprint.usecases import revoking


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
    found = accounts.reduction(service.db, engine, orchard, 2026)
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
    found = accounts.reduction(service.db, engine, orchard, 2026, base_year=2025)
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
        accounts.reduction(service.db, engine, orchard, 2026)
    assert [p.where for p in raised.value.problems] == ["base_year"]
    assert "2025" in str(raised.value.problems[0].message)
    with pytest.raises(InvalidInput) as raised:
        accounts.reduction(service.db, engine, orchard, 2027, base_year=2026)
    assert [p.where for p in raised.value.problems] == ["year"]


def test_a_draft_is_not_a_verified_footprint(service, approve, issuer, engine, orchard):
    from footprint.usecases import submissions as subs
    approve(bom("cable", 2026, 90), issuer)
    subs.create_submission(service.db, engine, service.people["orchard"],
                           bom("cable", 2025, 100))
    with pytest.raises(InvalidInput):
        accounts.reduction(service.db, engine, orchard, 2026)


def test_a_revoked_labels_footprint_is_excluded(service, approve, issuer, engine, orchard):
    approve(bom("cable", 2025, 100), issuer)  # 61.91
    approve(bom("cable", 2025, 95), issuer)   # 95 x 0.6191 = 58.8145, verified later
    approve(bom("cable", 2026, 90), issuer)   # 55.719
    # the later 2025 footprint stands: (58.8145 - 55.719) / 58.8145 = 3.0955 / 58.8145 = 5.263 %
    found = accounts.reduction(service.db, engine, orchard, 2026)
    assert found.like_for_like_pct == pytest.approx(5.2632, abs=1e-3)
    second_2025 = found.footprints[0]
    revoking.revoke(service.db, service.people["reviewer"], second_2025[2], "data error")
    # without it the first 2025 footprint stands: (61.91 - 55.719) / 61.91 = 10 %
    found = accounts.reduction(service.db, engine, orchard, 2026)
    assert found.like_for_like_pct == pytest.approx(10.0, rel=1e-6)
    assert second_2025[0] not in [f[0] for f in found.footprints]


def test_a_product_of_another_organisation_is_not_found(service, approve, issuer, engine):
    approve(bom("cable", 2025, 100), issuer)
    approve(bom("cable", 2026, 90), issuer)
    product = service.db.execute("SELECT id FROM products").fetchone()[0]
    steel = service.people["steelworks"]["org_id"]
    with pytest.raises(NotFound):
        accounts.reduction(service.db, engine, steel, 2026, product_id=product)
    assert accounts.valid_label_on(service.db, steel, product, "2026-06-01") is None


def test_the_base_year_comes_before_the_year(service, engine, orchard):
    with pytest.raises(InvalidInput) as raised:
        accounts.reduction(service.db, engine, orchard, 2026, base_year=2026)
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
    assert accounts.valid_label_on(service.db, orchard, product, "2027-01-31") is None
    assert accounts.valid_label_on(service.db, orchard, product, "2027-02-01") == first_label
    assert accounts.valid_label_on(service.db, orchard, product, "2027-04-30") == first_label
    assert accounts.valid_label_on(service.db, orchard, product, "2027-05-01") == second_label
    revoking.revoke(service.db, service.people["reviewer"], second_label, "withdrawn")
    # revoked on 2027-06-01: valid the day before, not at the end of that day
    assert accounts.valid_label_on(service.db, orchard, product, "2027-05-31") == second_label
    assert accounts.valid_label_on(service.db, orchard, product, "2027-06-01") is None
    with pytest.raises(InvalidInput) as raised:
        accounts.valid_label_on(service.db, orchard, product, "1 May")
    assert [p.where for p in raised.value.problems] == ["day"]
