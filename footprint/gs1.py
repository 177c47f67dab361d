"""GS1 identifiers: GTINs (with their check digit) as used in GS1 Digital Link URLs."""
from __future__ import annotations

from .errors import Message

GTIN_LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """GS1 mod-10: weights 3 and 1 alternating from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as the 14-digit form GS1 Digital Link uses; ValueError if invalid."""
    digits = str(value).strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in GTIN_LENGTHS:
        raise ValueError(Message("a GTIN has 8, 12, 13 or 14 digits"))
    if check_digit(digits[:-1]) != int(digits[-1]):
        raise ValueError(Message("check digit should be %(expected)s, not %(given)s",
                                 expected=check_digit(digits[:-1]), given=digits[-1]))
    return digits.zfill(14)
