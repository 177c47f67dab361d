"""An account's rating in four colours (深绿 / 浅绿 / 黄 / 红), after the Quzhou model's
"industry advancement" and "historical decline" dimensions (docs/carbon-accounts.md, Rating).

Pure rules over an account's figures: where its latest year's products stand in their
categories' grade bands, and how far its intensity fell like for like since the year before.
"""
from __future__ import annotations

from dataclasses import dataclass

COLOURS = ("dark_green", "light_green", "yellow", "red")  # best first
TARGET_PCT = 5.0  # a like-for-like fall of 5 % a year or more scores in full (LOANS.md)


@dataclass(frozen=True)
class Rating:
    year: int
    colour: str                 # one of COLOURS
    points: int                 # 0 .. 4
    advancement_points: int     # 0 .. 2
    band_position: float | None  # 0 = the categories' best bands .. 1 = their worst
    history_points: int         # 0 .. 2
    like_for_like_pct: float | None  # since the year before


def advancement(position: float | None) -> int:
    """2 in the best third of the bands, 1 in the middle third, 0 in the worst; 1 (neither
    credit nor blame) when no product is graded."""
    if position is None:
        return 1
    return 2 if position <= 1 / 3 else 1 if position <= 2 / 3 else 0


def history(pct: float | None) -> int:
    """2 for a like-for-like fall of TARGET_PCT or more, 1 for a smaller fall, 0 for none or
    a rise; 1 when there is no year before to compare with."""
    if pct is None:
        return 1
    return 2 if pct >= TARGET_PCT else 1 if pct > 0 else 0


def colour(points: int) -> str:
    return {4: "dark_green", 3: "light_green", 2: "yellow"}.get(points, "red")


def position(products) -> float | None:
    """The production-weighted mean band position of graded products (each product once
    when none has declared production)."""
    graded = [p for p in products if p.band_position is not None]
    if not graded:
        return None
    weighted = [p for p in graded if p.production]
    if weighted:
        total = sum(p.production for p in weighted)
        return sum(p.production * p.band_position for p in weighted) / total
    return sum(p.band_position for p in graded) / len(graded)


def rate(account) -> Rating | None:
    """The rating of the account's latest year (None without verified footprints)."""
    latest = account.latest
    if latest is None:
        return None
    place = position(latest.products)
    pct = account.since_last_year.like_for_like_pct if account.since_last_year else None
    a, h = advancement(place), history(pct)
    return Rating(latest.year, colour(a + h), a + h, a, place, h, pct)
