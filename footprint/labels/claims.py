"""A label's claims: readable record <-> compact CBOR map with small integer keys.

``build_claims(record)`` checks a label record and returns the map that gets signed;
``parse_claims(map)`` turns a (verified) map back into readable names. The keys, types and
rounding rule are specified in docs/label-format.md; keep the two in step.

Value rounding: kg CO2e per declared unit to 3 significant figures, half away from zero
(Python's ROUND_HALF_UP), applied to the shortest decimal text of the number (a float's
``repr``, as JSON prints it). The result is signed as a CBOR decimal fraction (tag 4,
``[exponent, mantissa]``), so the signed value is exact: 0.41234 -> 4([-3, 412]) = 0.412.
"""
from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

import cbor2

from footprint.errors import InvalidInput, Problem
from footprint.model import STAGES

from . import times
from .encoding import to_b32
from .errors import LabelInvalid

SIGNIFICANT_FIGURES = 3

# claim key -> readable name. Keys 1..23 encode in one CBOR byte.
KEYS = {
    1: "id",
    2: "issuer",
    3: "issued_at",
    4: "expires_at",
    5: "product_name_zh",
    6: "product_name_en",
    7: "gtin",
    8: "producer",
    9: "category",
    10: "declared_unit",
    11: "value",
    12: "stage_permille",
    13: "grade",
    14: "provisional",
    15: "region",
    16: "data_version",
    17: "reproducibility_hash",
    18: "verifier",
    19: "reviewer",
    20: "supersedes",
}
NAMES = {name: key for key, name in KEYS.items()}
REQUIRED = ("id", "issuer", "issued_at", "expires_at", "producer", "category", "declared_unit",
            "value", "stage_permille", "region", "data_version", "reproducibility_hash",
            "verifier", "reviewer")
OPTIONAL = ("product_name_zh", "product_name_en", "gtin", "grade", "provisional", "supersedes")

DATA_VERSION_BYTES = 8   # first 16 hex digits of the data version
REPRO_HASH_BYTES = 16    # first 16 bytes of the reproducibility hash

# Longest texts this implementation signs (characters). Verifiers accept any length; the
# limits keep the QR code scannable.
MAX_TEXT = {"id": 64, "issuer": 32, "product_name_zh": 64, "product_name_en": 80,
            "producer": 64, "category": 32, "region": 16, "grade": 8, "verifier": 64,
            "reviewer": 32, "supersedes": 64, "unit": 16}

LABEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ISSUER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HEX = re.compile(r"[0-9a-fA-F]+")


def new_label_id(issuer_id: str) -> str:
    """A short, unique, printable label id: the issuer id, "-", base32 of 8 random bytes
    (13 characters), e.g. CN-SC-K5QX7M2ZP4H6A."""
    if not isinstance(issuer_id, str) or not ISSUER_ID.fullmatch(issuer_id):
        raise ValueError(f"issuer id {issuer_id!r}: letters, digits, '.', '_' or '-' "
                         "(at most 32)")
    return f"{issuer_id}-{to_b32(secrets.token_bytes(8))}"


# -- numbers ---------------------------------------------------------------------------------

def _decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a number, not a bool")
    if isinstance(value, float):
        value = repr(value)  # the shortest text that round-trips, as JSON prints it
    elif isinstance(value, int):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def round_value(value) -> Decimal:
    """3 significant figures, half away from zero, of the number's shortest decimal text.
    Always 3 digits in the mantissa (14 -> 14.0, 2153 -> 2.15E+3), except zero."""
    number = _decimal(value)
    if number == 0:
        return Decimal(0)
    context = Context(prec=60, rounding=ROUND_HALF_UP)
    exponent = number.adjusted() - (SIGNIFICANT_FIGURES - 1)
    rounded = number.quantize(Decimal((0, (1,), exponent)), context=context)
    if len(rounded.as_tuple().digits) > SIGNIFICANT_FIGURES:  # 999.5 -> 1000: one digit more
        rounded = number.quantize(Decimal((0, (1,), exponent + 1)), context=context)
    return rounded


def format_decimal(number) -> str:
    """Plain text of a claim number, never in exponent form: 2.15E+3 -> "2150"."""
    return format(number, "f") if isinstance(number, Decimal) else str(number)


