"""Scoring many products at once: every line of every product in a few NumPy operations.

Each product's lines (sub-assemblies expanded, scaled by how much of them is used) become rows
of one table: product, top-level line, stage, background process or direct flow, quantity
(``footprint.compiled``: compiled once per ResolvedBom and cached on it). A row's score is
``quantity x (G @ cf)[process]`` (or ``quantity x cf[flow]`` for a direct emission); totals,
stages and lines are bincounts of those rows, and gas masses bincounts of ``quantity x G``. One
product is a batch of one, so the CLI, the web service and a million-product recalculation share
this path; large batches are scored in chunks so memory stays bounded.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .compiled import CompiledBatch
from .resolve import ResolvedBom

CHUNK = 50_000  # products scored at once: bounds the row arrays of a large batch


class LineSums(Sequence):
    """Per product, kg CO2e of each top-level line: ``by_line[p]`` is an array (a view)."""

    def __init__(self, sums: np.ndarray, offsets: np.ndarray):
        self.sums, self.offsets = sums, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, p):
        if isinstance(p, slice):
            return [self[i] for i in range(*p.indices(len(self)))]
        if p < 0:
            p += len(self)
        if not 0 <= p < len(self):
            raise IndexError(p)
        return self.sums[self.offsets[p]:self.offsets[p + 1]]

    def __eq__(self, other):
        return NotImplemented

    @classmethod
    def concatenate(cls, parts: list["LineSums"]) -> "LineSums":
        sums = np.concatenate([p.sums for p in parts])
        starts = np.cumsum([0] + [p.offsets[-1] for p in parts[:-1]])
        offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, starts)])
        return cls(sums, offsets)


@dataclass
class Scores:
    """Per-product arrays for one batch, all in kg CO2e per declared unit except ``gas_mass``."""

    total: np.ndarray  # (products,) inside each product's system boundary
    by_stage: np.ndarray  # (products, stages) every stage, inside the boundary or not
    gas_mass: np.ndarray  # (products, flows) kg of each flow inside the boundary
    by_line: Sequence[np.ndarray]  # per product: kg CO2e of each of its top-level lines


def score_chunks(batch: Sequence[ResolvedBom], inventory, cf: np.ndarray,
                 chunk: int = CHUNK) -> Iterator[tuple[int, Scores]]:
    """(first product's index, its chunk's Scores) for consecutive chunks of ``batch``."""
    for start in range(0, len(batch), chunk):
        compiled = CompiledBatch.from_boms(batch[start:start + chunk], inventory)
        yield start, compiled.score(inventory, cf)


def score(batch: Sequence[ResolvedBom], inventory, cf: np.ndarray, chunk: int = CHUNK) -> Scores:
    parts = [s for _, s in score_chunks(batch, inventory, cf, chunk)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return CompiledBatch([]).score(inventory, cf)
    return Scores(np.concatenate([p.total for p in parts]),
                  np.concatenate([p.by_stage for p in parts]),
                  np.concatenate([p.gas_mass for p in parts]),
                  LineSums.concatenate([p.by_line for p in parts]))
