"""One exception hierarchy for the whole core, so callers catch ``FootprintError`` once."""
from __future__ import annotations

from dataclasses import dataclass


class FootprintError(Exception):
    """Base of every error the core raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough for a producer to fix it."""

    where: str  # e.g. "lines[3].unit" (JSON path) or "product.category"
    message: str

    @property
    def human_where(self) -> str:
        """'line 4 (lines[3].unit)' reads better to a producer than a bare JSON path."""
        index = self.where[len("lines["):].partition("]")[0]
        if self.where.startswith("lines[") and index.isdigit():
            return f"line {int(index) + 1} ({self.where})"
        return self.where

    def __str__(self) -> str:
        return f"{self.human_where}: {self.message}"


class InvalidInput(FootprintError):
    """A BOM or option is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}{len(self.problems)} problem(s) in the input\n{lines}")


class DataError(FootprintError):
    """Shipped or plugin data is inconsistent (hash mismatch, duplicate id, unknown flow)."""


class PluginError(FootprintError):
    """A plugin broke a hook's contract."""


class NotFound(FootprintError):
    """No such object, or not one this user may see (the two are deliberately alike)."""


class Forbidden(FootprintError):
    """The user may see the object but may not do this to it."""


class Conflict(FootprintError):
    """The object is not in a state that allows this (e.g. approving a draft)."""


class Throttled(FootprintError):
    """Too many failed attempts from this account or address: try again after
    ``retry_after`` seconds (the attempt was not checked at all)."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"too many failed attempts; try again in {self.retry_after} s")