def _amount(value):
    """A declared unit's amount: an int when whole, else the exact decimal."""
    number = _decimal(value)
    if number <= 0:
        raise ValueError("must be more than 0")
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def stage_permille(by_stage: dict) -> dict:
    """Each stage's share of the total in per mille, summing to exactly 1000 (largest
    remainder: floors first, then one more to the largest fractional parts, ties in stage
    order). All zero when the total is zero."""
    unknown = [s for s in by_stage if s not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(map(str, unknown))}; "
                         f"stages are {', '.join(STAGES)}")
    inside = [s for s in STAGES if s in by_stage]
    values = {s: float(by_stage[s]) for s in inside}
    if not all(math.isfinite(v) for v in values.values()):
        raise ValueError("stage values must be finite numbers")
    total = math.fsum(values.values())
    if total == 0:
        return {s: 0 for s in inside}
    exact = {s: values[s] * 1000 / total for s in inside}
    shares = {s: math.floor(exact[s]) for s in inside}
    left = 1000 - sum(shares.values())
    for s in sorted(inside, key=lambda s: (-(exact[s] - shares[s]), STAGES.index(s)))[:left]:
        shares[s] += 1
    return shares


# -- record -> claims ------------------------------------------------------------------------

def build_claims(label: dict) -> dict:
    """The CBOR claims map (integer keys) of a label record with readable names (those of
    KEYS). Besides ``stage_permille`` the record may give ``by_stage`` (kg CO2e per stage, as
    in a result) and the shares are computed. Every problem is reported at once as
    InvalidInput."""
    problems: list[Problem] = []
    claims: dict = {}

    def problem(name, message):
        problems.append(Problem(name, message))

    def text(name, required=True, limit=None):
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
        limit = limit or MAX_TEXT[name]
        if len(value) > limit:
            problem(name, f"is {len(value)} characters; at most {limit}")
            return None
        return value

    def put(name, value):
        if value is not None:
            claims[NAMES[name]] = value

    label_id = text("id")
    if label_id is not None and not LABEL_ID.fullmatch(label_id):
        problem("id", "letters, digits, '.', '_' or '-', at most 64")
    put("id", label_id)
    issuer = text("issuer")
    if issuer is not None and not ISSUER_ID.fullmatch(issuer):
        problem("issuer", "letters, digits, '.', '_' or '-', at most 32")
    put("issuer", issuer)

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

    put("product_name_zh", text("product_name_zh", required=False))
    put("product_name_en", text("product_name_en", required=False))
    if not label.get("product_name_zh") and not label.get("product_name_en"):
        problem("product_name_zh", "a product name (zh or en) is required")
    if label.get("gtin") not in (None, ""):
        try:
            put("gtin", gtin_number(label["gtin"]))
        except ValueError as exc:
            problem("gtin", str(exc))
    for name in ("producer", "category", "region", "verifier", "reviewer"):
        put(name, text(name))

    unit = label.get("declared_unit")
    if not isinstance(unit, dict) or "amount" not in unit or "unit" not in unit:
        problem("declared_unit", 'must be {"amount": number, "unit": text}')
    else:
        try:
            amount = _amount(unit["amount"])
        except ValueError as exc:
            problem("declared_unit.amount", str(exc))
            amount = None
        name = unit["unit"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_TEXT["unit"] \
                or _CONTROL.search(name):
            problem("declared_unit.unit", f"must be text of 1 to {MAX_TEXT['unit']} characters")
        elif amount is not None:
            claims[NAMES["declared_unit"]] = [amount, name]

    if label.get("value") is None:
        problem("value", "is required")
    else:
        try:
            put("value", round_value(label["value"]))
        except ValueError as exc:
            problem("value", str(exc))

    shares = None
    try:
        if label.get("stage_permille") is not None:
            shares = _checked_permille(label["stage_permille"])
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
        try:
            put(name, _hex_prefix(label.get(name), size))
        except ValueError as exc:
            problem(name, str(exc))

    supersedes = text("supersedes", required=False)
    if supersedes is not None and not LABEL_ID.fullmatch(supersedes):
        problem("supersedes", "must be a label id")
    elif supersedes is not None and supersedes == label_id:
        problem("supersedes", "a label cannot supersede itself")
    put("supersedes", supersedes)

    if problems:
        raise InvalidInput(problems, source="label")
    return dict(sorted(claims.items()))


def _checked_permille(shares) -> dict:
    if not isinstance(shares, dict):
        raise ValueError("must map stage to per mille")
    unknown = [s for s in shares if s not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(map(str, unknown))}")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in shares.values()):
        raise ValueError("shares are whole numbers per mille")
    if shares and sum(shares.values()) not in (0, 1000):
        raise ValueError(f"shares sum to {sum(shares.values())}, not 1000")
    return dict(shares)


def _hex_prefix(value, size: int) -> bytes:
    if value is None or value == "":
        raise ValueError("is required")
    if isinstance(value, (bytes, bytearray)):
        if len(value) < size:
            raise ValueError(f"at least {size} bytes")
        return bytes(value[:size])
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) < 2 * size:
        raise ValueError(f"must be hexadecimal, at least {2 * size} digits")
    return bytes.fromhex(value[:2 * size])


