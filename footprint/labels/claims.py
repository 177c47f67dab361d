"""A label's claims: readable record <-> compact CBOR map with small integer keys.

``build_claims(record)`` checks a label record and returns the map that gets signed;
``parse_claims(map, issuer)`` turns a (verified) map back into readable names. The keys,
types and rounding rule are specified in docs/label-format.md; keep the two in step.

The numbers (rounding, stage split, GTIN) are in numbers.py.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal

import cbor2

from footprint.errors import InvalidInput, Problem
from footprint.model import STAGES

from . import times
from .encoding import from_b32, to_b32
from .errors import LabelInvalid
from .numbers import amount as amount_of
from .numbers import (FOOTPRINT_FIGURES, checked_permille, figure, gtin14, gtin_number,
                      range_figures, round_value, stage_permille)

# claim key -> readable name. Keys 1..23 encode in one CBOR byte. Parties are signed as
# identifiers, not names, so that a label fits a version-15 QR code at level Q; the issuer
# publishes the names beside the label (docs/label-format.md, "Identifiers and names").
KEYS = {
    1: "id",
    2: "issued_at",
    3: "expires_at",
    4: "product",
    5: "gtin",
    6: "producer",
    7: "category",
    8: "declared_unit",
    9: "value",
    10: "stage_permille",
    11: "grade",
    12: "provisional",
    13: "region",
    14: "data_version",
    15: "reproducibility_hash",
    16: "verifier",
    17: "reviewer",
    18: "supersedes",
    19: "range_permille",
    20: "range",
}
NAMES = {name: key for key, name in KEYS.items()}
REQUIRED = ("id", "issued_at", "expires_at", "product", "producer", "category",
            "declared_unit", "value", "stage_permille", "region", "data_version",
            "reproducibility_hash", "verifier", "reviewer")
OPTIONAL = ("gtin", "grade", "provisional", "supersedes", "range_permille", "range")
# What parse_claims reads out: claim 19 and claim 20 both read as "range" (P5 and P95 in kg
# CO2e, and claim 19's per mille where a label signs the range that way)
READABLE = tuple(name for name in KEYS.values() if name != "range_permille")
PARTIES = ("producer", "verifier")  # a credit code (text) or the issuer's organisation number

LABEL_NUMBER_BYTES = 8   # the signed label id; printed as <issuer>-<base32>
DATA_VERSION_BYTES = 8   # first 16 hex digits of the data version
REPRO_HASH_BYTES = 16    # first 16 bytes of the reproducibility hash

# Longest texts this implementation signs (characters). Verifiers accept any length.
MAX_TEXT = {"category": 32, "region": 16, "grade": 8, "unit": 16}

LABEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a printed id, as lists name it
ISSUER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HEX = re.compile(r"[0-9a-fA-F]+")
_MAX_NUMBER = 2 ** 63 - 1


def new_label_id(issuer_id: str) -> str:
    """A short, unique, printable label id: the issuer id, "-", base32 of 8 random bytes
    (13 characters), e.g. CN-SC-K5QX7M2ZP4H6A. The 8 bytes are what the label signs."""
    _check_issuer(issuer_id)
    # the operating system's CSPRNG, which secrets.token_bytes reads too (without loading
    # random and hmac into every command that only reads labels)
    return printed_id(issuer_id, os.urandom(LABEL_NUMBER_BYTES))


def printed_id(issuer_id: str, number: bytes) -> str:
    """The printed label id of the signed 8-byte label number."""
    return f"{issuer_id}-{to_b32(number)}"


def label_number(label_id: str, issuer_id: str) -> bytes:
    """The 8 bytes a printed label id of ``issuer_id`` stands for (ValueError otherwise)."""
    _check_issuer(issuer_id)
    prefix = f"{issuer_id}-"
    if not isinstance(label_id, str) or not label_id.startswith(prefix):
        raise ValueError(f"a label id of issuer {issuer_id} starts with {prefix!r}")
    try:
        number = from_b32(label_id[len(prefix):])
    except LabelInvalid:
        number = b""
    if len(number) != LABEL_NUMBER_BYTES:
        raise ValueError(f"after {prefix!r} a label id has 13 base32 characters (8 bytes)")
    return number


def _check_issuer(issuer_id) -> None:
    if not isinstance(issuer_id, str) or not ISSUER_ID.fullmatch(issuer_id):
        raise ValueError(f"issuer id {issuer_id!r}: letters, digits, '.', '_' or '-' "
                         "(at most 32)")


def party(value):
    """A producer or verifier as signed: a unified social credit code (统一社会信用代码,
    GB 32100-2015, check character verified) as 18 characters of text, or the issuer's
    organisation number as an unsigned integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 < value <= _MAX_NUMBER:
            raise ValueError("an organisation number is a whole number above 0")
        return value
    if isinstance(value, str):
        # here, not at the top: only issuing checks a credit code, and python-stdnum (with
        # ssl and pydoc) is a tenth of an offline `footprint verify`'s start
        from footprint.identifiers import credit_code
        return credit_code(value)
    raise ValueError("a unified social credit code or the issuer's organisation number")


