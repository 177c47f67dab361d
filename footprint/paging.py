"""Keyset pages: a long list read newest first (or, a work queue, oldest first), a page at a
time. Each page ends with the cursor (``before``: the place after which, in the list's order,
the next begins), so a page costs the same at the end of the list as at its start, and rows
written meanwhile never shift the pages a reader walks (no row is shown twice, and none that
stays put is skipped).

The registry, the work lists (submissions) and the regulator's organisations page this way;
what a cursor holds is each list's own (a registry sequence number, a submission's update
time and id, the last organisation's number in a list by name).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PAGE_SIZE = 50
MAX_ID = 2 ** 63 - 1  # the largest row id a cursor may name (SQLite's and PostgreSQL's bigint)


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    next_before: int | str | None  # the cursor of the next page, None on the last


def cut(rows: list[dict], size: int, cursor: Callable[[dict], int | str]) -> Page:
    """The page of ``size`` rows from ``size + 1`` read: the extra row only says that a
    next page exists, and the last row shown is where it begins."""
    shown = rows[:size]
    return Page(shown, cursor(shown[-1]) if len(rows) > size else None)
