"""Qualified accounting bodies (核算机构资质): the rules of an accreditation, no storage.

A qualification is an accounting body's accreditation number, its scope (the product
categories it may verify) and the days it holds, both inclusive, as days of the platform's
time zone. Only a body whose qualification covers the submission's category on the day may be
assigned a submission or verify it (footprint.usecases.actions applies the rule). An
administrator sees the qualifications that lapse within EXPIRY_NOTICE_DAYS, and those that
have lapsed.
"""
from __future__ import annotations

from datetime import date

from . import clock
from .display import local_time
from .errors import Message, Problem

EXPIRY_NOTICE_DAYS = 30
MAX_NUMBER = 100


def today() -> date:
    """The day it is now on the platform (its time zone: a Chinese body's day)."""
    return local_time(clock.now()).date()


def parse_day(text, where: str, problems: list[Problem]) -> date | None:
    """A day given as YYYY-MM-DD; a located problem otherwise."""
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        problems.append(Problem(where, Message("a day such as 2026-12-31 (YYYY-MM-DD)")))
        return None


def covers(qualification: dict, category: str, day: date) -> bool:
    """Whether ``qualification`` lets its body verify ``category`` on ``day``."""
    return (category in qualification["categories"]
            and qualification["valid_from"] <= day.isoformat() <= qualification["valid_until"])


STANDINGS = ("valid", "expiring", "expired", "not_yet")  # footprint.words says them


def standing(qualification: dict, day: date) -> str:
    """"expired", "expiring" (lapses within EXPIRY_NOTICE_DAYS), "not_yet" or "valid"."""
    if qualification["valid_until"] < day.isoformat():
        return "expired"
    if qualification["valid_from"] > day.isoformat():
        return "not_yet"
    if (date.fromisoformat(qualification["valid_until"]) - day).days <= EXPIRY_NOTICE_DAYS:
        return "expiring"
    return "valid"


def qualification_problem(where: str, body_name: str, qualifications: list[dict],
                          category: str, day: date) -> Problem | None:
    """None if one of the body's ``qualifications`` covers ``category`` on ``day``; else the
    problem, located at ``where``, saying why."""
    if any(covers(q, category, day) for q in qualifications):
        return None
    if any(category in q["categories"] for q in qualifications):
        return Problem(where, Message(
            "%(body)s is not qualified to verify %(category)s on %(day)s: its qualification "
            "for the category is not valid that day", body=body_name, category=category,
            day=day.isoformat()))
    return Problem(where, Message(
        "%(body)s holds no qualification to verify the category %(category)s",
        body=body_name, category=category))
