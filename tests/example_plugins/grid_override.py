"""An example third-party plugin: a fictitious test region and a corrected Sichuan factor.

The values are test fixtures, not published figures.
"""
from footprint import ElectricityFactor, Region, Source, hookimpl

SOURCE = Source("example_test_grid", "Example utility, test fixture values", "test")


@hookimpl
def register_regions(registry):
    return [Region("XT-01", "测试区", "Test region", "province", country="XT")]


@hookimpl
def register_electricity_factors(registry):
    return [ElectricityFactor("XT-01", 2022, "location", 0.5, "CO2_fossil", SOURCE),
            ElectricityFactor("CN-SC", 2022, "location", 0.2, "CO2_fossil", SOURCE)]
