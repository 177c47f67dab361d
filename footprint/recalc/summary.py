"""What a recalculation did: counts, change by region and category, and the top movers.

Changes are relative to the product's previous footprint, in per cent. A product's "mover"
is the top-level line of its BOM whose kg CO2e moved most between the two data versions
(known when the previous version can still be loaded exactly).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

TOP = 10


@dataclass
class Group:
    count: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    sum_change_pct: float = 0.0  # over products with a previous footprint other than 0
    n_change_pct: int = 0
    largest_change_pct: float | None = None  # the largest in size, with its sign

    def as_dict(self) -> dict:
        mean = self.sum_change_pct / self.n_change_pct if self.n_change_pct else None
        return {"count": self.count, "changed": self.changed, "unchanged": self.unchanged,
                "failed": self.failed, "mean_change_pct": mean,
                "largest_change_pct": self.largest_change_pct}


@dataclass
class Summary:
    to_version: str
    to_version_name: str
    dry_run: bool
    run_id: int | None = None
    resumed: bool = False
    selected: int = 0
    done_before: int = 0  # by the interrupted run this one resumed
    already_current: int = 0  # their footprint already used the target version
    reissued: int = 0
    totals: Group = field(default_factory=Group)
    by_region: dict[str, Group] = field(default_factory=dict)
    by_category: dict[str, Group] = field(default_factory=dict)
    top: list = field(default_factory=list)  # heap of (abs change, tie, mover dict)
    items: list = field(default_factory=list)  # a dry run's items (nothing is stored)
    failures: list = field(default_factory=list)  # the first few, for the screen

    def add_chunk(self, rows: list[tuple], items: list[tuple], lines: dict) -> None:
        """``rows`` as footprint.store.recalc_runs.COLUMNS, ``items`` as its ITEM_COLUMNS,
        in the same order; ``lines`` names the lines of products compiled in this chunk."""
        if self.dry_run:
            self.items.extend((row, item) for row, item in zip(rows, items))
        status = np.array([item[3] for item in items])
        before = np.array([item[5] for item in items], dtype=np.float64)
        after = np.array([np.nan if item[6] is None else item[6] for item in items])
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(before != 0, (after - before) / np.abs(before) * 100, np.nan)
        regions = np.array([row[5] for row in rows], dtype=object)
        categories = np.array([row[4] for row in rows], dtype=object)
        self._tally(self.totals, status, pct)
        for groups, keys in ((self.by_region, regions), (self.by_category, categories)):
            for key in set(keys.tolist()):
                members = keys == key
                self._tally(groups.setdefault(key, Group()), status[members], pct[members])
        for i in np.flatnonzero(status == "failed")[:max(0, 5 - len(self.failures))]:
            self.failures.append({"submission": rows[i][0], "error": items[i][9]})
        moved = np.flatnonzero((status == "changed") & ~np.isnan(pct))
        for i in moved[np.argsort(-np.abs(pct[moved]), kind="stable")[:TOP]]:
            row, item = rows[i], items[i]
            mover = {"submission": row[0], "product": row[3], "region": row[5],
                     "category": row[4], "from_kg_co2e": item[5], "to_kg_co2e": item[6],
                     "change_pct": float(pct[i]), "line": item[7], "line_delta_kg_co2e": item[8],
                     "input": _line_name(lines.get(row[0]), item[7]), "revision": row[1]}
            entry = (abs(float(pct[i])), -row[0], mover)
            if len(self.top) < TOP:
                heapq.heappush(self.top, entry)
            else:
                heapq.heappushpop(self.top, entry)

    @staticmethod
    def _tally(group: Group, status: np.ndarray, pct: np.ndarray) -> None:
        group.count += len(status)
        group.changed += int((status == "changed").sum())
        group.unchanged += int((status == "unchanged").sum())
        group.failed += int((status == "failed").sum())
        known = pct[~np.isnan(pct) & (status != "failed")]
        group.sum_change_pct += float(known.sum())
        group.n_change_pct += len(known)
        if len(known):
            largest = float(known[np.argmax(np.abs(known))])
            if group.largest_change_pct is None or abs(largest) > abs(group.largest_change_pct):
                group.largest_change_pct = largest

    def name_movers(self, db) -> None:
        """Name the moving line of top movers whose rows were read, not compiled, this run."""
        from ..store.footprints import line_names

        for _, _, mover in self.top:
            if mover["input"] is None and mover["line"] is not None:
                mover["input"] = _line_name(line_names(db, mover["submission"],
                                                       mover["revision"]), mover["line"])

    def top_movers(self) -> list[dict]:
        return [mover for _, _, mover in sorted(self.top, key=lambda e: (-e[0], -e[1]))]

    def as_dict(self) -> dict:
        return {
            "run": self.run_id, "dry_run": self.dry_run, "resumed": self.resumed,
            "to_version": {"name": self.to_version_name, "hash": self.to_version},
            "selected": self.selected, "done_before": self.done_before,
            "already_current": self.already_current, "reissued": self.reissued,
            **self.totals.as_dict(),
            "by_region": {k: g.as_dict() for k, g in sorted(self.by_region.items())},
            "by_category": {k: g.as_dict() for k, g in sorted(self.by_category.items())},
            "top_movers": self.top_movers(), "failures": self.failures,
        }


def _line_name(lines, line: int | None) -> str | None:
    if lines is None or line is None or not 0 <= line < len(lines):
        return None
    return lines[line]
