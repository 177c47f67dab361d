"""A battery's Regulation (EU) 2023/1542 Art. 7 figures, read from a result as the batteries
plugin stored them (``result["extensions"]["batteries"]``, plugins/batteries/passport.py):
the footprint per kWh delivered over the service life, the provisional performance class and
the Annex II stages. Read, never recomputed. The submission and scan pages and the printed
label show them through footprint.usecases.batterypass; `footprint calc` prints them from a
stored result, which is why they are read here, apart from the use case's imports.
"""
from __future__ import annotations

from .resultnames import names


def figures(result: dict | None) -> dict | None:
    """The Art. 7 figures of a battery result, as the batteries plugin stored them: the
    footprint per kWh delivered, the provisional performance class and the Annex II stages;
    None for any other result, or a battery BOM without its parameters (which has no Art. 7
    figure)."""
    extension = ((result or {}).get("extensions") or {}).get("batteries") or {}
    fields = extension.get("CarbonFootprintForBatteries")
    if not fields or fields.get("batteryCarbonFootprint") is None:
        return None
    performance = extension.get("performance_class") or {}
    art7 = extension.get("art7_unit") or {}
    return {
        "per_kwh_delivered": fields["batteryCarbonFootprint"],
        "performance_class": fields["carbonFootprintPerformanceClass"],
        # the classes are this platform's own until the delegated act sets them
        "provisional": performance.get("provisional", True) is not False,
        # the class's own words where the plugin gives them (领先(暂行), leading (provisional))
        "class_name": names(performance.get("label_zh"), performance.get("label_en"))
        if performance.get("label_zh") or performance.get("label_en") else None,
        "class_bands": performance.get("bands") or [],
        "stages": [{"code": stage["batteryPassCode"], "annex_ii": stage["lifecycleStage"],
                    "per_kwh_delivered": stage["carbonFootprint"],
                    "per_kwh_capacity": stage.get("kg_co2e_per_kwh_capacity")}
                   for stage in fields.get("carbonFootprintPerLifecycleStage") or []],
        "kwh_delivered_per_kwh_capacity": art7.get("kwh_delivered_per_kwh_capacity"),
        "depth_of_discharge": art7.get("depth_of_discharge"),
        "cycles": art7.get("cycles"),
        "capacity_retention": art7.get("capacity_retention"),
        "kg_co2e_per_kwh_capacity": extension.get("kg_co2e_per_kwh_capacity"),
        "absolute": fields.get("absoluteCarbonFootprint"),
        "study": fields.get("carbonFootprintStudy"),
    }
