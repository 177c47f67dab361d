"""Numbers a label signs: the value rounded to 3 significant figures, the range's ends
rounded the same way, the declared unit's amount, the stage split in per mille, and GTINs.

Value rounding: kg CO2e per declared unit to 3 significant figures, half away from zero
(Python's ROUND_HALF_UP), applied to the shortest decimal text of the number (a float's
``repr``, as JSON prints it). The result is signed as a CBOR decimal fraction (tag 4,
``[exponent, mantissa]``), so the signed value is exact: 0.41234 -> 4([-3, 412]) = 0.412.
The rules are specified in docs/label-format.md.
"""
from __future__ import annotations

import math
from decimal import Decimal

from footprint.display import FOOTPRINT_FIGURES, exact, significant
from footprint.model import STAGES


def round_value(value) -> Decimal:
    """3 significant figures, half away from zero, of the number's shortest decimal text
    (footprint.display.significant: pages show footprints with the same digits).
    Always 3 digits in the mantissa (14 -> 14.0, 2153 -> 2.15E+3), except zero."""
    return significant(value, FOOTPRINT_FIGURES)


def range_figures(spread) -> list[int]:
    """Claim 20: a result's range (``spread`` = {"p5", "p95", ...}, kg CO2e for the declared
    unit, as the value) as its two ends rounded by the value's rule (round_value: 3
    significant figures, half away from zero, of the shortest decimal text), each signed as
    claim 9's decimal fraction is, flat: [exponent, mantissa] of P5, then of P95. So every
    reader shows the very figures the submission page and ``footprint calc`` show
    (17.04-25.34 -> [-1, 170, -1, 253], 17.0-25.3), whatever the value rounded to."""
    low, high = round_value(spread["p5"]), round_value(spread["p95"])
    if high < low:
        raise ValueError("P95 is below P5")
    return [*fraction(low), *fraction(high)]


def fraction(rounded: Decimal) -> tuple[int, int]:
    """(exponent, mantissa) of a rounded Decimal, as a CBOR decimal fraction holds it."""
    sign, digits, exponent = rounded.as_tuple()
    return exponent, (-1) ** sign * int("".join(map(str, digits)))


def figure(exponent: int, mantissa: int) -> Decimal:
    """The Decimal of a decimal fraction's exponent and mantissa: (-1, 253) -> 25.3."""
    return Decimal(mantissa).scaleb(exponent)


def amount(value):
    """A declared unit's amount: an int when whole, else the exact decimal."""
    number = exact(value)
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


def checked_permille(shares) -> dict:
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
