"""Scoring compiled rows: every line of every product in a few NumPy operations.

Each product's lines (sub-assemblies expanded, scaled by how much of them is used) are rows of
one table (``footprint.engine.compiled``: product, top-level line, stage, background process or
direct flow, quantity; compiled once per ResolvedBom and cached on it). ``score_rows`` is the
arithmetic, a pure function of those rows, the unit inventory and the characterisation factors:
a row's score is ``quantity x (G @ cf)[process]`` (or ``quantity x cf[flow]`` for a direct
emission); totals, stages and lines are bincounts of those rows, and gas masses bincounts of
``quantity x G``. One product is a batch of one, so the CLI, the web service and a
million-product recalculation share this path; ``score`` compiles and scores large batches in
chunks so memory stays bounded.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .compiled import N_STAGES, CompiledBatch
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


def score_rows(rows: CompiledBatch, inventory, cf: np.ndarray) -> Scores:
    """Totals, stages, gas masses and line sums of compiled ``rows`` under ``inventory`` and
    the characterisation factors ``cf`` (kg CO2e per kg of each of the inventory's flows)."""
    n = rows.n_products
    n_flows = len(inventory.flow_ids)
    per_unit = np.asarray(inventory.per_unit, dtype=np.float64)
    # kg CO2e per unit of each column: a background process's unit inventory, 1 kg of
    # a directly emitted flow, or 1 kg CO2e of a supplier's label (engine.supplier)
    unit = np.concatenate((per_unit @ cf, cf, (1.0,)))
    co2e = rows.quantity * unit[rows.column]
    product, inside = rows.product, rows.inside

    total = np.bincount(product[inside], weights=co2e[inside], minlength=n)
    by_stage = np.bincount(product.astype(np.int64) * N_STAGES + rows.stage, weights=co2e,
                           minlength=n * N_STAGES).reshape(n, N_STAGES)
    # kg of each flow inside the boundary: each row's quantity times its column's flows
    # (G for a background process, the identity for a direct emission), summed per product
    # (a supplier's label signs CO2e, no gases: its row adds no mass)
    flows_of = np.vstack((per_unit, np.eye(n_flows), np.zeros((1, n_flows))))
    p_in, column_in, q_in = product[inside], rows.column[inside], rows.quantity[inside]
    gas_mass = np.empty((n, n_flows))
    for j in range(n_flows):
        gas_mass[:, j] = np.bincount(p_in, weights=flows_of[column_in, j] * q_in, minlength=n)
    line_sums = np.bincount(rows.line_offsets[product] + rows.line, weights=co2e,
                            minlength=int(rows.line_offsets[-1]))
    return Scores(total, by_stage, gas_mass, LineSums(line_sums, rows.line_offsets))


def score_chunks(batch: Sequence[ResolvedBom], inventory, cf: np.ndarray,
                 chunk: int = CHUNK) -> Iterator[tuple[int, Scores]]:
    """(first product's index, its chunk's Scores) for consecutive chunks of ``batch``."""
    for start in range(0, len(batch), chunk):
        rows = CompiledBatch.from_boms(batch[start:start + chunk], inventory)
        yield start, score_rows(rows, inventory, cf)


def score(batch: Sequence[ResolvedBom], inventory, cf: np.ndarray, chunk: int = CHUNK) -> Scores:
    parts = [s for _, s in score_chunks(batch, inventory, cf, chunk)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return score_rows(CompiledBatch([]), inventory, cf)
    return Scores(np.concatenate([p.total for p in parts]),
                  np.concatenate([p.by_stage for p in parts]),
                  np.concatenate([p.gas_mass for p in parts]),
                  LineSums.concatenate([p.by_line for p in parts]))
