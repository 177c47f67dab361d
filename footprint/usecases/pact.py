"""The PACT v3 host: this platform's issued labels served as ProductFootprints to a buyer's
system (docs/pact.md), with OAuth 2 client credentials, filters, pagination and events.

Clients are made by the operator (``footprint pact clients create``): a client id, a secret
shown once and kept as its argon2id hash (as passwords are, footprint.usecases.users),
and optionally the one organisation whose labels the client sees. A token is random, kept as
its SHA-256, and expires after an hour; revoking a client ends its tokens. Failed token
requests are throttled per client id and per address, like log-ins
(footprint.usecases.security).

Every issued label is one ProductFootprint whose id is ``pact_footprint_id(label id)``. What
it says is read from the label as stored (its record and the full result it signed), so a
footprint never changes, except its ``status``: a label superseded or revoked (as the
transparency log says) is ``Deprecated``; its successor lists the labels it follows in
``precedingPfIds``. A revoked footprint's validity period ends when it was revoked, and its
comment says why. ``product_footprint`` documents the field mapping.

Events (CloudEvents to /3/events, answers through the outbox) are usecases.pactevents'.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from .. import clock
from ..errors import InvalidInput, Message, NotFound, Problem
from ..gs1 import normalise_gtin
from ..identifiers import pact_footprint_id
from ..store import pact as stored
from ..store import results as store_results
from ..store.db import database_file, transaction
from ..text import checked
from . import labels as label_states
from . import security
from .organisations import find_organisation
from .security import Policy
from .users import check_password, hash_password

log = logging.getLogger("footprint.pact")

SPEC_VERSION = "3.0.0"
TOKEN_SECONDS = 3600
CLIENT_PREFIX = "pact-"
TOKEN_PREFIX = "fpp_"
MAX_TOKEN_CHARS = 200
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

# failed token requests: per client id (5 free) and per address (20 free), then doubling
CLIENT = Policy("pact-client", free=5)
CLIENT_ADDRESS = Policy("pact-address", free=20)
BEARER_ADDRESS = Policy("pact-bearer-address", free=20)

EVENT_TYPES = {
    "created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
    "fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
    "rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
}
LIST_FILTERS = ("productId", "companyId", "geography", "classification", "status")
TIME_FILTERS = ("validOn", "validAfter", "validBefore")
_PARAMETERS = {name.casefold(): name for name in (*LIST_FILTERS, *TIME_FILTERS,
                                                    "limit", "offset")}


class PactError(Exception):
    """An answer the PACT API gives as its Error object: ``code`` (BadRequest, AccessDenied,
    TokenExpired, NotFound, InternalError, NotImplemented), ``message`` and HTTP status."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def bad_request(message: str) -> PactError:
    return PactError("BadRequest", message, 400)


class InvalidClient(Exception):
    """The token endpoint's OAuth error (RFC 6749 5.2): ``error`` and its description."""

    def __init__(self, error: str, description: str, status: int = 401):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


# -- clients ----------------------------------------------------------------------------------

def _organisation(db, org: str | None) -> dict | None:
    if org is None or not str(org).strip():
        return None
    return find_organisation(db, org)


def create_client(db, name: str, org: str | None = None) -> tuple[dict, str]:
    """A new client and its secret (shown once: only its argon2id hash is kept). ``org``
    (a name or number) limits it to that organisation's labels; None: every label."""
    problems = []
    name = checked((name or "").strip(), "name", problems)
    if not name or len(name) > 200:
        problems.append(Problem("name", Message("1 to 200 characters")))
    if problems:
        raise InvalidInput(problems)
    organisation = _organisation(db, org)
    client_id = CLIENT_PREFIX + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with transaction(db):
        stored.insert_client(db, client_id, hash_password(secret), name,
                             organisation["id"] if organisation else None)
    return stored.client_by_client_id(db, client_id), secret


def list_clients(db) -> list[dict]:
    return stored.clients(db)


def revoke_client(db, client_id: str) -> bool:
    """Revoke a client: its tokens stop working at once. False if there is no such client
    that is not revoked already."""
    with transaction(db):
        done = stored.revoke_client(db, client_id.strip())
    if done:
        security.event(db, "pact-client-revoked", client_id)
    return done


def no_client_to_revoke(client_id: str) -> NotFound:
    """What revoking a client that is not there, or is revoked already, is told."""
    return NotFound(Message("no PACT client %(client)s that is not revoked already",
                            client=client_id))


# -- tokens -----------------------------------------------------------------------------------

