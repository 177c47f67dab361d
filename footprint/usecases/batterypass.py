"""A battery label's carbon footprint as the Battery Pass data model records it, and the
Regulation (EU) 2023/1542 Art. 7 figures pages and printed labels show.

Every value comes from the label's stored result: the result whose reproducibility hash the
label signs (store.results.signed), in which the batteries plugin put its label extension
(``result["extensions"]["batteries"]``, plugins/batteries/passport.py). Nothing is
calculated again here: the figures are read, never recomputed, so the record, the pages and
the printed label say what the platform signed and stored.

    figures(result)                  the Art. 7 figures of a result, or None
                                     (footprint.batteryfigures: `footprint calc` reads them
                                     without loading this module's imports)
    label_figures(db, label)         the same, of a stored label's signed result
    record(db, label_id, scan_url)   GET /api/v1/labels/<id>/battery-pass

The record is ``CarbonFootprintForBatteries`` of the Battery Pass Data Model 1.2.0
(urn:samm:io.BatteryPass.CarbonFootprint:1.2.0, Battery Pass consortium,
github.com/batterypass/BatteryPassDataModel); SCHEMA is the published OpenAPI document of
that aspect, vendored with its licence notice (footprint/schemas/batterypass/NOTICE.md).
"""
from __future__ import annotations

from pathlib import Path

from ..batteryfigures import figures
from ..errors import Message, NotFound
from .labels import current_of, get, signed_result, status

DATA_MODEL = "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#CarbonFootprintForBatteries"
DATA_MODEL_VERSION = "1.2.0"
DATA_MODEL_SOURCE = ("Battery Pass Data Model 1.2.0, Battery Pass consortium, "
                     "https://github.com/batterypass/BatteryPassDataModel "
                     "(BatteryPass/io.BatteryPass.CarbonFootprint/1.2.0), CC BY 4.0")
SCHEMA = (Path(__file__).resolve().parent.parent / "schemas" / "batterypass"
          / "CarbonFootprintForBatteries_openapi3_0.json")
# the model's LifecycleStage enumeration, in its order
LIFECYCLE_STAGES = ("RawMaterialExtraction", "MainProduction", "Distribution", "Recycling")
UNIT_PER_KWH_DELIVERED = "kg CO2e per kWh of total energy delivered over the expected service life"


def label_figures(db, label: dict) -> dict | None:
    """The Art. 7 figures of a stored label's signed result, or None."""
    return figures(signed_result(db, label))


def record(db, label_id: str, scan_url: str) -> dict:
    """The Battery Pass record of a battery label, with the label's status beside it.

    ``scan_url`` is the label's public scan page: it is the record's carbonFootprintStudy
    unless the producer named a public study (the BOM's ``carbon_footprint_study``).
    NotFound for an unknown label, and for a label whose signed result has no Art. 7 figure
    (any other category, or a battery BOM without its parameters)."""
    label = get(db, label_id)
    result = signed_result(db, label)
    shown = figures(result)
    if shown is None:
        raise NotFound(Message("label %(id)s is not a battery label with the Art. 7 figures "
                               "(Regulation (EU) 2023/1542): it has no Battery Pass record",
                               id=label_id))
    passport = {
        "batteryCarbonFootprint": shown["per_kwh_delivered"],
        "carbonFootprintPerLifecycleStage": [
            {"lifecycleStage": stage["code"], "carbonFootprint": stage["per_kwh_delivered"]}
            for stage in shown["stages"]],
        "carbonFootprintPerformanceClass": shown["performance_class"],
        "carbonFootprintStudy": shown["study"] or scan_url,
    }
    if shown["absolute"] is not None:
        passport["absoluteCarbonFootprint"] = shown["absolute"]
    state = status(label)
    current = current_of(db, label) if label["superseded_by"] else None
    return {
        "label_id": label["id"],
        "status": state,
        "superseded_by": label["superseded_by"],
        "current_label": current["id"] if current else None,
        "revoked_at": label["revoked_at"],
        "revocation_reason": label["revocation_reason"],
        "data_model": {"urn": DATA_MODEL, "version": DATA_MODEL_VERSION,
                       "source": DATA_MODEL_SOURCE},
        "CarbonFootprintForBatteries": passport,
        "units": {"batteryCarbonFootprint": UNIT_PER_KWH_DELIVERED,
                  "carbonFootprintPerLifecycleStage": UNIT_PER_KWH_DELIVERED,
                  "absoluteCarbonFootprint": "kg CO2e per battery (pack_capacity_kwh x kg "
                                             "CO2e per kWh of capacity)"},
        "provisional": {
            "performance_class": shown["provisional"],
            "art7_formula": True,
            "note": "The performance classes are this platform's own bands until the "
                    "delegated act of Art. 7(2) sets them; the per-kWh-delivered formula "
                    "follows the Commission's draft delegated act, not adopted yet.",
        },
        "study_source": "producer" if shown["study"] else "scan page",
        "scan_url": scan_url,
        "reproducibility_hash": (result or {}).get("reproducibility_hash"),
    }
