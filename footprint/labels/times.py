"""Times in labels and trust lists: whole seconds, UTC.

Labels carry NumericDate integers (seconds since 1970-01-01T00:00:00Z, as in RFC 8392);
trust and revocation lists carry RFC 3339 strings ending in "Z".
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from .. import clock


def epoch(value) -> int:
    """Seconds since the epoch of a datetime (aware), a date (its UTC midnight), an
    RFC 3339 string or an int; fractions of a second are dropped."""
    if isinstance(value, bool):
        raise TypeError("a time, not a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = parse(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a time must carry its time zone (e.g. end with Z)")
        return int(value.timestamp() // 1)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    raise TypeError(f"not a time: {value!r}")


def parse(text: str) -> datetime:
    """An RFC 3339 date-time with a time zone ("2026-01-01T00:00:00Z"), or a bare date
    ("2026-01-01", meaning its UTC midnight)."""
    if not isinstance(text, str):
        raise TypeError(f"not a time string: {text!r}")
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone (end it with Z)")
    return moment.astimezone(timezone.utc)


def text(seconds: int) -> str:
    """RFC 3339 in UTC with a Z: 2026-01-01T00:00:00Z."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> int:
    """The core's clock (footprint.clock) in seconds since the epoch."""
    return int(clock.now().timestamp())
