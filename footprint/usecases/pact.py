"""The PACT v3 host: this platform's issued labels served as ProductFootprints to a buyer's
system (docs/pact.md): ListFootprints with its filters and pages, GetFootprint, and the Error
object both answer with.

Every issued label is one ProductFootprint whose id is ``pact_footprint_id(label id)``, built
by usecases.pactfootprint; a client sees the labels its organisation limits it to
(usecases.pactclients, with the OAuth tokens). Events (CloudEvents to /3/events, answers
through the outbox) are usecases.pactevents'.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from ..gs1 import normalise_gtin
from ..identifiers import pact_footprint_id
from ..store import pact as stored
from ..store import results as store_results
from ..store.db import database_file
from . import labels as label_states
from .pactfootprint import identity, product_footprint

log = logging.getLogger("footprint.pact")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

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

_EUROPE = set("AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IT LT LU LV MT NL NO PL PT "
              "RO SE SI SK".split())
_SUBREGIONS = {"CN": ("Eastern Asia", "Asia")}


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
