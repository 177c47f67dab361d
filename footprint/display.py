"""How numbers and times are shown to people: the one rule for pages, printed labels, the
command line and exports.

    footprint(2061.8)       -> "2,060"    kg CO2e: 3 significant figures, as a label signs it
    quantity(1200.0)        -> "1,200"    what a producer entered: its own digits (up to 6)
    quantity(0.030)         -> "0.03"
    percent(0.1234)         -> "12.3 %"   a share, one decimal
    number(1048576)         -> "1,048,576" a number a message names: exactly, no ".0"
    footprint(1.404e307)    -> "1.40 × 10³⁰⁷" from 10¹⁵ on, as a power of ten
    time_text("2026-03-01T20:30:00+00:00") -> "2026-03-02 04:30"   in the platform's zone
    leaf(12)                -> "leaf 12"  a transparency-log leaf, by the log's index from 0

Significant figures are counted on the number's shortest decimal text (a float's ``repr``,
as JSON prints it) and rounded half away from zero. A footprint is shown with exactly the
digits its carbon label signs (footprint.labels.numbers rounds the signed value with
``significant``), so a page never shows a figure that differs from the label: 2061.8 is
2,060 on the submission page, the scan page, the printed label and in the terminal.

A number of 10¹⁵ or more, or less than 10⁻⁶, is written as its figures times a power of ten:
written out it would be a row of digits wider than a phone's screen (a footprint of
1.404e307 kg was 308 digits, and its page 7,483 px wide). Between, numbers are written out
with thousands separators.

Times are stored in UTC and shown in the platform's time zone: FOOTPRINT_TIME_ZONE, an IANA
name (default Asia/Shanghai, China Standard Time; a platform in Xinjiang may prefer
Asia/Urumqi). The zone database is the system's (Debian's tzdata) or the tzdata package; if
neither has the zone, times are shown at the fixed offset UTC+08:00, which is exact for
Asia/Shanghai (no daylight saving since 1991), and a warning says so once.
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FOOTPRINT_FIGURES = 3
QUANTITY_FIGURES = 6
TIME_ZONE_VARIABLE = "FOOTPRINT_TIME_ZONE"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
CHINA = timezone(timedelta(hours=8), "UTC+8")  # the fallback: Asia/Shanghai's offset
# Names of China Standard Time (北京时间) in the zone database.
CHINA_ZONES = ("Asia/Shanghai", "PRC", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin")

log = logging.getLogger(__name__)


def exact(value) -> Decimal:
    """The number's shortest decimal text as a Decimal; ValueError if it is not a finite
    number (a bool is not a number here)."""
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


def significant(value, figures: int) -> Decimal:
    """``figures`` significant figures, half away from zero, of the number's shortest decimal
    text; always that many digits in the mantissa (14 -> 14.0 to 3), except zero."""
    number = exact(value)
    if number == 0:
        return Decimal(0)
    context = Context(prec=60, rounding=ROUND_HALF_UP)
    exponent = number.adjusted() - (figures - 1)
    rounded = number.quantize(Decimal((0, (1,), exponent)), context=context)
    if len(rounded.as_tuple().digits) > figures:  # 999.5 -> 1000: one digit more
        rounded = number.quantize(Decimal((0, (1,), exponent + 1)), context=context)
    return rounded


# Beyond these a number is its figures times a power of ten (see the module's docstring):
# 1,000,000,000,000,000 is the widest number written out (21 characters), 0.00000123 the
# longest small one.
POWER_OF_TEN_FROM = Decimal("1e15")
POWER_OF_TEN_BELOW = Decimal("1e-6")
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
TIMES = "\u00a0×\u00a0"  # no-break spaces: a line breaks beside the number, never inside it


def _grouped(number: Decimal) -> str:
    """Thousands separated, never in exponent form: 2.06E+3 -> "2,060"; from 10¹⁵ on and
    below 10⁻⁶, the figures times a power of ten: 1.40E+307 -> "1.40 × 10³⁰⁷"."""
    if number and not POWER_OF_TEN_BELOW <= abs(number) < POWER_OF_TEN_FROM:
        sign, digits, _exponent = number.as_tuple()
        figures = "".join(map(str, digits))
        mantissa = figures[0] + ("." + figures[1:] if len(figures) > 1 else "")
        power = str(number.adjusted()).translate(SUPERSCRIPTS)
        return f"{'-' if sign else ''}{mantissa}{TIMES}10{power}"
    return format(number, ",f")


def footprint(value) -> str:
    """A footprint (kg CO2e) as its label signs it, with thousands separators:
    2061.8 -> "2,060", 14.04 -> "14.0", 0.034658 -> "0.0347". None -> ""."""
    if value is None:
        return ""
    return _grouped(significant(value, FOOTPRINT_FIGURES))


def quantity(value) -> str:
    """A quantity as entered, up to 6 significant figures without trailing zeros:
    1.0 -> "1", 0.030 -> "0.03", 1200 -> "1,200", 0.1 + 0.2 -> "0.3". None -> ""."""
    if value is None:
        return ""
    rounded = significant(value, QUANTITY_FIGURES)
    return _grouped(rounded.normalize() if rounded else rounded)


def number(value) -> str:
    """A number as a message names it (a limit, a bound, a value refused): its own digits,
    grouped, without a trailing ".0": 1048576 -> "1,048,576", 1e13 -> "10,000,000,000,000",
    0.01 -> "0.01", 1e308 -> "1 × 10³⁰⁸", 1e-9 -> "1 × 10⁻⁹"."""
    exact_number = exact(value)
    return _grouped(exact_number.normalize() if exact_number else exact_number)


def yuan(value) -> str:
    """A sum of money in yuan to the fen, grouped: "60000" -> "60,000.00". None -> ""."""
    if value is None:
        return ""
    return _grouped(exact(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rate(bp) -> str:
    """An interest rate held in basis points, in per cent to the basis point: 240 ->
    "2.40 %". None -> ""."""
    return "" if bp is None else f"{exact(bp) / 100:.2f} %"


def percent(share) -> str:
    """A share of a whole (0.1234) in per cent with one decimal: "12.3 %". None -> ""."""
    return "" if share is None else f"{100 * float(share):.1f} %"


def zone_key() -> str:
    """The platform's time zone as configured (FOOTPRINT_TIME_ZONE)."""
    return os.environ.get(TIME_ZONE_VARIABLE, "").strip() or DEFAULT_TIME_ZONE


