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


# -- AI 10: batch or lot number ----------------------------------------------------------------

LOT_MAX = 20  # AI (10) is X..20: up to 20 characters
# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1): the
# characters a batch/lot (AI 10) may hold; in a Digital Link URI those that are not
# unreserved in RFC 3986 are percent-encoded ("/" as %2F).
CSET_82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                    "abcdefghijklmnopqrstuvwxyz")


def check_lot(value: str) -> str:
    """A batch/lot number (AI 10) as given; ValueError naming the first character outside
    GS1's character set 82, or the length, if it is not one."""
    lot = str(value)
    if not 1 <= len(lot) <= LOT_MAX:
        raise ValueError(Message("a batch or lot number (GS1 AI 10) has 1 to %(max)s characters",
                                 max=LOT_MAX))
    for position, char in enumerate(lot, start=1):
        if char not in CSET_82:
            raise ValueError(Message(
                "character %(position)s (%(char)s) is not allowed in a batch or lot number "
                "(GS1 AI 10): only letters A-Z and a-z, digits and the symbols of GS1's "
                "character set 82", position=position, char=f"U+{ord(char):04X}"))
    return lot


# -- link types of a GS1-Conformant resolver (GS1 Web Vocabulary) -----------------------------

VOC = "https://gs1.org/voc/"
# the link types this platform serves for a GTIN, by their compact name (gs1:pip)
LINK_TYPES = ("sustainabilityInfo", "certificationInfo", "pip", "defaultLink")


def link_type(value: str) -> str | None:
    """The full URI of a GS1 link type given compactly (gs1:pip) or in full
    (https://gs1.org/voc/pip, also https://ref.gs1.org/voc/pip or www.gs1.org); None if it
    is not a GS1 link type."""
    value = value.strip()
    for prefix in ("gs1:", VOC, "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/",
                   "http://gs1.org/voc/"):
        if value.startswith(prefix) and value[len(prefix):]:
            return VOC + value[len(prefix):]
    return None
