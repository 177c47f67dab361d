"""What a recalculation did: counts, change by region and category, and the top movers.

Changes are relative to the product's previous footprint, in per cent. A product's "mover"
is the top-level line of its BOM whose kg CO2e moved most between the two data versions
(known when the previous version can still be loaded exactly).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from ..store.footprints import line_names
from .chunk import CHANGED, FAILED, UNCHANGED

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
    ranges: int = 0  # products whose range (P5-P95) was drawn again
    totals: Group = field(default_factory=Group)
    by_region: dict[str, Group] = field(default_factory=dict)
    by_category: dict[str, Group] = field(default_factory=dict)
    top: list = field(default_factory=list)  # heap of (abs change, tie, mover dict)
    items: list = field(default_factory=list)  # a dry run's items (nothing is stored)
    failures: list = field(default_factory=list)  # the first few, for the screen

    def add_chunk(self, scored) -> None:
        """A chunk's recalculated products (footprint.recalc.chunk.Scored)."""
        page, status = scored.page, scored.status
        self.ranges += int((~np.isnan(scored.ranges[:, 0])).sum())
        if self.dry_run:
            self.items.extend(scored.items())
        before, after = page.totals, scored.after
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(before != 0, (after - before) / np.abs(before) * 100, np.nan)
        self._tally([self.totals], np.zeros(len(status), dtype=np.intp), status, pct)
        for groups, keys in ((self.by_region, page.regions), (self.by_category, page.categories)):
            index: dict = {}
            codes = np.fromiter((index.setdefault(k, len(index)) for k in keys.tolist()),
                                dtype=np.intp, count=len(keys))
            self._tally([groups.setdefault(k, Group()) for k in index], codes, status, pct)
        for i in np.flatnonzero(status == FAILED)[:max(0, 5 - len(self.failures))].tolist():
            self.failures.append({"submission": int(page.ids[i]), "error": scored.errors[i]})
        moved = np.flatnonzero((status == CHANGED) & ~np.isnan(pct))
        lines = scored.lines
        for i in moved[np.argsort(-np.abs(pct[moved]), kind="stable")[:TOP]].tolist():
            sid = int(page.ids[i])
            line = None if scored.top_line[i] < 0 else int(scored.top_line[i])
            mover = {"submission": sid, "product": page.products[i], "region": page.regions[i],
                     "category": page.categories[i], "from_kg_co2e": float(before[i]),
                     "to_kg_co2e": float(after[i]), "change_pct": float(pct[i]), "line": line,
                     "line_delta_kg_co2e": None if line is None else float(scored.top_delta[i]),
                     "input": _line_name(lines.get(sid), line),
                     "revision": int(page.revisions[i])}
            entry = (abs(float(pct[i])), -sid, mover)
            if len(self.top) < TOP:
                heapq.heappush(self.top, entry)
            else:
                heapq.heappushpop(self.top, entry)

    @staticmethod
    def _tally(groups: list[Group], codes: np.ndarray, status: np.ndarray,
               pct: np.ndarray) -> None:
        """Add products to ``groups``: product i belongs to groups[codes[i]]."""
        n = len(groups)
        count = np.bincount(codes, minlength=n)
        changed, unchanged, failed = (np.bincount(codes[status == s], minlength=n)
                                      for s in (CHANGED, UNCHANGED, FAILED))
        known = np.flatnonzero(~np.isnan(pct) & (status != FAILED))
        sums = np.bincount(codes[known], weights=pct[known], minlength=n)
        n_known = np.bincount(codes[known], minlength=n)
        # each group's largest change in size: the first of its products in that order
        by_size = known[np.argsort(-np.abs(pct[known]), kind="stable")]
        seen, first = np.unique(codes[by_size], return_index=True)
        largest = dict(zip(seen.tolist(), pct[by_size[first]].tolist()))
        for code, group in enumerate(groups):
            group.count += int(count[code])
            group.changed += int(changed[code])
            group.unchanged += int(unchanged[code])
            group.failed += int(failed[code])
            group.sum_change_pct += float(sums[code])
            group.n_change_pct += int(n_known[code])
            value = largest.get(code)
            if value is not None and (group.largest_change_pct is None
                                      or abs(value) > abs(group.largest_change_pct)):
                group.largest_change_pct = value

    def name_movers(self, db) -> None:
        """Name the moving line of top movers whose rows were read, not compiled, this run."""
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
            "ranges": self.ranges,
            **self.totals.as_dict(),
            "by_region": {k: g.as_dict() for k, g in sorted(self.by_region.items())},
            "by_category": {k: g.as_dict() for k, g in sorted(self.by_category.items())},
            "top_movers": self.top_movers(), "failures": self.failures,
        }


def _line_name(lines, line: int | None) -> str | None:
    if lines is None or line is None or not 0 <= line < len(lines):
        return None
    return lines[line]
