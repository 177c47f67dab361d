"""The scan page's line of context (footprint.usecases.everyday), worked by hand.

China's electricity carbon footprint factors (life cycle, kg CO2e/kWh; FACTORS.md section 2):
2023 0.6205 (MEE, NBS and NEA announcement 2025 No. 3), 2024 0.5777 (MEE, 2025-10-23).
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from footprint.model import ElectricityFactor, GradeBand, Grading, Source
from footprint.usecases.everyday import as_electricity, band_of, per_declared_unit

SOURCE = Source("cn_electricity_footprint", "MEE")
FACTORS = {2023: ElectricityFactor("CN", 2023, "lifecycle", 0.6205, "CO2e_aggregated", SOURCE),
           2024: ElectricityFactor("CN", 2024, "lifecycle", 0.5777, "CO2e_aggregated", SOURCE)}
BANDS = Grading((GradeBand("A", 0.12), GradeBand("B", 0.22), GradeBand("C", None)),
                "kg CO2e/kg", SOURCE, "")


def at(year: int) -> datetime:
    return datetime(year, 6, 1, tzinfo=timezone.utc)


def test_the_newest_factor_up_to_the_scan_year():
    # 0.209 / 0.5777 = 0.36178 -> 0.36 kWh (2 significant figures)
    assert as_electricity(FACTORS, Decimal("0.209"), at(2026)).kwh == Decimal("0.36")
    assert as_electricity(FACTORS, Decimal("0.209"), at(2026)).factor.year == 2024
    # in 2023 only the 2023 factor was published: 0.209 / 0.6205 = 0.33683 -> 0.34
    assert as_electricity(FACTORS, Decimal("0.209"), at(2023)).kwh == Decimal("0.34")
    assert as_electricity(FACTORS, Decimal("0.209"), at(2022)) is None
    # a steel label: 2,180 kg per t / 0.5777 = 3,773.58 -> 3,800 kWh
    assert as_electricity(FACTORS, Decimal("2180"), at(2026)).kwh == Decimal("3.8E+3")
    assert as_electricity(FACTORS, Decimal("0"), at(2026)) is None


def test_the_band_with_its_lower_bound():
    first, middle, last = (band_of(BANDS, grade) for grade in "ABC")
    assert (first.lower, first.band.up_to, first.count) == (None, 0.12, 3)
    assert (middle.lower, middle.band.up_to) == (0.12, 0.22)
    assert (last.lower, last.band.up_to) == (0.22, None)
    assert band_of(BANDS, None) is None and band_of(None, "A") is None
    assert band_of(BANDS, "Z") is None


def test_a_label_for_several_units_is_compared_per_unit():
    # 2.09 kg CO2e signed for 10 kg is 0.209 per kg
    claims = {"value": Decimal("2.09"), "declared_unit": {"amount": 10, "unit": "kg"}}
    assert per_declared_unit(claims) == Decimal("0.209")