def issue_token(db, client_id: str | None, secret: str | None, address: str | None,
                grant_type: str | None) -> dict:
    """OAuth 2 client credentials (RFC 6749 4.4): the token response, or InvalidClient.
    Throttled (the secret unchecked) while the client id or the address must wait."""
    if not client_id or secret is None:
        raise InvalidClient("invalid_client", "Client authentication failed: send the client "
                            "id and secret with HTTP Basic authentication")
    # bounded: no real id or secret is this long, so a cut one still fails, at a known cost
    client_id, secret = client_id[:100], secret[:256]
    attempts = [(CLIENT, client_id), (CLIENT_ADDRESS, address)]
    security.check(db, attempts, "pact-token", client_id, address)
    client = stored.client_by_client_id(db, client_id)
    good = client is not None and client["revoked_at"] is None and \
        check_password(client["secret_hash"], secret)
    if client is None:
        hash_password(secret)  # the time of a real check: no client enumeration
    if not good:
        security.failed(db, attempts)
        security.event(db, "pact-token-failed", client_id, address)
        raise InvalidClient("invalid_client", "Client authentication failed")
    if grant_type != "client_credentials":
        raise InvalidClient("unsupported_grant_type",
                            'grant_type must be "client_credentials"', 400)
    security.succeeded(db, CLIENT, client_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    issued = clock.now()
    with transaction(db):
        stored.delete_expired_tokens(db, clock.stamp(issued))
        stored.insert_token(db, security.digest(token), client["id"], clock.stamp(issued),
                            clock.stamp(issued + timedelta(seconds=TOKEN_SECONDS)))
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}


def client_for_bearer(db, token: str, address: str | None) -> dict:
    """The client of a bearer token; PactError otherwise (401: invalid, TokenExpired).
    Throttled while the address must wait after too many invalid tokens."""
    attempts = [(BEARER_ADDRESS, address)]
    security.check(db, attempts, "pact-bearer", None, address)
    found = stored.token(db, security.digest(token[:MAX_TOKEN_CHARS + 1])) if token else None
    if found is None:
        security.failed(db, attempts)
        security.event(db, "pact-bearer-failed", None, address)
        raise PactError("BadRequest", "Invalid token provided", 401)
    if datetime.fromisoformat(found["expires_at"]) <= clock.now():
        raise PactError("TokenExpired", "The access token has expired: request a new one "
                        "at /auth/token", 401)
    return found


# -- filters ----------------------------------------------------------------------------------

@dataclass
class Filters:
    values: dict[str, list[str]] = field(default_factory=dict)  # list filters, ORed inside
    times: dict[str, datetime] = field(default_factory=dict)


def _instant(name: str, value: str) -> datetime:
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(),
                                    timezone.utc)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                            r"([Zz]|[+-]\d{2}:\d{2})", text):
            raise ValueError
        at = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name}: {value!r} is not a date-time (RFC 3339, e.g. "
                          "2025-01-01T00:00:00Z)") from None
    return at.astimezone(timezone.utc)


def parse_query(pairs) -> tuple[Filters, int, int]:
    """The filters, offset and limit of a ListFootprints query given as (name, value) pairs.
    Names are matched without regard to case; a name the spec does not define and that is not
    an extension (``x-...``) is refused, naming it (so a v2 ``$filter`` is not ignored)."""
    filters, offset, limit = Filters(), 0, DEFAULT_LIMIT
    for raw, value in pairs:
        name = _PARAMETERS.get(raw.casefold())
        if name is None:
            if raw.casefold().startswith("x-"):
                continue  # extensions of other hosts: none defined here
            raise bad_request(f"unknown query parameter {raw!r}: ListFootprints takes "
                              f"{', '.join(sorted(_PARAMETERS.values()))}"
                              + (" (the $filter syntax of v2 is not supported in v3)"
                                 if raw.startswith("$") else ""))
        if name in ("limit", "offset"):
            if not re.fullmatch(r"\d{1,9}", value.strip()):
                least = f"1 (a page holds at most {MAX_LIMIT})" if name == "limit" else "0"
                raise bad_request(f"{name}: {value!r} is not a whole number from {least}")
            number = int(value)
            if name == "limit" and number == 0:
                raise bad_request("limit: 0 asks for no footprints; give 1 or more (at most "
                                  f"{MAX_LIMIT} a page)")
            if name == "limit":
                limit = min(number, MAX_LIMIT)
            else:
                offset = number
        elif name in TIME_FILTERS:
            if name in filters.times:
                raise bad_request(f"{name} may be given once")
            filters.times[name] = _instant(name, value)
        else:
            filters.values.setdefault(name, []).append(value.strip())
    return filters, offset, limit


def filters_of_request(data: dict) -> Filters:
    """The filters of a RequestCreatedEvent's data (lists, or one value, per criterion)."""
    filters = Filters()
    for name in LIST_FILTERS:
        if name not in data:
            continue
        value = data[name]
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise bad_request(f"data.{name} is a list of strings")
        filters.values[name] = [v.strip() for v in values]
    for name in TIME_FILTERS:
        if name in data:
            if not isinstance(data[name], str):
                raise bad_request(f"data.{name} is a date-time string")
            filters.times[name] = _instant(f"data.{name}", data[name])
    return filters


