"""The one clock of the core: every stored time, every signed time and every "is it expired
yet" comes from ``now()``.

Times are UTC to the whole second. Stored times are ISO 8601 text with the offset
(``2026-03-01T08:00:00+00:00``), which sorts as time does. Call ``clock.now()`` through the
module, so a test that moves the clock (``monkeypatch.setattr(clock, "now", ...)``) moves it
everywhere.
"""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """This moment, UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def stamp(at: datetime | None = None) -> str:
    """A moment as stored: ISO 8601 with its offset, to the second (default: now)."""
    return (at if at is not None else now()).isoformat(timespec="seconds")
