"""A supplier's PACT v3 ProductFootprint read as a BOM input: checked, located, in our units.

A buyer's producer receives its suppliers' footprints as PACT v3 JSON (a file, or fetched from
the supplier's PACT host). ``read_footprint`` checks what a BOM line needs of one and says
every problem at its JSON path (``pcf.declaredUnitOfMeasurement``); a Deprecated footprint
is refused, since PACT v3 footprints are immutable and a deprecated one has a successor.

The value a line uses is ``pcf.pcfExcludingBiogenicUptake``, kg CO2e per declared unit
(x-unit "kgCO2e/declared unit" in the PACT v3 OpenAPI document), where "the declared unit is
the declaredUnitAmount times declaredUnitOfMeasurement" (a car door of 80 kg: 80, kilogram),
so

    kg CO2e = line amount (in declaredUnitOfMeasurement) / declaredUnitAmount
              x pcfExcludingBiogenicUptake
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .errors import InvalidInput, Message, Problem

# PACT v3 declaredUnitOfMeasurement -> our unit (footprint.units); "megabit second" has none
PACT_UNITS = {"liter": "L", "kilogram": "kg", "cubic meter": "m3", "kilowatt hour": "kWh",
              "megajoule": "MJ", "ton kilometer": "tkm", "square meter": "m2",
              "piece": "piece"}
STATUSES = ("Active", "Deprecated")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}$")
DQRS = ("technologicalDQR", "geographicalDQR", "temporalDQR")
PREFIX = "pact:"  # a BOM line's input naming an imported footprint: pact:<its id>


@dataclass(frozen=True)
class PactFootprint:
    """What a BOM line needs of a supplier's ProductFootprint."""

    id: str
    spec_version: str
    status: str
    company_name: str
    company_ids: tuple[str, ...]
    product_ids: tuple[str, ...]
    product_name: str
    declared_unit: str  # ours: kg, L, kWh, ...
    declared_amount: float  # how much of it the declared unit is (declaredUnitAmount)
    value: float  # kg CO2e per declared unit, excluding biogenic uptake
    verifier: str  # the verification provider's name, "" when not verified
    dqr: dict | None  # technological, geographical, temporal (1-5), where it states them
    primary_data_share: float | None
    raw: dict = field(compare=False, repr=False, default_factory=dict)  # as it arrived


def read_footprint(content: bytes | str | dict, source: str = "footprint") -> PactFootprint:
    """A PactFootprint from PACT v3 JSON (a ProductFootprint, or a response
    ``{"data": ProductFootprint}``); raises InvalidInput naming every problem's path."""
    problems: list[Problem] = []
    try:
        data = content if isinstance(content, dict) else json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem("", Message("not JSON: %(detail)s", detail=str(exc)))],
                           source) from None
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict):
        raise InvalidInput([Problem("", Message("a PACT ProductFootprint is a JSON object"))],
                           source)

    def text(path: str, required: bool = True) -> str:
        value = _at(data, path)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                problems.append(Problem(path, Message("missing: a PACT v3 ProductFootprint "
                                                      "must have it")))
            return ""
        if not isinstance(value, str):
            problems.append(Problem(path, Message("must be text, not %(value)s",
                                                  value=json.dumps(value))))
            return ""
        return value.strip()

    def decimal(path: str, required: bool = True) -> float | None:
        value = _at(data, path)
        if value is None:
            if required:
                problems.append(Problem(path, Message("missing: a PACT v3 ProductFootprint "
                                                      "must have it")))
            return None
        # PACT v3 writes decimals as strings ("0.123"); a JSON number is accepted as well
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(Problem(path, Message("%(value)s is not a decimal number",
                                                  value=json.dumps(value))))
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            problems.append(Problem(path, Message("%(value)s is not a decimal number",
                                                  value=json.dumps(value))))
            return None
        if not number.is_finite():
            problems.append(Problem(path, Message("%(value)s is not a decimal number",
                                                  value=json.dumps(value))))
            return None
        return float(number)

    def urns(path: str) -> tuple[str, ...]:
        value = _at(data, path)
        if not isinstance(value, list) or not value or \
                not all(isinstance(v, str) and v.lower().startswith("urn:") for v in value):
            problems.append(Problem(path, Message("must be a non-empty list of URNs "
                                                  "(urn:...)")))
            return ()
        return tuple(value)

    footprint_id = text("id")
    if footprint_id and not UUID.match(footprint_id):
        problems.append(Problem("id", Message('"%(value)s" is not a UUID', value=footprint_id)))
    spec_version = text("specVersion")
    if spec_version and not spec_version.startswith("3."):
        problems.append(Problem("specVersion", Message(
            "version %(version)s: only PACT v3 footprints are read (v2 is deprecated)",
            version=spec_version)))
    status = text("status")
    if status and status not in STATUSES:
        problems.append(Problem("status", Message('"%(value)s" is not a status: %(choices)s',
                                                  value=status, choices=", ".join(STATUSES))))
    elif status == "Deprecated":
        problems.append(Problem("status", Message(
            "footprint %(id)s is Deprecated: ask the supplier for the footprint that "
            "replaces it (its precedingPfIds name this one)", id=footprint_id)))
    unit_name = text("pcf.declaredUnitOfMeasurement")
    unit = PACT_UNITS.get(unit_name)
    if unit_name and unit is None:
        problems.append(Problem("pcf.declaredUnitOfMeasurement", Message(
            '"%(value)s" is not a declared unit a BOM line can use: %(choices)s',
            value=unit_name, choices=", ".join(PACT_UNITS))))
    amount = decimal("pcf.declaredUnitAmount")
    if amount is not None and amount <= 0:
        problems.append(Problem("pcf.declaredUnitAmount", Message(
            "%(value)s: the declared unit's amount is more than 0", value=amount)))
    value = decimal("pcf.pcfExcludingBiogenicUptake")
    dqi = _at(data, "pcf.dqi")
    dqr = None
    if isinstance(dqi, dict):
        ratings = {name.removesuffix("DQR"): decimal(f"pcf.dqi.{name}") for name in DQRS}
        for name, rating in ratings.items():
            if rating is not None and not 1 <= rating <= 5:
                problems.append(Problem(f"pcf.dqi.{name}DQR", Message(
                    "%(value)s is not a rating from 1 to 5", value=rating)))
        if None not in ratings.values():
            dqr = ratings
    share = decimal("pcf.primaryDataShare", required=False)
    verifier = text("pcf.verification.providerName", required=False) \
        if isinstance(_at(data, "pcf.verification"), dict) else ""
    footprint = PactFootprint(
        footprint_id.lower(), spec_version, status, text("companyName"), urns("companyIds"),
        urns("productIds"), text("productNameCompany"), unit or "", amount or 1.0,
        value or 0.0, verifier,
        dqr, share, data)
    if problems:
        raise InvalidInput(problems, source)
    return footprint


def _at(data: dict, path: str):
    value = data
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value