# -- geography --------------------------------------------------------------------------------

_ISO_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_EUROPE = set("AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IT LT LU LV MT NL NO PL PT "
              "RO SE SI SK".split())
_SUBREGIONS = {"CN": ("Eastern Asia", "Asia")}


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


def _places(region: str) -> set[str]:
    """Every geography value a footprint of ``region`` matches: the subdivision, the country,
    and the UN region and subregion (case folded)."""
    region = (region or "").upper()
    places = {region}
    country = region[:2] if re.fullmatch(r"[A-Z]{2}(-.+)?", region) else None
    if country and country != "EU":
        places.add(country)
        places.update(_SUBREGIONS.get(country, ()))
        if country in _EUROPE:
            places.add("Europe")
    if region == "EU":
        places.add("Europe")
    return {p.casefold() for p in places}


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


# -- matching ---------------------------------------------------------------------------------

def _product_id(value: str) -> str:
    """A product id to match: a GTIN-8, 12, 13 or 14 as the GTIN-14 footprints carry."""
    if value.casefold().startswith("urn:gtin:"):
        try:
            return f"urn:gtin:{normalise_gtin(value[len('urn:gtin:'):])}"
        except ValueError:
            return value
    return value


def _matches(footprint: dict, filters: Filters) -> bool:
    """Whether a footprint's ``identity`` matches every filter (values of one ORed)."""
    def any_of(name: str, have) -> bool:
        wanted = filters.values.get(name)
        if wanted is None:
            return True
        if name == "productId":
            wanted = [_product_id(w) for w in wanted]
        have = {h.casefold() for h in have}
        return any(w.casefold() in have for w in wanted)

    if not (any_of("productId", footprint["productIds"])
            and any_of("companyId", footprint["companyIds"])
            and any_of("classification", footprint["productClassifications"])
            and any_of("status", [footprint["status"]])):
        return False
    wanted = filters.values.get("geography")
    if wanted is not None and \
            not ({w.casefold() for w in wanted} & _places(footprint["region"])):
        return False
    start = datetime.fromisoformat(footprint["validityPeriodStart"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(footprint["validityPeriodEnd"].replace("Z", "+00:00"))
    times = filters.times
    if "validOn" in times and not start <= times["validOn"] <= end:
        return False
    if "validAfter" in times and not start > times["validAfter"]:
        return False
    if "validBefore" in times and not end < times["validBefore"]:
        return False
    return True


_RESULTS: OrderedDict[tuple[str, str], dict | None] = OrderedDict()
_RESULTS_KEPT = 512
_results_lock = threading.Lock()


def _signed_result(db, row: dict, reproducibility_hash: str) -> dict | None:
    """The full result a label signed. It never changes, so the last few hundred read are
    kept (by label id, which is random, and hash), and a list does not parse every result's
    JSON again."""
    key = (row["id"], reproducibility_hash)
    with _results_lock:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
    result = store_results.signed(db, row["submission_id"], reproducibility_hash)
    with _results_lock:
        _RESULTS[key] = result
        while len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.popitem(last=False)
    return result


def _identities(db, rows: list[dict]) -> list[tuple[dict, dict, dict]]:
    """(row, state as the transparency log says, identity) of each row."""
    states = label_states.many_as_logged(db, [row["id"] for row in rows])
    out = []
    for row in rows:
        state = states.get(row["id"]) or row
        out.append((row, state, identity(row, json.loads(row["claims_json"]), state)))
    return out


def _built(db, found: list[tuple[dict, dict, dict]], platform: str,
           base_url: str) -> list[dict]:
    """The full footprints of (row, state, identity) triples."""
    out = []
    for row, state, _ in found:
        record = json.loads(row["claims_json"])
        result = _signed_result(db, row, record.get("reproducibility_hash") or "")
        out.append(product_footprint(row, state, result, stored.preceding(db, row["id"]),
                                     platform, base_url))
    return out


def _narrowing(filters: Filters) -> tuple[str, list] | None:
    """An SQL condition that every label matching the product, company and classification
    filters satisfies, so the labels read are few; ``_matches`` still decides, on what the
    log says. None when those filters are not given."""
    clauses, params = [], []
    wanted = filters.values.get("productId")
    if wanted is not None:
        ors = []
        for value in map(_product_id, wanted):
            folded = value.casefold()
            if folded.startswith("urn:gtin:"):
                ors.append("p.gtin = ?")
                params.append(value[len("urn:gtin:"):])
            elif m := re.fullmatch(r"urn:footprint:([^:]+):product:(\d+)", folded):
                ors.append("(lower(l.issuer) = ? AND l.product_id = ?)")
                params.extend([m[1], int(m[2])])
        clauses.append(" OR ".join(ors) or "0")
    wanted = filters.values.get("companyId")
    if wanted is not None:
        ors = []
        for value in wanted:
            folded = value.casefold()
            if folded.startswith("urn:uscc:"):
                code = value[len("urn:uscc:"):].upper()
                ors.append("upper(o.credit_code) = ? OR "
                           "upper(json_extract(l.claims_json, '$.producer')) = ?")
                params.extend([code, code])
            elif m := re.fullmatch(r"urn:footprint:([^:]+):org:(\d+)", folded):
                ors.append("(lower(l.issuer) = ? AND p.org_id = ?)")
                params.extend([m[1], int(m[2])])
        clauses.append(" OR ".join(ors) or "0")
    wanted = filters.values.get("classification")
    if wanted is not None:
        prefix = "urn:footprint:category:"
        categories = [w.casefold()[len(prefix):] for w in wanted
                      if w.casefold().startswith(prefix)]
        clauses.append(f"lower(p.category) IN ({', '.join('?' * len(categories))})"
                       if categories else "0")
        params.extend(categories)
    if not clauses:
        return None
    return " AND ".join(f"({c})" for c in clauses), params


# filters that SQL answers exactly (``_narrowing``); the others need the log or the region
_EXACT_IN_SQL = {"productId", "companyId", "classification"}


def _matching(db, client: dict, filters: Filters, wanted: int | None = None,
              skip: int = 0):
    """The (row, state, identity) of the labels the client may see that match the filters,
    oldest first, after the first ``skip`` of them; at most ``wanted``, reading no more
    labels than that takes. When SQL alone decides the filters, the skipped labels are not
    read at all."""
    exact = set(filters.values) <= _EXACT_IN_SQL and not filters.times
    rows = stored.label_rows(db, client.get("org_id"), _narrowing(filters), batch=500,
                             skip=skip if exact else 0)
    to_skip = 0 if exact else skip
    found = []
    while wanted is None or len(found) < to_skip + wanted:
        # as many labels as are still wanted (they usually all match), then more at a time
        size = 500 if wanted is None else min(500, max(to_skip + wanted - len(found), 20))
        batch = [row for _, row in zip(range(size), rows)]
        if not batch:
            break
        found.extend(t for t in _identities(db, batch) if _matches(t[2], filters))
    found = found[to_skip:]
    return found if wanted is None else found[:wanted]


def find_footprints(db, client: dict, filters: Filters, platform: str,
                    base_url: str) -> list[dict]:
    """Every footprint the client may see that matches the filters, oldest first."""
    return _built(db, _matching(db, client, filters), platform, base_url)


def list_footprints(db, client: dict, filters: Filters, offset: int, limit: int,
                    platform: str, base_url: str) -> tuple[list[dict], bool]:
    """One page of the matching footprints (only those built in full), and whether more
    follow: the labels are read in order only as far as the page and one more."""
    found = _matching(db, client, filters, wanted=limit + 1, skip=offset)
    return _built(db, found[:limit], platform, base_url), len(found) > limit


# pact footprint id -> label id, per database file: labels are never deleted and their ids
# never change, so the map only grows, read from where it last stopped
_BY_PACT_ID: dict[str, tuple[int, dict[str, str]]] = {}
_by_pact_id_lock = threading.Lock()


def _label_of_pact_id(db, pf_id: str) -> str | None:
    path = database_file(db)
    with _by_pact_id_lock:
        last, ids = _BY_PACT_ID.get(path, (0, {}))
        for attempt in (1, 2):
            for rowid, label_id in stored.labels_since(db, last):
                ids[pact_footprint_id(label_id)] = label_id
                last = rowid
            if pf_id in ids or stored.label_count(db) == len(ids):
                break
            last, ids = 0, {}  # the file was replaced (a restore): read it again, once
        _BY_PACT_ID[path] = (last, ids)
        return ids.get(pf_id)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def get_footprint(db, client: dict, pf_id: str, platform: str, base_url: str) -> dict:
    """The footprint with this id: NotFound (404) if there is none, AccessDenied (403) if it
    is another organisation's than the one the client is limited to."""
    if not _UUID.fullmatch(pf_id or ""):
        raise PactError("NotFound", f"Footprint with ID {pf_id!r} does not exist (a footprint "
                        "id is a UUID)", 404)
    label_id = _label_of_pact_id(db, pf_id.lower())
    owner = stored.label_row(db, label_id) if label_id else None
    if owner is None:
        raise PactError("NotFound", f"Footprint with ID {pf_id!r} does not exist", 404)
    if client.get("org_id") is not None and owner["org_id"] != client["org_id"]:
        raise PactError("AccessDenied", f"Footprint {pf_id!r} is not shared with this "
                        "client", 403)
    return _built(db, _identities(db, [owner]), platform, base_url)[0]