def platform_zone() -> tzinfo:
    """The platform's time zone; UTC+08:00 (with a warning) if the zone database lacks it."""
    return _zone(zone_key())


def in_china_time() -> bool:
    """Whether the platform shows China Standard Time (北京时间), by name or as the fallback."""
    zone = platform_zone()
    return zone is CHINA or getattr(zone, "key", None) in CHINA_ZONES


@lru_cache(maxsize=8)
def _zone(key: str) -> tzinfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("%s=%r is not in the time-zone database (install tzdata, or name an IANA "
                    "zone such as Asia/Shanghai): times are shown at the fixed offset "
                    "UTC+08:00", TIME_ZONE_VARIABLE, key)
        return CHINA


def local_time(stamp) -> datetime | None:
    """A stored time (ISO 8601 text with its offset, "Z", or an aware datetime; a time
    without a zone is UTC, as the core stores them) in the platform's time zone. None for no
    time."""
    if not stamp:
        return None
    if isinstance(stamp, datetime):
        moment = stamp
    elif isinstance(stamp, date):
        moment = datetime(stamp.year, stamp.month, stamp.day)
    else:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(platform_zone())


china_time = local_time  # its name while the platform's zone was always China's


def leaf(index: int) -> str:
    """A leaf of the transparency log as people read it: by the log's own index, counting
    from 0 as RFC 6962 and C2SP tlog-tiles number leaves (the index an inclusion proof, the
    API's ``log_index``, the tiles and ``footprint log proof`` take), never that plus one:
    the first leaf is leaf 0 on every page, in the CLI and in the docs (the web says it in the
    reader's language: 第 12 号叶子, web.formatting.leaf)."""
    return f"leaf {index}"


def time_text(stamp) -> str:
    """A stored time as read in the platform's zone, to the minute: 2026-03-01T08:00:00+00:00
    -> "2026-03-01 16:00" in China (the caller names the zone in the reader's language)."""
    moment = local_time(stamp)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def date_text(stamp) -> str:
    """The day of a stored time in the platform's zone: 2026-03-01T20:00:00Z -> "2026-03-02"
    in China."""
    moment = local_time(stamp)
    return moment.strftime("%Y-%m-%d") if moment else ""
