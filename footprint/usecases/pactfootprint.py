"""One issued label as a PACT v3 ProductFootprint (docs/pact.md has the table): what a buyer's
system reads of it, and the little a list filters on (``identity``).

What a footprint says is read from the label as stored (its record and the full result it
signed), so a footprint never changes, except its ``status``: a label superseded or revoked
(as the transparency log says) is ``Deprecated``; its successor lists the labels it follows in
``precedingPfIds``. A revoked footprint's validity period ends when it was revoked, and its
comment says why.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ..identifiers import pact_footprint_id

SPEC_VERSION = "3.0.0"


# -- geography --------------------------------------------------------------------------------

_ISO_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")


def geography(region: str) -> dict:
    """The PACT geography of a region code: exactly one of geographyCountrySubdivision (an
    ISO 3166-2 code: CN-SC), geographyCountry (CN; a grid region CN-GRID-EAST is its country)
    or geographyRegionOrSubregion (EU: Europe)."""
    region = (region or "").upper()
    if _ISO_SUBDIVISION.fullmatch(region):
        return {"geographyCountrySubdivision": region}
    if re.fullmatch(r"[A-Z]{2}", region) and region != "EU":
        return {"geographyCountry": region}
    if region == "EU":
        return {"geographyRegionOrSubregion": "Europe"}
    if re.fullmatch(r"[A-Z]{2}-.+", region):
        return {"geographyCountry": region[:2]}
    return {}



# -- numbers, units, times --------------------------------------------------------------------

def decimal(value) -> str:
    """A PACT decimal string: at most 6 decimal places, no exponent, no -0."""
    try:
        number = Decimal(repr(float(value))).quantize(Decimal("0.000001"))
    except (InvalidOperation, TypeError, ValueError):
        return "0"
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") or Decimal(text) == 0 else text


_UNITS = {  # our unit -> (PACT unit, factor to it)
    "kg": ("kilogram", 1.0), "g": ("kilogram", 1e-3), "t": ("kilogram", 1e3),
    "kWh": ("kilowatt hour", 1.0), "Wh": ("kilowatt hour", 1e-3),
    "MWh": ("kilowatt hour", 1e3), "GWh": ("kilowatt hour", 1e6),
    "MJ": ("megajoule", 1.0), "GJ": ("megajoule", 1e3),
    "tkm": ("ton kilometer", 1.0), "kgkm": ("ton kilometer", 1e-3),
    "L": ("liter", 1.0), "mL": ("liter", 1e-3), "m3": ("cubic meter", 1.0),
    "m2": ("square meter", 1.0), "ha": ("square meter", 1e4),
    "piece": ("piece", 1.0),
}


def declared_unit(unit: dict) -> tuple[str, float, str]:
    """(PACT unit, amount in it, productMassPerDeclaredUnit): mass units are their own mass;
    energy and transport 0 (the spec's rule); volume, area and pieces 0 as the platform does
    not record the product's mass (the comment says so)."""
    name, factor = _UNITS.get(unit.get("unit"), ("piece", 1.0))
    amount = float(unit.get("amount") or 1.0) * factor
    mass = decimal(amount) if name == "kilogram" else "0"
    return name, amount, mass


def _utc(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(bom: dict, submission_created_at: str) -> tuple[str, str]:
    """The reference period (PACT: when the activity data was collected): the calendar year
    of the BOM's reference_year, the year whose production it describes (the carbon account
    files it there), else the twelve months before the submission was made. Not its
    factor_year: that is the vintage of the electricity factors, not of the activity data."""
    year = (bom or {}).get("reference_year")
    if isinstance(year, int) and 1900 < year < 3000:
        return f"{year}-01-01T00:00:00Z", f"{year + 1}-01-01T00:00:00Z"
    end = datetime.fromisoformat(submission_created_at).astimezone(timezone.utc) \
        .replace(hour=0, minute=0, second=0)
    start = end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29) \
        else end.replace(year=end.year - 1, day=28)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- one label as a ProductFootprint ------------------------------------------------------------

_STAGE_NAMES = {"raw_materials": "raw materials (原材料获取)",
                "production": "production (生产)",
                "distribution": "distribution (分销)", "packaging": "packaging (包装)",
                "use": "use (使用)", "end_of_life": "end of life (寿命终止)"}
_BOUNDARIES = {"cradle_to_gate": "cradle to gate (从摇篮到大门)",
               "cradle_to_grave": "cradle to grave (从摇篮到坟墓)",
               "gate_to_gate": "gate to gate (从大门到大门)"}


def _standards(standard: str | None) -> list[str]:
    """crossSectoralStandards from the result's standard ("GB/T 24067-2024 / ISO
    14067:2018"): ISO14067 as the spec names it, and the national standard as written."""
    out = []
    parts = [p.strip() for p in re.split(r"\s+/\s+", standard or "") if p.strip()]
    for part in parts:
        if "14067" in part and "ISO" in part.upper():
            out.append("ISO14067")
        else:
            out.append(part)
    return list(dict.fromkeys(["ISO14067", *out]))


def _ipcc(method: dict) -> list[str]:
    found = re.search(r"ar(\d+)", (method or {}).get("id", ""), re.IGNORECASE)
    return [f"AR{found.group(1)}"] if found else ["AR6"]


def _secondary_sources(result: dict) -> list[dict]:
    """Each dataset a factor came from, once, with the data version the result used (the
    published versions of the datasets, e.g. MEE-2023, else the data version's hash)."""
    # the platform's data version fixes the version of every dataset (footprint data
    # versions lists them): its name and the first 16 digits of its hash
    digest = (result.get("data_version") or "")[:16]
    name = result.get("data_version_name")
    version = f"{name} ({digest})" if name and digest else (name or digest)
    names = []
    for factor in result.get("factors") or []:
        dataset = ((factor.get("source") or {}).get("dataset") or "").strip()
        if dataset and factor.get("kind") != "supplier-label":
            names.append(dataset)
    return [{"name": name, "version": version or "unversioned"}
            for name in dict.fromkeys(names)]


def _extensions(result: dict, base_url: str) -> list[dict]:
    """A category's own data (the batteries passport: per kWh delivered, performance class)
    as PACT data model extensions, one per plugin that added some."""
    out = []
    for name, data in sorted((result.get("extensions") or {}).items()):
        if isinstance(data, dict) and data:
            out.append({"specVersion": "2.0.0",
                        "dataSchema": f"{base_url}/3/extensions/{name}/1.0.0/schema.json",
                        "data": json.loads(json.dumps(data, default=str))})
    return out


def extension_names(plugin_manager) -> set[str]:
    """The data model extensions a footprint may carry: one per plugin that adds label
    extensions, named after it (``_extensions``)."""
    return {impl.plugin_name for impl in plugin_manager.hook.label_extensions.get_hookimpls()}


def _status(state: dict) -> str:
    return "Deprecated" if state["superseded_by"] or state["revoked_at"] else "Active"


def identity(row: dict, record: dict, state: dict) -> dict:
    """What ListFootprints filters on, read from the label's row, record and state alone (no
    result): so only the footprints of the page asked for are built in full."""
    issuer = row["issuer"].lower()
    company_ids = []
    if row.get("credit_code"):
        company_ids.append(f"urn:uscc:{row['credit_code']}")
    if isinstance(record.get("producer"), str) and \
            f"urn:uscc:{record['producer']}" not in company_ids:
        company_ids.append(f"urn:uscc:{record['producer']}")  # the code the label signed
    company_ids.append(f"urn:footprint:{issuer}:org:{row['org_id']}")
    product_ids = [f"urn:gtin:{row['gtin']}"] if row.get("gtin") else []
    product_ids.append(f"urn:footprint:{issuer}:product:{row['product_id']}")
    validity_end = state.get("expires_at") or row["expires_at"]
    if state.get("revoked_at") and state["revoked_at"] < validity_end:
        validity_end = state["revoked_at"]
    return {"id": pact_footprint_id(row["id"]), "status": _status(state),
            "validityPeriodStart": _utc(row["issued_at"]),
            "validityPeriodEnd": _utc(validity_end),
            "companyIds": company_ids, "productIds": product_ids,
            "productClassifications": [f"urn:footprint:category:{row['category']}"],
            "region": record.get("region") or ""}


def product_footprint(row: dict, state: dict, result: dict | None, preceding: list[str],
                      platform: str, base_url: str) -> dict:
    """One issued label as a PACT v3 ProductFootprint (docs/pact.md has the table)."""
    record = json.loads(row["claims_json"])
    result = result or {}
    bom = ((result.get("bom") or {}).get("bom")) or {}
    name_zh = record.get("product_name_zh") or row.get("product_name_zh")
    name_en = record.get("product_name_en") or row["product_name"]
    ident = identity(row, record, state)
    category = result.get("category") or {}
    unit, amount, mass = declared_unit(result.get("declared_unit") or
                                       record.get("declared_unit") or {})
    total = float(result.get("total_kg_co2e", record.get("value", 0.0)))
    by_stage = result.get("by_stage") or record.get("by_stage") or {}
    fossil = float(result.get("fossil_kg_co2e") or 0.0)
    other = float(result.get("other_kg_co2e") or 0.0)  # N2O of soils and the like
    unspecified = float(result.get("unspecified_kg_co2e") or 0.0)
    biogenic_co2 = float(result.get("biogenic_co2_kg") or 0.0)
    biogenic_non_co2 = float(result.get("biogenic_kg_co2e") or 0.0)
    start, end = _period(bom, row["submission_created_at"])
    boundary = _BOUNDARIES.get(result.get("system_boundary"),
                               result.get("system_boundary") or "cradle to gate")
    stages = "; ".join(f"{_STAGE_NAMES.get(stage, stage)} {decimal(value)} kg CO2e"
                       for stage, value in by_stage.items())
    pcf = {
        "declaredUnitOfMeasurement": unit,
        "declaredUnitAmount": decimal(amount),
        "productMassPerDeclaredUnit": mass,
        "referencePeriodStart": start,
        "referencePeriodEnd": end,
        **geography(result.get("region") or ident["region"]),
        "boundaryProcessesDescription": f"{boundary}: {stages}" if stages else boundary,
        # biogenic CO2 counts 0 in the headline value (the method says so); uptake is not
        # modelled, so both PCFs are the total
        "pcfExcludingBiogenicUptake": decimal(total),
        "pcfIncludingBiogenicUptake": decimal(total),
        # everything but the biogenic: PACT counts land-management N2O as fossil, and
        # aggregated CO2e factors whose gases are not split are counted here too
        "fossilGhgEmissions": decimal(fossil + other + unspecified),
        "fossilCarbonContent": "0",
        "ipccCharacterizationFactors": _ipcc(result.get("method")),
        "crossSectoralStandards": _standards(result.get("standard")),
        "exemptedEmissionsPercent": "0",
        "exemptedEmissionsDescription": "",
        "ccsTechnologicalCO2CaptureIncluded": False,
    }
    if biogenic_non_co2 > 0:
        pcf["biogenicNonCO2Emissions"] = decimal(biogenic_non_co2)
    packaging = float(by_stage.get("packaging") or 0.0)
    pcf["packagingEmissionsIncluded"] = packaging > 0
    if packaging > 0:
        pcf["packagingGhgEmissions"] = decimal(packaging)
    sources = _secondary_sources(result)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    if result.get("primary_data_share") is not None:
        pcf["primaryDataShare"] = decimal(result["primary_data_share"])
    dqi = result.get("dqi") or {}
    if all(dqi.get(k) is not None for k in ("technological", "geographical", "temporal")):
        pcf["dqi"] = {"technologicalDQR": decimal(dqi["technological"]),
                      "geographicalDQR": decimal(dqi["geographical"]),
                      "temporalDQR": decimal(dqi["temporal"])}
    verifier = record.get("verifier_name") or row.get("verifier_name")
    if verifier:
        verification = {"coverage": "product level", "providerName": verifier,
                        "standardName": result.get("standard") or "ISO 14067"}
        if row.get("verified_at"):
            verification["completedAt"] = _utc(row["verified_at"])
        pcf["verification"] = verification
    comment = [f"Carbon label {row['id']} issued by {row['issuer']} at {platform}; its "
               "signed bytes and "
               f"transparency-log proof are at {base_url}/api/v1/labels/{row['id']}."]
    comment.append(f"Calculated with data version {result.get('data_version_name') or ''} "
                   f"({(result.get('data_version') or '')[:16]}), reproducibility hash "
                   f"{record.get('reproducibility_hash', '')[:16]}.")
    if unspecified > 0:
        comment.append(f"fossilGhgEmissions includes {decimal(unspecified)} kg CO2e from "
                       "aggregated factors whose gases are not split by origin.")
    if other > 0:
        comment.append(f"fossilGhgEmissions includes {decimal(other)} kg CO2e of other "
                       "gases (e.g. N2O from soils), as PACT counts land-management "
                       "emissions.")
    if biogenic_co2 > 0:
        comment.append(f"Biogenic CO2 emitted: {decimal(biogenic_co2)} kg, counted 0 in "
                       "the PCF (ISO 14067 reports it separately).")
    comment.append("Fossil carbon content of the product is not assessed (reported 0); "
                   "biogenic CO2 uptake is not modelled.")
    if mass == "0" and unit not in ("kilowatt hour", "megajoule", "ton kilometer"):
        comment.append("The product's mass per declared unit is not recorded (reported 0).")
    for note in result.get("notes") or []:
        note = str(note).strip()
        comment.append(note[:1].upper() + note[1:] + ("" if note.endswith(".") else "."))
    # what happened to the label since, last: the rest of the comment never changes
    if state.get("revoked_at"):
        comment.append(f"REVOKED {_utc(state['revoked_at'])}: "
                       f"{state.get('revocation_reason') or ''}".strip())
    if state.get("superseded_by"):
        comment.append(f"Superseded by carbon label {state['superseded_by']} (footprint "
                       f"{pact_footprint_id(state['superseded_by'])}).")
    description = " / ".join(n for n in (name_zh, name_en) if n)
    category_names = " / ".join(n for n in (category.get("name_zh"), category.get("name_en"))
                                if n)
    if category_names:
        description += f". {category_names}"
    description += f". {boundary}"
    footprint = {
        "id": ident["id"],
        "specVersion": SPEC_VERSION,
        "created": _utc(row["issued_at"]),
        "status": ident["status"],
        "validityPeriodStart": ident["validityPeriodStart"],
        "validityPeriodEnd": ident["validityPeriodEnd"],
        "companyName": record.get("producer_name") or row["org_name"],
        "companyIds": ident["companyIds"],
        "productDescription": description,
        "productIds": ident["productIds"],
        "productClassifications": ident["productClassifications"],
        "productNameCompany": name_zh or name_en,
        "comment": " ".join(comment),
        "pcf": pcf,
    }
    if preceding:
        footprint["precedingPfIds"] = [pact_footprint_id(p) for p in preceding]
    extensions = _extensions(result, base_url)
    if extensions:
        footprint["extensions"] = extensions
    return footprint