def party_text(value) -> str | None:
    """How a signed producer or verifier reads: the credit code, or "No. 12" for the
    issuer's organisation number."""
    if value is None or isinstance(value, str):
        return value
    return f"No. {value}"


# -- record -> claims ------------------------------------------------------------------------

def build_claims(label: dict) -> dict:
    """The CBOR claims map (integer keys) of a label record with readable names (those of
    KEYS, plus ``issuer``, the issuer id its printed ids start with). Besides
    ``stage_permille`` the record may give ``by_stage`` (kg CO2e per stage, as in a result)
    and the shares are computed. Every problem is reported at once as InvalidInput."""
    problems: list[Problem] = []
    claims: dict = {}

    def problem(name, message):
        problems.append(Problem(name, message))

    def text(name, required=True):
        value = label.get(name)
        if value is None or value == "":
            if required:
                problem(name, "is required")
            return None
        if not isinstance(value, str):
            problem(name, "must be text")
            return None
        if value != value.strip() or _CONTROL.search(value):
            problem(name, "must not have control characters or surrounding spaces")
            return None
        if len(value) > MAX_TEXT[name]:
            problem(name, f"is {len(value)} characters; at most {MAX_TEXT[name]}")
            return None
        return value

    def put(name, value):
        if value is not None:
            claims[NAMES[name]] = value

    def checked(name, convert, required=True):
        value = label.get(name)
        if value is None or value == "":
            if required:
                problem(name, "is required")
            return
        try:
            put(name, convert(value))
        except (TypeError, ValueError) as exc:
            problem(name, str(exc))

    issuer = label.get("issuer")
    try:
        _check_issuer(issuer)
    except ValueError as exc:
        problem("issuer", str(exc))
        issuer = None
    for name in ("id", "supersedes"):
        if issuer is not None:
            checked(name, lambda value: label_number(value, issuer), required=name == "id")
    if label.get("supersedes") and label.get("supersedes") == label.get("id"):
        problem("supersedes", "a label cannot supersede itself")

    moments = {}
    for name in ("issued_at", "expires_at"):
        if label.get(name) is None:
            problem(name, "is required")
            continue
        try:
            moments[name] = times.epoch(label[name])
        except (TypeError, ValueError) as exc:
            problem(name, str(exc))
            continue
        if moments[name] < 0:
            problem(name, "must be after 1970")
        put(name, moments[name])
    if len(moments) == 2 and moments["expires_at"] <= moments["issued_at"]:
        problem("expires_at", "must be after issued_at")

    checked("product", _number)
    checked("gtin", gtin_number, required=False)
    for name in PARTIES:
        checked(name, party)
    checked("reviewer", _number)
    for name in ("category", "region"):
        put(name, text(name))

    unit = label.get("declared_unit")
    if not isinstance(unit, dict) or "amount" not in unit or "unit" not in unit:
        problem("declared_unit", 'must be {"amount": number, "unit": text}')
    else:
        try:
            amount = amount_of(unit["amount"])
        except ValueError as exc:
            problem("declared_unit.amount", str(exc))
            amount = None
        name = unit["unit"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_TEXT["unit"] \
                or _CONTROL.search(name):
            problem("declared_unit.unit", f"must be text of 1 to {MAX_TEXT['unit']} characters")
        elif amount is not None:
            claims[NAMES["declared_unit"]] = [amount, name]

    checked("value", round_value)
    # the range: claim 20, P5 and P95 rounded as the value is, from a result's {"p5", "p95"}
    # ("uncertainty"); or as read (parse_claims' "range"): claim 20 again from its "low" and
    # "high", or claim 19 where a label issued before claim 20 signed it as "permille"
    spread, signed = label.get("uncertainty"), label.get("range")
    if isinstance(signed, Mapping) and signed.get("permille") is None:
        spread = {"p5": signed.get("low"), "p95": signed.get("high")}
    elif signed is not None:
        permille = signed.get("permille") if isinstance(signed, Mapping) else signed
        try:
            put("range_permille", _checked_range(permille))
        except ValueError as exc:
            problem("range", str(exc))
        spread = None
    if spread is not None:
        try:
            put("range", range_figures(spread))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            problem("range" if signed is not None else "uncertainty",
                    f"must be {{\"p5\": number, \"p95\": number}}, P5 <= P95 ({exc})")

    shares = None
    try:
        if label.get("stage_permille") is not None:
            shares = checked_permille(label["stage_permille"])
        elif label.get("by_stage") is not None:
            shares = stage_permille(label["by_stage"])
        else:
            problem("stage_permille", "is required (or by_stage, kg CO2e per stage)")
    except (ValueError, TypeError, AttributeError) as exc:
        problem("stage_permille", str(exc))
    if shares is not None:
        claims[NAMES["stage_permille"]] = [shares.get(s) for s in STAGES]

    grade = text("grade", required=False)
    if grade is not None:
        put("grade", grade)
        provisional = label.get("provisional")
        if provisional is not None and not isinstance(provisional, bool):
            problem("provisional", "must be true or false")
        else:
            put("provisional", bool(provisional))
    elif label.get("provisional"):
        problem("provisional", "only a graded label can be provisional")

    for name, size in (("data_version", DATA_VERSION_BYTES),
                       ("reproducibility_hash", REPRO_HASH_BYTES)):
        checked(name, lambda value, size=size: _hex_prefix(value, size))

    if problems:
        raise InvalidInput(problems, source="label")
    return dict(sorted(claims.items()))


def _number(value) -> int:
    """An issuer's product, organisation or user number: a whole number above 0."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_NUMBER:
        raise ValueError("must be a whole number above 0")
    return value


def _hex_prefix(value, size: int) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        if len(value) < size:
            raise ValueError(f"at least {size} bytes")
        return bytes(value[:size])
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) < 2 * size:
        raise ValueError(f"must be hexadecimal, at least {2 * size} digits")
    return bytes.fromhex(value[:2 * size])


def encode_claims(claims: dict) -> bytes:
    """The payload bytes: deterministic CBOR (RFC 8949 section 4.2.1)."""
    return cbor2.dumps(claims, canonical=True)


# -- claims -> readable ----------------------------------------------------------------------

def _malformed(key: int, message: str):
    return LabelInvalid("malformed", f"claim {key} ({KEYS.get(key, 'unknown')}) {message}")


def parse_claims(claims, issuer: str) -> dict:
    """Readable names for a claims map (e.g. a verified payload) signed by ``issuer`` (the id
    of the signing key's trust-list entry): ``issuer`` and every name of KEYS, None where an
    optional claim is absent. Label ids are printed (CN-SC-K5QX7M2ZP4H6A), times RFC 3339
    text, the value a Decimal, the stage split {stage: per mille} over the stages inside the
    boundary, the GTIN 14 digits, hashes hex. Keys this version does not know are ignored.
    Raises LabelInvalid ("malformed") for a missing or mistyped claim."""
    if not isinstance(claims, Mapping) or not all(type(k) is int for k in claims):
        raise LabelInvalid("malformed", "the claims are not a CBOR map with integer keys")

    def get(name, kinds, required=True):
        key = NAMES[name]
        if key not in claims:
            if required:
                raise _malformed(key, "is missing")
            return None
        value = claims[key]
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            raise _malformed(key, f"has the wrong type ({type(value).__name__})")
        return value

    def positive_integer(name, required=True):
        value = get(name, (int,), required)
        if value is not None and value <= 0:
            raise _malformed(NAMES[name], "is not a number above 0")
        return value

    out = {"issuer": issuer}
    for name in ("id", "supersedes"):
        raw = get(name, (bytes,), required=name == "id")
        if raw is not None and len(raw) != LABEL_NUMBER_BYTES:
            raise _malformed(NAMES[name], f"is {len(raw)} bytes, not {LABEL_NUMBER_BYTES}")
        out[name] = printed_id(issuer, raw) if raw is not None else None
    for name in ("category", "region"):
        out[name] = get(name, (str,))
        if not out[name]:
            raise _malformed(NAMES[name], "is empty")
    out["grade"] = get("grade", (str,), required=False)
    for name in ("product", "reviewer"):
        out[name] = positive_integer(name)
    for name in PARTIES:
        value = get(name, (str, int))
        if isinstance(value, int) and value <= 0 or value == "":
            raise _malformed(NAMES[name], "is neither a credit code nor an organisation number")
        out[name] = value
    for name in ("issued_at", "expires_at"):
        seconds = get(name, (int,))
        if seconds < 0 or seconds > 253402300799:  # up to 9999-12-31T23:59:59Z
            raise _malformed(NAMES[name], "is out of range")
        out[name] = times.text(seconds)
    if claims[NAMES["expires_at"]] <= claims[NAMES["issued_at"]]:
        raise _malformed(NAMES["expires_at"], "is not after issued_at")

    gtin = get("gtin", (int,), required=False)
    if gtin is not None and not 0 < gtin < 10 ** 14:
        raise _malformed(NAMES["gtin"], "is not a GTIN")
    out["gtin"] = gtin14(gtin) if gtin is not None else None

    unit = get("declared_unit", (list, tuple))
    if len(unit) != 2 or not isinstance(unit[0], (int, Decimal)) or isinstance(unit[0], bool) \
            or not isinstance(unit[1], str) or not unit[0] > 0:
        raise _malformed(NAMES["declared_unit"], "is not [amount > 0, unit]")
    out["declared_unit"] = {"amount": unit[0], "unit": unit[1]}

    value = get("value", (Decimal,))
    if not value.is_finite():
        raise _malformed(NAMES["value"], "is not finite")
    out["value"] = value

    shares = get("stage_permille", (list, tuple))
    if len(shares) != len(STAGES) or not all(
            s is None or (isinstance(s, int) and not isinstance(s, bool)) for s in shares):
        raise _malformed(NAMES["stage_permille"],
                         f"is not {len(STAGES)} entries of per mille or null")
    out["stage_permille"] = {stage: share for stage, share in zip(STAGES, shares)
                             if share is not None}

    # claim 20 is the range where a label carries both (a later version may sign the two)
    permille = _range(get("range_permille", (list, tuple), required=False), value)
    out["range"] = _figures(get("range", (list, tuple), required=False)) or permille

    provisional = get("provisional", (bool,), required=False)
    out["provisional"] = provisional if out["grade"] is not None else None
    for name, size in (("data_version", DATA_VERSION_BYTES),
                       ("reproducibility_hash", REPRO_HASH_BYTES)):
        raw = get(name, (bytes,))
        if len(raw) != size:
            raise _malformed(NAMES[name], f"is {len(raw)} bytes, not {size}")
        out[name] = raw.hex()
    return {"issuer": issuer, **{name: out[name] for name in READABLE}}


def _checked_range(permille) -> list[int]:
    """Claim 19 as signed (labels issued before claim 20): [low, high], unsigned integers,
    low <= 1000 <= high."""
    if not isinstance(permille, (list, tuple)) or len(permille) != 2 or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 2 ** 64
            for p in permille) or not permille[0] <= 1000 <= permille[1]:
        raise ValueError("is not [low <= 1000, high >= 1000], whole numbers per mille")
    return list(permille)


def _range(permille, value: Decimal) -> dict | None:
    """Claim 19 read: P5 and P95 as per mille of the signed value, and what they are in kg
    CO2e (exact: value x per mille / 1000). None when the label has no claim 19."""
    if permille is None:
        return None
    try:
        low, high = _checked_range(permille)
    except ValueError as exc:
        raise _malformed(NAMES["range_permille"], str(exc)) from None
    return {"permille": [low, high], "low": value * low / 1000, "high": value * high / 1000}


# An exponent a double's range needs (about 10^-324 to 10^308), and a little more; a larger one
# is no footprint, and would make a reader write out hundreds of digits.
MAX_EXPONENT = 400
SMALLEST_MANTISSA = 10 ** (FOOTPRINT_FIGURES - 1)  # 100: 3 digits, as round_value leaves them


def _figures(signed) -> dict | None:
    """Claim 20 read: [exponent, mantissa] of P5, then of P95, each mantissa FOOTPRINT_FIGURES
    digits (or 0) as claim 9's, P5 <= P95: {"low", "high"} in kg CO2e (exact Decimals), and
    "permille" None. None when the label has no claim 20."""
    if signed is None:
        return None
    if len(signed) != 4 or not all(type(n) is int for n in signed) \
            or not all(abs(e) <= MAX_EXPONENT for e in signed[0::2]) \
            or not all(m == 0 or SMALLEST_MANTISSA <= abs(m) < 10 * SMALLEST_MANTISSA
                       for m in signed[1::2]):
        raise _malformed(NAMES["range"], "is not [exponent, mantissa] of P5 and of P95 with "
                                         f"{FOOTPRINT_FIGURES} significant figures")
    low, high = figure(*signed[:2]), figure(*signed[2:])
    if high < low:
        raise _malformed(NAMES["range"], "has P95 below P5")
    return {"permille": None, "low": low, "high": high}


def jsonable(parsed: dict) -> dict:
    """Parsed claims with plain JSON types: numbers for the value and the amount."""
    out = dict(parsed)

    def plain(value):
        if not isinstance(value, Decimal):
            return value
        whole = value == value.to_integral_value() and value.as_tuple().exponent >= 0
        return int(value) if whole else float(value)
    out["value"] = plain(parsed["value"])
    out["declared_unit"] = {"amount": plain(parsed["declared_unit"]["amount"]),
                            "unit": parsed["declared_unit"]["unit"]}
    if parsed.get("range") is not None:
        out["range"] = {**parsed["range"], "low": plain(parsed["range"]["low"]),
                        "high": plain(parsed["range"]["high"])}
    return out