def gtin_number(value) -> int:
    """A GTIN-8, -12, -13 or -14 (text of digits, check digit verified) as the integer that
    the label carries; ``gtin14`` turns it back into 14 digits."""
    digits = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) \
        else None
    if digits is None or not digits.isascii() or not digits.isdigit() \
            or len(digits) not in (8, 12, 13, 14):
        raise ValueError("a GTIN is 8, 12, 13 or 14 digits")
    digits = digits.zfill(14)
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    if (10 - total % 10) % 10 != check:
        raise ValueError(f"check digit of {value} is wrong")
    return int(digits)


def gtin14(number: int) -> str:
    return str(number).zfill(14)


def encode_claims(claims: dict) -> bytes:
    """The payload bytes: deterministic CBOR (RFC 8949 section 4.2.1)."""
    return cbor2.dumps(claims, canonical=True)


# -- claims -> readable ----------------------------------------------------------------------

def _malformed(key: int, message: str):
    return LabelInvalid("malformed", f"claim {key} ({KEYS.get(key, 'unknown')}) {message}")


def parse_claims(claims) -> dict:
    """Readable names for a claims map (e.g. a verified payload): every name of KEYS, None
    where an optional claim is absent. Times become RFC 3339 text, value a Decimal, the
    stage split {stage: per mille} over the stages inside the boundary, the GTIN 14 digits,
    hashes hex. Keys this version does not know are ignored. Raises LabelInvalid
    ("malformed") for a missing or mistyped claim."""
    if not isinstance(claims, Mapping) or not all(type(k) is int for k in claims):
        raise LabelInvalid("malformed", "the claims are not a CBOR map with integer keys")

    def get(name, kinds, required=True):
        key = NAMES[name]
        if key not in claims:
            if required:
                raise _malformed(key, "is missing")
            return None
        value = claims[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise _malformed(key, f"has the wrong type ({type(value).__name__})")
        return value

    out = {}
    for name in ("id", "issuer", "producer", "category", "region", "verifier", "reviewer"):
        out[name] = get(name, (str,))
        if not out[name]:
            raise _malformed(NAMES[name], "is empty")
    for name in ("product_name_zh", "product_name_en", "grade", "supersedes"):
        out[name] = get(name, (str,), required=False)
    if not out["product_name_zh"] and not out["product_name_en"]:
        raise _malformed(NAMES["product_name_zh"], "and product_name_en are both missing")
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

    provisional = get("provisional", (bool,), required=False)
    out["provisional"] = provisional if out["grade"] is not None else None
    for name, size in (("data_version", DATA_VERSION_BYTES),
                       ("reproducibility_hash", REPRO_HASH_BYTES)):
        raw = get(name, (bytes,))
        if len(raw) != size:
            raise _malformed(NAMES[name], f"is {len(raw)} bytes, not {size}")
        out[name] = raw.hex()
    return {name: out[name] for name in KEYS.values()}


def jsonable(parsed: dict) -> dict:
    """Parsed claims with plain JSON types: numbers for the value and the amount."""
    out = dict(parsed)

    def number(value):
        if not isinstance(value, Decimal):
            return value
        whole = value == value.to_integral_value() and value.as_tuple().exponent >= 0
        return int(value) if whole else float(value)
    out["value"] = number(parsed["value"])
    out["declared_unit"] = {"amount": number(parsed["declared_unit"]["amount"]),
                            "unit": parsed["declared_unit"]["unit"]}
    return out
