"""How numbers and times are shown to people: the one rule for pages, printed labels, the
command line and exports.

    footprint(2061.8)       -> "2,060"    kg CO2e: 3 significant figures, as a label signs it
    quantity(1200.0)        -> "1,200"    what a producer entered: its own digits (up to 6)
    quantity(0.030)         -> "0.03"
    percent(0.1234)         -> "12.3 %"   a share, one decimal
    china_time("2026-03-01T20:30:00+00:00") -> "2026-03-02 04:30"

Significant figures are counted on the number's shortest decimal text (a float's ``repr``,
as JSON prints it) and rounded half away from zero. A footprint is shown with exactly the
digits its carbon label signs (footprint.labels.numbers rounds the signed value with
``significant``), so a page never shows a figure that differs from the label: 2061.8 is
2,060 on the submission page, the scan page, the printed label and in the terminal.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

FOOTPRINT_FIGURES = 3
QUANTITY_FIGURES = 6
# Asia/Shanghai has kept UTC+8 without daylight saving since 1991: a fixed offset is exact for
# every stored time and needs no time-zone database on the server.
CHINA = timezone(timedelta(hours=8), "UTC+8")


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


def _grouped(number: Decimal) -> str:
    """Thousands separated, never in exponent form: 2.06E+3 -> "2,060"."""
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


def percent(share) -> str:
    """A share of a whole (0.1234) in per cent with one decimal: "12.3 %". None -> ""."""
    return "" if share is None else f"{100 * float(share):.1f} %"


def china_time(stamp) -> datetime | None:
    """A stored time (ISO 8601 text with its offset, "Z", or an aware datetime; a time
    without a zone is UTC, as the core stores them) in China time. None for no time."""
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
    return moment.astimezone(CHINA)


def time_text(stamp) -> str:
    """A stored time as read in China, to the minute: 2026-03-01T08:00:00+00:00 ->
    "2026-03-01 16:00" (the caller names the zone in the reader's language)."""
    moment = china_time(stamp)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def date_text(stamp) -> str:
    """The day of a stored time in China: 2026-03-01T20:00:00Z -> "2026-03-02"."""
    moment = china_time(stamp)
    return moment.strftime("%Y-%m-%d") if moment else ""
