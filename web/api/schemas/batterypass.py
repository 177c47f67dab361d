"""The Battery Pass record of a battery label in the JSON API (web/api/labels.py)."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.usecases.batterypass import LIFECYCLE_STAGES
from footprint.usecases.labels import STATUSES as LABEL_STATUSES

from .base import _Response


class BatteryLifecycleStageSchema(_Response):
    lifecycleStage = fields.String(required=True, validate=validate.OneOf(LIFECYCLE_STAGES),
                                   metadata={"description": "The Battery Pass LifecycleStage "
                                                            "code of an Annex II stage."})
    carbonFootprint = fields.Float(required=True, metadata={
        "description": "kg CO2e per kWh of total energy delivered over the expected service "
                       "life, from this stage."})


class CarbonFootprintForBatteriesSchema(_Response):
    """CarbonFootprintForBatteries of the Battery Pass Data Model 1.2.0
    (urn:samm:io.BatteryPass.CarbonFootprint:1.2.0)."""

    batteryCarbonFootprint = fields.Float(required=True, metadata={
        "description": "kg CO2e per kWh of total energy delivered over the expected service "
                       "life (Regulation (EU) 2023/1542 Art. 7), over the Annex II stages."})
    carbonFootprintPerLifecycleStage = fields.List(
        fields.Nested(BatteryLifecycleStageSchema), required=True,
        metadata={"description": "The Annex II stages, the use stage excluded."})
    carbonFootprintPerformanceClass = fields.String(required=True, metadata={
        "description": "A to E: this platform's provisional bands (see provisional)."})
    carbonFootprintStudy = fields.String(required=True, metadata={
        "description": "The producer's public study when the BOM names one, else the "
                       "label's scan page."})
    absoluteCarbonFootprint = fields.Float(metadata={
        "description": "kg CO2e per battery, when the BOM gives pack_capacity_kwh."})


class BatteryPassModelSchema(_Response):
    urn = fields.String(required=True)
    version = fields.String(required=True)
    source = fields.String(required=True)


class BatteryPassProvisionalSchema(_Response):
    performance_class = fields.Boolean(required=True)
    art7_formula = fields.Boolean(required=True)
    note = fields.String(required=True)


class BatteryPassSchema(_Response):
    label_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(LABEL_STATUSES), metadata={
        "description": "The label's status: a superseded or revoked label's record is not "
                       "vouched for any more."})
    superseded_by = fields.String(allow_none=True, required=True)
    current_label = fields.String(allow_none=True, required=True, metadata={
        "description": "The label at the end of the chain of supersessions (status "
                       "superseded): ask for its record instead."})
    revoked_at = fields.String(allow_none=True, required=True)
    revocation_reason = fields.String(allow_none=True, required=True)
    data_model = fields.Nested(BatteryPassModelSchema, required=True)
    CarbonFootprintForBatteries = fields.Nested(CarbonFootprintForBatteriesSchema,
                                                required=True)
    units = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    provisional = fields.Nested(BatteryPassProvisionalSchema, required=True)
    study_source = fields.String(required=True, validate=validate.OneOf(
        ("producer", "scan page")))
    scan_url = fields.String(required=True)
    reproducibility_hash = fields.String(allow_none=True, required=True, metadata={
        "description": "The hash of the stored result the label signs, which the values "
                       "are read from."})
