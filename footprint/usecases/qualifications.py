"""Qualified accounting bodies: an administrator (or the operator at the command line)
records a body's accreditation, audited; the workflow asks whether a body is qualified for a
submission's category on the day (footprint.accreditation's rule) before it is assigned the
submission or verifies it; the administration page lists what lapses soon or has lapsed."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..accreditation import (MAX_NUMBER, parse_day, qualification_problem, standing,
                             today)
from ..errors import Forbidden, InvalidInput, Message, Problem
from ..store import accounts as store_accounts
from ..store import qualifications as stored
from ..store import supervision_events as events
from ..store.db import transaction
from ..text import checked
from .organisations import find_organisation


def _body(db, org, problems: list[Problem]) -> dict | None:
    """The accounting body ``org`` names (find_organisation's ways)."""
    try:
        return find_organisation(db, org, kind="accounting_body")
    except InvalidInput as exc:
        problems += exc.problems
        return None


def _categories(categories, known: Iterable[str], problems: list[Problem]) -> list[str]:
    given = categories.split(",") if isinstance(categories, str) else list(categories or ())
    names = list(dict.fromkeys(c.strip() for c in given if c and c.strip()))
    known = sorted(known)
    if not names:
        problems.append(Problem("categories", Message("name at least one category")))
    for i, name in enumerate(names):
        if name not in known:
            problems.append(Problem(f"categories[{i}]", Message(
                'no category "%(name)s"; the categories are %(names)s', name=name,
                names=", ".join(known))))
    return names


def bodies(db) -> list[dict]:
    """The accounting bodies one may qualify."""
    return store_accounts.organisations(db, kind="accounting_body")


def qualify(db, actor: dict | None, org, number: str, categories, valid_from, valid_until,
            known_categories: Iterable[str]) -> dict:
    """Record an accounting body's qualification; ``actor`` None is the operator at the
    command line, otherwise an administrator. Bad input: InvalidInput, nothing stored."""
    if actor is not None and actor["role"] != "admin":
        raise Forbidden(Message("only an administrator records qualifications"))
    problems: list[Problem] = []
    body = _body(db, org, problems)
    number = checked((number or "").strip(), "number", problems)
    if not number or len(number) > MAX_NUMBER:
        problems.append(Problem("number", Message("1 to %(max)s characters", max=MAX_NUMBER)))
    names = _categories(categories, known_categories, problems)
    first = parse_day(valid_from, "valid_from", problems)
    last = parse_day(valid_until, "valid_until", problems)
    if first and last and last < first:
        problems.append(Problem("valid_until", Message("the last day cannot come before the "
                                                       "first")))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        qualification_id = stored.insert(db, body["id"], number, names, first.isoformat(),
                                         last.isoformat(), actor["id"] if actor else None)
        events.record(db, actor["id"] if actor else None, "qualify", None, None,
                      f"{number}: {', '.join(names)}, {first} to {last}",
                      qualification_id=qualification_id)
    return stored.get(db, qualification_id)


def _with_standing(rows: list[dict], day: date) -> list[dict]:
    return [{**row, "standing": standing(row, day)} for row in rows]


def listing(db, day: date | None = None) -> list[dict]:
    """Every qualification with its standing on ``day`` (default today): valid, expiring,
    expired or not_yet."""
    return _with_standing(stored.listed(db), day or today())


def of_body(db, org_id: int, day: date | None = None) -> list[dict]:
    return _with_standing(stored.of_organisation(db, org_id), day or today())


def of_named_body(db, org, day: date | None = None) -> tuple[dict, list[dict]]:
    """The accounting body ``org`` names (its name or number) and its qualifications with
    their standing; InvalidInput at ``org`` when it names none."""
    problems: list[Problem] = []
    body = _body(db, org, problems)
    if body is None:
        raise InvalidInput(problems)
    return body, of_body(db, body["id"], day)


def needing_attention(db, day: date | None = None) -> list[dict]:
    """What the administrator is warned of: qualifications that lapse within the notice
    period or have lapsed, unless a later one of the same body covers their categories."""
    rows = listing(db, day)
    flagged = []
    for row in rows:
        if row["standing"] not in ("expiring", "expired"):
            continue
        renewed = any(other["org_id"] == row["org_id"]
                      and other["valid_until"] > row["valid_until"]
                      and set(row["categories"]) <= set(other["categories"])
                      for other in rows)
        if not renewed:
            flagged.append(row)
    return flagged


def check_qualified(db, org_id: int, category: str, where: str = "verifier_org",
                    day: date | None = None) -> None:
    """InvalidInput (located at ``where``) unless the accounting body ``org_id`` is qualified
    for ``category`` on ``day`` (default today)."""
    body = store_accounts.organisation(db, org_id)
    problem = qualification_problem(where, body["name"], stored.of_organisation(db, org_id),
                                    category, day or today())
    if problem is not None:
        raise InvalidInput([problem])
