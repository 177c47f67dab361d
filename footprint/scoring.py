"""Scoring many products at once: every line of every product in a few NumPy operations.

Each product's lines (sub-assemblies expanded, scaled by how much of them is used) become rows
of one table: product, top-level line, stage, background process or direct flow, quantity.
Row flows are ``quantity x G[process]`` (or the direct emission itself), row scores are
``flows @ cf``, and totals, stages, gases and lines are bincounts of those rows. One product is
a batch of one, so the CLI, the web service and a million-product recalculation share this path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import STAGES
from .resolve import ResolvedBom

STAGE_INDEX = {stage: i for i, stage in enumerate(STAGES)}


@dataclass
class Scores:
    """Per-product arrays for one batch, all in kg CO2e per declared unit except ``gas_mass``."""

    total: np.ndarray  # (products,) inside each product's system boundary
    by_stage: np.ndarray  # (products, stages) every stage, inside the boundary or not
    gas_mass: np.ndarray  # (products, flows) kg of each flow inside the boundary
    by_line: list[np.ndarray]  # per product: kg CO2e of each of its top-level lines


class _Rows:
    def __init__(self):
        self.product, self.line, self.stage, self.process, self.flow, self.quantity = \
            [], [], [], [], [], []

    def add(self, product, line, stage, process, flow, quantity):
        self.product.append(product)
        self.line.append(line)
        self.stage.append(stage)
        self.process.append(process)
        self.flow.append(flow)
        self.quantity.append(quantity)

    def expand(self, p, resolved: ResolvedBom, inventory, line=None, stage=None, scale=1.0):
        """Add the rows of ``resolved``; a sub-assembly's rows count for its parent's line."""
        inside = resolved.bom.boundary_stages
        for rl in resolved.lines:
            if line is None:
                line_index, stage_index = rl.line.index, STAGE_INDEX[rl.line.stage]
            elif rl.line.stage not in inside:
                continue  # outside the sub-assembly's own boundary
            else:
                line_index, stage_index = line, stage
            quantity = scale * rl.quantity
            if rl.process_id is not None:
                self.add(p, line_index, stage_index, inventory.row[rl.process_id], -1, quantity)
            elif rl.flow is not None:
                self.add(p, line_index, stage_index, -1, inventory.column[rl.flow], quantity)
            else:
                self.expand(p, rl.sub, inventory, line_index, stage_index, quantity)


def score(batch: list[ResolvedBom], inventory, cf: np.ndarray) -> Scores:
    rows = _Rows()
    for p, resolved in enumerate(batch):
        rows.expand(p, resolved, inventory)
    product = np.array(rows.product, dtype=np.int64)
    stage = np.array(rows.stage, dtype=np.int64)
    process = np.array(rows.process, dtype=np.int64)
    flow = np.array(rows.flow, dtype=np.int64)
    quantity = np.array(rows.quantity, dtype=np.float64)
    n_products, n_flows, n_stages = len(batch), len(inventory.flow_ids), len(STAGES)

    flows = np.zeros((len(quantity), n_flows))
    background = process >= 0
    flows[background] = inventory.per_unit[process[background]] * quantity[background, None]
    direct = np.flatnonzero(~background)
    flows[direct, flow[direct]] = quantity[direct]
    co2e = flows @ cf

    boundary = np.array([[s in r.bom.boundary_stages for s in STAGES] for r in batch])
    inside = boundary[product, stage]
    total = np.bincount(product[inside], weights=co2e[inside], minlength=n_products)
    by_stage = np.bincount(product * n_stages + stage, weights=co2e,
                           minlength=n_products * n_stages).reshape(n_products, n_stages)
    gas_mass = np.zeros((n_products, n_flows))
    np.add.at(gas_mass, product[inside], flows[inside])

    line_counts = np.array([len(r.lines) for r in batch], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(line_counts)))
    line_sums = np.bincount(offsets[product] + np.array(rows.line, dtype=np.int64),
                            weights=co2e, minlength=int(offsets[-1]))
    by_line = [line_sums[offsets[p]:offsets[p + 1]] for p in range(n_products)]
    return Scores(total, by_stage, gas_mass, by_line)
