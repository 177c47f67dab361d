"""Data-quality ratings (PACT v3 DQRs): the mapping tables and the weighting, as pure rules.

Each line of a result is rated 1 (very good) to 5 (very poor) on three criteria, as PACT v3's
``dqi`` asks (technologicalDQR, geographicalDQR, temporalDQR); the result carries their
contribution-weighted averages and the primary data share. docs/data-quality.md states every
rule below with its source and says which ones are this project's choices because the PACT
Methodology's own matrix (its section 4.2.3) was not available.

- Temporal: the ecoinvent pedigree matrix (years between the factor's reference year and the
  BOM's): under 3 years 1, under 6 years 2, under 10 years 3, under 15 years 4, otherwise or
  unknown 5.
- Technological: PACT allows 1 and 2 only for primary data; secondary data is rated by what it
  represents (``TECHNOLOGY``), one point worse when its confidence is low, 5 when its source
  cannot be identified.
- Geographical: the pedigree matrix's areas (``GEOGRAPHY``); engine/quality.py decides which
  applies from the regions the registry knows.

The engine rates the lines (footprint.engine.quality); this module holds no registry.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import Message

# The Monte Carlo of a result's range (footprint.engine.uncertainty): draws and seed unless
# asked otherwise. Here, not there, so a command that prints a stored range (a repeated
# ``footprint calc``) states them without loading numpy.
DRAWS = 1000
SEED = 20261204
# How the range is drawn, as a result records it (in English) and a reader is told it.
RANGE_METHOD = Message("lognormal Monte Carlo, ecoinvent pedigree (docs/data-quality.md)")

CRITERIA = ("technological", "geographical", "temporal")
BEST, WORST = 1, 5

# Source.technology: what a secondary factor represents -> its technological rating
TECHNOLOGY = {
    "average": 3,  # an average of the same or an equivalent technology (a grid mix, a sector)
    "related": 4,  # a related process or material standing in (a proxy route or product)
    "unknown": 5,  # the technology it represents is not known
}
DEFAULT_TECHNOLOGY = "average"

# Where a factor's area stands to the area under study -> the geographical rating
GEOGRAPHY = {
    "same": 1,  # the area under study itself
    "larger": 2,  # a larger area that includes it (its grid or country; the EU for a member)
    "global": 3,  # a world average (our choice: production conditions vary too widely for 2)
    "stand-in": 3,  # another area standing in where the area under study has no factor at all
    "domestic": 3,  # another area of the same country
    "foreign": 4,  # another country's figure as a proxy (a UK or EU figure for China)
    "unknown": 5,
}

# The temporal steps of the ecoinvent pedigree matrix: (fewer than this many years, rating)
TEMPORAL_STEPS = ((3, 1), (6, 2), (10, 3), (15, 4))

# Ratings of primary data: the producer's own measured line, a supplier's signed label
PRIMARY_TECHNOLOGY = 1
LABEL_TECHNOLOGY = {"verified": 1, "provisional": 2}
# A direct emission the producer states without marking it measured: its own process, at its
# own place and time, but without evidence (PACT keeps 1 for primary data)
STATED_EMISSION_TECHNOLOGY = 2

GLOBAL = "GLO"
ANY = "ANY"  # holds anywhere: an identity passing through a value the producer declares
EU = "EU"
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())

# Words a dataset or row uses for its geography -> a region code (the first that matches the
# text before any bracket, so "UK factor set (proxy for China)" is GB, not CN)
_GEOGRAPHY_WORDS = (
    (r"^\s*any\b", ANY),
    (r"\b(global|world|glo|worldwide|international)\b", GLOBAL),
    (r"\b(china|cn|chinese)\b|中国|全国", "CN"),
    (r"\b(uk|united kingdom|gb|great britain)\b", "GB"),
    (r"\b(eu-27|eu|europe|european|rer)\b", EU),
    (r"\b(us|usa|united states|north america)\b", "US"),
    (r"\bsouth africa\b|\bza\b", "ZA"),
)
_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]+)*$")


def geography_code(text: str | None) -> str:
    """A region code for the geography a dataset states in words ("" when it cannot be
    told): a code as written (CN-SC), else the first known word before any bracket."""
    text = (text or "").strip()
    if _CODE.match(text):
        return "GB" if text == "UK" else text
    head = text.split("(")[0].lower()
    for pattern, code in _GEOGRAPHY_WORDS:
        if re.search(pattern, head):
            return code
    return ""


def reference_year(value) -> int | None:
    """A reference year from a manifest or a row (2019, "2019"); None when not stated."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"(19|20)\d\d", text) else None


def temporal_rating(factor_year: int | None, bom_year: int | None) -> int:
    if factor_year is None or bom_year is None:
        return WORST
    gap = abs(bom_year - factor_year)
    return next((rating for below, rating in TEMPORAL_STEPS if gap < below), WORST)


def technological_rating(technology: str, confidence: str) -> int:
    """A secondary factor: what it represents, worse when its confidence is low, 5 when its
    source cannot be identified (the confidence says "unidentified")."""
    confidence = (confidence or "").lower()
    if "unidentified" in confidence:
        return WORST
    rating = TECHNOLOGY.get(technology or DEFAULT_TECHNOLOGY, WORST)
    if confidence.startswith("low"):
        rating += 1
    return min(rating, WORST)


@dataclass(frozen=True)
class Rated:
    """One line: kg CO2e inside the boundary (0 outside), its ratings, its primary share."""

    kg_co2e: float
    dqr: dict  # criterion -> rating
    primary: float  # share of the line that is primary data, 0 to 1


def weighted(lines: Iterable[Rated]) -> dict:
    """The result's ``dqi`` and ``primary_data_share`` from its rated lines.

    Each line weighs its share of the absolute total (|kg CO2e| over the sum of them), so a
    credit (a negative line) counts by its size, the ratings stay between 1 and 5 and the share
    between 0 and 100; without credits this is PACT's sum of e_i x DQR_i over sum of e_i.
    Ratings to 1 decimal, the share in per cent to 1 decimal; None when nothing contributes.
    """
    lines = list(lines)
    absolute = sum(abs(line.kg_co2e) for line in lines)
    if not absolute:
        return {"dqi": None, "primary_data_share": None}
    dqi = {c: round(sum(abs(l.kg_co2e) * l.dqr[c] for l in lines) / absolute, 1)
           for c in CRITERIA}
    share = sum(abs(l.kg_co2e) * l.primary for l in lines) / absolute
    return {"dqi": dqi, "primary_data_share": round(100 * share, 1)}


# The overall level a consumer reads: the mean of the three ratings, by the bands the PEF
# uses for its DQR (QUALITY.md section 2, read in a secondary source): below 1.5 excellent,
# then up to and including 2.0 very good, 3.0 good, 4.0 fair, above it poor
LEVELS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"),
          (None, "poor"))


def overall(dqi: dict | None) -> float | None:
    if not dqi:
        return None
    return round(sum(dqi[c] for c in CRITERIA) / len(CRITERIA), 1)


def level(dqi: dict | None) -> str | None:
    """excellent (< 1.5), very good (<= 2.0), good (<= 3.0), fair (<= 4.0) or poor."""
    mean = overall(dqi)
    if mean is None:
        return None
    if mean < LEVELS[0][0]:
        return LEVELS[0][1]
    return next(word for bound, word in LEVELS[1:] if bound is None or mean <= bound)
